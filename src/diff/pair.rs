//! A table on both sides, and the renames the plan makes: what the table diff and the
//! constraint diff share.

use std::collections::BTreeMap;

use crate::schema::{Table, TableRef};

use super::columns::ColumnPairing;

/// A table on both sides: under the same name, or renamed.
pub(super) struct TablePair<'a> {
    pub live_ref: TableRef,
    pub table: TableRef,
    pub live: &'a Table,
    pub desired: &'a Table,
    /// `Some(hinted)` for a rename candidate.
    pub rename: Option<bool>,
    pub columns: ColumnPairing<'a>,
}

/// The renames the plan makes, by live names, so that what PostgreSQL renames along with a
/// table or column (constraint and index column lists, foreign key targets) compares equal.
#[derive(Debug, Default)]
pub(super) struct Renames {
    tables: BTreeMap<TableRef, TableRef>,
    columns: BTreeMap<(TableRef, String), String>,
}

impl Renames {
    /// The table's name after the plan's renames.
    pub fn table(&self, live: &TableRef) -> TableRef {
        self.tables.get(live).unwrap_or(live).clone()
    }

    /// The column's name after the plan's renames (`table` by its live name).
    pub fn column(&self, table: &TableRef, column: &str) -> String {
        self.columns
            .get(&(table.clone(), column.to_owned()))
            .cloned()
            .unwrap_or_else(|| column.to_owned())
    }

    /// The columns' names after the plan's renames.
    pub fn columns(&self, table: &TableRef, columns: &[String]) -> Vec<String> {
        columns.iter().map(|c| self.column(table, c)).collect()
    }

    /// Whether the plan renames no table and no column.
    pub fn is_empty(&self) -> bool {
        self.tables.is_empty() && self.columns.is_empty()
    }

    /// The renames among `pairs`.
    pub fn of(pairs: &[TablePair]) -> Renames {
        let mut renames = Renames::default();
        for pair in pairs {
            if pair.rename.is_some() {
                renames
                    .tables
                    .insert(pair.live_ref.clone(), pair.table.clone());
            }
            for (live, desired, rename) in &pair.columns.matched {
                if rename.is_some() {
                    renames.columns.insert(
                        (pair.live_ref.clone(), live.name.to_string()),
                        desired.name.to_string(),
                    );
                }
            }
        }
        renames
    }
}
