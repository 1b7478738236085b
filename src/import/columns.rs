//! `columns.toml`: which header of a user's table holds each field, where the headers alone do
//! not say (or say it twice). Written by the app's column-mapping dialog beside the data, read
//! by the loader from the dataset folder or from `--columns FILE`.
//!
//! ```toml
//! [townships]
//! file = "2023年乡镇统计.xlsx"   # optional: the table's file, relative to the dataset folder
//! sheet = "乡镇"                 # optional: a workbook's sheet (else the first visible one)
//! code = "乡镇编号"
//! county_code = "县编号"
//!
//! [villages]
//! resident_pop = "常住"
//! ```
//!
//! Field keys are [`Column::key`]s; each value is a header as written in the file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Message, Problem};
use crate::import::ImportError;
use crate::import::header::{TableKind, normalise};
use crate::import::table::Column;
use crate::tr;

/// The file name the loader looks for in a dataset folder.
pub const FILE_NAME: &str = "columns.toml";

/// Column mappings per table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnMap {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counties: Option<TableColumns>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub townships: Option<TableColumns>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub villages: Option<TableColumns>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adjacency: Option<TableColumns>,
}

/// One table's file, sheet and field → header mapping.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableColumns {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// Field key → header.
    #[serde(flatten)]
    pub fields: BTreeMap<String, String>,
}

impl TableColumns {
    /// The mapping as (column, header) pairs; keys were checked when the file was read.
    pub fn mapping(&self) -> Vec<(Column, String)> {
        self.fields
            .iter()
            .filter_map(|(k, h)| Some((Column::from_key(k)?, h.clone())))
            .collect()
    }
}

impl ColumnMap {
    pub fn table(&self, table: TableKind) -> Option<&TableColumns> {
        match table {
            TableKind::Counties => self.counties.as_ref(),
            TableKind::Townships => self.townships.as_ref(),
            TableKind::Villages => self.villages.as_ref(),
            TableKind::Neighbours => self.adjacency.as_ref(),
        }
    }

    pub fn table_mut(&mut self, table: TableKind) -> &mut TableColumns {
        let slot = match table {
            TableKind::Counties => &mut self.counties,
            TableKind::Townships => &mut self.townships,
            TableKind::Villages => &mut self.villages,
            TableKind::Neighbours => &mut self.adjacency,
        };
        slot.get_or_insert_with(TableColumns::default)
    }

    /// The (column, header) pairs of a table; empty if it has none.
    pub fn mapping(&self, table: TableKind) -> Vec<(Column, String)> {
        self.table(table)
            .map(TableColumns::mapping)
            .unwrap_or_default()
    }

    /// Reads and checks a mapping file: every key must be a field, and no header may be given
    /// to two fields of one table.
    pub fn read(path: &Path) -> Result<ColumnMap, ImportError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Problem::file(path, tr!("cannot read: {e}", "无法读取：{e}")))?;
        let map: ColumnMap = toml::from_str(&text).map_err(|e| {
            Problem::file(
                path,
                tr!(
                    "not a valid column mapping: {e}",
                    "不是有效的列对应文件：{e}"
                ),
            )
        })?;
        for table in [
            TableKind::Counties,
            TableKind::Townships,
            TableKind::Villages,
            TableKind::Neighbours,
        ] {
            let Some(columns) = map.table(table) else {
                continue;
            };
            let mut seen: BTreeMap<String, &str> = BTreeMap::new();
            for (key, header) in &columns.fields {
                if Column::from_key(key).is_none() {
                    let keys: Vec<&str> = Column::ALL.iter().map(|c| c.key()).collect();
                    return Err(Problem::file(
                        path,
                        tr!(
                            "[{}] {key}: not a field; the fields are {}",
                            "[{}] {key}：不是字段名；字段名为 {}",
                            table.stem(),
                            keys.join(", ")
                        ),
                    )
                    .into());
                }
                if let Some(other) = seen.insert(normalise(header), key) {
                    return Err(Problem::file(
                        path,
                        tr!(
                            "[{}] the header '{header}' is given to both {other} and {key}",
                            "[{}] 表头 '{header}' 同时指定给了 {other} 和 {key}",
                            table.stem()
                        ),
                    )
                    .into());
                }
            }
        }
        Ok(map)
    }

    /// Writes the mapping to `path` (through a temporary file, so a failed write leaves the
    /// old file whole).
    pub fn write(&self, path: &Path) -> Result<(), Problem> {
        let body = toml::to_string_pretty(self)
            .map_err(|e| Problem::file(path, tr!("cannot write: {e}", "无法写入：{e}")))?;
        let text = format!(
            "# Jianzhi column mapping: for each table, the header in the file that holds each field.\n# 建制 列对应：每张表中各字段所在列的表头。\n\n{body}"
        );
        crate::atomic::write_atomic(path, text.as_bytes())
            .map_err(|e| Problem::file(path, tr!("cannot write: {e}", "无法写入：{e}")))
    }
}

/// The message for a `--columns` file that does not exist.
pub fn missing(path: &Path) -> Problem {
    Problem::file(
        path,
        Message::new("the column mapping file is missing", "找不到列对应文件"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mapping_reads_back_as_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        let mut map = ColumnMap::default();
        let t = map.table_mut(TableKind::Townships);
        t.sheet = Some("乡镇".into());
        t.fields.insert("code".into(), "乡镇编号".into());
        t.fields.insert("county_code".into(), "县".into());
        map.write(&path).unwrap();
        let back = ColumnMap::read(&path).unwrap();
        assert_eq!(back, map);
        assert_eq!(
            back.mapping(TableKind::Townships),
            [
                (Column::Code, "乡镇编号".to_string()),
                (Column::CountyCode, "县".to_string())
            ]
        );
        assert!(back.mapping(TableKind::Villages).is_empty());
    }

    #[test]
    fn unknown_fields_and_a_header_given_twice_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        std::fs::write(&path, "[townships]\ncode = \"编号\"\npopulace = \"人\"\n").unwrap();
        let message = ColumnMap::read(&path).unwrap_err().to_string();
        assert!(message.contains("populace: not a field"), "{message}");
        std::fs::write(&path, "[villages]\ncode = \"编号\"\nname = \"编号\"\n").unwrap();
        let message = ColumnMap::read(&path).unwrap_err().to_string();
        assert!(message.contains("given to both code and name"), "{message}");
        std::fs::write(&path, "[towns]\ncode = \"编号\"\n").unwrap();
        let message = ColumnMap::read(&path).unwrap_err().to_string();
        assert!(message.contains("not a valid column mapping"), "{message}");
    }
}
