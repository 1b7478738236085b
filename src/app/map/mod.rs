//! The map: the plan seen and changed by hand. Territories coloured by new unit (or distance
//! change, density, terrain, kind), before, after, or side by side; pan, zoom, fit; hover for a
//! unit's figures; click, shift-click or shift-drag a lasso to select; merge, split, seat,
//! lock and rename the selection, or drag a unit onto a neighbouring group to move it. Each
//! change is a hand edit (a [`Command`], undoable); one the engine refuses is undone and its
//! reason shown here.

mod draw;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use eframe::egui::{self, Pos2, Rect};

use super::Command;
use super::i18n::Lang;
use super::state::AppState;
use crate::error::Message;
use crate::map::{Bounds, ColourMode, Colouring, MapGeometry, Point};
use crate::model::{CountyId, TownshipId, VillageId};
use crate::scenario::{Edit, EditAction, LevelName};
use crate::workspace::Analysis;

pub use draw::{Fill, Transform, mode_label};

/// Which units the map shows and edits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Level {
    #[default]
    Townships,
    Villages,
}

impl Level {
    fn name(self) -> LevelName {
        match self {
            Level::Townships => LevelName::Townships,
            Level::Villages => LevelName::Villages,
        }
    }
}

/// One map or two side by side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Layout {
    /// After the plan.
    #[default]
    After,
    /// The units as they were.
    Before,
    /// Before | after.
    BeforeAfter,
    /// This scenario | the next open one, both after.
    Compare,
}

/// Coloured meshes, and what they were built for.
struct CachedFill {
    key: (usize, ColourMode, bool, Level),
    mesh: Arc<Fill>,
    colouring: Colouring,
}

/// The map's own state: the view, the selection, and what is being typed or dragged.
pub struct View {
    pub geometry: Arc<MapGeometry>,
    /// Where the view looks (km) and its scale (pixels per km); fitted on first draw.
    pub centre: Point,
    pub scale: f32,
    fitted: bool,
    pub level: Level,
    pub layout: Layout,
    pub mode: ColourMode,
    /// Selected units of `level`, as indices.
    pub selection: Vec<usize>,
    pub hover: Option<usize>,
    /// A lasso being drawn (world points).
    pub lasso: Vec<Point>,
    /// The unit being dragged to another group.
    moving: Option<usize>,
    pub rename: String,
    pub search: String,
    /// A message shown on the map (a refused edit's reason), and when it appeared.
    pub message: Option<(Message, Instant)>,
    /// Where the (first) map was drawn, for tests and to place things on it.
    pub transform: Option<Transform>,
    cache: HashMap<u8, CachedFill>,
    /// A fit asked for by another panel (the county table, the edit list).
    pending_fit: Option<Bounds>,
    /// What the view was last fitted to, and the size of the map it was fitted in: while the
    /// planner has not panned or zoomed since, a map of another size (the window resized,
    /// presentation entered or left) is fitted to the same bounds again.
    fitted_to: Option<(Bounds, egui::Vec2)>,
    /// The legend unfolded (`Some(true)`) or folded to its title by a click on it; `None`
    /// until then: unfolded where the map is large enough for it ([`LEGEND_ROOM`]).
    pub legend_open: Option<bool>,
    /// Where the legend was drawn (for tests).
    pub legend_rect: Option<Rect>,
    /// The 为什么 / Why panel is open: the whole story of each selected unit.
    pub why: bool,
}

/// The map's smallest size (points) on which the legend starts unfolded: on a smaller one it
/// would cover the south of the province.
pub const LEGEND_ROOM: egui::Vec2 = egui::vec2(600.0, 520.0);

/// What the workbench's map showed, kept while presenting and put back after.
#[derive(Debug, Clone)]
pub struct Snapshot {
    centre: Point,
    scale: f32,
    level: Level,
    layout: Layout,
    selection: Vec<usize>,
    fitted_to: Option<(Bounds, egui::Vec2)>,
    /// The part of the world the map showed.
    shown: Option<Bounds>,
}

impl View {
    pub fn new(geometry: Arc<MapGeometry>) -> Self {
        Self {
            centre: geometry.bounds.centre(),
            scale: 1.0,
            fitted: false,
            geometry,
            level: Level::Townships,
            layout: Layout::After,
            mode: ColourMode::Group,
            selection: Vec::new(),
            hover: None,
            lasso: Vec::new(),
            moving: None,
            rename: String::new(),
            search: String::new(),
            message: None,
            transform: None,
            cache: HashMap::new(),
            pending_fit: None,
            fitted_to: None,
            legend_open: None,
            legend_rect: None,
            why: false,
        }
    }

    /// What the map shows now, to put back with [`View::restore`].
    pub fn snapshot(&self) -> Snapshot {
        let shown = self.transform.map(|t| {
            let a = t.to_world(t.rect.left_bottom());
            let b = t.to_world(t.rect.right_top());
            Bounds { min: a, max: b }
        });
        Snapshot {
            centre: self.centre,
            scale: self.scale,
            level: self.level,
            layout: self.layout,
            selection: self.selection.clone(),
            fitted_to: self.fitted_to,
            shown,
        }
    }

    /// Presentation: the map shows what the workbench showed (the bounds it was fitted to,
    /// else the part in view), fitted to the presentation's frame.
    pub fn present(&mut self, workbench: &Snapshot) {
        let bounds = workbench
            .fitted_to
            .map(|(b, _)| b)
            .or(workbench.shown)
            .unwrap_or(self.geometry.bounds);
        self.pending_fit = Some(bounds);
    }

    /// Puts back what the workbench's map showed.
    pub fn restore(&mut self, s: Snapshot) {
        self.centre = s.centre;
        self.scale = s.scale;
        self.level = s.level;
        self.layout = s.layout;
        self.selection = s.selection;
        self.fitted_to = s.fitted_to;
        self.pending_fit = None;
        self.fitted = true;
    }

    /// A new dataset: new geometry, the view fitted afresh, the selection cleared.
    pub fn set_geometry(&mut self, geometry: Arc<MapGeometry>) {
        *self = Self {
            level: self.level,
            layout: self.layout,
            mode: self.mode,
            ..Self::new(geometry)
        };
    }

    /// Fits the view to `bounds` (with a margin) in a map `rect` wide. A map too small to
    /// draw in (a panel being laid out) leaves the view as it was.
    fn fit(&mut self, bounds: Bounds, rect: Rect) {
        if rect.width() < 16.0 || rect.height() < 16.0 {
            self.pending_fit = Some(bounds);
            return;
        }
        let w = bounds.width().max(0.5);
        let h = bounds.height().max(0.5);
        self.centre = bounds.centre();
        self.scale = (rect.width() / w).min(rect.height() / h) * 0.92;
        self.fitted_to = Some((bounds, rect.size()));
    }

    /// Fits the map to a county, its townships shown. Nothing is selected: a merge pressed
    /// next must not take the whole county.
    pub fn focus_county(&mut self, county: CountyId) {
        self.level = Level::Townships;
        self.selection.clear();
        self.pending_fit = Some(self.geometry.counties[county].bounds);
    }

    /// Selects units by code at a level and fits the map to them.
    pub fn focus_codes(&mut self, level: LevelName, codes: &[String], analysis: Option<&Analysis>) {
        let Some(a) = analysis else { return };
        let ws = a.workspace();
        match level {
            LevelName::Townships => {
                self.level = Level::Townships;
                let ids: Vec<TownshipId> = codes
                    .iter()
                    .filter_map(|c| ws.township_by_code(c))
                    .collect();
                self.selection = ids.iter().map(|t| t.index()).collect();
                self.pending_fit = ids
                    .iter()
                    .map(|&t| self.geometry.townships[t].bounds)
                    .reduce(Bounds::union);
            }
            LevelName::Villages => {
                self.level = Level::Villages;
                let ids: Vec<VillageId> =
                    codes.iter().filter_map(|c| ws.village_by_code(c)).collect();
                self.selection = ids.iter().map(|v| v.index()).collect();
                self.pending_fit =
                    Bounds::of(ids.iter().map(|&v| self.geometry.villages[v])).map(|b| Bounds {
                        min: [b.min[0] - 2.0, b.min[1] - 2.0],
                        max: [b.max[0] + 2.0, b.max[1] + 2.0],
                    });
            }
        }
    }

    /// Says why an edit was refused, on the map, for a while.
    pub fn say(&mut self, message: Message) {
        self.message = Some((message, Instant::now()));
    }

    /// The screen position of a township's label point on the (first) map, once drawn.
    pub fn screen_of_township(&self, t: TownshipId) -> Option<Pos2> {
        Some(
            self.transform?
                .to_screen(self.geometry.townships[t].label_at),
        )
    }

    /// The screen position of a village on the (first) map, once drawn.
    pub fn screen_of_village(&self, v: VillageId) -> Option<Pos2> {
        Some(self.transform?.to_screen(self.geometry.villages[v]))
    }

    /// The cached coloured mesh for an analysis side (built when the analysis, the mode or
    /// the side change).
    fn fill(&mut self, slot: u8, analysis: &Arc<Analysis>, after: bool) -> (Arc<Fill>, Colouring) {
        let key = (Arc::as_ptr(analysis) as usize, self.mode, after, self.level);
        if let Some(c) = self.cache.get(&slot)
            && c.key == key
        {
            return (c.mesh.clone(), c.colouring.clone());
        }
        let colouring =
            crate::map::colour::colour(analysis, self.mode, after, self.level == Level::Villages);
        let mesh = Arc::new(Fill::new(&self.geometry, &colouring));
        self.cache.insert(
            slot,
            CachedFill {
                key,
                mesh: mesh.clone(),
                colouring: colouring.clone(),
            },
        );
        (mesh, colouring)
    }
}

/// The code of a selected unit.
fn code_of(a: &Analysis, level: Level, i: usize) -> String {
    match level {
        Level::Townships => a.dataset().townships[TownshipId::from(i)].code.clone(),
        Level::Villages => a.dataset().villages[VillageId::from(i)].code.clone(),
    }
}

/// Every member of the groups (after the plan) of the given units, as codes.
fn groups_of(a: &Analysis, level: Level, units: &[usize]) -> Vec<String> {
    let mut members: Vec<usize> = match level {
        Level::Townships => units
            .iter()
            .flat_map(|&i| {
                a.plan
                    .townships
                    .unit_of(TownshipId::from(i))
                    .members
                    .iter()
                    .map(|m| m.index())
            })
            .collect(),
        Level::Villages => units
            .iter()
            .flat_map(|&i| {
                a.plan
                    .villages
                    .unit_of(VillageId::from(i))
                    .members
                    .iter()
                    .map(|m| m.index())
            })
            .collect(),
    };
    members.sort_unstable();
    members.dedup();
    members.into_iter().map(|i| code_of(a, level, i)).collect()
}

/// Draws the map panel: toolbar, one or two maps, legend and message. Returns the edits and
/// other commands.
pub fn show(ui: &mut egui::Ui, state: &AppState, view: &mut View) -> Vec<Command> {
    let l = state.lang();
    let mut out = Vec::new();
    let analysis = state.tab().analysis.as_ref().map(|(a, _)| a.clone());
    // In presentation mode nothing on the map is editable: no tools.
    // A map narrower than its tools (a small window in English) scrolls them sideways
    // rather than wrapping or cutting them.
    if !state.presenting {
        egui::ScrollArea::horizontal()
            .id_salt("map_tools")
            .show(ui, |ui| {
                toolbar(ui, l, state, view, analysis.as_deref(), &mut out)
            });
    }
    let Some(analysis) = analysis.filter(|a| a.is_of(&state.workspace)) else {
        ui.centered_and_justified(|ui| {
            crate::app::style::spinner(ui);
        });
        return out;
    };
    if !analysis.dataset().has_locations() {
        ui.centered_and_justified(|ui| {
            ui.label(l.t("map_no_locations"));
        });
        return out;
    }
    // The other side, when two maps are shown.
    let other = match view.layout {
        Layout::Compare => {
            let active = state.active_index();
            let next = (active + 1) % state.open.len();
            state.open[next]
                .tab
                .analysis
                .as_ref()
                .filter(|_| next != active)
                .map(|(a, _)| (a.clone(), true))
        }
        Layout::BeforeAfter => Some((analysis.clone(), true)),
        _ => None,
    };
    let size = ui.available_size();
    let (response, painter) = ui.allocate_painter(size, egui::Sense::click_and_drag());
    let response = response.on_hover_cursor(egui::CursorIcon::Grab);
    let full = response.rect;
    let rects: Vec<Rect> = if other.is_some() {
        let (left, right) = full.split_left_right_at_fraction(0.5);
        vec![
            left.shrink2(egui::vec2(1.0, 0.0)),
            right.shrink2(egui::vec2(1.0, 0.0)),
        ]
    } else {
        vec![full]
    };
    if !view.fitted {
        view.fitted = true;
        view.fit(view.geometry.bounds, rects[0]);
    }
    if let Some(bounds) = view.pending_fit.take() {
        view.fit(bounds, rects[0]);
    }
    // Fitted and not moved since: a map of another size shows the same bounds.
    if let Some((bounds, size)) = view.fitted_to
        && (size - rects[0].size()).length() > 0.5
    {
        view.fit(bounds, rects[0]);
    }
    let first_after = !matches!(view.layout, Layout::Before | Layout::BeforeAfter);
    let transforms: Vec<Transform> = rects
        .iter()
        .map(|&rect| Transform {
            rect,
            centre: view.centre,
            scale: view.scale,
        })
        .collect();
    view.transform = Some(transforms[0]);
    out.extend(interact(ui, &response, &transforms, view, &analysis, l));

    let dark = state.settings.dark;
    let (mesh, colouring) = view.fill(0, &analysis, first_after);
    let first = draw::Side {
        analysis: &analysis,
        after: first_after,
        fill: &mesh,
        colouring: &colouring,
    };
    draw::paint(&painter, &transforms[0], view, &first, dark);
    if let Some((other, after)) = &other {
        let (mesh, colouring) = view.fill(1, other, *after);
        let second = draw::Side {
            analysis: other,
            after: *after,
            fill: &mesh,
            colouring: &colouring,
        };
        draw::paint(&painter, &transforms[1], view, &second, dark);
        painter.vline(
            full.center().x,
            full.y_range(),
            egui::Stroke::new(2.0, egui::Color32::GRAY),
        );
    }
    captions(
        &painter,
        &transforms,
        view.layout,
        &analysis,
        other.as_ref(),
        l,
    );
    let markers = Markers {
        seats: view.level == Level::Townships
            && draw::townships_visible(&view.geometry, &transforms[0]),
        after: first_after,
        overview: !draw::townships_filled(&view.geometry, &transforms[0]),
    };
    let open = view
        .legend_open
        .unwrap_or(full.width() >= LEGEND_ROOM.x && full.height() >= LEGEND_ROOM.y);
    let legend_rect = legend(&painter, full, l, &colouring, view.mode, markers, open);
    let fold = ui
        .interact(
            legend_rect,
            ui.scope_id().with("map_legend"),
            egui::Sense::click(),
        )
        .on_hover_cursor(egui::CursorIcon::PointingHand)
        .on_hover_text(l.t(if open { "legend_fold" } else { "legend_unfold" }));
    if fold.clicked() {
        view.legend_open = Some(!open);
    }
    view.legend_rect = Some(legend_rect);
    hover_card(response.clone(), view, &analysis, l);
    if view.why {
        why_panel(ui.ctx(), view, &analysis, l);
    }
    show_message(ui, &painter, full, view, l);
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Canvas, true, l.t("map")));
    out
}

/// Each map's caption: before, after, or the scenario's name.
fn captions(
    painter: &egui::Painter,
    transforms: &[Transform],
    layout: Layout,
    analysis: &Analysis,
    other: Option<&(Arc<Analysis>, bool)>,
    l: Lang,
) {
    for (k, t) in transforms.iter().enumerate() {
        let caption = match (layout, k) {
            (Layout::BeforeAfter, 0) | (Layout::Before, _) => l.t("before").to_string(),
            (Layout::Compare, 1) => other.map_or(String::new(), |(a, _)| a.scenario.name.clone()),
            (Layout::Compare, 0) => analysis.scenario.name.clone(),
            _ => l.t("after").to_string(),
        };
        painter.text(
            t.rect.left_top() + egui::vec2(10.0, 8.0),
            egui::Align2::LEFT_TOP,
            caption,
            egui::FontId::proportional(14.0),
            draw::ink::TEXT,
        );
    }
}

/// The map's message (why an edit was refused, a search found nothing), for eight seconds.
fn show_message(ui: &egui::Ui, painter: &egui::Painter, full: Rect, view: &mut View, l: Lang) {
    let Some((message, since)) = &view.message else {
        return;
    };
    if since.elapsed() >= Duration::from_secs(8) {
        view.message = None;
        return;
    }
    let at = full.center_top() + egui::vec2(0.0, 34.0);
    let galley = painter.layout(
        message.get(l).to_string(),
        egui::FontId::proportional(14.0),
        egui::Color32::WHITE,
        full.width() * 0.8,
    );
    let rect = Rect::from_center_size(at + egui::vec2(0.0, galley.size().y / 2.0), galley.size())
        .expand(8.0);
    painter.rect_filled(rect, 6.0, egui::Color32::from_rgb(160, 40, 40));
    painter.galley(
        rect.min + egui::vec2(8.0, 8.0),
        galley,
        egui::Color32::WHITE,
    );
    ui.ctx().request_repaint_after(Duration::from_millis(500));
}

/// Pan, zoom, hover, click, shift-click, lasso and drag-to-move.
fn interact(
    ui: &egui::Ui,
    response: &egui::Response,
    transforms: &[Transform],
    view: &mut View,
    a: &Analysis,
    l: Lang,
) -> Vec<Command> {
    let mut out = Vec::new();
    let pointer = response.hover_pos();
    view.hover = pointer
        .and_then(|p| world_at(transforms, p))
        .and_then(|w| unit_at(view, w));
    if let Some(p) = pointer {
        zoom_about(ui, view, transforms, p);
    }
    let shift = ui.input(|i| i.modifiers.shift);
    if response.drag_started()
        && let Some(p) = response.interact_pointer_pos()
        && let Some(world) = world_at(transforms, p)
    {
        if shift {
            view.lasso = vec![world];
        } else if let Some(unit) = unit_at(view, world).filter(|u| view.selection.contains(u)) {
            view.moving = Some(unit);
        }
    }
    if response.dragged() {
        let delta = response.drag_delta();
        if !view.lasso.is_empty() {
            let world = response
                .interact_pointer_pos()
                .and_then(|p| world_at(transforms, p));
            view.lasso.extend(world);
        } else if view.moving.is_none() {
            view.centre[0] -= delta.x / view.scale;
            view.centre[1] += delta.y / view.scale;
            if delta != egui::Vec2::ZERO {
                view.fitted_to = None;
            }
        }
    }
    if response.drag_stopped() {
        let target = response
            .interact_pointer_pos()
            .and_then(|p| world_at(transforms, p));
        out.extend(end_drag(view, a, target));
    }
    if response.clicked() {
        match view.hover {
            Some(unit) if shift => {
                if let Some(k) = view.selection.iter().position(|&u| u == unit) {
                    view.selection.remove(k);
                } else {
                    view.selection.push(unit);
                }
            }
            Some(unit) => view.selection = vec![unit],
            None => view.selection.clear(),
        }
        if let (Level::Townships, [unit]) = (view.level, view.selection.as_slice()) {
            out.push(Command::HighlightCounty(
                a.dataset().townships[TownshipId::from(*unit)].county,
            ));
        }
    }
    let _ = l;
    out
}

/// Which map `p` is over, and where that is in the world.
fn world_at(transforms: &[Transform], p: Pos2) -> Option<Point> {
    transforms
        .iter()
        .find(|t| t.rect.contains(p))
        .map(|t| t.to_world(p))
}

/// The unit of the level shown at `world`, within a few pixels.
fn unit_at(view: &View, world: Point) -> Option<usize> {
    let tolerance = 6.0 / view.scale;
    match view.level {
        Level::Townships => view
            .geometry
            .township_at(world, tolerance)
            .map(|t| t.index()),
        Level::Villages => view
            .geometry
            .village_at(world, tolerance * 1.5)
            .map(|v| v.index()),
    }
}

/// Zooms about the pointer at `p`: wheel, pinch, and + / − over the map, keeping the world
/// point under the pointer where it was.
fn zoom_about(ui: &egui::Ui, view: &mut View, transforms: &[Transform], p: Pos2) {
    let (scroll, pinch, plus, minus) = ui.input(|i| {
        (
            i.smooth_scroll_delta.y,
            i.zoom_delta(),
            i.key_pressed(egui::Key::Plus) || i.key_pressed(egui::Key::Equals),
            i.key_pressed(egui::Key::Minus),
        )
    });
    let mut factor = (scroll * 0.002).exp() * pinch;
    if plus {
        factor *= 1.5;
    }
    if minus {
        factor /= 1.5;
    }
    let Some(before) = world_at(transforms, p).filter(|_| (factor - 1.0).abs() > 1e-4) else {
        return;
    };
    view.scale = (view.scale * factor).clamp(0.01, 2000.0);
    view.fitted_to = None;
    if let Some(t) = transforms.iter().find(|t| t.rect.contains(p)) {
        let t = Transform {
            centre: view.centre,
            scale: view.scale,
            ..*t
        };
        let after = t.to_world(p);
        view.centre = [
            view.centre[0] + before[0] - after[0],
            view.centre[1] + before[1] - after[1],
        ];
    }
}

/// The end of a drag: a lasso adds what it encloses to the selection; a selected unit
/// dropped on another group is moved into it (`target`: where it was dropped).
fn end_drag(view: &mut View, a: &Analysis, target: Option<Point>) -> Option<Command> {
    if view.lasso.len() > 2 {
        let lasso = std::mem::take(&mut view.lasso);
        let inside: Vec<usize> = match view.level {
            Level::Townships => view
                .geometry
                .townships
                .iter_enumerated()
                .filter(|(_, s)| crate::map::geometry::in_ring(s.label_at, &lasso))
                .map(|(t, _)| t.index())
                .collect(),
            Level::Villages => view
                .geometry
                .villages
                .iter_enumerated()
                .filter(|(_, p)| crate::map::geometry::in_ring(**p, &lasso))
                .map(|(v, _)| v.index())
                .collect(),
        };
        for u in inside {
            if !view.selection.contains(&u) {
                view.selection.push(u);
            }
        }
    }
    view.lasso.clear();
    let unit = view.moving.take()?;
    let target = unit_at(view, target?)?;
    let level = view.level;
    let same = groups_of(a, level, &[unit]).contains(&code_of(a, level, target));
    (!same).then(|| {
        Command::Edit(Edit::move_to(
            level.name(),
            code_of(a, level, unit),
            groups_of(a, level, &[target]),
        ))
    })
}

/// The toolbar: level, layout, colours, search, zoom, and the edits of the selection.
fn toolbar(
    ui: &mut egui::Ui,
    l: Lang,
    state: &AppState,
    view: &mut View,
    a: Option<&Analysis>,
    out: &mut Vec<Command>,
) {
    // Three rows that do not wrap: what is shown, where, and what is done to the selection.
    ui.horizontal(|ui| view_controls(ui, l, state, view));
    ui.horizontal(|ui| {
        let search = ui
            .add(
                egui::TextEdit::singleline(&mut view.search)
                    .hint_text(l.t("map_search"))
                    .desired_width(140.0),
            )
            .accessible_name(l.t("map_search"));
        if search.lost_focus()
            && ui.input(|i| i.key_pressed(egui::Key::Enter))
            && let Some(a) = a
        {
            let q = view.search.trim().to_string();
            out.extend(find(view, a, &q));
        }
        zoom_buttons(ui, l, view);
    });
    let Some(a) = a else { return };
    ui.horizontal(|ui| edit_buttons(ui, l, view, a, out));
}

/// The level shown, the layout (before, after, both, two scenarios) and the colouring.
fn view_controls(ui: &mut egui::Ui, l: Lang, state: &AppState, view: &mut View) {
    ui.selectable_value(&mut view.level, Level::Townships, l.t("townships"));
    ui.selectable_value(&mut view.level, Level::Villages, l.t("villages"));
    ui.separator();
    ui.selectable_value(&mut view.layout, Layout::Before, l.t("before"));
    ui.selectable_value(&mut view.layout, Layout::After, l.t("after"));
    ui.selectable_value(
        &mut view.layout,
        Layout::BeforeAfter,
        l.t("map_before_after"),
    );
    if state.open.len() > 1 {
        ui.selectable_value(&mut view.layout, Layout::Compare, l.t("map_compare"));
    }
    ui.separator();
    // The colouring's name is the combo box's own (and read out by screen readers): no label
    // beside it to take the row's room.
    let label = ui.label(egui::RichText::new(l.t("map_colour")).small().weak());
    egui::ComboBox::from_id_salt("map_mode")
        .width(110.0)
        .selected_text(mode_label(view.mode, l))
        .show_ui(ui, |ui| {
            for mode in ColourMode::ALL {
                ui.selectable_value(&mut view.mode, mode, mode_label(mode, l));
            }
        })
        .response
        .labelled_by(label.id);
}

/// Focuses the map on what `q` names, by code or by name, at every level: a province, a city,
/// a county (marked in the table; nothing selected), a township or a village (selected). An
/// exact code wins over a name; among names, the larger unit. Says so where nothing matches.
fn find(view: &mut View, a: &Analysis, q: &str) -> Option<Command> {
    let ds = a.dataset();
    let counties = |keep: &dyn Fn(&crate::model::County) -> bool| -> Vec<CountyId> {
        ds.counties
            .iter_enumerated()
            .filter(|(_, c)| keep(c))
            .map(|(k, _)| k)
            .collect()
    };
    let fit = |view: &mut View, found: &[CountyId]| {
        view.selection.clear();
        view.pending_fit = found
            .iter()
            .map(|&k| view.geometry.counties[k].bounds)
            .reduce(Bounds::union);
    };
    let province = crate::national::PROVINCES
        .iter()
        .find(|p| p.code == q || p.short == q || p.name == q || p.english.eq_ignore_ascii_case(q));
    // A province, or a city: their counties, none selected.
    let found = match province {
        Some(p) => counties(&|c| c.code.starts_with(p.code)),
        None => counties(&|c| c.city_code == q || (!c.city_name.is_empty() && c.city_name == q)),
    };
    if !found.is_empty() {
        fit(view, &found);
        return None;
    }
    let county = ds
        .counties
        .iter_enumerated()
        .find(|(_, c)| c.code == q)
        .or_else(|| ds.counties.iter_enumerated().find(|(_, c)| c.name == q))
        .map(|(k, _)| k);
    let township = a.workspace().township_by_code(q);
    let village = a.workspace().village_by_code(q);
    if let Some(k) = county.filter(|_| township.is_none() && village.is_none()) {
        view.focus_county(k);
        return Some(Command::HighlightCounty(k));
    }
    let township = township.or_else(|| {
        ds.townships
            .iter_enumerated()
            .find(|(_, t)| t.name.contains(q))
            .map(|(t, _)| t)
    });
    if let Some(t) = township.filter(|_| village.is_none()) {
        view.focus_codes(
            LevelName::Townships,
            &[ds.townships[t].code.clone()],
            Some(a),
        );
        return None;
    }
    let village = village.or_else(|| {
        ds.villages
            .iter_enumerated()
            .find(|(_, v)| v.name.contains(q))
            .map(|(v, _)| v)
    });
    if let Some(v) = village {
        view.focus_codes(LevelName::Villages, &[ds.villages[v].code.clone()], Some(a));
        return None;
    }
    // A part of a county's or a city's name.
    let found = counties(&|c| c.name.contains(q) || c.city_name.contains(q));
    if let [k] = found[..] {
        view.focus_county(k);
        return Some(Command::HighlightCounty(k));
    }
    if !found.is_empty() {
        fit(view, &found);
        return None;
    }
    view.say(crate::tr!(
        "nothing is called '{q}'",
        "没有名为「{q}」的单位"
    ));
    None
}

/// Zoom out, in, to the whole dataset and to the selection.
fn zoom_buttons(ui: &mut egui::Ui, l: Lang, view: &mut View) {
    if ui.button("−").on_hover_text(l.t("zoom_out")).clicked() {
        view.scale /= 1.5;
        view.fitted_to = None;
    }
    if ui.button("+").on_hover_text(l.t("zoom_in")).clicked() {
        view.scale *= 1.5;
        view.fitted_to = None;
    }
    if ui.button(l.t("fit_all")).clicked() {
        view.pending_fit = Some(view.geometry.bounds);
    }
    if ui
        .add_enabled(
            !view.selection.is_empty(),
            egui::Button::new(l.t("fit_selection")),
        )
        .clicked()
    {
        view.pending_fit = selection_bounds(view);
    }
}

/// The hand edits of the selection: merge, split, seat, lock, rename; and clearing it.
fn edit_buttons(ui: &mut egui::Ui, l: Lang, view: &mut View, a: &Analysis, out: &mut Vec<Command>) {
    let level = view.level;
    let n = view.selection.len();
    ui.label(format!("{} {n}", l.t("selected")));
    let button = |ui: &mut egui::Ui, enabled: bool, label: &'static str, hint: &'static str| {
        ui.add_enabled(enabled, egui::Button::new(l.t(label)))
            .on_hover_text(l.t(hint))
            .clicked()
    };
    let edit = |action, codes| Command::Edit(Edit::new(level.name(), action, codes));
    if button(ui, n >= 2, "edit_merge", "edit_merge_hint") {
        out.push(edit(
            EditAction::Merge,
            groups_of(a, level, &view.selection),
        ));
    }
    if button(ui, n >= 1, "edit_split", "edit_split_hint") {
        out.push(edit(
            EditAction::Split,
            groups_of(a, level, &view.selection),
        ));
    }
    if button(ui, n == 1, "edit_seat", "edit_seat_hint") {
        let seat = code_of(a, level, view.selection[0]);
        out.push(edit(EditAction::Seat, vec![seat]));
    }
    if button(ui, n >= 1, "edit_lock", "edit_lock_hint") {
        for &u in &view.selection {
            out.push(edit(EditAction::Lock, vec![code_of(a, level, u)]));
        }
    }
    ui.add(
        egui::TextEdit::singleline(&mut view.rename)
            .hint_text(l.t("edit_name_hint"))
            .desired_width(110.0),
    )
    .accessible_name(l.t("edit_name_hint"));
    if ui
        .add_enabled(
            n == 1 && !view.rename.trim().is_empty(),
            egui::Button::new(l.t("edit_rename")),
        )
        .clicked()
    {
        out.push(Command::Edit(Edit::rename(
            level.name(),
            code_of(a, level, view.selection[0]),
            view.rename.trim().to_string(),
        )));
        view.rename.clear();
    }
    if ui
        .add_enabled(n >= 1, egui::Button::new(l.t("clear_selection")))
        .clicked()
    {
        view.selection.clear();
    }
    ui.toggle_value(&mut view.why, l.t("why"))
        .on_hover_text(l.t("why_hint"));
    // How to select, move and pan: on hover, where it takes no room.
    ui.add(egui::Label::new(egui::RichText::new(" ? ").strong()).sense(egui::Sense::hover()))
        .on_hover_text(l.t("map_hint"));
}

/// The bounds of the selection.
fn selection_bounds(view: &View) -> Option<Bounds> {
    match view.level {
        Level::Townships => view
            .selection
            .iter()
            .map(|&i| view.geometry.townships[TownshipId::from(i)].bounds)
            .reduce(Bounds::union),
        Level::Villages => Bounds::of(
            view.selection
                .iter()
                .map(|&i| view.geometry.villages[VillageId::from(i)]),
        ),
    }
}

/// Which markers the map shows, for the legend.
#[derive(Clone, Copy)]
struct Markers {
    /// Township seats are drawn (townships level, zoomed in).
    seats: bool,
    /// The plan is shown (seats merged away, stations and hand edits exist only after).
    after: bool,
    /// Zoomed out: each county is filled in one colour (see [`draw::Fill`]).
    overview: bool,
}

/// What a legend row shows before its text.
enum Swatch {
    None,
    Colour([u8; 3]),
    Seat,
    RemovedSeat,
    Station,
    Hand,
}

/// The legend, bottom right: the colours, then the markers on the map.
fn legend(
    painter: &egui::Painter,
    rect: Rect,
    l: Lang,
    colouring: &Colouring,
    mode: ColourMode,
    markers: Markers,
    open: bool,
) -> Rect {
    let font = egui::FontId::proportional(12.0);
    let text = |zh: &str, en: &str| if l == Lang::Zh { zh } else { en }.to_string();
    // It unfolds upwards from the corner: ▲ to unfold, ▼ to fold.
    let title = format!("{} {}", if open { "▼" } else { "▲" }, mode_label(mode, l));
    let mut rows: Vec<(Swatch, String)> = vec![(Swatch::None, title)];
    if !open {
        return legend_rows(painter, rect, &font, &rows);
    }
    rows.extend(colouring.legend.iter().map(|e| {
        let label = if l == Lang::Zh { &e.zh } else { &e.en };
        (Swatch::Colour(e.colour), label.clone())
    }));
    if markers.seats {
        rows.push((Swatch::Seat, text("驻地（保留）", "seat (kept)")));
        if markers.after {
            rows.push((
                Swatch::RemovedSeat,
                text("原驻地（撤并）", "former seat (merged away)"),
            ));
            rows.push((
                Swatch::Station,
                text(
                    "便民服务站（原驻地保留）",
                    "service station at a former seat",
                ),
            ));
        }
    }
    if markers.after {
        rows.push((Swatch::Hand, text("手动调整的单位", "unit fixed by hand")));
    }
    if markers.overview {
        rows.push((
            Swatch::None,
            text(
                "县级概览：每县取其大部分面积的颜色，放大显示乡镇",
                "counties in the colour of most of their area; zoom in for townships",
            ),
        ));
    }
    legend_rows(painter, rect, &font, &rows)
}

/// The legend's rows painted in the bottom right corner of `rect`; returns where.
fn legend_rows(
    painter: &egui::Painter,
    rect: Rect,
    font: &egui::FontId,
    rows: &[(Swatch, String)],
) -> Rect {
    use draw::ink;
    let width = rows
        .iter()
        .map(|(_, t)| {
            painter
                .layout_no_wrap(t.clone(), font.clone(), ink::TEXT)
                .size()
                .x
        })
        .fold(0.0, f32::max)
        + 34.0;
    let height = rows.len() as f32 * 18.0 + 10.0;
    let area = Rect::from_min_size(
        rect.right_bottom() - egui::vec2(width + 12.0, height + 12.0),
        egui::vec2(width, height),
    );
    painter.rect_filled(area, 4.0, ink::HALO);
    for (k, (swatch, text)) in rows.iter().enumerate() {
        let y = area.top() + 6.0 + k as f32 * 18.0;
        let x = area.left() + 8.0;
        let centre = Pos2::new(x + 8.0, y + 8.0);
        match swatch {
            Swatch::None => {}
            Swatch::Colour(c) => {
                painter.rect_filled(
                    Rect::from_min_size(Pos2::new(x, y + 2.0), egui::vec2(16.0, 12.0)),
                    2.0,
                    egui::Color32::from_rgb(c[0], c[1], c[2]),
                );
            }
            Swatch::Seat => {
                painter.circle_filled(centre, 3.5, ink::SEAT);
            }
            Swatch::RemovedSeat => {
                painter.circle_stroke(centre, 3.5, egui::Stroke::new(1.2, ink::REMOVED_SEAT));
            }
            Swatch::Station => {
                painter.rect_filled(
                    Rect::from_center_size(centre, egui::vec2(7.0, 7.0)),
                    1.0,
                    ink::STATION,
                );
            }
            Swatch::Hand => {
                painter.rect_stroke(
                    Rect::from_min_size(Pos2::new(x, y + 2.0), egui::vec2(16.0, 12.0)),
                    2.0,
                    egui::Stroke::new(2.5, ink::HAND),
                    egui::StrokeKind::Inside,
                );
            }
        }
        let x = if matches!(swatch, Swatch::None) {
            x
        } else {
            x + 22.0
        };
        painter.text(
            Pos2::new(x, y),
            egui::Align2::LEFT_TOP,
            text,
            font.clone(),
            ink::TEXT,
        );
    }
    area
}

/// The most units the 为什么 panel tells at once.
const WHY_MOST: usize = 6;

/// The 为什么 / Why panel: for each selected unit (the first few), what the engine decided and
/// why, its seat, the local search, and each neighbour weighed, from the engine's record.
fn why_panel(ctx: &egui::Context, view: &mut View, a: &Analysis, l: Lang) {
    let level = view.level.name();
    let mut open = view.why;
    egui::Window::new(l.t("why_title"))
        .open(&mut open)
        .default_width(460.0)
        // Over the map's lower left, not over the key figures.
        .default_pos(ctx.content_rect().left_bottom() + egui::vec2(340.0, -520.0))
        .show(ctx, |ui| {
            if view.selection.is_empty() {
                ui.label(l.t("why_empty"));
                return;
            }
            egui::ScrollArea::vertical()
                .max_height(420.0)
                .show(ui, |ui| {
                    for &unit in view.selection.iter().take(WHY_MOST) {
                        let story = crate::explain::story(a, level, unit);
                        ui.strong(format!(
                            "{} {} → {} {}",
                            story.name, story.code, story.new_name, story.new_code
                        ));
                        for line in &story.details {
                            ui.label(line.get(l));
                        }
                        ui.separator();
                    }
                    let more = view.selection.len().saturating_sub(WHY_MOST);
                    if more > 0 {
                        ui.label(format!("{} {more}", l.t("why_more")));
                    }
                });
        });
    view.why = open;
}

/// The hovered unit's figures, beside the pointer.
fn hover_card(response: egui::Response, view: &View, a: &Analysis, l: Lang) {
    let Some(unit) = view.hover else { return };
    let ds = a.dataset();
    let text = match view.level {
        Level::Townships => {
            let t = TownshipId::from(unit);
            let tw = &ds.townships[t];
            let new = a.plan.townships.unit_of(t);
            let seat = &ds.townships[new.seat];
            let [before, after] = a.service.township_mean_km[t];
            let kind = if l == Lang::Zh {
                tw.kind.zh()
            } else {
                tw.kind.as_str()
            };
            format!(
                "{} {}\n{}: {kind}\n{}: {:.0}    {}: {:.1} km²\n{}: {:.2} → {:.2} km\n{}: {} ({})",
                tw.name,
                tw.code,
                l.t("kind"),
                l.t("residents"),
                tw.resident_pop,
                l.t("area"),
                tw.area_km2,
                l.t("distance_to_seat"),
                before,
                after,
                l.t("new_unit"),
                new.name.as_deref().unwrap_or(&seat.name),
                new.members.len(),
            )
        }
        Level::Villages => {
            let v = VillageId::from(unit);
            let vi = &ds.villages[v];
            let new = a.plan.villages.unit_of(v);
            let kind = if l == Lang::Zh {
                vi.kind.zh()
            } else {
                vi.kind.as_str()
            };
            format!(
                "{} {}\n{}: {kind}\n{}: {:.0}    {}: {:.1} km²\n{}: {} ({})",
                vi.name,
                vi.code,
                l.t("kind"),
                l.t("residents"),
                vi.resident_pop,
                l.t("area"),
                vi.area_km2,
                l.t("new_unit"),
                new.name.as_deref().unwrap_or(&ds.villages[new.seat].name),
                new.members.len(),
            )
        }
    };
    // Why, in one line, from the engine's record.
    let level = view.level.name();
    let why = crate::explain::story(a, level, unit).line;
    response.on_hover_ui_at_pointer(|ui| {
        ui.label(text);
        ui.set_max_width(420.0);
        ui.label(egui::RichText::new(why.get(l)).italics());
    });
}
