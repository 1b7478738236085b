//! What every plan keeps, checked in property tests.
#![allow(dead_code)]

use std::collections::{HashSet, VecDeque};

use jianzhi::model::{Level, TownshipId, VillageId, VillageKind};
use jianzhi::plan::Stage;
use jianzhi::workspace::Analysis;
use proptest::prelude::*;

/// Whether `members` are connected through adjacency among themselves.
pub fn contiguous<L: Level>(members: &[L], adjacent: impl Fn(L) -> Vec<L>) -> bool {
    let set: HashSet<L> = members.iter().copied().collect();
    let mut seen = HashSet::from([members[0]]);
    let mut queue = VecDeque::from([members[0]]);
    while let Some(u) = queue.pop_front() {
        for v in adjacent(u) {
            if set.contains(&v) && seen.insert(v) {
                queue.push_back(v);
            }
        }
    }
    seen.len() == set.len()
}

/// Every former unit of a level is in exactly one new unit, which lists it.
pub fn each_unit_in_one_new_unit<L: Level>(
    stage: &Stage<L>,
    n: usize,
) -> Result<(), TestCaseError> {
    prop_assert_eq!(stage.new_of.len(), n);
    let mut count = vec![0; n];
    for (k, u) in stage.units.iter_enumerated() {
        prop_assert!(u.members.contains(&u.seat));
        for &m in u.members.iter() {
            count[m.into()] += 1;
            prop_assert_eq!(stage.new_of[m], k);
        }
    }
    prop_assert!(count.iter().all(|&c| c == 1));
    Ok(())
}

/// What every plan keeps, whatever the rules and hand edits: lineage, no county or new
/// township crossed, contiguity, caps on every merged group of both levels, and areas and
/// populations conserved.
pub fn check_invariants(analysis: &Analysis) -> Result<(), TestCaseError> {
    let ws = analysis.workspace();
    let (ds, plan, scenario) = (ws.dataset(), &analysis.plan, &analysis.scenario);
    let prepared = ws.prepared();
    each_unit_in_one_new_unit(&plan.townships, ds.townships.len())?;
    each_unit_in_one_new_unit(&plan.villages, ds.villages.len())?;
    for u in &plan.townships.units {
        let county = ds.townships[u.seat].county;
        prop_assert!(u.members.iter().all(|&m| ds.townships[m].county == county));
        prop_assert!(contiguous(&u.members, |m| prepared
            .township_adjacency
            .neighbours(m)
            .collect()));
    }
    for u in &plan.villages.units {
        // Villages merge only within one new township.
        let township = plan.townships.new_of[ds.villages[u.seat].township];
        prop_assert!(
            u.members
                .iter()
                .all(|&m| plan.townships.new_of[ds.villages[m].township] == township)
        );
        prop_assert!(contiguous(&u.members, |m| prepared
            .village_adjacency
            .neighbours(m)
            .collect()));
    }
    // Caps hold for every merged group of both levels, with the seat's terrain class.
    for u in plan.townships.units.iter().filter(|u| u.members.len() > 1) {
        let limits = scenario.townships.limits_for(prepared.terrain[u.seat]);
        let area: f64 = u.members.iter().map(|&m| ds.townships[m].area_km2).sum();
        if let Some(cap) = limits.max_area_km2 {
            prop_assert!(area <= cap + 1e-9, "township area {area} over {cap}");
        }
        if let Some(cap) = limits.max_seat_distance_km {
            for &m in u.members.iter() {
                let km =
                    jianzhi::geodesy::distance_km(ds.townships[m].seat, ds.townships[u.seat].seat);
                prop_assert!(km <= cap + 1e-6, "township at {km} km, cap {cap}");
            }
        }
    }
    for u in plan.villages.units.iter().filter(|u| u.members.len() > 1) {
        let terrain = prepared.terrain[ds.villages[u.seat].township];
        let limits = scenario.villages.limits_for(terrain);
        let area: f64 = u.members.iter().map(|&m| ds.villages[m].area_km2).sum();
        if let Some(cap) = limits.max_area_km2 {
            prop_assert!(area <= cap + 1e-9, "village area {area} over {cap}");
        }
        if let Some(cap) = limits.max_seat_distance_km {
            for &m in u.members.iter() {
                let km = jianzhi::geodesy::distance_km(
                    ds.villages[m].centre,
                    ds.villages[u.seat].centre,
                );
                prop_assert!(km <= cap + 1e-6, "village at {km} km, cap {cap}");
            }
        }
    }
    // Areas and populations are conserved: the after totals of regular townships, villages and
    // communities are the sums over the former units now in a new unit of that kind.
    let (before, after) = (&analysis.before().province, &analysis.after.province);
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-6 * a.abs().max(1.0);
    let in_regular = |t: TownshipId| ds.townships[plan.townships.seat_of(t)].kind.is_regular();
    let sum_t = |f: &dyn Fn(&jianzhi::Township) -> f64| -> f64 {
        ds.townships
            .iter_enumerated()
            .filter(|(i, _)| in_regular(*i))
            .map(|(_, t)| f(t))
            .sum()
    };
    prop_assert!(close(
        sum_t(&|t| t.area_km2),
        after.townships.total_area_km2
    ));
    prop_assert!(close(
        sum_t(&|t| t.registered_pop),
        after.townships.total_registered_pop
    ));
    prop_assert!(close(
        sum_t(&|t| t.resident_pop),
        after.townships.total_resident_pop
    ));
    for (kind, b, a) in [
        (VillageKind::Village, &before.villages, &after.villages),
        (
            VillageKind::Community,
            &before.communities,
            &after.communities,
        ),
    ] {
        let now_of_kind = |v: VillageId| ds.villages[plan.villages.seat_of(v)].kind == kind;
        let sum_v = |f: &dyn Fn(&jianzhi::Village) -> f64| -> f64 {
            ds.villages
                .iter_enumerated()
                .filter(|(i, _)| now_of_kind(*i))
                .map(|(_, v)| f(v))
                .sum()
        };
        prop_assert!(close(sum_v(&|v| v.resident_pop), a.total_resident_pop));
        prop_assert!(close(sum_v(&|v| v.area_km2), a.total_area_km2));
        // Before any plan every unit is its own seat: the same sums over the unit's own kind.
        let own: f64 = ds
            .villages
            .iter()
            .filter(|v| v.kind == kind)
            .map(|v| v.resident_pop)
            .sum();
        prop_assert!(close(own, b.total_resident_pop));
    }
    Ok(())
}
