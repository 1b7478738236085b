//! Painting one map: the coloured territories from a cached mesh (only the view transform
//! changes per frame), outlines culled to the view and thinned out when zoomed out, seats,
//! stations, hand-edited units, the selection, labels that never overlap, the legend and a
//! scale bar.

use std::sync::Arc;

use eframe::egui::{self, Color32, Pos2, Rect, Shape, Stroke, emath::TSTransform};

use typed_index_collections::TiVec;

use crate::map::geometry::FillMesh;
use crate::map::{Bounds, ColourMode, Colouring, MapGeometry, Point, labels};
use crate::model::{CountyId, TownshipId, VillageId};
use crate::workspace::Analysis;

use super::{Level, View};

/// Colours of the map's marks, in one place.
pub mod ink {
    use eframe::egui::Color32;
    pub const BACKGROUND: Color32 = Color32::from_rgb(245, 245, 240);
    pub const BACKGROUND_DARK: Color32 = Color32::from_rgb(32, 34, 36);
    pub const COUNTY: Color32 = Color32::from_rgb(60, 60, 60);
    pub const PROVINCE: Color32 = Color32::from_rgb(25, 25, 25);
    pub const TOWNSHIP: Color32 = Color32::from_rgba_premultiplied(255, 255, 255, 200);
    pub const SEAT: Color32 = Color32::from_rgb(30, 30, 30);
    pub const REMOVED_SEAT: Color32 = Color32::from_rgb(120, 120, 120);
    pub const STATION: Color32 = Color32::from_rgb(46, 125, 50);
    pub const SELECTED: Color32 = Color32::from_rgb(0, 90, 200);
    pub const HAND: Color32 = Color32::from_rgb(136, 34, 85);
    pub const HOVER: Color32 = Color32::from_rgb(0, 0, 0);
    pub const TEXT: Color32 = Color32::from_rgb(20, 20, 20);
    pub const HALO: Color32 = Color32::from_rgba_premultiplied(255, 255, 255, 190);
}

/// World (km, north up) to screen, for a view drawn in `rect`.
#[derive(Debug, Clone, Copy)]
pub struct Transform {
    pub rect: Rect,
    pub centre: Point,
    /// Pixels per km.
    pub scale: f32,
}

impl Transform {
    pub fn to_screen(&self, p: Point) -> Pos2 {
        let c = self.rect.center();
        Pos2::new(
            c.x + (p[0] - self.centre[0]) * self.scale,
            c.y - (p[1] - self.centre[1]) * self.scale,
        )
    }

    pub fn to_world(&self, s: Pos2) -> Point {
        let c = self.rect.center();
        [
            self.centre[0] + (s.x - c.x) / self.scale,
            self.centre[1] - (s.y - c.y) / self.scale,
        ]
    }

    /// The part of the world in view.
    pub fn visible(&self) -> Bounds {
        let (a, b) = (
            self.to_world(self.rect.left_top()),
            self.to_world(self.rect.right_bottom()),
        );
        Bounds {
            min: [a[0].min(b[0]), a[1].min(b[1])],
            max: [a[0].max(b[0]), a[1].max(b[1])],
        }
    }

    /// The transform of a mesh stored with y pointing south (see [`fill_mesh`]).
    fn mesh_transform(&self) -> TSTransform {
        let c = self.rect.center();
        TSTransform::new(
            egui::vec2(
                c.x - self.centre[0] * self.scale,
                c.y + self.centre[1] * self.scale,
            ),
            self.scale,
        )
    }
}

fn rgb(c: [u8; 3]) -> Color32 {
    Color32::from_rgb(c[0], c[1], c[2])
}

/// The coloured territories of one colouring, built once: each county's townships as a mesh
/// of their own (drawn when zoomed in, only the counties in view), and every county in one
/// mesh, each in the colour most of its area has (drawn zoomed out, where townships would be a
/// few pixels each). Meshes are in world km with y pointing south, so a translate-and-scale
/// puts them on screen.
pub struct Fill {
    pub townships: TiVec<CountyId, Arc<egui::Mesh>>,
    pub overview: Arc<egui::Mesh>,
}

impl Fill {
    pub fn new(geometry: &MapGeometry, colours: &Colouring) -> Self {
        // Adds the triangles on `range` of `source`'s vertices to `mesh`, in one colour.
        let add = |source: &FillMesh,
                   range: std::ops::Range<u32>,
                   colour: Color32,
                   mesh: &mut egui::Mesh| {
            let base = mesh.vertices.len() as u32;
            mesh.vertices.extend(
                source.positions[range.start as usize..range.end as usize]
                    .iter()
                    .map(|p| egui::epaint::Vertex {
                        pos: Pos2::new(p[0], -p[1]),
                        uv: egui::epaint::WHITE_UV,
                        color: colour,
                    }),
            );
            mesh.indices.extend(
                source
                    .triangles(range.clone())
                    .iter()
                    .map(|&i| base + i - range.start),
            );
        };
        let townships = geometry
            .by_county
            .iter()
            .map(|members| {
                let mut county = egui::Mesh::default();
                for &t in members {
                    let colour = rgb(colours.townships[t]);
                    add(
                        &geometry.fill,
                        geometry.townships[t].fill.clone(),
                        colour,
                        &mut county,
                    );
                }
                Arc::new(county)
            })
            .collect();
        let mut overview = egui::Mesh::default();
        for (c, shape) in geometry.counties.iter_enumerated() {
            let colour = rgb(main_colour(geometry, colours, c));
            add(
                &geometry.overview,
                shape.overview.clone(),
                colour,
                &mut overview,
            );
        }
        Self {
            townships,
            overview: Arc::new(overview),
        }
    }
}

/// The colour of most of a county's area (of most of its townships, without territories).
fn main_colour(geometry: &MapGeometry, colours: &Colouring, county: CountyId) -> [u8; 3] {
    let mut areas: Vec<([u8; 3], f32)> = Vec::new();
    for &t in &geometry.by_county[county] {
        let colour = colours.townships[t];
        let area = geometry.townships[t].area.max(1e-3);
        match areas.iter_mut().find(|(c, _)| *c == colour) {
            Some((_, a)) => *a += area,
            None => areas.push((colour, area)),
        }
    }
    areas
        .into_iter()
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map_or([200, 200, 200], |(c, _)| c)
}

/// Whether the townships are filled one by one (else each county in one colour): once a
/// typical township is several pixels across.
pub fn townships_filled(geometry: &MapGeometry, t: &Transform) -> bool {
    typical_township_km(geometry) * t.scale > 8.0
}

fn typical_township_km(geometry: &MapGeometry) -> f32 {
    (geometry.bounds.width() * geometry.bounds.height() / geometry.townships.len().max(1) as f32)
        .sqrt()
}

/// What one map side shows.
pub struct Side<'a> {
    pub analysis: &'a Analysis,
    /// After the plan, or the units as they were.
    pub after: bool,
    pub fill: &'a Fill,
    pub colouring: &'a Colouring,
}

/// Paints one map side into `t.rect`.
pub fn paint(painter: &egui::Painter, t: &Transform, view: &View, side: &Side, dark: bool) {
    let geometry = &*view.geometry;
    let painter = painter.with_clip_rect(t.rect);
    painter.rect_filled(
        t.rect,
        0.0,
        if dark {
            ink::BACKGROUND_DARK
        } else {
            ink::BACKGROUND
        },
    );
    let visible = t.visible();
    let meshes: Vec<&Arc<egui::Mesh>> = if townships_filled(geometry, t) {
        side.fill
            .townships
            .iter_enumerated()
            .filter(|(c, _)| geometry.counties[*c].bounds.intersects(&visible))
            .map(|(_, mesh)| mesh)
            .collect()
    } else {
        vec![&side.fill.overview]
    };
    for mesh in meshes.into_iter().filter(|m| !m.is_empty()) {
        let mut fill = Shape::Mesh(mesh.clone());
        fill.transform(t.mesh_transform());
        painter.add(fill);
    }

    let stage = &side.analysis.plan.townships;
    let townships_visible = townships_visible(geometry, t);
    outlines(&painter, t, geometry, townships_visible);

    // Units a hand edit fixed, in the hand colour.
    if side.after {
        for unit in stage
            .units
            .iter()
            .filter(|u| u.by_hand && u.members.len() > 1)
        {
            outline_units(
                &painter,
                t,
                geometry,
                &unit.members,
                Stroke::new(2.5, ink::HAND),
            );
        }
    }

    match view.level {
        Level::Townships if townships_visible => seats(&painter, t, geometry, side),
        Level::Villages => {
            // The township fills beneath are veiled, so villages in the same palette stand
            // out from them.
            let veil = if dark {
                egui::Color32::from_black_alpha(170)
            } else {
                egui::Color32::from_white_alpha(170)
            };
            painter.rect_filled(t.rect, 0.0, veil);
            villages(&painter, t, geometry, side, &visible)
        }
        Level::Townships => {}
    }

    // The selection.
    match view.level {
        Level::Townships => {
            let selected: Vec<TownshipId> = view
                .selection
                .iter()
                .map(|&i| TownshipId::from(i))
                .collect();
            outline_units(
                &painter,
                t,
                geometry,
                &selected,
                Stroke::new(3.0, ink::SELECTED),
            );
        }
        Level::Villages => {
            for &i in &view.selection {
                let p = t.to_screen(geometry.villages[VillageId::from(i)]);
                painter.circle_stroke(p, 7.0, Stroke::new(2.5, ink::SELECTED));
            }
        }
    }

    // The hovered unit, and the line from its seat to its new seat.
    if let Some(hover) = view.hover {
        match view.level {
            Level::Townships => {
                let tid = TownshipId::from(hover);
                outline_units(&painter, t, geometry, &[tid], Stroke::new(2.0, ink::HOVER));
                if side.after {
                    let seat = stage.seat_of(tid);
                    if seat != tid {
                        let (from, to) = (
                            t.to_screen(geometry.townships[tid].seat),
                            t.to_screen(geometry.townships[seat].seat),
                        );
                        painter.arrow(from, to - from, Stroke::new(2.0, ink::HOVER));
                    }
                }
            }
            Level::Villages => {
                let v = VillageId::from(hover);
                let p = t.to_screen(geometry.villages[v]);
                painter.circle_stroke(p, 6.0, Stroke::new(2.0, ink::HOVER));
                if side.after {
                    let seat = side.analysis.plan.villages.seat_of(v);
                    if seat != v {
                        let to = t.to_screen(geometry.villages[seat]);
                        painter.arrow(p, to - p, Stroke::new(1.5, ink::HOVER));
                    }
                }
            }
        }
    }

    labels(&painter, t, view, side, townships_visible, &visible);

    if !view.lasso.is_empty() {
        let points: Vec<Pos2> = view.lasso.iter().map(|&p| t.to_screen(p)).collect();
        painter.add(Shape::closed_line(points, Stroke::new(1.5, ink::SELECTED)));
    }
    scale_bar(&painter, t);
}

/// The outlines of the townships (where they are visible), the counties (those large enough
/// on screen) and the provinces (where the map shows several).
fn outlines(painter: &egui::Painter, t: &Transform, geometry: &MapGeometry, townships: bool) {
    let visible = t.visible();
    let stroke = |rings: &[Vec<Point>], stroke: Stroke| {
        for ring in rings {
            let points = ring.iter().map(|&p| t.to_screen(p)).collect();
            painter.add(Shape::closed_line(points, stroke));
        }
    };
    if townships {
        for shape in geometry.townships.iter() {
            if shape.bounds.intersects(&visible) {
                stroke(&shape.rings, Stroke::new(0.6, ink::TOWNSHIP));
            }
        }
    }
    // A county a few pixels across gets no outline (at country zoom the east was a dark mass
    // of them); its fill still shows.
    let outlined = |b: &Bounds| b.width().max(b.height()) * t.scale >= COUNTY_OUTLINE_PX;
    for shape in geometry.counties.iter() {
        if shape.bounds.intersects(&visible) && outlined(&shape.bounds) {
            stroke(shape.rings_at(t.scale), Stroke::new(1.2, ink::COUNTY));
        }
    }
    // Provinces, where the map shows several: their dissolved outlines over the counties'.
    for shape in &geometry.provinces {
        if shape.bounds.intersects(&visible) {
            stroke(shape.rings_at(t.scale), Stroke::new(2.2, ink::PROVINCE));
        }
    }
}

/// Whether township outlines and seats are drawn: once a township is tens of pixels across.
pub fn townships_visible(geometry: &MapGeometry, t: &Transform) -> bool {
    typical_township_km(geometry) * t.scale > 24.0
}

/// The outer edge of `units` (every ring of each), or a ring round the seat without one.
fn outline_units(
    painter: &egui::Painter,
    t: &Transform,
    geometry: &MapGeometry,
    units: &[TownshipId],
    stroke: Stroke,
) {
    for &u in units {
        let shape = &geometry.townships[u];
        if shape.rings.is_empty() {
            painter.circle_stroke(t.to_screen(shape.seat), 6.0, stroke);
        }
        for ring in &shape.rings {
            let points = ring.iter().map(|&p| t.to_screen(p)).collect();
            painter.add(Shape::closed_line(points, stroke));
        }
    }
}

/// Surviving seats (filled), seats merged away (hollow) and service stations (green squares).
fn seats(painter: &egui::Painter, t: &Transform, geometry: &MapGeometry, side: &Side) {
    let stage = &side.analysis.plan.townships;
    for (tid, shape) in geometry.townships.iter_enumerated() {
        let p = t.to_screen(shape.seat);
        if !painter.clip_rect().contains(p) {
            continue;
        }
        if !side.after || stage.seat_of(tid) == tid {
            painter.circle_filled(p, 3.5, ink::SEAT);
        } else {
            painter.circle_stroke(p, 3.5, Stroke::new(1.2, ink::REMOVED_SEAT));
        }
    }
    if side.after {
        for &s in &side.analysis.service.stations {
            let p = t.to_screen(geometry.townships[s].seat);
            painter.rect_filled(
                Rect::from_center_size(p, egui::vec2(7.0, 7.0)),
                1.0,
                ink::STATION,
            );
        }
    }
}

/// Villages as points coloured by their new village (neighbouring ones differ), seats ringed.
fn villages(
    painter: &egui::Painter,
    t: &Transform,
    geometry: &MapGeometry,
    side: &Side,
    visible: &Bounds,
) {
    let plan = &side.analysis.plan.villages;
    for (v, &p) in geometry.villages.iter_enumerated() {
        let inside = visible.min[0] <= p[0]
            && p[0] <= visible.max[0]
            && visible.min[1] <= p[1]
            && p[1] <= visible.max[1];
        let Some(&colour) = side.colouring.villages.get(v).filter(|_| inside) else {
            continue;
        };
        let s = t.to_screen(p);
        painter.circle_filled(s, 5.2, egui::Color32::WHITE);
        painter.circle_filled(s, 4.0, rgb(colour));
        let is_seat = !side.after || plan.seat_of(v) == v;
        painter.circle_stroke(
            s,
            4.0,
            Stroke::new(if is_seat { 1.5 } else { 0.6 }, ink::SEAT),
        );
    }
}

/// County (and city) names when zoomed out, township names when zoomed in; never overlapping.
fn labels(
    painter: &egui::Painter,
    t: &Transform,
    view: &View,
    side: &Side,
    townships_visible: bool,
    visible: &Bounds,
) {
    let geometry = &*view.geometry;
    let ds = side.analysis.dataset();
    let stage = &side.analysis.plan.townships;
    let font = egui::FontId::proportional(12.0);
    // Candidates, most important first: (screen point, text).
    let mut candidates: Vec<(Pos2, String, bool)> = Vec::new();
    if townships_visible {
        let mut towns: Vec<(f64, Pos2, String)> = ds
            .townships
            .iter_enumerated()
            .filter(|(tid, _)| geometry.townships[*tid].bounds.intersects(visible))
            .map(|(tid, tw)| {
                // After a plan, a merged unit is named once, at its seat, with its new name.
                let name = if side.after {
                    let unit = stage.unit_of(tid);
                    if unit.seat != tid {
                        return (f64::NEG_INFINITY, Pos2::ZERO, String::new());
                    }
                    unit.name.clone().unwrap_or_else(|| tw.name.clone())
                } else {
                    tw.name.clone()
                };
                (
                    tw.resident_pop,
                    t.to_screen(geometry.townships[tid].label_at),
                    name,
                )
            })
            .filter(|(pop, _, _)| pop.is_finite())
            .collect();
        towns.sort_by(|a, b| b.0.total_cmp(&a.0));
        candidates.extend(towns.into_iter().map(|(_, p, n)| (p, short(&n), false)));
    }
    // County names only where a county is large enough on screen to hold one.
    let big = |b: &Bounds| b.width() * t.scale >= COUNTY_LABEL_PX;
    let mut counties: Vec<(f32, Pos2, String)> = ds
        .counties
        .iter_enumerated()
        .filter(|(c, _)| {
            let b = &geometry.counties[*c].bounds;
            b.intersects(visible) && (townships_visible || big(b))
        })
        .map(|(c, county)| {
            let shape = &geometry.counties[c];
            (
                shape.bounds.width() * shape.bounds.height(),
                t.to_screen(shape.label_at),
                county.name.clone(),
            )
        })
        .collect();
    counties.sort_by(|a, b| b.0.total_cmp(&a.0));
    // County names come first when zoomed out, after the townships' when zoomed in.
    let county_labels = counties.into_iter().map(|(_, p, n)| (p, n, true));
    if townships_visible {
        candidates.extend(county_labels);
    } else {
        candidates.splice(0..0, county_labels);
        // Several provinces zoomed out: their names first.
        candidates.splice(0..0, province_labels(t, geometry, ds));
    }
    let galleys: Vec<_> = candidates
        .iter()
        .map(|(_, text, bold)| {
            let colour = ink::TEXT;
            let font = if *bold {
                egui::FontId::proportional(13.0)
            } else {
                font.clone()
            };
            painter.layout_no_wrap(text.clone(), font, colour)
        })
        .collect();
    let boxes: Vec<labels::LabelBox> = candidates
        .iter()
        .zip(&galleys)
        .map(|((p, _, _), g)| {
            let s = g.size();
            [
                p.x - s.x / 2.0,
                p.y - s.y / 2.0,
                p.x + s.x / 2.0,
                p.y + s.y / 2.0,
            ]
        })
        .collect();
    for ((b, galley), kept) in boxes.iter().zip(galleys).zip(labels::place(&boxes, 48.0)) {
        if !kept || !t.rect.contains(Pos2::new(b[0], b[1])) {
            continue;
        }
        let at = Pos2::new(b[0], b[1]);
        painter.rect_filled(
            Rect::from_min_max(at, Pos2::new(b[2], b[3])).expand(1.0),
            2.0,
            ink::HALO,
        );
        painter.galley(at, galley, ink::TEXT);
    }
}

/// Chinese place names shortened for the map: the suffix of a street office dropped.
fn short(name: &str) -> String {
    name.trim_end_matches("办事处").to_string()
}

/// A scale bar of a round number of km, bottom left.
fn scale_bar(painter: &egui::Painter, t: &Transform) {
    let target_px = 120.0;
    let km = target_px / t.scale;
    let round = [1.0, 2.0, 5.0]
        .iter()
        .flat_map(|&m| (-2..5).map(move |e| m * 10f32.powi(e)))
        .filter(|&v| v <= km)
        .fold(0.0, f32::max)
        .max(0.01);
    let px = round * t.scale;
    let origin = t.rect.left_bottom() + egui::vec2(16.0, -16.0);
    let stroke = Stroke::new(2.0, ink::TEXT);
    painter.line_segment([origin, origin + egui::vec2(px, 0.0)], stroke);
    for x in [0.0, px] {
        painter.line_segment(
            [origin + egui::vec2(x, -5.0), origin + egui::vec2(x, 0.0)],
            stroke,
        );
    }
    let label = if round >= 1.0 {
        format!("{round:.0} km")
    } else {
        format!("{:.0} m", round * 1000.0)
    };
    painter.text(
        origin + egui::vec2(px / 2.0, -6.0),
        egui::Align2::CENTER_BOTTOM,
        label,
        egui::FontId::proportional(12.0),
        ink::TEXT,
    );
}

/// A mode's label.
pub fn mode_label(mode: ColourMode, l: crate::Lang) -> &'static str {
    use crate::Lang::*;
    match (mode, l) {
        (ColourMode::Group, Zh) => "按新单位",
        (ColourMode::Group, En) => "New units",
        (ColourMode::DistanceChange, Zh) => "到驻地距离变化",
        (ColourMode::DistanceChange, En) => "Change in distance to seat",
        (ColourMode::Density, Zh) => "人口密度",
        (ColourMode::Density, En) => "Population density",
        (ColourMode::Terrain, Zh) => "地形",
        (ColourMode::Terrain, En) => "Terrain",
        (ColourMode::Kind, Zh) => "单位类型",
        (ColourMode::Kind, En) => "Kind of unit",
    }
}

/// The on-screen size (pixels) below which a county gets no outline.
const COUNTY_OUTLINE_PX: f32 = 14.0;
/// The on-screen width (pixels) below which a county gets no name when zoomed out.
const COUNTY_LABEL_PX: f32 = 40.0;

/// The names of the provinces, where the map shows more than one and a province is large on
/// screen: each at the area-weighted centre of its counties' label points.
fn province_labels(
    t: &Transform,
    geometry: &MapGeometry,
    ds: &crate::model::Dataset,
) -> Vec<(Pos2, String, bool)> {
    let mut by_province: Vec<(&'static crate::national::Province, f32, [f32; 2], Bounds)> =
        Vec::new();
    for (c, county) in ds.counties.iter_enumerated() {
        let Some(p) = crate::national::province_of(&county.code) else {
            continue;
        };
        let shape = &geometry.counties[c];
        let w = shape.bounds.width() * shape.bounds.height();
        let k = match by_province.iter().position(|(q, ..)| q.code == p.code) {
            Some(k) => k,
            None => {
                by_province.push((p, 0.0, [0.0, 0.0], shape.bounds));
                by_province.len() - 1
            }
        };
        let entry = &mut by_province[k];
        entry.1 += w;
        entry.2[0] += shape.label_at[0] * w;
        entry.2[1] += shape.label_at[1] * w;
        entry.3 = entry.3.union(shape.bounds);
    }
    if by_province.len() < 2 {
        return Vec::new();
    }
    by_province
        .into_iter()
        .filter(|(_, w, _, b)| *w > 0.0 && b.width() * t.scale >= 1.5 * COUNTY_LABEL_PX)
        .map(|(p, w, at, _)| {
            (
                t.to_screen([at[0] / w, at[1] / w]),
                p.short.to_string(),
                true,
            )
        })
        .collect()
}
