//! Typed positions of counties, townships and villages in a [`Dataset`](super::Dataset), and of
//! the new units of a plan: an index of one kind cannot be used for another.
//!
//! ```
//! use jianzhi::model::{TownshipId, VillageId};
//! let t = TownshipId::from(3_usize);
//! assert_eq!(usize::from(t), 3);
//! // `VillageId::from(t)` does not compile: a township's position is not a village's.
//! let _ = VillageId::from(usize::from(t));
//! ```

use std::fmt;
use std::marker::PhantomData;

macro_rules! unit_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
        pub struct $name(u32);

        impl From<usize> for $name {
            fn from(index: usize) -> Self {
                debug_assert!(index <= u32::MAX as usize, "more than 2^32 units");
                Self(index as u32)
            }
        }

        impl From<$name> for usize {
            fn from(id: $name) -> usize {
                id.0 as usize
            }
        }

        impl $name {
            /// The position as a plain index.
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}#{}", stringify!($name), self.0)
            }
        }
    };
}

unit_id!(
    /// A county's position in [`Dataset::counties`](super::Dataset::counties).
    CountyId
);
unit_id!(
    /// A township-level unit's position in [`Dataset::townships`](super::Dataset::townships).
    TownshipId
);
unit_id!(
    /// A village-level unit's position in [`Dataset::villages`](super::Dataset::villages).
    VillageId
);

/// A level of the division that plans merge: townships or villages, named by the id of their
/// units.
pub trait Level:
    Copy + Eq + Ord + std::hash::Hash + fmt::Debug + From<usize> + Into<usize> + Send + Sync + 'static
{
    /// The level's name in scenario files and reports: `townships` or `villages`.
    const NAME: &'static str;
}

impl Level for TownshipId {
    const NAME: &'static str = "townships";
}

impl Level for VillageId {
    const NAME: &'static str = "villages";
}

/// The position of a new unit of level `L` (a [`TownshipId`] or [`VillageId`] level) in its
/// plan stage: a new township's position cannot index new villages.
pub struct NewId<L> {
    index: u32,
    level: PhantomData<fn() -> L>,
}

/// A new township's position in a plan.
pub type NewTownshipId = NewId<TownshipId>;
/// A new village's position in a plan.
pub type NewVillageId = NewId<VillageId>;

impl<L> NewId<L> {
    /// The position as a plain index.
    pub fn index(self) -> usize {
        self.index as usize
    }
}

impl<L> From<usize> for NewId<L> {
    fn from(index: usize) -> Self {
        debug_assert!(index <= u32::MAX as usize, "more than 2^32 units");
        Self {
            index: index as u32,
            level: PhantomData,
        }
    }
}

impl<L> From<NewId<L>> for usize {
    fn from(id: NewId<L>) -> usize {
        id.index as usize
    }
}

// Written out: derives would require `L` itself to be `Clone`, `Eq`, ….
impl<L> Clone for NewId<L> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<L> Copy for NewId<L> {}
impl<L> PartialEq for NewId<L> {
    fn eq(&self, other: &Self) -> bool {
        self.index == other.index
    }
}
impl<L> Eq for NewId<L> {}
impl<L> PartialOrd for NewId<L> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl<L> Ord for NewId<L> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.index.cmp(&other.index)
    }
}
impl<L> std::hash::Hash for NewId<L> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.index.hash(state);
    }
}
impl<L> fmt::Debug for NewId<L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NewId({})", self.index)
    }
}
