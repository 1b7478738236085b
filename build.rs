//! Build-time work:
//! - the built-in demo dataset and the scenario presets are compressed into the binary
//!   (`OUT_DIR/builtin.rs`, read by `src/builtin.rs`), so a binary copied elsewhere opens them;
//! - whether an X virtual framebuffer is there to run the real window under. Without one (and
//!   outside CI, which must have it), the window tests are compiled as ignored, with the
//!   reason, so `cargo test` says they were skipped.

use std::io::Write;
use std::path::{Path, PathBuf};

/// The demo dataset's files (not its `sources/`, which only regenerate it).
const DEMO_FILES: &[&str] = &[
    "dataset.toml",
    "counties.csv",
    "counties.geojson",
    "townships.csv",
    "townships.geojson",
    "villages.csv",
    "dem.asc",
    "validation/townships_2023.csv",
    "validation/villages_2023.csv",
];

/// The national sources (every province but Sichuan), modelled on first use.
const NATIONAL_FILES: &[&str] = &[
    "counties_2023.csv",
    "counties_2023.geojson.gz",
    "townships_2023.csv.gz",
    "villages_2023.csv.gz",
    "dem.asc.gz",
    "province_population_2020.csv",
];

fn main() {
    println!("cargo::rustc-check-cfg=cfg(no_xvfb)");
    println!("cargo::rerun-if-env-changed=PATH");
    println!("cargo::rerun-if-env-changed=CI");
    let found = std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join("xvfb-run").is_file()));
    if !found && std::env::var_os("CI").is_none() {
        println!("cargo::rustc-cfg=no_xvfb");
    }
    embed_builtin();
}

/// Compresses the demo dataset and the presets into `OUT_DIR` and writes `builtin.rs`, a
/// table of (path inside the bundle, gzip bytes).
fn embed_builtin() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let bundle = out.join("builtin");
    std::fs::create_dir_all(&bundle).expect("OUT_DIR is writable");
    let mut files: Vec<(String, PathBuf)> = DEMO_FILES
        .iter()
        .map(|f| (format!("sichuan/{f}"), Path::new("data/sichuan").join(f)))
        .collect();
    // The national sources, as they are (the bundle gzips them once more, unpacking undoes it).
    for f in NATIONAL_FILES {
        files.push((format!("china/{f}"), Path::new("data/china").join(f)));
    }
    println!("cargo::rerun-if-changed=data/presets");
    let mut presets: Vec<PathBuf> = std::fs::read_dir("data/presets")
        .expect("data/presets is there")
        .map(|e| e.expect("data/presets is readable").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    presets.sort();
    for p in presets {
        let name = p
            .file_name()
            .expect("a file")
            .to_string_lossy()
            .into_owned();
        files.push((format!("presets/{name}"), p));
    }
    let mut table = String::from("&[\n");
    for (inside, source) in &files {
        println!("cargo::rerun-if-changed={}", source.display());
        let bytes = std::fs::read(source).unwrap_or_else(|e| panic!("{}: {e}", source.display()));
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&bytes).expect("compressing in memory");
        let packed = bundle.join(inside.replace('/', "__") + ".gz");
        std::fs::write(&packed, gz.finish().expect("compressing in memory"))
            .expect("OUT_DIR is writable");
        table.push_str(&format!(
            "    ({inside:?}, include_bytes!({:?})),\n",
            packed.display().to_string()
        ));
    }
    table.push(']');
    std::fs::write(out.join("builtin.rs"), table).expect("OUT_DIR is writable");
}
