//! The merge engine: applies a resolved scenario to a workspace's dataset and produces a
//! [`MergePlan`].
//!
//! # Algorithm
//!
//! Townships first, within each county; then villages, within each *new* township.
//! For each level the engine runs a deterministic greedy agglomeration:
//!
//! 1. **Hand edits** are applied in order as hard constraints (see `engine/hand.rs`): the groups they fix
//!    are formed and the rules leave them alone; then the scenario's **manual merges**.
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
//! 5. For townships, a **local search** (`refine.rs`) then moves units on the edge of a group
//!    to a neighbouring group while that lowers the residents × km from villages to their
//!    seats, under the same constraints. On the demo it halves the worst county's gap to the
//!    exact optimum (`jianzhi optimum`, see README.md).
//!
//! Every merged group is contiguous, because units only ever merge with adjacent groups. Ties
//! are broken by unit order, so the same inputs always give the same plan. Two seats listed by
//! the scenario or by hand, or two names given by hand, never end in one group.
//!
//! # Partitions, in parallel and kept
//!
//! Merges never cross a county (townships) or a new township (villages), so each partition
//! runs on its own queue, in parallel, and records what it took from it (`partition.rs`).
//! Restricted to one partition, a province-wide queue would pop exactly that partition's own
//! minimum, so taking the recorded events of all partitions in the order of their keys is the
//! province-wide run: a province-wide target is a cheap global step that decides how many of
//! each partition's events hold (`agglomerate.rs`). A plan keeps its partition runs
//! ([`Reuse`]); the next plan of the same rules takes over every partition whose input is
//! the same, so a hand edit runs its own county again and a moved province-wide target runs
//! no county again, with the same result as a run from scratch.

mod agglomerate;
pub mod explain;
mod hand;
mod partition;
mod refine;
mod seat;

pub use seat::min_distance_seat;

use std::collections::HashMap;
use std::sync::Arc;

use rayon::prelude::*;
use typed_index_collections::TiVec;

use crate::adjacency::Adjacency;
use crate::geodesy::SpherePoint;
use crate::model::{
    CountyId, Dataset, Level, Terrain, TownshipId, TownshipKind, VillageId, VillageKind,
};
use crate::plan::{EditReport, MergePlan, Stage};
use crate::prepared::{DatasetId, Prepared};
use crate::scenario::quota::Quota;
use crate::scenario::{LevelInput, PlanError, Resolved, Rules, SeatRule, TargetPer};
use crate::summary::{DatasetSummary, TownshipFigures, UnitFigures, VillageFigures};

/// The figures of each county's new units, kept for the next analysis.
pub(crate) type CountyFigures = TiVec<CountyId, Arc<UnitFigures>>;

/// Where the people of each level are, for the seats chosen by distance and the local
/// search: computed once per prepared dataset.
#[derive(Debug, Clone)]
pub struct Demands {
    township_demand: Demand,
    village_demand: Demand,
}

impl Demands {
    pub fn new(prepared: &Prepared) -> Self {
        let dataset = prepared.dataset();
        let township_demand = Demand::of_townships(
            dataset,
            prepared.townships_by_county(),
            &prepared.villages_by_township,
            &prepared.township_points,
            &prepared.village_points,
        );
        let village_demand = Demand {
            points: prepared
                .village_points
                .iter()
                .zip(&dataset.villages)
                .map(|(&p, v)| (p, v.resident_pop))
                .collect(),
            of: (0..dataset.villages.len()).map(|i| i..i + 1).collect(),
            seat_costs: None,
        };
        Self {
            township_demand,
            village_demand,
        }
    }
}

/// What the engine plans on: a prepared dataset and where its people are.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    pub prepared: &'a Prepared,
    pub demands: &'a Demands,
}

impl<'a> Inputs<'a> {
    fn dataset(&self) -> &'a Dataset {
        self.prepared.dataset()
    }

    fn id(&self) -> DatasetId {
        self.prepared.id()
    }

    fn prepared(&self) -> &'a Prepared {
        self.prepared
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
    /// The province, city or county whose target counts this unit's merges, and that
    /// target (a quota, or the level's own), met after the runs; `None`: the run's own.
    region: u32,
    region_quota: Option<Quota>,
    /// Units merge only within a class (streets apart when `separate_streets`).
    class: u8,
    /// For the town-first seat rule: lower ranks win.
    seat_rank: u8,
    /// The scale of the thresholds of a group seated here (`kind_scale`).
    scale: f64,
    /// Never merged by the rules: exempt kind, locked, or out of scope.
    frozen: bool,
    /// Counted in the target base (regular kinds).
    regular: bool,
    terrain: Option<Terrain>,
    /// Listed in the scenario's `seats` or made the seat by a hand edit.
    listed_seat: bool,
}

/// Where the people are: points with their resident population, and the range of them each
/// unit of a level holds.
#[derive(Debug, Clone)]
struct Demand {
    points: Vec<(SpherePoint, f64)>,
    of: Vec<std::ops::Range<usize>>,
    /// For townships, whose people are many villages: the cost of every seat of a county for
    /// every member, computed once, so that choosing seats and moving units add numbers
    /// rather than measure distances.
    seat_costs: Option<SeatCosts>,
}

impl Demand {
    /// Each township's villages, or, without villages, its own seat; with the seat costs
    /// within each county.
    fn of_townships(
        dataset: &Dataset,
        townships_by_county: &TiVec<CountyId, Vec<TownshipId>>,
        villages_by_township: &TiVec<TownshipId, Vec<VillageId>>,
        township_points: &TiVec<TownshipId, SpherePoint>,
        village_points: &TiVec<VillageId, SpherePoint>,
    ) -> Self {
        let mut points = Vec::with_capacity(dataset.villages.len());
        let mut of = Vec::with_capacity(dataset.townships.len());
        for (t, villages) in villages_by_township.iter_enumerated() {
            let start = points.len();
            if villages.is_empty() {
                points.push((township_points[t], dataset.townships[t].resident_pop));
            }
            for &v in villages {
                points.push((village_points[v], dataset.villages[v].resident_pop));
            }
            of.push(start..points.len());
        }
        let mut demand = Self {
            points,
            of,
            seat_costs: None,
        };
        let costs = SeatCosts::new(
            townships_by_county
                .raw
                .iter()
                .map(|ts| ts.iter().map(|t| t.index()).collect()),
            |seat, member| demand.measured(township_points[TownshipId::from(seat)], member),
        );
        demand.seat_costs = Some(costs);
        demand
    }

    /// People × km from the people of unit `member` to `seat`.
    fn measured(&self, seat: SpherePoint, member: usize) -> f64 {
        self.points[self.of[member].clone()]
            .iter()
            .map(|(p, people)| people * p.distance_km(&seat))
            .sum()
    }

    /// People × km from the people of unit `member` to the seat of unit `seat`: from the seat
    /// costs when both are in one county, else measured.
    fn cost(&self, units: &[Unit], seat: usize, member: usize) -> f64 {
        match self.seat_costs.as_ref().and_then(|c| c.cost(seat, member)) {
            Some(cost) => cost,
            None => self.measured(units[seat].sphere, member),
        }
    }
}

/// People × km from each unit's people to each seat of its partition, as one square matrix a
/// partition (1.2 MB for the Sichuan demo, 6 MB for the country).
#[derive(Debug, Clone)]
struct SeatCosts {
    /// Per unit: its partition, where its row starts in `costs`, and its place in its
    /// partition.
    partition: Vec<u32>,
    row: Vec<usize>,
    column: Vec<u32>,
    costs: Vec<f64>,
}

impl SeatCosts {
    /// The matrices of `partitions` (each a list of unit indices), with `cost(seat, member)`.
    fn new(
        partitions: impl Iterator<Item = Vec<usize>>,
        cost: impl Fn(usize, usize) -> f64 + Sync,
    ) -> Self {
        let partitions: Vec<Vec<usize>> = partitions.collect();
        let units = partitions.iter().map(Vec::len).sum::<usize>();
        let (mut partition, mut row, mut column) = (vec![0; units], vec![0; units], vec![0; units]);
        let mut offset = 0;
        for (p, members) in partitions.iter().enumerate() {
            for (k, &m) in members.iter().enumerate() {
                partition[m] = p as u32;
                row[m] = offset + k * members.len();
                column[m] = k as u32;
            }
            offset += members.len() * members.len();
        }
        let blocks: Vec<Vec<f64>> = partitions
            .par_iter()
            .map(|members| {
                members
                    .iter()
                    .flat_map(|&seat| members.iter().map(move |&m| (seat, m)))
                    .map(|(seat, m)| cost(seat, m))
                    .collect()
            })
            .collect();
        Self {
            partition,
            row,
            column,
            costs: blocks.concat(),
        }
    }

    /// The cost of `member`'s people to `seat`, if both are in one partition.
    fn cost(&self, seat: usize, member: usize) -> Option<f64> {
        (self.partition[seat] == self.partition[member])
            .then(|| self.costs[self.row[seat] + self.column[member] as usize])
    }
}

/// Each county's target region, numbered from 0 in the order first met, with the region's
/// quota: the quota of the county's own code, else its city's, else its province's (see
/// [`crate::scenario::quota`]); else the level's target, per province, city or county
/// (`target_per`; a county's own target is met inside its run, so its region has none).
fn target_regions<K>(
    dataset: &crate::model::Dataset,
    rules: &Rules<K>,
) -> TiVec<CountyId, (u32, Option<Quota>)> {
    let mut index: HashMap<String, u32> = HashMap::new();
    dataset
        .counties
        .iter()
        .map(|c| {
            let (code, city, province) = (c.code.as_str(), c.city_key(), c.province_code());
            let quota = [
                code.to_string(),
                city.to_string(),
                format!("{city:0<6}"),
                province.to_string(),
                format!("{province:0<6}"),
            ]
            .into_iter()
            .find_map(|key| rules.quotas.get(&key).map(|q| (key, *q)));
            let (key, quota) = match quota {
                Some((key, q)) => (format!("quota {key}"), Some(q)),
                None => {
                    let target = rules.target_reduction_pct.map(Quota::CutPct);
                    match rules.target_per {
                        TargetPer::Province => (format!("province {province}"), target),
                        TargetPer::City => (format!("city {city}"), target),
                        TargetPer::County => (format!("county {code}"), None),
                    }
                }
            };
            let next = index.len() as u32;
            (*index.entry(key).or_insert(next), quota)
        })
        .collect()
}

/// Computes the plan of a scenario resolved against `ws`'s dataset.
pub fn plan(ws: Inputs<'_>, resolved: &Resolved) -> Result<MergePlan, PlanError> {
    plan_reusing(ws, resolved, &Reuse::default()).map(|(plan, _)| plan)
}

/// As [`plan`], taking from `previous` the partition runs whose inputs are the same (after a
/// hand edit, every county but the edited one); returns what the next plan may reuse.
pub fn plan_reusing(
    ws: Inputs<'_>,
    resolved: &Resolved,
    previous: &Reuse,
) -> Result<(MergePlan, Reuse), PlanError> {
    let (townships, mut edits, township_runs) = township_stage(ws, resolved, previous);
    let (villages, village_edits, village_runs) =
        village_stage(ws, resolved, &townships, previous)?;
    edits.extend(village_edits);
    edits.extend(resolved.unknown_edits.iter().cloned());
    edits.sort_by_key(|e| e.position);
    let plan = MergePlan {
        dataset: ws.id(),
        townships,
        villages,
        edits,
    };
    Ok((
        plan,
        Reuse {
            townships: Some(township_runs),
            villages: Some(village_runs),
        },
    ))
}

/// The township level of the plan of a scenario resolved against `ws`'s dataset, alone.
pub fn township_plan(ws: Inputs<'_>, resolved: &Resolved) -> Stage<TownshipId> {
    township_stage(ws, resolved, &Reuse::default()).0
}

/// The partition runs of a plan (counties for townships, new townships for villages), kept
/// so that the next plan of the same rules on the same dataset runs again only the
/// partitions whose inputs changed.
#[derive(Debug, Clone, Default)]
pub struct Reuse {
    townships: Option<Kept<TownshipKind, TownshipId>>,
    villages: Option<Kept<VillageKind, VillageId>>,
}

/// One level's runs with what they were computed under.
#[derive(Debug, Clone)]
struct Kept<K, L> {
    dataset: DatasetId,
    /// The rules without what each partition's input already holds (see [`Kept::context`]).
    rules: Rules<K>,
    in_scope: TiVec<CountyId, bool>,
    runs: agglomerate::Runs<L>,
}

impl<K: Clone + PartialEq, L> Kept<K, L> {
    /// The part of the rules and scope a partition's run depends on beyond its own input:
    /// the target's value (a province-wide one is applied after the runs, a county one is in
    /// each input), locked codes, manual groups and listed seats are not.
    fn context(rules: &Rules<K>) -> Rules<K> {
        Rules {
            target_reduction_pct: rules.target_reduction_pct.map(|_| 0.0),
            // Quotas reach a run through its input (`targeted`), like per-county targets.
            quotas: Default::default(),
            locked: Vec::new(),
            manual: Vec::new(),
            seats: Vec::new(),
            ..rules.clone()
        }
    }

    /// The runs, if they were computed under the same context.
    fn runs_for<'k>(
        kept: Option<&'k Self>,
        ws: Inputs<'_>,
        rules: &Rules<K>,
        resolved: &Resolved,
    ) -> Option<&'k agglomerate::Runs<L>> {
        kept.filter(|k| {
            k.dataset == ws.id()
                && k.in_scope == resolved.in_scope
                && k.rules == Self::context(rules)
        })
        .map(|k| &k.runs)
    }

    fn new(
        ws: Inputs<'_>,
        rules: &Rules<K>,
        resolved: &Resolved,
        runs: agglomerate::Runs<L>,
    ) -> Self {
        Self {
            dataset: ws.id(),
            rules: Self::context(rules),
            in_scope: resolved.in_scope.clone(),
            runs,
        }
    }
}

impl Reuse {
    /// How many partitions this plan ran rather than took from `previous`: townships
    /// (counties), villages (new townships).
    pub fn runs_since(&self, previous: &Reuse) -> (usize, usize) {
        fn fresh<K, L>(now: Option<&Kept<K, L>>, before: Option<&Kept<K, L>>) -> usize {
            let empty = agglomerate::Runs::default();
            now.map_or(0, |now| {
                now.runs.fresh_since(before.map_or(&empty, |b| &b.runs))
            })
        }
        (
            fresh(self.townships.as_ref(), previous.townships.as_ref()),
            fresh(self.villages.as_ref(), previous.villages.as_ref()),
        )
    }
}

/// A level's stage, the reports of its edits, and its runs for the next plan.
type LevelResult<L, K> = (Stage<L>, Vec<EditReport>, Kept<K, L>);

fn township_stage(
    ws: Inputs<'_>,
    resolved: &Resolved,
    previous: &Reuse,
) -> LevelResult<TownshipId, TownshipKind> {
    let (dataset, prepared) = (ws.dataset(), ws.prepared());
    let rules = &resolved.scenario.townships;
    let units = township_units(ws, rules, &resolved.in_scope);
    let baseline = ws.prepared();
    let counties = dataset
        .counties
        .keys()
        .map(|c| {
            baseline
                .townships_of(c)
                .iter()
                .map(|t| t.index() as u32)
                .collect()
        })
        .collect();
    let code_of = |i: usize| dataset.townships[TownshipId::from(i)].code.clone();
    let previous = Kept::runs_for(previous.townships.as_ref(), ws, rules, resolved);
    let (stage, edits, runs) = LevelRun {
        units,
        partitions: counties,
        demand: &ws.demands.township_demand,
        rules,
        input: &resolved.townships,
        adjacency: &prepared.township_adjacency,
        container: "counties",
        code_of: &code_of,
        previous,
        refine: true,
    }
    .run();
    (stage, edits, Kept::new(ws, rules, resolved, runs))
}

/// The townships as the engine sees them (their people are the workspace's
/// `township_demand`).
fn township_units(
    ws: Inputs<'_>,
    rules: &Rules<TownshipKind>,
    in_scope: &TiVec<CountyId, bool>,
) -> Vec<Unit> {
    let (dataset, prepared) = (ws.dataset(), ws.prepared());
    let exempt = rules.exempt();
    let regions = target_regions(dataset, rules);
    dataset
        .townships
        .iter_enumerated()
        .map(|(i, t)| Unit {
            sphere: prepared.township_points[i],
            area: t.area_km2,
            registered: t.registered_pop,
            resident: t.resident_pop,
            partition: t.county.index(),
            region: regions[t.county].0,
            region_quota: regions[t.county].1,
            class: u8::from(rules.separate_streets && t.kind == TownshipKind::Street),
            seat_rank: match t.kind {
                TownshipKind::Street => 0,
                TownshipKind::Town => 1,
                TownshipKind::Township => 2,
                TownshipKind::EthnicTownship => 3,
                TownshipKind::Special => 4,
            },
            scale: rules.scale_for(t.kind),
            frozen: !rules.enabled || !in_scope[t.county] || exempt.contains(&t.kind),
            regular: t.kind.is_regular() && in_scope[t.county],
            terrain: prepared.terrain[i],
            listed_seat: false,
        })
        .collect()
}

/// The seat each group of townships gets under `rule` (no seat listed by a scenario), and the
/// residents × km from the group's villages to it: how seat rules compare on the same groups.
///
/// The distance rule's seat is the 1-median of the group's villages among its members'
/// seats, so it never costs more than another rule's on the same group.
pub fn township_seats(
    ws: Inputs<'_>,
    groups: &[Vec<TownshipId>],
    rule: SeatRule,
) -> Vec<(TownshipId, f64)> {
    let in_scope = TiVec::from(vec![true; ws.dataset().counties.len()]);
    let units = township_units(ws, &Rules::default(), &in_scope);
    let demand = &ws.demands.township_demand;
    let mut members = Vec::new();
    groups
        .iter()
        .map(|group| {
            members.clear();
            members.extend(group.iter().map(|t| t.index()));
            let seat = seat::choose_seat(&units, demand, &members, rule);
            let cost = members.iter().map(|&m| demand.cost(&units, seat, m)).sum();
            (TownshipId::from(seat), cost)
        })
        .collect()
}

fn village_stage(
    ws: Inputs<'_>,
    resolved: &Resolved,
    townships: &Stage<TownshipId>,
    previous: &Reuse,
) -> Result<LevelResult<VillageId, VillageKind>, PlanError> {
    let (dataset, prepared) = (ws.dataset(), ws.prepared());
    let rules = &resolved.scenario.villages;
    let units = village_units(ws, rules, &resolved.in_scope, townships);
    let code_of = |i: usize| dataset.villages[VillageId::from(i)].code.clone();
    // The scenario's manual village groups stay inside a new township.
    for (g, group) in resolved.villages.manual.iter().enumerate() {
        let partition = |v: VillageId| units[v.index()].partition;
        if let Some(&other) = group.iter().find(|&&v| partition(v) != partition(group[0])) {
            return Err(PlanError::ManualAcross {
                key: format!("villages.manual[{g}]"),
                first: code_of(group[0].index()),
                second: code_of(other.index()),
                container: "new townships",
            });
        }
    }
    // Each new township's villages, in order.
    let new_townships = townships
        .units
        .raw
        .par_iter()
        .map(|unit| {
            let mut villages: Vec<u32> = unit
                .members
                .iter()
                .flat_map(|&t| &prepared.villages_by_township[t])
                .map(|v| v.index() as u32)
                .collect();
            villages.sort_unstable();
            villages
        })
        .collect();
    let previous = Kept::runs_for(previous.villages.as_ref(), ws, rules, resolved);
    let (stage, edits, runs) = LevelRun {
        units,
        partitions: new_townships,
        demand: &ws.demands.village_demand,
        rules,
        input: &resolved.villages,
        adjacency: &prepared.village_adjacency,
        container: "new townships",
        code_of: &code_of,
        previous,
        // Villages are many and their groups small: the search costs more there (about 30
        // ms on the demo) than the 3 % of distance it saves.
        refine: false,
    }
    .run();
    Ok((stage, edits, Kept::new(ws, rules, resolved, runs)))
}

/// The villages as the engine sees them, each in the new township its own is in.
fn village_units(
    ws: Inputs<'_>,
    rules: &Rules<VillageKind>,
    in_scope: &TiVec<CountyId, bool>,
    townships: &Stage<TownshipId>,
) -> Vec<Unit> {
    let (dataset, prepared) = (ws.dataset(), ws.prepared());
    let exempt = rules.exempt();
    let regions = target_regions(dataset, rules);
    dataset
        .villages
        .raw
        .par_iter()
        .zip(&prepared.village_points.raw)
        .map(|(v, &sphere)| {
            let county = dataset.townships[v.township].county;
            Unit {
                sphere,
                area: v.area_km2,
                registered: v.registered_pop.unwrap_or(0.0),
                resident: v.resident_pop,
                partition: townships.new_of[v.township].index(),
                region: regions[county].0,
                region_quota: regions[county].1,
                class: 0,
                seat_rank: match v.kind {
                    VillageKind::Community => 0,
                    VillageKind::Village => 1,
                    VillageKind::Special => 2,
                },
                scale: rules.scale_for(v.kind),
                frozen: !rules.enabled || !in_scope[county] || exempt.contains(&v.kind),
                regular: v.kind == VillageKind::Village && in_scope[county],
                terrain: prepared.terrain[v.township],
                listed_seat: false,
            }
        })
        .collect()
}

/// One level's agglomeration, once its units and partitions (the units of each county or new
/// township, ascending) are built.
struct LevelRun<'a, K, L: Level> {
    units: Vec<Unit>,
    partitions: Vec<Vec<u32>>,
    demand: &'a Demand,
    rules: &'a Rules<K>,
    input: &'a LevelInput<L>,
    adjacency: &'a Adjacency<L>,
    /// What partitions are, in messages: `counties` or `new townships`.
    container: &'static str,
    code_of: &'a dyn Fn(usize) -> String,
    previous: Option<&'a agglomerate::Runs<L>>,
    /// Whether the local search follows the greedy.
    refine: bool,
}

impl<K: Sync, L: Level> LevelRun<'_, K, L> {
    /// What both levels share: the scenario's locked units frozen and seats listed, the hand
    /// edits applied, then the agglomeration; edits undone by later ones are reported as
    /// superseded.
    fn run(self) -> (Stage<L>, Vec<EditReport>, agglomerate::Runs<L>) {
        let Self {
            mut units,
            partitions,
            demand,
            rules,
            input,
            adjacency,
            container,
            code_of,
            previous,
            refine,
        } = self;
        let mean_resident = mean_resident_of_mergeable(&units);
        let locked: Vec<usize> = input.locked.iter().map(|&l| l.into()).collect();
        for &i in &locked {
            units[i].frozen = true;
        }
        for &i in &input.seats {
            units[i.into()].listed_seat = true;
        }
        let neighbours = |i: usize| adjacency.neighbour_indices(i);
        let (hand, mut reports) = hand::apply_edits(
            &input.edits,
            &locked,
            &mut hand::Checks {
                units: &mut units,
                demand,
                neighbours: &neighbours,
                rules,
                container,
                code_of,
            },
        );
        let manual: Vec<Vec<usize>> = input
            .manual
            .iter()
            .map(|g| g.iter().map(|&l| l.into()).collect())
            .collect();
        let context = agglomerate::LevelContext {
            demand,
            neighbours: &neighbours,
            rules,
            mean_resident,
            previous,
            refine,
        };
        let (stage, runs) = agglomerate::merge_level(&units, partitions, &context, &manual, &hand);
        hand::check_held(&mut reports, &input.edits, &stage);
        (stage, reports, runs)
    }
}

/// The yardstick of candidates without thresholds: the mean resident population of the units
/// the rules may merge by kind and scope, whatever is locked or edited, so an edit in one
/// county leaves the others' runs as they were.
fn mean_resident_of_mergeable(units: &[Unit]) -> f64 {
    let (eligible, eligible_resident) = units
        .iter()
        .filter(|u| !u.frozen)
        .fold((0usize, 0.0), |(n, r), u| (n + 1, r + u.resident));
    if eligible == 0 {
        1.0
    } else {
        eligible_resident / eligible as f64
    }
}

/// Statistics of the plan's new units, province-wide and per county, with the figures of each
/// county's units for the next time; a county `previous` has and that has not `changed`
/// keeps its figures and summary.
pub(crate) fn after_summary(
    ws: Inputs<'_>,
    plan: &MergePlan,
    previous: Option<(&DatasetSummary, &CountyFigures, &TiVec<CountyId, bool>)>,
) -> (DatasetSummary, CountyFigures) {
    debug_assert_eq!(
        plan.dataset(),
        ws.id(),
        "a plan read against another dataset"
    );
    let kept = |c: CountyId| previous.filter(|(_, _, changed)| !changed[c]);
    let figures: CountyFigures = ws
        .dataset()
        .counties
        .keys()
        .collect::<Vec<CountyId>>()
        .into_par_iter()
        .map(|c| match kept(c) {
            Some((_, figures, _)) => figures[c].clone(),
            None => Arc::new(county_figures(ws, plan, c)),
        })
        .collect::<Vec<_>>()
        .into();
    let summary = DatasetSummary::of_counties(&figures, |c| {
        kept(c).map(|(summary, _, _)| summary.counties[c].clone())
    });
    (summary, figures)
}

/// The figures of the new units seated in county `c`.
fn county_figures(ws: Inputs<'_>, plan: &MergePlan, c: CountyId) -> UnitFigures {
    let (dataset, baseline) = (ws.dataset(), ws.prepared());
    let townships = baseline
        .townships_of(c)
        .iter()
        .filter(|&&t| plan.townships.seat_of(t) == t)
        .map(|&t| {
            let members = || {
                plan.townships
                    .unit_of(t)
                    .members
                    .iter()
                    .map(|&m| &dataset.townships[m])
            };
            TownshipFigures {
                kind: dataset.townships[t].kind,
                area_km2: members().map(|m| m.area_km2).sum(),
                registered_pop: members().map(|m| m.registered_pop).sum(),
                resident_pop: members().map(|m| m.resident_pop).sum(),
            }
        })
        .collect();
    let villages = baseline
        .villages_of(c)
        .iter()
        .filter(|&&v| plan.villages.seat_of(v) == v)
        .map(|&v| {
            let members = || {
                plan.villages
                    .unit_of(v)
                    .members
                    .iter()
                    .map(|&m| &dataset.villages[m])
            };
            VillageFigures {
                kind: dataset.villages[v].kind,
                area_km2: members().map(|m| m.area_km2).sum(),
                resident_pop: members().map(|m| m.resident_pop).sum(),
                registered_pop: members().map(|m| m.registered_pop).sum(),
            }
        })
        .collect();
    UnitFigures {
        townships,
        villages,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seat_costs_are_read_within_a_partition_and_not_across() {
        // Units 0 and 2 in one partition, 1 alone; the cost is 10 × seat + member.
        let costs = SeatCosts::new([vec![0, 2], vec![1]].into_iter(), |seat, member| {
            (10 * seat + member) as f64
        });
        assert_eq!(costs.cost(0, 2), Some(2.0));
        assert_eq!(costs.cost(2, 0), Some(20.0));
        assert_eq!(costs.cost(2, 2), Some(22.0));
        assert_eq!(costs.cost(1, 1), Some(11.0));
        assert_eq!(costs.cost(0, 1), None);
        assert_eq!(costs.cost(1, 2), None);
    }
}
