//! The trade-off frontier in the figures panel: one click sweeps the township target of the
//! scenario in front from 0 to 60 % (every other rule kept) on a thread of its own, and the
//! chart shows the townships after and the mean distance to the seat at each point, the
//! scenario's target marked where it is now. A change of any other rule makes the sweep
//! stale: the chart gives way to a note until the planner sweeps again. The same points as
//! `jianzhi frontier`.

use eframe::egui;
use egui_plot::{Legend, Line, Plot, Points, VLine};

use super::Command;
use super::i18n::Lang;
use super::state::{AppState, Frontier};
use super::style::{AFTER, CHART_HEIGHT, PUBLISHED, STATIONS};

/// What the chart draws: (target %, townships after) and (target %, mean km to the seat) at
/// each point, and where the scenario's own target is.
pub struct Series {
    pub units: Vec<[f64; 2]>,
    pub distance: Vec<[f64; 2]>,
    pub target: Option<f64>,
}

impl Series {
    /// The frontier's points, with `target` (the scenario's township target now) marked.
    pub fn of(frontier: &Frontier, target: Option<f64>) -> Self {
        let points = &frontier.points;
        Self {
            units: points
                .iter()
                .map(|p| [p.target_pct, p.units_after as f64])
                .collect(),
            distance: points
                .iter()
                .map(|p| [p.target_pct, p.mean_seat_distance_km])
                .collect(),
            target,
        }
    }
}

/// The section: the button (or the sweep's progress), then the chart once swept.
pub fn show(ui: &mut egui::Ui, l: Lang, state: &AppState) -> Vec<Command> {
    let mut out = Vec::new();
    ui.separator();
    ui.horizontal(|ui| {
        super::charts::title(ui, l.t("frontier_title"));
        match &state.sweeping {
            Some(sweeping) => {
                super::style::spinner(ui);
                let shown = sweeping.progress.snapshot();
                ui.add(
                    egui::ProgressBar::new(shown.fraction.unwrap_or(0.0))
                        .desired_width(100.0)
                        .show_percentage(),
                );
                if ui.button(l.t("cancel")).clicked() {
                    out.push(Command::CancelFrontier);
                }
            }
            None => {
                if ui
                    .button(l.t("frontier_sweep"))
                    .on_hover_text(l.t("frontier_hint"))
                    .clicked()
                {
                    out.push(Command::SweepFrontier);
                }
            }
        }
    });
    let Some(frontier) = &state.tab().frontier else {
        return out;
    };
    let scenario = state.scenario();
    if !frontier.is_of(scenario) {
        ui.weak(l.t("frontier_stale"));
        return out;
    }
    let series = Series::of(frontier, scenario.townships.target_reduction_pct);
    let height = CHART_HEIGHT;
    ui.label(l.t("frontier_units"));
    Plot::new("frontier_units")
        .height(height)
        .legend(Legend::default())
        .allow_scroll(false)
        .x_axis_formatter(|m, _| format!("{:.0}%", m.value))
        .show(ui, |plot| {
            plot.line(Line::new(l.t("frontier_units_line"), series.units.clone()).color(AFTER));
            plot.points(
                Points::new("", series.units.clone())
                    .color(AFTER)
                    .radius(1.5),
            );
            if let Some(t) = series.target {
                plot.vline(VLine::new(l.t("frontier_target"), t).color(PUBLISHED));
            }
        });
    ui.label(l.t("frontier_distance"));
    Plot::new("frontier_distance")
        .height(height * 0.8)
        .allow_scroll(false)
        .x_axis_formatter(|m, _| format!("{:.0}%", m.value))
        .y_axis_formatter(|m, _| format!("{:.1} km", m.value))
        .show(ui, |plot| {
            plot.line(Line::new(l.t("frontier_distance"), series.distance.clone()).color(STATIONS));
            if let Some(t) = series.target {
                plot.vline(VLine::new(l.t("frontier_target"), t).color(PUBLISHED));
            }
        });
    out
}
