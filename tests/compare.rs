//! `jianzhi compare` against separate `jianzhi run`s: the same figures, side by side.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

/// A CSV report as (header, rows), BOM dropped.
fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let header = reader.headers().unwrap().iter().map(String::from).collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

/// A column of a table by key, keyed by the first column.
fn column(table: &(Vec<String>, Vec<Vec<String>>), key: &str) -> HashMap<String, String> {
    let i = table
        .0
        .iter()
        .position(|h| h == key)
        .unwrap_or_else(|| panic!("no column {key}"));
    table
        .1
        .iter()
        .map(|r| (r[0].clone(), r[i].clone()))
        .collect()
}

fn jianzhi(args: &[&str], out: &Path) {
    let status = Command::new(env!("CARGO_BIN_EXE_jianzhi"))
        .args(args)
        .arg("--out")
        .arg(out)
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "jianzhi {args:?}");
}

#[test]
fn compare_shows_the_figures_of_separate_runs_side_by_side() {
    let dir = tempfile::tempdir().unwrap();
    let presets = ["sichuan-2019", "conservative", "thresholds-only"];
    jianzhi(
        &[
            "compare",
            presets[0],
            presets[1],
            presets[2],
            "--formats",
            "csv,xlsx,html",
        ],
        &dir.path().join("compare"),
    );
    let summary = read_csv(&dir.path().join("compare/compare-summary.csv"));
    let counties = read_csv(&dir.path().join("compare/compare-counties.csv"));
    let mut folders: Vec<_> = std::fs::read_dir(dir.path().join("compare"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    folders.sort();
    assert_eq!(folders.len(), 3);
    for (i, preset) in presets.iter().enumerate() {
        let run = dir.path().join(preset);
        jianzhi(&["run", "--scenario", preset], &run);
        let s = i + 1;
        // Key figures: before and this scenario's after, as its own run wrote them.
        let run_summary = read_csv(&run.join("summary.csv"));
        assert_eq!(column(&summary, "before"), column(&run_summary, "before"));
        assert_eq!(
            column(&summary, &format!("s{s}_after")),
            column(&run_summary, "after")
        );
        // Counties: this scenario's column group.
        let run_counties = read_csv(&run.join("counties.csv"));
        for key in [
            "townships_after",
            "villages_after",
            "mean_seat_distance_km_after",
            "mean_seat_or_station_distance_km_after",
        ] {
            assert_eq!(
                column(&counties, &format!("s{s}_{key}")),
                column(&run_counties, key),
                "{preset} {key}"
            );
        }
        // Each scenario's own files are those of its run.
        for file in [
            "summary.csv",
            "counties.csv",
            "townships.csv",
            "villages.csv",
        ] {
            assert_eq!(
                std::fs::read(folders[i].join(file)).unwrap(),
                std::fs::read(run.join(file)).unwrap(),
                "{preset} {file}"
            );
        }
    }
    // Differences from the first scenario.
    let first = column(&summary, "s1_after");
    let second = column(&summary, "s2_after");
    let diff = column(&summary, "s2_minus_s1");
    let townships = |m: &HashMap<String, String>| m["townships"].parse::<f64>().unwrap();
    assert_eq!(townships(&diff), townships(&second) - townships(&first));
    assert!(
        townships(&diff) > 0.0,
        "the conservative preset keeps more townships"
    );

    let html = std::fs::read_to_string(dir.path().join("compare/compare.html")).unwrap();
    assert!(html.contains("稳妥方案") && html.contains("<svg"));
    assert!(!html.to_lowercase().contains("<script"));
    assert!(dir.path().join("compare/compare.xlsx").exists());
}

#[test]
fn compare_needs_two_scenarios() {
    let out = Command::new(env!("CARGO_BIN_EXE_jianzhi"))
        .args(["compare", "sichuan-2019", "--out", "/nonexistent"])
        .output()
        .unwrap();
    assert!(!out.status.success());
}
