//! Boundaries in an OGC GeoPackage (`.gpkg`, QGIS's native format): the features of one
//! feature table, their attributes as text and their coordinate system from the file's
//! `gpkg_spatial_ref_sys`. Geometries are GeoPackage binary (decoded by `geozero`).

use std::path::Path;

use geo::MultiPolygon;
use geozero::ToGeo;
use geozero::wkb::GpkgWkb;
use rusqlite::{Connection, OpenFlags, types::ValueRef};

use crate::crs::Crs;
use crate::error::Message;
use crate::tr;

/// One feature of the table as read: its attributes (column name and text) and its shape or
/// why it is not one.
pub struct RawFeature {
    pub attributes: Vec<(String, String)>,
    pub shape: Result<MultiPolygon<f64>, Message>,
}

/// The features of the GeoPackage's feature table, and the table's coordinate system. The
/// table is the only one, or the one named `stem` (`townships`, `villages`, `counties`).
pub fn read(path: &Path, stem: &str) -> Result<(Vec<RawFeature>, Crs), Message> {
    let db = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(|e| {
        tr!(
            "cannot open the GeoPackage: {e}",
            "无法打开 GeoPackage：{e}"
        )
    })?;
    read_db(&db, stem).map_err(|e| match e {
        Failure::Sql(e) => tr!(
            "not a GeoPackage that can be read: {e}",
            "不是可读取的 GeoPackage：{e}"
        ),
        Failure::Said(message) => message,
    })
}

enum Failure {
    Sql(rusqlite::Error),
    Said(Message),
}

impl From<rusqlite::Error> for Failure {
    fn from(e: rusqlite::Error) -> Self {
        Failure::Sql(e)
    }
}

impl From<Message> for Failure {
    fn from(m: Message) -> Self {
        Failure::Said(m)
    }
}

/// A feature table: its name, geometry column and system id.
struct FeatureTable {
    name: String,
    geometry: String,
    srs_id: i64,
}

fn read_db(db: &Connection, stem: &str) -> Result<(Vec<RawFeature>, Crs), Failure> {
    let table = feature_table(db, stem)?;
    let crs = table_crs(db, table.srs_id)?;
    let mut statement = db.prepare(&format!("SELECT * FROM \"{}\"", quoted(&table.name)))?;
    let names: Vec<String> = statement
        .column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    let mut rows = statement.query([])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let mut attributes = Vec::new();
        let mut shape = Err(Message::new(
            "the geometry is empty (null)",
            "几何为空（null）",
        ));
        for (i, name) in names.iter().enumerate() {
            let value = row.get_ref(i)?;
            if name.eq_ignore_ascii_case(&table.geometry) {
                if let ValueRef::Blob(blob) = value {
                    shape = boundary(blob);
                }
                continue;
            }
            let text = match value {
                ValueRef::Text(t) => String::from_utf8_lossy(t).trim().to_string(),
                ValueRef::Integer(n) => n.to_string(),
                ValueRef::Real(x) if x.fract() == 0.0 && x.abs() < 1e15 => format!("{x:.0}"),
                ValueRef::Real(x) => x.to_string(),
                ValueRef::Null | ValueRef::Blob(_) => continue,
            };
            attributes.push((name.clone(), text));
        }
        out.push(RawFeature { attributes, shape });
    }
    Ok((out, crs))
}

/// A name inside double quotes in SQL.
fn quoted(name: &str) -> String {
    name.replace('"', "\"\"")
}

/// The feature table to read: the only one, else the one named `stem`.
fn feature_table(db: &Connection, stem: &str) -> Result<FeatureTable, Failure> {
    let mut statement = db.prepare(
        "SELECT c.table_name, g.column_name, g.srs_id FROM gpkg_contents c JOIN gpkg_geometry_columns g ON g.table_name = c.table_name WHERE c.data_type = 'features' ORDER BY c.table_name",
    )?;
    let mut tables: Vec<FeatureTable> = statement
        .query_map([], |row| {
            Ok(FeatureTable {
                name: row.get(0)?,
                geometry: row.get(1)?,
                srs_id: row.get(2)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    if tables.len() == 1 {
        return Ok(tables.remove(0));
    }
    if let Some(i) = tables
        .iter()
        .position(|t| t.name.eq_ignore_ascii_case(stem))
    {
        return Ok(tables.remove(i));
    }
    let names: Vec<&str> = tables.iter().map(|t| t.name.as_str()).collect();
    Err(if names.is_empty() {
        Message::new(
            "the GeoPackage holds no feature layer",
            "该 GeoPackage 没有要素图层",
        )
    } else {
        tr!(
            "the GeoPackage holds several layers ({}) and none is named {stem}: keep the one to read, or rename it {stem}",
            "该 GeoPackage 有多个图层（{}），没有名为 {stem} 的：只保留要读取的图层，或将其改名为 {stem}",
            names.join(", ")
        )
    }
    .into())
}

/// The coordinate system of a system id: by its EPSG code, else by its WKT definition. The
/// undefined systems (0, -1) are taken as longitude/latitude, as a file without a `.prj` is.
fn table_crs(db: &Connection, srs_id: i64) -> Result<Crs, Failure> {
    if srs_id <= 0 {
        return Ok(Crs::wgs84());
    }
    let (organization, code, definition): (String, i64, String) = db.query_row(
        "SELECT organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys WHERE srs_id = ?1",
        [srs_id],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
    )?;
    if organization.eq_ignore_ascii_case("EPSG")
        && let Ok(crs) = u32::try_from(code)
            .map_err(|_| ())
            .and_then(|c| Crs::from_epsg(c).map_err(|_| ()))
    {
        return Ok(crs);
    }
    Ok(Crs::from_wkt(&definition)?)
}

/// A GeoPackage geometry as a boundary, or why it is not one.
fn boundary(blob: &[u8]) -> Result<MultiPolygon<f64>, Message> {
    let geometry = GpkgWkb(blob)
        .to_geo()
        .map_err(|e| tr!("the geometry cannot be read: {e}", "无法读取几何：{e}"))?;
    match geometry {
        geo::Geometry::Polygon(p) => Ok(MultiPolygon::new(vec![p])),
        geo::Geometry::MultiPolygon(mp) if mp.0.is_empty() => {
            Err(Message::new("the geometry is empty", "几何为空"))
        }
        geo::Geometry::MultiPolygon(mp) => Ok(mp),
        other => Err(tr!(
            "a {} is not a boundary; expected Polygon or MultiPolygon",
            "{} 不是边界；应为 Polygon 或 MultiPolygon",
            geometry_name(&other)
        )),
    }
}

fn geometry_name(g: &geo::Geometry<f64>) -> &'static str {
    match g {
        geo::Geometry::Point(_) => "Point",
        geo::Geometry::MultiPoint(_) => "MultiPoint",
        geo::Geometry::Line(_) | geo::Geometry::LineString(_) => "LineString",
        geo::Geometry::MultiLineString(_) => "MultiLineString",
        geo::Geometry::GeometryCollection(_) => "GeometryCollection",
        _ => "geometry",
    }
}
