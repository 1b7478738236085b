//! The strip of open scenarios: one tab each, a close button, and a button to open a copy of
//! the scenario in front.

use eframe::egui;

use super::Command;
use super::state::AppState;

pub fn show(ui: &mut egui::Ui, state: &AppState) -> Vec<Command> {
    let l = state.lang();
    let mut out = Vec::new();
    ui.horizontal_wrapped(|ui| {
        ui.label(l.t("scenarios"));
        let open = state.open.len();
        for super::state::OpenScenario { scenario, tab } in &state.open {
            let active = tab.id == state.active;
            let title = if tab.computing {
                format!("{} …", scenario.name)
            } else {
                scenario.name.clone()
            };
            if ui
                .selectable_label(active, title)
                .on_hover_text(l.t("tab_hint"))
                .clicked()
                && !active
            {
                out.push(Command::SelectScenario(tab.id));
            }
            if open > 1
                && ui
                    .small_button("×")
                    .on_hover_text(l.t("close_scenario"))
                    .clicked()
            {
                out.push(Command::CloseScenario(tab.id));
            }
            ui.separator();
        }
        if ui
            .button(l.t("new_scenario"))
            .on_hover_text(l.t("new_scenario_hint"))
            .clicked()
        {
            out.push(Command::NewScenario);
        }
        ui.separator();
        if ui
            .selectable_label(state.comparing, l.t("compare"))
            .on_hover_text(l.t("compare_need_two"))
            .clicked()
        {
            out.push(Command::SetComparing(!state.comparing));
        }
        if ui
            .button(l.t("present"))
            .on_hover_text(l.t("present_hint"))
            .clicked()
        {
            out.push(Command::SetPresenting(true));
        }
    });
    out
}
