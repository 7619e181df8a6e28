//! What introspection is asked for and what it gives back: plain data, shared by the reader and
//! the assembler.

use serde::Serialize;

use crate::schema::{Schema, Stats};

/// Which schemas to read, and how exactly to measure tables.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IntrospectOptions {
    /// Read only these schemas; empty means every user schema.
    pub include_schemas: Vec<String>,
    /// Leave these schemas out (applied after `include_schemas`).
    pub exclude_schemas: Vec<String>,
    /// Measure each table's own data on disk now rather than take its size as of the last
    /// VACUUM or ANALYZE: exact, but it opens every table (see `catalog::RELATIONS`). Only the
    /// TUI shows sizes.
    pub measure_sizes: bool,
}

/// The schema of a live database and the facts about its data that planning needs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Introspection {
    pub schema: Schema,
    pub stats: Stats,
    /// What the user may want to know about how the database was reached (an ignored password
    /// file, a fallback to a connection without TLS); filled by [`crate::source::postgres::read_live`].
    pub notes: Vec<String>,
}

/// How far introspection has got, reported after each catalog query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// What the query that just finished read: `"tables"`, `"columns"`, `"indexes"`…
    pub step: &'static str,
    pub finished_queries: usize,
    /// Always [`crate::source::postgres::catalog::QUERY_COUNT`].
    pub total_queries: usize,
    /// Rows read so far, over all queries.
    pub rows_read: usize,
}
