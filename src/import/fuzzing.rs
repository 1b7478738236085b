//! Entry points for fuzzing the importers: `fuzz/` (cargo-fuzz, coverage-guided, for long runs)
//! and `tests/fuzz.rs` (proptest, in every test run) call the same functions. Each takes
//! arbitrary bytes, must never panic, and returns every problem it found.

use std::path::Path;

use crate::error::Problem;
use crate::import::Problems;
use crate::import::boundaries::parse_geojson;
use crate::import::header::TableKind;
use crate::import::table::{Column, Spec, Table};

/// Reads `bytes` as a table of villages and every cell of every row as its column's type
/// (every column, so every typed accessor is exercised).
pub fn csv_table(bytes: &[u8]) -> Vec<Problem> {
    let path = Path::new("fuzz.csv");
    let mut problems = Problems::default();
    let mut table = match Table::parse(
        path,
        bytes,
        Spec::new(TableKind::Villages, &[Column::Code, Column::Name]),
        &mut problems,
    ) {
        Ok(table) => table,
        Err(e) => return e.problems,
    };
    loop {
        let row = match table.next_row(&mut problems) {
            Ok(Some(row)) => row,
            Ok(None) => break,
            Err(e) => {
                problems.errors.extend(e.into_import(path).problems);
                break;
            }
        };
        table.check_row(&row, &Column::ALL, &[], &mut problems);
    }
    problems.errors.extend(problems.warnings);
    problems.errors
}

/// Reads `bytes` as a GeoJSON boundary file.
pub fn geojson(bytes: &[u8]) -> Vec<Problem> {
    let mut problems = Problems::default();
    match parse_geojson(
        Path::new("fuzz.geojson"),
        bytes.to_vec(),
        TableKind::Townships,
        &mut problems,
    ) {
        Ok(_) => {
            problems.errors.extend(problems.warnings);
            problems.errors
        }
        Err(e) => e.problems,
    }
}
