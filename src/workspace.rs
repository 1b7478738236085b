//! A loaded dataset with everything computed once for it, and the analysis of a scenario:
//! the one call the CLI and the desktop app both make.

use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::coverage::{self, Baseline, ServiceReport};
use crate::engine::{self, MergePlan, PlanError, Prepared};
use crate::model::Dataset;
use crate::progress::{Cancelled, Progress, Step};
use crate::scenario::Scenario;
use crate::summary::{self, DatasetSummary};

/// Which loaded dataset a workspace holds: unique within a process, so an analysis can say
/// which dataset its plan indexes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DatasetId(u64);

impl DatasetId {
    fn next() -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        Self(NEXT.fetch_add(1, Ordering::Relaxed))
    }
}

impl std::fmt::Display for DatasetId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "dataset #{}", self.0)
    }
}

/// An analysis read against a workspace whose dataset it was not computed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the plan was computed on another dataset ({plan}) than the one in use ({dataset})")]
pub struct OtherDataset {
    pub plan: DatasetId,
    pub dataset: DatasetId,
}

/// A dataset ready for any number of scenario runs.
#[derive(Debug, Clone)]
pub struct Workspace {
    /// This dataset's identity; analyses carry it.
    id: DatasetId,
    pub dataset: Dataset,
    /// Adjacency and terrain.
    pub prepared: Prepared,
    /// Coverage before any plan.
    pub baseline: Baseline,
    /// Statistics before any plan.
    pub before: DatasetSummary,
}

/// Everything a scenario run produces: the plan and every figure of the charts and reports.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// The dataset the plan's indices refer to.
    dataset: DatasetId,
    pub scenario: Scenario,
    pub plan: MergePlan,
    pub after: DatasetSummary,
    pub service: ServiceReport,
}

impl Workspace {
    pub fn new(dataset: Dataset) -> Self {
        let Ok(workspace) = Self::build(dataset, |_| Ok::<(), Infallible>(()));
        workspace
    }

    /// As [`Workspace::new`], reporting each step to `progress` and stopping if it is
    /// cancelled.
    pub fn new_with(dataset: Dataset, progress: &Progress) -> Result<Self, Cancelled> {
        Self::build(dataset, |step| {
            progress.begin(step, 0);
            progress.check()
        })
    }

    fn build<E>(dataset: Dataset, mut at: impl FnMut(Step) -> Result<(), E>) -> Result<Self, E> {
        let prepared = Prepared::build(&dataset, &mut at)?;
        at(Step::Coverage)?;
        let baseline = Baseline::new(&dataset);
        let before = summary::summarize(&dataset);
        at(Step::Done)?;
        Ok(Self {
            id: DatasetId::next(),
            dataset,
            prepared,
            baseline,
            before,
        })
    }

    /// Applies a scenario and computes every after figure.
    pub fn analyse(&self, scenario: &Scenario) -> Result<Analysis, PlanError> {
        let plan = engine::apply(&self.dataset, &self.prepared, scenario)?;
        let after = engine::after_summary(&self.dataset, &plan);
        let service = coverage::evaluate(&self.dataset, &self.baseline, &plan, scenario);
        Ok(Analysis {
            dataset: self.id,
            scenario: scenario.clone(),
            plan,
            after,
            service,
        })
    }

    /// This workspace's dataset identity.
    pub fn id(&self) -> DatasetId {
        self.id
    }

    /// `analysis` if it was computed on this workspace's dataset. Every reader of a plan
    /// against a dataset goes through here: a plan of another dataset would index the wrong
    /// units, or past the end.
    pub fn check<'a>(&self, analysis: &'a Analysis) -> Result<&'a Analysis, OtherDataset> {
        if analysis.dataset == self.id {
            Ok(analysis)
        } else {
            Err(OtherDataset {
                plan: analysis.dataset,
                dataset: self.id,
            })
        }
    }

    /// The reports of an analysis of this workspace's dataset.
    pub fn report<'a>(
        &'a self,
        analysis: &'a Analysis,
    ) -> Result<crate::plan_report::RunReport<'a>, OtherDataset> {
        let analysis = self.check(analysis)?;
        Ok(crate::plan_report::RunReport {
            dataset: &self.dataset,
            scenario: &analysis.scenario,
            plan: &analysis.plan,
            before: &self.before,
            after: &analysis.after,
            service: &analysis.service,
        })
    }
}
