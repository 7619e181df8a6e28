//! What a change needs counted in the live data before its questions can be answered well, as
//! data: the rule names the rows, whoever counts (`crate::count`, off the rules' pure layer)
//! runs the query and records the fact.

use crate::schema::TableRef;

/// An on-demand count a change needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Count {
    /// What is counted, in words for progress lines (`NULLs in orders.note`).
    pub what: String,
    /// The rows counted, briefly, as the planner labels the result (`NULLs`).
    pub label: &'static str,
    pub rows: Rows,
}

/// The rows a count looks for, each kind recorded as its rule's fact.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Rows {
    /// Rows where `column` is NULL.
    Nulls { table: TableRef, column: String },
    /// Rows whose key another row has.
    Duplicates {
        table: TableRef,
        columns: Vec<String>,
        nulls_not_distinct: bool,
    },
    /// Rows whose foreign key matches no referenced row.
    Orphans {
        table: TableRef,
        columns: Vec<String>,
        references: TableRef,
        referenced_columns: Vec<String>,
    },
    /// Values of `column` that do not convert to `to_type`.
    FailedCasts {
        table: TableRef,
        column: String,
        to_type: String,
    },
    /// Rows whose column (table, column) holds one of `labels`.
    Labels {
        columns: Vec<(TableRef, String)>,
        labels: Vec<String>,
    },
}
