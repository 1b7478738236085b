//! The validated dataset: counties, townships (乡镇街道) and villages (村/社区), with their
//! seats, areas, populations and optional boundaries.
//!
//! Everything here has passed import validation: codes are unique, every village's township
//! and every township's county exist, figures are finite and non-negative, and coordinates are
//! WGS84 longitude/latitude. Downstream code (adjacency, the merge engine, metrics) relies on it.

mod dem;
mod ids;

use geo::MultiPolygon;
use serde::{Deserialize, Serialize};
use typed_index_collections::TiVec;

pub use dem::Dem;
pub use ids::{CountyId, Level, NewId, NewTownshipId, NewVillageId, TownshipId, VillageId};

/// A point in WGS84 degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LonLat {
    pub lon: f64,
    pub lat: f64,
}

impl LonLat {
    pub const fn new(lon: f64, lat: f64) -> Self {
        Self { lon, lat }
    }
}

impl From<LonLat> for geo::Point<f64> {
    fn from(p: LonLat) -> Self {
        geo::Point::new(p.lon, p.lat)
    }
}

/// The kind of a township-level unit, as the division code or the name says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", try_from = "String")]
pub enum TownshipKind {
    /// 街道, an urban street office.
    Street,
    /// 镇, a town.
    Town,
    /// 乡, a township.
    Township,
    /// 民族乡, an ethnic township.
    EthnicTownship,
    /// Development zones, farms and other special units (codes 400 and above).
    Special,
}

impl TownshipKind {
    pub const ALL: [TownshipKind; 5] = [
        TownshipKind::Street,
        TownshipKind::Town,
        TownshipKind::Township,
        TownshipKind::EthnicTownship,
        TownshipKind::Special,
    ];

    /// Regular units are the ones the published township counts include (not special units).
    pub fn is_regular(self) -> bool {
        self != TownshipKind::Special
    }

    /// The identifier used in files and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            TownshipKind::Street => "street",
            TownshipKind::Town => "town",
            TownshipKind::Township => "township",
            TownshipKind::EthnicTownship => "ethnic_township",
            TownshipKind::Special => "special",
        }
    }

    /// The English name of the kind, as the interface shows it.
    pub fn en(self) -> &'static str {
        match self {
            TownshipKind::Street => "street",
            TownshipKind::Town => "town",
            TownshipKind::Township => "township",
            TownshipKind::EthnicTownship => "ethnic township",
            TownshipKind::Special => "special unit",
        }
    }

    /// The Chinese name of the kind.
    pub fn zh(self) -> &'static str {
        match self {
            TownshipKind::Street => "街道",
            TownshipKind::Town => "镇",
            TownshipKind::Township => "乡",
            TownshipKind::EthnicTownship => "民族乡",
            TownshipKind::Special => "特殊单位",
        }
    }

    /// Parses a kind written in English or Chinese (`street`, `街道`, `镇`, `民族乡` …).
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_lowercase().as_str() {
            "street" | "街道" | "街道办事处" | "subdistrict" => Some(TownshipKind::Street),
            "town" | "镇" => Some(TownshipKind::Town),
            "township" | "乡" => Some(TownshipKind::Township),
            "ethnic_township" | "ethnic township" | "民族乡" => {
                Some(TownshipKind::EthnicTownship)
            }
            "special" | "特殊" | "特殊单位" | "其他" => Some(TownshipKind::Special),
            _ => None,
        }
    }

    /// Derives the kind from a 9-digit statistical code (digits 7–9) and the name.
    ///
    /// 001–099 are streets, 100–199 towns, 200–399 townships (ethnic townships by the name
    /// ending in 族乡), 400 and above special units.
    pub fn from_code_and_name(code: &str, name: &str) -> Option<Self> {
        let serial: u32 = code.get(6..9)?.parse().ok()?;
        if code.len() != 9 {
            return None;
        }
        Some(match serial {
            0..=99 => TownshipKind::Street,
            100..=199 => TownshipKind::Town,
            200..=399 if name.ends_with("族乡") => TownshipKind::EthnicTownship,
            200..=399 => TownshipKind::Township,
            _ => TownshipKind::Special,
        })
    }
}

impl TryFrom<String> for TownshipKind {
    type Error = String;

    /// A kind as a file names it, in English or Chinese.
    fn try_from(text: String) -> Result<Self, String> {
        Self::parse(&text).ok_or_else(|| {
            format!(
                "unknown kind '{text}' (township kinds: street, town, township, ethnic_township, special)"
            )
        })
    }
}

/// The kind of a village-level unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", try_from = "String")]
pub enum VillageKind {
    /// 行政村 / 建制村, an administrative village.
    Village,
    /// 社区 / 居委会, an urban community.
    Community,
    /// Virtual communities of development zones and similar.
    Special,
}

impl VillageKind {
    pub const ALL: [VillageKind; 3] = [
        VillageKind::Village,
        VillageKind::Community,
        VillageKind::Special,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            VillageKind::Village => "village",
            VillageKind::Community => "community",
            VillageKind::Special => "special",
        }
    }

    /// The English name of the kind, as the interface shows it.
    pub fn en(self) -> &'static str {
        match self {
            VillageKind::Village => "village",
            VillageKind::Community => "community",
            VillageKind::Special => "special unit",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            VillageKind::Village => "建制村",
            VillageKind::Community => "社区",
            VillageKind::Special => "特殊单位",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_lowercase().as_str() {
            "village" | "村" | "行政村" | "建制村" => Some(VillageKind::Village),
            "community" | "社区" | "居委会" | "居民委员会" => {
                Some(VillageKind::Community)
            }
            "special" | "特殊" | "特殊单位" | "其他" => Some(VillageKind::Special),
            // The NBS urban-rural classification (城乡分类代码) of the statistical code tables:
            // 111 main urban area, 112 urban-rural fringe, 121 town centre, 122 town-rural
            // fringe (communities); 210 township centre, 220 village (villages); 123 special.
            "111" | "112" | "121" | "122" => Some(VillageKind::Community),
            "210" | "220" => Some(VillageKind::Village),
            "123" => Some(VillageKind::Special),
            _ => None,
        }
    }

    /// Derives the kind from a 12-digit statistical code (digits 10–12): 001–199 communities,
    /// 200–399 villages, 400 and above special units.
    pub fn from_code(code: &str) -> Option<Self> {
        if code.len() != 12 {
            return None;
        }
        let serial: u32 = code.get(9..12)?.parse().ok()?;
        Some(match serial {
            0..=199 => VillageKind::Community,
            200..=399 => VillageKind::Village,
            _ => VillageKind::Special,
        })
    }

    /// Guesses the kind from a name: 社区 and 居委会 are communities, 村 villages.
    pub fn from_name(name: &str) -> Option<Self> {
        if name.contains("社区") || name.contains("居委会") || name.contains("居民委员会")
        {
            Some(VillageKind::Community)
        } else if name.ends_with('村') || name.ends_with("村委会") || name.ends_with("村民委员会")
        {
            Some(VillageKind::Village)
        } else {
            None
        }
    }
}

impl TryFrom<String> for VillageKind {
    type Error = String;

    /// A kind as a file names it, in English or Chinese.
    fn try_from(text: String) -> Result<Self, String> {
        Self::parse(&text).ok_or_else(|| {
            format!("unknown kind '{text}' (village kinds: village, community, special)")
        })
    }
}

/// Terrain class of a unit, given in the data or derived from the DEM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Terrain {
    Plain,
    Hill,
    Mountain,
    Plateau,
}

impl Terrain {
    pub const ALL: [Terrain; 4] = [
        Terrain::Plain,
        Terrain::Hill,
        Terrain::Mountain,
        Terrain::Plateau,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Terrain::Plain => "plain",
            Terrain::Hill => "hill",
            Terrain::Mountain => "mountain",
            Terrain::Plateau => "plateau",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Terrain::Plain => "平原",
            Terrain::Hill => "丘陵",
            Terrain::Mountain => "山区",
            Terrain::Plateau => "高原",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_lowercase().as_str() {
            "plain" | "平原" | "平坝" => Some(Terrain::Plain),
            "hill" | "丘陵" => Some(Terrain::Hill),
            "mountain" | "山区" | "山地" => Some(Terrain::Mountain),
            "plateau" | "高原" => Some(Terrain::Plateau),
            _ => None,
        }
    }
}

/// A county-level unit (区/县/市). Merges never cross a county.
#[derive(Debug, Clone, PartialEq)]
pub struct County {
    pub code: String,
    pub name: String,
    pub city_code: String,
    pub city_name: String,
    pub boundary: Option<MultiPolygon<f64>>,
}

/// A township-level unit (乡镇街道).
#[derive(Debug, Clone, PartialEq)]
pub struct Township {
    pub code: String,
    pub name: String,
    pub county: CountyId,
    pub kind: TownshipKind,
    /// Where the township government sits (驻地).
    pub seat: LonLat,
    pub area_km2: f64,
    /// 户籍人口.
    pub registered_pop: f64,
    /// 常住人口.
    pub resident_pop: f64,
    /// Terrain class given in the data, if any (otherwise derived from the DEM).
    pub terrain: Option<Terrain>,
    pub boundary: Option<MultiPolygon<f64>>,
}

/// A village-level unit (行政村 or 社区).
#[derive(Debug, Clone, PartialEq)]
pub struct Village {
    pub code: String,
    pub name: String,
    pub township: TownshipId,
    pub kind: VillageKind,
    /// Where the village committee sits, or the village's centre.
    pub centre: LonLat,
    pub area_km2: f64,
    pub resident_pop: f64,
    pub registered_pop: Option<f64>,
    pub boundary: Option<MultiPolygon<f64>>,
}

/// A kind of figure a dataset may have modelled rather than observed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Figure {
    /// Seat and village-centre locations (and so distances).
    Locations,
    /// Township territories (boundaries).
    Territories,
    /// Areas of townships and villages.
    Areas,
    /// Resident and registered populations.
    Populations,
}

impl Figure {
    pub fn as_str(self) -> &'static str {
        match self {
            Figure::Locations => "locations",
            Figure::Territories => "territories",
            Figure::Areas => "areas",
            Figure::Populations => "populations",
        }
    }

    /// The figure's name in `lang`.
    pub fn label(self, lang: crate::Lang) -> &'static str {
        match (self, lang) {
            (_, crate::Lang::En) => self.as_str(),
            (Figure::Locations, _) => "位置",
            (Figure::Territories, _) => "辖区",
            (Figure::Areas, _) => "面积",
            (Figure::Populations, _) => "人口",
        }
    }
}

/// Where a dataset comes from and which of its figures are modelled, for labelling charts
/// and reports.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provenance {
    /// Display name of the dataset, e.g. "四川省 2016".
    pub name: String,
    /// Figures that are modelled (synthetic) rather than observed.
    #[serde(default)]
    pub modelled: Vec<Figure>,
    /// Free text on the sources and their licences.
    #[serde(default)]
    pub sources: Vec<String>,
}

impl Provenance {
    pub fn is_modelled(&self, figure: Figure) -> bool {
        self.modelled.contains(&figure)
    }

    /// "modelled" or "observed", for a report's basis column.
    pub fn basis(&self, figure: Option<Figure>) -> &'static str {
        match figure {
            Some(f) if self.is_modelled(f) => "modelled",
            _ => "observed",
        }
    }
}

/// A validated dataset, ready for adjacency, merging and metrics.
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    pub provenance: Provenance,
    pub counties: TiVec<CountyId, County>,
    pub townships: TiVec<TownshipId, Township>,
    pub villages: TiVec<VillageId, Village>,
    pub dem: Option<Dem>,
    /// Neighbour pairs declared in the data (`adjacency.csv`); where a level has any, they
    /// replace the neighbours found from its geometry.
    pub neighbours: Neighbours,
    /// Some unit has neither coordinates nor a boundary (the dataset loaded on its neighbour
    /// table): its point is NaN, and distances, the map and GIS files are not available.
    pub unlocated: bool,
    /// The folders the dataset was read from: reports are never written into them.
    pub folders: Vec<std::path::PathBuf>,
    /// The coordinate system its boundary files came in (read into WGS 84); GIS layers are
    /// written back in it. `None`: no boundaries, or WGS 84 is assumed.
    pub crs: Option<crate::crs::Crs>,
}

/// Neighbour pairs given as data rather than found from geometry, per level.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Neighbours {
    pub townships: Vec<(TownshipId, TownshipId)>,
    pub villages: Vec<(VillageId, VillageId)>,
}

impl Dataset {
    /// Villages of each township, in file order.
    pub fn villages_by_township(&self) -> TiVec<TownshipId, Vec<VillageId>> {
        let mut out: TiVec<TownshipId, Vec<VillageId>> =
            vec![Vec::new(); self.townships.len()].into();
        for (i, v) in self.villages.iter_enumerated() {
            out[v.township].push(i);
        }
        out
    }

    /// Townships of each county, in file order.
    pub fn townships_by_county(&self) -> TiVec<CountyId, Vec<TownshipId>> {
        let mut out: TiVec<CountyId, Vec<TownshipId>> =
            vec![Vec::new(); self.counties.len()].into();
        for (i, t) in self.townships.iter_enumerated() {
            out[t.county].push(i);
        }
        out
    }

    /// The county a village lies in.
    pub fn county_of_village(&self, village: VillageId) -> CountyId {
        self.townships[self.villages[village].township].county
    }

    /// Whether every unit has a place (coordinates or a boundary): distances, the map and
    /// GIS files need one.
    pub fn has_locations(&self) -> bool {
        !self.unlocated
    }

    /// Whether every township has a boundary polygon.
    pub fn has_township_boundaries(&self) -> bool {
        !self.townships.is_empty() && self.townships.iter().all(|t| t.boundary.is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn township_kind_from_code_follows_the_statistical_serials() {
        assert_eq!(
            TownshipKind::from_code_and_name("510104020", "督院街街道办事处"),
            Some(TownshipKind::Street)
        );
        assert_eq!(
            TownshipKind::from_code_and_name("510121100", "城厢镇"),
            Some(TownshipKind::Town)
        );
        assert_eq!(
            TownshipKind::from_code_and_name("513223201", "某某乡"),
            Some(TownshipKind::Township)
        );
        assert_eq!(
            TownshipKind::from_code_and_name("511129202", "某某彝族乡"),
            Some(TownshipKind::EthnicTownship)
        );
        assert_eq!(
            TownshipKind::from_code_and_name("510502400", "高新技术开发区"),
            Some(TownshipKind::Special)
        );
        assert_eq!(TownshipKind::from_code_and_name("5101", "x"), None);
    }

    #[test]
    fn village_kind_from_code_and_name() {
        assert_eq!(
            VillageKind::from_code("510104020007"),
            Some(VillageKind::Community)
        );
        assert_eq!(
            VillageKind::from_code("510121100201"),
            Some(VillageKind::Village)
        );
        assert_eq!(
            VillageKind::from_code("510502400498"),
            Some(VillageKind::Special)
        );
        assert_eq!(
            VillageKind::from_name("青石桥社区居委会"),
            Some(VillageKind::Community)
        );
        assert_eq!(VillageKind::from_name("星光村"), Some(VillageKind::Village));
        assert_eq!(VillageKind::from_name("某单位"), None);
    }

    #[test]
    fn kinds_parse_both_languages() {
        for k in TownshipKind::ALL {
            assert_eq!(TownshipKind::parse(k.as_str()), Some(k));
            assert_eq!(TownshipKind::parse(k.zh()), Some(k));
        }
        for k in VillageKind::ALL {
            assert_eq!(VillageKind::parse(k.as_str()), Some(k));
            assert_eq!(VillageKind::parse(k.zh()), Some(k));
        }
        for t in Terrain::ALL {
            assert_eq!(Terrain::parse(t.as_str()), Some(t));
            assert_eq!(Terrain::parse(t.zh()), Some(t));
        }
    }
}
