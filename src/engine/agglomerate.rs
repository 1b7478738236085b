//! The greedy agglomeration of one level around the groups fixed by hand (see the engine's
//! module documentation).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use typed_index_collections::TiVec;

use super::hand::Hand;
use super::seat::choose_seat;
use super::{Demand, Unit};
use crate::model::{Level, NewId};
use crate::plan::{Constraint, NewUnit, Outcome, Stage};
use crate::scenario::{Limits, Rules, TargetPer};

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
    /// Seats given by the scenario or by hand among the members: two never meet in a group.
    listed_seats: u32,
    /// Names given by hand among the members: likewise.
    names: u32,
    version: u32,
}

impl Groups {
    fn new(units: &[Unit], named: &[bool]) -> Self {
        Self {
            group_of: (0..units.len()).collect(),
            next: (0..units.len()).collect(),
            groups: units
                .iter()
                .zip(named)
                .enumerate()
                .map(|(i, (u, &named))| {
                    Some(Group {
                        size: 1,
                        area: u.area,
                        registered: u.registered,
                        resident: u.resident,
                        seat: i,
                        listed_seats: u32::from(u.listed_seat),
                        names: u32::from(named),
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
            g.listed_seats += absorbed.listed_seats;
            g.names += absorbed.names;
            g.seat = seat;
            g.version += 1;
        }
    }

    /// Joins `members` into one group, seated by the seat rule; returns the merges made.
    fn join_all(
        &mut self,
        members: &[usize],
        units: &[Unit],
        demand: &Demand,
        rule: crate::scenario::SeatRule,
    ) -> usize {
        let mut merges = 0;
        let mut buffer = Vec::new();
        for &m in members.iter().skip(1) {
            let (a, b) = (self.group_of[members[0]], self.group_of[m]);
            if a == b {
                continue;
            }
            buffer.clear();
            buffer.extend(self.members(a).chain(self.members(b)));
            let seat = choose_seat(units, demand, &buffer, rule);
            self.join(a.min(b), a.max(b), seat);
            merges += 1;
        }
        merges
    }
}

/// The agglomeration of one level: the groups fixed by hand first, then the scenario's manual
/// groups, then the rules, greedily.
pub(super) fn merge_level<'a, K, L: Level>(
    units: &[Unit],
    demand: &Demand,
    neighbours: impl Fn(usize) -> &'a [u32],
    rules: &Rules<K>,
    manual: &[Vec<usize>],
    hand: &Hand,
) -> Stage<L> {
    let n = units.len();
    let named: Vec<bool> = (0..n).map(|u| hand.name_of(u).is_some()).collect();
    let mut state = Groups::new(units, &named);

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

    // 1. Groups fixed by hand, then the scenario's manual groups (less units fixed by hand).
    let fixed: Vec<bool> = (0..n).map(|u| hand.is_fixed(u)).collect();
    let manual_rest: Vec<Vec<usize>> = manual
        .iter()
        .map(|g| g.iter().copied().filter(|&m| !fixed[m]).collect())
        .collect();
    for members in hand.groups().chain(manual_rest.iter().map(Vec::as_slice)) {
        let Some(&first) = members.first() else {
            continue;
        };
        let merges = state.join_all(members, units, demand, rules.seat_rule);
        outcome.merges += merges;
        outcome.manual_merges += merges;
        merges_in[units[first].partition] += merges;
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
        if (g.size == 1 && unit.frozen) || fixed[id] {
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
    let mut buffer: Vec<usize> = Vec::new();
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
                    !units[u].frozen
                        && !fixed[u]
                        && units[u].class == class
                        && units[u].partition == partition
                })
                .map(|u| state.group_of[u])
                .filter(|&h| h != id),
        );
        candidates.sort_unstable();
        candidates.dedup();
        // Two seats or two names given by hand never end in one unit.
        candidates.retain(|&h| {
            state.get(h).is_some_and(|other| {
                let two_seats = g.listed_seats > 0 && other.listed_seats > 0;
                let two_names = g.names > 0 && other.names > 0;
                !(two_seats || two_names)
            })
        });
        if candidates.is_empty() {
            *outcome.blocked.entry(Constraint::NoNeighbour).or_default() += 1;
            continue;
        }
        let mut best: Option<(f64, usize, usize)> = None;
        reasons.clear();
        for &h in &candidates {
            let Some(&other) = state.get(h) else { continue };
            let seat = match rules.seat_rule {
                crate::scenario::SeatRule::MinDistance => {
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
                name: None,
                by_hand: fixed[i],
            });
        }
        let k = NewId::from(new_index[g]);
        new_of.push(k);
        let unit = &mut new_units[k];
        unit.members.push(L::from(i));
        if let Some(name) = hand.name_of(i) {
            unit.name = Some(name.to_string());
        }
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
