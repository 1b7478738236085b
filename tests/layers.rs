//! Every GIS layer a plan exports, read back from each format as the receiving office's
//! software reads it (GeoJSON with the geojson crate, Shapefile with the shapefile crate,
//! GeoPackage with SQLite and geozero): every geometry valid by the OGC rules, territories
//! that overlap no more than the input's, and the coordinate system asked for.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use geo::{Area, BooleanOps, BoundingRect, MultiPolygon, Validation};
use geozero::ToGeo;
use jianzhi::crs::Crs;

/// A layer read back: its features' geometries, and the EPSG code its file names.
struct ReadBack {
    shapes: Vec<MultiPolygon<f64>>,
    points: usize,
    epsg: u32,
}

impl ReadBack {
    /// A layer's geometries sorted into areas and points.
    fn of(geometries: impl Iterator<Item = geo::Geometry<f64>>, epsg: u32) -> ReadBack {
        let mut shapes = Vec::new();
        let mut points = 0;
        for g in geometries {
            match g {
                geo::Geometry::Point(_) => points += 1,
                other => shapes.push(polygon_of(other)),
            }
        }
        ReadBack {
            shapes,
            points,
            epsg,
        }
    }
}

fn polygon_of(geometry: geo::Geometry<f64>) -> MultiPolygon<f64> {
    match geometry {
        geo::Geometry::MultiPolygon(mp) => mp,
        geo::Geometry::Polygon(p) => MultiPolygon::new(vec![p]),
        other => panic!("not a polygon: {other:?}"),
    }
}

/// A GeoJSON layer: RFC 7946 (WGS 84) without a `crs` member, else the system it names.
fn geojson(path: &Path) -> ReadBack {
    let text = std::fs::read_to_string(path).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let epsg = match value["crs"]["properties"]["name"].as_str() {
        None => 4326,
        Some(name) => name.rsplit(':').next().unwrap().parse().unwrap(),
    };
    let collection: geojson::FeatureCollection = text.parse().unwrap();
    let geometries = collection
        .features
        .into_iter()
        .map(|f| geo::Geometry::<f64>::try_from(f.geometry.unwrap()).unwrap());
    ReadBack::of(geometries, epsg)
}

/// A Shapefile layer, its system from the `.prj` (matched by the projection's parameters).
fn shapefile(path: &Path) -> ReadBack {
    let prj = std::fs::read_to_string(path.with_extension("prj")).unwrap();
    let epsg = u32::from(Crs::from_wkt(&prj).unwrap().epsg);
    let mut shapes = Vec::new();
    let mut points = 0;
    for shape in shapefile::read_shapes(path).unwrap() {
        match shape {
            shapefile::Shape::Polygon(p) => shapes.push(MultiPolygon::try_from(p).unwrap()),
            shapefile::Shape::Point(_) => points += 1,
            other => panic!("unexpected {other}"),
        }
    }
    ReadBack {
        shapes,
        points,
        epsg,
    }
}

/// A table of a GeoPackage, its system from `gpkg_geometry_columns`.
fn geopackage(path: &Path, table: &str) -> ReadBack {
    let db =
        rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let application_id: i64 = db
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .unwrap();
    assert_eq!(application_id, 0x4750_4B47, "GPKG");
    let epsg: u32 = db
        .query_row(
            "SELECT srs_id FROM gpkg_geometry_columns WHERE table_name = ?1",
            [table],
            |r| r.get(0),
        )
        .unwrap();
    let organization: String = db
        .query_row(
            "SELECT organization FROM gpkg_spatial_ref_sys WHERE srs_id = ?1",
            [epsg],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(organization, "EPSG");
    let mut statement = db
        .prepare(&format!("SELECT geom FROM \"{table}\""))
        .unwrap();
    let blobs: Vec<Vec<u8>> = statement
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let geometries = blobs
        .into_iter()
        .map(|blob| geozero::wkb::GpkgWkb(blob).to_geo().unwrap());
    ReadBack::of(geometries, epsg)
}

/// The area where two shapes of the list overlap, summed over every pair.
fn overlap(shapes: &[&MultiPolygon<f64>]) -> f64 {
    use rstar::primitives::{GeomWithData, Rectangle};
    let boxes: Vec<GeomWithData<Rectangle<[f64; 2]>, usize>> = shapes
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            let r = s.bounding_rect()?;
            Some(GeomWithData::new(
                Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                i,
            ))
        })
        .collect();
    let tree = rstar::RTree::bulk_load(boxes.clone());
    let mut total = 0.0;
    for b in &boxes {
        for other in tree.locate_in_envelope_intersecting(&rstar::RTreeObject::envelope(b.geom())) {
            if other.data > b.data {
                total += shapes[b.data]
                    .intersection(shapes[other.data])
                    .unsigned_area();
            }
        }
    }
    total
}

/// Every territory valid, as many as the plan has units; every point layer complete.
fn check(layer: &ReadBack, what: &str, units: usize, epsg: u32) {
    assert_eq!(layer.epsg, epsg, "{what}: the system");
    let invalid: Vec<usize> = (0..layer.shapes.len())
        .filter(|&i| !layer.shapes[i].is_valid())
        .collect();
    assert!(invalid.is_empty(), "{what}: invalid features {invalid:?}");
    assert!(
        layer.shapes.len() == units || layer.points == units,
        "{what}: {} areas, {} points for {units} units",
        layer.shapes.len(),
        layer.points
    );
}

#[test]
fn the_demos_layers_read_back_valid_in_every_format_overlapping_no_more_than_the_input() {
    let workspace = common::demo_workspace();
    let a = workspace.analyse(&common::preset("sichuan-2019")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    common::export_gis(&a, dir.path(), None);
    let units = a.plan.townships.units.len();
    let d = dir.path();
    let layers = [
        (
            "townships-new.geojson",
            geojson(&d.join("townships-new.geojson")),
        ),
        ("townships_new.shp", shapefile(&d.join("townships_new.shp"))),
        (
            "layers.gpkg townships_new",
            geopackage(&d.join("layers.gpkg"), "townships_new"),
        ),
    ];
    let input: Vec<&MultiPolygon<f64>> = a
        .dataset()
        .townships
        .iter()
        .filter_map(|t| t.boundary.as_ref())
        .collect();
    let input_overlap = overlap(&input);
    let input_area: f64 = input.iter().map(|s| s.unsigned_area()).sum();
    for (what, layer) in &layers {
        check(layer, what, units, 4326);
        let area: f64 = layer.shapes.iter().map(|s| s.unsigned_area()).sum();
        assert!(
            (area - input_area).abs() / input_area < 0.005,
            "{what}: area {area} against {input_area}"
        );
        let shapes: Vec<&MultiPolygon<f64>> = layer.shapes.iter().collect();
        let output_overlap = overlap(&shapes);
        // Dissolving and putting coordinates on the output grid (a centimetre) may leave
        // slivers a few millimetres wide along long borders: a millionth of the area at most.
        assert!(
            output_overlap <= input_overlap + 1e-6 * input_area,
            "{what}: territories overlap by {output_overlap} deg², the input by {input_overlap}"
        );
    }
    for name in ["seats", "stations"] {
        let wanted = if name == "seats" {
            units
        } else {
            a.service.stations.len()
        };
        check(
            &geojson(&d.join(format!("{name}.geojson"))),
            name,
            wanted,
            4326,
        );
        check(
            &shapefile(&d.join(format!("{name}.shp"))),
            name,
            wanted,
            4326,
        );
        check(
            &geopackage(&d.join("layers.gpkg"), name),
            name,
            wanted,
            4326,
        );
    }
}

#[test]
fn layers_asked_for_in_a_gauss_kruger_zone_are_written_in_it() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/crs/wgs84");
    let dataset = jianzhi::import::load_dataset(&fixture).unwrap().dataset;
    let workspace = common::workspace(dataset);
    let a = workspace.analyse(&common::preset("sichuan-2019")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    common::export_gis(&a, dir.path(), Some(Crs::from_epsg(4523).unwrap()));
    let units = a.plan.townships.units.len();
    let d = dir.path();
    for (what, layer) in [
        ("geojson", geojson(&d.join("townships-new.geojson"))),
        ("shp", shapefile(&d.join("townships_new.shp"))),
        ("gpkg", geopackage(&d.join("layers.gpkg"), "townships_new")),
    ] {
        check(&layer, what, units, 4523);
        // Metres east with the zone prefix (35) and north of the equator: 崇州 (103.4–103.7°E,
        // 30.5–30.9°N) lies 130–160 km west of the zone's meridian (105°E), 3,400 km north.
        let r = layer.shapes[0].bounding_rect().unwrap();
        assert!(
            (35_300_000.0..35_400_000.0).contains(&r.min().x),
            "{what}: {r:?}"
        );
        assert!(
            (3_350_000.0..3_450_000.0).contains(&r.min().y),
            "{what}: {r:?}"
        );
        // The same land: the projected area within a few tenths of a percent of the
        // geodesic one (zone 35's scale error here is about 2e-5).
        let area: f64 = layer.shapes.iter().map(|s| s.unsigned_area()).sum::<f64>() / 1e6;
        let input: f64 = a.dataset().townships.iter().map(|t| t.area_km2).sum();
        assert!(
            (area - input).abs() / input < 0.01,
            "{what}: {area} km² against {input}"
        );
    }
}
