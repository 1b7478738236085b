//! The merge engine: applies a [`Scenario`] to a dataset and produces a [`MergePlan`].
//!
//! # Algorithm
//!
//! Townships first, within each county; then villages, within each *new* township.
//! For each level the engine runs a deterministic greedy agglomeration:
//!
//! 1. **Manual merges** from the scenario are applied first, as given.
//! 2. **Candidates** are the units (or merged groups) below any of the thresholds for their
//!    terrain class (`min_area_km2`, `min_registered_pop`, `min_resident_pop`), ranked by how
//!    far below they are: the *shortfall ratio*, the smallest of area/threshold and
//!    population/threshold. With a target and no thresholds every unit is a candidate,
//!    ranked by resident population relative to the mean: small and sparse units go first.
//!    Exempt kinds, locked codes and units outside the scope are never candidates nor
//!    absorbers.
//! 3. A priority queue pops the weakest candidate and merges it into the **neighbouring group**
//!    (adjacent in the adjacency graph, same county or new township, same class when streets
//!    are separate) that keeps the merged group most compact: the smallest maximum distance
//!    from any member to the surviving seat. A merge must respect the caps (`max_area_km2`,
//!    `max_seat_distance_km`) of the merged seat's terrain class. The merged group goes back
//!    into the queue if it is still a candidate.
//! 4. It stops when the target reduction is met (province-wide, or county by county) or no
//!    candidate is left. A candidate with no feasible neighbour is **blocked**, and counted
//!    under each constraint that blocked it, so the app can say why a target was missed.
//!
//! Every merged group is contiguous, because units only ever merge with adjacent groups. Ties
//! are broken by unit order, so the same inputs always give the same plan.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap};

use serde::Serialize;
use typed_index_collections::TiVec;

use crate::adjacency::{self, Adjacency};
use crate::geodesy::SpherePoint;
use crate::model::{
    CountyId, Dataset, Level, NewId, Terrain, TownshipId, TownshipKind, VillageId, VillageKind,
};
use crate::progress::Step;
use crate::scenario::{Limits, Rules, Scenario, SeatRule, TargetPer};
use crate::summary::{DatasetSummary, TownshipFigures, VillageFigures};

/// What a dataset needs for any number of scenario runs, computed once.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// Terrain class of each township (data, else DEM, else none).
    pub terrain: TiVec<TownshipId, Option<Terrain>>,
    /// Township neighbours, within counties.
    pub township_adjacency: Adjacency<TownshipId>,
    /// Village neighbours within counties, so villages of townships that merge can merge
    /// across the former township line.
    pub village_adjacency: Adjacency<VillageId>,
}

impl Prepared {
    pub fn new(dataset: &Dataset) -> Self {
        let Ok(prepared) = Self::build(dataset, |_| Ok::<(), std::convert::Infallible>(()));
        prepared
    }

    /// Computes everything, calling `at` before each step (for progress; an error from it
    /// stops the work).
    pub fn build<E>(
        dataset: &Dataset,
        mut at: impl FnMut(Step) -> Result<(), E>,
    ) -> Result<Self, E> {
        at(Step::Adjacency)?;
        let (township_adjacency, _) =
            adjacency::township_adjacency(dataset, adjacency::DEFAULT_TOLERANCE_DEG);
        at(Step::Adjacency)?;
        let village_adjacency = adjacency::village_adjacency_within_counties(dataset);
        at(Step::Terrain)?;
        Ok(Self {
            terrain: crate::terrain::township_terrain(dataset),
            township_adjacency,
            village_adjacency,
        })
    }
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
}

/// A unit after the reform: its surviving seat and its former units, at level `L`
/// ([`TownshipId`] or [`VillageId`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUnit<L> {
    /// The former unit whose seat survives (its code and name are the new unit's).
    pub seat: L,
    /// Former units, sorted; a unit that did not merge is its own only member.
    pub members: Vec<L>,
}

/// How a level's run went.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Regular units in scope before the reform (the base of the target).
    pub units_in_scope: usize,
    /// Merges the target asked for, if there is a target.
    pub target_merges: Option<usize>,
    /// Merges made, manual ones included.
    pub merges: usize,
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
    /// The new unit a former unit belongs to.
    pub fn unit_of(&self, former: L) -> &NewUnit<L> {
        &self.units[self.new_of[former]]
    }

    /// The surviving seat of a former unit's new unit.
    pub fn seat_of(&self, former: L) -> L {
        self.unit_of(former).seat
    }
}

/// Who merged into whom, for townships and villages.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MergePlan {
    pub townships: Stage<TownshipId>,
    pub villages: Stage<VillageId>,
}

/// A scenario that cannot be applied to this dataset.
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
}

impl PlanError {
    /// The error in `lang`.
    pub fn describe(&self, lang: crate::lang::Lang) -> String {
        if lang == crate::lang::Lang::En {
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
            } => {
                let container = if *container == "counties" {
                    "区县"
                } else {
                    "新乡镇"
                };
                format!("{key}：{first} 和 {second} 属于不同{container}；合并不能跨越{container}")
            }
            Self::LockedInManual { key, code } => {
                format!("{key}：{code} 既被锁定又在手动合并中")
            }
        }
    }
}

/// One unit as the engine sees it, whatever its level.
#[derive(Debug, Clone)]
struct Unit {
    sphere: SpherePoint,
    area: f64,
    registered: f64,
    resident: f64,
    /// County (townships) or new township (villages): merges stay inside it.
    partition: usize,
    /// Units merge only within a class (streets apart when `separate_streets`).
    class: u8,
    /// For the town-first seat rule: lower ranks win.
    seat_rank: u8,
    /// Never merged by the rules: exempt kind, locked, or out of scope.
    frozen: bool,
    /// Counted in the target base (regular kinds).
    regular: bool,
    terrain: Option<Terrain>,
    /// Listed in the scenario's `seats`.
    listed_seat: bool,
    /// The people this unit's seat serves, as a range of [`Demand::points`]: its villages
    /// (townships) or itself (villages). The distance seat rule minimises their distance.
    demand: std::ops::Range<usize>,
}

/// Where the people are: points with their resident population.
struct Demand {
    points: Vec<(SpherePoint, f64)>,
}

/// Applies a scenario to a dataset.
pub fn apply(
    dataset: &Dataset,
    prepared: &Prepared,
    scenario: &Scenario,
) -> Result<MergePlan, PlanError> {
    let in_scope = scope_mask(dataset, scenario)?;
    let townships = township_stage(dataset, prepared, &scenario.townships, &in_scope)?;
    let villages = village_stage(dataset, prepared, &scenario.villages, &in_scope, &townships)?;
    Ok(MergePlan {
        townships,
        villages,
    })
}

fn scope_mask(dataset: &Dataset, scenario: &Scenario) -> Result<Vec<bool>, PlanError> {
    let scope = &scenario.scope;
    if scope.is_whole() {
        return Ok(vec![true; dataset.counties.len()]);
    }
    for city in &scope.cities {
        if !dataset.counties.iter().any(|c| &c.city_code == city) {
            return Err(PlanError::UnknownScope {
                key: "scope.cities".into(),
                code: city.clone(),
            });
        }
    }
    for county in &scope.counties {
        if !dataset.counties.iter().any(|c| &c.code == county) {
            return Err(PlanError::UnknownScope {
                key: "scope.counties".into(),
                code: county.clone(),
            });
        }
    }
    Ok(dataset
        .counties
        .iter()
        .map(|c| scope.cities.contains(&c.city_code) || scope.counties.contains(&c.code))
        .collect())
}

/// Resolves scenario codes to unit indices.
fn resolve<'a>(
    index: &HashMap<&str, usize>,
    key: &str,
    codes: impl IntoIterator<Item = &'a String>,
) -> Result<Vec<usize>, PlanError> {
    codes
        .into_iter()
        .map(|code| {
            index
                .get(code.as_str())
                .copied()
                .ok_or_else(|| PlanError::UnknownCode {
                    key: key.to_string(),
                    code: code.clone(),
                })
        })
        .collect()
}

fn township_stage(
    dataset: &Dataset,
    prepared: &Prepared,
    rules: &Rules,
    in_scope: &[bool],
) -> Result<Stage<TownshipId>, PlanError> {
    let exempt = rules.exempt_township_kinds();
    let mut units: Vec<Unit> = dataset
        .townships
        .iter_enumerated()
        .map(|(i, t)| Unit {
            sphere: SpherePoint::new(t.seat),
            area: t.area_km2,
            registered: t.registered_pop,
            resident: t.resident_pop,
            partition: t.county.index(),
            class: u8::from(rules.separate_streets && t.kind == TownshipKind::Street),
            seat_rank: match t.kind {
                TownshipKind::Street => 0,
                TownshipKind::Town => 1,
                TownshipKind::Township => 2,
                TownshipKind::EthnicTownship => 3,
                TownshipKind::Special => 4,
            },
            frozen: !rules.enabled || !in_scope[t.county.index()] || exempt.contains(&t.kind),
            regular: t.kind.is_regular() && in_scope[t.county.index()],
            terrain: prepared.terrain[i],
            listed_seat: false,
            demand: 0..0,
        })
        .collect();
    // Each township's people are its villages (or, without villages, its own seat).
    let mut demand = Demand { points: Vec::new() };
    // Only the distance seat rule reads demand; skip building it otherwise.
    let by_township = if rules.seat_rule == SeatRule::MinDistance {
        dataset.villages_by_township()
    } else {
        TiVec::new()
    };
    for (i, villages) in by_township.iter().enumerate() {
        let start = demand.points.len();
        if villages.is_empty() {
            demand.points.push((units[i].sphere, units[i].resident));
        }
        for &v in villages {
            let v = &dataset.villages[v];
            demand
                .points
                .push((SpherePoint::new(v.centre), v.resident_pop));
        }
        units[i].demand = start..demand.points.len();
    }
    let codes: Vec<&str> = dataset.townships.iter().map(|t| t.code.as_str()).collect();
    run_level(
        "townships",
        "counties",
        &codes,
        units,
        &demand,
        rules,
        &prepared.township_adjacency,
    )
}

fn village_stage(
    dataset: &Dataset,
    prepared: &Prepared,
    rules: &Rules,
    in_scope: &[bool],
    townships: &Stage<TownshipId>,
) -> Result<Stage<VillageId>, PlanError> {
    let exempt = rules.exempt_village_kinds();
    let mut units: Vec<Unit> = dataset
        .villages
        .iter()
        .map(|v| {
            let county = dataset.townships[v.township].county.index();
            Unit {
                sphere: SpherePoint::new(v.centre),
                area: v.area_km2,
                registered: v.registered_pop.unwrap_or(0.0),
                resident: v.resident_pop,
                partition: townships.new_of[v.township].index(),
                class: 0,
                seat_rank: match v.kind {
                    VillageKind::Community => 0,
                    VillageKind::Village => 1,
                    VillageKind::Special => 2,
                },
                frozen: !rules.enabled || !in_scope[county] || exempt.contains(&v.kind),
                regular: v.kind == VillageKind::Village && in_scope[county],
                terrain: prepared.terrain[v.township],
                listed_seat: false,
                demand: 0..0,
            }
        })
        .collect();
    let demand = Demand {
        points: units.iter().map(|u| (u.sphere, u.resident)).collect(),
    };
    for (i, u) in units.iter_mut().enumerate() {
        u.demand = i..i + 1;
    }
    let codes: Vec<&str> = dataset.villages.iter().map(|v| v.code.as_str()).collect();
    run_level(
        "villages",
        "new townships",
        &codes,
        units,
        &demand,
        rules,
        &prepared.village_adjacency,
    )
}

/// What both levels share once their units are built: the scenario's codes resolved (locked
/// units frozen, listed seats marked, manual groups checked), then the agglomeration.
fn run_level<L: Level>(
    level: &str,
    container: &'static str,
    codes: &[&str],
    mut units: Vec<Unit>,
    demand: &Demand,
    rules: &Rules,
    adjacency: &Adjacency<L>,
) -> Result<Stage<L>, PlanError> {
    let index: HashMap<&str, usize> = if mentions_codes(rules) {
        codes.iter().enumerate().map(|(i, c)| (*c, i)).collect()
    } else {
        HashMap::new()
    };
    let locked = resolve(&index, &format!("{level}.locked"), &rules.locked)?;
    for &i in &locked {
        units[i].frozen = true;
    }
    for i in resolve(&index, &format!("{level}.seats"), &rules.seats)? {
        units[i].listed_seat = true;
    }
    let manual = resolve_manual(
        &index,
        &format!("{level}.manual"),
        &rules.manual,
        &units,
        &locked,
        container,
        |i| codes[i].to_string(),
    )?;
    Ok(merge_level(
        &units,
        demand,
        |i| adjacency.neighbour_indices(i),
        rules,
        &manual,
    ))
}

/// Whether the rules name any unit by code (building a code index costs a few ms for
/// villages, so runs without codes skip it).
fn mentions_codes(rules: &Rules) -> bool {
    !(rules.locked.is_empty() && rules.seats.is_empty() && rules.manual.is_empty())
}

fn resolve_manual(
    index: &HashMap<&str, usize>,
    key: &str,
    groups: &[Vec<String>],
    units: &[Unit],
    locked: &[usize],
    container: &'static str,
    code_of: impl Fn(usize) -> String,
) -> Result<Vec<Vec<usize>>, PlanError> {
    let mut out = Vec::with_capacity(groups.len());
    for (g, codes) in groups.iter().enumerate() {
        let key = format!("{key}[{g}]");
        let members = resolve(index, &key, codes)?;
        for &m in &members {
            if locked.contains(&m) {
                return Err(PlanError::LockedInManual {
                    key,
                    code: code_of(m),
                });
            }
            if units[m].partition != units[members[0]].partition {
                return Err(PlanError::ManualAcross {
                    key,
                    first: code_of(members[0]),
                    second: code_of(m),
                    container,
                });
            }
        }
        out.push(members);
    }
    Ok(out)
}

/// Groups of units during a run. Members are kept in intrusive circular lists (`next`), so
/// a merge splices two lists in O(1) and no unit needs an allocation of its own.
struct Groups {
    /// The group each unit belongs to (a group's id is the index of one of its units).
    group_of: Vec<usize>,
    /// Next member in the unit's group (circular).
    next: Vec<usize>,
    /// Per group id; `None` once merged into another.
    groups: Vec<Option<Group>>,
}

#[derive(Debug, Clone, Copy)]
struct Group {
    size: usize,
    area: f64,
    registered: f64,
    resident: f64,
    seat: usize,
    version: u32,
}

impl Groups {
    fn new(units: &[Unit]) -> Self {
        Self {
            group_of: (0..units.len()).collect(),
            next: (0..units.len()).collect(),
            groups: units
                .iter()
                .enumerate()
                .map(|(i, u)| {
                    Some(Group {
                        size: 1,
                        area: u.area,
                        registered: u.registered,
                        resident: u.resident,
                        seat: i,
                        version: 0,
                    })
                })
                .collect(),
        }
    }

    fn get(&self, id: usize) -> Option<&Group> {
        self.groups[id].as_ref()
    }

    /// The members of group `id` (its id is one of them).
    fn members(&self, id: usize) -> impl Iterator<Item = usize> + '_ {
        let size = self.groups[id].map_or(0, |g| g.size);
        std::iter::successors(Some(id), move |&m| Some(self.next[m])).take(size)
    }

    /// Merges group `gone` into group `keep`, with `seat` as the surviving seat.
    fn join(&mut self, keep: usize, gone: usize, seat: usize) {
        let (Some(absorbed), Some(_)) = (self.groups[gone].take(), self.groups[keep]) else {
            return;
        };
        let mut m = gone;
        for _ in 0..absorbed.size {
            self.group_of[m] = keep;
            m = self.next[m];
        }
        // Swapping one successor of each cycle splices the two cycles into one.
        self.next.swap(keep, gone);
        if let Some(g) = self.groups[keep].as_mut() {
            g.size += absorbed.size;
            g.area += absorbed.area;
            g.registered += absorbed.registered;
            g.resident += absorbed.resident;
            g.seat = seat;
            g.version += 1;
        }
    }
}

/// The greedy agglomeration of one level (see the module documentation).
fn merge_level<'a, L: Level>(
    units: &[Unit],
    demand: &Demand,
    neighbours: impl Fn(usize) -> &'a [u32],
    rules: &Rules,
    manual: &[Vec<usize>],
) -> Stage<L> {
    let n = units.len();
    let mut state = Groups::new(units);

    // Targets, province-wide or by partition.
    let units_in_scope = units.iter().filter(|u| u.regular).count();
    let partitions = units.iter().map(|u| u.partition + 1).max().unwrap_or(0);
    let target_merges = rules
        .target_reduction_pct
        .map(|pct| (units_in_scope as f64 * pct / 100.0).round() as usize);
    let mut quota: Vec<usize> = vec![0; partitions];
    if let (Some(pct), TargetPer::County) = (rules.target_reduction_pct, rules.target_per) {
        let mut base = vec![0usize; partitions];
        for u in units.iter().filter(|u| u.regular) {
            base[u.partition] += 1;
        }
        quota = base
            .iter()
            .map(|&b| (b as f64 * pct / 100.0).round() as usize)
            .collect();
    }
    let mut merges_in: Vec<usize> = vec![0; partitions];
    let mut outcome = Outcome {
        units_in_scope,
        target_merges: match rules.target_per {
            TargetPer::Province => target_merges,
            TargetPer::County => rules.target_reduction_pct.map(|_| quota.iter().sum()),
        },
        ..Outcome::default()
    };
    let mut buffer: Vec<usize> = Vec::new();

    // 1. Manual merges, as given.
    for members in manual {
        for &m in &members[1..] {
            let (a, b) = (state.group_of[members[0]], state.group_of[m]);
            if a == b {
                continue;
            }
            buffer.clear();
            buffer.extend(state.members(a).chain(state.members(b)));
            let seat = choose_seat(units, demand, &buffer, rules.seat_rule);
            state.join(a.min(b), a.max(b), seat);
            outcome.merges += 1;
            outcome.manual_merges += 1;
            merges_in[units[m].partition] += 1;
        }
    }

    // 2. Candidates, weakest first.
    let (eligible, eligible_resident) = units
        .iter()
        .filter(|u| !u.frozen)
        .fold((0usize, 0.0), |(n, r), u| (n + 1, r + u.resident));
    let mean_resident = if eligible == 0 {
        1.0
    } else {
        eligible_resident / eligible as f64
    };
    let has_target = rules.target_reduction_pct.is_some();
    let shortfall = |g: &Group| -> Option<f64> {
        let limits = rules.limits_for(units[g.seat].terrain);
        match shortfall_ratio(g, &limits) {
            Some(r) if r < 1.0 => Some(r),
            Some(_) => None,
            None if has_target => Some(g.resident / mean_resident.max(1e-9)),
            None => None,
        }
    };
    let key =
        |ratio: f64, id: usize, version: u32| Reverse((ratio.max(0.0).to_bits(), id, version));
    let mut heap: BinaryHeap<Reverse<(u64, usize, u32)>> = BinaryHeap::new();
    for (id, unit) in units.iter().enumerate() {
        let Some(g) = state.get(id) else { continue };
        if g.size == 1 && unit.frozen {
            continue;
        }
        if let Some(r) = shortfall(g) {
            heap.push(key(r, id, g.version));
        }
    }
    let province_target = match rules.target_per {
        TargetPer::Province => target_merges,
        TargetPer::County => None,
    };
    let mut candidates: Vec<usize> = Vec::new();
    let mut reasons: Vec<Constraint> = Vec::new();
    while let Some(Reverse((_, id, version))) = heap.pop() {
        if province_target.is_some_and(|t| outcome.merges >= t) {
            break;
        }
        let Some(&g) = state.get(id) else { continue };
        if g.version != version {
            continue;
        }
        let partition = units[g.seat].partition;
        if rules.target_per == TargetPer::County
            && has_target
            && merges_in[partition] >= quota[partition]
        {
            continue;
        }
        // Neighbouring groups it may merge with.
        let class = units[g.seat].class;
        candidates.clear();
        candidates.extend(
            state
                .members(id)
                .flat_map(|m| neighbours(m).iter().map(|&u| u as usize))
                .filter(|&u| {
                    !units[u].frozen && units[u].class == class && units[u].partition == partition
                })
                .map(|u| state.group_of[u])
                .filter(|&h| h != id),
        );
        candidates.sort_unstable();
        candidates.dedup();
        if candidates.is_empty() {
            *outcome.blocked.entry(Constraint::NoNeighbour).or_default() += 1;
            continue;
        }
        let mut best: Option<(f64, usize, usize)> = None;
        reasons.clear();
        for &h in &candidates {
            let Some(&other) = state.get(h) else { continue };
            let seat = match rules.seat_rule {
                SeatRule::MinDistance => {
                    buffer.clear();
                    buffer.extend(state.members(id).chain(state.members(h)));
                    choose_seat(units, demand, &buffer, rules.seat_rule)
                }
                // The best of the union is the better of the two seats (a listed seat is
                // already its group's seat).
                rule => choose_seat(units, demand, &[g.seat, other.seat], rule),
            };
            let limits = rules.limits_for(units[seat].terrain);
            let area = g.area + other.area;
            let seat_point = units[seat].sphere;
            let reach = state
                .members(id)
                .chain(state.members(h))
                .map(|m| units[m].sphere.distance_km(&seat_point))
                .fold(0.0, f64::max);
            let mut ok = true;
            if limits.max_area_km2.is_some_and(|cap| area > cap) {
                reasons.push(Constraint::MaxArea);
                ok = false;
            }
            if limits.max_seat_distance_km.is_some_and(|cap| reach > cap) {
                reasons.push(Constraint::MaxSeatDistance);
                ok = false;
            }
            if ok && best.is_none_or(|(r, _, s)| reach < r || (reach == r && seat < s)) {
                best = Some((reach, h, seat));
            }
        }
        let Some((_, h, seat)) = best else {
            reasons.sort_unstable();
            reasons.dedup();
            for &r in &reasons {
                *outcome.blocked.entry(r).or_default() += 1;
            }
            continue;
        };
        let keep = id.min(h);
        state.join(keep, id.max(h), seat);
        outcome.merges += 1;
        merges_in[partition] += 1;
        if let Some(merged) = state.get(keep)
            && let Some(r) = shortfall(merged)
        {
            heap.push(key(r, keep, merged.version));
        }
    }

    // 3. Lineage: new units in order of their first former unit.
    let mut new_index: Vec<usize> = vec![usize::MAX; n];
    let mut new_units: TiVec<NewId<L>, NewUnit<L>> = TiVec::new();
    let mut new_of: TiVec<L, NewId<L>> = TiVec::with_capacity(n);
    for (i, &g) in state.group_of.iter().enumerate() {
        if new_index[g] == usize::MAX {
            new_index[g] = new_units.len();
            let seat = state.get(g).map_or(i, |g| g.seat);
            new_units.push(NewUnit {
                seat: L::from(seat),
                members: Vec::new(),
            });
        }
        let k = NewId::from(new_index[g]);
        new_of.push(k);
        new_units[k].members.push(L::from(i));
    }
    Stage {
        units: new_units,
        new_of,
        outcome,
    }
}

/// The smallest of area/threshold and population/threshold over the thresholds set; `None`
/// if no threshold is set.
fn shortfall_ratio(g: &Group, limits: &Limits) -> Option<f64> {
    [
        limits.min_area_km2.map(|t| g.area / t),
        limits.min_registered_pop.map(|t| g.registered / t),
        limits.min_resident_pop.map(|t| g.resident / t),
    ]
    .into_iter()
    .flatten()
    .map(|r| if r.is_finite() { r } else { f64::MAX })
    .reduce(f64::min)
}

/// The surviving seat of a group under a seat rule; a listed seat always wins.
fn choose_seat(units: &[Unit], demand: &Demand, members: &[usize], rule: SeatRule) -> usize {
    let listed = members
        .iter()
        .copied()
        .filter(|&m| units[m].listed_seat)
        .min();
    if let Some(seat) = listed {
        return seat;
    }
    match rule {
        SeatRule::LargestPopulation => *members
            .iter()
            .max_by(|&&a, &&b| {
                units[a]
                    .resident
                    .total_cmp(&units[b].resident)
                    .then(b.cmp(&a))
            })
            .expect("a group has members"),
        SeatRule::TownFirst => *members
            .iter()
            .max_by(|&&a, &&b| {
                units[b]
                    .seat_rank
                    .cmp(&units[a].seat_rank)
                    .then(units[a].resident.total_cmp(&units[b].resident))
                    .then(b.cmp(&a))
            })
            .expect("a group has members"),
        SeatRule::MinDistance => min_distance_seat(members, |s| {
            let seat = units[s].sphere;
            members
                .iter()
                .flat_map(|&m| &demand.points[units[m].demand.clone()])
                .map(|(p, people)| people * p.distance_km(&seat))
                .sum()
        }),
    }
}

/// The candidate with the smallest cost (a 1-median when the cost is the population-weighted
/// distance of the group's people to the candidate), by brute force: groups are small.
/// Ties go to the lowest index.
pub fn min_distance_seat(candidates: &[usize], cost: impl Fn(usize) -> f64) -> usize {
    let mut best = (f64::INFINITY, usize::MAX);
    for &s in candidates {
        let c = cost(s);
        if c < best.0 || (c == best.0 && s < best.1) {
            best = (c, s);
        }
    }
    best.1
}

/// Statistics of the plan's new units, province-wide and per county.
pub fn after_summary(dataset: &Dataset, plan: &MergePlan) -> DatasetSummary {
    let township_figures: Vec<(CountyId, TownshipFigures)> = plan
        .townships
        .units
        .iter()
        .map(|u| {
            let seat = &dataset.townships[u.seat];
            let sum = |f: fn(&crate::model::Township) -> f64| {
                u.members
                    .iter()
                    .map(|&m| f(&dataset.townships[m]))
                    .sum::<f64>()
            };
            (
                seat.county,
                TownshipFigures {
                    kind: seat.kind,
                    area_km2: sum(|t| t.area_km2),
                    registered_pop: sum(|t| t.registered_pop),
                    resident_pop: sum(|t| t.resident_pop),
                },
            )
        })
        .collect();
    let village_figures: Vec<(CountyId, VillageFigures)> = plan
        .villages
        .units
        .iter()
        .map(|u| {
            let seat = &dataset.villages[u.seat];
            let members = || u.members.iter().map(|&m| &dataset.villages[m]);
            (
                dataset.county_of_village(u.seat),
                VillageFigures {
                    kind: seat.kind,
                    area_km2: members().map(|v| v.area_km2).sum(),
                    resident_pop: members().map(|v| v.resident_pop).sum(),
                    registered_pop: members().map(|v| v.registered_pop).sum(),
                },
            )
        })
        .collect();
    DatasetSummary::from_units(dataset, township_figures, village_figures)
}
