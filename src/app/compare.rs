//! The comparison of the open scenarios, in place of the figures of the one in front: every
//! key figure side by side with each scenario's difference from the first highlighted, the
//! charts overlaid, and the county table with a column group per scenario. The figures are the
//! library's [`Comparison`], which `jianzhi compare` writes.

use eframe::egui;
use egui_extras::{Column, TableBuilder};
use egui_plot::{AxisHints, Bar, BarChart, Corner, Legend, Line, Plot};

use super::charts::{category_axis, category_marks, fmt, fmt_in, title};
use super::state::AppState;
use super::style::{BEFORE, CHART_HEIGHT};
use super::view::FiguresView;
use crate::metrics::{Metric, Unit};
use crate::report::compare::Comparison;
use crate::workspace::Analysis;

/// The colours of the scenarios (Paul Tol's bright scheme, as in exported comparisons).
const COLOURS: [egui::Color32; 6] = [
    egui::Color32::from_rgb(0x44, 0x77, 0xAA),
    egui::Color32::from_rgb(0xEE, 0x66, 0x77),
    egui::Color32::from_rgb(0x22, 0x88, 0x33),
    egui::Color32::from_rgb(0xCC, 0xBB, 0x44),
    egui::Color32::from_rgb(0x66, 0xCC, 0xEE),
    egui::Color32::from_rgb(0xAA, 0x33, 0x77),
];

fn colour(i: usize) -> egui::Color32 {
    COLOURS[i % COLOURS.len()]
}

/// The open scenarios whose analyses are in: (analysis, view) in tab order.
fn ready(state: &AppState) -> Vec<(&Analysis, &FiguresView)> {
    state
        .open
        .iter()
        .filter_map(|open| {
            let analysis = state.analysis_of(open.tab.id)?;
            let (_, view) = open.tab.analysis.as_ref()?;
            Some((analysis, view.as_ref()))
        })
        .collect()
}

/// The key figures side by side and the overlaid charts.
pub fn figures(ui: &mut egui::Ui, state: &AppState) {
    let l = state.lang();
    let ready = ready(state);
    let comparison = Comparison::new(ready.iter().map(|(a, _)| *a).collect());
    let Some(comparison) = comparison.filter(|_| ready.len() >= 2) else {
        ui.label(l.t("compare_need_two"));
        return;
    };
    let names = comparison.names();
    egui::ScrollArea::vertical().show(ui, |ui| {
        title(ui, l.t("compare"));
        egui::Grid::new("compare-figures")
            .striped(true)
            .num_columns(names.len() + 2)
            .show(ui, |ui| {
                ui.strong(l.t("metric"));
                ui.strong(l.t("before"));
                for (i, n) in names.iter().enumerate() {
                    ui.colored_label(colour(i), egui::RichText::new(n).strong());
                }
                ui.end_row();
                for f in comparison.figures() {
                    if !Metric::KEY.contains(&f.metric) {
                        continue;
                    }
                    let unit = f.metric.unit();
                    let shown = |x: Option<f64>| x.map_or("—".to_string(), |x| fmt_in(unit, x));
                    ui.label(f.metric.label(l));
                    ui.label(shown(f.before));
                    for (i, after) in f.after.iter().enumerate() {
                        match f.difference(i).map(|d| unit.shown(d)) {
                            Some(d) if d.abs() > 1e-9 => {
                                let whole = matches!(unit, Unit::Count | Unit::People);
                                let text = format!(
                                    "{} ({}{})",
                                    shown(*after),
                                    if d > 0.0 { "+" } else { "" },
                                    if whole { format!("{d:.0}") } else { fmt(d) }
                                );
                                ui.label(
                                    egui::RichText::new(text)
                                        .strong()
                                        .background_color(ui.visuals().selection.bg_fill),
                                );
                            }
                            _ => {
                                ui.label(shown(*after));
                            }
                        }
                    }
                    ui.end_row();
                }
            });
        ui.weak(l.t("compare_diff_hint"));
        ui.separator();
        let views: Vec<&FiguresView> = ready.iter().map(|(_, v)| *v).collect();
        change_chart(ui, state, &views, &names);
        coverage_chart(ui, state, &views, &names);
        cities_chart(ui, state, &views, &names);
    });
}

/// The change of each reform figure, one bar per scenario.
fn change_chart(ui: &mut egui::Ui, state: &AppState, views: &[&FiguresView], names: &[String]) {
    let l = state.lang();
    // One bar per scenario, without Sichuan's published figures.
    title(ui, l.t("chart_change_only"));
    let Some(first) = views[0].charts.as_ref() else {
        return;
    };
    let n = first.change.len();
    let width = 0.8 / views.len() as f64;
    let labels: Vec<String> = (0..n)
        .rev()
        .map(|k| first.change[k].0.short_label(l).to_string())
        .collect();
    Plot::new("compare-change")
        .height(CHART_HEIGHT * 1.3)
        .legend(Legend::default().position(Corner::RightBottom))
        .allow_scroll(false)
        .custom_y_axes(vec![
            category_axis(AxisHints::new_y(), labels, 11.0).min_thickness(110.0),
        ])
        .y_grid_spacer(category_marks)
        .x_axis_formatter(|mark, _| format!("{:.0}%", mark.value))
        .include_x(0.0)
        .show(ui, |plot| {
            for (i, view) in views.iter().enumerate() {
                let Some(charts) = &view.charts else { continue };
                let bars: Vec<Bar> = charts
                    .change
                    .iter()
                    .enumerate()
                    .map(|(k, (_, v, _))| {
                        let y = (n - 1 - k) as f64 + 0.4 - width * (i as f64 + 0.5);
                        Bar::new(y, *v).width(width * 0.9).fill(colour(i))
                    })
                    .collect();
                plot.bar_chart(
                    BarChart::new(names[i].as_str(), bars)
                        .horizontal()
                        .color(colour(i)),
                );
            }
        });
}

/// Coverage after each scenario, over the coverage before.
fn coverage_chart(ui: &mut egui::Ui, state: &AppState, views: &[&FiguresView], names: &[String]) {
    let l = state.lang();
    title(ui, l.t("chart_coverage"));
    Plot::new("compare-coverage")
        .height(CHART_HEIGHT)
        .legend(Legend::default().position(Corner::RightBottom))
        .allow_scroll(false)
        .include_y(0.0)
        .include_y(100.0)
        .show(ui, |plot| {
            // The first 30 km: beyond, every curve is flat at 100%.
            let near = |curve: &[[f64; 2]]| -> Vec<[f64; 2]> {
                curve.iter().copied().filter(|p| p[0] <= 30.0).collect()
            };
            if let Some(c) = &views[0].charts {
                plot.line(Line::new(l.t("before"), near(&c.coverage[0])).color(BEFORE));
            }
            for (i, view) in views.iter().enumerate() {
                if let Some(c) = &view.charts {
                    plot.line(
                        Line::new(names[i].as_str(), near(&c.coverage[1]))
                            .color(colour(i))
                            .width(2.0),
                    );
                }
            }
        });
}

/// Townships cut by city, one bar per scenario.
fn cities_chart(ui: &mut egui::Ui, state: &AppState, views: &[&FiguresView], names: &[String]) {
    let l = state.lang();
    let Some(first) = views[0].charts.as_ref() else {
        title(ui, l.t("chart_cities_townships"));
        return;
    };
    title(
        ui,
        l.t(if first.by_province {
            "chart_provinces_townships"
        } else {
            "chart_cities_townships"
        }),
    );
    let cities: Vec<String> = first.cities.iter().map(|c| c.name.clone()).collect();
    let width = 0.8 / views.len() as f64;
    Plot::new("compare-cities")
        .height(CHART_HEIGHT)
        .legend(Legend::default().position(Corner::RightTop))
        .allow_scroll(false)
        .custom_x_axes(vec![category_axis(AxisHints::new_x(), cities, 10.0)])
        .x_grid_spacer(category_marks)
        .include_y(0.0)
        .show(ui, |plot| {
            for (i, view) in views.iter().enumerate() {
                let Some(charts) = &view.charts else { continue };
                let bars: Vec<Bar> = charts
                    .cities
                    .iter()
                    .enumerate()
                    .map(|(k, c)| {
                        Bar::new(k as f64 - 0.4 + width * (i as f64 + 0.5), c.townships_pct)
                            .width(width * 0.9)
                            .fill(colour(i))
                    })
                    .collect();
                plot.bar_chart(BarChart::new(names[i].as_str(), bars).color(colour(i)));
            }
        });
}

/// The county table with a column group per scenario (virtualised).
pub fn counties(ui: &mut egui::Ui, state: &AppState) {
    let l = state.lang();
    let ready = ready(state);
    if ready.len() < 2 {
        ui.label(l.t("compare_need_two"));
        return;
    }
    let ds = state.workspace.dataset();
    let first = ready[0].0;
    let per = 3;
    let mut table = TableBuilder::new(ui)
        .striped(true)
        .resizable(true)
        .column(Column::initial(110.0))
        .column(Column::initial(70.0))
        .column(Column::initial(60.0));
    for _ in 0..ready.len() * per {
        table = table.column(Column::initial(78.0));
    }
    table
        .header(36.0, |mut header| {
            for text in [l.t("name"), l.t("city"), l.t("t_before")] {
                header.col(|ui| {
                    ui.strong(text);
                });
            }
            for (i, (a, _)) in ready.iter().enumerate() {
                for text in [l.t("t_after"), l.t("v_after"), l.t("d_after")] {
                    header.col(|ui| {
                        ui.vertical(|ui| {
                            ui.colored_label(
                                colour(i),
                                egui::RichText::new(&a.scenario.name).small(),
                            );
                            ui.strong(text);
                        });
                    });
                }
            }
        })
        .body(|body| {
            body.rows(20.0, ds.counties.len(), |mut row| {
                let k = crate::model::CountyId::from(row.index());
                let county = &ds.counties[k];
                row.col(|ui| {
                    ui.label(&county.name);
                });
                row.col(|ui| {
                    ui.label(&county.city_name);
                });
                row.col(|ui| {
                    ui.label(first.before().counties[k].townships.count.to_string());
                });
                for (a, _) in &ready {
                    let after = &a.after.counties[k];
                    row.col(|ui| {
                        ui.label(after.townships.count.to_string());
                    });
                    row.col(|ui| {
                        ui.label(after.villages.count.to_string());
                    });
                    row.col(|ui| {
                        ui.label(fmt(a.service.after.counties[k].mean_km));
                    });
                }
            });
        });
    // The panel keeps its height (a table short of it would shrink it frame by frame).
    ui.expand_to_include_rect(ui.max_rect());
}
