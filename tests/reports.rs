//! The reports of the built-in presets and of the country, byte for byte: every file a run
//! writes (all formats for the presets, the CSV reports for the country), with the time fixed
//! (`SOURCE_DATE_EPOCH`), against the SHA-256 digests in `tests/data/golden/report-digests.txt`.
//!
//! Provenance of the digests: recorded at the start of the restructuring of #31 (commit
//! 6ba4c1c, with the fixed time patched in) and unchanged through it; recorded again for #32
//! (valid GIS layers with fixed names and no empty fields, GeoPackage, the workbook in the
//! interface language and ready to print, whole counts in the briefing, tidy axes and full
//! legends in the pictures, and the demo regenerated in county outlines that tile); and for
//! #33 (the map picture's outlines without needles: only `map.png` and the briefing's map
//! changed; and again when outline vertices closer than a metre became one, `map.png` and the
//! briefing's map only); and for #34 (`explain.csv` and the workbook's 调整原因 sheet added, every
//! other file unchanged; then the briefing's table of the rules that decided, the briefing
//! only; then the stories reading the terrain the plan used, so that 331 mountain and plateau
//! townships of `sichuan-2019` merged below their terrain's thresholds are no longer said to
//! have merged for the target: its explain.csv, workbook and briefing only). Every later change to a report must come with new digests, recorded
//! on purpose with `JIANZHI_BLESS=1 cargo test --test reports` and said in its commit.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use sha2::{Digest, Sha256};

/// 2025-12-04T00:00:00Z: the time every report records.
const FIXED_TIME: &str = "1764806400";

fn golden() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/golden/report-digests.txt")
}

/// Runs `jianzhi run` with `args` into a fresh folder; each file's digest, by name.
fn run_digests(args: &[&str]) -> BTreeMap<String, String> {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let output = Command::new(env!("CARGO_BIN_EXE_jianzhi"))
        .arg("run")
        .args(args)
        .arg("--out")
        .arg(&out)
        .env("SOURCE_DATE_EPOCH", FIXED_TIME)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut digests = BTreeMap::new();
    for entry in std::fs::read_dir(&out).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        // The manifest names its run, which no two runs share.
        if name == "manifest.json" {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let hex: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        digests.insert(name, hex);
    }
    digests
}

#[test]
fn the_reports_of_the_presets_and_the_country_are_the_recorded_ones() {
    let cases: [(&str, &[&str]); 4] = [
        (
            "sichuan-2019",
            &["--scenario", "sichuan-2019", "--formats", "all"],
        ),
        (
            "conservative",
            &["--scenario", "conservative", "--formats", "all"],
        ),
        (
            "thresholds-only",
            &["--scenario", "thresholds-only", "--formats", "all"],
        ),
        (
            "country",
            &["--scenario", "sichuan-2019", "--province", "all"],
        ),
    ];
    let mut now = String::new();
    for (case, args) in cases {
        for (file, digest) in run_digests(args) {
            now += &format!("{case}/{file} {digest}\n");
        }
    }
    if std::env::var_os("JIANZHI_BLESS").is_some() {
        std::fs::write(golden(), &now).unwrap();
        return;
    }
    let recorded = std::fs::read_to_string(golden()).unwrap();
    let differ: Vec<&str> = now
        .lines()
        .zip(recorded.lines())
        .filter(|(a, b)| a != b)
        .map(|(a, _)| a.split(' ').next().unwrap_or(a))
        .collect();
    assert!(
        differ.is_empty() && now.lines().count() == recorded.lines().count(),
        "reports differ from the recorded ones: {differ:?} ({} files now, {} recorded); if the change is meant, record them with JIANZHI_BLESS=1 cargo test --test reports",
        now.lines().count(),
        recorded.lines().count()
    );
}
