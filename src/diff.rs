//! Live schema × desired schema → the list of [`Change`]s, ordered so that every statement can
//! run: what others depend on is created first and dropped last.

pub mod change;

pub use change::{Change, CommentTarget, Constraint, QualifiedName, TypeDefinition};

use crate::schema::Schema;
use crate::source::postgres::Stats;

/// PLACEHOLDER until the diff lands: no changes.
#[must_use]
pub fn diff(_live: &Schema, _desired: &Schema, _stats: &Stats) -> Vec<Change> {
    Vec::new()
}
