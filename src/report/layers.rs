//! A plan as GIS layers: the merged territories dissolved into one polygon per new unit (with
//! the new code, name, seat, member count, area, populations and distances), and the seats and
//! service stations as points. Written as GeoJSON and as ESRI Shapefile by
//! [`report::gis`](crate::report::gis).

use geo::orient::{Direction, Orient};
use geo::{MultiPolygon, Polygon};
use rayon::prelude::*;
use rstar::RTree;
use rstar::primitives::GeomWithData;
use typed_index_collections::TiVec;

use crate::model::{Dataset, LonLat, TownshipId};
use crate::report::run::RunReport;

/// One new unit with its dissolved territory and its figures.
#[derive(Debug, Clone, PartialEq)]
pub struct Territory {
    /// The new unit's code (its seat's code).
    pub code: String,
    pub name: String,
    pub county_code: String,
    pub county_name: String,
    /// The township a new village belongs to (empty for townships).
    pub township_code: String,
    pub seat_code: String,
    pub seat_name: String,
    pub seat: LonLat,
    /// Former units merged into it (1 for a unit left as it was).
    pub members: usize,
    /// The former units' codes, space-separated.
    pub member_codes: String,
    pub area_km2: f64,
    pub registered_pop: f64,
    pub resident_pop: f64,
    /// People-weighted mean distance from the villages to their seat, km (NaN without
    /// villages; townships only).
    pub mean_km_before: f64,
    pub mean_km_after: f64,
    /// Whether a hand edit fixed it.
    pub by_hand: bool,
    /// The members' territories dissolved, or `None` where the dataset has no boundaries.
    pub geometry: Option<MultiPolygon<f64>>,
}

/// A seat or a service station.
#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    pub code: String,
    pub name: String,
    /// `seat` or `station`.
    pub kind: &'static str,
    /// The new township it serves.
    pub unit_code: String,
    pub unit_name: String,
    pub at: LonLat,
}

/// The new townships of a run, each with its members' territories dissolved.
pub fn townships(report: &RunReport) -> Vec<Territory> {
    let ds = report.dataset();
    let stage = &report.plan().townships;
    let service = report.service();
    let shapes: Vec<Option<&MultiPolygon<f64>>> =
        ds.townships.iter().map(|t| t.boundary.as_ref()).collect();
    let around = Territories::new(&shapes);
    let people = village_people_by_township(ds);
    let mut units: Vec<Territory> = stage
        .units
        .as_slice()
        .raw
        .par_iter()
        .map(|unit| {
            let seat = &ds.townships[unit.seat];
            let county = &ds.counties[seat.county];
            let sum = |f: &dyn Fn(TownshipId) -> f64| unit.members.iter().map(|&t| f(t)).sum();
            let weighted = |i: usize| {
                let (mut km, mut weight) = (0.0, 0.0);
                for &t in unit.members.iter() {
                    let mean = service.township_mean_km[t][i];
                    if mean.is_finite() && people[t] > 0.0 {
                        km += mean * people[t];
                        weight += people[t];
                    }
                }
                if weight > 0.0 { km / weight } else { f64::NAN }
            };
            let shapes: Vec<&MultiPolygon<f64>> = unit
                .members
                .iter()
                .filter_map(|&t| ds.townships[t].boundary.as_ref())
                .collect();
            let other = |t: usize| stage.new_of[TownshipId::from(t)] != stage.new_of[unit.seat];
            let geometry = (!shapes.is_empty())
                .then(|| for_output(dissolve(&shapes, |rect| around.near(rect, other))));
            Territory {
                code: seat.code.clone(),
                name: unit.name.clone().unwrap_or_else(|| seat.name.clone()),
                county_code: county.code.clone(),
                county_name: county.name.clone(),
                township_code: String::new(),
                seat_code: seat.code.clone(),
                seat_name: seat.name.clone(),
                seat: seat.seat,
                members: unit.members.len(),
                member_codes: codes(unit.members.iter().map(|&t| &ds.townships[t].code)),
                area_km2: sum(&|t| ds.townships[t].area_km2),
                registered_pop: sum(&|t| ds.townships[t].registered_pop),
                resident_pop: sum(&|t| ds.townships[t].resident_pop),
                mean_km_before: weighted(0),
                mean_km_after: weighted(1),
                by_hand: unit.by_hand,
                geometry,
            }
        })
        .collect();
    fill_free_holes(&mut units);
    units
}

/// The new villages of a run with their territories dissolved, where the dataset has
/// village boundaries (`None` where it has none).
pub fn villages(report: &RunReport) -> Option<Vec<Territory>> {
    let ds = report.dataset();
    if !ds.villages.iter().any(|v| v.boundary.is_some()) {
        return None;
    }
    let plan = report.plan();
    let stage = &plan.villages;
    let shapes: Vec<Option<&MultiPolygon<f64>>> =
        ds.villages.iter().map(|v| v.boundary.as_ref()).collect();
    let around = Territories::new(&shapes);
    let units = stage
        .units
        .as_slice()
        .raw
        .par_iter()
        .map(|unit| {
            let seat = &ds.villages[unit.seat];
            let township = &ds.townships[plan.townships.seat_of(seat.township)];
            let county = &ds.counties[township.county];
            let shapes: Vec<&MultiPolygon<f64>> = unit
                .members
                .iter()
                .filter_map(|&v| ds.villages[v].boundary.as_ref())
                .collect();
            let other = |v: usize| {
                stage.new_of[crate::model::VillageId::from(v)] != stage.new_of[unit.seat]
            };
            let geometry = (!shapes.is_empty())
                .then(|| for_output(dissolve(&shapes, |rect| around.near(rect, other))));
            let sum = |f: &dyn Fn(&crate::model::Village) -> f64| {
                unit.members.iter().map(|&v| f(&ds.villages[v])).sum()
            };
            Territory {
                code: seat.code.clone(),
                name: unit.name.clone().unwrap_or_else(|| seat.name.clone()),
                county_code: county.code.clone(),
                county_name: county.name.clone(),
                township_code: township.code.clone(),
                seat_code: seat.code.clone(),
                seat_name: seat.name.clone(),
                seat: seat.centre,
                members: unit.members.len(),
                member_codes: codes(unit.members.iter().map(|&v| &ds.villages[v].code)),
                area_km2: sum(&|v| v.area_km2),
                registered_pop: sum(&|v| v.registered_pop.unwrap_or(f64::NAN)),
                resident_pop: sum(&|v| v.resident_pop),
                mean_km_before: f64::NAN,
                mean_km_after: f64::NAN,
                by_hand: unit.by_hand,
                geometry,
            }
        })
        .collect();
    let mut units: Vec<Territory> = units;
    fill_free_holes(&mut units);
    Some(units)
}

/// The seats of the new townships.
pub fn seats(report: &RunReport) -> Vec<Marker> {
    let ds = report.dataset();
    report
        .plan()
        .townships
        .units
        .iter()
        .map(|unit| {
            let seat = &ds.townships[unit.seat];
            let name = unit.name.clone().unwrap_or_else(|| seat.name.clone());
            Marker {
                code: seat.code.clone(),
                name: seat.name.clone(),
                kind: "seat",
                unit_code: seat.code.clone(),
                unit_name: name,
                at: seat.seat,
            }
        })
        .collect()
}

/// The former seats kept as service stations.
pub fn stations(report: &RunReport) -> Vec<Marker> {
    let ds = report.dataset();
    let stage = &report.plan().townships;
    report
        .service()
        .stations
        .iter()
        .map(|&t| {
            let former = &ds.townships[t];
            let unit = stage.unit_of(t);
            let seat = &ds.townships[unit.seat];
            Marker {
                code: former.code.clone(),
                name: former.name.clone(),
                kind: "station",
                unit_code: seat.code.clone(),
                unit_name: unit.name.clone().unwrap_or_else(|| seat.name.clone()),
                at: former.seat,
            }
        })
        .collect()
}

fn codes<'a>(codes: impl Iterator<Item = &'a String>) -> String {
    codes.map(String::as_str).collect::<Vec<_>>().join(" ")
}

/// The residents of each township's villages (the weights of its mean distances).
fn village_people_by_township(ds: &Dataset) -> TiVec<TownshipId, f64> {
    let mut people: TiVec<TownshipId, f64> = vec![0.0; ds.townships.len()].into();
    for v in &ds.villages {
        people[v.township] += v.resident_pop;
    }
    people
}

/// The union of `parts` (rings oriented first: the union takes its fill rule from the first
/// ring's winding). A hole in the union is kept where other units' territories (`others`
/// finds those whose boxes meet a box) occupy it, an enclave; what no other unit occupies is
/// a sliver between imported boundaries that do not quite meet, and is filled. Filling takes
/// nothing from another unit, so dissolved territories overlap no more than their inputs.
pub fn dissolve<'a>(
    parts: &[&MultiPolygon<f64>],
    others: impl Fn(geo::Rect<f64>) -> Vec<&'a MultiPolygon<f64>>,
) -> MultiPolygon<f64> {
    use geo::{BooleanOps, BoundingRect};
    let polygons: Vec<Polygon<f64>> = parts
        .iter()
        .flat_map(|mp| mp.orient(Direction::Default).0)
        .collect();
    let union = if polygons.len() == 1 {
        MultiPolygon::new(polygons)
    } else {
        geo::unary_union(&polygons)
    };
    let holes: Vec<Polygon<f64>> = union
        .0
        .iter()
        .flat_map(|p| p.interiors())
        .map(|ring| Polygon::new(ring.clone(), vec![]).orient(Direction::Default))
        .collect();
    let Some(rect) = MultiPolygon::new(holes.clone()).bounding_rect() else {
        return union;
    };
    let union = without_specks(union);
    let occupied: Vec<Polygon<f64>> = others(rect)
        .into_iter()
        .flat_map(|mp| mp.orient(Direction::Default).0)
        .collect();
    let holes = geo::unary_union(&holes);
    let slivers = if occupied.is_empty() {
        holes
    } else {
        holes.difference(&geo::unary_union(&occupied))
    };
    if slivers.0.is_empty() {
        return union;
    }
    without_specks(union.union(&slivers))
}

/// Fills what the holes of the layer's territories hold that no other territory of the layer
/// covers: a dissolve keeps a hole where another unit's imported territory lies, but that
/// territory may not reach it once made whole and valid (imported boundaries overlap and
/// pinch). A hole is then left only where another unit's land is.
fn fill_free_holes(units: &mut [Territory]) {
    use geo::{Area, BooleanOps, BoundingRect};
    let shapes: Vec<Option<&MultiPolygon<f64>>> =
        units.iter().map(|u| u.geometry.as_ref()).collect();
    let around = Territories::new(&shapes);
    let filled: Vec<(usize, MultiPolygon<f64>)> = (0..units.len())
        .into_par_iter()
        .filter_map(|i| {
            let shape = shapes[i]?;
            let holes: Vec<Polygon<f64>> = shape
                .0
                .iter()
                .flat_map(|p| p.interiors())
                .map(|ring| Polygon::new(ring.clone(), vec![]).orient(Direction::Default))
                .collect();
            let rect = MultiPolygon::new(holes.clone()).bounding_rect()?;
            let occupied: Vec<Polygon<f64>> = around
                .near(rect, |j| j != i)
                .into_iter()
                .flat_map(|mp| mp.0.iter().cloned())
                .collect();
            let holes = geo::unary_union(&holes);
            // What the holes hold of other territories stays out; the rest is filled: the
            // shape without its holes, less that.
            let taken = if occupied.is_empty() {
                MultiPolygon::new(vec![])
            } else {
                holes.intersection(&geo::unary_union(&occupied))
            };
            if (holes.unsigned_area() - taken.unsigned_area()) <= 1e-12 {
                return None;
            }
            let solid = MultiPolygon::new(
                shape
                    .0
                    .iter()
                    .map(|p| Polygon::new(p.exterior().clone(), vec![]))
                    .collect(),
            );
            let solid = geo::unary_union(&solid.0);
            let refilled = if taken.0.is_empty() {
                solid
            } else {
                solid.difference(&taken)
            };
            Some((i, for_output(without_specks(refilled))))
        })
        .collect();
    for (i, shape) in filled {
        units[i].geometry = Some(shape);
    }
}

/// The grid output coordinates lie on, in steps per degree: 1e-7° (about a centimetre), what
/// the files write in longitude/latitude. Fine enough that putting a territory on it moves a
/// border by millimetres: where one side of a long border has a corner the other lacks, a
/// coarser grid would open slivers of overlap along it.
pub const GRID: f64 = crate::crs::DEGREE_GRID;

pub use crate::shape::valid_on;

/// A territory as the files hold it in longitude/latitude: see [`valid_on`].
pub fn for_output(shape: MultiPolygon<f64>) -> MultiPolygon<f64> {
    valid_on(shape, GRID)
}

/// Holes smaller than a square metre or so (1e-10 deg²): rounding left by the boolean
/// operations, never a unit's territory.
fn without_specks(shape: MultiPolygon<f64>) -> MultiPolygon<f64> {
    use geo::Area;
    MultiPolygon::new(
        shape
            .0
            .into_iter()
            .map(|p| {
                let (exterior, interiors) = p.into_inner();
                let kept = interiors
                    .into_iter()
                    .filter(|ring| Polygon::new(ring.clone(), vec![]).unsigned_area() >= 1e-10)
                    .collect();
                Polygon::new(exterior, kept)
            })
            .collect(),
    )
}

/// Units' territories indexed by their boxes: to tell an enclave (a hole another unit
/// occupies) from a sliver (a hole no unit occupies).
struct Territories<'a> {
    shapes: &'a [Option<&'a MultiPolygon<f64>>],
    boxes: RTree<GeomWithData<rstar::primitives::Rectangle<[f64; 2]>, usize>>,
}

impl<'a> Territories<'a> {
    fn new(shapes: &'a [Option<&'a MultiPolygon<f64>>]) -> Self {
        use geo::BoundingRect;
        let mut boxes = Vec::new();
        for (i, shape) in shapes.iter().enumerate() {
            let Some(shape) = shape else { continue };
            if let Some(r) = shape.bounding_rect() {
                let corners = ([r.min().x, r.min().y], [r.max().x, r.max().y]);
                boxes.push(GeomWithData::new(
                    rstar::primitives::Rectangle::from_corners(corners.0, corners.1),
                    i,
                ));
            }
        }
        Self {
            shapes,
            boxes: RTree::bulk_load(boxes),
        }
    }

    /// The territories of the units `other` accepts whose boxes meet `rect`.
    fn near(
        &self,
        rect: geo::Rect<f64>,
        other: impl Fn(usize) -> bool,
    ) -> Vec<&'a MultiPolygon<f64>> {
        self.boxes
            .locate_in_envelope_intersecting(&envelope(rect))
            .filter(|b| other(b.data))
            .filter_map(|b| self.shapes[b.data])
            .collect()
    }
}

fn envelope(rect: geo::Rect<f64>) -> rstar::AABB<[f64; 2]> {
    rstar::AABB::from_corners([rect.min().x, rect.min().y], [rect.max().x, rect.max().y])
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Area, polygon};

    fn square(x: f64, y: f64, size: f64) -> MultiPolygon<f64> {
        MultiPolygon::new(vec![polygon![
            (x: x, y: y),
            (x: x + size, y: y),
            (x: x + size, y: y + size),
            (x: x, y: y + size),
        ]])
    }

    #[test]
    fn neighbours_dissolve_into_one_polygon_whatever_their_winding() {
        let a = square(0.0, 0.0, 1.0);
        // Clockwise: the union must not treat it as a hole.
        let mut b = square(1.0, 0.0, 1.0);
        b = b.orient(Direction::Reversed);
        let union = dissolve(&[&a, &b], |_| vec![]);
        assert_eq!(union.0.len(), 1);
        assert!((union.unsigned_area() - 2.0).abs() < 1e-9);
    }

    #[test]
    fn a_hole_no_unit_occupies_is_filled_and_an_enclave_kept() {
        // A 3×3 square with a 1×1 hole in the middle.
        let ring = MultiPolygon::new(vec![Polygon::new(
            square(0.0, 0.0, 3.0).0[0].exterior().clone(),
            vec![square(1.0, 1.0, 1.0).0[0].exterior().clone()],
        )]);
        let enclave = square(1.0, 1.0, 1.0);
        let kept = dissolve(&[&ring], |_| vec![&enclave]);
        assert_eq!(kept.0[0].interiors().len(), 1);
        assert!((kept.unsigned_area() - 8.0).abs() < 1e-9);
        let filled = dissolve(&[&ring], |_| vec![]);
        assert_eq!(filled.0[0].interiors().len(), 0);
        assert!((filled.unsigned_area() - 9.0).abs() < 1e-9);
        // Half occupied: the free half is filled, the occupied half stays a hole.
        let half = MultiPolygon::new(vec![geo::Rect::new((1.0, 1.0), (1.5, 2.0)).to_polygon()]);
        let partly = dissolve(&[&ring], |_| vec![&half]);
        assert!((partly.unsigned_area() - 8.5).abs() < 1e-9);
    }
}
