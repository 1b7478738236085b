//! Nothing is lost when the process dies: the app is killed with SIGKILL (no exit hook runs)
//! and the next start recovers the autosaved scenario; the CLI is killed at random moments
//! while it writes its reports over a previous run, and the folder always holds one whole run.

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
    while Saved::restore(state_dir)
        .saved
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
        .filter(|p| {
            let name = p.file_name().unwrap();
            name != STATE_FILE && name != jianzhi::app::state::BACKUP_FILE
        })
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

fn run_cli(scenario: &str, out: &Path) -> std::process::Child {
    Process::new(env!("CARGO_BIN_EXE_jianzhi"))
        .args(["run", "--formats", "all", "--scenario", scenario, "--out"])
        .arg(out)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// The folder holds one whole run: exactly the files its manifest lists, with their sizes;
/// its scenario is one of `scenarios`; every Shapefile layer has its five files. Returns the
/// run's id.
fn one_whole_run(out: &Path, scenarios: &[&[u8]]) -> String {
    let manifest =
        jianzhi::report::folder::verify(out).unwrap_or_else(|e| panic!("not one whole run: {e}"));
    let scenario = std::fs::read(out.join("scenario.toml")).unwrap();
    assert!(scenarios.contains(&scenario.as_slice()), "a third scenario");
    for layer in ["townships_new", "seats", "stations"] {
        for ext in ["shp", "shx", "dbf", "prj", "cpg"] {
            let file = format!("{layer}.{ext}");
            assert!(manifest.files.contains_key(&file), "{file} is missing");
        }
    }
    manifest.run_id
}

/// `run --formats all` over a previous run, killed with SIGKILL at random moments: each time
/// the folder holds the previous run whole or the new one whole (never a mix, never a file
/// cut short), and the next run clears what the killed ones left beside it.
#[test]
fn a_run_killed_at_any_moment_leaves_one_whole_run() {
    use rand::{RngExt, SeedableRng};
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("reports");
    // The previous run, and how long a whole run takes on this machine.
    let started = Instant::now();
    assert!(run_cli("conservative", &out).wait().unwrap().success());
    let whole_run = started.elapsed();
    let previous_scenario = std::fs::read(out.join("scenario.toml")).unwrap();
    let previous = one_whole_run(&out, &[&previous_scenario]);

    let reference = dir.path().join("reference");
    assert!(
        run_cli("sichuan-2019", &reference)
            .wait()
            .unwrap()
            .success()
    );
    let new_scenario = std::fs::read(reference.join("scenario.toml")).unwrap();
    let scenarios: [&[u8]; 2] = [&previous_scenario, &new_scenario];

    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(30);
    let (mut kept_previous, mut became_new) = (0, 0);
    let mut last = previous.clone();
    for _ in 0..30 {
        let mut child = run_cli("sichuan-2019", &out);
        let at = whole_run.mul_f64(rng.random_range(0.0..1.5));
        std::thread::sleep(at);
        let _ = child.kill();
        child.wait().unwrap();
        let now = one_whole_run(&out, &scenarios);
        if now == last {
            kept_previous += 1;
        } else {
            became_new += 1;
            assert_eq!(
                std::fs::read(out.join("scenario.toml")).unwrap(),
                new_scenario
            );
        }
        last = now;
    }
    // The kills landed both before a run was in place and after.
    assert!(
        kept_previous > 0 && became_new > 0,
        "{kept_previous} {became_new}"
    );

    // A run to its end clears what the killed runs left beside the folder.
    assert!(run_cli("sichuan-2019", &out).wait().unwrap().success());
    one_whole_run(&out, &[&new_scenario]);
    let mut beside: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    beside.sort();
    assert_eq!(beside, ["reference", "reports"]);
}
