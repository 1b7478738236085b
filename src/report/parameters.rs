//! A scenario's parameters as a reader sees them: one row per setting, labelled in the
//! interface language (`乡镇 · 限制 · 面积上限（km²）`), its value a number where it is one and
//! its words translated where they are the scenario's own vocabulary (`按县`, `镇优先`). Read
//! from the scenario's TOML, so every setting a file can hold is shown, hand edits included.

use crate::lang::Lang;

/// One setting.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    /// The dotted key in the scenario file (`townships.limits.max_area_km2`).
    pub key: String,
    /// The setting in words.
    pub label: String,
    pub value: Value,
}

/// A setting's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Number(f64),
    Text(String),
}

impl Value {
    /// The value as text (numbers as the file writes them, without a needless `.0`).
    pub fn to_text(&self) -> String {
        match self {
            Value::Number(x) if x.fract() == 0.0 && x.abs() < 1e15 => format!("{x:.0}"),
            Value::Number(x) => x.to_string(),
            Value::Text(t) => t.clone(),
        }
    }
}

/// The settings of the scenario `toml`, in the file's order, in `lang`.
pub fn parameters(toml: &str, lang: Lang) -> Vec<Parameter> {
    let mut out = Vec::new();
    if let Ok(table) = toml.parse::<toml::Table>() {
        walk(&[], &toml::Value::Table(table), lang, &mut out);
    }
    out
}

/// A path segment: a key, or the position of an item in a list of tables.
#[derive(Clone)]
enum Segment<'a> {
    Key(&'a str),
    Item(usize),
}

fn walk(path: &[Segment], value: &toml::Value, lang: Lang, out: &mut Vec<Parameter>) {
    match value {
        toml::Value::Table(t) => {
            for (k, v) in t {
                let mut inner = path.to_vec();
                inner.push(Segment::Key(k));
                walk(&inner, v, lang, out);
            }
        }
        toml::Value::Array(items) if items.iter().any(toml::Value::is_table) => {
            for (i, v) in items.iter().enumerate() {
                let mut inner = path.to_vec();
                inner.push(Segment::Item(i + 1));
                walk(&inner, v, lang, out);
            }
        }
        leaf => out.push(Parameter {
            key: key(path),
            label: label(path, lang),
            value: leaf_value(leaf, lang),
        }),
    }
}

fn key(path: &[Segment]) -> String {
    let mut key = String::new();
    for s in path {
        match s {
            Segment::Key(k) if key.is_empty() => key += k,
            Segment::Key(k) => {
                key.push('.');
                key += k;
            }
            Segment::Item(i) => key += &format!("[{i}]"),
        }
    }
    key
}

fn label(path: &[Segment], lang: Lang) -> String {
    let parts: Vec<String> = path
        .iter()
        .map(|s| match s {
            Segment::Key(k) => word(k, lang).map_or_else(|| k.to_string(), str::to_string),
            Segment::Item(i) => format!("{i}"),
        })
        .collect();
    parts.join(" · ")
}

fn leaf_value(value: &toml::Value, lang: Lang) -> Value {
    let text = |v: &toml::Value| match v {
        toml::Value::String(s) => word(s, lang).map_or_else(|| s.clone(), str::to_string),
        toml::Value::Boolean(true) => pick(lang, "是", "yes").to_string(),
        toml::Value::Boolean(false) => pick(lang, "否", "no").to_string(),
        other => other.to_string(),
    };
    match value {
        toml::Value::Integer(n) => Value::Number(*n as f64),
        toml::Value::Float(x) => Value::Number(*x),
        toml::Value::Array(items) => Value::Text(
            items
                .iter()
                .map(text)
                .collect::<Vec<_>>()
                .join(pick(lang, "、", ", ")),
        ),
        other => Value::Text(text(other)),
    }
}

fn pick(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// The scenario file's words: its keys and the values it spells out, in each language.
const WORDS: &[(&str, &str, &str)] = &[
    ("version", "格式版本", "format version"),
    ("name", "名称", "name"),
    ("description", "说明", "description"),
    ("scope", "范围", "scope"),
    ("cities", "市", "cities"),
    ("counties", "县", "counties"),
    ("townships", "乡镇", "townships"),
    ("villages", "建制村", "villages"),
    ("enabled", "参与调整", "enabled"),
    (
        "target_reduction_pct",
        "目标减少比例（%）",
        "target reduction (%)",
    ),
    ("target_per", "目标分解到", "target applies to each"),
    ("quotas", "指标", "quotas"),
    ("limits", "限制", "limits"),
    ("terrain", "地形", "terrain"),
    ("plain", "平原", "plain"),
    ("hill", "丘陵", "hill"),
    ("mountain", "山区", "mountain"),
    ("plateau", "高原", "plateau"),
    ("min_area_km2", "面积下限（km²）", "minimum area (km²)"),
    (
        "min_registered_pop",
        "户籍人口下限（人）",
        "minimum registered population",
    ),
    (
        "min_resident_pop",
        "常住人口下限（人）",
        "minimum resident population",
    ),
    ("max_area_km2", "面积上限（km²）", "maximum area (km²)"),
    (
        "max_seat_distance_km",
        "到驻地距离上限（km）",
        "maximum distance to the seat (km)",
    ),
    ("kind_scale", "类型系数", "scale by kind"),
    ("street", "街道", "street"),
    ("town", "镇", "town"),
    ("township", "乡", "township"),
    ("ethnic_township", "民族乡", "ethnic township"),
    ("special", "特殊单位", "special unit"),
    ("village", "建制村", "village"),
    ("community", "社区", "community"),
    ("exempt_kinds", "不参与合并的类型", "kinds never merged"),
    (
        "separate_streets",
        "街道单独调整",
        "streets reformed separately",
    ),
    ("locked", "锁定单位", "locked units"),
    ("manual", "手动合并组", "groups merged by hand"),
    ("seat_rule", "驻地选择规则", "seat rule"),
    ("seats", "指定驻地", "seats set by hand"),
    ("service", "公共服务", "service"),
    ("radius_km", "服务半径（km）", "service radius (km)"),
    ("stations", "便民服务站", "service stations"),
    (
        "station_min_distance_km",
        "设站最小距离（km）",
        "station minimum distance (km)",
    ),
    ("costs", "运行成本（示意）", "running costs (illustrative)"),
    (
        "staff_per_township",
        "每乡镇人员（人）",
        "staff per township",
    ),
    ("staff_per_village", "每村人员（人）", "staff per village"),
    (
        "staff_per_station",
        "每服务站人员（人）",
        "staff per station",
    ),
    (
        "yuan_per_staff_year",
        "每人每年成本（元）",
        "yuan per staff member a year",
    ),
    ("edits", "手动调整", "hand edits"),
    ("level", "层级", "level"),
    ("action", "操作", "action"),
    ("codes", "代码", "codes"),
    ("to", "并入", "into"),
    // Values the file spells out.
    ("province", "省", "province"),
    ("city", "市", "city"),
    ("county", "县", "county"),
    ("largest_population", "人口最多者", "largest population"),
    ("town_first", "镇优先", "towns first"),
    ("min_distance", "距离最短", "shortest distance"),
    ("none", "不设", "none"),
    ("all", "全部原驻地", "every former seat"),
    (
        "beyond",
        "超出设站距离的原驻地",
        "former seats beyond the distance",
    ),
    ("merge", "合并", "merge"),
    ("split", "拆分", "split"),
    ("move", "移入", "move"),
    ("seat", "设为驻地", "make seat"),
    ("lock", "锁定", "lock"),
];

/// A word of the scenario file in `lang`, if it is one.
fn word(key: &str, lang: Lang) -> Option<&'static str> {
    WORDS
        .iter()
        .find(|(k, _, _)| *k == key)
        .map(|&(_, zh, en)| pick(lang, zh, en))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_labelled_and_numbers_stay_numbers() {
        let toml = "name = \"x\"\n[townships]\ntarget_reduction_pct = 32.0\ntarget_per = \"county\"\nexempt_kinds = [\"street\", \"special\"]\n[townships.limits]\nmax_area_km2 = 400.0\n[[edits]]\nlevel = \"townships\"\naction = \"merge\"\ncodes = [\"1\", \"2\"]\n";
        let p = parameters(toml, Lang::Zh);
        let find = |key: &str| p.iter().find(|p| p.key == key).unwrap();
        assert_eq!(
            find("townships.target_reduction_pct").value,
            Value::Number(32.0)
        );
        assert_eq!(
            find("townships.target_reduction_pct").label,
            "乡镇 · 目标减少比例（%）"
        );
        assert_eq!(
            find("townships.limits.max_area_km2").label,
            "乡镇 · 限制 · 面积上限（km²）"
        );
        assert_eq!(find("townships.target_per").value, Value::Text("县".into()));
        assert_eq!(
            find("townships.exempt_kinds").value,
            Value::Text("街道、特殊单位".into())
        );
        assert_eq!(find("edits[1].action").label, "手动调整 · 1 · 操作");
        assert_eq!(find("edits[1].action").value, Value::Text("合并".into()));
        // The name is the user's: kept as written.
        assert_eq!(find("name").value, Value::Text("x".into()));
    }

    #[test]
    fn every_key_a_scenario_writes_has_words() {
        let mut scenario = crate::scenario::Scenario::empty("x");
        scenario.townships.target_reduction_pct = Some(30.0);
        scenario.villages.exempt_kinds = Some(vec![crate::model::VillageKind::Community]);
        for p in parameters(&scenario.to_toml(), Lang::Zh) {
            // Units are written as units (km, km²); no other Latin letter.
            let words = p.label.replace("km", "");
            assert!(
                !words.chars().any(|c| c.is_ascii_alphabetic()),
                "{} is labelled {}",
                p.key,
                p.label
            );
        }
    }
}
