//! The problems window: errors of the last failed load or command, and warnings of the last
//! load, in the interface's language.

use eframe::egui;

use super::Command;
use super::state::AppState;

pub fn show(ctx: &egui::Context, state: &AppState) -> Vec<Command> {
    let l = state.lang();
    let mut out = Vec::new();
    egui::Window::new(l.t("problems"))
        .collapsible(false)
        .default_width(620.0)
        .show(ctx, |ui| {
            egui::ScrollArea::vertical()
                .max_height(300.0)
                .show(ui, |ui| {
                    for p in &state.problems {
                        ui.label(egui::RichText::new(p.get(l)).color(ui.visuals().error_fg_color));
                    }
                    if !state.warnings.is_empty() {
                        ui.strong(l.t("warnings"));
                        for w in &state.warnings {
                            ui.label(
                                egui::RichText::new(w.get(l)).color(ui.visuals().warn_fg_color),
                            );
                        }
                    }
                });
            if ui.button(l.t("close")).clicked() {
                out.push(Command::DismissProblems);
            }
        });
    out
}
