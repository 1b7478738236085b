//! Reading a digital elevation model: an ESRI ASCII grid (`.asc`) in WGS84 degrees, into a
//! [`Dem`] (the grid and its sampling live in the model).

use std::collections::HashMap;
use std::path::Path;

use crate::error::{Message, Problem};

pub use crate::model::Dem;

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
        let mut lines = text.lines().enumerate().peekable();
        let header = read_header(path, &mut lines)?;
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
        let x_centre = lower_left_centre(path, &header, "x", cell_size)?;
        let y_centre = lower_left_centre(path, &header, "y", cell_size)?;
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
}

/// The header lines (`key value`, keys in lower case) before the first row of values.
fn read_header<'t>(
    path: &Path,
    lines: &mut std::iter::Peekable<impl Iterator<Item = (usize, &'t str)>>,
) -> Result<HashMap<String, f64>, Problem> {
    let mut header = HashMap::new();
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
    Ok(header)
}

/// The centre of the lower-left cell on `axis` (`x` or `y`): `…llcenter`, else `…llcorner`
/// plus half a cell.
fn lower_left_centre(
    path: &Path,
    header: &HashMap<String, f64>,
    axis: &str,
    cell_size: f64,
) -> Result<f64, Problem> {
    let (centre, corner) = (format!("{axis}llcenter"), format!("{axis}llcorner"));
    match (header.get(&centre), header.get(&corner)) {
        (Some(c), _) => Ok(*c),
        (None, Some(c)) => Ok(c + cell_size / 2.0),
        _ => Err(Problem::file(
            path,
            crate::tr!(
                "the DEM header has no {centre}/{corner}",
                "高程文件头缺少 {centre}/{corner}"
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::LonLat;

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
