//! What became of each hand edit: it holds, it was refused (and why), or a later edit or the
//! scenario's own rules superseded it.

use super::EditAction;
use crate::lang::Lang;

/// What became of one hand edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditReport {
    /// Position in the scenario's edit list, from 0 (shown from 1: "edit 3").
    pub position: usize,
    /// `townships` or `villages`.
    pub level: &'static str,
    pub action: EditAction,
    pub status: EditStatus,
}

impl EditReport {
    /// Whether the edit holds in the plan.
    pub fn held(&self) -> bool {
        self.status == EditStatus::Held
    }

    /// The report in `lang`: "edit 3 (townships, merge): …".
    pub fn describe(&self, lang: Lang) -> String {
        let n = self.position + 1;
        let status = self.status.describe(lang);
        match lang {
            Lang::En => format!(
                "edit {n} ({}, {}): {status}",
                self.level,
                self.action.as_str()
            ),
            Lang::Zh => {
                let level = if self.level == "townships" {
                    "乡镇"
                } else {
                    "村"
                };
                format!(
                    "第 {n} 项手动调整（{level}，{}）：{status}",
                    self.action.zh()
                )
            }
        }
    }
}

/// Whether a hand edit holds, and why not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditStatus {
    /// The edit holds in the plan.
    Held,
    /// The edit could not be made; the plan is as if it were not in the list.
    Refused(Refusal),
    /// It was made, but a later edit (its position) changed the same units, or (`None`) the
    /// scenario's own manual groups or seats overrode it.
    Superseded { by: Option<usize> },
}

impl EditStatus {
    pub fn describe(&self, lang: Lang) -> String {
        match (self, lang) {
            (EditStatus::Held, Lang::En) => "holds".into(),
            (EditStatus::Held, Lang::Zh) => "已生效".into(),
            (EditStatus::Refused(r), lang) => r.describe(lang),
            (EditStatus::Superseded { by: Some(by) }, Lang::En) => {
                format!(
                    "superseded by edit {}, which changed the same units",
                    by + 1
                )
            }
            (EditStatus::Superseded { by: Some(by) }, Lang::Zh) => {
                format!("已被第 {} 项调整取代（涉及相同单位）", by + 1)
            }
            (EditStatus::Superseded { by: None }, Lang::En) => {
                "overridden by the scenario's manual groups or listed seats".into()
            }
            (EditStatus::Superseded { by: None }, Lang::Zh) => {
                "被方案规则中的手动合并或指定驻地覆盖".into()
            }
        }
    }
}

/// "{first} and {second} are in different counties (new townships)", in Chinese.
pub(super) fn across_zh(first: &str, second: &str, container: &str) -> String {
    let container = if container == "counties" {
        "区县"
    } else {
        "新乡镇"
    };
    format!("{first} 和 {second} 属于不同{container}；合并不能跨越{container}")
}

/// Why a hand edit could not be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// A code that no unit of this level has.
    UnknownCode(String),
    /// A locked unit (the scenario's `locked`, or a lock edit) cannot be merged or moved.
    Locked(String),
    /// The units do not form one contiguous group.
    NotAdjacent,
    /// Units of different counties (townships) or new townships (villages).
    AcrossContainer {
        first: String,
        second: String,
        /// `counties` or `new townships`.
        container: &'static str,
    },
    /// The merged unit would be larger than the area cap.
    OverAreaCap { area_km2: u64, cap_km2: u64 },
    /// A member would be farther from the seat than the distance cap.
    OverDistanceCap { code: String, km: u64, cap_km: u64 },
    /// Moving the unit out would cut its group in two.
    WouldCutGroup(String),
    /// The unit is already in the target group.
    AlreadyThere(String),
    /// Two seats or names given by hand would end in one new unit.
    TwoSeats { other: String },
    /// A merge that names one unit only (or one unit several times).
    OneUnit(String),
}

impl Refusal {
    pub fn describe(&self, lang: Lang) -> String {
        match lang {
            Lang::En => match self {
                Refusal::UnknownCode(c) => format!("no unit of this level has code {c}"),
                Refusal::Locked(c) => format!("{c} is locked"),
                Refusal::NotAdjacent => "the units are not adjacent".into(),
                Refusal::AcrossContainer {
                    first,
                    second,
                    container,
                } => format!(
                    "{first} and {second} are in different {container}; merges never cross them"
                ),
                Refusal::OverAreaCap { area_km2, cap_km2 } => {
                    format!("{area_km2} km² would exceed the area cap of {cap_km2} km²")
                }
                Refusal::OverDistanceCap { code, km, cap_km } => {
                    format!("{code} would be {km} km from the seat, over the cap of {cap_km} km")
                }
                Refusal::WouldCutGroup(c) => {
                    format!("moving {c} out would cut its group in two")
                }
                Refusal::AlreadyThere(c) => format!("{c} is already in that group"),
                Refusal::TwoSeats { other } => format!(
                    "the new unit would have two seats or names given by hand ({other} has one)"
                ),
                Refusal::OneUnit(c) => {
                    format!("a merge needs two different units; it names only {c}")
                }
            },
            Lang::Zh => match self {
                Refusal::UnknownCode(c) => format!("本级没有代码为 {c} 的单位"),
                Refusal::Locked(c) => format!("{c} 已锁定"),
                Refusal::NotAdjacent => "这些单位不相邻".into(),
                Refusal::AcrossContainer {
                    first,
                    second,
                    container,
                } => across_zh(first, second, container),
                Refusal::OverAreaCap { area_km2, cap_km2 } => {
                    format!("合并后面积 {area_km2} 平方公里，超过上限 {cap_km2} 平方公里")
                }
                Refusal::OverDistanceCap { code, km, cap_km } => {
                    format!("{code} 距驻地 {km} 公里，超过上限 {cap_km} 公里")
                }
                Refusal::WouldCutGroup(c) => format!("移出 {c} 会把原单位分成两块"),
                Refusal::AlreadyThere(c) => format!("{c} 已在该单位中"),
                Refusal::TwoSeats { other } => {
                    format!("新单位将有两个手动指定的驻地或名称（{other} 已有）")
                }
                Refusal::OneUnit(c) => format!("合并需要两个不同的单位；此处只有 {c}"),
            },
        }
    }
}
