//! Writing report files: CSV with a UTF-8 BOM (so Excel opens Chinese text correctly), always
//! through a temporary file renamed into place, so an interrupted write never leaves a
//! half-written file and the previous version survives.

pub mod compare;
pub mod dataset;
pub mod export;
pub mod folder;
pub mod gis;
pub mod html;
pub mod meta;
pub mod run;
pub mod svg;
pub mod xlsx;

use std::io::Write;
use std::path::Path;

use crate::table::{CsvTable, TableWriter};

/// The UTF-8 byte-order mark Excel needs to read a CSV as UTF-8.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Writes `bytes` to `path` atomically: a temporary file in the same folder, flushed to disk,
/// then renamed over the target.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomic_with(path, |out| out.write_all(bytes))
}

/// Writes `path` atomically with what `fill` writes: into a temporary file in the same folder,
/// flushed to disk, then renamed over the target. If `fill` fails (or the process dies before
/// the rename), the previous file is untouched.
pub fn write_atomic_with(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".jianzhi-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    {
        let mut out = std::io::BufWriter::with_capacity(256 * 1024, tmp.as_file_mut());
        fill(&mut out)?;
        out.flush()?;
    }
    // Temporary files are private (0600); give the result the permissions of the file it
    // replaces, or the usual ones for a new file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .map(|m| m.permissions().mode())
            .unwrap_or(0o644);
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode))?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

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

/// Formats a figure for a report: integers without decimals, others to 3 decimals.
pub fn figure(x: f64) -> String {
    if !x.is_finite() {
        String::new()
    } else if x == 0.0 {
        // Also for -0.0, which rounding of tiny negative changes produces.
        "0".to_string()
    } else if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x:.0}")
    } else {
        format!("{x:.3}")
    }
}

#[cfg(test)]
mod tests {
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

    #[test]
    fn atomic_write_replaces_the_whole_file_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("summary.csv");
        write_atomic(&p, b"old").unwrap();
        write_atomic(&p, b"new contents").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"new contents");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1);
    }

    #[test]
    fn a_failed_write_keeps_the_previous_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("summary.csv");
        write_atomic(&p, b"previous").unwrap();
        // Writing into a folder that does not exist fails before touching the target.
        assert!(write_atomic(&dir.path().join("missing/summary.csv"), b"x").is_err());
        assert_eq!(std::fs::read(&p).unwrap(), b"previous");
    }

    #[test]
    fn an_export_that_fails_half_way_keeps_the_previous_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("villages.csv");
        write_atomic(&p, b"code,name\r\n1,a\r\n").unwrap();
        let result = write_atomic_with(&p, |out| {
            // Far more than the write buffer, so part of it reaches the temporary file.
            for i in 0..100_000 {
                write!(out, "{i},村{i}\r\n")?;
            }
            Err(std::io::Error::other("disk full"))
        });
        assert_eq!(result.unwrap_err().to_string(), "disk full");
        assert_eq!(std::fs::read(&p).unwrap(), b"code,name\r\n1,a\r\n");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "the temporary file is removed");
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
