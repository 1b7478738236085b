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

use crate::error::{ImportError, Message, Problem, Problems};
use crate::import::text::{decoding_reader, sniff_encoding};
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

/// The quotas of a quota table: (code, township quota, village quota) per row.
pub type QuotaRows = Vec<(String, Option<Quota>, Option<Quota>)>;

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
    let Some(code_at) = find(CODE_HEADERS) else {
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
    let (township_at, village_at) = (find(TOWNSHIP_HEADERS), find(VILLAGE_HEADERS));
    if township_at.is_none() && village_at.is_none() {
        return Err(Problem::file(
            path,
            tr!(
                "no target column: name one township_target or 乡镇目标, village_target or 村目标",
                "没有指标列：请命名为 township_target（乡镇目标）或 village_target（村目标）"
            ),
        )
        .into());
    }
    let mut problems = Problems::default();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record =
            record.map_err(|e| Problem::file(path, Message::untranslated(e.to_string())))?;
        let line = record.position().map_or(0, |p| p.line());
        let cell = |at: usize| record.get(at).unwrap_or("").trim();
        let code = cell(code_at).to_string();
        if code.is_empty() && record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if code.is_empty() || !code.chars().all(|c| c.is_ascii_digit()) {
            problems.error(Problem::cell(
                path,
                line,
                &headers[code_at],
                tr!("'{code}' is not a division code", "「{code}」不是区划代码"),
            ));
            continue;
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
                    &headers[at?],
                    tr!(
                        "'{text}' is not a quota: a cut such as 30% (0–95%) or a number of units",
                        "「{text}」不是有效指标：应为减少比例（如 30%，0–95%）或调整后的单位数"
                    ),
                ));
            }
            parsed
        };
        let townships = quota(township_at);
        let villages = quota(village_at);
        rows.push((code, townships, villages));
    }
    problems.check()?;
    Ok(rows)
}

impl super::Scenario {
    /// The scenario with a quota table's quotas written in (a code's quota replaces the one
    /// the scenario had), so the scenario saved with a plan says what it was planned to.
    pub fn with_quotas(mut self, rows: &QuotaRows) -> Self {
        for (code, townships, villages) in rows {
            let key = normalise(code);
            if let Some(q) = townships {
                self.townships.quotas.insert(key.clone(), *q);
            }
            if let Some(q) = villages {
                self.villages.quotas.insert(key, *q);
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
