//! Table constraints.

use serde::Serialize;

use crate::ddl::object::Object;
use crate::schema::model::{Check, Exclusion, ForeignKey, PrimaryKey, TableRef, Unique};

use super::{Constraint, Subject, relation, same};

table_part_changes! {
    AddUnique { unique: Unique },
    AddPrimaryKey { key: PrimaryKey },
    AddCheck { check: Check },
    AddExclusion { exclusion: Exclusion },
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
