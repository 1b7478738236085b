//! Writing a file whole: into a temporary file in the same folder, flushed to disk, then
//! renamed over the target, so an interrupted write never leaves a half-written file and the
//! previous version survives.

use std::io::Write;
use std::path::Path;

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

/// Makes `path` atomically with `make`, which writes a whole file at the path it is given (a
/// database, for instance): a temporary path in the same folder, flushed to disk, then renamed
/// over the target. If `make` fails, the previous file is untouched and the temporary removed.
pub fn make_atomic(
    path: &Path,
    make: impl FnOnce(&Path) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let tmp = tempfile::Builder::new()
        .prefix(".jianzhi-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    make(tmp.path())?;
    let file = std::fs::OpenOptions::new().read(true).open(tmp.path())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    file.sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
