//! Problems found in input files, located by file, row and column (or feature), and said in
//! both languages: the CLI prints English, the app shows the language it is in.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::lang::Lang;

/// A message in English and Chinese.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub en: String,
    pub zh: String,
}

impl Message {
    pub fn new(en: impl Into<String>, zh: impl Into<String>) -> Self {
        Self {
            en: en.into(),
            zh: zh.into(),
        }
    }

    /// The same text in both languages: for developer-facing messages (the demo generator's
    /// source files) that planners never see.
    pub fn untranslated(text: impl Into<String>) -> Self {
        let text = text.into();
        Self {
            zh: text.clone(),
            en: text,
        }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Zh => &self.zh,
        }
    }
}

/// A [`Message`] from an English and a Chinese format string with the same arguments:
/// `tr!("row {n} is empty", "第 {n} 行为空")`, `tr!("{} values", "{} 个值", v.len())`.
#[macro_export]
macro_rules! tr {
    ($en:literal, $zh:literal $(, $arg:expr)* $(,)?) => {
        $crate::error::Message::new(format!($en $(, $arg)*), format!($zh $(, $arg)*))
    };
}

/// Where in a file a problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// The file as a whole (missing, unreadable, wrong format).
    File,
    /// A whole row; `row` is the 1-based line number in the file as a text editor shows it.
    Row(u64),
    /// One cell of a row, named by its header as written in the file.
    Cell { row: u64, column: String },
    /// A feature of a GeoJSON file or a record of a shapefile (0-based), with its code if known.
    Feature { index: usize, code: Option<String> },
}

/// One problem (an error or a warning) in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: PathBuf,
    pub location: Location,
    pub message: Message,
}

impl Problem {
    pub fn file(file: &Path, message: Message) -> Self {
        Self {
            file: file.to_path_buf(),
            location: Location::File,
            message,
        }
    }

    pub fn row(file: &Path, row: u64, message: Message) -> Self {
        Self {
            file: file.to_path_buf(),
            location: Location::Row(row),
            message,
        }
    }

    pub fn cell(file: &Path, row: u64, column: &str, message: Message) -> Self {
        Self {
            file: file.to_path_buf(),
            location: Location::Cell {
                row,
                column: column.to_string(),
            },
            message,
        }
    }

    pub fn feature(file: &Path, index: usize, code: Option<&str>, message: Message) -> Self {
        Self {
            file: file.to_path_buf(),
            location: Location::Feature {
                index,
                code: code.map(str::to_string),
            },
            message,
        }
    }

    /// The file's name without its folder, for compact messages.
    pub fn file_name(&self) -> String {
        self.file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| self.file.display().to_string())
    }
}

impl Problem {
    /// The problem in `lang`: file, where in it, and what is wrong.
    pub fn describe(&self, lang: Lang) -> String {
        let file = self.file.display();
        let message = self.message.get(lang);
        match (lang, &self.location) {
            (Lang::En, Location::File) => format!("{file}: {message}"),
            (Lang::En, Location::Row(row)) => format!("{file}: row {row}: {message}"),
            (Lang::En, Location::Cell { row, column }) => {
                format!("{file}: row {row}, column '{column}': {message}")
            }
            (
                Lang::En,
                Location::Feature {
                    index,
                    code: Some(code),
                },
            ) => {
                format!("{file}: feature {index} (code {code}): {message}")
            }
            (Lang::En, Location::Feature { index, code: None }) => {
                format!("{file}: feature {index}: {message}")
            }
            (Lang::Zh, Location::File) => format!("{file}：{message}"),
            (Lang::Zh, Location::Row(row)) => format!("{file}：第 {row} 行：{message}"),
            (Lang::Zh, Location::Cell { row, column }) => {
                format!("{file}：第 {row} 行「{column}」列：{message}")
            }
            (
                Lang::Zh,
                Location::Feature {
                    index,
                    code: Some(code),
                },
            ) => {
                format!("{file}：第 {index} 个要素（代码 {code}）：{message}")
            }
            (Lang::Zh, Location::Feature { index, code: None }) => {
                format!("{file}：第 {index} 个要素：{message}")
            }
        }
    }
}

impl Problem {
    /// The located problem in both languages, for the app to show in the one it is in.
    pub fn message(&self) -> Message {
        Message::new(self.describe(Lang::En), self.describe(Lang::Zh))
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe(Lang::En))
    }
}

/// Import failed: one or more errors, each located. Nothing was loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ImportError {
    pub problems: Vec<Problem>,
    /// Set when a table's columns could not all be found (or were ambiguous): what the app's
    /// column-mapping dialog opens on.
    pub columns: Option<Box<ColumnsProblem>>,
}

impl ImportError {
    pub fn one(problem: Problem) -> Self {
        Self {
            problems: vec![problem],
            columns: None,
        }
    }
}

/// A table whose header lacks a field Jianzhi needs, or names one twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnsProblem {
    pub table: crate::import::header::TableKind,
    /// The table's file (a workbook's, without the sheet).
    pub file: PathBuf,
    pub sheet: Option<String>,
    /// The row taken for the header, and its headers as written.
    pub header_line: u64,
    pub headers: Vec<String>,
    /// The first rows after it.
    pub preview: Vec<Vec<String>>,
    /// Required fields no header names.
    pub missing: Vec<crate::import::table::Column>,
    /// A field several headers could be, and those headers.
    pub ambiguous: Option<(crate::import::table::Column, Vec<String>)>,
}

impl From<Problem> for ImportError {
    fn from(problem: Problem) -> Self {
        Self::one(problem)
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const SHOWN: usize = 20;
        let n = self.problems.len();
        writeln!(
            f,
            "{n} error{} in the input:",
            if n == 1 { "" } else { "s" }
        )?;
        for p in self.problems.iter().take(SHOWN) {
            writeln!(f, "  {p}")?;
        }
        if n > SHOWN {
            writeln!(f, "  … and {} more", n - SHOWN)?;
        }
        Ok(())
    }
}

/// Why a load stopped: bad input, or the user cancelled it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoadError {
    #[error(transparent)]
    Invalid(#[from] ImportError),
    #[error("the load was cancelled")]
    Cancelled,
}

impl From<Problem> for LoadError {
    fn from(problem: Problem) -> Self {
        Self::Invalid(ImportError::one(problem))
    }
}

impl From<crate::progress::Cancelled> for LoadError {
    fn from(_: crate::progress::Cancelled) -> Self {
        Self::Cancelled
    }
}

impl LoadError {
    /// As an import error, for callers that cannot cancel: a cancellation becomes a problem
    /// of `file`.
    pub fn into_import(self, file: &Path) -> ImportError {
        match self {
            Self::Invalid(e) => e,
            Self::Cancelled => ImportError::one(Problem::file(
                file,
                Message::new("the load was cancelled", "已取消载入"),
            )),
        }
    }
}

/// Collects errors and warnings while importing; stops collecting errors past a cap so a
/// file with a million bad rows still reports promptly.
#[derive(Debug, Default)]
pub struct Problems {
    pub errors: Vec<Problem>,
    pub warnings: Vec<Problem>,
    /// Warnings past the cap, counted but not kept.
    pub warnings_not_kept: usize,
}

impl Problems {
    /// Beyond this many errors the rest are counted but not kept.
    pub const MAX_ERRORS: usize = 200;

    pub fn error(&mut self, problem: Problem) {
        if self.errors.len() < Self::MAX_ERRORS {
            self.errors.push(problem);
        }
    }

    pub fn warn(&mut self, problem: Problem) {
        if self.warnings.len() < Self::MAX_ERRORS {
            self.warnings.push(problem);
        } else {
            self.warnings_not_kept += 1;
        }
    }

    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// Fails with every error collected so far, if there is any.
    pub fn check(&mut self) -> Result<(), ImportError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ImportError {
                columns: None,
                problems: std::mem::take(&mut self.errors),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_problem_names_file_row_and_column_in_both_languages() {
        let raw = "abc";
        let p = Problem::cell(
            Path::new("data/townships.csv"),
            12,
            "常住人口",
            tr!("not a number: '{raw}'", "不是数字：'{raw}'"),
        );
        assert_eq!(
            p.to_string(),
            "data/townships.csv: row 12, column '常住人口': not a number: 'abc'"
        );
        assert_eq!(
            p.describe(Lang::Zh),
            "data/townships.csv：第 12 行「常住人口」列：不是数字：'abc'"
        );
    }

    #[test]
    fn a_feature_problem_names_its_code() {
        let p = Problem::feature(
            Path::new("t.geojson"),
            3,
            Some("510104020"),
            Message::new("empty geometry", "几何为空"),
        );
        assert_eq!(
            p.to_string(),
            "t.geojson: feature 3 (code 510104020): empty geometry"
        );
        assert_eq!(
            p.describe(Lang::Zh),
            "t.geojson：第 3 个要素（代码 510104020）：几何为空"
        );
    }
}
