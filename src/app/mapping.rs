//! The column-mapping dialog: opens when a table's headers do not name every field Jianzhi
//! needs (or name one twice). Each field sits beside a drop-down of the file's headers, the
//! first rows are previewed, and the chosen mapping is checked live against the whole table
//! (the first problem, by row and column). It loads with the mapping, and can save it beside the
//! data as `columns.toml` for the next time and for the command line.

use std::path::PathBuf;

use eframe::egui;

use super::Command;
use super::i18n::Lang;
use super::style;
use crate::error::Message;
use crate::import::ColumnsProblem;
use crate::import::columns::ColumnMap;
use crate::import::header::{TableKind, meaning};
use crate::import::table::Column;
use crate::import::{check_table, required_columns, table_columns};

/// The colour of a problem found by the live check.
const ERROR: egui::Color32 = egui::Color32::from_rgb(198, 40, 40);

/// The dialog's state.
#[derive(Debug, Clone)]
pub struct Dialog {
    /// The dataset folder being loaded.
    pub dir: PathBuf,
    pub problem: ColumnsProblem,
    /// The mapping the load used; the choice here is added to it for the table in question.
    pub base: ColumnMap,
    /// The header index chosen for each of the table's fields, in [`table_columns`] order.
    pub choice: Vec<(Column, Option<usize>)>,
    /// Save the mapping as `columns.toml` beside the data.
    pub save: bool,
    /// The live check of the choice: rows read, or the first problem.
    pub check: Result<usize, Message>,
}

impl Dialog {
    /// A dialog on a table's problem, with what the headers say (or the mapping already gave)
    /// chosen; a field that two headers could be is left for the user.
    pub fn new(dir: PathBuf, problem: ColumnsProblem, base: ColumnMap) -> Self {
        let given = base.mapping(problem.table);
        let ambiguous = problem.ambiguous.as_ref().map(|(c, _)| *c);
        let choice = table_columns(problem.table)
            .iter()
            .map(|&column| {
                let by_mapping = given
                    .iter()
                    .find(|(c, _)| *c == column)
                    .and_then(|(_, h)| problem.headers.iter().position(|x| x == h));
                let by_meaning = || {
                    problem
                        .headers
                        .iter()
                        .position(|h| meaning(h, problem.table).is_some_and(|m| m.column == column))
                };
                let chosen = if Some(column) == ambiguous {
                    None
                } else {
                    by_mapping.or_else(by_meaning)
                };
                (column, chosen)
            })
            .collect();
        let mut dialog = Self {
            dir,
            problem,
            base,
            choice,
            save: true,
            check: Ok(0),
        };
        dialog.recheck();
        dialog
    }

    /// The chosen (field, header) pairs.
    pub fn mapping(&self) -> Vec<(Column, String)> {
        self.choice
            .iter()
            .filter_map(|(c, i)| Some((*c, self.problem.headers.get((*i)?)?.clone())))
            .collect()
    }

    /// Chooses header `index` (or none) for `column`; a header chosen for another field is
    /// taken from it.
    pub fn choose(&mut self, column: Column, index: Option<usize>) {
        for (c, i) in &mut self.choice {
            if *c == column {
                *i = index;
            } else if index.is_some() && *i == index {
                *i = None;
            }
        }
        self.recheck();
    }

    /// Checks the choice against the whole table.
    fn recheck(&mut self) {
        let missing: Vec<Column> = required_columns(self.problem.table)
            .iter()
            .copied()
            .filter(|c| !self.choice.iter().any(|(k, i)| k == c && i.is_some()))
            .collect();
        self.check = if missing.is_empty() {
            check_table(&self.problem, &self.mapping()).map_err(|p| p.message())
        } else {
            let en: Vec<String> = missing.iter().map(|c| c.label().en).collect();
            let zh: Vec<String> = missing.iter().map(|c| c.label().zh).collect();
            Err(Message::new(
                format!("choose a column for the {}", en.join(", ")),
                format!("请为{}选择一列", zh.join("、")),
            ))
        };
    }

    /// The mapping the load is given: the base with this table's choice (and sheet).
    pub fn columns(&self) -> ColumnMap {
        let mut map = self.base.clone();
        let table = map.table_mut(self.problem.table);
        table.sheet = self.problem.sheet.clone();
        table.fields = self
            .mapping()
            .into_iter()
            .map(|(c, h)| (c.key().to_string(), h))
            .collect();
        if self.problem.file.parent() != Some(self.dir.as_path()) || !is_default_name(&self.problem)
        {
            table.file = self
                .problem
                .file
                .strip_prefix(&self.dir)
                .map(PathBuf::from)
                .ok();
        }
        map
    }
}

/// Whether the table's file has the name the loader looks for anyway (`townships.csv`, …).
fn is_default_name(problem: &ColumnsProblem) -> bool {
    problem
        .file
        .file_stem()
        .is_some_and(|s| s == problem.table.stem())
}

fn table_name(table: TableKind, l: Lang) -> &'static str {
    match (table, l) {
        (TableKind::Counties, Lang::Zh) => "区县表",
        (TableKind::Townships, Lang::Zh) => "乡镇表",
        (TableKind::Villages, Lang::Zh) => "村表",
        (TableKind::Neighbours, Lang::Zh) => "相邻关系表",
        (TableKind::Counties, Lang::En) => "county table",
        (TableKind::Townships, Lang::En) => "township table",
        (TableKind::Villages, Lang::En) => "village table",
        (TableKind::Neighbours, Lang::En) => "neighbour table",
    }
}

/// Draws the dialog.
pub fn show(ctx: &egui::Context, l: Lang, dialog: &Dialog) -> Vec<Command> {
    let mut out = Vec::new();
    let problem = &dialog.problem;
    let file = problem
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let file = match &problem.sheet {
        Some(sheet) => format!("{file} [{sheet}]"),
        None => file,
    };
    egui::Window::new(l.t("mapping_title"))
        .collapsible(false)
        .default_width(760.0)
        .anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0])
        .show(ctx, |ui| {
            ui.label(match l {
                Lang::Zh => format!(
                    "{}（{file}）中有些列未能识别。请为每个字段选择所在的列；带 * 的为必需。",
                    table_name(problem.table, l)
                ),
                Lang::En => format!(
                    "Some columns of the {} ({file}) were not recognised. Choose the column that holds each field; * marks the required ones.",
                    table_name(problem.table, l)
                ),
            });
            ui.add_space(6.0);
            egui::Grid::new("mapping_fields")
                .num_columns(4)
                .spacing([12.0, 4.0])
                .show(ui, |ui| {
                    for (n, (column, chosen)) in dialog.choice.iter().enumerate() {
                        let required = required_columns(problem.table).contains(column);
                        let label = column.label();
                        let name = format!(
                            "{}{}",
                            label.get(l),
                            if required { " *" } else { "" }
                        );
                        let selected = chosen
                            .and_then(|i| problem.headers.get(i))
                            .cloned()
                            .unwrap_or_else(|| "—".to_string());
                        egui::ComboBox::from_label(name)
                            .selected_text(selected)
                            .width(220.0)
                            .show_ui(ui, |ui| {
                                if ui.selectable_label(chosen.is_none(), "—").clicked() {
                                    out.push(Command::MapColumn(*column, None));
                                }
                                for (i, header) in problem.headers.iter().enumerate() {
                                    if header.is_empty() {
                                        continue;
                                    }
                                    if ui.selectable_label(*chosen == Some(i), header).clicked() {
                                        out.push(Command::MapColumn(*column, Some(i)));
                                    }
                                }
                            });
                        if n % 2 == 1 {
                            ui.end_row();
                        }
                    }
                });
            ui.add_space(6.0);
            ui.label(egui::RichText::new(l.t("mapping_preview")).strong());
            egui::ScrollArea::horizontal().show(ui, |ui| {
                egui::Grid::new("mapping_preview")
                    .striped(true)
                    .show(ui, |ui| {
                        ui.label(format!("{}", problem.header_line));
                        for h in &problem.headers {
                            ui.label(egui::RichText::new(h).strong());
                        }
                        ui.end_row();
                        for (k, row) in problem.preview.iter().enumerate() {
                            ui.label(format!("{}", problem.header_line + 1 + k as u64));
                            for cell in row {
                                ui.label(cell);
                            }
                            ui.end_row();
                        }
                    });
            });
            ui.add_space(6.0);
            match &dialog.check {
                Ok(rows) => ui.colored_label(
                    style::STATIONS,
                    match l {
                        Lang::Zh => format!("已读取 {rows} 行，未发现问题"),
                        Lang::En => format!("{rows} rows read without a problem"),
                    },
                ),
                Err(message) => ui.colored_label(ERROR, message.get(l)),
            };
            let mut save = dialog.save;
            if ui.checkbox(&mut save, l.t("mapping_save")).changed() {
                out.push(Command::SetSaveMapping(save));
            }
            ui.horizontal(|ui| {
                if ui
                    .add_enabled(dialog.check.is_ok(), egui::Button::new(l.t("mapping_load")))
                    .clicked()
                {
                    out.push(Command::ApplyMapping);
                }
                if ui.button(l.t("cancel")).clicked() {
                    out.push(Command::CloseMapping);
                }
            });
        });
    out
}
