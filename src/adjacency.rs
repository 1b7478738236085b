//! Which units are neighbours, so merged groups can be kept contiguous.
//!
//! Townships are neighbours when their boundaries share an edge: at least two vertices of one
//! lie within a tolerance of the other's boundary. The tolerance absorbs the slivers and gaps
//! of real data (digitised boundaries rarely coincide exactly); a single shared corner is not
//! enough. Where a county's townships lack boundaries, neighbours come from a Delaunay
//! triangulation of their seats instead. Villages likewise, inside their township. Where the
//! data declare a level's neighbours (`adjacency.csv`), those pairs are the level's adjacency.
//!
//! Adjacency is symmetric and never crosses a county (townships) or a township (villages).

use std::collections::HashMap;
use std::marker::PhantomData;

use geo::{CoordsIter, Line, MultiPolygon};
use rayon::prelude::*;
use rstar::RTree;
use rstar::primitives::GeomWithData;
use spade::{DelaunayTriangulation, Point2, Triangulation};

use crate::geodesy::LocalProjection;
use crate::model::{Dataset, Level, LonLat, TownshipId, VillageId};

/// Default contact tolerance, degrees (about 30 m).
pub const DEFAULT_TOLERANCE_DEG: f64 = 0.0003;

/// How a group's adjacency was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Shared boundary edges.
    Boundaries,
    /// Delaunay triangulation of seats or centres.
    Delaunay,
    /// Pairs given in the data's neighbour table.
    Declared,
}

/// A symmetric neighbour list per unit of level `L` ([`TownshipId`] or [`VillageId`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Adjacency<L> {
    neighbours: Vec<Vec<u32>>,
    level: PhantomData<fn() -> L>,
}

impl<L> Default for Adjacency<L> {
    fn default() -> Self {
        Self {
            neighbours: Vec::new(),
            level: PhantomData,
        }
    }
}

impl<L: Level> Adjacency<L> {
    /// Builds a symmetric adjacency over `n` units from undirected pairs.
    pub fn from_pairs(n: usize, pairs: impl IntoIterator<Item = (L, L)>) -> Self {
        let mut neighbours = vec![Vec::new(); n];
        for (a, b) in pairs {
            let (a, b): (usize, usize) = (a.into(), b.into());
            if a != b {
                neighbours[a].push(b as u32);
                neighbours[b].push(a as u32);
            }
        }
        for list in &mut neighbours {
            list.sort_unstable();
            list.dedup();
        }
        Self {
            neighbours,
            level: PhantomData,
        }
    }

    /// The neighbours of `unit`, in order.
    pub fn neighbours(&self, unit: L) -> impl ExactSizeIterator<Item = L> + '_ {
        self.neighbours[unit.into()]
            .iter()
            .map(|&n| L::from(n as usize))
    }

    /// The neighbours of the unit at `index`, as plain sorted indices: for code that works
    /// on either level alike (the merge engine).
    pub fn neighbour_indices(&self, index: usize) -> &[u32] {
        &self.neighbours[index]
    }

    pub fn len(&self) -> usize {
        self.neighbours.len()
    }

    pub fn is_empty(&self) -> bool {
        self.neighbours.is_empty()
    }

    /// Whether `a` and `b` are neighbours.
    pub fn are_neighbours(&self, a: L, b: L) -> bool {
        let b: usize = b.into();
        self.neighbours[a.into()].binary_search(&(b as u32)).is_ok()
    }

    /// Number of undirected neighbour pairs.
    pub fn pair_count(&self) -> usize {
        self.neighbours.iter().map(Vec::len).sum::<usize>() / 2
    }
}

/// A group of units that may be neighbours of each other (a county's townships, a township's
/// villages), with their points and optional boundaries.
struct Group<'a, L> {
    members: Vec<L>,
    points: Vec<LonLat>,
    shapes: Vec<Option<&'a MultiPolygon<f64>>>,
}

/// Township adjacency, within counties.
pub fn township_adjacency(
    dataset: &Dataset,
    tolerance_deg: f64,
) -> (Adjacency<TownshipId>, Vec<Method>) {
    let declared = &dataset.neighbours.townships;
    if !declared.is_empty() {
        let adjacency = Adjacency::from_pairs(dataset.townships.len(), declared.iter().copied());
        return (adjacency, vec![Method::Declared; dataset.counties.len()]);
    }
    let groups: Vec<Group<TownshipId>> = dataset
        .townships_by_county()
        .into_iter()
        .map(|members| Group {
            points: members.iter().map(|&i| dataset.townships[i].seat).collect(),
            shapes: members
                .iter()
                .map(|&i| dataset.townships[i].boundary.as_ref())
                .collect(),
            members,
        })
        .collect();
    build(dataset.townships.len(), &groups, tolerance_deg)
}

/// Village adjacency, within townships.
pub fn village_adjacency(
    dataset: &Dataset,
    tolerance_deg: f64,
) -> (Adjacency<VillageId>, Vec<Method>) {
    let declared = &dataset.neighbours.villages;
    if !declared.is_empty() {
        let within = |&(a, b): &(VillageId, VillageId)| {
            dataset.villages[a].township == dataset.villages[b].township
        };
        let pairs = declared.iter().filter(|p| within(p)).copied();
        let adjacency = Adjacency::from_pairs(dataset.villages.len(), pairs);
        return (adjacency, vec![Method::Declared; dataset.townships.len()]);
    }
    let groups: Vec<Group<VillageId>> = dataset
        .villages_by_township()
        .into_iter()
        .map(|members| village_group(dataset, members))
        .collect();
    build(dataset.villages.len(), &groups, tolerance_deg)
}

/// Village adjacency within counties (not townships), for merging the villages of merged
/// townships across the former township line.
pub fn village_adjacency_within_counties(dataset: &Dataset) -> Adjacency<VillageId> {
    let declared = &dataset.neighbours.villages;
    if !declared.is_empty() {
        return Adjacency::from_pairs(dataset.villages.len(), declared.iter().copied());
    }
    let mut members_of: Vec<Vec<VillageId>> = vec![Vec::new(); dataset.counties.len()];
    for i in dataset.villages.keys() {
        members_of[dataset.county_of_village(i).index()].push(i);
    }
    let groups: Vec<Group<VillageId>> = members_of
        .into_iter()
        .map(|members| village_group(dataset, members))
        .collect();
    build(dataset.villages.len(), &groups, DEFAULT_TOLERANCE_DEG).0
}

/// A group of villages with their centres and boundaries.
fn village_group(dataset: &Dataset, members: Vec<VillageId>) -> Group<'_, VillageId> {
    Group {
        points: members
            .iter()
            .map(|&i| dataset.villages[i].centre)
            .collect(),
        shapes: members
            .iter()
            .map(|&i| dataset.villages[i].boundary.as_ref())
            .collect(),
        members,
    }
}

fn build<L: Level>(
    n: usize,
    groups: &[Group<L>],
    tolerance_deg: f64,
) -> (Adjacency<L>, Vec<Method>) {
    let per_group: Vec<(Vec<(L, L)>, Method)> = groups
        .par_iter()
        .map(|g| {
            let local = if g.members.len() >= 2 && g.shapes.iter().all(Option::is_some) {
                let shapes: Vec<&MultiPolygon<f64>> = g.shapes.iter().flatten().copied().collect();
                (touching_pairs(&shapes, tolerance_deg), Method::Boundaries)
            } else {
                (delaunay_pairs(&g.points), Method::Delaunay)
            };
            let pairs = local
                .0
                .into_iter()
                .map(|(a, b)| (g.members[a], g.members[b]))
                .collect();
            (pairs, local.1)
        })
        .collect();
    let methods = per_group.iter().map(|(_, m)| *m).collect();
    let adjacency = Adjacency::from_pairs(n, per_group.into_iter().flat_map(|(p, _)| p));
    (adjacency, methods)
}

/// Pairs of shapes that share an edge within `tolerance` (degrees).
pub fn touching_pairs(shapes: &[&MultiPolygon<f64>], tolerance: f64) -> Vec<(usize, usize)> {
    let segments: Vec<GeomWithData<Line<f64>, usize>> = shapes
        .iter()
        .enumerate()
        .flat_map(|(i, shape)| {
            shape
                .0
                .iter()
                .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
                .flat_map(|ring| ring.lines())
                .map(move |line| GeomWithData::new(line, i))
        })
        .collect();
    let tree = RTree::bulk_load(segments);
    // Vertices of `i` near `j`'s boundary, by ordered pair: a shared edge puts at least two
    // vertices of one shape on the other, a shared corner only one of each.
    let mut hits: HashMap<(usize, usize), usize> = HashMap::new();
    for (i, shape) in shapes.iter().enumerate() {
        // A ring repeats its first vertex at the end; count each vertex once.
        let mut seen_per_neighbour: HashMap<usize, usize> = HashMap::new();
        for polygon in &shape.0 {
            for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
                let vertices = ring.0.len().saturating_sub(1);
                for c in ring.coords_iter().take(vertices) {
                    let mut near: Vec<usize> = tree
                        .locate_within_distance([c.x, c.y].into(), tolerance * tolerance)
                        .map(|s| s.data)
                        .filter(|&j| j != i)
                        .collect();
                    near.sort_unstable();
                    near.dedup();
                    for j in near {
                        *seen_per_neighbour.entry(j).or_default() += 1;
                    }
                }
            }
        }
        for (j, count) in seen_per_neighbour {
            hits.insert((i, j), count);
        }
    }
    let mut pairs: Vec<(usize, usize)> = hits
        .into_iter()
        .filter(|&(_, count)| count >= 2)
        .map(|((i, j), _)| (i.min(j), i.max(j)))
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    pairs
}

/// Pairs joined by an edge of the Delaunay triangulation of the points; points at the same
/// place are neighbours of each other and share their neighbours.
pub fn delaunay_pairs(points: &[LonLat]) -> Vec<(usize, usize)> {
    if points.len() < 2 {
        return Vec::new();
    }
    let origin = points[0];
    let proj = LocalProjection::new(origin);
    let mut triangulation: DelaunayTriangulation<Point2<f64>> = DelaunayTriangulation::new();
    let mut at_vertex: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, p) in points.iter().enumerate() {
        let c = proj.to_km(*p);
        if let Ok(handle) = triangulation.insert(Point2::new(c.x, c.y)) {
            at_vertex.entry(handle.index()).or_default().push(i);
        }
    }
    let mut pairs = Vec::new();
    for members in at_vertex.values() {
        for (k, &a) in members.iter().enumerate() {
            for &b in &members[k + 1..] {
                pairs.push((a.min(b), a.max(b)));
            }
        }
    }
    for edge in triangulation.undirected_edges() {
        let [from, to] = edge.vertices();
        if let (Some(xs), Some(ys)) = (at_vertex.get(&from.index()), at_vertex.get(&to.index())) {
            for &a in xs {
                for &b in ys {
                    pairs.push((a.min(b), a.max(b)));
                }
            }
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Polygon, polygon};

    fn square(x: f64, y: f64, size: f64) -> MultiPolygon<f64> {
        let p: Polygon<f64> = polygon![
            (x: x, y: y), (x: x + size, y: y), (x: x + size, y: y + size), (x: x, y: y + size), (x: x, y: y)
        ];
        MultiPolygon::new(vec![p])
    }

    #[test]
    fn squares_sharing_an_edge_touch_but_corners_do_not() {
        // a | b on one row, c diagonally below b's right corner.
        let a = square(0.0, 0.0, 1.0);
        let b = square(1.0, 0.0, 1.0);
        let c = square(2.0, -1.0, 1.0);
        let pairs = touching_pairs(&[&a, &b, &c], 1e-6);
        assert_eq!(pairs, vec![(0, 1)]);
    }

    #[test]
    fn a_small_gap_within_tolerance_still_touches() {
        let a = square(0.0, 0.0, 1.0);
        let b = square(1.0002, 0.0, 1.0);
        assert_eq!(touching_pairs(&[&a, &b], 0.0003), vec![(0, 1)]);
        assert!(touching_pairs(&[&a, &b], 0.0001).is_empty());
    }

    #[test]
    fn delaunay_handles_two_collinear_and_duplicate_points() {
        let p = |lon, lat| LonLat::new(lon, lat);
        assert_eq!(delaunay_pairs(&[p(104.0, 30.0)]), vec![]);
        assert_eq!(
            delaunay_pairs(&[p(104.0, 30.0), p(104.1, 30.0)]),
            vec![(0, 1)]
        );
        let line = [p(104.0, 30.0), p(104.1, 30.0), p(104.2, 30.0)];
        assert_eq!(delaunay_pairs(&line), vec![(0, 1), (1, 2)]);
        let dup = [p(104.0, 30.0), p(104.0, 30.0), p(104.1, 30.0)];
        assert_eq!(delaunay_pairs(&dup), vec![(0, 1), (0, 2), (1, 2)]);
    }

    #[test]
    fn from_pairs_is_symmetric_and_sorted() {
        let t = TownshipId::from;
        let adj =
            Adjacency::from_pairs(3, [(t(0), t(2)), (t(2), t(1)), (t(0), t(2)), (t(1), t(1))]);
        let of = |i| adj.neighbours(t(i)).collect::<Vec<_>>();
        assert_eq!(of(0), [t(2)]);
        assert_eq!(of(1), [t(2)]);
        assert_eq!(of(2), [t(0), t(1)]);
        assert!(adj.are_neighbours(t(2), t(0)));
        assert!(!adj.are_neighbours(t(0), t(1)));
        assert_eq!(adj.pair_count(), 2);
    }
}
