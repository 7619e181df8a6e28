//! Triggers.

use serde::Serialize;

use crate::schema::model::{TableRef, Trigger};

use super::Subject;

table_part_changes! {
    CreateTrigger { trigger: Trigger },
    DropTrigger { trigger: Trigger },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReplaceTrigger {
    pub table: TableRef,
    pub from: Trigger,
    pub to: Trigger,
}

impl Subject for ReplaceTrigger {
    fn object(&self) -> String {
        format!("{}.{}", self.table, self.to.name)
    }

    fn altered_table(&self) -> Option<&TableRef> {
        Some(&self.table)
    }
}
