//! A loaded dataset with everything computed once for it, and the analysis of a scenario:
//! the one call the CLI and the desktop app both make.
//!
//! An [`Analysis`] holds the workspace it was computed on, so its plan can only ever be read
//! against that dataset: every reader (charts, tables, reports) takes the dataset from the
//! analysis itself.

use std::convert::Infallible;
use std::sync::Arc;

use rayon::prelude::*;
use typed_index_collections::TiVec;

use crate::coverage::{self, Baseline, ServiceReport};
use crate::engine::{self, CountyFigures};
use crate::model::{CountyId, Dataset, TownshipId, VillageId};
use crate::national::Province;
use crate::plan::MergePlan;
pub use crate::prepared::{DatasetId, Prepared};
use crate::progress::{Cancelled, Progress, Step};
use crate::scenario::{self, PlanError, Scenario};
use crate::summary::DatasetSummary;

/// A dataset ready for any number of scenario runs: prepared ([`Prepared`]), with where its
/// people are (the engine's [`engine::Demands`]) and each village's trip before any plan
/// (coverage's [`Baseline`]). Immutable once built.
#[derive(Debug)]
pub struct Workspace {
    prepared: Prepared,
    demands: engine::Demands,
    baseline: Baseline,
}

/// Everything a scenario run produces: the plan and every figure of the charts and reports,
/// with the workspace it was computed on.
#[derive(Debug, Clone)]
pub struct Analysis {
    workspace: Arc<Workspace>,
    pub scenario: Scenario,
    pub plan: MergePlan,
    pub after: DatasetSummary,
    pub service: ServiceReport,
    /// What the next analysis of this workspace may take over unchanged.
    reuse: Arc<Reuse>,
    /// The engine's decisions, read from `reuse` when first asked for.
    decisions: std::sync::OnceLock<Arc<engine::explain::Decisions>>,
}

/// The partition runs and coverage trips of an analysis, for the next one.
#[derive(Debug, Default)]
struct Reuse {
    engine: engine::Reuse,
    summary: CountyFigures,
    coverage: coverage::Kept,
}

impl Workspace {
    pub fn new(dataset: Dataset) -> Self {
        let Ok(workspace) = Self::build(dataset, |_| Ok::<(), Infallible>(()));
        workspace
    }

    /// As [`Workspace::new`], reporting each step to `progress` and stopping if it is
    /// cancelled.
    pub fn new_with(dataset: Dataset, progress: &Progress) -> Result<Self, Cancelled> {
        Self::new_beside(dataset, progress, |_| ()).map(|(workspace, ())| workspace)
    }

    /// As [`Workspace::new_with`], with `beside` run on the same dataset on a thread of its
    /// own while the adjacency is found (see [`Prepared::build_beside`]).
    pub fn new_beside<T: Send>(
        dataset: Dataset,
        progress: &Progress,
        beside: impl FnOnce(&Dataset) -> T + Send,
    ) -> Result<(Self, T), Cancelled> {
        let at = |step| {
            progress.begin(step, 0);
            progress.check()
        };
        let (prepared, side) = Prepared::build_beside(dataset, at, beside)?;
        Ok((Self::with(prepared, at)?, side))
    }

    fn build<E>(dataset: Dataset, mut at: impl FnMut(Step) -> Result<(), E>) -> Result<Self, E> {
        let prepared = Prepared::build(dataset, &mut at)?;
        Self::with(prepared, at)
    }

    /// The workspace of a prepared dataset: its seats' demands and its baseline coverage.
    fn with<E>(prepared: Prepared, mut at: impl FnMut(Step) -> Result<(), E>) -> Result<Self, E> {
        let demands = engine::Demands::new(&prepared);
        at(Step::Coverage)?;
        let baseline = Baseline::new(prepared.dataset());
        at(Step::Done)?;
        Ok(Self {
            prepared,
            demands,
            baseline,
        })
    }

    /// This workspace's dataset identity.
    pub fn id(&self) -> DatasetId {
        self.prepared.id()
    }

    pub fn dataset(&self) -> &Dataset {
        self.prepared.dataset()
    }

    /// Adjacency, terrain classes, the units of each county, codes to ids.
    pub fn prepared(&self) -> &Prepared {
        &self.prepared
    }

    /// Each village's trip to its own seat, before any plan.
    pub fn baseline(&self) -> &Baseline {
        &self.baseline
    }

    /// Statistics before any plan.
    pub fn before(&self) -> &DatasetSummary {
        self.prepared.before()
    }

    /// The township with this code.
    pub fn township_by_code(&self, code: &str) -> Option<TownshipId> {
        self.prepared.township_by_code(code)
    }

    /// The village with this code.
    pub fn village_by_code(&self, code: &str) -> Option<VillageId> {
        self.prepared.village_by_code(code)
    }

    /// The provinces the dataset's counties are in (`None` for a code of no province), each
    /// once, in the order first met.
    pub fn provinces(&self) -> &[Option<&'static Province>] {
        self.prepared.provinces()
    }

    /// What the engine plans on.
    pub fn engine_inputs(&self) -> engine::Inputs<'_> {
        engine::Inputs {
            prepared: &self.prepared,
            demands: &self.demands,
        }
    }

    /// What coverage reads.
    fn coverage_inputs(&self) -> coverage::Inputs<'_> {
        coverage::Inputs {
            prepared: &self.prepared,
            baseline: &self.baseline,
        }
    }

    /// The plan of a scenario alone (no figures).
    pub fn plan(&self, scenario: &Scenario) -> Result<MergePlan, PlanError> {
        let applied = self.applicable(scenario);
        let resolved = scenario::resolve(&applied, &self.prepared)?;
        engine::plan(self.engine_inputs(), &resolved)
    }

    /// The number of township-level units after the scenario's township plan alone (no
    /// village plan, no figures): what `run --timing` times beside the whole scenario.
    pub fn township_units_after(&self, scenario: &Scenario) -> Result<usize, PlanError> {
        let applied = self.applicable(scenario);
        let resolved = scenario::resolve(&applied, &self.prepared)?;
        Ok(engine::township_plan(self.engine_inputs(), &resolved)
            .units
            .len())
    }

    /// The scenario as it applies to this dataset: without locations no distance can be
    /// measured, and caps on it are left out (the load said so).
    fn applicable<'s>(&self, scenario: &'s Scenario) -> std::borrow::Cow<'s, Scenario> {
        if self.dataset().has_locations() {
            std::borrow::Cow::Borrowed(scenario)
        } else {
            std::borrow::Cow::Owned(scenario.without_distance_caps())
        }
    }

    /// Applies a scenario and computes every after figure.
    pub fn analyse(self: &Arc<Self>, scenario: &Scenario) -> Result<Analysis, PlanError> {
        self.analyse_after(scenario, None)
    }

    /// As [`Workspace::analyse`], recomputing only what differs from `previous` (an analysis
    /// of this workspace, of the same scenario before an edit, say): the runs of the counties
    /// whose inputs changed, the figures and trips of the counties whose new seats changed,
    /// then the province-wide figures from the counties'. The result is the same as without
    /// `previous`.
    pub fn analyse_after(
        self: &Arc<Self>,
        scenario: &Scenario,
        previous: Option<&Analysis>,
    ) -> Result<Analysis, PlanError> {
        let previous = previous.filter(|p| p.is_of(self));
        let reuse = previous.map(|p| &*p.reuse);
        let applied = self.applicable(scenario);
        let resolved = scenario::resolve(&applied, &self.prepared)?;
        let no_runs = engine::Reuse::default();
        let (plan, runs) = engine::plan_reusing(
            self.engine_inputs(),
            &resolved,
            reuse.map_or(&no_runs, |p| &p.engine),
        )?;
        // The counties whose new seats changed: the others keep their figures.
        let changed = previous.map(|p| self.changed_counties(&p.plan, &plan));
        let kept = previous.zip(changed.as_ref());
        // The figures and the coverage read the plan apart: each one's serial steps run
        // beside the other's parallel ones.
        let ((after, figures), (service, trips)) = rayon::join(
            || {
                engine::after_summary(
                    self.engine_inputs(),
                    &plan,
                    kept.map(|(p, changed)| (&p.after, &p.reuse.summary, changed)),
                )
            },
            || {
                coverage::evaluate(
                    self.coverage_inputs(),
                    &plan,
                    scenario,
                    kept.map(|(p, changed)| (&p.reuse.coverage, changed)),
                )
            },
        );
        Ok(Analysis {
            workspace: self.clone(),
            scenario: scenario.clone(),
            plan,
            after,
            service,
            reuse: Arc::new(Reuse {
                engine: runs,
                summary: figures,
                coverage: trips,
            }),
            decisions: std::sync::OnceLock::new(),
        })
    }

    /// Whether each county has a township or village whose new seat differs between two
    /// plans of this workspace.
    fn changed_counties(&self, then: &MergePlan, now: &MergePlan) -> TiVec<CountyId, bool> {
        let prepared = &self.prepared;
        self.dataset()
            .counties
            .keys()
            .collect::<Vec<CountyId>>()
            .into_par_iter()
            .map(|c| {
                let moved =
                    |t: &TownshipId| then.townships.seat_of(*t) != now.townships.seat_of(*t);
                prepared.townships_of(c).iter().any(moved)
                    || prepared
                        .villages_of(c)
                        .iter()
                        .any(|&v| then.villages.seat_of(v) != now.villages.seat_of(v))
            })
            .collect::<Vec<bool>>()
            .into()
    }
}

impl Analysis {
    /// The engine's decisions for every former unit, read from its own record of the runs
    /// (see [`engine::explain`]); worked out on first use, then kept.
    pub fn decisions(&self) -> &engine::explain::Decisions {
        self.decisions
            .get_or_init(|| Arc::new(engine::explain::decisions(&self.reuse.engine)))
    }

    /// The plan's new units rebuilt from the engine's record alone (townships, villages).
    pub fn replayed(
        &self,
    ) -> (
        Option<engine::explain::Replayed>,
        Option<engine::explain::Replayed>,
    ) {
        engine::explain::replay(&self.reuse.engine)
    }

    /// The workspace the plan was computed on.
    pub fn workspace(&self) -> &Arc<Workspace> {
        &self.workspace
    }

    /// The dataset the plan indexes.
    pub fn dataset(&self) -> &Dataset {
        self.workspace.dataset()
    }

    /// Statistics of the dataset before the plan.
    pub fn before(&self) -> &DatasetSummary {
        self.workspace.before()
    }

    /// Whether this analysis was computed on `workspace`.
    pub fn is_of(&self, workspace: &Workspace) -> bool {
        self.workspace.id() == workspace.id()
    }

    /// How many partitions this analysis ran rather than took from `previous`: townships
    /// (counties), villages (new townships).
    pub fn runs_since(&self, previous: &Analysis) -> (usize, usize) {
        self.reuse.engine.runs_since(&previous.reuse.engine)
    }
}
