//! Boundary files: GeoJSON and ESRI Shapefile polygons, joined to records by code.
//!
//! Geometry is checked as it arrives: empty geometry and projected coordinates are rejected
//! with the feature named; invalid rings (self-intersections, bow-ties) are repaired with
//! `geo`'s `MakeValid` and reported as a warning, or rejected if they cannot be repaired.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use geo::orient::{Direction, Orient};
use geo::{Area, MakeValid, MultiPolygon, Polygon, Validation};

use crate::crs::{Crs, Transform};
use crate::error::{Message, Problem};
use crate::import::header::TableKind;
use crate::import::table::{Column, check_code, column_in};
use crate::import::{ImportError, Problems};
use crate::tr;

/// One polygon feature with the attributes Jianzhi understands.
#[derive(Debug, Clone)]
pub struct BoundaryFeature {
    /// Position of the feature in its file (0-based).
    pub index: usize,
    pub attributes: HashMap<Column, String>,
    pub shape: MultiPolygon<f64>,
}

impl BoundaryFeature {
    pub fn code(&self) -> Option<&str> {
        self.attributes.get(&Column::Code).map(String::as_str)
    }
}

/// A boundary file read: its features in WGS 84 longitude/latitude, and the coordinate
/// system the file was in.
#[derive(Debug, Clone)]
pub struct Boundaries {
    pub features: Vec<BoundaryFeature>,
    pub crs: Crs,
}

/// Reads polygons from a `.geojson`/`.json`, `.shp` or `.gpkg` file, in the coordinate system
/// its `crs` member, `.prj` or spatial reference table names (WGS 84 where it names none).
pub fn read_boundaries(
    path: &Path,
    table: TableKind,
    problems: &mut Problems,
) -> Result<Boundaries, ImportError> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let boundaries = match ext.as_str() {
        "shp" => read_shapefile(path, table, problems)?,
        "gpkg" => read_geopackage(path, table, problems)?,
        _ => {
            let bytes = std::fs::read(path).map_err(|e| {
                Problem::file(path, tr!("cannot read the file: {e}", "无法读取文件：{e}"))
            })?;
            read_geojson(path, bytes, table, problems)?
        }
    };
    if let Some(caveat) = boundaries.crs.caveat() {
        problems.warn(Problem::file(path, caveat));
    }
    problems.check()?;
    Ok(boundaries)
}

/// Brings a shape read in `crs` (through `to_wgs84`) to WGS 84 longitude/latitude; a point
/// that cannot be transformed is an error of the feature.
fn in_wgs84(
    shape: MultiPolygon<f64>,
    to_wgs84: &Transform,
    crs: &Crs,
) -> Result<MultiPolygon<f64>, Message> {
    to_wgs84.shape(&shape).ok_or_else(|| {
        tr!(
            "a point cannot be brought from {} to longitude/latitude: is the coordinate system right?",
            "有坐标点无法从 {} 转换为经纬度：坐标系是否正确？",
            crs.code()
        )
    })
}

/// Reads GeoJSON boundaries from `bytes` as if read from `path` (which names the file in
/// messages): every feature checked, rings oriented and invalid ones repaired or reported.
pub fn parse_geojson(
    path: &Path,
    bytes: Vec<u8>,
    table: TableKind,
    problems: &mut Problems,
) -> Result<Vec<BoundaryFeature>, ImportError> {
    read_geojson(path, bytes, table, problems).map(|b| b.features)
}

/// [`parse_geojson`], with the coordinate system the file names.
fn read_geojson(
    path: &Path,
    bytes: Vec<u8>,
    table: TableKind,
    problems: &mut Problems,
) -> Result<Boundaries, ImportError> {
    let (features, crs) = geojson_features(path, bytes)?;
    let mut reading = Reading::new(path, crs)?;
    for (index, feature) in features.into_iter().enumerate() {
        let attributes = feature_attributes(&feature, table);
        reading.add(index, attributes, feature_shape(feature.geometry), problems);
    }
    Ok(reading.done())
}

/// Features being read from one file: each checked and brought to WGS 84.
struct Reading<'a> {
    path: &'a Path,
    crs: Crs,
    to_wgs84: Transform,
    features: Vec<BoundaryFeature>,
}

impl<'a> Reading<'a> {
    fn new(path: &'a Path, crs: Crs) -> Result<Self, ImportError> {
        let to_wgs84 = crs
            .to_wgs84()
            .map_err(|message| Problem::file(path, message))?;
        Ok(Self {
            path,
            crs,
            to_wgs84,
            features: Vec::new(),
        })
    }

    /// Adds feature `index` with its attributes and shape (in the file's system), or reports
    /// why it cannot be a boundary: a malformed code, no shape, a point that cannot be
    /// transformed, a shape that is not longitude/latitude once transformed.
    fn add(
        &mut self,
        index: usize,
        attributes: HashMap<Column, String>,
        shape: Result<MultiPolygon<f64>, Message>,
        problems: &mut Problems,
    ) {
        let path = self.path;
        let code = attributes.get(&Column::Code).cloned();
        if let Some(code) = &code
            && let Err(message) = check_code(code)
        {
            problems.error(Problem::feature(path, index, None, message));
            return;
        }
        let shape = shape.and_then(|shape| in_wgs84(shape, &self.to_wgs84, &self.crs));
        let shape = match shape {
            Ok(shape) => shape,
            Err(message) => {
                problems.error(Problem::feature(path, index, code.as_deref(), message));
                return;
            }
        };
        if let Some(shape) = check_shape(path, index, code.as_deref(), shape, problems) {
            self.features.push(BoundaryFeature {
                index,
                attributes,
                shape,
            });
        }
    }

    fn done(self) -> Boundaries {
        Boundaries {
            features: self.features,
            crs: self.crs,
        }
    }
}

/// The features of a GeoJSON text (UTF-8): a collection's, or the one feature; and the
/// coordinate system its `crs` member names (WGS 84 where none).
fn geojson_features(
    path: &Path,
    bytes: Vec<u8>,
) -> Result<(Vec<geojson::Feature>, Crs), ImportError> {
    let text = String::from_utf8(bytes).map_err(|_| {
        Problem::file(
            path,
            Message::new(
                "GeoJSON must be UTF-8 (RFC 7946)",
                "GeoJSON 须为 UTF-8 编码（RFC 7946）",
            ),
        )
    })?;
    let geojson: geojson::GeoJson = text.trim_start_matches('\u{feff}').parse().map_err(|e| {
        Problem::file(
            path,
            tr!("not valid GeoJSON: {e}", "不是有效的 GeoJSON：{e}"),
        )
    })?;
    match geojson {
        geojson::GeoJson::FeatureCollection(fc) => {
            let named = fc
                .foreign_members
                .as_ref()
                .and_then(|m| m.get("crs"))
                .and_then(|crs| crs["properties"]["name"].as_str());
            let crs = match named {
                Some(name) => Crs::from_geojson_name(name).map_err(|m| Problem::file(path, m))?,
                None => Crs::wgs84(),
            };
            Ok((fc.features, crs))
        }
        geojson::GeoJson::Feature(f) => Ok((vec![f], Crs::wgs84())),
        geojson::GeoJson::Geometry(_) => Err(Problem::file(
            path,
            Message::new(
                "a bare geometry has no code to join it to a record; use a FeatureCollection",
                "单独的几何没有代码，无法与记录对应；请使用 FeatureCollection",
            ),
        )
        .into()),
    }
}

/// A feature's properties that name a column of `table`, as text.
fn feature_attributes(feature: &geojson::Feature, table: TableKind) -> HashMap<Column, String> {
    let mut attributes = HashMap::new();
    for (key, value) in feature.properties.iter().flatten() {
        let Some(column) = column_in(key, table) else {
            continue;
        };
        let text = match value {
            serde_json::Value::String(s) => s.trim().to_string(),
            serde_json::Value::Number(n) => n.to_string(),
            _ => continue,
        };
        if !text.is_empty() {
            attributes.insert(column, text);
        }
    }
    attributes
}

/// A feature's geometry as a boundary, or why it is not one.
fn feature_shape(geometry: Option<geojson::Geometry>) -> Result<MultiPolygon<f64>, Message> {
    let Some(geometry) = geometry else {
        return Err(Message::new(
            "the geometry is empty (null)",
            "几何为空（null）",
        ));
    };
    // geojson 1.0 indexes x and y without checking (and panics on `[104.1]`); found by
    // cargo-fuzz, kept as a corpus case in tests/data/bad.
    if let Some(short) = short_position(&geometry.value) {
        return Err(tr!(
            "a position has {short} coordinate(s); a point needs longitude and latitude",
            "有一个坐标点只有 {short} 个数值；每个点需要经度和纬度"
        ));
    }
    let shape = match &geometry.value {
        geojson::GeometryValue::Polygon { .. } => {
            Polygon::<f64>::try_from(&geometry.value).map(MultiPolygon::from)
        }
        geojson::GeometryValue::MultiPolygon { .. } => {
            MultiPolygon::<f64>::try_from(&geometry.value)
        }
        other => {
            return Err(tr!(
                "a {} is not a boundary; expected Polygon or MultiPolygon",
                "{} 不是边界；应为 Polygon 或 MultiPolygon",
                other.type_name()
            ));
        }
    };
    shape.map_err(|e| tr!("bad geometry: {e}", "几何有误：{e}"))
}

/// The number of coordinates of the first position with fewer than two, in a polygon or
/// multipolygon.
fn short_position(value: &geojson::GeometryValue) -> Option<usize> {
    let rings: Box<dyn Iterator<Item = &Vec<geojson::Position>>> = match value {
        geojson::GeometryValue::Polygon { coordinates } => Box::new(coordinates.iter()),
        geojson::GeometryValue::MultiPolygon { coordinates } => {
            Box::new(coordinates.iter().flatten())
        }
        _ => return None,
    };
    rings.flatten().map(geojson::Position::len).find(|&n| n < 2)
}

fn read_shapefile(
    path: &Path,
    table: TableKind,
    problems: &mut Problems,
) -> Result<Boundaries, ImportError> {
    let mut reading = Reading::new(path, shapefile_crs(path)?)?;
    let mut reader = open_shapefile(path)?;
    for (index, item) in reader.iter_shapes_and_records().enumerate() {
        let (shape, record) = match item {
            Ok(pair) => pair,
            Err(e) => {
                problems.error(Problem::feature(
                    path,
                    index,
                    None,
                    tr!("cannot read the record: {e}", "无法读取该记录：{e}"),
                ));
                break;
            }
        };
        let attributes = record_attributes(record, table);
        reading.add(index, attributes, shapefile_shape(shape), problems);
    }
    Ok(reading.done())
}

/// Boundaries from a GeoPackage's feature table (the only one, or the one named after the
/// table: `townships`, `villages`, `counties`), in the system the file gives it.
fn read_geopackage(
    path: &Path,
    table: TableKind,
    problems: &mut Problems,
) -> Result<Boundaries, ImportError> {
    let (features, crs) =
        super::geopackage::read(path, table.stem()).map_err(|m| Problem::file(path, m))?;
    let mut reading = Reading::new(path, crs)?;
    for (index, feature) in features.into_iter().enumerate() {
        let attributes = feature
            .attributes
            .into_iter()
            .filter(|(_, text)| !text.is_empty())
            .filter_map(|(key, text)| Some((column_in(&key, table)?, text)))
            .collect();
        reading.add(index, attributes, feature.shape, problems);
    }
    Ok(reading.done())
}

/// The coordinate system a Shapefile's `.prj` names; WGS 84 without one.
fn shapefile_crs(path: &Path) -> Result<Crs, ImportError> {
    let prj_path = path.with_extension("prj");
    match std::fs::read_to_string(&prj_path) {
        Ok(prj) => Crs::from_wkt(&prj).map_err(|message| Problem::file(&prj_path, message).into()),
        Err(_) => Ok(Crs::wgs84()),
    }
}

/// A shapefile reader over the `.shp` and its `.dbf` (in the encoding its `.cpg` or bytes
/// say). A missing `.dbf` is refused.
fn open_shapefile(
    path: &Path,
) -> Result<
    shapefile::Reader<std::io::BufReader<std::fs::File>, std::io::BufReader<std::fs::File>>,
    ImportError,
> {
    let dbf_path = path.with_extension("dbf");
    if !dbf_path.exists() {
        return Err(Problem::file(
            path,
            tr!(
                "the shapefile has no attribute table: {} is missing (copy the .dbf beside the .shp)",
                "shapefile 缺少属性表：找不到 {}（请把 .dbf 放在 .shp 旁边）",
                dbf_path.display()
            ),
        )
        .into());
    }
    let encoding = dbf_encoding(path, &dbf_path);
    let shape_reader = shapefile::ShapeReader::from_path(path).map_err(|e| {
        Problem::file(
            path,
            tr!("cannot read the shapefile: {e}", "无法读取 shapefile：{e}"),
        )
    })?;
    let unreadable_dbf = |e: &dyn std::fmt::Display| {
        Problem::file(
            &dbf_path,
            tr!(
                "cannot read the attribute table: {e}",
                "无法读取属性表：{e}"
            ),
        )
    };
    let dbf = std::fs::File::open(&dbf_path).map_err(|e| unreadable_dbf(&e))?;
    let dbase_reader = shapefile::dbase::ReaderBuilder::new()
        .with_encoding(shapefile::dbase::encoding::EncodingRs::from(encoding))
        .build(std::io::BufReader::new(dbf))
        .map_err(|e| unreadable_dbf(&e))?;
    Ok(shapefile::Reader::new(shape_reader, dbase_reader))
}

/// A record's fields that name a column of `table`, as text.
fn record_attributes(
    record: shapefile::dbase::Record,
    table: TableKind,
) -> HashMap<Column, String> {
    use shapefile::dbase::FieldValue as F;
    let mut attributes = HashMap::new();
    for (key, value) in record.into_iter() {
        let Some(column) = column_in(&key, table) else {
            continue;
        };
        let text = match value {
            F::Character(Some(s)) => s.trim().to_string(),
            F::Numeric(Some(n)) if n.fract() == 0.0 => format!("{n:.0}"),
            F::Numeric(Some(n)) => n.to_string(),
            F::Integer(n) => n.to_string(),
            F::Double(n) => n.to_string(),
            _ => continue,
        };
        if !text.is_empty() {
            attributes.insert(column, text);
        }
    }
    attributes
}

/// A shape as a boundary, or why it is not one.
fn shapefile_shape(shape: shapefile::Shape) -> Result<MultiPolygon<f64>, Message> {
    let polygon = match shape {
        shapefile::Shape::Polygon(p) => p,
        shapefile::Shape::NullShape => {
            return Err(Message::new(
                "the geometry is empty (null shape)",
                "几何为空（null shape）",
            ));
        }
        other => {
            return Err(tr!(
                "a {} is not a boundary; expected a polygon",
                "{} 不是边界；应为多边形",
                other.shapetype()
            ));
        }
    };
    MultiPolygon::<f64>::try_from(polygon)
        .map_err(|e| tr!("bad polygon: {e:?}", "多边形有误：{e:?}"))
}

/// The `.dbf`'s text encoding: the `.cpg` if there is one, else UTF-8 if the bytes are valid
/// UTF-8, else GBK (what Chinese GIS software writes without saying so).
fn dbf_encoding(shp: &Path, dbf: &Path) -> &'static encoding_rs::Encoding {
    if let Ok(label) = std::fs::read_to_string(shp.with_extension("cpg")) {
        let label = label.trim().trim_start_matches('\u{feff}');
        let label = match label {
            "936" | "CP936" | "cp936" => "gbk",
            other => other,
        };
        if let Some(enc) = encoding_rs::Encoding::for_label(label.as_bytes()) {
            return enc;
        }
    }
    let mut bytes = Vec::new();
    if std::fs::File::open(dbf)
        .and_then(|mut f| f.read_to_end(&mut bytes))
        .is_err()
    {
        return encoding_rs::UTF_8;
    }
    // The header is binary; only the records (from the header length at bytes 8..10) are text.
    let records_start = bytes
        .get(8..10)
        .map(|b| u16::from_le_bytes([b[0], b[1]]) as usize)
        .unwrap_or(0)
        .min(bytes.len());
    if std::str::from_utf8(&bytes[records_start..]).is_ok() {
        encoding_rs::UTF_8
    } else {
        encoding_rs::GB18030
    }
}

/// Where a unit in China may lie: longitude 70–140° E, latitude 0–56° N (a wide box: the
/// South China Sea islands to the north of Heilongjiang).
pub fn in_china(lon: f64, lat: f64) -> bool {
    (70.0..=140.0).contains(&lon) && (0.0..=56.0).contains(&lat)
}

/// Warns of a boundary that reaches outside China (a vertex at 0,0, swapped coordinates):
/// its seat, area and neighbours would be measured with it.
fn warn_outside_china(
    path: &Path,
    index: usize,
    code: Option<&str>,
    shape: &MultiPolygon<f64>,
    problems: &mut Problems,
) {
    use geo::CoordsIter;
    if let Some(c) = shape.coords_iter().find(|c| !in_china(c.x, c.y)) {
        problems.warn(Problem::feature(
            path,
            index,
            code,
            tr!(
                "the boundary reaches ({}, {}), outside China; its seat, area and neighbours are measured with that point",
                "边界延伸到 ({}, {})，在中国境外；其驻地、面积和相邻关系将按此点计算",
                c.x,
                c.y
            ),
        ));
    }
}

/// What a repair changed, in words: the area before and after, and where the point a seat
/// is placed at (the interior point) now is.
fn repair_change(before: &MultiPolygon<f64>, after: &MultiPolygon<f64>) -> Message {
    use geo::{ChamberlainDuquetteArea, InteriorPoint};
    let km2 = |m: &MultiPolygon<f64>| m.chamberlain_duquette_unsigned_area() / 1e6;
    let (a0, a1) = (km2(before), km2(after));
    let (lon, lat) = after
        .interior_point()
        .map_or((f64::NAN, f64::NAN), |p| (p.x(), p.y()));
    let (far_en, far_zh) = if in_china(lon, lat) {
        ("", "")
    } else {
        (" — outside China", "——在中国境外")
    };
    tr!(
        "area {a0:.1} → {a1:.1} km², seat point ({lon:.4}, {lat:.4}){far_en}",
        "面积 {a0:.1} → {a1:.1} 平方公里，驻地点 ({lon:.4}, {lat:.4}){far_zh}"
    )
}

/// Checks a shape: not empty, in degrees, valid (or repaired with a warning).
fn check_shape(
    path: &Path,
    index: usize,
    code: Option<&str>,
    shape: MultiPolygon<f64>,
    problems: &mut Problems,
) -> Option<MultiPolygon<f64>> {
    let mut error = |message: Message| {
        problems.error(Problem::feature(path, index, code, message));
        None
    };
    if let Err(message) = check_coordinates(&shape) {
        return error(message);
    }
    warn_outside_china(path, index, code, &shape, problems);
    if let Err(reason) = shape.check_validation() {
        return match shape.make_valid() {
            Ok(repaired) if repaired.unsigned_area() > 0.0 => {
                let repaired = crate::shape::canonical(repaired.orient(Direction::Default));
                let change = repair_change(&shape, &repaired);
                problems.warn(Problem::feature(
                    path,
                    index,
                    code,
                    Message::new(
                        format!("invalid ring repaired ({reason}); {}", change.en),
                        format!("无效的环已修复（{reason}）；{}", change.zh),
                    ),
                ));
                Some(repaired)
            }
            _ => {
                problems.error(Problem::feature(
                    path,
                    index,
                    code,
                    tr!(
                        "invalid geometry that could not be repaired: {reason}",
                        "几何无效且无法修复：{reason}"
                    ),
                ));
                None
            }
        };
    }
    if shape.unsigned_area() == 0.0 {
        problems.error(Problem::feature(
            path,
            index,
            code,
            Message::new("the polygon has no area", "多边形面积为零"),
        ));
        return None;
    }
    // Shapefiles wind exteriors clockwise, GeoJSON counter-clockwise; geodesic area needs
    // one convention (counter-clockwise exteriors), or it measures the rest of the globe.
    Some(shape.orient(Direction::Default))
}

/// A shape has coordinates, every one a number of degrees.
fn check_coordinates(shape: &MultiPolygon<f64>) -> Result<(), Message> {
    use geo::CoordsIter;
    if shape.0.is_empty() || shape.coords_count() == 0 {
        return Err(Message::new("the geometry is empty", "几何为空"));
    }
    if let Some(c) = shape
        .coords_iter()
        .find(|c| !(c.x.is_finite() && c.y.is_finite()))
    {
        return Err(tr!(
            "a coordinate is not a number: {c:?}",
            "坐标不是数字：{c:?}"
        ));
    }
    if let Some(c) = shape
        .coords_iter()
        .find(|c| c.x.abs() > 180.0 || c.y.abs() > 90.0)
    {
        return Err(tr!(
            "coordinate ({}, {}) is not longitude/latitude in degrees, and the file names no coordinate system: projected metres without a .prj (a Shapefile) or a crs member (GeoJSON)? Add the file's .prj, as the GIS that made it writes it",
            "坐标 ({}, {}) 不是以度为单位的经纬度，且文件未说明坐标系：是缺少 .prj（Shapefile）或 crs（GeoJSON）的投影坐标吗？请附上生成该文件的 GIS 所写的 .prj",
            c.x,
            c.y
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    const SQUARE: &str = "[[[104.0,30.0],[104.1,30.0],[104.1,30.1],[104.0,30.1],[104.0,30.0]]]";

    #[test]
    fn geojson_features_keep_their_codes_as_text() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "t.geojson",
            &format!(
                r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{"代码":"510104020","名称":"督院街"}},"geometry":{{"type":"Polygon","coordinates":{SQUARE}}}}}]}}"#
            ),
        );
        let mut problems = Problems::default();
        let f = read_boundaries(&p, TableKind::Townships, &mut problems)
            .unwrap()
            .features;
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].code(), Some("510104020"));
        assert_eq!(f[0].attributes[&Column::Name], "督院街");
    }

    #[test]
    fn a_bow_tie_is_repaired_with_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "t.geojson",
            r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"1"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}}]}"#,
        );
        let mut problems = Problems::default();
        let f = read_boundaries(&p, TableKind::Townships, &mut problems)
            .unwrap()
            .features;
        assert_eq!(f.len(), 1);
        assert!(f[0].shape.unsigned_area() > 0.4);
        assert!(
            problems.warnings[0]
                .to_string()
                .contains("feature 0 (code 1)")
        );
    }

    #[test]
    fn projected_metres_and_empty_geometry_are_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "t.geojson",
            r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","properties":{"code":"1"},"geometry":{"type":"Polygon","coordinates":[[[400000,3300000],[410000,3300000],[410000,3310000],[400000,3300000]]]}},
            {"type":"Feature","properties":{"code":"2"},"geometry":null}]}"#,
        );
        let mut problems = Problems::default();
        let err = read_boundaries(&p, TableKind::Townships, &mut problems)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("feature 0 (code 1)") && err.contains("projected"),
            "{err}"
        );
        assert!(
            err.contains("feature 1 (code 2)") && err.contains("empty"),
            "{err}"
        );
    }
}
