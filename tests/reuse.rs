//! An edit recomputes only what it changed: on the Sichuan demo, a hand edit in one county
//! runs that county alone, leaves every other county's result as it was, and gives the same
//! figures as an analysis from scratch; a province-wide target moved runs no county again.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;

use common::{demo_workspace, preset};
use jianzhi::model::{CountyId, TownshipId};
use jianzhi::scenario::{Edit, EditAction, LevelName, TargetPer};
use jianzhi::workspace::Analysis;
use typed_index_collections::TiVec;

fn figures(a: &Analysis) -> String {
    format!("{:?}\n{:?}\n{:?}", a.plan, a.after, a.service)
}

/// Each county's new townships (seat and members by code) and its figures, as text.
fn county_results(a: &Analysis) -> TiVec<CountyId, String> {
    let ds = a.dataset();
    ds.counties
        .keys()
        .map(|c: CountyId| {
            let units: Vec<String> = a
                .plan
                .townships
                .units
                .iter()
                .filter(|u| ds.townships[u.seat].county == c)
                .map(|u| {
                    let codes: Vec<&str> = u
                        .members
                        .iter()
                        .map(|&m| ds.townships[m].code.as_str())
                        .collect();
                    format!("{} {:?} {:?}", ds.townships[u.seat].code, codes, u.name)
                })
                .collect();
            format!(
                "{units:?}\n{:?}\n{:?}\n{:?}",
                a.after.counties[c],
                a.service.after.counties[c],
                a.service.village_seats.counties[c]
            )
        })
        .collect()
}

#[test]
fn a_hand_edit_in_one_county_runs_that_county_alone_and_changes_no_other() {
    let ws = demo_workspace();
    let ds = ws.dataset();
    let mut scenario = preset("sichuan-2019");
    let before = ws.analyse(&scenario).unwrap();

    // Two neighbouring townships of one county that the preset leaves in different units.
    let (a, b) = ds
        .townships
        .keys()
        .find_map(|t: TownshipId| {
            ws.prepared()
                .township_adjacency
                .neighbours(t)
                .find(|&n| {
                    ds.townships[n].county == ds.townships[t].county
                        && before.plan.townships.new_of[n] != before.plan.townships.new_of[t]
                })
                .map(|n| (t, n))
        })
        .unwrap();
    let county = ds.townships[a].county;
    let codes = vec![ds.townships[a].code.clone(), ds.townships[b].code.clone()];
    scenario
        .edits
        .push(Edit::new(LevelName::Townships, EditAction::Merge, codes));

    let after = ws.analyse_after(&scenario, Some(&before)).unwrap();
    let fresh = ws.analyse(&scenario).unwrap();
    assert!(after.plan.edits[0].held(), "{:?}", after.plan.edits[0]);
    assert_eq!(
        after.plan.townships.new_of[a],
        after.plan.townships.new_of[b]
    );
    assert_eq!(figures(&after), figures(&fresh));

    // The edited county ran again, no other.
    let (township_runs, _) = after.runs_since(&before);
    assert_eq!(township_runs, 1);
    assert_eq!(
        fresh.runs_since(&before).0,
        ds.counties.len() - empty_counties(&before)
    );

    // The province-wide target still holds, so counties whose turn came around the edit
    // may take one merge more or less; every county that kept its count of new townships
    // has the very same result as before.
    let (old, new) = (county_results(&before), county_results(&after));
    assert_ne!(old[county], new[county]);
    let count = |a: &Analysis, c: CountyId| {
        a.plan
            .townships
            .units
            .iter()
            .filter(|u| ds.townships[u.seat].county == c)
            .count()
    };
    let mut same = 0;
    for c in ds.counties.keys().filter(|&c| c != county) {
        if count(&before, c) == count(&after, c) {
            assert_eq!(old[c], new[c], "county {}", ds.counties[c].name);
            same += 1;
        }
    }
    assert!(
        same > ds.counties.len() * 9 / 10,
        "{same} of {}",
        ds.counties.len()
    );
}

#[test]
fn a_county_target_leaves_every_other_county_byte_identical() {
    let ws = demo_workspace();
    let ds = ws.dataset();
    let mut scenario = preset("sichuan-2019");
    scenario.townships.target_per = jianzhi::scenario::TargetPer::County;
    scenario.villages.target_per = jianzhi::scenario::TargetPer::County;
    let before = ws.analyse(&scenario).unwrap();
    let t = ds
        .townships
        .keys()
        .find(|&t| before.plan.townships.unit_of(t).members.len() > 1)
        .unwrap();
    let county = ds.townships[t].county;
    scenario.edits.push(Edit::new(
        LevelName::Townships,
        EditAction::Lock,
        vec![ds.townships[t].code.clone()],
    ));

    let after = ws.analyse_after(&scenario, Some(&before)).unwrap();
    assert_eq!(figures(&after), figures(&ws.analyse(&scenario).unwrap()));
    assert_eq!(after.runs_since(&before).0, 1);
    let (old, new) = (county_results(&before), county_results(&after));
    for c in ds.counties.keys() {
        if c == county {
            assert_ne!(old[c], new[c]);
        } else {
            assert_eq!(old[c], new[c], "county {}", ds.counties[c].name);
        }
    }
}

#[test]
fn moving_a_province_wide_target_runs_no_county_again() {
    let ws = demo_workspace();
    let mut scenario = preset("sichuan-2019");
    scenario.townships.target_per = TargetPer::Province;
    scenario.villages.target_per = TargetPer::Province;
    let before = ws.analyse(&scenario).unwrap();
    scenario.townships.target_reduction_pct = Some(20.0);
    scenario.villages.target_reduction_pct = Some(30.0);
    let after = ws.analyse_after(&scenario, Some(&before)).unwrap();
    assert_eq!(after.runs_since(&before), (0, after.runs_since(&before).1));
    assert_eq!(figures(&after), figures(&ws.analyse(&scenario).unwrap()));
    assert!(after.plan.townships.units.len() > before.plan.townships.units.len());
}

fn empty_counties(a: &Analysis) -> usize {
    let ds = a.dataset();
    ds.counties
        .keys()
        .filter(|&c| !ds.townships.iter().any(|t| t.county == c))
        .count()
}
