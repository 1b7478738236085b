//! Voronoi cells by half-plane clipping, one cell per site in input order.
//!
//! `geo`'s `Voronoi` drops the 1:1 mapping between sites and cells when a clipped cell splits,
//! and rejects one or two sites or collinear sites, all of which occur among a county's
//! township seats; clipping a box by the bisectors to every other site handles them all.

use geo::{Coord, LineString, Polygon};

/// The Voronoi cell of `sites[i]` inside the box `[min, max]`, as a convex polygon.
pub fn cell(sites: &[Coord<f64>], i: usize, min: Coord<f64>, max: Coord<f64>) -> Polygon<f64> {
    let mut ring = vec![
        min,
        Coord { x: max.x, y: min.y },
        max,
        Coord { x: min.x, y: max.y },
    ];
    let p = sites[i];
    for (j, &q) in sites.iter().enumerate() {
        if j == i || (q.x == p.x && q.y == p.y) {
            continue;
        }
        // Keep the side of the bisector nearer p: n·x <= c with n = q - p, c = n·(p+q)/2.
        let n = Coord {
            x: q.x - p.x,
            y: q.y - p.y,
        };
        let c = n.x * (p.x + q.x) / 2.0 + n.y * (p.y + q.y) / 2.0;
        ring = clip_half_plane(&ring, n, c);
        if ring.is_empty() {
            break;
        }
    }
    Polygon::new(LineString::from(ring), vec![])
}

/// Sutherland–Hodgman clipping of a convex ring by the half-plane `n·x <= c`.
fn clip_half_plane(ring: &[Coord<f64>], n: Coord<f64>, c: f64) -> Vec<Coord<f64>> {
    let side = |v: Coord<f64>| n.x * v.x + n.y * v.y - c;
    let mut out = Vec::with_capacity(ring.len() + 1);
    for k in 0..ring.len() {
        let a = ring[k];
        let b = ring[(k + 1) % ring.len()];
        let (sa, sb) = (side(a), side(b));
        if sa <= 0.0 {
            out.push(a);
        }
        if (sa < 0.0 && sb > 0.0) || (sa > 0.0 && sb < 0.0) {
            let t = sa / (sa - sb);
            out.push(Coord {
                x: a.x + t * (b.x - a.x),
                y: a.y + t * (b.y - a.y),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Area, Contains};

    fn c(x: f64, y: f64) -> Coord<f64> {
        Coord { x, y }
    }

    #[test]
    fn two_sites_split_the_box_at_the_bisector() {
        let sites = [c(1.0, 1.0), c(3.0, 1.0)];
        let left = cell(&sites, 0, c(0.0, 0.0), c(4.0, 2.0));
        let right = cell(&sites, 1, c(0.0, 0.0), c(4.0, 2.0));
        assert!((left.unsigned_area() - 4.0).abs() < 1e-12);
        assert!((right.unsigned_area() - 4.0).abs() < 1e-12);
    }

    #[test]
    fn cells_tile_the_box_and_contain_their_sites() {
        let sites = [
            c(1.0, 1.0),
            c(5.0, 2.0),
            c(2.0, 7.0),
            c(8.0, 8.0),
            c(6.0, 5.0),
        ];
        let (min, max) = (c(0.0, 0.0), c(10.0, 10.0));
        let total: f64 = (0..sites.len())
            .map(|i| {
                let cell = cell(&sites, i, min, max);
                assert!(cell.contains(&geo::Point::from(sites[i])));
                cell.unsigned_area()
            })
            .sum();
        assert!((total - 100.0).abs() < 1e-9, "{total}");
    }

    #[test]
    fn one_site_and_collinear_sites_work() {
        let one = cell(&[c(1.0, 1.0)], 0, c(0.0, 0.0), c(2.0, 2.0));
        assert!((one.unsigned_area() - 4.0).abs() < 1e-12);
        let line = [c(1.0, 1.0), c(2.0, 1.0), c(3.0, 1.0)];
        let middle = cell(&line, 1, c(0.0, 0.0), c(4.0, 2.0));
        assert!((middle.unsigned_area() - 2.0).abs() < 1e-12);
    }
}
