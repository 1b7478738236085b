//! Several scenarios on one dataset side by side (`jianzhi compare` and the app's comparison
//! view): every key figure per scenario with its difference from the first, and the county
//! table with one column group per scenario. The figures are those of each scenario's own run.

use std::path::{Path, PathBuf};

use crate::figures::FiguresView;
use crate::lang::Lang;
use crate::metrics::Metric;
use crate::progress::Progress;
use crate::report::export::{ExportError, ExportOptions, Format, export};
use crate::report::html;
use crate::report::meta::Metadata;
use crate::report::svg::{esc, pick};
use crate::report::terms;
use crate::report::xlsx::Xlsx;
use crate::report::{write_atomic, write_csv_atomic};
use crate::table::{Cell, Column, TableWriter};
use crate::workspace::Analysis;

/// Analyses of one dataset, the first the reference the others are measured against.
pub struct Comparison<'a> {
    analyses: Vec<&'a Analysis>,
}

/// One key figure across the scenarios.
#[derive(Debug, Clone, PartialEq)]
pub struct ComparedFigure {
    pub metric: Metric,
    pub before: Option<f64>,
    /// After each scenario, in order.
    pub after: Vec<Option<f64>>,
    pub basis: &'static str,
}

impl ComparedFigure {
    /// Each scenario's figure less the first's (`None` for the first or where missing).
    pub fn difference(&self, i: usize) -> Option<f64> {
        if i == 0 {
            return None;
        }
        Some(self.after.get(i).copied()?? - self.after.first().copied()??)
    }
}

/// Leaks a column name made at run time (a comparison has a handful).
fn name(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
}

/// The figures of a county shown per scenario.
const COUNTY_FIGURES: [(&str, &str, &str); 4] = [
    ("townships_after", "乡镇数（后）", "townships after"),
    ("villages_after", "建制村数（后）", "villages after"),
    (
        "mean_seat_distance_km_after",
        "平均到驻地距离（后，公里）",
        "mean distance to seat after (km)",
    ),
    (
        "mean_seat_or_station_distance_km_after",
        "平均到驻地或服务站距离（后，公里）",
        "mean distance to seat or station after (km)",
    ),
];

impl<'a> Comparison<'a> {
    /// A comparison of analyses of one dataset; `None` if there are none or their datasets
    /// differ.
    pub fn new(analyses: Vec<&'a Analysis>) -> Option<Self> {
        let first = analyses.first()?;
        analyses
            .iter()
            .all(|a| a.is_of(first.workspace()))
            .then_some(Self { analyses })
    }

    pub fn analyses(&self) -> &[&'a Analysis] {
        &self.analyses
    }

    /// The scenario names, numbered where two are the same.
    pub fn names(&self) -> Vec<String> {
        let names: Vec<&str> = self
            .analyses
            .iter()
            .map(|a| a.scenario.name.as_str())
            .collect();
        names
            .iter()
            .enumerate()
            .map(|(i, n)| {
                if names.iter().filter(|m| *m == n).count() > 1 {
                    format!("{n} ({})", i + 1)
                } else {
                    (*n).to_string()
                }
            })
            .collect()
    }

    /// Every key figure (the run's summary rows) per scenario.
    pub fn figures(&self) -> Vec<ComparedFigure> {
        let rows: Vec<_> = self
            .analyses
            .iter()
            .map(|a| a.report().summary_rows())
            .collect();
        rows[0]
            .iter()
            .enumerate()
            .map(|(k, first)| ComparedFigure {
                metric: first.metric,
                before: first.before,
                after: rows.iter().map(|r| r[k].after).collect(),
                basis: first.basis,
            })
            .collect()
    }

    /// `compare-summary.csv`: metric, before, each scenario's after, each one's difference
    /// from the first, basis.
    pub fn summary_table(&self, out: &mut dyn TableWriter) -> std::io::Result<()> {
        let names = self.names();
        let mut columns = vec![
            Column::new("metric", "指标", "metric"),
            Column::new("before", "调整前", "before"),
        ];
        for (i, n) in names.iter().enumerate() {
            columns.push(Column::new(
                name(format!("s{}_after", i + 1)),
                name(format!("{n}（后）")),
                name(format!("{n} (after)")),
            ));
        }
        for (i, n) in names.iter().enumerate().skip(1) {
            columns.push(Column::new(
                name(format!("s{}_minus_s1", i + 1)),
                name(format!("{n} 减 {}", names[0])),
                name(format!("{n} minus {}", names[0])),
            ));
        }
        columns.push(Column::new("basis", "依据", "basis"));
        out.header(&columns)?;
        for f in self.figures() {
            let mut row = vec![terms::metric(f.metric), terms::figure(f.metric, f.before)];
            row.extend(f.after.iter().map(|x| terms::figure(f.metric, *x)));
            row.extend((1..names.len()).map(|i| terms::figure(f.metric, f.difference(i))));
            row.push(terms::basis(f.basis));
            out.row(&row)?;
        }
        Ok(())
    }

    /// `compare-counties.csv`: each county before, then a column group per scenario.
    pub fn counties_table(&self, out: &mut dyn TableWriter) -> std::io::Result<()> {
        let names = self.names();
        let mut columns = vec![
            Column::new("county_code", "区县代码", "county code"),
            Column::new("county_name", "区县", "county"),
            Column::new("city_name", "市州", "city"),
            Column::new("townships_before", "乡镇数（前）", "townships before"),
            Column::new("villages_before", "建制村数（前）", "villages before"),
            Column::new(
                "mean_seat_distance_km_before",
                "平均到驻地距离（前，公里）",
                "mean distance to seat before (km)",
            ),
        ];
        for (i, n) in names.iter().enumerate() {
            for (key, zh, en) in COUNTY_FIGURES {
                columns.push(Column::new(
                    name(format!("s{}_{key}", i + 1)),
                    name(format!("{n}：{zh}")),
                    name(format!("{n}: {en}")),
                ));
            }
        }
        out.header(&columns)?;
        let first = self.analyses[0];
        for (k, c) in first.dataset().counties.iter_enumerated() {
            let before = &first.before().counties[k];
            let mut row = vec![
                Cell::code(&c.code),
                Cell::text(&c.name),
                Cell::text(&c.city_name),
                Cell::Count(before.townships.count as u64),
                Cell::Count(before.villages.count as u64),
                Cell::Number(first.service.before.counties[k].mean_km),
            ];
            for a in &self.analyses {
                let after = &a.after.counties[k];
                row.extend([
                    Cell::Count(after.townships.count as u64),
                    Cell::Count(after.villages.count as u64),
                    Cell::Number(a.service.after.counties[k].mean_km),
                    Cell::Number(a.service.after_with_stations.counties[k].mean_km),
                ]);
            }
            out.row(&row)?;
        }
        Ok(())
    }

    /// The comparison as a workbook: the two tables, then each scenario's parameters.
    pub fn xlsx(&self, lang: Lang, meta: &Metadata) -> std::io::Result<Xlsx> {
        let mut book = Xlsx::new(lang, meta);
        let (summary, counties, about) = match lang {
            Lang::Zh => ("方案对比", "分县对比", "说明"),
            Lang::En => ("Comparison", "Counties", "About"),
        };
        book.table(summary, |out| self.summary_table(out))?;
        book.table(counties, |out| self.counties_table(out))?;
        book.notes(about, &meta.lines(lang))?;
        Ok(book)
    }

    /// The comparison as a self-contained HTML page: the key figures side by side with the
    /// differences from the first scenario marked, and the overlaid charts.
    pub fn html(&self, lang: Lang, meta: &Metadata) -> String {
        let t = |zh, en| pick(lang, zh, en);
        let names = self.names();
        let views: Vec<FiguresView> = self.analyses.iter().map(|a| FiguresView::new(a)).collect();
        let title = t("方案对比", "Scenario comparison");
        let mut h = html::open_page(meta, lang, title, title);
        h += &html::modelled_badge(meta, lang);
        h += &format!(
            "<h2>{}</h2><table><thead><tr><th>{}</th><th>{}</th>",
            t("主要指标", "Key figures"),
            t("指标", "Metric"),
            t("调整前", "Before")
        );
        for n in &names {
            h += &format!("<th>{}</th>", esc(n));
        }
        h += "</tr></thead><tbody>";
        for f in self.figures() {
            if !Metric::KEY.contains(&f.metric) {
                continue;
            }
            let unit = f.metric.unit();
            let shown = |x: Option<f64>| x.map_or("—".to_string(), |x| html::figure(unit, x));
            h += &format!(
                "<tr><td>{}</td><td>{}</td>",
                esc(f.metric.label(lang)),
                shown(f.before)
            );
            for (i, after) in f.after.iter().enumerate() {
                match f.difference(i) {
                    Some(d) if unit.shown(d).abs() > 1e-9 => {
                        // Marked, not judged: more is better for some figures, worse for others.
                        h += &format!(
                            r#"<td class="diff"><b>{}</b> ({}{})</td>"#,
                            shown(*after),
                            if d > 0.0 { "+" } else { "" },
                            html::figure(unit, d)
                        );
                    }
                    _ => h += &format!("<td>{}</td>", shown(*after)),
                }
            }
            h += "</tr>";
        }
        h += &format!(
            "</tbody></table><p class=\"sub\">{}</p>",
            t(
                "括号内为与第一个方案之差。",
                "In brackets: the difference from the first scenario."
            )
        );
        let refs: Vec<&FiguresView> = views.iter().collect();
        for picture in super::svg::Overlay::ALL {
            h += &format!(
                "<figure>{}</figure>",
                super::svg::overlay(picture, &refs, &names, meta, lang)
            );
        }
        h += &html::close_page(meta);
        h
    }

    /// Writes the comparison into `dir` in `options.formats` (CSV tables, workbook, HTML page),
    /// and each scenario's own files into `dir/<n>-<name>/`.
    pub fn write(
        &self,
        dir: &Path,
        options: &ExportOptions,
        progress: &Progress,
    ) -> Result<Vec<PathBuf>, ExportError> {
        let io = |path: PathBuf| move |source| ExportError::Io { path, source };
        let dataset = self.analyses[0].dataset();
        super::export::check_formats(dataset, options)?;
        std::fs::create_dir_all(dir).map_err(io(dir.to_path_buf()))?;
        let meta = Metadata::new(dataset, self.analyses.iter().map(|a| &a.scenario));
        let mut written = Vec::new();
        for &format in &options.formats {
            let path = match format {
                Format::Csv => {
                    for (file, table) in [
                        (
                            "compare-summary.csv",
                            Self::summary_table
                                as fn(&Self, &mut dyn TableWriter) -> std::io::Result<()>,
                        ),
                        ("compare-counties.csv", Self::counties_table),
                    ] {
                        let path = dir.join(file);
                        write_csv_atomic(&path, options.csv_lang, |out| table(self, out))
                            .map_err(io(path.clone()))?;
                        written.push(path);
                    }
                    continue;
                }
                Format::Xlsx => {
                    let path = dir.join("compare.xlsx");
                    self.xlsx(options.lang, &meta)
                        .and_then(|book| book.save(&path))
                        .map_err(io(path.clone()))?;
                    path
                }
                Format::Html => {
                    let path = dir.join("compare.html");
                    write_atomic(&path, self.html(options.lang, &meta).as_bytes())
                        .map_err(io(path.clone()))?;
                    path
                }
                Format::Geojson | Format::Shp | Format::Gpkg | Format::Png => continue,
            };
            written.push(path);
        }
        let geometry = options
            .formats
            .iter()
            .any(|f| matches!(f, Format::Html | Format::Png))
            .then(|| crate::map::geometry::MapGeometry::new(dataset));
        for (i, (a, n)) in self.analyses.iter().zip(self.names()).enumerate() {
            let folder = dir.join(format!("{}-{}", i + 1, file_safe(&n)));
            let meta = Metadata::new(dataset, [&a.scenario]);
            written.extend(export(
                a,
                &folder,
                options,
                geometry.as_ref(),
                &meta,
                progress,
            )?);
        }
        Ok(written)
    }
}

/// A name usable as a folder name on every system.
fn file_safe(name: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(40)
        .collect();
    if safe.is_empty() {
        "scenario".into()
    } else {
        safe
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_names_keep_chinese_and_drop_separators() {
        assert_eq!(
            file_safe("四川 2019 两项改革（模拟）"),
            "四川_2019_两项改革_模拟_"
        );
        assert_eq!(file_safe("a/b\\c"), "a_b_c");
        assert_eq!(file_safe("///"), "___");
    }
}
