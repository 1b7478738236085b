//! GIS files of a plan: GeoJSON (RFC 7946, WGS 84) and ESRI Shapefile (`.shp`, `.shx`, `.dbf`
//! in UTF-8 with a `.cpg` naming it, `.prj`, and a QGIS `.qmd` with the metadata). Field names
//! within 10 bytes; Chinese text cut by character to fit a field, never mid-character.

use std::io::Cursor;
use std::path::Path;

use geo::MultiPolygon;
use serde_json::{Value, json};
use shapefile::dbase::{self, FieldName, FieldValue, TableWriterBuilder};

use crate::atomic::write_atomic;
use crate::report::layers::{Marker, Territory};
use crate::report::meta::Metadata;
use crate::report::svg::esc;

/// The WGS 84 definition every `.prj` holds.
const WGS84_PRJ: &str = r#"GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#;

/// Bytes of a Shapefile text field (a Chinese character takes three in UTF-8).
const NAME_BYTES: u8 = 120;
const CODES_BYTES: u8 = 254;

/// Rounds a coordinate to 1e-6° (about 0.1 m), enough for boundaries and far smaller files.
fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

fn number(x: f64) -> Value {
    if x.is_finite() {
        json!((x * 1000.0).round() / 1000.0)
    } else {
        Value::Null
    }
}

fn rings(mp: &MultiPolygon<f64>) -> Value {
    Value::Array(
        mp.0.iter()
            .map(|p| {
                Value::Array(
                    std::iter::once(p.exterior())
                        .chain(p.interiors())
                        .map(|ring| {
                            Value::Array(
                                ring.0
                                    .iter()
                                    .map(|c| json!([round6(c.x), round6(c.y)]))
                                    .collect(),
                            )
                        })
                        .collect(),
                )
            })
            .collect(),
    )
}

fn metadata_json(meta: &Metadata) -> Value {
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

/// The territories as a GeoJSON FeatureCollection (one MultiPolygon feature per new unit; a
/// unit without a boundary has a null geometry), with the metadata as a foreign member.
pub fn territories_geojson(units: &[Territory], meta: &Metadata) -> Vec<u8> {
    let features: Vec<Value> = units
        .iter()
        .map(|u| {
            json!({
                "type": "Feature",
                "properties": {
                    "code": u.code,
                    "name": u.name,
                    "county_code": u.county_code,
                    "county_name": u.county_name,
                    "township_code": u.township_code,
                    "seat_code": u.seat_code,
                    "seat_name": u.seat_name,
                    "seat_lon": round6(u.seat.lon),
                    "seat_lat": round6(u.seat.lat),
                    "members": u.members,
                    "member_codes": u.member_codes,
                    "area_km2": number(u.area_km2),
                    "registered_pop": number(u.registered_pop),
                    "resident_pop": number(u.resident_pop),
                    "mean_km_before": number(u.mean_km_before),
                    "mean_km_after": number(u.mean_km_after),
                    "by_hand": u.by_hand,
                },
                "geometry": u.geometry.as_ref().map(|g| json!({
                    "type": "MultiPolygon",
                    "coordinates": rings(g),
                })),
            })
        })
        .collect();
    collection(features, meta)
}

/// Points (seats or stations) as a GeoJSON FeatureCollection.
pub fn markers_geojson(markers: &[Marker], meta: &Metadata) -> Vec<u8> {
    let features: Vec<Value> = markers
        .iter()
        .map(|m| {
            json!({
                "type": "Feature",
                "properties": {
                    "code": m.code,
                    "name": m.name,
                    "kind": m.kind,
                    "unit_code": m.unit_code,
                    "unit_name": m.unit_name,
                },
                "geometry": {
                    "type": "Point",
                    "coordinates": [round6(m.at.lon), round6(m.at.lat)],
                },
            })
        })
        .collect();
    collection(features, meta)
}

fn collection(features: Vec<Value>, meta: &Metadata) -> Vec<u8> {
    let fc = json!({
        "type": "FeatureCollection",
        "name": meta.scenario_names(),
        "jianzhi": metadata_json(meta),
        "features": features,
    });
    // Serialising a Value cannot fail.
    serde_json::to_vec(&fc).unwrap_or_default()
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

fn field(name: &str) -> FieldName {
    // Every name below is ASCII and within 10 bytes (tested).
    FieldName::try_from(name).unwrap_or_else(|_| unreachable!("bad field name {name}"))
}

/// A dBase text value cut to its field's width.
fn text(value: &str, width: u8) -> FieldValue {
    FieldValue::Character(Some(cut_to_bytes(value, usize::from(width)).to_string()))
}

fn numeric(x: f64) -> FieldValue {
    FieldValue::Numeric(x.is_finite().then_some(x))
}

/// The in-memory files of one Shapefile layer.
struct Layer {
    shp: Cursor<Vec<u8>>,
    shx: Cursor<Vec<u8>>,
    dbf: Cursor<Vec<u8>>,
}

impl Layer {
    fn new() -> Self {
        Self {
            shp: Cursor::new(Vec::new()),
            shx: Cursor::new(Vec::new()),
            dbf: Cursor::new(Vec::new()),
        }
    }

    /// Writes `<stem>.shp/.shx/.dbf/.cpg/.prj/.qmd` into `dir`, each atomically.
    fn save(self, dir: &Path, stem: &str, meta: &Metadata, title: &str) -> std::io::Result<()> {
        write_atomic(&dir.join(format!("{stem}.shp")), self.shp.get_ref())?;
        write_atomic(&dir.join(format!("{stem}.shx")), self.shx.get_ref())?;
        write_atomic(&dir.join(format!("{stem}.dbf")), self.dbf.get_ref())?;
        write_atomic(&dir.join(format!("{stem}.cpg")), b"UTF-8")?;
        write_atomic(&dir.join(format!("{stem}.prj")), WGS84_PRJ.as_bytes())?;
        write_atomic(
            &dir.join(format!("{stem}.qmd")),
            qgis_metadata(meta, title).as_bytes(),
        )
    }
}

fn shp_error(e: shapefile::Error) -> std::io::Error {
    std::io::Error::other(e.to_string())
}

/// The field names of the territory layer (each within 10 bytes).
pub const TERRITORY_FIELDS: [&str; 16] = [
    "CODE",
    "NAME",
    "CNTY_CODE",
    "CNTY_NAME",
    "TWP_CODE",
    "SEAT_CODE",
    "SEAT_NAME",
    "MEMBERS",
    "MEMB_CODES",
    "AREA_KM2",
    "REG_POP",
    "RES_POP",
    "KM_BEFORE",
    "KM_AFTER",
    "BY_HAND",
    "SEAT_LON",
];

/// Writes the territories as a polygon Shapefile `<stem>.*` in `dir`. Units without a
/// boundary are left out (a Shapefile has no null polygons QGIS shows).
pub fn write_territories_shp(
    dir: &Path,
    stem: &str,
    units: &[Territory],
    meta: &Metadata,
    title: &str,
) -> std::io::Result<()> {
    let mut layer = Layer::new();
    {
        let f = TERRITORY_FIELDS;
        let table = TableWriterBuilder::with_encoding(dbase::encoding::UnicodeLossy)
            .add_character_field(field(f[0]), 20)
            .add_character_field(field(f[1]), NAME_BYTES)
            .add_character_field(field(f[2]), 20)
            .add_character_field(field(f[3]), NAME_BYTES)
            .add_character_field(field(f[4]), 20)
            .add_character_field(field(f[5]), 20)
            .add_character_field(field(f[6]), NAME_BYTES)
            .add_numeric_field(field(f[7]), 6, 0)
            .add_character_field(field(f[8]), CODES_BYTES)
            .add_numeric_field(field(f[9]), 14, 3)
            .add_numeric_field(field(f[10]), 14, 0)
            .add_numeric_field(field(f[11]), 14, 0)
            .add_numeric_field(field(f[12]), 10, 3)
            .add_numeric_field(field(f[13]), 10, 3)
            .add_numeric_field(field(f[14]), 1, 0)
            .add_numeric_field(field(f[15]), 12, 6)
            .add_numeric_field(field("SEAT_LAT"), 12, 6)
            .build_with_dest(&mut layer.dbf);
        let shapes = shapefile::ShapeWriter::with_shx(&mut layer.shp, &mut layer.shx);
        let mut writer = shapefile::Writer::new(shapes, table);
        for u in units {
            let Some(geometry) = &u.geometry else {
                continue;
            };
            let shape = shapefile::Polygon::from(geometry.clone());
            let mut record = dbase::Record::default();
            let f = TERRITORY_FIELDS;
            record.insert(f[0].into(), text(&u.code, 20));
            record.insert(f[1].into(), text(&u.name, NAME_BYTES));
            record.insert(f[2].into(), text(&u.county_code, 20));
            record.insert(f[3].into(), text(&u.county_name, NAME_BYTES));
            record.insert(f[4].into(), text(&u.township_code, 20));
            record.insert(f[5].into(), text(&u.seat_code, 20));
            record.insert(f[6].into(), text(&u.seat_name, NAME_BYTES));
            record.insert(f[7].into(), numeric(u.members as f64));
            record.insert(f[8].into(), text(&u.member_codes, CODES_BYTES));
            record.insert(f[9].into(), numeric(u.area_km2));
            record.insert(f[10].into(), numeric(u.registered_pop.round()));
            record.insert(f[11].into(), numeric(u.resident_pop.round()));
            record.insert(f[12].into(), numeric(u.mean_km_before));
            record.insert(f[13].into(), numeric(u.mean_km_after));
            record.insert(f[14].into(), numeric(f64::from(u8::from(u.by_hand))));
            record.insert(f[15].into(), numeric(round6(u.seat.lon)));
            record.insert("SEAT_LAT".into(), numeric(round6(u.seat.lat)));
            writer
                .write_shape_and_record(&shape, &record)
                .map_err(shp_error)?;
        }
    }
    layer.save(dir, stem, meta, title)
}

/// Writes seats or stations as a point Shapefile `<stem>.*` in `dir`.
pub fn write_markers_shp(
    dir: &Path,
    stem: &str,
    markers: &[Marker],
    meta: &Metadata,
    title: &str,
) -> std::io::Result<()> {
    let mut layer = Layer::new();
    {
        let table = TableWriterBuilder::with_encoding(dbase::encoding::UnicodeLossy)
            .add_character_field(field("CODE"), 20)
            .add_character_field(field("NAME"), NAME_BYTES)
            .add_character_field(field("KIND"), 10)
            .add_character_field(field("UNIT_CODE"), 20)
            .add_character_field(field("UNIT_NAME"), NAME_BYTES)
            .build_with_dest(&mut layer.dbf);
        let shapes = shapefile::ShapeWriter::with_shx(&mut layer.shp, &mut layer.shx);
        let mut writer = shapefile::Writer::new(shapes, table);
        for m in markers {
            let mut record = dbase::Record::default();
            record.insert("CODE".into(), text(&m.code, 20));
            record.insert("NAME".into(), text(&m.name, NAME_BYTES));
            record.insert("KIND".into(), text(m.kind, 10));
            record.insert("UNIT_CODE".into(), text(&m.unit_code, 20));
            record.insert("UNIT_NAME".into(), text(&m.unit_name, NAME_BYTES));
            writer
                .write_shape_and_record(&shapefile::Point::new(m.at.lon, m.at.lat), &record)
                .map_err(shp_error)?;
        }
    }
    layer.save(dir, stem, meta, title)
}

/// QGIS layer metadata (`.qmd`, shown under Layer Properties → Metadata): the title, the
/// data source, the scenario and when and with what the layer was made.
fn qgis_metadata(meta: &Metadata, title: &str) -> String {
    let mut abstract_ = String::new();
    for (label, value) in meta.lines(crate::Lang::Zh) {
        abstract_ += &format!("{label}：{value}\n");
    }
    for s in &meta.scenarios {
        abstract_ += &format!("\n{}\n", s.toml);
    }
    let mut history = String::new();
    history += &format!(
        "    <history>{} {}</history>\n",
        esc(&meta.made_at),
        esc(&meta.program)
    );
    format!(
        "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n<qgis version=\"3.28\">\n  <identifier>{}</identifier>\n  <parentidentifier></parentidentifier>\n  <language>zh</language>\n  <type>dataset</type>\n  <title>{}</title>\n  <abstract>{}</abstract>\n  <keywords vocabulary=\"gmd:topicCategory\"><keyword>boundaries</keyword></keywords>\n  <links/>\n{history}  <crs><spatialrefsys><authid>EPSG:4326</authid></spatialrefsys></crs>\n</qgis>\n",
        esc(title),
        esc(&format!("{title} — {}", meta.scenario_names())),
        esc(&abstract_),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_fit_in_ten_bytes() {
        for name in TERRITORY_FIELDS
            .iter()
            .chain(&["SEAT_LAT", "UNIT_CODE", "UNIT_NAME"])
        {
            assert!(name.len() <= 10, "{name}");
            assert!(FieldName::try_from(*name).is_ok(), "{name}");
        }
    }

    #[test]
    fn chinese_text_is_cut_by_character() {
        // 3 bytes a character: 7 bytes hold two characters, never half of the third.
        assert_eq!(cut_to_bytes("成都市锦江区", 7), "成都");
        assert_eq!(cut_to_bytes("成都市锦江区", 9), "成都市");
        assert_eq!(cut_to_bytes("abc", 7), "abc");
    }
}
