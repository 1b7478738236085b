//! What Jianzhi guarantees (README, "What Jianzhi guarantees"), through the real binary:
//! inputs are never overwritten, a report folder holds one run, workbooks are read in memory
//! that follows their data, quotas are checked like any input, and a report never runs a
//! formula. (The saved state is tested in `app.rs`, a run killed at random in `crash.rs`, and
//! the located errors of bad cells in `bad_input.rs`.)

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{COUNTIES, TOWNSHIPS, VILLAGES, write_dataset};

fn jianzhi(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_jianzhi"));
    command.args(args);
    command
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Every file under `dir` with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(snapshot(&path));
        } else {
            out.insert(path.clone(), std::fs::read(&path).unwrap());
        }
    }
    out
}

#[test]
fn reports_are_never_written_into_the_input_folder_its_parents_or_children() {
    let dir = tempfile::tempdir().unwrap();
    let data = write_dataset(&dir.path().join("data"), COUNTIES, TOWNSHIPS, VILLAGES);
    let before = snapshot(dir.path());
    let data_arg = data.to_str().unwrap();
    for (out, says) in [
        (data.clone(), "is the input dataset folder"),
        (data.join("reports"), "is the input dataset folder"),
        (
            dir.path().to_path_buf(),
            "contains the input dataset folder",
        ),
    ] {
        let out_arg = out.to_str().unwrap();
        let commands = [
            vec![
                "run",
                "--scenario",
                "sichuan-2019",
                "--formats",
                "all",
                "--data",
                data_arg,
                "--out",
                out_arg,
            ],
            vec!["summary", "--data", data_arg, "--out", out_arg],
            vec![
                "compare",
                "sichuan-2019",
                "conservative",
                "--data",
                data_arg,
                "--out",
                out_arg,
            ],
        ];
        for args in commands {
            let output = jianzhi(&args).output().unwrap();
            assert!(!output.status.success(), "{args:?} wrote into {out_arg}");
            let text = stderr(&output);
            assert!(text.contains(says) && text.contains(out_arg), "{text}");
        }
    }
    // Not a byte of the data changed, and nothing was added beside it.
    assert_eq!(snapshot(dir.path()), before);
}

#[test]
fn the_built_in_demo_folder_is_an_input_too() {
    let demo = jianzhi::builtin::demo_dir();
    let output = jianzhi(&["summary", "--out", demo.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("is the input dataset folder"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_folder_holding_other_files_is_refused_and_an_earlier_run_is_replaced_whole() {
    let dir = tempfile::tempdir().unwrap();
    let mine = dir.path().join("mine");
    std::fs::create_dir(&mine).unwrap();
    std::fs::write(mine.join("会议纪要.docx"), "notes").unwrap();
    let output = jianzhi(&["summary", "--out", mine.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("会议纪要.docx"),
        "{}",
        stderr(&output)
    );
    assert_eq!(std::fs::read(mine.join("会议纪要.docx")).unwrap(), b"notes");
    assert_eq!(std::fs::read_dir(&mine).unwrap().count(), 1);

    // A run over an earlier run with more formats leaves only the new run's files.
    let out = dir.path().join("reports");
    let run = |formats: &str| {
        let output = jianzhi(&[
            "run",
            "--scenario",
            "conservative",
            "--formats",
            formats,
            "--out",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap();
        assert!(output.status.success(), "{}", stderr(&output));
    };
    run("csv,xlsx,shp");
    assert!(out.join("report.xlsx").is_file() && out.join("townships_new.dbf").is_file());
    run("csv");
    let manifest = jianzhi::report::folder::verify(&out).unwrap();
    assert!(!out.join("report.xlsx").exists() && !out.join("townships_new.dbf").exists());
    // `verify` says so, and finds a file that another run left.
    let verify = || {
        jianzhi(&["verify", out.to_str().unwrap()])
            .output()
            .unwrap()
    };
    assert!(verify().status.success());
    std::fs::write(out.join("report.xlsx"), "an older workbook").unwrap();
    let mixed = verify();
    assert!(!mixed.status.success());
    assert!(
        stderr(&mixed).contains("report.xlsx is not of this run"),
        "{}",
        stderr(&mixed)
    );
    std::fs::remove_file(out.join("report.xlsx")).unwrap();
    assert!(manifest.files.contains_key("summary.csv"));
    assert!(!manifest.files.keys().any(|f| f.ends_with(".dbf")));
}

/// A townships workbook with `stray` text written at `cell` (row, column from 0), besides the
/// small dataset's rows; the village table stays a CSV.
fn workbook_with_stray_cell(dir: &Path, (row, column): (u32, u16), stray: &str) -> PathBuf {
    let data = write_dataset(dir, COUNTIES, TOWNSHIPS, VILLAGES);
    std::fs::remove_file(data.join("townships.csv")).unwrap();
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, line) in TOWNSHIPS.lines().enumerate() {
        for (c, field) in line.split(',').enumerate() {
            sheet.write_string(r as u32, c as u16, field).unwrap();
        }
    }
    sheet.write_string(row, column, stray).unwrap();
    book.save(data.join("townships.xlsx")).unwrap();
    data
}

/// `summary --timing` on a dataset: its peak memory in MiB, and what it said on stderr.
fn peak_memory_mib(data: &Path) -> (f64, String) {
    let output = jianzhi(&["summary", "--timing", "--data", data.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let stdout = String::from_utf8(output.stdout.clone()).unwrap();
    assert!(
        stdout.contains("townships") && stdout.contains(" 3 "),
        "{stdout}"
    );
    let at = stdout.find("peak memory ").unwrap() + "peak memory ".len();
    let mib = stdout[at..]
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    (mib, stderr(&output))
}

#[test]
fn a_workbook_with_a_stray_cell_far_out_is_read_in_memory_that_follows_its_data() {
    let dir = tempfile::tempdir().unwrap();
    // A slip in the last cell a sheet has (XFD1048576): 17 billion cells in the declared
    // range. The table loads; the cell is said and left out.
    let (corner, said) = peak_memory_mib(&workbook_with_stray_cell(
        &dir.path().join("corner"),
        (1_048_575, 16_383),
        "x",
    ));
    assert!(corner < 200.0, "peak {corner} MiB");
    assert!(
        said.contains("row 1048576: cell XFD1048576 ('x') lies right of the table's last column and is ignored"),
        "{said}"
    );
    // A space at the foot of the first column (A1048576): a blank row, a million rows down.
    let (foot, _) = peak_memory_mib(&workbook_with_stray_cell(
        &dir.path().join("foot"),
        (1_048_575, 0),
        " ",
    ));
    assert!(foot < 200.0, "peak {foot} MiB");
}

fn write_quotas(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("quotas.csv");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_quota_table_is_checked_against_the_dataset_with_its_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let data = write_dataset(&dir.path().join("data"), COUNTIES, TOWNSHIPS, VILLAGES);
    let out = dir.path().join("out");
    for (table, says) in [
        (
            "code,township_target\n510121,1\n5199,30%\n",
            "quotas.csv: row 3, column 'code': 5199 is not a province, city or county of this dataset",
        ),
        (
            "code,township_target\n510121100,30%\n",
            "quotas.csv: row 2, column 'code': 510121100 is a township's code",
        ),
        (
            "code,township_target\n510121,1\n510121,2\n",
            "quotas.csv: row 3, column 'code': 510121 has a quota in row 2 already",
        ),
        (
            "code,township_target,village_target\n510121,5,\n",
            "quotas.csv: row 2, column 'township_target': the quota leaves 5 townships, but 510121 has only 2",
        ),
        (
            "code,township_target,village_target\n5101,,9\n",
            "quotas.csv: row 2, column 'village_target': the quota leaves 9 villages, but 5101 has only 5",
        ),
    ] {
        let quotas = write_quotas(dir.path(), table);
        let output = jianzhi(&[
            "run",
            "--scenario",
            "uniform-cut",
            "--data",
            data.to_str().unwrap(),
            "--quotas",
            quotas.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap();
        assert!(!output.status.success(), "{table} was taken");
        assert!(stderr(&output).contains(says), "{}", stderr(&output));
        assert!(!out.exists());
    }
    // A good table runs: the county keeps one township.
    let quotas = write_quotas(dir.path(), "code,township_target\n510121,1\n");
    let output = jianzhi(&[
        "run",
        "--scenario",
        "uniform-cut",
        "--data",
        data.to_str().unwrap(),
        "--quotas",
        quotas.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ])
    .output()
    .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
}

#[test]
fn a_scenarios_own_quota_for_an_unknown_code_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let data = write_dataset(&dir.path().join("data"), COUNTIES, TOWNSHIPS, VILLAGES);
    let scenario = dir.path().join("quota.toml");
    std::fs::write(
        &scenario,
        "version = 1\nname = \"q\"\n[townships]\nquotas = { \"5199\" = \"30%\" }\n",
    )
    .unwrap();
    let output = jianzhi(&[
        "run",
        "--scenario",
        scenario.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
        "--out",
        dir.path().join("out").to_str().unwrap(),
    ])
    .output()
    .unwrap();
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains(
            "townships.quotas.5199: 5199 is not a province, city or county of this dataset"
        ),
        "{}",
        stderr(&output)
    );
}

/// Names that a spreadsheet would run as formulas, were they not escaped.
const FORMULA_TOWNSHIPS: &str = "\
code,name,county_code,kind,lon,lat,area_km2,registered_pop,resident_pop
510104020,=HYPERLINK(\"http://example.com\"),510104,street,104.08,30.65,2.5,30000,40000
510121100,+城厢镇,510121,town,104.30,30.40,80,25000,20000
510121201,@某某乡,510121,township,104.40,30.45,120,8000,6000
";

#[test]
fn csv_reports_escape_formulas_and_the_workbook_keeps_the_text() {
    use calamine::{Data, Reader};
    let dir = tempfile::tempdir().unwrap();
    let data = write_dataset(
        &dir.path().join("data"),
        COUNTIES,
        FORMULA_TOWNSHIPS,
        VILLAGES,
    );
    let out = dir.path().join("out");
    let output = jianzhi(&[
        "run",
        "--scenario",
        "conservative",
        "--formats",
        "csv,xlsx",
        "--data",
        data.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ])
    .output()
    .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let csv = String::from_utf8(std::fs::read(out.join("townships.csv")).unwrap()).unwrap();
    let mut reader = csv::Reader::from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
    let names: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[1].to_string())
        .collect();
    for name in ["=HYPERLINK(\"http://example.com\")", "+城厢镇", "@某某乡"] {
        assert!(names.contains(&format!("'{name}")), "{name}: {names:?}");
        assert!(!names.contains(&name.to_string()), "{name} unescaped");
    }
    // The workbook's cells are typed: the names are text as they were, never formulas.
    let mut book = calamine::open_workbook_auto(out.join("report.xlsx")).unwrap();
    let mut texts = Vec::new();
    for sheet in book.sheet_names() {
        let formulas = book.worksheet_formula(&sheet).unwrap();
        assert!(
            formulas.used_cells().all(|(_, _, f)| f.is_empty()),
            "{sheet}"
        );
        for (_, _, cell) in book.worksheet_range(&sheet).unwrap().used_cells() {
            if let Data::String(s) = cell {
                texts.push(s.clone());
            }
        }
    }
    assert!(
        texts
            .iter()
            .any(|t| t == "=HYPERLINK(\"http://example.com\")")
    );
    assert!(!texts.iter().any(|t| t.starts_with("'=")));
}

#[test]
fn a_merge_of_a_unit_with_itself_is_refused_not_reported_as_holding() {
    let dir = tempfile::tempdir().unwrap();
    let data = write_dataset(&dir.path().join("data"), COUNTIES, TOWNSHIPS, VILLAGES);
    let scenario = dir.path().join("self.toml");
    std::fs::write(
        &scenario,
        "version = 1\nname = \"self\"\n[[edits]]\nlevel = \"townships\"\naction = \"merge\"\ncodes = [\"510121100\", \"510121100\"]\n",
    )
    .unwrap();
    let output = jianzhi(&[
        "run",
        "--scenario",
        scenario.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
        "--out",
        dir.path().join("out").to_str().unwrap(),
    ])
    .output()
    .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.contains("hand edits: 1 (0 hold, 1 do not)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("a merge needs two different units; it names only 510121100"),
        "{stdout}"
    );
}

#[test]
fn plausibility_limits_are_widened_by_the_datasets_limits_file() {
    let dir = tempfile::tempdir().unwrap();
    let big = TOWNSHIPS.replace(",30000,40000", ",2500000,2600000");
    let data = write_dataset(&dir.path().join("data"), COUNTIES, &big, VILLAGES);
    let summary = || {
        jianzhi(&["summary", "--data", data.to_str().unwrap()])
            .output()
            .unwrap()
    };
    let refused = summary();
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains(
            "townships.csv: row 2, column 'registered_pop': 2500000 people is more than any township plausibly has (limit 2000000)"
        ),
        "{}",
        stderr(&refused)
    );
    std::fs::write(data.join("limits.toml"), "township_pop = 3000000\n").unwrap();
    let taken = summary();
    assert!(taken.status.success(), "{}", stderr(&taken));
    // A limits file with a mistake is itself a located error.
    std::fs::write(data.join("limits.toml"), "township_people = 3000000\n").unwrap();
    let bad = summary();
    assert!(!bad.status.success());
    assert!(
        stderr(&bad).contains("limits.toml: not a limits file"),
        "{}",
        stderr(&bad)
    );
}
