//! Distances on the Earth and a local flat projection for planar geometry.

use geo::{Distance, Haversine};

use crate::model::LonLat;

/// Great-circle distance in kilometres (haversine, mean Earth radius).
pub fn distance_km(a: LonLat, b: LonLat) -> f64 {
    Haversine.distance(geo::Point::from(a), geo::Point::from(b)) / 1000.0
}

/// Mean Earth radius in km, as `geo`'s haversine uses.
pub const EARTH_RADIUS_KM: f64 = 6371.0088;

/// A point as a unit vector: distances between precomputed points cost a square root and an
/// arcsine instead of the haversine's trigonometry, for the engine's inner loops. The result
/// is the same great-circle distance as [`distance_km`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpherePoint([f64; 3]);

impl SpherePoint {
    pub fn new(p: LonLat) -> Self {
        let (lon, lat) = (p.lon.to_radians(), p.lat.to_radians());
        Self([lat.cos() * lon.cos(), lat.cos() * lon.sin(), lat.sin()])
    }

    /// Great-circle distance in km.
    pub fn distance_km(&self, other: &SpherePoint) -> f64 {
        chord_km(self.chord(other))
    }

    /// The straight-line distance through the unit sphere: it grows with the great-circle
    /// distance, so the farthest of several points is found without an arcsine each.
    pub fn chord(&self, other: &SpherePoint) -> f64 {
        let d = [
            self.0[0] - other.0[0],
            self.0[1] - other.0[1],
            self.0[2] - other.0[2],
        ];
        (d[0] * d[0] + d[1] * d[1] + d[2] * d[2]).sqrt()
    }
}

/// The great-circle distance in km of a [`SpherePoint::chord`].
pub fn chord_km(chord: f64) -> f64 {
    2.0 * EARTH_RADIUS_KM * (chord / 2.0).min(1.0).asin()
}

impl SpherePoint {}

/// An equirectangular projection around a reference latitude, in kilometres: accurate to a
/// fraction of a percent across a county, which is all planar steps (Voronoi cells, sampling)
/// need.
#[derive(Debug, Clone, Copy)]
pub struct LocalProjection {
    origin: LonLat,
    km_per_lon: f64,
}

/// Kilometres per degree of latitude.
const KM_PER_LAT: f64 = 110.574;

impl LocalProjection {
    pub fn new(origin: LonLat) -> Self {
        Self {
            origin,
            km_per_lon: 111.320 * origin.lat.to_radians().cos(),
        }
    }

    pub fn to_km(&self, p: LonLat) -> geo::Coord<f64> {
        geo::coord! {
            x: (p.lon - self.origin.lon) * self.km_per_lon,
            y: (p.lat - self.origin.lat) * KM_PER_LAT,
        }
    }

    pub fn to_lonlat(&self, c: geo::Coord<f64>) -> LonLat {
        LonLat::new(
            self.origin.lon + c.x / self.km_per_lon,
            self.origin.lat + c.y / KM_PER_LAT,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_degree_of_latitude_is_about_111_km() {
        let d = distance_km(LonLat::new(104.0, 30.0), LonLat::new(104.0, 31.0));
        assert!((d - 111.2).abs() < 0.2, "{d}");
    }

    #[test]
    fn sphere_points_agree_with_haversine() {
        let pairs = [
            (LonLat::new(104.0, 30.0), LonLat::new(104.0, 31.0)),
            (LonLat::new(97.3, 33.1), LonLat::new(108.9, 26.0)),
            (LonLat::new(104.06, 30.67), LonLat::new(104.0601, 30.6701)),
        ];
        for (a, b) in pairs {
            let fast = SpherePoint::new(a).distance_km(&SpherePoint::new(b));
            let slow = distance_km(a, b);
            assert!(
                (fast - slow).abs() < 1e-6 * slow.max(1.0),
                "{fast} vs {slow}"
            );
        }
    }

    #[test]
    fn local_projection_round_trips_and_matches_haversine() {
        let origin = LonLat::new(104.0, 30.5);
        let proj = LocalProjection::new(origin);
        let p = LonLat::new(104.2, 30.6);
        let back = proj.to_lonlat(proj.to_km(p));
        assert!((back.lon - p.lon).abs() < 1e-12 && (back.lat - p.lat).abs() < 1e-12);
        let c = proj.to_km(p);
        let planar = (c.x * c.x + c.y * c.y).sqrt();
        let d = distance_km(origin, p);
        assert!((planar - d).abs() / d < 0.005, "{planar} vs {d}");
    }
}
