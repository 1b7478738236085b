//! The corpus of malformed inputs in `tests/data/bad/`, each fed to the real binary: a clear
//! error naming the file and the row, feature or key (non-zero exit), or a repaired result
//! with a warning — never a panic.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;

use std::path::Path;
use std::process::Command;

/// (corpus file, exit succeeds, fragments the message must contain).
const CASES: &[(&str, bool, &[&str])] = &[
    (
        "townships.truncated.csv",
        false,
        &["townships.csv: row 3", "longitude given without latitude"],
    ),
    (
        "townships.wrong_delimiter.csv",
        false,
        &[
            "townships.csv: row 1",
            "no column found for the code, name, county code",
            "separated by '|'",
        ],
    ),
    (
        "townships.missing_header.csv",
        false,
        &[
            "townships.csv: row 1",
            "no column found for the code, name, county code",
            "the file's headers are '510104020', '督院街街道'",
        ],
    ),
    (
        "townships.duplicated_header.csv",
        false,
        &[
            "townships.csv: row 1",
            "the columns 'code', '区划代码' could each be the code",
        ],
    ),
    (
        "townships.unrecognised_header.csv",
        false,
        &[
            "townships.csv: row 1: no column found for the county code",
            "the file's headers are 'code', 'name', 'XZQDM'",
        ],
    ),
    (
        "villages.ambiguous_population.csv",
        false,
        &[
            "villages.csv: row 1",
            "the columns '人口', '常住人口' could each be the resident population",
        ],
    ),
    (
        "townships.bad_cell.xlsx",
        false,
        &[
            "townships.xlsx [乡镇]: row 4, column '常住人口'",
            "not a number: '两万'",
        ],
    ),
    (
        "townships.duplicate_code.csv",
        false,
        &["townships.csv: row 5, column 'code'", "duplicates row 3"],
    ),
    (
        "townships.unknown_county.csv",
        false,
        &["townships.csv: row 4, column 'county_code'", "519999"],
    ),
    (
        "townships.code_as_float.csv",
        false,
        &["townships.csv: row 2, column 'code'", "scientific notation"],
    ),
    (
        "townships.negative_population.csv",
        false,
        &["townships.csv: row 2, column 'resident_pop'", "negative"],
    ),
    (
        "townships.nonnumeric_population.csv",
        false,
        &[
            "townships.csv: row 2, column 'registered_pop'",
            "not a number: '三万'",
        ],
    ),
    ("townships.blank_lines.csv", true, &[]),
    (
        "townships.open_quote.csv",
        false,
        &["townships.csv: row 2, column 'name'", "quote"],
    ),
    (
        "townships.huge_field.csv",
        false,
        &["townships.csv: row 2, column 'name'", "longer than"],
    ),
    (
        "townships.projected_metres.csv",
        false,
        &["townships.csv: row 2, column 'lon'", "projected"],
    ),
    ("townships.empty.csv", false, &["townships.csv", "empty"]),
    (
        "townships.empty_name.csv",
        false,
        &["townships.csv: row 2, column 'name'", "empty"],
    ),
    (
        "townships.nan_area.csv",
        false,
        &["townships.csv: row 2, column 'area_km2'", "finite"],
    ),
    (
        "townships.mixed_encodings.csv",
        false,
        &["townships.csv: row 4", "encoding"],
    ),
    (
        "villages.orphan.csv",
        false,
        &["villages.csv: row 4, column 'township_code'", "510121299"],
    ),
    (
        "villages.missing_resident_column.csv",
        false,
        &["villages.csv", "resident population column"],
    ),
    (
        "villages.swapped_coordinates.csv",
        false,
        &["villages.csv: row 2, column 'lat'", "swapped"],
    ),
    (
        "villages.duplicate_code.csv",
        false,
        &["villages.csv: row 5, column 'code'", "duplicates row 3"],
    ),
    (
        "villages.binary.csv",
        false,
        &["villages.csv: row 2", "encoding"],
    ),
    (
        "townships.bowtie.geojson",
        true,
        &["townships.geojson: feature 0 (code 510104020)", "repaired"],
    ),
    (
        "townships.empty_geometry.geojson",
        false,
        &["townships.geojson: feature 0 (code 510104020)", "empty"],
    ),
    (
        "townships.projected.geojson",
        false,
        &["townships.geojson: feature 0 (code 510104020)", "projected"],
    ),
    (
        "townships.not_json.geojson",
        false,
        &["townships.geojson", "not valid GeoJSON"],
    ),
    (
        "townships.point.geojson",
        false,
        &[
            "townships.geojson: feature 0 (code 510104020)",
            "not a boundary",
        ],
    ),
    (
        "townships.no_locations.csv",
        false,
        &[
            "townships.csv: no coordinates and no boundaries",
            "merges need locations (经度/纬度), boundaries or a neighbour table (adjacency.csv",
        ],
    ),
    (
        "adjacency.unknown_code.csv",
        false,
        &[
            "adjacency.csv: row 3, column '相邻乡镇代码'",
            "no township or village has code 510121999",
        ],
    ),
    (
        "adjacency.missing_column.csv",
        false,
        &[
            "adjacency.csv: row 1",
            "no column found for the neighbour's code",
            "'乡镇代码', '乡镇名称'",
        ],
    ),
    (
        "scenario.unknown_key.toml",
        false,
        &["scenario.unknown_key.toml", "max_aera_km2", "line 5"],
    ),
    (
        "townships.no_dbf.shp",
        false,
        &["townships.dbf is missing", "copy the .dbf beside the .shp"],
    ),
    (
        "townships.one_coordinate.geojson",
        false,
        &[
            "townships.geojson: feature 0 (code 510121100)",
            "a position has 1 coordinate",
        ],
    ),
    (
        "scenario.out_of_range.toml",
        false,
        &[
            "scenario.out_of_range.toml",
            "villages.target_reduction_pct",
            "out of range",
        ],
    ),
    (
        "scenario.syntax_error.toml",
        false,
        &["scenario.syntax_error.toml", "line 2"],
    ),
    (
        "scenario.negative_cap.toml",
        false,
        &[
            "scenario.negative_cap.toml",
            "townships.limits.max_area_km2",
        ],
    ),
    // Values that read as numbers but are not what the cell means (#30).
    (
        "townships.date_in_population.xlsx",
        false,
        &[
            "townships.xlsx [乡镇]: row 4, column 'resident_pop'",
            "'2020-03-01' is a date, not a number",
        ],
    ),
    (
        "townships.dot_thousands.csv",
        false,
        &[
            "townships.csv: row 4, column 'resident_pop'",
            "354.998 people: a '.' between thousands?",
            "write 354998",
        ],
    ),
    (
        "townships.decimal_comma.csv",
        false,
        &[
            "townships.csv: row 2, column 'area_km2'",
            "a comma that does not separate thousands",
            "write 2.5",
        ],
    ),
    (
        "townships.implausible_population.csv",
        false,
        &[
            "townships.csv: row 2, column 'resident_pop'",
            "1e30 people is more than any township plausibly has (limit 2000000)",
            "limits.toml",
        ],
    ),
    (
        "townships.header_only.csv",
        false,
        &["townships.csv: the table has a header but no rows"],
    ),
    (
        "villages.header_only.csv",
        false,
        &["villages.csv: the table has a header but no rows"],
    ),
    (
        "villages.under_another_county.csv",
        false,
        &[
            "villages.csv: row 4, column 'township_code'",
            "village 510121100201's code says county 510121, but it is listed under township 510104020 of county 510104",
        ],
    ),
    (
        "townships.code_of_another_county.csv",
        true,
        &[
            "townships.csv: row 4, column 'county_code'",
            "township 510121201's code says county 510121, this column 510104",
        ],
    ),
    (
        "townships.outside_china.geojson",
        true,
        &[
            "townships.geojson: feature 0 (code 510121201)",
            "the boundary reaches (-30, 20), outside China",
        ],
    ),
    (
        "townships.repair_far.geojson",
        true,
        &[
            "townships.geojson: feature 0 (code 510104020)",
            "invalid ring repaired",
            "— outside China",
        ],
    ),
];

fn corpus() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/bad"))
}

#[test]
fn every_corpus_file_is_listed_and_there_are_at_least_25() {
    let mut on_disk: Vec<String> = std::fs::read_dir(corpus())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = CASES.iter().map(|(f, _, _)| f.to_string()).collect();
    listed.sort();
    assert_eq!(on_disk, listed);
    assert!(CASES.len() >= 25);
}

#[test]
fn every_bad_input_gives_a_located_error_or_a_warned_repair_through_the_cli() {
    let mut failures = Vec::new();
    for (file, succeeds, fragments) in CASES {
        let dir = tempfile::tempdir().unwrap();
        let data = common::write_dataset(
            &dir.path().join("data"),
            common::COUNTIES,
            common::TOWNSHIPS,
            common::VILLAGES,
        );
        let bad = corpus().join(file);
        let mut command = Command::new(env!("CARGO_BIN_EXE_jianzhi"));
        if file.starts_with("scenario.") {
            let scenario = dir.path().join(file);
            std::fs::copy(&bad, &scenario).unwrap();
            command
                .args(["run", "--scenario"])
                .arg(&scenario)
                .arg("--data")
                .arg(&data)
                .arg("--out")
                .arg(dir.path().join("out"));
        } else {
            let (role, rest) = file.split_once('.').unwrap();
            let extension = rest.rsplit('.').next().unwrap();
            std::fs::copy(&bad, data.join(format!("{role}.{extension}"))).unwrap();
            if extension == "xlsx" {
                std::fs::remove_file(data.join(format!("{role}.csv"))).unwrap();
            }
            command.args(["summary", "--data"]).arg(&data);
        }
        let output = command.output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        // What each input produced, for `cargo test --test bad_input -- --nocapture`.
        let located = stderr
            .lines()
            .find(|l| fragments.first().is_some_and(|f| l.contains(f)))
            .or_else(|| stderr.lines().next())
            .unwrap_or("");
        println!(
            "{file}\texit {:?}\t{}",
            output.status.code(),
            located.trim()
        );
        if stderr.contains("panicked") {
            failures.push(format!("{file}: panicked: {stderr}"));
        } else if output.status.success() != *succeeds {
            failures.push(format!(
                "{file}: exit {:?}, expected success {succeeds}: {stderr}",
                output.status.code()
            ));
        } else if let Some(missing) = fragments.iter().find(|f| !stderr.contains(**f)) {
            failures.push(format!("{file}: no '{missing}' in: {stderr}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The same corpus opened in the app: each bad file is listed in the error panel with the same
/// located message and the data (or scenario) in use stays; repaired files load.
#[test]
#[cfg(feature = "desktop")]
fn every_bad_input_shows_in_the_app_error_panel_and_keeps_what_was_in_use() {
    use std::sync::Arc;
    use std::time::Duration;

    use egui_kittest::kittest::Queryable;
    use jianzhi::Lang;
    use jianzhi::app::{Command as AppCommand, JianzhiApp, Launch};

    let dir = tempfile::tempdir().unwrap();
    let good = common::write_dataset(
        &dir.path().join("good"),
        common::COUNTIES,
        common::TOWNSHIPS,
        common::VILLAGES,
    );
    let dataset = jianzhi::import::load_dataset(&good).unwrap().dataset;
    let workspace = Arc::new(jianzhi::workspace::Workspace::new(dataset));
    let launch = Launch {
        state_dir: Some(dir.path().join("state")),
        screenshot: None,
        focus: None,
        ..Launch::default()
    };
    let app = JianzhiApp::new(None, workspace.clone(), launch);
    let mut harness = egui_kittest::Harness::builder()
        .with_size([1600.0, 1000.0])
        .build_ui_state(|ui, app: &mut JianzhiApp| app.frame(ui), app);

    for (i, (file, succeeds, fragments)) in CASES.iter().enumerate() {
        let case_dir = dir.path().join(format!("case{i}"));
        let data = common::write_dataset(
            &case_dir,
            common::COUNTIES,
            common::TOWNSHIPS,
            common::VILLAGES,
        );
        let bad = corpus().join(file);
        let opened = if file.starts_with("scenario.") {
            let scenario = case_dir.join(file);
            std::fs::copy(&bad, &scenario).unwrap();
            scenario
        } else {
            let (role, rest) = file.split_once('.').unwrap();
            let extension = rest.rsplit('.').next().unwrap();
            std::fs::copy(&bad, data.join(format!("{role}.{extension}"))).unwrap();
            if extension == "xlsx" {
                std::fs::remove_file(data.join(format!("{role}.csv"))).unwrap();
            }
            data
        };
        let scenario_before = harness.state().state.scenario().clone();
        harness.state_mut().apply(AppCommand::OpenPath(opened));
        assert!(
            harness
                .state_mut()
                .wait_for_analysis(Duration::from_secs(60))
        );
        harness.run_steps(2);
        let state = &harness.state().state;
        if *succeeds {
            assert!(state.problems.is_empty(), "{file}: {:?}", state.problems);
            assert!(!Arc::ptr_eq(&state.workspace, &workspace), "{file}");
            // What the CLI warns of, the app lists among the load's warnings.
            for fragment in *fragments {
                assert!(
                    state.warnings.iter().any(|w| w.en.contains(fragment)),
                    "{file}: no warning says '{fragment}': {:?}",
                    state.warnings
                );
            }
        } else {
            assert!(!state.problems.is_empty(), "{file} gave no problem");
            assert!(
                Arc::ptr_eq(&state.workspace, &workspace),
                "{file}: the data changed"
            );
            assert_eq!(
                *state.scenario(),
                scenario_before,
                "{file}: the scenario changed"
            );
            // In Chinese (the app's default) every problem is said in Chinese, and shown.
            harness.get_by_label("数据问题");
            for p in &state.problems {
                assert_ne!(p.zh, p.en, "{file}: not translated");
            }
            // (Shown once in the panel, and again in the column dialog where one opens.)
            let last = state.problems.last().unwrap().zh.clone();
            assert!(
                harness.query_all_by_label(&last).next().is_some(),
                "{file}: not shown: {last}"
            );
            // In English the panel says what the CLI says.
            harness.state_mut().apply(AppCommand::SetLanguage(Lang::En));
            harness.run_steps(2);
            for fragment in *fragments {
                assert!(
                    harness
                        .query_all_by_label_contains(fragment)
                        .next()
                        .is_some(),
                    "{file}: the panel does not show '{fragment}': {:?}",
                    harness.state().state.problems
                );
            }
        }
        harness.state_mut().apply(AppCommand::SetLanguage(Lang::Zh));
        harness.state_mut().apply(AppCommand::DismissProblems);
        // Back to the good data for the next case.
        if !Arc::ptr_eq(&harness.state().state.workspace, &workspace) {
            harness.state_mut().set_workspace(workspace.clone());
        }
    }
}
