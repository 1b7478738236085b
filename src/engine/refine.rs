//! The local search after a partition's greedy run: a unit on the edge of its group moves to a
//! neighbouring group when that lowers the people × km from the units' people to their seats.
//!
//! The greedy merges the weakest candidate into its most compact neighbour, one merge at a
//! time, and never revisits a merge; a unit it placed early can end nearer another group's
//! seat than its own. A move keeps the number of units, and every rule the greedy keeps:
//! - both groups stay connected and the donor keeps at least one member;
//! - the units stay in their class (streets apart), and the caps on area and on the distance
//!   to the seat hold for both groups, under the seats the scenario's seat rule gives them;
//! - a group that met its size thresholds still meets them;
//! - units locked, exempt, out of scope, listed as seats, fixed by hand or in the scenario's
//!   manual groups do not move, and nothing moves into a group fixed by hand.
//!
//! Moves are tried unit by unit in order, the best neighbour first, for a few passes; a unit
//! that could not move is tried again only once its group or a group next to it has changed,
//! since the same test would give the same answer. Then one
//! *exchange*: the unit whose leaving saves most stands alone while the lone unit that costs
//! least joins a neighbouring group (the leaving unit must meet the thresholds alone), and
//! the moves again. Each step lowers the cost, so the search ends, and it is deterministic. It depends only on the
//! partition's run and prefix, so a partition taken from the previous analysis keeps its
//! refined groups.

use crate::geodesy::chord_km;

use super::partition::{
    FIXED, FROZEN, Groups, LISTED_SEAT, Level, NAMED, PartitionInput, size_ratio,
};

/// Passes over the partition's units; each pass tries to move every unit once.
const MAX_PASSES: usize = 6;

/// A move must save at least this share of the two groups' cost (guards against moves that
/// only shuffle rounding).
const MIN_SAVING: f64 = 1e-9;

/// One move of the search, in the order made: `unit` (local) leaves its group, which is then
/// seated at `from_seat`, for group `to` (its number in the search: the greedy's group ids,
/// then the groups the exchanges open, numbered from the partition's size on), then seated
/// at `to_seat`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Move {
    pub unit: u32,
    pub from_seat: u32,
    pub to: u32,
    pub to_seat: u32,
    /// People × km saved (for an exchange, on its second move, by the two together).
    pub saving: f64,
}

impl<K> Level<'_, '_, K> {
    /// `groups` after moving edge units between neighbouring groups while that saves people ×
    /// km (see the module documentation), and the moves made.
    pub(super) fn refine(&self, input: &PartitionInput, groups: Groups) -> (Groups, Vec<Move>) {
        if !self.refine {
            return (groups, Vec::new());
        }
        let mut search = Search::new(self, input, &groups);
        if search.improve() {
            let moves = std::mem::take(&mut search.log);
            (search.into_groups(), moves)
        } else {
            (groups, Vec::new())
        }
    }
}

/// The groups after `moves` of a search that started from `groups` (`seats` by group id, as
/// the search numbers them): what the search gives, rebuilt from its record.
pub(super) fn replay_moves(
    group_of: &[u32],
    seats: &[u32],
    moves: &[Move],
) -> Vec<(u32, Vec<u32>)> {
    let n = group_of.len();
    let mut members: Vec<Vec<u32>> = vec![Vec::new(); n];
    let mut seat: Vec<u32> = seats.to_vec();
    seat.resize(n, u32::MAX);
    let mut of: Vec<usize> = group_of.iter().map(|&g| g as usize).collect();
    for (local, &g) in of.iter().enumerate() {
        members[g].push(local as u32);
    }
    for m in moves {
        let (u, to) = (m.unit as usize, m.to as usize);
        let from = of[u];
        members[from].retain(|&x| x as usize != u);
        seat[from] = m.from_seat;
        if to >= members.len() {
            members.resize(to + 1, Vec::new());
            seat.resize(to + 1, u32::MAX);
        }
        members[to].push(u as u32);
        members[to].sort_unstable();
        seat[to] = m.to_seat;
        of[u] = to;
    }
    members
        .into_iter()
        .zip(seat)
        .filter(|(m, _)| !m.is_empty())
        .map(|(m, s)| (s, m))
        .collect()
}

/// A partition's groups as plain member lists while units move.
struct Search<'l, 'a, 'n, K> {
    level: &'l Level<'a, 'n, K>,
    input: &'l PartitionInput,
    /// Group of each unit (local indices); a group keeps the id it had after the greedy.
    group_of: Vec<usize>,
    members: Vec<Vec<usize>>,
    seat: Vec<usize>,
    /// Units that may move (see the module documentation).
    movable: Vec<bool>,
    /// Groups that may take a unit.
    open: Vec<bool>,
    buffer: Vec<usize>,
    /// Scratch for the connectivity test: the units reached, by local index, and the ones
    /// still to visit.
    reached: Vec<bool>,
    stack: Vec<usize>,
    /// What is known of each group as it stands: the cost of its members to its seat, and
    /// whether they meet the size thresholds; forgotten when the group changes.
    cost: Vec<Option<f64>>,
    met: Vec<Option<bool>>,
    /// Changes so far, the change at which each group last changed, and the change at which
    /// each unit was last found unable to move: it cannot move until its group or a group
    /// next to it changes, so it is not tried again before (the same test would give the
    /// same answer).
    changes: u64,
    changed_at: Vec<u64>,
    stuck_at: Vec<Option<u64>>,
    /// The moves made, in order.
    log: Vec<Move>,
    /// Each unit's leaving its group (`without`) as last computed, at which change and from
    /// which group: read again while that group has not changed.
    leaving: Vec<Option<Leaving>>,
}

/// A group less one unit, as [`Search::without`] finds it: the group's cost before and
/// after, and the seat of the rest; `None` if the rest may not stand.
type LeaveCosts = Option<(f64, f64, usize)>;

#[derive(Clone, Copy)]
struct Leaving {
    at: u64,
    group: usize,
    costs: LeaveCosts,
}

impl<'l, 'a, 'n, K> Search<'l, 'a, 'n, K> {
    fn new(level: &'l Level<'a, 'n, K>, input: &'l PartitionInput, groups: &Groups) -> Self {
        let n = input.members.len();
        let mut members = vec![Vec::new(); n];
        let mut seat = vec![usize::MAX; n];
        for (local, &id) in groups.group_of.iter().enumerate() {
            let id = id as usize;
            members[id].push(local);
            if let Some(g) = groups.get(id) {
                seat[id] = g.seat as usize;
            }
        }
        let mut in_manual = vec![false; n];
        for group in &input.groups {
            for &m in group {
                in_manual[m as usize] = true;
            }
        }
        let flags = &input.flags;
        let movable = (0..n)
            .map(|m| !in_manual[m] && flags[m] & (FROZEN | FIXED | LISTED_SEAT | NAMED) == 0)
            .collect();
        let open = members
            .iter()
            .map(|g| !g.is_empty() && g.iter().all(|&m| flags[m] & (FROZEN | FIXED | NAMED) == 0))
            .collect();
        Self {
            level,
            input,
            group_of: groups.group_of.iter().map(|&g| g as usize).collect(),
            members,
            seat,
            movable,
            open,
            buffer: Vec::new(),
            reached: vec![false; n],
            stack: Vec::new(),
            cost: vec![None; n],
            met: vec![None; n],
            changes: 0,
            changed_at: vec![0; n],
            stuck_at: vec![None; n],
            leaving: vec![None; n],
            log: Vec::new(),
        }
    }

    /// Notes that `group`'s members or seat changed.
    fn changed(&mut self, group: usize) {
        self.changes += 1;
        self.changed_at[group] = self.changes;
        self.cost[group] = None;
        self.met[group] = None;
    }

    /// The cost of `group`'s members to its seat.
    fn cost_of(&mut self, group: usize) -> f64 {
        match self.cost[group] {
            Some(cost) => cost,
            None => {
                let cost = self.group_cost(&self.members[group], self.seat[group]);
                self.cost[group] = Some(cost);
                cost
            }
        }
    }

    /// Whether `group`'s members meet the thresholds under its seat.
    fn met(&mut self, group: usize) -> bool {
        match self.met[group] {
            Some(met) => met,
            None => {
                let met = self.meets_thresholds(&self.members[group], self.seat[group]);
                self.met[group] = Some(met);
                met
            }
        }
    }

    fn global(&self, local: usize) -> usize {
        self.input.members[local] as usize
    }

    /// People × km from the members' people to unit `seat`'s seat.
    fn group_cost(&self, members: &[usize], seat: usize) -> f64 {
        let seat = self.global(seat);
        members
            .iter()
            .map(|&m| {
                self.level
                    .demand
                    .cost(self.level.units, seat, self.global(m))
            })
            .sum()
    }

    /// The seat the scenario's rule gives these members.
    fn seat_of(&mut self, members: &[usize]) -> usize {
        self.level.seat(self.input, members, &mut self.buffer)
    }

    /// Whether these members with this seat respect the caps of the seat's terrain.
    fn within_caps(&self, members: &[usize], seat: usize) -> bool {
        if members.len() < 2 {
            return true;
        }
        let units = self.level.units;
        let seat_unit = &units[self.global(seat)];
        let limits = self.level.limits.of(seat_unit.terrain);
        let area: f64 = members.iter().map(|&m| units[self.global(m)].area).sum();
        let reach = chord_km(
            members
                .iter()
                .map(|&m| units[self.global(m)].sphere.chord(&seat_unit.sphere))
                .fold(0.0, f64::max),
        );
        limits.max_area_km2.is_none_or(|cap| area <= cap)
            && limits.max_seat_distance_km.is_none_or(|cap| reach <= cap)
    }

    /// Whether these members with this seat meet the size thresholds of the seat's terrain
    /// (true when none is set).
    fn meets_thresholds(&self, members: &[usize], seat: usize) -> bool {
        let units = self.level.units;
        let limits = self.level.limits.of(units[self.global(seat)].terrain);
        let sum = |f: fn(&super::Unit) -> f64| -> f64 {
            members.iter().map(|&m| f(&units[self.global(m)])).sum()
        };
        let scale = units[self.global(seat)].scale;
        size_ratio(
            sum(|u| u.area),
            sum(|u| u.registered),
            sum(|u| u.resident),
            limits,
        )
        .is_none_or(|r| r / scale >= 1.0)
    }

    /// Local neighbours of `local` in its partition and class.
    fn neighbours(&self, local: usize) -> impl Iterator<Item = usize> + '_ {
        let units = self.level.units;
        let unit = &units[self.global(local)];
        (self.level.neighbours)(self.global(local))
            .iter()
            .map(|&u| u as usize)
            .filter(move |&u| units[u].partition == unit.partition && units[u].class == unit.class)
            .map(|u| self.level.local_of[u] as usize)
    }

    /// Whether `rest`, the members of their group less `left`, form one connected piece.
    fn connected(&mut self, rest: &[usize], left: usize) -> bool {
        let Some(&first) = rest.first() else {
            return false;
        };
        let group = self.group_of[first];
        let (mut reached, mut stack) = (
            std::mem::take(&mut self.reached),
            std::mem::take(&mut self.stack),
        );
        for &m in rest {
            reached[m] = false;
        }
        reached[first] = true;
        stack.clear();
        stack.push(first);
        let mut count = 1;
        while let Some(m) = stack.pop() {
            for k in self.neighbours(m) {
                if !reached[k] && self.group_of[k] == group && k != left {
                    reached[k] = true;
                    count += 1;
                    stack.push(k);
                }
            }
        }
        (self.reached, self.stack) = (reached, stack);
        count == rest.len()
    }

    /// Passes of moves until none saves anything, then an exchange, and again; whether any
    /// unit moved.
    fn improve(&mut self) -> bool {
        let n = self.input.members.len();
        let mut moved_any = false;
        for _ in 0..MAX_PASSES {
            let mut moved = false;
            for _ in 0..MAX_PASSES {
                let mut pass = false;
                for u in 0..n {
                    pass |= self.try_move(u);
                }
                moved |= pass;
                if !pass {
                    break;
                }
            }
            moved |= self.try_exchange();
            moved_any |= moved;
            if !moved {
                break;
            }
        }
        moved_any
    }

    /// Groups next to `u` that may take it, other than those in `skip`: each once, in order.
    fn targets(&self, u: usize, skip: &[usize]) -> Vec<usize> {
        let mut targets: Vec<usize> = self
            .neighbours(u)
            .map(|k| self.group_of[k])
            .filter(|&g| !skip.contains(&g) && self.open[g])
            .collect();
        targets.sort_unstable();
        targets.dedup();
        targets
    }

    /// `group` less `u`: its cost before and after, and the seat the rule gives the rest, if
    /// it stays connected and within the caps and the thresholds it met. Computed again only
    /// once the group has changed.
    fn without(&mut self, group: usize, u: usize) -> LeaveCosts {
        if let Some(known) = self.leaving[u]
            && known.group == group
            && self.changed_at[group] <= known.at
        {
            return known.costs;
        }
        let rest = self.rest(group, u);
        let costs = (|| {
            if rest.is_empty() || !self.connected(&rest, u) {
                return None;
            }
            let seat = self.seat_of(&rest);
            if !self.within_caps(&rest, seat)
                || (self.met(group) && !self.meets_thresholds(&rest, seat))
            {
                return None;
            }
            Some((self.cost_of(group), self.group_cost(&rest, seat), seat))
        })();
        self.leaving[u] = Some(Leaving {
            at: self.changes,
            group,
            costs,
        });
        costs
    }

    /// The members of `group` but `u`.
    fn rest(&self, group: usize, u: usize) -> Vec<usize> {
        self.members[group]
            .iter()
            .copied()
            .filter(|&m| m != u)
            .collect()
    }

    /// `group` with `u` added: its cost before and after, and the seat the rule gives it, if
    /// it stays within the caps and the thresholds it met. `joined` is scratch.
    fn with(
        &mut self,
        group: usize,
        u: usize,
        joined: &mut Vec<usize>,
    ) -> Option<(f64, f64, usize)> {
        joined.clear();
        joined.extend_from_slice(&self.members[group]);
        joined.push(u);
        joined.sort_unstable();
        let seat = self.seat_of(joined);
        if !self.within_caps(joined, seat)
            || (self.met(group) && !self.meets_thresholds(joined, seat))
        {
            return None;
        }
        Some((self.cost_of(group), self.group_cost(joined, seat), seat))
    }

    /// Puts `u` into `group`, now seated at `seat`.
    fn place(&mut self, u: usize, group: usize, seat: usize) {
        self.members[group].push(u);
        self.members[group].sort_unstable();
        self.seat[group] = seat;
        self.group_of[u] = group;
        self.changed(group);
    }

    /// Leaves `group` with the members `rest`, seated at `seat`.
    fn shrink(&mut self, group: usize, rest: Vec<usize>, seat: usize) {
        self.members[group] = rest;
        self.seat[group] = seat;
        self.changed(group);
    }

    /// A unit leaves its group to stand alone while a unit standing alone joins a
    /// neighbouring group, if together that saves (the number of units stays). Single moves
    /// cannot do this: each half alone changes the number of units.
    fn try_exchange(&mut self) -> bool {
        let n = self.input.members.len();
        // Leaving: (saving, unit, group, its cost before, new seat of the rest).
        let mut best_leave: Option<(f64, usize, usize, f64, usize)> = None;
        for u in 0..n {
            let group = self.group_of[u];
            if !self.movable[u] || self.members[group].len() < 2 || !self.meets_thresholds(&[u], u)
            {
                continue;
            }
            let Some((before, after, seat)) = self.without(group, u) else {
                continue;
            };
            let saving = -(after - before) - self.group_cost(&[u], u);
            if best_leave.as_ref().is_none_or(|b| saving > b.0) {
                best_leave = Some((saving, u, group, before, seat));
            }
        }
        let Some((leave_saving, u, from, from_before, from_seat)) = best_leave else {
            return false;
        };
        if leave_saving <= 0.0 {
            return false;
        }
        // Joining: the cheapest lone unit into a neighbouring group other than `from`.
        let mut best_join: Option<(f64, usize, usize, usize)> = None;
        let mut joined = Vec::new();
        for s in 0..n {
            let alone = self.group_of[s];
            if s == u || !self.movable[s] || self.members[alone].len() != 1 {
                continue;
            }
            for to in self.targets(s, &[alone, from]) {
                let Some((before, after, seat)) = self.with(to, s, &mut joined) else {
                    continue;
                };
                let cost = after - before - self.group_cost(&[s], s);
                if best_join.is_none_or(|b| cost < b.0) {
                    best_join = Some((cost, s, to, seat));
                }
            }
        }
        let Some((join_cost, s, to, to_seat)) = best_join else {
            return false;
        };
        if leave_saving - join_cost <= MIN_SAVING * from_before.max(1.0) {
            return false;
        }
        let rest = self.rest(from, u);
        self.shrink(from, rest, from_seat);
        let alone = self.group_of[s];
        self.log.push(Move {
            unit: s as u32,
            from_seat: self.seat[alone] as u32,
            to: to as u32,
            to_seat: to_seat as u32,
            saving: 0.0,
        });
        self.log.push(Move {
            unit: u as u32,
            from_seat: from_seat as u32,
            to: self.members.len() as u32,
            to_seat: u as u32,
            saving: leave_saving - join_cost,
        });
        self.shrink(alone, Vec::new(), self.seat[alone]);
        self.place(s, to, to_seat);
        self.members.push(vec![u]);
        self.seat.push(u);
        self.open.push(true);
        self.cost.push(None);
        self.met.push(None);
        self.changed_at.push(0);
        self.group_of[u] = self.members.len() - 1;
        self.changed(self.group_of[u]);
        true
    }

    /// Moves `u` to the neighbouring group where it saves most, if any move saves.
    fn try_move(&mut self, u: usize) -> bool {
        let from = self.group_of[u];
        if !self.movable[u] || self.members[from].len() < 2 {
            return false;
        }
        let targets = self.targets(u, &[from]);
        if targets.is_empty() {
            return false;
        }
        let unchanged_since = |at: u64| {
            std::iter::once(from)
                .chain(targets.iter().copied())
                .all(|g| self.changed_at[g] <= at)
        };
        if self.stuck_at[u].is_some_and(unchanged_since) {
            return false;
        }
        self.stuck_at[u] = Some(self.changes);
        let Some((from_before, from_after, rest_seat)) = self.without(from, u) else {
            return false;
        };
        let mut best: Option<(f64, usize, usize)> = None;
        let mut joined = Vec::new();
        for to in targets {
            let Some((to_before, to_after, seat)) = self.with(to, u, &mut joined) else {
                continue;
            };
            let saving = from_before + to_before - from_after - to_after;
            let enough = saving > MIN_SAVING * (from_before + to_before).max(f64::MIN_POSITIVE);
            if enough && best.is_none_or(|(s, _, _)| saving > s) {
                best = Some((saving, to, seat));
            }
        }
        let Some((saving, to, seat)) = best else {
            return false;
        };
        self.log.push(Move {
            unit: u as u32,
            from_seat: rest_seat as u32,
            to: to as u32,
            to_seat: seat as u32,
            saving,
        });
        let rest = self.rest(from, u);
        self.shrink(from, rest, rest_seat);
        self.place(u, to, seat);
        true
    }

    /// The moved groups in the greedy's form: each joined into its lowest member.
    fn into_groups(self) -> Groups {
        let mut groups = Groups::new(self.input, self.level.units);
        for (id, members) in self.members.iter().enumerate() {
            let Some(&keep) = members.first() else {
                continue;
            };
            for &m in &members[1..] {
                groups.join(keep, m, self.seat[id]);
            }
        }
        groups
    }
}
