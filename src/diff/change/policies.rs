//! Row-level security policies.

use serde::Serialize;

use crate::schema::model::{Policy, TableRef};

use super::Subject;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CreatePolicy {
    pub table: TableRef,
    pub policy: Policy,
}

impl Subject for CreatePolicy {
    fn object(&self) -> String {
        format!("{}.{}", self.table, self.policy.name)
    }

    fn altered_table(&self) -> Option<&TableRef> {
        Some(&self.table)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DropPolicy {
    pub table: TableRef,
    pub policy: Policy,
}

impl Subject for DropPolicy {
    fn object(&self) -> String {
        format!("{}.{}", self.table, self.policy.name)
    }

    fn altered_table(&self) -> Option<&TableRef> {
        Some(&self.table)
    }
}
