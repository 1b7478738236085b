//! The trade-off frontier: one level's target swept from one cut to another, every other rule
//! kept, with what each point costs in service. Each point is the analysis of the scenario at
//! that target, taken after the previous point's, so the partitions whose inputs did not
//! change are not run again (a province-wide target runs none: each point is a longer cut
//! of the same recorded runs).

use std::sync::Arc;

use crate::error::Message;
use crate::progress::{Progress, Step};
use crate::scenario::{LevelName, PlanError, Scenario};
use crate::table::{Cell, Column, TableWriter, Term};
use crate::workspace::{Analysis, Workspace};

/// Which targets to sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct Sweep {
    pub levels: Vec<LevelName>,
    /// Percent cut of the first and last points, and between points.
    pub from: f64,
    pub to: f64,
    pub step: f64,
}

impl Default for Sweep {
    fn default() -> Self {
        Self {
            levels: vec![LevelName::Townships, LevelName::Villages],
            from: 0.0,
            to: 60.0,
            step: 1.0,
        }
    }
}

impl Sweep {
    /// The targets swept, in order (the last one `to` itself, within rounding).
    pub fn targets(&self) -> Result<Vec<f64>, Message> {
        let ok = self.step > 0.0
            && self.from.is_finite()
            && self.to.is_finite()
            && (0.0..=95.0).contains(&self.from)
            && (0.0..=95.0).contains(&self.to)
            && self.from <= self.to;
        if !ok {
            return Err(crate::tr!(
                "the sweep goes from --from to --to (0 to 95 %, from ≤ to) by a --step above 0",
                "扫描范围为 --from 至 --to（0–95%，起点不大于终点），--step 须大于 0"
            ));
        }
        let n = ((self.to - self.from) / self.step + 1e-9).floor() as usize;
        Ok((0..=n)
            .map(|k| self.from + self.step * k as f64)
            .map(|t| (t * 1e6).round() / 1e6)
            .collect())
    }
}

/// One point of the frontier: the scenario with `target_pct` at `level`.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub level: LevelName,
    pub target_pct: f64,
    /// Whether the plan met the target (caps and exemptions may stop it short).
    pub target_met: bool,
    /// Regular units of the level after the plan.
    pub units_after: usize,
    /// Residents' mean distance to the level's seat (km): their township seat, or for
    /// villages the seat of their new village.
    pub mean_seat_distance_km: f64,
    /// The share of residents beyond the scenario's service radius of their township seat.
    pub share_beyond_radius: f64,
    /// Service stations kept at former seats.
    pub stations: usize,
    /// The largest cut of any county at this level (percent of its units).
    pub max_county_cut_pct: f64,
}

impl Point {
    /// The point's figures read from an analysis at its target.
    pub fn of(analysis: &Analysis, level: LevelName, target_pct: f64) -> Self {
        let before = analysis.before();
        let after = &analysis.after;
        let count = |s: &crate::summary::Summary| match level {
            LevelName::Townships => s.townships.count,
            LevelName::Villages => s.villages.count,
        };
        let outcome = match level {
            LevelName::Townships => &analysis.plan.townships.outcome,
            LevelName::Villages => &analysis.plan.villages.outcome,
        };
        let max_county_cut_pct = before
            .counties
            .iter()
            .zip(after.counties.iter())
            .filter(|(b, _)| count(b) > 0)
            .map(|(b, a)| 100.0 * (count(b) as f64 - count(a) as f64) / count(b) as f64)
            .fold(0.0, f64::max);
        let service = &analysis.service.after.province;
        // The distance of the level's own seats: the township seat, or the new village seat.
        let own_seats = match level {
            LevelName::Townships => service,
            LevelName::Villages => &analysis.service.village_seats.province,
        };
        Self {
            level,
            target_pct,
            target_met: outcome.target_met(),
            units_after: count(&after.province),
            mean_seat_distance_km: own_seats.mean_km,
            share_beyond_radius: if service.people > 0.0 {
                service.beyond_people / service.people
            } else {
                0.0
            },
            stations: analysis.service.stations.len(),
            max_county_cut_pct,
        }
    }
}

/// `scenario` with its target at `level` set to `pct` percent.
pub fn at_target(scenario: &Scenario, level: LevelName, pct: f64) -> Scenario {
    let mut s = scenario.clone();
    match level {
        LevelName::Townships => s.townships.target_reduction_pct = Some(pct),
        LevelName::Villages => s.villages.target_reduction_pct = Some(pct),
    }
    s
}

/// The frontier of `scenario` on `ws`: each level's targets in turn, each point after the
/// previous one. `progress` counts the points and may cancel.
pub fn sweep(
    ws: &Arc<Workspace>,
    scenario: &Scenario,
    sweep: &Sweep,
    progress: &Progress,
) -> Result<Vec<Point>, SweepError> {
    let targets = sweep.targets().map_err(SweepError::Range)?;
    progress.begin(Step::Starting, (targets.len() * sweep.levels.len()) as u64);
    let mut points = Vec::new();
    for &level in &sweep.levels {
        let mut previous: Option<Analysis> = None;
        for &pct in &targets {
            if progress.check().is_err() {
                return Err(SweepError::Cancelled);
            }
            let at = at_target(scenario, level, pct);
            let analysis = ws
                .analyse_after(&at, previous.as_ref())
                .map_err(SweepError::Plan)?;
            points.push(Point::of(&analysis, level, pct));
            previous = Some(analysis);
            progress.advance(1);
        }
    }
    Ok(points)
}

/// Why a sweep stopped.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    #[error("{}", .0.get(crate::Lang::En))]
    Range(Message),
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error("cancelled")]
    Cancelled,
}

const COLUMNS: &[Column] = &[
    Column::new("level", "层级", "level"),
    Column::new("target_pct", "减少目标（%）", "target cut (%)"),
    Column::new("units_after", "调整后单位数", "units after"),
    Column::new(
        "mean_seat_distance_km",
        "平均到驻地距离（公里）",
        "mean distance to seat (km)",
    ),
    Column::new(
        "share_beyond_radius",
        "服务半径外人口比例",
        "share of residents beyond the radius",
    ),
    Column::new("stations", "便民服务站", "service stations"),
    Column::new(
        "max_county_cut_pct",
        "单县最大减幅（%）",
        "largest cut of a county (%)",
    ),
    Column::new("target_met", "目标完成", "target met"),
];

/// `frontier.csv`: one row per point.
pub fn write_table(points: &[Point], out: &mut dyn TableWriter) -> std::io::Result<()> {
    out.header(COLUMNS)?;
    for p in points {
        out.row(&[
            Cell::Term(match p.level {
                LevelName::Townships => Term::new("townships", "乡镇", "townships"),
                LevelName::Villages => Term::new("villages", "建制村", "villages"),
            }),
            Cell::Plain(p.target_pct),
            Cell::Count(p.units_after as u64),
            Cell::Number(p.mean_seat_distance_km),
            Cell::Share(p.share_beyond_radius),
            Cell::Count(p.stations as u64),
            Cell::Number(p.max_county_cut_pct),
            Cell::Flag(p.target_met),
        ])?;
    }
    Ok(())
}
