//! Property-based fuzzing: arbitrary bytes and mutated valid files never make an importer or
//! the scenario parser panic; they load or give located errors. The CSV and GeoJSON cases go
//! through the same entry points as the cargo-fuzz targets in `fuzz/`, for longer runs.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;

use jianzhi::import::fuzzing::{csv_table, geojson};
use jianzhi::scenario::Scenario;
use proptest::prelude::*;

const TOWNSHIP_GEOJSON: &str = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"510121100"},"geometry":{"type":"Polygon","coordinates":[[[104.3,30.4],[104.4,30.4],[104.4,30.5],[104.3,30.5],[104.3,30.4]]]}}]}"#;

/// A valid file with `edits` (position, new byte) applied.
fn mutate(valid: &str, edits: &[(usize, u8)]) -> Vec<u8> {
    let mut bytes = valid.as_bytes().to_vec();
    for &(at, b) in edits {
        let i = at % bytes.len();
        bytes[i] = b;
    }
    bytes
}

/// The problem names its file in English and in Chinese, and the two differ.
fn said_in_both(problem: &jianzhi::Problem, file: &str) -> bool {
    let (en, zh) = (
        problem.describe(jianzhi::Lang::En),
        problem.describe(jianzhi::Lang::Zh),
    );
    en.starts_with(file) && zh.starts_with(file) && en != zh
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn csv_tables_never_panic_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..3000)) {
        for problem in csv_table(&bytes) {
            prop_assert!(said_in_both(&problem, "fuzz.csv"), "{}", problem);
        }
    }

    #[test]
    fn mutated_csv_tables_never_panic(edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..12)) {
        for problem in csv_table(&mutate(common::VILLAGES, &edits)) {
            prop_assert!(said_in_both(&problem, "fuzz.csv"), "{}", problem);
        }
    }

    #[test]
    fn geojson_never_panics_on_arbitrary_text(text in "\\PC{0,400}") {
        for problem in geojson(text.as_bytes()) {
            prop_assert!(said_in_both(&problem, "fuzz.geojson"), "{}", problem);
        }
    }

    #[test]
    fn mutated_geojson_never_panics(edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8)) {
        for problem in geojson(&mutate(TOWNSHIP_GEOJSON, &edits)) {
            prop_assert!(said_in_both(&problem, "fuzz.geojson"), "{}", problem);
        }
    }

    #[test]
    fn scenarios_never_panic(text in "\\PC{0,600}") {
        let _ = Scenario::parse("s.toml", &text);
    }

    #[test]
    fn mutated_scenarios_never_panic(edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8)) {
        let preset = std::fs::read_to_string(jianzhi::builtin::presets_dir().join("sichuan-2019.toml")).unwrap();
        let bytes = mutate(&preset, &edits);
        let _ = Scenario::parse("s.toml", &String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn mutated_datasets_load_or_fail_with_located_errors(
        t_edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..6),
        v_edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..6),
        g_edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..6),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let d = common::write_dataset(dir.path(), common::COUNTIES, "", "");
        std::fs::write(d.join("townships.csv"), mutate(common::TOWNSHIPS, &t_edits)).unwrap();
        std::fs::write(d.join("villages.csv"), mutate(common::VILLAGES, &v_edits)).unwrap();
        std::fs::write(d.join("townships.geojson"), mutate(TOWNSHIP_GEOJSON, &g_edits)).unwrap();
        if let Err(e) = jianzhi::import::load_dataset(&d) {
            for p in &e.problems {
                let text = p.to_string();
                prop_assert!(text.contains(".csv") || text.contains(".geojson"), "{}", text);
            }
        }
    }
}
