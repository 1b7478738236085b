//! View models: what the charts and the county table draw, in the app, the briefing and the
//! exported pictures alike; built once per analysis (in the app on the worker thread, with the
//! analysis), never per frame. Labels stay keys (metrics, line kinds) so the language can
//! change without a rebuild.

use std::collections::BTreeMap;

use crate::coverage::CURVE_MAX_KM;
use crate::metrics::{Basis, Metric, change_pct, sichuan_published};
use crate::model::{Figure, Provenance};
use crate::plan::{EditReport, Outcome};
use crate::summary::Summary;
use crate::workspace::{Analysis, Workspace};

/// One row of the key figures.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyFigure {
    pub metric: Metric,
    pub before: Option<f64>,
    /// `None` before a plan, or where the figure has no meaning after one.
    pub after: Option<f64>,
    /// Whether the figure rests on modelled data (marked `*`).
    pub modelled: bool,
}

/// A vertical line on a histogram: a threshold or cap of the scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    MinArea,
    MaxArea,
    MinRegistered,
}

/// A before/after histogram: counts per bin, the last bin also holding everything beyond.
#[derive(Debug, Clone, PartialEq)]
pub struct Histogram {
    pub bin: f64,
    pub before: Vec<usize>,
    pub after: Vec<usize>,
    pub markers: Vec<(Marker, f64)>,
}

impl Histogram {
    fn new(bin: f64, bins: usize, before: &[f64], after: &[f64]) -> Self {
        let count = |values: &[f64]| {
            let mut counts = vec![0usize; bins];
            for v in values {
                let k = ((v / bin).floor().max(0.0) as usize).min(bins - 1);
                counts[k] += 1;
            }
            counts
        };
        Self {
            bin,
            before: count(before),
            after: count(after),
            markers: Vec::new(),
        }
    }
}

/// The cut in one city (or province), in percent.
#[derive(Debug, Clone, PartialEq)]
pub struct CityCut {
    /// The city's name shortened to two characters for the axis, or the province's short
    /// name.
    pub name: String,
    pub townships_pct: f64,
    pub villages_pct: f64,
}

/// A row of the county table.
#[derive(Debug, Clone, PartialEq)]
pub struct CountyRow {
    pub county: crate::model::CountyId,
    pub code: String,
    pub name: String,
    pub city: String,
    /// Townships before and after, villages before and after, mean distance to seat before
    /// and after; NaN where a figure has no value (no village table, no locations) or, while
    /// `computing`, is not known yet.
    pub numbers: [f64; 6],
    /// The plan's figures are still being computed.
    pub computing: bool,
}

impl CountyRow {
    /// Whether figure `k` of [`CountyRow::numbers`] waits for the plan (the after figures
    /// and the distances).
    pub fn awaits_plan(&self, k: usize) -> bool {
        self.computing && !matches!(k, 0 | 2)
    }
}

/// The charts of an analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartsView {
    /// The change of each of [`Metric::REFORM`], with Sichuan's published change.
    pub change: Vec<(Metric, f64, Option<f64>)>,
    pub area: Histogram,
    pub population: Histogram,
    /// Share of residents (%) within each km: before, after, after with stations.
    pub coverage: [Vec<[f64; 2]>; 3],
    pub radius_km: f64,
    /// The cut in each city, or in each province (`by_province`) when there are several.
    pub cities: Vec<CityCut>,
    pub by_province: bool,
    /// The plan against a later edition of the codes, if the data came with one.
    pub validation: Option<ValidationView>,
}

/// Townships per county, simulated against real (a later edition of the codes).
#[derive(Debug, Clone, PartialEq)]
pub struct ValidationView {
    /// The edition (its year), empty if unknown.
    pub label: String,
    /// Per county: name, real count, count before, simulated count.
    pub counties: Vec<(String, f64, f64, f64)>,
    /// Mean absolute error per county, of the plan and of no reform.
    pub mae: f64,
    pub mae_before: f64,
    /// Share of placed old townships the plan puts with exactly their real partners.
    pub partner_share: f64,
}

impl ValidationView {
    pub fn new(a: &Analysis, reference: &crate::validate::Reference) -> Self {
        let ds = a.dataset();
        let v = reference.check(ds, &a.plan);
        Self {
            label: reference.label.clone(),
            counties: v
                .counties
                .iter()
                .map(|c| {
                    (
                        ds.counties[c.county].name.clone(),
                        c.townships_real as f64,
                        c.townships_before as f64,
                        c.townships_simulated as f64,
                    )
                })
                .collect(),
            mae: v.township_mae(),
            mae_before: v.township_mae_before(),
            partner_share: v.partner_share(),
        }
    }
}

/// Everything the figures panels show of one analysis (or, while it computes, of the data
/// before any plan).
#[derive(Debug, Clone, PartialEq)]
pub struct FiguresView {
    pub key: Vec<KeyFigure>,
    pub counties: Vec<CountyRow>,
    /// Whether populations are modelled (the footnote).
    pub populations_modelled: bool,
    pub charts: Option<ChartsView>,
    /// Townships and villages outcome.
    pub outcomes: Option<(Outcome, Outcome)>,
    pub edits: Vec<EditReport>,
    /// Regular townships and villages, before and after.
    pub headline: ([usize; 2], Option<[usize; 2]>),
}

fn modelled(metric: Metric, provenance: &Provenance) -> bool {
    match metric.basis() {
        Basis::Figure(f) => provenance.is_modelled(f),
        _ => false,
    }
}

impl FiguresView {
    /// The figures of a dataset before any plan (its analysis still computing).
    pub fn before_only(ws: &Workspace) -> Self {
        let provenance = &ws.dataset().provenance;
        let before = &ws.before().province;
        let key = Metric::KEY
            .iter()
            .filter_map(|&metric| {
                Some(KeyFigure {
                    metric,
                    before: Some(metric.of_summary(before)?),
                    after: None,
                    modelled: modelled(metric, provenance),
                })
            })
            .collect();
        let counties = county_rows(ws, None);
        Self {
            key,
            counties,
            populations_modelled: provenance.is_modelled(Figure::Populations),
            charts: None,
            outcomes: None,
            edits: Vec::new(),
            headline: (counts(before), None),
        }
    }

    /// Every figure of an analysis (without the validation chart).
    pub fn new(a: &Analysis) -> Self {
        Self::with_reference(a, None)
    }

    /// Every figure of an analysis, with the validation chart against `reference` (a later
    /// edition of the codes matched to the analysis's dataset) where there is one.
    pub fn with_reference(a: &Analysis, reference: Option<&crate::validate::Reference>) -> Self {
        let provenance = &a.dataset().provenance;
        let (before, after) = (&a.before().province, &a.after.province);
        let key = Metric::KEY
            .iter()
            .map(|&metric| {
                let (b, af) = metric.before_after(before, after, &a.service);
                KeyFigure {
                    metric,
                    before: b,
                    after: af,
                    modelled: modelled(metric, provenance),
                }
            })
            .collect();
        let counties = county_rows(a.workspace(), Some(a));
        Self {
            key,
            counties,
            populations_modelled: provenance.is_modelled(Figure::Populations),
            charts: Some(charts(a, reference)),
            outcomes: Some((
                a.plan.townships.outcome.clone(),
                a.plan.villages.outcome.clone(),
            )),
            edits: a.plan.edits.clone(),
            headline: (counts(before), Some(counts(after))),
        }
    }
}

/// The county table's rows: before figures, and after ones if an analysis is given.
fn county_rows(ws: &Workspace, a: Option<&Analysis>) -> Vec<CountyRow> {
    let no_villages = ws.dataset().villages.is_empty();
    ws.dataset()
        .counties
        .iter_enumerated()
        .map(|(k, c)| {
            let b = &ws.before().counties[k];
            let after = |f: &dyn Fn(&Analysis) -> f64| a.map_or(f64::NAN, f);
            // Without a village table, village counts are not available, not zero.
            let villages = |n: f64| if no_villages { f64::NAN } else { n };
            CountyRow {
                county: k,
                code: c.code.clone(),
                name: c.name.clone(),
                city: c.city_name.clone(),
                numbers: [
                    b.townships.count as f64,
                    after(&|a| a.after.counties[k].townships.count as f64),
                    villages(b.villages.count as f64),
                    villages(after(&|a| a.after.counties[k].villages.count as f64)),
                    after(&|a| a.service.before.counties[k].mean_km),
                    after(&|a| a.service.after.counties[k].mean_km),
                ],
                computing: a.is_none(),
            }
        })
        .collect()
}

fn counts(s: &Summary) -> [usize; 2] {
    [s.townships.count, s.villages.count]
}

fn charts(a: &Analysis, reference: Option<&crate::validate::Reference>) -> ChartsView {
    let s = &a.service;
    let curve = |c: &[f64]| -> Vec<[f64; 2]> {
        c.iter()
            .enumerate()
            .take(CURVE_MAX_KM + 1)
            .map(|(d, share)| [d as f64, 100.0 * share])
            .collect()
    };
    let (area, population) = histograms(a);
    let (cities, by_province) = cuts_by_city(a);
    ChartsView {
        change: changes(a),
        area,
        population,
        coverage: [
            curve(&s.before.province.curve),
            curve(&s.after.province.curve),
            curve(&s.after_with_stations.province.curve),
        ],
        radius_km: a.scenario.service.radius_km,
        cities,
        by_province,
        validation: reference.map(|r| ValidationView::new(a, r)),
    }
}

/// The change of each reform figure, with Sichuan's published change where the dataset is
/// Sichuan's (a yardstick for Sichuan only).
fn changes(a: &Analysis) -> Vec<(Metric, f64, Option<f64>)> {
    let ds = a.dataset();
    let (before, after) = (&a.before().province, &a.after.province);
    let in_sichuan = !ds.counties.is_empty()
        && ds.counties.iter().all(|c| {
            c.province()
                .is_some_and(|p| p.code == crate::national::SICHUAN)
        });
    Metric::REFORM
        .iter()
        .map(|&m| {
            let value = |s| m.of_summary(s).unwrap_or(f64::NAN);
            (
                m,
                change_pct(value(before), value(after)),
                sichuan_published(m).filter(|_| in_sichuan).map(|p| p.2),
            )
        })
        .collect()
}

/// The area and registered population of the regular townships before and after, with the
/// scenario's thresholds and caps marked.
fn histograms(a: &Analysis) -> (Histogram, Histogram) {
    let ds = a.dataset();
    // New regular townships: (area, registered population).
    let new: Vec<(f64, f64)> = a
        .plan
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
        .collect();
    let regular = || ds.townships.iter().filter(|t| t.kind.is_regular());
    let limits = &a.scenario.townships.limits;
    let mut area = Histogram::new(
        25.0,
        24,
        &regular().map(|t| t.area_km2).collect::<Vec<_>>(),
        &new.iter().map(|n| n.0).collect::<Vec<_>>(),
    );
    area.markers
        .extend(limits.min_area_km2.map(|x| (Marker::MinArea, x)));
    area.markers
        .extend(limits.max_area_km2.map(|x| (Marker::MaxArea, x)));
    let mut population = Histogram::new(
        2500.0,
        30,
        &regular().map(|t| t.registered_pop).collect::<Vec<_>>(),
        &new.iter().map(|n| n.1).collect::<Vec<_>>(),
    );
    population.markers.extend(
        limits
            .min_registered_pop
            .map(|x| (Marker::MinRegistered, x)),
    );
    (area, population)
}

/// The cut of townships and villages by city, or by province when the dataset holds several
/// (and whether it does).
fn cuts_by_city(a: &Analysis) -> (Vec<CityCut>, bool) {
    let ds = a.dataset();
    let province = |c: &crate::model::County| {
        c.province()
            .map_or((c.code.chars().take(2).collect(), String::new()), |p| {
                (p.code.to_string(), p.short.to_string())
            })
    };
    let by_province = ds
        .counties
        .iter()
        .map(|c| province(c).0)
        .collect::<std::collections::BTreeSet<_>>()
        .len()
        > 1;
    // (townships before, after, villages before, after) by city or province.
    let mut by_city: BTreeMap<(String, String), [usize; 4]> = BTreeMap::new();
    for (c, county) in ds.counties.iter_enumerated() {
        let key = if by_province {
            province(county)
        } else {
            (county.city_code.clone(), county.city_name.clone())
        };
        let e = by_city.entry(key).or_default();
        let (b, af) = (&a.before().counties[c], &a.after.counties[c]);
        e[0] += b.townships.count;
        e[1] += af.townships.count;
        e[2] += b.villages.count;
        e[3] += af.villages.count;
    }
    let cut = |b: usize, a: usize| {
        if b == 0 {
            0.0
        } else {
            100.0 * (b as f64 - a as f64) / b as f64
        }
    };
    let cities = by_city
        .iter()
        .map(|((code, name), v)| CityCut {
            name: if name.is_empty() {
                code.clone()
            } else if by_province {
                name.clone()
            } else {
                name.chars().take(2).collect()
            },
            townships_pct: cut(v[0], v[1]),
            villages_pct: cut(v[2], v[3]),
        })
        .collect();
    (cities, by_province)
}
