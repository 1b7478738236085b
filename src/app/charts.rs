//! The centre: key figures and live charts, each with a one-line title saying what it shows.

use std::collections::BTreeMap;

use crate::coverage::CURVE_MAX_KM;
use crate::metrics::{Basis, Metric, change_pct, sichuan_published};
use crate::model::Figure;
use crate::workspace::Analysis;
use eframe::egui::{self, Color32};
use egui_plot::{
    AxisHints, Bar, BarChart, Corner, GridInput, GridMark, Legend, Line, MarkerShape, Plot, Points,
    VLine,
};

use super::AppState;
use super::i18n::Lang;

const BEFORE: Color32 = Color32::from_rgb(120, 144, 156);
const AFTER: Color32 = Color32::from_rgb(230, 81, 0);
const STATIONS: Color32 = Color32::from_rgb(46, 125, 50);
const PUBLISHED: Color32 = Color32::from_rgb(21, 101, 192);
const CHART_HEIGHT: f32 = 190.0;

pub fn show(ui: &mut egui::Ui, state: &AppState) {
    let l = state.lang;
    let modelled = |figure: Figure| state.workspace.dataset().provenance.is_modelled(figure);
    let mark = |figure: Figure| if modelled(figure) { " *" } else { "" };
    let Some(analysis) = state.analysis() else {
        // A newly loaded dataset before its first analysis: its own before figures only.
        summary_grid(ui, state, None, &mark);
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(l.t("computing"));
        });
        return;
    };
    egui::ScrollArea::vertical().show(ui, |ui| {
        ui.columns(2, |cols| {
            summary_grid(&mut cols[0], state, Some(analysis), &mark);
            change_chart(&mut cols[1], l, analysis);
        });
        if modelled(Figure::Populations) {
            ui.weak(format!("* {}", l.t("modelled_hint")));
        }
        ui.separator();
        ui.columns(2, |cols| {
            area_histogram(&mut cols[0], l, analysis);
            population_histogram(&mut cols[1], l, analysis);
        });
        ui.columns(2, |cols| {
            coverage_chart(&mut cols[0], l, analysis);
            city_chart(&mut cols[1], l, analysis);
        });
    });
}

fn title(ui: &mut egui::Ui, text: &str) {
    ui.label(egui::RichText::new(text).strong());
}

fn fmt(x: f64) -> String {
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

/// The key figures before and after ([`Metric::KEY`]); with no analysis yet (a dataset just
/// loaded), the before figures of the dataset and "…" after.
fn summary_grid(
    ui: &mut egui::Ui,
    state: &AppState,
    a: Option<&Analysis>,
    mark: &dyn Fn(Figure) -> &'static str,
) {
    let l = state.lang;
    let before = &state.workspace.before().province;
    title(ui, l.t("summary"));
    egui::Grid::new("summary")
        .striped(true)
        .num_columns(4)
        .show(ui, |ui| {
            for h in [l.t("metric"), l.t("before"), l.t("after"), l.t("change")] {
                ui.strong(h);
            }
            ui.end_row();
            for &metric in Metric::KEY {
                let (b, af) = match a {
                    Some(a) => {
                        metric.before_after(&a.before().province, &a.after.province, &a.service)
                    }
                    None => (metric.of_summary(before), None),
                };
                if a.is_none() && b.is_none() {
                    continue;
                }
                let unit = metric.unit();
                let marked = match metric.basis() {
                    Basis::Figure(f) => mark(f),
                    _ => "",
                };
                let label = match unit.label(l) {
                    "" | "个" | "人" => metric.label(l).to_string(),
                    u => format!("{} {u}", metric.label(l)),
                };
                ui.label(format!("{label}{marked}"));
                let shown = |x: Option<f64>| x.map_or("—".to_string(), |x| fmt(unit.shown(x)));
                ui.label(shown(b));
                if a.is_none() {
                    ui.label("…");
                    ui.label("…");
                    ui.end_row();
                    continue;
                }
                ui.label(shown(af));
                let c = change_pct(b.unwrap_or(f64::NAN), af.unwrap_or(f64::NAN));
                ui.label(if c.is_finite() {
                    format!("{c:+.1}%")
                } else {
                    "—".into()
                });
                ui.end_row();
            }
        });
}

fn change_chart(ui: &mut egui::Ui, l: Lang, a: &Analysis) {
    let (b, af) = (&a.before().province, &a.after.province);
    title(ui, l.t("chart_change"));
    let values: Vec<f64> = Metric::REFORM
        .iter()
        .map(|m| {
            let value = |s| m.of_summary(s).unwrap_or(f64::NAN);
            change_pct(value(b), value(af))
        })
        .collect();
    let names: Vec<&str> = Metric::REFORM.iter().map(|m| m.short_label(l)).collect();
    let bars: Vec<Bar> = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            Bar::new(i as f64, *v)
                .width(0.6)
                .name(names[i])
                .fill(if *v < 0.0 { AFTER } else { STATIONS })
        })
        .collect();
    let published: Vec<[f64; 2]> = Metric::REFORM
        .iter()
        .enumerate()
        .filter_map(|(i, &m)| Some([i as f64, sichuan_published(m)?.2]))
        .collect();
    Plot::new("change")
        .height(CHART_HEIGHT + 40.0)
        .legend(Legend::default().position(Corner::RightBottom))
        .allow_scroll(false)
        .custom_x_axes(vec![category_axis(
            names.iter().map(|n| n.to_string()).collect(),
            10.5,
        )])
        .x_grid_spacer(category_marks)
        .y_axis_formatter(|mark, _| format!("{:.0}%", mark.value))
        // Grid steps of 1, 5 and 25 points, so ±25% and ±50% are labelled, not only 0%.
        .y_grid_spacer(egui_plot::log_grid_spacer(5))
        .include_y(0.0)
        .show(ui, |plot| {
            plot.bar_chart(BarChart::new(l.t("change"), bars));
            plot.points(
                Points::new(l.t("published"), published)
                    .shape(MarkerShape::Diamond)
                    .radius(7.0)
                    .color(PUBLISHED)
                    .filled(true),
            );
        });
}

/// An x axis naming the category at each whole number (`names[i]` at `i`), in a small font and
/// allowed close together, so that every category is named (all 21 cities, every change bar)
/// rather than every fifth.
fn category_axis<'a>(names: Vec<String>, font_size: f32) -> AxisHints<'a> {
    AxisHints::new_x()
        .formatter(move |m, _| {
            let i = m.value.round();
            if (m.value - i).abs() < 1e-6 && i >= 0.0 {
                names.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .tick_label_font(egui::FontId::proportional(font_size))
        .label_spacing(14.0..=18.0)
}

/// One grid mark at each whole number in view: the places of [`category_axis`]'s names.
fn category_marks(input: GridInput) -> Vec<GridMark> {
    let (first, last) = (input.bounds.0.ceil() as i64, input.bounds.1.floor() as i64);
    (first..=last)
        .map(|i| GridMark {
            value: i as f64,
            step_size: 1.0,
        })
        .collect()
}

/// Bars for two histograms side by side (before left, after right of each bin).
fn histogram_bars(values: &[f64], bin: f64, bins: usize, offset: f64) -> Vec<Bar> {
    let mut counts = vec![0usize; bins];
    for v in values {
        let k = ((v / bin).floor() as usize).min(bins - 1);
        counts[k] += 1;
    }
    counts
        .iter()
        .enumerate()
        .map(|(k, &n)| Bar::new((k as f64 + 0.5) * bin + offset, n as f64).width(bin * 0.45))
        .collect()
}

/// A before/after histogram with vertical marker lines.
struct Histogram<'a> {
    id: &'a str,
    caption: &'a str,
    before: Vec<f64>,
    after: Vec<f64>,
    /// Bin width; the last of `bins` bins also holds everything beyond.
    bin: f64,
    bins: usize,
    lines: Vec<(String, f64)>,
}

impl Histogram<'_> {
    fn show(self, ui: &mut egui::Ui, l: Lang) {
        title(ui, self.caption);
        let before_bars = histogram_bars(&self.before, self.bin, self.bins, -self.bin * 0.22);
        let after_bars = histogram_bars(&self.after, self.bin, self.bins, self.bin * 0.22);
        Plot::new(self.id)
            .height(CHART_HEIGHT)
            .legend(Legend::default())
            .allow_scroll(false)
            .include_y(0.0)
            .show(ui, |plot| {
                plot.bar_chart(BarChart::new(l.t("before"), before_bars).color(BEFORE));
                plot.bar_chart(BarChart::new(l.t("after"), after_bars).color(AFTER));
                for (name, x) in self.lines {
                    plot.vline(VLine::new(name, x).color(PUBLISHED).width(1.5));
                }
            });
    }
}

/// New township figures: (area, registered population) of each new regular unit.
fn new_townships(a: &Analysis) -> Vec<(f64, f64)> {
    let ds = a.dataset();
    a.plan
        .townships
        .units
        .iter()
        .filter(|u| ds.townships[u.seat].kind.is_regular())
        .map(|u| {
            u.members.iter().fold((0.0, 0.0), |(area, pop), &m| {
                (
                    area + ds.townships[m].area_km2,
                    pop + ds.townships[m].registered_pop,
                )
            })
        })
        .collect()
}

fn area_histogram(ui: &mut egui::Ui, l: Lang, a: &Analysis) {
    let ds = a.dataset();
    let before: Vec<f64> = ds
        .townships
        .iter()
        .filter(|t| t.kind.is_regular())
        .map(|t| t.area_km2)
        .collect();
    let after: Vec<f64> = new_townships(a).iter().map(|(area, _)| *area).collect();
    let limits = &a.scenario.townships.limits;
    let mut lines = Vec::new();
    if let Some(x) = limits.min_area_km2 {
        lines.push((l.t("min_area").to_string(), x));
    }
    if let Some(x) = limits.max_area_km2 {
        lines.push((l.t("max_area").to_string(), x));
    }
    Histogram {
        id: "area",
        caption: l.t("chart_area_hist"),
        before,
        after,
        bin: 25.0,
        bins: 24,
        lines,
    }
    .show(ui, l);
}

fn population_histogram(ui: &mut egui::Ui, l: Lang, a: &Analysis) {
    let ds = a.dataset();
    let before: Vec<f64> = ds
        .townships
        .iter()
        .filter(|t| t.kind.is_regular())
        .map(|t| t.registered_pop)
        .collect();
    let after: Vec<f64> = new_townships(a).iter().map(|(_, pop)| *pop).collect();
    let mut lines = Vec::new();
    if let Some(x) = a.scenario.townships.limits.min_registered_pop {
        lines.push((l.t("min_registered").to_string(), x));
    }
    Histogram {
        id: "population",
        caption: l.t("chart_pop_hist"),
        before,
        after,
        bin: 2500.0,
        bins: 30,
        lines,
    }
    .show(ui, l);
}

fn coverage_chart(ui: &mut egui::Ui, l: Lang, a: &Analysis) {
    title(ui, l.t("chart_coverage"));
    let curve = |c: &[f64]| -> Vec<[f64; 2]> {
        c.iter()
            .enumerate()
            .take(CURVE_MAX_KM + 1)
            .map(|(d, s)| [d as f64, 100.0 * s])
            .collect()
    };
    let s = &a.service;
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
                Line::new(l.t("before"), curve(&s.before.province.curve))
                    .color(BEFORE)
                    .width(2.0),
            );
            plot.line(
                Line::new(l.t("after"), curve(&s.after.province.curve))
                    .color(AFTER)
                    .width(2.0),
            );
            plot.line(
                Line::new(
                    l.t("after_stations"),
                    curve(&s.after_with_stations.province.curve),
                )
                .color(STATIONS)
                .width(2.0),
            );
            plot.vline(VLine::new(l.t("radius"), a.scenario.service.radius_km).color(PUBLISHED));
        });
}

fn city_chart(ui: &mut egui::Ui, l: Lang, a: &Analysis) {
    title(ui, l.t("chart_cities"));
    let ds = a.dataset();
    // (townships before, after, villages before, after) by city.
    let mut cities: BTreeMap<(String, String), [usize; 4]> = BTreeMap::new();
    for (c, county) in ds.counties.iter_enumerated() {
        let e = cities
            .entry((county.city_code.clone(), county.city_name.clone()))
            .or_default();
        e[0] += a.before().counties[c].townships.count;
        e[1] += a.after.counties[c].townships.count;
        e[2] += a.before().counties[c].villages.count;
        e[3] += a.after.counties[c].villages.count;
    }
    let names: Vec<String> = cities
        .keys()
        .map(|(code, name)| {
            if name.is_empty() {
                code.clone()
            } else {
                name.chars().take(2).collect()
            }
        })
        .collect();
    let cut = |b: usize, a: usize| {
        if b == 0 {
            0.0
        } else {
            100.0 * (b as f64 - a as f64) / b as f64
        }
    };
    let township_bars: Vec<Bar> = cities
        .values()
        .enumerate()
        .map(|(i, v)| Bar::new(i as f64 - 0.18, cut(v[0], v[1])).width(0.35))
        .collect();
    let village_bars: Vec<Bar> = cities
        .values()
        .enumerate()
        .map(|(i, v)| Bar::new(i as f64 + 0.18, cut(v[2], v[3])).width(0.35))
        .collect();
    Plot::new("cities")
        .height(CHART_HEIGHT)
        .legend(Legend::default())
        .allow_scroll(false)
        .include_y(0.0)
        .custom_x_axes(vec![category_axis(names, 10.0)])
        .x_grid_spacer(category_marks)
        .y_axis_formatter(|m, _| format!("{:.0}%", m.value))
        .show(ui, |plot| {
            plot.bar_chart(BarChart::new(l.t("townships"), township_bars).color(AFTER));
            plot.bar_chart(BarChart::new(l.t("villages"), village_bars).color(BEFORE));
        });
}
