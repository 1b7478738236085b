//! The reports of a scenario run (`jianzhi run` and the app's export): before/after summary,
//! per county, lineage of every former township and village, the outcome, coverage, the hand
//! edits, and the scenario as applied. Each is a table ([`ReportTable`]) written through the
//! one table type, so CSV and other formats show the same cells.

use std::path::Path;

use crate::coverage::{CURVE_MAX_KM, ServiceReport};
use crate::lang::Lang;
use crate::metrics::{Metric, change_pct};
use crate::model::{Dataset, Terrain};
use crate::plan::{Constraint, EditStatus, MergePlan, Outcome};
use crate::report::meta::Metadata;
use crate::report::parameters::{self, parameters};
use crate::report::terms;
use crate::report::xlsx::Xlsx;
use crate::report::{csv_bytes, write_atomic, write_csv_atomic};
use crate::scenario::{LevelName, Scenario};
use crate::summary::DatasetSummary;
use crate::table::{Cell, Column, TableWriter, Term};

/// Everything a run produced, ready to write or show: the parts of one
/// [`Analysis`](crate::workspace::Analysis), which is the only way to make one.
pub struct RunReport<'a> {
    pub(crate) dataset: &'a Dataset,
    pub(crate) scenario: &'a Scenario,
    pub(crate) plan: &'a MergePlan,
    pub(crate) before: &'a DatasetSummary,
    pub(crate) after: &'a DatasetSummary,
    pub(crate) service: &'a ServiceReport,
    /// Each township's terrain class, as the plan used it.
    pub(crate) terrain:
        &'a typed_index_collections::TiVec<crate::model::TownshipId, Option<Terrain>>,
    /// The engine's decisions, for `explain.csv`.
    pub(crate) decisions: &'a crate::engine::explain::Decisions,
}

/// One before/after figure of a run, with its basis (`observed`, `modelled`, `illustrative`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SummaryRow {
    pub metric: Metric,
    pub before: Option<f64>,
    pub after: Option<f64>,
    pub basis: &'static str,
}

impl SummaryRow {
    /// The change in percent (NaN where either figure is missing).
    pub fn change_pct(&self) -> f64 {
        change_pct(
            self.before.unwrap_or(f64::NAN),
            self.after.unwrap_or(f64::NAN),
        )
    }
}

/// The tables of a run, each written to its own file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportTable {
    Summary,
    Provinces,
    Cities,
    Counties,
    Townships,
    Villages,
    Outcome,
    Coverage,
    Edits,
    Explain,
}

impl ReportTable {
    pub const ALL: [ReportTable; 10] = [
        ReportTable::Summary,
        ReportTable::Provinces,
        ReportTable::Cities,
        ReportTable::Counties,
        ReportTable::Townships,
        ReportTable::Villages,
        ReportTable::Outcome,
        ReportTable::Coverage,
        ReportTable::Edits,
        ReportTable::Explain,
    ];

    /// The table's title in `lang`: its sheet in a workbook, its heading in a briefing.
    pub fn title(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            ReportTable::Summary => ("摘要", "Summary"),
            ReportTable::Provinces => ("省份", "Provinces"),
            ReportTable::Cities => ("市州", "Cities"),
            ReportTable::Counties => ("区县", "Counties"),
            ReportTable::Townships => ("乡镇", "Townships"),
            ReportTable::Villages => ("村", "Villages"),
            ReportTable::Outcome => ("结果", "Outcome"),
            ReportTable::Coverage => ("服务覆盖", "Coverage"),
            ReportTable::Edits => ("手动调整", "Hand edits"),
            ReportTable::Explain => ("调整原因", "Why"),
        };
        match lang {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    /// The table's name: its CSV file is `<name>.csv`.
    pub fn name(self) -> &'static str {
        match self {
            ReportTable::Summary => "summary",
            ReportTable::Provinces => "provinces",
            ReportTable::Cities => "cities",
            ReportTable::Counties => "counties",
            ReportTable::Townships => "townships",
            ReportTable::Villages => "villages",
            ReportTable::Outcome => "outcome",
            ReportTable::Coverage => "coverage",
            ReportTable::Edits => "edits",
            ReportTable::Explain => "explain",
        }
    }
}

const SUMMARY: &[Column] = &[
    Column::new("metric", "指标", "metric"),
    Column::new("before", "调整前", "before"),
    Column::new("after", "调整后", "after"),
    Column::new("change_pct", "变化（%）", "change (%)"),
    Column::new("basis", "依据", "basis"),
];

const REGIONS: &[Column] = &[
    Column::new("code", "代码", "code"),
    Column::new("name", "名称", "name"),
    Column::new("province_name", "省份", "province"),
    Column::new("counties", "区县数", "counties"),
    Column::new("townships_before", "乡镇数（前）", "townships before"),
    Column::new("townships_after", "乡镇数（后）", "townships after"),
    Column::new(
        "townships_change_pct",
        "乡镇数变化（%）",
        "townships change (%)",
    ),
    Column::new("villages_before", "建制村数（前）", "villages before"),
    Column::new("villages_after", "建制村数（后）", "villages after"),
    Column::new(
        "villages_change_pct",
        "建制村数变化（%）",
        "villages change (%)",
    ),
    Column::new(
        "mean_seat_distance_km_before",
        "平均到驻地距离（前，公里）",
        "mean distance to seat before (km)",
    ),
    Column::new(
        "mean_seat_distance_km_after",
        "平均到驻地距离（后，公里）",
        "mean distance to seat after (km)",
    ),
];

/// The levels above the county a report sums to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Region {
    Province,
    City,
}

const COUNTIES: &[Column] = &[
    Column::new("county_code", "区县代码", "county code"),
    Column::new("county_name", "区县", "county"),
    Column::new("city_name", "市州", "city"),
    Column::new("townships_before", "乡镇数（前）", "townships before"),
    Column::new("townships_after", "乡镇数（后）", "townships after"),
    Column::new("villages_before", "建制村数（前）", "villages before"),
    Column::new("villages_after", "建制村数（后）", "villages after"),
    Column::new("communities_before", "社区数（前）", "communities before"),
    Column::new("communities_after", "社区数（后）", "communities after"),
    Column::new(
        "avg_township_area_km2_before",
        "乡镇平均面积（前，平方公里）",
        "average township area before (km²)",
    ),
    Column::new(
        "avg_township_area_km2_after",
        "乡镇平均面积（后，平方公里）",
        "average township area after (km²)",
    ),
    Column::new(
        "avg_village_resident_pop_before",
        "村平均常住人口（前）",
        "average village residents before",
    ),
    Column::new(
        "avg_village_resident_pop_after",
        "村平均常住人口（后）",
        "average village residents after",
    ),
    Column::new(
        "mean_seat_distance_km_before",
        "平均到驻地距离（前，公里）",
        "mean distance to seat before (km)",
    ),
    Column::new(
        "mean_seat_distance_km_after",
        "平均到驻地距离（后，公里）",
        "mean distance to seat after (km)",
    ),
    Column::new(
        "mean_seat_or_station_distance_km_after",
        "平均到驻地或服务站距离（后，公里）",
        "mean distance to seat or station after (km)",
    ),
];

const TOWNSHIPS: &[Column] = &[
    Column::new("code", "代码", "code"),
    Column::new("name", "名称", "name"),
    Column::new("county_code", "区县代码", "county code"),
    Column::new("kind", "类型", "kind"),
    Column::new("terrain", "地形", "terrain"),
    Column::new("new_code", "新单位代码", "new code"),
    Column::new("new_name", "新单位名称", "new name"),
    Column::new("is_seat", "是否驻地", "is seat"),
    Column::new("seat_lon", "驻地经度", "seat longitude"),
    Column::new("seat_lat", "驻地纬度", "seat latitude"),
];

const VILLAGES: &[Column] = &[
    Column::new("code", "代码", "code"),
    Column::new("name", "名称", "name"),
    Column::new("township_code", "原乡镇代码", "township code"),
    Column::new("kind", "类型", "kind"),
    Column::new("new_code", "新村代码", "new code"),
    Column::new("new_name", "新村名称", "new name"),
    Column::new("is_seat", "是否村委会驻地", "is seat"),
    Column::new("new_township_code", "新乡镇代码", "new township code"),
    Column::new("new_township_name", "新乡镇名称", "new township name"),
    Column::new("seat_lon", "驻地经度", "seat longitude"),
    Column::new("seat_lat", "驻地纬度", "seat latitude"),
];

const OUTCOME: &[Column] = &[
    Column::new("level", "层级", "level"),
    Column::new("units_in_scope", "范围内单位数", "units in scope"),
    Column::new("target_merges", "目标合并数", "target merges"),
    Column::new("merges", "合并数", "merges"),
    Column::new("manual_merges", "手动合并数", "manual merges"),
    Column::new("target_met", "目标已达成", "target met"),
    Column::new(
        "blocked_no_neighbour",
        "受阻：无邻居",
        "blocked: no neighbour",
    ),
    Column::new("blocked_max_area", "受阻：面积上限", "blocked: area cap"),
    Column::new(
        "blocked_max_seat_distance",
        "受阻：距离上限",
        "blocked: distance cap",
    ),
];

const COVERAGE: &[Column] = &[
    Column::new("distance_km", "距离（公里）", "distance (km)"),
    Column::new("share_before", "调整前比例", "share before"),
    Column::new("share_after", "调整后比例", "share after"),
    Column::new(
        "share_after_with_stations",
        "调整后比例（含服务站）",
        "share after, with stations",
    ),
];

const PARAMETERS: &[Column] = &[
    Column::new("parameter", "参数", "parameter"),
    Column::new("value", "值", "value"),
];

const EXPLAIN: &[Column] = &[
    Column::new("level", "层级", "level"),
    Column::new("code", "代码", "code"),
    Column::new("name", "名称", "name"),
    Column::new("new_code", "新单位代码", "new code"),
    Column::new("new_name", "新单位名称", "new name"),
    Column::new("decision", "结果", "decision"),
    Column::new("rule", "依据", "rule"),
    Column::new(
        "ratio_pct",
        "达门槛或平均的比例（%）",
        "share of threshold or mean (%)",
    ),
    Column::new("step", "步序", "step"),
    Column::new(
        "reach_km",
        "最远成员距驻地（公里）",
        "farthest member from seat (km)",
    ),
    Column::new(
        "neighbours_weighed",
        "比较的相邻单位数",
        "neighbours weighed",
    ),
    Column::new("neighbours_over_caps", "其中超上限", "of which over a cap"),
    Column::new("blocked_by", "受阻上限", "blocked by"),
    Column::new(
        "moved_saving",
        "局部搜索节省（人·公里）",
        "local search saving (people × km)",
    ),
    Column::new("reason", "原因", "reason"),
];

const EDITS: &[Column] = &[
    Column::new("edit", "序号", "edit"),
    Column::new("level", "层级", "level"),
    Column::new("action", "操作", "action"),
    Column::new("codes", "代码", "codes"),
    Column::new("to", "移入", "to"),
    Column::new("name", "名称", "name"),
    Column::new("status", "状态", "status"),
    Column::new("reason", "原因", "reason"),
];

impl<'a> RunReport<'a> {
    pub fn dataset(&self) -> &'a Dataset {
        self.dataset
    }

    pub fn scenario(&self) -> &'a Scenario {
        self.scenario
    }

    pub fn plan(&self) -> &'a MergePlan {
        self.plan
    }

    pub fn service(&self) -> &'a ServiceReport {
        self.service
    }

    pub fn before(&self) -> &'a DatasetSummary {
        self.before
    }

    pub fn after(&self) -> &'a DatasetSummary {
        self.after
    }

    /// Every before/after figure of the run in report order ([`Metric::ALL`]): the unit
    /// statistics, then service coverage and cost. `summary.csv` and the terminal table both
    /// show these.
    pub fn summary_rows(&self) -> Vec<SummaryRow> {
        let provenance = &self.dataset.provenance;
        Metric::ALL
            .iter()
            .map(|&metric| {
                let (before, after) =
                    metric.before_after(&self.before.province, &self.after.province, self.service);
                SummaryRow {
                    metric,
                    before,
                    after,
                    basis: metric.basis().of(provenance),
                }
            })
            .collect()
    }

    /// Writes one table to `out`.
    pub fn table(&self, which: ReportTable, out: &mut dyn TableWriter) -> std::io::Result<()> {
        match which {
            ReportTable::Summary => self.summary_table(out),
            ReportTable::Provinces => self.regions_table(Region::Province, out),
            ReportTable::Cities => self.regions_table(Region::City, out),
            ReportTable::Counties => self.counties_table(out),
            ReportTable::Townships => self.townships_table(out),
            ReportTable::Villages => self.villages_table(out),
            ReportTable::Outcome => self.outcome_table(out),
            ReportTable::Coverage => self.coverage_table(out),
            ReportTable::Edits => self.edits_table(out),
            ReportTable::Explain => self.explain_table(out),
        }
    }

    /// One table as CSV bytes (headers as keys).
    pub fn csv(&self, which: ReportTable) -> Vec<u8> {
        // Writing to memory cannot fail.
        csv_bytes(None, |out| self.table(which, out)).unwrap_or_default()
    }

    /// Writes every table into `dir` as `<name>.csv` (headers as keys, or in `lang`), and the
    /// scenario as applied; each file atomically and row by row.
    pub fn write(&self, dir: &Path, lang: Option<Lang>) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        for which in ReportTable::ALL {
            let path = dir.join(format!("{}.csv", which.name()));
            write_csv_atomic(&path, lang, |out| self.table(which, out))?;
        }
        write_atomic(
            &dir.join("scenario.toml"),
            self.scenario.to_toml().as_bytes(),
        )
    }

    /// The run as an Excel workbook: a sheet per table, the scenario's parameters and an
    /// "about" sheet; headers in `lang`.
    pub fn xlsx(&self, lang: Lang, meta: &Metadata) -> std::io::Result<Xlsx> {
        let mut book = Xlsx::new(lang, meta);
        for which in ReportTable::ALL {
            book.table(which.title(lang), |out| self.table(which, out))?;
        }
        book.table(
            match lang {
                Lang::Zh => "方案参数",
                Lang::En => "Scenario",
            },
            |out| {
                out.header(PARAMETERS)?;
                for p in parameters(&self.scenario.to_toml(), lang) {
                    let value = match p.value {
                        parameters::Value::Number(x) => Cell::Plain(x),
                        parameters::Value::Text(t) => Cell::Text(t),
                    };
                    out.row(&[Cell::Text(p.label), value])?;
                }
                Ok(())
            },
        )?;
        book.notes(
            match lang {
                Lang::Zh => "说明",
                Lang::En => "About",
            },
            &meta.lines(lang),
        )?;
        Ok(book)
    }

    /// `summary.csv`: `metric,before,after,change_pct,basis`.
    fn summary_table(&self, out: &mut dyn TableWriter) -> std::io::Result<()> {
        out.header(SUMMARY)?;
        for r in self.summary_rows() {
            out.row(&[
                terms::metric(r.metric),
                terms::figure(r.metric, r.before),
                terms::figure(r.metric, r.after),
                Cell::Number(r.change_pct()),
                terms::basis(r.basis),
            ])?;
        }
        Ok(())
    }

    /// `coverage.csv`: share of residents within each distance of their seat.
    fn coverage_table(&self, out: &mut dyn TableWriter) -> std::io::Result<()> {
        out.header(COVERAGE)?;
        let s = self.service;
        for d in 0..=CURVE_MAX_KM {
            out.row(&[
                Cell::Count(d as u64),
                Cell::Share(s.before.province.curve[d]),
                Cell::Share(s.after.province.curve[d]),
                Cell::Share(s.after_with_stations.province.curve[d]),
            ])?;
        }
        Ok(())
    }

    /// `counties.csv`: counts and averages per county, before and after.
    fn counties_table(&self, out: &mut dyn TableWriter) -> std::io::Result<()> {
        out.header(COUNTIES)?;
        let service = self.service;
        for (k, c) in self.dataset.counties.iter_enumerated() {
            let (b, a) = (&self.before.counties[k], &self.after.counties[k]);
            let count = |n: usize| Cell::Count(n as u64);
            out.row(&[
                Cell::code(&c.code),
                Cell::text(&c.name),
                Cell::text(&c.city_name),
                count(b.townships.count),
                count(a.townships.count),
                count(b.villages.count),
                count(a.villages.count),
                count(b.communities.count),
                count(a.communities.count),
                Cell::Number(b.townships.avg_area_km2),
                Cell::Number(a.townships.avg_area_km2),
                Cell::Number(b.villages.avg_resident_pop),
                Cell::Number(a.villages.avg_resident_pop),
                Cell::Number(service.before.counties[k].mean_km),
                Cell::Number(service.after.counties[k].mean_km),
                Cell::Number(service.after_with_stations.counties[k].mean_km),
            ])?;
        }
        Ok(())
    }

    /// `provinces.csv` and `cities.csv`: the counties' figures summed by province or by city
    /// (distances weighted by residents), in code order.
    fn regions_table(&self, level: Region, out: &mut dyn TableWriter) -> std::io::Result<()> {
        #[derive(Default)]
        struct Sums {
            name: String,
            province: String,
            counties: usize,
            counts: [usize; 4],
            /// Residents × km before and after, and the residents measured.
            km: [f64; 2],
            people: [f64; 2],
        }
        out.header(REGIONS)?;
        let service = self.service;
        let mut regions: std::collections::BTreeMap<String, Sums> = Default::default();
        for (k, c) in self.dataset.counties.iter_enumerated() {
            let province = c.province();
            let (code, name) = match level {
                Region::Province => (
                    c.province_code().to_string(),
                    province.map_or("", |p| p.name).to_string(),
                ),
                // A city known by its code's digits alone has no name to give.
                Region::City if c.city_code.is_empty() => (c.city_key().to_string(), String::new()),
                Region::City => (c.city_key().to_string(), c.city_name.clone()),
            };
            let sums = regions.entry(code).or_default();
            sums.name = name;
            sums.province = province.map_or("", |p| p.name).to_string();
            sums.counties += 1;
            let (b, a) = (&self.before.counties[k], &self.after.counties[k]);
            for (slot, n) in [
                b.townships.count,
                a.townships.count,
                b.villages.count,
                a.villages.count,
            ]
            .into_iter()
            .enumerate()
            {
                sums.counts[slot] += n;
            }
            for (slot, coverage) in [&service.before.counties[k], &service.after.counties[k]]
                .into_iter()
                .enumerate()
            {
                if coverage.people > 0.0 && coverage.mean_km.is_finite() {
                    sums.km[slot] += coverage.mean_km * coverage.people;
                    sums.people[slot] += coverage.people;
                }
            }
        }
        for (code, s) in &regions {
            let count = |n: usize| Cell::Count(n as u64);
            let mean = |slot: usize| Cell::Number(s.km[slot] / s.people[slot]);
            out.row(&[
                Cell::code(code),
                Cell::text(&s.name),
                Cell::text(&s.province),
                count(s.counties),
                count(s.counts[0]),
                count(s.counts[1]),
                Cell::Number(change_pct(s.counts[0] as f64, s.counts[1] as f64)),
                count(s.counts[2]),
                count(s.counts[3]),
                Cell::Number(change_pct(s.counts[2] as f64, s.counts[3] as f64)),
                mean(0),
                mean(1),
            ])?;
        }
        Ok(())
    }

    /// `townships.csv`: every former township with its new unit.
    fn townships_table(&self, out: &mut dyn TableWriter) -> std::io::Result<()> {
        out.header(TOWNSHIPS)?;
        let ds = self.dataset;
        let terrain = self.terrain;
        for (i, t) in ds.townships.iter_enumerated() {
            let unit = self.plan.townships.unit_of(i);
            let seat = &ds.townships[unit.seat];
            out.row(&[
                Cell::code(&t.code),
                Cell::text(&t.name),
                Cell::code(&ds.counties[t.county].code),
                terms::township_kind(t.kind),
                terms::terrain(terrain[i]),
                Cell::code(&seat.code),
                Cell::text(unit.name.as_deref().unwrap_or(&seat.name)),
                Cell::Flag(unit.seat == i),
                Cell::Fixed(seat.seat.lon, 5),
                Cell::Fixed(seat.seat.lat, 5),
            ])?;
        }
        Ok(())
    }

    /// `villages.csv`: every former village with its new village and new township.
    fn villages_table(&self, out: &mut dyn TableWriter) -> std::io::Result<()> {
        out.header(VILLAGES)?;
        let ds = self.dataset;
        for (i, v) in ds.villages.iter_enumerated() {
            let unit = self.plan.villages.unit_of(i);
            let seat = &ds.villages[unit.seat];
            let new_township = self.plan.townships.unit_of(v.township);
            let township = &ds.townships[new_township.seat];
            out.row(&[
                Cell::code(&v.code),
                Cell::text(&v.name),
                Cell::code(&ds.townships[v.township].code),
                terms::village_kind(v.kind),
                Cell::code(&seat.code),
                Cell::text(unit.name.as_deref().unwrap_or(&seat.name)),
                Cell::Flag(unit.seat == i),
                Cell::code(&township.code),
                Cell::text(new_township.name.as_deref().unwrap_or(&township.name)),
                Cell::Fixed(seat.centre.lon, 5),
                Cell::Fixed(seat.centre.lat, 5),
            ])?;
        }
        Ok(())
    }

    /// `outcome.csv`: per level, the target, the merges made and what blocked the rest.
    fn outcome_table(&self, out: &mut dyn TableWriter) -> std::io::Result<()> {
        out.header(OUTCOME)?;
        for (level, o) in [
            ("townships", &self.plan.townships.outcome),
            ("villages", &self.plan.villages.outcome),
        ] {
            out.row(&outcome_row(level, o))?;
        }
        Ok(())
    }

    /// `edits.csv`: what became of each hand edit, in list order (from 1).
    fn edits_table(&self, out: &mut dyn TableWriter) -> std::io::Result<()> {
        out.header(EDITS)?;
        for report in &self.plan.edits {
            let edit = self.scenario.edits.get(report.position);
            let status = match report.status {
                EditStatus::Held => "held",
                EditStatus::Refused(_) => "refused",
                EditStatus::Superseded { .. } => "superseded",
            };
            let codes = |list: fn(&crate::scenario::Edit) -> &Vec<String>| {
                edit.map(|e| list(e).join(" ")).unwrap_or_default()
            };
            out.row(&[
                Cell::Count(report.position as u64 + 1),
                terms::level(report.level),
                terms::action(report.action),
                Cell::text(codes(|e| &e.codes)),
                Cell::text(codes(|e| &e.to)),
                Cell::text(edit.and_then(|e| e.name.clone()).unwrap_or_default()),
                terms::status(status),
                if report.held() {
                    Cell::Empty
                } else {
                    Cell::Term(Term::owned(
                        report.status.describe(Lang::En),
                        report.status.describe(Lang::Zh),
                        report.status.describe(Lang::En),
                    ))
                },
            ])?;
        }
        Ok(())
    }
}

impl RunReport<'_> {
    /// `explain.csv`: one row per former unit at each level, with what the engine decided
    /// and why, read from its record (see [`crate::explain`]).
    fn explain_table(&self, out: &mut dyn TableWriter) -> std::io::Result<()> {
        out.header(EXPLAIN)?;
        let record = crate::explain::Record {
            dataset: self.dataset,
            scenario: self.scenario,
            plan: self.plan,
            decisions: self.decisions,
            terrain: self.terrain,
        };
        for (level, key) in [
            (LevelName::Townships, "townships"),
            (LevelName::Villages, "villages"),
        ] {
            for story in record.stories(level) {
                out.row(&explain_row(key, &story))?;
            }
        }
        Ok(())
    }
}

/// The caps that blocked a unit (`max_area+max_seat_distance`), named in each language.
fn blocked_by(keys: &str) -> Cell {
    if keys.is_empty() {
        return Cell::Empty;
    }
    let names = |lang: Lang, sep: &str| {
        keys.split('+')
            .map(|key| {
                Constraint::ALL
                    .into_iter()
                    .find(|c| c.as_str() == key)
                    .map_or(key, |c| c.label(lang))
            })
            .collect::<Vec<_>>()
            .join(sep)
    };
    Cell::Term(Term::owned(
        keys.to_string(),
        names(Lang::Zh, "、"),
        names(Lang::En, " and "),
    ))
}

fn explain_row(level: &'static str, story: &crate::explain::Story) -> Vec<Cell> {
    let number = |x: Option<f64>| x.map_or(Cell::Empty, Cell::Number);
    vec![
        terms::level(level),
        Cell::Code(story.code.clone()),
        Cell::text(story.name.clone()),
        Cell::Code(story.new_code.clone()),
        Cell::text(story.new_name.clone()),
        terms::decision(story.merged),
        terms::rule(story.rule),
        number(story.ratio_pct),
        story.step.map_or(Cell::Empty, |s| Cell::Count(s as u64)),
        number(story.reach_km.map(f64::from)),
        Cell::Count(story.weighed as u64),
        Cell::Count(story.weighed_blocked as u64),
        blocked_by(&story.blocked_by),
        story.moved_saving.map_or(Cell::Empty, Cell::Whole),
        // In a CSV without a language, the English line.
        Cell::Term(Term::owned(
            story.line.get(Lang::En).to_string(),
            story.line.get(Lang::Zh).to_string(),
            story.line.get(Lang::En).to_string(),
        )),
    ]
}

fn outcome_row(level: &'static str, o: &Outcome) -> Vec<Cell> {
    let mut row = vec![
        terms::level(level),
        Cell::Count(o.units_in_scope as u64),
        o.target_merges
            .map_or(Cell::Empty, |t| Cell::Count(t as u64)),
        Cell::Count(o.merges as u64),
        Cell::Count(o.manual_merges as u64),
        Cell::Flag(o.target_met()),
    ];
    row.extend(
        Constraint::ALL
            .iter()
            .map(|c| Cell::Count(o.blocked.get(c).copied().unwrap_or(0) as u64)),
    );
    row
}

impl crate::workspace::Analysis {
    /// The reports of this analysis.
    pub fn report(&self) -> RunReport<'_> {
        RunReport {
            dataset: self.dataset(),
            scenario: &self.scenario,
            plan: &self.plan,
            before: self.before(),
            after: &self.after,
            service: &self.service,
            terrain: &self.workspace().prepared().terrain,
            decisions: self.decisions(),
        }
    }
}
