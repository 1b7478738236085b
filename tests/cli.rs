//! The real `jianzhi` binary: exit codes, messages on stderr, and the reports it writes.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;

use std::process::Command;

use common::{COUNTIES, TOWNSHIPS, VILLAGES, write_dataset};

fn jianzhi() -> Command {
    Command::new(env!("CARGO_BIN_EXE_jianzhi"))
}

#[test]
fn summary_of_the_demo_writes_bom_csvs_with_the_real_counts() {
    let out = tempfile::tempdir().unwrap();
    let run = jianzhi()
        .args(["summary", "--out"])
        .arg(out.path())
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let stdout = String::from_utf8(run.stdout).unwrap();
    assert!(stdout.contains("Modelled (synthetic) figures"), "{stdout}");
    let summary = std::fs::read(out.path().join("summary.csv")).unwrap();
    assert!(summary.starts_with(b"\xEF\xBB\xBF"));
    let text = String::from_utf8(summary[3..].to_vec()).unwrap();
    assert!(text.starts_with("metric,value,basis\r\n"));
    assert!(text.contains("\r\ntownships,4618,observed\r\n"), "{text}");
    assert!(text.contains("\r\nvillages,46630,observed\r\n"), "{text}");
    assert!(text.contains("\r\ncommunities,6996,observed\r\n"), "{text}");
    assert!(
        text.contains("\r\nspecial_township_units,43,observed\r\n"),
        "{text}"
    );
    let registered = text
        .lines()
        .find(|l| l.starts_with("avg_township_registered_pop,"))
        .unwrap();
    let fields: Vec<&str> = registered.split(',').collect();
    let value: f64 = fields[1].parse().unwrap();
    assert!(
        (value - 18_000.0).abs() < 900.0 && fields[2] == "modelled",
        "{registered}"
    );
    let counties =
        String::from_utf8(std::fs::read(out.path().join("counties.csv")).unwrap()[3..].to_vec())
            .unwrap();
    assert_eq!(counties.lines().count(), 1 + 183);
    assert!(counties.contains("510104,锦江区,成都市,"), "{counties}");
}

#[test]
fn summary_of_a_user_dataset_is_labelled_observed() {
    let dir = tempfile::tempdir().unwrap();
    let d = write_dataset(dir.path(), COUNTIES, TOWNSHIPS, VILLAGES);
    let run = jianzhi()
        .args(["summary", "--data"])
        .arg(&d)
        .output()
        .unwrap();
    assert!(run.status.success());
    let stdout = String::from_utf8(run.stdout).unwrap();
    assert!(!stdout.contains("Modelled"), "{stdout}");
    assert!(
        stdout.contains("townships") && stdout.contains(" 3  observed"),
        "{stdout}"
    );
}

#[test]
fn bad_input_exits_non_zero_with_the_row_and_column_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let d = write_dataset(
        dir.path(),
        COUNTIES,
        &TOWNSHIPS.replace("80,25000,20000", "80,25000,abc"),
        VILLAGES,
    );
    let out = tempfile::tempdir().unwrap();
    let run = jianzhi()
        .args(["summary", "--data"])
        .arg(&d)
        .arg("--out")
        .arg(out.path())
        .output()
        .unwrap();
    assert!(!run.status.success());
    let stderr = String::from_utf8(run.stderr).unwrap();
    assert!(
        stderr.contains("townships.csv: row 3, column 'resident_pop': not a number: 'abc'"),
        "{stderr}"
    );
    // Nothing half-written.
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0);
}

#[test]
fn run_writes_every_report_and_the_scenario_as_applied() {
    let out = tempfile::tempdir().unwrap();
    let run = jianzhi()
        .args(["run", "--scenario", "sichuan-2019", "--out"])
        .arg(out.path())
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let read = |name: &str| {
        let bytes = std::fs::read(out.path().join(name)).unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "{name} has no BOM");
        String::from_utf8(bytes[3..].to_vec()).unwrap()
    };
    let summary = read("summary.csv");
    assert!(summary.starts_with("metric,before,after,change_pct,basis\r\n"));
    for metric in [
        "townships",
        "villages",
        "avg_township_area_km2",
        "avg_township_registered_pop",
        "avg_village_area_km2",
        "avg_village_resident_pop",
    ] {
        assert!(
            summary.contains(&format!("\r\n{metric},")),
            "{metric} missing"
        );
    }
    let after = common::preset_after("sichuan-2019").0;
    assert!(
        summary.contains(&format!("\r\ntownships,4618,{after},")),
        "{summary}"
    );
    for metric in [
        "mean_seat_distance_km",
        "p90_seat_distance_km",
        "share_within_10km",
        "share_within_15km",
        "share_within_20km",
        "staff",
        "yearly_cost",
    ] {
        assert!(
            summary.contains(&format!("\r\n{metric},")),
            "{metric} missing"
        );
    }
    assert!(summary.contains("\r\nyearly_cost,") && summary.contains(",illustrative\r\n"));
    let coverage = read("coverage.csv");
    assert!(
        coverage.starts_with("distance_km,share_before,share_after,share_after_with_stations\r\n")
    );
    assert_eq!(coverage.lines().count(), 1 + 61);
    let last: Vec<&str> = coverage.lines().last().unwrap().split(',').collect();
    assert_eq!(last[0], "60");
    let counties = read("counties.csv");
    assert!(counties.starts_with("county_code,county_name,city_name,townships_before,townships_after,villages_before,villages_after"));
    assert!(
        counties
            .lines()
            .next()
            .unwrap()
            .contains("mean_seat_distance_km_before,mean_seat_distance_km_after")
    );
    assert_eq!(counties.lines().count(), 184);
    let townships = read("townships.csv");
    assert_eq!(townships.lines().count(), 1 + 4661);
    let villages = read("villages.csv");
    assert_eq!(villages.lines().count(), 1 + 53715);
    // The scenario as applied parses back to the preset.
    let applied = jianzhi::scenario::Scenario::read(&out.path().join("scenario.toml")).unwrap();
    let preset = jianzhi::scenario::Scenario::read(
        &jianzhi::builtin::presets_dir().join("sichuan-2019.toml"),
    )
    .unwrap();
    assert_eq!(applied, preset);
}

#[test]
fn a_bad_scenario_exits_non_zero_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(
        &path,
        "version = 1\nname = \"x\"\n[townships]\ntarget_reduction_pct = 30\nmax_aera = 5\n",
    )
    .unwrap();
    let run = jianzhi()
        .args(["run", "--scenario"])
        .arg(&path)
        .args(["--out"])
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    assert!(!run.status.success());
    let stderr = String::from_utf8(run.stderr).unwrap();
    assert!(
        stderr.contains("bad.toml") && stderr.contains("max_aera") && stderr.contains("line 5"),
        "{stderr}"
    );
    assert!(!dir.path().join("out").exists());
}

#[test]
fn optimum_reports_every_county_and_never_a_best_above_the_engines_plan() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("optimum.csv");
    let output = jianzhi()
        .args(["optimum", "--scenario", "sichuan-2019", "--max-units", "12"])
        .args(["--seconds", "0.5", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("gap of the engine to the best"), "{stdout}");
    let text = std::fs::read_to_string(&out).unwrap();
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (units, townships, engine, best, status) = (
        col("units"),
        col("townships"),
        col("engine_person_km"),
        col("best_person_km"),
        col("status"),
    );
    let mut rows = 0;
    let mut proven_with_merges = 0;
    for record in reader.records() {
        let r = record.unwrap();
        rows += 1;
        let n: usize = r[townships].parse().unwrap();
        let u: usize = r[units].parse().unwrap();
        assert!(u <= n);
        if r[best].is_empty() {
            continue;
        }
        let (e, b): (f64, f64) = (r[engine].parse().unwrap(), r[best].parse().unwrap());
        assert!(b <= e * (1.0 + 1e-9), "{r:?}");
        // Without merges the plan is the only one.
        if u == n {
            assert!((b - e).abs() <= 1e-6 * e.max(1.0), "{r:?}");
        } else if &r[status] == "proven optimal" {
            proven_with_merges += 1;
        }
    }
    assert_eq!(rows, 183);
    assert!(proven_with_merges >= 10, "{proven_with_merges}");
}
