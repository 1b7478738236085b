//! Random datasets and rules for property tests.
#![allow(dead_code)]

use jianzhi::model::{
    County, CountyId, Dataset, LonLat, Terrain, Township, TownshipKind, Village, VillageKind,
};
use jianzhi::scenario::{Limits, Rules, SeatRule, TargetPer};

/// A random dataset: counties of townships on jittered grids, villages around each seat.
pub fn random_dataset(seed: u64, counties: usize, townships: usize, villages: usize) -> Dataset {
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut next = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 33) as f64) / (1u64 << 31) as f64
    };
    let mut ds = Dataset::default();
    for c in 0..counties {
        ds.counties.push(County {
            code: format!("51{:04}", c + 1),
            name: format!("县{c}"),
            city_code: format!("51{:02}", c % 2 + 1),
            city_name: String::new(),
            boundary: None,
        });
        let n = 1 + (next() * townships as f64) as usize;
        for k in 0..n {
            let kind = match (next() * 10.0) as u32 {
                0 => TownshipKind::Street,
                1..=4 => TownshipKind::Town,
                5..=8 => TownshipKind::Township,
                _ => TownshipKind::Special,
            };
            let seat = LonLat::new(
                100.0 + c as f64 + 0.1 * (k % 4) as f64 + 0.03 * next(),
                30.0 + 0.1 * (k / 4) as f64 + 0.03 * next(),
            );
            let t = ds.townships.next_key();
            ds.townships.push(Township {
                code: format!("51{:04}{:03}", c + 1, k + 1),
                name: format!("乡{}", t.index()),
                county: CountyId::from(c),
                kind,
                seat,
                area_km2: 5.0 + 200.0 * next(),
                registered_pop: (500.0 + 40_000.0 * next()).round(),
                resident_pop: 0.0,
                terrain: Some(Terrain::ALL[(next() * 4.0) as usize % 4]),
                boundary: None,
            });
            let m = (next() * villages as f64) as usize;
            for j in 0..m {
                let vkind = if next() < 0.2 {
                    VillageKind::Community
                } else {
                    VillageKind::Village
                };
                let resident = (50.0 + 3000.0 * next()).round();
                ds.townships[t].resident_pop += resident;
                ds.villages.push(Village {
                    code: format!("{}{:03}", ds.townships[t].code, j + 1),
                    name: format!("村{j}"),
                    township: t,
                    kind: vkind,
                    centre: LonLat::new(
                        seat.lon + 0.04 * (next() - 0.5),
                        seat.lat + 0.04 * (next() - 0.5),
                    ),
                    area_km2: 0.5 + 20.0 * next(),
                    resident_pop: resident,
                    registered_pop: Some(resident),
                    boundary: None,
                });
            }
        }
    }
    ds
}

pub fn random_rules<K>(
    bits: u32,
    pct: f64,
    threshold: f64,
    cap: f64,
    locked: Vec<String>,
) -> Rules<K> {
    Rules {
        target_reduction_pct: (bits & 1 == 0).then_some(pct),
        target_per: if bits & 2 == 0 {
            TargetPer::Province
        } else {
            TargetPer::County
        },
        limits: Limits {
            min_registered_pop: (bits & 4 == 0).then_some(threshold),
            min_resident_pop: (bits & 8 == 0).then_some(threshold / 10.0),
            max_area_km2: (bits & 16 == 0).then_some(cap * 20.0),
            max_seat_distance_km: (bits & 32 == 0).then_some(cap),
            ..Limits::default()
        },
        separate_streets: bits & 64 == 0,
        seat_rule: [
            SeatRule::LargestPopulation,
            SeatRule::TownFirst,
            SeatRule::MinDistance,
        ][(bits >> 7) as usize % 3],
        locked,
        ..Rules::default()
    }
}
