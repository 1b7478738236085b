//! Property-based fuzzing: arbitrary bytes and mutated valid files never make an importer or
//! the scenario parser panic; they load or give located errors.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;

use std::path::Path;

use jianzhi::error::Problems;
use jianzhi::import::table::{Column, Table};
use jianzhi::scenario::Scenario;
use proptest::prelude::*;

/// A valid file with `edits` (position, new byte) applied.
fn mutate(valid: &str, edits: &[(usize, u8)]) -> Vec<u8> {
    let mut bytes = valid.as_bytes().to_vec();
    for &(at, b) in edits {
        let i = at % bytes.len();
        bytes[i] = b;
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn csv_tables_never_panic_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..3000)) {
        let _ = Table::parse(Path::new("x.csv"), &bytes, &[Column::Code, Column::Name], &mut Problems::default());
    }

    #[test]
    fn scenarios_never_panic(text in "\\PC{0,600}") {
        let _ = Scenario::parse("s.toml", &text);
    }

    #[test]
    fn mutated_scenarios_never_panic(edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8)) {
        let preset = std::fs::read_to_string(jianzhi::cli::presets_dir().join("sichuan-2019.toml")).unwrap();
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
        let geojson = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"510121100"},"geometry":{"type":"Polygon","coordinates":[[[104.3,30.4],[104.4,30.4],[104.4,30.5],[104.3,30.5],[104.3,30.4]]]}}]}"#;
        std::fs::write(d.join("townships.geojson"), mutate(geojson, &g_edits)).unwrap();
        if let Err(e) = jianzhi::import::load_dataset(&d) {
            for p in &e.problems {
                let text = p.to_string();
                prop_assert!(text.contains(".csv") || text.contains(".geojson"), "{}", text);
            }
        }
    }
}
