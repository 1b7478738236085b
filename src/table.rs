//! One table type for every report: columns with headers in both languages and typed cells,
//! written row by row to a [`TableWriter`]: CSV today (see [`CsvTable`]), other formats later.
//!
//! ```
//! use jianzhi::table::{Cell, Column, CsvTable, TableWriter};
//! use jianzhi::Lang;
//! const COLUMNS: &[Column] = &[
//!     Column::new("code", "代码", "code"),
//!     Column::new("area_km2", "面积（平方公里）", "area (km²)"),
//! ];
//! let mut csv = CsvTable::new(Vec::new(), Some(Lang::Zh));
//! csv.header(COLUMNS).unwrap();
//! csv.row(&[Cell::code("510104020"), Cell::Number(2.5)]).unwrap();
//! let text = String::from_utf8(csv.finish().unwrap()).unwrap();
//! assert_eq!(text, "\u{feff}代码,面积（平方公里）\r\n510104020,2.500\r\n");
//! ```

use std::borrow::Cow;
use std::io::Write;

use crate::lang::Lang;

/// The UTF-8 byte-order mark Excel needs to read a CSV as UTF-8.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Formats a figure for a report: integers without decimals, others to 3 decimals.
pub fn figure(x: f64) -> String {
    if !x.is_finite() {
        String::new()
    } else if x == 0.0 {
        // Also for -0.0, which rounding of tiny negative changes produces.
        "0".to_string()
    } else if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x:.0}")
    } else {
        format!("{x:.3}")
    }
}

/// A column: its key (the CSV header scripts read) and its header in each language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub key: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
}

impl Column {
    pub const fn new(key: &'static str, zh: &'static str, en: &'static str) -> Self {
        Self { key, zh, en }
    }

    /// A column whose headers are its key in both languages (dynamic columns use
    /// [`Column::new`] with leaked or static names).
    pub const fn key(key: &'static str) -> Self {
        Self {
            key,
            zh: key,
            en: key,
        }
    }

    /// The header in `lang`, or the key when no language is asked for.
    pub fn header(&self, lang: Option<Lang>) -> &'static str {
        match lang {
            None => self.key,
            Some(Lang::Zh) => self.zh,
            Some(Lang::En) => self.en,
        }
    }
}

/// A word of the reports' vocabulary (a metric, a kind, a terrain class, a basis): scripts
/// read its key, a workbook shows it in the reader's language.
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    pub key: Cow<'static, str>,
    pub zh: Cow<'static, str>,
    pub en: Cow<'static, str>,
}

impl Term {
    pub const fn new(key: &'static str, zh: &'static str, en: &'static str) -> Self {
        Self {
            key: Cow::Borrowed(key),
            zh: Cow::Borrowed(zh),
            en: Cow::Borrowed(en),
        }
    }

    /// A term made at run time (a sentence in each language, with its English as the key).
    pub fn owned(key: impl Into<Cow<'static, str>>, zh: String, en: String) -> Self {
        Self {
            key: key.into(),
            zh: Cow::Owned(zh),
            en: Cow::Owned(en),
        }
    }

    /// The word in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}

/// One cell of a report.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Free text (names, descriptions).
    Text(String),
    /// A word of the vocabulary: its key in CSV, its words in a workbook.
    Term(Term),
    /// A division code: text, whatever it looks like (spreadsheets must not make it a number).
    Code(String),
    /// A whole number (counts, populations given as integers).
    Count(u64),
    /// A measured or computed figure; NaN or infinite is written empty.
    Number(f64),
    /// A share from 0 to 1: written as [`Cell::Number`] in CSV, as a percentage in a workbook.
    Share(f64),
    /// A figure read as a whole number (people, yuan): [`Cell::Number`] in CSV, without
    /// decimals in a workbook.
    Whole(f64),
    /// A setting as it was given (36, 0.7, 400): [`Cell::Number`] in CSV, in a workbook with
    /// the decimals it has and no more.
    Plain(f64),
    /// A figure always shown with this many decimals (coordinates).
    Fixed(f64, u8),
    /// Yes (1) or no (0).
    Flag(bool),
    Empty,
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Self {
        Cell::Text(s.into())
    }

    pub fn code(s: impl Into<String>) -> Self {
        Cell::Code(s.into())
    }

    /// A figure that may be missing.
    pub fn number(x: Option<f64>) -> Self {
        x.map_or(Cell::Empty, Cell::Number)
    }

    /// The cell as CSV text: figures as [`figure`] writes them.
    pub fn to_text(&self) -> String {
        match self {
            Cell::Text(s) | Cell::Code(s) => s.clone(),
            Cell::Term(t) => t.key.to_string(),
            Cell::Count(n) => n.to_string(),
            Cell::Number(x) | Cell::Share(x) | Cell::Whole(x) | Cell::Plain(x) => figure(*x),
            Cell::Fixed(x, decimals) if x.is_finite() => format!("{x:.*}", usize::from(*decimals)),
            Cell::Fixed(..) => String::new(),
            Cell::Flag(b) => u8::from(*b).to_string(),
            Cell::Empty => String::new(),
        }
    }
}

/// Where a table's rows go.
pub trait TableWriter {
    fn header(&mut self, columns: &[Column]) -> std::io::Result<()>;
    fn row(&mut self, cells: &[Cell]) -> std::io::Result<()>;
}

/// A table as Excel reads a CSV: BOM first, `\r\n` line ends, headers as keys (or in a
/// language). Rows go straight to `W` (a file, so a million rows are never held in memory).
pub struct CsvTable<W: Write> {
    writer: csv::Writer<W>,
    lang: Option<Lang>,
    /// An error writing the BOM, returned by the first header or row.
    error: Option<std::io::Error>,
}

impl<W: Write> CsvTable<W> {
    /// A table written to `out`; headers are the column keys, or in `lang`.
    pub fn new(mut out: W, lang: Option<Lang>) -> Self {
        let error = out.write_all(BOM).err();
        Self {
            writer: csv::WriterBuilder::new()
                .terminator(csv::Terminator::CRLF)
                .from_writer(out),
            lang,
            error,
        }
    }

    /// Flushes the table and returns its writer.
    pub fn finish(mut self) -> std::io::Result<W> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        self.writer.into_inner().map_err(|e| e.into_error())
    }

    fn check(&mut self) -> std::io::Result<()> {
        match self.error.take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

impl<W: Write> TableWriter for CsvTable<W> {
    fn header(&mut self, columns: &[Column]) -> std::io::Result<()> {
        self.check()?;
        let lang = self.lang;
        self.writer
            .write_record(columns.iter().map(|c| c.header(lang)))?;
        Ok(())
    }

    fn row(&mut self, cells: &[Cell]) -> std::io::Result<()> {
        self.check()?;
        self.writer.write_record(cells.iter().map(|c| match c {
            Cell::Text(s) | Cell::Code(s) => escape_formula(s),
            other => other.to_text(),
        }))?;
        Ok(())
    }
}

/// Text as a CSV cell that a spreadsheet shows as text: one that starts like a formula (`=`,
/// `+`, `-`, `@`, or a tab or carriage return before one) gets a `'` in front, so opening
/// the report never runs it (OWASP's advice on CSV injection). A workbook keeps text as it
/// is: its cells are typed.
pub fn escape_formula(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// Collects a table in memory: for tests, and for formats that need every row first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MemoryTable {
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
}

impl TableWriter for MemoryTable {
    fn header(&mut self, columns: &[Column]) -> std::io::Result<()> {
        self.columns = columns.to_vec();
        Ok(())
    }

    fn row(&mut self, cells: &[Cell]) -> std::io::Result<()> {
        self.rows.push(cells.to_vec());
        Ok(())
    }
}
