//! A scenario resolved against a dataset: its scope as a county mask and its codes as ids,
//! once per run, so the engine reads no strings.
//!
//! Codes in the rules (`locked`, `seats`, `manual`, the scope) must exist: an unknown one is a
//! [`PlanError`] and nothing is computed. A hand edit that names an unknown code is not: it is
//! reported as refused and the rest of the plan computes.

use std::collections::HashMap;

use typed_index_collections::TiVec;

use super::{Edit, EditAction, LevelName, Rules, Scenario, SeatRule};
use super::{EditReport, EditStatus, Refusal};
use crate::lang::Lang;
use crate::model::{CountyId, Level, TownshipId, VillageId};
use crate::prepared::Prepared;

/// A scenario's rules that cannot be applied to this dataset.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("{key}: no unit has code {code}")]
    UnknownCode { key: String, code: String },
    #[error("{key}: {code} is not a city or county of this dataset")]
    UnknownScope { key: String, code: String },
    #[error("{key}: {first} and {second} are in different {container}; merges never cross them")]
    ManualAcross {
        key: String,
        first: String,
        second: String,
        container: &'static str,
    },
    #[error("{key}: {code} is both locked and in a manual merge")]
    LockedInManual { key: String, code: String },
    #[error(
        "{key}: needs distances, and this dataset has no locations (no coordinates or boundaries); remove it or load locations"
    )]
    NeedsLocations { key: String },
    #[error("{key}: {}", .problem.message(.code, *.level).en)]
    Quota {
        key: String,
        code: String,
        level: LevelName,
        problem: super::quota::QuotaProblem,
    },
}

impl PlanError {
    /// The error in `lang`.
    pub fn describe(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            Self::UnknownCode { key, code } => format!("{key}：没有代码为 {code} 的单位"),
            Self::UnknownScope { key, code } => {
                format!("{key}：{code} 不是本数据集中的市或区县")
            }
            Self::ManualAcross {
                key,
                first,
                second,
                container,
            } => format!("{key}：{}", super::across_zh(first, second, container)),
            Self::LockedInManual { key, code } => {
                format!("{key}：{code} 既被锁定又在手动合并中")
            }
            Self::NeedsLocations { key } => format!(
                "{key}：需要距离，而本数据集没有位置（没有坐标或边界）；请删去此项或载入位置"
            ),
            Self::Quota {
                key,
                code,
                level,
                problem,
            } => format!("{key}：{}", problem.message(code, *level).zh),
        }
    }
}

/// A hand edit with its codes resolved to units of level `L`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResolvedEdit<L> {
    Merge(Vec<L>),
    Split(Vec<L>),
    Move { unit: L, to: Vec<L> },
    Seat(L),
    Lock(L),
    Name(L, String),
}

impl<L: Copy> ResolvedEdit<L> {
    pub fn action(&self) -> EditAction {
        match self {
            ResolvedEdit::Merge(_) => EditAction::Merge,
            ResolvedEdit::Split(_) => EditAction::Split,
            ResolvedEdit::Move { .. } => EditAction::Move,
            ResolvedEdit::Seat(_) => EditAction::Seat,
            ResolvedEdit::Lock(_) => EditAction::Lock,
            ResolvedEdit::Name(..) => EditAction::Name,
        }
    }

    /// Every unit the edit names.
    pub fn units(&self) -> Vec<L> {
        match self {
            ResolvedEdit::Merge(units) | ResolvedEdit::Split(units) => units.clone(),
            ResolvedEdit::Move { unit, to } => std::iter::once(*unit).chain(to.clone()).collect(),
            ResolvedEdit::Seat(unit) | ResolvedEdit::Lock(unit) | ResolvedEdit::Name(unit, _) => {
                vec![*unit]
            }
        }
    }
}

/// What one level's rules and edits name, as ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LevelInput<L> {
    pub locked: Vec<L>,
    pub seats: Vec<L>,
    pub manual: Vec<Vec<L>>,
    /// The level's edits whose codes all exist, with their position in the edit list.
    pub edits: Vec<(usize, ResolvedEdit<L>)>,
}

/// A scenario resolved against a dataset.
#[derive(Debug, Clone)]
pub struct Resolved<'s> {
    pub scenario: &'s Scenario,
    /// Whether each county is in the scenario's scope.
    pub in_scope: TiVec<CountyId, bool>,
    pub townships: LevelInput<TownshipId>,
    pub villages: LevelInput<VillageId>,
    /// Edits that name a code the dataset does not have, already reported as refused.
    pub unknown_edits: Vec<EditReport>,
}

/// Resolves `scenario`'s scope and codes against the workspace's dataset.
pub fn resolve<'s>(scenario: &'s Scenario, ws: &Prepared) -> Result<Resolved<'s>, PlanError> {
    if !ws.dataset().has_locations() {
        check_without_distances(&scenario.townships, "townships")?;
        check_without_distances(&scenario.villages, "villages")?;
    }
    let in_scope = scope_mask(scenario, ws)?;
    check_quotas(scenario, ws)?;
    let mut unknown_edits = Vec::new();
    let townships = resolve_level(
        &scenario.townships,
        &scenario.edits,
        LevelName::Townships,
        |code| ws.township_by_code(code),
        &mut unknown_edits,
    )?;
    // Villages: only build the village code index if some code names a village.
    let names_villages = !(scenario.villages.locked.is_empty()
        && scenario.villages.seats.is_empty()
        && scenario.villages.manual.is_empty()
        && scenario
            .edits
            .iter()
            .all(|e| e.level != LevelName::Villages));
    let villages = if names_villages {
        resolve_level(
            &scenario.villages,
            &scenario.edits,
            LevelName::Villages,
            |code| ws.village_by_code(code),
            &mut unknown_edits,
        )?
    } else {
        LevelInput {
            locked: Vec::new(),
            seats: Vec::new(),
            manual: Vec::new(),
            edits: Vec::new(),
        }
    };
    unknown_edits.sort_by_key(|e| e.position);
    // Manual township groups stay inside a county.
    for (g, group) in townships.manual.iter().enumerate() {
        let county = |t: TownshipId| ws.dataset().townships[t].county;
        if let Some(&other) = group.iter().find(|&&t| county(t) != county(group[0])) {
            let code = |t: TownshipId| ws.dataset().townships[t].code.clone();
            return Err(PlanError::ManualAcross {
                key: format!("townships.manual[{g}]"),
                first: code(group[0]),
                second: code(other),
                container: "counties",
            });
        }
    }
    Ok(Resolved {
        scenario,
        in_scope,
        townships,
        villages,
        unknown_edits,
    })
}

/// A dataset without locations has no distances: a seat rule that needs them is refused by
/// name rather than run as if every unit stood at one spot. (Distance caps are left out of
/// such runs: see [`Scenario::without_distance_caps`].)
fn check_without_distances<K>(rules: &Rules<K>, level: &str) -> Result<(), PlanError> {
    if rules.enabled && rules.seat_rule == SeatRule::MinDistance {
        return Err(PlanError::NeedsLocations {
            key: format!("{level}.seat_rule = min_distance"),
        });
    }
    Ok(())
}

/// Each quota names a province, city or county of the dataset and leaves no more units than
/// it has.
fn check_quotas(scenario: &Scenario, ws: &Prepared) -> Result<(), PlanError> {
    let quotas = [
        (LevelName::Townships, &scenario.townships.quotas),
        (LevelName::Villages, &scenario.villages.quotas),
    ];
    if quotas.iter().all(|(_, q)| q.is_empty()) {
        return Ok(());
    }
    let units = super::quota::RegionUnits::new(ws.dataset());
    for (level, quotas) in quotas {
        for (code, &quota) in quotas {
            if let Some(problem) = units.problem(code, quota, level) {
                return Err(PlanError::Quota {
                    key: format!("{}.quotas.{code}", level.as_str()),
                    code: code.clone(),
                    level,
                    problem,
                });
            }
        }
    }
    Ok(())
}

fn scope_mask(scenario: &Scenario, ws: &Prepared) -> Result<TiVec<CountyId, bool>, PlanError> {
    let scope = &scenario.scope;
    let counties = &ws.dataset().counties;
    if scope.is_whole() {
        return Ok(vec![true; counties.len()].into());
    }
    for city in &scope.cities {
        if !counties.iter().any(|c| &c.city_code == city) {
            return Err(PlanError::UnknownScope {
                key: "scope.cities".into(),
                code: city.clone(),
            });
        }
    }
    for county in &scope.counties {
        if !counties.iter().any(|c| &c.code == county) {
            return Err(PlanError::UnknownScope {
                key: "scope.counties".into(),
                code: county.clone(),
            });
        }
    }
    Ok(counties.iter().map(|c| scope.contains(c)).collect())
}

fn resolve_level<K, L: Level>(
    rules: &Rules<K>,
    edits: &[Edit],
    level: LevelName,
    lookup: impl Fn(&str) -> Option<L>,
    unknown_edits: &mut Vec<EditReport>,
) -> Result<LevelInput<L>, PlanError> {
    let name = level.as_str();
    let codes = |key: String, codes: &[String]| -> Result<Vec<L>, PlanError> {
        codes
            .iter()
            .map(|code| {
                lookup(code).ok_or_else(|| PlanError::UnknownCode {
                    key: key.clone(),
                    code: code.clone(),
                })
            })
            .collect()
    };
    let locked = codes(format!("{name}.locked"), &rules.locked)?;
    let seats = codes(format!("{name}.seats"), &rules.seats)?;
    let mut manual = Vec::with_capacity(rules.manual.len());
    let mut index: HashMap<L, usize> = HashMap::new();
    for (i, &l) in locked.iter().enumerate() {
        index.insert(l, i);
    }
    for (g, group) in rules.manual.iter().enumerate() {
        let key = format!("{name}.manual[{g}]");
        let members = codes(key.clone(), group)?;
        if let Some((code, _)) = group
            .iter()
            .zip(&members)
            .find(|(_, m)| index.contains_key(m))
        {
            return Err(PlanError::LockedInManual {
                key,
                code: code.clone(),
            });
        }
        manual.push(members);
    }
    let mut resolved = Vec::new();
    for (position, edit) in edits.iter().enumerate().filter(|(_, e)| e.level == level) {
        let all = edit.codes.iter().chain(&edit.to);
        let unknown: Vec<&String> = all.clone().filter(|c| lookup(c).is_none()).collect();
        if let Some(code) = unknown.first() {
            unknown_edits.push(EditReport {
                position,
                level: name,
                action: edit.action,
                status: EditStatus::Refused(Refusal::UnknownCode((*code).clone())),
            });
            continue;
        }
        let ids = |codes: &[String]| -> Vec<L> { codes.iter().filter_map(|c| lookup(c)).collect() };
        let units = ids(&edit.codes);
        let Some(&first) = units.first() else {
            continue;
        };
        let edit = match edit.action {
            EditAction::Merge => ResolvedEdit::Merge(units),
            EditAction::Split => ResolvedEdit::Split(units),
            EditAction::Move => ResolvedEdit::Move {
                unit: first,
                to: ids(&edit.to),
            },
            EditAction::Seat => ResolvedEdit::Seat(first),
            EditAction::Lock => ResolvedEdit::Lock(first),
            EditAction::Name => ResolvedEdit::Name(first, edit.name.clone().unwrap_or_default()),
        };
        resolved.push((position, edit));
    }
    Ok(LevelInput {
        locked,
        seats,
        manual,
        edits: resolved,
    })
}
