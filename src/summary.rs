//! Summary statistics of townships and villages: counts by kind, average and median area,
//! average registered and resident population — province-wide and per county.
//!
//! The same figures describe a dataset before a reform and the new units after one, so they
//! are computed from plain per-unit figures ([`TownshipFigures`], [`VillageFigures`]).

use std::collections::BTreeMap;
use std::sync::Arc;

use rayon::prelude::*;
use typed_index_collections::TiVec;

use crate::model::{CountyId, Dataset, TownshipKind, VillageKind};

/// What a township-level unit contributes to the statistics.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TownshipFigures {
    pub kind: TownshipKind,
    pub area_km2: f64,
    pub registered_pop: f64,
    pub resident_pop: f64,
}

/// What a village-level unit contributes to the statistics.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VillageFigures {
    pub kind: VillageKind,
    pub area_km2: f64,
    pub resident_pop: f64,
    pub registered_pop: Option<f64>,
}

/// Count, mean and median of a group of units.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct GroupStats {
    pub count: usize,
    pub total_area_km2: f64,
    pub avg_area_km2: f64,
    pub median_area_km2: f64,
    pub total_resident_pop: f64,
    pub avg_resident_pop: f64,
    pub total_registered_pop: f64,
    /// Average registered population over the units that give one (NaN if none does).
    pub avg_registered_pop: f64,
}

impl GroupStats {
    /// Statistics of the units, `count` of them (the list of their areas is sized once).
    fn from_units(count: usize, units: impl Iterator<Item = (f64, f64, Option<f64>)>) -> Self {
        let mut areas = Vec::with_capacity(count);
        let mut resident = 0.0;
        let mut registered = 0.0;
        let mut with_registered = 0usize;
        for (area, res, reg) in units {
            areas.push(area);
            resident += res;
            if let Some(reg) = reg {
                registered += reg;
                with_registered += 1;
            }
        }
        let count = areas.len();
        let total_area: f64 = areas.iter().sum();
        let mean = |total: f64, n: usize| if n == 0 { f64::NAN } else { total / n as f64 };
        Self {
            count,
            total_area_km2: total_area,
            avg_area_km2: mean(total_area, count),
            median_area_km2: median(&mut areas),
            total_resident_pop: resident,
            avg_resident_pop: mean(resident, count),
            total_registered_pop: registered,
            avg_registered_pop: mean(registered, with_registered),
        }
    }
}

/// The median of a list (NaN if empty); sorts the list.
pub fn median(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    // The middle value(s) by selection, without sorting the rest.
    let n = values.len();
    let (below, &mut upper, _) = values.select_nth_unstable_by(n / 2, f64::total_cmp);
    if n % 2 == 1 {
        upper
    } else {
        let lower = below
            .iter()
            .copied()
            .max_by(f64::total_cmp)
            .unwrap_or(upper);
        (lower + upper) / 2.0
    }
}

/// Statistics of one area (the province or a county).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    pub township_kinds: BTreeMap<TownshipKind, usize>,
    pub village_kinds: BTreeMap<VillageKind, usize>,
    /// Regular township-level units (streets, towns, townships, ethnic townships).
    pub townships: GroupStats,
    /// Administrative villages (建制村), without communities and special units.
    pub villages: GroupStats,
    /// Communities (社区), counted separately.
    pub communities: GroupStats,
}

impl Summary {
    pub fn from_units(
        townships: impl IntoIterator<Item = TownshipFigures>,
        villages: impl IntoIterator<Item = VillageFigures>,
    ) -> Self {
        let townships: Vec<TownshipFigures> = townships.into_iter().collect();
        let villages: Vec<VillageFigures> = villages.into_iter().collect();
        let township_kinds: BTreeMap<TownshipKind, usize> = TownshipKind::ALL
            .iter()
            .map(|&k| (k, townships.iter().filter(|t| t.kind == k).count()))
            .collect();
        let village_kinds: BTreeMap<VillageKind, usize> = VillageKind::ALL
            .iter()
            .map(|&k| (k, villages.iter().filter(|v| v.kind == k).count()))
            .collect();
        let regular: usize = township_kinds
            .iter()
            .filter(|(k, _)| k.is_regular())
            .map(|(_, n)| n)
            .sum();
        let village_group = |kind: VillageKind| {
            GroupStats::from_units(
                village_kinds[&kind],
                villages
                    .iter()
                    .filter(|v| v.kind == kind)
                    .map(|v| (v.area_km2, v.resident_pop, v.registered_pop)),
            )
        };
        let (villages, communities) = (
            village_group(VillageKind::Village),
            village_group(VillageKind::Community),
        );
        Self {
            township_kinds,
            village_kinds,
            townships: GroupStats::from_units(
                regular,
                townships
                    .iter()
                    .filter(|t| t.kind.is_regular())
                    .map(|t| (t.area_km2, t.resident_pop, Some(t.registered_pop))),
            ),
            villages,
            communities,
        }
    }
}

/// Province-wide and per-county statistics of a dataset as it is, or of the new units of a
/// plan.
#[derive(Debug, Clone, PartialEq)]
pub struct DatasetSummary {
    pub province: Summary,
    /// One summary per county of the dataset.
    pub counties: TiVec<CountyId, Summary>,
}

impl DatasetSummary {
    /// Statistics of units given with the county each lies in.
    pub fn from_units(
        dataset: &Dataset,
        townships: impl IntoIterator<Item = (CountyId, TownshipFigures)>,
        villages: impl IntoIterator<Item = (CountyId, VillageFigures)>,
    ) -> Self {
        let n = dataset.counties.len();
        let (townships, all_t) = by_county(n, townships);
        let (villages, all_v) = by_county(n, villages);
        Self {
            province: Summary::from_units(all_t, all_v),
            counties: townships
                .into_iter()
                .zip(villages)
                .map(|(t, v)| Summary::from_units(t, v))
                .collect(),
        }
    }

    /// Statistics of each county's units (`figures`), taking the summary of each county
    /// `previous` has one for; the province's are of all the units, county after county.
    pub(crate) fn of_counties(
        figures: &TiVec<CountyId, Arc<UnitFigures>>,
        previous: impl Fn(CountyId) -> Option<Summary> + Sync,
    ) -> Self {
        let (province, counties) = rayon::join(
            || {
                let (mut townships, mut villages) = (
                    Vec::with_capacity(figures.iter().map(|f| f.townships.len()).sum()),
                    Vec::with_capacity(figures.iter().map(|f| f.villages.len()).sum()),
                );
                for f in figures {
                    townships.extend_from_slice(&f.townships);
                    villages.extend_from_slice(&f.villages);
                }
                Summary::from_units(townships, villages)
            },
            || {
                figures
                    .raw
                    .par_iter()
                    .enumerate()
                    .map(|(c, f)| {
                        previous(CountyId::from(c)).unwrap_or_else(|| {
                            Summary::from_units(
                                f.townships.iter().copied(),
                                f.villages.iter().copied(),
                            )
                        })
                    })
                    .collect::<Vec<Summary>>()
            },
        );
        Self {
            province,
            counties: counties.into(),
        }
    }
}

/// The figures of one county's units a summary is made from.
#[derive(Debug, Clone, Default)]
pub(crate) struct UnitFigures {
    pub townships: Vec<TownshipFigures>,
    pub villages: Vec<VillageFigures>,
}

/// Figures grouped by county, and all of them in order.
fn by_county<F: Copy>(
    counties: usize,
    figures: impl IntoIterator<Item = (CountyId, F)>,
) -> (TiVec<CountyId, Vec<F>>, Vec<F>) {
    let mut by: TiVec<CountyId, Vec<F>> = vec![Vec::new(); counties].into();
    let mut all = Vec::new();
    for (c, f) in figures {
        by[c].push(f);
        all.push(f);
    }
    (by, all)
}

/// The per-unit figures of a dataset's townships, with their county.
pub fn township_figures(
    dataset: &Dataset,
) -> impl Iterator<Item = (CountyId, TownshipFigures)> + '_ {
    dataset.townships.iter().map(|t| {
        (
            t.county,
            TownshipFigures {
                kind: t.kind,
                area_km2: t.area_km2,
                registered_pop: t.registered_pop,
                resident_pop: t.resident_pop,
            },
        )
    })
}

/// The per-unit figures of a dataset's villages, with their county.
pub fn village_figures(dataset: &Dataset) -> impl Iterator<Item = (CountyId, VillageFigures)> + '_ {
    dataset.villages.iter().map(|v| {
        (
            dataset.townships[v.township].county,
            VillageFigures {
                kind: v.kind,
                area_km2: v.area_km2,
                resident_pop: v.resident_pop,
                registered_pop: v.registered_pop,
            },
        )
    })
}

/// Summarises a dataset as it is (before any reform).
pub fn summarize(dataset: &Dataset) -> DatasetSummary {
    DatasetSummary::from_units(dataset, township_figures(dataset), village_figures(dataset))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(kind: TownshipKind, area: f64, reg: f64, res: f64) -> TownshipFigures {
        TownshipFigures {
            kind,
            area_km2: area,
            registered_pop: reg,
            resident_pop: res,
        }
    }

    fn v(kind: VillageKind, area: f64, res: f64) -> VillageFigures {
        VillageFigures {
            kind,
            area_km2: area,
            resident_pop: res,
            registered_pop: None,
        }
    }

    #[test]
    fn special_units_and_communities_are_counted_apart() {
        let s = Summary::from_units(
            [
                t(TownshipKind::Town, 100.0, 20_000.0, 18_000.0),
                t(TownshipKind::Township, 200.0, 10_000.0, 8_000.0),
                t(TownshipKind::Special, 5.0, 1_000.0, 3_000.0),
            ],
            [
                v(VillageKind::Village, 10.0, 800.0),
                v(VillageKind::Village, 30.0, 1_000.0),
                v(VillageKind::Community, 1.0, 5_000.0),
            ],
        );
        assert_eq!(s.townships.count, 2);
        assert_eq!(s.township_kinds[&TownshipKind::Special], 1);
        assert_eq!(s.townships.avg_area_km2, 150.0);
        assert_eq!(s.townships.avg_registered_pop, 15_000.0);
        assert_eq!(s.villages.count, 2);
        assert_eq!(s.villages.avg_resident_pop, 900.0);
        assert_eq!(s.communities.count, 1);
        assert!(s.villages.avg_registered_pop.is_nan());
    }

    #[test]
    fn median_of_even_and_odd_lists() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&mut [4.0, 1.0, 2.0, 3.0]), 2.5);
        assert!(median(&mut []).is_nan());
    }
}
