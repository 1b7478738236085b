//! The comparison of the open scenarios, in place of the figures of the one in front: every
//! key figure side by side with each scenario's difference from the first highlighted, the
//! charts overlaid, and the county table with a column group per scenario. The figures are the
//! library's [`Comparison`], which `jianzhi compare` writes.

use eframe::egui;
use egui_plot::{AxisHints, Bar, BarChart, Line, Plot};

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

/// The short label of the `i`th scenario: 方案 A, B, C … (Scenario A …).
pub fn short(l: crate::Lang, i: usize) -> String {
    let letter = char::from(b'A' + (i % 26) as u8);
    match l {
        crate::Lang::Zh => format!("方案 {letter}"),
        crate::Lang::En => format!("Scenario {letter}"),
    }
}

/// A scenario's colour chip and short label, its full name on hover.
fn chip(ui: &mut egui::Ui, l: crate::Lang, i: usize, name: &str) {
    ui.horizontal(|ui| {
        ui.spacing_mut().item_spacing.x = 4.0;
        let (rect, _) = ui.allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
        ui.painter().rect_filled(rect, 2.0, colour(i));
        ui.label(egui::RichText::new(short(l, i)).strong())
            .on_hover_text(name);
    })
    .response
    .on_hover_text(name);
}

/// The legend of a chart, above it (a legend drawn inside the plot covered its bars): the
/// chips of the scenarios, and `extra` entries (name, colour) first.
fn legend(ui: &mut egui::Ui, l: crate::Lang, names: &[String], extra: &[(&str, egui::Color32)]) {
    ui.horizontal_wrapped(|ui| {
        for (name, c) in extra {
            let (rect, _) = ui.allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
            ui.painter().rect_filled(rect, 2.0, *c);
            ui.label(*name);
        }
        for (i, name) in names.iter().enumerate() {
            chip(ui, l, i, name);
        }
    });
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
        // Which scenario each letter is: the full names once, the letters everywhere else.
        for (i, name) in names.iter().enumerate() {
            ui.horizontal(|ui| {
                chip(ui, l, i, name);
                ui.add(egui::Label::new(name).truncate());
            });
        }
        // Sideways within the panel if it must (never wider than the panel, which would push
        // the charts' legends out of view).
        egui::ScrollArea::horizontal()
            .id_salt("compare-figures-scroll")
            .show(ui, |ui| {
                egui::Grid::new("compare-figures")
                    .striped(true)
                    .num_columns(names.len() + 2)
                    .show(ui, |ui| {
                        ui.strong(l.t("metric"));
                        ui.strong(l.t("before"));
                        for (i, n) in names.iter().enumerate() {
                            chip(ui, l, i, n);
                        }
                        ui.end_row();
                        for f in comparison.figures() {
                            if !Metric::KEY.contains(&f.metric) {
                                continue;
                            }
                            let unit = f.metric.unit();
                            let shown =
                                |x: Option<f64>| x.map_or("—".to_string(), |x| fmt_in(unit, x));
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
    legend(ui, l, names, &[]);
    Plot::new("compare-change")
        .height(CHART_HEIGHT * 1.3)
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
                    BarChart::new(short(l, i), bars)
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
    legend(ui, l, names, &[(l.t("before"), BEFORE)]);
    Plot::new("compare-coverage")
        .height(CHART_HEIGHT)
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
                        Line::new(short(l, i), near(&c.coverage[1]))
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
    legend(ui, l, names, &[]);
    Plot::new("compare-cities")
        .height(CHART_HEIGHT)
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
                plot.bar_chart(BarChart::new(short(l, i), bars).color(colour(i)));
            }
        });
}

/// The county table with a column group per scenario: the county's name and city pinned at the
/// left, the scenarios' columns scrolling sideways under their header; rows virtualised.
pub fn counties(ui: &mut egui::Ui, state: &AppState) {
    let l = state.lang();
    let ready = ready(state);
    if ready.len() < 2 {
        ui.label(l.t("compare_need_two"));
        return;
    }
    let ds = state.workspace.dataset();
    let first = ready[0].0;
    // The columns after the pinned ones: townships before, then three per scenario.
    let mut columns: Vec<(Option<usize>, &str)> = vec![(None, l.t("t_before"))];
    for i in 0..ready.len() {
        for what in [l.t("t_after"), l.t("v_after"), l.t("d_after")] {
            columns.push((Some(i), what));
        }
    }
    let value = |k: crate::model::CountyId, c: usize| -> String {
        if c == 0 {
            return first.before().counties[k].townships.count.to_string();
        }
        let a = ready[(c - 1) / 3].0;
        let after = &a.after.counties[k];
        match (c - 1) % 3 {
            0 => after.townships.count.to_string(),
            1 => after.villages.count.to_string(),
            _ => fmt(a.service.after.counties[k].mean_km),
        }
    };
    let id = ui.scope_id().with("compare_counties");
    let offset: f32 = ui.data(|d| d.get_temp(id).unwrap_or(0.0));
    header(ui, l, &ready, &columns, offset);
    ui.separator();
    let mut scrolled = offset;
    egui::ScrollArea::vertical()
        .id_salt("compare_rows")
        .auto_shrink([false, false])
        .show_rows(ui, ROW, ds.counties.len(), |ui, range| {
            ui.horizontal_top(|ui| {
                ui.vertical(|ui| {
                    ui.set_width(PINNED);
                    for k in range.clone() {
                        let county = &ds.counties[crate::model::CountyId::from(k)];
                        ui.horizontal(|ui| {
                            ui.set_height(ROW);
                            ui.add_sized([110.0, ROW], egui::Label::new(&county.name).truncate());
                            ui.add(egui::Label::new(&county.city_name).truncate());
                        });
                    }
                });
                let out = egui::ScrollArea::horizontal()
                    .id_salt("compare_cells")
                    .show(ui, |ui| {
                        ui.vertical(|ui| {
                            for k in range.clone() {
                                let k = crate::model::CountyId::from(k);
                                ui.horizontal(|ui| {
                                    ui.set_height(ROW);
                                    for c in 0..columns.len() {
                                        ui.add_sized([CELL, ROW], egui::Label::new(value(k, c)));
                                    }
                                });
                            }
                        });
                    });
                scrolled = out.state.clamped_offset().x;
            });
        });
    ui.data_mut(|d| d.insert_temp(id, scrolled));
}

/// The widths of the comparison's county table: the pinned name and city, a figure; the heights
/// of a row and of the header.
const PINNED: f32 = 190.0;
const CELL: f32 = 82.0;
const ROW: f32 = 20.0;
const HEAD: f32 = 40.0;

/// The header of the comparison's county table: name and city pinned, the columns (a scenario's
/// chip over what is counted) scrolled sideways by `offset` with the rows.
fn header(
    ui: &mut egui::Ui,
    l: crate::Lang,
    ready: &[(&Analysis, &FiguresView)],
    columns: &[(Option<usize>, &str)],
    offset: f32,
) {
    ui.horizontal(|ui| {
        ui.allocate_ui(egui::vec2(PINNED, HEAD), |ui| {
            ui.set_width(PINNED);
            ui.horizontal(|ui| {
                ui.add_sized(
                    [110.0, HEAD],
                    egui::Label::new(egui::RichText::new(l.t("name")).strong()),
                );
                ui.strong(l.t("city"));
            });
        });
        egui::ScrollArea::horizontal()
            .id_salt("compare_head")
            .horizontal_scroll_offset(offset)
            .scroll_bar_visibility(egui::scroll_area::ScrollBarVisibility::AlwaysHidden)
            .scroll_source(egui::scroll_area::ScrollSource::NONE)
            .show(ui, |ui| {
                ui.horizontal(|ui| {
                    for (who, what) in columns {
                        ui.allocate_ui(egui::vec2(CELL, HEAD), |ui| {
                            ui.set_width(CELL);
                            ui.vertical(|ui| {
                                match who {
                                    Some(i) => chip(ui, l, *i, &ready[*i].0.scenario.name),
                                    None => {
                                        ui.label(" ");
                                    }
                                }
                                ui.label(egui::RichText::new(what.replace('\n', " ")).small());
                            });
                        });
                    }
                });
            });
    });
}
