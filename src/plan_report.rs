//! The reports of a scenario run (`jianzhi run` and the app's export): before/after summary,
//! per county, lineage of every former township and village, and the scenario as applied.

use std::io::Write;
use std::path::Path;

use crate::coverage::{CURVE_MAX_KM, Coverage, ServiceReport};
use crate::lang::Lang;
use crate::model::{Dataset, Figure};
use crate::plan::{Constraint, EditStatus, MergePlan, Outcome};
use crate::report::{CsvReport, figure, write_atomic, write_table_atomic};
use crate::scenario::Scenario;
use crate::summary::DatasetSummary;

/// Everything a run produced, ready to write or show: the parts of one
/// [`Analysis`](crate::workspace::Analysis), which is the only way to make one.
pub struct RunReport<'a> {
    pub(crate) dataset: &'a Dataset,
    pub(crate) scenario: &'a Scenario,
    pub(crate) plan: &'a MergePlan,
    pub(crate) before: &'a DatasetSummary,
    pub(crate) after: &'a DatasetSummary,
    pub(crate) service: &'a ServiceReport,
}

/// One before/after figure of a run, with its basis (`observed`, `modelled`, `illustrative`).
pub struct SummaryRow {
    pub name: &'static str,
    pub before: f64,
    pub after: f64,
    pub basis: &'static str,
}

/// A before/after row of service figures, with what it depends on (`None`: illustrative
/// cost parameters).
pub struct ServiceRow {
    pub name: &'static str,
    pub before: f64,
    pub after: f64,
    pub depends_on: Option<Figure>,
}

impl ServiceRow {
    /// `observed`, `modelled`, or `illustrative` for the cost model's figures.
    pub fn basis(&self, provenance: &crate::model::Provenance) -> &'static str {
        match self.depends_on {
            Some(f) => provenance.basis(Some(f)),
            None => "illustrative",
        }
    }
}

/// The service coverage and cost figures of a run, before and after.
pub fn service_rows(s: &ServiceReport) -> Vec<ServiceRow> {
    let (b, a, w) = (
        &s.before.province,
        &s.after.province,
        &s.after_with_stations.province,
    );
    let row = |name, before, after| ServiceRow {
        name,
        before,
        after,
        depends_on: Some(Figure::Locations),
    };
    let share = |c: &Coverage, r: usize| c.share_within[r];
    vec![
        row("mean_seat_distance_km", b.mean_km, a.mean_km),
        row("median_seat_distance_km", b.median_km, a.median_km),
        row("p90_seat_distance_km", b.p90_km, a.p90_km),
        row("max_seat_distance_km", b.max_km, a.max_km),
        row(
            "mean_terrain_distance_km",
            b.mean_terrain_km,
            a.mean_terrain_km,
        ),
        row("share_within_5km", share(b, 0), share(a, 0)),
        row("share_within_10km", share(b, 1), share(a, 1)),
        row("share_within_15km", share(b, 2), share(a, 2)),
        row("share_within_20km", share(b, 3), share(a, 3)),
        row("share_within_30km", share(b, 4), share(a, 4)),
        row(
            "villages_beyond_radius",
            b.beyond_villages as f64,
            a.beyond_villages as f64,
        ),
        row("people_beyond_radius", b.beyond_people, a.beyond_people),
        row("mean_seat_or_station_distance_km", b.mean_km, w.mean_km),
        row("p90_seat_or_station_distance_km", b.p90_km, w.p90_km),
        row("share_within_10km_with_stations", share(b, 1), share(w, 1)),
        row("share_within_15km_with_stations", share(b, 2), share(w, 2)),
        row("share_within_20km_with_stations", share(b, 3), share(w, 3)),
        row(
            "people_beyond_radius_with_stations",
            b.beyond_people,
            w.beyond_people,
        ),
        row(
            "mean_village_seat_distance_km",
            s.village_seats_before_km(),
            s.village_seats.province.mean_km,
        ),
        ServiceRow {
            name: "stations",
            before: 0.0,
            after: s.stations.len() as f64,
            depends_on: None,
        },
        ServiceRow {
            name: "people_per_seat",
            before: s.people_per_seat_before,
            after: s.people_per_seat_after,
            depends_on: Some(Figure::Populations),
        },
        ServiceRow {
            name: "people_per_station",
            before: f64::NAN,
            after: s.people_per_station(),
            depends_on: Some(Figure::Populations),
        },
        ServiceRow {
            name: "staff",
            before: s.cost_before.staff,
            after: s.cost_after.staff,
            depends_on: None,
        },
        ServiceRow {
            name: "yearly_cost",
            before: s.cost_before.yearly_yuan,
            after: s.cost_after.yearly_yuan,
            depends_on: None,
        },
    ]
}

/// Percentage change from `before` to `after` (empty when `before` is 0 or not a number).
pub fn change_pct(before: f64, after: f64) -> f64 {
    if before == 0.0 || !before.is_finite() || !after.is_finite() {
        f64::NAN
    } else {
        (after - before) / before * 100.0
    }
}

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

    /// `summary.csv`: `metric,before,after,change_pct,basis`.
    pub fn summary_csv<W: Write>(&self, out: W) -> CsvReport<W> {
        let mut csv = CsvReport::on(out, &["metric", "before", "after", "change_pct", "basis"]);
        for r in self.summary_rows() {
            csv.row([
                r.name.to_string(),
                figure(r.before),
                figure(r.after),
                figure(change_pct(r.before, r.after)),
                r.basis.to_string(),
            ]);
        }
        csv
    }

    /// Every before/after figure of the run in report order: the unit statistics, then
    /// service coverage and cost. `summary.csv` and the terminal table both show these.
    pub fn summary_rows(&self) -> Vec<SummaryRow> {
        let provenance = &self.dataset.provenance;
        let after = self.after.province.metrics();
        let units = self
            .before
            .province
            .metrics()
            .into_iter()
            .zip(after)
            .map(|(b, a)| SummaryRow {
                name: b.name,
                before: b.value,
                after: a.value,
                basis: provenance.basis(b.depends_on),
            });
        let service = service_rows(self.service).into_iter().map(|r| SummaryRow {
            name: r.name,
            before: r.before,
            after: r.after,
            basis: r.basis(provenance),
        });
        units.chain(service).collect()
    }

    /// `coverage.csv`: share of residents within each distance of their seat.
    pub fn coverage_csv<W: Write>(&self, out: W) -> CsvReport<W> {
        let mut csv = CsvReport::on(
            out,
            &[
                "distance_km",
                "share_before",
                "share_after",
                "share_after_with_stations",
            ],
        );
        let s = self.service;
        for d in 0..=CURVE_MAX_KM {
            csv.row([
                d.to_string(),
                figure(s.before.province.curve[d]),
                figure(s.after.province.curve[d]),
                figure(s.after_with_stations.province.curve[d]),
            ]);
        }
        csv
    }

    /// `counties.csv`: counts and averages per county, before and after.
    pub fn counties_csv<W: Write>(&self, out: W) -> CsvReport<W> {
        let mut csv = CsvReport::on(
            out,
            &[
                "county_code",
                "county_name",
                "city_name",
                "townships_before",
                "townships_after",
                "villages_before",
                "villages_after",
                "communities_before",
                "communities_after",
                "avg_township_area_km2_before",
                "avg_township_area_km2_after",
                "avg_village_resident_pop_before",
                "avg_village_resident_pop_after",
                "mean_seat_distance_km_before",
                "mean_seat_distance_km_after",
                "mean_seat_or_station_distance_km_after",
            ],
        );
        let service = self.service;
        for (k, c) in self.dataset.counties.iter_enumerated() {
            let (b, a) = (&self.before.counties[k], &self.after.counties[k]);
            csv.row([
                c.code.clone(),
                c.name.clone(),
                c.city_name.clone(),
                b.townships.count.to_string(),
                a.townships.count.to_string(),
                b.villages.count.to_string(),
                a.villages.count.to_string(),
                b.communities.count.to_string(),
                a.communities.count.to_string(),
                figure(b.townships.avg_area_km2),
                figure(a.townships.avg_area_km2),
                figure(b.villages.avg_resident_pop),
                figure(a.villages.avg_resident_pop),
                figure(service.before.counties[k].mean_km),
                figure(service.after.counties[k].mean_km),
                figure(service.after_with_stations.counties[k].mean_km),
            ]);
        }
        csv
    }

    /// `townships.csv`: every former township with its new unit.
    pub fn townships_csv<W: Write>(&self, out: W) -> CsvReport<W> {
        let ds = self.dataset;
        let mut csv = CsvReport::on(
            out,
            &[
                "code",
                "name",
                "county_code",
                "kind",
                "new_code",
                "new_name",
                "is_seat",
                "seat_lon",
                "seat_lat",
            ],
        );
        for (i, t) in ds.townships.iter_enumerated() {
            let unit = self.plan.townships.unit_of(i);
            let seat = &ds.townships[unit.seat];
            csv.row([
                t.code.clone(),
                t.name.clone(),
                ds.counties[t.county].code.clone(),
                t.kind.as_str().to_string(),
                seat.code.clone(),
                unit.name.clone().unwrap_or_else(|| seat.name.clone()),
                u8::from(unit.seat == i).to_string(),
                format!("{:.5}", seat.seat.lon),
                format!("{:.5}", seat.seat.lat),
            ]);
        }
        csv
    }

    /// `villages.csv`: every former village with its new village and new township.
    pub fn villages_csv<W: Write>(&self, out: W) -> CsvReport<W> {
        let ds = self.dataset;
        let mut csv = CsvReport::on(
            out,
            &[
                "code",
                "name",
                "township_code",
                "kind",
                "new_code",
                "new_name",
                "is_seat",
                "new_township_code",
                "new_township_name",
                "seat_lon",
                "seat_lat",
            ],
        );
        for (i, v) in ds.villages.iter_enumerated() {
            let unit = self.plan.villages.unit_of(i);
            let seat = &ds.villages[unit.seat];
            let new_township = self.plan.townships.unit_of(v.township);
            let township = &ds.townships[new_township.seat];
            csv.row([
                v.code.clone(),
                v.name.clone(),
                ds.townships[v.township].code.clone(),
                v.kind.as_str().to_string(),
                seat.code.clone(),
                unit.name.clone().unwrap_or_else(|| seat.name.clone()),
                u8::from(unit.seat == i).to_string(),
                township.code.clone(),
                new_township
                    .name
                    .clone()
                    .unwrap_or_else(|| township.name.clone()),
                format!("{:.5}", seat.centre.lon),
                format!("{:.5}", seat.centre.lat),
            ]);
        }
        csv
    }

    /// `outcome.csv`: per level, the target, the merges made and what blocked the rest.
    pub fn outcome_csv<W: Write>(&self, out: W) -> CsvReport<W> {
        let mut header = vec![
            "level",
            "units_in_scope",
            "target_merges",
            "merges",
            "manual_merges",
            "target_met",
        ];
        let blocked: Vec<String> = Constraint::ALL
            .iter()
            .map(|c| format!("blocked_{}", c.as_str()))
            .collect();
        header.extend(blocked.iter().map(String::as_str));
        let mut csv = CsvReport::on(out, &header);
        for (level, o) in [
            ("townships", &self.plan.townships.outcome),
            ("villages", &self.plan.villages.outcome),
        ] {
            csv.row(outcome_row(level, o));
        }
        csv
    }

    /// `edits.csv`: what became of each hand edit, in list order (from 1).
    pub fn edits_csv<W: Write>(&self, out: W) -> CsvReport<W> {
        let mut csv = CsvReport::on(
            out,
            &[
                "edit", "level", "action", "codes", "to", "name", "status", "reason",
            ],
        );
        for report in &self.plan.edits {
            let edit = self.scenario.edits.get(report.position);
            let status = match report.status {
                EditStatus::Held => "held",
                EditStatus::Refused(_) => "refused",
                EditStatus::Superseded { .. } => "superseded",
            };
            csv.row([
                (report.position + 1).to_string(),
                report.level.to_string(),
                report.action.as_str().to_string(),
                edit.map(|e| e.codes.join(" ")).unwrap_or_default(),
                edit.map(|e| e.to.join(" ")).unwrap_or_default(),
                edit.and_then(|e| e.name.clone()).unwrap_or_default(),
                status.to_string(),
                if report.held() {
                    String::new()
                } else {
                    report.status.describe(Lang::En)
                },
            ]);
        }
        csv
    }

    /// Writes every report into `dir`, each file atomically and row by row.
    pub fn write(&self, dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        write_table_atomic(&dir.join("edits.csv"), |w| self.edits_csv(w))?;
        write_table_atomic(&dir.join("summary.csv"), |w| self.summary_csv(w))?;
        write_table_atomic(&dir.join("counties.csv"), |w| self.counties_csv(w))?;
        write_table_atomic(&dir.join("townships.csv"), |w| self.townships_csv(w))?;
        write_table_atomic(&dir.join("villages.csv"), |w| self.villages_csv(w))?;
        write_table_atomic(&dir.join("outcome.csv"), |w| self.outcome_csv(w))?;
        write_table_atomic(&dir.join("coverage.csv"), |w| self.coverage_csv(w))?;
        write_atomic(
            &dir.join("scenario.toml"),
            self.scenario.to_toml().as_bytes(),
        )
    }
}

fn outcome_row(level: &str, o: &Outcome) -> Vec<String> {
    let mut row = vec![
        level.to_string(),
        o.units_in_scope.to_string(),
        o.target_merges.map(|t| t.to_string()).unwrap_or_default(),
        o.merges.to_string(),
        o.manual_merges.to_string(),
        u8::from(o.target_met()).to_string(),
    ];
    row.extend(
        Constraint::ALL
            .iter()
            .map(|c| o.blocked.get(c).copied().unwrap_or(0).to_string()),
    );
    row
}
