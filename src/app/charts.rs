//! The centre: key figures and live charts, each with a one-line title saying what it shows,
//! drawn from the view model of the analysis ([`FiguresView`]).

use eframe::egui;
use egui_plot::{
    AxisHints, Bar, BarChart, Corner, GridInput, GridMark, Legend, Line, MarkerShape, Plot, Points,
    VLine,
};

use super::i18n::Lang;
use super::style::{self, AFTER, BEFORE, CHART_HEIGHT, PUBLISHED, STATIONS};
use super::view::{ChartsView, FiguresView, Histogram, Marker, ValidationView};
use crate::metrics::change_pct;

/// Draws the key figures, and the charts once the analysis is there; `more` below the key
/// figures (the frontier, in the workbench).
pub fn show(
    ui: &mut egui::Ui,
    l: Lang,
    figures: &FiguresView,
    more: &mut dyn FnMut(&mut egui::Ui),
) {
    let Some(charts) = &figures.charts else {
        // A newly loaded dataset before its first analysis: its own before figures only.
        key_figures(ui, l, figures);
        ui.horizontal(|ui| {
            style::spinner(ui);
            ui.label(l.t("computing"));
        });
        return;
    };
    egui::ScrollArea::vertical().show(ui, |ui| {
        // Two columns where there is room, else one.
        let two = ui.available_width() > 900.0;
        pair(
            ui,
            two,
            |ui| key_figures(ui, l, figures),
            |ui| change_chart(ui, l, charts),
        );
        if figures.populations_modelled {
            ui.weak(format!("* {}", l.t("modelled_hint")));
        }
        more(ui);
        // Against what the province did, when the data came with a later edition of its codes.
        if let Some(v) = &charts.validation {
            ui.separator();
            pair(
                ui,
                two,
                |ui| validation_chart(ui, l, v),
                |ui| validation_figures(ui, l, v),
            );
        }
        ui.separator();
        pair(
            ui,
            two,
            |ui| histogram(ui, l, "area", l.t("chart_area_hist"), &charts.area),
            |ui| {
                histogram(
                    ui,
                    l,
                    "population",
                    l.t("chart_pop_hist"),
                    &charts.population,
                )
            },
        );
        pair(
            ui,
            two,
            |ui| coverage_chart(ui, l, charts),
            |ui| city_chart(ui, l, charts),
        );
    });
}

/// Two blocks side by side, or one below the other.
fn pair(
    ui: &mut egui::Ui,
    side_by_side: bool,
    first: impl FnOnce(&mut egui::Ui),
    second: impl FnOnce(&mut egui::Ui),
) {
    if side_by_side {
        ui.columns(2, |cols| {
            first(&mut cols[0]);
            second(&mut cols[1]);
        });
    } else {
        first(ui);
        ui.add_space(6.0);
        second(ui);
    }
}

pub(super) fn title(ui: &mut egui::Ui, text: &str) {
    ui.label(egui::RichText::new(text).strong());
}

/// A figure of `unit` on screen: counts whole, others as [`fmt`].
pub fn fmt_in(unit: crate::metrics::Unit, x: f64) -> String {
    if unit == crate::metrics::Unit::Count && x.is_finite() {
        format!("{:.0}", x)
    } else {
        fmt(unit.shown(x))
    }
}

/// A figure in a narrow column: as [`fmt_in`], millions and more in 万 (Chinese) or M.
pub fn fmt_compact(l: Lang, unit: crate::metrics::Unit, x: f64) -> String {
    let shown = unit.shown(x);
    if !(shown.is_finite() && shown.abs() >= 1e6) {
        return fmt_in(unit, x);
    }
    let x = shown;
    match l {
        Lang::Zh => format!("{:.0}万", x / 1e4),
        Lang::En => format!("{:.2}M", x / 1e6),
    }
}

/// A figure on screen: whole from 1,000, one decimal from 10, else two.
pub fn fmt(x: f64) -> String {
    if !x.is_finite() {
        "—".into()
    } else if x.abs() >= 1000.0 {
        format!("{:.0}", x)
    } else if x.abs() >= 10.0 {
        format!("{:.1}", x)
    } else {
        format!("{:.2}", x)
    }
}

/// The key figures before and after; with no analysis yet, "…" after.
fn key_figures(ui: &mut egui::Ui, l: Lang, figures: &FiguresView) {
    let computing = figures.charts.is_none();
    title(ui, l.t("summary"));
    egui::Grid::new("summary")
        .striped(true)
        .num_columns(4)
        .show(ui, |ui| {
            for h in [l.t("metric"), l.t("before"), l.t("after"), l.t("change")] {
                ui.strong(h);
            }
            ui.end_row();
            for row in &figures.key {
                let unit = row.metric.unit();
                let label = match unit.label(l) {
                    "" | "个" | "人" => row.metric.label(l).to_string(),
                    u => format!("{} {u}", row.metric.label(l)),
                };
                let mark = if row.modelled { " *" } else { "" };
                ui.label(format!("{label}{mark}"));
                let shown =
                    |x: Option<f64>| x.map_or("—".to_string(), |x| fmt_compact(l, unit, x));
                ui.label(shown(row.before));
                if computing {
                    ui.label("…");
                    ui.label("…");
                } else {
                    ui.label(shown(row.after));
                    let c = change_pct(
                        row.before.unwrap_or(f64::NAN),
                        row.after.unwrap_or(f64::NAN),
                    );
                    ui.label(if c.is_finite() {
                        format!("{c:+.1}%")
                    } else {
                        "—".into()
                    });
                }
                ui.end_row();
            }
        });
}

/// The change of each reform figure as a horizontal bar (names fit on the side however narrow
/// the panel), first at the top, with Sichuan's published change as a diamond.
fn change_chart(ui: &mut egui::Ui, l: Lang, charts: &ChartsView) {
    let with_published = charts.change.iter().any(|c| c.2.is_some());
    title(
        ui,
        l.t(if with_published {
            "chart_change"
        } else {
            "chart_change_only"
        }),
    );
    let n = charts.change.len();
    // The first figure at the top: category k sits at y = n - 1 - k.
    let y = |k: usize| (n - 1 - k) as f64;
    let names: Vec<String> = (0..n)
        .rev()
        .map(|k| charts.change[k].0.short_label(l).to_string())
        .collect();
    let bars: Vec<Bar> = charts
        .change
        .iter()
        .enumerate()
        .map(|(k, (m, v, _))| {
            Bar::new(y(k), *v)
                .width(0.6)
                .name(m.short_label(l))
                .fill(if *v < 0.0 { AFTER } else { STATIONS })
        })
        .collect();
    let published: Vec<[f64; 2]> = charts
        .change
        .iter()
        .enumerate()
        .filter_map(|(k, (_, _, p))| Some([(*p)?, y(k)]))
        .collect();
    let axis = category_axis(AxisHints::new_y(), names, 11.0)
        .label_spacing(12.0..=16.0)
        .min_thickness(110.0);
    Plot::new("change")
        .height(CHART_HEIGHT)
        .legend(Legend::default().position(Corner::RightTop))
        .allow_scroll(false)
        .custom_y_axes(vec![axis])
        .y_grid_spacer(category_marks)
        .x_axis_formatter(|mark, _| format!("{:.0}%", mark.value))
        // Grid steps of 1, 5 and 25 points, so ±25% and ±50% are labelled, not only 0%.
        .x_grid_spacer(egui_plot::log_grid_spacer(5))
        .include_x(0.0)
        .show(ui, |plot| {
            plot.bar_chart(BarChart::new(l.t("change"), bars).horizontal());
            if !published.is_empty() {
                plot.points(
                    Points::new(l.t("published"), published)
                        .shape(MarkerShape::Diamond)
                        .radius(7.0)
                        .color(PUBLISHED)
                        .filled(true),
                );
            }
        });
}

/// `axis` naming the category at each whole number (`names[i]` at `i`), in a small font, so
/// that with labels allowed close together every category is named (all 21 cities, every
/// change bar) rather than every fifth.
pub(super) fn category_axis<'a>(
    axis: AxisHints<'a>,
    names: Vec<String>,
    font_size: f32,
) -> AxisHints<'a> {
    axis.formatter(move |m, _| {
        let i = m.value.round();
        if (m.value - i).abs() < 1e-6 && i >= 0.0 {
            names.get(i as usize).cloned().unwrap_or_default()
        } else {
            String::new()
        }
    })
    .tick_label_font(egui::FontId::proportional(font_size))
}

/// One grid mark at each whole number in view: the places of [`category_axis`]'s names.
pub(super) fn category_marks(input: GridInput) -> Vec<GridMark> {
    let (first, last) = (input.bounds.0.ceil() as i64, input.bounds.1.floor() as i64);
    (first..=last)
        .map(|i| GridMark {
            value: i as f64,
            step_size: 1.0,
        })
        .collect()
}

/// A before/after histogram with the scenario's thresholds and caps as vertical lines.
fn histogram(ui: &mut egui::Ui, l: Lang, id: &str, caption: &str, h: &Histogram) {
    title(ui, caption);
    let bars = |counts: &[usize], offset: f64| -> Vec<Bar> {
        counts
            .iter()
            .enumerate()
            .map(|(k, &n)| {
                Bar::new((k as f64 + 0.5) * h.bin + offset, n as f64).width(h.bin * 0.45)
            })
            .collect()
    };
    Plot::new(id)
        .height(CHART_HEIGHT)
        .legend(Legend::default())
        .allow_scroll(false)
        .include_y(0.0)
        .show(ui, |plot| {
            plot.bar_chart(
                BarChart::new(l.t("before"), bars(&h.before, -h.bin * 0.22)).color(BEFORE),
            );
            plot.bar_chart(BarChart::new(l.t("after"), bars(&h.after, h.bin * 0.22)).color(AFTER));
            for &(marker, x) in &h.markers {
                let name = match marker {
                    Marker::MinArea => l.t("min_area"),
                    Marker::MaxArea => l.t("max_area"),
                    Marker::MinRegistered => l.t("min_registered"),
                };
                plot.vline(VLine::new(name, x).color(PUBLISHED).width(1.5));
            }
        });
}

fn coverage_chart(ui: &mut egui::Ui, l: Lang, charts: &ChartsView) {
    title(ui, l.t("chart_coverage"));
    let [before, after, with_stations] = &charts.coverage;
    Plot::new("coverage")
        .height(CHART_HEIGHT)
        .legend(Legend::default())
        .allow_scroll(false)
        .include_y(0.0)
        .include_y(100.0)
        .x_axis_formatter(|m, _| format!("{:.0} km", m.value))
        .y_axis_formatter(|m, _| format!("{:.0}%", m.value))
        .show(ui, |plot| {
            plot.line(
                Line::new(l.t("before"), before.clone())
                    .color(BEFORE)
                    .width(2.0),
            );
            plot.line(
                Line::new(l.t("after"), after.clone())
                    .color(AFTER)
                    .width(2.0),
            );
            plot.line(
                Line::new(l.t("after_stations"), with_stations.clone())
                    .color(STATIONS)
                    .width(2.0),
            );
            plot.vline(VLine::new(l.t("radius"), charts.radius_km).color(PUBLISHED));
        });
}

fn city_chart(ui: &mut egui::Ui, l: Lang, charts: &ChartsView) {
    title(
        ui,
        l.t(if charts.by_province {
            "chart_provinces"
        } else {
            "chart_cities"
        }),
    );
    let names: Vec<String> = charts.cities.iter().map(|c| c.name.clone()).collect();
    let bars = |offset: f64, value: fn(&super::view::CityCut) -> f64| -> Vec<Bar> {
        charts
            .cities
            .iter()
            .enumerate()
            .map(|(i, c)| Bar::new(i as f64 + offset, value(c)).width(0.35))
            .collect()
    };
    Plot::new("cities")
        .height(CHART_HEIGHT)
        .legend(Legend::default())
        .allow_scroll(false)
        .include_y(0.0)
        .custom_x_axes(vec![
            category_axis(AxisHints::new_x(), names, 10.0).label_spacing(14.0..=18.0),
        ])
        .x_grid_spacer(category_marks)
        .y_axis_formatter(|m, _| format!("{:.0}%", m.value))
        .show(ui, |plot| {
            plot.bar_chart(
                BarChart::new(l.t("townships"), bars(-0.18, |c| c.townships_pct)).color(AFTER),
            );
            plot.bar_chart(
                BarChart::new(l.t("villages"), bars(0.18, |c| c.villages_pct)).color(BEFORE),
            );
        });
}

/// Townships per county, simulated against a later edition's real count: the plan's points
/// near the diagonal, no reform's above it.
fn validation_chart(ui: &mut egui::Ui, l: Lang, v: &ValidationView) {
    let edition = if v.label.is_empty() {
        String::new()
    } else {
        format!(" ({})", v.label)
    };
    title(ui, &format!("{}{edition}", l.t("chart_validation")));
    let points = |y: fn(&(String, f64, f64, f64)) -> f64| -> Vec<[f64; 2]> {
        v.counties.iter().map(|c| [c.1, y(c)]).collect()
    };
    let top = v
        .counties
        .iter()
        .map(|c| c.1.max(c.2).max(c.3))
        .fold(1.0, f64::max);
    let (before_name, after_name) = (l.t("no_reform"), l.t("after"));
    let counties = &v.counties;
    Plot::new("validation")
        .height(CHART_HEIGHT)
        .legend(Legend::default().position(Corner::LeftTop))
        .allow_scroll(false)
        .include_x(0.0)
        .include_y(0.0)
        .include_x(top)
        .include_y(top)
        .x_axis_label(l.t("real"))
        .y_axis_label(l.t("simulated"))
        .label_formatter(move |hover| match hover {
            egui_plot::HoverPosition::NearDataPoint {
                plot_name, index, ..
            } if *plot_name == before_name || *plot_name == after_name => {
                let (name, real, before, simulated) = counties.get(*index)?;
                Some(format!(
                    "{name}\n{}: {real:.0}\n{before_name}: {before:.0}\n{after_name}: {simulated:.0}",
                    l.t("real")
                ))
            }
            _ => None,
        })
        .show(ui, |plot| {
            plot.line(
                Line::new(l.t("equal"), vec![[0.0, 0.0], [top, top]])
                    .color(PUBLISHED)
                    .width(1.0),
            );
            plot.points(
                Points::new(before_name, points(|c| c.2))
                    .color(BEFORE)
                    .radius(2.5),
            );
            plot.points(
                Points::new(after_name, points(|c| c.3))
                    .color(AFTER)
                    .shape(MarkerShape::Diamond)
                    .radius(3.0),
            );
        });
}

fn validation_figures(ui: &mut egui::Ui, l: Lang, v: &ValidationView) {
    egui::Grid::new("validation_figures")
        .num_columns(2)
        .striped(true)
        .show(ui, |ui| {
            ui.label(l.t("validation_mae"));
            ui.label("");
            ui.end_row();
            ui.label(format!("  {}", l.t("no_reform")));
            ui.monospace(format!("{:.2}", v.mae_before));
            ui.end_row();
            ui.label(format!("  {}", l.t("after")));
            ui.monospace(format!("{:.2}", v.mae));
            ui.end_row();
            ui.label(l.t("validation_partners"));
            ui.monospace(format!("{:.1}%", 100.0 * v.partner_share));
            ui.end_row();
        });
    ui.weak(l.t("validation_note"));
}
