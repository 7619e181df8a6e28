//! Table constraints.

use serde::Serialize;

use crate::ddl::object::Object;
use crate::schema::model::{Check, Exclusion, ForeignKey, PrimaryKey, TableRef, Unique};

use super::{Constraint, Subject, relation, same};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AddUnique {
    pub table: TableRef,
    pub unique: Unique,
}

impl Subject for AddUnique {
    fn object(&self) -> String {
        format!("{}.{}", self.table, self.unique.name)
    }

    fn altered_table(&self) -> Option<&TableRef> {
        Some(&self.table)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AddPrimaryKey {
    pub table: TableRef,
    pub key: PrimaryKey,
}

impl Subject for AddPrimaryKey {
    fn object(&self) -> String {
        format!("{}.{}", self.table, self.key.name)
    }

    fn altered_table(&self) -> Option<&TableRef> {
        Some(&self.table)
    }
}

/// `new_table` is true when the referencing table is created by the same plan (it is empty,
/// so nothing needs validating).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AddForeignKey {
    pub table: TableRef,
    pub key: ForeignKey,
    pub new_table: bool,
}

impl Subject for AddForeignKey {
    fn object(&self) -> String {
        format!("{}.{}", self.table, self.key.name)
    }

    /// The referencing table, unless the plan creates it.
    fn altered_table(&self) -> Option<&TableRef> {
        (!self.new_table).then_some(&self.table)
    }

    fn locked_tables(&self) -> Vec<TableRef> {
        let mut tables: Vec<TableRef> = self.altered_table().into_iter().cloned().collect();
        tables.push(self.key.references.clone());
        tables
    }

    fn location(&self) -> (&str, Option<&str>) {
        relation(&self.table)
    }

    fn objects(&self) -> Option<(Object<'_>, Object<'_>)> {
        same(Object::Relation(&self.table))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AddCheck {
    pub table: TableRef,
    pub check: Check,
}

impl Subject for AddCheck {
    fn object(&self) -> String {
        format!("{}.{}", self.table, self.check.name)
    }

    fn altered_table(&self) -> Option<&TableRef> {
        Some(&self.table)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AddExclusion {
    pub table: TableRef,
    pub exclusion: Exclusion,
}

impl Subject for AddExclusion {
    fn object(&self) -> String {
        format!("{}.{}", self.table, self.exclusion.name)
    }

    fn altered_table(&self) -> Option<&TableRef> {
        Some(&self.table)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DropConstraint {
    pub table: TableRef,
    pub constraint: Constraint,
}

impl Subject for DropConstraint {
    fn object(&self) -> String {
        format!("{}.{}", self.table, self.constraint.name())
    }

    fn altered_table(&self) -> Option<&TableRef> {
        Some(&self.table)
    }
}
