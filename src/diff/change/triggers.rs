//! Triggers.

use serde::Serialize;

use crate::schema::model::{TableRef, Trigger};

use super::Subject;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CreateTrigger {
    pub table: TableRef,
    pub trigger: Trigger,
}

impl Subject for CreateTrigger {
    fn object(&self) -> String {
        format!("{}.{}", self.table, self.trigger.name)
    }

    fn altered_table(&self) -> Option<&TableRef> {
        Some(&self.table)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DropTrigger {
    pub table: TableRef,
    pub trigger: Trigger,
}

impl Subject for DropTrigger {
    fn object(&self) -> String {
        format!("{}.{}", self.table, self.trigger.name)
    }

    fn altered_table(&self) -> Option<&TableRef> {
        Some(&self.table)
    }
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
