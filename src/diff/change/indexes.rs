//! Indexes.

use serde::Serialize;

use crate::schema::model::{Index, TableRef};

use super::Subject;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AddIndex {
    pub table: TableRef,
    pub index: Index,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DropIndex {
    pub table: TableRef,
    pub index: Index,
}

subject_for!(AddIndex, DropIndex => {
    fn object(&self) -> String {
        format!("{}.{}", self.table.schema, self.index.name)
    }

    fn altered_table(&self) -> Option<&TableRef> {
        Some(&self.table)
    }
});

/// Same name, different definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangeIndex {
    pub table: TableRef,
    pub from: Index,
    pub to: Index,
}

impl Subject for ChangeIndex {
    fn object(&self) -> String {
        format!("{}.{}", self.table.schema, self.to.name)
    }

    fn altered_table(&self) -> Option<&TableRef> {
        Some(&self.table)
    }
}
