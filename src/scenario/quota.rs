//! Quotas handed down level by level (指标): a target for a province, a city or a county,
//! written into the scenario (`[townships.quotas]`) or read from a quota table (`quotas.csv`:
//! code, township target, village target).
//!
//! A target is either a cut (`"30%"`: regular units cut by 30%) or a number of regular units
//! after (`120`). A county takes the quota of its own code, else its city's, else its
//! province's, else the level's `target_reduction_pct`; the units under one quota meet it
//! together, weakest merges first.

use std::io::Read;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Message, Problem};
use crate::import::text::{decoding_reader, sniff_encoding};
use crate::import::{ImportError, Problems};
use crate::tr;

/// One quota.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "QuotaValue", into = "QuotaValue")]
pub enum Quota {
    /// Cut the regular units by this percentage.
    CutPct(f64),
    /// Leave this many regular units.
    UnitsAfter(u64),
}

/// A quota as a scenario file writes it: a number of units, or a text (`"30%"`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
enum QuotaValue {
    Units(u64),
    Text(String),
}

impl TryFrom<QuotaValue> for Quota {
    type Error = String;
    fn try_from(v: QuotaValue) -> Result<Self, String> {
        match v {
            QuotaValue::Units(n) => Ok(Quota::UnitsAfter(n)),
            QuotaValue::Text(t) => Quota::parse(&t).ok_or_else(|| {
                format!("'{t}' is not a quota: a cut such as \"30%\" or a number of units")
            }),
        }
    }
}

impl From<Quota> for QuotaValue {
    fn from(q: Quota) -> Self {
        match q {
            Quota::CutPct(p) => QuotaValue::Text(format!("{p}%")),
            Quota::UnitsAfter(n) => QuotaValue::Units(n),
        }
    }
}

impl Quota {
    /// `30%` (also `30％`, `-30%`) or `120`; `None` for anything else.
    pub fn parse(text: &str) -> Option<Quota> {
        let t = text.trim();
        if let Some(pct) = t.strip_suffix('%').or_else(|| t.strip_suffix('％')) {
            let pct: f64 = pct.trim().trim_start_matches('-').trim().parse().ok()?;
            return (pct.is_finite() && (0.0..=95.0).contains(&pct)).then_some(Quota::CutPct(pct));
        }
        t.replace(',', "")
            .parse::<u64>()
            .ok()
            .map(Quota::UnitsAfter)
    }

    /// The merges this quota asks of `regular` regular units.
    pub fn merges(self, regular: usize) -> usize {
        match self {
            Quota::CutPct(pct) => (regular as f64 * pct / 100.0).round() as usize,
            Quota::UnitsAfter(n) => regular.saturating_sub(n as usize),
        }
    }
}

/// One row of a quota table.
#[derive(Debug, Clone, PartialEq)]
pub struct QuotaRow {
    /// The code as the scenario keys it (`51`, `5101`, `510121`).
    pub code: String,
    pub townships: Option<Quota>,
    pub villages: Option<Quota>,
    /// The row's line in the file, and the headers of its columns, for messages.
    pub line: u64,
}

/// The quotas of a quota table, in file order, with where each was read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QuotaRows {
    pub path: std::path::PathBuf,
    pub rows: Vec<QuotaRow>,
    /// The headers of the code, township and village columns.
    pub headers: [String; 3],
}

/// Headers naming each of the table's three columns (compared trimmed, in lower case).
const CODE_HEADERS: &[&str] = &["code", "代码", "区划代码", "行政区划代码", "统计用区划代码"];
const TOWNSHIP_HEADERS: &[&str] = &[
    "township_target",
    "townships",
    "乡镇目标",
    "乡镇指标",
    "乡镇街道目标",
    "乡镇数目标",
];
const VILLAGE_HEADERS: &[&str] = &[
    "village_target",
    "villages",
    "村目标",
    "村指标",
    "建制村目标",
    "村数目标",
];

/// Reads a quota table (CSV, UTF-8 with or without BOM, or GBK; headers `code,
/// township_target, village_target` or 代码、乡镇目标、村目标). A bad value is an error
/// naming its row and column; nothing is taken from a table with an error.
pub fn read_quotas(path: &Path) -> Result<QuotaRows, ImportError> {
    let cannot = |e: std::io::Error| {
        Problem::file(path, tr!("cannot read the file: {e}", "无法读取文件：{e}"))
    };
    let bytes = std::fs::read(path).map_err(cannot)?;
    let encoding = sniff_encoding(&mut &bytes[..]).map_err(cannot)?;
    let mut text = String::new();
    decoding_reader(&bytes[..], encoding)
        .read_to_string(&mut text)
        .map_err(cannot)?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let columns = QuotaColumns::of(path, &mut reader)?;
    let mut problems = Problems::default();
    let mut rows: Vec<QuotaRow> = Vec::new();
    for record in reader.records() {
        let record =
            record.map_err(|e| Problem::file(path, Message::untranslated(e.to_string())))?;
        if let Some(row) = columns.row(path, &record, &rows, &mut problems) {
            rows.push(row);
        }
    }
    problems.check()?;
    let header = |at: Option<usize>| at.map(|i| columns.headers[i].clone()).unwrap_or_default();
    Ok(QuotaRows {
        path: path.to_path_buf(),
        rows,
        headers: [
            columns.headers[columns.code].clone(),
            header(columns.townships),
            header(columns.villages),
        ],
    })
}

/// Where a quota table's code and targets are.
struct QuotaColumns {
    headers: Vec<String>,
    code: usize,
    townships: Option<usize>,
    villages: Option<usize>,
}

impl QuotaColumns {
    /// The columns of the table's header; a table without a code column or a target column
    /// is refused.
    fn of(path: &Path, reader: &mut csv::Reader<&[u8]>) -> Result<Self, ImportError> {
        let headers: Vec<String> = reader
            .headers()
            .map_err(|e| Problem::file(path, Message::untranslated(e.to_string())))?
            .iter()
            .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
            .collect();
        let find = |names: &[&str]| {
            headers
                .iter()
                .position(|h| names.contains(&h.to_lowercase().as_str()))
        };
        let Some(code) = find(CODE_HEADERS) else {
            return Err(Problem::file(
                path,
                tr!(
                    "no code column: the headers are {}; name it code or 代码",
                    "没有代码列：表头为 {}；请命名为 code 或 代码",
                    headers.join(", ")
                ),
            )
            .into());
        };
        let (townships, villages) = (find(TOWNSHIP_HEADERS), find(VILLAGE_HEADERS));
        if townships.is_none() && villages.is_none() {
            return Err(Problem::file(
                path,
                tr!(
                    "no target column: name one township_target or 乡镇目标, village_target or 村目标",
                    "没有指标列：请命名为 township_target（乡镇目标）或 village_target（村目标）"
                ),
            )
            .into());
        }
        Ok(Self {
            headers,
            code,
            townships,
            villages,
        })
    }

    /// A row's quotas, or `None` for a blank row or one with a problem (said in `problems`);
    /// `rows` are those read before it.
    fn row(
        &self,
        path: &Path,
        record: &csv::StringRecord,
        rows: &[QuotaRow],
        problems: &mut Problems,
    ) -> Option<QuotaRow> {
        let line = record.position().map_or(0, |p| p.line());
        let cell = |at: usize| record.get(at).unwrap_or("").trim();
        let code = cell(self.code).to_string();
        if code.is_empty() && record.iter().all(|f| f.trim().is_empty()) {
            return None;
        }
        let code_problem =
            |message: Message| Problem::cell(path, line, &self.headers[self.code], message);
        if code.is_empty() || !code.chars().all(|c| c.is_ascii_digit()) {
            problems.error(code_problem(tr!(
                "'{code}' is not a division code",
                "「{code}」不是区划代码"
            )));
            return None;
        }
        if let Some(message) = wrong_level(&code) {
            problems.error(code_problem(message));
            return None;
        }
        let key = normalise(&code);
        if let Some(first) = rows.iter().find(|r| r.code == key) {
            problems.error(code_problem(tr!(
                "{code} has a quota in row {} already; give each province, city or county one row",
                "{code} 已在第 {} 行给出指标；每个省、市、县只能有一行",
                first.line
            )));
            return None;
        }
        let mut quota = |at: Option<usize>| -> Option<Quota> {
            let text = cell(at?);
            if text.is_empty() {
                return None;
            }
            let parsed = Quota::parse(text);
            if parsed.is_none() {
                problems.error(Problem::cell(
                    path,
                    line,
                    &self.headers[at?],
                    tr!(
                        "'{text}' is not a quota: a cut such as 30% (0–95%) or a number of units",
                        "「{text}」不是有效指标：应为减少比例（如 30%，0–95%）或调整后的单位数"
                    ),
                ));
            }
            parsed
        };
        let townships = quota(self.townships);
        let villages = quota(self.villages);
        Some(QuotaRow {
            code: key,
            townships,
            villages,
            line,
        })
    }
}

/// Why a code of digits cannot carry a quota: a township's or village's code, or a length
/// no division code has.
fn wrong_level(code: &str) -> Option<Message> {
    match code.len() {
        2 | 4 | 6 => None,
        9 => Some(tr!(
            "{code} is a township's code; quotas are set for a province, city or county",
            "{code} 是乡镇代码；指标只能下达到省、市或县"
        )),
        12 => Some(tr!(
            "{code} is a village's code; quotas are set for a province, city or county",
            "{code} 是村代码；指标只能下达到省、市或县"
        )),
        _ => Some(tr!(
            "'{code}' is not the code of a province, city or county (2, 4 or 6 digits)",
            "「{code}」不是省、市或县的代码（2、4 或 6 位数字）"
        )),
    }
}

/// What is wrong with a quota on a dataset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuotaProblem {
    /// No province, city or county of the dataset has the code.
    Unknown,
    /// The quota leaves more units than the region has.
    AboveUnits { asked: u64, has: usize },
}

impl QuotaProblem {
    pub fn message(&self, code: &str, level: super::LevelName) -> Message {
        match self {
            QuotaProblem::Unknown => tr!(
                "{code} is not a province, city or county of this dataset",
                "{code} 不是本数据集中的省、市或县"
            ),
            QuotaProblem::AboveUnits { asked, has } => {
                let (en, zh) = match level {
                    super::LevelName::Townships => ("townships", "个乡镇"),
                    super::LevelName::Villages => ("villages", "个村"),
                };
                tr!(
                    "the quota leaves {asked} {en}, but {code} has only {has}",
                    "指标要求保留 {asked}{zh}，而 {code} 只有 {has}{zh}"
                )
            }
        }
    }
}

/// How many units of each level each county has, to check quotas against.
#[derive(Debug, Clone)]
pub struct RegionUnits<'d> {
    dataset: &'d crate::model::Dataset,
    townships: Vec<usize>,
    villages: Vec<usize>,
}

impl<'d> RegionUnits<'d> {
    pub fn new(dataset: &'d crate::model::Dataset) -> Self {
        let mut townships = vec![0; dataset.counties.len()];
        for t in &dataset.townships {
            townships[t.county.index()] += 1;
        }
        let mut villages = vec![0; dataset.counties.len()];
        for v in &dataset.villages {
            villages[dataset.townships[v.township].county.index()] += 1;
        }
        Self {
            dataset,
            townships,
            villages,
        }
    }

    /// What is wrong with quota `quota` for `code` (as the scenario keys it) at `level`.
    pub fn problem(
        &self,
        code: &str,
        quota: Quota,
        level: super::LevelName,
    ) -> Option<QuotaProblem> {
        let counts = match level {
            super::LevelName::Townships => &self.townships,
            super::LevelName::Villages => &self.villages,
        };
        let mut matched = false;
        let mut units = 0;
        for (k, c) in self.dataset.counties.iter().enumerate() {
            let (city, province) = (c.city_key(), c.province_code());
            let covers = c.code == code
                || city == code
                || format!("{city:0<6}") == code
                || province == code
                || format!("{province:0<6}") == code;
            if covers {
                matched = true;
                units += counts[k];
            }
        }
        match quota {
            _ if !matched => Some(QuotaProblem::Unknown),
            Quota::UnitsAfter(n) if n as usize > units => Some(QuotaProblem::AboveUnits {
                asked: n,
                has: units,
            }),
            _ => None,
        }
    }
}

impl QuotaRows {
    /// Checks each row against a dataset: its code names a province, city or county there,
    /// and no quota leaves more units than that region has. Errors name the row and column.
    pub fn check(&self, dataset: &crate::model::Dataset) -> Result<(), ImportError> {
        let units = RegionUnits::new(dataset);
        let mut problems = Problems::default();
        for row in &self.rows {
            for (quota, level, header) in [
                (row.townships, super::LevelName::Townships, &self.headers[1]),
                (row.villages, super::LevelName::Villages, &self.headers[2]),
            ] {
                let Some(quota) = quota else { continue };
                match units.problem(&row.code, quota, level) {
                    Some(QuotaProblem::Unknown) => {
                        problems.error(Problem::cell(
                            &self.path,
                            row.line,
                            &self.headers[0],
                            QuotaProblem::Unknown.message(&row.code, level),
                        ));
                        break;
                    }
                    Some(other) => problems.error(Problem::cell(
                        &self.path,
                        row.line,
                        header,
                        other.message(&row.code, level),
                    )),
                    None => {}
                }
            }
        }
        problems.check()
    }
}

impl super::Scenario {
    /// The scenario with a quota table's quotas written in (a code's quota replaces the one
    /// the scenario had), so the scenario saved with a plan says what it was planned to.
    pub fn with_quotas(mut self, table: &QuotaRows) -> Self {
        for row in &table.rows {
            if let Some(q) = row.townships {
                self.townships.quotas.insert(row.code.clone(), q);
            }
            if let Some(q) = row.villages {
                self.villages.quotas.insert(row.code.clone(), q);
            }
        }
        self
    }
}

/// A province or city code as the scenario keys it: `510000` is `51`, `510100` is `5101`,
/// a county's six digits stay.
fn normalise(code: &str) -> String {
    if code.len() == 6 && code.ends_with("0000") {
        code[..2].to_string()
    } else if code.len() == 6 && code.ends_with("00") {
        code[..4].to_string()
    } else {
        code.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotas_are_cuts_or_units_after() {
        assert_eq!(Quota::parse("30%"), Some(Quota::CutPct(30.0)));
        assert_eq!(Quota::parse(" 30 ％"), Some(Quota::CutPct(30.0)));
        assert_eq!(Quota::parse("-30%"), Some(Quota::CutPct(30.0)));
        assert_eq!(Quota::parse("1,200"), Some(Quota::UnitsAfter(1200)));
        assert_eq!(Quota::parse("96%"), None);
        assert_eq!(Quota::parse("三成"), None);
        assert_eq!(Quota::CutPct(30.0).merges(10), 3);
        assert_eq!(Quota::UnitsAfter(7).merges(10), 3);
        assert_eq!(Quota::UnitsAfter(12).merges(10), 0);
    }

    #[test]
    fn province_and_city_codes_are_keyed_short() {
        assert_eq!(normalise("510000"), "51");
        assert_eq!(normalise("510100"), "5101");
        assert_eq!(normalise("510104"), "510104");
        assert_eq!(normalise("13"), "13");
    }
}
