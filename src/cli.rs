//! The headless command line: the same library calls the desktop app makes, so every figure
//! on a chart can be reproduced from a terminal.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use jianzhi::ImportError;
use jianzhi::Lang;
use jianzhi::builtin;
use jianzhi::import::columns::{self, ColumnMap};
use jianzhi::import::{LoadOptions, load_dataset_opts};
use jianzhi::metrics::Metric;
use jianzhi::model::Dataset;
use jianzhi::progress::{Progress, Step};
use jianzhi::report::export::{ExportOptions, export_run};
use jianzhi::report::figure;
use jianzhi::report::meta::Metadata;
use jianzhi::summary::{Summary, summarize};

/// Where the data comes from: `--data` (else the built-in demo) and `--columns`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Input<'a> {
    pub data: Option<&'a Path>,
    pub columns: Option<&'a Path>,
    /// `--province`: provinces instead of the demo (not with `--data`).
    pub province: Option<&'a str>,
    /// `--quotas`: a quota table written into every scenario read.
    pub quotas: Option<&'a Path>,
}

/// Reads a scenario (a file or a preset's name), with the quota table's quotas written in.
fn read_scenario(
    path: &Path,
    quotas: Option<&Path>,
) -> anyhow::Result<jianzhi::scenario::Scenario> {
    let scenario = jianzhi::scenario::Scenario::read(&builtin::scenario_path(path))?;
    Ok(match quotas {
        Some(table) => scenario.with_quotas(&jianzhi::scenario::quota::read_quotas(table)?),
        None => scenario,
    })
}

/// Loads `--data` (or the demo dataset), printing warnings to stderr, and progress too when
/// stderr is a terminal.
pub fn load(input: Input) -> anyhow::Result<Dataset> {
    let dir = input
        .data
        .map(Path::to_path_buf)
        .unwrap_or_else(builtin::demo_dir);
    let columns = match input.columns {
        Some(path) if !path.is_file() => {
            return Err(ImportError::from(columns::missing(path)).into());
        }
        Some(path) => Some(ColumnMap::read(path)?),
        None => None,
    };
    let options = LoadOptions { columns };
    // (--data and --province exclude each other: checked when the arguments are parsed.)
    let provinces = match input.province {
        Some(arg) => Some(jianzhi::national::resolve(arg).map_err(anyhow::Error::msg)?),
        None => None,
    };
    let progress = Progress::new();
    let loaded = std::thread::scope(|scope| {
        let loading = scope.spawn(|| match &provinces {
            Some(provinces) => jianzhi::national::load(provinces, &options, &progress),
            None => load_dataset_opts(&dir, &options, &progress),
        });
        watch(&loading, &progress);
        loading.join()
    })
    .map_err(|_| anyhow::anyhow!("the load stopped unexpectedly"))?
    .map_err(|e| e.into_import(&dir))?;
    if let Some(table) = input.quotas {
        jianzhi::scenario::quota::read_quotas(table)?.check(&loaded.dataset)?;
    }
    const SHOWN: usize = 20;
    for w in loaded.warnings.iter().take(SHOWN) {
        eprintln!("warning: {w}");
    }
    let more = loaded.warnings.len().saturating_sub(SHOWN) + loaded.warnings_not_kept;
    if more > 0 {
        eprintln!("warning: … and {more} more warnings");
    }
    Ok(loaded.dataset)
}

/// Shows `progress` on a terminal until `work` finishes.
fn watch<T>(work: &std::thread::ScopedJoinHandle<'_, T>, progress: &Progress) {
    if !std::io::stderr().is_terminal() {
        return;
    }
    while !work.is_finished() {
        std::thread::sleep(std::time::Duration::from_millis(200));
        let shown = progress.snapshot();
        let percent = shown
            .fraction
            .map(|f| format!(" {:.0}%", f * 100.0))
            .unwrap_or_default();
        eprint!("\r\x1b[Kloading: {}{percent}", step_name(shown.step));
    }
    eprint!("\r\x1b[K");
}

/// A step of loading, as the terminal shows it.
pub fn step_name(step: Step) -> &'static str {
    match step {
        Step::Starting => "starting",
        Step::Modelling => "modelling the national data (first use)",
        Step::Boundaries => "boundaries",
        Step::Counties => "counties.csv",
        Step::Townships => "townships.csv",
        Step::Villages => "villages.csv",
        Step::Checking => "checking",
        Step::Adjacency => "adjacency",
        Step::Terrain => "terrain",
        Step::Coverage => "coverage",
        Step::Writing => "writing",
        Step::Done => "done",
    }
}

/// The peak resident memory of this process so far (Linux `VmHWM`), in MiB.
pub fn peak_memory_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// "peak memory 123 MiB", or nothing where the system does not tell.
fn peak_memory_note() -> String {
    peak_memory_mib()
        .map(|m| format!(", peak memory {m:.0} MiB"))
        .unwrap_or_default()
}

/// The `summary` command: prints the statistics and writes `summary.csv` and `counties.csv`.
pub fn summary(
    input: Input,
    out: Option<&Path>,
    lang: Option<Lang>,
    timing: bool,
) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let dataset = load(input)?;
    let t_load = started.elapsed();
    let stats = summarize(&dataset);
    print!("{}", format_summary(&dataset, &stats.province));
    if let Some(out) = out {
        jianzhi::report::folder::write_run(out, &dataset.folders, |stage| {
            jianzhi::report::dataset::write(&dataset, &stats, stage, lang)
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", out.display()))
        })?;
        println!(
            "wrote {} and {}",
            out.join("summary.csv").display(),
            out.join("counties.csv").display()
        );
    }
    if timing {
        println!(
            "timing: load {:.0} ms, {} villages{}",
            t_load.as_secs_f64() * 1e3,
            dataset.villages.len(),
            peak_memory_note()
        );
    }
    Ok(())
}

/// A plain-text table of a summary, with the dataset's name and what is modelled.
pub fn format_summary(dataset: &Dataset, s: &Summary) -> String {
    let p = &dataset.provenance;
    let mut text = format!("Dataset: {}\n", p.name);
    if !p.modelled.is_empty() {
        let names: Vec<&str> = p.modelled.iter().map(|f| f.as_str()).collect();
        text += &format!("Modelled (synthetic) figures: {}\n", names.join(", "));
    }
    text += &format!("{:<30} {:>14}  basis\n", "metric", "value");
    for &m in Metric::UNITS {
        let value = match (m.of_summary(s), why_absent(dataset, m)) {
            (x, Some(why)) if x.is_none_or(f64::is_nan) => why.to_string(),
            (value, _) => shown(value),
        };
        text += &format!("{:<30} {:>14}  {}\n", m.key(), value, m.basis().of(p));
    }
    text
}

/// Why a figure of `dataset` may be missing, said in its place: village figures without a
/// village table, distances without locations.
fn why_absent(dataset: &Dataset, metric: Metric) -> Option<&'static str> {
    if dataset.villages.is_empty() {
        Some("no village data")
    } else if !dataset.has_locations() && metric.needs_locations() {
        Some("no locations")
    } else {
        None
    }
}

/// A figure for the terminal: whole numbers from 100 up, else two decimals; empty if
/// missing.
fn shown(x: Option<f64>) -> String {
    let Some(x) = x else {
        return String::new();
    };
    let rounded = if x.abs() >= 100.0 {
        x.round()
    } else {
        (x * 100.0).round() / 100.0
    };
    // No "-0" for tiny negative changes.
    figure(if rounded == 0.0 { 0.0 } else { rounded })
}

/// The `scale-data` command: the demo dataset with its villages split into parts, for
/// stress tests (everything modelled).
pub fn scale_data(villages: usize, out: &Path) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let demo = load(Input::default())?;
    jianzhi::demo::scaled::write_scaled(&demo, &builtin::demo_dir(), villages, out)?;
    println!(
        "wrote {} with {villages} villages (modelled) in {:.1} s",
        out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The `run` command: applies a scenario and writes the reports in `formats`.
pub fn run(
    scenario: &Path,
    input: Input,
    out: &Path,
    options: &ExportOptions,
    timing: bool,
) -> anyhow::Result<()> {
    use std::time::Instant;

    let t0 = Instant::now();
    let scenario = read_scenario(scenario, input.quotas)?;
    let dataset = load(input)?;
    let t_load = t0.elapsed();
    let t1 = Instant::now();
    let workspace = std::sync::Arc::new(jianzhi::workspace::Workspace::new(dataset));
    let t_prepare = t1.elapsed();
    let t2 = Instant::now();
    let analysis = workspace.analyse(&scenario)?;
    let t_apply = t2.elapsed();
    print!("{}", format_run(&analysis.report()));
    let t3 = Instant::now();
    let written = write_files(&analysis, out, options)?;
    let t_write = t3.elapsed();
    println!(
        "wrote {} files to {}: {}",
        written.len(),
        out.display(),
        file_names(&written)
    );
    if timing {
        // The peak of the run itself, before the runs below hold a second analysis.
        let peak = peak_memory_note();
        // The scenario again on the same workspace, as the app does at each change: the
        // median of five runs (the first, cold, included); and the township plan alone,
        // timed apart (what a regionalisation tool computes).
        let mut runs = vec![t_apply];
        for _ in 0..4 {
            let t = Instant::now();
            workspace.analyse(&scenario)?;
            runs.push(t.elapsed());
        }
        runs.sort();
        let t4 = Instant::now();
        let units = workspace.township_units_after(&scenario)?;
        let t_townships = t4.elapsed();
        let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
        println!(
            "timing: load {:.0} ms, adjacency, terrain and baseline coverage {:.0} ms, scenario with every figure {:.1} ms (median of 5 runs, the first {:.1} ms; the township plan alone, {} units, {:.1} ms), files {:.0} ms{}",
            ms(t_load),
            ms(t_prepare),
            ms(runs[2]),
            ms(t_apply),
            units,
            ms(t_townships),
            ms(t_write),
            peak
        );
    }
    Ok(())
}

/// The `compare` command: applies each scenario to one dataset and writes the comparison and
/// each scenario's files.
pub fn compare(
    scenarios: &[std::path::PathBuf],
    input: Input,
    out: &Path,
    options: &ExportOptions,
) -> anyhow::Result<()> {
    let scenarios = scenarios
        .iter()
        .map(|p| read_scenario(p, input.quotas))
        .collect::<Result<Vec<_>, _>>()?;
    let workspace = std::sync::Arc::new(jianzhi::workspace::Workspace::new(load(input)?));
    let analyses = scenarios
        .iter()
        .map(|s| workspace.analyse(s))
        .collect::<Result<Vec<_>, _>>()?;
    let comparison = jianzhi::report::compare::Comparison::new(analyses.iter().collect())
        .ok_or_else(|| anyhow::anyhow!("nothing to compare"))?;
    print!("{}", format_comparison(&comparison));
    let written = jianzhi::report::folder::write_run(out, &workspace.dataset().folders, |stage| {
        comparison.write(stage, options, &Progress::new())
    })?;
    println!("wrote {} files to {}", written.len(), out.display());
    Ok(())
}

/// The key figures of a comparison side by side.
pub fn format_comparison(c: &jianzhi::report::compare::Comparison) -> String {
    let names = c.names();
    let mut text = format!("{:<34} {:>12}", "metric", "before");
    for n in &names {
        // Names as wide as the columns: a Chinese character takes two places.
        use unicode_width::UnicodeWidthStr;
        let mut short = String::new();
        for c in n.chars() {
            if short.width() + c.to_string().width() > 14 {
                break;
            }
            short.push(c);
        }
        text += &format!(" {}{short}", " ".repeat(14 - short.width()));
    }
    text += "\n";
    for f in c.figures() {
        text += &format!("{:<34} {:>12}", f.metric.key(), shown(f.before));
        for after in &f.after {
            text += &format!(" {:>14}", shown(*after));
        }
        text += "\n";
    }
    text
}

/// Writes an analysis's files into `out` as `options` say.
fn write_files(
    analysis: &jianzhi::workspace::Analysis,
    out: &Path,
    options: &ExportOptions,
) -> anyhow::Result<Vec<std::path::PathBuf>> {
    let meta = Metadata::new(analysis.dataset(), [&analysis.scenario]);
    Ok(export_run(
        analysis,
        out,
        options,
        None,
        &meta,
        &Progress::new(),
    )?)
}

/// File names, comma-separated.
fn file_names(paths: &[std::path::PathBuf]) -> String {
    let names: Vec<String> = paths
        .iter()
        .filter_map(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .collect();
    names.join(", ")
}

/// A plain-text before/after table and the outcome of each level.
pub fn format_run(r: &jianzhi::report::run::RunReport) -> String {
    let p = &r.dataset().provenance;
    let mut text = format!("Dataset: {}\nScenario: {}\n", p.name, r.scenario().name);
    if !p.modelled.is_empty() {
        let names: Vec<&str> = p.modelled.iter().map(|f| f.as_str()).collect();
        text += &format!("Modelled (synthetic) figures: {}\n", names.join(", "));
    }
    text += &format!(
        "{:<34} {:>12} {:>12} {:>9}  basis\n",
        "metric", "before", "after", "change%"
    );
    for row in r.summary_rows() {
        let change = row.change_pct();
        let absent = |x: Option<f64>| x.is_none_or(f64::is_nan);
        if let Some(why) = why_absent(r.dataset(), row.metric)
            && absent(row.before)
            && absent(row.after)
        {
            text += &format!("{:<34} {:>12}  {}\n", row.metric.key(), why, row.basis);
            continue;
        }
        text += &format!(
            "{:<34} {:>12} {:>12} {:>9}  {}\n",
            row.metric.key(),
            shown(row.before),
            shown(row.after),
            shown(change.is_finite().then_some(change)),
            row.basis
        );
    }
    for (level, o) in [
        ("townships", &r.plan().townships.outcome),
        ("villages", &r.plan().villages.outcome),
    ] {
        text += &format!(
            "{level}: {} merges of {} units in scope",
            o.merges, o.units_in_scope
        );
        if let Some(t) = o.target_merges {
            text += &format!(
                " (target {t}{})",
                if o.target_met() { ", met" } else { ", NOT met" }
            );
        }
        if !o.blocked.is_empty() {
            let blocked: Vec<String> = o
                .blocked
                .iter()
                .map(|(c, n)| format!("{} {n}", c.as_str()))
                .collect();
            text += &format!("; blocked: {}", blocked.join(", "));
        }
        text += "\n";
    }
    let edits = &r.plan().edits;
    if !edits.is_empty() {
        let held = edits.iter().filter(|e| e.held()).count();
        text += &format!(
            "hand edits: {} ({held} hold, {} do not)\n",
            edits.len(),
            edits.len() - held
        );
        for e in r.plan().refused_edits() {
            text += &format!("  {}\n", e.describe(jianzhi::Lang::En));
        }
    }
    text
}

/// `optimum`: the scenario's township plan against each county's best, with the gaps.
pub fn optimum(
    scenario: &Path,
    input: Input,
    out: Option<&Path>,
    options: &jianzhi::optimum::Options,
) -> anyhow::Result<()> {
    let scenario = read_scenario(scenario, input.quotas)?;
    let dataset = load(input)?;
    let workspace = jianzhi::workspace::Workspace::new(dataset);
    let started = std::time::Instant::now();
    let results = jianzhi::optimum::county_optima(&workspace, &scenario, options)?;
    let elapsed = started.elapsed();
    let ds = workspace.dataset();
    println!("Scenario: {}", scenario.name);
    print!("{}", optimum_summary(&results, ds, options));
    println!("(km: mean distance of residents to their seat; the ten largest gaps)");
    println!("seat rules, mean km from residents to their township seat (modelled):");
    println!(
        "{:<20} {:>18} {:>14}",
        "rule", "this plan's groups", "its own plan"
    );
    for r in jianzhi::optimum::seat_rules(&workspace, &scenario)? {
        println!(
            "{:<20} {:>18.3} {:>14.3}",
            r.rule.as_str(),
            r.same_groups_km,
            r.own_plan_km
        );
    }
    println!("searched in {:.1} s", elapsed.as_secs_f64());
    if let Some(out) = out {
        jianzhi::report::write_csv_atomic(out, None, |t| {
            jianzhi::optimum::write_table(&results, ds, t)
        })?;
        println!("wrote {}", out.display());
    }
    Ok(())
}

/// `frontier`: the target swept at one level or both, written to `out/frontier.csv`.
pub fn frontier(
    scenario: &Path,
    input: Input,
    level: Option<&str>,
    [from, to, step]: [f64; 3],
    out: &Path,
) -> anyhow::Result<()> {
    use jianzhi::scenario::LevelName;
    let levels = match level {
        None | Some("both") => vec![LevelName::Townships, LevelName::Villages],
        Some("townships") => vec![LevelName::Townships],
        Some("villages") => vec![LevelName::Villages],
        Some(other) => anyhow::bail!("--level {other}: give townships, villages or both"),
    };
    let sweep = jianzhi::frontier::Sweep {
        levels,
        from,
        to,
        step,
    };
    sweep
        .targets()
        .map_err(|m| anyhow::anyhow!(m.get(jianzhi::Lang::En).to_string()))?;
    let scenario = read_scenario(scenario, input.quotas)?;
    let started = std::time::Instant::now();
    let dataset = load(input)?;
    let workspace = std::sync::Arc::new(jianzhi::workspace::Workspace::new(dataset));
    let loaded = started.elapsed();
    let progress = Progress::new();
    let points = jianzhi::frontier::sweep(&workspace, &scenario, &sweep, &progress)?;
    let swept = started.elapsed() - loaded;
    std::fs::create_dir_all(out)?;
    let path = out.join("frontier.csv");
    jianzhi::report::write_csv_atomic(&path, None, |t| jianzhi::frontier::write_table(&points, t))?;
    println!(
        "{} points; wrote {} (load {:.0} ms, sweep {:.0} ms)",
        points.len(),
        path.display(),
        loaded.as_secs_f64() * 1e3,
        swept.as_secs_f64() * 1e3
    );
    Ok(())
}

/// `explain`: the story of each unit a code names, from the engine's record.
pub fn explain(scenario: &Path, input: Input, codes: &[String], lang: &str) -> anyhow::Result<()> {
    let lang = match lang {
        "en" => jianzhi::Lang::En,
        "zh" => jianzhi::Lang::Zh,
        other => anyhow::bail!("--lang {other}: give zh or en"),
    };
    let scenario = read_scenario(scenario, input.quotas)?;
    let dataset = load(input)?;
    let workspace = std::sync::Arc::new(jianzhi::workspace::Workspace::new(dataset));
    let analysis = workspace.analyse(&scenario)?;
    let mut unknown = Vec::new();
    for code in codes {
        let Some((level, unit)) = jianzhi::explain::find(workspace.dataset(), code) else {
            unknown.push(code.as_str());
            continue;
        };
        let story = jianzhi::explain::story(&analysis, level, unit);
        println!(
            "{} {} → {} {}",
            story.code, story.name, story.new_code, story.new_name
        );
        for line in &story.details {
            println!("  {}", line.get(lang));
        }
    }
    if !unknown.is_empty() {
        anyhow::bail!("no township or village has the code {}", unknown.join(", "));
    }
    Ok(())
}

/// What `optimum` found, in lines: how many counties were solved and how, the gaps, and the
/// ten largest.
fn optimum_summary(
    results: &[jianzhi::optimum::CountyOptimum],
    ds: &Dataset,
    options: &jianzhi::optimum::Options,
) -> String {
    use jianzhi::optimum::{CountyOptimum, Solved};
    use std::fmt::Write;
    let mut text = String::new();
    let solved: Vec<&CountyOptimum> = results
        .iter()
        .filter(|r| r.merged() && r.gap().is_some())
        .collect();
    let proven = solved
        .iter()
        .filter(|r| matches!(r.solved, Solved::Proven { .. }))
        .count();
    let gaps: Vec<f64> = solved.iter().filter_map(|r| r.gap()).collect();
    let mean = gaps.iter().sum::<f64>() / gaps.len().max(1) as f64;
    let worst = gaps.iter().copied().fold(0.0, f64::max);
    let engine: f64 = solved.iter().map(|r| r.engine_cost).sum();
    let best: f64 = solved.iter().filter_map(|r| r.best_cost()).sum();
    let _ = writeln!(
        text,
        "counties with merges: {}; solved: {} ({} proven optimal, {} best found in {:.1} s)",
        results.iter().filter(|r| r.merged()).count(),
        solved.len(),
        proven,
        solved.len() - proven,
        options.time_limit.as_secs_f64()
    );
    for skip in [
        jianzhi::optimum::Skip::TooManyUnits,
        jianzhi::optimum::Skip::TooManyGroups,
        jianzhi::optimum::Skip::ByHand,
    ] {
        let n = results
            .iter()
            .filter(|r| r.merged() && r.solved == Solved::Skipped(skip))
            .count();
        if n > 0 {
            let _ = writeln!(text, "not solved, {}: {n}", skip.as_str());
        }
    }
    let _ = writeln!(
        text,
        "gap of the engine to the best (residents x km to the seat): mean {:.2}%, worst {:.2}%, overall {:.2}%",
        mean * 100.0,
        worst * 100.0,
        if best > 0.0 {
            (engine / best - 1.0) * 100.0
        } else {
            0.0
        }
    );
    let mut by_gap = solved.clone();
    by_gap.sort_by(|a, b| b.gap().unwrap_or(0.0).total_cmp(&a.gap().unwrap_or(0.0)));
    let _ = writeln!(
        text,
        "{:<8} {:<12} {:>5} {:>5} {:>12} {:>12} {:>8}  status",
        "county", "name", "towns", "units", "engine km", "best km", "gap%"
    );
    for r in by_gap.iter().take(10) {
        let c = &ds.counties[r.county];
        let _ = writeln!(
            text,
            "{:<8} {:<12} {:>5} {:>5} {:>12.2} {:>12.2} {:>8.2}  {}",
            c.code,
            c.name,
            r.townships,
            r.units,
            r.engine_cost / r.people.max(1.0),
            r.best_cost().unwrap_or(f64::NAN) / r.people.max(1.0),
            r.gap().unwrap_or(f64::NAN) * 100.0,
            r.solved.as_str()
        );
    }
    text
}

/// `validate --against`: the later edition's files, else the dataset folder's own.
#[derive(Debug, Clone, Copy, Default)]
pub struct Later<'a> {
    pub townships: Option<&'a Path>,
    pub villages: Option<&'a Path>,
}

/// `validate`: each scenario's plan against a later edition of the division codes.
pub fn validate(
    scenarios: &[PathBuf],
    input: Input,
    later: Later,
    out: Option<&Path>,
) -> anyhow::Result<()> {
    use jianzhi::validate;

    let (townships, villages) = later_files(input, later)?;
    let codes = validate::read_later(&townships, villages.as_deref())?;
    let dataset = load(input)?;
    let workspace = jianzhi::workspace::Workspace::new(dataset);
    let ds = workspace.dataset();
    println!(
        "later edition: {} ({} townships{})",
        townships.display(),
        codes.townships.len(),
        villages
            .as_ref()
            .map(|v| format!(", {} villages from {}", codes.villages.len(), v.display()))
            .unwrap_or_default()
    );
    println!(
        "{:<28} {:>9} {:>9} {:>8} {:>9} {:>9} {:>8} {:>9} {:>9} {:>9}",
        "plan",
        "townships",
        "real",
        "MAE",
        "villages",
        "real",
        "MAE",
        "same ptn",
        "pair prec",
        "pair rec"
    );
    let mut tables = Vec::new();
    for path in scenarios {
        let scenario = read_scenario(path, input.quotas)?;
        let plan = workspace.plan(&scenario)?;
        let v = validate::validate(ds, &plan, &codes);
        let name = path.file_stem().unwrap_or_default().to_string_lossy();
        print!("{}", validation_lines(&v, &name, tables.is_empty()));
        tables.push((format!("validate-{name}.csv"), v));
    }
    println!(
        "MAE: mean absolute error of the unit count per county; same ptn: old townships placed with exactly their real partners; pairs: old townships merged together (precision: of the plan's, real; recall: of the real, in the plan). Populations and places are modelled; codes and names are real."
    );
    if let Some(out) = out {
        jianzhi::report::folder::write_run(out, &ds.folders, |stage| {
            tables
                .iter()
                .map(|(name, v)| {
                    let file = stage.join(name);
                    jianzhi::report::write_csv_atomic(&file, None, |t| {
                        validate::write_table(v, ds, t)
                    })
                    .map(|()| file)
                    .map_err(|e| anyhow::anyhow!("cannot write {name}: {e}"))
                })
                .collect()
        })?;
        println!("wrote {}", out.display());
    }
    Ok(())
}

/// The later edition's files: `--against` (and `--villages`), else the dataset folder's own.
fn later_files(input: Input, later: Later) -> anyhow::Result<(PathBuf, Option<PathBuf>)> {
    let dir = input
        .data
        .map(Path::to_path_buf)
        .unwrap_or_else(builtin::demo_dir);
    Ok(match later.townships {
        Some(t) => (t.to_path_buf(), later.villages.map(Path::to_path_buf)),
        None => {
            let Some((t, v)) = jianzhi::validate::later_files(&dir) else {
                anyhow::bail!(
                    "no later edition to validate against: give --against TOWNSHIPS.csv (code, name, county code), or put it in {}",
                    dir.join("validation").display()
                );
            };
            (t, later.villages.map(Path::to_path_buf).or(v))
        }
    })
}

/// A scenario's line of the validation table (after the counties left out and the line
/// without a reform, for the `first`).
fn validation_lines(v: &jianzhi::validate::Validation, name: &str, first: bool) -> String {
    use jianzhi::validate::CountyCheck;
    let sum = |f: fn(&CountyCheck) -> usize| -> usize { v.counties.iter().map(f).sum() };
    let real_villages: Option<usize> = v.counties.iter().map(|c| c.villages_real).sum();
    let villages_real = real_villages.map_or("—".to_string(), |n| n.to_string());
    let mae = |x: Option<f64>| x.map_or("—".to_string(), |x| format!("{x:.2}"));
    let mut text = String::new();
    if first {
        for (code, count) in &v.unmatched {
            text += &format!(
                "left out: later county {code} ({count} townships), none of its townships is in the dataset\n"
            );
        }
        text += &format!(
            "{:<28} {:>9} {:>9} {:>8.2} {:>9} {:>9} {:>8} {:>9} {:>9} {:>9}\n",
            "(no reform)",
            sum(|c| c.townships_before),
            sum(|c| c.townships_real),
            v.township_mae_before(),
            sum(|c| c.villages_before),
            villages_real,
            mae(v.village_mae_before()),
            "",
            "",
            ""
        );
    }
    text += &format!(
        "{:<28} {:>9} {:>9} {:>8.2} {:>9} {:>9} {:>8} {:>8.1}% {:>8.1}% {:>8.1}%\n",
        name,
        sum(|c| c.townships_simulated),
        sum(|c| c.townships_real),
        v.township_mae(),
        sum(|c| c.villages_simulated),
        villages_real,
        mae(v.village_mae()),
        v.partner_share() * 100.0,
        v.pair_precision() * 100.0,
        v.pair_recall() * 100.0
    );
    text
}

/// `national-data`: models every province but Sichuan into `out/<code>/`.
pub fn national_data(sources: &Path, out: &Path) -> anyhow::Result<()> {
    let t0 = std::time::Instant::now();
    let progress = Progress::new();
    let report = std::thread::scope(|scope| {
        let work =
            scope.spawn(|| jianzhi::demo::national::write_national(sources, out, true, &progress));
        watch(&work, &progress);
        work.join()
    })
    .map_err(|_| anyhow::anyhow!("the modelling stopped unexpectedly"))??;
    for p in &report.provinces {
        println!(
            "{} {}: {} counties, {} townships, {} villages, {} residents (modelled)",
            p.code, p.name, p.counties, p.townships, p.villages, p.residents
        );
    }
    let total = |f: fn(&jianzhi::demo::national::ProvinceModelled) -> u64| -> u64 {
        report.provinces.iter().map(f).sum()
    };
    println!(
        "wrote {} provinces to {}: {} counties, {} townships, {} villages, {} residents in {:.1} s",
        report.provinces.len(),
        out.display(),
        total(|p| p.counties as u64),
        total(|p| p.townships as u64),
        total(|p| p.villages as u64),
        total(|p| p.residents),
        t0.elapsed().as_secs_f64()
    );
    println!(
        "{} development zones without an outline were given a modelled one: {}",
        report.modelled_outlines.len(),
        report
            .modelled_outlines
            .iter()
            .map(|(c, n)| format!("{c} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(())
}

/// The folder the app opens: `--data`, or the one province `--province` names (modelled first
/// if needed, with progress on the terminal). The app opens one province at a time.
pub fn app_data(data: Option<PathBuf>, province: Option<&str>) -> anyhow::Result<Option<PathBuf>> {
    let Some(arg) = province else {
        return Ok(data);
    };
    let provinces = jianzhi::national::resolve(arg).map_err(anyhow::Error::msg)?;
    if provinces.len() == jianzhi::national::PROVINCES.len() {
        // The whole country: the app loads every province in the background.
        return Ok(Some(
            jianzhi::national::national_dir().map_err(|e| e.into_import(Path::new(arg)))?,
        ));
    }
    let [province] = provinces[..] else {
        anyhow::bail!(
            "the app opens one province or the whole country (all); the command line takes any list (jianzhi summary --province {arg})"
        );
    };
    let progress = Progress::new();
    let dirs = std::thread::scope(|scope| {
        let work = scope.spawn(|| jianzhi::national::dataset_dirs(&[province], &progress));
        watch(&work, &progress);
        work.join()
    })
    .map_err(|_| anyhow::anyhow!("the modelling stopped unexpectedly"))?
    .map_err(|e| e.into_import(Path::new(province.code)))?;
    Ok(dirs.into_iter().next())
}
