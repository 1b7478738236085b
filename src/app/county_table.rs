//! The bottom panel: a sortable, searchable per-county table of counts and distances, drawn
//! from the view model of the analysis; virtualised (only the rows in view are laid out).

use eframe::egui;
use egui_extras::{Column, TableBuilder};

use super::Command;
use super::i18n::Lang;
use super::view::{CountyRow, FiguresView};
use crate::model::CountyId;

/// Sort column and direction, kept in egui's memory between frames.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Sort {
    column: usize,
    descending: bool,
}

/// Draws the table; a click on a county's name shows it on the map. `highlighted` is marked
/// (and scrolled to when it changes).
pub fn show(
    ui: &mut egui::Ui,
    l: Lang,
    figures: &FiguresView,
    highlighted: Option<CountyId>,
) -> Vec<Command> {
    let mut out = Vec::new();
    let id = ui.scope_id().with("county_table");
    let mut query: String = ui.data_mut(|d| d.get_temp::<String>(id.with("q")).unwrap_or_default());
    let mut sort: Sort = ui.data_mut(|d| d.get_temp::<Sort>(id.with("sort")).unwrap_or_default());
    ui.horizontal(|ui| {
        ui.strong(l.t("counties"));
        ui.add(
            egui::TextEdit::singleline(&mut query)
                .hint_text(l.t("search"))
                .desired_width(220.0),
        )
        .accessible_name(l.t("search"));
    });
    let q = query.trim().to_lowercase();
    let mut rows: Vec<&CountyRow> = figures
        .counties
        .iter()
        .filter(|c| {
            q.is_empty()
                || c.name.to_lowercase().contains(&q)
                || c.code.contains(&q)
                || c.city.contains(&q)
        })
        .collect();
    rows.sort_by(|a, b| {
        fn text(r: &CountyRow, k: usize) -> &str {
            match k {
                0 => &r.code,
                1 => &r.name,
                _ => &r.city,
            }
        }
        let o = if sort.column < 3 {
            text(a, sort.column).cmp(text(b, sort.column))
        } else {
            a.numbers[sort.column - 3].total_cmp(&b.numbers[sort.column - 3])
        };
        if sort.descending { o.reverse() } else { o }
    });
    let headers = [
        l.t("code"),
        l.t("name"),
        l.t("city"),
        l.t("t_before"),
        l.t("t_after"),
        l.t("v_before"),
        l.t("v_after"),
        l.t("d_before"),
        l.t("d_after"),
    ];
    // Fill the panel's height (the user resizes the panel), with a scroll bar for the rest.
    let height = (ui.available_height() - 44.0).max(60.0);
    let shown: Option<CountyId> =
        ui.data_mut(|d| d.get_temp::<Option<CountyId>>(id.with("shown")).flatten());
    // One line per row (a long name is cut, its full text on hover), so every row is as high
    // as the table counts it.
    ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Truncate);
    let mut table = TableBuilder::new(ui);
    if highlighted != shown
        && let Some(row) = highlighted.and_then(|c| rows.iter().position(|r| r.county == c))
    {
        // At once: a county chosen on the map is shown in the table in the same frame.
        table = table
            .scroll_to_row(row, Some(egui::Align::Center))
            .animate_scrolling(false);
    }
    table
        .striped(true)
        .resizable(true)
        .min_scrolled_height(height)
        .max_scroll_height(height)
        .columns(Column::auto().at_least(60.0), 3)
        .columns(Column::auto().at_least(70.0), 6)
        // Two lines: what is counted, then before or after (a one-line header was cut to
        // "Towns …" in English, hiding which was which).
        .header(40.0, |mut header| {
            for (k, h) in headers.iter().enumerate() {
                header.col(|ui| {
                    ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Extend);
                    let arrow = if sort.column == k {
                        if sort.descending { " ▼" } else { " ▲" }
                    } else {
                        ""
                    };
                    if ui.button(format!("{h}{arrow}")).clicked() {
                        sort = Sort {
                            column: k,
                            descending: sort.column == k && !sort.descending,
                        };
                    }
                });
            }
        })
        .body(|body| {
            body.rows(20.0, rows.len(), |mut row| {
                let r = rows[row.index()];
                row.set_selected(highlighted == Some(r.county));
                row.col(|ui| {
                    ui.label(&r.code);
                });
                row.col(|ui| {
                    if ui.link(&r.name).on_hover_text(l.t("show_on_map")).clicked() {
                        out.push(Command::FocusCounty(r.county));
                    }
                });
                row.col(|ui| {
                    ui.label(&r.city);
                });
                for (k, n) in r.numbers.iter().enumerate() {
                    row.col(|ui| {
                        ui.label(if n.is_nan() && r.awaits_plan(k) {
                            "…".to_string()
                        } else if n.is_nan() {
                            "—".to_string()
                        } else if k >= 4 {
                            format!("{n:.2}")
                        } else {
                            format!("{n:.0}")
                        });
                    });
                }
            });
        });
    ui.data_mut(|d| {
        d.insert_temp(id.with("q"), query);
        d.insert_temp(id.with("sort"), sort);
        d.insert_temp(id.with("shown"), highlighted);
    });
    out
}
