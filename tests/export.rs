//! Files handed over: the workbook read back with calamine against the CSV reports, the GIS
//! layers read back with the geojson and shapefile crates, the briefing's independence from
//! the network, the pictures' size and notes, and exports that fail or are cancelled.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::HashMap;
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use common::{demo_workspace, preset};
use geo::orient::{Direction, Orient};
use geo::{Area, BooleanOps, BoundingRect, MultiPolygon};
use jianzhi::Lang;
use jianzhi::progress::Progress;
use jianzhi::report::export::{ExportError, ExportOptions, Format, export};
use jianzhi::report::meta::Metadata;
use jianzhi::report::run::ReportTable;
use jianzhi::scenario::{Edit, EditAction, LevelName};
use jianzhi::workspace::Analysis;

fn analysis() -> &'static Analysis {
    static A: std::sync::OnceLock<Analysis> = std::sync::OnceLock::new();
    A.get_or_init(|| {
        let mut scenario = preset("sichuan-2019");
        // Two hand edits, so the edits sheet has rows: a lock and a rename.
        let lock = Edit::new(
            LevelName::Townships,
            EditAction::Lock,
            vec!["510104020".into()],
        );
        let mut name = Edit::new(
            LevelName::Townships,
            EditAction::Name,
            vec!["510121101".into()],
        );
        name.name = Some("新三星镇".into());
        scenario.edits = vec![lock, name];
        demo_workspace().analyse(&scenario).unwrap()
    })
}

/// The seat's code of the new township the scenario's rename edit names (the one holding
/// 510121101).
fn renamed_seat(a: &Analysis) -> &str {
    let ds = a.dataset();
    let t = ds
        .townships
        .iter()
        .position(|t| t.code == "510121101")
        .unwrap();
    let seat = a.plan.townships.seat_of(t.into());
    &ds.townships[seat].code
}

fn meta(a: &Analysis) -> Metadata {
    Metadata::made_at(
        a.dataset(),
        [&a.scenario],
        "2026-11-24T10:00:00+08:00".into(),
    )
}

fn export_to(formats: &[Format], lang: Lang) -> (tempfile::TempDir, Vec<std::path::PathBuf>) {
    let dir = tempfile::tempdir().unwrap();
    let a = analysis();
    let options = ExportOptions {
        formats: formats.to_vec(),
        lang,
        csv_lang: None,
        crs: None,
    };
    let written = export(a, dir.path(), &options, None, &meta(a), &Progress::new()).unwrap();
    (dir, written)
}

/// A CSV file as rows of text (BOM and header dropped).
fn csv_rows(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::str::from_utf8(bytes)
        .unwrap()
        .trim_start_matches('\u{feff}');
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().unwrap().iter().map(String::from).collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

/// The townships report says each township's terrain class, which the scenario's limits by
/// terrain and the peers' floors read: 石渠 on the Tibetan plateau (over 4,000 m), 广汉 in the
/// middle of the Chengdu plain (about 500 m, flat for 30 km around).
#[test]
fn the_townships_report_names_each_townships_terrain() {
    let (keys, rows) = csv_rows(&analysis().report().csv(ReportTable::Townships));
    let column = |key: &str| keys.iter().position(|k| k == key).unwrap();
    let (county, terrain) = (column("county_code"), column("terrain"));
    let terrains_of = |code: &str| -> Vec<&str> {
        rows.iter()
            .filter(|r| r[county] == code)
            .map(|r| r[terrain].as_str())
            .collect()
    };
    let shiqu = terrains_of("513332");
    assert!(
        !shiqu.is_empty() && shiqu.iter().all(|t| *t == "plateau"),
        "{shiqu:?}"
    );
    let guanghan = terrains_of("510681");
    assert!(
        !guanghan.is_empty() && guanghan.iter().all(|t| *t == "plain"),
        "{guanghan:?}"
    );
}

#[test]
fn the_workbook_matches_the_csv_reports_cell_by_cell_with_codes_as_text() {
    let a = analysis();
    let report = a.report();
    let bytes = report.xlsx(Lang::Zh, &meta(a)).unwrap().to_bytes().unwrap();
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    let mut checked_codes = 0;
    // The CSV columns holding words of the vocabulary (metric names, kinds, terrain, basis,
    // levels, hand edits and what became of them, each unit's decision and why).
    const VOCABULARY: &[&str] = &[
        "metric",
        "basis",
        "kind",
        "terrain",
        "level",
        "action",
        "status",
        "reason",
        "decision",
        "rule",
        "blocked_by",
    ];
    // `column=key` → the words the book shows for it.
    let mut words: HashMap<String, String> = HashMap::new();
    for which in ReportTable::ALL {
        let (keys, rows) = csv_rows(&report.csv(which));
        let sheet = book.worksheet_range(which.title(Lang::Zh)).unwrap();
        let mut sheet_rows = sheet.rows();
        // Headers in Chinese, one per CSV column.
        let header: Vec<String> = sheet_rows
            .next()
            .unwrap()
            .iter()
            .map(|c| c.to_string())
            .collect();
        assert_eq!(header.len(), keys.len(), "{}", which.name());
        if which == ReportTable::Townships {
            assert_eq!(header[0], "代码");
            assert_eq!(header[4], "地形");
            assert_eq!(header[6], "新单位名称");
        }
        let sheet_rows: Vec<&[Data]> = sheet_rows.collect();
        assert_eq!(sheet_rows.len(), rows.len(), "{} rows", which.name());
        for (r, (csv_row, xlsx_row)) in rows.iter().zip(&sheet_rows).enumerate() {
            for (c, key) in keys.iter().enumerate() {
                let text = &csv_row[c];
                let cell = xlsx_row.get(c).unwrap_or(&Data::Empty);
                let at = format!("{} row {} column {key}", which.name(), r + 2);
                match cell {
                    Data::Empty => assert!(text.is_empty(), "{at}: empty vs {text:?}"),
                    // A word of the vocabulary: its key in the CSV, its Chinese in the book,
                    // the same Chinese for the same key everywhere.
                    Data::String(s) if VOCABULARY.contains(&key.as_str()) => {
                        assert!(!s.is_empty(), "{at}");
                        assert!(
                            !s.replace("km", "").chars().any(|c| c.is_ascii_alphabetic()),
                            "{at}: {s:?} is not in Chinese"
                        );
                        let said = words
                            .entry(format!("{key}={text}"))
                            .or_insert_with(|| s.clone());
                        assert_eq!(said, s, "{at}: {text} said two ways");
                    }
                    Data::String(s) => {
                        assert_eq!(s, text, "{at}");
                        if key.ends_with("code") {
                            checked_codes += 1;
                        }
                    }
                    Data::Float(x) => {
                        let expected: f64 =
                            text.parse().unwrap_or_else(|_| panic!("{at}: {text:?}"));
                        // The CSV rounds to 3 decimals; the workbook keeps the figure.
                        assert!(
                            (x - expected).abs() <= 0.0005 + 1e-9 * expected.abs(),
                            "{at}: {x} vs {text}"
                        );
                    }
                    Data::Int(n) => assert_eq!(n.to_string(), *text, "{at}"),
                    other => panic!("{at}: unexpected cell {other:?}"),
                }
                if key.ends_with("code") && !text.is_empty() {
                    assert!(
                        matches!(cell, Data::String(_)),
                        "{at}: a code must be text, got {cell:?}"
                    );
                }
            }
        }
    }
    // Every township and village code (12 digits for villages) was compared as text.
    assert!(checked_codes > 2 * 53_715, "{checked_codes}");

    // The about sheet records the source, the scenario and the version.
    let about = book.worksheet_range("说明").unwrap();
    let text: Vec<String> = about
        .rows()
        .flat_map(|r| r.iter().map(|c| c.to_string()))
        .collect();
    assert!(text.iter().any(|t| t == "四川省 2016（演示数据）"));
    assert!(text.iter().any(|t| t.starts_with("四川 2019")), "{text:?}");
    assert!(text.iter().any(|t| t.starts_with("Jianzhi ")));
    assert!(text.iter().any(|t| t == "2026-11-24T10:00:00+08:00"));
    assert!(text.iter().any(|t| t.contains("模拟数据")));
    // The parameters in words, numbers as numbers.
    let parameters = book.worksheet_range("方案参数").unwrap();
    let row = |label: &str| {
        parameters
            .rows()
            .find(|r| r[0] == label)
            .unwrap_or_else(|| panic!("no {label}"))
            .to_vec()
    };
    assert_eq!(row("乡镇 · 目标减少比例（%）")[1], Data::Float(36.0));
    assert_eq!(row("乡镇 · 限制 · 面积上限（km²）")[1], Data::Float(400.0));
    assert_eq!(row("乡镇 · 驻地选择规则")[1], Data::String("镇优先".into()));
    assert_eq!(
        row("手动调整 · 2 · 名称")[1],
        Data::String("新三星镇".into())
    );
    // Shares are percentages.
    let summary = book
        .worksheet_range(ReportTable::Summary.title(Lang::Zh))
        .unwrap();
    let within_5km = summary
        .rows()
        .find(|r| r[0].to_string().starts_with("5 公里内"))
        .map(|r| r.to_vec());
    assert!(within_5km.is_some(), "the 5 km share row");
    assert_eq!(
        words.get("metric=share_within_5km").map(String::as_str),
        within_5km.as_ref().map(|r| r[0].to_string()).as_deref()
    );
}

#[test]
fn read_back_a_chinese_workbook_has_no_untranslated_word() {
    let a = analysis();
    let meta = meta(a);
    let bytes = a
        .report()
        .xlsx(Lang::Zh, &meta)
        .unwrap()
        .to_bytes()
        .unwrap();
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    // What the data and the user wrote is kept as written: names and codes, the dataset's
    // name and sources, the scenario's name and description, the program and the time.
    let ds = a.dataset();
    let mut data: std::collections::HashSet<String> = std::collections::HashSet::new();
    data.extend(
        ds.counties
            .iter()
            .flat_map(|c| [c.name.clone(), c.city_name.clone()]),
    );
    data.extend(ds.townships.iter().map(|t| t.name.clone()));
    data.extend(ds.villages.iter().map(|v| v.name.clone()));
    data.extend(meta.lines(Lang::Zh).into_iter().map(|(_, value)| value));
    data.insert(a.scenario.description.clone());
    let mut cells = 0;
    for sheet in book.sheet_names() {
        let range = book.worksheet_range(&sheet).unwrap();
        assert!(
            !sheet.chars().any(|c| c.is_ascii_alphabetic()),
            "sheet {sheet}"
        );
        for (r, row) in range.rows().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let Data::String(text) = cell else { continue };
                cells += 1;
                if data.contains(text) {
                    continue;
                }
                // Units are written as units; codes and figures are digits.
                let words = text.replace("km", "");
                assert!(
                    !words.chars().any(|ch| ch.is_ascii_alphabetic()),
                    "{sheet} row {} column {}: {text:?} is not in Chinese",
                    r + 1,
                    c + 1
                );
            }
        }
    }
    assert!(cells > 100_000, "{cells} text cells read");
}

/// The width Excel gives column `col` (1-based) of a workbook's `n`th sheet.
fn column_width(xlsx: &[u8], sheet: usize, col: usize) -> f64 {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(Cursor::new(xlsx)).unwrap();
    let mut xml = String::new();
    zip.by_name(&format!("xl/worksheets/sheet{sheet}.xml"))
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    for part in xml.split("<col ").skip(1) {
        let attr = |name: &str| -> f64 {
            let start = part.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
            part[start..].split('"').next().unwrap().parse().unwrap()
        };
        if (attr("min") as usize..=attr("max") as usize).contains(&col) {
            return attr("width");
        }
    }
    panic!("no width for column {col}")
}

/// A part of a workbook's zip as text.
fn xlsx_part(xlsx: &[u8], name: &str) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(Cursor::new(xlsx)).unwrap();
    let mut xml = String::new();
    zip.by_name(name).unwrap().read_to_string(&mut xml).unwrap();
    xml
}

#[test]
fn workbook_tables_print_landscape_one_page_wide_with_their_header_on_every_page() {
    let a = analysis();
    let bytes = a
        .report()
        .xlsx(Lang::Zh, &meta(a))
        .unwrap()
        .to_bytes()
        .unwrap();
    let workbook = xlsx_part(&bytes, "xl/workbook.xml");
    for (n, which) in ReportTable::ALL.iter().enumerate() {
        let sheet = xlsx_part(&bytes, &format!("xl/worksheets/sheet{}.xml", n + 1));
        let at = which.name();
        assert!(sheet.contains(r#"<pageSetUpPr fitToPage="1"/>"#), "{at}");
        assert!(sheet.contains(r#"orientation="landscape""#), "{at}");
        assert!(sheet.contains(r#"paperSize="9""#), "{at}: A4");
        assert!(
            sheet.contains(r#"fitToHeight="0""#),
            "{at}: one page wide, as long as it takes"
        );
        // The header row is at least two lines of 10-point Chinese tall.
        let header = sheet.split("<row r=\"1\"").nth(1).unwrap();
        let height: f64 = header
            .split("ht=\"")
            .nth(1)
            .and_then(|h| h.split('"').next())
            .unwrap()
            .parse()
            .unwrap();
        assert!(height >= 30.0, "{at}: header row {height} pt");
        // Row 1 repeats on every printed page.
        let title = which.title(Lang::Zh);
        assert!(
            workbook.contains(&format!("'{title}'!$1:$1"))
                || workbook.contains(&format!("{title}!$1:$1")),
            "{at}: no print titles in {workbook}"
        );
    }
}

#[test]
fn workbook_columns_are_wide_enough_for_codes_and_chinese_names() {
    let a = analysis();
    let bytes = a
        .report()
        .xlsx(Lang::Zh, &meta(a))
        .unwrap()
        .to_bytes()
        .unwrap();
    // Villages (sheet 6): a 12-digit code, and names of up to 10 or more Chinese characters.
    assert!(column_width(&bytes, 6, 1) >= 12.0);
    assert!(
        column_width(&bytes, 6, 2) >= 16.0,
        "{}",
        column_width(&bytes, 6, 2)
    );
    // Counties (sheet 4): county names.
    assert!(column_width(&bytes, 4, 2) >= 8.0);
}

#[test]
fn english_workbooks_have_english_headers_and_sheets() {
    let a = analysis();
    let bytes = a
        .report()
        .xlsx(Lang::En, &meta(a))
        .unwrap()
        .to_bytes()
        .unwrap();
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    let names = book.sheet_names();
    assert_eq!(names[0], "Summary");
    assert!(names.contains(&"About".to_string()));
    let counties = book.worksheet_range("Counties").unwrap();
    assert_eq!(
        counties.rows().next().unwrap()[0].to_string(),
        "county code"
    );
}

/// A GeoJSON feature's properties and geometry.
type Feature = (
    serde_json::Map<String, serde_json::Value>,
    Option<MultiPolygon<f64>>,
);

/// Features of a GeoJSON file.
fn features(bytes: &[u8]) -> Vec<Feature> {
    let text = std::str::from_utf8(bytes).unwrap();
    let collection: geojson::FeatureCollection = text.parse().unwrap();
    collection
        .features
        .into_iter()
        .map(|f| {
            let geometry = f.geometry.map(|g| {
                let geometry: geo::Geometry<f64> = g.try_into().unwrap();
                match geometry {
                    geo::Geometry::MultiPolygon(mp) => mp,
                    geo::Geometry::Polygon(p) => MultiPolygon::new(vec![p]),
                    other => panic!("not a polygon: {other:?}"),
                }
            });
            (f.properties.unwrap_or_default(), geometry)
        })
        .collect()
}

/// The input territories' total planar area (degrees²) and the output's.
fn input_area(a: &Analysis) -> f64 {
    a.dataset()
        .townships
        .iter()
        .filter_map(|t| t.boundary.as_ref())
        .map(|b| b.unsigned_area())
        .sum()
}

/// Asserts no two territories overlap by more than their members' own boundaries did (the
/// demo's amap-derived county outlines overlap slightly in places; dissolving adds no more
/// than boolean rounding: 1%, or 0.01% of the smaller).
fn assert_no_overlaps(shapes: &[&MultiPolygon<f64>], a: &Analysis) {
    let ds = a.dataset();
    let units = &a.plan.townships.units.raw;
    let input_overlap = |i: usize, j: usize| -> f64 {
        let mut area = 0.0;
        for &m in units[i].members.iter() {
            for &n in units[j].members.iter() {
                let (x, y) = (&ds.townships[m].boundary, &ds.townships[n].boundary);
                if let (Some(x), Some(y)) = (x, y) {
                    area += x.intersection(y).unsigned_area();
                }
            }
        }
        area
    };
    use rstar::primitives::GeomWithData;
    let boxes: Vec<GeomWithData<rstar::primitives::Rectangle<[f64; 2]>, usize>> = shapes
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let r = s.bounding_rect().unwrap();
            GeomWithData::new(
                rstar::primitives::Rectangle::from_corners(
                    [r.min().x, r.min().y],
                    [r.max().x, r.max().y],
                ),
                i,
            )
        })
        .collect();
    let tree = rstar::RTree::bulk_load(boxes.clone());
    let (mut pairs, mut overlapping) = (0, 0);
    for b in &boxes {
        for other in tree.locate_in_envelope_intersecting(&rstar::RTreeObject::envelope(b.geom())) {
            if other.data <= b.data {
                continue;
            }
            pairs += 1;
            let overlap = shapes[b.data]
                .intersection(shapes[other.data])
                .unsigned_area();
            if overlap > 1e-12 {
                let smaller = shapes[b.data]
                    .unsigned_area()
                    .min(shapes[other.data].unsigned_area());
                let input = input_overlap(b.data, other.data);
                assert!(
                    overlap <= input * 1.01 + 1e-4 * smaller,
                    "features {} and {} overlap by {overlap}, their members by {input}",
                    b.data,
                    other.data
                );
                overlapping += 1;
            }
        }
    }
    eprintln!("{overlapping} pairs overlap as their input boundaries do");
    assert!(pairs > 1000, "{pairs} neighbouring pairs checked");
}

#[test]
fn the_geojson_has_one_dissolved_territory_per_new_township_and_keeps_the_area() {
    let a = analysis();
    let (dir, _) = export_to(&[Format::Geojson], Lang::Zh);
    let units = features(&std::fs::read(dir.path().join("townships-new.geojson")).unwrap());
    assert_eq!(units.len(), a.plan.townships.units.len());
    let shapes: Vec<&MultiPolygon<f64>> = units.iter().filter_map(|(_, g)| g.as_ref()).collect();
    assert_eq!(
        shapes.len(),
        units.len(),
        "every demo township has a territory"
    );
    let total: f64 = shapes.iter().map(|s| s.unsigned_area()).sum();
    let input = input_area(a);
    assert!(
        (total - input).abs() / input < 0.005,
        "area {total} vs {input}"
    );
    assert_no_overlaps(&shapes, a);

    // Attributes: the new unit's code and name, members, area summed from the members.
    let by_code: HashMap<&str, &serde_json::Map<String, serde_json::Value>> = units
        .iter()
        .map(|(p, _)| (p["code"].as_str().unwrap(), p))
        .collect();
    let renamed = by_code[renamed_seat(a)];
    assert_eq!(renamed["name"], "新三星镇");
    let ds = a.dataset();
    for unit in a.plan.townships.units.iter().take(300) {
        let p = by_code[ds.townships[unit.seat].code.as_str()];
        assert_eq!(p["members"], unit.members.len());
        let area: f64 = unit.members.iter().map(|&t| ds.townships[t].area_km2).sum();
        assert!((p["area_km2"].as_f64().unwrap() - area).abs() < 0.001);
    }
    // The metadata travels with the file.
    let text = std::fs::read_to_string(dir.path().join("townships-new.geojson")).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value["jianzhi"]["made_at"], "2026-11-24T10:00:00+08:00");
    assert!(
        value["jianzhi"]["scenarios"][0]["scenario_toml"]
            .as_str()
            .unwrap()
            .contains("[[edits]]")
    );

    // Seats: one per new township; stations: the service report's.
    let seats = std::fs::read_to_string(dir.path().join("seats.geojson")).unwrap();
    let seats: geojson::FeatureCollection = seats.parse().unwrap();
    assert_eq!(seats.features.len(), a.plan.townships.units.len());
    let stations = std::fs::read_to_string(dir.path().join("stations.geojson")).unwrap();
    let stations: geojson::FeatureCollection = stations.parse().unwrap();
    assert_eq!(stations.features.len(), a.service.stations.len());
}

#[test]
fn holes_left_in_territories_are_enclaves_of_other_units_not_slivers() {
    let a = analysis();
    assert_holes_hold_other_units(a, &jianzhi::report::layers::townships(&a.report()));
}

/// Asserts every hole left in a territory is other units' land: what of it neither another
/// township's boundary nor the unit itself covers is a rounding speck (under 1% of the hole,
/// or 1e-9 deg²).
fn assert_holes_hold_other_units(a: &Analysis, units: &[jianzhi::report::layers::Territory]) {
    let ds = a.dataset();
    let stage = &a.plan.townships;
    for unit in units {
        let seat = a.workspace().township_by_code(&unit.code).unwrap();
        for polygon in &unit.geometry.as_ref().unwrap().0 {
            for hole in polygon.interiors() {
                let hole = geo::Polygon::new(hole.clone(), vec![]);
                let hole_box = hole.bounding_rect().unwrap();
                let others: Vec<geo::Polygon<f64>> = ds
                    .townships
                    .iter_enumerated()
                    .filter(|(t, _)| stage.new_of[*t] != stage.new_of[seat])
                    .filter_map(|(_, t)| t.boundary.as_ref())
                    .filter(|g| {
                        let r = g.bounding_rect().unwrap();
                        r.min().x <= hole_box.max().x
                            && hole_box.min().x <= r.max().x
                            && r.min().y <= hole_box.max().y
                            && hole_box.min().y <= r.max().y
                    })
                    .flat_map(|g| g.orient(Direction::Default).0)
                    .collect();
                // Islands of this unit may lie in its own hole (a sliver filled beside an
                // enclave): they are not free either.
                let free = MultiPolygon::new(vec![hole.clone()])
                    .difference(&geo::unary_union(&others))
                    .difference(unit.geometry.as_ref().unwrap())
                    .unsigned_area();
                assert!(
                    free <= 0.01 * hole.unsigned_area() + 1e-9,
                    "{} has a hole of {:e} deg², {:e} of it no other unit's",
                    unit.code,
                    hole.unsigned_area(),
                    free
                );
            }
        }
    }
}

#[test]
fn gaps_between_boundaries_that_do_not_quite_meet_leave_no_holes() {
    use geo::{Centroid, Scale};
    // Every township shrunk by 0.05% about its centre: gaps of a few metres between all of
    // them, as between imported boundaries digitised separately. (Members a gap apart stay
    // separate parts of their unit's territory.)
    let mut dataset = common::demo().clone();
    for t in dataset.townships.iter_mut() {
        if let Some(b) = &mut t.boundary {
            let centre = b.centroid().unwrap();
            *b = b.scale_around_point(0.9995, 0.9995, centre);
        }
    }
    let ws = common::workspace(dataset);
    let a = ws.analyse(&preset("sichuan-2019")).unwrap();
    let units = jianzhi::report::layers::townships(&a.report());
    // Enclaves stay holes; the gaps between boundaries leave none.
    assert_holes_hold_other_units(&a, &units);
    let total: f64 = units
        .iter()
        .map(|u| u.geometry.as_ref().unwrap().unsigned_area())
        .sum();
    let input = input_area(&a);
    assert!(
        (total - input).abs() / input < 0.005,
        "area {total} vs {input}"
    );
}

#[test]
fn the_shapefile_reads_back_in_chinese_with_one_record_per_new_township() {
    let a = analysis();
    let (dir, _) = export_to(&[Format::Shp], Lang::Zh);
    let path = dir.path().join("townships_new.shp");
    assert_eq!(
        std::fs::read(dir.path().join("townships_new.cpg")).unwrap(),
        b"UTF-8"
    );
    assert!(
        std::fs::read_to_string(dir.path().join("townships_new.prj"))
            .unwrap()
            .contains("WGS_1984")
    );
    let qmd = std::fs::read_to_string(dir.path().join("townships_new.qmd")).unwrap();
    assert!(qmd.contains("2026-11-24T10:00:00+08:00") && qmd.contains("四川 2019"));
    let mut reader = shapefile::Reader::from_path(&path).unwrap();
    let mut records = 0;
    let mut total = 0.0;
    let mut names = HashMap::new();
    for item in reader.iter_shapes_and_records() {
        let (shape, record) = item.unwrap();
        let shapefile::Shape::Polygon(polygon) = shape else {
            panic!("not a polygon");
        };
        let mp = MultiPolygon::<f64>::try_from(polygon).unwrap();
        total += mp.unsigned_area();
        records += 1;
        let text = |field: &str| match record.get(field) {
            Some(shapefile::dbase::FieldValue::Character(Some(s))) => s.clone(),
            other => panic!("{field}: {other:?}"),
        };
        names.insert(text("CODE"), text("NAME"));
        assert!(
            matches!(record.get("MEMBERS"), Some(shapefile::dbase::FieldValue::Numeric(Some(n))) if *n >= 1.0)
        );
    }
    assert_eq!(records, a.plan.townships.units.len());
    let input = input_area(a);
    assert!((total - input).abs() / input < 0.005);
    assert_eq!(names[renamed_seat(a)], "新三星镇");
    assert_eq!(
        names["510104020"],
        a.dataset()
            .townships
            .iter()
            .find(|t| t.code == "510104020")
            .unwrap()
            .name
    );

    let seats =
        shapefile::read_shapes_as::<_, shapefile::Point>(dir.path().join("seats.shp")).unwrap();
    assert_eq!(seats.len(), a.plan.townships.units.len());
}

#[test]
fn the_briefing_stands_alone_and_holds_the_figures() {
    let a = analysis();
    let (dir, _) = export_to(&[Format::Html], Lang::Zh);
    let html = std::fs::read_to_string(dir.path().join("briefing.html")).unwrap();
    let lower = html.to_lowercase();
    // No external references: no scripts, links, images, imports or fetched URLs.
    for needle in [
        "<script", "<link", "<img", "<iframe", "@import", "url(", "src=", "href=",
    ] {
        assert!(!lower.contains(needle), "the briefing contains {needle}");
    }
    // Inline SVG declares its namespace; nothing else names a web address.
    let without_namespace = lower.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    assert!(!without_namespace.contains("http://") && !without_namespace.contains("https://"));
    assert!(html.contains("@page { size: A4"));
    // The key figures, every county, the edits and the parameters.
    let after = a.after.province.townships.count;
    assert!(
        html.contains(&format!("{},{:03}", after / 1000, after % 1000)),
        "townships after"
    );
    for county in a.dataset().counties.iter().take(20) {
        assert!(html.contains(&county.name), "{}", county.name);
    }
    assert!(html.contains("新三星镇") || html.contains("510121101"));
    // The parameters in words, and the scenario file itself, printed (not folded away).
    assert!(html.contains("乡镇 · 目标减少比例（%）"));
    assert!(html.contains(r#"<div class="print"><h3>方案文件（TOML）</h3><pre>"#));
    assert!(html.contains(".print { display: block; }"));
    assert_eq!(html.matches("<svg").count(), 6, "the map and five charts");
    assert!(html.contains("含模拟数据"));
}

#[test]
fn pictures_are_presentation_size_and_carry_their_notes() {
    let (dir, written) = export_to(&[Format::Png], Lang::En);
    assert_eq!(written.len(), 6);
    for path in &written {
        let bytes = std::fs::read(path).unwrap();
        let image = image::load_from_memory(&bytes).unwrap();
        assert!(
            image.width() >= 1920,
            "{}: {} px",
            path.display(),
            image.width()
        );
        let decoder = png::Decoder::new(Cursor::new(&bytes));
        let reader = decoder.read_info().unwrap();
        let notes: Vec<(String, String)> = reader
            .info()
            .utf8_text
            .iter()
            .map(|t| (t.keyword.clone(), t.get_text().unwrap()))
            .collect();
        assert!(
            notes
                .iter()
                .any(|(k, v)| k == "Title" && v.contains("2019")),
            "{notes:?}"
        );
        assert!(
            notes
                .iter()
                .any(|(k, v)| k == "Disclaimer" && v.contains("modelled"))
        );
        // Not a blank page: many colours.
        let rgb = image.to_rgb8();
        let colours: std::collections::HashSet<[u8; 3]> =
            rgb.pixels().step_by(7).map(|p| p.0).collect();
        assert!(
            colours.len() > 50,
            "{}: {} colours",
            path.display(),
            colours.len()
        );
    }
    drop(dir);
}

#[test]
fn a_failed_or_cancelled_export_names_the_file_and_leaves_nothing_half_written() {
    let a = analysis();
    let dir = tempfile::tempdir().unwrap();
    // A folder where the workbook should go: the write fails and says where.
    std::fs::create_dir(dir.path().join("report.xlsx")).unwrap();
    let options = ExportOptions {
        formats: vec![Format::Xlsx],
        ..Default::default()
    };
    let e = export(a, dir.path(), &options, None, &meta(a), &Progress::new()).unwrap_err();
    assert!(e.to_string().contains("report.xlsx"), "{e}");

    let progress = Progress::new();
    progress.cancel();
    let empty = tempfile::tempdir().unwrap();
    let e = export(
        a,
        empty.path(),
        &ExportOptions::default(),
        None,
        &meta(a),
        &progress,
    )
    .unwrap_err();
    assert!(matches!(e, ExportError::Cancelled));
    assert_eq!(std::fs::read_dir(empty.path()).unwrap().count(), 0);
}

#[test]
fn villages_with_boundaries_get_their_own_dissolved_layer() {
    // One town of four villages, each a 0.02° square in a 2×2 grid, with their boundaries.
    let dir = tempfile::tempdir().unwrap();
    let data = common::write_dataset(
        &dir.path().join("data"),
        "code,name,city_code,city_name\n510121,金堂县,5101,成都市\n",
        "code,name,county_code,kind,lon,lat,area_km2,registered_pop,resident_pop\n\
         510121101,三星镇,510121,town,104.30,30.40,16,8000,8000\n",
        "code,name,township_code,kind,lon,lat,area_km2,resident_pop,registered_pop\n\
         510121101201,甲村,510121101,village,104.29,30.39,4,2000,2000\n\
         510121101202,乙村,510121101,village,104.31,30.39,4,2000,2000\n\
         510121101203,丙村,510121101,village,104.29,30.41,4,2000,2000\n\
         510121101204,丁村,510121101,village,104.31,30.41,4,2000,2000\n",
    );
    let square = |code: &str, x: f64, y: f64| {
        format!(
            r#"{{"type":"Feature","properties":{{"code":"{code}"}},"geometry":{{"type":"Polygon","coordinates":[[[{x},{y}],[{},{y}],[{},{}],[{x},{}],[{x},{y}]]]}}}}"#,
            x + 0.02,
            x + 0.02,
            y + 0.02,
            y + 0.02
        )
    };
    let squares = [
        square("510121101201", 104.28, 30.38),
        square("510121101202", 104.30, 30.38),
        square("510121101203", 104.28, 30.40),
        square("510121101204", 104.30, 30.40),
    ];
    std::fs::write(
        data.join("villages.geojson"),
        format!(
            r#"{{"type":"FeatureCollection","features":[{}]}}"#,
            squares.join(",")
        ),
    )
    .unwrap();
    let dataset = jianzhi::import::load_dataset(&data).unwrap().dataset;
    let ws = common::workspace(dataset);
    // West pair and east pair merged by hand.
    let mut scenario = jianzhi::scenario::Scenario::empty("两两合并");
    scenario.villages.enabled = true;
    for codes in [
        ["510121101201", "510121101203"],
        ["510121101202", "510121101204"],
    ] {
        scenario.edits.push(Edit::new(
            LevelName::Villages,
            EditAction::Merge,
            codes.iter().map(|c| c.to_string()).collect(),
        ));
    }
    let a = ws.analyse(&scenario).unwrap();
    assert_eq!(a.plan.villages.units.len(), 2);
    let out = dir.path().join("out");
    let options = ExportOptions {
        formats: vec![Format::Geojson, Format::Shp],
        ..Default::default()
    };
    export(&a, &out, &options, None, &meta(&a), &Progress::new()).unwrap();
    let units = features(&std::fs::read(out.join("villages-new.geojson")).unwrap());
    assert_eq!(units.len(), 2);
    for (properties, geometry) in &units {
        let geometry = geometry.as_ref().unwrap();
        // Each new village: two squares sharing a side, one polygon without holes.
        assert_eq!(geometry.0.len(), 1, "{properties:?}");
        assert!(geometry.0[0].interiors().is_empty());
        assert!((geometry.unsigned_area() - 0.0008).abs() < 1e-9);
        assert_eq!(properties["members"], 2);
        assert_eq!(properties["township_code"], "510121101");
    }
    let shapes =
        shapefile::read_shapes_as::<_, shapefile::Polygon>(out.join("villages_new.shp")).unwrap();
    assert_eq!(shapes.len(), 2);
}
