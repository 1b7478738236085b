//! GIS layers of a plan and the files that hold them. A [`Layer`] is built once from the
//! plan (territories at both levels, seats, stations), in the coordinate system the files are
//! written in, and written as GeoJSON, as ESRI Shapefile (`.shp`, `.shx`, `.dbf` in UTF-8 with
//! a `.cpg` naming it, `.prj`, and a QGIS `.qmd` with the metadata) or into a GeoPackage
//! ([`report::gpkg`](crate::report::gpkg)).
//!
//! Every layer has a fixed ASCII name (`townships_new`, `villages_new`, `seats`, `stations`)
//! and a title in the interface language; a field no feature fills is left out. Shapefile
//! field names fit in 10 bytes; Chinese text is cut by character to fit a field, never
//! mid-character.

use std::io::Cursor;
use std::path::Path;

use geo::{BoundingRect, MultiPolygon, Point, Rect};
use serde_json::{Value as Json, json};
use shapefile::dbase::{self, FieldName, FieldValue, TableWriterBuilder};

use crate::atomic::write_atomic;
use crate::crs::Crs;
use crate::error::Message;
use crate::lang::Lang;
use crate::report::layers::{self, Marker, Territory};
use crate::report::meta::Metadata;
use crate::report::run::RunReport;
use crate::report::svg::esc;
use crate::tr;

/// What a field holds, and how wide it is in a `.dbf`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    /// Text of at most so many bytes of UTF-8 in a `.dbf`.
    Text(u8),
    /// A whole number of at most so many digits.
    Whole(u8),
    /// A number with so many digits in all and so many after the point.
    Real(u8, u8),
    /// Yes or no.
    Flag,
}

/// A field of a layer: its name in GeoJSON and GeoPackage, its name in a `.dbf` (at most 10
/// bytes) and what it holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Field {
    pub key: &'static str,
    pub short: &'static str,
    pub kind: Kind,
}

const fn field(key: &'static str, short: &'static str, kind: Kind) -> Field {
    Field { key, short, kind }
}

/// Bytes of a Shapefile text field (a Chinese character takes three in UTF-8).
const CODE: Kind = Kind::Text(20);
const NAME: Kind = Kind::Text(120);
const CODES: Kind = Kind::Text(254);
const DEGREES: Kind = Kind::Real(12, 6);
const PEOPLE: Kind = Kind::Whole(14);
const KM: Kind = Kind::Real(10, 3);

/// The fields of a territory layer, in order.
pub const TERRITORY_FIELDS: [Field; 17] = [
    field("code", "CODE", CODE),
    field("name", "NAME", NAME),
    field("county_code", "CNTY_CODE", CODE),
    field("county_name", "CNTY_NAME", NAME),
    field("township_code", "TWP_CODE", CODE),
    field("seat_code", "SEAT_CODE", CODE),
    field("seat_name", "SEAT_NAME", NAME),
    field("seat_lon", "SEAT_LON", DEGREES),
    field("seat_lat", "SEAT_LAT", DEGREES),
    field("members", "MEMBERS", Kind::Whole(6)),
    field("member_codes", "MEMB_CODES", CODES),
    field("area_km2", "AREA_KM2", Kind::Real(14, 3)),
    field("registered_pop", "REG_POP", PEOPLE),
    field("resident_pop", "RES_POP", PEOPLE),
    field("mean_km_before", "KM_BEFORE", KM),
    field("mean_km_after", "KM_AFTER", KM),
    field("by_hand", "BY_HAND", Kind::Flag),
];

/// The fields of a seat or station layer, in order.
pub const MARKER_FIELDS: [Field; 5] = [
    field("code", "CODE", CODE),
    field("name", "NAME", NAME),
    field("kind", "KIND", Kind::Text(10)),
    field("unit_code", "UNIT_CODE", CODE),
    field("unit_name", "UNIT_NAME", NAME),
];

/// A field's value in one feature. A number that is not finite is no value (null).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Number(f64),
    Flag(bool),
}

impl Value {
    /// Whether the value says nothing: empty text or no number.
    pub fn is_empty(&self) -> bool {
        match self {
            Value::Text(t) => t.is_empty(),
            Value::Number(x) => !x.is_finite(),
            Value::Flag(_) => false,
        }
    }

    /// The number as the field writes it (rounded to its decimals), or `None` for no value.
    pub fn number(&self, kind: Kind) -> Option<f64> {
        let Value::Number(x) = self else {
            return None;
        };
        let decimals = match kind {
            Kind::Real(_, d) => i32::from(d),
            _ => 0,
        };
        let scale = 10f64.powi(decimals);
        x.is_finite().then(|| (x * scale).round() / scale)
    }

    pub fn text(&self) -> &str {
        match self {
            Value::Text(t) => t,
            _ => "",
        }
    }
}

/// A feature's geometry.
#[derive(Debug, Clone, PartialEq)]
pub enum Geometry {
    Area(MultiPolygon<f64>),
    Point(Point<f64>),
}

/// One feature: its geometry (none for a unit without a boundary) and one value per field.
#[derive(Debug, Clone, PartialEq)]
pub struct Feature {
    pub geometry: Option<Geometry>,
    pub values: Vec<Value>,
}

/// One layer of a plan, in the coordinate system it is written in.
#[derive(Debug, Clone, PartialEq)]
pub struct Layer {
    /// Its name in files (ASCII: `townships_new`, `villages_new`, `seats`, `stations`).
    pub name: &'static str,
    /// Its title in the interface language.
    pub title: &'static str,
    /// Points (seats, stations) rather than areas.
    pub points: bool,
    pub fields: Vec<Field>,
    pub features: Vec<Feature>,
}

/// The layers of a plan in `crs`: the new townships, the new villages (where the dataset has
/// village boundaries), the seats and the service stations. Fails only if a point cannot be
/// brought into `crs`.
pub fn plan_layers(report: &RunReport, lang: Lang, crs: &Crs) -> Result<Vec<Layer>, Message> {
    let zh = lang == Lang::Zh;
    let title = |z: &'static str, e: &'static str| if zh { z } else { e };
    let mut out = vec![Layer::territories(
        "townships_new",
        title("调整后的乡镇", "New townships"),
        &layers::townships(report),
    )];
    if let Some(villages) = layers::villages(report) {
        out.push(Layer::territories(
            "villages_new",
            title("调整后的建制村", "New villages"),
            &villages,
        ));
    }
    out.push(Layer::markers(
        "seats",
        title("乡镇驻地", "Township seats"),
        &layers::seats(report),
    ));
    out.push(Layer::markers(
        "stations",
        title("便民服务站", "Service stations"),
        &layers::stations(report),
    ));
    out.into_iter().map(|layer| layer.in_crs(crs)).collect()
}

impl Layer {
    /// Territories as a layer (longitude/latitude), without the fields none of them fills.
    pub fn territories(name: &'static str, title: &'static str, units: &[Territory]) -> Layer {
        let features = units
            .iter()
            .map(|u| Feature {
                geometry: u.geometry.clone().map(Geometry::Area),
                values: vec![
                    Value::Text(u.code.clone()),
                    Value::Text(u.name.clone()),
                    Value::Text(u.county_code.clone()),
                    Value::Text(u.county_name.clone()),
                    Value::Text(u.township_code.clone()),
                    Value::Text(u.seat_code.clone()),
                    Value::Text(u.seat_name.clone()),
                    Value::Number(u.seat.lon),
                    Value::Number(u.seat.lat),
                    Value::Number(u.members as f64),
                    Value::Text(u.member_codes.clone()),
                    Value::Number(u.area_km2),
                    Value::Number(u.registered_pop),
                    Value::Number(u.resident_pop),
                    Value::Number(u.mean_km_before),
                    Value::Number(u.mean_km_after),
                    Value::Flag(u.by_hand),
                ],
            })
            .collect();
        Layer {
            name,
            title,
            points: false,
            fields: TERRITORY_FIELDS.to_vec(),
            features,
        }
        .without_empty_fields()
    }

    /// Seats or stations as a layer (longitude/latitude).
    pub fn markers(name: &'static str, title: &'static str, markers: &[Marker]) -> Layer {
        let features = markers
            .iter()
            .map(|m| Feature {
                geometry: Some(Geometry::Point(Point::new(m.at.lon, m.at.lat))),
                values: vec![
                    Value::Text(m.code.clone()),
                    Value::Text(m.name.clone()),
                    Value::Text(m.kind.to_string()),
                    Value::Text(m.unit_code.clone()),
                    Value::Text(m.unit_name.clone()),
                ],
            })
            .collect();
        Layer {
            name,
            title,
            points: true,
            fields: MARKER_FIELDS.to_vec(),
            features,
        }
        .without_empty_fields()
    }

    /// The layer less the fields no feature fills (the township of a new township, the
    /// distances of villages): an empty column is noise in an attribute table.
    fn without_empty_fields(mut self) -> Layer {
        let keep: Vec<bool> = (0..self.fields.len())
            .map(|i| self.features.iter().any(|f| !f.values[i].is_empty()))
            .collect();
        let mut kept = keep.iter();
        self.fields.retain(|_| *kept.next().unwrap_or(&true));
        for feature in &mut self.features {
            let mut kept = keep.iter();
            feature.values.retain(|_| *kept.next().unwrap_or(&true));
        }
        self
    }

    /// The layer (in longitude/latitude) brought into `crs`: coordinates on that system's
    /// grid and every area still valid.
    pub fn in_crs(mut self, crs: &Crs) -> Result<Layer, Message> {
        if crs.is_wgs84() {
            return Ok(self);
        }
        let to = crs.from_wgs84()?;
        let grid = crs.grid();
        let failed = || {
            tr!(
                "a point cannot be brought into {} ({}): is it the right system for this region?",
                "有坐标点无法转换到 {}（{}）：该坐标系是否适用于本地区？",
                crs.code(),
                crs.name
            )
        };
        for feature in &mut self.features {
            feature.geometry = match feature.geometry.take() {
                Some(Geometry::Area(shape)) => {
                    let shape = to.shape(&shape).ok_or_else(failed)?;
                    Some(Geometry::Area(layers::valid_on(shape, grid)))
                }
                Some(Geometry::Point(p)) => {
                    let (x, y) = to.point(p.x(), p.y()).ok_or_else(failed)?;
                    let round = |v: f64| (v * grid).round() / grid;
                    Some(Geometry::Point(Point::new(round(x), round(y))))
                }
                None => None,
            };
        }
        Ok(self)
    }

    /// The box around every feature's geometry.
    pub fn bounds(&self) -> Option<Rect<f64>> {
        self.features
            .iter()
            .filter_map(|f| f.geometry.as_ref().and_then(geometry_bounds))
            .reduce(|a, b| {
                Rect::new(
                    geo::coord! { x: a.min().x.min(b.min().x), y: a.min().y.min(b.min().y) },
                    geo::coord! { x: a.max().x.max(b.max().x), y: a.max().y.max(b.max().y) },
                )
            })
    }

    /// Whether any feature has a geometry (a territory layer of a dataset without
    /// boundaries has none).
    pub fn has_geometry(&self) -> bool {
        self.features.iter().any(|f| f.geometry.is_some())
    }
}

/// The box around a geometry.
pub fn geometry_bounds(geometry: &Geometry) -> Option<Rect<f64>> {
    match geometry {
        Geometry::Area(shape) => shape.bounding_rect(),
        Geometry::Point(p) => Some(Rect::new(p.0, p.0)),
    }
}

/// A coordinate as the files write it: on the grid of the layer's system.
fn coordinate(x: f64, grid: f64) -> f64 {
    (x * grid).round() / grid
}

fn rings(shape: &MultiPolygon<f64>, grid: f64) -> Json {
    let position = |c: &geo::Coord<f64>| json!([coordinate(c.x, grid), coordinate(c.y, grid)]);
    Json::Array(
        shape
            .0
            .iter()
            .map(|p| {
                Json::Array(
                    std::iter::once(p.exterior())
                        .chain(p.interiors())
                        .map(|ring| Json::Array(ring.0.iter().map(position).collect()))
                        .collect(),
                )
            })
            .collect(),
    )
}

fn metadata_json(meta: &Metadata) -> Json {
    json!({
        "dataset": meta.dataset,
        "modelled": meta.modelled.iter().map(|f| f.as_str()).collect::<Vec<_>>(),
        "sources": meta.sources,
        "scenarios": meta.scenarios.iter().map(|s| json!({
            "name": s.name,
            "description": s.description,
            "scenario_toml": s.toml,
        })).collect::<Vec<_>>(),
        "made_with": meta.program,
        "made_at": meta.made_at,
    })
}

/// The metadata of a layer file as JSON text (what a GeoPackage keeps beside its layers).
pub fn metadata_text(meta: &Metadata) -> String {
    metadata_json(meta).to_string()
}

fn json_value(value: &Value, kind: Kind) -> Json {
    match value {
        Value::Text(t) => json!(t),
        Value::Flag(b) => json!(b),
        Value::Number(_) => match (value.number(kind), kind) {
            (None, _) => Json::Null,
            (Some(x), Kind::Whole(_)) => json!(x as i64),
            (Some(x), _) => json!(x),
        },
    }
}

/// The layer as a GeoJSON FeatureCollection named by the layer, with the metadata as a
/// foreign member. In WGS 84 it is RFC 7946 GeoJSON; in another system the collection names
/// it in a `crs` member, as GDAL and QGIS read and write it.
pub fn geojson(layer: &Layer, crs: &Crs, meta: &Metadata) -> Vec<u8> {
    let grid = crs.grid();
    let features: Vec<Json> = layer
        .features
        .iter()
        .map(|f| {
            let properties: serde_json::Map<String, Json> = layer
                .fields
                .iter()
                .zip(&f.values)
                .map(|(field, value)| (field.key.to_string(), json_value(value, field.kind)))
                .collect();
            let geometry = f.geometry.as_ref().map(|g| match g {
                Geometry::Area(shape) => json!({
                    "type": "MultiPolygon",
                    "coordinates": rings(shape, grid),
                }),
                Geometry::Point(p) => json!({
                    "type": "Point",
                    "coordinates": [coordinate(p.x(), grid), coordinate(p.y(), grid)],
                }),
            });
            json!({"type": "Feature", "properties": properties, "geometry": geometry})
        })
        .collect();
    let mut collection = serde_json::Map::new();
    collection.insert("type".into(), json!("FeatureCollection"));
    collection.insert("name".into(), json!(layer.name));
    collection.insert(
        "description".into(),
        json!(format!("{} — {}", layer.title, meta.scenario_names())),
    );
    if !crs.is_wgs84() {
        collection.insert(
            "crs".into(),
            json!({"type": "name", "properties": {"name": crs.geojson_name()}}),
        );
    }
    collection.insert("jianzhi".into(), metadata_json(meta));
    collection.insert("features".into(), Json::Array(features));
    // Serialising a Value cannot fail.
    serde_json::to_vec(&Json::Object(collection)).unwrap_or_default()
}

/// Cuts `text` to at most `bytes` bytes of UTF-8 at a character boundary.
pub fn cut_to_bytes(text: &str, bytes: usize) -> &str {
    if text.len() <= bytes {
        return text;
    }
    let mut end = bytes;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

fn field_name(name: &str) -> FieldName {
    // Every name is ASCII and within 10 bytes (tested).
    FieldName::try_from(name).unwrap_or_else(|_| unreachable!("bad field name {name}"))
}

/// A value as the `.dbf` holds it in its field.
fn dbf_value(value: &Value, kind: Kind) -> FieldValue {
    match kind {
        Kind::Text(width) => FieldValue::Character(Some(
            cut_to_bytes(value.text(), usize::from(width)).to_string(),
        )),
        Kind::Flag => FieldValue::Numeric(Some(f64::from(u8::from(matches!(
            value,
            Value::Flag(true)
        ))))),
        Kind::Whole(_) | Kind::Real(..) => FieldValue::Numeric(value.number(kind)),
    }
}

/// The `.dbf` table of a layer's fields.
fn dbf_table(fields: &[Field]) -> TableWriterBuilder {
    let mut table = TableWriterBuilder::with_encoding(dbase::encoding::UnicodeLossy);
    for f in fields {
        let name = field_name(f.short);
        table = match f.kind {
            Kind::Text(width) => table.add_character_field(name, width),
            Kind::Whole(digits) => table.add_numeric_field(name, digits, 0),
            Kind::Real(digits, decimals) => table.add_numeric_field(name, digits, decimals),
            Kind::Flag => table.add_numeric_field(name, 1, 0),
        };
    }
    table
}

fn shp_error(e: shapefile::Error) -> std::io::Error {
    std::io::Error::other(e.to_string())
}

/// Writes the layer as a Shapefile `<name>.shp/.shx/.dbf/.cpg/.prj/.qmd` in `dir`, each file
/// atomically. Territories without a boundary are left out (a Shapefile has no null polygon
/// QGIS shows).
pub fn write_shapefile(
    dir: &Path,
    layer: &Layer,
    crs: &Crs,
    meta: &Metadata,
) -> std::io::Result<()> {
    let (mut shp, mut shx, mut dbf) = (
        Cursor::new(Vec::new()),
        Cursor::new(Vec::new()),
        Cursor::new(Vec::new()),
    );
    {
        let table = dbf_table(&layer.fields).build_with_dest(&mut dbf);
        let shapes = shapefile::ShapeWriter::with_shx(&mut shp, &mut shx);
        let mut writer = shapefile::Writer::new(shapes, table);
        for f in &layer.features {
            let mut record = dbase::Record::default();
            for (field, value) in layer.fields.iter().zip(&f.values) {
                record.insert(field.short.to_string(), dbf_value(value, field.kind));
            }
            let written = match &f.geometry {
                Some(Geometry::Area(shape)) => {
                    writer.write_shape_and_record(&shapefile::Polygon::from(shape.clone()), &record)
                }
                Some(Geometry::Point(p)) => {
                    writer.write_shape_and_record(&shapefile::Point::new(p.x(), p.y()), &record)
                }
                None => continue,
            };
            written.map_err(shp_error)?;
        }
    }
    let stem = layer.name;
    write_atomic(&dir.join(format!("{stem}.shp")), shp.get_ref())?;
    write_atomic(&dir.join(format!("{stem}.shx")), shx.get_ref())?;
    write_atomic(&dir.join(format!("{stem}.dbf")), dbf.get_ref())?;
    write_atomic(&dir.join(format!("{stem}.cpg")), b"UTF-8")?;
    write_atomic(&dir.join(format!("{stem}.prj")), crs.wkt().as_bytes())?;
    write_atomic(
        &dir.join(format!("{stem}.qmd")),
        qgis_metadata(meta, layer.title, crs).as_bytes(),
    )
}

/// QGIS layer metadata (`.qmd`, shown under Layer Properties → Metadata; a GeoPackage keeps
/// the same): the title, the data source, the scenario, the coordinate system, and when and
/// with what the layer was made.
pub fn qgis_metadata(meta: &Metadata, title: &str, crs: &Crs) -> String {
    let mut abstract_ = String::new();
    for (label, value) in meta.lines(Lang::Zh) {
        abstract_ += &format!("{label}：{value}\n");
    }
    for s in &meta.scenarios {
        abstract_ += &format!("\n{}\n", s.toml);
    }
    let history = format!(
        "    <history>{} {}</history>\n",
        esc(&meta.made_at),
        esc(&meta.program)
    );
    format!(
        "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n<qgis version=\"3.28\">\n  <identifier>{}</identifier>\n  <parentidentifier></parentidentifier>\n  <language>zh</language>\n  <type>dataset</type>\n  <title>{}</title>\n  <abstract>{}</abstract>\n  <keywords vocabulary=\"gmd:topicCategory\"><keyword>boundaries</keyword></keywords>\n  <links/>\n{history}  <crs><spatialrefsys><authid>{}</authid></spatialrefsys></crs>\n</qgis>\n",
        esc(title),
        esc(&format!("{title} — {}", meta.scenario_names())),
        esc(&abstract_),
        esc(&crs.code()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_fit_in_ten_bytes() {
        for f in TERRITORY_FIELDS.iter().chain(&MARKER_FIELDS) {
            assert!(f.short.len() <= 10, "{}", f.short);
            assert!(FieldName::try_from(f.short).is_ok(), "{}", f.short);
        }
    }

    #[test]
    fn chinese_text_is_cut_by_character() {
        // 3 bytes a character: 7 bytes hold two characters, never half of the third.
        assert_eq!(cut_to_bytes("成都市锦江区", 7), "成都");
        assert_eq!(cut_to_bytes("成都市锦江区", 9), "成都市");
        assert_eq!(cut_to_bytes("abc", 7), "abc");
    }

    #[test]
    fn a_field_no_feature_fills_is_left_out() {
        let unit = |township: &str| Territory {
            code: "1".into(),
            name: "甲".into(),
            county_code: "510104".into(),
            county_name: "锦江区".into(),
            township_code: township.into(),
            seat_code: "1".into(),
            seat_name: "甲".into(),
            seat: crate::model::LonLat::new(104.0, 30.0),
            members: 2,
            member_codes: "1 2".into(),
            area_km2: 3.0,
            registered_pop: f64::NAN,
            resident_pop: 10.0,
            mean_km_before: f64::NAN,
            mean_km_after: f64::NAN,
            by_hand: false,
            geometry: None,
        };
        let layer = Layer::territories("t", "t", &[unit(""), unit("")]);
        let keys: Vec<&str> = layer.fields.iter().map(|f| f.key).collect();
        for gone in ["township_code", "registered_pop", "mean_km_before"] {
            assert!(!keys.contains(&gone), "{gone} in {keys:?}");
        }
        assert!(keys.contains(&"resident_pop") && keys.contains(&"by_hand"));
        assert!(layer.features.iter().all(|f| f.values.len() == keys.len()));
        // One feature filling it keeps it for all.
        let layer = Layer::territories("t", "t", &[unit(""), unit("510104020")]);
        assert!(layer.fields.iter().any(|f| f.key == "township_code"));
    }

    #[test]
    fn numbers_are_written_to_their_fields_decimals() {
        assert_eq!(Value::Number(877.4).number(PEOPLE), Some(877.0));
        assert_eq!(Value::Number(1.23456).number(KM), Some(1.235));
        assert_eq!(Value::Number(f64::NAN).number(KM), None);
        assert_eq!(json_value(&Value::Number(877.4), PEOPLE), json!(877));
    }
}
