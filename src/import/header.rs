//! What a column header means: headers are matched by meaning, not spelling, so the forms
//! planning offices and statistical yearbooks write (`街道（乡镇）名称`, `所属县（市、区）代码`,
//! `年末常住人口（人）`, `行政区域面积（平方公里）`, `户籍人口（万人）`) all find their field.
//!
//! A header is normalised (width folded, spaces and list marks dropped, lower case), the text
//! in brackets is set aside as a unit or note, and what is left is read as a *role* (code,
//! name, kind, area, population, …) and the *level* it speaks of (city, county, township,
//! village). The level decides between a table's own code and its parent's: `乡镇代码` is the
//! code in a township table and the parent code in a village table. Units in brackets scale
//! the values (`万人`, `公顷`, `亩`). A header that could mean two fields, or a field claimed by
//! two headers, is never guessed: see [`resolve`].

use crate::import::table::Column;

/// The table a header is read in: the same words name different fields in each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TableKind {
    Counties,
    Townships,
    Villages,
    /// `adjacency.csv`: pairs of codes of neighbouring townships or villages.
    #[serde(rename = "adjacency")]
    Neighbours,
}

impl TableKind {
    /// The file name of the table in a dataset folder, without extension.
    pub fn stem(self) -> &'static str {
        match self {
            Self::Counties => "counties",
            Self::Townships => "townships",
            Self::Villages => "villages",
            Self::Neighbours => "adjacency",
        }
    }

    /// The level of the table's own units (a neighbour table's pairs are townships or
    /// villages alike: its codes are read as codes of no level).
    fn level(self) -> Option<Level> {
        match self {
            Self::Counties => Some(Level::County),
            Self::Townships => Some(Level::Township),
            Self::Villages => Some(Level::Village),
            Self::Neighbours => None,
        }
    }
}

/// The administrative level a header speaks of, from the top.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    Province,
    City,
    County,
    Township,
    Village,
}

/// A header's field, and the factor that turns its values into Jianzhi's units (people, km²).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Meaning {
    pub column: Column,
    pub scale: f64,
}

impl Meaning {
    fn of(column: Column) -> Self {
        Self { column, scale: 1.0 }
    }
}

/// English names, matched exactly after normalisation (the names Jianzhi writes).
const ENGLISH: &[(Column, &[&str])] = &[
    (Column::Code, &["code", "id"]),
    (Column::Name, &["name"]),
    (Column::CountyCode, &["county_code", "county"]),
    (Column::TownshipCode, &["township_code", "township"]),
    (Column::CityCode, &["city_code"]),
    (Column::CityName, &["city_name", "city"]),
    (Column::Kind, &["kind", "type"]),
    (Column::Lon, &["lon", "lng", "longitude", "x_lon"]),
    (Column::Lat, &["lat", "latitude", "y_lat"]),
    (Column::AreaKm2, &["area_km2", "area", "areakm2"]),
    (
        Column::RegisteredPop,
        &["registered_pop", "hukou_pop", "registered_population"],
    ),
    (
        Column::ResidentPop,
        &["resident_pop", "population", "pop", "resident_population"],
    ),
    (Column::Terrain, &["terrain"]),
];

/// Headers that look like a field but are not one: serial numbers, postcodes, notes.
const NEVER: &[&str] = &[
    "序号",
    "邮政",
    "邮编",
    "电话",
    "备注",
    "说明",
    "地址",
    "网址",
    "负责人",
    "书记",
];

/// Words that may stand beside a level without changing what the header means, removed
/// before the level words are read (`区划` and `地区` contain a level character, `区`).
const FILLERS: &[&str] = &[
    "行政区划",
    "区划",
    "地区",
    "区域",
    "行政区",
    "辖区",
    "统计用",
    "单位",
    "行政",
    "办事处",
    "所在",
    "驻地",
    "级",
];

/// Normalises a header: trims, drops a BOM, folds full-width forms to ASCII, lower-cases and
/// removes spaces and the list marks people put between alternatives (`乡、镇、街道`).
pub fn normalise(raw: &str) -> String {
    raw.trim()
        .trim_start_matches('\u{feff}')
        .chars()
        .filter_map(|c| match c {
            '（' | '【' | '[' | '〔' => Some('('),
            '）' | '】' | ']' | '〕' => Some(')'),
            '、' | '/' | '／' | '·' | '-' => None,
            c if c.is_whitespace() => None,
            c if ('\u{ff01}'..='\u{ff5e}').contains(&c) => {
                char::from_u32(c as u32 - 0xfee0).map(|c| c.to_ascii_lowercase())
            }
            c => Some(c.to_ascii_lowercase()),
        })
        .collect()
}

/// A normalised header split into the text outside brackets and the text inside them.
fn split_brackets(norm: &str) -> (String, String) {
    let (mut outside, mut inside) = (String::new(), String::new());
    let mut depth = 0usize;
    for c in norm.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            c if depth > 0 => inside.push(c),
            c => outside.push(c),
        }
    }
    (outside, inside)
}

/// What the header `raw` means in a `table`, if anything.
pub fn meaning(raw: &str, table: TableKind) -> Option<Meaning> {
    let norm = normalise(raw);
    if norm.is_empty() {
        return None;
    }
    if table == TableKind::Neighbours {
        return neighbour_column(&norm).map(Meaning::of);
    }
    if let Some((column, _)) = ENGLISH.iter().find(|(_, names)| names.contains(&&*norm)) {
        return english(*column, table).map(Meaning::of);
    }
    let (main, note) = split_brackets(&norm);
    let (main, unit) = strip_unit(&main);
    let unit = unit.or_else(|| Unit::find(&note));
    if NEVER.iter().any(|w| main.contains(w)) {
        return None;
    }
    if main.contains("经度") || main == "东经" {
        return Some(Meaning::of(Column::Lon));
    }
    if main.contains("纬度") || main == "北纬" {
        return Some(Meaning::of(Column::Lat));
    }
    if main.contains("地形") || main.contains("地貌") {
        return Some(Meaning::of(Column::Terrain));
    }
    if ["类型", "类别", "性质", "分类"]
        .iter()
        .any(|w| main.contains(w))
    {
        return Some(Meaning::of(Column::Kind));
    }
    if let Some(column) = population(&main, &note) {
        let scale = unit.map_or(1.0, |u| u.people());
        return (scale > 0.0).then_some(Meaning { column, scale });
    }
    if is_area(&main) {
        let scale = unit.map_or(1.0, |u| u.km2());
        return (scale > 0.0).then_some(Meaning {
            column: Column::AreaKm2,
            scale,
        });
    }
    if main.contains("人口") || main.contains("面积") {
        // A part of the population or of the land: not a field.
        return None;
    }
    identity(&main, table).map(Meaning::of)
}

/// A neighbour table's two code columns: the unit (`code`, `代码`, `乡镇代码`, `代码1`) and its
/// neighbour (`neighbour`, `相邻代码`, `邻接乡镇代码`, `代码2`).
fn neighbour_column(norm: &str) -> Option<Column> {
    const FIRST: &[&str] = &["code", "code_a", "code1", "a", "from", "id"];
    const SECOND: &[&str] = &[
        "neighbour",
        "neighbor",
        "neighbour_code",
        "neighbor_code",
        "code_b",
        "code2",
        "b",
        "to",
    ];
    if FIRST.contains(&norm) {
        return Some(Column::Code);
    }
    if SECOND.contains(&norm) {
        return Some(Column::NeighbourCode);
    }
    let (main, _) = split_brackets(norm);
    let (main, number) = match main.strip_suffix(['1', 'a']) {
        Some(rest) => (rest, Some(1)),
        None => match main.strip_suffix(['2', 'b']) {
            Some(rest) => (rest, Some(2)),
            None => (main.as_str(), None),
        },
    };
    let (main, marked) = match ["相邻", "邻接", "毗邻", "邻近", "周边"]
        .iter()
        .find_map(|w| main.strip_prefix(w))
    {
        Some(rest) => (rest, true),
        None => (main, false),
    };
    let (Role::Code, rest) = role(main)? else {
        return None;
    };
    let levels = levels(rest)?;
    if levels
        .iter()
        .any(|l| !matches!(l, Level::Township | Level::Village))
    {
        return None;
    }
    match (marked, number) {
        (true, _) | (false, Some(2)) => Some(Column::NeighbourCode),
        (false, _) => Some(Column::Code),
    }
}

/// The English names keep their plain sense in every table, except that a county table's
/// `county` is its own code.
fn english(column: Column, table: TableKind) -> Option<Column> {
    match (column, table) {
        (Column::CountyCode, TableKind::Counties) => None,
        (Column::TownshipCode, TableKind::Townships | TableKind::Counties) => None,
        _ => Some(column),
    }
}

/// A code or name column: its role and the level it names, placed against the table's level.
fn identity(main: &str, table: TableKind) -> Option<Column> {
    let (parent, rest) = match ["所属", "上级", "隶属", "归属"]
        .iter()
        .find_map(|p| main.strip_prefix(p))
    {
        Some(rest) => (true, rest),
        None => (false, main),
    };
    let (role, rest) = role(rest)?;
    let levels = levels(rest)?;
    let own = table.level()?;
    let level = match levels.as_slice() {
        [] if parent => parent_of(own)?,
        [] => own,
        [l] => *l,
        _ => return None,
    };
    let spelled_out = !levels.is_empty();
    match (role, level) {
        (Role::Code, l) if l == own && !parent => Some(Column::Code),
        (Role::Name, l) if l == own && !parent => Some(Column::Name),
        (Role::Code | Role::Bare, Level::County) if own > Level::County => Some(Column::CountyCode),
        (Role::Code | Role::Bare, Level::Township) if own > Level::Township => {
            Some(Column::TownshipCode)
        }
        (Role::Code, Level::City) if own > Level::City => Some(Column::CityCode),
        (Role::Name | Role::Bare, Level::City) if own > Level::City => Some(Column::CityName),
        // `乡镇`, `村（社区）` alone: the table's own units, by name.
        (Role::Bare, l) if l == own && spelled_out && !parent => Some(Column::Name),
        _ => None,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Code,
    Name,
    /// No role word: `所属乡镇` (the parent's code), `乡镇` (the unit's name).
    Bare,
}

/// The role word at the end of a header, and what is before it.
fn role(text: &str) -> Option<(Role, &str)> {
    const CODES: &[&str] = &["区划代码", "区划码", "代码", "编码", "编号", "代号"];
    const NAMES: &[&str] = &["名称", "名字", "地名", "名"];
    if let Some(rest) = CODES.iter().find_map(|w| text.strip_suffix(w)) {
        return Some((Role::Code, rest));
    }
    if let Some(rest) = NAMES.iter().find_map(|w| text.strip_suffix(w)) {
        return Some((Role::Name, rest));
    }
    // `地区`, `单位`, `区划`: census and yearbook tables name the unit so.
    if ["地区", "单位", "区划", "行政区划"].contains(&text) {
        return Some((Role::Name, ""));
    }
    Some((Role::Bare, text)).filter(|_| levels(text).is_some_and(|l| !l.is_empty()))
}

/// The levels a text speaks of, without repeats (`乡镇街道` is one level); `None` if it says
/// anything else (`村民小组`, `城镇人口`: another thing, not a unit of a level).
fn levels(text: &str) -> Option<Vec<Level>> {
    let mut text = text.replace("地级", "市");
    for w in FILLERS {
        text = text.replace(w, "");
    }
    const WORDS: &[(&str, Level)] = &[
        ("居委会", Level::Village),
        ("村委会", Level::Village),
        ("委员会", Level::Village),
        ("社区", Level::Village),
        ("村", Level::Village),
        ("居", Level::Village),
        ("街道", Level::Township),
        ("乡", Level::Township),
        ("镇", Level::Township),
        ("区县", Level::County),
        ("县区", Level::County),
        ("县", Level::County),
        ("区", Level::County),
        ("旗", Level::County),
        ("市州", Level::City),
        ("市", Level::City),
        ("州", Level::City),
        ("盟", Level::City),
        ("省", Level::Province),
    ];
    let mut found = Vec::new();
    let mut rest = text.as_str();
    'outer: while !rest.is_empty() {
        for (w, level) in WORDS {
            if let Some(after) = rest.strip_prefix(w) {
                if !found.contains(level) {
                    found.push(*level);
                }
                rest = after;
                continue 'outer;
            }
        }
        return None;
    }
    Some(found)
}

fn parent_of(level: Level) -> Option<Level> {
    match level {
        Level::Province => None,
        Level::City => Some(Level::Province),
        Level::County => Some(Level::City),
        Level::Township => Some(Level::County),
        Level::Village => Some(Level::Township),
    }
}

/// A population header: `户籍人口`, `年末常住人口`, `2020年总人口`, `人口数`. Parts of the
/// population (`城镇人口`, `男性人口`, `流动人口`) are not.
fn population(main: &str, note: &str) -> Option<Column> {
    if !main.contains("人口") {
        return None;
    }
    let mut rest = main
        .trim_start_matches(|c: char| c.is_ascii_digit())
        .to_string();
    for w in [
        "第七次",
        "七普",
        "普查",
        "年末",
        "年底",
        "年初",
        "年",
        "户籍",
        "常住",
        "总",
        "数",
        "合计",
        "全部",
    ] {
        rest = rest.replace(w, "");
    }
    if rest != "人口" {
        return None;
    }
    let registered = main.contains("户籍") || note.contains("户籍");
    let resident = main.contains("常住") || note.contains("常住");
    match (registered, resident) {
        (true, false) => Some(Column::RegisteredPop),
        (false, _) => Some(Column::ResidentPop),
        (true, true) => None,
    }
}

/// An area header: `面积`, `行政区域面积`, `辖区总面积`. Parts (`耕地面积`, `建成区面积`) are not.
fn is_area(main: &str) -> bool {
    let mut rest = main.to_string();
    for w in [
        "行政区域",
        "行政区划",
        "行政区",
        "辖区",
        "区域",
        "国土",
        "土地",
        "总",
        "街道",
        "乡镇",
        "乡",
        "镇",
        "村",
        "社区",
    ] {
        rest = rest.replace(w, "");
    }
    rest == "面积"
}

/// A unit a header names, in brackets or after the name.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Unit {
    People(f64),
    Km2(f64),
}

impl Unit {
    /// Units, longest first so `平方公里` is not read as `公里`.
    const ALL: &[(&str, Unit)] = &[
        ("平方公里", Unit::Km2(1.0)),
        ("平方千米", Unit::Km2(1.0)),
        ("平方米", Unit::Km2(1e-6)),
        ("公顷", Unit::Km2(0.01)),
        ("万亩", Unit::Km2(10_000.0 / 1500.0)),
        ("亩", Unit::Km2(1.0 / 1500.0)),
        ("km²", Unit::Km2(1.0)),
        ("km2", Unit::Km2(1.0)),
        ("m²", Unit::Km2(1e-6)),
        ("m2", Unit::Km2(1e-6)),
        ("ha", Unit::Km2(0.01)),
        ("万人", Unit::People(10_000.0)),
        ("千人", Unit::People(1_000.0)),
        ("人", Unit::People(1.0)),
    ];

    fn find(text: &str) -> Option<Unit> {
        Self::ALL
            .iter()
            .find(|(w, _)| text.contains(w))
            .map(|(_, u)| *u)
    }

    /// Factor to people; 0 if the unit is not one of people.
    fn people(self) -> f64 {
        match self {
            Unit::People(f) => f,
            Unit::Km2(_) => 0.0,
        }
    }

    /// Factor to km²; 0 if the unit is not an area.
    fn km2(self) -> f64 {
        match self {
            Unit::Km2(f) => f,
            Unit::People(_) => 0.0,
        }
    }
}

/// Splits a unit written after the name without brackets (`面积平方公里`, `常住人口万人`).
fn strip_unit(main: &str) -> (String, Option<Unit>) {
    for (w, unit) in Unit::ALL {
        if let Some(rest) = main.strip_suffix(w)
            && (rest.ends_with("面积") || rest.ends_with("人口"))
        {
            return (rest.to_string(), Some(*unit));
        }
    }
    (main.to_string(), None)
}

/// The field each header of a table means, and the first field that two headers could both be
/// (never guessed: the caller reports it, naming both). An explicit `mapping` (field → header,
/// from `columns.toml` or the mapping dialog) wins over meaning, and a header it names for one
/// field is not read as another.
pub fn resolve(
    headers: &[String],
    table: TableKind,
    mapping: &[(Column, String)],
) -> (Vec<Option<Meaning>>, Option<Ambiguous>) {
    let mut out: Vec<Option<Meaning>> = vec![None; headers.len()];
    let mapped_header = |h: &str| mapping.iter().any(|(_, m)| normalise(m) == normalise(h));
    for (column, wanted) in mapping {
        if let Some(i) = headers
            .iter()
            .position(|h| normalise(h) == normalise(wanted))
        {
            let scale = meaning(&headers[i], table)
                .filter(|m| m.column == *column)
                .map_or(1.0, |m| m.scale);
            out[i] = Some(Meaning {
                column: *column,
                scale,
            });
        }
    }
    let mapped: Vec<Column> = mapping.iter().map(|(c, _)| *c).collect();
    for (i, h) in headers.iter().enumerate() {
        if out[i].is_some() || mapped_header(h) {
            continue;
        }
        out[i] = meaning(h, table).filter(|m| !mapped.contains(&m.column));
    }
    for (i, m) in out.iter().enumerate() {
        let Some(m) = m else { continue };
        let others: Vec<usize> = (i + 1..out.len())
            .filter(|&j| out[j].is_some_and(|o| o.column == m.column))
            .collect();
        if !others.is_empty() {
            let mut columns = vec![headers[i].clone()];
            columns.extend(others.iter().map(|&j| headers[j].clone()));
            let ambiguous = Ambiguous {
                column: m.column,
                headers: columns,
            };
            return (out, Some(ambiguous));
        }
    }
    (out, None)
}

/// Two or more headers could be the same field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ambiguous {
    pub column: Column,
    pub headers: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use TableKind::*;

    fn column(raw: &str, table: TableKind) -> Option<Column> {
        meaning(raw, table).map(|m| m.column)
    }

    #[test]
    fn the_forms_the_issue_names() {
        assert_eq!(column("街道（乡镇）名称", Townships), Some(Column::Name));
        assert_eq!(column("单位名称", Townships), Some(Column::Name));
        assert_eq!(column("单位代码", Townships), Some(Column::Code));
        assert_eq!(column("区划编码", Villages), Some(Column::Code));
        assert_eq!(
            column("所属县（市、区）代码", Townships),
            Some(Column::CountyCode)
        );
        assert_eq!(column("户籍总人口", Townships), Some(Column::RegisteredPop));
        assert_eq!(
            column("年末常住人口（人）", Villages),
            Some(Column::ResidentPop)
        );
        for unit in ["（人）", "(km²)", "（平方公里）"] {
            let area = format!("面积{unit}");
            let expected = (unit != "（人）").then_some(Column::AreaKm2);
            assert_eq!(column(&area, Townships), expected, "{area}");
        }
    }

    #[test]
    fn forms_from_public_statistical_tables() {
        // The NBS urban-rural division code tables (统计用区划代码和城乡划分代码).
        assert_eq!(column("统计用区划代码", Villages), Some(Column::Code));
        assert_eq!(column("城乡分类代码", Villages), Some(Column::Kind));
        // The Ministry of Civil Affairs' division code lists.
        assert_eq!(column("行政区划代码", Counties), Some(Column::Code));
        // The 7th census township tables (乡、镇、街道人口).
        assert_eq!(column("乡、镇、街道名称", Townships), Some(Column::Name));
        assert_eq!(column("地区", Townships), Some(Column::Name));
        // County yearbooks (中国县域统计年鉴·乡镇卷): units in 万人 and 公顷.
        let m = meaning("户籍人口（万人）", Townships).unwrap();
        assert_eq!((m.column, m.scale), (Column::RegisteredPop, 10_000.0));
        let m = meaning("行政区域面积(公顷)", Townships).unwrap();
        assert_eq!((m.column, m.scale), (Column::AreaKm2, 0.01));
        // Village rosters.
        assert_eq!(column("村（居）委会名称", Villages), Some(Column::Name));
        assert_eq!(column("社区（村）代码", Villages), Some(Column::Code));
        assert_eq!(
            column("所属乡镇（街道）", Villages),
            Some(Column::TownshipCode)
        );
        assert_eq!(column("乡镇代码", Villages), Some(Column::TownshipCode));
        assert_eq!(column("乡镇代码", Townships), Some(Column::Code));
        assert_eq!(column("所属市州名称", Counties), Some(Column::CityName));
        assert_eq!(column("地级市代码", Counties), Some(Column::CityCode));
        assert_eq!(column("驻地经度(E)", Townships), Some(Column::Lon));
        assert_eq!(column("纬度（N）", Townships), Some(Column::Lat));
        assert_eq!(
            column("2020年常住人口数", Townships),
            Some(Column::ResidentPop)
        );
        assert_eq!(
            column("总人口（户籍）", Townships),
            Some(Column::RegisteredPop)
        );
        assert_eq!(column("乡镇类型", Townships), Some(Column::Kind));
        assert_eq!(column("地貌类型", Townships), Some(Column::Terrain));
        let m = meaning("面积（亩）", Villages).unwrap();
        assert!((m.scale - 1.0 / 1500.0).abs() < 1e-12);
    }

    #[test]
    fn look_alikes_are_not_fields() {
        for h in [
            "序号",
            "邮政编码",
            "城镇人口",
            "乡村人口",
            "男性人口",
            "流动人口",
            "耕地面积",
            "建成区面积",
            "户数",
            "备注",
            "村代码",
            "村民小组名称",
            "乡村振兴",
            "镇区人口",
        ] {
            assert_eq!(column(h, Townships), None, "{h}");
        }
        // A village table's township name is not its code, nor its own name.
        assert_eq!(column("所属乡镇名称", Villages), None);
        assert_eq!(column("面积（万人）", Townships), None);
    }

    #[test]
    fn the_english_names_jianzhi_writes_still_resolve() {
        assert_eq!(column("Area_KM2", Townships), Some(Column::AreaKm2));
        assert_eq!(column("\u{feff}code", Townships), Some(Column::Code));
        assert_eq!(column("county_code", Townships), Some(Column::CountyCode));
        assert_eq!(
            column("township_code", Villages),
            Some(Column::TownshipCode)
        );
        assert_eq!(column("面积（平方公里）", Townships), Some(Column::AreaKm2));
        assert_eq!(column(" 常住人口 ", Townships), Some(Column::ResidentPop));
    }

    #[test]
    fn two_headers_for_one_field_are_named_not_guessed() {
        let headers: Vec<String> = ["代码", "名称", "人口", "常住人口"]
            .map(String::from)
            .to_vec();
        let err = resolve(&headers, Townships, &[]).1.unwrap();
        assert_eq!(err.column, Column::ResidentPop);
        assert_eq!(err.headers, ["人口", "常住人口"]);
        // A mapping settles it: the named header is the field, the other is not read.
        let (ok, none) = resolve(
            &headers,
            Townships,
            &[(Column::ResidentPop, "常住人口".into())],
        );
        assert_eq!(none, None);
        assert_eq!(ok[3].unwrap().column, Column::ResidentPop);
        assert_eq!(ok[2], None);
    }

    #[test]
    fn a_mapping_names_any_header() {
        let headers: Vec<String> = ["编", "乡镇", "县"].map(String::from).to_vec();
        let (resolved, _) = resolve(
            &headers,
            Townships,
            &[
                (Column::Code, "编".into()),
                (Column::CountyCode, "县".into()),
            ],
        );
        let columns: Vec<Option<Column>> = resolved.iter().map(|m| m.map(|m| m.column)).collect();
        assert_eq!(
            columns,
            [
                Some(Column::Code),
                Some(Column::Name),
                Some(Column::CountyCode)
            ]
        );
    }
}
