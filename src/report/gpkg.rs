//! A plan's layers in one OGC GeoPackage (1.2), QGIS's native format: a SQLite file with one
//! feature table per layer, its coordinate system, and the metadata (the QGIS layer metadata
//! of each layer, and the run's metadata as JSON) in the metadata extension's tables. Written
//! whole into a temporary file and renamed into place.

use std::path::Path;

use geozero::{CoordDimensions, ToWkb};
use rusqlite::{Connection, params};

use crate::atomic::make_atomic;
use crate::crs::Crs;
use crate::report::gis::{self, Geometry, Kind, Layer, Value};
use crate::report::meta::Metadata;

/// `GPKG` as SQLite's application id.
const APPLICATION_ID: i32 = 0x4750_4B47;
/// GeoPackage 1.2.
const USER_VERSION: i32 = 10200;

/// The tables every GeoPackage holds, and those of the metadata extension (OGC 12-128r18).
const SCHEMA: &str = "
CREATE TABLE gpkg_spatial_ref_sys (
  srs_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL PRIMARY KEY,
  organization TEXT NOT NULL,
  organization_coordsys_id INTEGER NOT NULL,
  definition TEXT NOT NULL,
  description TEXT
);
CREATE TABLE gpkg_contents (
  table_name TEXT NOT NULL PRIMARY KEY,
  data_type TEXT NOT NULL,
  identifier TEXT UNIQUE,
  description TEXT DEFAULT '',
  last_change DATETIME NOT NULL,
  min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE,
  srs_id INTEGER,
  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id)
);
CREATE TABLE gpkg_geometry_columns (
  table_name TEXT NOT NULL,
  column_name TEXT NOT NULL,
  geometry_type_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL,
  z TINYINT NOT NULL,
  m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
  CONSTRAINT uk_gc_table_name UNIQUE (table_name),
  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id)
);
CREATE TABLE gpkg_extensions (
  table_name TEXT,
  column_name TEXT,
  extension_name TEXT NOT NULL,
  definition TEXT NOT NULL,
  scope TEXT NOT NULL,
  CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name)
);
CREATE TABLE gpkg_metadata (
  id INTEGER CONSTRAINT m_pk PRIMARY KEY ASC NOT NULL,
  md_scope TEXT NOT NULL DEFAULT 'dataset',
  md_standard_uri TEXT NOT NULL,
  mime_type TEXT NOT NULL DEFAULT 'text/xml',
  metadata TEXT NOT NULL DEFAULT ''
);
CREATE TABLE gpkg_metadata_reference (
  reference_scope TEXT NOT NULL,
  table_name TEXT,
  column_name TEXT,
  row_id_value INTEGER,
  timestamp DATETIME NOT NULL,
  md_file_id INTEGER NOT NULL,
  md_parent_id INTEGER,
  CONSTRAINT crmr_mfi_fk FOREIGN KEY (md_file_id) REFERENCES gpkg_metadata(id),
  CONSTRAINT crmr_mpi_fk FOREIGN KEY (md_parent_id) REFERENCES gpkg_metadata(id)
);
";

const METADATA_EXTENSION: &str = "http://www.geopackage.org/spec120/#extension_metadata";

/// Writes `layers` (all in `crs`) and `meta` as the GeoPackage `path`, atomically.
pub fn write(path: &Path, layers: &[Layer], crs: &Crs, meta: &Metadata) -> std::io::Result<()> {
    make_atomic(path, |tmp| {
        fill(tmp, layers, crs, meta).map_err(|e| std::io::Error::other(e.to_string()))
    })
}

fn fill(path: &Path, layers: &[Layer], crs: &Crs, meta: &Metadata) -> rusqlite::Result<()> {
    let mut db = Connection::open(path)?;
    db.pragma_update(None, "application_id", APPLICATION_ID)?;
    db.pragma_update(None, "user_version", USER_VERSION)?;
    db.pragma_update(None, "journal_mode", "OFF")?;
    let tx = db.transaction()?;
    tx.execute_batch(SCHEMA)?;
    spatial_ref_sys(&tx, crs)?;
    let changed = utc(&meta.made_at);
    for layer in layers {
        feature_table(&tx, layer, crs, &changed)?;
    }
    metadata(&tx, layers, crs, meta, &changed)?;
    tx.commit()?;
    db.close().map_err(|(_, e)| e)
}

/// The systems every GeoPackage defines (undefined Cartesian and geographic, WGS 84) and the
/// layers' own.
fn spatial_ref_sys(db: &Connection, crs: &Crs) -> rusqlite::Result<()> {
    let mut insert = db.prepare(
        "INSERT INTO gpkg_spatial_ref_sys (srs_name, srs_id, organization, organization_coordsys_id, definition, description) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    insert.execute(params![
        "Undefined cartesian SRS",
        -1,
        "NONE",
        -1,
        "undefined",
        "undefined cartesian coordinate reference system"
    ])?;
    insert.execute(params![
        "Undefined geographic SRS",
        0,
        "NONE",
        0,
        "undefined",
        "undefined geographic coordinate reference system"
    ])?;
    let wgs84 = Crs::wgs84();
    let own = (crs.epsg != wgs84.epsg).then_some(crs);
    for system in std::iter::once(&wgs84).chain(own) {
        insert.execute(params![
            system.name,
            system.epsg,
            "EPSG",
            system.epsg,
            system.wkt(),
            system.name
        ])?;
    }
    Ok(())
}

/// The SQL type of a field.
fn sql_type(kind: Kind) -> &'static str {
    match kind {
        Kind::Text(_) => "TEXT",
        Kind::Whole(_) => "INTEGER",
        Kind::Real(..) => "REAL",
        Kind::Flag => "BOOLEAN",
    }
}

/// A layer as a feature table, registered in the contents and geometry columns.
fn feature_table(db: &Connection, layer: &Layer, crs: &Crs, changed: &str) -> rusqlite::Result<()> {
    let columns: String = layer
        .fields
        .iter()
        .map(|f| format!(", \"{}\" {}", f.key, sql_type(f.kind)))
        .collect();
    let geometry_type = if layer.points {
        "POINT"
    } else {
        "MULTIPOLYGON"
    };
    db.execute_batch(&format!(
        "CREATE TABLE \"{}\" (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, geom {geometry_type}{columns});",
        layer.name
    ))?;
    let bounds = layer.bounds();
    db.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change, min_x, min_y, max_x, max_y, srs_id) VALUES (?1, 'features', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            layer.name,
            layer.title,
            layer.title,
            changed,
            bounds.map(|b| b.min().x),
            bounds.map(|b| b.min().y),
            bounds.map(|b| b.max().x),
            bounds.map(|b| b.max().y),
            crs.epsg,
        ],
    )?;
    db.execute(
        "INSERT INTO gpkg_geometry_columns (table_name, column_name, geometry_type_name, srs_id, z, m) VALUES (?1, 'geom', ?2, ?3, 0, 0)",
        params![layer.name, geometry_type, crs.epsg],
    )?;
    let placeholders: String = (0..layer.fields.len())
        .map(|i| format!(", ?{}", i + 2))
        .collect();
    let names: String = layer
        .fields
        .iter()
        .map(|f| format!(", \"{}\"", f.key))
        .collect();
    let mut insert = db.prepare(&format!(
        "INSERT INTO \"{}\" (geom{names}) VALUES (?1{placeholders})",
        layer.name
    ))?;
    for feature in &layer.features {
        let blob = feature
            .geometry
            .as_ref()
            .map(|g| geometry_blob(g, crs.epsg))
            .transpose()?;
        let mut values: Vec<rusqlite::types::Value> = vec![blob.into()];
        for (field, value) in layer.fields.iter().zip(&feature.values) {
            values.push(sql_value(value, field.kind));
        }
        insert.execute(rusqlite::params_from_iter(values))?;
    }
    Ok(())
}

/// A value as the table stores it: text, an integer, a real or null.
fn sql_value(value: &Value, kind: Kind) -> rusqlite::types::Value {
    use rusqlite::types::Value as Sql;
    match (value, kind) {
        (Value::Text(t), _) => Sql::Text(t.clone()),
        (Value::Flag(b), _) => Sql::Integer(i64::from(*b)),
        (Value::Number(_), Kind::Whole(_)) => value
            .number(kind)
            .map_or(Sql::Null, |x| Sql::Integer(x as i64)),
        (Value::Number(_), _) => value.number(kind).map_or(Sql::Null, Sql::Real),
    }
}

/// A geometry as GeoPackage binary: the `GP` header with the system and, for areas, the
/// envelope, then standard WKB.
fn geometry_blob(geometry: &Geometry, epsg: u16) -> rusqlite::Result<Vec<u8>> {
    let (shape, envelope): (geo::Geometry<f64>, Vec<f64>) = match geometry {
        Geometry::Area(shape) => {
            let envelope = gis::geometry_bounds(geometry)
                .map(|b| vec![b.min().x, b.max().x, b.min().y, b.max().y])
                .unwrap_or_default();
            (shape.clone().into(), envelope)
        }
        Geometry::Point(p) => ((*p).into(), Vec::new()),
    };
    shape
        .to_gpkg_wkb(CoordDimensions::xy(), Some(i32::from(epsg)), envelope)
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
}

/// The metadata: each layer's QGIS metadata (which QGIS shows under Layer Properties →
/// Metadata) and the run's metadata as JSON for the whole file.
fn metadata(
    db: &Connection,
    layers: &[Layer],
    crs: &Crs,
    meta: &Metadata,
    changed: &str,
) -> rusqlite::Result<()> {
    for table in ["gpkg_metadata", "gpkg_metadata_reference"] {
        db.execute(
            "INSERT INTO gpkg_extensions (table_name, column_name, extension_name, definition, scope) VALUES (?1, NULL, 'gpkg_metadata', ?2, 'read-write')",
            params![table, METADATA_EXTENSION],
        )?;
    }
    db.execute(
        "INSERT INTO gpkg_metadata (md_scope, md_standard_uri, mime_type, metadata) VALUES ('dataset', 'https://github.com/jianzhi', 'application/json', ?1)",
        params![gis::metadata_text(meta)],
    )?;
    let whole = db.last_insert_rowid();
    db.execute(
        "INSERT INTO gpkg_metadata_reference (reference_scope, table_name, column_name, row_id_value, timestamp, md_file_id, md_parent_id) VALUES ('geopackage', NULL, NULL, NULL, ?1, ?2, NULL)",
        params![changed, whole],
    )?;
    for layer in layers {
        db.execute(
            "INSERT INTO gpkg_metadata (md_scope, md_standard_uri, mime_type, metadata) VALUES ('dataset', 'http://mrcc.com/qgis.dtd', 'text/xml', ?1)",
            params![gis::qgis_metadata(meta, layer.title, crs)],
        )?;
        let id = db.last_insert_rowid();
        db.execute(
            "INSERT INTO gpkg_metadata_reference (reference_scope, table_name, column_name, row_id_value, timestamp, md_file_id, md_parent_id) VALUES ('table', ?1, NULL, NULL, ?2, ?3, ?4)",
            params![layer.name, changed, id, whole],
        )?;
    }
    Ok(())
}

/// A time of the metadata (RFC 3339 with an offset) in UTC as GeoPackage writes times
/// (`2026-12-05T01:02:03.000Z`).
fn utc(made_at: &str) -> String {
    made_at
        .parse::<jiff::Timestamp>()
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
        .unwrap_or_else(|_| "1970-01-01T00:00:00.000Z".to_string())
}
