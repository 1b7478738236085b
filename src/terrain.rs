//! Terrain class of a township: given in the data, or derived from the DEM at its seat.
//!
//! The classes follow the usual Chinese planning terms (平原/丘陵/山区/高原) with thresholds on
//! elevation and local relief (the range of the 3 x 3 DEM cells around the seat, about 60 km
//! across at 0.2°):
//!
//! | class | rule |
//! |---|---|
//! | plateau 高原 | elevation ≥ 2,800 m |
//! | mountain 山区 | elevation ≥ 1,000 m, or relief ≥ 1,200 m |
//! | hill 丘陵 | relief ≥ 250 m, or elevation ≥ 600 m |
//! | plain 平原 | the rest |

use crate::dem::Dem;
use typed_index_collections::TiVec;

use crate::model::{Dataset, Terrain, TownshipId};

/// Classifies a point from its elevation and relief in metres.
pub fn classify(elevation: f64, relief: f64) -> Terrain {
    if elevation >= 2800.0 {
        Terrain::Plateau
    } else if elevation >= 1000.0 || relief >= 1200.0 {
        Terrain::Mountain
    } else if relief >= 250.0 || elevation >= 600.0 {
        Terrain::Hill
    } else {
        Terrain::Plain
    }
}

/// The terrain class of every township: the data's own where given, else from the DEM, else
/// `None` (base rules apply).
pub fn township_terrain(dataset: &Dataset) -> TiVec<TownshipId, Option<Terrain>> {
    dataset
        .townships
        .iter()
        .map(|t| {
            t.terrain
                .or_else(|| dem_class(dataset.dem.as_ref()?, t.seat))
        })
        .collect()
}

fn dem_class(dem: &Dem, p: crate::model::LonLat) -> Option<Terrain> {
    // A seat without a place has no elevation (NaN would index the grid's first cell).
    if !(p.lon.is_finite() && p.lat.is_finite()) {
        return None;
    }
    Some(classify(dem.elevation(p)?, dem.relief(p).unwrap_or(0.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_follow_elevation_and_relief() {
        assert_eq!(classify(500.0, 100.0), Terrain::Plain);
        assert_eq!(classify(450.0, 400.0), Terrain::Hill);
        assert_eq!(classify(700.0, 100.0), Terrain::Hill);
        assert_eq!(classify(1500.0, 300.0), Terrain::Mountain);
        assert_eq!(classify(800.0, 1500.0), Terrain::Mountain);
        assert_eq!(classify(3500.0, 300.0), Terrain::Plateau);
    }
}
