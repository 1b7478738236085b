//! Shapes as files hold them: coordinates on a grid, valid by the rules GIS software checks,
//! and written one way only, so a file made twice from the same data is the same byte for byte.

use geo::{MultiPolygon, Polygon};

/// A shape with its coordinates on a grid of `grid` steps per unit, and valid by the OGC
/// rules GIS software checks (GEOS, QGIS): no ring that crosses or touches itself, parts that
/// neither overlap nor share an edge. A dissolve can leave a ring that pinches at a point, and
/// rounding to the grid can make two edges cross; such shapes are remade (`MakeValid`, which
/// keeps their area) and put on the grid again.
pub fn valid_on(shape: MultiPolygon<f64>, grid: f64) -> MultiPolygon<f64> {
    use geo::{MakeValid, Validation};
    let snapped = snap(&shape, grid);
    if snapped.is_valid() {
        return canonical(snapped);
    }
    let Ok(remade) = snapped.make_valid() else {
        return canonical(snapped);
    };
    let again = snap(&remade, grid);
    canonical(if again.is_valid() { again } else { remade })
}

/// The same shape written one way only: each ring starting at its least point (by longitude,
/// then latitude), holes and parts in the order of their least points. A dissolve may start a
/// ring anywhere; files written from it stay byte for byte the same from run to run.
pub fn canonical(shape: MultiPolygon<f64>) -> MultiPolygon<f64> {
    use geo::{Coord, LineString};
    let least = |r: &LineString<f64>| -> Coord<f64> {
        r.0.iter()
            .copied()
            .min_by(|a, b| a.x.total_cmp(&b.x).then(a.y.total_cmp(&b.y)))
            .unwrap_or(Coord { x: 0.0, y: 0.0 })
    };
    let by_least = |a: &Coord<f64>, b: &Coord<f64>| a.x.total_cmp(&b.x).then(a.y.total_cmp(&b.y));
    let ring = |r: &LineString<f64>| -> LineString<f64> {
        // A closed ring: its last point repeats its first.
        let open = &r.0[..r.0.len().saturating_sub(1)];
        let Some(start) = (0..open.len()).min_by(|&i, &j| by_least(&open[i], &open[j])) else {
            return r.clone();
        };
        let mut points: Vec<Coord<f64>> = open[start..]
            .iter()
            .chain(&open[..start])
            .copied()
            .collect();
        points.push(points[0]);
        LineString::new(points)
    };
    let mut parts: Vec<Polygon<f64>> = shape
        .0
        .iter()
        .map(|p| {
            let mut holes: Vec<LineString<f64>> = p.interiors().iter().map(ring).collect();
            holes.sort_by(|a, b| by_least(&least(a), &least(b)));
            Polygon::new(ring(p.exterior()), holes)
        })
        .collect();
    parts.sort_by(|a, b| by_least(&least(a.exterior()), &least(b.exterior())));
    MultiPolygon::new(parts)
}

/// Coordinates on the grid, repeated points dropped, and rings left without area (fewer than
/// four points) dropped.
fn snap(shape: &MultiPolygon<f64>, grid: f64) -> MultiPolygon<f64> {
    use geo::{Coord, LineString};
    let ring = |r: &LineString<f64>| -> Option<LineString<f64>> {
        let mut points: Vec<Coord<f64>> = Vec::with_capacity(r.0.len());
        for c in &r.0 {
            let c = Coord {
                x: (c.x * grid).round() / grid,
                y: (c.y * grid).round() / grid,
            };
            if points.last() != Some(&c) {
                points.push(c);
            }
        }
        (points.len() >= 4).then(|| LineString::new(points))
    };
    MultiPolygon::new(
        shape
            .0
            .iter()
            .filter_map(|p| {
                let exterior = ring(p.exterior())?;
                Some(Polygon::new(
                    exterior,
                    p.interiors().iter().filter_map(ring).collect(),
                ))
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Validation, polygon};

    #[test]
    fn a_ring_started_anywhere_is_written_the_same_way() {
        let a = polygon![(x: 1.0, y: 0.0), (x: 2.0, y: 1.0), (x: 1.0, y: 2.0), (x: 0.0, y: 1.0)];
        let b = polygon![(x: 1.0, y: 2.0), (x: 0.0, y: 1.0), (x: 1.0, y: 0.0), (x: 2.0, y: 1.0)];
        let far = polygon![(x: 5.0, y: 5.0), (x: 6.0, y: 5.0), (x: 6.0, y: 6.0)];
        let one = canonical(MultiPolygon::new(vec![a, far.clone()]));
        let other = canonical(MultiPolygon::new(vec![far, b]));
        assert_eq!(one, other);
        assert_eq!(one.0[0].exterior().0[0], geo::coord! { x: 0.0, y: 1.0 });
        assert!(one.is_valid());
    }

    #[test]
    fn a_shape_goes_on_the_grid_and_stays_valid() {
        let shape = MultiPolygon::new(vec![polygon![
            (x: 0.123_456_789, y: 0.0),
            (x: 1.0, y: 0.0),
            (x: 1.0, y: 1.000_000_04),
            (x: 0.0, y: 1.0),
        ]]);
        let on = valid_on(shape, 1e7);
        assert!(on.is_valid());
        for c in on.0[0].exterior().0.iter() {
            assert_eq!((c.x * 1e7).round() / 1e7, c.x);
            assert_eq!((c.y * 1e7).round() / 1e7, c.y);
        }
        assert!(
            on.0[0]
                .exterior()
                .0
                .contains(&geo::coord! { x: 0.123_456_8, y: 0.0 })
        );
    }
}
