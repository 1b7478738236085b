//! A planning office's own tables: headers in the forms offices and yearbooks write, workbooks
//! instead of CSV, a column mapping where the headers do not say.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;

use std::path::Path;

use common::{
    COUNTIES, NEIGHBOURS, TOWNSHIPS, UNPLACED_TOWNSHIPS, UNPLACED_VILLAGES, VILLAGES, write_dataset,
};
use jianzhi::import::columns::ColumnMap;
use jianzhi::import::header::TableKind;
use jianzhi::import::table::Column;
use jianzhi::import::{LoadOptions, load_dataset, load_dataset_opts};
use jianzhi::progress::Progress;
use rust_xlsxwriter::{Format, Workbook, Worksheet};

/// Cells of a sheet: text, or a number.
enum V<'a> {
    T(&'a str),
    N(f64),
}
use V::{N, T};

fn write_row(sheet: &mut Worksheet, row: u32, cells: &[V]) {
    for (c, cell) in cells.iter().enumerate() {
        match cell {
            T(t) => sheet.write_string(row, c as u16, *t).unwrap(),
            N(n) => sheet.write_number(row, c as u16, *n).unwrap(),
        };
    }
}

/// The line of the metric `key` in the CLI's printed table.
fn metric_line(stdout: &str, key: &str) -> String {
    stdout
        .lines()
        .find(|l| l.split_whitespace().next() == Some(key))
        .unwrap_or_else(|| panic!("no {key} in {stdout}"))
        .to_string()
}

/// The figures of a loaded dataset that every form of the same table must give alike.
fn figures(dir: &Path, options: &LoadOptions) -> Vec<String> {
    let ds = load_dataset_opts(dir, options, &Progress::new())
        .map_err(|e| e.into_import(dir).to_string())
        .unwrap()
        .dataset;
    let mut out: Vec<String> = ds
        .townships
        .iter()
        .map(|t| {
            format!(
                "{} {} {} {:?} {:.3} {:.1} {:.1} {:.4} {:.4}",
                t.code,
                t.name,
                ds.counties[t.county].code,
                t.kind,
                t.area_km2,
                t.registered_pop,
                t.resident_pop,
                t.seat.lon,
                t.seat.lat
            )
        })
        .collect();
    out.extend(ds.villages.iter().map(|v| {
        format!(
            "{} {} {} {:?} {:.3} {:.1}",
            v.code, v.name, ds.townships[v.township].code, v.kind, v.area_km2, v.resident_pop
        )
    }));
    out
}

#[test]
fn headers_as_offices_write_them_give_the_same_dataset() {
    let dir = tempfile::tempdir().unwrap();
    let plain = write_dataset(&dir.path().join("plain"), COUNTIES, TOWNSHIPS, VILLAGES);
    let expected = figures(&plain, &LoadOptions::default());

    // The issue's forms, and more from public tables: the NBS code tables (统计用区划代码,
    // 城乡分类代码), county yearbooks (行政区域面积, 户籍人口 in 万人), census tables (乡、镇、街道
    // 名称), village rosters (村（居）委会名称, 所属乡镇（街道）), areas in 亩 and 公顷.
    let counties = "\
行政区划代码,单位名称,所属地级市代码,所属市州名称
510104,锦江区,5101,成都市
510121,金堂县,5101,成都市
";
    let townships = "\
序号,单位代码,街道（乡镇）名称,所属县（市、区）代码,乡镇类型,驻地经度(E),纬度（N）,行政区域面积(公顷),户籍总人口（万人）,年末常住人口（人）
1,510104020,督院街街道,510104,街道,104.08,30.65,250,3,40000
2,510121100,城厢镇,510121,镇,104.30,30.40,8000,2.5,20000
3,510121201,某某乡,510121,乡,104.40,30.45,12000,0.8,6000
";
    let villages = "\
统计用区划代码,城乡分类代码,村（居）委会名称,所属乡镇（街道）,经度,纬度,面积（亩）,2020年常住人口数,户籍人口(人)
510104020001,111,青石桥社区,510104020,104.081,30.651,1800,20000,15000
510104020002,111,滨江路社区,510104020,104.082,30.652,1950,20000,15000
510121100201,220,星光村,510121100,104.31,30.41,60000,10000,12500
510121100202,220,红旗村,510121100,104.32,30.42,60000,10000,12500
510121201201,220,硚碶村,510121201,104.41,30.46,180000,6000,8000
";
    let office = write_dataset(&dir.path().join("office"), counties, townships, villages);
    assert_eq!(figures(&office, &LoadOptions::default()), expected);
}

#[test]
fn a_missing_or_doubled_field_is_named_with_the_headers_and_not_guessed() {
    let dir = tempfile::tempdir().unwrap();
    // No column says which county: the message lists the file's headers.
    let townships = "乡镇编号,名称,XZQDM\n510104020,督院街街道,510104\n";
    let d = write_dataset(&dir.path().join("a"), COUNTIES, townships, VILLAGES);
    let err = load_dataset(&d).unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains(
            "townships.csv: row 1: no column found for the county code; the file's headers are '乡镇编号', '名称', 'XZQDM'"
        ),
        "{message}"
    );
    let columns = err.columns.unwrap();
    assert_eq!(columns.table, TableKind::Townships);
    assert_eq!(columns.missing, [Column::CountyCode]);

    // Two population columns: neither is taken.
    let villages =
        VILLAGES
            .replacen("resident_pop", "常住人口", 1)
            .replacen("registered_pop", "人口", 1);
    let d = write_dataset(&dir.path().join("b"), COUNTIES, TOWNSHIPS, &villages);
    let message = load_dataset(&d).unwrap_err().to_string();
    assert!(
        message.contains("villages.csv: row 1: the columns '常住人口', '人口' could each be the resident population"),
        "{message}"
    );
}

#[test]
fn a_column_mapping_reads_headers_the_program_does_not_know() {
    let dir = tempfile::tempdir().unwrap();
    let townships = TOWNSHIPS
        .replacen("code,name,county_code", "编,名称,县", 1)
        .replacen("resident_pop", "住", 1);
    let d = write_dataset(&dir.path().join("d"), COUNTIES, &townships, VILLAGES);
    let mut map = ColumnMap::default();
    let t = map.table_mut(TableKind::Townships);
    t.fields.insert("code".into(), "编".into());
    t.fields.insert("county_code".into(), "县".into());
    t.fields.insert("resident_pop".into(), "住".into());
    // Given to the loader (as `--columns` does)…
    let options = LoadOptions {
        columns: Some(map.clone()),
    };
    let plain = write_dataset(&dir.path().join("plain"), COUNTIES, TOWNSHIPS, VILLAGES);
    let expected = figures(&plain, &LoadOptions::default());
    assert_eq!(figures(&d, &options), expected);
    // …or saved beside the data, where it is found.
    map.write(&d.join("columns.toml")).unwrap();
    assert_eq!(figures(&d, &LoadOptions::default()), expected);
    // And through the command line, from another folder.
    let elsewhere = dir.path().join("mapping.toml");
    std::fs::rename(d.join("columns.toml"), &elsewhere).unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_jianzhi"))
        .args(["summary", "--data"])
        .arg(&d)
        .arg("--columns")
        .arg(&elsewhere)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("townships") && stdout.contains('3'),
        "{stdout}"
    );
}

/// A workbook as an office sends it: a merged title row, a serial-number column, codes stored
/// as numbers, a population in 万人 stored as text, and a hidden total row.
fn office_workbook(path: &Path, bad_cell: bool) {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("乡镇").unwrap();
    sheet
        .merge_range(0, 0, 0, 8, "某县乡镇基本情况表（2023年）", &Format::new())
        .unwrap();
    write_row(
        sheet,
        1,
        &[
            T("序号"),
            T("单位代码"),
            T("街道（乡镇）名称"),
            T("所属县（市、区）代码"),
            T("驻地经度"),
            T("驻地纬度"),
            T("面积（平方公里）"),
            T("户籍人口（万人）"),
            T("年末常住人口（人）"),
        ],
    );
    let rows: [[V; 9]; 3] = [
        [
            N(1.0),
            N(510104020.0),
            T("督院街街道"),
            T("510104"),
            N(104.08),
            N(30.65),
            N(2.5),
            T("3"),
            N(40000.0),
        ],
        [
            N(2.0),
            N(510121100.0),
            T("城厢镇"),
            T("510121"),
            N(104.30),
            N(30.40),
            N(80.0),
            N(2.5),
            if bad_cell { T("两万") } else { N(20000.0) },
        ],
        [
            N(3.0),
            T("510121201"),
            T("某某乡"),
            N(510121.0),
            N(104.40),
            N(30.45),
            T("120"),
            N(0.8),
            T("6,000"),
        ],
    ];
    for (i, row) in rows.iter().enumerate() {
        write_row(sheet, 2 + i as u32, row);
    }
    write_row(
        sheet,
        5,
        &[
            T("合计"),
            T(""),
            T(""),
            T(""),
            T(""),
            T(""),
            N(202.5),
            N(6.3),
            N(66000.0),
        ],
    );
    sheet.set_row_hidden(5).unwrap();
    book.save(path).unwrap();
}

/// Villages in the second sheet of a workbook whose first sheet is a note.
fn villages_workbook(path: &Path) {
    let mut book = Workbook::new();
    let note = book.add_worksheet();
    note.set_name("填表说明").unwrap();
    note.write_string(0, 0, "本表由乡镇填报").unwrap();
    let sheet = book.add_worksheet();
    sheet.set_name("村").unwrap();
    let mut lines = VILLAGES.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let header: Vec<V> = header.into_iter().map(T).collect();
    write_row(sheet, 0, &header);
    for (r, line) in lines.enumerate() {
        let cells: Vec<V> = line
            .split(',')
            .enumerate()
            .map(|(c, f)| match (c, f.parse::<f64>()) {
                (1 | 3, _) | (_, Err(_)) => T(f),
                (_, Ok(n)) => N(n),
            })
            .collect();
        write_row(sheet, 1 + r as u32, &cells);
    }
    book.save(path).unwrap();
}

#[test]
fn workbooks_load_like_their_csv_with_excels_row_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let plain = write_dataset(&dir.path().join("plain"), COUNTIES, TOWNSHIPS, VILLAGES);
    let expected = figures(&plain, &LoadOptions::default());

    let d = dir.path().join("book");
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(d.join("counties.csv"), COUNTIES).unwrap();
    office_workbook(&d.join("townships.xlsx"), false);
    villages_workbook(&d.join("村级统计.xlsx"));
    std::fs::write(
        d.join("columns.toml"),
        "[villages]\nfile = \"村级统计.xlsx\"\nsheet = \"村\"\n",
    )
    .unwrap();
    assert_eq!(figures(&d, &LoadOptions::default()), expected);

    let loaded = load_dataset(&d).unwrap();
    let warnings: Vec<String> = loaded.warnings.iter().map(|w| w.to_string()).collect();
    let has = |s: &str| warnings.iter().any(|w| w.contains(s));
    assert!(
        has("townships.xlsx [乡镇]: row 1: skipped a title row"),
        "{warnings:?}"
    );
    assert!(
        has("townships.xlsx [乡镇]: row 6: skipped a total row"),
        "{warnings:?}"
    );

    // A bad cell is named by file, sheet, Excel's row number and the header.
    office_workbook(&d.join("townships.xlsx"), true);
    let message = load_dataset(&d).unwrap_err().to_string();
    assert!(
        message.contains(
            "townships.xlsx [乡镇]: row 4, column '年末常住人口（人）': not a number: '两万'"
        ),
        "{message}"
    );

    // Without the sheet named, the first visible sheet (the note) is read, and the error says
    // which sheet it read and what it found.
    std::fs::write(
        d.join("columns.toml"),
        "[villages]\nfile = \"村级统计.xlsx\"\n",
    )
    .unwrap();
    office_workbook(&d.join("townships.xlsx"), false);
    let message = load_dataset(&d).unwrap_err().to_string();
    assert!(
        message.contains(
            "村级统计.xlsx [填表说明]: row 1: no column found for the code, name, township code"
        ),
        "{message}"
    );
    std::fs::write(
        d.join("columns.toml"),
        "[villages]\nfile = \"村级统计.xlsx\"\nsheet = \"村委会\"\n",
    )
    .unwrap();
    let message = load_dataset(&d).unwrap_err().to_string();
    assert!(
        message.contains("the workbook has no sheet '村委会'; its sheets are '填表说明', '村'"),
        "{message}"
    );
}

#[test]
fn xls_and_ods_workbooks_load_like_the_csv() {
    // Written by tests/data/tables/make.py (xlwt and odfpy): a title row, a serial-number
    // column, codes stored as numbers and a total row.
    let dir = tempfile::tempdir().unwrap();
    let plain = write_dataset(&dir.path().join("plain"), COUNTIES, TOWNSHIPS, VILLAGES);
    let expected = figures(&plain, &LoadOptions::default());
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/tables");
    for name in ["townships.xls", "townships.ods"] {
        let d = write_dataset(&dir.path().join(name), COUNTIES, TOWNSHIPS, VILLAGES);
        std::fs::remove_file(d.join("townships.csv")).unwrap();
        std::fs::copy(fixtures.join(name), d.join(name)).unwrap();
        assert_eq!(figures(&d, &LoadOptions::default()), expected, "{name}");
        let loaded = load_dataset(&d).unwrap();
        let warnings: Vec<String> = loaded.warnings.iter().map(|w| w.to_string()).collect();
        assert!(
            warnings
                .iter()
                .any(|w| w.contains(&format!("{name} [乡镇]: row 6: skipped a total row"))),
            "{warnings:?}"
        );
    }
}

#[test]
fn a_townships_only_dataset_loads_merges_townships_and_says_no_village_data() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("towns");
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(d.join("counties.csv"), COUNTIES).unwrap();
    let townships =
        format!("{TOWNSHIPS}510121202,又一乡,510121,township,104.45,30.48,100,5000,4000\n");
    std::fs::write(d.join("townships.csv"), townships).unwrap();
    let loaded = load_dataset(&d).unwrap();
    assert_eq!(loaded.dataset.townships.len(), 4);
    assert!(loaded.dataset.villages.is_empty());
    assert!(
        loaded
            .warnings
            .iter()
            .any(|w| w.to_string().contains("no village table")),
        "{:?}",
        loaded.warnings
    );

    let output = std::process::Command::new(env!("CARGO_BIN_EXE_jianzhi"))
        .args(["run", "--scenario", "sichuan-2019", "--data"])
        .arg(&d)
        .arg("--out")
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let line = |key: &str| metric_line(&stdout, key);
    // The two rural townships of 金堂县 merge; the village figures are not zeros.
    let townships: Vec<String> = line("townships")
        .split_whitespace()
        .map(String::from)
        .collect();
    assert_eq!(&townships[1..3], ["4", "3"], "{stdout}");
    for key in [
        "villages",
        "avg_village_resident_pop",
        "mean_seat_distance_km",
    ] {
        assert!(line(key).contains("no village data"), "{}", line(key));
    }
    let summary = std::fs::read_to_string(dir.path().join("out/summary.csv")).unwrap();
    assert!(summary.contains("\r\nvillages,,,,"), "{summary}");

    // Without population in the table and no villages to sum it from, the cell is named.
    std::fs::write(
        d.join("townships.csv"),
        TOWNSHIPS.replace(",30000,40000", ",30000,"),
    )
    .unwrap();
    let message = load_dataset(&d).unwrap_err().to_string();
    assert!(
        message.contains(
            "townships.csv: row 2, column 'resident_pop': empty, and there is no village table"
        ),
        "{message}"
    );
}

/// Every township merges; villages are left alone (they need no neighbours here).
const CHAIN_SCENARIO: &str = r#"
version = 1
name = "chain"
[townships]
exempt_kinds = ["street", "special"]
seat_rule = "town_first"
[townships.limits]
min_registered_pop = 5000
[villages]
enabled = false
"#;

#[test]
fn a_neighbour_table_dataset_loads_without_locations_and_merges_by_its_pairs() {
    use jianzhi::model::TownshipId;
    use jianzhi::scenario::Scenario;
    use jianzhi::workspace::Workspace;

    let dir = tempfile::tempdir().unwrap();
    let d = write_dataset(
        &dir.path().join("data"),
        COUNTIES,
        UNPLACED_TOWNSHIPS,
        UNPLACED_VILLAGES,
    );

    // Without the table, nothing says who borders whom.
    let message = load_dataset(&d).unwrap_err().to_string();
    assert!(
        message.contains("townships.csv: no coordinates and no boundaries: merges need locations (经度/纬度), boundaries or a neighbour table (adjacency.csv"),
        "{message}"
    );

    std::fs::write(d.join("adjacency.csv"), NEIGHBOURS).unwrap();
    let loaded = load_dataset(&d).unwrap();
    let ds = &loaded.dataset;
    assert!(!ds.has_locations());
    assert_eq!(ds.neighbours.townships.len(), 3);
    assert_eq!(ds.neighbours.villages.len(), 2);
    assert!(
        loaded.warnings.iter().any(|w| w
            .to_string()
            .contains("5 of 5 townships have no coordinates")),
        "{:?}",
        loaded.warnings
    );

    let ws = std::sync::Arc::new(Workspace::new(ds.clone()));
    let by_code =
        |code: &str| TownshipId::from(ds.townships.iter().position(|t| t.code == code).unwrap());
    let adjacency = &ws.prepared().township_adjacency;
    assert!(!adjacency.are_neighbours(by_code("510121201"), by_code("510121203")));
    assert!(adjacency.are_neighbours(by_code("510121202"), by_code("510121203")));

    let scenario = Scenario::parse("chain.toml", CHAIN_SCENARIO).unwrap();
    let analysis = ws.analyse(&scenario).unwrap();
    let plan = &analysis.plan.townships;
    let unit = |code: &str| plan.new_of[by_code(code)];
    // 丙乡 (2,000 registered) has one neighbour, 乙乡: it can only grow through it.
    assert_eq!(unit("510121203"), unit("510121202"));
    // Every merged unit is connected through declared pairs alone.
    for u in plan.units.iter() {
        let mut reached = vec![u.members[0]];
        let mut k = 0;
        while k < reached.len() {
            for n in adjacency.neighbours(reached[k]) {
                if u.members.contains(&n) && !reached.contains(&n) {
                    reached.push(n);
                }
            }
            k += 1;
        }
        assert_eq!(reached.len(), u.members.len(), "{:?}", u.members);
    }
    // The street is exempt and in another county: untouched.
    assert_eq!(plan.unit_of(by_code("510104020")).members.len(), 1);
    assert!(plan.units.len() < 5);
    // No distance is made up.
    assert!(analysis.service.before.province.mean_km.is_nan());

    // A rule that needs distances is refused by name.
    let nearest = CHAIN_SCENARIO.replace("town_first", "min_distance");
    let refused = ws
        .analyse(&Scenario::parse("x.toml", &nearest).unwrap())
        .unwrap_err()
        .to_string();
    assert!(
        refused.contains("townships.seat_rule = min_distance: needs distances"),
        "{refused}"
    );

    // Through the binary: township figures, 'no locations' for distances, GIS refused.
    std::fs::write(dir.path().join("chain.toml"), CHAIN_SCENARIO).unwrap();
    let run = |formats: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_jianzhi"))
            .args(["run", "--scenario"])
            .arg(dir.path().join("chain.toml"))
            .arg("--data")
            .arg(&d)
            .arg("--out")
            .arg(dir.path().join(format!("out-{formats}")))
            .args(["--formats", formats])
            .output()
            .unwrap()
    };
    let output = run("csv");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let line = |key: &str| metric_line(&stdout, key);
    let townships: Vec<u32> = line("townships")
        .split_whitespace()
        .skip(1)
        .take(2)
        .map(|n| n.parse().unwrap())
        .collect();
    assert!(townships[0] == 5 && townships[1] < 5, "{stdout}");
    assert!(
        line("mean_seat_distance_km").contains("no locations"),
        "{stdout}"
    );
    let output = run("geojson");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("need locations"), "{stderr}");
    assert!(!dir.path().join("out-geojson").exists());
}

#[test]
fn a_neighbour_table_names_the_row_and_column_of_a_bad_pair() {
    let dir = tempfile::tempdir().unwrap();
    let d = write_dataset(dir.path(), COUNTIES, UNPLACED_TOWNSHIPS, UNPLACED_VILLAGES);
    let bad =
        format!("{NEIGHBOURS}510121100,510121999\n510121100,510121100201\n510121100,510104020\n");
    std::fs::write(d.join("adjacency.csv"), bad).unwrap();
    let message = load_dataset(&d).unwrap_err().to_string();
    assert!(
        message.contains(
            "adjacency.csv: row 6, column '相邻乡镇代码': no township or village has code 510121999"
        ),
        "{message}"
    );
    assert!(
        message.contains("adjacency.csv: row 7, column '相邻乡镇代码': 510121100 and 510121100201 are of different levels"),
        "{message}"
    );

    // A pair across counties is left out with a warning, not an error.
    let across = format!("{NEIGHBOURS}510121100,510104020\n");
    std::fs::write(d.join("adjacency.csv"), across).unwrap();
    let loaded = load_dataset(&d).unwrap();
    assert!(
        loaded.warnings.iter().any(|w| w.to_string().contains(
            "row 6, column '相邻乡镇代码': 510121100 and 510104020 are in different counties"
        )),
        "{:?}",
        loaded.warnings
    );
    assert_eq!(loaded.dataset.neighbours.townships.len(), 3);
}
