//! Modelled populations, calibrated to the 2020 census city totals and the published averages.

use std::collections::HashMap;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::targets;
use crate::model::{TownshipKind, VillageKind};

/// What the population model needs to know of each unit.
pub struct PopulationInput<'a> {
    /// Resident population of each city in the 2020 census, by city code.
    pub city_totals: &'a HashMap<String, u64>,
    pub township_city: &'a [String],
    pub township_kind: &'a [TownshipKind],
    pub township_area: &'a [f64],
    pub township_elevation: &'a [f64],
    pub village_township: &'a [usize],
    pub village_kind: &'a [VillageKind],
    pub calibration: Calibration,
}

/// What the model is calibrated to.
#[derive(Debug, Clone, Copy)]
pub enum Calibration {
    /// Sichuan's published averages: administrative villages average 877 residents (the
    /// weight of a community is found to match), regular townships 18,000 registered people.
    Sichuan,
    /// No published average to meet (the other provinces): a community weighs what Sichuan's
    /// calibration found, and registered population is residents times the migration factor
    /// by kind, scaled to the same total.
    Fixed { community_weight: f64 },
}

/// Whole people, resident and registered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UnitPopulation {
    pub resident: u64,
    pub registered: u64,
}

pub struct Population {
    pub townships: Vec<UnitPopulation>,
    pub villages: Vec<UnitPopulation>,
    /// The calibrated weight of a community relative to a village.
    pub community_weight: f64,
}

/// Density multiplier by kind: urban streets are far denser than rural townships.
fn density_by_kind(kind: TownshipKind) -> f64 {
    match kind {
        TownshipKind::Street => 10.0,
        TownshipKind::Special => 6.0,
        TownshipKind::Town => 1.8,
        TownshipKind::Township => 1.0,
        TownshipKind::EthnicTownship => 0.8,
    }
}

/// Registered / resident ratio by kind: rural people registered at home often live in the
/// cities, so townships have more registered than resident people and streets fewer.
fn registration_by_kind(kind: TownshipKind) -> f64 {
    match kind {
        TownshipKind::Street => 0.75,
        TownshipKind::Special => 0.6,
        TownshipKind::Town => 1.1,
        TownshipKind::Township | TownshipKind::EthnicTownship => 1.2,
    }
}

/// Elevation scale of density, metres: density falls e-fold every 900 m of altitude.
const DENSITY_ELEVATION_SCALE: f64 = 900.0;

fn lognormal(rng: &mut ChaCha8Rng, sigma: f64) -> f64 {
    let u1: f64 = rng.random::<f64>().max(1e-12);
    let u2: f64 = rng.random();
    (sigma * (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()).exp()
}

/// Shares `total` among `weights` in whole units, by the largest-remainder method, so the
/// parts add up to `total` exactly. Zero weights everywhere share equally.
pub fn apportion(total: u64, weights: &[f64]) -> Vec<u64> {
    if weights.is_empty() {
        return Vec::new();
    }
    let sum: f64 = weights.iter().sum();
    let weights: Vec<f64> = if sum > 0.0 {
        weights.to_vec()
    } else {
        vec![1.0; weights.len()]
    };
    let sum: f64 = weights.iter().sum();
    let exact: Vec<f64> = weights.iter().map(|w| total as f64 * w / sum).collect();
    let mut parts: Vec<u64> = exact.iter().map(|e| e.floor() as u64).collect();
    let assigned: u64 = parts.iter().sum();
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by(|&a, &b| {
        let ra = exact[a] - exact[a].floor();
        let rb = exact[b] - exact[b].floor();
        rb.total_cmp(&ra).then(a.cmp(&b))
    });
    for &i in order
        .iter()
        .cycle()
        .take(total.saturating_sub(assigned) as usize)
    {
        parts[i] += 1;
    }
    parts
}

/// Allocates residents and registered people to every township and village.
pub fn allocate(input: &PopulationInput, seed: u64) -> Result<Population, String> {
    let n_t = input.township_kind.len();
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x7075_6c61_7469_6f6e);
    let resident = township_residents(input, &mut rng)?;
    let mut villages_of: Vec<Vec<usize>> = vec![Vec::new(); n_t];
    for (v, &t) in input.village_township.iter().enumerate() {
        villages_of[t].push(v);
    }
    let (mut villages, alpha) = village_residents(input, &mut rng, &resident, &villages_of)?;
    let townships = township_registered(input, &mut rng, &resident);
    for t in 0..n_t {
        let members = &villages_of[t];
        let shares: Vec<f64> = members
            .iter()
            .map(|&v| villages[v].resident as f64)
            .collect();
        for (&v, n) in members
            .iter()
            .zip(apportion(townships[t].registered, &shares))
        {
            villages[v].registered = n;
        }
    }
    Ok(Population {
        townships,
        villages,
        community_weight: alpha,
    })
}

/// Residents of each city shared among its townships by area × density.
fn township_residents(input: &PopulationInput, rng: &mut ChaCha8Rng) -> Result<Vec<u64>, String> {
    let n_t = input.township_kind.len();
    let weight: Vec<f64> = (0..n_t)
        .map(|t| {
            input.township_area[t]
                * (-input.township_elevation[t].max(0.0) / DENSITY_ELEVATION_SCALE).exp()
                * density_by_kind(input.township_kind[t])
                * lognormal(rng, 0.35)
        })
        .collect();
    let mut by_city: HashMap<&str, Vec<usize>> = HashMap::new();
    for (t, city) in input.township_city.iter().enumerate() {
        by_city.entry(city.as_str()).or_default().push(t);
    }
    let mut resident = vec![0u64; n_t];
    let mut cities: Vec<&str> = by_city.keys().copied().collect();
    cities.sort();
    for city in cities {
        let members = &by_city[city];
        let total = *input
            .city_totals
            .get(city)
            .ok_or_else(|| format!("no census population for city {city}"))?;
        let w: Vec<f64> = members.iter().map(|&t| weight[t]).collect();
        for (&t, n) in members.iter().zip(apportion(total, &w)) {
            resident[t] = n;
        }
    }
    Ok(resident)
}

/// Residents of each township shared among its villages; communities weigh `alpha` times a
/// village, with alpha calibrated to the published village average (Sichuan) or given.
/// Returns the villages' residents and alpha.
fn village_residents(
    input: &PopulationInput,
    rng: &mut ChaCha8Rng,
    resident: &[u64],
    villages_of: &[Vec<usize>],
) -> Result<(Vec<UnitPopulation>, f64), String> {
    let n_v = input.village_kind.len();
    let base: Vec<f64> = (0..n_v)
        .map(|v| match input.village_kind[v] {
            VillageKind::Village => lognormal(rng, 0.4),
            VillageKind::Community => lognormal(rng, 0.3),
            VillageKind::Special => 0.5 * lognormal(rng, 0.3),
        })
        .collect();
    let weights_for = |alpha: f64| -> Vec<f64> {
        (0..n_v)
            .map(|v| match input.village_kind[v] {
                VillageKind::Village => base[v],
                _ => alpha * base[v],
            })
            .collect()
    };
    let alpha = match input.calibration {
        Calibration::Fixed { community_weight } => community_weight,
        Calibration::Sichuan => {
            calibrate_community_weight(input, resident, villages_of, &weights_for)?
        }
    };
    let w = weights_for(alpha);
    let mut villages = vec![UnitPopulation::default(); n_v];
    for (t, members) in villages_of.iter().enumerate() {
        let shares: Vec<f64> = members.iter().map(|&v| w[v]).collect();
        // Without Sichuan's calibration (the other provinces), no village is left empty
        // where the township has a resident for each.
        let floor = match input.calibration {
            Calibration::Fixed { .. } if resident[t] >= members.len() as u64 => 1,
            _ => 0,
        };
        let rest = resident[t] - floor * members.len() as u64;
        for (&v, n) in members.iter().zip(apportion(rest, &shares)) {
            villages[v].resident = floor + n;
        }
    }
    Ok((villages, alpha))
}

/// The community weight that puts the published average of residents in the villages:
/// bisected on its logarithm (the villages' residents fall as it grows).
fn calibrate_community_weight(
    input: &PopulationInput,
    resident: &[u64],
    villages_of: &[Vec<usize>],
    weights_for: &dyn Fn(f64) -> Vec<f64>,
) -> Result<f64, String> {
    let village_residents = |alpha: f64| -> f64 {
        let w = weights_for(alpha);
        villages_of
            .iter()
            .enumerate()
            .map(|(t, members)| {
                let total: f64 = members.iter().map(|&v| w[v]).sum();
                let in_villages: f64 = members
                    .iter()
                    .filter(|&&v| input.village_kind[v] == VillageKind::Village)
                    .map(|&v| w[v])
                    .sum();
                if total > 0.0 {
                    resident[t] as f64 * in_villages / total
                } else {
                    0.0
                }
            })
            .sum()
    };
    let n_villages = input
        .village_kind
        .iter()
        .filter(|k| **k == VillageKind::Village)
        .count() as f64;
    let target = targets::VILLAGE_RESIDENT_POP * n_villages;
    let (mut lo, mut hi) = (-8.0f64, 12.0f64);
    if village_residents(lo.exp()) < target || village_residents(hi.exp()) > target {
        return Err(format!(
            "cannot calibrate: villages can hold between {:.0} and {:.0} residents, the target is {target:.0}",
            village_residents(hi.exp()),
            village_residents(lo.exp())
        ));
    }
    for _ in 0..80 {
        let mid = (lo + hi) / 2.0;
        if village_residents(mid.exp()) > target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Ok(((lo + hi) / 2.0).exp())
}

/// Each township's residents and registered people: residents × a migration factor, scaled
/// to the published average (Sichuan) or to the residents.
fn township_registered(
    input: &PopulationInput,
    rng: &mut ChaCha8Rng,
    resident: &[u64],
) -> Vec<UnitPopulation> {
    let n_t = input.township_kind.len();
    let raw_registered: Vec<f64> = (0..n_t)
        .map(|t| {
            resident[t] as f64 * registration_by_kind(input.township_kind[t]) * lognormal(rng, 0.08)
        })
        .collect();
    let regular: Vec<usize> = (0..n_t)
        .filter(|&t| input.township_kind[t].is_regular())
        .collect();
    let raw_regular: f64 = regular.iter().map(|&t| raw_registered[t]).sum();
    let scale = match input.calibration {
        Calibration::Sichuan => {
            targets::TOWNSHIP_REGISTERED_POP * regular.len() as f64 / raw_regular
        }
        Calibration::Fixed { .. } => {
            let raw: f64 = raw_registered.iter().sum();
            if raw > 0.0 {
                resident.iter().sum::<u64>() as f64 / raw
            } else {
                1.0
            }
        }
    };
    (0..n_t)
        .map(|t| UnitPopulation {
            resident: resident[t],
            registered: (raw_registered[t] * scale).round() as u64,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apportion_adds_up_exactly() {
        let parts = apportion(10, &[1.0, 1.0, 1.0]);
        assert_eq!(parts.iter().sum::<u64>(), 10);
        assert_eq!(parts, vec![4, 3, 3]);
        assert_eq!(apportion(5, &[0.0, 0.0]), vec![3, 2]);
        assert_eq!(apportion(7, &[]), Vec::<u64>::new());
    }
}
