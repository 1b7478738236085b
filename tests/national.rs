//! Every province from the real 2023 codes: each opens and runs a preset, the country adds up
//! to the code tables unit for unit, and a run gives the same reports on one thread as on many.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use jianzhi::import::LoadOptions;
use jianzhi::national::{self, PROVINCES};
use jianzhi::progress::Progress;
use jianzhi::report::run::ReportTable;
use jianzhi::workspace::Workspace;

fn load(arg: &str) -> jianzhi::Dataset {
    let provinces = national::resolve(arg).unwrap();
    national::load(&provinces, &LoadOptions::default(), &Progress::new())
        .unwrap()
        .dataset
}

/// Rows per province code (first two digits of the first column) of a code table in
/// `data/china/`, read here rather than through the generator.
fn rows_by_province(file: &str) -> HashMap<String, usize> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/china")
        .join(file);
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap())
        .read_to_string(&mut text)
        .unwrap();
    let mut out = HashMap::new();
    for line in text.lines().skip(1) {
        *out.entry(line[..2].to_string()).or_default() += 1;
    }
    out
}

#[test]
fn provinces_are_named_by_code_name_or_english_and_all_is_the_country() {
    let codes = |arg: &str| -> Vec<&str> {
        national::resolve(arg)
            .unwrap()
            .iter()
            .map(|p| p.code)
            .collect()
    };
    for arg in ["13", "河北", "河北省", "Hebei", "hebei", "130000"] {
        assert_eq!(codes(arg), ["13"], "{arg}");
    }
    assert_eq!(codes("四川,11"), ["11", "51"]);
    assert_eq!(codes("all").len(), 31);
    assert_eq!(codes("全国").len(), 31);
    let err = national::resolve("火星").unwrap_err();
    assert!(err.contains("火星"), "{err}");
    assert!(national::resolve(" ,").is_err());
}

#[test]
fn every_province_opens_and_runs_a_preset() {
    let scenario = common::preset("uniform-cut");
    let census: HashMap<String, u64> = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("data/china/province_population_2020.csv"),
    )
    .unwrap()
    .lines()
    .skip(1)
    .map(|l| {
        let f: Vec<&str> = l.split(',').collect();
        (f[0].to_string(), f[2].parse().unwrap())
    })
    .collect();
    for p in &PROVINCES {
        let dataset = load(p.code);
        assert!(
            dataset
                .counties
                .iter()
                .all(|c| c.province().map(|q| q.code) == Some(p.code)),
            "{}: a county of another province",
            p.name
        );
        assert!(
            dataset
                .provenance
                .is_modelled(jianzhi::model::Figure::Populations),
            "{}: populations are labelled modelled",
            p.name
        );
        // Residents add up to the province's census total (Sichuan's demo: to its cities').
        let residents: f64 = dataset.townships.iter().map(|t| t.resident_pop).sum();
        assert_eq!(residents as u64, census[p.code], "{}", p.name);
        let before = dataset.townships.len();
        let ws = common::workspace(dataset);
        let analysis = ws.analyse(&scenario).unwrap();
        let after = analysis.plan.townships.units.len();
        assert!(
            after < before,
            "{}: {before} townships, {after} after the preset",
            p.name
        );
    }
}

#[test]
fn the_country_adds_up_to_the_code_tables() {
    let country = load("all");
    let sichuan = common::demo();
    let townships = rows_by_province("townships_2023.csv.gz");
    let villages = rows_by_province("villages_2023.csv.gz");
    assert_eq!(
        country.townships.len(),
        townships.values().sum::<usize>() + sichuan.townships.len()
    );
    assert_eq!(
        country.villages.len(),
        villages.values().sum::<usize>() + sichuan.villages.len()
    );
    // 2,795 counties in the code table (143 without an outline, given a modelled one) and
    // Sichuan's 183: none dropped.
    assert_eq!(country.counties.len(), 2795 + sichuan.counties.len());
    let mut by_province: HashMap<&str, (usize, usize)> = HashMap::new();
    for t in &country.townships {
        by_province.entry(&t.code[..2]).or_default().0 += 1;
    }
    for v in &country.villages {
        by_province.entry(&v.code[..2]).or_default().1 += 1;
    }
    for p in PROVINCES.iter().filter(|p| p.code != national::SICHUAN) {
        assert_eq!(
            by_province[p.code],
            (townships[p.code], villages[p.code]),
            "{}",
            p.name
        );
    }
    // Units point at their own province's parents after the join.
    for v in country.villages.iter().step_by(97) {
        let t = &country.townships[v.township];
        assert!(v.code.starts_with(&t.code), "{} under {}", v.code, t.code);
        assert!(t.code.starts_with(&country.counties[t.county].code));
    }
}

#[test]
fn development_zones_without_an_outline_are_modelled_and_said_so() {
    let hebei = load("13");
    let zone = hebei.counties.iter().find(|c| c.code == "130171").unwrap();
    assert!(zone.boundary.is_some(), "given a modelled outline");
    assert!(
        hebei
            .provenance
            .sources
            .iter()
            .any(|s| s.contains("130171 石家庄高新技术产业开发区")),
        "{:?}",
        hebei.provenance.sources
    );
}

#[test]
fn a_run_on_one_thread_and_on_many_gives_the_same_reports() {
    let dataset = load("64");
    let scenario = common::preset("sichuan-2019");
    let reports = |threads: usize| -> Vec<Vec<u8>> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let ws = std::sync::Arc::new(Workspace::new(dataset.clone()));
            let analysis = ws.analyse(&scenario).unwrap();
            let report = analysis.report();
            ReportTable::ALL.iter().map(|&t| report.csv(t)).collect()
        })
    };
    let serial = reports(1);
    assert!(serial.iter().all(|r| !r.is_empty()));
    assert_eq!(serial, reports(4));
}

#[test]
fn sichuans_published_marks_appear_on_sichuan_only() {
    let scenario = common::preset("sichuan-2019");
    let marks = |dataset: jianzhi::Dataset| -> usize {
        let analysis = common::workspace(dataset).analyse(&scenario).unwrap();
        let view = jianzhi::figures::FiguresView::new(&analysis);
        view.charts
            .unwrap()
            .change
            .iter()
            .filter(|c| c.2.is_some())
            .count()
    };
    assert_eq!(marks(load("13")), 0, "Hebei");
    assert!(marks(common::demo().clone()) > 0, "Sichuan");
}

#[test]
fn the_command_line_opens_a_province_by_name_and_names_a_wrong_one() {
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_jianzhi"))
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&["summary", "--province", "宁夏"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains("宁夏回族自治区 2023（模拟数据）"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Modelled (synthetic) figures: locations, territories, areas, populations")
    );
    let out = run(&["summary", "--province", "火星"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no province '火星'"));
}

/// Townships merged away among those whose code `keep` takes: before less the new units
/// seated there.
fn merges_in(
    dataset: &jianzhi::Dataset,
    analysis: &jianzhi::workspace::Analysis,
    keep: &dyn Fn(&str) -> bool,
) -> usize {
    let before = dataset.townships.iter().filter(|t| keep(&t.code)).count();
    let after = analysis
        .plan
        .townships
        .units
        .iter()
        .filter(|u| keep(&dataset.townships[u.seat].code))
        .count();
    before - after
}

#[test]
fn a_province_wide_target_is_met_in_each_province_on_its_own() {
    use jianzhi::scenario::{Rules, Scenario, TargetPer};
    // 北京 and 天津 together: a 20% target per province is 20% of each, not 20% of both
    // taken wherever the weakest merges happen to be.
    let dataset = load("11,12");
    for per in [TargetPer::Province, TargetPer::City] {
        let mut scenario = Scenario::empty("20% each");
        scenario.townships = Rules {
            target_reduction_pct: Some(20.0),
            target_per: per,
            ..Rules::default()
        };
        scenario.villages.enabled = false;
        let ws = common::workspace(dataset.clone());
        let analysis = ws.analyse(&scenario).unwrap();
        assert!(analysis.plan.townships.outcome.target_met(), "{per:?}");
        for province in ["11", "12"] {
            let of = |code: &str| code.starts_with(province);
            let regular = dataset
                .townships
                .iter()
                .filter(|t| of(&t.code) && t.kind.is_regular())
                .count();
            let merges = merges_in(&dataset, &analysis, &of);
            let target = (regular as f64 * 0.2).round() as usize;
            match per {
                TargetPer::Province => assert_eq!(merges, target, "{province}"),
                // Each city's own 20%, rounded city by city: within a unit per city.
                _ => assert!(
                    merges.abs_diff(target) <= 20,
                    "{province}: {merges} merges, {target} wanted"
                ),
            }
        }
    }
}

#[test]
fn quotas_hand_targets_down_to_provinces_and_counties() {
    use jianzhi::scenario::Scenario;
    use jianzhi::scenario::quota::{Quota, read_quotas};
    let dataset = load("11,12");
    let regular_of = |keep: &dyn Fn(&str) -> bool| {
        dataset
            .townships
            .iter()
            .filter(|t| keep(&t.code) && t.kind.is_regular())
            .count()
    };
    // Tianjin's county with the most townships gets a quota of its own.
    let county = dataset
        .counties
        .iter()
        .filter(|c| c.code.starts_with("12"))
        .max_by_key(|c| regular_of(&|t: &str| t.starts_with(&c.code)))
        .unwrap()
        .code
        .clone();
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("quotas.csv");
    // As a planner's Excel saves it: GBK, Chinese headers, a province by its 6-digit code.
    let text = format!("代码,乡镇目标,村目标\r\n110000,10%,\r\n12,200,\r\n{county},50%,\r\n");
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    std::fs::write(&table, &gbk).unwrap();
    let rows = read_quotas(&table).unwrap();
    assert_eq!(rows.rows.len(), 3);
    let mut scenario = Scenario::empty("quotas").with_quotas(&rows);
    scenario.townships.enabled = true;
    assert_eq!(scenario.townships.quotas["11"], Quota::CutPct(10.0));
    assert_eq!(scenario.townships.quotas["12"], Quota::UnitsAfter(200));

    let analysis = common::workspace(dataset.clone())
        .analyse(&scenario)
        .unwrap();
    let beijing = |c: &str| c.starts_with("11");
    let own = |c: &str| c.starts_with(&county);
    let rest = |c: &str| c.starts_with("12") && !c.starts_with(&county);
    assert_eq!(
        merges_in(&dataset, &analysis, &beijing),
        (regular_of(&beijing) as f64 * 0.1).round() as usize
    );
    assert_eq!(
        merges_in(&dataset, &analysis, &own),
        (regular_of(&own) as f64 * 0.5).round() as usize
    );
    assert_eq!(
        regular_of(&rest) - merges_in(&dataset, &analysis, &rest),
        200,
        "Tianjin's other counties keep 200"
    );
    assert!(analysis.plan.townships.outcome.target_met());

    // A quota for Beijing alone: Tianjin, with no target and no thresholds, stays as it is.
    let mut beijing_only = Scenario::empty("Beijing only");
    beijing_only.townships.enabled = true;
    beijing_only
        .townships
        .quotas
        .insert("11".into(), Quota::CutPct(10.0));
    let analysis = common::workspace(dataset.clone())
        .analyse(&beijing_only)
        .unwrap();
    let tianjin = |c: &str| c.starts_with("12");
    assert_eq!(
        merges_in(&dataset, &analysis, &tianjin),
        0,
        "Tianjin merged without a target"
    );

    // A bad quota names its file, row and column.
    std::fs::write(&table, "code,township_target\n13,三成\n").unwrap();
    let err = read_quotas(&table).unwrap_err().to_string();
    assert!(
        err.contains("quotas.csv") && err.contains("row 2") && err.contains("township_target"),
        "{err}"
    );
}

/// Rows of a CSV report as maps from header to cell.
fn report_rows(bytes: &[u8]) -> Vec<HashMap<String, String>> {
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

#[test]
fn the_reports_sum_counties_to_provinces_and_cities() {
    let dataset = load("11,12");
    let analysis = common::workspace(dataset.clone())
        .analyse(&common::preset("uniform-cut"))
        .unwrap();
    let report = analysis.report();
    let provinces = report_rows(&report.csv(ReportTable::Provinces));
    assert_eq!(provinces.len(), 2);
    for row in &provinces {
        let code = row["code"].as_str();
        let regular = dataset
            .townships
            .iter()
            .filter(|t| t.code.starts_with(code) && t.kind.is_regular())
            .count();
        assert_eq!(row["townships_before"], regular.to_string(), "{code}");
        let counties = dataset
            .counties
            .iter()
            .filter(|c| c.code.starts_with(code))
            .count();
        assert_eq!(row["counties"], counties.to_string());
    }
    assert_eq!(provinces[0]["name"], "北京市");
    let cities = report_rows(&report.csv(ReportTable::Cities));
    let sum = |rows: &[HashMap<String, String>], key: &str| -> u64 {
        rows.iter().map(|r| r[key].parse::<u64>().unwrap()).sum()
    };
    assert_eq!(
        sum(&cities, "townships_after"),
        sum(&provinces, "townships_after")
    );
    assert_eq!(
        sum(&provinces, "townships_after") as usize,
        analysis.after.province.townships.count
    );

    // One province: its row's distance, summed from the counties, is the province's own.
    let sichuan = common::demo_workspace()
        .analyse(&common::preset("sichuan-2019"))
        .unwrap();
    let rows = report_rows(&sichuan.report().csv(ReportTable::Provinces));
    assert_eq!(rows.len(), 1);
    let km: f64 = rows[0]["mean_seat_distance_km_after"].parse().unwrap();
    assert!(
        (km - sichuan.service.after.province.mean_km).abs() < 5e-4,
        "{km}"
    );
}

#[test]
fn the_national_model_is_the_same_every_time() {
    // The cache the other tests load, and a second modelling from the committed sources.
    let cached = national::province_dir(&PROVINCES[2]).unwrap();
    national::ensure_modelled(&cached, &Progress::new()).unwrap();
    let again = tempfile::tempdir().unwrap();
    let sources = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/china");
    let report =
        jianzhi::demo::national::write_national(&sources, again.path(), true, &Progress::new())
            .unwrap();
    assert_eq!(report.provinces.len(), 30);
    assert_eq!(report.modelled_outlines.len(), 143);
    for p in PROVINCES.iter().filter(|p| p.code != national::SICHUAN) {
        for file in [
            "townships.csv",
            "villages.csv",
            "townships.geojson",
            "counties.csv",
        ] {
            let a = std::fs::read(cached.parent().unwrap().join(p.code).join(file)).unwrap();
            let b = std::fs::read(again.path().join(p.code).join(file)).unwrap();
            assert!(a == b, "{} {file} differs between two modellings", p.name);
        }
    }
}

#[test]
fn the_cut_chart_is_by_province_when_there_are_several_and_by_city_in_one() {
    let scenario = common::preset("uniform-cut");
    let dataset = load("11,12");
    let analysis = common::workspace(dataset.clone())
        .analyse(&scenario)
        .unwrap();
    let charts = jianzhi::figures::FiguresView::new(&analysis)
        .charts
        .unwrap();
    assert!(charts.by_province);
    let names: Vec<&str> = charts.cities.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["北京", "天津"]);
    for (cut, province) in charts.cities.iter().zip(["11", "12"]) {
        // Regular township-level units of the province before, and new units with a regular
        // seat in it after (special units are not counted as townships).
        let regular =
            |t: &jianzhi::model::Township| t.code.starts_with(province) && t.kind.is_regular();
        let before = dataset.townships.iter().filter(|t| regular(t)).count();
        let after = analysis
            .plan
            .townships
            .units
            .iter()
            .filter(|u| regular(&dataset.townships[u.seat]))
            .count();
        assert!(after < before, "{province}: {before} -> {after}");
        let pct = 100.0 * (before - after) as f64 / before as f64;
        assert!((cut.townships_pct - pct).abs() < 1e-9, "{province}");
    }

    // One province: its cities (河北 has 11).
    let analysis = common::workspace(load("13")).analyse(&scenario).unwrap();
    let charts = jianzhi::figures::FiguresView::new(&analysis)
        .charts
        .unwrap();
    assert!(!charts.by_province);
    assert_eq!(charts.cities.len(), 11, "{:?}", charts.cities);
}
