//! Hand edits as hard constraints: the ordered edit list becomes groups fixed by hand (which
//! the rules then leave alone), seats and names. An edit that cannot hold is refused with its
//! reason and changes nothing; after the run, an edit undone by a later one is reported as
//! superseded.
//!
//! - **merge**: the units, with the hand-made groups they are in, become one fixed group. They
//!   must be in one county (townships) or new township (villages), contiguous, not locked,
//!   within the caps of the seat's terrain class, and bring at most one hand seat and name.
//! - **split**: each unit becomes a fixed group of its own; what stays of its hand-made group
//!   stays fixed (in pieces if it falls apart; a piece over a cap falls apart into units).
//! - **move**: the unit leaves its hand-made group (which must stay in one piece) and joins
//!   the group of `to` (a hand-made group, or the units named), to which it must be adjacent.
//! - **seat**: the unit becomes the seat of whatever group it ends in (within the distance
//!   cap if its group is fixed); an earlier seat of that group stops being one.
//! - **lock**: as split, and no later edit may merge or move the unit.
//! - **name**: the new unit the unit ends in takes the name; an earlier name of that group
//!   is replaced.
//!
//! Hand edits may merge exempt kinds and units outside the scope: they are the planner's
//! explicit decisions, which the rules' exemptions do not restrict.

use std::collections::{HashSet, VecDeque};

use rustc_hash::FxHashMap;

use super::seat::choose_seat;
use super::{Demand, Unit};
use crate::model::Level;
use crate::plan::{EditReport, EditStatus, Refusal, Stage};
use crate::scenario::{ResolvedEdit, Rules};

/// What the hand edits fixed, for the agglomeration.
#[derive(Debug, Clone, Default)]
pub(super) struct Hand {
    /// The fixed group of each unit, if any (an index into `groups`).
    group_of: Vec<Option<u32>>,
    /// Fixed groups; emptied when replaced.
    groups: Vec<Vec<usize>>,
    /// Locked by the rules or by a lock edit.
    locked: Vec<bool>,
    /// Names by the unit that carries them (few: a map, not a list of every unit).
    names: FxHashMap<usize, String>,
}

impl Hand {
    fn new(n: usize, locked: &[usize]) -> Self {
        let mut hand = Self {
            group_of: vec![None; n],
            groups: Vec::new(),
            locked: vec![false; n],
            names: FxHashMap::default(),
        };
        for &u in locked {
            hand.locked[u] = true;
        }
        hand
    }

    /// Whether the unit is in a group fixed by hand (alone or not).
    pub(super) fn is_fixed(&self, unit: usize) -> bool {
        self.group_of.get(unit).is_some_and(Option::is_some)
    }

    /// The fixed groups, each sorted.
    pub(super) fn groups(&self) -> impl Iterator<Item = &[usize]> {
        self.groups
            .iter()
            .filter(|g| !g.is_empty())
            .map(Vec::as_slice)
    }

    /// The name given by hand to the unit's group, if this unit carries it.
    pub(super) fn name_of(&self, unit: usize) -> Option<&str> {
        self.names.get(&unit).map(String::as_str)
    }

    /// The unit's fixed group, or the unit alone.
    fn members(&self, unit: usize) -> Vec<usize> {
        match self.group_of[unit] {
            Some(g) => self.groups[g as usize].clone(),
            None => vec![unit],
        }
    }

    /// Makes `members` one fixed group; the fixed groups they were in must lie inside it.
    fn fix(&mut self, mut members: Vec<usize>) {
        members.sort_unstable();
        members.dedup();
        for &m in &members {
            if let Some(g) = self.group_of[m] {
                self.groups[g as usize].clear();
            }
        }
        let id = self.groups.len() as u32;
        for &m in &members {
            self.group_of[m] = Some(id);
        }
        self.groups.push(members);
    }
}

/// The rules and data the edits are checked against.
pub(super) struct Checks<'a, 'n, K> {
    pub units: &'a mut [Unit],
    pub demand: &'a Demand,
    pub neighbours: &'a dyn Fn(usize) -> &'n [u32],
    pub rules: &'a Rules<K>,
    /// `counties` or `new townships`: what merges never cross.
    pub container: &'static str,
    pub code_of: &'a dyn Fn(usize) -> String,
}

impl<K> Checks<'_, '_, K> {
    fn seat(&self, members: &[usize]) -> usize {
        choose_seat(self.units, self.demand, members, self.rules.seat_rule)
    }

    /// Whether `members` are connected through their neighbours among themselves.
    fn contiguous(&self, members: &[usize]) -> bool {
        self.pieces(members).len() <= 1
    }

    /// The connected pieces of `members`.
    fn pieces(&self, members: &[usize]) -> Vec<Vec<usize>> {
        let mut left: Vec<usize> = members.to_vec();
        let mut pieces = Vec::new();
        while let Some(&first) = left.first() {
            let set: HashSet<usize> = left.iter().copied().collect();
            let mut seen = HashSet::from([first]);
            let mut queue = VecDeque::from([first]);
            while let Some(u) = queue.pop_front() {
                for &v in (self.neighbours)(u) {
                    let v = v as usize;
                    if set.contains(&v) && seen.insert(v) {
                        queue.push_back(v);
                    }
                }
            }
            let mut piece: Vec<usize> = seen.into_iter().collect();
            piece.sort_unstable();
            left.retain(|u| !piece.contains(u));
            pieces.push(piece);
        }
        pieces
    }

    /// The caps of the seat's terrain class hold for `members` seated at `seat`.
    fn within_caps(&self, members: &[usize], seat: usize) -> Result<(), Refusal> {
        let limits = self.rules.limits_for(self.units[seat].terrain);
        let area: f64 = members.iter().map(|&m| self.units[m].area).sum();
        if let Some(cap) = limits.max_area_km2
            && area > cap
        {
            return Err(Refusal::OverAreaCap {
                area_km2: area.round() as u64,
                cap_km2: cap.round() as u64,
            });
        }
        if let Some(cap) = limits.max_seat_distance_km {
            let at = self.units[seat].sphere;
            for &m in members {
                let km = self.units[m].sphere.distance_km(&at);
                if km > cap {
                    return Err(Refusal::OverDistanceCap {
                        code: (self.code_of)(m),
                        km: km.round() as u64,
                        cap_km: cap.round() as u64,
                    });
                }
            }
        }
        Ok(())
    }

    /// All of `units` lie in one county (townships) or new township (villages).
    fn one_container(&self, units: &[usize]) -> Result<(), Refusal> {
        let Some(&first) = units.first() else {
            return Ok(());
        };
        match units
            .iter()
            .find(|&&u| self.units[u].partition != self.units[first].partition)
        {
            Some(&other) => Err(Refusal::AcrossContainer {
                first: (self.code_of)(first),
                second: (self.code_of)(other),
                container: self.container,
            }),
            None => Ok(()),
        }
    }

    /// At most one seat and one name given by hand (or by the scenario's seats) among
    /// `members`.
    fn one_seat_and_name(&self, members: &[usize], hand: &Hand) -> Result<(), Refusal> {
        let seats: Vec<usize> = members
            .iter()
            .copied()
            .filter(|&m| self.units[m].listed_seat)
            .collect();
        let names: Vec<usize> = members
            .iter()
            .copied()
            .filter(|&m| hand.name_of(m).is_some())
            .collect();
        for found in [seats, names] {
            if found.len() > 1 {
                return Err(Refusal::TwoSeats {
                    other: (self.code_of)(found[1]),
                });
            }
        }
        Ok(())
    }
}

/// Applies the edits of one level in order; returns the fixed groups, seats and names, and a
/// report per edit (held or refused; superseded ones are found by [`check_held`]).
pub(super) fn apply_edits<K, L: Level>(
    edits: &[(usize, ResolvedEdit<L>)],
    locked_by_rules: &[usize],
    checks: &mut Checks<'_, '_, K>,
) -> (Hand, Vec<EditReport>) {
    let mut hand = Hand::new(checks.units.len(), locked_by_rules);
    let mut reports = Vec::with_capacity(edits.len());
    for (position, edit) in edits {
        let status = match apply_one(edit, &mut hand, checks) {
            Ok(()) => EditStatus::Held,
            Err(refusal) => EditStatus::Refused(refusal),
        };
        reports.push(EditReport {
            position: *position,
            level: L::NAME,
            action: edit.action(),
            status,
        });
    }
    (hand, reports)
}

fn apply_one<K, L: Level>(
    edit: &ResolvedEdit<L>,
    hand: &mut Hand,
    checks: &mut Checks<'_, '_, K>,
) -> Result<(), Refusal> {
    let index = |l: &L| -> usize { (*l).into() };
    match edit {
        ResolvedEdit::Merge(units) => {
            let units: Vec<usize> = units.iter().map(index).collect();
            merge(&units, hand, checks)
        }
        ResolvedEdit::Split(units) => {
            for u in units.iter().map(index) {
                detach(u, hand, checks);
            }
            Ok(())
        }
        ResolvedEdit::Move { unit, to } => {
            let to: Vec<usize> = to.iter().map(index).collect();
            move_to(index(unit), &to, hand, checks)
        }
        ResolvedEdit::Seat(unit) => {
            let unit = index(unit);
            let members = hand.members(unit);
            if hand.is_fixed(unit) {
                checks.within_caps(&members, unit)?;
            }
            for &m in &members {
                checks.units[m].listed_seat = false;
            }
            checks.units[unit].listed_seat = true;
            Ok(())
        }
        ResolvedEdit::Lock(unit) => {
            let unit = index(unit);
            detach(unit, hand, checks);
            hand.locked[unit] = true;
            Ok(())
        }
        ResolvedEdit::Name(unit, name) => {
            let unit = index(unit);
            for m in hand.members(unit) {
                hand.names.remove(&m);
            }
            hand.names.insert(unit, name.clone());
            Ok(())
        }
    }
}

fn merge<K>(units: &[usize], hand: &mut Hand, checks: &Checks<'_, '_, K>) -> Result<(), Refusal> {
    if let Some(&first) = units.first()
        && units.iter().all(|&u| u == first)
    {
        return Err(Refusal::OneUnit((checks.code_of)(first)));
    }
    if let Some(&u) = units.iter().find(|&&u| hand.locked[u]) {
        return Err(Refusal::Locked((checks.code_of)(u)));
    }
    checks.one_container(units)?;
    let mut members: Vec<usize> = units.iter().flat_map(|&u| hand.members(u)).collect();
    members.sort_unstable();
    members.dedup();
    let already_one = units
        .iter()
        .all(|&u| hand.is_fixed(u) && hand.group_of[u] == hand.group_of[units[0]]);
    if already_one {
        return Ok(());
    }
    if !checks.contiguous(&members) {
        return Err(Refusal::NotAdjacent);
    }
    checks.one_seat_and_name(&members, hand)?;
    checks.within_caps(&members, checks.seat(&members))?;
    hand.fix(members);
    Ok(())
}

fn move_to<K>(
    unit: usize,
    to: &[usize],
    hand: &mut Hand,
    checks: &Checks<'_, '_, K>,
) -> Result<(), Refusal> {
    if hand.locked[unit] {
        return Err(Refusal::Locked((checks.code_of)(unit)));
    }
    if let Some(&t) = to.iter().find(|&&t| hand.locked[t]) {
        return Err(Refusal::Locked((checks.code_of)(t)));
    }
    let mut target: Vec<usize> = to.iter().flat_map(|&t| hand.members(t)).collect();
    target.sort_unstable();
    target.dedup();
    if target.contains(&unit) {
        return Err(Refusal::AlreadyThere((checks.code_of)(unit)));
    }
    let mut with_unit = target.clone();
    with_unit.push(unit);
    checks.one_container(&with_unit)?;
    if !checks.contiguous(&target) || !checks.contiguous(&with_unit) {
        return Err(Refusal::NotAdjacent);
    }
    let rest: Vec<usize> = hand
        .members(unit)
        .into_iter()
        .filter(|&m| m != unit)
        .collect();
    if !checks.contiguous(&rest) {
        return Err(Refusal::WouldCutGroup((checks.code_of)(unit)));
    }
    checks.one_seat_and_name(&with_unit, hand)?;
    checks.within_caps(&with_unit, checks.seat(&with_unit))?;
    detach(unit, hand, checks);
    hand.fix(with_unit);
    Ok(())
}

/// Takes `unit` out of its fixed group into a fixed group of its own; what stays of the group
/// stays fixed, in its connected pieces (a piece over a cap falls apart into its units).
fn detach<K>(unit: usize, hand: &mut Hand, checks: &Checks<'_, '_, K>) {
    let rest: Vec<usize> = hand
        .members(unit)
        .into_iter()
        .filter(|&m| m != unit)
        .collect();
    hand.fix(vec![unit]);
    for piece in checks.pieces(&rest) {
        if checks.within_caps(&piece, checks.seat(&piece)).is_ok() {
            hand.fix(piece);
        } else {
            for m in piece {
                hand.fix(vec![m]);
            }
        }
    }
}

/// Reports a held edit that the final plan does not show as superseded: by the first later
/// held edit that names one of the same units or of their new units, else by the scenario's
/// own manual groups or seats.
pub(super) fn check_held<L: Level>(
    reports: &mut [EditReport],
    edits: &[(usize, ResolvedEdit<L>)],
    stage: &Stage<L>,
) {
    let holds = |edit: &ResolvedEdit<L>| -> bool {
        let together = |units: &[L]| {
            units
                .iter()
                .all(|&u| stage.new_of[u] == stage.new_of[units[0]])
        };
        let alone = |u: L| stage.unit_of(u).members.len() == 1;
        match edit {
            ResolvedEdit::Merge(units) => together(units),
            ResolvedEdit::Split(units) => units.iter().all(|&u| alone(u)),
            ResolvedEdit::Move { unit, to } => {
                to.iter().all(|&t| stage.new_of[t] == stage.new_of[*unit])
            }
            ResolvedEdit::Seat(unit) => stage.seat_of(*unit) == *unit,
            ResolvedEdit::Lock(unit) => alone(*unit),
            ResolvedEdit::Name(unit, name) => {
                stage.unit_of(*unit).name.as_deref() == Some(name.as_str())
            }
        }
    };
    for k in 0..edits.len() {
        if reports[k].status != EditStatus::Held || holds(&edits[k].1) {
            continue;
        }
        let touched: HashSet<L> = edits[k]
            .1
            .units()
            .iter()
            .flat_map(|&u| stage.unit_of(u).members.iter().copied().chain([u]))
            .collect();
        let by = (k + 1..edits.len())
            .filter(|&j| reports[j].status == EditStatus::Held)
            .find(|&j| edits[j].1.units().iter().any(|u| touched.contains(u)))
            .map(|j| edits[j].0);
        reports[k].status = EditStatus::Superseded { by };
    }
}
