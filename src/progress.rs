//! Progress and cancellation of long work (loading and preparing a large dataset, exports),
//! shared between the thread doing the work and the one showing it.
//!
//! The worker calls [`Progress::begin`] at each step and [`Progress::advance`] as it goes; the
//! watcher reads [`Progress::snapshot`] and may call [`Progress::cancel`], which the worker
//! notices at its next [`Progress::check`].

use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};

/// The steps of loading and preparing a dataset, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Step {
    Starting,
    /// Modelling a dataset's seats, territories and populations (the national data, first use).
    Modelling,
    Boundaries,
    Counties,
    Townships,
    Villages,
    Checking,
    Adjacency,
    Terrain,
    Coverage,
    /// Writing export files (a long export: the xlsx of a million villages, the map).
    Writing,
    Done,
}

impl Step {
    const ALL: [Step; 12] = [
        Step::Starting,
        Step::Modelling,
        Step::Boundaries,
        Step::Counties,
        Step::Townships,
        Step::Villages,
        Step::Checking,
        Step::Adjacency,
        Step::Terrain,
        Step::Coverage,
        Step::Writing,
        Step::Done,
    ];

    fn from_u8(v: u8) -> Step {
        Self::ALL.get(usize::from(v)).copied().unwrap_or(Step::Done)
    }
}

/// The work was cancelled by the watcher.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cancelled")]
pub struct Cancelled;

/// What the watcher sees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Snapshot {
    pub step: Step,
    /// Share of the current step done (0..=1), when the step knows its size.
    pub fraction: Option<f32>,
}

/// Progress of one piece of work. Cheap to update from a hot loop.
#[derive(Debug)]
pub struct Progress {
    step: AtomicU8,
    done: AtomicU64,
    total: AtomicU64,
    cancelled: AtomicBool,
}

impl Default for Progress {
    fn default() -> Self {
        Self::new()
    }
}

impl Progress {
    pub const fn new() -> Self {
        Self {
            step: AtomicU8::new(Step::Starting as u8),
            done: AtomicU64::new(0),
            total: AtomicU64::new(0),
            cancelled: AtomicBool::new(false),
        }
    }

    /// Starts a step of `total` units (bytes, rows); 0 if its size is unknown.
    pub fn begin(&self, step: Step, total: u64) {
        self.done.store(0, Ordering::Relaxed);
        self.total.store(total, Ordering::Relaxed);
        self.step.store(step as u8, Ordering::Release);
    }

    /// Records that `done` units of the current step are done.
    pub fn advance(&self, done: u64) {
        self.done.store(done, Ordering::Relaxed);
    }

    pub fn snapshot(&self) -> Snapshot {
        let step = Step::from_u8(self.step.load(Ordering::Acquire));
        let total = self.total.load(Ordering::Relaxed);
        let done = self.done.load(Ordering::Relaxed);
        Snapshot {
            step,
            fraction: (total > 0).then(|| (done as f64 / total as f64).clamp(0.0, 1.0) as f32),
        }
    }

    /// Asks the work to stop at its next check.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }

    /// `Err(Cancelled)` once the watcher has cancelled.
    pub fn check(&self) -> Result<(), Cancelled> {
        if self.is_cancelled() {
            Err(Cancelled)
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_follows_steps_and_fraction() {
        let p = Progress::new();
        assert_eq!(p.snapshot().step, Step::Starting);
        assert_eq!(p.snapshot().fraction, None);
        p.begin(Step::Villages, 200);
        p.advance(50);
        assert_eq!(
            p.snapshot(),
            Snapshot {
                step: Step::Villages,
                fraction: Some(0.25)
            }
        );
        p.advance(500);
        assert_eq!(p.snapshot().fraction, Some(1.0));
        p.begin(Step::Adjacency, 0);
        assert_eq!(p.snapshot().fraction, None);
    }

    #[test]
    fn cancel_is_seen_by_check() {
        let p = Progress::new();
        assert_eq!(p.check(), Ok(()));
        p.cancel();
        assert_eq!(p.check(), Err(Cancelled));
    }
}
