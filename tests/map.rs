//! The map driven as a planner drives it (egui_kittest): merge, split, move, seat, lock and
//! rename by clicking, shift-clicking and dragging on the map and pressing the map's buttons;
//! each undone and redone; a refused edit changes nothing and says why on the map; the
//! selection follows between the map and the county table.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;

use std::time::Duration;

use eframe::egui::{self, Modifiers, Pos2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use jianzhi::app::{Command, JianzhiApp, Launch};
use jianzhi::model::{CountyId, TownshipId};
use jianzhi::plan::MergePlan;

fn harness(state_dir: &std::path::Path) -> Harness<'static, JianzhiApp> {
    let launch = Launch {
        state_dir: Some(state_dir.to_path_buf()),
        screenshot: None,
        focus: None,
        ..Launch::default()
    };
    let mut app = JianzhiApp::new(None, common::demo_workspace(), launch);
    assert!(app.wait_for_analysis(Duration::from_secs(60)));
    let mut harness = Harness::builder()
        .with_size([1600.0, 1000.0])
        .build_ui_state(|ui, app: &mut JianzhiApp| app.frame(ui), app);
    harness.run_steps(3);
    harness
}

fn settle(harness: &mut Harness<'static, JianzhiApp>) {
    harness.run_steps(1);
    assert!(
        harness
            .state_mut()
            .wait_for_analysis(Duration::from_secs(60))
    );
    harness.run_steps(3);
}

fn plan(harness: &Harness<'static, JianzhiApp>) -> MergePlan {
    harness.state().state.analysis().unwrap().plan.clone()
}

/// Where a township is on the map now.
fn at(harness: &Harness<'static, JianzhiApp>, t: TownshipId) -> Pos2 {
    harness.state().map.screen_of_township(t).unwrap()
}

fn click(harness: &mut Harness<'static, JianzhiApp>, pos: Pos2, modifiers: Modifiers) {
    harness.event(egui::Event::ModifiersChanged(modifiers));
    harness.hover_at(pos);
    harness.run_steps(1);
    for pressed in [true, false] {
        harness.event(egui::Event::PointerButton {
            pos,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers,
        });
        harness.run_steps(1);
    }
    harness.event(egui::Event::ModifiersChanged(Modifiers::NONE));
    harness.run_steps(1);
}

fn select(harness: &mut Harness<'static, JianzhiApp>, units: &[TownshipId]) {
    for (k, &t) in units.iter().enumerate() {
        let modifiers = if k == 0 {
            Modifiers::NONE
        } else {
            Modifiers::SHIFT
        };
        let pos = at(harness, t);
        click(harness, pos, modifiers);
    }
    let selected: Vec<usize> = harness.state().map.selection.clone();
    assert_eq!(
        selected,
        units.iter().map(|t| t.index()).collect::<Vec<_>>(),
        "the clicks selected what was clicked"
    );
}

fn press(harness: &mut Harness<'static, JianzhiApp>, label: &str) {
    harness.get_by_label(label).click();
    harness.run_steps(1);
    settle(harness);
}

/// A county with two neighbouring townships in different groups after `sichuan-2019`, one of
/// which is in a group of two or more, and the county's townships.
fn a_county_to_edit(harness: &Harness<'static, JianzhiApp>) -> (CountyId, TownshipId, TownshipId) {
    let ws = common::demo_workspace();
    let plan = plan(harness);
    let ds = ws.dataset();
    for (a, t) in ds.townships.iter_enumerated() {
        if !t.kind.is_regular() || plan.townships.unit_of(a).members.len() < 2 {
            continue;
        }
        if let Some(b) = ws.prepared().township_adjacency.neighbours(a).find(|&b| {
            plan.townships.new_of[b] != plan.townships.new_of[a]
                && ds.townships[b].kind.is_regular()
                && plan.townships.unit_of(b).members.len() == 1
        }) {
            return (t.county, a, b);
        }
    }
    panic!("no county to edit")
}

fn focus(harness: &mut Harness<'static, JianzhiApp>, county: CountyId) {
    harness.state_mut().apply(Command::FocusCounty(county));
    harness.run_steps(3);
    // Focused, not selected: a merge pressed now would not take the whole county.
    assert!(harness.state().map.selection.is_empty());
}

#[test]
fn merge_split_move_seat_lock_and_rename_on_the_map_each_undone_and_redone() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(dir.path());
    let (county, a, b) = a_county_to_edit(&harness);
    focus(&mut harness, county);
    let before = plan(&harness);
    let count = |h: &Harness<'static, JianzhiApp>| {
        h.state()
            .state
            .analysis()
            .unwrap()
            .after
            .province
            .townships
            .count
    };
    let key_figures = count(&harness);

    // Merge: a's group and b become one new unit, fixed by hand.
    select(&mut harness, &[a, b]);
    press(&mut harness, "合并");
    let merged = plan(&harness);
    assert_eq!(merged.townships.new_of[a], merged.townships.new_of[b]);
    let unit = merged.townships.unit_of(a);
    assert!(unit.by_hand);
    for &m in before.townships.unit_of(a).members.iter() {
        assert!(unit.members.contains(&m));
    }
    assert!(merged.edits.last().unwrap().held());
    // The province target is still met exactly: the rules merge one fewer elsewhere.
    assert_eq!(count(&harness), key_figures);
    harness.state_mut().apply(Command::Undo);
    settle(&mut harness);
    assert_eq!(plan(&harness).townships, before.townships);
    harness.state_mut().apply(Command::Redo);
    settle(&mut harness);
    assert_eq!(plan(&harness).townships, merged.townships);

    // Split the merged unit: each of its units on its own.
    select(&mut harness, &[a]);
    press(&mut harness, "拆分");
    let split = plan(&harness);
    for &m in unit.members.iter() {
        assert_eq!(*split.townships.unit_of(m).members, [m]);
    }
    harness.state_mut().apply(Command::Undo);
    settle(&mut harness);
    assert_eq!(plan(&harness).townships, merged.townships);
    harness.state_mut().apply(Command::Redo);
    settle(&mut harness);

    // Move: drag a (selected) onto b; they are one unit again, the rest of a's old group not
    // with them.
    select(&mut harness, &[a]);
    let (from, to) = (at(&harness, a), at(&harness, b));
    harness.hover_at(from);
    harness.run_steps(1);
    harness.drag_at(from);
    harness.run_steps(1);
    for k in 1..=6 {
        harness.hover_at(from + (to - from) * (k as f32 / 6.0));
        harness.run_steps(1);
    }
    harness.drop_at(to);
    harness.run_steps(1);
    settle(&mut harness);
    let moved = plan(&harness);
    assert_eq!(moved.townships.new_of[a], moved.townships.new_of[b]);
    assert_eq!(moved.townships.unit_of(a).members.len(), 2);
    assert_eq!(
        harness
            .state()
            .state
            .scenario()
            .edits
            .last()
            .unwrap()
            .action,
        jianzhi::scenario::EditAction::Move
    );
    harness.state_mut().apply(Command::Undo);
    settle(&mut harness);
    assert_eq!(plan(&harness).townships, split.townships);
    harness.state_mut().apply(Command::Redo);
    settle(&mut harness);

    // Seat: b becomes the seat of {a, b}.
    select(&mut harness, &[b]);
    press(&mut harness, "设为驻地");
    assert_eq!(plan(&harness).townships.seat_of(a), b);
    harness.state_mut().apply(Command::Undo);
    settle(&mut harness);
    assert_eq!(
        plan(&harness).townships.seat_of(b),
        moved.townships.seat_of(b)
    );
    harness.state_mut().apply(Command::Redo);
    settle(&mut harness);

    // Rename {a, b}.
    select(&mut harness, &[a]);
    harness.get_by_label("新单位名称").focus();
    harness.run_steps(1);
    harness.get_by_label("新单位名称").type_text("新合镇");
    harness.run_steps(1);
    press(&mut harness, "命名");
    assert_eq!(
        plan(&harness).townships.unit_of(b).name.as_deref(),
        Some("新合镇")
    );
    harness.state_mut().apply(Command::Undo);
    settle(&mut harness);
    assert_eq!(plan(&harness).townships.unit_of(b).name, None);
    harness.state_mut().apply(Command::Redo);
    settle(&mut harness);

    // Lock b: out of {a, b}, on its own, and the name stays with a.
    select(&mut harness, &[b]);
    press(&mut harness, "锁定");
    let locked = plan(&harness);
    assert_eq!(*locked.townships.unit_of(b).members, [b]);
    harness.state_mut().apply(Command::Undo);
    settle(&mut harness);
    assert_eq!(plan(&harness).townships.unit_of(b).members.len(), 2);
    harness.state_mut().apply(Command::Redo);
    settle(&mut harness);
    assert_eq!(plan(&harness).townships, locked.townships);

    // Every edit is listed in the scenario panel, in order.
    let actions: Vec<&str> = harness
        .state()
        .state
        .scenario()
        .edits
        .iter()
        .map(|e| e.action.as_str())
        .collect();
    assert_eq!(actions, ["merge", "split", "move", "seat", "name", "lock"]);
    harness.get_by_label("手动调整 (6)");
}

#[test]
fn a_refused_edit_changes_nothing_and_the_map_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(dir.path());
    let (county, a, _) = a_county_to_edit(&harness);
    focus(&mut harness, county);
    // A township of the same county that is no neighbour of a's group.
    let ws = common::demo_workspace();
    let before = plan(&harness);
    let group = before.townships.unit_of(a).members.clone();
    let far = ws
        .dataset()
        .townships
        .iter_enumerated()
        .find(|(t, tw)| {
            tw.county == county
                && !group.contains(t)
                && group
                    .iter()
                    .all(|&g| !ws.prepared().township_adjacency.are_neighbours(g, *t))
                && before.townships.unit_of(*t).members.len() == 1
        })
        .map(|(t, _)| t)
        .unwrap();
    select(&mut harness, &[a, far]);
    press(&mut harness, "合并");
    // Undone: no edit kept, the plan as it was, and the reason on the map.
    assert!(harness.state().state.scenario().edits.is_empty());
    assert_eq!(plan(&harness).townships, before.townships);
    let (message, _) = harness.state().map.message.clone().unwrap();
    assert!(message.zh.contains("这些单位不相邻"), "{}", message.zh);
    assert!(message.zh.contains("未作更改"), "{}", message.zh);
    assert!(message.en.contains("not adjacent"), "{}", message.en);
    // Nothing to undo: the refused edit left no step behind.
    assert!(harness.state().state.tab().undo.is_empty());
}

#[test]
fn the_selection_follows_between_the_table_and_the_map() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(dir.path());
    let ws = common::demo_workspace();
    // A county picked in the table: the map fitted to it.
    let county = ws
        .dataset()
        .counties
        .iter_enumerated()
        .find(|(_, c)| c.name == "金堂县")
        .map(|(k, _)| k)
        .unwrap();
    // The table shows a few rows at a time: search for the county first.
    harness.get_by_label("搜索名称或代码").focus();
    harness.run_steps(1);
    harness.get_by_label("搜索名称或代码").type_text("金堂");
    harness.run_steps(2);
    harness.get_by_label("金堂县").click();
    harness.run_steps(3);
    // Focused and marked, nothing selected (a merge pressed next must not take the county).
    assert!(harness.state().map.selection.is_empty());
    assert_eq!(harness.state().state.highlighted_county, Some(county));
    let bounds = harness.state().state.geometry.counties[county].bounds;
    let view = harness.state().map.transform.unwrap();
    let shown = view.visible();
    assert!(shown.min[0] <= bounds.min[0] && bounds.max[0] <= shown.max[0]);
    assert!(shown.width() < 3.0 * bounds.width(), "fitted to the county");

    // A township clicked on the map: its county marked in the table.
    let other =
        ws.dataset()
            .townships
            .iter_enumerated()
            .find(|(t, tw)| {
                tw.county != county
                    && view.rect.shrink(40.0).contains(
                        view.to_screen(harness.state().state.geometry.townships[*t].label_at),
                    )
                    && harness
                        .state()
                        .state
                        .geometry
                        .township_at(harness.state().state.geometry.townships[*t].label_at, 0.01)
                        == Some(*t)
            })
            .map(|(t, _)| t)
            .unwrap();
    let pos = at(&harness, other);
    click(&mut harness, pos, Modifiers::NONE);
    assert_eq!(harness.state().map.selection, vec![other.index()]);
    assert_eq!(
        harness.state().state.highlighted_county,
        Some(ws.dataset().townships[other].county)
    );
}

#[test]
fn zoomed_out_each_county_is_filled_in_the_colour_of_most_of_its_area() {
    use jianzhi::map::{MapGeometry, colour::Colouring};
    let ws = common::demo_workspace();
    let geometry = MapGeometry::new(ws.dataset());
    let area = |positions: &[[f32; 2]], indices: &[u32]| -> f64 {
        indices
            .chunks(3)
            .map(|t| {
                let [a, b, c] = [0, 1, 2].map(|k| positions[t[k] as usize]);
                f64::from(((b[0] - a[0]) * (c[1] - a[1]) - (c[0] - a[0]) * (b[1] - a[1])).abs())
                    / 2.0
            })
            .sum()
    };
    // The simplified county territories cover what the county's townships tile: a
    // simplification within OVERVIEW_KM moves the outline by at most that, so the area by at
    // most the perimeter times it.
    for (c, shape) in geometry.counties.iter_enumerated() {
        let perimeter: f64 = shape
            .rings
            .iter()
            .flat_map(|ring| ring.windows(2))
            .map(|w| f64::from(((w[1][0] - w[0][0]).powi(2) + (w[1][1] - w[0][1]).powi(2)).sqrt()))
            .sum();
        let allowed = perimeter * f64::from(jianzhi::map::geometry::OVERVIEW_KM) + 1.0;
        let overview = area(
            &geometry.overview.positions,
            geometry.overview.triangles(shape.overview.clone()),
        );
        let townships: f64 = geometry.by_county[c]
            .iter()
            .map(|&t| f64::from(geometry.townships[t].area))
            .sum();
        assert!(
            (overview - townships).abs() <= allowed,
            "{}: {overview} km² drawn, {townships} km² of townships",
            ws.dataset().counties[c].name
        );
    }

    // Townships black and white by the parity of their index: each county takes the colour
    // with the larger area.
    let (black, white) = ([0, 0, 0], [255, 255, 255]);
    let colouring = Colouring {
        townships: ws
            .dataset()
            .townships
            .keys()
            .map(|t: TownshipId| {
                if usize::from(t) % 2 == 0 {
                    black
                } else {
                    white
                }
            })
            .collect(),
        villages: Default::default(),
        legend: Vec::new(),
    };
    let fill = jianzhi::app::map::Fill::new(&geometry, &colouring);
    let mut whites = 0;
    for (c, shape) in geometry.counties.iter_enumerated() {
        let [b, w] = [0, 1].map(|parity| -> f64 {
            geometry.by_county[c]
                .iter()
                .filter(|&&t| usize::from(t) % 2 == parity)
                .map(|&t| f64::from(geometry.townships[t].area))
                .sum()
        });
        let expected = if w > b { white } else { black };
        whites += usize::from(w > b);
        let vertices =
            &fill.overview.vertices[shape.overview.start as usize..shape.overview.end as usize];
        assert!(!vertices.is_empty());
        for v in vertices {
            assert_eq!(
                v.color,
                egui::Color32::from_rgb(expected[0], expected[1], expected[2])
            );
        }
        // Zoomed in, the county's own mesh has each of its townships in its colour.
        assert_eq!(
            fill.townships[c].vertices.len(),
            geometry.by_county[c]
                .iter()
                .map(|&t| geometry.townships[t].fill.len())
                .sum::<usize>()
        );
    }
    assert!(
        whites > 10 && whites < geometry.counties.len() - 10,
        "{whites}"
    );
}

/// Types `q` into the map's search box and presses Enter.
fn search(harness: &mut Harness<'static, JianzhiApp>, q: &str) {
    harness.state_mut().map.search.clear();
    harness.run_steps(1);
    harness.get_by_label("查找名称或代码").focus();
    harness.run_steps(1);
    harness.get_by_label("查找名称或代码").type_text(q);
    harness.run_steps(1);
    harness.key_press(egui::Key::Enter);
    harness.run_steps(3);
}

#[test]
fn the_search_finds_provinces_cities_counties_townships_and_villages() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(dir.path());
    harness.run_steps(2);
    let ws = common::demo_workspace();
    let ds = ws.dataset();
    let geometry = harness.state().state.geometry.clone();
    let shown = |h: &Harness<'static, JianzhiApp>| h.state().map.transform.unwrap().visible();
    let covers = |outer: &jianzhi::map::Bounds, inner: &jianzhi::map::Bounds| {
        outer.min[0] <= inner.min[0] + 1e-3
            && outer.min[1] <= inner.min[1] + 1e-3
            && inner.max[0] <= outer.max[0] + 1e-3
            && inner.max[1] <= outer.max[1] + 1e-3
    };
    let county_of = |name: &str| {
        ds.counties
            .iter_enumerated()
            .find(|(_, c)| c.name == name)
            .map(|(k, _)| k)
            .unwrap()
    };

    // A county by its code, then by its name: focused and marked, nothing selected.
    let xichong = county_of("西充县");
    search(&mut harness, &ds.counties[xichong].code);
    assert_eq!(harness.state().state.highlighted_county, Some(xichong));
    assert!(harness.state().map.selection.is_empty());
    let bounds = geometry.counties[xichong].bounds;
    assert!(covers(&shown(&harness), &bounds));
    assert!(shown(&harness).width() < 3.0 * bounds.width() + 1.0);
    let dazhu = county_of("大竹县");
    search(&mut harness, "大竹县");
    assert_eq!(harness.state().state.highlighted_county, Some(dazhu));

    // A city: its counties in view, none selected.
    search(&mut harness, "达州市");
    let dazhou = ds
        .counties
        .iter_enumerated()
        .filter(|(_, c)| c.city_name == "达州市")
        .map(|(k, _)| geometry.counties[k].bounds)
        .reduce(jianzhi::map::Bounds::union)
        .unwrap();
    assert!(covers(&shown(&harness), &dazhou));
    assert!(shown(&harness).width() < geometry.bounds.width() / 2.0);
    assert!(harness.state().map.selection.is_empty());

    // The province: the whole of it.
    search(&mut harness, "四川");
    assert!(covers(&shown(&harness), &geometry.bounds));

    // A township by code and a village by name: selected at their level.
    let t = TownshipId::from(1234);
    search(&mut harness, &ds.townships[t].code);
    assert_eq!(harness.state().map.selection, vec![t.index()]);
    let (v, village) = ds
        .villages
        .iter_enumerated()
        .find(|(_, v)| ds.villages.iter().filter(|w| w.name == v.name).count() == 1)
        .unwrap();
    search(&mut harness, &village.name);
    assert_eq!(
        harness.state().map.level,
        jianzhi::app::map::Level::Villages
    );
    assert_eq!(harness.state().map.selection, vec![v.index()]);

    // Nothing of that name: said on the map.
    search(&mut harness, "没有这个地方");
    assert!(harness.state().map.message.is_some());
}

#[test]
fn the_legend_starts_folded_on_a_small_map_and_a_click_on_it_unfolds_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(dir.path());
    let rows = |h: &Harness<'static, JianzhiApp>| {
        let rect = h.state().map.legend_rect.expect("a legend drawn");
        (rect.height() / 18.0).floor() as usize
    };
    // At 1600×1000 the map has room: the legend shows its colours and markers.
    assert!(rows(&harness) >= 3, "{:?}", harness.state().map.legend_rect);
    // At 1280×800 it would cover the south of the province: only its title is shown.
    harness.set_size(egui::vec2(1280.0, 800.0));
    harness.run_steps(3);
    let map = harness.state().map.transform.unwrap().rect;
    assert!(map.width() < jianzhi::app::map::LEGEND_ROOM.x, "{map:?}");
    assert_eq!(rows(&harness), 1);
    // A click on it unfolds it, whatever the map's size; a second folds it again. Neither
    // selects what lies beneath.
    for unfolded in [true, false] {
        let centre = harness.state().map.legend_rect.unwrap().center();
        click(&mut harness, centre, Modifiers::NONE);
        assert_eq!(harness.state().map.legend_open, Some(unfolded));
        assert_eq!(rows(&harness) >= 3, unfolded);
        assert!(harness.state().map.selection.is_empty());
    }
}

#[test]
fn hovering_a_merged_township_reads_its_reason_and_the_why_panel_tells_the_whole_story() {
    use jianzhi::engine::explain::Fate;
    use jianzhi::scenario::LevelName;
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(dir.path());
    // A township the rules merged as the weakest candidate of its county (the preset sets
    // no size thresholds for townships: its target ranks them by residents).
    let analysis = harness.state().state.analysis().unwrap().clone();
    let decisions = analysis.decisions();
    let ds = analysis.dataset();
    let story = |k| jianzhi::explain::story(&analysis, LevelName::Townships, k);
    let k = (0..decisions.townships.len())
        .find(|&k| {
            matches!(decisions.townships[k].fate, Fate::Weakest { .. }) && story(k).rule == "target"
        })
        .expect("a township merged by the rules for the target");
    let t = TownshipId::from(k);
    let story = story(k);
    focus(&mut harness, ds.townships[t].county);
    let pos = at(&harness, t);
    harness.hover_at(pos);
    // Past egui's tooltip delay (half a second).
    harness.run_steps(60);
    assert_eq!(harness.state().map.hover, Some(k));
    // The hover card says why, in one line: the rule, its residents against the mean, and
    // with whom.
    let line = story.line.get(jianzhi::Lang::Zh);
    assert!(
        line.contains("目标") && line.contains("平均") && line.contains('%'),
        "{line}"
    );
    harness.get_by_label(line);
    // Select it and open 为什么: the whole story, with the neighbours weighed.
    click(&mut harness, pos, Modifiers::NONE);
    harness.get_by_label("为什么").click();
    harness.run_steps(3);
    assert!(harness.state().map.why);
    harness.get_by_label("比较的相邻单位：");
    let taken = story
        .details
        .iter()
        .find(|m| m.get(jianzhi::Lang::Zh).ends_with("选中"));
    harness.get_by_label(taken.expect("the neighbour taken").get(jianzhi::Lang::Zh));
}
