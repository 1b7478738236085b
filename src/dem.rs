//! Digital elevation model: an ESRI ASCII grid (`.asc`) in WGS84 degrees.

use std::path::Path;

use crate::error::{Message, Problem};
use crate::model::LonLat;

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
    /// Reads an ESRI ASCII grid file.
    pub fn read(path: &Path) -> Result<Dem, Problem> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Problem::file(
                path,
                crate::tr!("cannot read the DEM: {e}", "无法读取高程数据：{e}"),
            )
        })?;
        Self::parse(path, &text)
    }

    /// Parses ESRI ASCII grid text; `path` only names the file in messages.
    pub fn parse(path: &Path, text: &str) -> Result<Dem, Problem> {
        let mut header: std::collections::HashMap<String, f64> = Default::default();
        let mut lines = text.lines().enumerate().peekable();
        while let Some((_, line)) = lines.peek() {
            let mut parts = line.split_whitespace();
            let (Some(key), Some(value), None) = (parts.next(), parts.next(), parts.next()) else {
                break;
            };
            if key.parse::<f64>().is_ok() {
                break;
            }
            let value: f64 = value.parse().map_err(|_| {
                Problem::row(
                    path,
                    0,
                    crate::tr!(
                        "header {key} has a value that is not a number",
                        "文件头 {key} 的值不是数字"
                    ),
                )
            })?;
            header.insert(key.to_ascii_lowercase(), value);
            lines.next();
        }
        let get = |k: &str| {
            header.get(k).copied().ok_or_else(|| {
                Problem::file(
                    path,
                    crate::tr!("the DEM header has no {k}", "高程文件头缺少 {k}"),
                )
            })
        };
        let ncols = get("ncols")? as usize;
        let nrows = get("nrows")? as usize;
        let cell_size = get("cellsize")?;
        if ncols == 0 || nrows == 0 || cell_size.is_nan() || cell_size <= 0.0 {
            return Err(Problem::file(
                path,
                Message::new("the DEM has no cells", "高程数据没有格点"),
            ));
        }
        let half = cell_size / 2.0;
        let x_centre = match (header.get("xllcenter"), header.get("xllcorner")) {
            (Some(c), _) => *c,
            (None, Some(c)) => c + half,
            _ => {
                return Err(Problem::file(
                    path,
                    Message::new(
                        "the DEM header has no xllcenter/xllcorner",
                        "高程文件头缺少 xllcenter/xllcorner",
                    ),
                ));
            }
        };
        let y_centre = match (header.get("yllcenter"), header.get("yllcorner")) {
            (Some(c), _) => *c,
            (None, Some(c)) => c + half,
            _ => {
                return Err(Problem::file(
                    path,
                    Message::new(
                        "the DEM header has no yllcenter/yllcorner",
                        "高程文件头缺少 yllcenter/yllcorner",
                    ),
                ));
            }
        };
        let nodata = header.get("nodata_value").copied();
        let mut values = Vec::with_capacity(ncols * nrows);
        for (i, line) in lines {
            for token in line.split_whitespace() {
                let v: f64 = token.parse().map_err(|_| {
                    Problem::row(
                        path,
                        i as u64 + 1,
                        crate::tr!("not a number: '{token}'", "不是数字：'{token}'"),
                    )
                })?;
                values.push(if Some(v) == nodata {
                    f32::NAN
                } else {
                    v as f32
                });
            }
        }
        if values.len() != ncols * nrows {
            return Err(Problem::file(
                path,
                crate::tr!(
                    "the DEM has {} values, the header says {ncols} x {nrows}",
                    "高程数据有 {} 个值，文件头却是 {ncols} × {nrows}",
                    values.len()
                ),
            ));
        }
        Ok(Dem {
            ncols,
            nrows,
            x_centre,
            y_centre,
            cell_size,
            values,
        })
    }

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

#[cfg(test)]
mod tests {
    use super::*;

    const GRID: &str = "ncols 3\nnrows 2\nxllcorner 100.0\nyllcorner 30.0\ncellsize 1.0\nNODATA_value -9999\n0 100 200\n1000 1100 -9999\n";

    #[test]
    fn corner_header_is_shifted_to_cell_centres() {
        let dem = Dem::parse(Path::new("d.asc"), GRID).unwrap();
        assert_eq!(dem.x_centre, 100.5);
        assert_eq!(dem.y_centre, 30.5);
        // The lower-left cell is the first value of the last (southern) row.
        assert_eq!(dem.elevation(LonLat::new(100.5, 30.5)), Some(1000.0));
        assert_eq!(dem.elevation(LonLat::new(100.5, 31.5)), Some(0.0));
    }

    #[test]
    fn interpolation_is_bilinear_and_skips_nodata() {
        let dem = Dem::parse(Path::new("d.asc"), GRID).unwrap();
        let mid = dem.elevation(LonLat::new(101.0, 31.0)).unwrap();
        assert!((mid - (1000.0 + 1100.0 + 0.0 + 100.0) / 4.0).abs() < 1e-9);
        // Next to the NODATA cell the three valid corners carry the weight.
        let east = dem.elevation(LonLat::new(102.0, 31.0)).unwrap();
        assert!((east - (1100.0 + 100.0 + 200.0) / 3.0).abs() < 1e-6);
        assert_eq!(dem.elevation(LonLat::new(90.0, 31.0)), None);
    }

    #[test]
    fn wrong_value_count_is_an_error() {
        let err = Dem::parse(
            Path::new("d.asc"),
            "ncols 2\nnrows 2\nxllcenter 0\nyllcenter 0\ncellsize 1\n1 2 3\n",
        )
        .unwrap_err();
        assert!(err.to_string().contains("3 values"), "{err}");
    }

    #[test]
    fn relief_is_the_local_range() {
        let dem = Dem::parse(Path::new("d.asc"), GRID).unwrap();
        assert_eq!(dem.relief(LonLat::new(101.5, 30.5)), Some(1100.0));
    }
}
