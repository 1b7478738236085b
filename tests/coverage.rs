//! Service coverage: exact distances and shares on hand-built datasets, stations, the cost
//! model, the distance seat rule, and the figures on the demo data.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;

use jianzhi::coverage::FLAT_KM_PER_KM_CLIMBED;
use jianzhi::engine;
use std::sync::Arc;

use jianzhi::geodesy::EARTH_RADIUS_KM;
use jianzhi::model::{
    County, CountyId, Dataset, LonLat, Township, TownshipId, TownshipKind, Village, VillageKind,
};
use jianzhi::plan::Constraint;
use jianzhi::scenario::{Rules, Scenario, SeatRule, Stations};
use jianzhi::workspace::Workspace;

/// Kilometres north of a point along its meridian, as a latitude offset.
fn north(p: LonLat, km: f64) -> LonLat {
    LonLat::new(p.lon, p.lat + (km / EARTH_RADIUS_KM).to_degrees())
}

fn township(code: &str, kind: TownshipKind, seat: LonLat, resident: f64) -> Township {
    Township {
        code: code.into(),
        name: format!("乡{code}"),
        county: CountyId::from(0),
        kind,
        seat,
        area_km2: 100.0,
        registered_pop: resident,
        resident_pop: resident,
        terrain: None,
        boundary: None,
    }
}

fn village(code: &str, township: usize, centre: LonLat, resident: f64) -> Village {
    let township = TownshipId::from(township);
    Village {
        code: code.into(),
        name: format!("村{code}"),
        township,
        kind: VillageKind::Village,
        centre,
        area_km2: 10.0,
        resident_pop: resident,
        registered_pop: None,
        boundary: None,
    }
}

/// Two townships on one meridian 12 km apart: A (a town, 1,000 people in two villages 2 and 4 km
/// north of its seat) and B (a township, 300 people in one village 1 km north of its seat).
fn two_townships() -> Dataset {
    let a = LonLat::new(104.0, 30.0);
    let b = north(a, 12.0);
    Dataset {
        counties: vec![County {
            code: "510100".into(),
            name: "县".into(),
            city_code: "5101".into(),
            city_name: "市".into(),
            boundary: None,
        }]
        .into(),
        townships: vec![
            township("510100100", TownshipKind::Town, a, 1000.0),
            township("510100201", TownshipKind::Township, b, 300.0),
        ]
        .into(),
        villages: vec![
            village("510100100201", 0, north(a, 2.0), 400.0),
            village("510100100202", 0, north(a, 4.0), 600.0),
            village("510100201201", 1, north(b, 1.0), 300.0),
        ]
        .into(),
        ..Dataset::default()
    }
}

fn merge_both(stations: Stations) -> Scenario {
    let mut s = Scenario::empty("merge");
    s.townships = Rules {
        manual: vec![vec!["510100100".into(), "510100201".into()]],
        ..Rules::default()
    };
    s.service.stations = stations;
    s.service.radius_km = 10.0;
    s
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

#[test]
fn distances_and_shares_are_exact_before_and_after_a_merge() {
    let ws = Arc::new(Workspace::new(two_townships()));
    let analysis = ws.analyse(&merge_both(Stations::None)).unwrap();
    let before = &analysis.service.before.province;
    // Before: 400 people at 2 km, 600 at 4 km, 300 at 1 km.
    assert!(
        close(
            before.mean_km,
            (400.0 * 2.0 + 600.0 * 4.0 + 300.0 * 1.0) / 1300.0
        ),
        "{}",
        before.mean_km
    );
    assert!(close(before.max_km, 4.0));
    assert!(close(before.share_within[0], 1.0));
    // After: the town's seat survives (largest population); B's village is now 13 km away.
    let after = &analysis.service.after.province;
    assert_eq!(analysis.plan.townships.units.len(), 1);
    assert_eq!(
        analysis.plan.townships.units.raw[0].seat,
        TownshipId::from(0)
    );
    assert!(close(
        after.mean_km,
        (400.0 * 2.0 + 600.0 * 4.0 + 300.0 * 13.0) / 1300.0
    ));
    assert!(close(after.max_km, 13.0));
    assert!(close(after.p90_km, 13.0));
    assert!(close(after.median_km, 4.0));
    assert!(close(after.share_within[1], 1000.0 / 1300.0)); // within 10 km
    assert!(close(after.share_within[2], 1.0)); // within 15 km
    assert_eq!((after.beyond_villages, after.beyond_people), (1, 300.0));
    // 13 km is computed, not exact: test the curve either side of it.
    assert!(close(after.curve[12], 1000.0 / 1300.0) && close(after.curve[14], 1.0));
    // Without a DEM the terrain-adjusted distance is the distance.
    assert!(close(after.mean_terrain_km, after.mean_km));
}

#[test]
fn a_station_at_the_former_seat_restores_its_villages_coverage() {
    let ws = Arc::new(Workspace::new(two_townships()));
    for (stations, expect_station) in [(Stations::All, true), (Stations::None, false)] {
        let a = ws.analyse(&merge_both(stations)).unwrap();
        let with = &a.service.after_with_stations.province;
        assert_eq!(a.service.stations.len(), usize::from(expect_station));
        let far = if expect_station { 1.0 } else { 13.0 };
        assert!(
            close(
                with.mean_km,
                (400.0 * 2.0 + 600.0 * 4.0 + 300.0 * far) / 1300.0
            ),
            "{stations:?}"
        );
        assert!(close(
            a.service.people_served_by_stations,
            if expect_station { 300.0 } else { 0.0 }
        ));
    }
    // "beyond": a station only where the former seat is at least that far from the new seat.
    let mut s = merge_both(Stations::Beyond);
    s.service.station_min_distance_km = 12.5;
    assert!(ws.analyse(&s).unwrap().service.stations.is_empty());
    s.service.station_min_distance_km = 11.5;
    assert_eq!(
        ws.analyse(&s).unwrap().service.stations,
        vec![TownshipId::from(1)]
    );
}

#[test]
fn staff_and_cost_follow_the_cost_model() {
    let ws = Arc::new(Workspace::new(two_townships()));
    let mut s = merge_both(Stations::All);
    s.costs.staff_per_township = 40.0;
    s.costs.staff_per_village = 5.0;
    s.costs.staff_per_station = 3.0;
    s.costs.yuan_per_staff_year = 100_000.0;
    let a = ws.analyse(&s).unwrap().service;
    assert!(close(a.cost_before.staff, 2.0 * 40.0 + 3.0 * 5.0));
    assert!(close(a.cost_after.staff, 40.0 + 3.0 * 5.0 + 3.0));
    assert!(close(a.yearly_saving_yuan(), (95.0 - 58.0) * 100_000.0));
    assert!(close(a.people_per_seat_before, 650.0) && close(a.people_per_seat_after, 1300.0));
}

#[test]
fn the_seat_distance_cap_blocks_the_merge_and_says_so() {
    let ws = Arc::new(Workspace::new(two_townships()));
    let mut s = Scenario::empty("cap");
    s.townships = Rules {
        target_reduction_pct: Some(50.0),
        ..Rules::default()
    };
    s.townships.limits.max_seat_distance_km = Some(11.0);
    let a = ws.analyse(&s).unwrap();
    assert_eq!(a.plan.townships.units.len(), 2);
    // Both townships are candidates (a target without thresholds) and each is blocked.
    assert_eq!(
        a.plan
            .townships
            .outcome
            .blocked
            .get(&Constraint::MaxSeatDistance),
        Some(&2)
    );
    s.townships.limits.max_seat_distance_km = Some(13.0);
    assert_eq!(ws.analyse(&s).unwrap().plan.townships.units.len(), 1);
}

#[test]
fn the_distance_seat_rule_picks_the_true_minimiser() {
    // Three townships in a row, 5 km apart; most people live around the middle one's villages.
    let a = LonLat::new(104.0, 30.0);
    let mut ds = two_townships();
    ds.townships = vec![
        township("510100100", TownshipKind::Town, a, 5000.0),
        township("510100201", TownshipKind::Township, north(a, 5.0), 100.0),
        township("510100202", TownshipKind::Township, north(a, 10.0), 100.0),
    ]
    .into();
    ds.villages = vec![
        village("510100100201", 0, north(a, 6.0), 5000.0),
        village("510100201201", 1, north(a, 5.5), 100.0),
        village("510100202201", 2, north(a, 9.0), 100.0),
    ]
    .into();
    let ws = Arc::new(Workspace::new(ds.clone()));
    let mut s = Scenario::empty("seat");
    s.townships = Rules {
        manual: vec![vec![
            "510100100".into(),
            "510100201".into(),
            "510100202".into(),
        ]],
        seat_rule: SeatRule::MinDistance,
        ..Rules::default()
    };
    let plan = ws.analyse(&s).unwrap().plan;
    // Brute force: the member seat with the smallest population-weighted village distance.
    let cost = |seat: TownshipId| -> f64 {
        ds.villages
            .iter()
            .map(|v| {
                v.resident_pop * jianzhi::geodesy::distance_km(v.centre, ds.townships[seat].seat)
            })
            .sum()
    };
    let best = ds
        .townships
        .keys()
        .min_by(|&x, &y| cost(x).total_cmp(&cost(y)))
        .unwrap();
    assert_eq!(
        best,
        TownshipId::from(1),
        "the middle seat is nearest the people"
    );
    assert_eq!(plan.townships.units.raw[0].seat, best);
    // Largest population would have kept the town's seat, farther from most people.
    s.townships.seat_rule = SeatRule::LargestPopulation;
    assert_eq!(
        ws.analyse(&s).unwrap().plan.townships.units.raw[0].seat,
        TownshipId::from(0)
    );
}

#[test]
fn on_the_demo_data_min_distance_seats_beat_the_other_rules_on_the_same_groups() {
    let ws = Arc::new(Workspace::new(common::demo().clone()));
    let preset =
        Scenario::read(&jianzhi::builtin::presets_dir().join("sichuan-2019.toml")).unwrap();
    let plan = ws.analyse(&preset).unwrap().plan;
    let groups: Vec<Vec<TownshipId>> = plan
        .townships
        .units
        .iter()
        .map(|u| u.members.to_vec())
        .collect();
    let by_rule = |rule| engine::township_seats(ws.engine_inputs(), &groups, rule);
    let nearest = by_rule(SeatRule::MinDistance);
    let mut moved = 0;
    for rule in [SeatRule::LargestPopulation, SeatRule::TownFirst] {
        let other = by_rule(rule);
        for ((group, (seat, cost)), (other_seat, other_cost)) in
            groups.iter().zip(&nearest).zip(&other)
        {
            assert!(group.contains(seat) && group.contains(other_seat));
            assert!(
                cost <= &(other_cost + 1e-6),
                "{rule:?}: {cost} > {other_cost}"
            );
            moved += usize::from(seat != other_seat);
        }
        let total = |seats: &[(TownshipId, f64)]| seats.iter().map(|s| s.1).sum::<f64>();
        assert!(total(&nearest) < total(&other), "{rule:?}");
    }
    assert!(moved > 0);
    // The town-first preset's own seats are the town-first seats of its groups.
    let town_first = by_rule(SeatRule::TownFirst);
    for (unit, (seat, _)) in plan.townships.units.iter().zip(&town_first) {
        assert_eq!(unit.seat, *seat);
    }
    // The preset's figures: merging moves seats away, stations bring most of it back.
    let a = ws.analyse(&preset).unwrap().service;
    assert!(a.after.province.mean_km > a.before.province.mean_km);
    assert!(a.after_with_stations.province.mean_km < a.after.province.mean_km);
    assert!(a.after_with_stations.province.mean_km >= a.before.province.mean_km - 1e-9);
    assert!(a.yearly_saving_yuan() > 0.0);
    // Terrain adjustment only ever adds.
    assert!(a.after.province.mean_terrain_km >= a.after.province.mean_km);
    let _ = FLAT_KM_PER_KM_CLIMBED;
}

#[test]
fn the_local_search_moves_a_township_the_greedy_placed_far_from_its_seat() {
    // Four townships on a line at 0, 5, 9 and 15 km: towns at both ends, two small townships
    // between. The greedy merges the smallest (C) into its nearer neighbour B, then B+C into
    // A (farthest member 9 km from A's seat, against 10 km from D's), which leaves C 9 km
    // from its seat. Moving C to D's town, 6 km away, saves 50 people × 3 km under the same
    // seat rule, and keeps both units connected.
    let a = LonLat::new(104.0, 30.0);
    let mut ds = two_townships();
    let km = [0.0, 5.0, 9.0, 15.0];
    let at = |t: usize| north(a, km[t]);
    ds.townships = vec![
        township("510100100", TownshipKind::Town, at(0), 1000.0),
        township("510100201", TownshipKind::Township, at(1), 100.0),
        township("510100202", TownshipKind::Township, at(2), 50.0),
        township("510100101", TownshipKind::Town, at(3), 1000.0),
    ]
    .into();
    ds.villages = [1000.0, 100.0, 50.0, 1000.0]
        .iter()
        .enumerate()
        .map(|(t, &people)| village(&format!("5101001{t:02}201"), t, at(t), people))
        .collect::<Vec<_>>()
        .into();
    let ws = Arc::new(Workspace::new(ds));
    let mut s = Scenario::empty("chain");
    s.townships = Rules {
        target_reduction_pct: Some(50.0),
        seat_rule: SeatRule::TownFirst,
        ..Rules::default()
    };
    let plan = ws.analyse(&s).unwrap().plan;
    let groups: Vec<(usize, Vec<usize>)> = plan
        .townships
        .units
        .iter()
        .map(|u| {
            (
                u.seat.index(),
                u.members.iter().map(|m| m.index()).collect(),
            )
        })
        .collect();
    assert_eq!(groups, vec![(0, vec![0, 1]), (3, vec![2, 3])]);

    // Townships the scenario merges by hand stay together: C does not move.
    s.townships.manual = vec![vec!["510100201".into(), "510100202".into()]];
    let plan = ws.analyse(&s).unwrap().plan;
    let seats: Vec<usize> = plan
        .townships
        .units
        .iter()
        .map(|u| u.seat.index())
        .collect();
    assert_eq!(seats, vec![0, 3]);
    assert_eq!(plan.townships.units.raw[0].members.len(), 3);
}
