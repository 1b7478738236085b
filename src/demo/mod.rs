//! The built-in Sichuan demo dataset: real codes, names, kinds and county outlines (2016), with
//! everything no public source has **modelled**, deterministically (fixed seed):
//!
//! - **Seats**: every township's seat is placed inside its real county outline. Streets cluster
//!   around the county's urban core (the lowest of a sample of points: county towns sit in
//!   valleys), special units (development zones) near it, towns spread out with a preference
//!   for low ground, townships spread evenly (Mitchell's best-candidate sampling).
//! - **Territories**: each township's territory is its seat's Voronoi cell clipped to the county
//!   outline, so territories tile the county and their areas add up to the county's area. The
//!   outlines are first made to tile each other (an overlap goes to the smaller county), so
//!   no two territories overlap anywhere.
//! - **Villages**: centres inside their township's territory (communities near the seat);
//!   village areas are shares of the township's area (communities small).
//! - **Populations**: each city's 2020 census resident total is shared among its townships by
//!   area x density, where density falls with elevation (the DEM: basin dense, plateau sparse)
//!   and streets > special units > towns > townships. A township's residents are shared
//!   among its villages; the weight of communities is calibrated so that administrative
//!   villages average the published 877 residents. Registered population (户籍) is resident
//!   population times a migration factor by kind, scaled so townships average the published
//!   18,000.
//!
//! `jianzhi demo-data` regenerates `data/sichuan/` from `data/sichuan/sources/`; a test checks the
//! committed files are exactly what the generator makes.

mod generate;
pub mod national;
mod population;
pub mod scaled;
mod tiling;
mod voronoi;

pub use generate::{DemoError, DemoReport, generate, write_demo};

/// Seed of the generator; changing it changes every modelled figure.
pub const SEED: u64 = 2019_2020;

/// The columns of the demo's `villages.csv` (and of the scaled stress-test dataset's).
const VILLAGE_COLUMNS: [&str; 9] = [
    "code",
    "name",
    "township_code",
    "kind",
    "lon",
    "lat",
    "area_km2",
    "resident_pop",
    "registered_pop",
];

/// Published pre-reform averages the generator calibrates to (REFERENCE.md, seed 001).
pub mod targets {
    /// Average registered population per regular township-level unit.
    pub const TOWNSHIP_REGISTERED_POP: f64 = 18_000.0;
    /// Average area per regular township-level unit, km² (follows from the real outlines).
    pub const TOWNSHIP_AREA_KM2: f64 = 106.0;
    /// Average resident population per administrative village.
    pub const VILLAGE_RESIDENT_POP: f64 = 877.0;
    /// Average area per administrative village, km².
    pub const VILLAGE_AREA_KM2: f64 = 10.7;
}
