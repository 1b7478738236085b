//! The plan: who merged into whom at each level, how each level's run went, and what became
//! of every hand edit. A plan knows the dataset it was computed on ([`MergePlan::dataset`]).

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;
use typed_index_collections::TiVec;

use crate::lang::Lang;
use crate::model::{Level, NewId, TownshipId, VillageId};
use crate::scenario::EditAction;
use crate::workspace::DatasetId;

/// A unit after the reform: its surviving seat and its former units, at level `L`
/// ([`TownshipId`] or [`VillageId`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUnit<L> {
    /// The former unit whose seat survives (its code is the new unit's).
    pub seat: L,
    /// Former units, sorted; a unit that did not merge is its own only member. Shared with
    /// the partition run that made the group, which the next analysis may take as it is.
    pub members: Arc<[L]>,
    /// A name given by hand; otherwise the new unit takes its seat's name.
    pub name: Option<String>,
    /// Whether the group was made or kept by hand edits (the rules left it alone).
    pub by_hand: bool,
}

/// A constraint that kept a candidate from merging.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Constraint {
    /// No neighbour it may merge with (isolated, or every neighbour exempt, locked or out of scope).
    NoNeighbour,
    /// Every merge would exceed the maximum area.
    MaxArea,
    /// Every merge would put a member too far from the surviving seat.
    MaxSeatDistance,
}

impl Constraint {
    pub const ALL: [Constraint; 3] = [
        Constraint::NoNeighbour,
        Constraint::MaxArea,
        Constraint::MaxSeatDistance,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Constraint::NoNeighbour => "no_neighbour",
            Constraint::MaxArea => "max_area",
            Constraint::MaxSeatDistance => "max_seat_distance",
        }
    }

    /// What the constraint is, in `lang`.
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Constraint::NoNeighbour, Lang::Zh) => "无可合并邻居",
            (Constraint::MaxArea, Lang::Zh) => "面积上限",
            (Constraint::MaxSeatDistance, Lang::Zh) => "距离上限",
            (Constraint::NoNeighbour, Lang::En) => "no neighbour",
            (Constraint::MaxArea, Lang::En) => "area cap",
            (Constraint::MaxSeatDistance, Lang::En) => "distance cap",
        }
    }

    /// This constraint as one bit of a set.
    pub(crate) fn bit(self) -> u8 {
        1 << self as u8
    }
}

/// How a level's run went.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Regular units in scope before the reform (the base of the target).
    pub units_in_scope: usize,
    /// Merges the target asked for, if there is a target.
    pub target_merges: Option<usize>,
    /// Merges made, those by hand included.
    pub merges: usize,
    /// Merges made by hand: the scenario's `manual` groups and the hand edits.
    pub manual_merges: usize,
    /// Candidates each constraint kept from merging.
    pub blocked: BTreeMap<Constraint, usize>,
}

impl Outcome {
    /// Whether the target (if any) was met.
    pub fn target_met(&self) -> bool {
        self.target_merges.is_none_or(|t| self.merges >= t)
    }
}

/// One level of a plan: townships (`L` = [`TownshipId`]) or villages ([`VillageId`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage<L: Level> {
    pub units: TiVec<NewId<L>, NewUnit<L>>,
    /// For each former unit, its new unit.
    pub new_of: TiVec<L, NewId<L>>,
    pub outcome: Outcome,
}

impl<L: Level> Default for Stage<L> {
    fn default() -> Self {
        Self {
            units: TiVec::new(),
            new_of: TiVec::new(),
            outcome: Outcome::default(),
        }
    }
}

impl<L: Level> Stage<L> {
    /// Every one of `n` units its own new unit: the units as they are, before any plan.
    pub fn identity(n: usize) -> Self {
        Self {
            units: (0..n)
                .map(|i| NewUnit {
                    seat: L::from(i),
                    members: Arc::from([L::from(i)]),
                    name: None,
                    by_hand: false,
                })
                .collect(),
            new_of: (0..n).map(NewId::from).collect(),
            outcome: Outcome::default(),
        }
    }

    /// The new unit a former unit belongs to.
    pub fn unit_of(&self, former: L) -> &NewUnit<L> {
        &self.units[self.new_of[former]]
    }

    /// The surviving seat of a former unit's new unit.
    pub fn seat_of(&self, former: L) -> L {
        self.unit_of(former).seat
    }
}

/// Who merged into whom, for townships and villages, and what became of the hand edits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergePlan {
    /// The dataset the plan's ids index.
    pub(crate) dataset: DatasetId,
    pub townships: Stage<TownshipId>,
    pub villages: Stage<VillageId>,
    /// One report per hand edit, in the order of the scenario's edit list.
    pub edits: Vec<EditReport>,
}

impl MergePlan {
    /// The dataset this plan was computed on.
    pub fn dataset(&self) -> DatasetId {
        self.dataset
    }

    /// The hand edits that did not hold.
    pub fn refused_edits(&self) -> impl Iterator<Item = &EditReport> {
        self.edits.iter().filter(|e| !e.held())
    }
}

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
pub(crate) fn across_zh(first: &str, second: &str, container: &str) -> String {
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
