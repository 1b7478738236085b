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
        let (townships, villages) = analysis.decisions();
        let ds = ws.dataset();
        let county = |t: usize| ds.townships.raw[t].county.index();
        let new_township = |v: usize| analysis.plan.townships.new_of[ds.villages.raw[v].township].index();
        agrees(&townships.unwrap(), &analysis.plan.townships, county)?;
        agrees(&villages.unwrap(), &analysis.plan.villages, new_township)?;
    }
}

#[test]
fn the_demo_plan_is_its_record_replayed_and_every_merge_has_its_reason() {
    let ws = common::demo_workspace();
    let analysis = ws.analyse(&common::preset("sichuan-2019")).unwrap();
    let (townships, villages) = analysis.replayed();
    assert_eq!(townships.unwrap(), units_of(&analysis.plan.townships));
    assert_eq!(villages.unwrap(), units_of(&analysis.plan.villages));
    let (townships, _) = analysis.decisions();
    let townships = townships.unwrap();
    let ds = ws.dataset();
    agrees(&townships, &analysis.plan.townships, |t| {
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
}
