//! Presentation mode (F5): full screen, large type, the map and the charts of the scenario in
//! front under a title line with its name and key parameters; ← and → step through the open
//! scenarios; nothing on screen is editable; Esc (or F5) leaves.

use eframe::egui;

use super::charts;
use super::command::Command;
use super::i18n::Lang;
use super::map;
use super::state::AppState;

/// How much larger everything is drawn while presenting.
pub const ZOOM: f32 = 1.4;

/// Draws the presentation and returns what it asks for: stepping between scenarios, leaving,
/// and on the map only the highlighting of a county (edits are dropped).
pub fn show(ui: &mut egui::Ui, state: &AppState, view: &mut map::View) -> Vec<Command> {
    let l = state.lang();
    let mut out = keys(ui.ctx(), state);
    egui::Panel::top("present-title").show(ui, |ui| {
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            ui.label(
                egui::RichText::new(&state.scenario().name)
                    .size(24.0)
                    .strong(),
            );
            if state.open.len() > 1 {
                ui.label(
                    egui::RichText::new(format!(
                        "{}/{}",
                        state.active_index() + 1,
                        state.open.len()
                    ))
                    .size(16.0)
                    .weak(),
                );
            }
            if !state.workspace.dataset().provenance.modelled.is_empty() {
                ui.label(
                    egui::RichText::new(l.t("modelled"))
                        .color(super::style::MODELLED)
                        .strong(),
                );
            }
        });
        ui.label(egui::RichText::new(parameters(state, l)).size(15.0));
        ui.add_space(4.0);
    });
    egui::Panel::bottom("present-hint").show(ui, |ui| {
        ui.weak(l.t("present_hint"));
    });
    let width = ui.available_width();
    egui::Panel::right("present-figures")
        .resizable(false)
        .exact_size(width * 0.42)
        .show(ui, |ui| charts::show(ui, l, state.figures(), &mut |_| {}));
    egui::CentralPanel::default().show(ui, |ui| {
        out.extend(
            map::show(ui, state, view)
                .into_iter()
                .filter(|c| matches!(c, Command::HighlightCounty(_))),
        );
    });
    out
}

/// Esc and F5 leave; the arrow keys (and Page Up/Down, as presentation clickers send) step
/// through the open scenarios.
fn keys(ctx: &egui::Context, state: &AppState) -> Vec<Command> {
    use egui::{Key, Modifiers};
    let mut out = Vec::new();
    let pressed =
        |keys: &[Key]| ctx.input_mut(|i| keys.iter().any(|k| i.consume_key(Modifiers::NONE, *k)));
    if pressed(&[Key::Escape, Key::F5]) {
        out.push(Command::SetPresenting(false));
    }
    let n = state.open.len();
    let active = state.active_index();
    let tab = |k: usize| state.open[k % n].tab.id;
    if pressed(&[Key::ArrowRight, Key::ArrowDown, Key::PageDown]) {
        out.push(Command::SelectScenario(tab(active + 1)));
    }
    if pressed(&[Key::ArrowLeft, Key::ArrowUp, Key::PageUp]) {
        out.push(Command::SelectScenario(tab(active + n - 1)));
    }
    out
}

/// The scenario's key parameters in a line: targets, service radius and stations, hand edits.
pub fn parameters(state: &AppState, l: Lang) -> String {
    let s = state.scenario();
    let target = |pct: Option<f64>, enabled: bool| match (enabled, pct) {
        (false, _) => l.t("not_merged").to_string(),
        (true, Some(p)) => format!("−{p:.1}%"),
        (true, None) => l.t("no_target").to_string(),
    };
    let mut parts = vec![
        format!(
            "{} {}",
            l.t("townships"),
            target(s.townships.target_reduction_pct, s.townships.enabled)
        ),
        format!(
            "{} {}",
            l.t("villages"),
            target(s.villages.target_reduction_pct, s.villages.enabled)
        ),
        format!("{} {:.0} km", l.t("service_radius"), s.service.radius_km),
    ];
    if !s.edits.is_empty() {
        parts.push(format!("{} {}", l.t("hand_edits"), s.edits.len()));
    }
    parts.join(" · ")
}
