//! An elevation grid (ESRI ASCII layout, WGS84 degrees) and its sampling; read by
//! [`crate::dem`].

use super::LonLat;

/// An elevation grid; rows run north to south as in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Dem {
    pub ncols: usize,
    pub nrows: usize,
    /// Longitude of the centre of the lower-left cell.
    pub x_centre: f64,
    /// Latitude of the centre of the lower-left cell.
    pub y_centre: f64,
    pub cell_size: f64,
    /// Elevation in metres, row-major from the northern row; `NaN` where the file has NODATA.
    pub values: Vec<f32>,
}

impl Dem {
    fn at(&self, col: usize, row_from_south: usize) -> f32 {
        self.values[(self.nrows - 1 - row_from_south) * self.ncols + col]
    }

    /// Elevation in metres at a point, bilinearly interpolated between cell centres;
    /// `None` outside the grid or where every neighbouring cell is NODATA.
    pub fn elevation(&self, p: LonLat) -> Option<f64> {
        let fx = (p.lon - self.x_centre) / self.cell_size;
        let fy = (p.lat - self.y_centre) / self.cell_size;
        let max_x = (self.ncols - 1) as f64;
        let max_y = (self.nrows - 1) as f64;
        if !(fx >= -0.5 && fy >= -0.5 && fx <= max_x + 0.5 && fy <= max_y + 0.5) {
            return None;
        }
        let fx = fx.clamp(0.0, max_x);
        let fy = fy.clamp(0.0, max_y);
        let x0 = fx.floor() as usize;
        let y0 = fy.floor() as usize;
        let x1 = (x0 + 1).min(self.ncols - 1);
        let y1 = (y0 + 1).min(self.nrows - 1);
        let tx = fx - x0 as f64;
        let ty = fy - y0 as f64;
        let corners = [
            (self.at(x0, y0), (1.0 - tx) * (1.0 - ty)),
            (self.at(x1, y0), tx * (1.0 - ty)),
            (self.at(x0, y1), (1.0 - tx) * ty),
            (self.at(x1, y1), tx * ty),
        ];
        let (sum, weight) = corners
            .iter()
            .filter(|(v, _)| v.is_finite())
            .fold((0.0, 0.0), |(s, w), (v, wt)| (s + *v as f64 * wt, w + wt));
        (weight > 0.0).then(|| sum / weight)
    }

    /// Local relief in metres around a point: the range of the 3 x 3 cells around it.
    pub fn relief(&self, p: LonLat) -> Option<f64> {
        let cx = ((p.lon - self.x_centre) / self.cell_size).round();
        let cy = ((p.lat - self.y_centre) / self.cell_size).round();
        if cx < 0.0 || cy < 0.0 || cx >= self.ncols as f64 || cy >= self.nrows as f64 {
            return None;
        }
        let (cx, cy) = (cx as usize, cy as usize);
        let mut lo = f64::INFINITY;
        let mut hi = f64::NEG_INFINITY;
        for y in cy.saturating_sub(1)..=(cy + 1).min(self.nrows - 1) {
            for x in cx.saturating_sub(1)..=(cx + 1).min(self.ncols - 1) {
                let v = self.at(x, y) as f64;
                if v.is_finite() {
                    lo = lo.min(v);
                    hi = hi.max(v);
                }
            }
        }
        (hi >= lo).then_some(hi - lo)
    }
}
