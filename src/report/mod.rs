//! Writing report files: CSV with a UTF-8 BOM (so Excel opens Chinese text correctly), always
//! through a temporary file renamed into place ([`crate::atomic`]), so an interrupted write
//! never leaves a half-written file and the previous version survives.

pub mod compare;
pub mod dataset;
pub mod export;
pub mod folder;
pub mod gis;
pub mod gpkg;
pub mod html;
pub mod layers;
pub mod meta;
pub mod parameters;
pub mod run;
pub mod svg;
pub mod terms;
pub mod xlsx;

use std::path::Path;

pub use crate::atomic::{write_atomic, write_atomic_with};
pub use crate::table::{BOM, figure};
use crate::table::{CsvTable, TableWriter};

/// Writes a CSV table to `path` atomically, row by row, as `fill` produces it; headers are
/// the column keys, or in `lang`.
pub fn write_csv_atomic(
    path: &Path,
    lang: Option<crate::Lang>,
    fill: impl FnOnce(&mut dyn TableWriter) -> std::io::Result<()>,
) -> std::io::Result<()> {
    write_atomic_with(path, |out| {
        let mut table = CsvTable::new(out, lang);
        fill(&mut table)?;
        table.finish().map(drop)
    })
}

/// A table as CSV bytes in memory.
pub fn csv_bytes(
    lang: Option<crate::Lang>,
    fill: impl FnOnce(&mut dyn TableWriter) -> std::io::Result<()>,
) -> std::io::Result<Vec<u8>> {
    let mut table = CsvTable::new(Vec::new(), lang);
    fill(&mut table)?;
    table.finish()
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    use crate::table::{Cell, Column};

    const COLUMNS: &[Column] = &[Column::new("code", "代码", "code"), Column::key("name")];

    fn rows(out: &mut dyn TableWriter, n: usize) -> std::io::Result<()> {
        out.header(COLUMNS)?;
        for i in 0..n {
            out.row(&[Cell::code(i.to_string()), Cell::text(format!("村{i}"))])?;
        }
        Ok(())
    }

    #[test]
    fn csv_reports_start_with_a_bom_and_use_crlf() {
        let bytes = csv_bytes(None, |t| {
            t.header(&[Column::key("metric"), Column::key("value")])?;
            t.row(&[Cell::text("乡镇"), Cell::Count(1)])
        })
        .unwrap();
        assert!(bytes.starts_with(BOM));
        assert_eq!(&bytes[3..], "metric,value\r\n乡镇,1\r\n".as_bytes());
        let zh = csv_bytes(Some(crate::Lang::Zh), |t| rows(t, 1)).unwrap();
        assert_eq!(&zh[3..], "代码,name\r\n0,村0\r\n".as_bytes());
    }

    /// A writer that accepts `room` bytes, then fails like a full disk.
    struct Full {
        room: usize,
        taken: Vec<u8>,
    }

    impl Write for Full {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if self.taken.len() + buf.len() > self.room {
                return Err(std::io::Error::other("disk full"));
            }
            self.taken.extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_streamed_table_has_the_bytes_of_one_built_in_memory() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("villages.csv");
        write_csv_atomic(&p, None, |t| rows(t, 50_000)).unwrap();
        assert_eq!(
            std::fs::read(&p).unwrap(),
            csv_bytes(None, |t| rows(t, 50_000)).unwrap()
        );
    }

    #[test]
    fn a_table_whose_writer_fails_reports_the_error_and_keeps_the_previous_file() {
        let mut full = CsvTable::new(
            Full {
                room: 100_000,
                taken: Vec::new(),
            },
            None,
        );
        let failed = rows(&mut full, 50_000).and_then(|()| full.finish().map(drop));
        assert_eq!(
            failed.err().map(|e| e.to_string()).as_deref(),
            Some("disk full")
        );

        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("villages.csv");
        write_csv_atomic(&p, None, |t| rows(t, 10)).unwrap();
        let previous = std::fs::read(&p).unwrap();
        let result = write_csv_atomic(&p, None, |t| {
            rows(t, 100_000)?;
            Err(std::io::Error::other("disk full"))
        });
        assert!(result.is_err());
        assert_eq!(std::fs::read(&p).unwrap(), previous);
    }

    #[test]
    fn figures_drop_decimals_only_for_whole_numbers() {
        assert_eq!(figure(4618.0), "4618");
        assert_eq!(figure(105.33333), "105.333");
        assert_eq!(figure(f64::NAN), "");
    }
}
