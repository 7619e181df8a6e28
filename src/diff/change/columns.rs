//! Columns of an existing table.

use serde::Serialize;

use crate::schema::model::{Column, IdentityOptions, TableRef};

use super::Subject;

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

impl Subject for RenameColumn {
    fn object(&self) -> String {
        format!("{}.{}", self.table, self.to.name)
    }

    fn altered_table(&self) -> Option<&TableRef> {
        Some(&self.table)
    }
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

impl Subject for ChangeColumnType {
    fn object(&self) -> String {
        format!("{}.{}", self.table, self.to.name)
    }

    fn altered_table(&self) -> Option<&TableRef> {
        Some(&self.table)
    }
}

/// A default added or changed (`from` is the live default, if any).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SetDefault {
    pub table: TableRef,
    pub column: String,
    pub from: Option<String>,
    pub to: String,
}

impl Subject for SetDefault {
    fn object(&self) -> String {
        format!("{}.{}", self.table, self.column)
    }

    fn altered_table(&self) -> Option<&TableRef> {
        Some(&self.table)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DropDefault {
    pub table: TableRef,
    pub column: String,
    pub from: String,
}

impl Subject for DropDefault {
    fn object(&self) -> String {
        format!("{}.{}", self.table, self.column)
    }

    fn altered_table(&self) -> Option<&TableRef> {
        Some(&self.table)
    }
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

impl Subject for AlterIdentity {
    fn object(&self) -> String {
        format!("{}.{}", self.table, self.column)
    }

    fn altered_table(&self) -> Option<&TableRef> {
        Some(&self.table)
    }
}
