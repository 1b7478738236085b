//! A loaded dataset with everything computed once for it, and the analysis of a scenario:
//! the one call the CLI and the desktop app both make.

use std::convert::Infallible;

use crate::coverage::{self, Baseline, ServiceReport};
use crate::engine::{self, MergePlan, PlanError, Prepared};
use crate::model::Dataset;
use crate::progress::{Cancelled, Progress, Step};
use crate::scenario::Scenario;
use crate::summary::{self, DatasetSummary};

/// A dataset ready for any number of scenario runs.
#[derive(Debug, Clone)]
pub struct Workspace {
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
            scenario: scenario.clone(),
            plan,
            after,
            service,
        })
    }

    /// The reports of an analysis.
    pub fn report<'a>(&'a self, analysis: &'a Analysis) -> crate::plan_report::RunReport<'a> {
        crate::plan_report::RunReport {
            dataset: &self.dataset,
            scenario: &analysis.scenario,
            plan: &analysis.plan,
            before: &self.before,
            after: &analysis.after,
            service: &analysis.service,
        }
    }
}
