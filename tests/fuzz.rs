//! Property-based fuzzing: arbitrary bytes and mutated valid files never make an importer or
//! the scenario parser panic; they load (scenarios: valid, reading back the same, and running)
//! or give located errors in both languages. The CSV and GeoJSON cases go
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

/// Parses scenario text: a scenario that parses is valid and reads back the same from its own
/// TOML; one that does not is an error naming the file, in both languages.
fn scenario_or_named_error(text: &str) -> Result<Option<Scenario>, TestCaseError> {
    match Scenario::parse("s.toml", text) {
        Ok(scenario) => {
            prop_assert!(scenario.validate("s.toml").is_ok());
            let again = Scenario::parse("again.toml", &scenario.to_toml());
            prop_assert_eq!(again.as_ref().ok(), Some(&scenario), "{:?}", again);
            Ok(Some(scenario))
        }
        Err(e) => {
            let (en, zh) = (e.describe(jianzhi::Lang::En), e.describe(jianzhi::Lang::Zh));
            prop_assert!(
                en.starts_with("s.toml: ") && zh.starts_with("s.toml："),
                "{en} / {zh}"
            );
            Ok(None)
        }
    }
}

/// The small valid dataset's workspace, built once.
fn small_workspace() -> std::sync::Arc<jianzhi::workspace::Workspace> {
    static WS: std::sync::OnceLock<std::sync::Arc<jianzhi::workspace::Workspace>> =
        std::sync::OnceLock::new();
    WS.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let d = common::write_dataset(
            dir.path(),
            common::COUNTIES,
            common::TOWNSHIPS,
            common::VILLAGES,
        );
        common::workspace(jianzhi::import::load_dataset(&d).unwrap().dataset)
    })
    .clone()
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
    fn arbitrary_scenario_text_parses_to_a_valid_scenario_or_a_named_error(text in "\\PC{0,600}") {
        scenario_or_named_error(&text)?;
    }

    #[test]
    fn mutated_scenarios_parse_and_run_or_say_what_is_wrong(edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8)) {
        let preset = std::fs::read_to_string(jianzhi::builtin::presets_dir().join("sichuan-2019.toml")).unwrap();
        let bytes = mutate(&preset, &edits);
        if let Some(scenario) = scenario_or_named_error(&String::from_utf8_lossy(&bytes))? {
            // A scenario that parses runs on a dataset, or says in both languages why not.
            match small_workspace().analyse(&scenario) {
                Ok(analysis) => prop_assert_eq!(analysis.plan.edits.len(), scenario.edits.len()),
                Err(e) => {
                    let (en, zh) = (e.describe(jianzhi::Lang::En), e.describe(jianzhi::Lang::Zh));
                    prop_assert!(!en.is_empty() && !zh.is_empty() && en != zh, "{en}");
                }
            }
        }
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
