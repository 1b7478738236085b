//! Every decision in words and figures: the engine's record of a plan
//! ([`crate::engine::explain`]) told for each former unit, in both languages, for the app's
//! hover card and 为什么 panel, `jianzhi explain` and `explain.csv`. Nothing is decided again
//! here: the words only read the record and the scenario's rules.

use typed_index_collections::TiVec;

use crate::engine::explain::{Decision, Decisions, Fate, Weighed};
use crate::error::Message;
use crate::model::{Dataset, Terrain, TownshipId, VillageId};
use crate::plan::{Constraint, MergePlan};
use crate::scenario::{LevelName, Scenario, SeatRule};
use crate::tr;
use crate::workspace::Analysis;
use std::ops::Not;

/// One former unit's story.
#[derive(Debug, Clone, PartialEq)]
pub struct Story {
    pub level: LevelName,
    /// The unit's index at its level.
    pub unit: usize,
    pub code: String,
    pub name: String,
    /// Its new unit: the code and name of its seat (or the name given by hand).
    pub new_code: String,
    pub new_name: String,
    pub merged: bool,
    /// The rule that decided, as `explain.csv` writes it (see [`RULES`]).
    pub rule: &'static str,
    /// What it says in one line.
    pub line: Message,
    /// The whole story: the decision, the seat, the local search, and each neighbour weighed.
    pub details: Vec<Message>,
    /// The candidate's place against its thresholds (or the mean population), in percent.
    pub ratio_pct: Option<f64>,
    /// The step of its partition's run that decided (from 1).
    pub step: Option<usize>,
    /// The farthest member from the new seat after the merge it took (km).
    pub reach_km: Option<f32>,
    /// Neighbours weighed, and how many of them broke a cap.
    pub weighed: usize,
    pub weighed_blocked: usize,
    /// The caps that blocked it (`max_area`, `max_seat_distance`, joined by `+`).
    pub blocked_by: String,
    /// Moved by the local search: the people × km it saved.
    pub moved_saving: Option<f64>,
}

/// The rules `explain.csv` names, in the order of the README's table.
pub const RULES: [&str; 14] = [
    "below_threshold",
    "target",
    "chosen_as_neighbour",
    "by_hand",
    "scenario_group",
    "meets_thresholds",
    "exempt_kind",
    "locked",
    "out_of_scope",
    "level_off",
    "county_target_met",
    "target_met",
    "blocked",
    "local_search",
];

/// A unit of either level, as the stories name it.
struct Named {
    code: String,
    name: String,
}

/// What the stories read: the dataset, the scenario, the plan and the engine's decisions.
#[derive(Clone, Copy)]
pub struct Record<'a> {
    pub dataset: &'a Dataset,
    pub scenario: &'a Scenario,
    pub plan: &'a MergePlan,
    pub decisions: &'a Decisions,
    /// Each township's terrain class as the plan used it (its limits apply).
    pub terrain: &'a TiVec<TownshipId, Option<Terrain>>,
}

impl<'a> Record<'a> {
    pub fn of(analysis: &'a Analysis) -> Self {
        Self {
            dataset: analysis.dataset(),
            scenario: &analysis.scenario,
            plan: &analysis.plan,
            decisions: analysis.decisions(),
            terrain: &analysis.workspace().prepared().terrain,
        }
    }

    fn decisions_of(&self, level: LevelName) -> &'a [Decision] {
        match level {
            LevelName::Townships => &self.decisions.townships,
            LevelName::Villages => &self.decisions.villages,
        }
    }

    /// The stories of every former unit of `level`, in unit order.
    pub fn stories(&self, level: LevelName) -> impl Iterator<Item = Story> + '_ {
        let teller = Teller {
            record: *self,
            level,
        };
        self.decisions_of(level)
            .iter()
            .enumerate()
            .map(move |(unit, d)| teller.tell(unit, d))
    }

    /// The story of unit `unit` of `level`.
    pub fn story(&self, level: LevelName, unit: usize) -> Story {
        let teller = Teller {
            record: *self,
            level,
        };
        teller.tell(unit, &self.decisions_of(level)[unit])
    }
}

/// The story of unit `unit` of `level` in `analysis`.
pub fn story(analysis: &Analysis, level: LevelName, unit: usize) -> Story {
    Record::of(analysis).story(level, unit)
}

/// The unit a code names, at either level (townships first).
pub fn find(dataset: &Dataset, code: &str) -> Option<(LevelName, usize)> {
    let code = code.trim();
    let township = dataset.townships.iter().position(|t| t.code == code);
    let village = || dataset.villages.iter().position(|v| v.code == code);
    township
        .map(|t| (LevelName::Townships, t))
        .or_else(|| village().map(|v| (LevelName::Villages, v)))
}

/// Tells the stories of one level.
struct Teller<'a> {
    record: Record<'a>,
    level: LevelName,
}

impl<'a> Teller<'a> {
    fn dataset(&self) -> &'a Dataset {
        self.record.dataset
    }

    fn named(&self, unit: usize) -> Named {
        let ds = self.dataset();
        match self.level {
            LevelName::Townships => {
                let t = &ds.townships[TownshipId::from(unit)];
                Named {
                    code: t.code.clone(),
                    name: t.name.clone(),
                }
            }
            LevelName::Villages => {
                let v = &ds.villages[VillageId::from(unit)];
                Named {
                    code: v.code.clone(),
                    name: v.name.clone(),
                }
            }
        }
    }

    /// Whether the unit's level is reformed, its county in the scenario's scope and its kind
    /// exempt, and its terrain as the plan used it.
    fn context(&self, unit: usize) -> Context {
        let ds = self.dataset();
        let (rules_enabled, exempt, terrain, county) = match self.level {
            LevelName::Townships => {
                let t = &ds.townships[TownshipId::from(unit)];
                let rules = &self.record.scenario.townships;
                (
                    rules.enabled,
                    rules.exempt().contains(&t.kind),
                    self.record.terrain[TownshipId::from(unit)],
                    t.county,
                )
            }
            LevelName::Villages => {
                let v = &ds.villages[VillageId::from(unit)];
                let t = &ds.townships[v.township];
                let rules = &self.record.scenario.villages;
                (
                    rules.enabled,
                    rules.exempt().contains(&v.kind),
                    self.record.terrain[v.township],
                    t.county,
                )
            }
        };
        Context {
            enabled: rules_enabled,
            exempt,
            in_scope: self.record.scenario.scope.contains(&ds.counties[county]),
            terrain,
        }
    }

    fn thresholds_set(&self, terrain: Option<Terrain>) -> bool {
        let set = |rules_limits: crate::scenario::Limits| {
            rules_limits.min_area_km2.is_some()
                || rules_limits.min_registered_pop.is_some()
                || rules_limits.min_resident_pop.is_some()
        };
        match self.level {
            LevelName::Townships => set(self.record.scenario.townships.limits_for(terrain)),
            LevelName::Villages => set(self.record.scenario.villages.limits_for(terrain)),
        }
    }

    fn seat_rule(&self) -> SeatRule {
        match self.level {
            LevelName::Townships => self.record.scenario.townships.seat_rule,
            LevelName::Villages => self.record.scenario.villages.seat_rule,
        }
    }

    /// Whether the unit is alone in its new unit.
    fn alone(&self, unit: usize) -> bool {
        match self.level {
            LevelName::Townships => {
                let t = TownshipId::from(unit);
                self.record.plan.townships.unit_of(t).members.len() == 1
            }
            LevelName::Villages => {
                let v = VillageId::from(unit);
                self.record.plan.villages.unit_of(v).members.len() == 1
            }
        }
    }

    /// The new unit's code and name.
    fn new_unit(&self, unit: usize, decision: &Decision) -> Named {
        let seat = self.named(decision.seat);
        let given = match self.level {
            LevelName::Townships => self
                .record
                .plan
                .townships
                .unit_of(TownshipId::from(unit))
                .name
                .clone(),
            LevelName::Villages => self
                .record
                .plan
                .villages
                .unit_of(VillageId::from(unit))
                .name
                .clone(),
        };
        Named {
            code: seat.code,
            name: given.unwrap_or(seat.name),
        }
    }

    fn tell(&self, unit: usize, decision: &Decision) -> Story {
        let me = self.named(unit);
        let new = self.new_unit(unit, decision);
        let context = self.context(unit);
        let merged = self.alone(unit).not();
        let (rule, line) = self.decision_line(decision, &context, &new, merged);
        let mut details = vec![line.clone()];
        if rule == "local_search" {
            // What the greedy did before the search moved it.
            let greedy = Decision {
                moved: None,
                ..decision.clone()
            };
            let greedy_merged = greedy.fate.merged();
            details.push(self.decision_line(&greedy, &context, &new, greedy_merged).1);
        }
        details.push(self.seat_line(unit, decision));
        if let (Some(moved), false) = (decision.moved, rule == "local_search") {
            let (from, to) = (
                self.named(moved.from_seat).name,
                self.named(moved.to_seat).name,
            );
            let saving = moved.saving;
            details.push(tr!(
                "After the merges, the local search moved it from {from}'s unit to {to}'s: {saving:.0} people × km nearer their seats.",
                "合并之后，局部搜索将其从{from}所在单位移到{to}所在单位：居民到驻地的人·公里减少 {saving:.0}。"
            ));
        }
        if !decision.weighed.is_empty() {
            details.push(match decision.fate {
                Fate::Chosen { by, .. } => {
                    let by = self.named(by).name;
                    tr!("The neighbours {by} weighed:", "{by}比较的相邻单位：")
                }
                _ => tr!("The neighbours it weighed:", "比较的相邻单位："),
            });
        }
        details.extend(decision.weighed.iter().map(|w| self.weighed_line(w)));
        let taken = decision.weighed.iter().find(|w| w.chosen);
        Story {
            level: self.level,
            unit,
            code: me.code,
            name: me.name,
            new_code: new.code,
            new_name: new.name,
            merged,
            rule,
            line,
            details,
            ratio_pct: ratio_of(decision.fate).map(|r| r * 100.0),
            step: step_of(decision.fate).map(|s| s + 1),
            reach_km: taken.map(|w| w.reach_km),
            weighed: decision.weighed.len(),
            weighed_blocked: decision.weighed.iter().filter(|w| w.broke != 0).count(),
            blocked_by: match decision.fate {
                Fate::Blocked { broke, .. } => caps(broke).join("+"),
                _ => String::new(),
            },
            moved_saving: decision.moved.map(|m| m.saving),
        }
    }

    /// The rule that decided and the one line that says it.
    /// The rule that decided and the one line that says it: the local search's where it
    /// changed the unit's group, else the greedy's.
    fn decision_line(
        &self,
        decision: &Decision,
        context: &Context,
        new: &Named,
        merged: bool,
    ) -> (&'static str, Message) {
        self.search_line(decision, new, merged).unwrap_or_else(|| {
            if decision.fate.merged() {
                self.merged_line(decision, context)
            } else {
                self.kept_line(decision, context)
            }
        })
    }

    /// What the local search did to the unit's group, if it changed it.
    fn search_line(
        &self,
        decision: &Decision,
        new: &Named,
        merged: bool,
    ) -> Option<(&'static str, Message)> {
        let into = &new.name;
        if let Some(moved) = decision.moved {
            let saving = moved.saving;
            return Some((
                "local_search",
                if merged {
                    tr!(
                        "In {into}'s unit by the local search after the merges: {saving:.0} people × km nearer their seats.",
                        "合并之后由局部搜索调入{into}所在单位：居民到驻地的人·公里减少 {saving:.0}。"
                    )
                } else {
                    let from = self.named(moved.from_seat).name;
                    tr!(
                        "Stands alone: the local search took it out of {from}'s unit after the merges, {saving:.0} people × km nearer their seats.",
                        "单独设置：合并之后局部搜索将其移出{from}所在单位，居民到驻地的人·公里减少 {saving:.0}。"
                    )
                },
            ));
        }
        if decision.fate.merged() != merged {
            // The search moved others: a unit into its group, or its partners out.
            return Some((
                "local_search",
                if merged {
                    tr!(
                        "In one unit with {into}: the local search moved a neighbour into its unit after the merges.",
                        "与{into}同属一个单位：合并之后局部搜索将相邻单位调入本单位。"
                    )
                } else {
                    tr!(
                        "Stands alone: the local search moved the units it had merged with into other units.",
                        "单独设置：合并之后局部搜索将与其合并的单位调入其他单位。"
                    )
                },
            ));
        }
        None
    }

    /// Why the greedy merged the unit.
    fn merged_line(&self, decision: &Decision, context: &Context) -> (&'static str, Message) {
        let k = decision.weighed.len();
        let reach = decision
            .weighed
            .iter()
            .find(|w| w.chosen)
            .map_or(0.0, |w| w.reach_km);
        let thresholds = self.thresholds_set(context.terrain);
        let with = decision
            .weighed
            .iter()
            .find(|w| w.chosen)
            .map_or_else(String::new, |w| self.named(w.group_seat).name);
        match decision.fate {
            Fate::Weakest { ratio, step } => {
                let (pct, step) = (ratio * 100.0, step + 1);
                if thresholds {
                    (
                        "below_threshold",
                        tr!(
                            "Merged with {with}: at {pct:.0}% of its thresholds it was the weakest candidate left (step {step}); of {k} neighbour(s), {with} made the most compact unit (farthest member {reach:.1} km from the seat).",
                            "与{with}合并：仅达门槛的 {pct:.0}%，为剩余最弱的候选（第 {step} 步）；在 {k} 个相邻单位中与{with}合并最紧凑（最远成员距驻地 {reach:.1} km）。"
                        ),
                    )
                } else {
                    (
                        "target",
                        tr!(
                            "Merged with {with} to meet the target: its residents were {pct:.0}% of the mean, the fewest left (step {step}); of {k} neighbour(s), {with} made the most compact unit ({reach:.1} km).",
                            "为完成目标与{with}合并：常住人口为平均的 {pct:.0}%，为剩余最少（第 {step} 步）；在 {k} 个相邻单位中与{with}合并最紧凑（{reach:.1} km）。"
                        ),
                    )
                }
            }
            Fate::Chosen { by, step } => {
                let by = self.named(by).name;
                let step = step + 1;
                (
                    "chosen_as_neighbour",
                    tr!(
                        "Merged with {by}: that candidate took it as the most compact of its {k} neighbours (step {step}, farthest member {reach:.1} km).",
                        "与{by}合并：该候选在其 {k} 个相邻单位中选中本单位，合并后最紧凑（第 {step} 步，最远成员 {reach:.1} km）。"
                    ),
                )
            }
            Fate::ByHand => (
                "by_hand",
                tr!(
                    "In a group fixed by hand (see the hand edits).",
                    "属于手动调整固定的组合（见手动调整）。"
                ),
            ),
            Fate::Manual => (
                "scenario_group",
                tr!(
                    "In one of the scenario's own merge groups.",
                    "属于方案指定的合并组合。"
                ),
            ),
            _ => self.kept_line(decision, context),
        }
    }

    /// Why the greedy left the unit alone.
    fn kept_line(&self, decision: &Decision, context: &Context) -> (&'static str, Message) {
        let k = decision.weighed.len();
        match decision.fate {
            Fate::Frozen => self.frozen_line(context),
            Fate::MeetsThresholds => (
                "meets_thresholds",
                tr!(
                    "Not merged: it meets the thresholds, and no target names it.",
                    "未合并：达到门槛，目标也未涉及。"
                ),
            ),
            Fate::QuotaMet => (
                "county_target_met",
                tr!(
                    "Not merged: a candidate, but its county's target was already met.",
                    "未合并：虽是候选，但本县目标已完成。"
                ),
            ),
            Fate::TargetMet { ratio, .. } => {
                let pct = ratio * 100.0;
                (
                    "target_met",
                    tr!(
                        "Not merged: a candidate ({pct:.0}%), but the target was met before its turn.",
                        "未合并：虽是候选（{pct:.0}%），但轮到它之前目标已完成。"
                    ),
                )
            }
            Fate::Blocked { broke, .. } if broke & Constraint::NoNeighbour.bit() != 0 => (
                "blocked",
                tr!(
                    "Not merged: no neighbour it may merge with (the others exempt, locked, fixed, streets kept apart, or in another county).",
                    "未合并：没有可合并的相邻单位（其余为豁免、锁定、已固定、街道单独调整或属他县）。"
                ),
            ),
            Fate::Blocked { broke, .. } => {
                let (en, zh) = (
                    cap_names(broke, crate::Lang::En),
                    cap_names(broke, crate::Lang::Zh),
                );
                (
                    "blocked",
                    Message::new(
                        format!(
                            "Not merged: every merge with its {k} neighbours broke a cap ({en})."
                        ),
                        format!("未合并：与 {k} 个相邻单位的任何合并都超出上限（{zh}）。"),
                    ),
                )
            }
            Fate::Weakest { .. } | Fate::Chosen { .. } | Fate::ByHand | Fate::Manual => {
                self.merged_line(decision, context)
            }
        }
    }

    fn frozen_line(&self, context: &Context) -> (&'static str, Message) {
        if !context.enabled {
            (
                "level_off",
                tr!(
                    "Not merged: this level is not reformed.",
                    "未合并：本级不参与调整。"
                ),
            )
        } else if !context.in_scope {
            (
                "out_of_scope",
                tr!(
                    "Not merged: its county is outside the scenario's scope.",
                    "未合并：所在县不在方案范围内。"
                ),
            )
        } else if context.exempt {
            (
                "exempt_kind",
                tr!(
                    "Not merged: its kind is exempt from the reform.",
                    "未合并：其类型不参与调整。"
                ),
            )
        } else {
            ("locked", tr!("Not merged: locked.", "未合并：已锁定。"))
        }
    }

    fn seat_line(&self, unit: usize, decision: &Decision) -> Message {
        if decision.seat == unit {
            return tr!("It keeps its seat.", "保留驻地。");
        }
        let seat = &self.named(decision.seat).name;
        let (en, zh) = match self.seat_rule() {
            SeatRule::LargestPopulation => ("the largest population", "人口最多"),
            SeatRule::TownFirst => ("towns first, then population", "镇优先"),
            SeatRule::MinDistance => ("the least distance for the residents", "居民到驻地距离最短"),
        };
        tr!(
            "The seat is at {seat}, by the seat rule ({en}) or a seat listed in the scenario.",
            "驻地设在{seat}（驻地规则：{zh}，或方案指定的驻地）。"
        )
    }

    fn weighed_line(&self, w: &Weighed) -> Message {
        let with = self.named(w.group_seat).name;
        let seat = self.named(w.seat).name;
        let (reach, area) = (w.reach_km, w.area_km2);
        let (en, zh) = if w.chosen {
            ("taken", "选中")
        } else if w.broke == 0 {
            ("less compact", "不如所选紧凑")
        } else {
            ("", "")
        };
        if w.broke == 0 {
            tr!(
                "· {with}: seat {seat}, farthest member {reach:.1} km, {area:.0} km² — {en}",
                "· {with}：合并后驻地{seat}，最远成员 {reach:.1} km，{area:.0} km² —— {zh}"
            )
        } else {
            let (cap_en, cap_zh) = (
                cap_names(w.broke, crate::Lang::En),
                cap_names(w.broke, crate::Lang::Zh),
            );
            Message::new(
                format!(
                    "· {with}: seat {seat}, farthest member {reach:.1} km, {area:.0} km² — over the {cap_en}"
                ),
                format!(
                    "· {with}：合并后驻地{seat}，最远成员 {reach:.1} km，{area:.0} km² —— 超出{cap_zh}"
                ),
            )
        }
    }
}

struct Context {
    enabled: bool,
    exempt: bool,
    in_scope: bool,
    terrain: Option<Terrain>,
}

fn ratio_of(fate: Fate) -> Option<f64> {
    match fate {
        Fate::Weakest { ratio, .. }
        | Fate::TargetMet { ratio, .. }
        | Fate::Blocked { ratio, .. } => Some(ratio),
        _ => None,
    }
}

fn step_of(fate: Fate) -> Option<usize> {
    match fate {
        Fate::Weakest { step, .. }
        | Fate::Chosen { step, .. }
        | Fate::TargetMet { step, .. }
        | Fate::Blocked { step, .. } => Some(step),
        _ => None,
    }
}

/// The caps in `bits`, as the scenario file names them.
fn caps(bits: u8) -> Vec<&'static str> {
    Constraint::ALL
        .into_iter()
        .filter(|c| bits & c.bit() != 0)
        .map(Constraint::as_str)
        .collect()
}

fn cap_names(bits: u8, lang: crate::Lang) -> String {
    let sep = if lang == crate::Lang::Zh {
        "、"
    } else {
        " and "
    };
    Constraint::ALL
        .into_iter()
        .filter(|c| bits & c.bit() != 0)
        .map(|c| c.label(lang))
        .collect::<Vec<_>>()
        .join(sep)
}
