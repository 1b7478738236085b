//! Plausibility limits: a figure beyond them is a typing slip (a population of `1e30`, an area
//! in m² where km² was meant), not a unit. An observed figure beyond its limit is an error at
//! its row and column; a modelled one (the dataset's `dataset.toml` says which figures are)
//! is counted and said once per table and column, since the model, not the user, made it.
//!
//! The defaults hold every real unit we know of (the largest township-level unit, 唐古拉山镇,
//! is about 47,500 km²); a dataset folder widens them with `limits.toml`:
//!
//! ```toml
//! township_pop = 3000000
//! village_area_km2 = 40000
//! ```

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Message, Problem};
use crate::import::table::{Column, Table};
use crate::import::{ImportError, Problems};
use crate::tr;

/// The file name the loader looks for in a dataset folder.
pub const FILE_NAME: &str = "limits.toml";

/// The largest figures a unit plausibly has.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// People (resident or registered) in one township-level unit.
    pub township_pop: f64,
    /// Area of one township-level unit, km².
    pub township_area_km2: f64,
    /// People (resident or registered) in one village-level unit.
    pub village_pop: f64,
    /// Area of one village-level unit, km².
    pub village_area_km2: f64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            township_pop: 2_000_000.0,
            township_area_km2: 60_000.0,
            village_pop: 200_000.0,
            village_area_km2: 30_000.0,
        }
    }
}

impl Limits {
    /// The limits of the dataset in `dir`: its `limits.toml` over the defaults.
    pub fn read(dir: &Path) -> Result<Limits, ImportError> {
        let path = dir.join(FILE_NAME);
        if !path.is_file() {
            return Ok(Limits::default());
        }
        let text = std::fs::read_to_string(&path)
            .map_err(|e| Problem::file(&path, tr!("cannot read: {e}", "无法读取：{e}")))?;
        let limits: Limits = toml::from_str(text.trim_start_matches('\u{feff}')).map_err(|e| {
            let e = e.to_string();
            let first = e.lines().next().unwrap_or_default();
            Problem::file(
                &path,
                tr!(
                    "not a limits file: {first} (keys: township_pop, township_area_km2, village_pop, village_area_km2)",
                    "不是有效的上限文件：{first}（键：township_pop、township_area_km2、village_pop、village_area_km2）"
                ),
            )
        })?;
        for (key, value) in limits.fields() {
            if !(value.is_finite() && value > 0.0) {
                return Err(Problem::file(
                    &path,
                    tr!(
                        "{key} = {value}: a limit is a positive number",
                        "{key} = {value}：上限须为正数"
                    ),
                )
                .into());
            }
        }
        Ok(limits)
    }

    fn fields(&self) -> [(&'static str, f64); 4] {
        [
            ("township_pop", self.township_pop),
            ("township_area_km2", self.township_area_km2),
            ("village_pop", self.village_pop),
            ("village_area_km2", self.village_area_km2),
        ]
    }
}

/// Which level a table holds, for its limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Townships,
    Villages,
}

/// Checks the figures of a table's rows against the limits, counting the modelled figures
/// beyond them for one warning per column ([`Plausibility::finish`]).
#[derive(Debug)]
pub struct Plausibility {
    limits: Limits,
    level: Level,
    modelled_pop: bool,
    modelled_area: bool,
    /// Per column: how many modelled figures are beyond the limit, and the largest.
    beyond: Vec<(Column, usize, f64)>,
}

impl Plausibility {
    pub fn new(limits: Limits, level: Level, provenance: &crate::model::Provenance) -> Self {
        use crate::model::Figure;
        Self {
            limits,
            level,
            modelled_pop: provenance.is_modelled(Figure::Populations),
            modelled_area: provenance.is_modelled(Figure::Areas),
            beyond: Vec::new(),
        }
    }

    /// Checks the figure `value` of `column` in `row`.
    pub fn check(
        &mut self,
        table: &Table,
        line: u64,
        column: Column,
        value: Option<f64>,
        problems: &mut Problems,
    ) {
        let Some(value) = value.filter(|v| v.is_finite()) else {
            return;
        };
        let (limit, key, modelled) = match (self.level, column) {
            (Level::Townships, Column::ResidentPop | Column::RegisteredPop) => {
                (self.limits.township_pop, "township_pop", self.modelled_pop)
            }
            (Level::Townships, Column::AreaKm2) => (
                self.limits.township_area_km2,
                "township_area_km2",
                self.modelled_area,
            ),
            (Level::Villages, Column::ResidentPop | Column::RegisteredPop) => {
                (self.limits.village_pop, "village_pop", self.modelled_pop)
            }
            (Level::Villages, Column::AreaKm2) => (
                self.limits.village_area_km2,
                "village_area_km2",
                self.modelled_area,
            ),
            _ => return,
        };
        if value <= limit {
            return;
        }
        if modelled {
            match self.beyond.iter_mut().find(|(c, ..)| *c == column) {
                Some((_, n, largest)) => {
                    *n += 1;
                    *largest = largest.max(value);
                }
                None => self.beyond.push((column, 1, value)),
            }
            return;
        }
        let (unit_en, unit_zh) = unit_words(column);
        let Message { en, zh } = level_words(self.level);
        let value = shown(value);
        problems.error(Problem::cell(
            &table.file,
            line,
            table.header(column),
            tr!(
                "{value} {unit_en} is more than any {en} plausibly has (limit {limit}); if it is right, widen the limit in {FILE_NAME} beside the data: {key} = …",
                "{value} {unit_zh}超出{zh}的合理范围（上限 {limit}）；如确实无误，请在数据旁的 {FILE_NAME} 中放宽上限：{key} = …"
            ),
        ));
    }

    /// Says, once per column, how many modelled figures were beyond the limit.
    pub fn finish(&mut self, table: &Table, problems: &mut Problems) {
        for (column, n, largest) in std::mem::take(&mut self.beyond) {
            let (unit_en, unit_zh) = unit_words(column);
            let Message { en, zh } = level_words(self.level);
            let header = table.header(column);
            let largest = shown(largest);
            problems.warn(Problem::file(
                &table.file,
                tr!(
                    "modelled '{header}' beyond what any {en} plausibly has: {n} (the largest {largest} {unit_en})",
                    "「{header}」列超出{zh}合理范围的模拟数值：{n} 个（最大 {largest} {unit_zh}）"
                ),
            ));
        }
    }
}

fn level_words(level: Level) -> Message {
    match level {
        Level::Townships => Message::new("township", "乡镇"),
        Level::Villages => Message::new("village", "村"),
    }
}

fn unit_words(column: Column) -> (&'static str, &'static str) {
    match column {
        Column::AreaKm2 => ("km²", "平方公里"),
        _ => ("people", "人"),
    }
}

/// A figure for a message: whole numbers without decimals, huge ones in scientific notation.
fn shown(value: f64) -> String {
    if value.abs() >= 1e12 {
        format!("{value:e}")
    } else if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value}")
    }
}
