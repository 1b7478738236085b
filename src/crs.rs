//! Coordinate reference systems of boundary files: read from a `.prj` (ESRI or OGC WKT), a
//! GeoJSON `crs` member or an EPSG code, and used to bring coordinates to longitude/latitude
//! (WGS 84) and back. The systems offices keep: WGS 84, CGCS2000 geographic and its 3° and 6°
//! Gauss–Krüger zones (with and without the zone prefix on the easting), Beijing 1954 and
//! Xi'an 1980 likewise, and UTM. Transformations by `proj4rs` (pure Rust, PROJ's formulas),
//! definitions from `crs-definitions` (EPSG's).
//!
//! CGCS2000 and WGS 84 differ by centimetres: no datum shift is applied between them. Beijing
//! 1954 uses EPSG's seven-parameter shift; Xi'an 1980 has none published, so its positions
//! may be tens of metres off (said where such a file is read).

use proj4rs::Proj;

use crate::error::Message;
use crate::tr;

/// Steps per degree of the grid files write longitude and latitude on: 1e-7° (about a
/// centimetre).
pub const DEGREE_GRID: f64 = 1e7;

/// A coordinate reference system with its EPSG code.
#[derive(Debug, Clone)]
pub struct Crs {
    /// The EPSG code (4326 for WGS 84).
    pub epsg: u16,
    /// Its name, as EPSG's WKT gives it (`CGCS2000 / 3-degree Gauss-Kruger zone 35`).
    pub name: String,
    proj4: &'static str,
    wkt: &'static str,
}

impl PartialEq for Crs {
    fn eq(&self, other: &Self) -> bool {
        self.epsg == other.epsg
    }
}

/// The codes this build reads and writes, by family.
const SUPPORTED: &[(u16, u16)] = &[
    (4326, 4326),   // WGS 84
    (4490, 4490),   // CGCS2000
    (4214, 4214),   // Beijing 1954
    (4610, 4610),   // Xi'an 1980
    (4491, 4554),   // CGCS2000 Gauss-Kruger: 6° zones 13-23, 6° CM, 3° zones 25-45, 3° CM
    (2327, 2442),   // Xi'an 1980 and Beijing 1954 Gauss-Kruger
    (21413, 21423), // Beijing 1954 6° zones 13-23
    (21453, 21463), // Beijing 1954 6° CM
    (32643, 32653), // WGS 84 / UTM zones 43N-53N
];

impl Crs {
    /// WGS 84 longitude/latitude, what the program works in.
    pub fn wgs84() -> Crs {
        Crs::from_epsg(4326).unwrap_or_else(|_| unreachable!("EPSG:4326 is defined"))
    }

    /// The CRS of an EPSG code this build supports.
    pub fn from_epsg(code: u32) -> Result<Crs, Message> {
        let supported = u16::try_from(code)
            .ok()
            .filter(|&c| SUPPORTED.iter().any(|&(a, b)| (a..=b).contains(&c)));
        let def = supported.and_then(crs_definitions::from_code);
        let Some(def) = def else {
            return Err(tr!(
                "EPSG:{code} is not a coordinate system this version reads: WGS 84 (4326), CGCS2000 (4490) and its Gauss-Kruger zones (4491-4554), Beijing 1954, Xi'an 1980 (their zones), UTM 43N-53N",
                "EPSG:{code} 不是本版本可读取的坐标系：WGS 84（4326）、CGCS2000（4490）及其高斯-克吕格分带（4491-4554）、北京 1954、西安 1980（及其分带）、UTM 43N-53N"
            ));
        };
        Ok(Crs {
            epsg: def.code,
            name: wkt_name(def.wkt),
            proj4: def.proj4,
            wkt: def.wkt,
        })
    }

    /// The CGCS2000 Gauss–Krüger zones a place at longitude `lon` lies in, as offices choose
    /// them: the 3° zone with the zone prefix on the easting (EPSG:4513–4533, zones 25–45) and
    /// the 6° zone (EPSG:4491–4501, zones 13–23). Outside China's zones, none.
    pub fn cgcs2000_zones(lon: f64) -> Vec<Crs> {
        let three = (lon / 3.0).round();
        let six = (lon / 6.0).floor() + 1.0;
        let mut zones = Vec::new();
        if (25.0..=45.0).contains(&three) {
            zones.extend(Crs::from_epsg(4513 + (three as u32 - 25)).ok());
        }
        if (13.0..=23.0).contains(&six) {
            zones.extend(Crs::from_epsg(4491 + (six as u32 - 13)).ok());
        }
        zones
    }

    /// `EPSG:4523`, `epsg:4523` or `4523`.
    pub fn parse(text: &str) -> Result<Crs, Message> {
        let t = text.trim();
        let digits = t
            .strip_prefix("EPSG:")
            .or_else(|| t.strip_prefix("epsg:"))
            .unwrap_or(t);
        match digits.parse::<u32>() {
            Ok(code) => Crs::from_epsg(code),
            Err(_) => Err(tr!(
                "'{text}' is not a coordinate system: give an EPSG code such as EPSG:4523",
                "「{text}」不是坐标系：请给出 EPSG 代码，如 EPSG:4523"
            )),
        }
    }

    /// The CRS a WKT definition (a `.prj`, ESRI's or OGC's) describes: its EPSG authority if
    /// it names one, else the supported system with the same projection, ellipsoid and
    /// parameters.
    pub fn from_wkt(text: &str) -> Result<Crs, Message> {
        let node = wkt::parse(text).ok_or_else(|| {
            tr!(
                "the coordinate system definition cannot be read: {}",
                "坐标系定义无法读取：{}",
                excerpt(text)
            )
        })?;
        if let Some(code) = node.authority() {
            return Crs::from_epsg(code);
        }
        let wanted = Params::of_wkt(&node).ok_or_else(|| {
            tr!(
                "the coordinate system '{}' is not one this version reads (its projection or ellipsoid is not supported)",
                "坐标系「{}」不是本版本可读取的（其投影或椭球不受支持）",
                node.name()
            )
        })?;
        // The same parameters can be two systems' (CGCS2000's 3° zone of CM 105E is also its
        // 6° zone of CM 105E): the one whose name says as much as the file's is taken.
        let three_degrees = |name: &str| {
            let n = name.to_ascii_lowercase().replace(['_', ' ', '-'], "");
            n.contains("3degree")
        };
        let matching: Vec<crs_definitions::Def> = SUPPORTED
            .iter()
            .flat_map(|&(a, b)| a..=b)
            .filter_map(crs_definitions::from_code)
            .filter(|def| Params::of_proj4(def.proj4).is_some_and(|p| p.matches(&wanted)))
            .collect();
        matching
            .iter()
            .find(|def| three_degrees(&wkt_name(def.wkt)) == three_degrees(node.name()))
            .or(matching.first())
            .map(|def| Crs {
                epsg: def.code,
                name: wkt_name(def.wkt),
                proj4: def.proj4,
                wkt: def.wkt,
            })
            .ok_or_else(|| {
                tr!(
                    "the coordinate system '{}' matches none this version reads (central meridian {}, false easting {}, ellipsoid a = {})",
                    "坐标系「{}」与本版本可读取的坐标系均不相符（中央经线 {}，东偏移 {}，椭球长半轴 {}）",
                    node.name(),
                    wanted.lon_0,
                    wanted.x_0,
                    wanted.a
                )
            })
    }

    /// The CRS a GeoJSON `crs` member names (`{"type": "name", "properties": {"name":
    /// "urn:ogc:def:crs:EPSG::4523"}}`, or `EPSG:4523`).
    pub fn from_geojson_name(name: &str) -> Result<Crs, Message> {
        if name.contains("CRS84") || name.contains("crs84") {
            return Ok(Crs::wgs84());
        }
        let code = name
            .rsplit([':', '/'])
            .next()
            .and_then(|c| c.parse::<u32>().ok());
        match code {
            Some(code) => Crs::from_epsg(code),
            None => Err(tr!(
                "the GeoJSON names its coordinate system '{name}', which is not an EPSG code",
                "GeoJSON 的坐标系为「{name}」，不是 EPSG 代码"
            )),
        }
    }

    /// Whether coordinates are longitude/latitude in degrees.
    pub fn is_geographic(&self) -> bool {
        self.proj4.contains("+proj=longlat")
    }

    /// Whether this is WGS 84 longitude/latitude itself (nothing to transform).
    pub fn is_wgs84(&self) -> bool {
        self.epsg == 4326
    }

    /// Its OGC WKT definition (what a `.prj` holds).
    pub fn wkt(&self) -> &'static str {
        self.wkt
    }

    /// `EPSG:4523`.
    pub fn code(&self) -> String {
        format!("EPSG:{}", self.epsg)
    }

    /// The name a GeoJSON `crs` member gives it (`urn:ogc:def:crs:EPSG::4523`).
    pub fn geojson_name(&self) -> String {
        format!("urn:ogc:def:crs:EPSG::{}", self.epsg)
    }

    /// How finely files write its coordinates, as steps per unit: 1e-7° (about a centimetre)
    /// for degrees, a millimetre for metres.
    pub fn grid(&self) -> f64 {
        if self.is_geographic() {
            DEGREE_GRID
        } else {
            1e3
        }
    }

    /// A note for a file read in this CRS, where its positions are less certain.
    pub fn caveat(&self) -> Option<Message> {
        let xian = self.name.contains("Xian") || self.name.contains("Xi'an");
        xian.then(|| {
            tr!(
                "{} has no published shift to WGS 84: positions may be off by tens of metres",
                "{} 没有公布的 WGS 84 转换参数：位置可能偏差数十米",
                self.name
            )
        })
    }

    /// A transformation from this CRS to WGS 84 longitude/latitude.
    pub fn to_wgs84(&self) -> Result<Transform, Message> {
        Transform::new(self, &Crs::wgs84())
    }

    /// A transformation from WGS 84 longitude/latitude to this CRS.
    pub fn from_wgs84(&self) -> Result<Transform, Message> {
        Transform::new(&Crs::wgs84(), self)
    }
}

/// A transformation between two coordinate systems, point by point.
pub struct Transform {
    src: Proj,
    dst: Proj,
    identity: bool,
}

impl Transform {
    fn new(from: &Crs, to: &Crs) -> Result<Transform, Message> {
        let proj = |crs: &Crs| {
            Proj::from_proj_string(crs.proj4).map_err(|e| {
                tr!(
                    "{}: cannot set up the coordinate system: {e}",
                    "{}：无法建立坐标系：{e}",
                    crs.code()
                )
            })
        };
        Ok(Transform {
            src: proj(from)?,
            dst: proj(to)?,
            identity: from == to,
        })
    }

    /// The point `(x, y)` in the target system (degrees where it is geographic); `None` where
    /// it cannot be transformed.
    pub fn point(&self, x: f64, y: f64) -> Option<(f64, f64)> {
        if self.identity {
            return Some((x, y));
        }
        let radians = |p: &Proj, v: f64| if p.is_latlong() { v.to_radians() } else { v };
        let mut point = (radians(&self.src, x), radians(&self.src, y), 0.0);
        proj4rs::transform::transform(&self.src, &self.dst, &mut point).ok()?;
        let degrees = |v: f64| {
            if self.dst.is_latlong() {
                v.to_degrees()
            } else {
                v
            }
        };
        let (x, y) = (degrees(point.0), degrees(point.1));
        (x.is_finite() && y.is_finite()).then_some((x, y))
    }

    /// A shape in the target system; `None` if a point cannot be transformed.
    pub fn shape(&self, shape: &geo::MultiPolygon<f64>) -> Option<geo::MultiPolygon<f64>> {
        use geo::MapCoords;
        if self.identity {
            return Some(shape.clone());
        }
        shape
            .try_map_coords(|c| {
                self.point(c.x, c.y)
                    .map(|(x, y)| geo::coord! { x: x, y: y })
                    .ok_or(())
            })
            .ok()
    }
}

/// The name of a WKT definition (its first quoted string).
fn wkt_name(wkt: &str) -> String {
    wkt.split('"').nth(1).unwrap_or(wkt).to_string()
}

fn excerpt(text: &str) -> String {
    let t: String = text.chars().take(60).collect();
    if text.chars().count() > 60 {
        format!("{t}…")
    } else {
        t
    }
}

/// What identifies a supported system: its projection, ellipsoid and projection parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Params {
    /// Transverse Mercator (else longitude/latitude).
    tmerc: bool,
    /// The ellipsoid's semi-major axis and inverse flattening.
    a: f64,
    rf: f64,
    lon_0: f64,
    lat_0: f64,
    k: f64,
    x_0: f64,
    y_0: f64,
}

impl Params {
    /// The same system, within the precision definitions are written with.
    fn matches(&self, other: &Params) -> bool {
        let close = |a: f64, b: f64, tolerance: f64| (a - b).abs() <= tolerance;
        self.tmerc == other.tmerc
            && close(self.a, other.a, 0.5)
            && close(self.rf, other.rf, 1e-8)
            && (!self.tmerc
                || (close(self.lon_0, other.lon_0, 1e-6)
                    && close(self.lat_0, other.lat_0, 1e-6)
                    && close(self.k, other.k, 1e-9)
                    && close(self.x_0, other.x_0, 1e-3)
                    && close(self.y_0, other.y_0, 1e-3)))
    }

    fn of_proj4(text: &str) -> Option<Params> {
        let value = |key: &str| -> Option<&str> {
            text.split_whitespace()
                .find_map(|p| p.strip_prefix('+')?.strip_prefix(key)?.strip_prefix('='))
        };
        let number =
            |key: &str, default: f64| value(key).and_then(|v| v.parse().ok()).unwrap_or(default);
        let tmerc = match value("proj")? {
            "tmerc" => true,
            "longlat" => false,
            _ => return None,
        };
        let (a, rf) = match (value("ellps"), value("datum")) {
            (Some(e), _) => ellipsoid(e)?,
            (None, Some("WGS84")) => ellipsoid("WGS84")?,
            _ => {
                let a = number("a", f64::NAN);
                let b = number("b", f64::NAN);
                (a, a / (a - b))
            }
        };
        let k = value("k")
            .or_else(|| value("k_0"))
            .and_then(|v| v.parse().ok());
        Some(Params {
            tmerc,
            a,
            rf,
            lon_0: number("lon_0", 0.0),
            lat_0: number("lat_0", 0.0),
            k: k.unwrap_or(1.0),
            x_0: number("x_0", 0.0),
            y_0: number("y_0", 0.0),
        })
    }

    fn of_wkt(node: &wkt::Node) -> Option<Params> {
        let geog = if node.keyword == "GEOGCS" {
            node
        } else {
            node.child("GEOGCS")?
        };
        let spheroid = geog.child("DATUM")?.child("SPHEROID")?;
        let a = spheroid.number(1)?;
        let rf = spheroid.number(2)?;
        if node.keyword == "GEOGCS" {
            return Some(Params {
                tmerc: false,
                a,
                rf,
                lon_0: 0.0,
                lat_0: 0.0,
                k: 1.0,
                x_0: 0.0,
                y_0: 0.0,
            });
        }
        if node.keyword != "PROJCS" {
            return None;
        }
        let projection = node.child("PROJECTION")?.text(0)?.to_ascii_lowercase();
        let tmerc = ["transverse_mercator", "gauss_kruger", "gauss-kruger"]
            .iter()
            .any(|p| projection == *p);
        if !tmerc {
            return None;
        }
        // Metres only (a foot-based zone would need its unit converted).
        let unit = node.child("UNIT").and_then(|u| u.number(1)).unwrap_or(1.0);
        if (unit - 1.0).abs() > 1e-9 {
            return None;
        }
        let parameter = |names: &[&str], default: f64| {
            node.children("PARAMETER")
                .find(|p| {
                    p.text(0)
                        .is_some_and(|n| names.iter().any(|w| n.eq_ignore_ascii_case(w)))
                })
                .and_then(|p| p.number(1))
                .unwrap_or(default)
        };
        Some(Params {
            tmerc: true,
            a,
            rf,
            lon_0: parameter(&["central_meridian", "longitude_of_origin"], 0.0),
            lat_0: parameter(&["latitude_of_origin"], 0.0),
            k: parameter(&["scale_factor"], 1.0),
            x_0: parameter(&["false_easting"], 0.0),
            y_0: parameter(&["false_northing"], 0.0),
        })
    }
}

/// An ellipsoid's semi-major axis and inverse flattening, by its PROJ name.
fn ellipsoid(name: &str) -> Option<(f64, f64)> {
    match name {
        "WGS84" => Some((6_378_137.0, 298.257_223_563)),
        "GRS80" => Some((6_378_137.0, 298.257_222_101)),
        "krass" => Some((6_378_245.0, 298.3)),
        _ => None,
    }
}

/// A small reader of WKT 1 coordinate system definitions: `KEYWORD["text", 1.5, NODE[...]]`.
mod wkt {
    /// One node: its keyword and its values, in order.
    #[derive(Debug, Clone, PartialEq)]
    pub struct Node {
        pub keyword: String,
        pub values: Vec<Value>,
    }

    #[derive(Debug, Clone, PartialEq)]
    pub enum Value {
        Text(String),
        Number(f64),
        Node(Node),
    }

    impl Node {
        /// The first child node with `keyword`.
        pub fn child<'a>(&'a self, keyword: &'a str) -> Option<&'a Node> {
            self.children(keyword).next()
        }

        pub fn children<'a>(&'a self, keyword: &'a str) -> impl Iterator<Item = &'a Node> {
            self.values.iter().filter_map(move |v| match v {
                Value::Node(n) if n.keyword.eq_ignore_ascii_case(keyword) => Some(n),
                _ => None,
            })
        }

        /// The `i`th value as text.
        pub fn text(&self, i: usize) -> Option<&str> {
            match self.values.get(i)? {
                Value::Text(t) => Some(t),
                _ => None,
            }
        }

        /// The `i`th value as a number.
        pub fn number(&self, i: usize) -> Option<f64> {
            match self.values.get(i)? {
                Value::Number(n) => Some(*n),
                Value::Text(t) => t.parse().ok(),
                Value::Node(_) => None,
            }
        }

        /// The node's name (its first text).
        pub fn name(&self) -> &str {
            self.text(0).unwrap_or(&self.keyword)
        }

        /// The EPSG code of the node's own `AUTHORITY["EPSG", "4523"]`.
        pub fn authority(&self) -> Option<u32> {
            let a = self.child("AUTHORITY")?;
            a.text(0)
                .filter(|t| t.eq_ignore_ascii_case("EPSG"))
                .and(a.number(1))
                .map(|n| n as u32)
        }
    }

    /// Parses a WKT definition; `None` if it is not one.
    pub fn parse(text: &str) -> Option<Node> {
        let mut chars = text
            .trim()
            .trim_start_matches('\u{feff}')
            .chars()
            .peekable();
        let node = node(&mut chars)?;
        Some(node)
    }

    fn node(chars: &mut std::iter::Peekable<std::str::Chars>) -> Option<Node> {
        let mut keyword = String::new();
        while let Some(&c) = chars.peek() {
            if c.is_ascii_alphanumeric() || c == '_' {
                keyword.push(c);
                chars.next();
            } else {
                break;
            }
        }
        skip_space(chars);
        let close = match chars.next()? {
            '[' => ']',
            '(' => ')',
            _ => return None,
        };
        let mut values = Vec::new();
        loop {
            skip_space(chars);
            match chars.peek()? {
                '"' => {
                    chars.next();
                    let mut text = String::new();
                    loop {
                        match chars.next()? {
                            '"' if chars.peek() == Some(&'"') => {
                                chars.next();
                                text.push('"');
                            }
                            '"' => break,
                            c => text.push(c),
                        }
                    }
                    values.push(Value::Text(text));
                }
                c if c.is_ascii_digit() || *c == '-' || *c == '+' || *c == '.' => {
                    let mut number = String::new();
                    while let Some(&c) = chars.peek() {
                        if c.is_ascii_digit() || "+-.eE".contains(c) {
                            number.push(c);
                            chars.next();
                        } else {
                            break;
                        }
                    }
                    values.push(Value::Number(number.parse().ok()?));
                }
                c if c.is_ascii_alphabetic() => {
                    // A nested node, or a bare word (an axis direction: NORTH).
                    let mut probe = chars.clone();
                    let mut word = String::new();
                    while let Some(&c) = probe.peek() {
                        if c.is_ascii_alphanumeric() || c == '_' {
                            word.push(c);
                            probe.next();
                        } else {
                            break;
                        }
                    }
                    skip_space(&mut probe);
                    if matches!(probe.peek(), Some('[') | Some('(')) {
                        values.push(Value::Node(node(chars)?));
                    } else {
                        *chars = probe;
                        values.push(Value::Text(word));
                    }
                }
                _ => return None,
            }
            skip_space(chars);
            match chars.next()? {
                ',' => continue,
                c if c == close => break,
                _ => return None,
            }
        }
        Some(Node { keyword, values })
    }

    fn skip_space(chars: &mut std::iter::Peekable<std::str::Chars>) {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What GDAL 3.6 writes into a Shapefile's `.prj` for EPSG:4523 (ESRI WKT, no authority).
    const ESRI_4523: &str = r#"PROJCS["CGCS2000_3_Degree_GK_Zone_35",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",35500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",105.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#;

    #[test]
    fn an_esri_prj_of_a_gauss_kruger_zone_is_found_by_its_parameters() {
        let crs = Crs::from_wkt(ESRI_4523).unwrap();
        assert_eq!(crs.epsg, 4523);
        assert!(!crs.is_geographic());
        // The same zone without the zone number on the easting.
        let without = ESRI_4523.replace("35500000.0", "500000.0");
        assert_eq!(Crs::from_wkt(&without).unwrap().epsg, 4544);
        // An OGC WKT with an authority is taken at its word.
        assert_eq!(
            Crs::from_wkt(Crs::from_epsg(4549).unwrap().wkt())
                .unwrap()
                .epsg,
            4549
        );
        // Geographic CGCS2000 and WGS 84.
        let cgcs = r#"GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#;
        assert_eq!(Crs::from_wkt(cgcs).unwrap().epsg, 4490);
        let wgs = r#"GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#;
        assert!(Crs::from_wkt(wgs).unwrap().is_wgs84());
    }

    #[test]
    fn a_system_this_version_cannot_read_is_named() {
        let albers = r#"PROJCS["Asia_North_Albers_Equal_Area_Conic",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Albers"],PARAMETER["Central_Meridian",95.0],UNIT["Meter",1.0]]"#;
        let e = Crs::from_wkt(albers).unwrap_err();
        assert!(
            e.en.contains("Asia_North_Albers_Equal_Area_Conic"),
            "{}",
            e.en
        );
        assert!(Crs::from_wkt("not a definition").is_err());
        assert!(
            Crs::parse("EPSG:3857")
                .unwrap_err()
                .en
                .contains("EPSG:3857")
        );
    }

    #[test]
    fn a_point_goes_to_a_zone_and_back() {
        let crs = Crs::from_epsg(4523).unwrap();
        // 105°E is the zone's central meridian: easting 35,500,000 m. Expected values from
        // GDAL 3.6 (`gdaltransform -s_srs EPSG:4326 -t_srs EPSG:4523`, and back).
        let (x, y) = crs.from_wgs84().unwrap().point(105.0, 30.0).unwrap();
        assert!((x - 35_500_000.0).abs() < 1e-3, "{x}");
        assert!((y - 3_320_113.397_845).abs() < 1e-3, "{y}");
        let (lon, lat) = crs.to_wgs84().unwrap().point(x + 10_000.0, y).unwrap();
        assert!(
            (lon - 105.103_641_607).abs() < 1e-8 && (lat - 29.999_959_206).abs() < 1e-8,
            "{lon} {lat}"
        );
        let (lon, lat) = crs.to_wgs84().unwrap().point(x, y).unwrap();
        assert!((lon - 105.0).abs() < 1e-9 && (lat - 30.0).abs() < 1e-9);
    }

    #[test]
    fn a_place_gets_the_zones_offices_would_choose() {
        // Chengdu (104.07°E): 3° zone 35 (central meridian 105°), 6° zone 18 (105°).
        let codes: Vec<u16> = Crs::cgcs2000_zones(104.07).iter().map(|c| c.epsg).collect();
        assert_eq!(codes, vec![4523, 4496]);
        // Harbin (126.6°E): 3° zone 42, 6° zone 22.
        let codes: Vec<u16> = Crs::cgcs2000_zones(126.6).iter().map(|c| c.epsg).collect();
        assert_eq!(codes, vec![4530, 4500]);
        assert!(Crs::cgcs2000_zones(10.0).is_empty());
    }

    #[test]
    fn geojson_names_and_epsg_arguments_are_read() {
        assert_eq!(
            Crs::from_geojson_name("urn:ogc:def:crs:EPSG::4523")
                .unwrap()
                .epsg,
            4523
        );
        assert!(
            Crs::from_geojson_name("urn:ogc:def:crs:OGC:1.3:CRS84")
                .unwrap()
                .is_wgs84()
        );
        assert_eq!(Crs::parse("epsg:4490").unwrap().epsg, 4490);
        assert!(Crs::parse("CGCS2000").is_err());
    }
}
