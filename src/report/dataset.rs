//! The reports of a dataset as it is (`jianzhi summary`): `summary.csv` (`metric,value,basis`)
//! and `counties.csv` (the same metrics per county).

use std::path::{Path, PathBuf};

use crate::lang::Lang;
use crate::metrics::Metric;
use crate::model::Dataset;
use crate::report::terms;
use crate::report::write_csv_atomic;
use crate::summary::DatasetSummary;
use crate::table::{Cell, Column, TableWriter};

const SUMMARY: &[Column] = &[
    Column::new("metric", "指标", "metric"),
    Column::new("value", "数值", "value"),
    Column::new("basis", "依据", "basis"),
];

/// `summary.csv`: one row per unit metric.
pub fn summary_table(
    dataset: &Dataset,
    stats: &DatasetSummary,
    out: &mut dyn TableWriter,
) -> std::io::Result<()> {
    out.header(SUMMARY)?;
    for &m in Metric::UNITS {
        out.row(&[
            terms::metric(m),
            terms::figure(m, m.of_summary(&stats.province)),
            terms::basis(m.basis().of(&dataset.provenance)),
        ])?;
    }
    Ok(())
}

/// `counties.csv`: one row per county with its unit metrics.
pub fn counties_table(
    dataset: &Dataset,
    stats: &DatasetSummary,
    out: &mut dyn TableWriter,
) -> std::io::Result<()> {
    let mut columns = vec![
        Column::new("county_code", "区县代码", "county code"),
        Column::new("county_name", "区县", "county"),
        Column::new("city_name", "市州", "city"),
    ];
    columns.extend(
        Metric::UNITS
            .iter()
            .map(|m| Column::new(m.key(), m.label(Lang::Zh), m.label(Lang::En))),
    );
    out.header(&columns)?;
    for (k, county) in dataset.counties.iter_enumerated() {
        let mut row = vec![
            Cell::code(&county.code),
            Cell::text(&county.name),
            Cell::text(&county.city_name),
        ];
        row.extend(
            Metric::UNITS
                .iter()
                .map(|m| terms::figure(*m, m.of_summary(&stats.counties[k]))),
        );
        out.row(&row)?;
    }
    Ok(())
}

/// Writes `summary.csv` and `counties.csv` into `dir` (headers as keys, or in `lang`);
/// returns their paths.
pub fn write(
    dataset: &Dataset,
    stats: &DatasetSummary,
    dir: &Path,
    lang: Option<Lang>,
) -> std::io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let (summary, counties) = (dir.join("summary.csv"), dir.join("counties.csv"));
    write_csv_atomic(&summary, lang, |out| summary_table(dataset, stats, out))?;
    write_csv_atomic(&counties, lang, |out| counties_table(dataset, stats, out))?;
    Ok(vec![summary, counties])
}
