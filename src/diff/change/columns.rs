//! Columns of an existing table.

use serde::Serialize;

use crate::schema::model::{Column, IdentityOptions, TableRef};

table_part_changes! {
    AddColumn { column: Column },
    DropColumn { column: Column },
    SetNotNull { column: Column },
    DropNotNull { column: Column },
}

/// A column that disappeared and one of a compatible type that appeared in the same table:
/// a rename candidate, as for tables.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RenameColumn {
    pub table: TableRef,
    pub from: Column,
    pub to: Column,
    pub hinted: bool,
}

/// The column's type (or collation) changes; `from` and `to` are the whole column, live and
/// desired. When the column is also renamed, `from` already carries the desired name (the
/// rename comes first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangeColumnType {
    pub table: TableRef,
    pub from: Column,
    pub to: Column,
}

subject_for!(RenameColumn, ChangeColumnType => {
    fn object(&self) -> String {
        format!("{}.{}", self.table, self.to.name)
    }

    fn altered_table(&self) -> Option<&TableRef> {
        Some(&self.table)
    }
});

/// A default added or changed (`from` is the live default, if any).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SetDefault {
    pub table: TableRef,
    pub column: String,
    pub from: Option<String>,
    pub to: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DropDefault {
    pub table: TableRef,
    pub column: String,
    pub from: String,
}

/// An identity column's sequence options changed (`from` and `to` as the model keeps them,
/// relative to `data_type`'s defaults).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AlterIdentity {
    pub table: TableRef,
    pub column: String,
    pub data_type: String,
    pub from: IdentityOptions,
    pub to: IdentityOptions,
}

subject_for!(SetDefault, DropDefault, AlterIdentity => {
    fn object(&self) -> String {
        format!("{}.{}", self.table, self.column)
    }

    fn altered_table(&self) -> Option<&TableRef> {
        Some(&self.table)
    }
});
