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
