//! Reading a CSV/TSV table with Chinese or English headers into typed cells, with every
//! problem located by file, row and column.
//!
//! Headers are matched by meaning ([`header`]), so `面积（平方公里）`, `行政区域面积(公顷)` and
//! `area_km2` all name the area column, or through an explicit mapping (`columns.toml`). Title
//! rows above the header, blank rows and total rows (合计/总计) are skipped with a warning. A
//! workbook (`.xlsx`, `.xls`, `.ods`) is read through calamine with the same rules and Excel's
//! row numbers.

use std::cell::Cell;
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use crate::error::{Message, Problem};
use crate::import::header::{self, TableKind};
use crate::import::text;
use crate::import::{ColumnsProblem, ImportError, LoadError, Problems};
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
    /// A neighbour table's second code.
    NeighbourCode,
}

impl Column {
    /// Every column, in the order the mapping dialog and `columns.toml` list them.
    pub const ALL: [Column; 14] = [
        Column::Code,
        Column::Name,
        Column::CountyCode,
        Column::TownshipCode,
        Column::CityCode,
        Column::CityName,
        Column::Kind,
        Column::Lon,
        Column::Lat,
        Column::AreaKm2,
        Column::RegisteredPop,
        Column::ResidentPop,
        Column::Terrain,
        Column::NeighbourCode,
    ];

    /// The column's key in `columns.toml` and its English header in Jianzhi's own files.
    pub fn key(self) -> &'static str {
        match self {
            Column::Code => "code",
            Column::Name => "name",
            Column::CountyCode => "county_code",
            Column::TownshipCode => "township_code",
            Column::CityCode => "city_code",
            Column::CityName => "city_name",
            Column::Kind => "kind",
            Column::Lon => "lon",
            Column::Lat => "lat",
            Column::AreaKm2 => "area_km2",
            Column::RegisteredPop => "registered_pop",
            Column::ResidentPop => "resident_pop",
            Column::Terrain => "terrain",
            Column::NeighbourCode => "neighbour_code",
        }
    }

    /// The column of a `columns.toml` key.
    pub fn from_key(key: &str) -> Option<Column> {
        Column::ALL.into_iter().find(|c| c.key() == key)
    }

    /// What the column holds, for people.
    pub fn label(self) -> Message {
        let (en, zh) = match self {
            Column::Code => ("code", "代码"),
            Column::Name => ("name", "名称"),
            Column::CountyCode => ("county code", "所属区县代码"),
            Column::TownshipCode => ("township code", "所属乡镇代码"),
            Column::CityCode => ("city code", "所属市州代码"),
            Column::CityName => ("city name", "所属市州名称"),
            Column::Kind => ("kind", "类型"),
            Column::Lon => ("longitude", "经度"),
            Column::Lat => ("latitude", "纬度"),
            Column::AreaKm2 => ("area (km²)", "面积（平方公里）"),
            Column::RegisteredPop => ("registered population", "户籍人口"),
            Column::ResidentPop => ("resident population", "常住人口"),
            Column::Terrain => ("terrain", "地形"),
            Column::NeighbourCode => ("neighbour's code", "相邻单位代码"),
        };
        Message::new(en, zh)
    }
}

/// Fields longer than this are rejected: a sign of a quote left open or a binary file.
const MAX_FIELD_CHARS: usize = 4096;

/// The column a header names in a township table, if any (see [`header::meaning`]).
pub fn column_for_header(raw: &str) -> Option<Column> {
    column_in(raw, TableKind::Townships)
}

/// The column a header names in a `table`, if any.
pub fn column_in(raw: &str, table: TableKind) -> Option<Column> {
    header::meaning(raw, table).map(|m| m.column)
}

/// The name of a column for messages where the file has none: its key.
pub fn canonical_name(column: Column) -> &'static str {
    column.key()
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

/// How a table is to be read: which table it is, the columns it must have, an explicit
/// field → header mapping (from `columns.toml` or the mapping dialog) and, for a workbook, the
/// sheet (else the first visible one).
#[derive(Debug, Clone, Copy)]
pub struct Spec<'a> {
    pub table: TableKind,
    pub required: &'a [Column],
    pub mapping: &'a [(Column, String)],
    pub sheet: Option<&'a str>,
}

impl<'a> Spec<'a> {
    pub fn new(table: TableKind, required: &'a [Column]) -> Self {
        Self {
            table,
            required,
            mapping: &[],
            sheet: None,
        }
    }
}

/// Whether a path names a workbook (read with calamine) rather than a text table.
pub fn is_workbook(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        ["xlsx", "xlsm", "xls", "xlsb", "ods"].contains(&e.to_ascii_lowercase().as_str())
    })
}

/// Where the rows come from.
enum Source {
    /// A CSV/TSV file, decoded as it streams.
    Text {
        reader: csv::Reader<Box<dyn Read>>,
        record: csv::ByteRecord,
    },
    /// A worksheet, read whole by calamine: (row number as Excel shows it, fields).
    Sheet(std::vec::IntoIter<(u64, csv::StringRecord)>),
}

/// A table file being read: the header is resolved when it is opened, and the rows then stream
/// one at a time ([`Table::next_row`]), so a file of a million rows is never held in memory
/// (a workbook's sheet is, as calamine reads it whole).
pub struct Table<'p> {
    /// The file, as messages name it: a workbook's with its sheet (`乡镇.xlsx [Sheet1]`).
    pub file: PathBuf,
    pub encoding: text::TextEncoding,
    headers: Vec<String>,
    /// Each column's field index and the factor its unit asks for (万人 → 10,000).
    columns: HashMap<Column, (usize, f64)>,
    source: Source,
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
    /// Opens a table file (CSV/TSV, or a workbook: `.xlsx`, `.xls`, `.ods`) and reads up to
    /// its header; the spec's required columns must all be in it. Rows read later are counted
    /// in `progress` (see [`Table::start_progress`]), and a cancellation there stops the reading.
    pub fn open(
        path: &Path,
        spec: Spec,
        problems: &mut Problems,
        progress: &'p Progress,
    ) -> Result<Table<'p>, LoadError> {
        let cannot_read = |e: io::Error| {
            Problem::file(path, tr!("cannot read the file: {e}", "无法读取文件：{e}"))
        };
        if is_workbook(path) {
            let (sheet, rows) = read_sheet(path, spec.sheet)?;
            let named = path.with_file_name(format!(
                "{} [{sheet}]",
                path.file_name().unwrap_or_default().to_string_lossy()
            ));
            let source = Source::Sheet(rows.into_iter());
            let mut table = Self::start(&named, source, text::TextEncoding::Utf8, progress);
            table.find_header(path, Some(&sheet), b',', spec, problems)?;
            return Ok(table);
        }
        let mut file = File::open(path).map_err(cannot_read)?;
        let size = file.metadata().map(|m| m.len()).unwrap_or(0);
        let encoding = text::sniff_encoding(&mut file).map_err(cannot_read)?;
        file.seek(SeekFrom::Start(0)).map_err(cannot_read)?;
        let mut table =
            Self::from_reader(path, Box::new(file), encoding, spec, problems, progress)?;
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
        spec: Spec,
        problems: &mut Problems,
    ) -> Result<Table<'static>, ImportError> {
        let encoding = text::sniff_encoding(&mut &bytes[..])
            .map_err(|e| Problem::file(path, tr!("cannot read: {e}", "无法读取：{e}")))?;
        let raw = Box::new(io::Cursor::new(bytes.to_vec()));
        Table::from_reader(path, raw, encoding, spec, problems, &UNWATCHED)
            .map_err(|e| e.into_import(path))
    }

    fn start(
        path: &Path,
        source: Source,
        encoding: text::TextEncoding,
        progress: &'p Progress,
    ) -> Table<'p> {
        Table {
            file: path.to_path_buf(),
            encoding,
            headers: Vec::new(),
            columns: HashMap::new(),
            source,
            ahead: VecDeque::new(),
            bytes_read: Rc::new(Cell::new(0)),
            rows_read: 0,
            size: 0,
            progress,
        }
    }

    fn from_reader(
        path: &Path,
        raw: Box<dyn Read>,
        encoding: text::TextEncoding,
        spec: Spec,
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
        let source = Source::Text {
            reader,
            record: csv::ByteRecord::new(),
        };
        let mut table = Self::start(path, source, encoding, progress);
        table.bytes_read = bytes_read;
        table.find_header(path, None, delimiter, spec, problems)?;
        Ok(table)
    }

    /// Reads the first rows, finds the header among them and resolves its columns; rows
    /// above it are reported as skipped titles, rows after it are kept for [`Table::next_row`].
    fn find_header(
        &mut self,
        path: &Path,
        sheet: Option<&str>,
        delimiter: u8,
        spec: Spec,
        problems: &mut Problems,
    ) -> Result<(), LoadError> {
        let mut first_rows = self.first_rows()?;
        let resolved: Vec<Resolved> = first_rows
            .iter()
            .map(|row| header::resolve(&row_fields(row), spec.table, spec.mapping))
            .collect();
        let search = HeaderSearch {
            file: &self.file,
            path,
            sheet,
            spec,
            rows: &first_rows,
        };
        let header_at = first_rows
            .iter()
            .zip(&resolved)
            .position(|(_, r)| spec.required.iter().all(|&c| has(r, c)));
        let Some(header_at) = header_at else {
            return Err(search.no_header(&resolved, delimiter).into());
        };
        for row in first_rows[..header_at].iter().filter(|row| !is_blank(row)) {
            problems.warn(Problem::row(
                &self.file,
                row.line,
                Message::new(
                    "skipped a title row above the header",
                    "已跳过表头上方的标题行",
                ),
            ));
        }
        let meanings = match &resolved[header_at] {
            (m, None) => m.clone(),
            (_, Some(a)) => return Err(search.ambiguous(header_at, a).into()),
        };
        let mut rest = first_rows.split_off(header_at);
        let header = rest.remove(0);
        self.headers = row_fields(&header);
        for (i, m) in meanings.iter().enumerate() {
            if let Some(m) = m {
                self.columns.insert(m.column, (i, m.scale));
            }
        }
        self.ahead = rest.into();
        Ok(())
    }

    /// The rows the header is looked for among; a file with none but blank rows is empty.
    fn first_rows(&mut self) -> Result<Vec<Row>, LoadError> {
        let mut first_rows: Vec<Row> = Vec::new();
        while first_rows.len() < HEADER_SEARCH {
            match self.read_record()? {
                Some(row) => first_rows.push(row),
                None => break,
            }
        }
        if first_rows.len() < HEADER_SEARCH && first_rows.iter().all(is_blank) {
            return Err(
                Problem::file(&self.file, Message::new("the file is empty", "文件为空")).into(),
            );
        }
        Ok(first_rows)
    }

    /// The next record of the file as it stands, fields trimmed; `None` at the end.
    fn read_record(&mut self) -> Result<Option<Row>, LoadError> {
        let (reader, record) = match &mut self.source {
            Source::Sheet(rows) => {
                return Ok(rows.next().map(|(line, mut fields)| {
                    fields.trim();
                    Row { line, fields }
                }));
            }
            Source::Text { reader, record } => (reader, record),
        };
        let more = reader.read_byte_record(record).map_err(|e| {
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
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        let mut fields = csv::StringRecord::from_byte_record(std::mem::take(record))
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
        if let Some(usable) = self.judge_cells_beyond_header(row, problems) {
            return usable;
        }
        let code_is_not_a_code = self.columns.get(&Column::Code).is_none_or(|&(i, _)| {
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

    /// A row with cells right of the header's last column: in a workbook they are said and
    /// left out (`Some(whether the rest holds data)`); in a text table the row is refused
    /// (`Some(false)`: its fields are probably shifted). `None` where there are none.
    fn judge_cells_beyond_header(&self, row: &Row, problems: &mut Problems) -> Option<bool> {
        let fields = &row.fields;
        let (column, text) = fields
            .iter()
            .enumerate()
            .skip(self.headers.len())
            .find(|(_, f)| !f.is_empty())?;
        if let Source::Sheet(_) = &self.source {
            // A cell right of a workbook's table (a note, a keyboard slip far out) is not part
            // of it: said, and left out.
            let cell = format!("{}{}", column_letters(column), row.line);
            problems.warn(Problem::row(
                &self.file,
                row.line,
                tr!(
                    "cell {cell} ('{text}') lies right of the table's last column and is ignored",
                    "单元格 {cell}（「{text}」）在表格最后一列的右侧，已忽略"
                ),
            ));
            return Some(
                fields
                    .iter()
                    .take(self.headers.len())
                    .any(|f| !f.is_empty()),
            );
        }
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
        Some(false)
    }

    /// Where the column is among the file's fields, if it has it.
    pub fn position(&self, column: Column) -> Option<usize> {
        self.columns.get(&column).map(|&(i, _)| i)
    }

    /// Whether the file has this column.
    pub fn has(&self, column: Column) -> bool {
        self.columns.contains_key(&column)
    }

    /// The header of a column as written in the file (or its canonical name if absent).
    pub fn header(&self, column: Column) -> &str {
        self.columns
            .get(&column)
            .map(|&(i, _)| self.headers[i].as_str())
            .unwrap_or_else(|| canonical_name(column))
    }

    /// The headers of the file, as written.
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// The trimmed text of a cell; `None` if the column is absent or the cell empty.
    pub fn text<'a>(&self, row: &'a Row, column: Column) -> Option<&'a str> {
        let (i, _) = *self.columns.get(&column)?;
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

    /// Types the cells of `columns` in `row` as a load would, recording what is wrong: codes
    /// and names where the column is present or `required`, coordinates, numbers. What the
    /// mapping dialog checks live, and what the fuzzers exercise.
    pub fn check_row(
        &self,
        row: &Row,
        columns: &[Column],
        required: &[Column],
        problems: &mut Problems,
    ) {
        for &column in columns {
            let wanted = self.has(column) || required.contains(&column);
            match column {
                Column::Code | Column::CountyCode | Column::TownshipCode | Column::CityCode => {
                    if wanted {
                        self.code(row, column, problems);
                    }
                }
                // A neighbour cell may list several codes; they are checked one by one on load.
                Column::Name | Column::NeighbourCode => {
                    if wanted {
                        self.required_text(row, column, problems);
                    }
                }
                Column::Lon | Column::Lat => {
                    let _ = self.coordinate(row, column, problems);
                }
                Column::AreaKm2 | Column::RegisteredPop | Column::ResidentPop => {
                    let _ = self.number(row, column, problems);
                }
                Column::Kind | Column::Terrain | Column::CityName => {}
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
        let factor = self.columns.get(&column).map_or(1.0, |&(_, f)| f);
        let counts_people = matches!(column, Column::ResidentPop | Column::RegisteredPop);
        let parsed = if counts_people && factor == 1.0 && looks_like_dot_thousands(raw) {
            Err(tr!(
                "{raw} people: a '.' between thousands? People are counted whole; write {}",
                "{raw} 人：是否用了「.」作千位分隔符？人口应为整数，请写作 {}",
                raw.trim().replace('.', "")
            ))
        } else {
            parse_number(raw)
        };
        match parsed {
            Ok(v) => Ok(Some(v * factor)),
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

/// A row of the header search, resolved: each field's meaning, and a field several headers
/// could be.
type Resolved = (Vec<Option<header::Meaning>>, Option<header::Ambiguous>);

fn has(r: &Resolved, c: Column) -> bool {
    r.0.iter().flatten().any(|m| m.column == c)
}

fn is_blank(row: &Row) -> bool {
    row.fields.iter().all(str::is_empty)
}

fn row_fields(row: &Row) -> Vec<String> {
    row.fields.iter().map(str::to_string).collect()
}

/// The header search of one table, for the errors that carry what the column-mapping dialog
/// needs.
struct HeaderSearch<'a> {
    /// The file as messages name it (a workbook's with its sheet).
    file: &'a Path,
    /// The file itself, and its sheet.
    path: &'a Path,
    sheet: Option<&'a str>,
    spec: Spec<'a>,
    rows: &'a [Row],
}

impl HeaderSearch<'_> {
    /// No row has every required field: the row that looks most like a header (the most
    /// fields recognised), and what it lacks.
    fn no_header(&self, resolved: &[Resolved], delimiter: u8) -> ImportError {
        let best = (0..self.rows.len())
            .filter(|&i| !is_blank(&self.rows[i]))
            .max_by_key(|&i| {
                let n = Column::ALL
                    .iter()
                    .filter(|&&c| has(&resolved[i], c))
                    .count();
                (n, std::cmp::Reverse(i))
            })
            .unwrap_or(0);
        let missing: Vec<Column> = self
            .spec
            .required
            .iter()
            .copied()
            .filter(|&c| !has(&resolved[best], c))
            .collect();
        let problem = missing_header(self.file, self.rows, best, &missing, delimiter);
        self.error(best, missing, None, problem)
    }

    /// The header names a field twice.
    fn ambiguous(&self, header_at: usize, a: &header::Ambiguous) -> ImportError {
        let (listed, label) = (quoted(&a.headers), a.column.label());
        let problem = Problem::row(
            self.file,
            self.rows[header_at].line,
            Message::new(
                format!(
                    "the columns {listed} could each be the {}: say which in a column mapping (columns.toml, or the app's column dialog)",
                    label.en
                ),
                format!(
                    "{listed} 这几列都可能是{}：请在列对应（columns.toml，或软件的列对应对话框）中指定",
                    label.zh
                ),
            ),
        );
        let ambiguous = Some((a.column, a.headers.clone()));
        self.error(header_at, Vec::new(), ambiguous, problem)
    }

    /// An import error that carries what the column-mapping dialog needs.
    fn error(
        &self,
        header_at: usize,
        missing: Vec<Column>,
        ambiguous: Option<(Column, Vec<String>)>,
        problem: Problem,
    ) -> ImportError {
        let header = self.rows.get(header_at);
        ImportError {
            problems: vec![problem],
            columns: Some(Box::new(ColumnsProblem {
                table: self.spec.table,
                file: self.path.to_path_buf(),
                sheet: self.sheet.map(str::to_string),
                header_line: header.map_or(1, |r| r.line),
                headers: header.map(row_fields).unwrap_or_default(),
                preview: self
                    .rows
                    .iter()
                    .skip(header_at + 1)
                    .take(5)
                    .map(row_fields)
                    .collect(),
                missing,
                ambiguous,
            })),
        }
    }
}

/// The error for a file whose first rows have no header with the required columns: which
/// fields are missing, and the headers of the row that looks most like the header.
fn missing_header(
    path: &Path,
    first_rows: &[Row],
    best: usize,
    missing: &[Column],
    delimiter: u8,
) -> Problem {
    let line = first_rows.get(best).map(|row| row.line).unwrap_or(1);
    let headers: Vec<String> = first_rows
        .get(best)
        .map(|row| row.fields.iter().map(str::to_string).collect())
        .unwrap_or_default();
    let en: Vec<String> = missing.iter().map(|c| c.label().en).collect();
    let en = en.join(", ");
    let zh: Vec<String> = missing.iter().map(|c| c.label().zh).collect();
    let zh = zh.join("、");
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
    let listed = quoted(&headers);
    Problem::row(
        path,
        line,
        Message::new(
            format!(
                "no column found for the {en}; the file's headers are {listed}: rename a header, or map the columns (columns.toml, or the app's column dialog){}",
                hint.en
            ),
            format!(
                "找不到{zh}列；该文件的表头为 {listed}：请修改表头，或指定列对应（columns.toml，或软件的列对应对话框）{}",
                hint.zh
            ),
        ),
    )
}

/// Headers listed for a message: `'代码', '名称'`.
fn quoted(headers: &[String]) -> String {
    let shown: Vec<String> = headers
        .iter()
        .filter(|h| !h.is_empty())
        .map(|h| format!("'{h}'"))
        .collect();
    if shown.is_empty() {
        "(none)".to_string()
    } else {
        shown.join(", ")
    }
}

/// Reads a worksheet: the named sheet, else the first visible one. Returns its name and its
/// rows that hold data, numbered as Excel shows them, each cell as the text a CSV export would
/// hold, except that a whole number is written without a decimal point (a code stored as a
/// number in a workbook is exact, unlike its CSV export in scientific notation) and a date
/// as a date (`2020-03-01`), which no number column takes. `.xlsx` and `.xlsb` sheets are
/// read cell by cell, so memory follows the cells that hold data, not the range the sheet
/// declares (a stray cell at `XFD1048576` declares 17 billion); `.xls` and `.ods` are read
/// whole by calamine when the workbook opens.
fn read_sheet(
    path: &Path,
    wanted: Option<&str>,
) -> Result<(String, Vec<(u64, csv::StringRecord)>), LoadError> {
    use calamine::{Reader, Sheets};
    let mut workbook = calamine::open_workbook_auto(path).map_err(|e| {
        Problem::file(
            path,
            tr!("cannot open the workbook: {e}", "无法打开该工作簿：{e}"),
        )
    })?;
    let name = sheet_name(&mut workbook, path, wanted)?;
    let cannot_read = |e: &dyn fmt::Display| {
        Problem::file(
            path,
            tr!(
                "cannot read sheet '{name}': {e}",
                "无法读取工作表 '{name}'：{e}"
            ),
        )
    };
    let mut cells = SparseRows::default();
    match &mut workbook {
        Sheets::Xlsx(book) => {
            let mut reader = book
                .worksheet_cells_reader(&name)
                .map_err(|e| cannot_read(&e))?;
            while let Some(cell) = reader.next_cell().map_err(|e| cannot_read(&e))? {
                cells.put(cell.get_position(), cell_text_ref(cell.get_value()));
            }
        }
        Sheets::Xlsb(book) => {
            let mut reader = book
                .worksheet_cells_reader(&name)
                .map_err(|e| cannot_read(&e))?;
            while let Some(cell) = reader.next_cell().map_err(|e| cannot_read(&e))? {
                cells.put(cell.get_position(), cell_text_ref(cell.get_value()));
            }
        }
        other => {
            let range = other.worksheet_range(&name).map_err(|e| cannot_read(&e))?;
            let (row0, col0) = range.start().unwrap_or((0, 0));
            for (r, c, value) in range.used_cells() {
                cells.put((row0 + r as u32, col0 + c as u32), cell_text(value));
            }
        }
    }
    Ok((name, cells.into_rows()))
}

/// The sheet to read: the one named, else the first visible one.
fn sheet_name<RS: std::io::Read + std::io::Seek>(
    workbook: &mut calamine::Sheets<RS>,
    path: &Path,
    wanted: Option<&str>,
) -> Result<String, Problem> {
    use calamine::{Reader, SheetVisible};
    let names = workbook.sheet_names();
    match wanted {
        Some(w) => names
            .iter()
            .find(|n| n.trim() == w.trim())
            .cloned()
            .ok_or_else(|| {
                Problem::file(
                    path,
                    tr!(
                        "the workbook has no sheet '{w}'; its sheets are {}",
                        "该工作簿没有名为 '{w}' 的工作表；其工作表为 {}",
                        quoted(&names)
                    ),
                )
            }),
        None => workbook
            .sheets_metadata()
            .iter()
            .find(|s| s.visible == SheetVisible::Visible)
            .map(|s| s.name.clone())
            .or_else(|| names.first().cloned())
            .ok_or_else(|| {
                Problem::file(
                    path,
                    Message::new("the workbook has no sheets", "该工作簿没有工作表"),
                )
            }),
    }
}

/// The cells of a sheet that hold data, by row.
#[derive(Default)]
struct SparseRows {
    rows: std::collections::BTreeMap<u32, Vec<(u32, String)>>,
}

impl SparseRows {
    /// Keeps a cell at (row, column), both from 0, unless it is empty.
    fn put(&mut self, (row, column): (u32, u32), text: String) {
        if !text.is_empty() {
            self.rows.entry(row).or_default().push((column, text));
        }
    }

    /// The rows as Excel numbers them, each with its fields up to its last cell.
    fn into_rows(self) -> Vec<(u64, csv::StringRecord)> {
        self.rows
            .into_iter()
            .map(|(row, mut cells)| {
                cells.sort_unstable_by_key(|&(c, _)| c);
                let width = cells.last().map_or(0, |&(c, _)| c as usize + 1);
                let mut fields = vec![String::new(); width];
                for (c, text) in cells {
                    fields[c as usize] = text;
                }
                (u64::from(row) + 1, csv::StringRecord::from(fields))
            })
            .collect()
    }
}

/// A cell's text, as [`read_sheet`] gives it.
fn cell_text(cell: &calamine::Data) -> String {
    use calamine::Data;
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) => float_text(*f),
        Data::DateTime(d) if d.is_datetime() => date_text(d),
        other => other.to_string(),
    }
}

/// A streamed cell's text, as [`read_sheet`] gives it.
fn cell_text_ref(cell: &calamine::DataRef) -> String {
    use calamine::DataRef;
    match cell {
        DataRef::Empty => String::new(),
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_string(),
        DataRef::Float(f) => float_text(*f),
        DataRef::Int(i) => i.to_string(),
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(d) if d.is_datetime() => date_text(d),
        DataRef::DateTime(d) => d.to_string(),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(e) => e.to_string(),
    }
}

/// A whole number without a decimal point; others as Rust writes them.
fn float_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{f:.0}")
    } else {
        f.to_string()
    }
}

/// A date cell as a date (`2020-03-01`, with the time if it has one).
fn date_text(d: &calamine::ExcelDateTime) -> String {
    let (y, mo, day, h, mi, s, _) = d.to_ymd_hms_milli();
    if (h, mi, s) == (0, 0, 0) {
        format!("{y:04}-{mo:02}-{day:02}")
    } else {
        format!("{y:04}-{mo:02}-{day:02} {h:02}:{mi:02}:{s:02}")
    }
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

/// A column's letters as a spreadsheet names it: 0 is A, 25 is Z, 26 is AA, 16383 is XFD.
fn column_letters(mut index: usize) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    letters.reverse();
    String::from_utf8_lossy(&letters).into_owned()
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

/// Parses a non-negative finite number, accepting thousands separators (`12,345`). A comma
/// that does not separate thousands (`12,5`, a decimal comma) and a date (`2020-03-01`, a
/// cell formatted as a date) are refused rather than read as another number.
pub fn parse_number(raw: &str) -> Result<f64, Message> {
    let trimmed = raw.trim();
    if looks_like_a_date(trimmed) {
        return Err(tr!(
            "'{raw}' is a date, not a number (is the cell formatted as a date?)",
            "「{raw}」是日期而不是数字（单元格是否被设成了日期格式？）"
        ));
    }
    if trimmed.contains([',', '，']) && !groups_thousands(trimmed) {
        return Err(tr!(
            "'{raw}': a comma that does not separate thousands (a decimal comma? write {} for a decimal)",
            "「{raw}」：逗号不是千位分隔符（是小数逗号吗？小数请写作 {}）",
            trimmed.replace([',', '，'], ".")
        ));
    }
    let cleaned: String = trimmed.chars().filter(|&c| c != ',' && c != '，').collect();
    match cleaned.parse::<f64>() {
        Ok(v) if !v.is_finite() => Err(tr!("'{raw}' is not a finite number", "'{raw}' 不是有限数")),
        Ok(v) if v < 0.0 => Err(tr!("{raw} is negative", "{raw} 是负数")),
        Ok(v) => Ok(v),
        Err(_) => Err(tr!("not a number: '{raw}'", "不是数字：'{raw}'")),
    }
}

/// `2020-03-01`, `2020/3/1`, `2020.03.01`, `2020年3月1日`, with or without a time after it.
fn looks_like_a_date(text: &str) -> bool {
    if text.contains('年') && text.contains('月') {
        return true;
    }
    let date = text.split([' ', 'T']).next().unwrap_or_default();
    for sep in ['-', '/', '.'] {
        let parts: Vec<&str> = date.split(sep).collect();
        if let [y, m, d] = parts[..]
            && y.len() == 4
            && (1..=2).contains(&m.len())
            && (1..=2).contains(&d.len())
            && [y, m, d]
                .iter()
                .all(|p| p.bytes().all(|b| b.is_ascii_digit()))
        {
            return true;
        }
    }
    false
}

/// Whether the commas of `text` separate thousands: `1,234`, `12,345,678.5`.
fn groups_thousands(text: &str) -> bool {
    let whole = text.split('.').next().unwrap_or_default();
    let mut groups = whole.split([',', '，']);
    let first = groups.next().unwrap_or_default();
    (1..=3).contains(&first.len())
        && first.bytes().all(|b| b.is_ascii_digit())
        && groups.all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()))
}

/// Whether `raw`, read as people, looks like a whole number written with a '.' between
/// thousands (`354.998` for 354,998): people are counted whole, and three decimals are
/// what that notation leaves.
pub fn looks_like_dot_thousands(raw: &str) -> bool {
    let parts: Vec<&str> = raw.trim().split('.').collect();
    match parts[..] {
        [first, ref rest @ ..] if !rest.is_empty() => {
            (1..=3).contains(&first.len())
                && first.bytes().all(|b| b.is_ascii_digit())
                && rest
                    .iter()
                    .all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()))
        }
        _ => false,
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
        let spec = Spec::new(TableKind::Villages, required);
        let t = Table::parse(Path::new("t.csv"), bytes, spec, &mut problems);
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
    fn a_missing_field_is_named_with_the_files_headers() {
        let (t, _) = parse("标题\n编,名称,人\n1,x,2\n", &[Column::Code, Column::Name]);
        let err = t.unwrap_err();
        let message = err.to_string();
        assert!(
            message.contains("t.csv: row 2: no column found for the code; the file's headers are '编', '名称', '人'"),
            "{message}"
        );
        let columns = err.columns.expect("what the mapping dialog needs");
        assert_eq!(columns.missing, [Column::Code]);
        assert_eq!(columns.header_line, 2);
        assert_eq!(columns.preview, [["1", "x", "2"]]);
    }

    #[test]
    fn two_columns_that_could_be_the_population_are_named() {
        let (t, _) = parse("代码,名称,人口,常住人口\n1,x,2,3\n", &[Column::Code]);
        let err = t.unwrap_err();
        let message = err.to_string();
        assert!(
            message.contains(
                "row 1: the columns '人口', '常住人口' could each be the resident population"
            ),
            "{message}"
        );
        assert_eq!(
            err.columns.unwrap().ambiguous,
            Some((Column::ResidentPop, vec!["人口".into(), "常住人口".into()]))
        );
    }

    #[test]
    fn values_in_ten_thousands_and_hectares_are_scaled() {
        let (t, mut problems) = parse(
            "代码,名称,户籍人口（万人）,面积（公顷）\n1,x,1.25,250\n",
            &[Column::Code],
        );
        let mut t = t.unwrap();
        let (rows, _) = rows(&mut t, &mut problems);
        let number = |c| t.number(&rows[0], c, &mut Problems::default()).unwrap();
        assert_eq!(number(Column::RegisteredPop), Some(12_500.0));
        assert_eq!(number(Column::AreaKm2), Some(2.5));
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
        assert!(
            message.contains("'代码', 'code' could each be the code"),
            "{message}"
        );
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
    fn columns_are_named_as_a_spreadsheet_names_them() {
        for (index, letters) in [(0, "A"), (25, "Z"), (26, "AA"), (701, "ZZ"), (702, "AAA")] {
            assert_eq!(column_letters(index), letters);
        }
        assert_eq!(column_letters(16_383), "XFD");
    }

    #[test]
    fn dates_and_commas_that_are_not_thousands_are_not_numbers() {
        for raw in [
            "2020-03-01",
            "2020/3/1",
            "2020.03.01 00:00:00",
            "2020年3月1日",
        ] {
            let e = parse_number(raw).unwrap_err();
            assert!(e.en.contains("is a date, not a number"), "{raw}: {}", e.en);
        }
        assert_eq!(parse_number("12,345").unwrap(), 12_345.0);
        assert_eq!(parse_number("1,234,567.5").unwrap(), 1_234_567.5);
        for raw in ["12,5", "1,23", "12,3456"] {
            let e = parse_number(raw).unwrap_err();
            assert!(
                e.en.contains("does not separate thousands"),
                "{raw}: {}",
                e.en
            );
        }
        assert!(looks_like_dot_thousands("354.998"));
        assert!(looks_like_dot_thousands("1.234.567"));
        assert!(!looks_like_dot_thousands("354.99"));
        assert!(!looks_like_dot_thousands("1354.998"));
        assert!(!looks_like_dot_thousands("354"));
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
        let spec = Spec::new(TableKind::Villages, &[Column::Code]);
        let mut t = Table::open(&path, spec, &mut problems, &progress).unwrap();
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
