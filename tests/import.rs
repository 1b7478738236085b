//! Import: every supported format and encoding, and every validation error located by file,
//! row and column.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;

use common::{COUNTIES, TOWNSHIPS, VILLAGES, load_error, write_dataset};
use jianzhi::import::load_dataset;
use jianzhi::{TownshipKind, VillageKind};

fn gbk(text: &str) -> Vec<u8> {
    encoding_rs::GB18030.encode(text).0.into_owned()
}

#[test]
fn utf8_dataset_loads_with_every_figure() {
    let dir = tempfile::tempdir().unwrap();
    let d = write_dataset(dir.path(), COUNTIES, TOWNSHIPS, VILLAGES);
    let loaded = load_dataset(&d).unwrap();
    let ds = &loaded.dataset;
    assert_eq!(ds.counties.len(), 2);
    assert_eq!(ds.townships.len(), 3);
    assert_eq!(ds.villages.len(), 5);
    let t = &ds.townships.raw[1];
    assert_eq!(
        (t.code.as_str(), t.name.as_str(), t.kind),
        ("510121100", "城厢镇", TownshipKind::Town)
    );
    assert_eq!(ds.counties[t.county].name, "金堂县");
    assert_eq!(
        (t.area_km2, t.registered_pop, t.resident_pop),
        (80.0, 25000.0, 20000.0)
    );
    let v = &ds.villages.raw[4];
    assert_eq!(v.name, "硚碶村");
    assert_eq!(ds.townships[v.township].code, "510121201");
    assert_eq!(v.registered_pop, Some(8000.0));
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
}

#[test]
fn chinese_headers_gbk_tabs_crlf_and_a_bom_all_load() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("counties.csv"),
        gbk("区划代码,名称,所属市州\r\n510104,锦江区,成都市\r\n510121,金堂县,成都市\r\n"),
    )
    .unwrap();
    // GBK, tab-separated, CRLF, a title row and a total row, Excel style.
    let townships = "四川省乡镇基本情况表\r\n区划代码\t名称\t所属区县代码\t经度\t纬度\t面积（平方公里）\t户籍人口\t常住人口\r\n\
510104020\t督院街街道\t510104\t104.08\t30.65\t2.5\t30,000\t40000\r\n\
510121100\t城厢镇\t510121\t104.30\t30.40\t80\t25000\t20000\r\n\
510121201\t某某乡\t510121\t104.40\t30.45\t120\t8000\t6000\r\n\
合计\t\t\t\t\t202.5\t63000\t66000\r\n";
    std::fs::write(d.join("townships.csv"), gbk(townships)).unwrap();
    // UTF-8 with BOM, Chinese headers, no kind column (derived from the codes).
    let mut villages = b"\xEF\xBB\xBF".to_vec();
    villages.extend_from_slice(
        "代码,名称,所属乡镇代码,经度,纬度,面积,常住人口\r\n\
510104020001,青石桥社区,510104020,104.081,30.651,1.2,20000\r\n\
510104020002,滨江路社区,510104020,104.082,30.652,1.3,20000\r\n\
510121100201,星光村,510121100,104.31,30.41,40,10000\r\n\
510121100202,红旗村,510121100,104.32,30.42,40,10000\r\n\
510121201201,𠀾村,510121201,104.41,30.46,120,6000\r\n"
            .as_bytes(),
    );
    std::fs::write(d.join("villages.csv"), villages).unwrap();
    let loaded = load_dataset(d).unwrap();
    let ds = &loaded.dataset;
    assert_eq!(ds.townships.len(), 3);
    assert_eq!(ds.townships.raw[0].registered_pop, 30000.0);
    assert_eq!(ds.townships.raw[0].kind, TownshipKind::Street);
    assert_eq!(ds.villages.raw[0].kind, VillageKind::Community);
    assert_eq!(ds.villages.raw[4].name, "𠀾村");
    assert_eq!(ds.counties.raw[1].city_name, "成都市");
    // The title row and the total row are skipped with warnings naming their rows.
    let warnings: Vec<String> = loaded.warnings.iter().map(|w| w.to_string()).collect();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("townships.csv: row 1") && w.contains("title")),
        "{warnings:?}"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("townships.csv: row 6") && w.contains("total")),
        "{warnings:?}"
    );
}

#[test]
fn gb18030_four_byte_characters_survive() {
    let dir = tempfile::tempdir().unwrap();
    let villages = VILLAGES.replace("硚碶村", "𠀾垵埇村");
    let d = write_dataset(dir.path(), COUNTIES, TOWNSHIPS, "");
    std::fs::write(d.join("villages.csv"), gbk(&villages)).unwrap();
    let ds = load_dataset(&d).unwrap().dataset;
    assert_eq!(ds.villages.raw[4].name, "𠀾垵埇村");
}

#[test]
fn codes_stay_text_with_leading_zeros() {
    let dir = tempfile::tempdir().unwrap();
    let townships = TOWNSHIPS.replace("510121201,某某乡", "010121201,某某乡");
    let villages = VILLAGES.replace(
        "510121201201,硚碶村,510121201",
        "010121201201,硚碶村,010121201",
    );
    let d = write_dataset(dir.path(), COUNTIES, &townships, &villages);
    let ds = load_dataset(&d).unwrap().dataset;
    assert_eq!(ds.townships.raw[2].code, "010121201");
    assert_eq!(ds.villages.raw[4].code, "010121201201");
}

#[test]
fn populations_and_areas_come_from_villages_and_boundaries_when_missing() {
    let dir = tempfile::tempdir().unwrap();
    let townships = "code,name,county_code\n510121100,城厢镇,510121\n";
    let villages = "code,name,township_code,lon,lat,area_km2,resident_pop,registered_pop\n\
510121100201,星光村,510121100,104.31,30.41,40,10000,12000\n510121100202,红旗村,510121100,104.32,30.42,40,5000,6000\n";
    let d = write_dataset(dir.path(), COUNTIES, townships, villages);
    std::fs::write(
        d.join("townships.geojson"),
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"510121100"},"geometry":{"type":"Polygon","coordinates":[[[104.3,30.4],[104.4,30.4],[104.4,30.5],[104.3,30.5],[104.3,30.4]]]}}]}"#,
    )
    .unwrap();
    let ds = load_dataset(&d).unwrap().dataset;
    let t = &ds.townships.raw[0];
    assert_eq!((t.resident_pop, t.registered_pop), (15000.0, 18000.0));
    // 0.1° x 0.1° at 30.45°N is about 11.1 km x 9.6 km.
    assert!((t.area_km2 - 106.5).abs() < 1.0, "{}", t.area_km2);
    assert!(t.boundary.is_some());
    assert!((t.seat.lon - 104.35).abs() < 0.05 && (t.seat.lat - 30.45).abs() < 0.05);
}

fn write_polygon_shapefile(
    dir: &std::path::Path,
    name: &str,
    code: &str,
    label: &str,
    cpg: Option<&str>,
) {
    use shapefile::dbase::{FieldName, FieldValue, Record, TableWriterBuilder};
    let path = dir.join(format!("{name}.shp"));
    let mut table = TableWriterBuilder::new()
        .add_character_field(FieldName::try_from("CODE").unwrap(), 20)
        .add_character_field(FieldName::try_from("NAME").unwrap(), 40);
    if cpg == Some("GBK") {
        table = table.set_encoding(shapefile::dbase::encoding::EncodingRs::from(
            encoding_rs::GBK,
        ));
    }
    let mut writer = shapefile::Writer::from_path(&path, table).unwrap();
    let ring = vec![
        shapefile::Point::new(104.3, 30.4),
        shapefile::Point::new(104.3, 30.5),
        shapefile::Point::new(104.4, 30.5),
        shapefile::Point::new(104.4, 30.4),
        shapefile::Point::new(104.3, 30.4),
    ];
    let polygon = shapefile::Polygon::new(shapefile::PolygonRing::Outer(ring));
    let mut record = Record::default();
    record.insert(
        "CODE".to_string(),
        FieldValue::Character(Some(code.to_string())),
    );
    record.insert(
        "NAME".to_string(),
        FieldValue::Character(Some(label.to_string())),
    );
    writer.write_shape_and_record(&polygon, &record).unwrap();
    drop(writer);
    if let Some(cpg) = cpg {
        std::fs::write(dir.join(format!("{name}.cpg")), cpg).unwrap();
    }
}

#[test]
fn shapefile_boundaries_join_by_code_in_utf8_and_gbk() {
    for cpg in [Some("UTF-8"), Some("GBK")] {
        let dir = tempfile::tempdir().unwrap();
        let townships = "code,name,county_code,lon,lat,registered_pop,resident_pop\n510121100,城厢镇,510121,104.35,30.45,1,1\n";
        let villages = "code,name,township_code,lon,lat,area_km2,resident_pop\n510121100201,星光村,510121100,104.31,30.41,40,1\n";
        let d = write_dataset(dir.path(), COUNTIES, townships, villages);
        write_polygon_shapefile(&d, "townships", "510121100", "城厢镇", cpg);
        let ds = load_dataset(&d).unwrap().dataset;
        assert!(ds.townships.raw[0].boundary.is_some(), "{cpg:?}");
        assert!(
            (ds.townships.raw[0].area_km2 - 106.5).abs() < 1.0,
            "{}",
            ds.townships.raw[0].area_km2
        );
        let features = jianzhi::import::boundaries::read_boundaries(
            &d.join("townships.shp"),
            jianzhi::import::header::TableKind::Townships,
            &mut Default::default(),
        )
        .unwrap()
        .features;
        assert_eq!(
            features[0].attributes[&jianzhi::import::table::Column::Name],
            "城厢镇",
            "{cpg:?}"
        );
    }
}

#[test]
fn a_shapefile_without_dbf_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let d = write_dataset(dir.path(), COUNTIES, TOWNSHIPS, VILLAGES);
    write_polygon_shapefile(&d, "townships", "510121100", "城厢镇", None);
    std::fs::remove_file(d.join("townships.dbf")).unwrap();
    let err = load_error(&d);
    assert!(
        err.contains("townships.dbf") && err.contains("missing"),
        "{err}"
    );
}

/// Each case: a change to the valid files, and what the error must say.
#[test]
fn every_validation_error_names_file_row_and_column() {
    let cases: Vec<(&str, String, String, &[&str])> = vec![
        (
            "duplicate township code",
            TOWNSHIPS.replace("510121201,某某乡", "510121100,某某乡"),
            VILLAGES.to_string(),
            &["townships.csv: row 4, column 'code'", "duplicates row 3"],
        ),
        (
            "duplicate village code",
            TOWNSHIPS.to_string(),
            VILLAGES.replace("510121100202,红旗村", "510121100201,红旗村"),
            &["villages.csv: row 5, column 'code'", "duplicates row 4"],
        ),
        (
            "orphan village",
            TOWNSHIPS.to_string(),
            VILLAGES.replace(
                "510121201201,硚碶村,510121201",
                "510121201201,硚碶村,510121999",
            ),
            &[
                "villages.csv: row 6, column 'township_code'",
                "township 510121999 is not in townships.csv",
            ],
        ),
        (
            "township of an unknown county",
            TOWNSHIPS.replace("某某乡,510121", "某某乡,510199"),
            VILLAGES.to_string(),
            &[
                "townships.csv: row 4, column 'county_code'",
                "county 510199",
            ],
        ),
        (
            "negative population",
            TOWNSHIPS.replace("80,25000,20000", "80,25000,-5"),
            VILLAGES.to_string(),
            &["townships.csv: row 3, column 'resident_pop'", "negative"],
        ),
        (
            "NaN area",
            TOWNSHIPS.replace("104.30,30.40,80", "104.30,30.40,NaN"),
            VILLAGES.to_string(),
            &["townships.csv: row 3, column 'area_km2'", "finite"],
        ),
        (
            "non-numeric population",
            TOWNSHIPS.to_string(),
            VILLAGES.replace(
                "40,10000,12500\n510121100202",
                "40,一万,12500\n510121100202",
            ),
            &[
                "villages.csv: row 4, column 'resident_pop'",
                "not a number: '一万'",
            ],
        ),
        (
            "projected coordinates",
            TOWNSHIPS.replace("104.40,30.45", "404000.5,3369000.2"),
            VILLAGES.to_string(),
            &["townships.csv: row 4, column 'lon'", "projected"],
        ),
        (
            "empty name",
            TOWNSHIPS.replace("城厢镇", ""),
            VILLAGES.to_string(),
            &["townships.csv: row 3, column 'name'", "empty"],
        ),
        (
            "code in scientific notation",
            TOWNSHIPS.to_string(),
            VILLAGES.replace("510121201201,硚碶村", "5.10121E+11,硚碶村"),
            &["villages.csv: row 6, column 'code'", "scientific notation"],
        ),
        (
            "swapped coordinates",
            TOWNSHIPS.replace("104.30,30.40", "30.40,104.30"),
            VILLAGES.to_string(),
            &["townships.csv: row 3", "swapped"],
        ),
    ];
    for (what, townships, villages, expected) in cases {
        let dir = tempfile::tempdir().unwrap();
        let d = write_dataset(dir.path(), COUNTIES, &townships, &villages);
        let err = load_error(&d);
        for e in expected {
            assert!(err.contains(e), "{what}: expected '{e}' in:\n{err}");
        }
    }
}

#[test]
fn zero_population_and_zero_area_are_warnings_not_errors() {
    let dir = tempfile::tempdir().unwrap();
    let townships = TOWNSHIPS.replace("120,8000,6000", "0,8000,0");
    let d = write_dataset(dir.path(), COUNTIES, &townships, VILLAGES);
    let loaded = load_dataset(&d).unwrap();
    let w: Vec<String> = loaded.warnings.iter().map(|w| w.to_string()).collect();
    assert!(
        w.iter()
            .any(|w| w.contains("row 4, column 'area_km2'") && w.contains("area is 0")),
        "{w:?}"
    );
    assert!(
        w.iter().any(|w| w.contains("row 4, column 'resident_pop'")),
        "{w:?}"
    );
}

#[test]
fn missing_files_are_named() {
    let dir = tempfile::tempdir().unwrap();
    // The township table is required (the village table is not: see tests/tables.rs).
    std::fs::write(dir.path().join("villages.csv"), VILLAGES).unwrap();
    let err = load_error(dir.path());
    assert!(
        err.contains("townships.csv") && err.contains("missing"),
        "{err}"
    );
}

#[test]
fn a_cancelled_load_or_preparation_stops_with_cancelled() {
    use jianzhi::progress::{Cancelled, Progress, Step};
    let progress = Progress::new();
    progress.cancel();
    let stopped = jianzhi::import::load_dataset_with(&common::demo_dir(), &progress);
    assert_eq!(stopped.unwrap_err(), jianzhi::LoadError::Cancelled);
    assert_eq!(progress.snapshot().step, Step::Boundaries);
    let stopped = jianzhi::workspace::Workspace::new_with(common::demo().clone(), &progress);
    assert_eq!(stopped.err(), Some(Cancelled));
    assert_eq!(progress.snapshot().step, Step::Adjacency);

    // Not cancelled: every step is reported, in order, up to Done.
    let progress = Progress::new();
    let loaded = jianzhi::import::load_dataset_with(&common::demo_dir(), &progress).unwrap();
    assert_eq!(progress.snapshot().step, Step::Checking);
    jianzhi::workspace::Workspace::new_with(loaded.dataset, &progress).unwrap();
    assert_eq!(progress.snapshot().step, Step::Done);
}

#[test]
fn a_population_that_is_not_a_number_is_one_error_and_a_blank_one_says_empty() {
    let dir = tempfile::tempdir().unwrap();
    let villages = VILLAGES
        .replace(
            "星光村,510121100,village,104.31,30.41,40,10000",
            "星光村,510121100,village,104.31,30.41,40,三千",
        )
        .replace(
            "红旗村,510121100,village,104.32,30.42,40,10000",
            "红旗村,510121100,village,104.32,30.42,40,",
        );
    let d = write_dataset(dir.path(), COUNTIES, TOWNSHIPS, &villages);
    let err = load_error(&d);
    assert!(err.starts_with("2 errors"), "{err}");
    assert!(
        err.contains("row 4, column 'resident_pop': not a number: '三千'"),
        "{err}"
    );
    assert!(err.contains("row 5, column 'resident_pop': empty"), "{err}");
}
