//! The greedy agglomeration inside one partition (a county for townships, a new township for
//! villages): merges never cross partitions, so each one runs on its own, in parallel, and its
//! run is kept for the next analysis while its inputs stay the same.
//!
//! A run records the candidates its own priority queue produced, in order: a merge or a
//! block, each with its queue key. Restricted to one partition, a province-wide queue pops
//! exactly the partition's own queue minimum, so merging the recorded sequences by key gives
//! the province-wide order back (see `agglomerate.rs`), and a province-wide target only
//! decides how long a prefix of each partition's sequence holds.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::seat::choose_seat;
use super::{Demand, Unit};
use crate::geodesy::chord_km;
use crate::model::Terrain;
use crate::plan::Constraint;
use crate::scenario::{Limits, Rules, SeatRule};

/// What a partition's run depends on beyond the level's rules and dataset: its units and
/// their flags, the groups fixed before the rules, and its own quota. Two equal inputs give
/// the same run.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct PartitionInput {
    /// Unit indices of the level, ascending. A unit's local index is its position here.
    pub members: Vec<u32>,
    /// Per member: [`FROZEN`], [`LISTED_SEAT`], [`FIXED`], [`NAMED`].
    pub flags: Vec<u8>,
    /// Groups joined before the rules (hand-made, then the scenario's manual ones), as
    /// local indices; a group fixed by hand is flagged [`FIXED`] in its members.
    pub groups: Vec<Vec<u32>>,
    /// Merges allowed in this partition (targets per county); `None`: as the rules go.
    pub quota: Option<usize>,
    /// Whether a target counts this partition's merges (its own quota, or its province's,
    /// city's or quota region's): without thresholds, every unit is then a candidate.
    pub targeted: bool,
}

/// Never merged by the rules (exempt kind, out of scope, locked).
pub(super) const FROZEN: u8 = 1;
/// A seat listed by the scenario or made by hand.
pub(super) const LISTED_SEAT: u8 = 2;
/// In a group fixed by hand.
pub(super) const FIXED: u8 = 4;
/// Carries a name given by hand.
pub(super) const NAMED: u8 = 8;

/// What a partition's run sees of the level.
pub(super) struct Level<'a, 'n, K> {
    pub units: &'a [Unit],
    pub demand: &'a Demand,
    pub neighbours: &'a (dyn Fn(usize) -> &'n [u32] + Sync),
    /// Each unit's local index in its partition.
    pub local_of: &'a [u32],
    pub rules: &'a Rules<K>,
    /// The rules' limits for each terrain.
    pub limits: TerrainLimits,
    /// Mean resident population of the units the rules may merge: the yardstick of
    /// candidates when no threshold applies.
    pub mean_resident: f64,
    /// Whether the local search follows the greedy run (`refine.rs`).
    pub refine: bool,
}

/// A candidate's place in the queue: weakest first, then by unit index, then by version.
pub(super) type Key = (u64, u32, u32);

/// One candidate taken from the queue.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Event {
    pub key: Key,
    pub what: What,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum What {
    /// Local group `gone` joined local group `keep`, seated at local unit `seat`.
    Merge { keep: u32, gone: u32, seat: u32 },
    /// No neighbour could take it: the constraints that stopped it, as bits of
    /// [`Constraint::bit`].
    Blocked(u8),
}

/// A neighbouring group a candidate could have merged with, as the run weighed it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Considered {
    /// The neighbouring group (its id: the local index of one of its units).
    pub group: u32,
    /// The seat the merged group would have had (local index).
    pub seat: u32,
    /// The farthest member of the merged group from that seat (km): the compactness the
    /// run minimises.
    pub reach_km: f32,
    /// The merged group's area (km²).
    pub area_km2: f32,
    /// The caps it broke, as bits of [`Constraint::bit`] (0: feasible).
    pub broke: u8,
}

/// A partition run: its input, the state once the fixed groups are joined, and the events.
#[derive(Debug)]
pub(super) struct PartitionRun {
    pub input: PartitionInput,
    /// Merges made joining the fixed groups.
    pub fixed_merges: usize,
    /// The groups once the fixed ones are joined, if there are any.
    start: Option<Groups>,
    pub events: Vec<Event>,
    /// The neighbours each event weighed: those of event `i` are
    /// `considered[considered_from[i]..considered_from[i + 1]]`.
    pub considered: Vec<Considered>,
    pub considered_from: Vec<u32>,
    /// Candidate groups the run left as they were because the partition's own quota was used.
    pub skipped: Vec<u32>,
}

impl PartitionRun {
    /// Each unit's group (by local index) once the fixed groups are joined, and each group's
    /// seat (by group id; a unit alone is its own seat).
    pub fn initial(&self) -> (Vec<u32>, Vec<u32>) {
        let n = self.input.members.len() as u32;
        match &self.start {
            Some(start) => (
                start.group_of.clone(),
                (0..n)
                    .map(|g| start.get(g as usize).map_or(g, |group| group.seat))
                    .collect(),
            ),
            None => ((0..n).collect(), (0..n).collect()),
        }
    }

    /// The neighbouring groups event `i` weighed.
    pub fn considered(&self, i: usize) -> &[Considered] {
        let (from, to) = (self.considered_from[i], self.considered_from[i + 1]);
        &self.considered[from as usize..to as usize]
    }
}

/// What a run needs for a while and drops: kept by each thread from one run to the next.
#[derive(Default)]
pub(super) struct Scratch {
    members: Vec<usize>,
    buffer: Vec<usize>,
    candidates: Vec<usize>,
    heap: BinaryHeap<Reverse<(Key, u32)>>,
}

impl PartitionRun {
    /// The groups after the first `prefix` events.
    pub fn groups_after(&self, prefix: usize, units: &[Unit]) -> Groups {
        let mut groups = match &self.start {
            Some(start) => start.clone(),
            None => Groups::new(&self.input, units),
        };
        for event in &self.events[..prefix] {
            if let What::Merge { keep, gone, seat } = event.what {
                groups.join(keep as usize, gone as usize, seat as usize);
            }
        }
        groups
    }
}

/// Groups of a partition's units during a run, by local index. Members are kept in
/// intrusive circular lists (`next`), so a merge splices two lists in O(1).
#[derive(Debug, Clone)]
pub(super) struct Groups {
    /// The group each unit belongs to (a group's id is the local index of one of its units).
    pub group_of: Vec<u32>,
    /// Next member in the unit's group (circular).
    next: Vec<u32>,
    /// Per group id; `None` once merged into another.
    groups: Vec<Option<Group>>,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Group {
    size: u32,
    area: f64,
    registered: f64,
    resident: f64,
    /// Local index of the seat.
    pub seat: u32,
    /// Seats given by the scenario or by hand among the members: two never meet in a group.
    listed_seats: u32,
    /// Names given by hand among the members: likewise.
    names: u32,
    version: u32,
}

impl Groups {
    pub(super) fn new(input: &PartitionInput, units: &[Unit]) -> Self {
        let n = input.members.len() as u32;
        Self {
            group_of: (0..n).collect(),
            next: (0..n).collect(),
            groups: input
                .members
                .iter()
                .zip(&input.flags)
                .zip(0..)
                .map(|((&m, &flags), local)| {
                    let u = &units[m as usize];
                    Some(Group {
                        size: 1,
                        area: u.area,
                        registered: u.registered,
                        resident: u.resident,
                        seat: local,
                        listed_seats: u32::from(flags & LISTED_SEAT != 0),
                        names: u32::from(flags & NAMED != 0),
                        version: 0,
                    })
                })
                .collect(),
        }
    }

    pub fn get(&self, id: usize) -> Option<&Group> {
        self.groups[id].as_ref()
    }

    /// The members of group `id` (its id is one of them), as local indices.
    pub(super) fn members(&self, id: usize) -> impl Iterator<Item = usize> + '_ {
        let size = self.groups[id].map_or(0, |g| g.size);
        std::iter::successors(Some(id), move |&m| Some(self.next[m] as usize)).take(size as usize)
    }

    /// Merges group `gone` into group `keep`, with `seat` as the surviving seat.
    pub(super) fn join(&mut self, keep: usize, gone: usize, seat: usize) {
        let (Some(absorbed), Some(_)) = (self.groups[gone].take(), self.groups[keep]) else {
            return;
        };
        let mut m = gone;
        for _ in 0..absorbed.size {
            self.group_of[m] = keep as u32;
            m = self.next[m] as usize;
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
            g.seat = seat as u32;
            g.version += 1;
        }
    }
}

impl<K> Level<'_, '_, K> {
    /// The seat the rule gives a group of local `members` of `input`'s partition.
    pub(super) fn seat(
        &self,
        input: &PartitionInput,
        members: &[usize],
        buffer: &mut Vec<usize>,
    ) -> usize {
        buffer.clear();
        buffer.extend(members.iter().map(|&l| input.members[l] as usize));
        let seat = choose_seat(self.units, self.demand, buffer, self.rules.seat_rule);
        self.local_of[seat] as usize
    }

    /// How far below its thresholds a group is, if it is a candidate.
    fn shortfall(&self, input: &PartitionInput, g: &Group) -> Option<f64> {
        let seat = &self.units[input.members[g.seat as usize] as usize];
        let limits = self.limits.of(seat.terrain);
        match shortfall_ratio(g, limits).map(|r| r / seat.scale) {
            Some(r) if r < 1.0 => Some(r),
            Some(_) => None,
            None if input.targeted => Some(g.resident / self.mean_resident.max(1e-9) / seat.scale),
            None => None,
        }
    }

    /// Runs the partition: the fixed groups, then the rules until no candidate is left or
    /// its quota is used. Returns the run and the groups after all its events (what
    /// [`PartitionRun::groups_after`] gives again for the whole run).
    pub fn run(&self, input: PartitionInput, scratch: &mut Scratch) -> (PartitionRun, Groups) {
        let mut state = Groups::new(&input, self.units);
        scratch.heap.clear();
        let fixed_merges = self.join_fixed_groups(&input, &mut state, scratch);
        // Without fixed groups the start is the partition's units alone, made again on demand.
        let start = (!input.groups.is_empty()).then(|| state.clone());
        self.queue_candidates(&input, &state, &mut scratch.heap);
        let mut merges = fixed_merges;
        let mut events = Vec::new();
        let (mut considered, mut considered_from) = (Vec::new(), vec![0u32]);
        let mut skipped = Vec::new();
        while let Some(Reverse((k, id))) = scratch.heap.pop() {
            let id = id as usize;
            let Some(&g) = state.get(id) else { continue };
            if g.version != k.2 {
                continue;
            }
            if input.quota.is_some_and(|q| merges >= q) {
                skipped.push(id as u32);
                continue;
            }
            self.neighbour_groups(&input, &state, id, &g, &mut scratch.candidates);
            if scratch.candidates.is_empty() {
                events.push(Event {
                    key: k,
                    what: What::Blocked(Constraint::NoNeighbour.bit()),
                });
                considered_from.push(considered.len() as u32);
                continue;
            }
            let (h, seat) = match self.best_merge(&input, &state, id, &g, scratch, &mut considered)
            {
                Ok(best) => best,
                Err(reasons) => {
                    events.push(Event {
                        key: k,
                        what: What::Blocked(reasons),
                    });
                    considered_from.push(considered.len() as u32);
                    continue;
                }
            };
            let (keep, gone) = (id.min(h), id.max(h));
            state.join(keep, gone, seat);
            events.push(Event {
                key: k,
                what: What::Merge {
                    keep: keep as u32,
                    gone: gone as u32,
                    seat: seat as u32,
                },
            });
            considered_from.push(considered.len() as u32);
            merges += 1;
            if let Some(merged) = state.get(keep)
                && let Some(r) = self.shortfall(&input, merged)
            {
                let key = candidate_key(&input, r, keep, merged.version);
                scratch.heap.push(Reverse((key, keep as u32)));
            }
        }
        let run = PartitionRun {
            input,
            fixed_merges,
            start,
            events,
            considered,
            considered_from,
            skipped,
        };
        (run, state)
    }

    /// Forms the fixed groups, each joined one member at a time; returns the merges made.
    fn join_fixed_groups(
        &self,
        input: &PartitionInput,
        state: &mut Groups,
        scratch: &mut Scratch,
    ) -> usize {
        let mut fixed_merges = 0;
        for group in &input.groups {
            let Some(&first) = group.first() else {
                continue;
            };
            for &m in &group[1..] {
                let (a, b) = (
                    state.group_of[first as usize] as usize,
                    state.group_of[m as usize] as usize,
                );
                if a == b {
                    continue;
                }
                scratch.members.clear();
                scratch
                    .members
                    .extend(state.members(a).chain(state.members(b)));
                let seat = self.seat(input, &scratch.members, &mut scratch.buffer);
                state.join(a.min(b), a.max(b), seat);
                fixed_merges += 1;
            }
        }
        fixed_merges
    }

    /// Queues the candidates, weakest first: groups below their thresholds (or every group
    /// under a target), but frozen units alone and fixed groups.
    fn queue_candidates(
        &self,
        input: &PartitionInput,
        state: &Groups,
        heap: &mut BinaryHeap<Reverse<(Key, u32)>>,
    ) {
        let flag = |local: usize, f: u8| input.flags[local] & f != 0;
        for id in 0..input.members.len() {
            let Some(g) = state.get(id) else { continue };
            if (g.size == 1 && flag(id, FROZEN)) || flag(id, FIXED) {
                continue;
            }
            if let Some(r) = self.shortfall(input, g) {
                heap.push(Reverse((candidate_key(input, r, id, g.version), id as u32)));
            }
        }
    }

    /// The neighbouring groups group `id` (`g`) may merge with, into `candidates`: adjacent,
    /// in its partition and class, neither frozen nor fixed, and never two seats or two
    /// names given by hand in one unit.
    fn neighbour_groups(
        &self,
        input: &PartitionInput,
        state: &Groups,
        id: usize,
        g: &Group,
        candidates: &mut Vec<usize>,
    ) {
        let units = self.units;
        let global = |local: usize| input.members[local] as usize;
        let flag = |local: usize, f: u8| input.flags[local] & f != 0;
        let class = units[global(g.seat as usize)].class;
        candidates.clear();
        candidates.extend(
            state
                .members(id)
                .flat_map(|m| (self.neighbours)(global(m)).iter().map(|&u| u as usize))
                .filter(|&u| {
                    let local = self.local_of[u] as usize;
                    // A neighbour in another partition may share a local index.
                    units[u].partition == units[global(0)].partition
                        && !flag(local, FROZEN)
                        && !flag(local, FIXED)
                        && units[u].class == class
                })
                .map(|u| state.group_of[self.local_of[u] as usize] as usize)
                .filter(|&h| h != id),
        );
        candidates.sort_unstable();
        candidates.dedup();
        candidates.retain(|&h| {
            state.get(h).is_some_and(|other| {
                let two_seats = g.listed_seats > 0 && other.listed_seats > 0;
                let two_names = g.names > 0 && other.names > 0;
                !(two_seats || two_names)
            })
        });
    }

    /// The candidate neighbour (in `scratch.candidates`) that keeps the merged group most
    /// compact within the caps, with the merged seat; else the constraints that blocked
    /// every one. Each neighbour as weighed goes to `considered`.
    fn best_merge(
        &self,
        input: &PartitionInput,
        state: &Groups,
        id: usize,
        g: &Group,
        scratch: &mut Scratch,
        considered: &mut Vec<Considered>,
    ) -> Result<(usize, usize), u8> {
        let units = self.units;
        let global = |local: usize| input.members[local] as usize;
        let Scratch {
            members,
            buffer,
            candidates,
            ..
        } = scratch;
        let mut best: Option<(f64, usize, usize)> = None;
        let mut reasons = 0u8;
        for &h in candidates.iter() {
            let Some(&other) = state.get(h) else { continue };
            members.clear();
            match self.rules.seat_rule {
                SeatRule::MinDistance => {
                    members.extend(state.members(id).chain(state.members(h)));
                }
                // The best of the union is the better of the two seats (a listed seat is
                // already its group's seat).
                _ => members.extend([g.seat as usize, other.seat as usize]),
            }
            let seat = self.seat(input, members, buffer);
            let limits = self.limits.of(units[global(seat)].terrain);
            let area = g.area + other.area;
            let seat_point = units[global(seat)].sphere;
            let reach = chord_km(
                state
                    .members(id)
                    .chain(state.members(h))
                    .map(|m| units[global(m)].sphere.chord(&seat_point))
                    .fold(0.0, f64::max),
            );
            let mut broke = 0u8;
            if limits.max_area_km2.is_some_and(|cap| area > cap) {
                broke |= Constraint::MaxArea.bit();
            }
            if limits.max_seat_distance_km.is_some_and(|cap| reach > cap) {
                broke |= Constraint::MaxSeatDistance.bit();
            }
            considered.push(Considered {
                group: h as u32,
                seat: seat as u32,
                reach_km: reach as f32,
                area_km2: area as f32,
                broke,
            });
            reasons |= broke;
            let ok = broke == 0;
            // Ties go to the lower seat, by unit index (local order is unit order).
            if ok && best.is_none_or(|(r, _, s)| reach < r || (reach == r && seat < s)) {
                best = Some((reach, h, seat));
            }
        }
        best.map(|(_, h, seat)| (h, seat)).ok_or(reasons)
    }
}

/// A candidate's place in the queue: its shortfall, then its unit, then its group's version
/// (a stale entry is skipped).
fn candidate_key(input: &PartitionInput, ratio: f64, id: usize, version: u32) -> Key {
    (ratio.max(0.0).to_bits(), input.members[id], version)
}

/// A level's limits for each terrain class, looked up once.
#[derive(Debug, Clone, Copy)]
pub(super) struct TerrainLimits([Limits; 5]);

impl TerrainLimits {
    pub fn new<K>(rules: &Rules<K>) -> Self {
        Self(std::array::from_fn(|k| {
            rules.limits_for(Terrain::ALL.get(k).copied())
        }))
    }

    pub fn of(&self, terrain: Option<Terrain>) -> &Limits {
        let k = terrain.and_then(|t| Terrain::ALL.iter().position(|&x| x == t));
        &self.0[k.unwrap_or(Terrain::ALL.len())]
    }
}

/// The smallest of area/threshold and population/threshold over the thresholds set; `None`
/// if no threshold is set.
fn shortfall_ratio(g: &Group, limits: &Limits) -> Option<f64> {
    size_ratio(g.area, g.registered, g.resident, limits)
}

/// The smallest of area/threshold and population/threshold for a unit of these sizes.
pub(super) fn size_ratio(
    area: f64,
    registered: f64,
    resident: f64,
    limits: &Limits,
) -> Option<f64> {
    [
        (area, limits.min_area_km2),
        (registered, limits.min_registered_pop),
        (resident, limits.min_resident_pop),
    ]
    .into_iter()
    .filter_map(|(value, threshold)| {
        // Where no threshold is set the division runs on 1: the compiler may divide before
        // it tests, and what an empty `Option` holds may be a denormal, which makes a
        // division a hundred cycles (once the whole scenario 15 % slower).
        let ratio = value / threshold.unwrap_or(1.0);
        threshold.is_some().then_some(ratio)
    })
    .map(|r| if r.is_finite() { r } else { f64::MAX })
    .reduce(f64::min)
}
