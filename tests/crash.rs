//! Nothing is lost when the process dies: the app is killed with SIGKILL (no exit hook runs)
//! and the next start recovers the autosaved scenario; the CLI is killed while it writes its
//! reports and every report left behind is a whole file, the previous one or the new one.

#![cfg(unix)]
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command as Process, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use jianzhi::app::state::{STATE_FILE, Saved};
use jianzhi::app::{Command, JianzhiApp, Launch};
use jianzhi::scenario::Scenario;
use jianzhi::workspace::Workspace;

/// Set in the child process that plays the app to be killed.
const CHILD: &str = "JIANZHI_CRASH_CHILD_STATE";
const SAVED_TARGET: f64 = 27.0;
const UNSAVED_TARGET: f64 = 33.0;

fn app(state_dir: &Path) -> Harness<'static, JianzhiApp> {
    let workspace = Arc::new(Workspace::new(common::demo().clone()));
    let launch = Launch {
        state_dir: Some(state_dir.to_path_buf()),
        screenshot: None,
        focus: None,
        ..Launch::default()
    };
    let mut app = JianzhiApp::new(None, workspace, launch);
    assert!(app.wait_for_analysis(Duration::from_secs(60)));
    Harness::builder()
        .with_size([1600.0, 1000.0])
        .build_ui_state(|ui, app: &mut JianzhiApp| app.frame(ui), app)
}

fn with_township_target(scenario: &Scenario, pct: f64) -> Box<Scenario> {
    let mut edited = scenario.clone();
    edited.townships.target_reduction_pct = Some(pct);
    Box::new(edited)
}

/// The child: edits the scenario and draws frames until the autosave has it, says so, makes
/// a second edit and stops drawing (so that edit is never autosaved), then waits to be killed.
fn play_the_app_to_be_killed(state_dir: &Path) {
    let mut harness = app(state_dir);
    let scenario = harness.state().state.scenario().clone();
    harness.state_mut().apply(Command::EditScenario {
        scenario: with_township_target(&scenario, SAVED_TARGET),
        coalesce: false,
    });
    let started = Instant::now();
    while Saved::read(state_dir)
        .ok()
        .flatten()
        .and_then(|s| s.scenarios[s.active].townships.target_reduction_pct)
        != Some(SAVED_TARGET)
    {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "never autosaved"
        );
        harness.step();
        std::thread::sleep(Duration::from_millis(50));
    }
    println!("AUTOSAVED");
    harness.state_mut().apply(Command::EditScenario {
        scenario: with_township_target(&scenario, UNSAVED_TARGET),
        coalesce: false,
    });
    println!("EDITED AGAIN");
    loop {
        std::thread::sleep(Duration::from_secs(1));
    }
}

#[test]
fn the_autosaved_scenario_survives_a_kill() {
    if let Some(state_dir) = std::env::var_os(CHILD) {
        play_the_app_to_be_killed(Path::new(&state_dir));
        return;
    }
    let state = tempfile::tempdir().unwrap();
    let mut child = Process::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "the_autosaved_scenario_survives_a_kill",
            "--nocapture",
        ])
        .env(CHILD, state.path())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let mut said = Vec::new();
    for line in stdout.lines() {
        let line = line.unwrap();
        if line == "AUTOSAVED" || line == "EDITED AGAIN" {
            said.push(line.clone());
        }
        if line == "EDITED AGAIN" {
            break;
        }
    }
    assert_eq!(said, ["AUTOSAVED", "EDITED AGAIN"], "the child app failed");
    child.kill().unwrap(); // SIGKILL: no exit hook, no destructor
    let status = child.wait().unwrap();
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(status.signal(), Some(9));

    // The next start opens on the autosaved scenario (the edit after it was never saved).
    let harness = app(state.path());
    let recovered = harness.state().state.scenario();
    assert_eq!(recovered.townships.target_reduction_pct, Some(SAVED_TARGET));
    let leftovers: Vec<PathBuf> = std::fs::read_dir(state.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap() != STATE_FILE)
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// The report files of a finished `jianzhi run`, by name (`about.txt` apart: it records the
/// time it was made, so no two runs write the same one).
fn reports(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !p.file_name().unwrap().to_string_lossy().starts_with('.'))
        .filter(|p| p.file_name().unwrap() != "about.txt")
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

fn run_cli(scenario: &str, out: &Path) -> std::process::Child {
    Process::new(env!("CARGO_BIN_EXE_jianzhi"))
        .args(["run", "--scenario", scenario, "--out"])
        .arg(out)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

#[test]
fn a_killed_export_leaves_whole_files() {
    let dir = tempfile::tempdir().unwrap();
    // The whole reports of two scenarios, each written once without interruption.
    let (old_dir, new_dir, out) = (
        dir.path().join("old"),
        dir.path().join("new"),
        dir.path().join("out"),
    );
    for (scenario, to) in [("conservative", &old_dir), ("sichuan-2019", &new_dir)] {
        assert!(run_cli(scenario, to).wait().unwrap().success());
    }
    let (old, new) = (reports(&old_dir), reports(&new_dir));
    assert_eq!(old.len(), 10);
    assert!(old_dir.join("about.txt").exists());

    // Export the new scenario over the old reports, killing the process as soon as a
    // temporary file shows that it is writing; a few times, to land at different files.
    let mut kills_while_writing = 0;
    for _ in 0..4 {
        if out.exists() {
            std::fs::remove_dir_all(&out).unwrap();
        }
        std::fs::create_dir_all(&out).unwrap();
        for (name, bytes) in &old {
            std::fs::write(out.join(name), bytes).unwrap();
        }
        let mut child = run_cli("sichuan-2019", &out);
        let started = Instant::now();
        loop {
            let writing = std::fs::read_dir(&out).unwrap().any(|e| {
                e.unwrap()
                    .file_name()
                    .to_string_lossy()
                    .starts_with(".jianzhi-")
            });
            if writing {
                child.kill().unwrap();
                kills_while_writing += 1;
                break;
            }
            if child.try_wait().unwrap().is_some() {
                break; // finished before a temporary file was seen
            }
            assert!(started.elapsed() < Duration::from_secs(120));
        }
        child.wait().unwrap();
        // Every report is the old one or the new one, byte for byte; none is cut short.
        let left = reports(&out);
        assert_eq!(left.len(), old.len());
        for ((name, bytes), ((_, was), (_, will))) in left.iter().zip(old.iter().zip(&new)) {
            assert!(
                bytes == was || bytes == will,
                "{name} is neither the previous nor the new report ({} bytes)",
                bytes.len()
            );
        }
    }
    assert!(kills_while_writing > 0, "no kill landed while writing");
}
