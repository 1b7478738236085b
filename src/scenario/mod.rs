//! Merge scenarios: the rules, thresholds, targets, locks and hand edits of a reform, read
//! from a versioned TOML file (see `data/presets/` and README.md for a commented example).
//!
//! A scenario is parsed once into validated types (kinds as enums, ranges checked); its codes
//! are resolved against a dataset once per run ([`resolve`]), so the engine never reads a
//! string.

mod edit;
mod fate;
pub mod quota;
mod resolve;

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::Message;
use crate::lang::Lang;
use crate::model::{Terrain, TownshipKind, VillageKind};
use crate::tr;

pub use edit::{Edit, EditAction, LevelName};
use fate::across_zh;
pub use fate::{EditReport, EditStatus, Refusal};
pub use resolve::{LevelInput, PlanError, Resolved, ResolvedEdit, resolve};

/// The scenario file format version this build reads and writes.
pub const VERSION: u32 = 1;

/// A merge scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// File format version; must be 1.
    pub version: u32,
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Which part of the province the reform covers; units outside are untouched.
    #[serde(default)]
    pub scope: Scope,
    /// Rules for township-level units (乡镇街道), merged within their county.
    #[serde(default)]
    pub townships: Rules<TownshipKind>,
    /// Rules for village-level units (村/社区), merged within their new township.
    #[serde(default)]
    pub villages: Rules<VillageKind>,
    /// Service coverage: the radius planners watch and the service stations kept.
    #[serde(default)]
    pub service: Service,
    /// The administrative cost model (illustrative defaults).
    #[serde(default)]
    pub costs: Costs,
    /// Hand edits, applied in order as hard constraints; the rules run around them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub edits: Vec<Edit>,
}

/// Which former seats of merged townships are kept as service stations (便民服务站).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stations {
    /// No stations: people are served only at the surviving seat.
    #[default]
    None,
    /// Every former seat that did not survive becomes a station.
    All,
    /// Former seats farther than `station_min_distance_km` from the surviving seat.
    Beyond,
}

/// Service coverage settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Service {
    /// People living farther than this (km) from their seat are reported as beyond service.
    #[serde(default = "default_radius")]
    pub radius_km: f64,
    #[serde(default)]
    pub stations: Stations,
    /// With `stations = "beyond"`: keep former seats at least this far (km) from the new seat.
    #[serde(default = "default_station_distance")]
    pub station_min_distance_km: f64,
}

fn default_radius() -> f64 {
    15.0
}

fn default_station_distance() -> f64 {
    10.0
}

impl Default for Service {
    fn default() -> Self {
        Self {
            radius_km: default_radius(),
            stations: Stations::None,
            station_min_distance_km: default_station_distance(),
        }
    }
}

/// Staff and cost per unit, for the administrative cost of a plan. The defaults are
/// illustrative orders of magnitude, not published figures: set your own.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Costs {
    #[serde(default = "default_staff_township")]
    pub staff_per_township: f64,
    #[serde(default = "default_staff_village")]
    pub staff_per_village: f64,
    #[serde(default = "default_staff_station")]
    pub staff_per_station: f64,
    /// Yearly cost of one staff member, yuan.
    #[serde(default = "default_cost_per_staff")]
    pub yuan_per_staff_year: f64,
}

fn default_staff_township() -> f64 {
    45.0
}

fn default_staff_village() -> f64 {
    5.0
}

fn default_staff_station() -> f64 {
    4.0
}

fn default_cost_per_staff() -> f64 {
    80_000.0
}

impl Default for Costs {
    fn default() -> Self {
        Self {
            staff_per_township: default_staff_township(),
            staff_per_village: default_staff_village(),
            staff_per_station: default_staff_station(),
            yuan_per_staff_year: default_cost_per_staff(),
        }
    }
}

/// The reform's scope: chosen cities and counties, or (both empty) the whole province.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scope {
    /// City codes (4 digits, e.g. "5101"); every county of these cities is in scope.
    #[serde(default)]
    pub cities: Vec<String>,
    /// County codes (6 digits); in scope in addition to the cities'.
    #[serde(default)]
    pub counties: Vec<String>,
}

impl Scope {
    pub fn is_whole(&self) -> bool {
        self.cities.is_empty() && self.counties.is_empty()
    }

    /// Whether the scope takes in `county`: the whole dataset, or its city or itself listed.
    pub fn contains(&self, county: &crate::model::County) -> bool {
        self.is_whole()
            || self.cities.contains(&county.city_code)
            || self.counties.contains(&county.code)
    }
}

/// Where a target applies: to each province as a whole (the weakest merges of the province
/// first, wherever they are), to each city (地级市) as a whole, or to each county.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetPer {
    #[default]
    Province,
    City,
    County,
}

/// How the surviving seat of a merged group is chosen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeatRule {
    /// The member with the largest resident population.
    #[default]
    LargestPopulation,
    /// Streets before towns before townships; within a kind, the largest population.
    TownFirst,
    /// The member that minimises the population-weighted distance of the group to its seat.
    MinDistance,
}

impl SeatRule {
    /// The rule as the scenario file writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            SeatRule::LargestPopulation => "largest_population",
            SeatRule::TownFirst => "town_first",
            SeatRule::MinDistance => "min_distance",
        }
    }
}

/// Thresholds that make a unit a merge candidate, and caps a merged unit must respect.
/// Every field is optional; a terrain class's limits override the base ones field by field.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// A unit smaller than this (km²) is a candidate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_area_km2: Option<f64>,
    /// A unit with fewer registered people (户籍) is a candidate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_registered_pop: Option<f64>,
    /// A unit with fewer resident people (常住) is a candidate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_resident_pop: Option<f64>,
    /// No merged unit larger than this (km²).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_area_km2: Option<f64>,
    /// No member of a merged unit farther than this (great-circle km) from the surviving seat.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_seat_distance_km: Option<f64>,
}

impl Limits {
    /// These limits with `over`'s fields taking precedence where set.
    pub fn overridden_by(&self, over: &Limits) -> Limits {
        Limits {
            min_area_km2: over.min_area_km2.or(self.min_area_km2),
            min_registered_pop: over.min_registered_pop.or(self.min_registered_pop),
            min_resident_pop: over.min_resident_pop.or(self.min_resident_pop),
            max_area_km2: over.max_area_km2.or(self.max_area_km2),
            max_seat_distance_km: over.max_seat_distance_km.or(self.max_seat_distance_km),
        }
    }

    pub fn has_thresholds(&self) -> bool {
        self.min_area_km2.is_some()
            || self.min_registered_pop.is_some()
            || self.min_resident_pop.is_some()
    }

    fn fields(&self) -> [(&'static str, Option<f64>); 5] {
        [
            ("min_area_km2", self.min_area_km2),
            ("min_registered_pop", self.min_registered_pop),
            ("min_resident_pop", self.min_resident_pop),
            ("max_area_km2", self.max_area_km2),
            ("max_seat_distance_km", self.max_seat_distance_km),
        ]
    }
}

/// The kinds of units of a level, as a scenario's rules name them.
pub trait UnitKind: Copy + PartialEq + std::fmt::Debug + Serialize + 'static {
    /// Every kind, in display order.
    const ALL: &'static [Self];
    /// The kinds exempt when a scenario names none.
    const DEFAULT_EXEMPT: &'static [Self];
    fn as_str(self) -> &'static str;
    fn zh(self) -> &'static str;
    fn en(self) -> &'static str;
}

impl UnitKind for TownshipKind {
    const ALL: &'static [Self] = &TownshipKind::ALL;
    const DEFAULT_EXEMPT: &'static [Self] = &[TownshipKind::Special];
    fn as_str(self) -> &'static str {
        TownshipKind::as_str(self)
    }
    fn zh(self) -> &'static str {
        TownshipKind::zh(self)
    }
    fn en(self) -> &'static str {
        TownshipKind::en(self)
    }
}

impl UnitKind for VillageKind {
    const ALL: &'static [Self] = &VillageKind::ALL;
    const DEFAULT_EXEMPT: &'static [Self] = &[VillageKind::Community, VillageKind::Special];
    fn as_str(self) -> &'static str {
        VillageKind::as_str(self)
    }
    fn zh(self) -> &'static str {
        VillageKind::zh(self)
    }
    fn en(self) -> &'static str {
        VillageKind::en(self)
    }
}

/// The rules for one level: townships (`K` = [`TownshipKind`]) or villages ([`VillageKind`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, bound(deserialize = "K: Deserialize<'de> + Ord"))]
pub struct Rules<K> {
    /// Whether this level is reformed at all.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Cut the number of regular units by this percentage (0–95); absent: merge every
    /// candidate the thresholds name, and no more.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_reduction_pct: Option<f64>,
    #[serde(default)]
    pub target_per: TargetPer,
    /// Quotas by province, city or county code (`"51" = "30%"`, `"510100" = 120`): each
    /// county takes its own code's, else its city's, else its province's, else the target
    /// above. See [`quota`].
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub quotas: BTreeMap<String, quota::Quota>,
    #[serde(default)]
    pub limits: Limits,
    /// Limits by terrain class (`plain`, `hill`, `mountain`, `plateau`), overriding `limits`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub terrain: BTreeMap<Terrain, Limits>,
    /// Thresholds scaled by the kind of a unit's seat: at 0.3 a town is a candidate only when
    /// it is under 0.3 of the thresholds, and it ranks after a rural township as far below
    /// them. Kinds not listed: 1. This is how 撤乡并镇 reads: rural townships merge into towns
    /// first.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub kind_scale: BTreeMap<K, f64>,
    /// Kinds never merged (`street`, `ethnic_township`, `special`; `community`, `special`).
    /// Absent: special units (and, for villages, communities).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exempt_kinds: Option<Vec<K>>,
    /// Streets merge only with streets, towns and townships only with each other (the reform
    /// treated urban streets separately).
    #[serde(default, skip_serializing_if = "is_false")]
    pub separate_streets: bool,
    /// Codes of units that must stay as they are.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub locked: Vec<String>,
    /// Groups of codes merged by hand, before the rules run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub manual: Vec<Vec<String>>,
    #[serde(default)]
    pub seat_rule: SeatRule,
    /// Codes that become the seat of whatever group they end up in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub seats: Vec<String>,
}

fn yes() -> bool {
    true
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl<K> Default for Rules<K> {
    fn default() -> Self {
        Self {
            enabled: true,
            target_reduction_pct: None,
            target_per: TargetPer::Province,
            quotas: BTreeMap::new(),
            limits: Limits::default(),
            terrain: BTreeMap::new(),
            kind_scale: BTreeMap::new(),
            exempt_kinds: None,
            separate_streets: false,
            locked: Vec::new(),
            manual: Vec::new(),
            seat_rule: SeatRule::LargestPopulation,
            seats: Vec::new(),
        }
    }
}

impl<K: UnitKind> Rules<K> {
    /// The kinds these rules exempt (default: special units, and for villages communities).
    pub fn exempt(&self) -> &[K] {
        self.exempt_kinds.as_deref().unwrap_or(K::DEFAULT_EXEMPT)
    }

    /// Checks that each `kind_scale` is above 0 and at most 100.
    fn validate_scales(
        &self,
        level: &str,
        invalid: &impl Fn(String, Message) -> ScenarioError,
    ) -> Result<(), ScenarioError> {
        for (kind, &scale) in &self.kind_scale {
            if !(scale.is_finite() && scale > 0.0 && scale <= 100.0) {
                return Err(invalid(
                    format!("{level}.kind_scale.{}", kind.as_str()),
                    tr!(
                        "{scale} is out of range (above 0, at most 100; to keep a kind whole, list it in exempt_kinds)",
                        "{scale} 超出范围（大于 0，至多 100；要保留某类单位不合并，请列入 exempt_kinds）"
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The scale of the thresholds for a unit seated at a unit of this kind (1 unless set).
    pub fn scale_for(&self, kind: K) -> f64
    where
        K: Ord,
    {
        self.kind_scale.get(&kind).copied().unwrap_or(1.0)
    }
}

/// A scenario file could not be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ScenarioError {
    #[error("{path}: cannot read: {message}")]
    Read { path: String, message: String },
    /// TOML syntax, unknown keys or wrong types; the message has the line and column.
    #[error("{path}: {message}")]
    Parse { path: String, message: String },
    /// A value out of range, named by its key.
    #[error("{path}: {key}: {}", message.en)]
    Invalid {
        path: String,
        key: String,
        message: Message,
    },
}

impl ScenarioError {
    /// The error in `lang` (the TOML reader's and the system's own words stay English).
    pub fn describe(&self, lang: Lang) -> String {
        match (self, lang) {
            (_, Lang::En) => self.to_string(),
            (Self::Read { path, message }, Lang::Zh) => format!("{path}：无法读取：{message}"),
            (Self::Parse { path, message }, Lang::Zh) => {
                format!("{path}：方案文件格式有误：{message}")
            }
            (Self::Invalid { path, key, message }, Lang::Zh) => {
                format!("{path}：{key}：{}", message.zh)
            }
        }
    }
}

impl Scenario {
    /// A scenario that changes nothing.
    pub fn empty(name: &str) -> Self {
        Self {
            version: VERSION,
            name: name.to_string(),
            description: String::new(),
            scope: Scope::default(),
            townships: Rules {
                enabled: false,
                ..Rules::default()
            },
            villages: Rules {
                enabled: false,
                ..Rules::default()
            },
            service: Service::default(),
            costs: Costs::default(),
            edits: Vec::new(),
        }
    }

    /// Reads and validates a scenario file.
    pub fn read(path: &Path) -> Result<Scenario, ScenarioError> {
        let text = std::fs::read_to_string(path).map_err(|e| ScenarioError::Read {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        Self::parse(&path.display().to_string(), &text)
    }

    /// Parses and validates scenario text; `path` only names it in messages.
    pub fn parse(path: &str, text: &str) -> Result<Scenario, ScenarioError> {
        let scenario: Scenario =
            toml::from_str(text.trim_start_matches('\u{feff}')).map_err(|e| {
                ScenarioError::Parse {
                    path: path.to_string(),
                    message: e.to_string().trim_end().to_string(),
                }
            })?;
        scenario.validate(path)?;
        Ok(scenario)
    }

    /// The scenario as TOML, with a header saying what wrote it.
    pub fn to_toml(&self) -> String {
        let body = toml::to_string_pretty(self).unwrap_or_default();
        format!("# Jianzhi scenario (format version {VERSION})\n{body}")
    }

    /// Checks versions, ranges and the form of the edits (kinds are checked as they are read);
    /// codes are checked against a dataset by [`resolve`].
    pub fn validate(&self, path: &str) -> Result<(), ScenarioError> {
        let invalid = |key: String, message: Message| ScenarioError::Invalid {
            path: path.to_string(),
            key,
            message,
        };
        if self.version != VERSION {
            return Err(invalid(
                "version".into(),
                tr!(
                    "this build reads version {VERSION}, the file says {}",
                    "本版本读取第 {VERSION} 版方案，该文件是第 {} 版",
                    self.version
                ),
            ));
        }
        let numbers = [
            ("service.radius_km", self.service.radius_km),
            (
                "service.station_min_distance_km",
                self.service.station_min_distance_km,
            ),
            ("costs.staff_per_township", self.costs.staff_per_township),
            ("costs.staff_per_village", self.costs.staff_per_village),
            ("costs.staff_per_station", self.costs.staff_per_station),
            ("costs.yuan_per_staff_year", self.costs.yuan_per_staff_year),
        ];
        for (key, v) in numbers {
            if !(v.is_finite() && v >= 0.0) {
                return Err(invalid(
                    key.into(),
                    tr!("{v} must be a non-negative number", "{v} 须为非负数"),
                ));
            }
        }
        self.townships.validate("townships", &invalid)?;
        self.villages.validate("villages", &invalid)?;
        self.townships.validate_scales("townships", &invalid)?;
        self.villages.validate_scales("villages", &invalid)?;
        for (i, edit) in self.edits.iter().enumerate() {
            if let Err(message) = edit.validate() {
                return Err(invalid(format!("edits[{i}]"), message));
            }
        }
        Ok(())
    }
}

impl Scenario {
    /// Whether the scenario caps the distance to a seat at either level.
    pub fn has_distance_caps(&self) -> bool {
        self.townships.has_distance_caps() || self.villages.has_distance_caps()
    }

    /// The scenario without its caps on the distance to a seat: what is applied to a dataset
    /// without locations, where no distance can be measured (the load says so).
    pub fn without_distance_caps(&self) -> Scenario {
        let mut out = self.clone();
        out.townships.drop_distance_caps();
        out.villages.drop_distance_caps();
        out
    }
}

impl<K> Rules<K> {
    /// Whether any limit caps the distance to the seat.
    pub fn has_distance_caps(&self) -> bool {
        std::iter::once(&self.limits)
            .chain(self.terrain.values())
            .any(|l| l.max_seat_distance_km.is_some())
    }

    fn drop_distance_caps(&mut self) {
        for limits in std::iter::once(&mut self.limits).chain(self.terrain.values_mut()) {
            limits.max_seat_distance_km = None;
        }
    }

    /// The limits for a terrain class (base limits where the class sets none).
    pub fn limits_for(&self, terrain: Option<Terrain>) -> Limits {
        match terrain.and_then(|t| self.terrain.get(&t)) {
            Some(over) => self.limits.overridden_by(over),
            None => self.limits,
        }
    }

    /// Checks ranges and the manual groups; `level` names the table in messages.
    fn validate(
        &self,
        level: &str,
        invalid: &impl Fn(String, Message) -> ScenarioError,
    ) -> Result<(), ScenarioError> {
        if let Some(pct) = self.target_reduction_pct
            && !(0.0..=95.0).contains(&pct)
        {
            return Err(invalid(
                format!("{level}.target_reduction_pct"),
                tr!(
                    "{pct} is out of range (0 to 95)",
                    "{pct} 超出范围（0 到 95）"
                ),
            ));
        }
        for code in self.quotas.keys() {
            if !(matches!(code.len(), 2 | 4 | 6) && code.chars().all(|c| c.is_ascii_digit())) {
                return Err(invalid(
                    format!("{level}.quotas.{code}"),
                    tr!(
                        "'{code}' is not the code of a province, city or county (2, 4 or 6 digits)",
                        "「{code}」不是省、市或县的代码（2、4 或 6 位数字）"
                    ),
                ));
            }
        }
        let terrain_limits = self
            .terrain
            .iter()
            .map(|(t, l)| (format!("{level}.terrain.{}", t.as_str()), l));
        for (table, limits) in
            std::iter::once((format!("{level}.limits"), &self.limits)).chain(terrain_limits)
        {
            for (name, value) in limits.fields() {
                if let Some(v) = value
                    && !(v.is_finite() && v >= 0.0)
                {
                    return Err(invalid(
                        format!("{table}.{name}"),
                        tr!("{v} must be a non-negative number", "{v} 须为非负数"),
                    ));
                }
            }
            for (name, value) in [
                ("max_area_km2", limits.max_area_km2),
                ("max_seat_distance_km", limits.max_seat_distance_km),
            ] {
                if value == Some(0.0) {
                    return Err(invalid(
                        format!("{table}.{name}"),
                        Message::new(
                            "a cap of 0 forbids every merge; leave it out for no cap",
                            "上限为 0 会禁止一切合并；不设上限请删去此项",
                        ),
                    ));
                }
            }
        }
        for (i, group) in self.manual.iter().enumerate() {
            if group.len() < 2 {
                return Err(invalid(
                    format!("{level}.manual[{i}]"),
                    Message::new(
                        "a manual merge needs at least two codes",
                        "手动合并至少需要两个代码",
                    ),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = r#"
version = 1
name = "test"

[scope]
counties = ["510121"]

[townships]
target_reduction_pct = 30
exempt_kinds = ["street", "special"]
locked = ["510121100"]
manual = [["510121201", "510121202"]]
seat_rule = "town_first"

[townships.limits]
min_registered_pop = 15000
max_area_km2 = 400

[townships.terrain.plateau]
min_registered_pop = 3000
max_area_km2 = 3000

[villages]
target_reduction_pct = 40
"#;

    #[test]
    fn a_scenario_round_trips_through_toml() {
        let s = Scenario::parse("s.toml", EXAMPLE).unwrap();
        assert_eq!(s.townships.seat_rule, SeatRule::TownFirst);
        assert_eq!(
            s.villages.exempt(),
            [VillageKind::Community, VillageKind::Special]
        );
        assert_eq!(
            s.townships.exempt(),
            [TownshipKind::Street, TownshipKind::Special]
        );
        let again = Scenario::parse("again.toml", &s.to_toml()).unwrap();
        assert_eq!(s, again);
    }

    #[test]
    fn terrain_limits_override_field_by_field() {
        let s = Scenario::parse("s.toml", EXAMPLE).unwrap();
        let plateau = s.townships.limits_for(Some(Terrain::Plateau));
        assert_eq!(plateau.min_registered_pop, Some(3000.0));
        assert_eq!(plateau.max_area_km2, Some(3000.0));
        let hill = s.townships.limits_for(Some(Terrain::Hill));
        assert_eq!(hill.min_registered_pop, Some(15000.0));
        assert_eq!(s.townships.limits_for(None), s.townships.limits);
    }

    #[test]
    fn unknown_keys_are_named_with_their_line() {
        let err =
            Scenario::parse("s.toml", &EXAMPLE.replace("seat_rule", "seat_rules")).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("s.toml") && text.contains("seat_rules") && text.contains("line"),
            "{text}"
        );
    }

    #[test]
    fn out_of_range_values_are_named_by_key() {
        let err = Scenario::parse("s.toml", &EXAMPLE.replace("= 30", "= 130")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "s.toml: townships.target_reduction_pct: 130 is out of range (0 to 95)"
        );
        assert_eq!(
            err.describe(Lang::Zh),
            "s.toml：townships.target_reduction_pct：130 超出范围（0 到 95）"
        );
        let err = Scenario::parse(
            "s.toml",
            &EXAMPLE.replace("max_area_km2 = 3000", "max_area_km2 = -1"),
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("townships.terrain.plateau.max_area_km2"),
            "{err}"
        );
        let err = Scenario::parse("s.toml", &EXAMPLE.replace("\"street\", ", "\"avenue\", "))
            .unwrap_err();
        // Kinds are read as kinds: an unknown one is named with its line.
        let text = err.to_string();
        assert!(
            text.contains("unknown kind 'avenue'") && text.contains("line 10"),
            "{err}"
        );
        let err =
            Scenario::parse("s.toml", &EXAMPLE.replace("version = 1", "version = 2")).unwrap_err();
        assert!(err.to_string().contains("version"), "{err}");
    }
}
