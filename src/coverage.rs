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

use std::sync::{Arc, Mutex, PoisonError};

use rayon::prelude::*;
use typed_index_collections::TiVec;

use crate::dem::Dem;
use crate::geodesy::distance_km;
use crate::model::{CountyId, Dataset, LonLat, TownshipId, VillageId, VillageKind};
use crate::plan::MergePlan;
use crate::prepared::Prepared;
use crate::scenario::{Costs, Scenario, Stations};

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
    /// The statistics of `trips`: people are summed in 1-km bins (a trip of `km` counts
    /// within `d` km from the bin `ceil(km)` on), which give the curve and the shares at once;
    /// a quantile is read among the trips of the one bin it falls in (see [`CountySet`]).
    pub fn from_trips(trips: &[Trip], radius_km: f64) -> Self {
        CountySet::new(trips, radius_km).coverage
    }
}

/// The sums a coverage is read from, which add up: a province's are its counties'.
#[derive(Debug, Clone, Copy)]
struct Tally {
    villages: usize,
    /// People in each 1-km bin (see [`bin`]).
    bins: [f64; BINS],
    people: f64,
    max_km: f64,
    km_people: f64,
    terrain_people: f64,
    beyond_villages: usize,
    beyond_people: f64,
}

impl Default for Tally {
    fn default() -> Self {
        Self {
            villages: 0,
            bins: [0.0; BINS],
            people: 0.0,
            max_km: f64::NAN,
            km_people: 0.0,
            terrain_people: 0.0,
            beyond_villages: 0,
            beyond_people: 0.0,
        }
    }
}

impl Tally {
    /// The sums of `trips`, each taken in their order.
    fn of<'t>(trips: impl IntoIterator<Item = &'t Trip>, radius_km: f64) -> Self {
        let mut tally = Self::default();
        for t in trips {
            tally.villages += 1;
            tally.people += t.people;
            tally.max_km = f64::max(tally.max_km, t.km);
            tally.bins[bin(t.km)] += t.people;
            tally.km_people += t.km * t.people;
            tally.terrain_people += t.terrain_km * t.people;
            if t.km > radius_km {
                tally.beyond_villages += 1;
                tally.beyond_people += t.people;
            }
        }
        tally
    }

    /// Adds `other`'s sums to these.
    fn add(&mut self, other: &Tally) {
        self.villages += other.villages;
        for (b, o) in self.bins.iter_mut().zip(&other.bins) {
            *b += o;
        }
        self.people += other.people;
        self.max_km = f64::max(self.max_km, other.max_km);
        self.km_people += other.km_people;
        self.terrain_people += other.terrain_people;
        self.beyond_villages += other.beyond_villages;
        self.beyond_people += other.beyond_people;
    }

    /// The coverage of the trips summed, with `in_bin(b)` giving the (km, people) of their
    /// trips in bin `b`, for the quantiles.
    fn coverage(&self, in_bin: impl Fn(usize) -> Vec<(f64, f64)>) -> Coverage {
        let people = self.people;
        if self.villages == 0 || people <= 0.0 {
            return Coverage {
                villages: self.villages,
                curve: vec![f64::NAN; CURVE_MAX_KM + 1],
                mean_km: f64::NAN,
                median_km: f64::NAN,
                p90_km: f64::NAN,
                max_km: self.max_km,
                mean_terrain_km: f64::NAN,
                share_within: [f64::NAN; 5],
                ..Default::default()
            };
        }
        let mut cumulative = 0.0;
        let curve: Vec<f64> = self.bins[..=CURVE_MAX_KM]
            .iter()
            .map(|b| {
                cumulative += b;
                cumulative / people
            })
            .collect();
        Coverage {
            villages: self.villages,
            people,
            mean_km: self.km_people / people,
            median_km: weighted_quantile(&self.bins, people, 0.5, &in_bin),
            p90_km: weighted_quantile(&self.bins, people, 0.9, &in_bin),
            max_km: self.max_km,
            mean_terrain_km: self.terrain_people / people,
            share_within: SHARE_RADII_KM.map(|r| curve[r as usize]),
            beyond_villages: self.beyond_villages,
            beyond_people: self.beyond_people,
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
    // `ceil` without the call to the maths library it compiles to on baseline x86-64.
    let km = km.max(0.0);
    let whole = km as usize;
    let d = whole.saturating_add(usize::from((whole as f64) < km));
    d.min(BINS - 1)
}

/// The smallest distance within which at least `q` of the people live: the bins are summed
/// up to the one where the share is reached, whose trips (`in_bin`) are then narrowed down
/// the same way.
fn weighted_quantile(
    bins: &[f64; BINS],
    people: f64,
    q: f64,
    in_bin: &dyn Fn(usize) -> Vec<(f64, f64)>,
) -> f64 {
    let goal = q * people - 1e-9;
    let mut cumulative = 0.0;
    for (b, &people_in_bin) in bins.iter().enumerate() {
        if cumulative + people_in_bin < goal && b + 1 < BINS {
            cumulative += people_in_bin;
            continue;
        }
        if b == 0 {
            // Every trip of the first bin is 0 km.
            return 0.0;
        }
        return quantile_among(in_bin(b), cumulative, goal);
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
    /// The coverage of each county's trips, and of the province: the counties' tallies added,
    /// its quantiles read among all their trips.
    fn of_counties<'c>(counties: impl Iterator<Item = &'c CountySet> + Clone) -> Self {
        let mut tally = Tally::default();
        for county in counties.clone() {
            tally.add(&county.tally);
        }
        let province = tally.coverage(|b| {
            counties
                .clone()
                .flat_map(|c| c.in_bin(b))
                .copied()
                .collect()
        });
        Self {
            province,
            counties: counties.map(|c| c.coverage.clone()).collect(),
        }
    }
}

/// One county's trips of one kind: their sums, their coverage, and their distances and
/// people bin by bin, for the province's quantiles.
#[derive(Debug)]
struct CountySet {
    tally: Tally,
    coverage: Coverage,
    /// (km, people) of the trips, bin after bin; within a bin in no order (a quantile is
    /// narrowed down among its bin's trips, whatever their order).
    by_bin: Vec<(f64, f64)>,
    /// Where each bin's trips start in `by_bin` (and where the last one ends).
    bin_starts: [u32; BINS + 1],
}

impl CountySet {
    fn new(trips: &[Trip], radius_km: f64) -> Self {
        let tally = Tally::of(trips, radius_km);
        // The trips placed by bin, without sorting them.
        let mut bin_starts = [0u32; BINS + 1];
        for t in trips {
            bin_starts[bin(t.km) + 1] += 1;
        }
        for b in 1..=BINS {
            bin_starts[b] += bin_starts[b - 1];
        }
        let mut next = bin_starts;
        let mut by_bin = vec![(0.0, 0.0); trips.len()];
        for t in trips {
            let at = &mut next[bin(t.km)];
            by_bin[*at as usize] = (t.km, t.people);
            *at += 1;
        }
        let set = Self {
            tally,
            coverage: Coverage::default(),
            by_bin,
            bin_starts,
        };
        Self {
            coverage: tally.coverage(|b| set.in_bin(b).to_vec()),
            ..set
        }
    }

    /// The (km, people) of the trips in bin `b`.
    fn in_bin(&self, b: usize) -> &[(f64, f64)] {
        &self.by_bin[self.bin_starts[b] as usize..self.bin_starts[b + 1] as usize]
    }
}

/// Each village's trip before any plan, with what every analysis of the workspace reads or
/// keeps: the units of each county, the coverage before a plan and the trips measured.
#[derive(Debug)]
pub struct Baseline {
    /// Each village's trip to its own township's seat (`None` for special units).
    pub trips: TiVec<VillageId, Option<Trip>>,
    /// Regular township-level units, administrative villages, and the residents of the
    /// regular townships, before any plan.
    regular_townships: usize,
    regular_villages: usize,
    regular_people: f64,
    /// The coverage before any plan, for each service radius asked for so far.
    coverage: Mutex<Vec<(f64, Arc<CoverageSet>)>>,
    /// Each county's trips measured so far, for any plan: the terrain along a trip is read
    /// once, not at every plan that sends a village the same way.
    measured: TiVec<CountyId, Mutex<Measured>>,
}

/// Where a trip goes: a former township's seat, or a village's centre.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Destination {
    Township(TownshipId),
    Village(VillageId),
}

/// The trips measured from the villages of one county: km and terrain km by destination, for
/// each village by its place among the county's villages. A village has few (an analysis
/// needs up to three), so a short list scanned beats a hash map.
#[derive(Debug, Default)]
struct Measured(Vec<Vec<(Destination, (f64, f64))>>);

impl Measured {
    /// Trips kept per village, at most (about 170 MB on the country at worst): a village
    /// that would keep more lets its earlier ones go.
    const PER_VILLAGE: usize = 8;

    /// The trip from the county's village `local` to `to`, measured by `measure` the first
    /// time.
    fn trip(
        &mut self,
        local: usize,
        to: Destination,
        measure: impl FnOnce() -> (f64, f64),
    ) -> (f64, f64) {
        if local >= self.0.len() {
            self.0.resize_with(local + 1, Vec::new);
        }
        let kept = &mut self.0[local];
        if let Some(&(_, trip)) = kept.iter().find(|(d, _)| *d == to) {
            return trip;
        }
        if kept.len() >= Self::PER_VILLAGE {
            kept.clear();
        }
        let trip = measure();
        kept.push((to, trip));
        trip
    }
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
        let regular = dataset.townships.iter().filter(|t| t.kind.is_regular());
        Self {
            trips: trips.into(),
            regular_townships: regular.clone().count(),
            regular_villages: dataset
                .villages
                .iter()
                .filter(|v| v.kind == VillageKind::Village)
                .count(),
            regular_people: regular.map(|t| t.resident_pop).sum(),
            coverage: Mutex::new(Vec::new()),
            measured: dataset.counties.iter().map(|_| Mutex::default()).collect(),
        }
    }

    /// The coverage before any plan within `radius_km`, computed once for each radius.
    fn coverage(&self, prepared: &Prepared, radius_km: f64) -> Arc<CoverageSet> {
        let mut kept = self.coverage.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((_, set)) = kept.iter().find(|(r, _)| *r == radius_km) {
            return set.clone();
        }
        let counties: Vec<CountySet> = prepared
            .dataset()
            .counties
            .keys()
            .map(|c| prepared.villages_of(c))
            .map(|villages| {
                let trips: Vec<Trip> = villages.iter().filter_map(|&v| self.trips[v]).collect();
                CountySet::new(&trips, radius_km)
            })
            .collect();
        let set = Arc::new(CoverageSet::of_counties(counties.iter()));
        kept.push((radius_km, set.clone()));
        set
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

/// One county's trips after a plan: they depend on nothing of the plan but the new seats
/// of the county's townships and villages.
#[derive(Debug)]
struct CountyTrips {
    /// Villages to their new township's seat, to the nearest of that seat and its stations,
    /// and former villages to their new village's seat.
    to_seat: CountySet,
    to_nearest: CountySet,
    to_village_seat: CountySet,
    people_served_by_stations: f64,
    /// Each of the county's townships' villages' mean trip, before and after.
    township_means: Vec<[f64; 2]>,
}

/// What an evaluation keeps so the next one (after a hand edit, say) computes again only the
/// counties whose seats changed.
#[derive(Debug, Clone, Default)]
pub(crate) struct Kept {
    service: Option<crate::scenario::Service>,
    counties: TiVec<CountyId, Arc<CountyTrips>>,
}

/// What coverage reads: the prepared dataset and the trips before any plan.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    pub prepared: &'a Prepared,
    pub baseline: &'a Baseline,
}

/// Evaluates a plan's service coverage and cost, taking from `previous` (what an evaluation
/// on the same workspace kept, and which counties' seats changed since) every county whose
/// seats did not.
pub(crate) fn evaluate(
    ws: Inputs<'_>,
    plan: &MergePlan,
    scenario: &Scenario,
    previous: Option<(&Kept, &TiVec<CountyId, bool>)>,
) -> (ServiceReport, Kept) {
    debug_assert_eq!(
        plan.dataset(),
        ws.prepared.id(),
        "a plan read against another dataset"
    );
    let (dataset, baseline) = (ws.prepared.dataset(), ws.baseline);
    let service = &scenario.service;
    let previous = previous.filter(|(kept, _)| kept.service.as_ref() == Some(service));
    let StationPlan {
        seat_of,
        is_station,
        stations,
    } = StationPlan::of(dataset, plan, service);

    // Each county's trips: kept if its seats are as they were.
    let counties: TiVec<CountyId, Arc<CountyTrips>> = dataset
        .counties
        .keys()
        .collect::<Vec<CountyId>>()
        .into_par_iter()
        .map(|c| {
            let same = previous
                .filter(|(_, changed)| !changed[c])
                .map(|(kept, _)| &kept.counties[c]);
            match same {
                Some(then) => then.clone(),
                None => Arc::new(county_trips(
                    ws,
                    c,
                    plan,
                    &seat_of,
                    &is_station,
                    service.radius_km,
                )),
            }
        })
        .collect::<Vec<_>>()
        .into();

    let township_mean_km = township_means(ws.prepared, &counties);
    let people_served_by_stations = counties.iter().map(|c| c.people_served_by_stations).sum();
    let set = |of: fn(&CountyTrips) -> &CountySet| {
        CoverageSet::of_counties(counties.iter().map(|c| of(c)))
    };
    let (after, (after_with_stations, village_seats)) = rayon::join(
        || set(|c| &c.to_seat),
        || rayon::join(|| set(|c| &c.to_nearest), || set(|c| &c.to_village_seat)),
    );

    let report = ServiceReport {
        before: CoverageSet::clone(&baseline.coverage(ws.prepared, service.radius_km)),
        after,
        after_with_stations,
        village_seats,
        people_served_by_stations,
        township_mean_km,
        ..ServiceReport::counts(baseline, dataset, plan, scenario, stations)
    };
    let kept = Kept {
        service: Some(*service),
        counties,
    };
    (report, kept)
}

impl ServiceReport {
    /// The report's seats, people per seat, stations and costs, before and after `plan`
    /// (its coverage left empty).
    fn counts(
        baseline: &Baseline,
        dataset: &Dataset,
        plan: &MergePlan,
        scenario: &Scenario,
        stations: Vec<TownshipId>,
    ) -> Self {
        let regular_before = baseline.regular_townships;
        let regular_after = plan
            .townships
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
        Self {
            before: CoverageSet::default(),
            after: CoverageSet::default(),
            after_with_stations: CoverageSet::default(),
            village_seats: CoverageSet::default(),
            people_served_by_stations: 0.0,
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
            township_mean_km: TiVec::new(),
        }
    }
}

/// The seat of each former township after a plan, and the former seats kept as stations
/// (merged townships' seats, by the scenario's policy).
struct StationPlan {
    seat_of: TiVec<TownshipId, TownshipId>,
    is_station: TiVec<TownshipId, bool>,
    stations: Vec<TownshipId>,
}

impl StationPlan {
    fn of(dataset: &Dataset, plan: &MergePlan, service: &crate::scenario::Service) -> Self {
        let towns = &plan.townships;
        let seat_of: TiVec<TownshipId, TownshipId> =
            dataset.townships.keys().map(|t| towns.seat_of(t)).collect();
        let is_station: TiVec<TownshipId, bool> = seat_of
            .iter_enumerated()
            .map(|(m, &seat)| {
                m != seat
                    && match service.stations {
                        Stations::None => false,
                        Stations::All => true,
                        Stations::Beyond => {
                            distance_km(dataset.townships[m].seat, dataset.townships[seat].seat)
                                >= service.station_min_distance_km
                        }
                    }
            })
            .collect();
        let stations = towns
            .units
            .iter()
            .flat_map(|u| u.members.iter().copied().filter(|&m| is_station[m]))
            .collect();
        Self {
            seat_of,
            is_station,
            stations,
        }
    }
}

/// Each former township's mean km from its villages' residents to its seat, before and after,
/// from the counties' trips.
fn township_means(
    prepared: &Prepared,
    counties: &TiVec<CountyId, Arc<CountyTrips>>,
) -> TiVec<TownshipId, [f64; 2]> {
    let mut township_mean_km: TiVec<TownshipId, [f64; 2]> =
        vec![[f64::NAN; 2]; prepared.dataset().townships.len()].into();
    for (c, county) in counties.iter_enumerated() {
        for (&t, &means) in prepared.townships_of(c).iter().zip(&county.township_means) {
            township_mean_km[t] = means;
        }
    }
    township_mean_km
}

/// The trips of county `c`'s villages after `plan`, whose townships have the seats
/// `seat_of` and whose former seats `is_station` are kept as stations.
fn county_trips(
    ws: Inputs<'_>,
    c: CountyId,
    plan: &MergePlan,
    seat_of: &TiVec<TownshipId, TownshipId>,
    is_station: &TiVec<TownshipId, bool>,
    radius_km: f64,
) -> CountyTrips {
    let (dataset, baseline, prepared) = (ws.prepared.dataset(), ws.baseline, ws.prepared);
    let dem = dataset.dem.as_ref();
    let townships = prepared.townships_of(c);
    let villages = prepared.villages_of(c);
    // The county's stations, each with the seat it serves beside.
    let stations: Vec<(TownshipId, TownshipId)> = townships
        .iter()
        .filter(|&&t| is_station[t])
        .map(|&t| (seat_of[t], t))
        .collect();
    let (mut to_seat, mut to_nearest, mut to_village_seat) = (Vec::new(), Vec::new(), Vec::new());
    let mut people_served_by_stations = 0.0;
    let mut measured = baseline.measured[c]
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    // Per township of the county: residents × km before, after, and residents.
    let mut sums = vec![[0.0; 3]; townships.len()];
    for (local, &i) in villages.iter().enumerate() {
        let v = &dataset.villages[i];
        if v.kind != VillageKind::Special {
            let village_seat = plan.villages.seat_of(i);
            to_village_seat.push(village_trip(dataset, &mut measured, local, i, village_seat));
        }
        let Some(before) = baseline.trips[i] else {
            continue;
        };
        // A trip to a former township's seat; the village's own one is the baseline trip.
        let mut trip_to = |township: TownshipId| {
            if township == v.township {
                return before;
            }
            let (km, terrain_km) = measured.trip(local, Destination::Township(township), || {
                trip_km(dem, v.centre, dataset.townships[township].seat)
            });
            Trip {
                km,
                terrain_km,
                people: v.resident_pop,
            }
        };
        let seat = seat_of[v.township];
        let station = nearest_station(prepared, i, seat, &stations);
        let after = trip_to(seat);
        to_seat.push(after);
        match station {
            Some(s) => {
                let nearest = trip_to(s);
                people_served_by_stations += nearest.people;
                to_nearest.push(nearest);
            }
            None => to_nearest.push(after),
        }
        let local = townships
            .binary_search(&v.township)
            .expect("a village's township is in its county");
        let s = &mut sums[local];
        s[0] += before.km * before.people;
        s[1] += after.km * after.people;
        s[2] += before.people;
    }
    CountyTrips {
        to_seat: CountySet::new(&to_seat, radius_km),
        to_nearest: CountySet::new(&to_nearest, radius_km),
        to_village_seat: CountySet::new(&to_village_seat, radius_km),
        people_served_by_stations,
        township_means: sums.into_iter().map(means_of).collect(),
    }
}

/// Mean km before and after from residents × km before, after, and residents.
fn means_of([before, after, people]: [f64; 3]) -> [f64; 2] {
    if people > 0.0 {
        [before / people, after / people]
    } else {
        [f64::NAN; 2]
    }
}

/// Village `i`'s trip to the seat of its new village (`local`: its place in its county).
fn village_trip(
    dataset: &Dataset,
    measured: &mut Measured,
    local: usize,
    i: VillageId,
    village_seat: VillageId,
) -> Trip {
    let v = &dataset.villages[i];
    let (km, terrain_km) = if village_seat == i {
        (0.0, 0.0)
    } else {
        measured.trip(local, Destination::Village(village_seat), || {
            trip_km(
                dataset.dem.as_ref(),
                v.centre,
                dataset.villages[village_seat].centre,
            )
        })
    };
    Trip {
        km,
        terrain_km,
        people: v.resident_pop,
    }
}

/// The station nearest village `i` among those beside `seat` (each `(served seat, station)`),
/// if nearer than the seat itself; compared by chord (which grows with the distance).
fn nearest_station(
    prepared: &Prepared,
    i: VillageId,
    seat: TownshipId,
    stations: &[(TownshipId, TownshipId)],
) -> Option<TownshipId> {
    let chord_to = |t: TownshipId| prepared.village_points[i].chord(&prepared.township_points[t]);
    stations
        .iter()
        .filter(|&&(served, _)| served == seat)
        .map(|&(_, s)| (s, chord_to(s)))
        .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)))
        .filter(|&(_, chord)| chord < chord_to(seat))
        .map(|(s, _)| s)
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
    fn a_province_of_counties_has_the_coverage_of_all_their_trips() {
        // Three counties; the median and the 90th percentile fall in bins that several of
        // them share, and one trip lies beyond the curve.
        let counties = [
            vec![trip(0.0, 50.0), trip(3.2, 100.0), trip(7.5, 40.0)],
            vec![trip(3.7, 80.0), trip(12.0, 60.0), trip(75.0, 10.0)],
            vec![trip(3.4, 70.0), trip(7.9, 30.0), trip(12.5, 90.0)],
        ];
        let sets: Vec<CountySet> = counties.iter().map(|t| CountySet::new(t, 10.0)).collect();
        let set = CoverageSet::of_counties(sets.iter());
        let all: Vec<Trip> = counties.concat();
        let whole = Coverage::from_trips(&all, 10.0);
        // 530 people: half (265) are within 3.7 km, 90 % (477) within 12.5 km.
        assert_eq!(set.province.median_km, 3.7);
        assert_eq!(set.province.p90_km, 12.5);
        assert_eq!(set.province.max_km, 75.0);
        assert_eq!(set.province.villages, 9);
        assert_eq!(
            (set.province.beyond_villages, set.province.beyond_people),
            (3, 160.0)
        );
        for (a, b) in set.province.curve.iter().zip(&whole.curve) {
            assert!((a - b).abs() < 1e-12, "{a} {b}");
        }
        assert!((set.province.mean_km - whole.mean_km).abs() < 1e-12);
        // Each county's own: half of 190, 150 and 190 people.
        let medians: Vec<f64> = set.counties.iter().map(|c| c.median_km).collect();
        assert_eq!(medians, [3.2, 3.7, 7.9]);
    }

    #[test]
    fn a_trip_is_measured_once_and_let_go_when_a_village_keeps_too_many() {
        let mut measured = Measured::default();
        let (v, to) = (3, Destination::Township(TownshipId::from(1)));
        let mut measures = 0;
        let mut trip_to = |measured: &mut Measured, to| {
            measured.trip(v, to, || {
                measures += 1;
                (2.0, 2.5)
            })
        };
        for _ in 0..3 {
            assert_eq!(trip_to(&mut measured, to), (2.0, 2.5));
        }
        // Another destination is another trip; another village's are its own.
        trip_to(&mut measured, Destination::Village(VillageId::from(4)));
        measured.trip(0, to, || (1.0, 1.0));
        assert_eq!(measured.trip(0, to, || (9.0, 9.0)), (1.0, 1.0));
        // Seven more destinations of the village: the ninth lets the first eight go.
        for k in 0..7 {
            trip_to(&mut measured, Destination::Village(VillageId::from(10 + k)));
        }
        assert_eq!(measured.0[3].len(), 1);
        trip_to(&mut measured, to);
        assert_eq!(measures, 2 + 7 + 1, "the first trip is measured again");
        assert_eq!(measured.0[0].len(), 1);
    }

    #[test]
    fn a_trip_falls_in_the_bin_of_its_whole_km_rounded_up() {
        assert_eq!(bin(0.0), 0);
        assert_eq!(bin(-2.0), 0);
        assert_eq!(bin(f64::NAN), 0);
        assert_eq!(bin(0.25), 1);
        assert_eq!(bin(1.0), 1);
        assert_eq!(bin(1.0 + 1e-12), 2);
        assert_eq!(bin(CURVE_MAX_KM as f64), CURVE_MAX_KM);
        assert_eq!(bin(CURVE_MAX_KM as f64 + 0.5), BINS - 1);
        assert_eq!(bin(1e300), BINS - 1);
        assert_eq!(bin(f64::INFINITY), BINS - 1);
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
