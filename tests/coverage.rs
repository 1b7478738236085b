//! Service coverage: exact distances and shares on hand-built datasets, stations, the cost
//! model, the distance seat rule, and the figures on the demo data.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;

use jianzhi::coverage::FLAT_KM_PER_KM_CLIMBED;
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
fn on_the_demo_data_min_distance_seats_beat_largest_population() {
    let ws = Arc::new(Workspace::new(common::demo().clone()));
    let preset =
        Scenario::read(&jianzhi::builtin::presets_dir().join("sichuan-2019.toml")).unwrap();
    let mut by_rule = Vec::new();
    for rule in [SeatRule::LargestPopulation, SeatRule::MinDistance] {
        let mut s = preset.clone();
        s.townships.seat_rule = rule;
        let a = ws.analyse(&s).unwrap();
        by_rule.push(a.service.after.province.mean_km);
    }
    let (largest, nearest) = (by_rule[0], by_rule[1]);
    assert!(
        nearest < largest,
        "min_distance {nearest:.3} km, largest_population {largest:.3} km"
    );
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
