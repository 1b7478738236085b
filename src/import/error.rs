//! The errors of reading data: an [`ImportError`] lists every problem found (each located by
//! file, row and column), a [`LoadError`] is that or a cancelled load, and [`Problems`]
//! collects them while a file is read.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::error::{Message, Problem};

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
    pub table: super::header::TableKind,
    /// The table's file (a workbook's, without the sheet).
    pub file: PathBuf,
    pub sheet: Option<String>,
    /// The row taken for the header, and its headers as written.
    pub header_line: u64,
    pub headers: Vec<String>,
    /// The first rows after it.
    pub preview: Vec<Vec<String>>,
    /// Required fields no header names.
    pub missing: Vec<super::table::Column>,
    /// A field several headers could be, and those headers.
    pub ambiguous: Option<(super::table::Column, Vec<String>)>,
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
