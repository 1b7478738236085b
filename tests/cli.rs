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
