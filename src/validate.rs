//! A plan against what a province actually did: the division codes of a later edition (code,
//! name, parent code) read against the dataset the plan was made on.
//!
//! Three things are matched, each from the codes and names alone:
//! - **Counties.** Each later county is the dataset county most of its townships come from:
//!   by the same township code, else by the same township name in that county (names are
//!   compared without their kind: 郫筒镇 and 郫筒街道 are one place). A county renamed or
//!   recoded (郫县 510124 → 郫都区 510117) or carved out of another (a new district) is
//!   counted with the county its townships came from.
//! - **Units.** Per county, the simulated and the real number of townships (and of streets,
//!   towns and rural townships), and of villages when the later villages are given.
//! - **Partners.** Which later township each old township became: the one most of its
//!   villages are found in by name (villages keep their names when their township merges),
//!   else the later township with its code and name, else with its name. Old townships that
//!   became the same later township are real partners; the share of old townships the plan
//!   puts with exactly the same partners says whether the plan looks like the reform.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use crate::error::Problem;
use crate::import::header::TableKind;
use crate::import::table::{Column, Spec, Table};
use crate::import::{ImportError, Problems};
use crate::model::{CountyId, Dataset, TownshipId, TownshipKind};
use crate::plan::MergePlan;
use crate::table::{Cell, TableWriter};
use crate::tr;

/// A later edition of the division codes.
#[derive(Debug, Clone, Default)]
pub struct LaterCodes {
    pub townships: Vec<LaterTownship>,
    /// Empty when only the townships were given.
    pub villages: Vec<LaterVillage>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LaterTownship {
    pub code: String,
    pub name: String,
    pub county_code: String,
    pub kind: TownshipKind,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LaterVillage {
    pub code: String,
    pub name: String,
    pub township_code: String,
}

/// Reads a later edition: townships (`code,name,county_code`, headers in any of the forms the
/// import knows) and, optionally, villages (`code,name,township_code`). Text tables may be
/// gzip-compressed (`.csv.gz`, as in the national code tables).
pub fn read_later(townships: &Path, villages: Option<&Path>) -> Result<LaterCodes, ImportError> {
    let mut out = LaterCodes::default();
    let mut problems = Problems::default();
    read_rows(
        townships,
        TableKind::Townships,
        &[Column::Code, Column::Name, Column::CountyCode],
        &mut problems,
        |table, row, problems| {
            let code = table.code(row, Column::Code, problems)?;
            let name = table.required_text(row, Column::Name, problems)?;
            let county_code = table.code(row, Column::CountyCode, problems)?;
            let Some(kind) = TownshipKind::from_code_and_name(&code, &name) else {
                problems.error(Problem::cell(
                    &table.file,
                    row.line,
                    table.header(Column::Code),
                    tr!(
                        "{code} is not a township code (9 digits)",
                        "{code} 不是乡镇代码（9 位）"
                    ),
                ));
                return None;
            };
            out.townships.push(LaterTownship {
                code,
                name,
                county_code,
                kind,
            });
            Some(())
        },
    )?;
    if let Some(path) = villages {
        read_rows(
            path,
            TableKind::Villages,
            &[Column::Code, Column::Name, Column::TownshipCode],
            &mut problems,
            |table, row, problems| {
                out.villages.push(LaterVillage {
                    code: table.code(row, Column::Code, problems)?,
                    name: table.required_text(row, Column::Name, problems)?,
                    township_code: table.code(row, Column::TownshipCode, problems)?,
                });
                Some(())
            },
        )?;
    }
    problems.check()?;
    Ok(out)
}

/// Reads every row of a table through `each`, which reports its own problems.
fn read_rows(
    path: &Path,
    kind: TableKind,
    required: &[Column],
    problems: &mut Problems,
    mut each: impl FnMut(&Table, &crate::import::table::Row, &mut Problems) -> Option<()>,
) -> Result<(), ImportError> {
    let cannot = |e: std::io::Error| {
        Problem::file(path, tr!("cannot read the file: {e}", "无法读取文件：{e}"))
    };
    let raw = std::fs::read(path).map_err(cannot)?;
    let bytes = if path.extension().is_some_and(|e| e == "gz") {
        let mut text = Vec::new();
        flate2::read::GzDecoder::new(&raw[..])
            .read_to_end(&mut text)
            .map_err(cannot)?;
        text
    } else {
        raw
    };
    let mut table = Table::parse(path, &bytes, Spec::new(kind, required), problems)?;
    while let Some(row) = table.next_row(problems).map_err(|e| e.into_import(path))? {
        each(&table, &row, problems);
    }
    Ok(())
}

/// A dataset folder's later edition, if it has one: `validation/townships*` (and
/// `validation/villages*`), as the demo has the 2023 codes of Sichuan.
pub fn later_files(dataset_dir: &Path) -> Option<(std::path::PathBuf, Option<std::path::PathBuf>)> {
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(dataset_dir.join("validation"))
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    let starting = |stem: &str| {
        files
            .iter()
            .find(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with(stem))
            })
            .cloned()
    };
    Some((starting("townships")?, starting("villages")))
}

/// The later edition in a dataset folder (see [`later_files`]) matched to its dataset, with
/// the edition's label (the year in `townships_2023.csv`); `None` if the folder has none.
pub fn reference_in(
    dataset_dir: &Path,
    dataset: &Dataset,
) -> Result<Option<Reference>, ImportError> {
    let Some((townships, villages)) = later_files(dataset_dir) else {
        return Ok(None);
    };
    let later = read_later(&townships, villages.as_deref())?;
    let label = edition_label(&townships);
    Ok(Some(Reference::new(dataset, &later).labelled(label)))
}

/// What follows `townships` in a later edition's file name (`townships_2023.csv` → `2023`).
fn edition_label(townships: &Path) -> String {
    let name = townships
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let rest = name.strip_prefix("townships").unwrap_or(&name);
    let rest = rest.split('.').next().unwrap_or_default();
    rest.trim_matches(|c: char| c == '_' || c == '-' || c == ' ')
        .to_string()
}

/// A township's name without what says its kind (镇, 乡, 街道…).
fn township_stem(name: &str) -> &str {
    strip_one(
        name,
        &["街道办事处", "办事处", "街道", "民族乡", "镇", "乡"],
    )
}

/// A village's name without what says its kind (村民委员会, 社区居委会…).
fn village_stem(name: &str) -> &str {
    strip_one(
        name,
        &[
            "社区居民委员会",
            "社区居委会",
            "居民委员会",
            "村民委员会",
            "村委会",
            "居委会",
            "社区",
            "村",
        ],
    )
}

fn strip_one<'a>(name: &'a str, suffixes: &[&str]) -> &'a str {
    let name = name.trim();
    suffixes
        .iter()
        .find_map(|s| name.strip_suffix(s).filter(|rest| !rest.is_empty()))
        .unwrap_or(name)
}

/// One county: the plan against the later edition.
#[derive(Debug, Clone, PartialEq)]
pub struct CountyCheck {
    pub county: CountyId,
    pub townships_before: usize,
    pub townships_simulated: usize,
    pub townships_real: usize,
    /// Streets, towns and rural townships (乡, ethnic ones included), simulated and real.
    pub kinds_simulated: [usize; 3],
    pub kinds_real: [usize; 3],
    pub villages_before: usize,
    pub villages_simulated: usize,
    /// `None` without later villages.
    pub villages_real: Option<usize>,
    /// Old townships whose later township is known, and those the plan puts with exactly
    /// their real partners.
    pub placed: usize,
    pub same_partners: usize,
}

/// Pairs of old townships of one county in one unit, real and simulated.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Pairs {
    pub real: u64,
    pub simulated: u64,
    pub both: u64,
}

/// The whole comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct Validation {
    pub counties: Vec<CountyCheck>,
    /// Later counties none of whose townships is in the dataset (code, townships): left out.
    pub unmatched: Vec<(String, usize)>,
    pub pairs: Pairs,
}

impl Validation {
    /// Mean absolute error per county of the simulated township count.
    pub fn township_mae(&self) -> f64 {
        self.mae(|c| Some((c.townships_simulated, c.townships_real)))
            .unwrap_or(0.0)
    }

    /// The same for the dataset as it was (no reform): the yardstick.
    pub fn township_mae_before(&self) -> f64 {
        self.mae(|c| Some((c.townships_before, c.townships_real)))
            .unwrap_or(0.0)
    }

    /// Mean absolute error per county of the simulated village count, if later villages
    /// were given.
    pub fn village_mae(&self) -> Option<f64> {
        self.mae(|c| Some((c.villages_simulated, c.villages_real?)))
    }

    pub fn village_mae_before(&self) -> Option<f64> {
        self.mae(|c| Some((c.villages_before, c.villages_real?)))
    }

    /// The mean over counties of |a − b| for the pair `of` gives, if it gives one for each.
    fn mae(&self, of: impl Fn(&CountyCheck) -> Option<(usize, usize)>) -> Option<f64> {
        let errors: Option<Vec<f64>> = self
            .counties
            .iter()
            .map(|c| of(c).map(|(a, b)| a.abs_diff(b) as f64))
            .collect();
        errors.map(|e| mean(e.into_iter()))
    }

    /// Share of placed old townships the plan puts with exactly their real partners.
    pub fn partner_share(&self) -> f64 {
        let placed: usize = self.counties.iter().map(|c| c.placed).sum();
        let same: usize = self.counties.iter().map(|c| c.same_partners).sum();
        same as f64 / placed.max(1) as f64
    }

    /// Of the pairs the plan merges, the share that merged in reality.
    pub fn pair_precision(&self) -> f64 {
        self.pairs.both as f64 / self.pairs.simulated.max(1) as f64
    }

    /// Of the pairs that merged in reality, the share the plan merges.
    pub fn pair_recall(&self) -> f64 {
        self.pairs.both as f64 / self.pairs.real.max(1) as f64
    }
}

fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    sum / n.max(1) as f64
}

/// Which of the three kinds counted a township is.
fn kind_slot(kind: TownshipKind) -> Option<usize> {
    match kind {
        TownshipKind::Street => Some(0),
        TownshipKind::Town => Some(1),
        TownshipKind::Township | TownshipKind::EthnicTownship => Some(2),
        TownshipKind::Special => None,
    }
}

/// Compares `plan` (made on `dataset`) with the later edition.
pub fn validate(dataset: &Dataset, plan: &MergePlan, later: &LaterCodes) -> Validation {
    Reference::new(dataset, later).check(dataset, plan)
}

/// A later edition matched to a dataset once: everything of the comparison that does not
/// depend on the plan, so that checking each new plan (an edit, a slider step) costs a pass
/// over its units.
#[derive(Debug, Clone, PartialEq)]
pub struct Reference {
    /// Per county, with the simulated figures still zero.
    counties: Vec<CountyCheck>,
    /// Each old township's later township (an index into the later townships), if known.
    homes: Vec<Option<usize>>,
    unmatched: Vec<(String, usize)>,
    /// What the edition is called (its year), empty if unknown.
    pub label: String,
}

impl Reference {
    pub fn new(dataset: &Dataset, later: &LaterCodes) -> Self {
        let county_of_later = match_counties(dataset, later);
        let later_county: HashMap<&str, Option<CountyId>> = later
            .townships
            .iter()
            .map(|t| (t.code.as_str(), county_of_later[t.county_code.as_str()]))
            .collect();
        let mut counties: Vec<CountyCheck> = dataset
            .counties
            .keys()
            .map(|county| CountyCheck {
                county,
                townships_before: 0,
                townships_simulated: 0,
                townships_real: 0,
                kinds_simulated: [0; 3],
                kinds_real: [0; 3],
                villages_before: 0,
                villages_simulated: 0,
                villages_real: (!later.villages.is_empty()).then_some(0),
                placed: 0,
                same_partners: 0,
            })
            .collect();
        for t in &dataset.townships {
            counties[t.county.index()].townships_before += 1;
        }
        for v in &dataset.villages {
            counties[dataset.townships[v.township].county.index()].villages_before += 1;
        }
        for t in &later.townships {
            if let Some(county) = county_of_later[t.county_code.as_str()] {
                let check = &mut counties[county.index()];
                check.townships_real += 1;
                if let Some(slot) = kind_slot(t.kind) {
                    check.kinds_real[slot] += 1;
                }
            }
        }
        for v in &later.villages {
            let county = later_county
                .get(v.township_code.as_str())
                .copied()
                .flatten();
            if let Some(real) = county.and_then(|c| counties[c.index()].villages_real.as_mut()) {
                *real += 1;
            }
        }
        let homes = later_homes(dataset, later, &later_county);
        let mut unmatched: Vec<(String, usize)> = Vec::new();
        for t in &later.townships {
            if county_of_later[t.county_code.as_str()].is_none() {
                match unmatched.last_mut() {
                    Some((code, count)) if *code == t.county_code => *count += 1,
                    _ => unmatched.push((t.county_code.clone(), 1)),
                }
            }
        }
        Self {
            counties,
            homes,
            unmatched,
            label: String::new(),
        }
    }

    fn labelled(self, label: String) -> Self {
        Self { label, ..self }
    }

    /// Compares `plan`, made on the dataset this reference was matched to.
    pub fn check(&self, dataset: &Dataset, plan: &MergePlan) -> Validation {
        let mut checks = self.counties.clone();
        for unit in plan.townships.units.iter() {
            let seat = &dataset.townships[unit.seat];
            let check = &mut checks[seat.county.index()];
            check.townships_simulated += 1;
            if let Some(slot) = kind_slot(seat.kind) {
                check.kinds_simulated[slot] += 1;
            }
        }
        for unit in plan.villages.units.iter() {
            checks[dataset.county_of_village(unit.seat).index()].villages_simulated += 1;
        }

        // Partners: each old township's later township, then the groups compared.
        let mut home_count: HashMap<usize, usize> = HashMap::new();
        let mut sim_count: HashMap<usize, usize> = HashMap::new();
        let mut cell_count: HashMap<(usize, usize), usize> = HashMap::new();
        let placed: Vec<(TownshipId, usize, usize)> = dataset
            .townships
            .keys()
            .filter_map(|t| {
                let home = self.homes[t.index()]?;
                Some((t, home, plan.townships.new_of[t].index()))
            })
            .collect();
        for &(_, home, sim) in &placed {
            *home_count.entry(home).or_default() += 1;
            *sim_count.entry(sim).or_default() += 1;
            *cell_count.entry((home, sim)).or_default() += 1;
        }
        for &(t, home, sim) in &placed {
            let check = &mut checks[dataset.townships[t].county.index()];
            check.placed += 1;
            let together = cell_count[&(home, sim)];
            if together == home_count[&home] && together == sim_count[&sim] {
                check.same_partners += 1;
            }
        }
        let pairs_of = |counts: &mut dyn Iterator<Item = usize>| -> u64 {
            counts.map(|k| (k * k.saturating_sub(1) / 2) as u64).sum()
        };
        let pairs = Pairs {
            real: pairs_of(&mut home_count.values().copied()),
            simulated: pairs_of(&mut sim_count.values().copied()),
            both: pairs_of(&mut cell_count.values().copied()),
        };
        Validation {
            counties: checks,
            unmatched: self.unmatched.clone(),
            pairs,
        }
    }
}

/// Each later county's dataset county: the one most of its townships come from, by code,
/// else by name (see the module documentation); `None` if no township matches.
fn match_counties<'l>(
    dataset: &Dataset,
    later: &'l LaterCodes,
) -> HashMap<&'l str, Option<CountyId>> {
    let by_code: HashMap<&str, CountyId> = dataset
        .townships
        .iter()
        .map(|t| (t.code.as_str(), t.county))
        .collect();
    let mut by_name: HashMap<&str, Vec<CountyId>> = HashMap::new();
    for t in &dataset.townships {
        by_name
            .entry(township_stem(&t.name))
            .or_default()
            .push(t.county);
    }
    let county_code: HashMap<&str, CountyId> = dataset
        .counties
        .iter_enumerated()
        .map(|(id, c)| (c.code.as_str(), id))
        .collect();
    let mut votes: HashMap<&str, HashMap<CountyId, f64>> = HashMap::new();
    for t in &later.townships {
        let tally = votes.entry(t.county_code.as_str()).or_default();
        if let Some(&county) = by_code.get(t.code.as_str()) {
            *tally.entry(county).or_default() += 1.0;
        } else if let Some(counties) = by_name.get(township_stem(&t.name)) {
            // A common name (城关镇) votes for each county that has it, a little.
            for &county in counties {
                *tally.entry(county).or_default() += 1.0 / counties.len() as f64;
            }
        }
    }
    votes
        .into_iter()
        .map(|(code, tally)| {
            let best = tally
                .into_iter()
                .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
                .map(|(county, _)| county)
                .or_else(|| county_code.get(code).copied());
            (code, best)
        })
        .collect()
}

/// Each old township's later township (an index into `later.townships`), if the names or
/// codes show it.
fn later_homes(
    dataset: &Dataset,
    later: &LaterCodes,
    later_county: &HashMap<&str, Option<CountyId>>,
) -> Vec<Option<usize>> {
    let later_index: HashMap<&str, usize> = later
        .townships
        .iter()
        .enumerate()
        .map(|(i, t)| (t.code.as_str(), i))
        .collect();
    // Later villages by county and name; a name found twice in a county shows nothing.
    let mut villages: HashMap<(CountyId, &str), Option<usize>> = HashMap::new();
    for v in &later.villages {
        let Some(&township) = later_index.get(v.township_code.as_str()) else {
            continue;
        };
        let Some(county) = later_county[later.townships[township].code.as_str()] else {
            continue;
        };
        villages
            .entry((county, village_stem(&v.name)))
            .and_modify(|found| *found = None)
            .or_insert(Some(township));
    }
    let mut townships: HashMap<(CountyId, &str), Option<usize>> = HashMap::new();
    for (i, t) in later.townships.iter().enumerate() {
        if let Some(county) = later_county[t.code.as_str()] {
            townships
                .entry((county, township_stem(&t.name)))
                .and_modify(|found| *found = None)
                .or_insert(Some(i));
        }
    }
    let by_township = dataset.villages_by_township();
    dataset
        .townships
        .iter_enumerated()
        .map(|(id, t)| {
            let mut votes: HashMap<usize, usize> = HashMap::new();
            for &v in &by_township[id] {
                let name = village_stem(&dataset.villages[v].name);
                if let Some(&Some(home)) = villages.get(&(t.county, name)) {
                    *votes.entry(home).or_default() += 1;
                }
            }
            let by_villages = votes
                .into_iter()
                .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
                .map(|(home, _)| home);
            let stem = township_stem(&t.name);
            let by_code = later_index
                .get(t.code.as_str())
                .copied()
                .filter(|&i| township_stem(&later.townships[i].name) == stem);
            let by_name = townships.get(&(t.county, stem)).copied().flatten();
            by_villages.or(by_code).or(by_name)
        })
        .collect()
}

/// The columns of `validate --out`.
const COLUMNS: &[crate::table::Column] = &[
    crate::table::Column::new("county_code", "区县代码", "county code"),
    crate::table::Column::new("county_name", "区县名称", "county name"),
    crate::table::Column::new("townships_before", "调整前乡镇数", "townships before"),
    crate::table::Column::new("townships_simulated", "模拟乡镇数", "townships simulated"),
    crate::table::Column::new("townships_real", "实际乡镇数", "townships real"),
    crate::table::Column::new("townships_error", "乡镇数差", "township error"),
    crate::table::Column::new("streets_simulated", "模拟街道数", "streets simulated"),
    crate::table::Column::new("streets_real", "实际街道数", "streets real"),
    crate::table::Column::new("towns_simulated", "模拟镇数", "towns simulated"),
    crate::table::Column::new("towns_real", "实际镇数", "towns real"),
    crate::table::Column::new("rural_simulated", "模拟乡数", "rural townships simulated"),
    crate::table::Column::new("rural_real", "实际乡数", "rural townships real"),
    crate::table::Column::new("villages_before", "调整前村级数", "villages before"),
    crate::table::Column::new("villages_simulated", "模拟村级数", "villages simulated"),
    crate::table::Column::new("villages_real", "实际村级数", "villages real"),
    crate::table::Column::new("placed", "可对照乡镇数", "townships placed"),
    crate::table::Column::new("same_partners", "合并对象相同", "same partners"),
];

/// Every county's comparison as a table (`validate --out`).
pub fn write_table(
    validation: &Validation,
    dataset: &Dataset,
    out: &mut dyn TableWriter,
) -> std::io::Result<()> {
    out.header(COLUMNS)?;
    for c in &validation.counties {
        let county = &dataset.counties[c.county];
        let count = |n: usize| Cell::Count(n as u64);
        out.row(&[
            Cell::code(&county.code),
            Cell::text(&county.name),
            count(c.townships_before),
            count(c.townships_simulated),
            count(c.townships_real),
            Cell::Number(c.townships_simulated as f64 - c.townships_real as f64),
            count(c.kinds_simulated[0]),
            count(c.kinds_real[0]),
            count(c.kinds_simulated[1]),
            count(c.kinds_real[1]),
            count(c.kinds_simulated[2]),
            count(c.kinds_real[2]),
            count(c.villages_before),
            count(c.villages_simulated),
            c.villages_real.map_or(Cell::Empty, count),
            count(c.placed),
            count(c.same_partners),
        ])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_compared_without_their_kind() {
        assert_eq!(township_stem("郫筒镇"), "郫筒");
        assert_eq!(township_stem("郫筒街道"), "郫筒");
        assert_eq!(township_stem("督院街街道办事处"), "督院街");
        assert_eq!(township_stem("某某彝族乡"), "某某彝族");
        assert_eq!(village_stem("多福巷社区居委会"), "多福巷");
        assert_eq!(village_stem("青石桥村民委员会"), "青石桥");
        assert_eq!(village_stem("青石桥村"), "青石桥");
        // A name that is only the suffix stays whole.
        assert_eq!(township_stem("镇"), "镇");
    }
}
