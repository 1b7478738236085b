//! A report folder holds one run, and nothing else is ever overwritten.
//!
//! - **Only Jianzhi's own folders.** Before anything is written, a folder is refused that is,
//!   contains or lies inside an input dataset folder, or that holds files other than a
//!   previous run's (those its [`MANIFEST`] lists).
//! - **One run at a time.** A run is written into a fresh folder beside the target
//!   (`.NAME.jianzhi-PID-N`) and put in place in one step: on Linux the two folders are
//!   exchanged atomically (`renameat2(RENAME_EXCHANGE)`), then the previous run is removed.
//!   Killed at any moment, the target holds the previous run whole or the new one whole;
//!   what is left beside it is cleared by the next run.
//! - **A manifest** (`manifest.json`: run id, program, every file with its size) is written
//!   last, so a folder that does not match its manifest ([`verify`]) is known to be mixed.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::Message;
use crate::tr;

/// The file that lists a run's files; written last.
pub const MANIFEST: &str = "manifest.json";

/// Names only Jianzhi's reports have: a folder without a manifest (written by a version before
/// manifests) whose files all have report names and that has one of these is a report folder.
const LEGACY_SIGNATURES: &[&str] = &["about.txt", "summary.csv", "report.xlsx", "briefing.html"];

/// Whether `name` is one a run writes at the top of its folder (for folders without a
/// manifest, written before manifests were).
fn is_report_name(name: &str) -> bool {
    const OTHERS: &[&str] = &[
        "about.txt",
        "scenario.toml",
        "report.xlsx",
        "briefing.html",
        "compare-summary.csv",
        "compare-counties.csv",
        "compare.xlsx",
        "compare.html",
    ];
    const LAYERS: &[&str] = &["townships_new", "villages_new", "seats", "stations"];
    const LAYER_FILES: &[&str] = &["shp", "shx", "dbf", "prj", "cpg", "qmd"];
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
    OTHERS.contains(&name)
        || (ext == "csv"
            && super::run::ReportTable::ALL
                .iter()
                .any(|t| t.name() == stem))
        || (ext == "png" && super::svg::Picture::ALL.iter().any(|p| p.name() == stem))
        || (ext == "geojson"
            && ["townships-new", "villages-new", "seats", "stations"].contains(&stem))
        || (LAYER_FILES.contains(&ext) && LAYERS.contains(&stem))
}

/// The list of a run's files, written last into its folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Unique to the run: when it was made, the process and a counter.
    pub run_id: String,
    /// "Jianzhi 0.1.0".
    pub program: String,
    /// Each file's path inside the folder (`/`-separated) and its size in bytes.
    pub files: BTreeMap<String, u64>,
}

/// Why a folder was not written, or does not hold one whole run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FolderError {
    #[error(
        "{out}: this is the input dataset folder {input} or lies inside it; reports would overwrite or mix with the data. Choose another folder"
    )]
    InsideInput { out: PathBuf, input: PathBuf },
    #[error(
        "{out}: this folder contains the input dataset folder {input}; writing reports here would replace it. Choose another folder"
    )]
    ContainsInput { out: PathBuf, input: PathBuf },
    #[error(
        "{out}: the folder holds files that are not a Jianzhi run ({}); choose an empty folder, or a folder of an earlier run",
        .found.join(", ")
    )]
    Foreign { out: PathBuf, found: Vec<String> },
    #[error("{out}: not a folder")]
    NotAFolder { out: PathBuf },
    #[error("{path}: {message}")]
    Io { path: PathBuf, message: String },
    #[error("{dir}: {problem}; the folder does not hold one whole run")]
    Mixed { dir: PathBuf, problem: String },
}

impl FolderError {
    /// The error in both languages.
    pub fn message(&self) -> Message {
        match self {
            FolderError::InsideInput { out, input } => tr!(
                "{}: this is the input dataset folder {} or lies inside it; reports would overwrite or mix with the data. Choose another folder",
                "{}：这是输入数据集文件夹 {}，或位于其中；报表会覆盖或混入数据。请另选文件夹",
                out.display(),
                input.display()
            ),
            FolderError::ContainsInput { out, input } => tr!(
                "{}: this folder contains the input dataset folder {}; writing reports here would replace it. Choose another folder",
                "{}：此文件夹包含输入数据集文件夹 {}；在此写报表会替换它。请另选文件夹",
                out.display(),
                input.display()
            ),
            FolderError::Foreign { out, found } => tr!(
                "{}: the folder holds files that are not a Jianzhi run ({}); choose an empty folder, or a folder of an earlier run",
                "{}：该文件夹含有不属于建制报表的文件（{}）；请选择空文件夹，或以前导出的报表文件夹",
                out.display(),
                found.join(", ")
            ),
            FolderError::NotAFolder { out } => {
                tr!("{}: not a folder", "{}：不是文件夹", out.display())
            }
            FolderError::Io { path, message } => {
                tr!("{}: {message}", "{}：{message}", path.display())
            }
            FolderError::Mixed { dir, problem } => tr!(
                "{}: {problem}; the folder does not hold one whole run",
                "{}：{problem}；该文件夹不是一次完整的导出",
                dir.display()
            ),
        }
    }
}

fn io_error(path: &Path) -> impl Fn(std::io::Error) -> FolderError + '_ {
    move |e| FolderError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// `path` made absolute with its symbolic links resolved, as far as it exists: the part that
/// does not exist yet is appended as given (without `.` and `..`).
fn resolved(path: &Path) -> PathBuf {
    let absolute =
        lexically_normal(&std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()));
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(real) = existing.canonicalize() {
            let mut out = real;
            for part in rest.iter().rev() {
                out.push(part);
            }
            return out;
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => return absolute,
        }
    }
}

/// `path` without `.` and with each `..` taking the component before it away.
fn lexically_normal(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Checks, before anything is written, that a run may be written into `out`: it is not, does
/// not contain and does not lie inside any of `inputs` (the dataset's folders), and it is
/// absent, empty or the folder of an earlier run.
pub fn check_target(out: &Path, inputs: &[PathBuf]) -> Result<(), FolderError> {
    let target = resolved(out);
    for input in inputs {
        let input = resolved(input);
        if target.starts_with(&input) {
            return Err(FolderError::InsideInput {
                out: out.to_path_buf(),
                input,
            });
        }
        if input.starts_with(&target) {
            return Err(FolderError::ContainsInput {
                out: out.to_path_buf(),
                input,
            });
        }
    }
    if !target.exists() {
        return Ok(());
    }
    if !target.is_dir() {
        return Err(FolderError::NotAFolder {
            out: out.to_path_buf(),
        });
    }
    let foreign = foreign_entries(&target)?;
    if foreign.is_empty() {
        Ok(())
    } else {
        Err(FolderError::Foreign {
            out: out.to_path_buf(),
            found: foreign,
        })
    }
}

/// The entries of `dir` that are not a Jianzhi run's (at most a few, for the message).
fn foreign_entries(dir: &Path) -> Result<Vec<String>, FolderError> {
    let names = entry_names(dir)?;
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let listed: Option<Vec<String>> = read_manifest(dir).ok().map(|m| {
        m.files
            .keys()
            .map(|f| f.split('/').next().unwrap_or(f).to_string())
            .collect()
    });
    let ours = |name: &String| {
        is_temporary(name)
            || name == MANIFEST
            || match &listed {
                Some(listed) => listed.contains(name),
                None => is_report_name(name),
            }
    };
    let legacy_signed = listed.is_some()
        || names
            .iter()
            .any(|n| LEGACY_SIGNATURES.contains(&n.as_str()));
    let mut foreign: Vec<String> = names.iter().filter(|n| !ours(n)).cloned().collect();
    if foreign.is_empty() && !legacy_signed {
        foreign = names;
    }
    foreign.truncate(5);
    Ok(foreign)
}

/// The names in `dir`, sorted.
fn entry_names(dir: &Path) -> Result<Vec<String>, FolderError> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map_err(io_error(dir))?
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    Ok(names)
}

/// A temporary file of an atomic write (`.jianzhi-*.tmp`).
fn is_temporary(name: &str) -> bool {
    name.starts_with(".jianzhi-") && name.ends_with(".tmp")
}

/// Reads a folder's manifest.
pub fn read_manifest(dir: &Path) -> Result<Manifest, FolderError> {
    let path = dir.join(MANIFEST);
    let text = std::fs::read_to_string(&path).map_err(io_error(&path))?;
    serde_json::from_str(&text).map_err(|e| FolderError::Mixed {
        dir: dir.to_path_buf(),
        problem: format!("{MANIFEST} cannot be read ({e})"),
    })
}

/// Checks that `dir` holds exactly the run its manifest lists: every file there with its size,
/// and nothing else (no file of another run, no temporary file).
pub fn verify(dir: &Path) -> Result<Manifest, FolderError> {
    let manifest = read_manifest(dir)?;
    let mut found = BTreeMap::new();
    list_files(dir, dir, &mut found)?;
    found.remove(MANIFEST);
    let mixed = |problem: String| FolderError::Mixed {
        dir: dir.to_path_buf(),
        problem,
    };
    for (file, size) in &manifest.files {
        match found.get(file) {
            None => return Err(mixed(format!("{file} is listed but missing"))),
            Some(s) if s != size => {
                return Err(mixed(format!(
                    "{file} has {s} bytes, the manifest says {size}"
                )));
            }
            Some(_) => {}
        }
    }
    if let Some(extra) = found.keys().find(|f| !manifest.files.contains_key(*f)) {
        return Err(mixed(format!("{extra} is not of this run")));
    }
    Ok(manifest)
}

/// Every file under `dir` with its size, keyed by its `/`-separated path inside `root`.
fn list_files(root: &Path, dir: &Path, out: &mut BTreeMap<String, u64>) -> Result<(), FolderError> {
    for entry in std::fs::read_dir(dir).map_err(io_error(dir))? {
        let entry = entry.map_err(io_error(dir))?;
        let path = entry.path();
        let meta = entry.metadata().map_err(io_error(&path))?;
        if meta.is_dir() {
            list_files(root, &path, out)?;
        } else {
            let inside = path.strip_prefix(root).unwrap_or(&path);
            let key: Vec<String> = inside
                .components()
                .filter_map(|c| match c {
                    Component::Normal(n) => Some(n.to_string_lossy().into_owned()),
                    _ => None,
                })
                .collect();
            out.insert(key.join("/"), meta.len());
        }
    }
    Ok(())
}

/// The prefix of the folders a run of `target` is staged in, beside it.
fn stage_prefix(target: &Path) -> String {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "report".into());
    format!(".{name}.jianzhi-")
}

/// Removes what interrupted runs of `target` left beside it: staged folders whose process
/// is gone.
fn clear_leftovers(target: &Path) {
    let (Some(parent), prefix) = (target.parent(), stage_prefix(target)) else {
        return;
    };
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix(&prefix) else {
            continue;
        };
        let pid = rest.split('-').next().and_then(|p| p.parse::<u32>().ok());
        if pid.is_some_and(|p| p != std::process::id() && process_is_alive(p)) {
            continue;
        }
        let _ = std::fs::remove_dir_all(entry.path());
    }
}

/// Whether process `pid` still runs (Linux: `/proc/PID`; elsewhere assumed gone).
fn process_is_alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

/// A run id: the time, this process and a counter.
fn run_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let now = jiff::ZonedDateTime::now()
        .strftime("%Y%m%dT%H%M%S%.3f")
        .to_string();
    format!(
        "{now}-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// Writes one run into `out`: `write` fills a fresh folder beside it (and returns what it
/// wrote there), the manifest is added, and the folder is put in place of `out` in one step.
/// If `write` fails, or the process dies before the swap, `out` is as it was. Returns `write`'s
/// result with each path under the staged folder moved under `out`.
pub fn write_run<E: From<FolderError>>(
    out: &Path,
    inputs: &[PathBuf],
    write: impl FnOnce(&Path) -> Result<Vec<PathBuf>, E>,
) -> Result<Vec<PathBuf>, E> {
    check_target(out, inputs)?;
    let target = resolved(out);
    let parent = target.parent().map(Path::to_path_buf).unwrap_or_default();
    std::fs::create_dir_all(&parent).map_err(io_error(out))?;
    clear_leftovers(&target);
    let id = run_id();
    let stage = parent.join(format!(
        "{}{}-{}",
        stage_prefix(&target),
        std::process::id(),
        id.rsplit('-').next().unwrap_or("0")
    ));
    std::fs::create_dir(&stage).map_err(io_error(out))?;
    let written = match write(&stage).and_then(|w| {
        finish(&stage, &id)?;
        Ok(w)
    }) {
        Ok(written) => written,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&stage);
            return Err(e);
        }
    };
    put_in_place(&stage, &target)?;
    Ok(written
        .into_iter()
        .map(|p| match p.strip_prefix(&stage) {
            Ok(inside) => out.join(inside),
            Err(_) => p,
        })
        .collect())
}

/// Writes the manifest of the run staged in `stage`.
fn finish(stage: &Path, run_id: &str) -> Result<(), FolderError> {
    let mut files = BTreeMap::new();
    list_files(stage, stage, &mut files)?;
    let manifest = Manifest {
        run_id: run_id.to_string(),
        program: format!("Jianzhi {}", super::meta::VERSION),
        files,
    };
    let text = serde_json::to_string_pretty(&manifest).map_err(|e| FolderError::Io {
        path: stage.join(MANIFEST),
        message: e.to_string(),
    })?;
    let path = stage.join(MANIFEST);
    super::write_atomic(&path, text.as_bytes()).map_err(io_error(&path))
}

/// Puts the staged run in place of `target`: exchanged with the previous run in one step,
/// which is then removed; or renamed, where there was none.
fn put_in_place(stage: &Path, target: &Path) -> Result<(), FolderError> {
    if !target.exists() {
        return std::fs::rename(stage, target).map_err(io_error(target));
    }
    exchange(stage, target).map_err(io_error(target))?;
    // `stage` now holds the previous run; a failure to remove it is cleared next time.
    let _ = std::fs::remove_dir_all(stage);
    Ok(())
}

/// Swaps two folders atomically.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(()),
        // A file system without the exchange: two renames, the previous run kept aside until
        // the new one is in place.
        Err(rustix::io::Errno::INVAL | rustix::io::Errno::NOSYS) => exchange_by_renames(a, b),
        Err(e) => Err(e.into()),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    exchange_by_renames(a, b)
}

/// Swaps two folders by renaming `b` aside, `a` into its place and the old `b` to `a`.
fn exchange_by_renames(a: &Path, b: &Path) -> std::io::Result<()> {
    let aside = a.with_extension("previous");
    std::fs::rename(b, &aside)?;
    if let Err(e) = std::fs::rename(a, b) {
        std::fs::rename(&aside, b)?;
        return Err(e);
    }
    std::fs::rename(&aside, a)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_files(dir: &Path, files: &[(&str, &str)]) -> Result<Vec<PathBuf>, FolderError> {
        files
            .iter()
            .map(|(name, text)| {
                let path = dir.join(name);
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent).map_err(io_error(parent))?;
                }
                std::fs::write(&path, text).map_err(io_error(&path))?;
                Ok(path)
            })
            .collect()
    }

    fn names(dir: &Path) -> Vec<String> {
        entry_names(dir).unwrap()
    }

    #[test]
    fn a_run_replaces_the_previous_one_whole() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("reports");
        let first = write_run(&out, &[], |d| {
            write_files(d, &[("summary.csv", "1"), ("report.xlsx", "x")])
        })
        .unwrap();
        assert_eq!(
            first,
            vec![out.join("summary.csv"), out.join("report.xlsx")]
        );
        let run1 = verify(&out).unwrap();
        write_run(&out, &[], |d| write_files(d, &[("summary.csv", "22")])).unwrap();
        let run2 = verify(&out).unwrap();
        assert_ne!(run1.run_id, run2.run_id);
        // The workbook of the first run is gone with it: the folder is one run.
        assert_eq!(names(&out), vec!["manifest.json", "summary.csv"]);
        assert_eq!(
            std::fs::read_to_string(out.join("summary.csv")).unwrap(),
            "22"
        );
        // Nothing is left beside it.
        assert_eq!(names(root.path()), vec!["reports"]);
    }

    #[test]
    fn a_failed_run_leaves_the_previous_one_and_nothing_beside_it() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("reports");
        write_run(&out, &[], |d| write_files(d, &[("summary.csv", "1")])).unwrap();
        let failed: Result<Vec<PathBuf>, FolderError> = write_run(&out, &[], |d| {
            write_files(d, &[("summary.csv", "2")])?;
            Err(FolderError::NotAFolder { out: d.into() })
        });
        assert!(failed.is_err());
        verify(&out).unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("summary.csv")).unwrap(),
            "1"
        );
        assert_eq!(names(root.path()), vec!["reports"]);
    }

    #[test]
    fn input_folders_and_their_parents_and_children_are_refused() {
        let root = tempfile::tempdir().unwrap();
        let data = root.path().join("data");
        std::fs::create_dir(&data).unwrap();
        std::fs::write(data.join("townships.csv"), "code\n").unwrap();
        let inputs = [data.clone()];
        for (out, inside) in [
            (data.clone(), true),
            (data.join("out"), true),
            (data.join("."), true),
            (root.path().join("x/../data"), true),
            (root.path().to_path_buf(), false),
        ] {
            let e = check_target(&out, &inputs).unwrap_err();
            match (inside, e) {
                (true, FolderError::InsideInput { .. })
                | (false, FolderError::ContainsInput { .. }) => {}
                (_, other) => panic!("{}: {other}", out.display()),
            }
        }
        check_target(&root.path().join("reports"), &inputs).unwrap();
        assert_eq!(names(&data), vec!["townships.csv"]);
    }

    #[test]
    fn a_folder_with_other_files_is_refused_and_named() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("mine");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("notes.docx"), "x").unwrap();
        let e = check_target(&out, &[]).unwrap_err();
        assert!(matches!(&e, FolderError::Foreign { found, .. } if found == &["notes.docx"]));
        assert!(e.message().zh.contains("notes.docx"), "{}", e.message().zh);
        // A file added to a run's folder is not the run's either.
        let run = root.path().join("run");
        write_run(&run, &[], |d| write_files(d, &[("summary.csv", "1")])).unwrap();
        std::fs::write(run.join("mine.txt"), "keep").unwrap();
        assert!(matches!(
            check_target(&run, &[]),
            Err(FolderError::Foreign { .. })
        ));
        // A dataset folder's tables have report names, but no report's signature.
        let data = root.path().join("other-data");
        std::fs::create_dir(&data).unwrap();
        std::fs::write(data.join("townships.csv"), "code\n").unwrap();
        std::fs::write(data.join("villages.csv"), "code\n").unwrap();
        assert!(matches!(
            check_target(&data, &[]),
            Err(FolderError::Foreign { .. })
        ));
        // An earlier version's report folder (no manifest) is taken.
        let legacy = root.path().join("legacy");
        std::fs::create_dir(&legacy).unwrap();
        for name in ["summary.csv", "townships.csv", "about.txt"] {
            std::fs::write(legacy.join(name), "x").unwrap();
        }
        check_target(&legacy, &[]).unwrap();
    }

    #[test]
    fn a_mixed_folder_is_found() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("reports");
        write_run(&out, &[], |d| {
            write_files(d, &[("summary.csv", "1"), ("a/b.csv", "22")])
        })
        .unwrap();
        assert_eq!(verify(&out).unwrap().files.len(), 2);
        std::fs::write(out.join("a/b.csv"), "333").unwrap();
        assert!(verify(&out).unwrap_err().to_string().contains("a/b.csv"));
        std::fs::write(out.join("a/b.csv"), "22").unwrap();
        std::fs::write(out.join("stray.png"), "").unwrap();
        assert!(verify(&out).unwrap_err().to_string().contains("stray.png"));
    }

    #[test]
    fn leftovers_of_a_dead_run_are_cleared() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("reports");
        // A pid that cannot be running.
        let left = root.path().join(".reports.jianzhi-4294967295-7");
        std::fs::create_dir(&left).unwrap();
        std::fs::write(left.join("summary.csv"), "old").unwrap();
        write_run(&out, &[], |d| write_files(d, &[("summary.csv", "1")])).unwrap();
        assert_eq!(names(root.path()), vec!["reports"]);
    }
}
