//! Background work: scenario runs and dataset loads happen off the UI thread. The newest
//! request wins: stale runs are skipped, and results of superseded runs are dropped.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, Sender};

use crate::scenario::Scenario;
use crate::workspace::{Analysis, Workspace};

pub enum Job {
    Analyse {
        generation: u64,
        workspace: Arc<Workspace>,
        scenario: Box<Scenario>,
    },
    Load {
        generation: u64,
        dir: PathBuf,
    },
}

pub enum Done {
    Analysed {
        generation: u64,
        result: Result<Box<Analysis>, String>,
    },
    Loaded {
        generation: u64,
        result: Result<Arc<Workspace>, Vec<String>>,
        dir: PathBuf,
    },
}

/// A worker thread and the channels to it.
pub struct Worker {
    jobs: Sender<Job>,
    pub done: Receiver<Done>,
}

impl Worker {
    /// Starts the worker; `wake` is called after each result (to repaint the UI).
    pub fn start(wake: impl Fn() + Send + 'static) -> Self {
        let (jobs, job_rx) = mpsc::channel::<Job>();
        let (done_tx, done) = mpsc::channel::<Done>();
        std::thread::Builder::new()
            .name("jianzhi-worker".into())
            .spawn(move || {
                while let Ok(mut job) = job_rx.recv() {
                    // Skip to the newest queued job of the same kind: the newest change wins.
                    while let Ok(newer) = job_rx.try_recv() {
                        if matches!((&job, &newer), (Job::Analyse { .. }, Job::Analyse { .. })) {
                            job = newer;
                        } else {
                            let _ = done_tx.send(run(job));
                            job = newer;
                        }
                    }
                    if done_tx.send(run(job)).is_err() {
                        break;
                    }
                    wake();
                }
            })
            .ok();
        Self { jobs, done }
    }

    pub fn send(&self, job: Job) {
        let _ = self.jobs.send(job);
    }
}

fn run(job: Job) -> Done {
    match job {
        Job::Analyse {
            generation,
            workspace,
            scenario,
        } => Done::Analysed {
            generation,
            result: workspace
                .analyse(&scenario)
                .map(Box::new)
                .map_err(|e| e.to_string()),
        },
        Job::Load { generation, dir } => {
            let result = crate::import::load_dataset(&dir)
                .map(|loaded| Arc::new(Workspace::new(loaded.dataset)))
                .map_err(|e| e.problems.iter().map(|p| p.to_string()).collect());
            Done::Loaded {
                generation,
                result,
                dir,
            }
        }
    }
}
