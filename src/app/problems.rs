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
                        let text = without_cache_paths(p.get(l), l);
                        ui.label(egui::RichText::new(text).color(ui.visuals().error_fg_color));
                    }
                    if !state.warnings.is_empty() {
                        ui.strong(l.t("warnings"));
                        for w in &state.warnings {
                            let text = without_cache_paths(w.get(l), l);
                            ui.label(egui::RichText::new(text).color(ui.visuals().warn_fg_color));
                        }
                    }
                });
            if ui.button(l.t("close")).clicked() {
                out.push(Command::DismissProblems);
            }
        });
    out
}

/// A message with the program's own cache folders named for what they hold: the built-in
/// demo's files as `四川（演示）/villages.csv`, a modelled province's as `河北（模拟）/villages.csv`
/// (the folder names are internal and mean nothing to a planner).
pub fn without_cache_paths(text: &str, l: crate::Lang) -> String {
    let Ok(bundle) = crate::builtin::bundle_dir() else {
        return text.to_string();
    };
    let bundle = bundle.display().to_string();
    let mut out = text.to_string();
    let modelled = match l {
        crate::Lang::Zh => "（模拟）",
        crate::Lang::En => " (modelled)",
    };
    if let Ok(national) = crate::national::national_dir() {
        let national = national.display().to_string();
        for p in &crate::national::PROVINCES {
            let name = match l {
                crate::Lang::Zh => p.short,
                crate::Lang::En => p.english,
            };
            out = out.replace(
                &format!("{national}/{}/", p.code),
                &format!("{name}{modelled}/"),
            );
        }
    }
    let demo = crate::builtin::demo_dir().display().to_string();
    let demo_name = match l {
        crate::Lang::Zh => "四川（演示）",
        crate::Lang::En => "Sichuan (demo)",
    };
    out = out.replace(&format!("{demo}/"), &format!("{demo_name}/"));
    out.replace(&format!("{bundle}/"), "")
}

#[cfg(test)]
mod tests {
    use super::without_cache_paths;
    use crate::Lang;

    #[test]
    fn the_programs_cache_folders_are_named_for_what_they_hold() {
        let national = crate::national::national_dir().unwrap();
        let text = format!(
            "{}: row 4: too many people",
            national.join("13").join("villages.csv").display()
        );
        assert_eq!(
            without_cache_paths(&text, Lang::Zh),
            "河北（模拟）/villages.csv: row 4: too many people"
        );
        assert_eq!(
            without_cache_paths(&text, Lang::En),
            "Hebei (modelled)/villages.csv: row 4: too many people"
        );
        let demo = crate::builtin::demo_dir().join("townships.geojson");
        let text = format!("{}: feature 3", demo.display());
        assert_eq!(
            without_cache_paths(&text, Lang::Zh),
            "四川（演示）/townships.geojson: feature 3"
        );
        // A planner's own folder is left as it is.
        let own = "/home/planner/data/villages.csv: row 2";
        assert_eq!(without_cache_paths(own, Lang::Zh), own);
    }
}
