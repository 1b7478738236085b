//! The map, UI-free: a dataset's territories projected and triangulated once
//! ([`geometry`]), the colours of a plan ([`colour`]) and labels that never overlap
//! ([`labels`]). The desktop app draws these; an export can too.

pub mod colour;
pub mod geometry;
pub mod labels;

pub use colour::{ColourMode, Colouring, LegendEntry, Rgb};
pub use geometry::{Bounds, MapGeometry, Point};
