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
