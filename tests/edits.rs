//! Hand edits: each kind held, refused with its reason (changing nothing), superseded, kept
//! when the rules change around it, saved in the scenario file; and on random datasets,
//! rules and edit lists, every edit held or reported with the plan's invariants intact.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;

use std::sync::Arc;

use common::invariants::check_invariants;
use common::random::{random_dataset, random_rules};
use common::workspace;
use jianzhi::Lang;
use jianzhi::model::{
    County, CountyId, Dataset, Level, LonLat, Township, TownshipId, TownshipKind, Village,
    VillageKind,
};
use jianzhi::plan::{EditStatus, MergePlan, Refusal, Stage};
use jianzhi::report::run::ReportTable;
use jianzhi::scenario::{Edit, EditAction, LevelName, Rules, Scenario};
use jianzhi::workspace::Workspace;
use proptest::prelude::*;

const T: LevelName = LevelName::Townships;
const V: LevelName = LevelName::Villages;

/// County 510101: townships 1–4 in a row west to east, 0.05° apart, and township 5 below
/// township 2; county 510102: township 6 east of township 4. 50 km² each; two villages each.
///
/// ```text
///   1 — 2 — 3 — 4   6
///    \  |  /   /
///       5 ————
/// ```
fn row() -> Dataset {
    let seat = |k: usize| match k {
        5 => LonLat::new(104.05, 29.95),
        6 => LonLat::new(104.25, 30.0),
        k => LonLat::new(104.0 + 0.05 * (k - 1) as f64, 30.0),
    };
    let county = |k: usize| CountyId::from(usize::from(k == 6));
    let mut ds = Dataset::default();
    for (code, name) in [("510101", "甲县"), ("510102", "乙县")] {
        ds.counties.push(County {
            code: code.into(),
            name: name.into(),
            city_code: "5101".into(),
            city_name: "成都市".into(),
            boundary: None,
        });
    }
    for k in 1..=6 {
        ds.townships.push(Township {
            code: code(k),
            name: format!("{k}乡"),
            county: county(k),
            kind: if k == 1 {
                TownshipKind::Town
            } else {
                TownshipKind::Township
            },
            seat: seat(k),
            area_km2: 50.0,
            registered_pop: 10_000.0 * k as f64,
            resident_pop: 9_000.0 * k as f64,
            terrain: None,
            boundary: None,
        });
        for j in 1..=2 {
            let s = seat(k);
            ds.villages.push(Village {
                code: village(k, j),
                name: format!("{k}乡{j}村"),
                township: TownshipId::from(k - 1),
                kind: VillageKind::Village,
                centre: LonLat::new(s.lon, s.lat + 0.01 * (j as f64 - 1.5)),
                area_km2: 25.0,
                resident_pop: 4_500.0 * k as f64,
                registered_pop: None,
                boundary: None,
            });
        }
    }
    ds
}

fn code(k: usize) -> String {
    format!("51010{}2{:02}", if k == 6 { 2 } else { 1 }, k)
}

fn village(k: usize, j: usize) -> String {
    format!("{}20{j}", code(k))
}

fn t(k: usize) -> TownshipId {
    TownshipId::from(k - 1)
}

fn codes(ks: &[usize]) -> Vec<String> {
    ks.iter().map(|&k| code(k)).collect()
}

fn ws() -> Arc<Workspace> {
    static WS: std::sync::OnceLock<Arc<Workspace>> = std::sync::OnceLock::new();
    WS.get_or_init(|| workspace(row())).clone()
}

/// No rules, only the given edits.
fn edits(list: Vec<Edit>) -> Scenario {
    Scenario {
        edits: list,
        ..Scenario::empty("hand")
    }
}

fn merge(ks: &[usize]) -> Edit {
    Edit::new(T, EditAction::Merge, codes(ks))
}

fn members(plan: &MergePlan, k: usize) -> Vec<usize> {
    plan.townships
        .unit_of(t(k))
        .members
        .iter()
        .map(|m| m.index() + 1)
        .collect()
}

#[test]
fn the_test_dataset_has_the_neighbours_drawn_in_its_picture() {
    let ws = ws();
    let adjacency = &ws.prepared().township_adjacency;
    let pairs: Vec<(usize, usize)> = (1..=6)
        .flat_map(|a| {
            adjacency
                .neighbours(t(a))
                .map(move |b| (a, b.index() + 1))
                .filter(|(a, b)| a < b)
        })
        .collect();
    assert_eq!(
        pairs,
        [(1, 2), (1, 5), (2, 3), (2, 5), (3, 4), (3, 5), (4, 5)]
    );
}

#[test]
fn a_hand_merge_holds_whatever_the_target_and_the_rules_run_around_it() {
    let ws = ws();
    for pct in [0.0, 20.0, 40.0, 60.0, 80.0] {
        let mut s = edits(vec![merge(&[1, 2])]);
        s.townships = Rules {
            target_reduction_pct: Some(pct),
            ..Rules::default()
        };
        let plan = ws.plan(&s).unwrap();
        assert!(plan.edits[0].held(), "{pct}%: {:?}", plan.edits[0]);
        // Exactly the group made by hand: the rules neither add to it nor take from it.
        assert_eq!(members(&plan, 1), [1, 2], "{pct}%");
        assert!(plan.townships.unit_of(t(1)).by_hand);
        // The hand merge counts towards the target (6 units × pct, rounded); the rules can
        // add at most two merges around it (3, 4 and 5 into one; 6 is alone in its county).
        let target = (6.0 * pct / 100.0_f64).round() as usize;
        let o = &plan.townships.outcome;
        assert_eq!(o.manual_merges, 1);
        assert_eq!(o.merges, target.clamp(1, 3), "{pct}%: {o:?}");
    }
}

/// The plan of `s` equals the plan of `s` without its last edit, which was refused for
/// `reason`.
fn refused_and_changes_nothing(s: Scenario, reason: Refusal) {
    let ws = ws();
    let plan = ws.plan(&s).unwrap();
    let last = plan.edits.last().unwrap();
    assert_eq!(last.status, EditStatus::Refused(reason), "{last:?}");
    let (en, zh) = (last.describe(Lang::En), last.describe(Lang::Zh));
    assert!(
        en.starts_with(&format!("edit {}", plan.edits.len())),
        "{en}"
    );
    assert!(
        zh.starts_with(&format!("第 {} 项", plan.edits.len())),
        "{zh}"
    );
    let mut without = s.clone();
    without.edits.pop();
    let before = ws.plan(&without).unwrap();
    assert_eq!(plan.townships, before.townships);
    assert_eq!(plan.villages, before.villages);
}

#[test]
fn refused_edits_say_why_and_change_nothing() {
    // Not adjacent: 1 and 3 only meet through 2 or 5.
    refused_and_changes_nothing(edits(vec![merge(&[1, 3])]), Refusal::NotAdjacent);
    // Across a county.
    refused_and_changes_nothing(
        edits(vec![merge(&[4, 6])]),
        Refusal::AcrossContainer {
            first: code(4),
            second: code(6),
            container: "counties",
        },
    );
    // Over the area cap: 50 + 50 km² against 80.
    let mut s = edits(vec![merge(&[2, 3]), merge(&[1, 2])]);
    s.townships.limits.max_area_km2 = Some(120.0);
    refused_and_changes_nothing(
        s,
        Refusal::OverAreaCap {
            area_km2: 150,
            cap_km2: 120,
        },
    );
    // Over the distance cap: 5 lies 0.05° (5.6 km) south of 2, and seats the pair (more people).
    let mut s = edits(vec![merge(&[2, 5])]);
    s.townships.limits.max_seat_distance_km = Some(5.0);
    let plan = ws().plan(&s).unwrap();
    let EditStatus::Refused(Refusal::OverDistanceCap { km, cap_km, .. }) = plan.edits[0].status
    else {
        panic!("{:?}", plan.edits[0]);
    };
    assert_eq!((km, cap_km), (6, 5));
    // Locked by the rules, and by an earlier edit.
    let mut s = edits(vec![merge(&[1, 2])]);
    s.townships.locked = vec![code(2)];
    refused_and_changes_nothing(s, Refusal::Locked(code(2)));
    let lock = Edit::new(T, EditAction::Lock, codes(&[3]));
    refused_and_changes_nothing(edits(vec![lock, merge(&[2, 3])]), Refusal::Locked(code(3)));
    // An unknown code: reported, and the rest of the plan computes.
    refused_and_changes_nothing(
        edits(vec![
            merge(&[1, 2]),
            Edit::new(T, EditAction::Seat, vec!["519999201".into()]),
        ]),
        Refusal::UnknownCode("519999201".into()),
    );
    // A village code at the township level is unknown there.
    refused_and_changes_nothing(
        edits(vec![Edit::new(T, EditAction::Lock, vec![village(1, 1)])]),
        Refusal::UnknownCode(village(1, 1)),
    );
}

#[test]
fn move_seat_name_lock_and_split_hold_and_later_edits_supersede_earlier_ones() {
    let ws = ws();
    let s = edits(vec![
        merge(&[1, 2, 3]),                            // 1
        Edit::move_to(T, code(3), codes(&[4])),       // 2
        Edit::new(T, EditAction::Seat, codes(&[2])),  // 3
        Edit::rename(T, code(4), "新城镇".into()),    // 4
        Edit::new(T, EditAction::Lock, codes(&[5])),  // 5
        Edit::new(T, EditAction::Split, codes(&[1])), // 6
    ]);
    let analysis = ws.analyse(&s).unwrap();
    let plan = &analysis.plan;
    assert_eq!(members(plan, 1), [1]);
    assert_eq!(members(plan, 2), [2]);
    assert_eq!(members(plan, 3), [3, 4]);
    assert_eq!(members(plan, 5), [5]);
    assert_eq!(plan.townships.seat_of(t(2)), t(2));
    assert_eq!(plan.townships.unit_of(t(3)).name.as_deref(), Some("新城镇"));
    // The merge of 1, 2, 3 no longer holds: the move of 3 (edit 2) changed it first.
    assert_eq!(plan.edits[0].status, EditStatus::Superseded { by: Some(1) });
    assert!(plan.edits[1..].iter().all(|e| e.held()), "{:?}", plan.edits);
    assert!(
        plan.edits[0]
            .describe(Lang::Zh)
            .contains("已被第 2 项调整取代")
    );
    // The name is the new unit's in the lineage report.
    let csv = String::from_utf8(analysis.report().csv(ReportTable::Townships)).unwrap();
    let row3 = csv.lines().find(|l| l.starts_with(&code(3))).unwrap();
    assert!(row3.contains(&format!("{},新城镇", code(4))), "{row3}");
}

#[test]
fn a_move_that_would_cut_its_group_in_two_is_refused() {
    // 1–2–3 in a row; 2 also touches 5: moving 2 to 5 leaves 1 and 3 apart.
    refused_and_changes_nothing(
        edits(vec![
            merge(&[1, 2, 3]),
            Edit::move_to(T, code(2), codes(&[5])),
        ]),
        Refusal::WouldCutGroup(code(2)),
    );
    refused_and_changes_nothing(
        edits(vec![merge(&[1, 2]), Edit::move_to(T, code(1), codes(&[2]))]),
        Refusal::AlreadyThere(code(1)),
    );
    // Two seats by hand in one new unit.
    let seat = |k| Edit::new(T, EditAction::Seat, codes(&[k]));
    refused_and_changes_nothing(
        edits(vec![seat(1), seat(2), merge(&[1, 2])]),
        Refusal::TwoSeats { other: code(2) },
    );
}

#[test]
fn village_edits_stay_inside_a_new_township_which_township_edits_shape() {
    let ws = ws();
    let villages = vec![village(1, 1), village(2, 1)];
    let merge_villages = Edit::new(V, EditAction::Merge, villages.clone());
    let plan = ws.plan(&edits(vec![merge_villages.clone()])).unwrap();
    assert_eq!(
        plan.edits[0].status,
        EditStatus::Refused(Refusal::AcrossContainer {
            first: villages[0].clone(),
            second: villages[1].clone(),
            container: "new townships",
        })
    );
    // Once townships 1 and 2 are one, their villages may merge.
    let plan = ws
        .plan(&edits(vec![merge(&[1, 2]), merge_villages]))
        .unwrap();
    assert!(plan.edits.iter().all(|e| e.held()), "{:?}", plan.edits);
    let v = |code: &str| ws.village_by_code(code).unwrap();
    assert_eq!(
        plan.villages.new_of[v(&villages[0])],
        plan.villages.new_of[v(&villages[1])]
    );
}

#[test]
fn edits_are_saved_in_the_scenario_file_and_read_back() {
    let s = edits(vec![
        merge(&[1, 2]),
        Edit::move_to(V, village(3, 1), vec![village(3, 2)]),
        Edit::rename(T, code(1), "新城镇".into()),
    ]);
    let text = s.to_toml();
    assert!(text.contains("[[edits]]"), "{text}");
    assert_eq!(Scenario::parse("s.toml", &text).unwrap(), s);
    // One code may be written without a list.
    let one = Scenario::parse(
        "s.toml",
        "version = 1\nname = \"x\"\n[[edits]]\nlevel = \"乡镇\"\naction = \"lock\"\ncodes = \"510101201\"\n",
    )
    .unwrap();
    assert_eq!(one.edits[0].codes, ["510101201"]);
    assert_eq!(one.edits[0].level, T);
    // What an action needs is checked when the file is read, and named by position.
    for (body, says) in [
        (
            "action = \"merge\"\ncodes = [\"510101201\"]",
            "at least two codes",
        ),
        ("action = \"move\"\ncodes = \"510101201\"", "needs 'to'"),
        ("action = \"name\"\ncodes = \"510101201\"", "needs 'name'"),
        (
            "action = \"seat\"\ncodes = [\"510101201\", \"510101202\"]",
            "exactly one code",
        ),
    ] {
        let text = format!("version = 1\nname = \"x\"\n[[edits]]\nlevel = \"townships\"\n{body}\n");
        let err = Scenario::parse("s.toml", &text).unwrap_err().to_string();
        assert!(err.contains("edits[0]") && err.contains(says), "{err}");
    }
    let err = Scenario::parse(
        "s.toml",
        "version = 1\nname = \"x\"\n[[edits]]\nlevel = \"townships\"\naction = \"dissolve\"\ncodes = \"1\"\n",
    )
    .unwrap_err();
    assert!(err.to_string().contains("dissolve"), "{err}");
}

// ---- Random datasets, rules and edit lists ---------------------------------------------

/// Whether a held edit shows in the plan (written apart from the engine's own check).
fn shows(edit: &Edit, ws: &Workspace, plan: &MergePlan) -> bool {
    match edit.level {
        LevelName::Townships => shows_in(edit, &plan.townships, |c| ws.township_by_code(c)),
        LevelName::Villages => shows_in(edit, &plan.villages, |c| ws.village_by_code(c)),
    }
}

fn shows_in<L: Level>(edit: &Edit, stage: &Stage<L>, id: impl Fn(&str) -> Option<L>) -> bool {
    let id = |c: &String| id(c).unwrap();
    let first = id(&edit.codes[0]);
    let with_first = |codes: &[String]| {
        codes
            .iter()
            .all(|c| stage.new_of[id(c)] == stage.new_of[first])
    };
    let alone = |u: L| stage.unit_of(u).members.len() == 1;
    match edit.action {
        EditAction::Merge => with_first(&edit.codes),
        EditAction::Split => edit.codes.iter().all(|c| alone(id(c))),
        EditAction::Move => with_first(&edit.to),
        EditAction::Seat => stage.seat_of(first) == first,
        EditAction::Lock => alone(first),
        EditAction::Name => stage.unit_of(first).name == edit.name,
    }
}

/// The codes of a level's units and the neighbours of each, by position.
fn level_units(ws: &Workspace, villages: bool) -> (Vec<String>, Vec<Vec<usize>>) {
    let (ds, prepared) = (ws.dataset(), ws.prepared());
    if villages {
        let codes = ds.villages.iter().map(|v| v.code.clone()).collect();
        let near = ds
            .villages
            .keys()
            .map(|v| {
                prepared
                    .village_adjacency
                    .neighbours(v)
                    .map(|n| n.index())
                    .collect()
            })
            .collect();
        (codes, near)
    } else {
        let codes = ds.townships.iter().map(|t| t.code.clone()).collect();
        let near = ds
            .townships
            .keys()
            .map(|t| {
                prepared
                    .township_adjacency
                    .neighbours(t)
                    .map(|n| n.index())
                    .collect()
            })
            .collect();
        (codes, near)
    }
}

/// A random edit list: mostly units and their neighbours (so many edits can hold), some
/// units far apart, now and then an unknown code.
fn random_edits(ws: &Workspace, picks: &[(u8, u8, u16, u16)]) -> Vec<Edit> {
    let mut out = Vec::new();
    for &(level, action, a, b) in picks {
        let villages = level % 3 == 0 && !ws.dataset().villages.is_empty();
        let (codes, near) = level_units(ws, villages);
        let level = if villages { V } else { T };
        let u = a as usize % codes.len();
        let partner = if !near[u].is_empty() && b % 4 != 0 {
            near[u][b as usize % near[u].len()]
        } else {
            b as usize % codes.len()
        };
        let first = if b % 37 == 0 {
            "519999999999".to_string()
        } else {
            codes[u].clone()
        };
        let other = codes[partner].clone();
        out.push(match action % 6 {
            0 => Edit::new(level, EditAction::Merge, vec![first, other]),
            1 => Edit::new(level, EditAction::Split, vec![first]),
            2 => Edit::move_to(level, first, vec![other]),
            3 => Edit::new(level, EditAction::Seat, vec![first]),
            4 => Edit::new(level, EditAction::Lock, vec![first]),
            _ => Edit::rename(level, first, format!("新{}", b % 5)),
        });
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn every_edit_holds_or_is_reported_and_refused_ones_change_nothing(
        seed in any::<u64>(), counties in 1usize..3, townships in 2usize..12, villages in 0usize..6,
        t_bits in any::<u32>(), v_bits in any::<u32>(), pct in 0.0f64..60.0, threshold in 0.0f64..40_000.0,
        cap in 1.0f64..40.0,
        picks in proptest::collection::vec((any::<u8>(), any::<u8>(), any::<u16>(), any::<u16>()), 0..12),
    ) {
        let ws = workspace(random_dataset(seed, counties, townships, villages));
        let mut scenario = Scenario::empty("random");
        scenario.townships = random_rules(t_bits, pct, threshold, cap, Vec::new());
        scenario.villages = Rules { exempt_kinds: Some(vec![VillageKind::Community]), ..random_rules(v_bits, pct, threshold / 20.0, cap / 4.0, Vec::new()) };
        scenario.edits = random_edits(&ws, &picks);
        let analysis = ws.analyse(&scenario).unwrap();
        let plan = &analysis.plan;
        check_invariants(&analysis)?;

        // One report per edit, in order; held ones show in the plan, others say why in both
        // languages.
        prop_assert_eq!(plan.edits.len(), scenario.edits.len());
        for (k, (report, edit)) in plan.edits.iter().zip(&scenario.edits).enumerate() {
            prop_assert_eq!(report.position, k);
            prop_assert_eq!(report.action, edit.action);
            if report.held() {
                prop_assert!(shows(edit, &ws, plan), "edit {} held but does not show: {:?}", k + 1, edit);
            } else {
                let (en, zh) = (report.describe(Lang::En), report.describe(Lang::Zh));
                prop_assert!(en.len() > 20 && zh.len() > 20 && en != zh, "{en} / {zh}");
            }
        }
        // Refused edits change nothing: without them the plan is the same.
        let mut kept = scenario.clone();
        kept.edits = scenario.edits.iter().zip(&plan.edits)
            .filter(|(_, r)| !matches!(r.status, EditStatus::Refused(_)))
            .map(|(e, _)| e.clone())
            .collect();
        let again = ws.plan(&kept).unwrap();
        prop_assert_eq!(&again.townships, &plan.townships);
        prop_assert_eq!(&again.villages, &plan.villages);
    }
}

/// The figures of an analysis, compared as text (a county without villages has NaN figures,
/// which `==` never equals).
fn figures(a: &jianzhi::workspace::Analysis) -> String {
    format!("{:?}\n{:?}\n{:?}", a.plan, a.after, a.service)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// The app analyses each edit after the previous analysis, taking over the partitions
    /// and trips the edit did not change: that must give exactly what a fresh analysis gives.
    #[test]
    fn an_analysis_after_each_edit_equals_one_from_scratch(
        seed in any::<u64>(), counties in 1usize..4, townships in 2usize..12, villages in 0usize..6,
        t_bits in any::<u32>(), v_bits in any::<u32>(), pct in 0.0f64..60.0, threshold in 0.0f64..40_000.0,
        cap in 1.0f64..40.0, radius in 2.0f64..20.0,
        picks in proptest::collection::vec((any::<u8>(), any::<u8>(), any::<u16>(), any::<u16>()), 1..8),
    ) {
        let ws = workspace(random_dataset(seed, counties, townships, villages));
        let mut scenario = Scenario::empty("random");
        scenario.townships = random_rules(t_bits, pct, threshold, cap, Vec::new());
        scenario.villages = Rules { exempt_kinds: Some(vec![VillageKind::Community]), ..random_rules(v_bits, pct, threshold / 20.0, cap / 4.0, Vec::new()) };
        let edits = random_edits(&ws, &picks);
        let mut previous = ws.analyse(&scenario).unwrap();
        for (k, edit) in edits.into_iter().enumerate() {
            scenario.edits.push(edit);
            // Now and then a slider moves too: the target, or the service radius.
            match (picks[k].3 % 5, scenario.townships.target_reduction_pct) {
                (0, Some(t)) => scenario.townships.target_reduction_pct = Some((t + 7.0) % 60.0),
                (1, _) => scenario.service.radius_km = radius,
                _ => {}
            }
            let after = ws.analyse_after(&scenario, Some(&previous)).unwrap();
            let fresh = ws.analyse(&scenario).unwrap();
            prop_assert_eq!(figures(&after), figures(&fresh), "after edit {}", k + 1);
            previous = after;
        }
    }
}
