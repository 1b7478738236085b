//! The best township plan a county could have, to measure the merge engine against.
//!
//! For a county, the exact problem is: split its townships into the same number of units the
//! engine's plan has, under the same constraints — every unit connected, the county whole,
//! locked and exempt townships alone, streets apart where the scenario says so, and the caps
//! on area and on the distance to the seat — so that the people of the villages travel least
//! to their new seat: the sum over villages of residents × great-circle km to the seat, the
//! seat being whichever member's seat makes that least.
//!
//! It is solved exactly, without an external solver, in two steps:
//! 1. every *feasible group* is listed: each connected set of mergeable townships of one
//!    class whose area fits the largest cap (areas only grow, so a set over it has no
//!    feasible superset), with its best seat under the caps;
//! 2. a depth-first branch and bound picks groups covering every township once, exactly as
//!    many as the plan has. The bound is exact per township: in any group a township adds its
//!    villages' people × km to that group's seat, so the least it can add over every group it
//!    may join is a lower bound, and their sum bounds what is left. Search states already
//!    reached more cheaply are not searched again.
//!
//! Each county has a time limit; a county whose search ends within it is *proven* optimal,
//! otherwise the best plan found is reported as such (never better than the engine's, which
//! seeds the search).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::geodesy::distance_km;
use crate::model::{CountyId, TownshipId, TownshipKind};
use crate::scenario::{self, PlanError, Scenario, SeatRule};
use crate::table::{Cell, Column, TableWriter};
use crate::workspace::Workspace;

/// How hard to try.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Counties with more mergeable townships than this are not solved.
    pub max_units: usize,
    /// Search time per county.
    pub time_limit: Duration,
    /// Counties with more feasible groups than this are not solved.
    pub max_groups: usize,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            max_units: 30,
            time_limit: Duration::from_secs(2),
            max_groups: 200_000,
        }
    }
}

/// What became of a county's search.
#[derive(Debug, Clone, PartialEq)]
pub enum Solved {
    /// The search finished: no plan of the county is better.
    Proven { cost: f64 },
    /// The time ran out: the best plan found (at worst the engine's).
    TimedOut { cost: f64 },
    /// Not searched, and why.
    Skipped(Skip),
}

/// Why a county was not searched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    /// Outside the scenario's scope, or the level not reformed.
    NotReformed,
    /// Shaped by hand (manual groups or hand edits): the rules did not decide it.
    ByHand,
    /// More mergeable townships than [`Options::max_units`].
    TooManyUnits,
    /// More feasible groups than [`Options::max_groups`].
    TooManyGroups,
}

impl Solved {
    /// The outcome in words (the CSV's `status`).
    pub fn as_str(&self) -> &'static str {
        match self {
            Solved::Proven { .. } => "proven optimal",
            Solved::TimedOut { .. } => "best found (time limit)",
            Solved::Skipped(skip) => skip.as_str(),
        }
    }
}

impl Skip {
    pub fn as_str(self) -> &'static str {
        match self {
            Skip::NotReformed => "not reformed",
            Skip::ByHand => "shaped by hand",
            Skip::TooManyUnits => "too many townships",
            Skip::TooManyGroups => "too many feasible groups",
        }
    }
}

/// One county: the engine's plan against the best.
#[derive(Debug, Clone, PartialEq)]
pub struct CountyOptimum {
    pub county: CountyId,
    /// Townships, and those that may merge (not locked, not exempt).
    pub townships: usize,
    pub mergeable: usize,
    /// Units after the plan (the engine's, and so the optimum's).
    pub units: usize,
    /// Residents of the county's villages.
    pub people: f64,
    /// Residents × km to the seat, summed over villages, in the engine's plan.
    pub engine_cost: f64,
    pub solved: Solved,
    /// Feasible groups listed.
    pub groups_listed: usize,
    pub elapsed: Duration,
}

impl CountyOptimum {
    /// The best cost found, if searched.
    pub fn best_cost(&self) -> Option<f64> {
        match self.solved {
            Solved::Proven { cost } | Solved::TimedOut { cost } => Some(cost),
            Solved::Skipped(_) => None,
        }
    }

    /// How much more the engine's plan costs than the best found (0.05 = 5 %).
    pub fn gap(&self) -> Option<f64> {
        let best = self.best_cost()?;
        Some(if best > 0.0 {
            self.engine_cost / best - 1.0
        } else {
            0.0
        })
    }

    /// Whether the engine merged anything here (else the plan is the only one).
    pub fn merged(&self) -> bool {
        self.units < self.townships
    }
}

/// Solves every county of `scenario`'s plan on `ws` (in parallel) against the engine's.
pub fn county_optima(
    ws: &Workspace,
    scenario: &Scenario,
    options: &Options,
) -> Result<Vec<CountyOptimum>, PlanError> {
    if !ws.dataset().has_locations() {
        return Err(PlanError::NeedsLocations {
            key: "the optimum (distance to seat)".into(),
        });
    }
    let resolved = scenario::resolve(scenario, ws.prepared())?;
    let plan = crate::engine::plan(ws.engine_inputs(), &resolved)?;
    let dataset = ws.dataset();
    let mut by_hand: Vec<bool> = vec![false; dataset.counties.len()];
    for unit in plan.townships.units.iter().filter(|u| u.by_hand) {
        by_hand[dataset.townships[unit.seat].county.index()] = true;
    }
    for group in &resolved.townships.manual {
        for &t in group {
            by_hand[dataset.townships[t].county.index()] = true;
        }
    }
    let mut plan_by_county: Vec<Vec<&crate::plan::NewUnit<TownshipId>>> =
        vec![Vec::new(); dataset.counties.len()];
    for unit in plan.townships.units.iter() {
        plan_by_county[dataset.townships[unit.seat].county.index()].push(unit);
    }
    let setup = Setup {
        ws,
        rules: &scenario.townships,
        in_scope: &resolved.in_scope,
        locked: resolved.townships.locked.iter().copied().collect(),
        by_hand,
        plan_by_county,
        villages: dataset.villages_by_township(),
    };
    Ok(dataset
        .townships_by_county()
        .iter_enumerated()
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|(county, members)| setup.county(county, members, options))
        .collect())
}

/// What every county's problem reads.
struct Setup<'a> {
    ws: &'a Workspace,
    rules: &'a crate::scenario::Rules<TownshipKind>,
    in_scope: &'a typed_index_collections::TiVec<crate::model::CountyId, bool>,
    locked: std::collections::HashSet<TownshipId>,
    /// Counties with a group made by hand (not solved).
    by_hand: Vec<bool>,
    plan_by_county: Vec<Vec<&'a crate::plan::NewUnit<TownshipId>>>,
    villages: typed_index_collections::TiVec<TownshipId, Vec<crate::model::VillageId>>,
}

impl Setup<'_> {
    /// County `county` (its townships `members`): the engine's cost, and the best plan's
    /// where the county is solved.
    fn county(
        &self,
        county: crate::model::CountyId,
        members: &[TownshipId],
        options: &Options,
    ) -> CountyOptimum {
        let started = Instant::now();
        let dataset = self.ws.dataset();
        let index: HashMap<TownshipId, usize> =
            members.iter().enumerate().map(|(k, &t)| (t, k)).collect();
        let units_in_plan: Vec<(usize, Vec<usize>)> = self.plan_by_county[county.index()]
            .iter()
            .map(|u| (index[&u.seat], u.members.iter().map(|m| index[m]).collect()))
            .collect();
        let w = self.seat_costs(members);
        let engine_cost: f64 = units_in_plan
            .iter()
            .map(|(seat, ms)| ms.iter().map(|&m| w[m][*seat]).sum::<f64>())
            .sum();
        let people: f64 = members
            .iter()
            .flat_map(|&t| &self.villages[t])
            .map(|&v| dataset.villages[v].resident_pop)
            .sum();
        let exempt = self.rules.exempt();
        let mergeable: Vec<bool> = members
            .iter()
            .map(|&t| !exempt.contains(&dataset.townships[t].kind) && !self.locked.contains(&t))
            .collect();
        let mut out = CountyOptimum {
            county,
            townships: members.len(),
            mergeable: mergeable.iter().filter(|&&m| m).count(),
            units: units_in_plan.len(),
            people,
            engine_cost,
            solved: Solved::Skipped(Skip::NotReformed),
            groups_listed: 0,
            elapsed: Duration::ZERO,
        };
        if !self.rules.enabled || !self.in_scope[county] {
            return out;
        }
        if self.by_hand[county.index()] {
            out.solved = Solved::Skipped(Skip::ByHand);
            return out;
        }
        if out.mergeable > options.max_units || members.len() > 64 {
            out.solved = Solved::Skipped(Skip::TooManyUnits);
            return out;
        }
        let problem = self.problem(members, &index, &w, mergeable);
        let incumbent: Vec<u64> = units_in_plan
            .iter()
            .map(|(_, ms)| ms.iter().fold(0u64, |m, &k| m | 1 << k))
            .collect();
        let (solved, listed) = problem.solve(out.units, &incumbent, engine_cost, options, started);
        out.solved = solved;
        out.groups_listed = listed;
        out.elapsed = started.elapsed();
        out
    }

    /// Residents × km from township i's villages to township j's seat, for each pair of
    /// `members`.
    fn seat_costs(&self, members: &[TownshipId]) -> Vec<Vec<f64>> {
        let dataset = self.ws.dataset();
        let cost_to = |i: TownshipId, j: TownshipId| -> f64 {
            let seat = dataset.townships[j].seat;
            self.villages[i]
                .iter()
                .map(|&v| {
                    let v = &dataset.villages[v];
                    v.resident_pop * distance_km(v.centre, seat)
                })
                .sum()
        };
        members
            .iter()
            .map(|&i| members.iter().map(|&j| cost_to(i, j)).collect())
            .collect()
    }

    /// The exact problem of a county's `members` (`index`: each one's place).
    fn problem<'w>(
        &self,
        members: &[TownshipId],
        index: &HashMap<TownshipId, usize>,
        w: &'w [Vec<f64>],
        mergeable: Vec<bool>,
    ) -> CountyProblem<'w> {
        let (dataset, prepared, rules) = (self.ws.dataset(), self.ws.prepared(), self.rules);
        let seat = |t: TownshipId| dataset.townships[t].seat;
        CountyProblem {
            w,
            area: members
                .iter()
                .map(|&t| dataset.townships[t].area_km2)
                .collect(),
            class: members
                .iter()
                .map(|&t| {
                    let street = dataset.townships[t].kind == TownshipKind::Street;
                    u8::from(rules.separate_streets && street)
                })
                .collect(),
            mergeable,
            neighbours: members
                .iter()
                .map(|&t| {
                    prepared
                        .township_adjacency
                        .neighbours(t)
                        .filter_map(|n| index.get(&n).copied())
                        .collect()
                })
                .collect(),
            caps: members
                .iter()
                .map(|&t| {
                    let limits = rules.limits_for(prepared.terrain[t]);
                    (limits.max_area_km2, limits.max_seat_distance_km)
                })
                .collect(),
            seat_km: members
                .iter()
                .map(|&i| {
                    members
                        .iter()
                        .map(|&j| distance_km(seat(i), seat(j)))
                        .collect()
                })
                .collect(),
        }
    }
}

/// One seat rule measured on a scenario: on the scenario's own groups, and on the plan the
/// scenario makes when it uses that rule.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SeatRuleCost {
    pub rule: SeatRule,
    /// Mean km from residents to their seat, the scenario's township groups reseated by
    /// `rule`.
    pub same_groups_km: f64,
    /// Mean km from residents to their seat in the plan the scenario makes with `rule` (the
    /// greedy and the local search choose groups with the rule's seats).
    pub own_plan_km: f64,
}

/// How the three seat rules compare on `scenario` (`optimum` prints it): the distance rule
/// never costs more on the same groups; its gain over the kind-first and population-first
/// rules is the difference.
pub fn seat_rules(ws: &Workspace, scenario: &Scenario) -> Result<Vec<SeatRuleCost>, PlanError> {
    if !ws.dataset().has_locations() {
        return Err(PlanError::NeedsLocations {
            key: "the seat rules (distance to seat)".into(),
        });
    }
    let groups_of = |s: &Scenario| -> Result<Vec<Vec<TownshipId>>, PlanError> {
        let plan = crate::engine::plan(ws.engine_inputs(), &scenario::resolve(s, ws.prepared())?)?;
        Ok(plan
            .townships
            .units
            .iter()
            .map(|u| u.members.to_vec())
            .collect())
    };
    let people: f64 = ws.dataset().villages.iter().map(|v| v.resident_pop).sum();
    let mean_km = |groups: &[Vec<TownshipId>], rule| -> f64 {
        let total: f64 = crate::engine::township_seats(ws.engine_inputs(), groups, rule)
            .iter()
            .map(|(_, cost)| cost)
            .sum();
        total / people.max(1.0)
    };
    let groups = groups_of(scenario)?;
    [
        SeatRule::TownFirst,
        SeatRule::LargestPopulation,
        SeatRule::MinDistance,
    ]
    .into_iter()
    .map(|rule| {
        let mut own = scenario.clone();
        own.townships.seat_rule = rule;
        Ok(SeatRuleCost {
            rule,
            same_groups_km: mean_km(&groups, rule),
            own_plan_km: mean_km(&groups_of(&own)?, rule),
        })
    })
    .collect()
}

/// The columns of `optimum --out`.
const COLUMNS: &[Column] = &[
    Column::new("county_code", "区县代码", "county code"),
    Column::new("county_name", "区县名称", "county name"),
    Column::new("townships", "乡镇数", "townships"),
    Column::new("mergeable", "可合并乡镇数", "mergeable townships"),
    Column::new("units", "调整后单位数", "units after"),
    Column::new("residents", "常住人口", "residents"),
    Column::new("engine_person_km", "方案人·公里", "plan person-km"),
    Column::new("best_person_km", "最优人·公里", "best person-km"),
    Column::new("gap_pct", "差距%", "gap %"),
    Column::new("status", "求解状态", "status"),
    Column::new("feasible_groups", "可行组数", "feasible groups"),
    Column::new("seconds", "用时（秒）", "seconds"),
];

/// Every county's result as a table (`optimum --out`).
pub fn write_table(
    results: &[CountyOptimum],
    dataset: &crate::Dataset,
    out: &mut dyn TableWriter,
) -> std::io::Result<()> {
    out.header(COLUMNS)?;
    for r in results {
        let c = &dataset.counties[r.county];
        out.row(&[
            Cell::code(&c.code),
            Cell::text(&c.name),
            Cell::Count(r.townships as u64),
            Cell::Count(r.mergeable as u64),
            Cell::Count(r.units as u64),
            Cell::Number(r.people),
            Cell::Number(r.engine_cost),
            Cell::number(r.best_cost()),
            Cell::number(r.gap().map(|g| g * 100.0)),
            Cell::text(r.solved.as_str()),
            Cell::Count(r.groups_listed as u64),
            Cell::Number(r.elapsed.as_secs_f64()),
        ])?;
    }
    Ok(())
}

/// One county's problem, townships numbered 0..n.
pub struct CountyProblem<'a> {
    /// `w[i][j]`: residents × km from township i's villages to township j's seat.
    pub w: &'a [Vec<f64>],
    pub area: Vec<f64>,
    /// Townships merge only within a class.
    pub class: Vec<u8>,
    /// Not locked, not exempt.
    pub mergeable: Vec<bool>,
    pub neighbours: Vec<Vec<usize>>,
    /// Per township as a seat: the caps on area and on the distance to the seat.
    pub caps: Vec<(Option<f64>, Option<f64>)>,
    /// Km between township seats.
    pub seat_km: Vec<Vec<f64>>,
}

/// A feasible group: its townships, the seat the caps allow that costs least, and that cost.
#[derive(Debug, Clone, Copy)]
struct Group {
    mask: u64,
    seat: usize,
    cost: f64,
}

impl CountyProblem<'_> {
    fn n(&self) -> usize {
        self.area.len()
    }

    /// `mask` as a group: the member whose seat, under its caps, costs least; `None` if no
    /// member's caps allow the group.
    fn group(&self, mask: u64) -> Option<Group> {
        let members: Vec<usize> = bits(mask).collect();
        let area: f64 = members.iter().map(|&m| self.area[m]).sum();
        members
            .iter()
            .filter(|&&s| {
                let (max_area, max_km) = self.caps[s];
                members.len() == 1
                    || (max_area.is_none_or(|cap| area <= cap)
                        && max_km
                            .is_none_or(|cap| members.iter().all(|&m| self.seat_km[m][s] <= cap)))
            })
            .map(|&seat| Group {
                mask,
                seat,
                cost: members.iter().map(|&m| self.w[m][seat]).sum(),
            })
            .min_by(|a, b| a.cost.total_cmp(&b.cost))
    }

    /// Every feasible group (singletons included), or `None` past `limit`.
    fn groups(&self, limit: usize) -> Option<Vec<Group>> {
        let n = self.n();
        let largest_cap = self
            .caps
            .iter()
            .map(|c| c.0)
            .try_fold(0.0f64, |a, c| c.map(|c| a.max(c)));
        let mut out = Vec::new();
        for root in 0..n {
            if !self.mergeable[root] {
                out.push(Group {
                    mask: 1 << root,
                    seat: root,
                    cost: self.w[root][root],
                });
                continue;
            }
            let allowed: u64 = (root + 1..n)
                .filter(|&k| self.mergeable[k] && self.class[k] == self.class[root])
                .fold(0, |m, k| m | 1 << k);
            let mut search = Listing {
                problem: self,
                allowed,
                cap: largest_cap,
                out: &mut out,
                limit,
            };
            let ext = self.neighbour_mask(root) & allowed;
            if !search.grow(1 << root, self.area[root], ext, 0) {
                return None;
            }
        }
        Some(out)
    }

    fn neighbour_mask(&self, k: usize) -> u64 {
        self.neighbours[k].iter().fold(0, |m, &j| m | 1 << j)
    }

    /// The best partition into `units` groups, searched from scratch (no plan to seed it).
    pub fn best(&self, units: usize, options: &Options) -> Solved {
        self.solve(units, &[], f64::INFINITY, options, Instant::now())
            .0
    }

    /// The best partition into `units` groups: proven, or the best found in time.
    fn solve(
        &self,
        units: usize,
        incumbent: &[u64],
        incumbent_cost: f64,
        options: &Options,
        started: Instant,
    ) -> (Solved, usize) {
        let Some(groups) = self.groups(options.max_groups) else {
            return (Solved::Skipped(Skip::TooManyGroups), 0);
        };
        let n = self.n();
        // The engine's plan is a solution if each of its units is a listed group.
        let listed: std::collections::HashSet<u64> = groups.iter().map(|g| g.mask).collect();
        let seeded = incumbent.len() == units && incumbent.iter().all(|m| listed.contains(m));
        let mut best = if seeded {
            incumbent_cost
        } else {
            f64::INFINITY
        };
        // The least each township can add to any group, and the groups by lowest member,
        // cheapest above that bound first.
        let mut least = vec![f64::INFINITY; n];
        for g in &groups {
            for m in bits(g.mask) {
                least[m] = least[m].min(self.w[m][g.seat]);
            }
        }
        let mut by_lowest: Vec<Vec<Group>> = vec![Vec::new(); n];
        for g in &groups {
            by_lowest[g.mask.trailing_zeros() as usize].push(*g);
        }
        let excess = |g: &Group| g.cost - bits(g.mask).map(|m| least[m]).sum::<f64>();
        for list in &mut by_lowest {
            list.sort_by(|a, b| excess(a).total_cmp(&excess(b)));
        }
        let max_size = groups
            .iter()
            .map(|g| g.mask.count_ones() as usize)
            .max()
            .unwrap_or(1);
        let mut search = Search {
            by_lowest: &by_lowest,
            least: &least,
            max_size,
            best: &mut best,
            seen: HashMap::new(),
            deadline: started + options.time_limit,
            timed_out: false,
            steps: 0,
        };
        let all = if n == 64 { u64::MAX } else { (1u64 << n) - 1 };
        search.branch(all, units, 0.0);
        let timed_out = search.timed_out;
        let solved = if timed_out {
            Solved::TimedOut { cost: best }
        } else {
            Solved::Proven { cost: best }
        };
        (solved, groups.len())
    }
}

/// The connected-set listing of one root.
struct Listing<'p, 'o> {
    problem: &'p CountyProblem<'p>,
    allowed: u64,
    cap: Option<f64>,
    out: &'o mut Vec<Group>,
    limit: usize,
}

impl Listing<'_, '_> {
    /// Lists `set` and every connected superset reached through `ext` and not `forbidden`
    /// (each once); `false` once past the limit.
    fn grow(&mut self, set: u64, area: f64, mut ext: u64, mut forbidden: u64) -> bool {
        if let Some(group) = self.problem.group(set) {
            self.out.push(group);
            if self.out.len() > self.limit {
                return false;
            }
        }
        while ext != 0 {
            let w = ext.trailing_zeros() as usize;
            ext &= !(1 << w);
            let grown = area + self.problem.area[w];
            if self.cap.is_none_or(|cap| grown <= cap) {
                let reach = self.problem.neighbour_mask(w) & self.allowed & !set & !forbidden;
                if !self.grow(set | 1 << w, grown, ext | reach, forbidden | 1 << w) {
                    return false;
                }
            }
            forbidden |= 1 << w;
        }
        true
    }
}

/// The branch and bound over groups.
struct Search<'a> {
    by_lowest: &'a [Vec<Group>],
    least: &'a [f64],
    max_size: usize,
    best: &'a mut f64,
    /// Least cost at which each (uncovered, units left) state was searched.
    seen: HashMap<(u64, usize), f64>,
    deadline: Instant,
    timed_out: bool,
    steps: u64,
}

impl Search<'_> {
    fn branch(&mut self, uncovered: u64, units: usize, cost: f64) {
        if self.timed_out {
            return;
        }
        self.steps += 1;
        if self.steps % 4096 == 0 && Instant::now() > self.deadline {
            self.timed_out = true;
            return;
        }
        let left = uncovered.count_ones() as usize;
        if left == 0 {
            if units == 0 && cost < *self.best {
                *self.best = cost;
            }
            return;
        }
        if units == 0 || units > left || units * self.max_size < left {
            return;
        }
        let bound = cost + bits(uncovered).map(|m| self.least[m]).sum::<f64>();
        if bound >= *self.best * (1.0 - 1e-12) {
            return;
        }
        match self.seen.get(&(uncovered, units)) {
            Some(&then) if then <= cost => return,
            _ => {
                self.seen.insert((uncovered, units), cost);
            }
        }
        let lowest = uncovered.trailing_zeros() as usize;
        for g in &self.by_lowest[lowest] {
            if g.mask & !uncovered == 0 {
                self.branch(uncovered & !g.mask, units - 1, cost + g.cost);
            }
        }
    }
}

/// The set bits of a mask, lowest first.
fn bits(mut mask: u64) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        (mask != 0).then(|| {
            let k = mask.trailing_zeros() as usize;
            mask &= mask - 1;
            k
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator for the random counties.
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self) -> f64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((self.0 >> 33) as f64) / (1u64 << 31) as f64
        }
    }

    /// A county of `n` townships on a jittered 3-wide grid (neighbours: grid steps), with
    /// random people, areas and caps; one or two locked, streets apart.
    fn county(seed: u64, n: usize) -> (Vec<Vec<f64>>, CountyProblem<'static>) {
        let mut r = Lcg(seed);
        let at: Vec<(f64, f64)> = (0..n)
            .map(|k| {
                (
                    (k % 3) as f64 * 5.0 + r.next() * 2.0,
                    (k / 3) as f64 * 5.0 + r.next() * 2.0,
                )
            })
            .collect();
        let people: Vec<f64> = (0..n).map(|_| 500.0 + r.next() * 5000.0).collect();
        let km = |a: (f64, f64), b: (f64, f64)| ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt();
        // Each township's people stand 1 km from its own seat.
        let w: Vec<Vec<f64>> = (0..n)
            .map(|i| {
                (0..n)
                    .map(|j| people[i] * (km(at[i], at[j]) + 1.0))
                    .collect()
            })
            .collect();
        let neighbours: Vec<Vec<usize>> = (0..n)
            .map(|k| {
                (0..n)
                    .filter(|&j| {
                        j != k && ((j / 3 == k / 3 && j.abs_diff(k) == 1) || j.abs_diff(k) == 3)
                    })
                    .collect()
            })
            .collect();
        let problem = CountyProblem {
            w: Box::leak(w.clone().into_boxed_slice()),
            area: (0..n).map(|_| 20.0 + r.next() * 80.0).collect(),
            class: (0..n).map(|k| u8::from(k == n - 1)).collect(),
            mergeable: (0..n).map(|_| r.next() > 0.15).collect(),
            neighbours,
            caps: (0..n)
                .map(|_| {
                    (
                        (r.next() > 0.3).then(|| 150.0 + r.next() * 150.0),
                        (r.next() > 0.5).then(|| 6.0 + r.next() * 8.0),
                    )
                })
                .collect(),
            seat_km: (0..n)
                .map(|i| (0..n).map(|j| km(at[i], at[j])).collect())
                .collect(),
        };
        (w, problem)
    }

    /// Every partition of `n` items, as the block of each item (restricted growth strings:
    /// each item's block at most one more than the largest before it).
    fn partitions(n: usize) -> Vec<Vec<usize>> {
        fn extend(block: &mut Vec<usize>, n: usize, out: &mut Vec<Vec<usize>>) {
            if block.len() == n {
                out.push(block.clone());
                return;
            }
            let next = block.iter().max().map_or(0, |m| m + 1);
            for b in 0..=next {
                block.push(b);
                extend(block, n, out);
                block.pop();
            }
        }
        let mut out = Vec::new();
        extend(&mut Vec::new(), n, &mut out);
        out
    }

    /// The best cost over every partition of the townships into `units` blocks, checked
    /// block by block from the rules, with no listing and no bound.
    fn brute_force(w: &[Vec<f64>], p: &CountyProblem, units: usize) -> Option<f64> {
        let n = w.len();
        partitions(n)
            .into_iter()
            .filter(|block| block.iter().max().map_or(0, |m| m + 1) == units)
            .filter_map(|block| {
                (0..units)
                    .map(|b| {
                        let members: Vec<usize> = (0..n).filter(|&k| block[k] == b).collect();
                        block_cost(w, p, &members)
                    })
                    .sum::<Option<f64>>()
            })
            .min_by(f64::total_cmp)
    }

    #[test]
    fn the_partitions_are_counted_by_the_bell_numbers() {
        let counts: Vec<usize> = (1..=7).map(|n| partitions(n).len()).collect();
        assert_eq!(counts, [1, 2, 5, 15, 52, 203, 877]);
    }

    fn block_cost(w: &[Vec<f64>], p: &CountyProblem, members: &[usize]) -> Option<f64> {
        if members.len() > 1 {
            let class = p.class[members[0]];
            if members
                .iter()
                .any(|&m| !p.mergeable[m] || p.class[m] != class)
            {
                return None;
            }
            // Connected?
            let mut reached = vec![members[0]];
            let mut i = 0;
            while i < reached.len() {
                for &n in &p.neighbours[reached[i]] {
                    if members.contains(&n) && !reached.contains(&n) {
                        reached.push(n);
                    }
                }
                i += 1;
            }
            if reached.len() != members.len() {
                return None;
            }
        }
        let area: f64 = members.iter().map(|&m| p.area[m]).sum();
        members
            .iter()
            .filter(|&&s| {
                members.len() == 1
                    || (p.caps[s].0.is_none_or(|c| area <= c)
                        && p.caps[s]
                            .1
                            .is_none_or(|c| members.iter().all(|&m| p.seat_km[m][s] <= c)))
            })
            .map(|&s| members.iter().map(|&m| w[m][s]).sum::<f64>())
            .min_by(f64::total_cmp)
    }

    #[test]
    fn the_search_finds_the_brute_force_optimum_of_small_counties() {
        let options = Options::default();
        let mut compared = 0;
        for seed in 0..40u64 {
            let n = 5 + (seed % 4) as usize;
            let (w, problem) = county(seed, n);
            for units in [n - 1, n - 2, n.div_ceil(2)] {
                let expected = brute_force(&w, &problem, units);
                let found = problem.best(units, &options);
                match (expected, found) {
                    (Some(e), Solved::Proven { cost }) => {
                        assert!(
                            (e - cost).abs() <= 1e-6 * e,
                            "seed {seed}, {units} units: {cost} against {e}"
                        );
                        compared += 1;
                    }
                    (None, Solved::Proven { cost }) => {
                        assert!(
                            cost.is_infinite(),
                            "seed {seed}: {cost} where none is feasible"
                        )
                    }
                    (e, other) => panic!("seed {seed}: {other:?} against {e:?}"),
                }
            }
        }
        assert!(compared >= 80, "{compared}");
    }

    #[test]
    fn connected_sets_are_listed_once_each() {
        // A 2 x 3 grid, everything mergeable, no caps: 6 singles, 7 pairs, and so on —
        // counted here against every subset tested for connection.
        let (w, mut problem) = county(7, 6);
        problem.mergeable = vec![true; 6];
        problem.class = vec![0; 6];
        problem.caps = vec![(None, None); 6];
        let listed = problem.groups(usize::MAX).unwrap();
        let mut masks: Vec<u64> = listed.iter().map(|g| g.mask).collect();
        masks.sort_unstable();
        let before = masks.len();
        masks.dedup();
        assert_eq!(before, masks.len(), "a set listed twice");
        let connected = (1u64..64)
            .filter(|&m| block_cost(&w, &problem, &bits(m).collect::<Vec<_>>()).is_some())
            .count();
        assert_eq!(masks.len(), connected);
    }
}
