//! Design tokens: the colours and type of the app, in one place.

use std::sync::Arc;

use eframe::egui::{self, Color32};

/// Before a plan.
pub const BEFORE: Color32 = Color32::from_rgb(120, 144, 156);
/// After a plan.
pub const AFTER: Color32 = Color32::from_rgb(230, 81, 0);
/// After a plan, with service stations; also increases on the change chart.
pub const STATIONS: Color32 = Color32::from_rgb(46, 125, 50);
/// Published figures, thresholds and caps.
pub const PUBLISHED: Color32 = Color32::from_rgb(21, 101, 192);
/// The "modelled data" badge.
pub const MODELLED: Color32 = Color32::from_rgb(200, 120, 0);
/// The height of a chart.
pub const CHART_HEIGHT: f32 = 190.0;

use crate::report::svg::CJK_FONT;

/// Adds the embedded CJK font after egui's own, for both families.
pub fn install_fonts(ctx: &egui::Context) {
    let mut fonts = egui::FontDefinitions::default();
    fonts.font_data.insert(
        "wqy".into(),
        Arc::new(egui::FontData::from_static(CJK_FONT)),
    );
    for family in [egui::FontFamily::Proportional, egui::FontFamily::Monospace] {
        fonts.families.entry(family).or_default().push("wqy".into());
    }
    ctx.set_fonts(fonts);
}

/// How often a spinner moves, and the window shows the progress of work under way: four
/// times a second, not at the screen's rate.
pub const SPINNER_TICK: std::time::Duration = std::time::Duration::from_millis(250);

/// egui's spinner, drawn four times a second instead of at every frame the screen can show:
/// it says that work is under way without taking a core from that work (a window drawn in
/// software, as under a remote desktop, redraws in tens of milliseconds).
pub fn spinner(ui: &mut egui::Ui) -> egui::Response {
    let size = ui.style().spacing.interact_size.y;
    let (rect, response) = ui.allocate_exact_size(egui::vec2(size, size), egui::Sense::hover());
    if ui.is_rect_visible(rect) {
        ui.ctx().request_repaint_after(SPINNER_TICK);
        let tick = SPINNER_TICK.as_secs_f64();
        let time = (ui.input(|i| i.time) / tick).floor() * tick;
        let start = time * std::f64::consts::TAU;
        let end = start + 240f64.to_radians() * time.sin();
        let radius = rect.height() * 0.5 - 2.0;
        let n = (radius.round() as u32).clamp(8, 128);
        let points: Vec<egui::Pos2> = (0..n)
            .map(|i| {
                let angle = egui::emath::lerp(start..=end, f64::from(i) / f64::from(n));
                let (sin, cos) = angle.sin_cos();
                rect.center() + radius * egui::vec2(cos as f32, sin as f32)
            })
            .collect();
        let colour = ui.visuals().strong_text_color();
        ui.painter()
            .add(egui::Shape::line(points, egui::Stroke::new(3.0, colour)));
    }
    response
}
