//! A larger dataset for stress tests and benchmarks: the demo's counties and townships, with
//! every village-level unit split into parts ("groups") to reach a given number of villages.
//! Everything in it is modelled, and its manifest says so.
//!
//! Every village gets one part, and the parts beyond that go to villages by population, so
//! parts have similar populations (about 84 residents each at 1,000,000 villages). A part keeps
//! its village's kind and township; its centre is scattered within the circle of the
//! village's area around the village's centre, and it takes an even share of the village's
//! area and population. Parts are coded `<village code><part, four digits>`.

use std::io::{self, Write};
use std::path::Path;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::atomic::{write_atomic, write_atomic_with};
use crate::model::Dataset;

/// Files of the demo folder copied unchanged.
const COPIED: &[&str] = &[
    "counties.csv",
    "counties.geojson",
    "townships.csv",
    "townships.geojson",
    "dem.asc",
];

/// At most this many times the demo's villages.
pub const MAX_FACTOR: usize = 50;

#[derive(Debug, thiserror::Error)]
pub enum ScaleError {
    #[error(
        "{villages} villages: choose between the {have} of the dataset and {MAX_FACTOR} times as many"
    )]
    OutOfRange { villages: usize, have: usize },
    #[error("{0}")]
    Io(#[from] io::Error),
}

/// Writes the scaled dataset into `out`: `demo` must be the dataset loaded from `demo_dir`.
pub fn write_scaled(
    demo: &Dataset,
    demo_dir: &Path,
    villages: usize,
    out: &Path,
) -> Result<(), ScaleError> {
    let have = demo.villages.len();
    if have == 0 || villages < have || villages > have * MAX_FACTOR {
        return Err(ScaleError::OutOfRange { villages, have });
    }
    std::fs::create_dir_all(out)?;
    for name in COPIED {
        let from = demo_dir.join(name);
        if from.is_file() {
            write_atomic(&out.join(name), &std::fs::read(&from)?)?;
        }
    }
    let manifest = format!(
        "# A stress-test dataset written by `jianzhi scale-data`: the demo with its villages split into parts.\n\
         name = \"{} × {} 村（压力测试，模拟数据）\"\n\
         modelled = [\"locations\", \"territories\", \"areas\", \"populations\"]\n\
         sources = [\"Every village-level unit of the demo dataset split into parts (modelled)\"]\n",
        demo.provenance.name,
        crate::table::figure(villages as f64)
    );
    write_atomic(&out.join("dataset.toml"), manifest.as_bytes())?;
    write_atomic_with(&out.join("villages.csv"), |w| {
        write_villages(demo, villages, w)
    })?;
    Ok(())
}

/// The villages of the scaled dataset as CSV.
fn write_villages(demo: &Dataset, target: usize, out: &mut dyn Write) -> io::Result<()> {
    let mut rng = ChaCha8Rng::seed_from_u64(super::SEED);
    let mut csv = csv::Writer::from_writer(out);
    csv.write_record(super::VILLAGE_COLUMNS)?;
    for (v, parts) in demo.villages.iter().zip(parts_by_population(demo, target)) {
        let township = &demo.townships[v.township].code;
        let radius_km = (v.area_km2 / std::f64::consts::PI).sqrt();
        let km_per_deg_lat = 111.32;
        let km_per_deg_lon = km_per_deg_lat * v.centre.lat.to_radians().cos();
        let resident = v.resident_pop.round() as u64;
        let registered = v.registered_pop.map(|r| r.round() as u64);
        for part in 0..parts {
            let (r, angle) = (
                radius_km * rng.random::<f64>().sqrt(),
                rng.random::<f64>() * std::f64::consts::TAU,
            );
            let lon = v.centre.lon + r * angle.cos() / km_per_deg_lon;
            let lat = v.centre.lat + r * angle.sin() / km_per_deg_lat;
            let share = |total: u64| {
                let p = parts as u64;
                total / p + u64::from((part as u64) < total % p)
            };
            csv.write_record([
                format!("{}{:04}", v.code, part + 1),
                format!("{}{}组", v.name, part + 1),
                township.clone(),
                v.kind.as_str().to_string(),
                format!("{lon:.5}"),
                format!("{lat:.5}"),
                format!("{:.6}", v.area_km2 / parts as f64),
                share(resident).to_string(),
                registered
                    .map(share)
                    .map(|r| r.to_string())
                    .unwrap_or_default(),
            ])?;
        }
    }
    csv.flush()
}

/// How many parts each village is split into: one each, and the rest in proportion to the
/// villages' residents (at least 1 each) (cumulative rounding, so the counts add up to `target` exactly).
fn parts_by_population(demo: &Dataset, target: usize) -> Vec<usize> {
    let residents: Vec<u128> = demo
        .villages
        .iter()
        .map(|v| v.resident_pop.max(1.0).round() as u128)
        .collect();
    let total: u128 = residents.iter().sum();
    let extra = (target - demo.villages.len()) as u128;
    let mut before = 0u128;
    residents
        .iter()
        .map(|&r| {
            let share = extra * (before + r) / total - extra * before / total;
            before += r;
            1 + share as usize
        })
        .collect()
}
