//! Jianzhi (建制): simulating reforms of China's township and village divisions.
//!
//! The library is UI-free. Data flows one way: files → [`import`] → validated [`model::Dataset`]
//! → [`adjacency`] → merge scenario → plan → metrics → reports. The desktop app and the CLI
//! are two front ends over these calls: only `app` (the desktop front end, behind the default
//! `desktop` feature) uses egui; the CLI lives in the binary.

pub mod adjacency;
#[cfg(feature = "desktop")]
pub mod app;
pub mod atomic;
pub mod builtin;
pub mod coverage;
pub mod crs;
pub mod dem;
pub mod demo;
pub mod engine;
pub mod error;
pub mod explain;
pub mod figures;
pub mod frontier;
pub mod geodesy;
pub mod import;
pub mod lang;
pub mod map;
pub mod metrics;
pub mod model;
pub mod national;
pub mod optimum;
pub mod plan;
pub mod prepared;
pub mod progress;
pub mod report;
pub mod scenario;
pub mod shape;
pub mod summary;
pub mod table;
pub mod terrain;
pub mod validate;
pub mod workspace;

pub use error::{Message, Problem};
pub use import::{ImportError, LoadError};
pub use lang::Lang;
pub use model::{County, Dataset, LonLat, Township, TownshipKind, Village, VillageKind};
