//! The schema model and its canonical forms: type names, PostgreSQL's default object names.
//!
//! No I/O and no SQL execution here; `sql` is the only place that quotes names and literals.

pub mod model;
pub mod names;
pub mod query;
pub mod stats;
pub mod types;

pub use model::*;
pub use stats::{RelationKind, Stats, TableStats, ViewDependency};
