//! What the live database says about its relations besides their shape: the server's
//! version, each relation's size and row estimate, and which views read which relations.
//! Read from the catalog with the schema; the diff, the rules and the planner size their work
//! with it.

use std::collections::BTreeMap;

use serde::Serialize;

use super::TableRef;
use crate::sql::quote_qualified;

/// Facts about the server and the size of each table, view and materialized view.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Stats {
    /// As `SHOW server_version` prints it (`15.4 (Debian 15.4-1)`).
    pub server_version: String,
    /// `server_version_num`, e.g. `150004`.
    pub server_version_num: i32,
    /// Serialised with keys `schema.name`, quoted as SQL would, since JSON keys are strings.
    #[serde(serialize_with = "serialize_by_qualified_name")]
    pub tables: BTreeMap<TableRef, TableStats>,
    /// The views and materialized views (in any schema) that read each relation directly, for
    /// the relations that have some; a view on a view is listed under the view it reads.
    /// `source::postgres::facts::views_depending_on` follows the chains.
    #[serde(serialize_with = "serialize_by_qualified_name")]
    pub view_dependencies: BTreeMap<TableRef, Vec<ViewDependency>>,
}

/// A view or materialized view that reads a relation, and what it reads of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ViewDependency {
    pub view: TableRef,
    pub materialized: bool,
    /// The relation's columns the view uses, by name, sorted; empty when it uses none
    /// (`SELECT count(*) FROM t`).
    pub columns: Vec<String>,
}

fn serialize_by_qualified_name<S: serde::Serializer, T: Serialize>(
    tables: &BTreeMap<TableRef, T>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_map(
        tables
            .iter()
            .map(|(table, stats)| (quote_qualified(&table.schema, &table.name), stats)),
    )
}

/// Size facts of one relation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TableStats {
    pub kind: RelationKind,
    /// The planner's row estimate (`reltuples`); `None` when the relation was never analysed.
    pub estimated_rows: Option<i64>,
    /// Bytes on disk, TOAST and indexes included, as of their last build, VACUUM or ANALYZE;
    /// the table's own data measured at introspection when asked for (see
    /// `catalog::RELATIONS`). Zero for views and partitioned tables, which store nothing
    /// themselves.
    pub total_bytes: i64,
}

/// What kind of relation a [`TableStats`] describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RelationKind {
    /// An ordinary table, including a partition.
    Table,
    PartitionedTable,
    View,
    MaterializedView,
}
