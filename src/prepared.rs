//! A dataset prepared for any number of scenario runs, with its identity: adjacency, terrain
//! classes, points on the sphere, the units of each county and township, the statistics
//! before any plan, and codes to ids. Immutable once built; what the scenario, the engine and
//! coverage read (the analysis above them adds what they compute once more: see
//! [`crate::workspace`]).

use std::collections::HashMap;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use typed_index_collections::TiVec;

use crate::adjacency::{self, Adjacency};
use crate::geodesy::SpherePoint;
use crate::model::{CountyId, Dataset, Terrain, TownshipId, VillageId};
use crate::national::Province;
use crate::progress::Step;
use crate::summary::{self, DatasetSummary};

/// Which loaded dataset a prepared dataset holds: unique within a process. A plan carries it.
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

/// A dataset ready for scenario runs.
#[derive(Debug)]
pub struct Prepared {
    id: DatasetId,
    dataset: Dataset,
    /// Terrain class of each township (data, else DEM, else none).
    pub terrain: TiVec<TownshipId, Option<Terrain>>,
    /// Township neighbours, within counties.
    pub township_adjacency: Adjacency<TownshipId>,
    /// Village neighbours within counties, so villages of townships that merge can merge
    /// across the former township line.
    pub village_adjacency: Adjacency<VillageId>,
    /// Township seats and village centres as points on the sphere.
    pub township_points: TiVec<TownshipId, SpherePoint>,
    pub village_points: TiVec<VillageId, SpherePoint>,
    /// The villages of each township, in order: what the village level's partitions are
    /// made of.
    pub villages_by_township: TiVec<TownshipId, Vec<VillageId>>,
    /// The townships and villages of each county, in order.
    townships_by_county: TiVec<CountyId, Vec<TownshipId>>,
    villages_by_county: TiVec<CountyId, Vec<VillageId>>,
    /// Statistics before any plan.
    before: DatasetSummary,
    /// Codes to ids, built when a scenario first names a unit.
    township_codes: OnceLock<HashMap<String, TownshipId>>,
    village_codes: OnceLock<HashMap<String, VillageId>>,
    /// The provinces of the counties (`None` for a code of no province), each once, in the
    /// order first met.
    provinces: OnceLock<Vec<Option<&'static Province>>>,
}

/// What is derived from a dataset before it is kept: its units' neighbours and terrain.
struct Derived {
    terrain: TiVec<TownshipId, Option<Terrain>>,
    township_adjacency: Adjacency<TownshipId>,
    village_adjacency: Adjacency<VillageId>,
}

impl Derived {
    fn new<E>(dataset: &Dataset, mut at: impl FnMut(Step) -> Result<(), E>) -> Result<Self, E> {
        at(Step::Adjacency)?;
        let (township_adjacency, _) =
            adjacency::township_adjacency(dataset, adjacency::DEFAULT_TOLERANCE_DEG);
        at(Step::Adjacency)?;
        let village_adjacency = adjacency::village_adjacency_within_counties(dataset);
        at(Step::Terrain)?;
        let terrain = crate::terrain::township_terrain(dataset);
        Ok(Self {
            terrain,
            township_adjacency,
            village_adjacency,
        })
    }

    /// The dataset prepared with what was derived from it.
    fn with(self, dataset: Dataset) -> Prepared {
        let township_points = dataset
            .townships
            .iter()
            .map(|t| SpherePoint::new(t.seat))
            .collect();
        let village_points = dataset
            .villages
            .iter()
            .map(|v| SpherePoint::new(v.centre))
            .collect();
        let mut villages_by_county: TiVec<CountyId, Vec<VillageId>> =
            vec![Vec::new(); dataset.counties.len()].into();
        for v in dataset.villages.keys() {
            villages_by_county[dataset.county_of_village(v)].push(v);
        }
        Prepared {
            id: DatasetId::next(),
            terrain: self.terrain,
            township_adjacency: self.township_adjacency,
            village_adjacency: self.village_adjacency,
            township_points,
            village_points,
            villages_by_township: dataset.villages_by_township(),
            townships_by_county: dataset.townships_by_county(),
            villages_by_county,
            before: summary::summarize(&dataset),
            dataset,
            township_codes: OnceLock::new(),
            village_codes: OnceLock::new(),
            provinces: OnceLock::new(),
        }
    }
}

impl Prepared {
    pub fn new(dataset: Dataset) -> Self {
        let Ok(prepared) = Self::build(dataset, |_| Ok::<(), std::convert::Infallible>(()));
        prepared
    }

    /// Prepares `dataset`, calling `at` before each step (for progress; an error from it
    /// stops the work).
    pub fn build<E>(dataset: Dataset, at: impl FnMut(Step) -> Result<(), E>) -> Result<Self, E> {
        Self::build_beside(dataset, at, |_| ()).map(|(prepared, ())| prepared)
    }

    /// As [`Prepared::build`], with `beside` run on the same dataset on a thread of its own
    /// meanwhile (the app's map geometry, which is drawn on one core while the adjacency
    /// takes the others).
    pub fn build_beside<E, T: Send>(
        dataset: Dataset,
        at: impl FnMut(Step) -> Result<(), E>,
        beside: impl FnOnce(&Dataset) -> T + Send,
    ) -> Result<(Self, T), E> {
        let (derived, side) = std::thread::scope(|scope| {
            let side = scope.spawn(|| beside(&dataset));
            (Derived::new(&dataset, at), side.join())
        });
        let side = side.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        Ok((derived?.with(dataset), side))
    }

    /// This dataset's identity.
    pub fn id(&self) -> DatasetId {
        self.id
    }

    pub fn dataset(&self) -> &Dataset {
        &self.dataset
    }

    /// Statistics before any plan.
    pub fn before(&self) -> &DatasetSummary {
        &self.before
    }

    /// The townships of county `c`, in order.
    pub fn townships_of(&self, c: CountyId) -> &[TownshipId] {
        &self.townships_by_county[c]
    }

    /// The townships of every county, in order.
    pub fn townships_by_county(&self) -> &TiVec<CountyId, Vec<TownshipId>> {
        &self.townships_by_county
    }

    /// The villages of county `c`, in order.
    pub fn villages_of(&self, c: CountyId) -> &[VillageId] {
        &self.villages_by_county[c]
    }

    /// The township with this code.
    pub fn township_by_code(&self, code: &str) -> Option<TownshipId> {
        self.township_codes
            .get_or_init(|| {
                self.dataset
                    .townships
                    .iter_enumerated()
                    .map(|(i, t)| (t.code.clone(), i))
                    .collect()
            })
            .get(code)
            .copied()
    }

    /// The village with this code.
    pub fn village_by_code(&self, code: &str) -> Option<VillageId> {
        self.village_codes
            .get_or_init(|| {
                self.dataset
                    .villages
                    .iter_enumerated()
                    .map(|(i, v)| (v.code.clone(), i))
                    .collect()
            })
            .get(code)
            .copied()
    }

    /// The provinces the dataset's counties are in (`None` for a code of no province), each
    /// once, in the order first met.
    pub fn provinces(&self) -> &[Option<&'static Province>] {
        self.provinces.get_or_init(|| {
            let mut seen = Vec::new();
            for c in &self.dataset.counties {
                let p = c.province();
                if !seen.contains(&p) {
                    seen.push(p);
                }
            }
            seen
        })
    }
}
