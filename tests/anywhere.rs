//! The binary alone: copied into an empty folder, with an empty home and the source tree out
//! of reach, it opens the built-in demo and presets from what is embedded in it.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use std::path::Path;
use std::process::{Command, Output};

/// Runs `bin args…` in `work` with only `HOME` and `PATH` set (and the XDG folders set empty,
/// as some desktops leave them, which must be ignored). Where the system allows (root
/// and `unshare`, as on CI), the source tree is hidden under an empty tmpfs in a private mount
/// namespace, so a read of it would fail; returns whether it was hidden.
fn run_alone(bin: &Path, work: &Path, home: &Path, args: &[&str]) -> (Output, bool) {
    let alone = |command: &mut Command| {
        command
            .current_dir(work)
            .env_clear()
            .env("HOME", home)
            .env("XDG_CACHE_HOME", "")
            .env("XDG_CONFIG_HOME", "")
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .output()
    };
    let source = env!("CARGO_MANIFEST_DIR");
    let hidden = alone(
        Command::new("unshare")
            .args(["--mount", "sh", "-c"])
            .arg(r#"mount -t tmpfs none "$0" && test ! -e "$0/Cargo.toml" && exec "$@""#)
            .arg(source)
            .arg(bin)
            .args(args),
    );
    match hidden {
        Ok(output) if output.status.code() != Some(32) && !is_mount_refusal(&output) => {
            (output, true)
        }
        _ => (alone(Command::new(bin).args(args)).unwrap(), false),
    }
}

/// `unshare` or `mount` refused (no privilege in this sandbox).
fn is_mount_refusal(output: &Output) -> bool {
    let stderr = String::from_utf8_lossy(&output.stderr);
    stderr.contains("unshare failed")
        || stderr.contains("mount:")
        || stderr.contains("permission denied")
}

#[test]
fn the_binary_alone_runs_the_demo_and_a_preset_from_an_empty_folder() {
    let dir = tempfile::tempdir().unwrap();
    let (bin_dir, home, work) = (
        dir.path().join("bin"),
        dir.path().join("home"),
        dir.path().join("work"),
    );
    for d in [&bin_dir, &home, &work] {
        std::fs::create_dir_all(d).unwrap();
    }
    let bin = bin_dir.join("jianzhi");
    std::fs::copy(env!("CARGO_BIN_EXE_jianzhi"), &bin).unwrap();

    let (output, hidden) = run_alone(
        &bin,
        &work,
        &home,
        &["run", "--scenario", "sichuan-2019", "--out", "out"],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "hidden {hidden}: {stderr}");
    println!("source tree hidden: {hidden}");
    // The bundle went to the home's cache, and the working folder holds only the reports.
    assert!(home.join(".cache/jianzhi").is_dir());
    let made: Vec<String> = std::fs::read_dir(&work)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(made, ["out"]);

    // The same reports as from the source tree's data and preset.
    let reference = dir.path().join("reference");
    let done = Command::new(env!("CARGO_BIN_EXE_jianzhi"))
        .args(["run", "--scenario"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("data/presets/sichuan-2019.toml"))
        .arg("--out")
        .arg(&reference)
        .env(
            "JIANZHI_DATA",
            Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sichuan"),
        )
        .output()
        .unwrap();
    assert!(done.status.success());
    for report in ["summary.csv", "counties.csv", "townships.csv"] {
        assert!(
            std::fs::read(work.join("out").join(report)).unwrap()
                == std::fs::read(reference.join(report)).unwrap(),
            "{report} differs"
        );
    }
    // Unpacked once into the (empty) home's cache folder.
    let cache = home.join(".cache/jianzhi");
    let bundles: Vec<_> = std::fs::read_dir(&cache).unwrap().flatten().collect();
    assert_eq!(bundles.len(), 1, "{bundles:?}");
    assert!(bundles[0].path().join("sichuan/villages.csv").is_file());

    // The version names the data sources and the licences.
    let (output, _) = run_alone(&bin, &work, &home, &["--version"]);
    let version = String::from_utf8_lossy(&output.stdout);
    assert!(version.contains(env!("CARGO_PKG_VERSION")), "{version}");
    assert!(
        version.contains("National Bureau of Statistics"),
        "{version}"
    );
    assert!(version.contains("WenQuanYi"), "{version}");
}

#[test]
fn a_users_preset_in_the_config_folder_is_found_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    std::fs::create_dir_all(config.join("presets")).unwrap();
    let mine = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("data/presets/conservative.toml"),
    )
    .unwrap()
    .replace("target_reduction_pct = 16", "target_reduction_pct = 11");
    assert!(mine.contains("= 11"), "the preset changed: {mine}");
    std::fs::write(config.join("presets/county-office.toml"), mine).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_jianzhi"))
        .args(["run", "--scenario", "county-office", "--out"])
        .arg(dir.path().join("out"))
        .env("JIANZHI_STATE_DIR", &config)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    // The user's 11% target, not the built-in preset's 16%.
    let townships: Vec<&str> = stdout
        .lines()
        .find(|l| l.starts_with("townships "))
        .unwrap()
        .split_whitespace()
        .collect();
    assert_eq!(townships[3], "-11", "{stdout}");
}
