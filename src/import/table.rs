//! Reading a CSV/TSV table with Chinese or English headers into typed cells, with every
//! problem located by file, row and column.
//!
//! Headers are matched through one alias table ([`ALIASES`]), after normalising width and
//! case, so `面积（平方公里）`, `面积(平方公里)` and `area_km2` all name the area column. Title rows
//! above the header, blank rows and total rows (合计/总计) are skipped with a warning.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::error::{ImportError, Problem, Problems};
use crate::import::text;

/// The columns Jianzhi understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    Code,
    Name,
    CountyCode,
    TownshipCode,
    CityCode,
    CityName,
    Kind,
    Lon,
    Lat,
    AreaKm2,
    RegisteredPop,
    ResidentPop,
    Terrain,
}

/// Header aliases, after normalisation (lower case, ASCII parentheses, no spaces).
/// This table is the documented contract for users' files: keep README.md in step.
pub const ALIASES: &[(Column, &[&str])] = &[
    (
        Column::Code,
        &[
            "code",
            "代码",
            "区划代码",
            "统计用区划代码",
            "行政区划代码",
            "编码",
            "编号",
        ],
    ),
    (
        Column::Name,
        &["name", "名称", "名字", "单位名称", "区划名称"],
    ),
    (
        Column::CountyCode,
        &[
            "county_code",
            "county",
            "所属区县代码",
            "区县代码",
            "所属区县",
            "县代码",
            "县级代码",
        ],
    ),
    (
        Column::TownshipCode,
        &[
            "township_code",
            "township",
            "所属乡镇代码",
            "乡镇代码",
            "所属乡镇",
            "所属乡镇街道",
        ],
    ),
    (
        Column::CityCode,
        &["city_code", "所属市州代码", "市州代码", "市代码"],
    ),
    (
        Column::CityName,
        &["city_name", "city", "所属市州", "市州", "市州名称"],
    ),
    (Column::Kind, &["kind", "type", "类型", "类别", "性质"]),
    (
        Column::Lon,
        &["lon", "lng", "longitude", "经度", "驻地经度", "中心经度"],
    ),
    (
        Column::Lat,
        &["lat", "latitude", "纬度", "驻地纬度", "中心纬度"],
    ),
    (
        Column::AreaKm2,
        &[
            "area_km2",
            "area",
            "面积",
            "面积(平方公里)",
            "面积(km2)",
            "面积(km²)",
            "辖区面积",
        ],
    ),
    (
        Column::RegisteredPop,
        &[
            "registered_pop",
            "hukou_pop",
            "户籍人口",
            "户籍人口(人)",
            "户籍人口数",
        ],
    ),
    (
        Column::ResidentPop,
        &[
            "resident_pop",
            "population",
            "常住人口",
            "常住人口(人)",
            "常住人口数",
        ],
    ),
    (Column::Terrain, &["terrain", "地形", "地貌", "地形类别"]),
];

/// Fields longer than this are rejected: a sign of a quote left open or a binary file.
const MAX_FIELD_CHARS: usize = 4096;

/// Normalises a header for matching: trims, drops a BOM, folds full-width parentheses and
/// letters to ASCII, lower-cases and removes spaces.
pub fn normalise_header(raw: &str) -> String {
    raw.trim()
        .trim_start_matches('\u{feff}')
        .chars()
        .filter_map(|c| match c {
            '（' => Some('('),
            '）' => Some(')'),
            c if c.is_whitespace() => None,
            // Full-width ASCII (Ａ..ｚ, ０..９) to half-width.
            c if ('\u{ff01}'..='\u{ff5e}').contains(&c) => {
                char::from_u32(c as u32 - 0xfee0).map(|c| c.to_ascii_lowercase())
            }
            c => Some(c.to_ascii_lowercase()),
        })
        .collect()
}

/// The column a header names, if any.
pub fn column_for_header(raw: &str) -> Option<Column> {
    let norm = normalise_header(raw);
    ALIASES
        .iter()
        .find(|(_, names)| names.contains(&norm.as_str()))
        .map(|(c, _)| *c)
}

/// The first (canonical) name of a column, for messages.
pub fn canonical_name(column: Column) -> &'static str {
    ALIASES
        .iter()
        .find(|(c, _)| *c == column)
        .map(|(_, names)| names[0])
        .unwrap_or("?")
}

/// A cell was bad and the problem has been recorded; the caller skips the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reported;

/// One data row: its line in the file and its fields.
#[derive(Debug, Clone)]
pub struct Row {
    pub line: u64,
    fields: Vec<String>,
}

/// A decoded table with its columns resolved.
#[derive(Debug)]
pub struct Table {
    pub file: PathBuf,
    pub encoding: text::TextEncoding,
    headers: Vec<String>,
    columns: HashMap<Column, usize>,
    pub rows: Vec<Row>,
}

impl Table {
    /// Reads and decodes a table file; `required` columns must all be present in the header.
    pub fn read(
        path: &Path,
        required: &[Column],
        problems: &mut Problems,
    ) -> Result<Table, ImportError> {
        let bytes = std::fs::read(path)
            .map_err(|e| Problem::file(path, format!("cannot read the file: {e}")))?;
        Self::parse(path, &bytes, required, problems)
    }

    /// Parses table bytes as if read from `path` (which only names the file in messages).
    pub fn parse(
        path: &Path,
        bytes: &[u8],
        required: &[Column],
        problems: &mut Problems,
    ) -> Result<Table, ImportError> {
        let (content, encoding) = text::decode(bytes).map_err(|offset| {
            Problem::row(
                path,
                text::line_of_offset(bytes, offset),
                "the text here is not in the file's encoding (neither UTF-8 nor GBK/GB18030, or a mix of both); save the whole file as UTF-8 or GBK",
            )
        })?;
        if content.trim().is_empty() {
            return Err(Problem::file(path, "the file is empty").into());
        }
        // The csv crate counts a record after CRLF as still on the previous line; with plain
        // LF line ends, record positions are the line numbers an editor shows.
        let content = content.replace("\r\n", "\n").replace('\r', "\n");
        let delimiter = text::sniff_delimiter(&content);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(content.as_bytes());

        let mut records: Vec<(u64, Vec<String>)> = Vec::new();
        for result in reader.records() {
            let record = result.map_err(|e| {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                Problem::row(path, line, format!("cannot parse the row: {e}"))
            })?;
            let line = record.position().map(|p| p.line()).unwrap_or(0);
            let fields: Vec<String> = record.iter().map(|f| f.trim().to_string()).collect();
            records.push((line, fields));
        }

        let header_at = find_header(&records, required).ok_or_else(|| {
            let first = records.first().map(|(l, _)| *l).unwrap_or(1);
            let wanted: Vec<String> = required
                .iter()
                .map(|c| {
                    let names = ALIASES
                        .iter()
                        .find(|(k, _)| k == c)
                        .map(|(_, n)| n.join("/"))
                        .unwrap_or_default();
                    format!("[{names}]")
                })
                .collect();
            let delimiter_hint = if delimiter == b',' {
                ""
            } else {
                " (fields were split on a tab or semicolon)"
            };
            Problem::row(
                path,
                first,
                format!(
                    "no header row with the required columns {} was found in the first rows{delimiter_hint}",
                    wanted.join(", ")
                ),
            )
        })?;

        let (header_line, headers) = records[header_at].clone();
        for (line, _) in records[..header_at]
            .iter()
            .filter(|(_, f)| f.iter().any(|s| !s.is_empty()))
        {
            problems.warn(Problem::row(
                path,
                *line,
                "skipped a title row above the header",
            ));
        }
        let mut columns: HashMap<Column, usize> = HashMap::new();
        for (i, h) in headers.iter().enumerate() {
            let Some(column) = column_for_header(h) else {
                continue;
            };
            if let Some(&first) = columns.get(&column) {
                return Err(Problem::row(
                    path,
                    header_line,
                    format!(
                        "columns '{}' and '{}' both name the {} column; keep one",
                        headers[first],
                        h,
                        canonical_name(column)
                    ),
                )
                .into());
            }
            columns.insert(column, i);
        }

        let mut rows = Vec::with_capacity(records.len().saturating_sub(header_at + 1));
        let mut bad = Problems::default();
        for (line, fields) in records.into_iter().skip(header_at + 1) {
            if fields.iter().all(|f| f.is_empty()) {
                continue;
            }
            if let Some(long) = fields
                .iter()
                .position(|f| f.chars().count() > MAX_FIELD_CHARS)
            {
                bad.error(Problem::cell(
                    path,
                    line,
                    headers.get(long).map(String::as_str).unwrap_or("?"),
                    format!(
                        "the field is longer than {MAX_FIELD_CHARS} characters (a quote left open?)"
                    ),
                ));
                continue;
            }
            if let Some(multi) = fields.iter().position(|f| f.contains('\n')) {
                bad.error(Problem::cell(
                    path,
                    line,
                    headers.get(multi).map(String::as_str).unwrap_or("?"),
                    "the field runs over several lines: a quote is probably left open here",
                ));
                continue;
            }
            if fields.len() > headers.len() && fields[headers.len()..].iter().any(|f| !f.is_empty())
            {
                bad.error(Problem::row(
                    path,
                    line,
                    format!(
                        "the row has {} fields but the header has {}",
                        fields.len(),
                        headers.len()
                    ),
                ));
                continue;
            }
            let code_is_not_a_code = columns.get(&Column::Code).is_none_or(|&i| {
                fields
                    .get(i)
                    .is_none_or(|f| f.is_empty() || is_total_label(f))
            });
            if code_is_not_a_code && fields.iter().any(|f| is_total_label(f)) {
                problems.warn(Problem::row(path, line, "skipped a total row"));
                continue;
            }
            rows.push(Row { line, fields });
        }
        problems.errors.append(&mut bad.errors);
        Ok(Table {
            file: path.to_path_buf(),
            encoding,
            headers,
            columns,
            rows,
        })
    }

    /// Whether the file has this column.
    pub fn has(&self, column: Column) -> bool {
        self.columns.contains_key(&column)
    }

    /// The header of a column as written in the file (or its canonical name if absent).
    pub fn header(&self, column: Column) -> &str {
        self.columns
            .get(&column)
            .map(|&i| self.headers[i].as_str())
            .unwrap_or_else(|| canonical_name(column))
    }

    /// The trimmed text of a cell; `None` if the column is absent or the cell empty.
    pub fn text<'a>(&self, row: &'a Row, column: Column) -> Option<&'a str> {
        let i = *self.columns.get(&column)?;
        row.fields
            .get(i)
            .map(String::as_str)
            .filter(|s| !s.is_empty())
    }

    /// A required text cell: an error if empty.
    pub fn required_text(
        &self,
        row: &Row,
        column: Column,
        problems: &mut Problems,
    ) -> Option<String> {
        match self.text(row, column) {
            Some(s) => Some(s.to_string()),
            None => {
                problems.error(Problem::cell(
                    &self.file,
                    row.line,
                    self.header(column),
                    "empty",
                ));
                None
            }
        }
    }

    /// A division code, kept as text. Codes that Excel turned into numbers are rejected.
    pub fn code(&self, row: &Row, column: Column, problems: &mut Problems) -> Option<String> {
        let raw = self.required_text(row, column, problems)?;
        match check_code(&raw) {
            Ok(()) => Some(raw),
            Err(message) => {
                problems.error(Problem::cell(
                    &self.file,
                    row.line,
                    self.header(column),
                    message,
                ));
                None
            }
        }
    }

    /// A non-negative finite number; `Ok(None)` if the cell is empty or the column absent.
    pub fn number(
        &self,
        row: &Row,
        column: Column,
        problems: &mut Problems,
    ) -> Result<Option<f64>, Reported> {
        let Some(raw) = self.text(row, column) else {
            return Ok(None);
        };
        match parse_number(raw) {
            Ok(v) => Ok(Some(v)),
            Err(message) => {
                problems.error(Problem::cell(
                    &self.file,
                    row.line,
                    self.header(column),
                    message,
                ));
                Err(Reported)
            }
        }
    }

    /// A number that must be present (non-negative, finite).
    pub fn required_number(
        &self,
        row: &Row,
        column: Column,
        problems: &mut Problems,
    ) -> Option<f64> {
        match self.number(row, column, problems) {
            Ok(Some(v)) => Some(v),
            Ok(None) => {
                problems.error(Problem::cell(
                    &self.file,
                    row.line,
                    self.header(column),
                    "empty",
                ));
                None
            }
            Err(Reported) => None,
        }
    }

    /// A longitude or latitude in degrees, checked for range. Projected metres are rejected.
    pub fn coordinate(
        &self,
        row: &Row,
        column: Column,
        problems: &mut Problems,
    ) -> Result<Option<f64>, Reported> {
        let Some(raw) = self.text(row, column) else {
            return Ok(None);
        };
        let limit = if column == Column::Lon { 180.0 } else { 90.0 };
        let message = match raw.parse::<f64>() {
            Ok(v) if v.is_finite() && v.abs() <= limit => return Ok(Some(v)),
            Ok(v) if column == Column::Lat && (70.0..=140.0).contains(&v) => format!(
                "{raw} is a longitude, not a latitude: are the longitude and latitude columns swapped?"
            ),
            Ok(v) if v.is_finite() && v.abs() > 1000.0 => format!(
                "{raw} is not a longitude/latitude in degrees (projected metres?); convert to WGS84 lon/lat"
            ),
            Ok(_) => format!("{raw} is out of range for degrees (±{limit})"),
            Err(_) => format!("not a number: '{raw}'"),
        };
        problems.error(Problem::cell(
            &self.file,
            row.line,
            self.header(column),
            message,
        ));
        Err(Reported)
    }
}

/// Finds the header among the first rows: the first row that names every required column.
fn find_header(records: &[(u64, Vec<String>)], required: &[Column]) -> Option<usize> {
    records.iter().take(12).position(|(_, fields)| {
        required
            .iter()
            .all(|c| fields.iter().any(|f| column_for_header(f) == Some(*c)))
    })
}

fn is_total_label(field: &str) -> bool {
    let f = field.trim();
    ["合计", "总计", "小计", "total", "Total", "TOTAL"]
        .iter()
        .any(|t| f == *t || f.starts_with(t))
}

/// Checks a division code: letters, digits, `-` or `_`; rejects codes Excel made numeric.
pub fn check_code(code: &str) -> Result<(), String> {
    let looks_scientific = code.contains(['e', 'E'])
        && code
            .replace(['e', 'E', '+', '.', '-'], "")
            .chars()
            .all(|c| c.is_ascii_digit())
        && code.parse::<f64>().is_ok();
    if looks_scientific {
        return Err(format!(
            "code '{code}' is a number in scientific notation (Excel converts long codes); format the column as text and export again"
        ));
    }
    if code.ends_with(".0") && code[..code.len() - 2].chars().all(|c| c.is_ascii_digit()) {
        return Err(format!(
            "code '{code}' was stored as a number; format the column as text and export again"
        ));
    }
    if !code
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(format!(
            "code '{code}' has characters other than letters, digits, '-' and '_'"
        ));
    }
    Ok(())
}

/// Parses a non-negative finite number, accepting thousands separators (`12,345`).
pub fn parse_number(raw: &str) -> Result<f64, String> {
    let cleaned: String = raw.chars().filter(|&c| c != ',' && c != '，').collect();
    match cleaned.trim().parse::<f64>() {
        Ok(v) if !v.is_finite() => Err(format!("'{raw}' is not a finite number")),
        Ok(v) if v < 0.0 => Err(format!("{raw} is negative")),
        Ok(v) => Ok(v),
        Err(_) => Err(format!("not a number: '{raw}'")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str, required: &[Column]) -> (Result<Table, ImportError>, Problems) {
        let mut problems = Problems::default();
        let t = Table::parse(Path::new("t.csv"), text.as_bytes(), required, &mut problems);
        (t, problems)
    }

    #[test]
    fn chinese_headers_with_full_width_parentheses_resolve() {
        assert_eq!(column_for_header("面积（平方公里）"), Some(Column::AreaKm2));
        assert_eq!(column_for_header(" 常住人口 "), Some(Column::ResidentPop));
        assert_eq!(column_for_header("\u{feff}代码"), Some(Column::Code));
        assert_eq!(column_for_header("Area_KM2"), Some(Column::AreaKm2));
        assert_eq!(column_for_header("备注"), None);
    }

    #[test]
    fn title_rows_blank_rows_and_totals_are_skipped() {
        let (t, problems) = parse(
            "四川省乡镇统计表,,\r\n代码,名称,常住人口\r\n510104020,督院街,100\r\n,,\r\n合计,,100\r\n",
            &[Column::Code, Column::Name],
        );
        let t = t.unwrap();
        assert_eq!(t.rows.len(), 1);
        assert_eq!(t.rows[0].line, 3);
        assert_eq!(problems.warnings.len(), 2, "{:?}", problems.warnings);
        assert!(problems.warnings[0].to_string().contains("row 1"));
        assert!(problems.warnings[1].to_string().contains("row 5"));
    }

    #[test]
    fn missing_header_lists_the_aliases() {
        let (t, _) = parse("a,b\n1,2\n", &[Column::Code]);
        let message = t.unwrap_err().to_string();
        assert!(message.contains("代码"), "{message}");
    }

    #[test]
    fn duplicated_column_is_an_error() {
        let (t, _) = parse("代码,code,名称\n1,1,x\n", &[Column::Code]);
        let message = t.unwrap_err().to_string();
        assert!(message.contains("both name the code column"), "{message}");
    }

    #[test]
    fn codes_from_excel_floats_are_rejected() {
        assert!(check_code("510104020").is_ok());
        assert!(
            check_code("5.10104E+11")
                .unwrap_err()
                .contains("scientific")
        );
        assert!(
            check_code("510104020.0")
                .unwrap_err()
                .contains("stored as a number")
        );
        assert!(check_code("51 01").is_err());
    }

    #[test]
    fn numbers_reject_negative_and_nan() {
        assert_eq!(parse_number("12,345"), Ok(12345.0));
        assert!(parse_number("-1").unwrap_err().contains("negative"));
        assert!(parse_number("NaN").unwrap_err().contains("finite"));
        assert!(parse_number("abc").unwrap_err().contains("not a number"));
    }

    #[test]
    fn cells_report_row_and_header() {
        let (t, _) = parse("代码,常住人口\n1,abc\n", &[Column::Code]);
        let t = t.unwrap();
        let mut problems = Problems::default();
        assert!(
            t.number(&t.rows[0], Column::ResidentPop, &mut problems)
                .is_err()
        );
        assert_eq!(
            problems.errors[0].to_string(),
            "t.csv: row 2, column '常住人口': not a number: 'abc'"
        );
    }

    #[test]
    fn open_quote_is_reported_at_its_row() {
        let (t, problems) = parse("代码,名称\n1,\"open\n2,x\n3,y\n", &[Column::Code]);
        assert!(t.is_ok());
        assert!(
            problems.errors[0].to_string().contains("row 2"),
            "{:?}",
            problems.errors
        );
    }
}
