//! The top bar: the dataset and its "modelled" badge, undo and redo, files (dialogs and a typed
//! path), language and theme, and what runs in the background.

use std::path::PathBuf;

use eframe::egui;

use super::i18n::Lang;
use super::state::AppState;
use super::style;
use super::{Command, step_key};

/// Draws the bar; `path_input` is the path being typed.
pub fn show(ui: &mut egui::Ui, state: &AppState, path_input: &mut String) -> Vec<Command> {
    let l = state.lang();
    let mut out = Vec::new();
    // Two rows that never wrap: the data and what is done to it (edits, files), then the
    // typed path and the settings. The long title only where there is room for it.
    ui.horizontal(|ui| {
        let wide = ui.ctx().content_rect().width() >= 1700.0;
        ui.heading(if wide {
            l.t("app_title")
        } else {
            l.t("app_title_short")
        });
        ui.separator();
        let provenance = &state.workspace.dataset().provenance;
        ui.label(format!("{}: {}", l.t("data"), provenance.name));
        if !provenance.modelled.is_empty() {
            ui.label(
                egui::RichText::new(l.t("modelled"))
                    .color(style::MODELLED)
                    .strong(),
            )
            .on_hover_text(l.t("modelled_hint"));
        }
        ui.separator();
        let tab = state.tab();
        if ui
            .add_enabled(!tab.undo.is_empty(), egui::Button::new(l.t("undo")))
            .clicked()
        {
            out.push(Command::Undo);
        }
        if ui
            .add_enabled(!tab.redo.is_empty(), egui::Button::new(l.t("redo")))
            .clicked()
        {
            out.push(Command::Redo);
        }
        ui.separator();
        out.extend(file_buttons(ui, state));
        out.extend(background(ui, state));
    });
    ui.horizontal(|ui| {
        out.extend(path_row(ui, state, path_input));
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            out.extend(settings(ui, state));
        });
    });
    out
}

/// The settings at the right of the second row: help, theme, language, province.
fn settings(ui: &mut egui::Ui, state: &AppState) -> Vec<Command> {
    let l = state.lang();
    let mut out = Vec::new();
    if ui.button(l.t("about")).clicked() {
        out.push(Command::SetAbout(!state.about));
    }
    // Laid out right to left: help at the far right, the province nearest the path.
    let dark = state.settings.dark;
    if ui
        .button(if dark { l.t("light") } else { l.t("dark") })
        .clicked()
    {
        out.push(Command::SetDark(!dark));
    }
    egui::ComboBox::from_id_salt("lang")
        .selected_text(l.name())
        .show_ui(ui, |ui| {
            for lang in [Lang::Zh, Lang::En] {
                if ui.selectable_label(lang == l, lang.name()).clicked() {
                    out.push(Command::SetLanguage(lang));
                }
            }
        })
        .response
        .accessible_name(l.t("language"));
    out.extend(province_picker(ui, state));
    out
}

/// Open, save and export through the system's file dialogs.
fn file_buttons(ui: &mut egui::Ui, state: &AppState) -> Vec<Command> {
    let l = state.lang();
    let mut out = Vec::new();
    if ui.button(l.t("open_data")).clicked()
        && let Some(dir) = rfd::FileDialog::new().pick_folder()
    {
        out.push(Command::OpenPath(dir));
    }
    if ui.button(l.t("open_scenario")).clicked()
        && let Some(file) = rfd::FileDialog::new()
            .add_filter("TOML", &["toml"])
            .pick_file()
    {
        out.push(Command::OpenPath(file));
    }
    if ui.button(l.t("save_scenario")).clicked()
        && let Some(file) = rfd::FileDialog::new()
            .set_file_name("scenario.toml")
            .save_file()
    {
        out.push(Command::SaveScenario(file));
    }
    if ui
        .add_enabled(can_export(state), egui::Button::new(l.t("export")))
        .clicked()
        && let Some(dir) = rfd::FileDialog::new().pick_folder()
    {
        out.push(Command::Export(dir));
    }
    out.extend(export_formats(ui, state));
    out
}

/// The formats an export writes, ticked in a menu (at least one stays ticked).
fn export_formats(ui: &mut egui::Ui, state: &AppState) -> Vec<Command> {
    use crate::report::export::Format;
    let l = state.lang();
    let chosen = &state.settings.export_formats;
    let mut out = Vec::new();
    let names: Vec<&str> = chosen.iter().map(|f| f.name()).collect();
    let menu = ui.menu_button(format!("{} ({})", l.t("formats"), names.len()), |ui| {
        for format in Format::ALL {
            let mut on = chosen.contains(&format);
            if ui.checkbox(&mut on, format.label(l)).changed() {
                let formats: Vec<Format> = Format::ALL
                    .into_iter()
                    .filter(|f| if *f == format { on } else { chosen.contains(f) })
                    .collect();
                out.push(Command::SetExportFormats(formats));
            }
        }
        ui.separator();
        out.extend(export_crs(ui, state));
    });
    menu.response.on_hover_text(names.join(", "));
    out
}

/// The coordinate system GIS layers are written in: the dataset's own, WGS 84, CGCS2000, or
/// the CGCS2000 Gauss–Krüger zones where the dataset lies.
fn export_crs(ui: &mut egui::Ui, state: &AppState) -> Vec<Command> {
    use crate::crs::Crs;
    let l = state.lang();
    let dataset = state.workspace.dataset();
    let own = dataset.crs.clone().unwrap_or_else(Crs::wgs84);
    let mut choices: Vec<(Option<u32>, String)> = vec![(
        None,
        format!("{} ({}, {})", l.t("crs_own"), own.code(), own.name),
    )];
    let mut lons: Vec<f64> = dataset
        .townships
        .iter()
        .map(|t| t.seat.lon)
        .filter(|x| x.is_finite())
        .collect();
    lons.sort_by(f64::total_cmp);
    let zones = lons
        .get(lons.len() / 2)
        .map_or_else(Vec::new, |&lon| Crs::cgcs2000_zones(lon));
    for crs in [Crs::wgs84()]
        .into_iter()
        .chain(Crs::from_epsg(4490).ok())
        .chain(zones)
    {
        choices.push((
            Some(u32::from(crs.epsg)),
            format!("{} {}", crs.code(), crs.name),
        ));
    }
    let chosen = state.settings.export_crs;
    if let Some(code) = chosen
        && !choices.iter().any(|(c, _)| *c == chosen)
        && let Ok(crs) = Crs::from_epsg(code)
    {
        choices.push((chosen, format!("{} {}", crs.code(), crs.name)));
    }
    ui.label(l.t("crs_export"));
    let mut out = Vec::new();
    for (code, label) in choices {
        if ui.radio(chosen == code, label).clicked() && chosen != code {
            out.push(Command::SetExportCrs(code));
        }
    }
    out
}

fn can_export(state: &AppState) -> bool {
    state.analysis().is_some() && state.exporting.is_none()
}

/// Spinners and progress of what runs in the background.
fn background(ui: &mut egui::Ui, state: &AppState) -> Vec<Command> {
    let l = state.lang();
    let mut out = Vec::new();
    if state.open.iter().any(|o| o.tab.computing) {
        style::spinner(ui);
        ui.label(l.t("computing"));
    }
    if let Some(exporting) = &state.exporting {
        style::spinner(ui);
        ui.label(format!("{} {}", l.t("exporting"), exporting.dir.display()));
        let shown = exporting.progress.snapshot();
        ui.add(
            egui::ProgressBar::new(shown.fraction.unwrap_or(0.0))
                .desired_width(120.0)
                .show_percentage(),
        );
        if ui.button(l.t("cancel")).clicked() {
            out.push(Command::CancelExport);
        }
    }
    if let Some(loading) = &state.loading {
        style::spinner(ui);
        let shown = loading.progress.snapshot();
        ui.label(format!("{} {}", l.t("loading"), l.t(step_key(shown.step))));
        ui.add(
            egui::ProgressBar::new(shown.fraction.unwrap_or(0.0))
                .desired_width(160.0)
                .show_percentage()
                .animate(shown.fraction.is_none()),
        );
        if ui.button(l.t("cancel")).clicked() {
            out.push(Command::CancelLoad);
        }
    }
    out
}

/// A typed path: load a dataset or scenario, save the scenario, or export into it (for when
/// no file dialog is available).
fn path_row(ui: &mut egui::Ui, state: &AppState, path_input: &mut String) -> Vec<Command> {
    let l = state.lang();
    let mut out = Vec::new();
    ui.label(l.t("path"));
    let edit = ui
        .add(
            egui::TextEdit::singleline(path_input)
                .hint_text(l.t("path_hint"))
                .desired_width(300.0),
        )
        .on_hover_text(l.t("drop_hint"));
    let typed = path_input.trim();
    let enter = edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
    if (ui.button(l.t("load")).clicked() || enter) && !typed.is_empty() {
        out.push(Command::OpenPath(PathBuf::from(typed)));
    }
    // Saving or exporting to the typed path (where no file dialog is at hand), in a menu: the
    // buttons of the first row stay the only ones with their names.
    ui.add_enabled_ui(!typed.is_empty(), |ui| {
        ui.menu_button(l.t("to_path"), |ui| {
            if ui
                .add_enabled(
                    typed.ends_with(".toml"),
                    egui::Button::new(l.t("save_to_path")),
                )
                .clicked()
            {
                out.push(Command::SaveScenario(PathBuf::from(typed)));
            }
            if ui
                .add_enabled(can_export(state), egui::Button::new(l.t("export_to_path")))
                .clicked()
            {
                out.push(Command::Export(PathBuf::from(typed)));
            }
        })
        .response
        .on_hover_text(l.t("path_hint"));
    });
    if !state.status.is_empty() {
        ui.separator();
        // Cut to the room the settings at the right leave (the whole text on hover).
        let room = (ui.available_width() - 440.0).max(80.0);
        ui.allocate_ui(egui::vec2(room, ui.spacing().interact_size.y), |ui| {
            ui.add(egui::Label::new(&state.status).truncate());
        });
    }
    out
}

/// The province the data is of (if all its counties share one), and a list to open another.
fn province_picker(ui: &mut egui::Ui, state: &AppState) -> Option<Command> {
    let l = state.lang();
    // The provinces of the counties, in the order first met (worked out once per dataset).
    let provinces = state.workspace.provinces();
    let first = provinces.first().copied().flatten();
    let current = first.filter(|_| provinces.len() == 1);
    // Counties of more than one province: several provinces, or the whole country, are open.
    let several = first.is_some() && current.is_none();
    let whole = several
        && crate::national::PROVINCES
            .iter()
            .all(|p| provinces.contains(&Some(p)));
    let name = |p: &crate::national::Province| match l {
        crate::Lang::Zh => p.short,
        crate::Lang::En => p.english,
    };
    let mut chosen = None;
    egui::ComboBox::from_id_salt("province")
        .selected_text(match (current, whole) {
            (Some(p), _) => name(p).to_string(),
            (None, true) => l.t("province_all").to_string(),
            (None, false) if several => l.t("province_several").to_string(),
            (None, false) => l.t("province_other").to_string(),
        })
        .show_ui(ui, |ui| {
            if ui.selectable_label(whole, l.t("province_all")).clicked() && !whole {
                chosen = Some(Command::OpenCountry);
            }
            for p in &crate::national::PROVINCES {
                let label = if p.code == crate::national::SICHUAN {
                    format!("{} ({})", name(p), l.t("province_demo"))
                } else {
                    name(p).to_string()
                };
                if ui.selectable_label(current == Some(p), label).clicked() && current != Some(p) {
                    chosen = Some(Command::OpenProvince(p.code));
                }
            }
        })
        .response
        .on_hover_text(l.t("province_hint"));
    chosen
}
