//! A live PostgreSQL database: connecting like libpq, and reading its schema read-only.

pub mod catalog;
pub mod introspect;

pub use introspect::{
    IntrospectError, IntrospectOptions, Introspection, Progress, RelationKind, Stats, TableStats,
    introspect,
};
