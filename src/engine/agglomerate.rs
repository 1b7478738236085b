//! The greedy agglomeration of one level around the groups fixed by hand (see the engine's
//! module documentation): each partition runs on its own (`partition.rs`), in parallel, or is
//! taken from the previous analysis when its inputs are the same; then a province-wide
//! target decides how much of each partition's run holds.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use typed_index_collections::TiVec;

use super::hand::Hand;
use super::partition::{
    self, Event, FIXED, FROZEN, Groups, LISTED_SEAT, NAMED, PartitionInput, PartitionRun, What,
};
use super::refine::Move;
use super::{Demand, Unit};
use crate::model::{Level, NewId};
use crate::plan::{Constraint, NewUnit, Outcome, Stage};
use crate::scenario::quota::Quota;
use crate::scenario::{Rules, TargetPer};

/// The partition runs of one level, by the first unit of each partition, with the new units
/// the last analysis took from them.
#[derive(Debug, Clone)]
pub(super) struct Runs<L> {
    slots: FxHashMap<u32, Slot<L>>,
}

impl<L> Default for Runs<L> {
    fn default() -> Self {
        Self {
            slots: FxHashMap::default(),
        }
    }
}

#[derive(Debug, Clone)]
pub(super) struct Slot<L> {
    pub run: Arc<PartitionRun>,
    /// How many of the run's events held, what they count, and the groups they give as new
    /// units.
    pub prefix: usize,
    tally: Tally,
    pub lineage: Arc<Lineage<L>>,
    /// The local search's moves from the groups at the prefix to the lineage's.
    pub moves: Arc<[Move]>,
}

/// The merges and the candidates blocked (by [`Constraint::ALL`]) among a run's events that
/// held.
#[derive(Debug, Clone, Copy, Default)]
struct Tally {
    merges: usize,
    blocked: [usize; Constraint::ALL.len()],
}

impl Tally {
    fn of(events: &[Event]) -> Self {
        let mut tally = Self::default();
        for event in events {
            match event.what {
                What::Merge { .. } => tally.merges += 1,
                What::Blocked(bits) => {
                    for (count, c) in tally.blocked.iter_mut().zip(Constraint::ALL) {
                        *count += usize::from(bits & c.bit() != 0);
                    }
                }
            }
        }
        tally
    }
}

/// A partition's groups as new units, in order of their first member: each one's seat and
/// members (ascending), which the plan's new units share.
pub(super) type Lineage<L> = Vec<(L, Arc<[L]>)>;

/// Where a partition's run comes from: made now (with its groups after all its events), or
/// kept from the previous analysis.
enum Made<'a, L> {
    Now(Groups),
    Kept(&'a Slot<L>),
}

/// The new units of `groups` of a partition of `members`.
fn new_units_of<L: Level>(members: &[u32], groups: &Groups) -> Lineage<L> {
    // Each group's place in order of first member, its seat and size; then the members laid
    // out group after group, each group's slice shared as one new unit's list.
    let mut index_of: Vec<u32> = vec![u32::MAX; members.len()];
    let mut seats: Vec<(u32, u32)> = Vec::new();
    for (local, &group) in groups.group_of.iter().enumerate() {
        let group = group as usize;
        if index_of[group] == u32::MAX {
            index_of[group] = seats.len() as u32;
            let seat = groups.get(group).map_or(local, |g| g.seat as usize);
            seats.push((members[seat], 0));
        }
        seats[index_of[group] as usize].1 += 1;
    }
    let mut start: Vec<usize> = Vec::with_capacity(seats.len() + 1);
    start.push(0);
    for &(_, size) in &seats {
        start.push(start[start.len() - 1] + size as usize);
    }
    let mut laid_out = vec![L::from(0); members.len()];
    let mut next = start.clone();
    for (local, &unit) in members.iter().enumerate() {
        let k = index_of[groups.group_of[local] as usize] as usize;
        laid_out[next[k]] = L::from(unit as usize);
        next[k] += 1;
    }
    seats
        .iter()
        .zip(start.windows(2))
        .map(|(&(seat, _), range)| {
            (
                L::from(seat as usize),
                Arc::from(&laid_out[range[0]..range[1]]),
            )
        })
        .collect()
}

impl<L> Runs<L> {
    /// Each partition's slot, in no order.
    pub fn slots(&self) -> impl Iterator<Item = &Slot<L>> {
        self.slots.values()
    }

    /// How many partitions were run, rather than taken from `previous`.
    pub fn fresh_since(&self, previous: &Runs<L>) -> usize {
        self.slots
            .iter()
            .filter(|(first, slot)| {
                previous
                    .slots
                    .get(first)
                    .is_none_or(|old| !Arc::ptr_eq(&old.run, &slot.run))
            })
            .count()
    }
}

/// What one level's agglomeration needs besides its units.
pub(super) struct LevelContext<'a, 'n, K, L> {
    pub demand: &'a Demand,
    pub neighbours: &'a (dyn Fn(usize) -> &'n [u32] + Sync),
    pub rules: &'a Rules<K>,
    /// Mean resident population of the units the rules may merge (see [`partition::Level`]).
    pub mean_resident: f64,
    /// Runs of the previous analysis made with the same rules on the same dataset.
    pub previous: Option<&'a Runs<L>>,
    /// Whether the local search follows the greedy (townships: see `refine.rs`).
    pub refine: bool,
}

/// The agglomeration of one level: the groups fixed by hand first, then the scenario's manual
/// groups, then the rules, greedily. `partitions[p]` lists the units of partition `p`
/// (ascending).
pub(super) fn merge_level<K: Sync, L: Level>(
    units: &[Unit],
    partitions: Vec<Vec<u32>>,
    context: &LevelContext<'_, '_, K, L>,
    manual: &[Vec<usize>],
    hand: &Hand,
) -> (Stage<L>, Runs<L>) {
    let rules = context.rules;
    let n = units.len();
    debug_assert_eq!(partitions.iter().map(Vec::len).sum::<usize>(), n);
    debug_assert!(partitions.iter().enumerate().all(|(p, members)| {
        members.is_sorted() && members.iter().all(|&m| units[m as usize].partition == p)
    }));
    let local_of = local_places(&partitions, n);
    let groups_of = fixed_groups(units, partitions.len(), manual, hand, &local_of);
    let level = partition::Level {
        units,
        demand: context.demand,
        neighbours: context.neighbours,
        local_of: &local_of,
        rules,
        limits: partition::TerrainLimits::new(rules),
        mean_resident: context.mean_resident,
        refine: context.refine,
    };
    let (runs, made, regular) =
        run_partitions(&level, context.previous, hand, partitions, groups_of);
    let targets = RegionTargets::of(units, &runs, &regular);
    let prefixes = run_prefixes(units, &runs, &targets.merges);
    let fixed_merges: usize = runs.iter().map(|r| r.fixed_merges).sum();
    let slots = slots_at(&level, runs, prefixes, made);
    let outcome = outcome_of(&slots, &targets, fixed_merges);
    let (new_units, new_of) = new_units_in_order(&slots, hand, n);
    let runs = Runs {
        slots: slots
            .into_iter()
            .map(|slot| (slot.run.input.members[0], slot))
            .collect(),
    };
    (
        Stage {
            units: new_units,
            new_of,
            outcome,
        },
        runs,
    )
}

/// Each unit's place in its partition.
fn local_places(partitions: &[Vec<u32>], n: usize) -> Vec<u32> {
    let mut local_of: Vec<u32> = vec![0; n];
    for members in partitions {
        for (local, &m) in members.iter().enumerate() {
            local_of[m as usize] = local as u32;
        }
    }
    local_of
}

/// Each partition's groups fixed by hand, then the scenario's manual groups (less units
/// fixed by hand), as places in the partition.
fn fixed_groups(
    units: &[Unit],
    partitions: usize,
    manual: &[Vec<usize>],
    hand: &Hand,
    local_of: &[u32],
) -> Vec<Vec<Vec<u32>>> {
    let mut groups_of: Vec<Vec<Vec<u32>>> = vec![Vec::new(); partitions];
    let manual_rest = manual
        .iter()
        .map(|g| g.iter().copied().filter(|&m| !hand.is_fixed(m)).collect());
    for group in hand.groups().map(<[usize]>::to_vec).chain(manual_rest) {
        let Some(&first) = group.first() else {
            continue;
        };
        let partition = units[first].partition;
        debug_assert!(group.iter().all(|&m| units[m].partition == partition));
        groups_of[partition].push(group.iter().map(|&m| local_of[m]).collect());
    }
    groups_of
}

/// A partition's input (its members, their flags, its groups and quota), with its units in
/// the target base.
fn partition_input<K>(
    units: &[Unit],
    rules: &Rules<K>,
    hand: &Hand,
    members: Vec<u32>,
    groups: Vec<Vec<u32>>,
) -> (PartitionInput, usize) {
    let first = &units[members[0] as usize];
    let regular = members
        .iter()
        .filter(|&&m| units[m as usize].regular)
        .count();
    // Its own quota, for targets per county (and no quota region).
    let quota = match (rules.target_reduction_pct, rules.target_per) {
        (Some(pct), TargetPer::County) if first.region_quota.is_none() => {
            Some(Quota::CutPct(pct).merges(regular))
        }
        _ => None,
    };
    let flags = members
        .iter()
        .map(|&m| {
            let (m, u) = (m as usize, &units[m as usize]);
            [
                (u.frozen, FROZEN),
                (u.listed_seat, LISTED_SEAT),
                (hand.is_fixed(m), FIXED),
                (hand.name_of(m).is_some(), NAMED),
            ]
            .into_iter()
            .filter(|&(set, _)| set)
            .fold(0, |flags, (_, flag)| flags | flag)
        })
        .collect();
    let input = PartitionInput {
        targeted: quota.is_some() || first.region_quota.is_some(),
        members,
        flags,
        groups,
        quota,
    };
    (input, regular)
}

/// Each partition's run, taken from `previous` if its input is the same, else made now (in
/// parallel, with its groups at the end); and each one's units in the target base.
fn run_partitions<'p, K: Sync, L: Level>(
    level: &partition::Level<'_, '_, K>,
    previous: Option<&'p Runs<L>>,
    hand: &Hand,
    partitions: Vec<Vec<u32>>,
    groups_of: Vec<Vec<Vec<u32>>>,
) -> (Vec<Arc<PartitionRun>>, Vec<Made<'p, L>>, Vec<usize>) {
    let previous_slot = |input: &PartitionInput| {
        previous
            .and_then(|runs| runs.slots.get(&input.members[0]))
            .filter(|slot| slot.run.input == *input)
    };
    let ((runs, made), regular): ((Vec<Arc<PartitionRun>>, Vec<_>), Vec<_>) = partitions
        .into_par_iter()
        .zip(groups_of)
        .filter(|(members, _)| !members.is_empty())
        .map(|(members, groups)| partition_input(level.units, level.rules, hand, members, groups))
        .map_init(partition::Scratch::default, |scratch, (input, regular)| {
            let run = match previous_slot(&input) {
                Some(slot) => (slot.run.clone(), Made::Kept(slot)),
                None => {
                    let (run, end) = level.run(input, scratch);
                    (Arc::new(run), Made::Now(end))
                }
            };
            (run, regular)
        })
        .unzip();
    (runs, made, regular)
}

/// The targets met after the runs: each region's merges (a quota, or the level's target per
/// province or city; `None` where each county meets its own inside its run), and the units
/// in scope.
struct RegionTargets {
    merges: Vec<Option<usize>>,
    units_in_scope: usize,
}

impl RegionTargets {
    fn of(units: &[Unit], runs: &[Arc<PartitionRun>], regular: &[usize]) -> Self {
        // Each region's quota and units in scope.
        let mut regions_of: Vec<(Option<Quota>, usize)> = Vec::new();
        for (run, &regular) in runs.iter().zip(regular) {
            let first = &units[run.input.members[0] as usize];
            let i = first.region as usize;
            if i >= regions_of.len() {
                regions_of.resize_with(i + 1, Default::default);
            }
            regions_of[i].0 = first.region_quota;
            regions_of[i].1 += regular;
        }
        Self {
            merges: regions_of
                .iter()
                .map(|&(quota, in_scope)| quota.map(|q| q.merges(in_scope)))
                .collect(),
            units_in_scope: regular.iter().sum(),
        }
    }
}

/// How many events of each run hold: all of them, but in a region with a target, as many as
/// one province-wide queue takes to meet it.
fn run_prefixes(
    units: &[Unit],
    runs: &[Arc<PartitionRun>],
    region_targets: &[Option<usize>],
) -> Vec<usize> {
    let mut runs_of: Vec<Vec<usize>> = vec![Vec::new(); region_targets.len()];
    for (r, run) in runs.iter().enumerate() {
        runs_of[units[run.input.members[0] as usize].region as usize].push(r);
    }
    let mut prefixes: Vec<usize> = runs.iter().map(|r| r.events.len()).collect();
    for (mine, target) in runs_of.iter().zip(region_targets) {
        let Some(target) = *target else { continue };
        let of_region: Vec<Arc<PartitionRun>> = mine.iter().map(|&r| runs[r].clone()).collect();
        let fixed: usize = of_region.iter().map(|r| r.fixed_merges).sum();
        for (r, prefix) in mine
            .iter()
            .zip(province_prefixes(&of_region, target, fixed))
        {
            prefixes[*r] = prefix;
        }
    }
    prefixes
}

/// The groups each run gives at its prefix, refined, as new units (kept from the previous
/// analysis if the same).
fn slots_at<K: Sync, L: Level>(
    level: &partition::Level<'_, '_, K>,
    runs: Vec<Arc<PartitionRun>>,
    prefixes: Vec<usize>,
    made: Vec<Made<'_, L>>,
) -> Vec<Slot<L>> {
    runs.into_par_iter()
        .zip(prefixes)
        .zip(made)
        .map(|((run, prefix), made)| {
            let (tally, lineage, moves) = match made {
                Made::Kept(slot) if slot.prefix == prefix => {
                    (slot.tally, slot.lineage.clone(), slot.moves.clone())
                }
                made => {
                    let groups = match made {
                        Made::Now(end) if prefix == run.events.len() => end,
                        _ => run.groups_after(prefix, level.units),
                    };
                    let (groups, moves) = level.refine(&run.input, groups);
                    (
                        Tally::of(&run.events[..prefix]),
                        Arc::new(new_units_of(&run.input.members, &groups)),
                        Arc::from(moves),
                    )
                }
            };
            Slot {
                run,
                prefix,
                tally,
                lineage,
                moves,
            }
        })
        .collect()
}

/// What the runs' events that held count, with the merges made by hand.
fn outcome_of<L>(slots: &[Slot<L>], targets: &RegionTargets, fixed_merges: usize) -> Outcome {
    let quotas = slots.iter().filter_map(|s| s.run.input.quota);
    let region_targets = &targets.merges;
    let has_target = region_targets.iter().any(Option::is_some) || quotas.clone().next().is_some();
    let mut outcome = Outcome {
        units_in_scope: targets.units_in_scope,
        target_merges: has_target
            .then(|| region_targets.iter().flatten().sum::<usize>() + quotas.sum::<usize>()),
        merges: fixed_merges,
        manual_merges: fixed_merges,
        ..Outcome::default()
    };
    let mut blocked = [0; Constraint::ALL.len()];
    for slot in slots {
        outcome.merges += slot.tally.merges;
        for (total, count) in blocked.iter_mut().zip(slot.tally.blocked) {
            *total += count;
        }
    }
    outcome.blocked = Constraint::ALL
        .into_iter()
        .zip(blocked)
        .filter(|&(_, count)| count > 0)
        .collect();
    outcome
}

/// A level's new units, and each former unit's new one.
type NewUnits<L> = (TiVec<NewId<L>, NewUnit<L>>, TiVec<L, NewId<L>>);

/// The level's new units in order of their first former unit, and each former unit's new one.
fn new_units_in_order<L: Level>(slots: &[Slot<L>], hand: &Hand, n: usize) -> NewUnits<L> {
    let mut first_of: Vec<(u32, u32)> = vec![(u32::MAX, 0); n];
    for (s, slot) in slots.iter().enumerate() {
        for (k, (_, members)) in slot.lineage.iter().enumerate() {
            first_of[members[0].into()] = (s as u32, k as u32);
        }
    }
    let mut new_units: TiVec<NewId<L>, NewUnit<L>> = TiVec::with_capacity(n);
    let mut new_of: TiVec<L, NewId<L>> = vec![NewId::from(0); n].into();
    for (first, &(s, k)) in first_of.iter().enumerate() {
        if s == u32::MAX {
            continue;
        }
        let (seat, members) = &slots[s as usize].lineage[k as usize];
        let id = new_units.next_key();
        let mut name = None;
        for &m in members.iter() {
            new_of[m] = id;
            if let Some(given) = hand.name_of(m.into()) {
                name = Some(given);
            }
        }
        new_units.push(NewUnit {
            seat: *seat,
            members: members.clone(),
            name: name.map(str::to_string),
            by_hand: hand.is_fixed(first),
        });
    }
    (new_units, new_of)
}

/// How many events of each run hold under a province-wide target of `target` merges, of
/// which `fixed` were made by hand: the runs' events taken in the order of their keys, as
/// one province-wide queue would have taken them, until the target is met.
fn province_prefixes(runs: &[Arc<PartitionRun>], target: usize, fixed: usize) -> Vec<usize> {
    let mut prefixes = vec![0; runs.len()];
    let mut merges = fixed;
    let head = |run: usize, at: usize| -> Option<Reverse<(partition::Key, usize)>> {
        let event: &Event = runs[run].events.get(at)?;
        Some(Reverse((event.key, run)))
    };
    let mut queue: BinaryHeap<_> = (0..runs.len()).filter_map(|r| head(r, 0)).collect();
    while let Some(Reverse((_, run))) = queue.pop() {
        if merges >= target {
            break;
        }
        if matches!(runs[run].events[prefixes[run]].what, What::Merge { .. }) {
            merges += 1;
        }
        prefixes[run] += 1;
        queue.extend(head(run, prefixes[run]));
    }
    prefixes
}
