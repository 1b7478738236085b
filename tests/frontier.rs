//! The trade-off frontier (`jianzhi frontier`): units never rise as the target rises, and any
//! point's figures are those of a separate run at that target.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;

use jianzhi::frontier::{Point, Sweep, at_target, sweep};
use jianzhi::progress::Progress;
use jianzhi::scenario::{LevelName, TargetPer};

fn demo_sweep(target_per: TargetPer) -> (jianzhi::scenario::Scenario, Vec<Point>) {
    let ws = common::demo_workspace();
    let mut scenario = common::preset("sichuan-2019");
    scenario.townships.target_per = target_per;
    scenario.villages.target_per = target_per;
    let range = Sweep {
        from: 0.0,
        to: 60.0,
        step: 5.0,
        ..Sweep::default()
    };
    let points = sweep(&ws, &scenario, &range, &Progress::new()).unwrap();
    (scenario, points)
}

#[test]
fn units_never_rise_as_the_target_rises_and_each_point_is_a_separate_run() {
    for target_per in [TargetPer::County, TargetPer::Province] {
        let (scenario, points) = demo_sweep(target_per);
        assert_eq!(points.len(), 2 * 13);
        for level in [LevelName::Townships, LevelName::Villages] {
            let of_level: Vec<&Point> = points.iter().filter(|p| p.level == level).collect();
            assert_eq!(of_level.len(), 13);
            assert_eq!(of_level[0].target_pct, 0.0);
            assert_eq!(of_level[12].target_pct, 60.0);
            for pair in of_level.windows(2) {
                assert!(
                    pair[1].units_after <= pair[0].units_after,
                    "{target_per:?} {level:?}: {} units at {} %, {} at {} %",
                    pair[0].units_after,
                    pair[0].target_pct,
                    pair[1].units_after,
                    pair[1].target_pct
                );
            }
            // The sweep cuts: 60 % leaves fewer units than none.
            assert!(of_level[12].units_after < of_level[0].units_after);
        }
        // Two points, each against a run of its own from scratch.
        let ws = common::demo_workspace();
        for (level, k) in [(LevelName::Townships, 7), (LevelName::Villages, 9)] {
            let point = points.iter().filter(|p| p.level == level).nth(k).unwrap();
            let alone = ws
                .analyse(&at_target(&scenario, level, point.target_pct))
                .unwrap();
            assert_eq!(*point, Point::of(&alone, level, point.target_pct));
        }
    }
}

#[test]
fn a_sweep_with_a_bad_range_is_refused_before_any_run() {
    let ws = common::demo_workspace();
    let scenario = common::preset("sichuan-2019");
    for (from, to, step) in [(10.0, 5.0, 1.0), (0.0, 60.0, 0.0), (0.0, 120.0, 1.0)] {
        let range = Sweep {
            from,
            to,
            step,
            ..Sweep::default()
        };
        assert!(sweep(&ws, &scenario, &range, &Progress::new()).is_err());
    }
    let full = Sweep::default().targets().unwrap();
    assert_eq!(full.len(), 61);
    assert_eq!(full[60], 60.0);
}

#[test]
fn frontier_writes_one_row_per_point_with_the_columns_it_promises() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_jianzhi"))
        .args([
            "frontier",
            "--scenario",
            "sichuan-2019",
            "--level",
            "townships",
            "--from",
            "30",
            "--to",
            "40",
            "--step",
            "5",
            "--out",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(dir.path().join("frontier.csv")).unwrap();
    let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(
        lines[0],
        "level,target_pct,units_after,mean_seat_distance_km,share_beyond_radius,stations,max_county_cut_pct,target_met"
    );
    let targets: Vec<&str> = lines[1..]
        .iter()
        .map(|l| l.split(',').nth(1).unwrap())
        .collect();
    assert_eq!(targets, ["30", "35", "40"]);
    assert!(lines[1..].iter().all(|l| l.starts_with("townships,")));
}
