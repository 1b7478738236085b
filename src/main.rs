//! `jianzhi`: the desktop app (no command) and the command line front end.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

mod cli;

/// mimalloc: a plan is tens of thousands of small lists, made and dropped at every edit; the
/// system allocator took about a third of an edit's time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// What `--help` says of the exit codes.
const EXIT_CODES: &str = "Exit codes: 0 the command did what was asked; 1 it could not (bad input data, a scenario that does not apply, a folder refused, a file that could not be written: the message says which, with file, row and column); 2 the command line itself is wrong (an unknown option, options that exclude each other, a bad value).";

#[derive(Parser)]
#[command(
    name = "jianzhi",
    version,
    long_version = long_version(),
    about = "Jianzhi (建制): simulate township and village merge reforms",
    after_help = EXIT_CODES
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    app: AppArgs,
}

/// Where the data comes from, for the app and every command (checked once, here).
#[derive(clap::Args)]
struct InputArgs {
    /// Dataset folder (townships.csv, villages.csv, …); without it the built-in Sichuan demo.
    /// The app also opens a scenario file given here beside the saved ones.
    #[arg(long, global = true, conflicts_with = "province")]
    data: Option<PathBuf>,
    /// Open a province instead of the demo: a code (13), a name (河北, Hebei), several with
    /// commas, or all. Sichuan is the built-in demo (2016); the others are modelled from their
    /// real 2023 codes on first use, then cached.
    #[arg(long, global = true)]
    province: Option<String>,
    /// Which header of the data's tables holds each field (a columns.toml file), where the
    /// headers alone do not say; else the dataset folder's own columns.toml.
    #[arg(long, global = true)]
    columns: Option<PathBuf>,
    /// A quota table (code, township target, village target; 30% or a number of units after)
    /// written into the scenarios read: targets handed down by province, city or county.
    #[arg(long, global = true)]
    quotas: Option<PathBuf>,
}

impl InputArgs {
    /// The input of a command.
    fn input(&self) -> cli::Input<'_> {
        cli::Input {
            data: self.data.as_deref(),
            columns: self.columns.as_deref(),
            province: self.province.as_deref(),
            quotas: self.quotas.as_deref(),
        }
    }
}

/// How the desktop app starts (without a command).
#[derive(clap::Args)]
struct AppArgs {
    /// Render the app's window to this PNG once the figures are shown, then quit.
    #[arg(long)]
    screenshot: Option<PathBuf>,
    /// Open the map on this county (code or name).
    #[arg(long)]
    focus: Option<String>,
    /// Start in presentation mode (full screen; Esc leaves).
    #[arg(long)]
    present: bool,
    /// Start on the comparison of the open scenarios.
    #[arg(long)]
    compare: bool,
    /// The window's size in points, WIDTHxHEIGHT (default 1600x1000).
    #[arg(long, value_parser = parse_size)]
    size: Option<[f32; 2]>,
    /// The interface language (zh or en), instead of the one saved.
    #[arg(long = "lang", value_parser = parse_lang)]
    ui_lang: Option<jianzhi::Lang>,
}

/// `1280x800`: a window size in points.
fn parse_size(text: &str) -> Result<[f32; 2], String> {
    let size = text
        .split_once(['x', 'X', '×'])
        .and_then(|(w, h)| Some([w.trim().parse::<f32>().ok()?, h.trim().parse::<f32>().ok()?]))
        .filter(|[w, h]| (320.0..=10_000.0).contains(w) && (240.0..=10_000.0).contains(h));
    size.ok_or_else(|| format!("'{text}' is not a window size: WIDTHxHEIGHT, such as 1280x800"))
}

#[derive(Subcommand)]
enum Command {
    /// Print the statistics of a dataset (the built-in Sichuan demo without --data).
    Summary {
        /// Write summary.csv and counties.csv (UTF-8 with BOM) into this folder.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Column headers in this language (zh or en) instead of the English keys scripts read.
        #[arg(long, value_parser = parse_lang)]
        lang: Option<jianzhi::Lang>,
        /// Print how long loading took and the peak memory.
        #[arg(long)]
        timing: bool,
    },
    /// Apply a merge scenario and write the reports.
    Run {
        /// Scenario file, or the name of a preset in data/presets (sichuan-2019, conservative, thresholds-only).
        #[arg(long)]
        scenario: PathBuf,
        /// Folder for the reports.
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        files: FileArgs,
        /// Print how long each step took and the peak memory.
        #[arg(long)]
        timing: bool,
    },
    /// Apply several scenarios to one dataset and write them side by side, with each
    /// scenario's own files in a folder of its own.
    Compare {
        /// Scenario files or preset names, the first the one the others are measured against.
        #[arg(required = true, num_args = 2..)]
        scenarios: Vec<PathBuf>,
        /// Folder for the comparison.
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        files: FileArgs,
    },
    /// Measure a scenario's township plan against the best plan of each county (same number
    /// of units, same constraints; least residents × km to the seat), solved exactly.
    Optimum {
        /// Scenario file or preset name.
        #[arg(long)]
        scenario: PathBuf,
        /// Write every county's figures to this CSV file.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Counties with more mergeable townships than this are not solved.
        #[arg(long, default_value_t = 30)]
        max_units: usize,
        /// Search time per county, in seconds.
        #[arg(long, default_value_t = 2.0)]
        seconds: f64,
    },
    /// Sweep one level's target (or both levels') with every other rule kept: units after
    /// against distance to the seat, residents beyond the radius, stations and the largest
    /// county cut, written to OUT/frontier.csv
    Frontier {
        /// Scenario file or preset name.
        #[arg(long)]
        scenario: PathBuf,
        /// townships, villages, or both (default).
        #[arg(long)]
        level: Option<String>,
        /// First target (percent cut).
        #[arg(long, default_value_t = 0.0)]
        from: f64,
        /// Last target (percent cut).
        #[arg(long, default_value_t = 60.0)]
        to: f64,
        /// Between targets (percentage points).
        #[arg(long, default_value_t = 1.0)]
        step: f64,
        /// Folder for frontier.csv.
        #[arg(long)]
        out: PathBuf,
    },
    /// Say why each unit named merged or did not, from the engine's record: the rule, the
    /// figures, the seat, and every neighbour weighed
    Explain {
        /// Scenario file or preset name.
        #[arg(long)]
        scenario: PathBuf,
        /// Township or village codes.
        #[arg(required = true)]
        codes: Vec<String>,
        /// The language of the stories (zh or en).
        #[arg(long, default_value = "zh")]
        lang: String,
    },
    /// Compare scenarios' plans with a later edition of the division codes: per county the
    /// simulated and real unit counts, the mean absolute error, and the share of old
    /// townships placed with their real partners.
    Validate {
        /// Scenario files or preset names (repeat to compare several).
        #[arg(long, required = true)]
        scenario: Vec<PathBuf>,
        /// The later township codes (code, name, county code; CSV, .csv.gz or a workbook);
        /// without it, the dataset folder's validation/townships* (the demo: Sichuan 2023).
        #[arg(long)]
        against: Option<PathBuf>,
        /// The later village codes (code, name, township code); without --against, the
        /// dataset folder's validation/villages*.
        #[arg(long)]
        villages: Option<PathBuf>,
        /// Write each scenario's per-county table to this folder (validate-NAME.csv).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Check that a report folder holds one whole run: every file its manifest lists, with its
    /// size, and nothing else (exit 1 if not).
    Verify {
        /// The report folder (written by run, compare, summary or validate).
        folder: PathBuf,
    },
    /// Write a stress-test dataset: the demo with its villages split to reach --villages.
    ScaleData {
        /// How many villages (between the demo's 53,715 and 50 times as many).
        #[arg(long, default_value_t = 1_000_000)]
        villages: usize,
        /// Where to write the dataset.
        #[arg(long)]
        out: PathBuf,
    },
    /// Regenerate the modelled demo dataset from its real sources.
    DemoData {
        /// Folder with the real sources.
        #[arg(long, default_value = "data/sichuan/sources")]
        sources: PathBuf,
        /// Where to write the dataset.
        #[arg(long, default_value = "data/sichuan")]
        out: PathBuf,
    },
    /// Model the national dataset (every province but Sichuan, 2023 codes) into one folder per
    /// province; the CLI and the app do this on first use of --province, into the cache
    NationalData {
        /// Folder with the real national sources.
        #[arg(long, default_value = "data/china")]
        sources: PathBuf,
        /// Where to write the province folders.
        #[arg(long)]
        out: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Global options may be given before and after the command; clap checks conflicts within
    // one level, this across them (exit 2, as for any usage error).
    if cli.input.data.is_some() && cli.input.province.is_some() {
        Cli::command()
            .error(
                clap::error::ErrorKind::ArgumentConflict,
                "give --data or --province, not both",
            )
            .exit();
    }
    let input = cli.input.input();
    let result = match cli.command {
        Some(command) => run_command(command, input),
        None => cli::app_data(cli.input.data.clone(), input.province)
            .and_then(|data| desktop(data, jianzhi_launch(cli.app))),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Runs one command on `input`.
fn run_command(command: Command, input: cli::Input) -> anyhow::Result<()> {
    match command {
        Command::Summary { out, lang, timing } => cli::summary(input, out.as_deref(), lang, timing),
        Command::Run {
            scenario,
            out,
            files,
            timing,
        } => cli::run(&scenario, input, &out, &files.options(), timing),
        Command::Compare {
            scenarios,
            out,
            files,
        } => cli::compare(&scenarios, input, &out, &files.options()),
        Command::Optimum {
            scenario,
            out,
            max_units,
            seconds,
        } => {
            let options = jianzhi::optimum::Options {
                max_units,
                time_limit: std::time::Duration::from_secs_f64(seconds.clamp(0.001, 3600.0)),
                ..Default::default()
            };
            cli::optimum(&scenario, input, out.as_deref(), &options)
        }
        Command::Validate {
            scenario,
            against,
            villages,
            out,
        } => {
            let later = cli::Later {
                townships: against.as_deref(),
                villages: villages.as_deref(),
            };
            cli::validate(&scenario, input, later, out.as_deref())
        }
        Command::Explain {
            scenario,
            codes,
            lang,
        } => cli::explain(&scenario, input, &codes, &lang),
        Command::Frontier {
            scenario,
            level,
            from,
            to,
            step,
            out,
        } => cli::frontier(&scenario, input, level.as_deref(), [from, to, step], &out),
        Command::Verify { folder } => verify(&folder),
        Command::DemoData { sources, out } => demo_data(&sources, &out),
        Command::NationalData { sources, out } => cli::national_data(&sources, &out),
        Command::ScaleData { villages, out } => cli::scale_data(villages, &out),
    }
}

/// `--version`: the version, the data sources and the licences.
fn long_version() -> &'static str {
    let about = jianzhi::builtin::about();
    let rest = about.split_once('\n').map_or("", |(_, rest)| rest);
    format!("{}\n{rest}", env!("CARGO_PKG_VERSION")).leak()
}

/// `zh` or `en` (also 中文, English).
fn parse_lang(text: &str) -> Result<jianzhi::Lang, String> {
    match text.trim().to_lowercase().as_str() {
        "zh" | "zh-cn" | "cn" | "中文" | "chinese" => Ok(jianzhi::Lang::Zh),
        "en" | "english" => Ok(jianzhi::Lang::En),
        other => Err(format!("'{other}' is not a language: zh or en")),
    }
}

/// A list of export formats.
type Formats = Vec<jianzhi::report::export::Format>;

fn parse_formats(text: &str) -> Result<Formats, String> {
    jianzhi::report::export::Format::parse_list(text)
}

/// `EPSG:4523`, `4523` or a system's WKT.
fn parse_crs(text: &str) -> Result<jianzhi::crs::Crs, String> {
    jianzhi::crs::Crs::parse(text).map_err(|m| m.en)
}

/// What files `run` and `compare` write, and how.
#[derive(clap::Args, Debug)]
struct FileArgs {
    /// Files to write, comma-separated: csv, xlsx, geojson, shp, gpkg, html, png, or all.
    #[arg(long, default_value = "csv", value_parser = parse_formats)]
    formats: Formats,
    /// CSV headers in this language (zh or en) instead of the English keys scripts read;
    /// also the language of the workbook, briefing and pictures (Chinese without it).
    #[arg(long, value_parser = parse_lang)]
    lang: Option<jianzhi::Lang>,
    /// Coordinate system of the GIS layers: an EPSG code such as EPSG:4523 (CGCS2000 3°
    /// zone 35) or 4490 (CGCS2000); the boundary files' own without it.
    #[arg(long, value_parser = parse_crs)]
    crs: Option<jianzhi::crs::Crs>,
}

impl FileArgs {
    fn options(self) -> jianzhi::report::export::ExportOptions {
        jianzhi::report::export::ExportOptions {
            formats: self.formats,
            lang: self.lang.unwrap_or(jianzhi::Lang::Zh),
            csv_lang: self.lang,
            crs: self.crs,
        }
    }
}

/// How the app starts.
#[cfg(feature = "desktop")]
fn jianzhi_launch(app: AppArgs) -> jianzhi::app::Launch {
    jianzhi::app::Launch {
        state_dir: None,
        screenshot: app.screenshot,
        focus: app.focus,
        present: app.present,
        compare: app.compare,
        size: app.size,
        lang: app.ui_lang,
        open: None,
        started: None,
    }
}

/// Opens the desktop app (`data`, a dataset folder or a scenario file, opened in the
/// background).
#[cfg(feature = "desktop")]
fn desktop(data: Option<PathBuf>, launch: jianzhi::app::Launch) -> anyhow::Result<()> {
    Ok(jianzhi::app::run(jianzhi::app::Launch {
        open: data,
        ..launch
    })?)
}

#[cfg(not(feature = "desktop"))]
fn jianzhi_launch(_: AppArgs) {}

#[cfg(not(feature = "desktop"))]
fn desktop(_data: Option<PathBuf>, _launch: ()) -> anyhow::Result<()> {
    anyhow::bail!(
        "this build has no desktop app (built without the `desktop` feature); use a command: jianzhi --help"
    )
}

/// `verify`: whether a report folder holds one whole run.
fn verify(folder: &std::path::Path) -> anyhow::Result<()> {
    let manifest = jianzhi::report::folder::verify(folder)?;
    println!(
        "{}: one whole run ({}, run {}), {} files",
        folder.display(),
        manifest.program,
        manifest.run_id,
        manifest.files.len()
    );
    Ok(())
}

fn demo_data(sources: &std::path::Path, out: &std::path::Path) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let r = jianzhi::demo::write_demo(sources, out)?;
    println!(
        "wrote {}: {} counties, {} townships, {} villages, {:.0} km², {} residents (community weight {:.3}) in {:.1} s",
        out.display(),
        r.counties,
        r.townships,
        r.villages,
        r.total_area_km2,
        r.total_resident_pop,
        r.community_weight,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
