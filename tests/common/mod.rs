//! Helpers shared by the integration tests.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use jianzhi::Dataset;

/// The committed demo dataset folder.
pub fn demo_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sichuan")
}

/// Loads the committed demo dataset once per test binary.
pub fn demo() -> &'static Dataset {
    static DEMO: std::sync::OnceLock<Dataset> = std::sync::OnceLock::new();
    DEMO.get_or_init(|| {
        jianzhi::import::load_dataset(&demo_dir())
            .expect("the demo dataset loads")
            .dataset
    })
}

/// A small valid dataset: two counties, three townships, five villages.
pub const TOWNSHIPS: &str = "\
code,name,county_code,kind,lon,lat,area_km2,registered_pop,resident_pop
510104020,督院街街道,510104,street,104.08,30.65,2.5,30000,40000
510121100,城厢镇,510121,town,104.30,30.40,80,25000,20000
510121201,某某乡,510121,township,104.40,30.45,120,8000,6000
";

pub const VILLAGES: &str = "\
code,name,township_code,kind,lon,lat,area_km2,resident_pop,registered_pop
510104020001,青石桥社区,510104020,community,104.081,30.651,1.2,20000,15000
510104020002,滨江路社区,510104020,community,104.082,30.652,1.3,20000,15000
510121100201,星光村,510121100,village,104.31,30.41,40,10000,12500
510121100202,红旗村,510121100,village,104.32,30.42,40,10000,12500
510121201201,硚碶村,510121201,village,104.41,30.46,120,6000,8000
";

pub const COUNTIES: &str = "\
code,name,city_code,city_name
510104,锦江区,5101,成都市
510121,金堂县,5101,成都市
";

/// Writes a dataset folder from CSV texts (UTF-8) and returns its path inside `dir`.
/// A county office's tables without coordinates or boundaries: a chain of townships
/// 城厢镇 – 甲乡 – 乙乡 – 丙乡 known only from the neighbour table.
pub const UNPLACED_TOWNSHIPS: &str = "\
代码,名称,所属区县代码,类型,面积（平方公里）,户籍人口,常住人口
510121100,城厢镇,510121,town,80,25000,20000
510121201,甲乡,510121,township,60,3000,2500
510121202,乙乡,510121,township,50,2500,2000
510121203,丙乡,510121,township,40,2000,1500
510104020,督院街街道,510104,street,2.5,30000,40000
";

pub const UNPLACED_VILLAGES: &str = "\
代码,名称,所属乡镇代码,类型,面积,常住人口
510121100201,星光村,510121100,village,40,10000
510121100202,红旗村,510121100,village,40,10000
510121201201,甲一村,510121201,village,30,1200
510121201202,甲二村,510121201,village,30,1300
510121202201,乙一村,510121202,village,50,2000
510121203201,丙一村,510121203,village,40,1500
510104020001,青石桥社区,510104020,community,2.5,40000
";

/// Township pairs as a chain, one row listing two neighbours in a cell, and village pairs.
pub const NEIGHBOURS: &str = "\
乡镇代码,相邻乡镇代码
510121100,510121201
510121202,510121201、510121203
510121100201,510121100202
510121201201,510121201202
";

pub fn write_dataset(dir: &Path, counties: &str, townships: &str, villages: &str) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("counties.csv"), counties).unwrap();
    std::fs::write(dir.join("townships.csv"), townships).unwrap();
    std::fs::write(dir.join("villages.csv"), villages).unwrap();
    dir.to_path_buf()
}

/// Loads a dataset folder and returns the error text (panics if it loads).
pub fn load_error(dir: &Path) -> String {
    match jianzhi::import::load_dataset(dir) {
        Ok(_) => panic!("{} loaded but should have failed", dir.display()),
        Err(e) => e.to_string(),
    }
}

/// Writes the demo's CSV tables (no boundaries) for the counties of the cities `city_codes`
/// keeps: a real province table of a planning office, smaller than the demo.
pub fn demo_cities(dir: &Path, keep_city: impl Fn(&str) -> bool) -> PathBuf {
    fn filter(from: &Path, to: &Path, keep: impl Fn(&csv::StringRecord) -> bool) -> Vec<String> {
        let mut reader = csv::Reader::from_path(from).unwrap();
        let mut writer = csv::Writer::from_path(to).unwrap();
        writer.write_record(reader.headers().unwrap()).unwrap();
        let mut kept = Vec::new();
        for record in reader.records() {
            let record = record.unwrap();
            if keep(&record) {
                writer.write_record(&record).unwrap();
                kept.push(record[0].to_string());
            }
        }
        kept
    }
    std::fs::create_dir_all(dir).unwrap();
    let demo = demo_dir();
    let counties = filter(&demo.join("counties.csv"), &dir.join("counties.csv"), |r| {
        keep_city(&r[2])
    });
    let townships = filter(
        &demo.join("townships.csv"),
        &dir.join("townships.csv"),
        |r| counties.iter().any(|c| c == &r[2]),
    );
    let townships: std::collections::HashSet<String> = townships.into_iter().collect();
    filter(&demo.join("villages.csv"), &dir.join("villages.csv"), |r| {
        townships.contains(&r[2])
    });
    dir.to_path_buf()
}

pub mod random;

/// A workspace on a dataset, shared as the app and the CLI share it.
pub fn workspace(dataset: Dataset) -> std::sync::Arc<jianzhi::workspace::Workspace> {
    std::sync::Arc::new(jianzhi::workspace::Workspace::new(dataset))
}

/// The demo's workspace, built once per test binary.
pub fn demo_workspace() -> std::sync::Arc<jianzhi::workspace::Workspace> {
    static WS: std::sync::OnceLock<std::sync::Arc<jianzhi::workspace::Workspace>> =
        std::sync::OnceLock::new();
    WS.get_or_init(|| workspace(demo().clone())).clone()
}

/// Townships and villages after a built-in preset on the demo, as recorded in
/// `tests/data/golden/presets.toml` (with its provenance): what the app and the binary must
/// show. Pinned apart from the library, so that a change to the engine fails a test rather
/// than agree with itself (`the_library_computes_the_recorded_preset_figures`, engine.rs).
pub fn preset_after(name: &str) -> (usize, usize) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/golden/presets.toml");
    let golden: toml::Table = toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let count = |level: &str| golden[name][level].as_integer().unwrap() as usize;
    (count("townships"), count("villages"))
}

/// A built-in preset.
pub fn preset(name: &str) -> jianzhi::scenario::Scenario {
    jianzhi::scenario::Scenario::read(&jianzhi::builtin::presets_dir().join(format!("{name}.toml")))
        .unwrap()
}
pub mod invariants;

/// Writes the GIS layers of `a` (GeoJSON, Shapefile, GeoPackage) into `dir`, in `crs` (the
/// dataset's own where none), with a fixed time.
pub fn export_gis(a: &jianzhi::workspace::Analysis, dir: &Path, crs: Option<jianzhi::crs::Crs>) {
    use jianzhi::report::export::{ExportOptions, Format, export};
    let options = ExportOptions {
        formats: vec![Format::Geojson, Format::Shp, Format::Gpkg],
        crs,
        ..Default::default()
    };
    let meta = jianzhi::report::meta::Metadata::made_at(
        a.dataset(),
        [&a.scenario],
        "2026-12-05T10:00:00+08:00".into(),
    );
    export(
        a,
        dir,
        &options,
        None,
        &meta,
        &jianzhi::progress::Progress::new(),
    )
    .unwrap();
}
