//! Service coverage: how far people live from their township seat (服务半径), before and after
//! a plan, with and without service stations kept at former seats, and the administrative cost.
//!
//! Every village-level unit is one *trip*: from its centre to the seat that serves it, weighted
//! by its resident population. Distances are great-circle km; the **terrain-adjusted** distance
//! adds the climbs along the straight line from the village to the seat, read from the DEM,
//! converted to flat-equivalent km by Naismith's rule (600 m of ascent takes as long as 5 km
//! on the flat):
//!
//! `terrain_km = km + (5 / 0.6) × ascent_km`, with the ascent summed over samples every
//! kilometre (at most 64) along the line. Without a DEM it equals the great-circle distance.

use rayon::prelude::*;
use typed_index_collections::TiVec;

use crate::dem::Dem;
use crate::geodesy::distance_km;
use crate::model::{CountyId, Dataset, LonLat, NewTownshipId, TownshipId, VillageId, VillageKind};
use crate::plan::MergePlan;
use crate::scenario::{Costs, Scenario, Stations};
use crate::workspace::Workspace;

/// Radii (km) of the reported shares of people within reach.
pub const SHARE_RADII_KM: [f64; 5] = [5.0, 10.0, 15.0, 20.0, 30.0];
/// The coverage curve runs from 0 to this many km, one point a km.
pub const CURVE_MAX_KM: usize = 60;
/// Naismith's rule: flat km equivalent to one km of ascent.
pub const FLAT_KM_PER_KM_CLIMBED: f64 = 5.0 / 0.6;

/// Great-circle and terrain-adjusted distance from `from` to `to`, km.
pub fn trip_km(dem: Option<&Dem>, from: LonLat, to: LonLat) -> (f64, f64) {
    let d = distance_km(from, to);
    let Some(dem) = dem else { return (d, d) };
    let steps = (d.ceil() as usize).clamp(1, 64);
    let mut climb = 0.0;
    let mut previous = dem.elevation(from);
    for k in 1..=steps {
        let t = k as f64 / steps as f64;
        let p = LonLat::new(
            from.lon + t * (to.lon - from.lon),
            from.lat + t * (to.lat - from.lat),
        );
        let e = dem.elevation(p);
        if let (Some(a), Some(b)) = (previous, e) {
            climb += (b - a).max(0.0);
        }
        previous = e.or(previous);
    }
    (d, d + FLAT_KM_PER_KM_CLIMBED * climb / 1000.0)
}

/// One village's trip to the point that serves it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Trip {
    pub km: f64,
    pub terrain_km: f64,
    pub people: f64,
}

/// Coverage statistics of a set of trips, weighted by population.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Coverage {
    pub villages: usize,
    pub people: f64,
    pub mean_km: f64,
    pub median_km: f64,
    pub p90_km: f64,
    pub max_km: f64,
    pub mean_terrain_km: f64,
    /// Share of people within each of [`SHARE_RADII_KM`].
    pub share_within: [f64; 5],
    /// Villages and people beyond the service radius.
    pub beyond_villages: usize,
    pub beyond_people: f64,
    /// Share of people within d km, for d = 0, 1, … [`CURVE_MAX_KM`].
    pub curve: Vec<f64>,
}

impl Coverage {
    /// The statistics of `trips` in a few passes, without sorting them: people are summed in
    /// 1-km bins (a trip of `km` counts within `d` km from the bin `ceil(km)` on), which give
    /// the curve and the shares at once; a quantile is read in the one bin it falls in, whose
    /// trips alone are sorted.
    pub fn from_trips(trips: &[Trip], radius_km: f64) -> Self {
        // One pass; each sum is taken in the order of `trips`.
        let mut bins = [0.0; BINS];
        let (mut people, mut max_km, mut km_people, mut terrain_people) = (0.0, f64::NAN, 0.0, 0.0);
        let (mut beyond_villages, mut beyond_people) = (0, 0.0);
        for t in trips {
            people += t.people;
            max_km = f64::max(max_km, t.km);
            bins[bin(t.km)] += t.people;
            km_people += t.km * t.people;
            terrain_people += t.terrain_km * t.people;
            if t.km > radius_km {
                beyond_villages += 1;
                beyond_people += t.people;
            }
        }
        if trips.is_empty() || people <= 0.0 {
            return Coverage {
                villages: trips.len(),
                curve: vec![f64::NAN; CURVE_MAX_KM + 1],
                mean_km: f64::NAN,
                median_km: f64::NAN,
                p90_km: f64::NAN,
                max_km,
                mean_terrain_km: f64::NAN,
                share_within: [f64::NAN; 5],
                ..Default::default()
            };
        }
        let mut cumulative = 0.0;
        let curve: Vec<f64> = bins[..=CURVE_MAX_KM]
            .iter()
            .map(|b| {
                cumulative += b;
                cumulative / people
            })
            .collect();
        Coverage {
            villages: trips.len(),
            people,
            mean_km: km_people / people,
            median_km: weighted_quantile(trips, &bins, people, 0.5),
            p90_km: weighted_quantile(trips, &bins, people, 0.9),
            max_km,
            mean_terrain_km: terrain_people / people,
            share_within: SHARE_RADII_KM.map(|r| curve[r as usize]),
            beyond_villages,
            beyond_people,
            curve,
        }
    }
}

/// Bins of whole km: 0 (a trip of 0 km), 1 (up to 1 km), … [`CURVE_MAX_KM`], and one beyond.
const BINS: usize = CURVE_MAX_KM + 2;

// The shares are read on the curve, at whole km.
const _: () = {
    let mut r = 0;
    while r < SHARE_RADII_KM.len() {
        assert!(SHARE_RADII_KM[r] as usize as f64 == SHARE_RADII_KM[r]);
        assert!(SHARE_RADII_KM[r] as usize <= CURVE_MAX_KM);
        r += 1;
    }
};

/// The bin of a trip of `km`: the smallest whole `d` with `km <= d`, or the last bin.
fn bin(km: f64) -> usize {
    let d = km.max(0.0).ceil();
    if d <= CURVE_MAX_KM as f64 {
        d as usize
    } else {
        BINS - 1
    }
}

/// The smallest distance within which at least `q` of the people live: the bins are summed
/// up to the one where the share is reached, whose trips are then narrowed down the same way.
fn weighted_quantile(trips: &[Trip], bins: &[f64; BINS], people: f64, q: f64) -> f64 {
    let goal = q * people - 1e-9;
    let mut cumulative = 0.0;
    for (b, &in_bin) in bins.iter().enumerate() {
        if cumulative + in_bin < goal && b + 1 < BINS {
            cumulative += in_bin;
            continue;
        }
        if b == 0 {
            // Every trip of the first bin is 0 km.
            return 0.0;
        }
        let within: Vec<(f64, f64)> = trips
            .iter()
            .filter(|t| bin(t.km) == b)
            .map(|t| (t.km, t.people))
            .collect();
        return quantile_among(within, cumulative, goal);
    }
    f64::NAN
}

/// The distance at which `cumulative` plus the people of `trips` (km, people), taken by
/// distance, first reaches `goal` (the farthest if never): a few trips are sorted, more are
/// first narrowed to the one of 256 equal slices of their range where the goal is reached.
fn quantile_among(mut trips: Vec<(f64, f64)>, mut cumulative: f64, goal: f64) -> f64 {
    const SLICES: usize = 256;
    loop {
        let (lo, hi) = trips
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &(km, _)| {
                (lo.min(km), hi.max(km))
            });
        if trips.len() <= 64 || lo >= hi {
            // Trips of equal km give the same answer whatever their order.
            trips.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
            for &(km, people) in &trips {
                cumulative += people;
                if cumulative >= goal {
                    return km;
                }
            }
            return hi;
        }
        let slice = |km: f64| (((km - lo) / (hi - lo) * SLICES as f64) as usize).min(SLICES - 1);
        let mut slices = [0.0; SLICES];
        for &(km, people) in &trips {
            slices[slice(km)] += people;
        }
        let mut at = None;
        for (k, &in_slice) in slices.iter().enumerate() {
            if cumulative + in_slice >= goal {
                at = Some(k);
                break;
            }
            cumulative += in_slice;
        }
        let Some(at) = at else { return hi };
        trips.retain(|&(km, _)| slice(km) == at);
    }
}

/// Coverage province-wide and per county.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CoverageSet {
    pub province: Coverage,
    pub counties: TiVec<CountyId, Coverage>,
}

impl CoverageSet {
    /// The coverage of `trips`, province-wide and per county. Given the `previous` set of the
    /// same radius, a county not `changed` since keeps its coverage.
    fn new(
        baseline: &Baseline,
        trips: &TiVec<VillageId, Option<Trip>>,
        radius_km: f64,
        previous: Option<(&CoverageSet, &TiVec<CountyId, bool>)>,
    ) -> Self {
        let all: Vec<Trip> = trips.iter().flatten().copied().collect();
        let mut gathered = Vec::new();
        let counties = baseline
            .by_county
            .iter_enumerated()
            .map(|(c, villages)| match previous {
                Some((set, changed)) if !changed[c] => set.counties[c].clone(),
                _ => {
                    gathered.clear();
                    gathered.extend(villages.iter().filter_map(|&v| trips[v]));
                    Coverage::from_trips(&gathered, radius_km)
                }
            })
            .collect();
        let province = Coverage::from_trips(&all, radius_km);
        Self { province, counties }
    }
}

#[derive(Debug, Clone)]
pub struct Baseline {
    /// Each village's trip to its own township's seat (`None` for special units).
    pub trips: TiVec<VillageId, Option<Trip>>,
    /// The villages of each county, in order, and the county of each village.
    by_county: TiVec<CountyId, Vec<VillageId>>,
    county_of: TiVec<VillageId, CountyId>,
    /// Regular township-level units, administrative villages, and the residents of the
    /// regular townships, before any plan.
    regular_townships: usize,
    regular_villages: usize,
    regular_people: f64,
}

impl Baseline {
    pub fn new(dataset: &Dataset) -> Self {
        let dem = dataset.dem.as_ref();
        // Without locations there is no trip to measure, as for special units.
        let located = dataset.has_locations();
        let trips: Vec<Option<Trip>> = dataset
            .villages
            .raw
            .par_iter()
            .map(|v| {
                (located && v.kind != VillageKind::Special).then(|| {
                    let (km, terrain_km) =
                        trip_km(dem, v.centre, dataset.townships[v.township].seat);
                    Trip {
                        km,
                        terrain_km,
                        people: v.resident_pop,
                    }
                })
            })
            .collect();
        let county_of: TiVec<VillageId, CountyId> = dataset
            .villages
            .keys()
            .map(|v| dataset.county_of_village(v))
            .collect();
        let mut by_county: TiVec<CountyId, Vec<VillageId>> =
            vec![Vec::new(); dataset.counties.len()].into();
        for (v, &c) in county_of.iter_enumerated() {
            by_county[c].push(v);
        }
        let regular = dataset.townships.iter().filter(|t| t.kind.is_regular());
        Self {
            trips: trips.into(),
            by_county,
            county_of,
            regular_townships: regular.clone().count(),
            regular_villages: dataset
                .villages
                .iter()
                .filter(|v| v.kind == VillageKind::Village)
                .count(),
            regular_people: regular.map(|t| t.resident_pop).sum(),
        }
    }
}

/// Staff and yearly cost of a set of units.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Cost {
    pub staff: f64,
    pub yearly_yuan: f64,
}

impl Cost {
    fn of(costs: &Costs, townships: usize, villages: usize, stations: usize) -> Self {
        let staff = townships as f64 * costs.staff_per_township
            + villages as f64 * costs.staff_per_village
            + stations as f64 * costs.staff_per_station;
        Self {
            staff,
            yearly_yuan: staff * costs.yuan_per_staff_year,
        }
    }
}

/// Service coverage and cost of a plan.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ServiceReport {
    /// Villages to their own township's seat.
    pub before: CoverageSet,
    /// Villages to their new township's seat.
    pub after: CoverageSet,
    /// Villages to the nearest of their new township's seat and its stations.
    pub after_with_stations: CoverageSet,
    /// Former villages to their new village's seat (zero before any village merge).
    pub village_seats: CoverageSet,
    /// Former seats kept as service stations.
    pub stations: Vec<TownshipId>,
    /// Each former township's villages: their people-weighted mean distance to their seat,
    /// before and after (NaN without villages).
    pub township_mean_km: TiVec<TownshipId, [f64; 2]>,
    /// Residents whose nearest service point is a station.
    pub people_served_by_stations: f64,
    pub people_per_seat_before: f64,
    pub people_per_seat_after: f64,
    pub cost_before: Cost,
    pub cost_after: Cost,
}

impl ServiceReport {
    pub fn people_per_station(&self) -> f64 {
        if self.stations.is_empty() {
            f64::NAN
        } else {
            self.people_served_by_stations / self.stations.len() as f64
        }
    }

    /// Before any village merge every village is its own seat.
    pub fn village_seats_before_km(&self) -> f64 {
        0.0
    }

    pub fn yearly_saving_yuan(&self) -> f64 {
        self.cost_before.yearly_yuan - self.cost_after.yearly_yuan
    }
}

/// A village's trips after a plan.
#[derive(Debug, Clone, Copy)]
struct TripsAfter {
    to_seat: Trip,
    /// To the nearest of the new seat and the new township's stations.
    nearest: Trip,
    by_station: bool,
}

/// Where a village's trips after a plan go: the seat of its new township and the station
/// nearer than that seat, if any. Equal destinations give equal trips.
type Destination = (TownshipId, Option<TownshipId>);

/// What an evaluation keeps so the next one (after a hand edit, say) computes only the trips
/// whose destination changed and the counties whose trips changed.
#[derive(Debug, Clone, Default)]
pub(crate) struct Kept {
    service: Option<crate::scenario::Service>,
    destinations: TiVec<VillageId, Option<Destination>>,
    after: TiVec<VillageId, Option<TripsAfter>>,
    village_seats: TiVec<VillageId, VillageId>,
    village_trips: TiVec<VillageId, Option<Trip>>,
}

/// Evaluates a plan's service coverage and cost, taking from `previous` (an evaluation on
/// the same workspace: what it kept, its plan and its report) what the plan did not change.
pub(crate) fn evaluate(
    ws: &Workspace,
    plan: &MergePlan,
    scenario: &Scenario,
    previous: Option<(&Kept, &MergePlan, &ServiceReport)>,
) -> (ServiceReport, Kept) {
    debug_assert_eq!(
        plan.dataset(),
        ws.id(),
        "a plan read against another dataset"
    );
    let (dataset, baseline) = (ws.dataset(), ws.baseline());
    let service = &scenario.service;
    let (previous, previous_plan, kept_report) = match previous {
        Some((kept, plan, report)) if kept.service.as_ref() == Some(service) => {
            (Some(kept), Some(plan), Some(report))
        }
        _ => (None, None, None),
    };
    let dem = dataset.dem.as_ref();
    let towns = &plan.townships;

    // Townships whose new township is what it was (same seat, same members): their
    // villages' destinations are too.
    let mut unchanged: TiVec<TownshipId, bool> = vec![false; dataset.townships.len()].into();
    if let Some(then) = previous_plan {
        for unit in &towns.units {
            let old = then.townships.unit_of(unit.seat);
            let same = old.seat == unit.seat && old.members == unit.members;
            for &m in &unit.members {
                unchanged[m] = same;
            }
        }
    }

    // Stations: former seats of merged townships, by the scenario's policy.
    let mut stations_of: TiVec<NewTownshipId, Vec<TownshipId>> =
        vec![Vec::new(); towns.units.len()].into();
    for (k, unit) in towns.units.iter_enumerated() {
        let seat = dataset.townships[unit.seat].seat;
        for &m in unit.members.iter().filter(|&&m| m != unit.seat) {
            let keep = match service.stations {
                Stations::None => false,
                Stations::All => true,
                Stations::Beyond => {
                    distance_km(dataset.townships[m].seat, seat) >= service.station_min_distance_km
                }
            };
            if keep {
                stations_of[k].push(m);
            }
        }
    }

    // Each village's destination: the new seat, or the nearest station if nearer.
    let destinations: TiVec<VillageId, Option<Destination>> = dataset
        .villages
        .raw
        .par_iter()
        .zip(baseline.trips.raw.par_iter())
        .enumerate()
        .map(|(i, (v, before))| {
            let before = (*before)?;
            if let Some(p) = previous.filter(|_| unchanged[v.township]) {
                return p.destinations[VillageId::from(i)];
            }
            let k = towns.new_of[v.township];
            let seat = towns.units[k].seat;
            let seat_km = if seat == v.township {
                before.km
            } else {
                distance_km(v.centre, dataset.townships[seat].seat)
            };
            let station = stations_of[k]
                .iter()
                .map(|&s| (s, distance_km(v.centre, dataset.townships[s].seat)))
                .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)))
                .filter(|&(_, km)| km < seat_km)
                .map(|(s, _)| s);
            Some((seat, station))
        })
        .collect::<Vec<_>>()
        .into();

    // Trips after: to the new seat, and to the nearest of the seat and the stations.
    let after: TiVec<VillageId, Option<TripsAfter>> = dataset
        .villages
        .raw
        .par_iter()
        .enumerate()
        .map(|(i, v)| {
            let i = VillageId::from(i);
            let before = baseline.trips[i]?;
            let (seat, station) = destinations[i]?;
            if let Some(p) = previous.filter(|p| p.destinations[i] == destinations[i]) {
                return p.after[i];
            }
            // A trip to a former township's seat; the village's own one is the baseline trip.
            let trip_to = |township: TownshipId| {
                if township == v.township {
                    return before;
                }
                let (km, terrain_km) = trip_km(dem, v.centre, dataset.townships[township].seat);
                Trip {
                    km,
                    terrain_km,
                    people: v.resident_pop,
                }
            };
            let to_seat = trip_to(seat);
            Some(match station {
                Some(s) => TripsAfter {
                    to_seat,
                    nearest: trip_to(s),
                    by_station: true,
                },
                None => TripsAfter {
                    to_seat,
                    nearest: to_seat,
                    by_station: false,
                },
            })
        })
        .collect::<Vec<_>>()
        .into();
    let to_seat: TiVec<VillageId, Option<Trip>> =
        after.iter().map(|t| t.map(|t| t.to_seat)).collect();
    let to_nearest: TiVec<VillageId, Option<Trip>> =
        after.iter().map(|t| t.map(|t| t.nearest)).collect();
    let people_served_by_stations = after
        .iter()
        .flatten()
        .filter(|t| t.by_station)
        .map(|t| t.nearest.people)
        .sum();

    // Former villages to their new village's seat.
    let village_seats: TiVec<VillageId, VillageId> = dataset
        .villages
        .keys()
        .map(|i| plan.villages.seat_of(i))
        .collect();
    let village_trips: TiVec<VillageId, Option<Trip>> = dataset
        .villages
        .raw
        .par_iter()
        .enumerate()
        .map(|(i, v)| {
            let i = VillageId::from(i);
            let seat = village_seats[i];
            if let Some(p) = previous.filter(|p| p.village_seats[i] == seat) {
                return p.village_trips[i];
            }
            (v.kind != VillageKind::Special).then(|| {
                let (km, terrain_km) = if seat == i {
                    (0.0, 0.0)
                } else {
                    trip_km(dem, v.centre, dataset.villages[seat].centre)
                };
                Trip {
                    km,
                    terrain_km,
                    people: v.resident_pop,
                }
            })
        })
        .collect::<Vec<_>>()
        .into();

    let regular_before = baseline.regular_townships;
    let regular_after = towns
        .units
        .iter()
        .filter(|u| dataset.townships[u.seat].kind.is_regular())
        .count();
    let villages_before = baseline.regular_villages;
    let villages_after = plan
        .villages
        .units
        .iter()
        .filter(|u| dataset.villages[u.seat].kind == VillageKind::Village)
        .count();
    let people = baseline.regular_people;
    let township_mean_km = township_means(dataset, &baseline.trips, &to_seat);
    let stations: Vec<TownshipId> = stations_of.into_iter().flatten().collect();

    // Counties whose trips changed since the previous evaluation.
    let changed = |now: &TiVec<VillageId, Option<Trip>>,
                   then: &dyn Fn(VillageId) -> Option<Trip>| {
        let mut changed: TiVec<CountyId, bool> = vec![false; dataset.counties.len()].into();
        for (v, trip) in now.iter_enumerated() {
            if *trip != then(v) {
                changed[baseline.county_of[v]] = true;
            }
        }
        changed
    };
    let changed_after = previous.map(|p| {
        changed(&to_nearest, &|v| p.after[v].map(|t| t.nearest))
            .into_iter()
            .zip(changed(&to_seat, &|v| p.after[v].map(|t| t.to_seat)))
            .map(|(a, b)| a || b)
            .collect::<TiVec<CountyId, bool>>()
    });
    let changed_villages = previous.map(|p| changed(&village_trips, &|v| p.village_trips[v]));
    let set = |trips: &TiVec<VillageId, Option<Trip>>,
               then: Option<&CoverageSet>,
               changed: Option<&TiVec<CountyId, bool>>| {
        CoverageSet::new(baseline, trips, service.radius_km, then.zip(changed))
    };
    let ((before, after_set), (after_with_stations, village_seat_set)) = rayon::join(
        || {
            rayon::join(
                || match kept_report {
                    Some(r) => r.before.clone(),
                    None => set(&baseline.trips, None, None),
                },
                || {
                    set(
                        &to_seat,
                        kept_report.map(|r| &r.after),
                        changed_after.as_ref(),
                    )
                },
            )
        },
        || {
            rayon::join(
                || {
                    set(
                        &to_nearest,
                        kept_report.map(|r| &r.after_with_stations),
                        changed_after.as_ref(),
                    )
                },
                || {
                    set(
                        &village_trips,
                        kept_report.map(|r| &r.village_seats),
                        changed_villages.as_ref(),
                    )
                },
            )
        },
    );
    let report = ServiceReport {
        before,
        after: after_set,
        after_with_stations,
        village_seats: village_seat_set,
        people_served_by_stations,
        people_per_seat_before: people / regular_before.max(1) as f64,
        people_per_seat_after: people / regular_after.max(1) as f64,
        cost_before: Cost::of(&scenario.costs, regular_before, villages_before, 0),
        cost_after: Cost::of(
            &scenario.costs,
            regular_after,
            villages_after,
            stations.len(),
        ),
        stations,
        township_mean_km,
    };
    let kept = Kept {
        service: Some(*service),
        destinations,
        after,
        village_seats,
        village_trips,
    };
    (report, kept)
}

/// Each township's villages' people-weighted mean trip, before and after.
fn township_means(
    dataset: &Dataset,
    before: &TiVec<VillageId, Option<Trip>>,
    after: &TiVec<VillageId, Option<Trip>>,
) -> TiVec<TownshipId, [f64; 2]> {
    let mut sums: TiVec<TownshipId, [f64; 3]> = vec![[0.0; 3]; dataset.townships.len()].into();
    for (v, village) in dataset.villages.iter_enumerated() {
        if let (Some(b), Some(a)) = (before[v], after[v]) {
            let s = &mut sums[village.township];
            s[0] += b.km * b.people;
            s[1] += a.km * a.people;
            s[2] += b.people;
        }
    }
    sums.into_iter()
        .map(|[b, a, people]| {
            if people > 0.0 {
                [b / people, a / people]
            } else {
                [f64::NAN; 2]
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trip(km: f64, people: f64) -> Trip {
        Trip {
            km,
            terrain_km: km,
            people,
        }
    }

    #[test]
    fn weighted_statistics_are_exact_on_a_small_set() {
        // 100 people at 2 km, 300 at 8 km, 100 at 25 km.
        let c = Coverage::from_trips(
            &[trip(8.0, 300.0), trip(2.0, 100.0), trip(25.0, 100.0)],
            15.0,
        );
        assert_eq!(c.people, 500.0);
        assert!((c.mean_km - (200.0 + 2400.0 + 2500.0) / 500.0).abs() < 1e-12);
        assert_eq!(c.median_km, 8.0);
        assert_eq!(c.p90_km, 25.0);
        assert_eq!(c.max_km, 25.0);
        assert_eq!(c.share_within, [0.2, 0.8, 0.8, 0.8, 1.0]);
        assert_eq!((c.beyond_villages, c.beyond_people), (1, 100.0));
        assert_eq!(c.curve[1], 0.0);
        assert_eq!(c.curve[2], 0.2);
        assert_eq!(c.curve[8], 0.8);
        assert_eq!(c.curve[CURVE_MAX_KM], 1.0);
    }

    #[test]
    fn an_empty_set_is_not_a_number_not_a_panic() {
        let c = Coverage::from_trips(&[], 15.0);
        assert!(c.mean_km.is_nan() && c.curve.iter().all(|x| x.is_nan()));
    }

    #[test]
    fn climbs_add_naismith_km_and_descents_do_not() {
        // A ramp rising 1,000 m per 0.1° of longitude eastwards.
        let mut values = Vec::new();
        for _row in 0..3 {
            for col in 0..11 {
                values.push(col as f32 * 1000.0);
            }
        }
        let dem = Dem {
            ncols: 11,
            nrows: 3,
            x_centre: 100.0,
            y_centre: 30.0,
            cell_size: 0.1,
            values,
        };
        let (west, east) = (LonLat::new(100.0, 30.1), LonLat::new(100.3, 30.1));
        let (km, up) = trip_km(Some(&dem), west, east);
        assert!(
            (up - (km + FLAT_KM_PER_KM_CLIMBED * 3.0)).abs() < 1e-6,
            "{km} {up}"
        );
        let (_, down) = trip_km(Some(&dem), east, west);
        assert!((down - km).abs() < 1e-9);
        assert_eq!(trip_km(None, west, east), (km, km));
    }
}
