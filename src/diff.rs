//! Live schema × desired schema → the list of [`Change`]s, ordered so that every statement can
//! run: what others depend on is created first and dropped last.

pub mod change;

pub use change::{Change, CommentTarget, Constraint, QualifiedName, TypeDefinition};
