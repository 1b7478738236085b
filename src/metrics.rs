//! The one list of figures Jianzhi reports: name, unit, basis and label in both languages.
//! `summary.csv`, the terminal tables, the app's key figures and its change chart all read it.
//!
//! ```
//! use jianzhi::metrics::Metric;
//! let m = Metric::AvgTownshipAreaKm2;
//! assert_eq!(m.key(), "avg_township_area_km2");
//! assert_eq!(m.label(jianzhi::Lang::Zh), "乡镇平均面积");
//! assert_eq!(m.unit().label(jianzhi::Lang::En), "km²");
//! ```

use crate::coverage::ServiceReport;
use crate::lang::Lang;
use crate::model::{Figure, Provenance, TownshipKind, VillageKind};
use crate::summary::Summary;

/// What a figure rests on, for the `basis` column and the "modelled" marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// Counted from the division codes: observed.
    Counted,
    /// Computed from a kind of figure the dataset may have modelled.
    Figure(Figure),
    /// From the cost model's illustrative parameters.
    Illustrative,
}

impl Basis {
    /// `observed`, `modelled` or `illustrative` for this dataset.
    pub fn of(self, provenance: &Provenance) -> &'static str {
        match self {
            Basis::Counted => "observed",
            Basis::Figure(f) => provenance.basis(Some(f)),
            Basis::Illustrative => "illustrative",
        }
    }

    /// Whether the figure is modelled (or illustrative) in this dataset.
    pub fn is_modelled(self, provenance: &Provenance) -> bool {
        self.of(provenance) != "observed"
    }
}

/// The unit a figure is given in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Count,
    SquareKm,
    People,
    Km,
    /// A share from 0 to 1, shown as a percentage.
    Share,
    Yuan,
}

impl Unit {
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Unit::Count, Lang::Zh) => "个",
            (Unit::Count, Lang::En) => "",
            (Unit::SquareKm, _) => "km²",
            (Unit::People, Lang::Zh) => "人",
            (Unit::People, Lang::En) => "people",
            (Unit::Km, _) => "km",
            (Unit::Share, _) => "%",
            (Unit::Yuan, Lang::Zh) => "亿元",
            (Unit::Yuan, Lang::En) => "100M yuan",
        }
    }

    /// A value as shown on screen (shares as percentages, yuan in 亿).
    pub fn shown(self, value: f64) -> f64 {
        match self {
            Unit::Share => value * 100.0,
            Unit::Yuan => value / 1e8,
            _ => value,
        }
    }
}

macro_rules! metrics {
    ($($variant:ident = $key:literal, $zh:literal, $en:literal, $unit:ident, $basis:expr;)*) => {
        /// A figure of a dataset or a plan.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Metric {
            $($variant,)*
        }

        impl Metric {
            /// Every metric, in report order.
            pub const ALL: &'static [Metric] = &[$(Metric::$variant,)*];

            /// The name in reports (`summary.csv`, English, stable for scripts).
            pub fn key(self) -> &'static str {
                match self {
                    $(Metric::$variant => $key,)*
                }
            }

            /// The label on screen.
            pub fn label(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $((Metric::$variant, Lang::Zh) => $zh,)*
                    $((Metric::$variant, Lang::En) => $en,)*
                }
            }

            pub fn unit(self) -> Unit {
                match self {
                    $(Metric::$variant => Unit::$unit,)*
                }
            }

            pub fn basis(self) -> Basis {
                match self {
                    $(Metric::$variant => $basis,)*
                }
            }
        }
    };
}

const AREAS: Basis = Basis::Figure(Figure::Areas);
const POPULATIONS: Basis = Basis::Figure(Figure::Populations);
const LOCATIONS: Basis = Basis::Figure(Figure::Locations);

metrics! {
    Townships = "townships", "乡镇数", "Township-level units", Count, Basis::Counted;
    Streets = "streets", "街道数", "Streets", Count, Basis::Counted;
    Towns = "towns", "镇数", "Towns", Count, Basis::Counted;
    RuralTownships = "rural_townships", "乡数", "Townships (乡)", Count, Basis::Counted;
    EthnicTownships = "ethnic_townships", "民族乡数", "Ethnic townships", Count, Basis::Counted;
    SpecialTownshipUnits = "special_township_units", "特殊乡级单位数", "Special township-level units", Count, Basis::Counted;
    Villages = "villages", "建制村数", "Administrative villages", Count, Basis::Counted;
    Communities = "communities", "社区数", "Communities", Count, Basis::Counted;
    SpecialVillageUnits = "special_village_units", "特殊村级单位数", "Special village-level units", Count, Basis::Counted;
    AvgTownshipAreaKm2 = "avg_township_area_km2", "乡镇平均面积", "Average township area", SquareKm, AREAS;
    MedianTownshipAreaKm2 = "median_township_area_km2", "乡镇面积中位数", "Median township area", SquareKm, AREAS;
    AvgTownshipRegisteredPop = "avg_township_registered_pop", "乡镇平均户籍人口", "Average township registered population", People, POPULATIONS;
    AvgTownshipResidentPop = "avg_township_resident_pop", "乡镇平均常住人口", "Average township resident population", People, POPULATIONS;
    AvgVillageAreaKm2 = "avg_village_area_km2", "村平均面积", "Average village area", SquareKm, AREAS;
    MedianVillageAreaKm2 = "median_village_area_km2", "村面积中位数", "Median village area", SquareKm, AREAS;
    AvgVillageResidentPop = "avg_village_resident_pop", "村平均常住人口", "Average village resident population", People, POPULATIONS;
    AvgVillageRegisteredPop = "avg_village_registered_pop", "村平均户籍人口", "Average village registered population", People, POPULATIONS;
    AvgCommunityResidentPop = "avg_community_resident_pop", "社区平均常住人口", "Average community resident population", People, POPULATIONS;
    MeanSeatDistanceKm = "mean_seat_distance_km", "平均到驻地距离", "Mean distance to seat", Km, LOCATIONS;
    MedianSeatDistanceKm = "median_seat_distance_km", "到驻地距离中位数", "Median distance to seat", Km, LOCATIONS;
    P90SeatDistanceKm = "p90_seat_distance_km", "到驻地距离 90% 分位", "90th percentile distance to seat", Km, LOCATIONS;
    MaxSeatDistanceKm = "max_seat_distance_km", "最远到驻地距离", "Longest distance to seat", Km, LOCATIONS;
    MeanTerrainDistanceKm = "mean_terrain_distance_km", "地形折算平均距离", "Mean terrain-adjusted distance", Km, LOCATIONS;
    ShareWithin5Km = "share_within_5km", "5 公里内人口比例", "Share within 5 km", Share, LOCATIONS;
    ShareWithin10Km = "share_within_10km", "10 公里内人口比例", "Share within 10 km", Share, LOCATIONS;
    ShareWithin15Km = "share_within_15km", "15 公里内人口比例", "Share within 15 km", Share, LOCATIONS;
    ShareWithin20Km = "share_within_20km", "20 公里内人口比例", "Share within 20 km", Share, LOCATIONS;
    ShareWithin30Km = "share_within_30km", "30 公里内人口比例", "Share within 30 km", Share, LOCATIONS;
    VillagesBeyondRadius = "villages_beyond_radius", "服务半径外村数", "Villages beyond the radius", Count, LOCATIONS;
    PeopleBeyondRadius = "people_beyond_radius", "服务半径外人口", "People beyond the radius", People, LOCATIONS;
    MeanSeatOrStationDistanceKm = "mean_seat_or_station_distance_km", "平均到驻地距离（含服务站）", "Mean distance to seat or station", Km, LOCATIONS;
    P90SeatOrStationDistanceKm = "p90_seat_or_station_distance_km", "90% 分位距离（含服务站）", "90th percentile distance to seat or station", Km, LOCATIONS;
    ShareWithin10KmWithStations = "share_within_10km_with_stations", "10 公里内人口比例（含服务站）", "Share within 10 km, with stations", Share, LOCATIONS;
    ShareWithin15KmWithStations = "share_within_15km_with_stations", "15 公里内人口比例（含服务站）", "Share within 15 km, with stations", Share, LOCATIONS;
    ShareWithin20KmWithStations = "share_within_20km_with_stations", "20 公里内人口比例（含服务站）", "Share within 20 km, with stations", Share, LOCATIONS;
    PeopleBeyondRadiusWithStations = "people_beyond_radius_with_stations", "服务半径外人口（含服务站）", "People beyond the radius, with stations", People, LOCATIONS;
    MeanVillageSeatDistanceKm = "mean_village_seat_distance_km", "村到新村委会平均距离", "Mean distance of former villages to the new village seat", Km, LOCATIONS;
    Stations = "stations", "便民服务站数", "Service stations", Count, Basis::Illustrative;
    PeoplePerSeat = "people_per_seat", "每个驻地服务人口", "People per seat", People, POPULATIONS;
    PeoplePerStation = "people_per_station", "每个服务站服务人口", "People per station", People, POPULATIONS;
    Staff = "staff", "编制人员（示意）", "Staff (illustrative)", People, Basis::Illustrative;
    YearlyCost = "yearly_cost", "年度成本（示意）", "Yearly cost (illustrative)", Yuan, Basis::Illustrative;
}

impl Metric {
    /// The metrics of a dataset's units alone (the `summary` command and `counties.csv`).
    pub const UNITS: &'static [Metric] = &[
        Metric::Townships,
        Metric::Streets,
        Metric::Towns,
        Metric::RuralTownships,
        Metric::EthnicTownships,
        Metric::SpecialTownshipUnits,
        Metric::Villages,
        Metric::Communities,
        Metric::SpecialVillageUnits,
        Metric::AvgTownshipAreaKm2,
        Metric::MedianTownshipAreaKm2,
        Metric::AvgTownshipRegisteredPop,
        Metric::AvgTownshipResidentPop,
        Metric::AvgVillageAreaKm2,
        Metric::MedianVillageAreaKm2,
        Metric::AvgVillageResidentPop,
        Metric::AvgVillageRegisteredPop,
        Metric::AvgCommunityResidentPop,
    ];

    /// The key figures the app shows first.
    pub const KEY: &'static [Metric] = &[
        Metric::Townships,
        Metric::Villages,
        Metric::AvgTownshipAreaKm2,
        Metric::AvgTownshipRegisteredPop,
        Metric::AvgVillageAreaKm2,
        Metric::AvgVillageResidentPop,
        Metric::MeanSeatDistanceKm,
        Metric::MeanSeatOrStationDistanceKm,
        Metric::P90SeatDistanceKm,
        Metric::PeopleBeyondRadius,
        Metric::Staff,
        Metric::YearlyCost,
    ];

    /// The counts and averages the reform's published figures give (the change chart): the
    /// first six key figures.
    pub const REFORM: &'static [Metric] = Metric::KEY.split_at(6).0;

    /// A short label for a chart's axis (the label where no shorter one is needed).
    pub fn short_label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Metric::Townships, Lang::En) => "Townships",
            (Metric::Villages, Lang::En) => "Villages",
            (Metric::AvgTownshipAreaKm2, Lang::En) => "Township area",
            (Metric::AvgTownshipRegisteredPop, Lang::En) => "Township registered pop",
            (Metric::AvgVillageAreaKm2, Lang::En) => "Village area",
            (Metric::AvgVillageResidentPop, Lang::En) => "Village resident pop",
            _ => self.label(lang),
        }
    }

    /// Whether the metric is measured from where units are (distances, shares within a
    /// radius): not available for a dataset without locations.
    pub fn needs_locations(self) -> bool {
        matches!(self.basis(), Basis::Figure(Figure::Locations))
    }

    /// The value of a unit metric in a summary (`None` for the service metrics).
    pub fn of_summary(self, s: &Summary) -> Option<f64> {
        let (t, v) = (&s.townships, &s.villages);
        let count = |n: usize| Some(n as f64);
        let kind_t = |k: TownshipKind| count(s.township_kinds.get(&k).copied().unwrap_or(0));
        let kind_v = |k: VillageKind| count(s.village_kinds.get(&k).copied().unwrap_or(0));
        // Townships without a village table: village figures are not available, not zero.
        let no_villages = v.count == 0 && t.count > 0;
        if no_villages
            && matches!(
                self,
                Metric::Villages | Metric::Communities | Metric::SpecialVillageUnits
            )
        {
            return None;
        }
        match self {
            Metric::Townships => count(t.count),
            Metric::Streets => kind_t(TownshipKind::Street),
            Metric::Towns => kind_t(TownshipKind::Town),
            Metric::RuralTownships => kind_t(TownshipKind::Township),
            Metric::EthnicTownships => kind_t(TownshipKind::EthnicTownship),
            Metric::SpecialTownshipUnits => kind_t(TownshipKind::Special),
            Metric::Villages => count(v.count),
            Metric::Communities => count(s.communities.count),
            Metric::SpecialVillageUnits => kind_v(VillageKind::Special),
            Metric::AvgTownshipAreaKm2 => Some(t.avg_area_km2),
            Metric::MedianTownshipAreaKm2 => Some(t.median_area_km2),
            Metric::AvgTownshipRegisteredPop => Some(t.avg_registered_pop),
            Metric::AvgTownshipResidentPop => Some(t.avg_resident_pop),
            Metric::AvgVillageAreaKm2 => Some(v.avg_area_km2),
            Metric::MedianVillageAreaKm2 => Some(v.median_area_km2),
            Metric::AvgVillageResidentPop => Some(v.avg_resident_pop),
            Metric::AvgVillageRegisteredPop => Some(v.avg_registered_pop),
            Metric::AvgCommunityResidentPop => Some(s.communities.avg_resident_pop),
            _ => None,
        }
    }

    /// The value of a service metric before and after a plan (`None` where a figure has no
    /// meaning: no stations or new village seats before a plan).
    pub fn of_service(self, s: &ServiceReport) -> Option<(Option<f64>, Option<f64>)> {
        let (b, a, w) = (
            &s.before.province,
            &s.after.province,
            &s.after_with_stations.province,
        );
        let both = |before: f64, after: f64| Some((Some(before), Some(after)));
        let share = |c: &crate::coverage::Coverage, r: usize| c.share_within[r];
        // No village table or no locations, so no trip to measure: not available.
        let distance_metric = !matches!(
            self,
            Metric::PeoplePerSeat | Metric::Stations | Metric::Staff | Metric::YearlyCost
        );
        if distance_metric && b.mean_km.is_nan() {
            return None;
        }
        match self {
            Metric::MeanSeatDistanceKm => both(b.mean_km, a.mean_km),
            Metric::MedianSeatDistanceKm => both(b.median_km, a.median_km),
            Metric::P90SeatDistanceKm => both(b.p90_km, a.p90_km),
            Metric::MaxSeatDistanceKm => both(b.max_km, a.max_km),
            Metric::MeanTerrainDistanceKm => both(b.mean_terrain_km, a.mean_terrain_km),
            Metric::ShareWithin5Km => both(share(b, 0), share(a, 0)),
            Metric::ShareWithin10Km => both(share(b, 1), share(a, 1)),
            Metric::ShareWithin15Km => both(share(b, 2), share(a, 2)),
            Metric::ShareWithin20Km => both(share(b, 3), share(a, 3)),
            Metric::ShareWithin30Km => both(share(b, 4), share(a, 4)),
            Metric::VillagesBeyondRadius => {
                both(b.beyond_villages as f64, a.beyond_villages as f64)
            }
            Metric::PeopleBeyondRadius => both(b.beyond_people, a.beyond_people),
            Metric::MeanSeatOrStationDistanceKm => both(b.mean_km, w.mean_km),
            Metric::P90SeatOrStationDistanceKm => both(b.p90_km, w.p90_km),
            Metric::ShareWithin10KmWithStations => both(share(b, 1), share(w, 1)),
            Metric::ShareWithin15KmWithStations => both(share(b, 2), share(w, 2)),
            Metric::ShareWithin20KmWithStations => both(share(b, 3), share(w, 3)),
            Metric::PeopleBeyondRadiusWithStations => both(b.beyond_people, w.beyond_people),
            Metric::MeanVillageSeatDistanceKm => {
                Some((None, Some(s.village_seats.province.mean_km)))
            }
            Metric::Stations => Some((None, Some(s.stations.len() as f64))),
            Metric::PeoplePerSeat => both(s.people_per_seat_before, s.people_per_seat_after),
            Metric::PeoplePerStation => Some((None, Some(s.people_per_station()))),
            Metric::Staff => both(s.cost_before.staff, s.cost_after.staff),
            Metric::YearlyCost => both(s.cost_before.yearly_yuan, s.cost_after.yearly_yuan),
            _ => None,
        }
    }

    /// Before and after a plan, from the before and after summaries and the service report.
    pub fn before_after(
        self,
        before: &Summary,
        after: &Summary,
        service: &ServiceReport,
    ) -> (Option<f64>, Option<f64>) {
        match self.of_service(service) {
            Some(values) => values,
            None => (self.of_summary(before), self.of_summary(after)),
        }
    }
}

/// Percentage change from `before` to `after` (NaN when `before` is 0 or not a number).
///
/// ```
/// assert_eq!(jianzhi::metrics::change_pct(4610.0, 3140.0).round(), -32.0);
/// assert!(jianzhi::metrics::change_pct(0.0, 5.0).is_nan());
/// ```
pub fn change_pct(before: f64, after: f64) -> f64 {
    if before == 0.0 || !before.is_finite() || !after.is_finite() {
        f64::NAN
    } else {
        (after - before) / before * 100.0
    }
}

/// The figures Sichuan published for its 2019–2020 reform (REFERENCE.md, seed 001): before,
/// after, and the change in percent, for the metrics of [`Metric::REFORM`].
pub fn sichuan_published(metric: Metric) -> Option<(f64, f64, f64)> {
    match metric {
        Metric::Townships => Some((4610.0, 3140.0, -32.0)),
        Metric::Villages => Some((45_400.0, 26_400.0, -41.6)),
        Metric::AvgTownshipAreaKm2 => Some((106.0, 156.0, 47.0)),
        Metric::AvgTownshipRegisteredPop => Some((18_000.0, 30_000.0, 67.0)),
        Metric::AvgVillageAreaKm2 => Some((10.7, 17.7, 65.0)),
        Metric::AvgVillageResidentPop => Some((877.0, 1458.0, 66.0)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_labels_are_unique_and_every_list_is_in_all() {
        let mut keys: Vec<&str> = Metric::ALL.iter().map(|m| m.key()).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), Metric::ALL.len());
        for lang in [Lang::Zh, Lang::En] {
            let mut labels: Vec<&str> = Metric::ALL.iter().map(|m| m.label(lang)).collect();
            labels.sort_unstable();
            labels.dedup();
            assert_eq!(labels.len(), Metric::ALL.len(), "{lang:?}");
        }
        for list in [Metric::UNITS, Metric::KEY, Metric::REFORM] {
            assert!(list.iter().all(|m| Metric::ALL.contains(m)));
        }
        // Unit metrics come from a summary, the others from the service report.
        let s = Summary::default();
        let service = ServiceReport::default();
        for &m in Metric::ALL {
            assert_eq!(
                m.of_summary(&s).is_some(),
                Metric::UNITS.contains(&m),
                "{m:?}"
            );
            assert_eq!(
                m.of_service(&service).is_some(),
                !Metric::UNITS.contains(&m)
            );
        }
        for &m in Metric::REFORM {
            let (before, after, pct) = sichuan_published(m).unwrap();
            assert!((change_pct(before, after) - pct).abs() < 1.0, "{m:?}");
        }
    }
}
