//! Boundaries in the coordinate systems offices keep: one county's townships projected by GDAL
//! into CGCS2000 Gauss–Krüger systems (tests/data/crs, provenance in its README) load in their
//! own system, land where the WGS 84 original lies and plan identically to it.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};

use geo::{Area, BoundingRect};
use jianzhi::Dataset;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/crs")
}

/// A dataset folder in `dir`: the fixture's WGS 84 records with the boundary files `files`
/// (stem `townships`, every extension) of `variant`.
fn dataset_with(dir: &Path, variant: &str, extension: &str) -> PathBuf {
    let out = dir.join(format!("{variant}-{extension}"));
    std::fs::create_dir_all(&out).unwrap();
    for table in ["townships.csv", "villages.csv", "counties.csv"] {
        std::fs::copy(fixture().join("wgs84").join(table), out.join(table)).unwrap();
    }
    let companions: &[&str] = match extension {
        "shp" => &["shp", "shx", "dbf", "prj", "cpg"],
        other => &[other],
    };
    for ext in companions {
        let name = format!("townships.{ext}");
        std::fs::copy(fixture().join(variant).join(&name), out.join(&name)).unwrap();
    }
    out
}

fn load(dir: &Path) -> Dataset {
    jianzhi::import::load_dataset(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .dataset
}

/// The plan of the Sichuan preset: each township's new seat, each village's new seat.
fn plan(dataset: Dataset) -> (Vec<String>, Vec<String>, usize) {
    let workspace = common::workspace(dataset);
    let plan = workspace.plan(&common::preset("sichuan-2019")).unwrap();
    let ds = workspace.dataset();
    let townships = ds
        .townships
        .keys()
        .map(|t| ds.townships[plan.townships.seat_of(t)].code.clone())
        .collect();
    let villages = ds
        .villages
        .keys()
        .map(|v| ds.villages[plan.villages.seat_of(v)].code.clone())
        .collect();
    (townships, villages, plan.townships.units.len())
}

#[test]
fn projected_boundaries_load_in_their_system_and_plan_as_the_original() {
    let original = load(&fixture().join("wgs84"));
    assert_eq!(original.crs.as_ref().map(|c| c.epsg), Some(4326));
    let before = original.townships.len();
    let expected = plan(original.clone());
    assert!(
        expected.2 < before,
        "the fixture must merge something: {} of {before}",
        expected.2
    );
    let dir = tempfile::tempdir().unwrap();
    for (variant, extension, epsg) in [
        ("epsg4523", "shp", 4523),
        ("epsg4523", "gpkg", 4523),
        ("epsg4523", "geojson", 4523),
        ("epsg4544", "shp", 4544),
        ("epsg4496", "shp", 4496),
    ] {
        let what = format!("{variant} .{extension}");
        let projected = load(&dataset_with(dir.path(), variant, extension));
        assert_eq!(
            projected.crs.as_ref().map(|c| c.epsg),
            Some(epsg),
            "{what}: the system read"
        );
        for (a, b) in original.townships.iter().zip(projected.townships.iter()) {
            let (a, b) = (a.boundary.as_ref().unwrap(), b.boundary.as_ref().unwrap());
            // Back in longitude/latitude within a centimetre or so of the original.
            let (ra, rb) = (a.bounding_rect().unwrap(), b.bounding_rect().unwrap());
            for (x, y) in [
                (ra.min().x, rb.min().x),
                (ra.min().y, rb.min().y),
                (ra.max().x, rb.max().x),
                (ra.max().y, rb.max().y),
            ] {
                assert!((x - y).abs() < 2e-7, "{what}: {x} against {y}");
            }
            let (area_a, area_b) = (a.unsigned_area(), b.unsigned_area());
            assert!(
                (area_a - area_b).abs() / area_a < 1e-6,
                "{what}: area {area_a} against {area_b}"
            );
        }
        assert_eq!(plan(projected), expected, "{what}: the plan");
    }
}

#[test]
fn a_system_this_version_cannot_read_is_refused_and_named() {
    let dir = tempfile::tempdir().unwrap();
    let data = dataset_with(dir.path(), "epsg4523", "shp");
    // A Lambert conformal conic projection no Chinese office's survey system uses.
    std::fs::write(
        data.join("townships.prj"),
        r#"PROJCS["Lambert_Made_Up",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Lambert_Conformal_Conic"],PARAMETER["False_Easting",0.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",105.0],PARAMETER["Standard_Parallel_1",25.0],PARAMETER["Standard_Parallel_2",47.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#,
    )
    .unwrap();
    let e = common::load_error(&data);
    assert!(e.contains("townships.prj"), "{e}");
    assert!(e.contains("Lambert_Made_Up"), "names what it found: {e}");
}

#[test]
fn a_geojson_naming_a_system_is_read_in_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dataset_with(dir.path(), "epsg4523", "geojson");
    let text = std::fs::read_to_string(data.join("townships.geojson")).unwrap();
    assert!(text.contains("EPSG::4523"));
    // The same file without its crs member is metres that are not longitude/latitude: the
    // error says so and names the feature.
    let stripped = text.replace(
        r#""crs": { "type": "name", "properties": { "name": "urn:ogc:def:crs:EPSG::4523" } },"#,
        "",
    );
    assert_ne!(stripped, text);
    std::fs::write(data.join("townships.geojson"), stripped).unwrap();
    let e = common::load_error(&data);
    assert!(e.contains("feature 0"), "{e}");
    assert!(e.contains("names no coordinate system"), "{e}");
}
