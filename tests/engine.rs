//! The merge engine: the presets on the demo data, rule behaviour, and invariants on random
//! datasets and rules (property tests).

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;

use std::collections::{HashSet, VecDeque};
use std::path::Path;

use jianzhi::engine::{PlanError, Prepared, Stage, after_summary, apply};
use jianzhi::model::{
    County, CountyId, Dataset, Level, LonLat, Terrain, Township, TownshipKind, Village, VillageKind,
};
use jianzhi::scenario::{Limits, Rules, Scenario, SeatRule, TargetPer};
use jianzhi::summary::summarize;
use jianzhi::workspace::{Analysis, Workspace};
use proptest::prelude::*;
use typed_index_collections::TiVec;

fn preset(name: &str) -> Scenario {
    Scenario::read(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("data/presets")
            .join(format!("{name}.toml")),
    )
    .unwrap()
}

fn demo_prepared() -> &'static Prepared {
    static P: std::sync::OnceLock<Prepared> = std::sync::OnceLock::new();
    P.get_or_init(|| Prepared::new(common::demo()))
}

fn cut_pct(before: usize, after: usize) -> f64 {
    100.0 * (before as f64 - after as f64) / before as f64
}

#[test]
fn sichuan_2019_cuts_townships_32_and_villages_41_6_percent() {
    let ds = common::demo();
    let plan = apply(ds, demo_prepared(), &preset("sichuan-2019")).unwrap();
    let (b, a) = (summarize(ds).province, after_summary(ds, &plan).province);
    let townships = cut_pct(b.townships.count, a.townships.count);
    let villages = cut_pct(b.villages.count, a.villages.count);
    assert!(
        (townships - 32.0).abs() <= 1.0,
        "townships cut {townships:.2}%"
    );
    assert!(
        (villages - 41.6).abs() <= 1.0,
        "villages cut {villages:.2}%"
    );
    // Communities and special units are counted apart and untouched by this preset.
    assert_eq!(a.communities.count, b.communities.count);
}

#[test]
fn conservative_makes_about_half_the_cuts_and_thresholds_only_has_no_target() {
    let ds = common::demo();
    let b = summarize(ds).province;
    let plan = apply(ds, demo_prepared(), &preset("conservative")).unwrap();
    let a = after_summary(ds, &plan).province;
    let t = cut_pct(b.townships.count, a.townships.count);
    let v = cut_pct(b.villages.count, a.villages.count);
    assert!(
        (t - 16.0).abs() <= 2.0 && (v - 20.8).abs() <= 2.0,
        "{t:.1}% {v:.1}%"
    );

    let scenario = preset("thresholds-only");
    assert!(scenario.townships.target_reduction_pct.is_none());
    let plan = apply(ds, demo_prepared(), &scenario).unwrap();
    assert!(plan.townships.outcome.merges > 0 && plan.townships.outcome.target_merges.is_none());
    // Every township left below the threshold had no merge the caps allowed.
    let limits = scenario.townships.limits.min_registered_pop.unwrap();
    let below = plan
        .townships
        .units
        .iter()
        .filter(|u| {
            let t = &ds.townships[u.seat];
            let registered: f64 = u
                .members
                .iter()
                .map(|&m| ds.townships[m].registered_pop)
                .sum();
            t.kind != TownshipKind::Street
                && t.kind.is_regular()
                && t.kind != TownshipKind::EthnicTownship
                && registered < limits
                && demo_prepared().terrain[u.seat] != Some(Terrain::Plateau)
        })
        .count();
    let blocked: usize = plan.townships.outcome.blocked.values().sum();
    assert!(
        below <= blocked,
        "{below} below the threshold, {blocked} blocked"
    );
}

#[test]
fn sichuan_2019_works_by_rules_not_a_flat_quota() {
    let ds = common::demo();
    let prepared = demo_prepared();
    let plan = apply(ds, prepared, &preset("sichuan-2019")).unwrap();
    // Counties of the uplands (mostly mountain or plateau townships) and of the basin (mostly
    // plain or hill) end up with different cuts.
    let mut upland: TiVec<CountyId, i32> = vec![0i32; ds.counties.len()].into();
    for (i, t) in ds.townships.iter_enumerated() {
        upland[t.county] += match prepared.terrain[i] {
            Some(Terrain::Mountain | Terrain::Plateau) => 1,
            _ => -1,
        };
    }
    let (b, a) = (summarize(ds), after_summary(ds, &plan));
    let cut = |want_upland: bool| {
        let (mut before, mut after) = (0, 0);
        for (c, &score) in upland.iter_enumerated() {
            if (score > 0) == want_upland {
                before += b.counties[c].townships.count;
                after += a.counties[c].townships.count;
            }
        }
        cut_pct(before, after)
    };
    let (upland_cut, basin_cut) = (cut(true), cut(false));
    assert!(
        (upland_cut - basin_cut).abs() >= 5.0,
        "upland counties cut {upland_cut:.1}%, basin counties {basin_cut:.1}%"
    );
    // Streets are reformed separately: never merged with a town or township.
    for u in &plan.townships.units {
        let streets = u
            .members
            .iter()
            .filter(|&&m| ds.townships[m].kind == TownshipKind::Street)
            .count();
        assert!(
            streets == 0 || streets == u.members.len(),
            "{} mixes streets and rural units",
            ds.townships[u.seat].code
        );
    }
    // Small units go first: those merged away are far smaller than the seats that survive.
    let (mut gone, mut kept) = (Vec::new(), Vec::new());
    for (i, t) in ds.townships.iter_enumerated() {
        let unit = plan.townships.unit_of(i);
        if unit.members.len() > 1 {
            if unit.seat == i {
                kept.push(t.registered_pop)
            } else {
                gone.push(t.registered_pop)
            }
        }
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    assert!(
        mean(&gone) < 0.7 * mean(&kept),
        "merged away {:.0}, seats {:.0}",
        mean(&gone),
        mean(&kept)
    );
    // Ethnic townships and special units are exempt.
    for (i, t) in ds.townships.iter_enumerated() {
        if matches!(t.kind, TownshipKind::EthnicTownship | TownshipKind::Special) {
            assert_eq!(plan.townships.unit_of(i).members, vec![i]);
        }
    }
}

#[test]
fn scope_leaves_other_counties_untouched() {
    let ds = common::demo();
    let mut scenario = preset("sichuan-2019");
    scenario.scope.cities = vec!["5107".into()];
    scenario.scope.counties = vec!["511102".into()];
    let plan = apply(ds, demo_prepared(), &scenario).unwrap();
    let in_scope = |county: CountyId| {
        ds.counties[county].city_code == "5107" || ds.counties[county].code == "511102"
    };
    let mut merged_in_scope = 0;
    for (i, t) in ds.townships.iter_enumerated() {
        let unit = plan.townships.unit_of(i);
        if !in_scope(t.county) {
            assert_eq!(unit.members, vec![i], "{} is outside the scope", t.code);
        } else if unit.members.len() > 1 {
            merged_in_scope += 1;
        }
    }
    assert!(merged_in_scope > 0);
    for (i, v) in ds.villages.iter_enumerated() {
        if !in_scope(ds.townships[v.township].county) {
            assert_eq!(plan.villages.unit_of(i).members, vec![i]);
        }
    }
}

#[test]
fn bad_codes_in_a_scenario_are_named() {
    let ds = common::demo();
    let mut s = preset("sichuan-2019");
    s.townships.locked = vec!["519999999".into()];
    assert_eq!(
        apply(ds, demo_prepared(), &s).unwrap_err(),
        PlanError::UnknownCode {
            key: "townships.locked".into(),
            code: "519999999".into()
        }
    );
    let mut s = preset("sichuan-2019");
    let other_county = ds
        .townships
        .iter()
        .find(|t| t.county != ds.townships.raw[0].county)
        .unwrap();
    s.townships.manual = vec![vec![
        ds.townships.raw[0].code.clone(),
        other_county.code.clone(),
    ]];
    let err = apply(ds, demo_prepared(), &s).unwrap_err();
    assert_eq!(
        err.describe(jianzhi::Lang::Zh),
        format!(
            "townships.manual[0]：{} 和 {} 属于不同区县；合并不能跨越区县",
            ds.townships.raw[0].code, other_county.code
        )
    );
    let err = err.to_string();
    assert!(
        err.contains("townships.manual[0]") && err.contains("different counties"),
        "{err}"
    );
    let mut s = preset("sichuan-2019");
    s.scope.cities = vec!["9999".into()];
    assert!(
        apply(ds, demo_prepared(), &s)
            .unwrap_err()
            .to_string()
            .contains("scope.cities")
    );
}

// ---- Random datasets and rules -------------------------------------------------------

/// A random dataset: counties of townships on jittered grids, villages around each seat.
#[test]
fn a_plan_is_read_only_against_the_dataset_it_was_computed_on() {
    let small = Workspace::new(random_dataset(7, 2, 6, 3));
    let other = Workspace::new(random_dataset(8, 3, 12, 4));
    let scenario = preset("sichuan-2019");
    let analysis = small.analyse(&scenario).unwrap();
    assert!(small.check(&analysis).is_ok());
    assert!(small.report(&analysis).is_ok());
    // Another dataset, and the same data loaded again, are other datasets: no report.
    let again = Workspace::new(small.dataset.clone());
    for ws in [&other, &again] {
        let e = ws.report(&analysis).err().unwrap();
        assert_eq!((e.plan, e.dataset), (small.id(), ws.id()));
        assert!(e.to_string().contains("another dataset"), "{e}");
    }
}

fn random_dataset(seed: u64, counties: usize, townships: usize, villages: usize) -> Dataset {
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

fn random_rules(bits: u32, pct: f64, threshold: f64, cap: f64, locked: Vec<String>) -> Rules {
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

/// Whether the members of every new unit are connected through adjacency among themselves.
fn contiguous<L: Level>(members: &[L], adjacent: impl Fn(L) -> Vec<L>) -> bool {
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
fn each_unit_in_one_new_unit<L: Level>(stage: &Stage<L>, n: usize) -> Result<(), TestCaseError> {
    prop_assert_eq!(stage.new_of.len(), n);
    let mut count = vec![0; n];
    for (k, u) in stage.units.iter_enumerated() {
        prop_assert!(u.members.contains(&u.seat));
        for &m in &u.members {
            count[m.into()] += 1;
            prop_assert_eq!(stage.new_of[m], k);
        }
    }
    prop_assert!(count.iter().all(|&c| c == 1));
    Ok(())
}

fn report_bytes(ws: &Workspace, analysis: &Analysis) -> Vec<Vec<u8>> {
    let r = ws.report(analysis).unwrap();
    vec![
        r.summary_csv(Vec::new()).into_bytes(),
        r.counties_csv(Vec::new()).into_bytes(),
        r.townships_csv(Vec::new()).into_bytes(),
        r.villages_csv(Vec::new()).into_bytes(),
        r.outcome_csv(Vec::new()).into_bytes(),
        r.coverage_csv(Vec::new()).into_bytes(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn plans_keep_every_invariant(
        seed in any::<u64>(), counties in 1usize..4, townships in 1usize..14, villages in 0usize..7,
        t_bits in any::<u32>(), v_bits in any::<u32>(), pct in 0.0f64..80.0, threshold in 0.0f64..40_000.0,
        cap in 1.0f64..40.0, lock_every in 2usize..9,
    ) {
        let ds = random_dataset(seed, counties, townships, villages);
        let locked_t: Vec<String> = ds.townships.iter().step_by(lock_every).map(|t| t.code.clone()).collect();
        let locked_v: Vec<String> = ds.villages.iter().step_by(lock_every).map(|v| v.code.clone()).collect();
        let mut scenario = Scenario::empty("random");
        scenario.townships = random_rules(t_bits, pct, threshold, cap, locked_t.clone());
        scenario.villages = Rules { exempt_kinds: Some(vec!["community".into()]), ..random_rules(v_bits, pct, threshold / 20.0, cap / 4.0, locked_v.clone()) };
        let prepared = Prepared::new(&ds);
        let plan = apply(&ds, &prepared, &scenario).unwrap();

        // Every former unit maps to exactly one new unit, which lists it.
        each_unit_in_one_new_unit(&plan.townships, ds.townships.len())?;
        each_unit_in_one_new_unit(&plan.villages, ds.villages.len())?;
        // No county crossed; groups contiguous; locked units untouched.
        for u in &plan.townships.units {
            let county = ds.townships[u.seat].county;
            prop_assert!(u.members.iter().all(|&m| ds.townships[m].county == county));
            prop_assert!(contiguous(&u.members, |m| prepared.township_adjacency.neighbours(m).collect()));
        }
        for u in &plan.villages.units {
            // Villages merge only within one new township.
            let township = plan.townships.new_of[ds.villages[u.seat].township];
            prop_assert!(u.members.iter().all(|&m| plan.townships.new_of[ds.villages[m].township] == township));
            prop_assert!(contiguous(&u.members, |m| prepared.village_adjacency.neighbours(m).collect()));
        }
        for code in &locked_t {
            let i = ds.townships.position(|t| &t.code == code).unwrap();
            prop_assert_eq!(&plan.townships.unit_of(i).members, &vec![i]);
        }
        for code in &locked_v {
            let i = ds.villages.position(|v| &v.code == code).unwrap();
            prop_assert_eq!(&plan.villages.unit_of(i).members, &vec![i]);
        }
        // Areas and populations are conserved.
        let (before, after) = (summarize(&ds).province, after_summary(&ds, &plan).province);
        let total = |s: &jianzhi::summary::Summary| (s.townships.total_area_km2, s.townships.total_registered_pop, s.villages.total_resident_pop + s.communities.total_resident_pop);
        let (b, a) = (total(&before), total(&after));
        prop_assert!((b.0 - a.0).abs() < 1e-6 * b.0.max(1.0) && (b.1 - a.1).abs() < 1e-6 * b.1.max(1.0));
        let villages_before: f64 = ds.villages.iter().map(|v| v.resident_pop).sum();
        let villages_after: f64 = plan.villages.units.iter().flat_map(|u| &u.members).map(|&m| ds.villages[m].resident_pop).sum();
        prop_assert!((villages_before - villages_after).abs() < 1e-6 * villages_before.max(1.0));
        let _ = a.2;
        // Caps hold for every merged group made by the rules.
        for u in plan.townships.units.iter().filter(|u| u.members.len() > 1) {
            let limits = scenario.townships.limits_for(prepared.terrain[u.seat]);
            let area: f64 = u.members.iter().map(|&m| ds.townships[m].area_km2).sum();
            if let Some(cap) = limits.max_area_km2 { prop_assert!(area <= cap + 1e-9); }
            if let Some(cap) = limits.max_seat_distance_km {
                for &m in &u.members {
                    prop_assert!(jianzhi::geodesy::distance_km(ds.townships[m].seat, ds.townships[u.seat].seat) <= cap + 1e-6);
                }
            }
        }
        // A target is never overshot.
        if let Some(t) = plan.townships.outcome.target_merges { prop_assert!(plan.townships.outcome.merges <= t); }
        // The same inputs give byte-identical reports.
        let ws = Workspace::new(ds.clone());
        let (first, second) = (ws.analyse(&scenario).unwrap(), ws.analyse(&scenario).unwrap());
        prop_assert_eq!(&first.plan, &plan);
        prop_assert_eq!(report_bytes(&ws, &first), report_bytes(&ws, &second));
    }
}
