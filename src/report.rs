//! Writing report files: CSV with a UTF-8 BOM (so Excel opens Chinese text correctly), always
//! through a temporary file renamed into place, so an interrupted write never leaves a
//! half-written file and the previous version survives.

use std::io::Write;
use std::path::Path;

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

/// A CSV table as Excel reads it: BOM first, `\r\n` line ends. Written straight to `W` (a file,
/// so a million rows are never held in memory) or built in memory (`CsvReport::new`).
///
/// Rows are infallible to add; the first write error is kept and returned by `finish`.
pub struct CsvReport<W: Write = Vec<u8>> {
    writer: csv::Writer<W>,
    error: Option<std::io::Error>,
}

impl CsvReport<Vec<u8>> {
    /// A table built in memory.
    pub fn new(header: &[&str]) -> Self {
        Self::on(Vec::new(), header)
    }

    pub fn into_bytes(self) -> Vec<u8> {
        // Writing to a Vec cannot fail.
        self.finish().unwrap_or_default()
    }

    /// Writes the table to `path` atomically.
    pub fn write(self, path: &Path) -> std::io::Result<()> {
        write_atomic(path, &self.into_bytes())
    }
}

impl<W: Write> CsvReport<W> {
    /// A table written to `out` as rows are added: the BOM and `header` first.
    pub fn on(mut out: W, header: &[&str]) -> Self {
        let error = out.write_all(BOM).err();
        let writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(out);
        let mut report = Self { writer, error };
        report.row(header);
        report
    }

    pub fn row<I, S>(&mut self, fields: I)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        if self.error.is_none()
            && let Err(e) = self.writer.write_record(fields)
        {
            self.error = Some(e.into());
        }
    }

    /// Flushes the table and returns its writer, or the first error met on the way.
    pub fn finish(self) -> std::io::Result<W> {
        if let Some(e) = self.error {
            return Err(e);
        }
        self.writer.into_inner().map_err(|e| e.into_error())
    }
}

/// Writes the table `fill` produces on its writer to `path` atomically, row by row.
pub fn write_table_atomic(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> CsvReport<&mut dyn Write>,
) -> std::io::Result<()> {
    write_atomic_with(path, |out| fill(out).finish().map(drop))
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

    #[test]
    fn csv_reports_start_with_a_bom_and_use_crlf() {
        let mut r = CsvReport::new(&["metric", "value"]);
        r.row(["乡镇", "1"]);
        let bytes = r.into_bytes();
        assert!(bytes.starts_with(BOM));
        assert_eq!(&bytes[3..], "metric,value\r\n乡镇,1\r\n".as_bytes());
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

    fn table<W: Write>(out: W, rows: usize) -> CsvReport<W> {
        let mut r = CsvReport::on(out, &["code", "name"]);
        for i in 0..rows {
            r.row([i.to_string(), format!("村{i}")]);
        }
        r
    }

    #[test]
    fn a_streamed_table_has_the_bytes_of_one_built_in_memory() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("villages.csv");
        write_table_atomic(&p, |w| table(w, 50_000)).unwrap();
        assert_eq!(
            std::fs::read(&p).unwrap(),
            table(Vec::new(), 50_000).into_bytes()
        );
    }

    #[test]
    fn a_table_whose_writer_fails_reports_the_first_error_and_keeps_the_previous_file() {
        let failed = table(
            Full {
                room: 100_000,
                taken: Vec::new(),
            },
            50_000,
        )
        .finish();
        assert_eq!(
            failed.err().map(|e| e.to_string()).as_deref(),
            Some("disk full")
        );

        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("villages.csv");
        write_table_atomic(&p, |w| table(w, 10)).unwrap();
        let previous = std::fs::read(&p).unwrap();
        let result = write_table_atomic(&p, |w| {
            let mut r = table(w, 100_000);
            r.error
                .get_or_insert_with(|| std::io::Error::other("disk full"));
            r
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
