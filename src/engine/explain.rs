//! The engine's record of its decisions, read back unit by unit: for every former unit, what
//! the run did with it and why, from the partition runs a plan keeps (their events in queue
//! order, the neighbours each event weighed, how many events held, the local search's moves).
//! Nothing here decides again: replaying the record gives the plan's units exactly
//! ([`replay`]).

use super::agglomerate::{Runs, Slot};
use super::partition::{FIXED, FROZEN, What};
use super::refine::replay_moves;
use super::{Kept, Reuse};
use crate::model::Level;

/// What the engine decided for one former unit.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// Its new unit's seat (a unit of the same level).
    pub seat: usize,
    pub fate: Fate,
    /// Where the local search moved it after the greedy: the seats of the group it left and
    /// of the one it joined, and the people × km saved.
    pub moved: Option<Moved>,
    /// The neighbouring groups weighed by the step that decided its fate (a merge or a
    /// block), each with the merged group's figures.
    pub weighed: Vec<Weighed>,
}

/// Why a unit merged, or did not.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fate {
    /// Its group was the weakest candidate at step `step` of its county's (or new
    /// township's) run, `ratio` of its thresholds (or, under a target without thresholds, of
    /// the mean population), and merged into its most compact neighbour.
    Weakest { ratio: f64, step: usize },
    /// Its group was the most compact neighbour that candidate `by` (a unit, its seat then)
    /// could take, at step `step`.
    Chosen { by: usize, step: usize },
    /// In a group fixed by a hand edit.
    ByHand,
    /// In one of the scenario's manual groups.
    Manual,
    /// Never merged by the rules: an exempt kind, locked, out of scope, or the level not
    /// reformed (the caller tells which).
    Frozen,
    /// Not a candidate: it meets its thresholds.
    MeetsThresholds,
    /// A candidate left as it was once its county's own target was met.
    QuotaMet,
    /// A candidate whose turn came after the target was met (step `step` of its run).
    TargetMet { ratio: f64, step: usize },
    /// A candidate no neighbour could take: the caps every merge broke, or that it had no
    /// neighbour it may merge with (bits of [`crate::plan::Constraint::bit`]).
    Blocked { ratio: f64, broke: u8, step: usize },
}

impl Fate {
    /// Whether the unit merged with another.
    pub fn merged(self) -> bool {
        matches!(
            self,
            Fate::Weakest { .. } | Fate::Chosen { .. } | Fate::ByHand | Fate::Manual
        )
    }
}

/// A neighbouring group weighed at a step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Weighed {
    /// The seat of the neighbouring group then.
    pub group_seat: usize,
    /// The seat the merged group would have had.
    pub seat: usize,
    /// The farthest member from that seat (km): the smallest wins.
    pub reach_km: f32,
    pub area_km2: f32,
    /// The caps it broke (bits of [`crate::plan::Constraint::bit`]).
    pub broke: u8,
    /// Whether the step took it.
    pub chosen: bool,
}

/// A move of the local search.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Moved {
    pub from_seat: usize,
    pub to_seat: usize,
    pub saving: f64,
}

/// The decisions of a plan's two levels, by former unit.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Decisions {
    pub townships: Vec<Decision>,
    pub villages: Vec<Decision>,
}

/// The decisions of a plan's two levels (empty for a level the plan kept no runs of).
pub fn decisions(reuse: &Reuse) -> Decisions {
    Decisions {
        townships: reuse
            .townships
            .as_ref()
            .map(level_decisions)
            .unwrap_or_default(),
        villages: reuse
            .villages
            .as_ref()
            .map(level_decisions)
            .unwrap_or_default(),
    }
}

fn level_decisions<K, L: Level>(kept: &Kept<K, L>) -> Vec<Decision> {
    let n = units_of(&kept.runs);
    let mut out = vec![
        Decision {
            seat: usize::MAX,
            fate: Fate::MeetsThresholds,
            moved: None,
            weighed: Vec::new(),
        };
        n
    ];
    for slot in kept.runs.slots() {
        for (local, decision) in slot_decisions(slot).into_iter().enumerate() {
            out[slot.run.input.members[local] as usize] = decision;
        }
    }
    out
}

fn units_of<L>(runs: &Runs<L>) -> usize {
    runs.slots()
        .map(|s| s.run.input.members.len())
        .sum::<usize>()
}

/// What the walk through a partition's events found of each unit (by local index): its fate
/// where an event decided it, at which step, and its group at the end of the events held;
/// and, for each step that decided a unit's fate, the neighbours it weighed.
struct Walked {
    fate: Vec<Option<Fate>>,
    decided_at: Vec<Option<usize>>,
    group_of: Vec<u32>,
    weighed: Vec<Vec<Weighed>>,
}

/// Walks a partition's events in order, as the run made them: the groups fixed first, the
/// events that held joining groups, the rest found after the target was met.
fn walk<L>(slot: &Slot<L>) -> Walked {
    let run = &slot.run;
    let input = &run.input;
    let n = input.members.len();
    let (mut group_of, mut seat) = run.initial();
    let mut lists: Vec<Vec<u32>> = vec![Vec::new(); n];
    for (local, &g) in group_of.iter().enumerate() {
        lists[g as usize].push(local as u32);
    }
    let mut fate: Vec<Option<Fate>> = vec![None; n];
    let mut decided_at: Vec<Option<usize>> = vec![None; n];
    let mut weighed: Vec<Vec<Weighed>> = vec![Vec::new(); run.events.len()];
    for group in &input.groups {
        for &m in group {
            fate[m as usize] = Some(if input.flags[m as usize] & FIXED != 0 {
                Fate::ByHand
            } else {
                Fate::Manual
            });
        }
    }
    for (step, event) in run.events.iter().enumerate() {
        let candidate = input.members.binary_search(&event.key.1).unwrap_or(0);
        let group = group_of[candidate] as usize;
        let ratio = f64::from_bits(event.key.0);
        // A unit's fate is the first merge of its group; a block or a late turn until then.
        // Returns whether the step decided any unit's fate.
        let mut mark = |members: &[u32], what: Fate| {
            let mut decided = false;
            for &m in members {
                let m = m as usize;
                let late = matches!(what, Fate::TargetMet { .. });
                if (late && fate[m].is_none()) || (!late && fate[m].is_none_or(|f| !f.merged())) {
                    fate[m] = Some(what);
                    decided_at[m] = (!late).then_some(step);
                    decided |= !late;
                }
            }
            decided
        };
        // The neighbours the step weighed, read with the groups' seats as they are now.
        let weighed_now = |chosen: Option<u32>| weighed_at(slot, step, &seat, chosen);
        match event.what {
            _ if step >= slot.prefix => {
                mark(&lists[group], Fate::TargetMet { ratio, step });
            }
            What::Blocked(broke) => {
                if mark(&lists[group], Fate::Blocked { ratio, broke, step }) {
                    weighed[step] = weighed_now(None);
                }
            }
            What::Merge {
                keep,
                gone,
                seat: merged,
            } => {
                let other = if keep as usize == group { gone } else { keep } as usize;
                let by = input.members[seat[group] as usize] as usize;
                let weakest = mark(&lists[group], Fate::Weakest { ratio, step });
                let chosen = mark(&lists[other], Fate::Chosen { by, step });
                if weakest || chosen {
                    weighed[step] = weighed_now(Some(other as u32));
                }
                let gone_members = std::mem::take(&mut lists[gone as usize]);
                for &m in &gone_members {
                    group_of[m as usize] = keep;
                }
                lists[keep as usize].extend(gone_members);
                seat[keep as usize] = merged;
            }
        }
    }
    Walked {
        fate,
        decided_at,
        group_of,
        weighed,
    }
}

/// The decisions of one partition's units, by local index.
fn slot_decisions<L: Level>(slot: &Slot<L>) -> Vec<Decision> {
    let run = &slot.run;
    let input = &run.input;
    let global = |local: u32| input.members[local as usize] as usize;
    let n = input.members.len();
    let Walked {
        fate,
        decided_at,
        group_of,
        weighed,
    } = walk(slot);
    let final_seat = final_seats(slot, n);
    let mut moved: Vec<Option<Moved>> = vec![None; n];
    // The search's moves, replayed on the groups at the prefix for the seats they left.
    for m in slot.moves.iter() {
        moved[m.unit as usize] = Some(Moved {
            from_seat: global(m.from_seat),
            to_seat: global(m.to_seat),
            saving: m.saving,
        });
    }
    (0..n)
        .map(|local| {
            let flags = input.flags[local];
            let fate = fate[local].unwrap_or(if flags & FROZEN != 0 {
                Fate::Frozen
            } else if run.skipped.contains(&(group_of[local])) {
                Fate::QuotaMet
            } else {
                Fate::MeetsThresholds
            });
            let weighed = decided_at[local]
                .map(|step| weighed[step].clone())
                .unwrap_or_default();
            Decision {
                seat: global(final_seat[local]),
                fate,
                moved: moved[local],
                weighed,
            }
        })
        .collect()
}

/// Each unit's group just before event `step`, with the seat of each group then.
fn group_of_at<L>(slot: &Slot<L>, step: usize) -> (Vec<u32>, Vec<u32>) {
    let (mut group_of, mut seat) = slot.run.initial();
    for event in &slot.run.events[..step] {
        if let What::Merge {
            keep,
            gone,
            seat: s,
        } = event.what
        {
            for g in group_of.iter_mut().filter(|g| **g == gone) {
                *g = keep;
            }
            seat[keep as usize] = s;
        }
    }
    (group_of, seat)
}

/// The neighbours event `step` weighed, with each group's seat just before it (`seat`, by
/// group id); `chosen`, the group it took.
fn weighed_at<L>(slot: &Slot<L>, step: usize, seat: &[u32], chosen: Option<u32>) -> Vec<Weighed> {
    let global = |local: u32| slot.run.input.members[local as usize] as usize;
    slot.run
        .considered(step)
        .iter()
        .map(|c| Weighed {
            group_seat: global(seat[c.group as usize]),
            seat: global(c.seat),
            reach_km: c.reach_km,
            area_km2: c.area_km2,
            broke: c.broke,
            chosen: chosen == Some(c.group),
        })
        .collect()
}

/// Each unit's final seat (local), from the slot's new units.
fn final_seats<L: Level>(slot: &Slot<L>, n: usize) -> Vec<u32> {
    let input = &slot.run.input;
    let local = |g: usize| input.members.binary_search(&(g as u32)).unwrap_or(0) as u32;
    let mut out = vec![0; n];
    for (seat, members) in slot.lineage.iter() {
        for &m in members.iter() {
            out[local(m.into()) as usize] = local((*seat).into());
        }
    }
    out
}

/// The new units of each level rebuilt from the record alone: the fixed groups, the events
/// that held in order, then the local search's moves; as (seat, members ascending), in order
/// of first member. The plan's units are these exactly.
pub fn replay(reuse: &Reuse) -> (Option<Replayed>, Option<Replayed>) {
    (
        reuse.townships.as_ref().map(|k| replay_level(&k.runs)),
        reuse.villages.as_ref().map(|k| replay_level(&k.runs)),
    )
}

/// A level's new units as (seat, members ascending), in order of first member.
pub type Replayed = Vec<(usize, Vec<usize>)>;

fn replay_level<L>(runs: &Runs<L>) -> Replayed {
    let mut out: Vec<(usize, Vec<usize>)> = runs
        .slots()
        .flat_map(|slot| {
            let input = &slot.run.input;
            let (group_of, seat) = group_of_at(slot, slot.prefix);
            replay_moves(&group_of, &seat, &slot.moves)
                .into_iter()
                .map(|(s, members)| {
                    (
                        input.members[s as usize] as usize,
                        members
                            .iter()
                            .map(|&m| input.members[m as usize] as usize)
                            .collect(),
                    )
                })
                .collect::<Vec<_>>()
        })
        .collect();
    out.sort_by_key(|(_, members)| members[0]);
    out
}
