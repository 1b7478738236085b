//! Background work: scenario runs and dataset loads happen off the UI thread. Scenario runs
//! share one worker thread; for each tab only the newest request runs (stale ones are skipped,
//! results of superseded ones dropped by generation). Each run also builds the view model the
//! panels draw. Each load has a thread of its own, so the charts keep answering while a large
//! file loads; it reports progress and can be cancelled. Exports, too, are written on a thread
//! of their own.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Condvar, Mutex};

use super::state::TabId;
use super::view::FiguresView;
use crate::error::{Message, Problem};
use crate::import::LoadError;
use crate::lang::Lang;
use crate::progress::Progress;
use crate::scenario::Scenario;
use crate::validate::Reference;
use crate::workspace::{Analysis, Workspace};

/// A scenario run asked for by a tab.
pub struct Analyse {
    pub tab: TabId,
    pub generation: u64,
    pub workspace: Arc<Workspace>,
    /// The later edition of the codes matched to the workspace's dataset, if any.
    pub reference: Option<Arc<Reference>>,
    pub scenario: Box<Scenario>,
    /// The tab's last analysis: what the edit did not change is taken from it.
    pub previous: Option<Arc<Analysis>>,
}

/// How a load ended.
pub enum LoadResult {
    Loaded {
        workspace: Arc<Workspace>,
        reference: Option<Arc<Reference>>,
        geometry: Arc<crate::map::MapGeometry>,
        warnings: Vec<Message>,
    },
    Invalid {
        problems: Vec<Message>,
        /// A table whose columns could not all be found: the mapping dialog opens on it.
        columns: Option<Box<crate::import::ColumnsProblem>>,
    },
    Cancelled,
}

pub enum Done {
    Analysed {
        tab: TabId,
        generation: u64,
        result: Result<(Arc<Analysis>, Arc<FiguresView>), Message>,
    },
    Loaded {
        generation: u64,
        result: LoadResult,
        dir: PathBuf,
        /// What the load was given (its column mapping), for the mapping dialog.
        options: Box<crate::import::LoadOptions>,
    },
    Exported {
        dir: PathBuf,
        /// How many files were written.
        result: Result<usize, Message>,
    },
    /// A frontier swept for tab `tab`; `Err(None)` if it was cancelled.
    Swept {
        tab: TabId,
        frontier: Result<Box<super::state::Frontier>, Option<Message>>,
    },
}

type Wake = Arc<dyn Fn() + Send + Sync>;

/// The analysis thread, the channels to it, and the way back for loads and exports.
pub struct Worker {
    jobs: Sender<Analyse>,
    done_tx: Sender<Done>,
    pub done: Receiver<Done>,
    wake: Wake,
    /// While true, the analysis thread waits before starting a run (see [`Worker::hold`]).
    held: Arc<(Mutex<bool>, Condvar)>,
}

impl Worker {
    /// Starts the worker; `wake` is called after each result (to repaint the UI). If the
    /// analysis thread cannot start, the worker still loads and exports, every run asked of it
    /// fails with a message, and the reason is returned beside it.
    pub fn start(wake: impl Fn() + Send + Sync + 'static) -> (Self, Option<Message>) {
        let wake: Wake = Arc::new(wake);
        let (jobs, job_rx) = mpsc::channel::<Analyse>();
        let (done_tx, done) = mpsc::channel::<Done>();
        let (tx, thread_wake) = (done_tx.clone(), wake.clone());
        let held = Arc::new((Mutex::new(false), Condvar::new()));
        let thread_held = held.clone();
        let started = std::thread::Builder::new()
            .name("jianzhi-worker".into())
            .spawn(move || {
                while let Ok(job) = job_rx.recv() {
                    wait_while_held(&thread_held);
                    // The newest queued run of each tab: the newest change wins.
                    let mut newest: BTreeMap<TabId, Analyse> = BTreeMap::from([(job.tab, job)]);
                    while let Ok(newer) = job_rx.try_recv() {
                        newest.insert(newer.tab, newer);
                    }
                    for job in newest.into_values() {
                        if tx.send(analyse(job)).is_err() {
                            return; // the app has closed
                        }
                        thread_wake();
                    }
                }
            })
            .err()
            .map(|e| {
                crate::tr!(
                    "cannot start the analysis thread: {e}",
                    "无法启动计算线程：{e}"
                )
            });
        let worker = Self {
            jobs,
            done_tx,
            done,
            wake,
            held,
        };
        (worker, started)
    }

    /// Queues a run; an error says the analysis thread has stopped.
    pub fn analyse(&self, job: Analyse) -> Result<(), Message> {
        self.jobs.send(job).map_err(|_| {
            Message::new(
                "the analysis thread has stopped; save the scenario and restart Jianzhi",
                "计算线程已停止；请保存方案并重新启动建制",
            )
        })
    }

    /// Holds scenario runs back until released: tests use it to draw frames while an analysis
    /// is still computing, deterministically.
    pub fn hold(&self, hold: bool) {
        let (lock, released) = &*self.held;
        *lock.lock().unwrap_or_else(|e| e.into_inner()) = hold;
        released.notify_all();
    }

    /// Loads and prepares the dataset in `dir` on a thread of its own, reporting to
    /// `progress` (which also cancels it).
    pub fn load(
        &self,
        generation: u64,
        dir: PathBuf,
        options: crate::import::LoadOptions,
        progress: Arc<Progress>,
    ) {
        let (tx, wake) = (self.done_tx.clone(), self.wake.clone());
        let kept = options.clone();
        let spawned = std::thread::Builder::new()
            .name("jianzhi-load".into())
            .spawn(move || {
                let result = load(&dir, &options, &progress);
                send_or_log(
                    &tx,
                    Done::Loaded {
                        generation,
                        result,
                        dir,
                        options: Box::new(options),
                    },
                );
                wake();
            });
        if let Err(e) = spawned {
            send_or_log(
                &self.done_tx,
                Done::Loaded {
                    generation,
                    result: LoadResult::Invalid {
                        problems: vec![crate::tr!(
                            "cannot start loading: {e}",
                            "无法开始载入：{e}"
                        )],
                        columns: None,
                    },
                    options: Box::new(kept),
                    dir: PathBuf::new(),
                },
            );
        }
    }

    /// Writes the files of `analysis` into `dir` on a thread of its own (a million-village
    /// `villages.csv` takes a second), each file atomically, reporting to `progress`.
    pub fn export(
        &self,
        analysis: Arc<Analysis>,
        dir: PathBuf,
        options: crate::report::export::ExportOptions,
        geometry: Arc<crate::map::MapGeometry>,
        progress: Arc<crate::progress::Progress>,
    ) {
        let (tx, wake) = (self.done_tx.clone(), self.wake.clone());
        let job = move || {
            let meta = crate::report::meta::Metadata::new(analysis.dataset(), [&analysis.scenario]);
            let result = crate::report::export::export_run(
                &analysis,
                &dir,
                &options,
                Some(&geometry),
                &meta,
                &progress,
            )
            .map(|files| files.len())
            .map_err(|e| e.message(&dir));
            send_or_log(&tx, Done::Exported { dir, result });
            wake();
        };
        if let Err(e) = std::thread::Builder::new()
            .name("jianzhi-export".into())
            .spawn(job)
        {
            send_or_log(
                &self.done_tx,
                Done::Exported {
                    dir: PathBuf::new(),
                    result: Err(crate::tr!(
                        "cannot start exporting: {e}",
                        "无法开始导出：{e}"
                    )),
                },
            );
        }
    }
}

impl Worker {
    /// Sweeps the township target of `scenario` (0 to 60 %, by 1) on a thread of its own,
    /// reporting to `progress`.
    pub fn sweep(
        &self,
        tab: TabId,
        workspace: Arc<Workspace>,
        scenario: crate::scenario::Scenario,
        progress: Arc<crate::progress::Progress>,
    ) {
        let (tx, wake) = (self.done_tx.clone(), self.wake.clone());
        let job = move || {
            let range = crate::frontier::Sweep {
                levels: vec![crate::scenario::LevelName::Townships],
                ..crate::frontier::Sweep::default()
            };
            let frontier = match crate::frontier::sweep(&workspace, &scenario, &range, &progress) {
                Ok(points) => Ok(Box::new(super::state::Frontier { points, scenario })),
                Err(crate::frontier::SweepError::Cancelled) => Err(None),
                Err(e) => Err(Some(Message::new(
                    e.to_string(),
                    format!("无法计算前沿：{e}"),
                ))),
            };
            send_or_log(&tx, Done::Swept { tab, frontier });
            wake();
        };
        if let Err(e) = std::thread::Builder::new()
            .name("jianzhi-frontier".into())
            .spawn(job)
        {
            let message = crate::tr!("cannot start the sweep: {e}", "无法开始计算前沿：{e}");
            send_or_log(
                &self.done_tx,
                Done::Swept {
                    tab,
                    frontier: Err(Some(message)),
                },
            );
        }
    }
}

/// Sends a result to the UI; if the UI has closed, says so on the terminal instead.
fn send_or_log(tx: &Sender<Done>, done: Done) {
    if tx.send(done).is_err() {
        eprintln!("jianzhi: a background result arrived after the window closed; it is dropped");
    }
}

fn wait_while_held(held: &(Mutex<bool>, Condvar)) {
    let (lock, released) = held;
    let mut holding = lock.lock().unwrap_or_else(|e| e.into_inner());
    while *holding {
        holding = released.wait(holding).unwrap_or_else(|e| e.into_inner());
    }
}

fn analyse(job: Analyse) -> Done {
    Done::Analysed {
        tab: job.tab,
        generation: job.generation,
        result: job
            .workspace
            .analyse_after(&job.scenario, job.previous.as_deref())
            .map(|analysis| {
                let view = FiguresView::with_reference(&analysis, job.reference.as_deref());
                let analysis = Arc::new(analysis);
                // The decisions the hover card and the 为什么 panel tell, read from the
                // engine's record while the figures are shown.
                let warm = analysis.clone();
                rayon::spawn(move || {
                    warm.decisions();
                });
                (analysis, Arc::new(view))
            })
            .map_err(|e| Message::new(e.describe(Lang::En), e.describe(Lang::Zh))),
    }
}

fn load(
    dir: &std::path::Path,
    options: &crate::import::LoadOptions,
    progress: &Progress,
) -> LoadResult {
    // A province of the national data is modelled here on first use (with its progress);
    // the country's folder loads every province together.
    let loaded = if crate::national::is_country_dir(dir) {
        let all: Vec<&crate::national::Province> = crate::national::PROVINCES.iter().collect();
        crate::national::load(&all, options, progress)
    } else {
        crate::national::ensure_modelled(dir, progress)
            .and_then(|()| crate::import::load_dataset_opts(dir, options, progress))
    };
    let loaded = match loaded {
        Ok(loaded) => loaded,
        Err(LoadError::Cancelled) => return LoadResult::Cancelled,
        Err(LoadError::Invalid(e)) => {
            return LoadResult::Invalid {
                problems: e.problems.iter().map(Problem::message).collect(),
                columns: e.columns,
            };
        }
    };
    let mut warnings: Vec<Message> = loaded.warnings.iter().map(Problem::message).collect();
    let more = loaded.warnings_not_kept;
    if more > 0 {
        warnings.push(crate::tr!("… and {more} more", "……另有 {more} 条"));
    }
    // A later edition of the codes beside the data (validation/) is read for the validation
    // chart; one that cannot be read is a warning, not a reason to refuse the data.
    let reference = match crate::validate::reference_in(dir, &loaded.dataset) {
        Ok(reference) => reference,
        Err(e) => {
            warnings.extend(e.problems.iter().map(Problem::message));
            None
        }
    };
    // The map's geometry is drawn on one core while the adjacency is found on the others.
    let beside = |dataset: &crate::model::Dataset| crate::map::MapGeometry::new(dataset);
    match Workspace::new_beside(loaded.dataset, progress, beside) {
        Ok((workspace, geometry)) => LoadResult::Loaded {
            geometry: Arc::new(geometry),
            workspace: Arc::new(workspace),
            reference: reference.map(Arc::new),
            warnings,
        },
        Err(_) => LoadResult::Cancelled,
    }
}
