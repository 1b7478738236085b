//! A dataset's shapes projected once onto a plane (kilometres east and north of the dataset's
//! centre), triangulated for filling, with bounding boxes for culling and hit tests.

use geo::{Area, BoundingRect, Contains, InteriorPoint, MultiPolygon, TriangulateEarcut};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};
use typed_index_collections::TiVec;

use crate::geodesy::LocalProjection;
use crate::model::{CountyId, Dataset, LonLat, TownshipId, VillageId};

/// A point on the map plane, km east and north of the dataset's centre.
pub type Point = [f32; 2];

/// An axis-aligned box on the map plane.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounds {
    pub min: Point,
    pub max: Point,
}

impl Bounds {
    /// The smallest box holding every point (`None` if there is none).
    pub fn of(points: impl IntoIterator<Item = Point>) -> Option<Self> {
        let mut it = points.into_iter();
        let first = it.next()?;
        let mut b = Bounds {
            min: first,
            max: first,
        };
        for p in it {
            b.extend(p);
        }
        Some(b)
    }

    pub fn extend(&mut self, p: Point) {
        self.min = [self.min[0].min(p[0]), self.min[1].min(p[1])];
        self.max = [self.max[0].max(p[0]), self.max[1].max(p[1])];
    }

    pub fn union(self, other: Bounds) -> Bounds {
        let mut b = self;
        b.extend(other.min);
        b.extend(other.max);
        b
    }

    pub fn intersects(&self, other: &Bounds) -> bool {
        self.min[0] <= other.max[0]
            && other.min[0] <= self.max[0]
            && self.min[1] <= other.max[1]
            && other.min[1] <= self.max[1]
    }

    pub fn width(&self) -> f32 {
        self.max[0] - self.min[0]
    }

    pub fn height(&self) -> f32 {
        self.max[1] - self.min[1]
    }

    pub fn centre(&self) -> Point {
        [
            (self.min[0] + self.max[0]) / 2.0,
            (self.min[1] + self.max[1]) / 2.0,
        ]
    }
}

/// A township's shapes on the map.
#[derive(Debug, Clone)]
pub struct TownshipShape {
    /// Rings of its territory (outer and inner), closed; empty without a boundary.
    pub rings: Vec<Vec<Point>>,
    /// Its territory, or a small box around its seat without one.
    pub bounds: Bounds,
    /// Where its name goes: inside the territory, else the seat.
    pub label_at: Point,
    pub seat: Point,
    pub county: CountyId,
    /// Area on the map plane (km²; 0 without a boundary).
    pub area: f32,
    /// The fill triangles' vertices in [`MapGeometry::fill`].
    pub fill: std::ops::Range<u32>,
}

/// A county's outline.
#[derive(Debug, Clone)]
pub struct CountyShape {
    pub rings: Vec<Vec<Point>>,
    pub bounds: Bounds,
    pub label_at: Point,
    /// The rings simplified (Douglas–Peucker) for coarser views: (tolerance km, rings), from
    /// fine to coarse.
    pub simplified: Vec<(f32, Vec<Vec<Point>>)>,
    /// Its territory at [`OVERVIEW_KM`] (or its townships' without an outline), as triangles'
    /// vertices in [`MapGeometry::overview`].
    pub overview: std::ops::Range<u32>,
}

/// The tolerance (km) of the county territories drawn when zoomed out: under a pixel while
/// townships would be too small to fill (see `app::map::draw`).
pub const OVERVIEW_KM: f32 = 2.0;

/// Tolerances (km) of the simplified county outlines.
const SIMPLIFY_KM: [f32; 4] = [0.1, 0.4, 1.6, 6.4];

impl CountyShape {
    /// The outline to draw at `scale` pixels per km: the coarsest whose error stays within a
    /// pixel.
    pub fn rings_at(&self, scale: f32) -> &[Vec<Point>] {
        coarsest(&self.rings, &self.simplified, scale)
    }
}

/// Of `rings` and their `simplified` versions (fine to coarse), the coarsest whose error
/// stays within a pixel at `scale` pixels per km.
fn coarsest<'a>(
    rings: &'a [Vec<Point>],
    simplified: &'a [(f32, Vec<Vec<Point>>)],
    scale: f32,
) -> &'a [Vec<Point>] {
    let allowed = 1.0 / scale.max(1e-6);
    simplified
        .iter()
        .rev()
        .find(|(tolerance, _)| *tolerance <= allowed)
        .map_or(rings, |(_, rings)| rings)
}

/// An outline simplified at each of [`SIMPLIFY_KM`], fine to coarse.
fn simplified_levels(rings: &[Vec<Point>]) -> Vec<(f32, Vec<Vec<Point>>)> {
    SIMPLIFY_KM
        .iter()
        .map(|&tol| (tol, simplify(rings, tol)))
        .collect()
}

/// Rings simplified to `tolerance` (in their units: km on the map plane), keeping at least a
/// triangle each.
pub(crate) fn simplify(rings: &[Vec<Point>], tolerance: f32) -> Vec<Vec<Point>> {
    use geo::Simplify;
    rings
        .iter()
        .map(|ring| {
            let line: geo::LineString<f32> = ring
                .iter()
                .map(|p| geo::coord! { x: p[0], y: p[1] })
                .collect();
            let simple = line.simplify(tolerance);
            if simple.0.len() >= 4 {
                without_needles(simple.0.iter().map(|c| [c.x, c.y]).collect())
            } else {
                ring.clone()
            }
        })
        .collect()
}

/// Territories as triangles: one vertex list, unit by unit; a unit's triangles index its own
/// vertices only.
#[derive(Debug, Clone, Default)]
pub struct FillMesh {
    pub positions: Vec<Point>,
    pub indices: Vec<u32>,
}

impl FillMesh {
    /// Adds the triangles of `shape`.
    fn add(&mut self, shape: &MultiPolygon<f32>) {
        for polygon in &shape.0 {
            let raw = polygon.earcut_triangles_raw();
            let base = self.positions.len() as u32;
            self.positions.extend(raw.vertices.iter().copied());
            self.indices
                .extend(raw.triangle_indices.iter().map(|&i| base + i as u32));
        }
    }

    /// Adds the triangles whose vertices are `range` of `other`.
    fn add_from(&mut self, other: &FillMesh, range: std::ops::Range<u32>) {
        let base = self.positions.len() as u32;
        self.positions
            .extend_from_slice(&other.positions[range.start as usize..range.end as usize]);
        self.indices.extend(
            other
                .triangles(range.clone())
                .iter()
                .map(|&i| base + i - range.start),
        );
    }

    /// The indices of the triangles on the vertices `range` (units are stored in order).
    pub fn triangles(&self, range: std::ops::Range<u32>) -> &[u32] {
        let from = self.indices.partition_point(|&i| i < range.start);
        let to = self.indices.partition_point(|&i| i < range.end);
        &self.indices[from..to]
    }
}

/// A dataset on the map plane.
#[derive(Debug, Clone)]
pub struct MapGeometry {
    projection: LocalProjection,
    pub bounds: Bounds,
    pub townships: TiVec<TownshipId, TownshipShape>,
    pub counties: TiVec<CountyId, CountyShape>,
    pub villages: TiVec<VillageId, Point>,
    /// Every township's territory, township by township.
    pub fill: FillMesh,
    /// Every county's simplified territory, county by county.
    pub overview: FillMesh,
    /// The townships of each county.
    pub by_county: TiVec<CountyId, Vec<TownshipId>>,
    /// Territories for exact hit tests (townships with a boundary).
    territories: TiVec<TownshipId, Option<MultiPolygon<f32>>>,
    index: RTree<GeomWithData<Rectangle<Point>, TownshipId>>,
    /// The provinces' outlines, dissolved from their counties', where the dataset spans
    /// several (none otherwise).
    pub provinces: Vec<ProvinceShape>,
}

/// A province's outline: its counties' territories dissolved into one.
#[derive(Debug, Clone)]
pub struct ProvinceShape {
    pub code: &'static str,
    pub rings: Vec<Vec<Point>>,
    pub bounds: Bounds,
    /// The rings simplified for coarser views, as [`CountyShape::simplified`].
    pub simplified: Vec<(f32, Vec<Vec<Point>>)>,
}

impl ProvinceShape {
    /// The outline to draw at `scale` pixels per km (as [`CountyShape::rings_at`]).
    pub fn rings_at(&self, scale: f32) -> &[Vec<Point>] {
        coarsest(&self.rings, &self.simplified, scale)
    }
}

/// Where the dissolved counties leave a gap or a part smaller than this (km²), it is not
/// part of a province's outline: the slivers between county outlines that do not share
/// their vertices.
const PROVINCE_SLIVER_KM2: f32 = 1.0;

/// How far a province's dissolved outline is grown and shrunk back (km), closing the gaps
/// narrower than twice this between its counties.
const PROVINCE_CLOSING_KM: f32 = 0.5;

/// The outlines of the provinces of `dataset`'s counties, where there are several: each
/// province's county territories dissolved, less the slivers between them.
fn province_outlines(dataset: &Dataset, plane: &Plane) -> Vec<ProvinceShape> {
    use rayon::prelude::*;
    let mut members: Vec<(&'static crate::national::Province, Vec<CountyId>)> = Vec::new();
    for (k, county) in dataset.counties.iter_enumerated() {
        let Some(p) = crate::national::province_of(&county.code) else {
            continue;
        };
        match members.iter_mut().find(|(q, _)| q.code == p.code) {
            Some((_, counties)) => counties.push(k),
            None => members.push((p, vec![k])),
        }
    }
    if members.len() < 2 {
        return Vec::new();
    }
    members
        .par_iter()
        .filter_map(|(province, counties)| {
            let polygons: Vec<geo::Polygon<f32>> = counties
                .iter()
                .filter_map(|&c| dataset.counties[c].boundary.as_ref())
                .flat_map(|b| plane.project(b).0)
                .collect();
            let dissolved = dissolve(&polygons);
            let rings = rings_of(&dissolved);
            let bounds = Bounds::of(rings.iter().flatten().copied())?;
            Some(ProvinceShape {
                code: province.code,
                simplified: simplified_levels(&rings),
                rings,
                bounds,
            })
        })
        .collect()
}

/// Polygons dissolved into one territory, closed by a buffer out and back in (the thin gaps
/// and spikes where neighbouring outlines do not share their vertices go), less the slivers.
fn dissolve(polygons: &[geo::Polygon<f32>]) -> MultiPolygon<f32> {
    use geo::Buffer;
    use geo::algorithm::buffer::{BufferStyle, LineJoin};
    use geo::orient::{Direction, Orient};
    let style = |d| BufferStyle::new(d).line_join(LineJoin::Bevel);
    // Wound as the union expects (a hole wound as its outline would count as land twice).
    let polygons: Vec<geo::Polygon<f32>> = polygons
        .iter()
        .map(|p| p.orient(Direction::Default))
        .collect();
    let dissolved = geo::unary_union(&polygons)
        .buffer_with_style(style(PROVINCE_CLOSING_KM))
        .buffer_with_style(style(-PROVINCE_CLOSING_KM));
    without_slivers(dissolved)
}

/// `shape` less its parts and holes under [`PROVINCE_SLIVER_KM2`].
fn without_slivers(shape: MultiPolygon<f32>) -> MultiPolygon<f32> {
    let large = |ring: &geo::LineString<f32>| {
        geo::Polygon::new(ring.clone(), vec![]).unsigned_area() >= PROVINCE_SLIVER_KM2
    };
    MultiPolygon::new(
        shape
            .0
            .into_iter()
            .filter(|p| large(p.exterior()))
            .map(|p| {
                let (exterior, holes) = p.into_inner();
                let holes = holes.into_iter().filter(|h| large(h)).collect();
                geo::Polygon::new(exterior, holes)
            })
            .collect(),
    )
}

/// The map plane of a dataset: places and shapes projected to km around its centre.
struct Plane<'a>(&'a LocalProjection);

impl Plane<'_> {
    /// A place on the plane. A unit without a place (a dataset loaded on its neighbour table)
    /// sits at the origin, so bounds and the index stay finite; such maps are not drawn.
    fn at(&self, p: LonLat) -> Point {
        if !(p.lon.is_finite() && p.lat.is_finite()) {
            return [0.0, 0.0];
        }
        let c = self.0.to_km(p);
        [c.x as f32, c.y as f32]
    }

    fn project(&self, shape: &MultiPolygon<f64>) -> MultiPolygon<f32> {
        use geo::MapCoords;
        shape.map_coords(|c| {
            let p = self.at(LonLat::new(c.x, c.y));
            geo::coord! { x: p[0], y: p[1] }
        })
    }

    /// A township's shape on the plane (its territory triangulated into `fill`), and its
    /// projected territory.
    fn township(
        &self,
        t: &crate::model::Township,
        fill: &mut FillMesh,
    ) -> (TownshipShape, Option<MultiPolygon<f32>>) {
        let seat = self.at(t.seat);
        let shape = t.boundary.as_ref().map(|b| self.project(b));
        let start = fill.positions.len() as u32;
        let (rings, bounds, label_at) = match &shape {
            Some(shape) => {
                fill.add(shape);
                let bounds = shape
                    .bounding_rect()
                    .map(|r| Bounds {
                        min: [r.min().x, r.min().y],
                        max: [r.max().x, r.max().y],
                    })
                    .unwrap_or(Bounds {
                        min: seat,
                        max: seat,
                    });
                let label_at = shape.interior_point().map_or(seat, |p| [p.x(), p.y()]);
                (rings_of(shape), bounds, label_at)
            }
            None => {
                let r = 0.5;
                let bounds = Bounds {
                    min: [seat[0] - r, seat[1] - r],
                    max: [seat[0] + r, seat[1] + r],
                };
                (Vec::new(), bounds, seat)
            }
        };
        let area = shape.as_ref().map_or(0.0, |s| s.unsigned_area());
        let township = TownshipShape {
            rings,
            bounds,
            label_at,
            seat,
            county: t.county,
            area,
            fill: start..fill.positions.len() as u32,
        };
        (township, shape)
    }

    /// A county's outline on the plane, simplified into `overview`.
    fn county(
        &self,
        boundary: &MultiPolygon<f64>,
        member_bounds: Option<Bounds>,
        overview: &mut FillMesh,
    ) -> CountyShape {
        let shape = self.project(boundary);
        let start = overview.positions.len() as u32;
        overview.add(&overview_shape(&shape));
        let rings = rings_of(&shape);
        let bounds = Bounds::of(rings.iter().flatten().copied())
            .or(member_bounds)
            .unwrap_or(Bounds {
                min: [0.0, 0.0],
                max: [0.0, 0.0],
            });
        let label_at = shape
            .interior_point()
            .map_or(bounds.centre(), |p| [p.x(), p.y()]);
        CountyShape {
            simplified: simplified_levels(&rings),
            rings,
            bounds,
            label_at,
            overview: start..overview.positions.len() as u32,
        }
    }
}

/// A county's territory as the overview draws it: simplified within [`OVERVIEW_KM`], less
/// the holes too small to see at that scale. Simplifying a hole a few hundred metres across
/// leaves a ring that crosses itself or the outline, and the triangulation then covers land
/// twice.
fn overview_shape(shape: &MultiPolygon<f32>) -> MultiPolygon<f32> {
    use geo::{Area, Simplify};
    let smallest = OVERVIEW_KM * OVERVIEW_KM;
    MultiPolygon::new(
        shape
            .0
            .iter()
            .map(|p| {
                let holes = p
                    .interiors()
                    .iter()
                    .filter(|ring| {
                        geo::Polygon::new((*ring).clone(), vec![]).unsigned_area() >= smallest
                    })
                    .cloned()
                    .collect();
                geo::Polygon::new(p.exterior().clone(), holes).simplify(OVERVIEW_KM)
            })
            .collect(),
    )
}

/// The townships' bounds, for finding the township under a point.
fn hit_index(
    townships: &TiVec<TownshipId, TownshipShape>,
) -> RTree<GeomWithData<Rectangle<Point>, TownshipId>> {
    RTree::bulk_load(
        townships
            .iter_enumerated()
            .map(|(i, t)| GeomWithData::new(Rectangle::from_corners(t.bounds.min, t.bounds.max), i))
            .collect(),
    )
}

/// A shape's rings (exteriors and holes) as lists of points.
fn rings_of(shape: &MultiPolygon<f32>) -> Vec<Vec<Point>> {
    shape
        .0
        .iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .map(|ring| without_needles(ring.0.iter().map(|c| [c.x, c.y]).collect()))
        .collect()
}

/// The sharpest turn an outline keeps (degrees): a sharper one is a needle, a vertex where the
/// outline runs out and straight back.
const NEEDLE_DEG: f32 = 10.0;

/// Two vertices of an outline closer than this (km, a metre) are one: the direction between
/// them is noise, and a stroke's join there can be as long as a needle's.
const REPEATED_KM: f32 = 1e-3;

/// A closed ring without needles. A stroke with mitred joins draws a needle's tip as a line
/// far longer than the needle: at country zoom, county outlines drew lines across the map
/// (from 曹妃甸 into the Bohai Sea, from 三河 to 玉田). Repeated points go too. A ring is
/// never cut below a triangle.
pub(crate) fn without_needles(mut ring: Vec<Point>) -> Vec<Point> {
    let cos_limit = NEEDLE_DEG.to_radians().cos();
    let needle = |a: Point, b: Point, c: Point| {
        let u = [a[0] - b[0], a[1] - b[1]];
        let v = [c[0] - b[0], c[1] - b[1]];
        let (lu, lv) = (u[0].hypot(u[1]), v[0].hypot(v[1]));
        lu < REPEATED_KM || lv < REPEATED_KM || (u[0] * v[0] + u[1] * v[1]) / (lu * lv) > cos_limit
    };
    let closed = ring.len() >= 2 && ring.first() == ring.last();
    if closed {
        ring.pop();
    }
    // A needle of several vertices goes one tip at a time.
    for _ in 0..8 {
        let n = ring.len();
        if n <= 3 {
            break;
        }
        let keep: Vec<bool> = (0..n)
            .map(|i| !needle(ring[(i + n - 1) % n], ring[i], ring[(i + 1) % n]))
            .collect();
        let kept = keep.iter().filter(|&&k| k).count();
        if kept == n || kept < 3 {
            break;
        }
        ring = ring
            .into_iter()
            .zip(keep)
            .filter_map(|(p, k)| k.then_some(p))
            .collect();
    }
    if closed && let Some(&first) = ring.first() {
        ring.push(first);
    }
    ring
}

impl MapGeometry {
    /// Projects and triangulates a dataset's shapes (once per dataset).
    pub fn new(dataset: &Dataset) -> Self {
        let projection = LocalProjection::new(dataset_centre(dataset));
        let plane = Plane(&projection);
        let mut fill = FillMesh::default();
        let mut territories = TiVec::new();
        let townships: TiVec<TownshipId, TownshipShape> = dataset
            .townships
            .iter()
            .map(|t| {
                let (shape, territory) = plane.township(t, &mut fill);
                territories.push(territory);
                shape
            })
            .collect();
        let by_county = dataset.townships_by_county();
        let mut overview = FillMesh::default();
        let counties: TiVec<CountyId, CountyShape> = dataset
            .counties
            .iter_enumerated()
            .map(|(k, c)| {
                let members = &by_county[k];
                let member_bounds = members
                    .iter()
                    .map(|&t| townships[t].bounds)
                    .reduce(Bounds::union);
                match c.boundary.as_ref() {
                    Some(boundary) => plane.county(boundary, member_bounds, &mut overview),
                    None => {
                        let start = overview.positions.len() as u32;
                        for &t in members {
                            overview.add_from(&fill, townships[t].fill.clone());
                        }
                        let bounds = member_bounds.unwrap_or(Bounds {
                            min: [0.0, 0.0],
                            max: [0.0, 0.0],
                        });
                        CountyShape {
                            rings: Vec::new(),
                            bounds,
                            label_at: bounds.centre(),
                            simplified: Vec::new(),
                            overview: start..overview.positions.len() as u32,
                        }
                    }
                }
            })
            .collect();
        let villages = dataset
            .villages
            .iter()
            .map(|v| plane.at(v.centre))
            .collect();
        let bounds = townships
            .iter()
            .map(|t| t.bounds)
            .chain(counties.iter().map(|c| c.bounds))
            .reduce(Bounds::union)
            .unwrap_or(Bounds {
                min: [-1.0, -1.0],
                max: [1.0, 1.0],
            });
        let index = hit_index(&townships);
        let provinces = province_outlines(dataset, &plane);
        Self {
            projection,
            bounds,
            townships,
            counties,
            villages,
            fill,
            overview,
            by_county,
            territories,
            index,
            provinces,
        }
    }

    /// A place in lon/lat on the map plane.
    pub fn project(&self, p: LonLat) -> Point {
        let c = self.projection.to_km(p);
        [c.x as f32, c.y as f32]
    }

    /// The township at a point: inside its territory, or (without one) within `tolerance` km of
    /// its seat.
    pub fn township_at(&self, p: Point, tolerance: f32) -> Option<TownshipId> {
        let probe = AABB::from_corners(
            [p[0] - tolerance, p[1] - tolerance],
            [p[0] + tolerance, p[1] + tolerance],
        );
        let mut nearest: Option<(f32, TownshipId)> = None;
        for hit in self.index.locate_in_envelope_intersecting(&probe) {
            let t = hit.data;
            match &self.territories[t] {
                Some(shape) => {
                    if shape.contains(&geo::Point::new(p[0], p[1])) {
                        return Some(t);
                    }
                }
                None => {
                    let s = self.townships[t].seat;
                    let d = ((s[0] - p[0]).powi(2) + (s[1] - p[1]).powi(2)).sqrt();
                    if d <= tolerance && nearest.is_none_or(|(best, _)| d < best) {
                        nearest = Some((d, t));
                    }
                }
            }
        }
        nearest.map(|(_, t)| t)
    }

    /// The townships whose territory or seat lies in `area`.
    pub fn townships_in(&self, area: Bounds) -> impl Iterator<Item = TownshipId> + '_ {
        self.index
            .locate_in_envelope_intersecting(&AABB::from_corners(area.min, area.max))
            .map(|hit| hit.data)
    }

    /// The village nearest `p` within `tolerance` km.
    pub fn village_at(&self, p: Point, tolerance: f32) -> Option<VillageId> {
        self.villages
            .iter_enumerated()
            .map(|(v, q)| (v, (q[0] - p[0]).powi(2) + (q[1] - p[1]).powi(2)))
            .filter(|&(_, d2)| d2 <= tolerance * tolerance)
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(v, _)| v)
    }
}

/// The middle of a dataset's seats (the map's origin).
fn dataset_centre(dataset: &Dataset) -> LonLat {
    let seats: Vec<LonLat> = dataset
        .townships
        .iter()
        .map(|t| t.seat)
        .filter(|p| p.lon.is_finite() && p.lat.is_finite())
        .collect();
    if seats.is_empty() {
        return LonLat::new(104.0, 30.0);
    }
    let (lon, lat) = seats
        .iter()
        .fold((0.0, 0.0), |(x, y), p| (x + p.lon, y + p.lat));
    LonLat::new(lon / seats.len() as f64, lat / seats.len() as f64)
}

/// Whether a point lies inside a closed ring (even-odd rule).
pub fn in_ring(p: Point, ring: &[Point]) -> bool {
    let mut inside = false;
    let mut j = ring.len().wrapping_sub(1);
    for i in 0..ring.len() {
        let (a, b) = (ring[i], ring[j]);
        if (a[1] > p[1]) != (b[1] > p[1])
            && p[0] < (b[0] - a[0]) * (p[1] - a[1]) / (b[1] - a[1]) + a[0]
        {
            inside = !inside;
        }
        j = i;
    }
    inside
}

#[cfg(test)]
mod needle_tests {
    use super::without_needles;

    #[test]
    fn a_needle_is_cut_from_an_outline_and_a_square_is_kept() {
        let square = vec![
            [0.0, 0.0],
            [10.0, 0.0],
            [10.0, 10.0],
            [0.0, 10.0],
            [0.0, 0.0],
        ];
        assert_eq!(without_needles(square.clone()), square);
        // A needle out of the top edge: up to (5, 300) and straight back down.
        let needled = vec![
            [0.0, 0.0],
            [10.0, 0.0],
            [10.0, 10.0],
            [5.0, 10.0],
            [5.0, 300.0],
            [4.9, 10.0],
            [0.0, 10.0],
            [0.0, 0.0],
        ];
        let cut = without_needles(needled);
        assert!(cut.iter().all(|p| p[1] <= 10.0), "{cut:?}");
        assert_eq!(cut.first(), cut.last());
        // A triangle however thin stays a triangle.
        let thin = vec![[0.0, 0.0], [100.0, 0.0], [0.0, 0.1], [0.0, 0.0]];
        assert_eq!(without_needles(thin.clone()).len(), 4);
    }
}

#[cfg(test)]
mod dissolve_tests {
    use geo::{Area, LineString, Polygon};

    use super::dissolve;

    fn polygon(points: &[(f32, f32)]) -> Polygon<f32> {
        Polygon::new(LineString::from(points.to_vec()), vec![])
    }

    #[test]
    fn neighbours_whose_outlines_miss_each_other_dissolve_into_one_territory() {
        // Two 10 km squares side by side. The right one's shared edge has a vertex of its own
        // and stops 50 m short of the left one: a sliver gap, as between modelled counties.
        let left = polygon(&[
            (0.0, 0.0),
            (10.0, 0.0),
            (10.0, 10.0),
            (0.0, 10.0),
            (0.0, 0.0),
        ]);
        let right = polygon(&[
            (10.05, 0.0),
            (20.0, 0.0),
            (20.0, 10.0),
            (10.05, 10.0),
            (10.03, 5.0),
            (10.05, 0.0),
        ]);
        let dissolved = dissolve(&[left, right]);
        assert_eq!(dissolved.0.len(), 1, "{dissolved:?}");
        assert!(dissolved.0[0].interiors().is_empty());
        // The gap closed, the corners kept (the buffer's bevel cuts a corner by a few m²).
        let area = dissolved.unsigned_area();
        assert!((area - 200.0).abs() < 0.5, "{area}");
    }

    #[test]
    fn a_real_hole_and_a_distant_island_are_kept_and_a_speck_is_not() {
        let ring = polygon(&[
            (0.0, 0.0),
            (30.0, 0.0),
            (30.0, 30.0),
            (0.0, 30.0),
            (0.0, 0.0),
        ]);
        let with_hole = Polygon::new(
            ring.exterior().clone(),
            vec![LineString::from(vec![
                (10.0, 10.0),
                (20.0, 10.0),
                (20.0, 20.0),
                (10.0, 20.0),
                (10.0, 10.0),
            ])],
        );
        let island = polygon(&[
            (50.0, 0.0),
            (55.0, 0.0),
            (55.0, 5.0),
            (50.0, 5.0),
            (50.0, 0.0),
        ]);
        let speck = polygon(&[
            (80.0, 0.0),
            (80.5, 0.0),
            (80.5, 0.5),
            (80.0, 0.5),
            (80.0, 0.0),
        ]);
        let dissolved = dissolve(&[with_hole, island, speck]);
        assert_eq!(dissolved.0.len(), 2, "{dissolved:?}");
        assert_eq!(
            dissolved
                .0
                .iter()
                .map(|p| p.interiors().len())
                .sum::<usize>(),
            1
        );
        let area = dissolved.unsigned_area();
        assert!((area - (900.0 - 100.0 + 25.0)).abs() < 1.0, "{area}");
    }
}
