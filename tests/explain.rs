//! Every decision explained: the engine's record of a plan, replayed step by step, rebuilds
//! exactly the plan's units; and what the record says of each unit agrees with the plan.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;

use common::random::{random_dataset, random_rules};
use common::workspace;
use jianzhi::engine::explain::{Decision, Fate, Replayed};
use jianzhi::model::{Level, VillageKind};
use jianzhi::plan::Stage;
use jianzhi::scenario::{Rules, Scenario};
use proptest::prelude::*;

/// A stage's new units as (seat, members), in order of first member.
fn units_of<L: Level>(stage: &Stage<L>) -> Replayed {
    let mut units: Replayed = stage
        .units
        .iter()
        .map(|u| (u.seat.into(), u.members.iter().map(|&m| m.into()).collect()))
        .collect();
    units.sort_by_key(|(_, members): &(usize, Vec<usize>)| members[0]);
    units
}

/// What the decisions say agrees with the stage: each unit's seat is its new unit's; where
/// the local search moved nothing in the unit's partition (`partition_of`), a unit alone in
/// its new unit did not merge and one in a group merged (by a step, by hand, or by the
/// scenario's groups).
fn agrees<L: Level>(
    decisions: &[Decision],
    stage: &Stage<L>,
    partition_of: impl Fn(usize) -> usize,
) -> Result<(), TestCaseError> {
    prop_assert_eq!(decisions.len(), stage.new_of.len());
    let searched: std::collections::HashSet<usize> = (0..decisions.len())
        .filter(|&k| decisions[k].moved.is_some())
        .map(&partition_of)
        .collect();
    for (k, d) in decisions.iter().enumerate() {
        let unit = stage.unit_of(L::from(k));
        prop_assert_eq!(d.seat, unit.seat.into(), "unit {}", k);
        let alone = unit.members.len() == 1;
        if !searched.contains(&partition_of(k)) {
            prop_assert_eq!(
                d.fate.merged(),
                !alone,
                "unit {} alone {} but {:?}",
                k,
                alone,
                d.fate
            );
        }
        // A step that merged weighed the neighbour it took, and it broke no cap.
        if let Fate::Weakest { .. } | Fate::Chosen { .. } = d.fate {
            let taken: Vec<_> = d.weighed.iter().filter(|w| w.chosen).collect();
            prop_assert_eq!(taken.len(), 1, "unit {}: {:?}", k, d.weighed);
            prop_assert_eq!(taken[0].broke, 0);
            prop_assert!(
                d.weighed
                    .iter()
                    .all(|w| w.broke != 0 || w.reach_km >= taken[0].reach_km)
            );
        }
        if let Fate::Blocked { broke, .. } = d.fate {
            prop_assert!(
                d.weighed
                    .iter()
                    .all(|w| w.broke != 0 && w.broke & !broke == 0)
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn the_recorded_decisions_replayed_in_order_rebuild_the_plan(
        seed in any::<u64>(), counties in 1usize..4, townships in 2usize..14, villages in 0usize..6,
        t_bits in any::<u32>(), v_bits in any::<u32>(), pct in 0.0f64..60.0,
        threshold in 0.0f64..40_000.0, cap in 1.0f64..40.0,
    ) {
        let ws = workspace(random_dataset(seed, counties, townships, villages));
        let mut scenario = Scenario::empty("random");
        scenario.townships = random_rules(t_bits, pct, threshold, cap, Vec::new());
        scenario.villages = Rules {
            exempt_kinds: Some(vec![VillageKind::Community]),
            ..random_rules(v_bits, pct, threshold / 20.0, cap / 4.0, Vec::new())
        };
        let analysis = ws.analyse(&scenario).unwrap();
        let (townships, villages) = analysis.replayed();
        prop_assert_eq!(townships.unwrap(), units_of(&analysis.plan.townships));
        prop_assert_eq!(villages.unwrap(), units_of(&analysis.plan.villages));
        let decisions = analysis.decisions();
        let ds = ws.dataset();
        let county = |t: usize| ds.townships.raw[t].county.index();
        let new_township = |v: usize| analysis.plan.townships.new_of[ds.villages.raw[v].township].index();
        agrees(&decisions.townships, &analysis.plan.townships, county)?;
        agrees(&decisions.villages, &analysis.plan.villages, new_township)?;
    }
}

#[test]
fn the_demo_plan_is_its_record_replayed_and_every_merge_has_its_reason() {
    let ws = common::demo_workspace();
    let analysis = ws.analyse(&common::preset("sichuan-2019")).unwrap();
    let (townships, villages) = analysis.replayed();
    assert_eq!(townships.unwrap(), units_of(&analysis.plan.townships));
    assert_eq!(villages.unwrap(), units_of(&analysis.plan.villages));
    let townships = &analysis.decisions().townships;
    let ds = ws.dataset();
    agrees(townships, &analysis.plan.townships, |t| {
        ds.townships.raw[t].county.index()
    })
    .unwrap();
    // The preset's local search moves some townships, and the record has each move.
    assert!(townships.iter().any(|d| d.moved.is_some()));
    // Merges by the weakest-first rule, both sides, and candidates the caps blocked.
    let count = |f: fn(&Fate) -> bool| townships.iter().filter(|d| f(&d.fate)).count();
    assert!(count(|f| matches!(f, Fate::Weakest { .. })) > 500);
    assert!(count(|f| matches!(f, Fate::Chosen { .. })) > 500);
    assert!(count(|f| matches!(f, Fate::Blocked { .. })) > 0);
    assert!(count(|f| matches!(f, Fate::Frozen)) > 0);
    // A township that merged as the weakest candidate is said to be below its thresholds
    // exactly where the limits of the terrain the plan used set some (the preset sets them for
    // mountain and plateau townships only), else to have merged for the target.
    let scenario = &analysis.scenario;
    let mut below = 0;
    for (k, d) in townships.iter().enumerate() {
        if !matches!(d.fate, Fate::Weakest { .. }) || d.moved.is_some() {
            continue;
        }
        let terrain = ws.prepared().terrain[jianzhi::model::TownshipId::from(k)];
        let limits = scenario.townships.limits_for(terrain);
        let set = limits.min_area_km2.is_some()
            || limits.min_registered_pop.is_some()
            || limits.min_resident_pop.is_some();
        let story = jianzhi::explain::story(&analysis, jianzhi::scenario::LevelName::Townships, k);
        if story.rule == "local_search" {
            continue;
        }
        assert_eq!(
            story.rule,
            if set { "below_threshold" } else { "target" },
            "township {k}"
        );
        below += usize::from(set);
    }
    assert!(
        below > 0,
        "no mountain or plateau township merged below its thresholds"
    );
}

/// `jianzhi` with `args`: its exit status and its output.
fn jianzhi(args: &[&str]) -> (bool, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_jianzhi"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn explain_csv_has_a_row_for_every_former_unit_that_agrees_with_the_plan() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let (ok, _, err) = jianzhi(&[
        "run",
        "--scenario",
        "sichuan-2019",
        "--formats",
        "csv",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let text = std::fs::read_to_string(out.join("explain.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    // The plan as the library makes it, to check each row against.
    let ws = common::demo_workspace();
    let analysis = ws.analyse(&common::preset("sichuan-2019")).unwrap();
    let ds = ws.dataset();
    assert_eq!(rows.len(), ds.townships.len() + ds.villages.len());
    let plan = &analysis.plan;
    for (k, row) in rows.iter().enumerate() {
        let rule = &row[col("rule")];
        assert!(jianzhi::explain::RULES.contains(&rule), "row {k}: {rule}");
        let (members, seat_code, code) = if k < ds.townships.len() {
            let t = jianzhi::model::TownshipId::from(k);
            let unit = plan.townships.unit_of(t);
            (
                unit.members.len(),
                &ds.townships[unit.seat].code,
                &ds.townships[t].code,
            )
        } else {
            let v = jianzhi::model::VillageId::from(k - ds.townships.len());
            let unit = plan.villages.unit_of(v);
            (
                unit.members.len(),
                &ds.villages[unit.seat].code,
                &ds.villages[v].code,
            )
        };
        assert_eq!(&row[col("code")], code.as_str());
        assert_eq!(&row[col("new_code")], seat_code.as_str(), "row {k}");
        let merged = &row[col("decision")] == "merged";
        assert_eq!(merged, members > 1, "row {k}: {:?}", row);
        // A merge by a step names its figures; a block names its caps.
        if ["below_threshold", "target"].contains(&rule) {
            assert!(!row[col("ratio_pct")].is_empty() && !row[col("reach_km")].is_empty());
        }
        if rule == "blocked" {
            assert!(!row[col("blocked_by")].is_empty());
        }
        assert!(!row[col("reason")].is_empty());
    }
    // The preset leaves streets alone and per-county targets stop some candidates.
    let count = |rule: &str| rows.iter().filter(|r| &r[col("rule")] == rule).count();
    assert!(count("exempt_kind") > 0 && count("county_target_met") > 0);
    assert!(count("below_threshold") > 0 && count("chosen_as_neighbour") > 0);
}

#[test]
fn explain_tells_the_story_of_a_code_and_names_a_code_it_does_not_know() {
    // 金源乡 (511325209) in 西充县.
    let (ok, out, err) = jianzhi(&["explain", "--scenario", "sichuan-2019", "511325209"]);
    assert!(ok, "{err}");
    assert!(out.starts_with("511325209 金源乡 → "), "{out}");
    assert!(out.contains("比较的相邻单位"), "{out}");
    let (ok, out, _) = jianzhi(&[
        "explain",
        "--scenario",
        "sichuan-2019",
        "--lang",
        "en",
        "511325209",
    ]);
    assert!(ok);
    assert!(out.contains("weighed") && out.contains("km"), "{out}");
    let (ok, _, err) = jianzhi(&["explain", "--scenario", "sichuan-2019", "999999999"]);
    assert!(!ok);
    assert!(err.contains("999999999"), "{err}");
}
