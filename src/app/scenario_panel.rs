//! The left panel: preset picker, every rule of the scenario in front, and its hand edits with
//! what became of each; each change is a command.

use crate::model::Terrain;
use crate::plan::{Constraint, Outcome};
use crate::scenario::{Limits, Rules, SeatRule, Stations, TargetPer, UnitKind};
use eframe::egui;

use super::i18n::Lang;
use super::state::AppState;
use super::view::FiguresView;
use super::{Command, style};

/// Draws the panel; returns the edits made.
pub fn show(ui: &mut egui::Ui, state: &AppState) -> Vec<Command> {
    let l = state.lang();
    let mut out = Vec::new();
    let mut scenario = state.scenario().clone();
    let mut dragging = false;

    ui.horizontal(|ui| {
        let label = ui.label(l.t("preset"));
        egui::ComboBox::from_id_salt("preset")
            .selected_text(&scenario.name)
            .show_ui(ui, |ui| {
                for (name, _) in &state.presets {
                    if ui.selectable_label(false, name).clicked() {
                        out.push(Command::LoadPreset(name.clone()));
                    }
                }
            })
            .response
            .labelled_by(label.id);
    });
    ui.separator();

    let figures = state.figures();
    // Without locations, the rules that measure distances do not apply.
    let located = state.workspace.dataset().has_locations();
    let outcomes = figures.outcomes.as_ref();
    egui::CollapsingHeader::new(l.t("townships"))
        .default_open(true)
        .show(ui, |ui| {
            dragging |= level(ui, l, "t", &mut scenario.townships, true, located);
            if let Some((t, _)) = outcomes {
                why(ui, l, t);
            }
        });
    egui::CollapsingHeader::new(l.t("villages"))
        .default_open(true)
        .show(ui, |ui| {
            dragging |= level(ui, l, "v", &mut scenario.villages, false, located);
            if let Some((_, v)) = outcomes {
                why(ui, l, v);
            }
        });
    egui::CollapsingHeader::new(l.t("service"))
        .default_open(true)
        .show(ui, |ui| {
            dragging |= ui
                .add(
                    egui::Slider::new(&mut scenario.service.radius_km, 1.0..=60.0)
                        .text(l.t("radius")),
                )
                .dragged();
            ui.label(l.t("stations"));
            ui.horizontal(|ui| {
                ui.radio_value(
                    &mut scenario.service.stations,
                    Stations::None,
                    l.t("stations_none"),
                );
                ui.radio_value(
                    &mut scenario.service.stations,
                    Stations::All,
                    l.t("stations_all"),
                );
                ui.radio_value(
                    &mut scenario.service.stations,
                    Stations::Beyond,
                    l.t("stations_beyond"),
                );
            });
            if scenario.service.stations == Stations::Beyond {
                dragging |= ui
                    .add(
                        egui::Slider::new(
                            &mut scenario.service.station_min_distance_km,
                            0.0..=40.0,
                        )
                        .suffix(" km"),
                    )
                    .accessible_name(l.t("stations_beyond"))
                    .dragged();
            }
        });

    edits(ui, l, &mut scenario, figures, &state.workspace, &mut out);

    if scenario != *state.scenario() {
        out.push(Command::EditScenario {
            scenario: Box::new(scenario),
            coalesce: dragging,
        });
    }
    out
}

/// The rules of one level; returns whether a slider is being dragged.
fn level<K: UnitKind>(
    ui: &mut egui::Ui,
    l: Lang,
    id: &str,
    rules: &mut Rules<K>,
    townships: bool,
    located: bool,
) -> bool {
    let mut dragging = false;
    ui.checkbox(&mut rules.enabled, l.t("enabled"));
    ui.add_enabled_ui(rules.enabled, |ui| {
        let mut has_target = rules.target_reduction_pct.is_some();
        ui.horizontal(|ui| {
            ui.checkbox(&mut has_target, "")
                .accessible_name(l.t("set_target"));
            if has_target {
                let mut pct = rules.target_reduction_pct.unwrap_or(30.0);
                let r = ui.add(
                    egui::Slider::new(&mut pct, 0.0..=80.0)
                        .text(l.t("target"))
                        .step_by(0.1),
                );
                dragging |= r.dragged();
                rules.target_reduction_pct = Some(pct);
            } else {
                ui.label(l.t("no_target"));
                rules.target_reduction_pct = None;
            }
        });
        let mut per_county = rules.target_per == TargetPer::County;
        if ui.checkbox(&mut per_county, l.t("per_county")).changed() {
            rules.target_per = if per_county {
                TargetPer::County
            } else {
                TargetPer::Province
            };
        }

        ui.label(egui::RichText::new(l.t("thresholds")).strong());
        ui.push_id((id, "base"), |ui| {
            dragging |= limits(ui, l, &mut rules.limits, townships, located)
        });
        egui::CollapsingHeader::new(l.t("terrain"))
            .id_salt((id, "terrain"))
            .show(ui, |ui| {
                for terrain in Terrain::ALL {
                    let name = if l == Lang::Zh {
                        terrain.zh()
                    } else {
                        terrain.as_str()
                    };
                    let mut on = rules.terrain.contains_key(&terrain);
                    if ui.checkbox(&mut on, name).changed() {
                        if on {
                            rules.terrain.insert(terrain, rules.limits);
                        } else {
                            rules.terrain.remove(&terrain);
                        }
                    }
                    if let Some(over) = rules.terrain.get_mut(&terrain) {
                        ui.push_id((id, terrain.as_str()), |ui| {
                            ui.indent("terrain", |ui| {
                                dragging |= limits(ui, l, over, townships, located)
                            });
                        });
                    }
                }
            });

        ui.label(egui::RichText::new(l.t("exempt")).strong());
        ui.horizontal_wrapped(|ui| {
            let mut exempt: Vec<K> = rules.exempt().to_vec();
            let mut changed = false;
            for &kind in K::ALL {
                let label = if l == Lang::Zh { kind.zh() } else { kind.en() };
                let mut on = exempt.contains(&kind);
                if ui.checkbox(&mut on, label).changed() {
                    changed = true;
                    if on {
                        exempt.push(kind);
                    } else {
                        exempt.retain(|k| *k != kind);
                    }
                }
            }
            if changed {
                rules.exempt_kinds = Some(exempt);
            }
        });
        if townships {
            ui.checkbox(&mut rules.separate_streets, l.t("separate_streets"));
        }
        ui.horizontal(|ui| {
            let label = ui.label(l.t("seat_rule"));
            egui::ComboBox::from_id_salt((id, "seat"))
                .selected_text(seat_name(l, rules.seat_rule))
                .show_ui(ui, |ui| {
                    for rule in [
                        SeatRule::LargestPopulation,
                        SeatRule::TownFirst,
                        SeatRule::MinDistance,
                    ] {
                        let usable = located || rule != SeatRule::MinDistance;
                        let option = ui.add_enabled(
                            usable,
                            egui::Button::selectable(rules.seat_rule == rule, seat_name(l, rule)),
                        );
                        if option.clicked() {
                            rules.seat_rule = rule;
                        }
                        option.on_disabled_hover_text(l.t("needs_locations"));
                    }
                })
                .response
                .labelled_by(label.id);
        });
    });
    dragging
}

fn seat_name(l: Lang, rule: SeatRule) -> &'static str {
    match rule {
        SeatRule::LargestPopulation => l.t("largest_population"),
        SeatRule::TownFirst => l.t("town_first"),
        SeatRule::MinDistance => l.t("min_distance"),
    }
}

/// Optional thresholds and caps; returns whether a value is being dragged.
fn limits(ui: &mut egui::Ui, l: Lang, limits: &mut Limits, townships: bool, located: bool) -> bool {
    let scale = if townships { 1.0 } else { 0.1 };
    let mut dragging = false;
    egui::Grid::new("limits").num_columns(2).show(ui, |ui| {
        dragging |= optional(
            ui,
            l.t("min_area"),
            &mut limits.min_area_km2,
            0.0..=500.0 * scale,
            50.0 * scale,
        );
        dragging |= optional(
            ui,
            l.t("min_registered"),
            &mut limits.min_registered_pop,
            0.0..=60_000.0 * scale,
            15_000.0 * scale,
        );
        dragging |= optional(
            ui,
            l.t("min_resident"),
            &mut limits.min_resident_pop,
            0.0..=60_000.0 * scale,
            15_000.0 * scale,
        );
        dragging |= optional(
            ui,
            l.t("max_area"),
            &mut limits.max_area_km2,
            1.0..=5_000.0 * scale,
            400.0 * scale,
        );
        if located {
            dragging |= optional(
                ui,
                l.t("max_distance"),
                &mut limits.max_seat_distance_km,
                1.0..=100.0 * scale.max(0.3),
                25.0 * scale.max(0.3),
            );
        } else {
            // Kept in the scenario for a dataset with locations, not applied here.
            ui.add_enabled(false, egui::Label::new(l.t("max_distance")))
                .on_disabled_hover_text(l.t("needs_locations"));
            ui.label("—");
            ui.end_row();
        }
    });
    dragging
}

/// A checkbox and a slider for an optional figure; returns whether the slider is dragged.
fn optional(
    ui: &mut egui::Ui,
    label: &str,
    value: &mut Option<f64>,
    range: std::ops::RangeInclusive<f64>,
    default: f64,
) -> bool {
    let mut on = value.is_some();
    let checkbox = ui.checkbox(&mut on, label);
    let mut dragging = false;
    if on {
        let mut v = value.unwrap_or(default);
        dragging = ui
            .add(egui::Slider::new(&mut v, range).logarithmic(true))
            .labelled_by(checkbox.id)
            .dragged();
        *value = Some(v);
    } else {
        *value = None;
        ui.label("—");
    }
    ui.end_row();
    dragging
}

/// The "why it stopped" line: the target, the merges, and what blocked the rest.
fn why(ui: &mut egui::Ui, l: Lang, o: &Outcome) {
    let mut text = format!("{} {}", l.t("merges"), o.merges);
    if let Some(t) = o.target_merges {
        text = format!(
            "{} / {t} — {}",
            text,
            if o.target_met() {
                l.t("target_met")
            } else {
                l.t("target_missed")
            }
        );
    }
    let blocked: Vec<String> = o
        .blocked
        .iter()
        .map(|(c, n)| {
            let name = match c {
                Constraint::NoNeighbour => l.t("no_neighbour"),
                Constraint::MaxArea => l.t("max_area_c"),
                Constraint::MaxSeatDistance => l.t("max_seat_distance_c"),
            };
            format!("{name} {n}")
        })
        .collect();
    if !blocked.is_empty() {
        text += &format!("; {}: {}", l.t("blocked"), blocked.join(", "));
    }
    let color = if o.target_met() {
        ui.visuals().weak_text_color()
    } else {
        ui.visuals().warn_fg_color
    };
    ui.label(egui::RichText::new(text).color(color));
}

/// The hand edits in order, each with what became of it (a click shows it on the map), and a
/// button to delete it.
fn edits(
    ui: &mut egui::Ui,
    l: Lang,
    scenario: &mut crate::scenario::Scenario,
    figures: &FiguresView,
    workspace: &crate::workspace::Workspace,
    out: &mut Vec<Command>,
) {
    let title = format!("{} ({})", l.t("hand_edits"), scenario.edits.len());
    egui::CollapsingHeader::new(title)
        .id_salt("hand_edits")
        .default_open(true)
        .show(ui, |ui| {
            if scenario.edits.is_empty() {
                ui.weak(l.t("no_hand_edits"));
                return;
            }
            let mut delete = None;
            for (k, edit) in scenario.edits.iter().enumerate() {
                let report = figures.edits.iter().find(|r| r.position == k);
                ui.horizontal_wrapped(|ui| {
                    let level = match edit.level {
                        crate::scenario::LevelName::Townships => l.t("townships"),
                        crate::scenario::LevelName::Villages => l.t("villages"),
                    };
                    let action = if l == Lang::Zh {
                        edit.action.zh()
                    } else {
                        edit.action.as_str()
                    };
                    // By name, as planners speak of them; the codes on hover.
                    let names = |codes: &[String]| -> String {
                        let names: Vec<String> = codes
                            .iter()
                            .map(|c| unit_name(workspace, edit.level, c))
                            .collect();
                        names.join(if l == Lang::Zh { "、" } else { ", " })
                    };
                    let mut text = format!("{}. {level} {action} {}", k + 1, names(&edit.codes));
                    if !edit.to.is_empty() {
                        text += &format!(" → {}", names(&edit.to));
                    }
                    let mut codes = edit.codes.join(" ");
                    if !edit.to.is_empty() {
                        codes += &format!(" → {}", edit.to.join(" "));
                    }
                    if let Some(name) = &edit.name {
                        text += &format!(" 「{name}」");
                    }
                    let (colour, note) = match report {
                        Some(r) if r.held() => (ui.visuals().text_color(), None),
                        Some(r) => (style::MODELLED, Some(r.status.describe(l))),
                        None => (ui.visuals().weak_text_color(), None),
                    };
                    let label = egui::Label::new(egui::RichText::new(text).color(colour))
                        .sense(egui::Sense::click());
                    if ui
                        .add(label)
                        .on_hover_text(format!("{codes}\n{}", l.t("show_on_map")))
                        .clicked()
                    {
                        out.push(Command::FocusEdit(k));
                    }
                    if ui
                        .small_button("×")
                        .on_hover_text(l.t("delete_edit"))
                        .clicked()
                    {
                        delete = Some(k);
                    }
                    if let Some(note) = note {
                        ui.label(egui::RichText::new(note).color(colour).small());
                    }
                });
            }
            if let Some(k) = delete {
                scenario.edits.remove(k);
            }
        });
}

/// A unit's name by its code at a level, or the code itself where the dataset has no such unit
/// (an edit made on other data, reported as refused).
fn unit_name(
    workspace: &crate::workspace::Workspace,
    level: crate::scenario::LevelName,
    code: &str,
) -> String {
    let ds = workspace.dataset();
    let name = match level {
        crate::scenario::LevelName::Townships => workspace
            .township_by_code(code)
            .map(|t| ds.townships[t].name.clone()),
        crate::scenario::LevelName::Villages => workspace
            .village_by_code(code)
            .map(|v| ds.villages[v].name.clone()),
    };
    name.unwrap_or_else(|| code.to_string())
}
