//! Where the built-in demo dataset and the scenario presets are found.

use std::path::{Path, PathBuf};

/// The built-in demo dataset's folder: `JIANZHI_DATA` if set, else `data/sichuan` of the
/// source tree the binary was built from.
pub fn demo_dir() -> PathBuf {
    std::env::var_os("JIANZHI_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sichuan"))
}

/// The folder of the built-in scenario presets.
pub fn presets_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/presets")
}

/// The built-in presets as (name, path), sorted with `sichuan-2019` first.
pub fn presets() -> Vec<(String, PathBuf)> {
    let mut presets: Vec<(String, PathBuf)> = std::fs::read_dir(presets_dir())
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .filter_map(|p| Some((p.file_stem()?.to_string_lossy().into_owned(), p)))
        .collect();
    presets.sort_by_key(|(n, _)| (n != "sichuan-2019", n.clone()));
    presets
}

/// A scenario path, or the name of a built-in preset (`sichuan-2019`).
pub fn scenario_path(arg: &Path) -> PathBuf {
    if arg.exists() {
        return arg.to_path_buf();
    }
    let preset = presets_dir().join(arg).with_extension("toml");
    if preset.exists() {
        preset
    } else {
        arg.to_path_buf()
    }
}
