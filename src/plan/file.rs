//! One file of the plan as data: its name, phase and kind, its timeouts and budget, the locks
//! it takes first, its statements and rollback, and what it costs at a glance.

use serde::{Deserialize, Serialize};

use super::cost::DurationClass;
use crate::decide::ChangeId;
use crate::schema::TableRef;
use crate::step::{Lock, Phase, Statement};

/// What a `plan.json` written before files recorded their strongest lock reads as.
fn no_lock() -> Lock {
    Lock::None
}

/// One file of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanFile {
    /// `01-expand`, `02-expand-concurrently`…: the file is `<name>.sql`, its rollback
    /// `<name>.rollback.sql`.
    pub name: String,
    pub phase: Phase,
    pub kind: FileKind,
    pub lock_timeout_ms: u64,
    /// 0: no limit.
    pub statement_timeout_ms: u64,
    /// The longest a client can wait because of this file (see `plan::locks::budget_ms`);
    /// 0 when no lock_timeout bounds it.
    pub budget_ms: u64,
    /// How long the file may take, judged from its rows (see `plan::cost`).
    #[serde(default)]
    pub duration: DurationClass,
    /// The strongest lock any of its statements takes.
    #[serde(default = "no_lock")]
    pub strongest_lock: Lock,
    /// The tables a transaction file locks first, each in the strongest mode it needs, in
    /// table order (its first statement takes them, with retries).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub locks: Vec<(TableRef, Lock)>,
    pub statements: Vec<PlannedStatement>,
    /// Run in order to undo the file.
    pub rollback: Vec<PlannedStatement>,
    /// What the rollback cannot bring back, per change.
    pub rollback_warnings: Vec<(ChangeId, String)>,
    /// Deploy gates: what the application must have shipped.
    pub gates: Vec<(ChangeId, String)>,
}

/// How a file's statements run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileKind {
    /// All in one transaction.
    Transaction,
    /// Each statement on its own, outside a transaction block.
    Separate,
    /// `CONCURRENTLY` statements, each on its own, with a long lock timeout.
    Concurrently,
    /// Batched backfills that commit as they go.
    Batched,
    /// Large backfills, run by a worker outside the migration, with progress output.
    Worker,
    /// A deploy gate: no SQL.
    Gate,
}

/// A statement and the change it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedStatement {
    pub change: ChangeId,
    /// The existing tables whose locks the statement takes (its `lock`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tables: Vec<TableRef>,
    #[serde(flatten)]
    pub statement: Statement,
}

impl FileKind {
    /// Whether the file runs in one transaction (and its rollback too).
    #[must_use]
    pub fn in_transaction(self) -> bool {
        self == Self::Transaction
    }

    pub(super) fn suffix(self) -> &'static str {
        match self {
            Self::Transaction | Self::Gate => "",
            Self::Separate => "-no-transaction",
            Self::Concurrently => "-concurrently",
            Self::Batched => "-batched",
            Self::Worker => "-worker",
        }
    }

    /// The order of kinds within a phase: enum values before the DDL that may use them,
    /// concurrent builds after the columns they index; in validate, concurrent builds (of a
    /// unique index after its duplicates were deleted) before the constraint attaching them;
    /// in contract, concurrent drops first.
    pub(super) fn rank(self, phase: Phase) -> u8 {
        match (phase, self) {
            (Phase::Expand, Self::Separate)
            | (Phase::Validate | Phase::Contract, Self::Concurrently) => 0,
            (_, Self::Transaction) => 1,
            _ => 2 + self as u8,
        }
    }
}
