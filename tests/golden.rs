//! Golden reports: `jianzhi run` on a hand-made dataset (`tests/data/golden/`), every report
//! compared byte for byte with files whose figures were worked out by hand, as below — not
//! copied from the program's output.
//!
//! # The dataset
//! One county (甲县 of 甲市), three townships on the meridian 104°E, and six villages:
//!
//! | township | seat lat | km² | registered | resident | villages (lat, km², resident, registered) |
//! |---|---|---|---|---|---|
//! | 甲镇 town | 30.00 | 100 | 20,000 | 18,000 | 甲镇社区 community (30.00, 10, 8,000, 9,000); 一村 (30.035, 40, 5,000, 6,000); 二村 (29.97, 50, 5,000, 5,000) |
//! | 乙乡 | 30.10 | 60 | 6,000 | 5,000 | 三村 (30.10, 30, 3,000, 3,500); 四村 (30.16, 30, 2,000, 2,500) |
//! | 丙乡 | 30.25 | 80 | 8,000 | 7,000 | 五村 (30.25, 80, 7,000, 8,000) |
//!
//! Without boundaries, neighbours are the Delaunay edges of points on one line: 甲–乙–丙 for
//! townships, 二–社区–一–三–四–五 for villages. On one meridian the distance is R·Δφ with
//! R = 6,371.0088 km: 0.035° = 3.892 km, 0.03° = 3.336, 0.06° = 6.672, 0.1° = 11.120,
//! 0.16° = 17.791, 0.15° = 16.679, 0.25° = 27.799.
//!
//! # The scenario (`scenario.toml`)
//! - Hand edit 1, merge 甲镇 and 丙乡: refused, "the units are not adjacent" (乙 lies between).
//! - Hand edit 2, name 甲镇's new unit 新甲镇: holds.
//! - Townships below 10,000 registered are candidates: 乙 (ratio 0.6) then 丙 (0.8). 乙 may
//!   join 甲 (seat 甲, the larger population; farthest member 11.120 km) or 丙 (seat 丙;
//!   16.679 km): the more compact, 甲. Then 丙 may only join {甲, 乙}, whose seat 甲 is
//!   27.799 km away, over the 15 km cap: blocked (max_seat_distance 1). One merge; no target.
//! - Villages below 4,000 residents are candidates: 四 (0.5) then 三 (0.75). 四's neighbours are
//!   三 (same new township) and 五 (丙, another): it joins 三, seat 三 (3,000 > 2,000), 6.672 km
//!   within the 8 km cap; {三, 四} has 5,000 residents and is done. 社区 is exempt. One merge.
//!
//! # The figures
//! - Regular townships 3 → 2 (−33.333%); towns 1 → 1; 乡 2 → 1 (−50%). Villages 5 → 4 (−20%);
//!   communities 1 → 1.
//! - Township area: mean 240/3 = 80 → 240/2 = 120 (+50%); median 80 → (160+80)/2 = 120.
//!   Registered: 34,000/3 = 11,333.333 → 34,000/2 = 17,000 (+50.000, not exactly 50 in
//!   floating point); resident 30,000/3 = 10,000 → 15,000 (+50%).
//! - Village area: 230/5 = 46 → (40+50+60+80)/4 = 57.5 (+25%); median 40 → (50+60)/2 = 55
//!   (+37.5%). Residents 22,000/5 = 4,400 → 22,000/4 = 5,500; registered 25,000/5 = 5,000 →
//!   6,250. Community residents 8,000 → 8,000.
//! - Distances (people-weighted, 30,000 people): before, 一 3.892 (5,000), 二 3.336 (5,000), 四
//!   6.672 to 乙 (2,000), the rest 0: mean (19,459 + 16,679 + 13,343)/30,000 = 1.649. After,
//!   三 is 11.120 from 甲 (3,000) and 四 17.791 (2,000): mean (19,459 + 16,679 + 33,359 +
//!   35,582)/30,000 = 3.503 (+112.36%). Median 0 both (18,000 and 15,000 people at 0 km).
//!   p90 (27,000 people): before 一 at 3.892, after 三 at 11.120. Max 6.672 → 17.791.
//! - Shares within 5/10/15/20/30 km: before 28,000/30,000 = 0.933 then 1; after 25,000 = 0.833,
//!   0.833, 28,000 = 0.933, 1, 1. Beyond 15 km after: 四, 2,000 people.
//! - Stations: every former seat, so 乙 is one; 三 (0 km) and 四 (6.672) are nearer it than 甲:
//!   with stations every trip is as before (mean 1.649, p90 3.892). 5,000 people use the
//!   station.
//! - New village seats: only 四 moves, 6.672 km to 三: mean 2,000 × 6.672/30,000 = 0.445.
//! - Staff (45 a township, 5 a village, 4 a station): 3·45 + 5·5 = 160 → 2·45 + 4·5 + 4 = 114
//!   (−28.75%); cost × 80,000 yuan: 12,800,000 → 9,120,000.
//! - Coverage curve (share within d km): before 18,000/30,000 = 0.6 to 3 km, 0.933 from 4 km
//!   (二 3.336, 一 3.892), 1 from 7 km; after 0.5 to 3, 0.833 from 4 to 11, 0.933 from 12 to 17,
//!   1 from 18.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use std::path::Path;
use std::process::Command;

fn golden() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/golden"))
}

#[test]
fn the_run_reports_of_the_golden_dataset_are_the_hand_worked_ones() {
    let out = tempfile::tempdir().unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_jianzhi"))
        .args(["run", "--scenario"])
        .arg(golden().join("scenario.toml"))
        .arg("--data")
        .arg(golden())
        .arg("--out")
        .arg(out.path())
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let stdout = String::from_utf8_lossy(&status.stdout);
    assert!(
        stdout.contains("hand edits: 2 (1 hold, 1 do not)")
            && stdout.contains("edit 1 (townships, merge): the units are not adjacent"),
        "{stdout}"
    );
    for name in [
        "summary.csv",
        "counties.csv",
        "townships.csv",
        "villages.csv",
        "outcome.csv",
        "coverage.csv",
        "edits.csv",
    ] {
        let expected = std::fs::read_to_string(golden().join("expected").join(name)).unwrap();
        let actual = std::fs::read_to_string(out.path().join(name)).unwrap();
        // Line by line, so a difference names its row.
        for (k, (e, a)) in expected.lines().zip(actual.lines()).enumerate() {
            assert_eq!(a, e, "{name}, line {}", k + 1);
        }
        assert_eq!(actual, expected, "{name}");
    }
    // The scenario as applied reads back as the one given.
    let given = jianzhi::scenario::Scenario::read(&golden().join("scenario.toml")).unwrap();
    let applied = jianzhi::scenario::Scenario::read(&out.path().join("scenario.toml")).unwrap();
    assert_eq!(applied, given);
}
