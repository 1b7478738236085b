//! Background work: scenario runs and dataset loads happen off the UI thread. Scenario runs
//! share one worker thread, where the newest request wins (stale runs are skipped, results of
//! superseded runs dropped). Each load has a thread of its own, so the charts keep answering
//! while a large file loads; it reports progress and can be cancelled. Exports, too, are
//! written on a thread of their own.

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Condvar, Mutex};

use crate::error::{LoadError, Message, Problem};
use crate::lang::Lang;
use crate::progress::Progress;
use crate::scenario::Scenario;
use crate::workspace::{Analysis, Workspace};

pub struct Analyse {
    pub generation: u64,
    pub workspace: Arc<Workspace>,
    pub scenario: Box<Scenario>,
}

/// How a load ended.
pub enum LoadResult {
    Loaded {
        workspace: Arc<Workspace>,
        warnings: Vec<Message>,
    },
    Invalid(Vec<Message>),
    Cancelled,
}

pub enum Done {
    Analysed {
        generation: u64,
        result: Result<Box<Analysis>, Message>,
    },
    Loaded {
        generation: u64,
        result: LoadResult,
        dir: PathBuf,
    },
    Exported {
        dir: PathBuf,
        result: Result<(), Message>,
    },
}

type Wake = Arc<dyn Fn() + Send + Sync>;

/// The analysis thread, the channels to it, and the way back for loads.
pub struct Worker {
    jobs: Sender<Analyse>,
    done_tx: Sender<Done>,
    pub done: Receiver<Done>,
    wake: Wake,
    /// While true, the analysis thread waits before starting a run (see [`Worker::hold`]).
    held: Arc<(Mutex<bool>, Condvar)>,
}

impl Worker {
    /// Starts the worker; `wake` is called after each result (to repaint the UI).
    pub fn start(wake: impl Fn() + Send + Sync + 'static) -> Self {
        let wake: Wake = Arc::new(wake);
        let (jobs, job_rx) = mpsc::channel::<Analyse>();
        let (done_tx, done) = mpsc::channel::<Done>();
        let (tx, thread_wake) = (done_tx.clone(), wake.clone());
        let held = Arc::new((Mutex::new(false), Condvar::new()));
        let thread_held = held.clone();
        std::thread::Builder::new()
            .name("jianzhi-worker".into())
            .spawn(move || {
                while let Ok(mut job) = job_rx.recv() {
                    wait_while_held(&thread_held);
                    // Skip to the newest queued run: the newest change wins.
                    while let Ok(newer) = job_rx.try_recv() {
                        job = newer;
                    }
                    if tx.send(analyse(job)).is_err() {
                        break;
                    }
                    thread_wake();
                }
            })
            .ok();
        Self {
            jobs,
            done_tx,
            done,
            wake,
            held,
        }
    }

    /// Holds scenario runs back until released: tests use it to draw frames while an analysis
    /// is still computing, deterministically.
    pub fn hold(&self, hold: bool) {
        let (lock, released) = &*self.held;
        *lock.lock().unwrap_or_else(|e| e.into_inner()) = hold;
        released.notify_all();
    }

    pub fn analyse(&self, job: Analyse) {
        let _ = self.jobs.send(job);
    }

    /// Loads and prepares the dataset in `dir` on a thread of its own, reporting to
    /// `progress` (which also cancels it).
    pub fn load(&self, generation: u64, dir: PathBuf, progress: Arc<Progress>) {
        let (tx, wake) = (self.done_tx.clone(), self.wake.clone());
        let spawned = std::thread::Builder::new()
            .name("jianzhi-load".into())
            .spawn(move || {
                let result = load(&dir, &progress);
                let _ = tx.send(Done::Loaded {
                    generation,
                    result,
                    dir,
                });
                wake();
            });
        if let Err(e) = spawned {
            let _ = self.done_tx.send(Done::Loaded {
                generation,
                result: LoadResult::Invalid(vec![crate::tr!(
                    "cannot start loading: {e}",
                    "无法开始载入：{e}"
                )]),
                dir: PathBuf::new(),
            });
        }
    }

    /// Writes the reports of `analysis` into `dir` on a thread of its own (a million-village
    /// `villages.csv` takes a second), each file atomically.
    pub fn export(&self, analysis: Arc<Analysis>, dir: PathBuf) {
        let (tx, wake) = (self.done_tx.clone(), self.wake.clone());
        let job = move || {
            let result = analysis.report().write(&dir, None).map_err(|e| {
                crate::tr!(
                    "{}: cannot write the reports: {e}",
                    "{}：无法写出报表：{e}",
                    dir.display()
                )
            });
            let _ = tx.send(Done::Exported { dir, result });
            wake();
        };
        if let Err(e) = std::thread::Builder::new()
            .name("jianzhi-export".into())
            .spawn(job)
        {
            let _ = self.done_tx.send(Done::Exported {
                dir: PathBuf::new(),
                result: Err(crate::tr!(
                    "cannot start exporting: {e}",
                    "无法开始导出：{e}"
                )),
            });
        }
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
        generation: job.generation,
        result: job
            .workspace
            .analyse(&job.scenario)
            .map(Box::new)
            .map_err(|e| Message::new(e.describe(Lang::En), e.describe(Lang::Zh))),
    }
}

fn load(dir: &std::path::Path, progress: &Progress) -> LoadResult {
    let loaded = match crate::import::load_dataset_with(dir, progress) {
        Ok(loaded) => loaded,
        Err(LoadError::Cancelled) => return LoadResult::Cancelled,
        Err(LoadError::Invalid(e)) => {
            return LoadResult::Invalid(e.problems.iter().map(both_languages).collect());
        }
    };
    let mut warnings: Vec<Message> = loaded.warnings.iter().map(both_languages).collect();
    let more = loaded.warnings_not_kept;
    if more > 0 {
        warnings.push(crate::tr!("… and {more} more", "……另有 {more} 条"));
    }
    match Workspace::new_with(loaded.dataset, progress) {
        Ok(workspace) => LoadResult::Loaded {
            workspace: Arc::new(workspace),
            warnings,
        },
        Err(_) => LoadResult::Cancelled,
    }
}

/// A located problem, said in both languages.
fn both_languages(p: &Problem) -> Message {
    Message::new(p.describe(Lang::En), p.describe(Lang::Zh))
}
