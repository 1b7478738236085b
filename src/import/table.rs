//! Reading a CSV/TSV table with Chinese or English headers into typed cells, with every
//! problem located by file, row and column.
//!
//! Headers are matched through one alias table ([`ALIASES`]), after normalising width and
//! case, so `面积（平方公里）`, `面积(平方公里)` and `area_km2` all name the area column. Title rows
//! above the header, blank rows and total rows (合计/总计) are skipped with a warning.

use std::cell::Cell;
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use crate::error::{ImportError, LoadError, Message, Problem, Problems};
use crate::import::text;
use crate::progress::{Progress, Step};
use crate::tr;

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

/// One data row: its line in the file and its trimmed fields.
#[derive(Debug, Clone)]
pub struct Row {
    pub line: u64,
    fields: csv::StringRecord,
}

/// Progress is published, and cancellation checked, every this many rows.
const PROGRESS_EVERY: u64 = 4096;
/// The header must be among this many first rows.
const HEADER_SEARCH: usize = 12;
/// Never cancelled: for reading tables outside a cancellable load.
static UNWATCHED: Progress = Progress::new();

fn not_in_encoding() -> Message {
    Message::new(
        "the text here is not in the file's encoding (neither UTF-8 nor GBK/GB18030, or a mix of both); save the whole file as UTF-8 or GBK",
        "此处文字不是该文件的编码（既非 UTF-8 也非 GBK/GB18030，或两者混用）；请把整个文件另存为 UTF-8 或 GBK",
    )
}

/// A table file being read: the header is resolved when it is opened, and the rows then stream
/// one at a time ([`Table::next_row`]), so a file of a million rows is never held in memory.
pub struct Table<'p> {
    pub file: PathBuf,
    pub encoding: text::TextEncoding,
    headers: Vec<String>,
    columns: HashMap<Column, usize>,
    reader: csv::Reader<Box<dyn Read>>,
    record: csv::ByteRecord,
    /// Rows after the header read while looking for it.
    ahead: VecDeque<Row>,
    bytes_read: Rc<Cell<u64>>,
    rows_read: u64,
    /// The file's size in bytes (0 if not known).
    size: u64,
    progress: &'p Progress,
}

impl fmt::Debug for Table<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Table")
            .field("file", &self.file)
            .field("encoding", &self.encoding)
            .field("headers", &self.headers)
            .finish_non_exhaustive()
    }
}

/// Counts the bytes read from a file, for progress.
struct Counting<R> {
    inner: R,
    count: Rc<Cell<u64>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

impl<'p> Table<'p> {
    /// Opens a table file and reads up to its header; `required` columns must all be in the
    /// header. Rows read later are counted in `progress` (see [`Table::start_progress`]), and a
    /// cancellation there stops the reading.
    pub fn open(
        path: &Path,
        required: &[Column],
        problems: &mut Problems,
        progress: &'p Progress,
    ) -> Result<Table<'p>, LoadError> {
        let cannot_read = |e: io::Error| {
            Problem::file(path, tr!("cannot read the file: {e}", "无法读取文件：{e}"))
        };
        let mut file = File::open(path).map_err(cannot_read)?;
        let size = file.metadata().map(|m| m.len()).unwrap_or(0);
        let encoding = text::sniff_encoding(&mut file).map_err(cannot_read)?;
        file.seek(SeekFrom::Start(0)).map_err(cannot_read)?;
        let mut table =
            Self::from_reader(path, Box::new(file), encoding, required, problems, progress)?;
        table.size = size;
        Ok(table)
    }

    /// Makes the rows read from now on the progress of `step`, sized by the file's bytes.
    pub fn start_progress(&self, step: Step) {
        self.progress.begin(step, self.size);
        self.progress.advance(self.bytes_read.get());
    }

    /// Reads a table from bytes as if read from `path` (which only names the file in messages).
    pub fn parse(
        path: &Path,
        bytes: &[u8],
        required: &[Column],
        problems: &mut Problems,
    ) -> Result<Table<'static>, ImportError> {
        let encoding = text::sniff_encoding(&mut &bytes[..])
            .map_err(|e| Problem::file(path, tr!("cannot read: {e}", "无法读取：{e}")))?;
        let raw = Box::new(io::Cursor::new(bytes.to_vec()));
        Table::from_reader(path, raw, encoding, required, problems, &UNWATCHED)
            .map_err(|e| e.into_import(path))
    }

    fn from_reader(
        path: &Path,
        raw: Box<dyn Read>,
        encoding: text::TextEncoding,
        required: &[Column],
        problems: &mut Problems,
        progress: &'p Progress,
    ) -> Result<Table<'p>, LoadError> {
        let bytes_read = Rc::new(Cell::new(0));
        let counting = Counting {
            inner: raw,
            count: bytes_read.clone(),
        };
        let mut decoded = text::decoding_reader(counting, encoding);
        let mut prefix = vec![0; 64 * 1024];
        let n = text::read_full(&mut decoded, &mut prefix).map_err(|e| {
            Problem::file(path, tr!("cannot read the file: {e}", "无法读取文件：{e}"))
        })?;
        prefix.truncate(n);
        let delimiter = text::sniff_delimiter(&String::from_utf8_lossy(&prefix));
        // Rows end at LF (a CR before it is trimmed with the last field), so record positions
        // are the line numbers an editor shows; old Mac files end rows with CR alone.
        let terminator = if !prefix.contains(&b'\n') && prefix.contains(&b'\r') {
            b'\r'
        } else {
            b'\n'
        };
        let decoded = io::Cursor::new(prefix).chain(decoded);
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .terminator(csv::Terminator::Any(terminator))
            .from_reader(Box::new(decoded) as Box<dyn Read>);
        let mut table = Table {
            file: path.to_path_buf(),
            encoding,
            headers: Vec::new(),
            columns: HashMap::new(),
            reader,
            record: csv::ByteRecord::new(),
            ahead: VecDeque::new(),
            bytes_read,
            rows_read: 0,
            size: 0,
            progress,
        };

        let mut first_rows: Vec<Row> = Vec::new();
        while first_rows.len() < HEADER_SEARCH {
            match table.read_record()? {
                Some(row) => first_rows.push(row),
                None => break,
            }
        }
        let is_blank = |row: &Row| row.fields.iter().all(str::is_empty);
        if first_rows.len() < HEADER_SEARCH && first_rows.iter().all(is_blank) {
            return Err(Problem::file(path, Message::new("the file is empty", "文件为空")).into());
        }
        let header_at = first_rows
            .iter()
            .position(|row| {
                required
                    .iter()
                    .all(|c| row.fields.iter().any(|f| column_for_header(f) == Some(*c)))
            })
            .ok_or_else(|| missing_header(path, &first_rows, required, delimiter))?;

        for row in first_rows[..header_at].iter().filter(|row| !is_blank(row)) {
            problems.warn(Problem::row(
                path,
                row.line,
                Message::new(
                    "skipped a title row above the header",
                    "已跳过表头上方的标题行",
                ),
            ));
        }
        let mut rest = first_rows.split_off(header_at);
        let header = rest.remove(0);
        table.headers = header.fields.iter().map(str::to_string).collect();
        for (i, h) in table.headers.iter().enumerate() {
            let Some(column) = column_for_header(h) else {
                continue;
            };
            if let Some(&first) = table.columns.get(&column) {
                return Err(Problem::row(
                    path,
                    header.line,
                    tr!(
                        "columns '{}' and '{}' both name the {} column; keep one",
                        "'{}' 和 '{}' 两列都表示 {} 列；请只保留一列",
                        table.headers[first],
                        h,
                        canonical_name(column)
                    ),
                )
                .into());
            }
            table.columns.insert(column, i);
        }
        table.ahead = rest.into();
        Ok(table)
    }

    /// The next record of the file as it stands, fields trimmed; `None` at the end.
    fn read_record(&mut self) -> Result<Option<Row>, LoadError> {
        let more = self
            .reader
            .read_byte_record(&mut self.record)
            .map_err(|e| {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                Problem::row(
                    &self.file,
                    line,
                    tr!("cannot parse the row: {e}", "无法解析该行：{e}"),
                )
            })?;
        if !more {
            self.progress.advance(self.bytes_read.get());
            return Ok(None);
        }
        self.rows_read += 1;
        if self.rows_read % PROGRESS_EVERY == 0 {
            self.progress.advance(self.bytes_read.get());
            self.progress.check()?;
        }
        let line = self.record.position().map(|p| p.line()).unwrap_or(0);
        let mut fields = csv::StringRecord::from_byte_record(std::mem::take(&mut self.record))
            .map_err(|_| Problem::row(&self.file, line, not_in_encoding()))?;
        // Decoders mark the bytes they could not decode with U+FFFD.
        if self.encoding != text::TextEncoding::Utf8
            && self.encoding != text::TextEncoding::Utf8Bom
            && fields.iter().any(|f| f.contains('\u{FFFD}'))
        {
            return Err(Problem::row(&self.file, line, not_in_encoding()).into());
        }
        fields.trim();
        Ok(Some(Row { line, fields }))
    }

    /// The next data row. Blank and total rows are skipped (totals with a warning); rows that
    /// cannot be data (an overlong or multi-line field, too many fields) are reported and
    /// skipped. `None` at the end of the file.
    pub fn next_row(&mut self, problems: &mut Problems) -> Result<Option<Row>, LoadError> {
        loop {
            let row = match self.ahead.pop_front() {
                Some(row) => row,
                None => match self.read_record()? {
                    Some(row) => row,
                    None => return Ok(None),
                },
            };
            if self.usable(&row, problems) {
                return Ok(Some(row));
            }
        }
    }

    /// Whether a row read after the header is a data row; reports why not if it is bad.
    fn usable(&self, row: &Row, problems: &mut Problems) -> bool {
        let fields = &row.fields;
        let header = |i: usize| self.headers.get(i).map(String::as_str).unwrap_or("?");
        if fields.iter().all(str::is_empty) {
            return false;
        }
        if let Some(long) = fields
            .iter()
            .position(|f| f.chars().count() > MAX_FIELD_CHARS)
        {
            problems.error(Problem::cell(
                &self.file,
                row.line,
                header(long),
                tr!(
                    "the field is longer than {MAX_FIELD_CHARS} characters (a quote left open?)",
                    "该字段超过 {MAX_FIELD_CHARS} 个字符（引号未闭合？）"
                ),
            ));
            return false;
        }
        if let Some(multi) = fields.iter().position(|f| f.contains('\n')) {
            problems.error(Problem::cell(
                &self.file,
                row.line,
                header(multi),
                Message::new(
                    "the field runs over several lines: a quote is probably left open here",
                    "该字段跨越多行：这里可能有未闭合的引号",
                ),
            ));
            return false;
        }
        if fields.len() > self.headers.len()
            && fields
                .iter()
                .skip(self.headers.len())
                .any(|f| !f.is_empty())
        {
            problems.error(Problem::row(
                &self.file,
                row.line,
                tr!(
                    "the row has {} fields but the header has {}",
                    "该行有 {} 个字段，表头只有 {} 个",
                    fields.len(),
                    self.headers.len()
                ),
            ));
            return false;
        }
        let code_is_not_a_code = self.columns.get(&Column::Code).is_none_or(|&i| {
            fields
                .get(i)
                .is_none_or(|f| f.is_empty() || is_total_label(f))
        });
        if code_is_not_a_code && fields.iter().any(is_total_label) {
            problems.warn(Problem::row(
                &self.file,
                row.line,
                Message::new("skipped a total row", "已跳过合计行"),
            ));
            return false;
        }
        true
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
        row.fields.get(i).filter(|s| !s.is_empty())
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
                    empty(),
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
                    empty(),
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
            Ok(v) if column == Column::Lat && (70.0..=140.0).contains(&v) => tr!(
                "{raw} is a longitude, not a latitude: are the longitude and latitude columns swapped?",
                "{raw} 是经度而不是纬度：经度和纬度两列是否颠倒了？"
            ),
            Ok(v) if v.is_finite() && v.abs() > 1000.0 => tr!(
                "{raw} is not a longitude/latitude in degrees (projected metres?); convert to WGS84 lon/lat",
                "{raw} 不是以度为单位的经纬度（投影坐标，单位米？）；请转换为 WGS84 经纬度"
            ),
            Ok(_) => tr!(
                "{raw} is out of range for degrees (±{limit})",
                "{raw} 超出度数范围（±{limit}）"
            ),
            Err(_) => tr!("not a number: '{raw}'", "不是数字：'{raw}'"),
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

/// The error for a file whose first rows have no header with the required columns.
fn missing_header(path: &Path, first_rows: &[Row], required: &[Column], delimiter: u8) -> Problem {
    let first = first_rows.first().map(|row| row.line).unwrap_or(1);
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
    let hint = match unsupported_separator(first_rows) {
        Some(sep) => tr!(
            " (the fields seem separated by '{sep}'; save the table as CSV with commas, tabs or semicolons)",
            "（字段似乎以 '{sep}' 分隔；请另存为以逗号、制表符或分号分隔的 CSV）"
        ),
        None if delimiter == b',' => Message::new("", ""),
        None => Message::new(
            " (fields were split on a tab or semicolon)",
            "（字段按制表符或分号拆分）",
        ),
    };
    let wanted = wanted.join(", ");
    Problem::row(
        path,
        first,
        Message::new(
            format!(
                "no header row with the required columns {wanted} was found in the first rows{}",
                hint.en
            ),
            format!("前几行中没有含必需列 {wanted} 的表头{}", hint.zh),
        ),
    )
}

/// A separator the reader does not split on (`|`, a full-width comma or `、`) found in the
/// first rows that did not split at all (two of them, or the only row).
fn unsupported_separator(first_rows: &[Row]) -> Option<char> {
    let unsplit: Vec<&str> = first_rows
        .iter()
        .filter(|row| row.fields.len() == 1)
        .filter_map(|row| row.fields.get(0))
        .collect();
    let needed = first_rows.len().clamp(1, 2);
    ['|', '，', '、']
        .into_iter()
        .find(|&sep| unsplit.iter().filter(|line| line.contains(sep)).count() >= needed)
}

/// "empty", for a required cell left blank.
pub fn empty() -> Message {
    Message::new("empty", "为空")
}

fn is_total_label(field: &str) -> bool {
    let f = field.trim();
    ["合计", "总计", "小计", "total", "Total", "TOTAL"]
        .iter()
        .any(|t| f == *t || f.starts_with(t))
}

/// Checks a division code: letters, digits, `-` or `_`; rejects codes Excel made numeric.
pub fn check_code(code: &str) -> Result<(), Message> {
    let looks_scientific = code.contains(['e', 'E'])
        && code
            .replace(['e', 'E', '+', '.', '-'], "")
            .chars()
            .all(|c| c.is_ascii_digit())
        && code.parse::<f64>().is_ok();
    if looks_scientific {
        return Err(tr!(
            "code '{code}' is a number in scientific notation (Excel converts long codes); format the column as text and export again",
            "代码 '{code}' 是科学计数法数字（Excel 会转换长代码）；请把该列设为文本格式后重新导出"
        ));
    }
    if code.ends_with(".0") && code[..code.len() - 2].chars().all(|c| c.is_ascii_digit()) {
        return Err(tr!(
            "code '{code}' was stored as a number; format the column as text and export again",
            "代码 '{code}' 被存成了数字；请把该列设为文本格式后重新导出"
        ));
    }
    if !code
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(tr!(
            "code '{code}' has characters other than letters, digits, '-' and '_'",
            "代码 '{code}' 含有字母、数字、'-' 和 '_' 以外的字符"
        ));
    }
    Ok(())
}

/// Parses a non-negative finite number, accepting thousands separators (`12,345`).
pub fn parse_number(raw: &str) -> Result<f64, Message> {
    let cleaned: String = raw.chars().filter(|&c| c != ',' && c != '，').collect();
    match cleaned.trim().parse::<f64>() {
        Ok(v) if !v.is_finite() => Err(tr!("'{raw}' is not a finite number", "'{raw}' 不是有限数")),
        Ok(v) if v < 0.0 => Err(tr!("{raw} is negative", "{raw} 是负数")),
        Ok(v) => Ok(v),
        Err(_) => Err(tr!("not a number: '{raw}'", "不是数字：'{raw}'")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str, required: &[Column]) -> (Result<Table<'static>, ImportError>, Problems) {
        parse_bytes(text.as_bytes(), required)
    }

    fn parse_bytes(
        bytes: &[u8],
        required: &[Column],
    ) -> (Result<Table<'static>, ImportError>, Problems) {
        let mut problems = Problems::default();
        let t = Table::parse(Path::new("t.csv"), bytes, required, &mut problems);
        (t, problems)
    }

    /// The number of data rows of a file, or the first error that stopped the reading.
    fn read_all(bytes: &[u8]) -> Result<usize, String> {
        let (t, mut problems) = parse_bytes(bytes, &[Column::Code]);
        let mut t = t.map_err(|e| e.to_string())?;
        match rows(&mut t, &mut problems) {
            (rows, None) => Ok(rows.len()),
            (_, Some(e)) => Err(e.into_import(Path::new("t.csv")).to_string()),
        }
    }

    /// Every data row of a table, and the first error that stopped the reading.
    fn rows(table: &mut Table, problems: &mut Problems) -> (Vec<Row>, Option<LoadError>) {
        let mut rows = Vec::new();
        loop {
            match table.next_row(problems) {
                Ok(Some(row)) => rows.push(row),
                Ok(None) => return (rows, None),
                Err(e) => return (rows, Some(e)),
            }
        }
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
        let (mut t, mut problems) = (t.unwrap(), problems);
        let (rows, stop) = rows(&mut t, &mut problems);
        assert!(stop.is_none());
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].line, 3);
        assert_eq!(t.text(&rows[0], Column::Name), Some("督院街"));
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
    fn a_table_split_on_an_unsupported_separator_says_so() {
        for (text, sep) in [
            ("code|name\n1|x\n2|y\n", "'|'"),
            ("代码，名称\n1，x\n", "'，'"),
        ] {
            let (t, _) = parse(text, &[Column::Code]);
            let message = t.unwrap_err().to_string();
            assert!(
                message.contains(&format!("separated by {sep}")),
                "{message}"
            );
        }
        let (t, _) = parse("a,b\n1,2\n", &[Column::Code]);
        assert!(!t.unwrap_err().to_string().contains("separated by"));
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
                .en
                .contains("scientific")
        );
        assert!(
            check_code("510104020.0")
                .unwrap_err()
                .en
                .contains("stored as a number")
        );
        assert!(check_code("51 01").is_err());
    }

    #[test]
    fn numbers_reject_negative_and_nan() {
        assert_eq!(parse_number("12,345"), Ok(12345.0));
        assert!(parse_number("-1").unwrap_err().en.contains("negative"));
        assert!(parse_number("NaN").unwrap_err().en.contains("finite"));
        assert!(parse_number("abc").unwrap_err().en.contains("not a number"));
    }

    #[test]
    fn cells_report_row_and_header() {
        let (t, mut problems) = parse("代码,常住人口\n1,abc\n", &[Column::Code]);
        let mut t = t.unwrap();
        let (rows, _) = rows(&mut t, &mut problems);
        assert!(
            t.number(&rows[0], Column::ResidentPop, &mut problems)
                .is_err()
        );
        assert_eq!(
            problems.errors[0].to_string(),
            "t.csv: row 2, column '常住人口': not a number: 'abc'"
        );
    }

    #[test]
    fn open_quote_is_reported_at_its_row() {
        let (t, mut problems) = parse("代码,名称\n1,\"open\n2,x\n3,y\n", &[Column::Code]);
        let (rows, stop) = rows(&mut t.unwrap(), &mut problems);
        assert!(stop.is_none() && rows.is_empty());
        assert!(
            problems.errors[0].to_string().contains("row 2"),
            "{:?}",
            problems.errors
        );
    }

    #[test]
    fn utf8_text_with_a_gbk_row_is_refused_at_that_row() {
        // Far into a file, or among the first rows read to find the header.
        for lead in [0, 20_000] {
            let mut file = "代码,名称\n".to_string() + &"1,锦江区\n".repeat(lead + 1);
            let mut bytes = std::mem::take(&mut file).into_bytes();
            bytes.extend_from_slice(&encoding_rs::GB18030.encode("2,金堂县\n").0);
            let message = read_all(&bytes).unwrap_err();
            let expected = format!(
                "t.csv: row {}: the text here is not in the file's encoding",
                lead + 3
            );
            assert!(message.contains(&expected), "{message}");
        }
    }

    #[test]
    fn gbk_file_with_undecodable_bytes_is_refused_at_that_row() {
        let mut bytes = encoding_rs::GB18030
            .encode("代码,名称\r\n1,锦江区\r\n2,")
            .0
            .to_vec();
        bytes.extend_from_slice(&[0x81, 0x20, b'\r', b'\n']);
        let message = read_all(&bytes).unwrap_err();
        assert!(message.contains("t.csv: row 3: the text here"), "{message}");
    }

    #[test]
    fn crlf_rows_keep_editor_line_numbers_and_lose_the_cr() {
        let (t, mut problems) = parse("代码,名称\r\n1,a\r\n\r\n2,\"b\"\r\n", &[Column::Code]);
        let mut t = t.unwrap();
        let (rows, _) = rows(&mut t, &mut problems);
        let seen: Vec<(u64, Option<&str>)> = rows
            .iter()
            .map(|r| (r.line, t.text(r, Column::Name)))
            .collect();
        assert_eq!(seen, vec![(2, Some("a")), (4, Some("b"))]);
    }

    #[test]
    fn progress_counts_bytes_and_cancel_stops_reading() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.csv");
        let mut text = String::from("代码,名称\n");
        for i in 0..20_000 {
            text.push_str(&format!("{i},村{i}\n"));
        }
        std::fs::write(&path, &text).unwrap();
        let progress = Progress::new();
        let mut problems = Problems::default();
        let mut t = Table::open(&path, &[Column::Code], &mut problems, &progress).unwrap();
        t.start_progress(Step::Villages);
        let mut read = 0;
        while read < 5_000 {
            t.next_row(&mut problems).unwrap().unwrap();
            read += 1;
        }
        let half_way = progress.snapshot();
        assert_eq!(half_way.step, Step::Villages);
        let fraction = half_way.fraction.unwrap();
        assert!(fraction > 0.0 && fraction < 1.0, "{fraction}");
        progress.cancel();
        let (more, stop) = rows(&mut t, &mut problems);
        assert_eq!(stop, Some(LoadError::Cancelled));
        assert!(
            more.len() < PROGRESS_EVERY as usize,
            "{} rows after cancel",
            more.len()
        );
    }
}
