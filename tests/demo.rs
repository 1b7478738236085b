//! The built-in Sichuan demo dataset: counts as the real codes say, modelled figures
//! calibrated to the published pre-reform averages and the census, and the committed files
//! exactly what the generator makes.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;

use std::collections::HashMap;

use common::{demo, demo_dir};
use jianzhi::TownshipKind;
use jianzhi::adjacency::{DEFAULT_TOLERANCE_DEG, Method, township_adjacency, village_adjacency};
use jianzhi::demo::targets;
use jianzhi::summary::summarize;

fn within(actual: f64, target: f64, tolerance: f64) -> bool {
    (actual - target).abs() / target <= tolerance
}

#[test]
fn committed_demo_files_are_what_the_generator_makes() {
    let generated = jianzhi::demo::generate(&demo_dir().join("sources")).unwrap();
    for (name, bytes) in &generated.files {
        let committed = std::fs::read(demo_dir().join(name)).unwrap();
        assert!(
            committed == *bytes,
            "data/sichuan/{name} differs from the generator's output; run `cargo run --release -- demo-data`"
        );
    }
}

#[test]
fn counts_are_the_real_2016_codes() {
    let s = summarize(demo()).province;
    assert_eq!(s.townships.count, 4618);
    assert_eq!(s.township_kinds[&TownshipKind::Special], 43);
    assert_eq!(s.township_kinds[&TownshipKind::Street], 329);
    assert_eq!(s.township_kinds[&TownshipKind::EthnicTownship], 97);
    assert_eq!(s.villages.count, 46630);
    assert_eq!(s.communities.count, 6996);
    assert_eq!(demo().counties.len(), 183);
}

#[test]
fn modelled_averages_are_within_five_percent_of_the_published_figures() {
    let s = summarize(demo()).province;
    let checks = [
        (
            "township area",
            s.townships.avg_area_km2,
            targets::TOWNSHIP_AREA_KM2,
        ),
        (
            "township registered",
            s.townships.avg_registered_pop,
            targets::TOWNSHIP_REGISTERED_POP,
        ),
        (
            "village area",
            s.villages.avg_area_km2,
            targets::VILLAGE_AREA_KM2,
        ),
        (
            "village resident",
            s.villages.avg_resident_pop,
            targets::VILLAGE_RESIDENT_POP,
        ),
    ];
    for (what, actual, target) in checks {
        assert!(
            within(actual, target, 0.05),
            "{what}: {actual:.1} vs published {target}"
        );
    }
}

#[test]
fn city_resident_totals_equal_the_2020_census() {
    let census =
        std::fs::read_to_string(demo_dir().join("sources/city_population_2020.csv")).unwrap();
    let mut expected: HashMap<String, u64> = HashMap::new();
    for line in census.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        expected.insert(f[0].to_string(), f[2].trim().parse().unwrap());
    }
    let ds = demo();
    let mut actual: HashMap<String, u64> = HashMap::new();
    for t in &ds.townships {
        *actual
            .entry(ds.counties[t.county].city_code.clone())
            .or_default() += t.resident_pop as u64;
    }
    assert_eq!(actual, expected);
    assert_eq!(expected.values().sum::<u64>(), 83_674_866);
    // Villages add up to their township.
    let mut by_township = vec![0.0; ds.townships.len()];
    for v in &ds.villages {
        by_township[v.township.index()] += v.resident_pop;
    }
    for (t, sum) in ds.townships.iter().zip(by_township) {
        assert_eq!(t.resident_pop, sum, "{}", t.code);
    }
}

#[test]
fn streets_and_towns_are_denser_than_townships_and_the_basin_than_the_plateau() {
    let ds = demo();
    let density = |kind: TownshipKind| {
        let (pop, area) = ds
            .townships
            .iter()
            .filter(|t| t.kind == kind)
            .fold((0.0, 0.0), |(p, a), t| (p + t.resident_pop, a + t.area_km2));
        pop / area
    };
    assert!(density(TownshipKind::Street) > density(TownshipKind::Town));
    assert!(density(TownshipKind::Town) > density(TownshipKind::Township));
    let dem = ds.dem.as_ref().unwrap();
    let (mut low, mut high) = ((0.0, 0.0), (0.0, 0.0));
    for t in &ds.townships {
        let e = dem.elevation(t.seat).unwrap();
        let slot = if e < 800.0 {
            &mut low
        } else if e > 3000.0 {
            &mut high
        } else {
            continue;
        };
        slot.0 += t.resident_pop;
        slot.1 += t.area_km2;
    }
    assert!(
        low.0 / low.1 > 10.0 * high.0 / high.1,
        "basin {:.0}/km², plateau {:.1}/km²",
        low.0 / low.1,
        high.0 / high.1
    );
}

#[test]
fn seats_lie_in_their_county_and_villages_in_their_township() {
    use geo::Intersects;
    let ds = demo();
    for t in &ds.townships {
        let county = ds.counties[t.county].boundary.as_ref().unwrap();
        // Seats are rounded to 1e-5 degrees, so test against the territory, which shares the rounding.
        let territory = t.boundary.as_ref().unwrap();
        assert!(
            territory.intersects(&geo::Point::from(t.seat))
                || county.intersects(&geo::Point::from(t.seat)),
            "{}",
            t.code
        );
    }
    let mut outside = 0;
    for v in &ds.villages {
        let territory = ds.townships[v.township].boundary.as_ref().unwrap();
        if !territory.intersects(&geo::Point::from(v.centre)) {
            outside += 1;
        }
    }
    // Rounding to a metre may put a centre right on an edge just outside; never more than a few.
    assert!(
        outside * 1000 < ds.villages.len(),
        "{outside} village centres outside their township"
    );
}

#[test]
fn adjacency_is_symmetric_and_stays_inside_counties_and_townships() {
    let ds = demo();
    let (towns, methods) = township_adjacency(ds, DEFAULT_TOLERANCE_DEG);
    assert!(
        methods.iter().all(|m| *m == Method::Boundaries),
        "every demo township has a territory"
    );
    for a in ds.townships.keys() {
        for b in towns.neighbours(a) {
            assert!(towns.are_neighbours(b, a), "asymmetric {a} {b}");
            assert_eq!(
                ds.townships[a].county, ds.townships[b].county,
                "crosses a county"
            );
        }
    }
    // Territories tile counties: almost every township has a neighbour, about three on average
    // per township (planar graphs average under six).
    let isolated = ds
        .townships
        .keys()
        .filter(|&i| towns.neighbours(i).len() == 0)
        .count();
    let multi = ds
        .townships_by_county()
        .iter()
        .filter(|m| m.len() > 1)
        .map(|m| m.len())
        .sum::<usize>();
    assert!(isolated * 100 < multi, "{isolated} isolated townships");
    let mean = 2.0 * towns.pair_count() as f64 / ds.townships.len() as f64;
    assert!((3.0..6.0).contains(&mean), "mean degree {mean}");

    let (villages, methods) = village_adjacency(ds, DEFAULT_TOLERANCE_DEG);
    assert!(methods.iter().all(|m| *m == Method::Delaunay));
    for a in ds.villages.keys() {
        for b in villages.neighbours(a) {
            assert_eq!(ds.villages[a].township, ds.villages[b].township);
            assert!(villages.are_neighbours(b, a));
        }
    }
}
