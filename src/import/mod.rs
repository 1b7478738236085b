//! Loading a dataset folder into a validated [`Dataset`].
//!
//! A dataset is a folder with these files (names are the contract; see README.md):
//!
//! | file | required | what |
//! |---|---|---|
//! | `townships.csv` | yes | one row per township-level unit |
//! | `villages.csv` | yes | one row per village-level unit |
//! | `counties.csv` | no | county names and cities (else from `counties.geojson`, else inferred) |
//! | `counties.geojson` / `.shp` / `.gpkg` | no | county outlines |
//! | `townships.geojson` / `.shp` / `.gpkg` | no | township boundaries, joined by code |
//! | `villages.geojson` / `.shp` / `.gpkg` | no | village boundaries, joined by code |
//! | `adjacency.csv` | no | neighbour pairs (code, neighbour's code); needed where units have no place |
//! | `dem.asc` | no | elevation grid (terrain classes, terrain-adjusted distance) |
//! | `dataset.toml` | no | display name, which figures are modelled, sources |

pub mod boundaries;
pub mod columns;
pub mod error;
pub mod fuzzing;
mod geopackage;
pub mod header;
pub mod limits;
mod neighbours;
pub mod table;
pub mod text;

pub use error::{ColumnsProblem, ImportError, LoadError, Problems};

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use geo::{GeodesicArea, InteriorPoint, MultiPolygon};

use crate::dem::Dem;
use crate::error::{Message, Problem};
use crate::model::{
    County, CountyId, Dataset, LonLat, Neighbours, Provenance, Terrain, Township, TownshipId,
    TownshipKind, Village, VillageKind,
};
use crate::progress::{Progress, Step};
use crate::tr;
use boundaries::{BoundaryFeature, read_boundaries};
use columns::ColumnMap;
use header::TableKind;
use table::{Column, Spec, Table};

/// A loaded dataset and the warnings its files gave.
#[derive(Debug)]
pub struct Loaded {
    pub dataset: Dataset,
    /// The first warnings (at most [`Problems::MAX_ERRORS`]).
    pub warnings: Vec<Problem>,
    /// Warnings past those, counted only.
    pub warnings_not_kept: usize,
}

/// Loads and validates the dataset in `dir`.
pub fn load_dataset(dir: &Path) -> Result<Loaded, ImportError> {
    load_dataset_with(dir, &Progress::new()).map_err(|e| e.into_import(dir))
}

/// How to read a dataset's tables beyond what their headers say.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// A column mapping (`--columns FILE`, or the app's dialog); else the folder's
    /// `columns.toml` if it has one.
    pub columns: Option<ColumnMap>,
}

/// Loads and validates the dataset in `dir`, reporting progress to `progress` and stopping
/// with [`LoadError::Cancelled`] soon after it is cancelled. Tables are streamed: memory grows
/// with the records kept, not with the size of the files.
pub fn load_dataset_with(dir: &Path, progress: &Progress) -> Result<Loaded, LoadError> {
    load_dataset_opts(dir, &LoadOptions::default(), progress)
}

/// [`load_dataset_with`], with a column mapping.
pub fn load_dataset_opts(
    dir: &Path,
    options: &LoadOptions,
    progress: &Progress,
) -> Result<Loaded, LoadError> {
    check_folder(dir)?;
    let mut problems = Problems::default();
    let columns = column_map(dir, options)?;
    progress.begin(Step::Boundaries, 0);
    let provenance = read_provenance(dir)?;
    let dem = existing(dir, &["dem.asc"])
        .map(|p| Dem::read(&p))
        .transpose()?;
    let shapes = Shapes::read(dir, &mut problems)?;
    let shapes_crs = shapes.crs.clone();
    progress.check()?;
    let units = Units::read(dir, &columns, &provenance, shapes, &mut problems, progress)?;
    let declared = match table_file(dir, TableKind::Neighbours, &columns)? {
        Some(path) => {
            let spec = (TableKind::Neighbours, &columns);
            let mut table = open_table(&path, spec, &mut problems, progress)?;
            let Units {
                townships,
                villages,
                ..
            } = &units;
            neighbours::read_neighbours(&mut table, townships, villages, &mut problems)?
        }
        None => Neighbours::default(),
    };
    let unlocated = units.unlocated(&declared, &mut problems);
    let Units {
        township_table,
        village_table,
        counties,
        mut townships,
        villages,
        ..
    } = units;
    progress.begin(Step::Checking, 0);
    fill_township_population(
        &township_table,
        &mut townships,
        village_table.is_some().then_some(villages.as_slice()),
        &mut problems,
    );
    problems.check()?;
    let dataset = Dataset {
        provenance,
        counties: counties.into(),
        townships: townships.into_iter().map(|(t, _)| t).collect(),
        villages: villages.into(),
        dem,
        neighbours: declared,
        unlocated,
        folders: vec![dir.to_path_buf()],
        crs: shapes_crs,
    };
    Ok(Loaded {
        dataset,
        warnings: problems.warnings,
        warnings_not_kept: problems.warnings_not_kept,
    })
}

/// The units of a dataset folder as read from its tables, with the tables (for messages)
/// and the rows of the units without a place.
struct Units<'p> {
    township_table: Table<'p>,
    village_table: Option<Table<'p>>,
    counties: Vec<County>,
    townships: Vec<TownshipRow>,
    villages: Vec<Village>,
    unplaced: (Vec<u64>, Vec<u64>),
}

impl<'p> Units<'p> {
    /// Reads the county, township and village tables.
    fn read(
        dir: &Path,
        columns: &ColumnMap,
        provenance: &Provenance,
        shapes: Shapes,
        problems: &mut Problems,
        progress: &'p Progress,
    ) -> Result<Self, LoadError> {
        let (mut township_table, mut village_table) =
            open_unit_tables(dir, columns, problems, progress)?;
        let limits = limits::Limits::read(dir)?;
        let plausible = |level| limits::Plausibility::new(limits, level, provenance);
        let counties_path = table_file(dir, TableKind::Counties, columns)?;
        let mut counties = read_counties(
            counties_path.as_deref(),
            columns,
            &shapes.counties,
            problems,
            progress,
        )?;
        let mut unplaced = (Vec::new(), Vec::new());
        let townships = read_townships(
            &mut township_table,
            &mut counties,
            shapes.townships,
            &mut unplaced.0,
            problems,
            plausible(limits::Level::Townships),
        )?;
        let villages = match &mut village_table {
            Some(table) => read_villages(
                table,
                &townships,
                shapes.villages,
                &mut unplaced.1,
                problems,
                plausible(limits::Level::Villages),
            )?,
            None => Vec::new(),
        };
        Ok(Self {
            township_table,
            village_table,
            counties,
            townships,
            villages,
            unplaced,
        })
    }

    /// Whether some unit has no place (see [`judge_unplaced`]).
    fn unlocated(&self, declared: &Neighbours, problems: &mut Problems) -> bool {
        let townships = judge_unplaced(
            &self.township_table,
            Message::new("townships", "乡镇"),
            &self.unplaced.0,
            self.townships.len(),
            !declared.townships.is_empty(),
            problems,
        );
        let villages = self.village_table.as_ref().is_some_and(|table| {
            judge_unplaced(
                table,
                Message::new("villages", "村"),
                &self.unplaced.1,
                self.villages.len(),
                !declared.villages.is_empty(),
                problems,
            )
        });
        townships || villages
    }
}

/// Refuses a path that is not a folder.
fn check_folder(dir: &Path) -> Result<(), LoadError> {
    if dir.is_dir() {
        return Ok(());
    }
    Err(Problem::file(
        dir,
        Message::new(
            "not a folder; a dataset is a folder with townships.csv and villages.csv",
            "不是文件夹；数据集是一个含 townships.csv 和 villages.csv 的文件夹",
        ),
    )
    .into())
}

/// The column mapping: the one given, else the folder's `columns.toml`, else none.
fn column_map(dir: &Path, options: &LoadOptions) -> Result<ColumnMap, ImportError> {
    Ok(match &options.columns {
        Some(map) => map.clone(),
        None => match existing(dir, &[columns::FILE_NAME]) {
            Some(path) => ColumnMap::read(&path)?,
            None => ColumnMap::default(),
        },
    })
}

/// A dataset folder's boundary files, read (the townships' and villages' with their path),
/// and the coordinate system they came in (the townships', else the counties').
struct Shapes {
    counties: Vec<BoundaryFeature>,
    townships: Option<(Vec<BoundaryFeature>, PathBuf)>,
    villages: Option<(Vec<BoundaryFeature>, PathBuf)>,
    crs: Option<crate::crs::Crs>,
}

impl Shapes {
    fn read(dir: &Path, problems: &mut Problems) -> Result<Self, ImportError> {
        let mut read = |kind: TableKind| -> Result<_, ImportError> {
            let stem = kind.stem();
            let names = [
                format!("{stem}.geojson"),
                format!("{stem}.json"),
                format!("{stem}.shp"),
                format!("{stem}.gpkg"),
            ];
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            match existing(dir, &names) {
                Some(p) => Ok(Some((read_boundaries(&p, kind, problems)?, p))),
                None => Ok(None),
            }
        };
        let counties = read(TableKind::Counties)?;
        let townships = read(TableKind::Townships)?;
        let villages = read(TableKind::Villages)?;
        let crs = [&townships, &counties, &villages]
            .into_iter()
            .flatten()
            .map(|(b, _)| b.crs.clone())
            .next();
        Ok(Self {
            counties: counties.map(|(b, _)| b.features).unwrap_or_default(),
            townships: townships.map(|(b, p)| (b.features, p)),
            villages: villages.map(|(b, p)| (b.features, p)),
            crs,
        })
    }
}

/// Opens the township table (required) and the village table (optional: without it the
/// townships load alone, said as a warning).
fn open_unit_tables<'p>(
    dir: &Path,
    columns: &ColumnMap,
    problems: &mut Problems,
    progress: &'p Progress,
) -> Result<(Table<'p>, Option<Table<'p>>), LoadError> {
    let townships_path = table_file(dir, TableKind::Townships, columns)?
        .ok_or_else(|| missing_table(dir, TableKind::Townships))?;
    let townships = open_table(
        &townships_path,
        (TableKind::Townships, columns),
        problems,
        progress,
    )?;
    let villages = match table_file(dir, TableKind::Villages, columns)? {
        Some(path) => Some(open_table(
            &path,
            (TableKind::Villages, columns),
            problems,
            progress,
        )?),
        None => {
            problems.warn(Problem::file(
                &dir.join("villages.csv"),
                Message::new(
                    "no village table: the townships load alone; village figures are shown as not available and only townships merge",
                    "没有村表：只载入乡镇；村级指标显示为无数据，只合并乡镇",
                ),
            ));
            None
        }
    };
    Ok((townships, villages))
}

fn existing(dir: &Path, names: &[&str]) -> Option<PathBuf> {
    names.iter().map(|n| dir.join(n)).find(|p| p.is_file())
}

/// The extensions a table may have, in the order they are looked for.
pub const TABLE_EXTENSIONS: &[&str] = &["csv", "tsv", "txt", "xlsx", "xls", "xlsm", "xlsb", "ods"];

/// A table's file: the one `columns.toml` names, else `<table>.csv` (or `.tsv`, `.txt`,
/// `.xlsx`, `.xls`, `.ods`) in the folder; `None` if there is none.
fn table_file(
    dir: &Path,
    table: TableKind,
    columns: &ColumnMap,
) -> Result<Option<PathBuf>, ImportError> {
    if let Some(file) = columns.table(table).and_then(|t| t.file.as_ref()) {
        let path = dir.join(file);
        if !path.is_file() {
            return Err(Problem::file(
                &path,
                tr!(
                    "the file named for [{}] in columns.toml is missing",
                    "columns.toml 中为 [{}] 指定的文件不存在",
                    table.stem()
                ),
            )
            .into());
        }
        return Ok(Some(path));
    }
    let names: Vec<String> = TABLE_EXTENSIONS
        .iter()
        .map(|ext| format!("{}.{ext}", table.stem()))
        .collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    Ok(existing(dir, &names))
}

fn missing_table(dir: &Path, table: TableKind) -> ImportError {
    Problem::file(
        &dir.join(format!("{}.csv", table.stem())),
        Message::new(
            "the file is missing; a dataset folder needs townships.csv and villages.csv (or .xlsx, .xls, .ods)",
            "缺少该文件；数据集文件夹需要 townships.csv 和 villages.csv（或 .xlsx、.xls、.ods）",
        ),
    )
    .into()
}

/// The columns a table must have.
pub fn required_columns(table: TableKind) -> &'static [Column] {
    match table {
        TableKind::Counties => &[Column::Code, Column::Name],
        TableKind::Townships => &[Column::Code, Column::Name, Column::CountyCode],
        TableKind::Villages => &[Column::Code, Column::Name, Column::TownshipCode],
        TableKind::Neighbours => &[Column::Code, Column::NeighbourCode],
    }
}

/// The columns a table may have, in the order a mapping lists them.
pub fn table_columns(table: TableKind) -> &'static [Column] {
    use Column::*;
    match table {
        TableKind::Counties => &[Code, Name, CityCode, CityName],
        TableKind::Townships => &[
            Code,
            Name,
            CountyCode,
            Kind,
            Lon,
            Lat,
            AreaKm2,
            RegisteredPop,
            ResidentPop,
            Terrain,
        ],
        TableKind::Villages => &[
            Code,
            Name,
            TownshipCode,
            Kind,
            Lon,
            Lat,
            AreaKm2,
            ResidentPop,
            RegisteredPop,
        ],
        TableKind::Neighbours => &[Code, NeighbourCode],
    }
}

/// Reads a whole table with a column mapping and types every mapped cell, as a load would:
/// the number of data rows, or the first problem (file, sheet, row and column). What the
/// mapping dialog checks live as fields are chosen. Problems that need the other tables
/// (unknown parent codes) show only when the dataset loads.
pub fn check_table(
    columns: &ColumnsProblem,
    mapping: &[(Column, String)],
) -> Result<usize, Problem> {
    let spec = Spec {
        table: columns.table,
        required: required_columns(columns.table),
        mapping,
        sheet: columns.sheet.as_deref(),
    };
    let first = |e: LoadError| {
        e.into_import(&columns.file)
            .problems
            .into_iter()
            .next()
            .unwrap_or_else(|| {
                Problem::file(&columns.file, Message::new("cannot read", "无法读取"))
            })
    };
    let mut problems = Problems::default();
    let progress = Progress::new();
    let mut table = Table::open(&columns.file, spec, &mut problems, &progress).map_err(first)?;
    let mut rows = 0;
    while let Some(row) = table.next_row(&mut problems).map_err(first)? {
        rows += 1;
        table.check_row(
            &row,
            table_columns(columns.table),
            required_columns(columns.table),
            &mut problems,
        );
        if let Some(problem) = problems.errors.first() {
            return Err(problem.clone());
        }
    }
    Ok(rows)
}

/// Opens a table of `kind` with its required columns, mapping and sheet from `columns`.
fn open_table<'p>(
    path: &Path,
    (table, columns): (TableKind, &ColumnMap),
    problems: &mut Problems,
    progress: &'p Progress,
) -> Result<Table<'p>, LoadError> {
    let mapping = columns.mapping(table);
    let spec = Spec {
        table,
        required: required_columns(table),
        mapping: &mapping,
        sheet: columns.table(table).and_then(|t| t.sheet.as_deref()),
    };
    Table::open(path, spec, problems, progress)
}

fn read_provenance(dir: &Path) -> Result<Provenance, ImportError> {
    let path = dir.join("dataset.toml");
    let fallback = Provenance {
        name: dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| dir.display().to_string()),
        ..Default::default()
    };
    if !path.is_file() {
        return Ok(fallback);
    }
    let text = std::fs::read_to_string(&path)
        .map_err(|e| Problem::file(&path, tr!("cannot read: {e}", "无法读取：{e}")))?;
    toml::from_str(&text).map_err(|e| {
        Problem::file(
            &path,
            tr!(
                "not a valid dataset manifest: {e}",
                "不是有效的数据集说明文件：{e}"
            ),
        )
        .into()
    })
}

fn read_counties(
    path: Option<&Path>,
    columns: &ColumnMap,
    shapes: &[BoundaryFeature],
    problems: &mut Problems,
    progress: &Progress,
) -> Result<Vec<County>, LoadError> {
    let mut counties = match path {
        Some(path) => counties_of_table(path, columns, problems, progress)?,
        None => shapes.iter().filter_map(county_of_outline).collect(),
    };
    let index: HashMap<&str, usize> = counties
        .iter()
        .enumerate()
        .map(|(i, c)| (c.code.as_str(), i))
        .collect();
    let mut joined = vec![None; counties.len()];
    for f in shapes {
        if let Some(&i) = f.code().and_then(|c| index.get(c)) {
            joined[i] = Some(f.shape.clone());
        }
    }
    for (county, shape) in counties.iter_mut().zip(joined) {
        county.boundary = shape;
    }
    Ok(counties)
}

/// The counties of a county table; a repeated code is an error.
fn counties_of_table(
    path: &Path,
    columns: &ColumnMap,
    problems: &mut Problems,
    progress: &Progress,
) -> Result<Vec<County>, LoadError> {
    let mut counties = Vec::new();
    let mut table = open_table(path, (TableKind::Counties, columns), problems, progress)?;
    table.start_progress(Step::Counties);
    let mut seen: HashMap<String, u64> = HashMap::new();
    while let Some(row) = table.next_row(problems)? {
        let row = &row;
        let (Some(code), Some(name)) = (
            table.code(row, Column::Code, problems),
            table.required_text(row, Column::Name, problems),
        ) else {
            continue;
        };
        if let Some(first) = seen.insert(code.clone(), row.line) {
            problems.error(Problem::cell(
                path,
                row.line,
                table.header(Column::Code),
                tr!(
                    "code {code} duplicates row {first}",
                    "代码 {code} 与第 {first} 行重复"
                ),
            ));
            continue;
        }
        let text = |column| table.text(row, column).unwrap_or_default().to_string();
        counties.push(County {
            code,
            name,
            city_code: text(Column::CityCode),
            city_name: text(Column::CityName),
            boundary: None,
        });
    }
    Ok(counties)
}

/// A county from an outline's attributes, if it has a code and a name.
fn county_of_outline(f: &BoundaryFeature) -> Option<County> {
    let (code, name) = (f.code()?, f.attributes.get(&Column::Name)?);
    let attribute = |column| f.attributes.get(&column).cloned().unwrap_or_default();
    Some(County {
        code: code.to_string(),
        name: name.clone(),
        city_code: attribute(Column::CityCode),
        city_name: attribute(Column::CityName),
        boundary: None,
    })
}

/// Boundaries of a file keyed by code; unknown and duplicate codes are reported.
fn shapes_by_code(
    shapes: Option<(Vec<BoundaryFeature>, PathBuf)>,
    known: &HashMap<String, usize>,
    problems: &mut Problems,
) -> HashMap<usize, MultiPolygon<f64>> {
    let mut out = HashMap::new();
    let Some((features, path)) = shapes else {
        return out;
    };
    for f in features {
        let Some(code) = f.code().map(str::to_string) else {
            problems.error(Problem::feature(
                &path,
                f.index,
                None,
                Message::new(
                    "the feature has no code property (代码/code) to join it to a record",
                    "该要素没有代码属性（代码/code），无法与记录对应",
                ),
            ));
            continue;
        };
        match known.get(&code) {
            Some(&i) => {
                if out.insert(i, f.shape).is_some() {
                    problems.error(Problem::feature(
                        &path,
                        f.index,
                        Some(&code),
                        Message::new(
                            "a second boundary for the same code",
                            "同一代码的第二个边界",
                        ),
                    ));
                }
            }
            None => problems.warn(Problem::feature(
                &path,
                f.index,
                Some(&code),
                Message::new(
                    "no record with this code; the boundary is ignored",
                    "没有该代码的记录；已忽略此边界",
                ),
            )),
        }
    }
    out
}

/// Township rows with the row line kept for later messages.
type TownshipRow = (Township, u64);

/// Reads the townships; the rows of those without a place go to `unplaced`.
fn read_townships(
    table: &mut Table,
    counties: &mut Vec<County>,
    shapes: Option<(Vec<BoundaryFeature>, PathBuf)>,
    unplaced: &mut Vec<u64>,
    problems: &mut Problems,
    mut plausibility: limits::Plausibility,
) -> Result<Vec<TownshipRow>, LoadError> {
    table.start_progress(Step::Townships);
    let mut county_of = CountyLookup::new(counties, table, problems);
    let mut codes: HashMap<String, usize> = HashMap::new();
    let mut rows_of: Vec<u64> = Vec::new();
    let mut out: Vec<TownshipRow> = Vec::new();
    while let Some(row) = table.next_row(problems)? {
        let row = &row;
        let before = problems.errors.len();
        let code = table.code(row, Column::Code, problems);
        let name = table.required_text(row, Column::Name, problems);
        let county_code = table.code(row, Column::CountyCode, problems);
        let county = county_code
            .as_ref()
            .and_then(|cc| county_of.get(counties, cc, table, row.line, problems));
        let kind = township_kind(table, row, code.as_deref(), name.as_deref(), problems);
        let terrain = terrain_of(table, row, problems);
        let seat = read_point(table, row, problems);
        let figures = UnitFigures::read(table, row, &mut plausibility, problems);
        if let (Some(code), Some(cc)) = (&code, &county_code) {
            check_township_prefix(table, row.line, code, cc, problems);
        }
        if is_duplicate(table, row, code.as_deref(), &codes, &rows_of, problems)
            || problems.errors.len() > before
        {
            continue;
        }
        let (Some(code), Some(name), Some(county), Some(kind)) = (code, name, county, kind) else {
            continue;
        };
        codes.insert(code.clone(), out.len());
        rows_of.push(row.line);
        out.push((
            Township {
                code,
                name,
                county: CountyId::from(county),
                kind,
                seat: seat.unwrap_or(LonLat::new(f64::NAN, f64::NAN)),
                area_km2: figures.area.unwrap_or(f64::NAN),
                registered_pop: figures.registered.unwrap_or(f64::NAN),
                resident_pop: figures.resident.ok().flatten().unwrap_or(f64::NAN),
                terrain,
                boundary: None,
            },
            row.line,
        ));
    }
    plausibility.finish(table, problems);
    if out.is_empty() && problems.errors.is_empty() {
        problems.error(no_rows(&table.file));
    }
    let mut shapes = shapes_by_code(shapes, &codes, problems);
    for (i, (t, line)) in out.iter_mut().enumerate() {
        t.boundary = shapes.remove(&i);
        if !complete_geometry(
            &table.file,
            *line,
            table,
            &mut t.seat,
            &mut t.area_km2,
            t.boundary.as_ref(),
            problems,
        ) {
            unplaced.push(*line);
        }
    }
    Ok(out)
}

/// Counties by code, for the township rows: those of the county list, or (without one) made
/// from the codes the rows give, named by code.
struct CountyLookup {
    index: HashMap<String, usize>,
    infer: bool,
}

impl CountyLookup {
    fn new(counties: &[County], table: &Table, problems: &mut Problems) -> Self {
        let infer = counties.is_empty();
        if infer {
            problems.warn(Problem::file(
                &table.file,
                Message::new(
                    "no counties.csv or county outlines: counties are inferred from county codes and named by code",
                    "没有 counties.csv 或区县边界：区县由区县代码推断，并以代码命名",
                ),
            ));
        }
        let index = counties
            .iter()
            .enumerate()
            .map(|(i, c)| (c.code.clone(), i))
            .collect();
        Self { index, infer }
    }

    /// The county of code `cc`, named in row `line`; an unknown one is an error unless the
    /// counties are inferred.
    fn get(
        &mut self,
        counties: &mut Vec<County>,
        cc: &str,
        table: &Table,
        line: u64,
        problems: &mut Problems,
    ) -> Option<usize> {
        if let Some(&i) = self.index.get(cc) {
            return Some(i);
        }
        if self.infer {
            counties.push(County {
                code: cc.to_string(),
                name: cc.to_string(),
                city_code: String::new(),
                city_name: String::new(),
                boundary: None,
            });
            self.index.insert(cc.to_string(), counties.len() - 1);
            return Some(counties.len() - 1);
        }
        problems.error(Problem::cell(
            &table.file,
            line,
            table.header(Column::CountyCode),
            tr!(
                "county {cc} is not in the county list",
                "区县 {cc} 不在区县表中"
            ),
        ));
        None
    }
}

/// A township row's kind: its kind column, else from its code and name.
fn township_kind(
    table: &Table,
    row: &table::Row,
    code: Option<&str>,
    name: Option<&str>,
    problems: &mut Problems,
) -> Option<TownshipKind> {
    let cell_error = |problems: &mut Problems, message: Message| {
        problems.error(Problem::cell(
            &table.file,
            row.line,
            table.header(Column::Kind),
            message,
        ));
    };
    match (table.text(row, Column::Kind), code, name) {
        (Some(k), _, _) => TownshipKind::parse(k).or_else(|| {
            cell_error(problems, tr!(
                "unknown kind '{k}'; use street/town/township/ethnic_township/special or 街道/镇/乡/民族乡",
                "未知类型 '{k}'；请用 街道/镇/乡/民族乡 或 street/town/township/ethnic_township/special"
            ));
            None
        }),
        (None, Some(code), Some(name)) => TownshipKind::from_code_and_name(code, name)
            .or_else(|| kind_from_township_name(name))
            .or_else(|| {
                cell_error(problems, no_kind());
                None
            }),
        _ => None,
    }
}

/// A township row's terrain class, if its table gives one.
fn terrain_of(table: &Table, row: &table::Row, problems: &mut Problems) -> Option<Terrain> {
    let t = table.text(row, Column::Terrain)?;
    Terrain::parse(t).or_else(|| {
        problems.error(Problem::cell(
            &table.file,
            row.line,
            table.header(Column::Terrain),
            tr!(
                "unknown terrain '{t}'; use plain/hill/mountain/plateau or 平原/丘陵/山区/高原",
                "未知地形 '{t}'；请用 平原/丘陵/山区/高原 或 plain/hill/mountain/plateau"
            ),
        ));
        None
    })
}

/// A unit row's area and populations, checked against the plausibility limits. The resident
/// population keeps whether a cell that is not a number was reported (`Err`).
struct UnitFigures {
    area: Option<f64>,
    registered: Option<f64>,
    resident: Result<Option<f64>, table::Reported>,
}

impl UnitFigures {
    fn read(
        table: &Table,
        row: &table::Row,
        plausibility: &mut limits::Plausibility,
        problems: &mut Problems,
    ) -> Self {
        let area = table.number(row, Column::AreaKm2, problems).ok().flatten();
        // The two populations in the order of the file's columns, so their problems are.
        let resident_first =
            table.position(Column::ResidentPop) < table.position(Column::RegisteredPop);
        let (resident, registered) = if resident_first {
            let resident = table.number(row, Column::ResidentPop, problems);
            (resident, table.number(row, Column::RegisteredPop, problems))
        } else {
            let registered = table.number(row, Column::RegisteredPop, problems);
            (table.number(row, Column::ResidentPop, problems), registered)
        };
        let registered = registered.ok().flatten();
        for (column, value) in [
            (Column::AreaKm2, area),
            (Column::RegisteredPop, registered),
            (Column::ResidentPop, resident.ok().flatten()),
        ] {
            plausibility.check(table, row.line, column, value, problems);
        }
        Self {
            area,
            registered,
            resident,
        }
    }
}

/// Whether `code` was already seen (in `codes`, with the row of each in `lines`); reports the
/// duplicate naming the first row if so.
fn is_duplicate(
    table: &Table,
    row: &table::Row,
    code: Option<&str>,
    codes: &HashMap<String, usize>,
    lines: &[u64],
    problems: &mut Problems,
) -> bool {
    let Some(first) = code.and_then(|c| codes.get(c)) else {
        return false;
    };
    problems.error(Problem::cell(
        &table.file,
        row.line,
        table.header(Column::Code),
        tr!(
            "code {} duplicates row {}",
            "代码 {} 与第 {} 行重复",
            code.unwrap_or_default(),
            lines[*first]
        ),
    ));
    true
}

fn kind_from_township_name(name: &str) -> Option<TownshipKind> {
    if name.contains("街道") {
        Some(TownshipKind::Street)
    } else if name.ends_with("族乡") {
        Some(TownshipKind::EthnicTownship)
    } else if name.ends_with('镇') {
        Some(TownshipKind::Town)
    } else if name.ends_with('乡') {
        Some(TownshipKind::Township)
    } else {
        None
    }
}

/// Reads the lon/lat pair of a row; both or neither must be given.
fn read_point(table: &Table, row: &table::Row, problems: &mut Problems) -> Option<LonLat> {
    let lon = table.coordinate(row, Column::Lon, problems);
    let lat = table.coordinate(row, Column::Lat, problems);
    match (lon, lat) {
        (Ok(Some(lon)), Ok(Some(lat))) => {
            if !boundaries::in_china(lon, lat) {
                problems.warn(Problem::cell(
                    &table.file,
                    row.line,
                    table.header(Column::Lon),
                    tr!(
                        "({lon}, {lat}) is outside China",
                        "({lon}, {lat}) 在中国境外"
                    ),
                ));
            }
            Some(LonLat::new(lon, lat))
        }
        (Ok(Some(_)), Ok(None)) => {
            problems.error(Problem::cell(
                &table.file,
                row.line,
                table.header(Column::Lat),
                Message::new("longitude given without latitude", "有经度而无纬度"),
            ));
            None
        }
        (Ok(None), Ok(Some(_))) => {
            problems.error(Problem::cell(
                &table.file,
                row.line,
                table.header(Column::Lon),
                Message::new("latitude given without longitude", "有纬度而无经度"),
            ));
            None
        }
        _ => None,
    }
}

/// Fills a missing point and area from the boundary, or reports a missing area; `false` if
/// the unit has no place (no point and no boundary), which the caller judges with the
/// neighbour table in hand.
#[must_use]
fn complete_geometry(
    file: &Path,
    line: u64,
    table: &Table,
    point: &mut LonLat,
    area: &mut f64,
    boundary: Option<&MultiPolygon<f64>>,
    problems: &mut Problems,
) -> bool {
    let mut placed = true;
    if point.lon.is_nan() {
        match boundary.and_then(|b| b.interior_point()) {
            Some(p) => *point = LonLat::new(p.x(), p.y()),
            None => placed = false,
        }
    }
    if area.is_nan() {
        match boundary {
            Some(b) => *area = b.geodesic_area_unsigned() / 1e6,
            None => problems.error(Problem::cell(
                file,
                line,
                table.header(Column::AreaKm2),
                Message::new(
                    "no area (面积) and no boundary to measure it",
                    "没有面积，也没有可用于量算的边界",
                ),
            )),
        }
    }
    if *area == 0.0 {
        problems.warn(Problem::cell(
            file,
            line,
            table.header(Column::AreaKm2),
            Message::new("the area is 0", "面积为 0"),
        ));
    }
    placed
}

/// Reads the villages; the rows of those without a place go to `unplaced`.
fn read_villages(
    table: &mut Table,
    townships: &[TownshipRow],
    shapes: Option<(Vec<BoundaryFeature>, PathBuf)>,
    unplaced: &mut Vec<u64>,
    problems: &mut Problems,
    mut plausibility: limits::Plausibility,
) -> Result<Vec<Village>, LoadError> {
    table.start_progress(Step::Villages);
    let township_index: HashMap<&str, usize> = townships
        .iter()
        .enumerate()
        .map(|(i, (t, _))| (t.code.as_str(), i))
        .collect();
    let mut codes: HashMap<String, usize> = HashMap::new();
    let mut lines: Vec<u64> = Vec::new();
    let mut out = Vec::new();
    while let Some(row) = table.next_row(problems)? {
        let row = &row;
        let before = problems.errors.len();
        let code = table.code(row, Column::Code, problems);
        let name = table.required_text(row, Column::Name, problems);
        let township = table
            .code(row, Column::TownshipCode, problems)
            .and_then(|tc| township_of(&township_index, &tc, table, row.line, problems));
        let kind = village_kind(table, row, code.as_deref(), name.as_deref(), problems);
        if let (Some(code), Some(t)) = (&code, township) {
            check_village_county(table, row.line, code, &townships[t].0, problems);
        }
        let centre = read_point(table, row, problems);
        let figures = UnitFigures::read(table, row, &mut plausibility, problems);
        check_blank_resident(table, row.line, &figures, problems);
        if is_duplicate(table, row, code.as_deref(), &codes, &lines, problems)
            || problems.errors.len() > before
        {
            continue;
        }
        let (Some(code), Some(name), Some(township), Some(kind)) =
            (code, name, township.map(TownshipId::from), kind)
        else {
            continue;
        };
        let resident = figures.resident.ok().flatten();
        if resident == Some(0.0) {
            warn_no_residents(table, row.line, problems);
        }
        codes.insert(code.clone(), out.len());
        lines.push(row.line);
        out.push(Village {
            code,
            name,
            township,
            kind,
            centre: centre.unwrap_or(LonLat::new(f64::NAN, f64::NAN)),
            area_km2: figures.area.unwrap_or(f64::NAN),
            resident_pop: resident.unwrap_or(f64::NAN),
            registered_pop: figures.registered,
            boundary: None,
        });
    }
    finish_villages(table, &mut plausibility, out.is_empty(), problems);
    let mut shapes = shapes_by_code(shapes, &codes, problems);
    for (i, v) in out.iter_mut().enumerate() {
        v.boundary = shapes.remove(&i);
        if !complete_geometry(
            &table.file,
            lines[i],
            table,
            &mut v.centre,
            &mut v.area_km2,
            v.boundary.as_ref(),
            problems,
        ) {
            unplaced.push(lines[i]);
        }
    }
    Ok(out)
}

/// A blank resident population is an error (a cell that is not a number has been reported
/// already).
fn check_blank_resident(table: &Table, line: u64, figures: &UnitFigures, problems: &mut Problems) {
    if matches!(figures.resident, Ok(None)) && table.has(Column::ResidentPop) {
        problems.error(Problem::cell(
            &table.file,
            line,
            table.header(Column::ResidentPop),
            table::empty(),
        ));
    }
}

/// A unit without residents is possible (a new district being built) but doubtful.
fn warn_no_residents(table: &Table, line: u64, problems: &mut Problems) {
    problems.warn(Problem::cell(
        &table.file,
        line,
        table.header(Column::ResidentPop),
        Message::new("the resident population is 0", "常住人口为 0"),
    ));
}

/// What the village table as a whole lacks: a resident population column, any row; and the
/// modelled figures beyond the limits.
fn finish_villages(
    table: &Table,
    plausibility: &mut limits::Plausibility,
    no_rows_read: bool,
    problems: &mut Problems,
) {
    if !table.has(Column::ResidentPop) {
        problems.error(Problem::file(
            &table.file,
            Message::new(
                "no resident population column (常住人口/resident_pop)",
                "没有常住人口列（常住人口/resident_pop）",
            ),
        ));
    }
    plausibility.finish(table, problems);
    if no_rows_read && problems.errors.is_empty() {
        problems.error(no_rows(&table.file));
    }
}

/// The township a village row names; an unknown one is an error.
fn township_of(
    index: &HashMap<&str, usize>,
    tc: &str,
    table: &Table,
    line: u64,
    problems: &mut Problems,
) -> Option<usize> {
    let found = index.get(tc).copied();
    if found.is_none() {
        problems.error(Problem::cell(
            &table.file,
            line,
            table.header(Column::TownshipCode),
            tr!(
                "township {tc} is not in townships.csv",
                "乡镇 {tc} 不在 townships.csv 中"
            ),
        ));
    }
    found
}

/// A village row's kind: its kind column, else from its code or name.
fn village_kind(
    table: &Table,
    row: &table::Row,
    code: Option<&str>,
    name: Option<&str>,
    problems: &mut Problems,
) -> Option<VillageKind> {
    let mut cell_error = |message: Message| {
        problems.error(Problem::cell(
            &table.file,
            row.line,
            table.header(Column::Kind),
            message,
        ));
        None
    };
    match (table.text(row, Column::Kind), code, name) {
        (Some(k), _, _) => VillageKind::parse(k).or_else(|| {
            cell_error(tr!(
                "unknown kind '{k}'; use village/community/special or 村/社区",
                "未知类型 '{k}'；请用 村/社区 或 village/community/special"
            ))
        }),
        (None, Some(code), Some(name)) => VillageKind::from_code(code)
            .or_else(|| VillageKind::from_name(name))
            .or_else(|| cell_error(no_kind())),
        _ => None,
    }
}

/// Judges the units of a table that have no place (the rows in `unplaced`, of `total`):
/// with neighbour pairs at their level they load, and the dataset has no locations (`true`);
/// without, merges cannot know who borders whom, and that is said once for a table without
/// any coordinates, else per row.
fn judge_unplaced(
    table: &Table,
    noun: Message,
    unplaced: &[u64],
    total: usize,
    has_pairs: bool,
    problems: &mut Problems,
) -> bool {
    if unplaced.is_empty() {
        return false;
    }
    if has_pairs {
        problems.warn(Problem::file(
            &table.file,
            Message::new(
                format!(
                    "{} of {total} {} have no coordinates and no boundary: they merge by the neighbour table; distances, caps on the distance to a seat, the map and GIS files are not available",
                    unplaced.len(),
                    noun.en
                ),
                format!(
                    "{} / {total} 个{}没有坐标也没有边界：按相邻关系表合并；距离、驻地距离上限、地图和 GIS 文件不可用",
                    unplaced.len(),
                    noun.zh
                ),
            ),
        ));
        return true;
    }
    let needs = Message::new(
        "merges need locations (经度/纬度), boundaries or a neighbour table (adjacency.csv: pairs of neighbouring codes)",
        "合并需要位置（经度/纬度）、边界或相邻关系表（adjacency.csv：相邻单位的代码对）",
    );
    if unplaced.len() == total && !table.has(Column::Lon) {
        problems.error(Problem::file(
            &table.file,
            Message::new(
                format!("no coordinates and no boundaries: {}", needs.en),
                format!("没有坐标也没有边界：{}", needs.zh),
            ),
        ));
        return false;
    }
    for &line in unplaced {
        problems.error(Problem::cell(
            &table.file,
            line,
            table.header(Column::Lon),
            Message::new(
                format!("no coordinates and no boundary to place it; {}", needs.en),
                format!("没有坐标，也没有可用于定位的边界；{}", needs.zh),
            ),
        ));
    }
    false
}

/// Township populations not given in townships.csv are the sums of their villages' (`None`:
/// there is no village table, and they must be given).
fn fill_township_population(
    table: &Table,
    townships: &mut [TownshipRow],
    villages: Option<&[Village]>,
    problems: &mut Problems,
) {
    let Some(villages) = villages else {
        for (t, line) in townships.iter() {
            for (value, column) in [
                (t.resident_pop, Column::ResidentPop),
                (t.registered_pop, Column::RegisteredPop),
            ] {
                if value.is_nan() {
                    problems.error(Problem::cell(
                        &table.file,
                        *line,
                        table.header(column),
                        Message::new(
                            "empty, and there is no village table to sum it from",
                            "为空，且没有可汇总的村表",
                        ),
                    ));
                }
            }
        }
        return;
    };
    let mut resident = vec![0.0; townships.len()];
    let mut registered = vec![Some(0.0); townships.len()];
    for v in villages {
        let t = v.township.index();
        resident[t] += v.resident_pop;
        registered[t] = registered[t].zip(v.registered_pop).map(|(a, b)| a + b);
    }
    for (i, (t, line)) in townships.iter_mut().enumerate() {
        if t.resident_pop.is_nan() {
            t.resident_pop = resident[i];
        }
        if t.registered_pop.is_nan() {
            match registered[i] {
                Some(sum) => t.registered_pop = sum,
                None => problems.error(Problem::cell(
                    &table.file,
                    *line,
                    table.header(Column::RegisteredPop),
                    Message::new(
                        "no registered population (户籍人口) here and not every village gives one",
                        "此处没有户籍人口，且并非每个村都给出了户籍人口",
                    ),
                )),
            }
        }
        if t.resident_pop == 0.0 && t.kind.is_regular() {
            warn_no_residents(table, *line, problems);
        }
    }
}

/// The error for a table with a header and no data rows.
fn no_rows(file: &Path) -> Problem {
    Problem::file(
        file,
        Message::new(
            "the table has a header but no rows; a dataset needs at least one unit",
            "该表只有表头、没有数据行；数据集至少需要一个单位",
        ),
    )
}

/// Whether `code` is a standard division code of `digits` digits (a county's 6, a
/// township's 9, a village's 12).
fn is_standard_code(code: &str, digits: usize) -> bool {
    code.len() == digits && code.bytes().all(|b| b.is_ascii_digit())
}

/// Warns of a township whose code says another county than its county column does: it is
/// merged in the county of the column, which may be what the table meant (a township moved
/// to another county keeps its code until the next edition) or a slip.
fn check_township_prefix(
    table: &Table,
    line: u64,
    code: &str,
    county_code: &str,
    problems: &mut Problems,
) {
    if !(is_standard_code(code, 9) || is_standard_code(code, 12))
        || !is_standard_code(county_code, 6)
        || code.starts_with(county_code)
    {
        return;
    }
    let prefix = &code[..6];
    problems.warn(Problem::cell(
        &table.file,
        line,
        table.header(Column::CountyCode),
        tr!(
            "township {code}'s code says county {prefix}, this column {county_code}; it is merged in {county_code}",
            "乡镇 {code} 的代码表明属于区县 {prefix}，本列为 {county_code}；将在 {county_code} 内合并"
        ),
    ));
}

/// Refuses a village listed under a township of another county than its own code says: a
/// village never merges across counties, so the township code is taken to be a slip.
fn check_village_county(
    table: &Table,
    line: u64,
    code: &str,
    township: &Township,
    problems: &mut Problems,
) {
    let tc = &township.code;
    let township_standard = is_standard_code(tc, 9) || is_standard_code(tc, 12);
    if !is_standard_code(code, 12) || !township_standard || code[..6] == tc[..6] {
        return;
    }
    let (own, other) = (&code[..6], &tc[..6]);
    problems.error(Problem::cell(
        &table.file,
        line,
        table.header(Column::TownshipCode),
        tr!(
            "village {code}'s code says county {own}, but it is listed under township {tc} of county {other}; is the township code a slip?",
            "村 {code} 的代码表明属于区县 {own}，却列在区县 {other} 的乡镇 {tc} 之下；乡镇代码是否有误？"
        ),
    ));
}

/// "no kind given …", for a township or village whose kind cannot be known.
fn no_kind() -> Message {
    Message::new(
        "no kind given and none can be derived from the code or name",
        "没有给出类型，也无法从代码或名称推断",
    )
}
