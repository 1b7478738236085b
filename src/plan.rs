//! The plan: who merged into whom at each level, how each level's run went, and what became
//! of every hand edit. A plan knows the dataset it was computed on ([`MergePlan::dataset`]).

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;
use typed_index_collections::TiVec;

use crate::lang::Lang;
use crate::model::{Level, NewId, TownshipId, VillageId};
use crate::prepared::DatasetId;
pub use crate::scenario::{EditReport, EditStatus, Refusal};

/// A unit after the reform: its surviving seat and its former units, at level `L`
/// ([`TownshipId`] or [`VillageId`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUnit<L> {
    /// The former unit whose seat survives (its code is the new unit's).
    pub seat: L,
    /// Former units, sorted; a unit that did not merge is its own only member. Shared with
    /// the partition run that made the group, which the next analysis may take as it is.
    pub members: Arc<[L]>,
    /// A name given by hand; otherwise the new unit takes its seat's name.
    pub name: Option<String>,
    /// Whether the group was made or kept by hand edits (the rules left it alone).
    pub by_hand: bool,
}

/// A constraint that kept a candidate from merging.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Constraint {
    /// No neighbour it may merge with (isolated, or every neighbour exempt, locked or out of scope).
    NoNeighbour,
    /// Every merge would exceed the maximum area.
    MaxArea,
    /// Every merge would put a member too far from the surviving seat.
    MaxSeatDistance,
}

impl Constraint {
    pub const ALL: [Constraint; 3] = [
        Constraint::NoNeighbour,
        Constraint::MaxArea,
        Constraint::MaxSeatDistance,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Constraint::NoNeighbour => "no_neighbour",
            Constraint::MaxArea => "max_area",
            Constraint::MaxSeatDistance => "max_seat_distance",
        }
    }

    /// What the constraint is, in `lang`.
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Constraint::NoNeighbour, Lang::Zh) => "无可合并邻居",
            (Constraint::MaxArea, Lang::Zh) => "面积上限",
            (Constraint::MaxSeatDistance, Lang::Zh) => "距离上限",
            (Constraint::NoNeighbour, Lang::En) => "no neighbour",
            (Constraint::MaxArea, Lang::En) => "area cap",
            (Constraint::MaxSeatDistance, Lang::En) => "distance cap",
        }
    }

    /// This constraint as one bit of a set.
    pub fn bit(self) -> u8 {
        1 << self as u8
    }
}

/// How a level's run went.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Regular units in scope before the reform (the base of the target).
    pub units_in_scope: usize,
    /// Merges the target asked for, if there is a target.
    pub target_merges: Option<usize>,
    /// Merges made, those by hand included.
    pub merges: usize,
    /// Merges made by hand: the scenario's `manual` groups and the hand edits.
    pub manual_merges: usize,
    /// Candidates each constraint kept from merging.
    pub blocked: BTreeMap<Constraint, usize>,
}

impl Outcome {
    /// Whether the target (if any) was met.
    pub fn target_met(&self) -> bool {
        self.target_merges.is_none_or(|t| self.merges >= t)
    }
}

/// One level of a plan: townships (`L` = [`TownshipId`]) or villages ([`VillageId`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage<L: Level> {
    pub units: TiVec<NewId<L>, NewUnit<L>>,
    /// For each former unit, its new unit.
    pub new_of: TiVec<L, NewId<L>>,
    pub outcome: Outcome,
}

impl<L: Level> Default for Stage<L> {
    fn default() -> Self {
        Self {
            units: TiVec::new(),
            new_of: TiVec::new(),
            outcome: Outcome::default(),
        }
    }
}

impl<L: Level> Stage<L> {
    /// Every one of `n` units its own new unit: the units as they are, before any plan.
    pub fn identity(n: usize) -> Self {
        Self {
            units: (0..n)
                .map(|i| NewUnit {
                    seat: L::from(i),
                    members: Arc::from([L::from(i)]),
                    name: None,
                    by_hand: false,
                })
                .collect(),
            new_of: (0..n).map(NewId::from).collect(),
            outcome: Outcome::default(),
        }
    }

    /// The new unit a former unit belongs to.
    pub fn unit_of(&self, former: L) -> &NewUnit<L> {
        &self.units[self.new_of[former]]
    }

    /// The surviving seat of a former unit's new unit.
    pub fn seat_of(&self, former: L) -> L {
        self.unit_of(former).seat
    }
}

/// Who merged into whom, for townships and villages, and what became of the hand edits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergePlan {
    /// The dataset the plan's ids index.
    pub(crate) dataset: DatasetId,
    pub townships: Stage<TownshipId>,
    pub villages: Stage<VillageId>,
    /// One report per hand edit, in the order of the scenario's edit list.
    pub edits: Vec<EditReport>,
}

impl MergePlan {
    /// The dataset this plan was computed on.
    pub fn dataset(&self) -> DatasetId {
        self.dataset
    }

    /// The hand edits that did not hold.
    pub fn refused_edits(&self) -> impl Iterator<Item = &EditReport> {
        self.edits.iter().filter(|e| !e.held())
    }
}
