//! Which member's seat survives when units merge.

use super::{Demand, Unit};
use crate::scenario::SeatRule;

/// The surviving seat of a group under a seat rule; a listed seat (the scenario's `seats`, or
/// a hand edit) always wins.
pub(super) fn choose_seat(
    units: &[Unit],
    demand: &Demand,
    members: &[usize],
    rule: SeatRule,
) -> usize {
    let listed = members
        .iter()
        .copied()
        .filter(|&m| units[m].listed_seat)
        .min();
    if let Some(seat) = listed {
        return seat;
    }
    let by = |better: &dyn Fn(usize, usize) -> std::cmp::Ordering| {
        members
            .iter()
            .copied()
            .max_by(|&a, &b| better(a, b).then(b.cmp(&a)))
            .expect("a group has members")
    };
    match rule {
        SeatRule::LargestPopulation => by(&|a, b| units[a].resident.total_cmp(&units[b].resident)),
        SeatRule::TownFirst => by(&|a, b| {
            units[b]
                .seat_rank
                .cmp(&units[a].seat_rank)
                .then(units[a].resident.total_cmp(&units[b].resident))
        }),
        SeatRule::MinDistance => min_distance_seat(members, |s| {
            members.iter().map(|&m| demand.cost(units, s, m)).sum()
        }),
    }
}

/// The candidate with the smallest cost (a 1-median when the cost is the population-weighted
/// distance of the group's people to the candidate), by brute force: groups are small.
/// Ties go to the lowest index.
///
/// ```
/// use jianzhi::engine::min_distance_seat;
/// // Costs 5, 2, 2: the first of the two cheapest.
/// assert_eq!(min_distance_seat(&[7, 8, 9], |s| [5.0, 2.0, 2.0][s - 7]), 8);
/// ```
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
