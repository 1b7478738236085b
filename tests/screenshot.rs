//! `jianzhi --screenshot PATH` renders the real window (eframe, wgpu) to a PNG. Under Xvfb in
//! CI; skipped where no X server can be started and CI is not set.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use std::process::Command;

fn have(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn the_window_renders_to_a_png_that_is_not_blank() {
    if !have("xvfb-run") {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install xvfb (see .ci/install-deps)"
        );
        eprintln!("skipped: xvfb-run is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("window.png");
    let runtime = dir.path().join("runtime");
    std::fs::create_dir_all(&runtime).unwrap();
    let output = Command::new("xvfb-run")
        .args(["-a", "-s", "-screen 0 1600x1000x24"])
        .arg(env!("CARGO_BIN_EXE_jianzhi"))
        .arg("--screenshot")
        .arg(&png)
        .env("XDG_RUNTIME_DIR", &runtime)
        .env("JIANZHI_STATE_DIR", dir.path().join("state"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let image = image::open(&png).unwrap().to_rgba8();
    assert!(
        image.width() >= 1000 && image.height() >= 600,
        "{}x{}",
        image.width(),
        image.height()
    );
    // Not blank: many distinct colours (text, charts, panels), not one flat fill.
    let mut colours: Vec<[u8; 4]> = image.pixels().step_by(7).map(|p| p.0).collect();
    colours.sort_unstable();
    colours.dedup();
    assert!(
        colours.len() > 50,
        "only {} distinct colours",
        colours.len()
    );
}
