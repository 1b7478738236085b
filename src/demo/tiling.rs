//! County outlines made to tile before townships are modelled inside them. Real outlines
//! overlap: digitised neighbours disagree by slivers along their common border, and a
//! development zone is drawn on top of its host district (or, without an outline of its own,
//! modelled as a disk inside its city). Territories modelled inside overlapping outlines would
//! overlap too. Each overlap goes to the smaller county: an outline loses what the outlines of
//! smaller counties cover, so the outlines, and the territories inside them, tile without
//! overlap.

use geo::{Area, BooleanOps, BoundingRect, Intersects, MultiPolygon, Polygon};
use rayon::prelude::*;
use rstar::RTree;
use rstar::primitives::{GeomWithData, Rectangle};

use super::generate::SourceCounty;

/// Parts smaller than this (deg², about 100 m²) are left out of a carved outline: the
/// crumbs a boolean operation leaves along a border.
const CRUMB_DEG2: f64 = 1e-8;

/// Carves the counties' outlines so that no two overlap: each loses what smaller counties'
/// outlines (by area, then code) cover. An outline that would be left with nothing (every
/// bit of it inside smaller counties) is kept whole.
pub(super) fn tile(counties: &mut [SourceCounty]) {
    let areas: Vec<f64> = counties.iter().map(|c| c.shape.unsigned_area()).collect();
    let mut order: Vec<usize> = (0..counties.len()).collect();
    order.sort_by(|&a, &b| {
        areas[a]
            .total_cmp(&areas[b])
            .then_with(|| counties[a].code.cmp(&counties[b].code))
    });
    let mut rank = vec![0; counties.len()];
    for (r, &i) in order.iter().enumerate() {
        rank[i] = r;
    }
    let boxes = RTree::bulk_load(
        counties
            .iter()
            .enumerate()
            .filter_map(|(i, c)| {
                let r = c.shape.bounding_rect()?;
                let corners = ([r.min().x, r.min().y], [r.max().x, r.max().y]);
                Some(GeomWithData::new(
                    Rectangle::from_corners(corners.0, corners.1),
                    i,
                ))
            })
            .collect(),
    );
    let carved: Vec<Option<MultiPolygon<f64>>> = counties
        .par_iter()
        .enumerate()
        .map(|(i, county)| {
            let r = county.shape.bounding_rect()?;
            let envelope =
                rstar::AABB::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]);
            let smaller: Vec<Polygon<f64>> = boxes
                .locate_in_envelope_intersecting(&envelope)
                .map(|b| b.data)
                .filter(|&j| rank[j] < rank[i] && counties[j].shape.intersects(&county.shape))
                .flat_map(|j| counties[j].shape.0.iter().cloned())
                .collect();
            if smaller.is_empty() {
                return None;
            }
            let rest = county.shape.difference(&geo::unary_union(&smaller));
            let rest = MultiPolygon::new(
                rest.0
                    .into_iter()
                    .filter(|p| p.unsigned_area() >= CRUMB_DEG2)
                    .collect(),
            );
            (!rest.0.is_empty()).then_some(rest)
        })
        .collect();
    for (county, shape) in counties.iter_mut().zip(carved) {
        if let Some(shape) = shape {
            county.shape = shape;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    fn county(code: &str, x: f64, size: f64) -> SourceCounty {
        SourceCounty {
            code: code.into(),
            name: code.into(),
            city_code: String::new(),
            city_name: String::new(),
            region: String::new(),
            shape: MultiPolygon::new(vec![polygon![
                (x: x, y: 0.0),
                (x: x + size, y: 0.0),
                (x: x + size, y: size),
                (x: x, y: size),
            ]]),
        }
    }

    #[test]
    fn an_overlap_goes_to_the_smaller_county_and_a_zone_is_cut_out_of_its_host() {
        // A 2×2 host, a neighbour overlapping it by a 0.1-wide strip, a 0.5×0.5 zone inside.
        let mut counties = vec![
            county("host", 0.0, 2.0),
            county("neighbour", 1.9, 1.0),
            county("zone", 0.5, 0.5),
        ];
        tile(&mut counties);
        let area = |i: usize| counties[i].shape.unsigned_area();
        assert!((area(0) - (4.0 - 0.1 - 0.25)).abs() < 1e-6, "{}", area(0));
        assert!((area(1) - 1.0).abs() < 1e-6);
        assert!((area(2) - 0.25).abs() < 1e-6);
        for a in 0..3 {
            for b in a + 1..3 {
                let both = counties[a].shape.intersection(&counties[b].shape);
                assert!(both.unsigned_area() < 1e-8, "{a} and {b} overlap");
            }
        }
    }
}
