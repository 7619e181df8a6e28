//! The pieces a rule plans a change with: steps in phases, each with SQL statements (or a
//! backfill, or a deploy gate) and the rollback of what it did.
//!
//! Statements are SQL text built with `crate::sql` quoting, without the final `;`. Nothing here
//! runs or writes anything.

pub mod guard;
mod lock;
pub mod precondition;
pub mod retry;

pub use lock::{Lock, Work};

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::schema::TableRef;

/// The phases of a plan, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    /// Read-only checks that the data is what the plan needs, before anything changes.
    Preconditions,
    /// Additive, backward-compatible DDL.
    Expand,
    /// Data: fill, copy, fix.
    Backfill,
    /// Constraints validated, NOT NULL set through a validated check.
    Validate,
    /// A gate: what the application must have shipped before going on.
    Deploy,
    /// Destructive steps: drops and swaps.
    Contract,
}

/// How a step's statements must be run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Runs {
    /// With the other steps of its phase, in one transaction.
    InTransaction,
    /// Outside any transaction block (`ALTER TYPE … ADD VALUE` whose value is used later).
    Alone,
    /// Outside any transaction block, and slow: a `CONCURRENTLY` build or drop, which waits for
    /// older transactions and so gets its own, longer lock timeout.
    Concurrently,
}

/// One step of a change's plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    pub phase: Phase,
    pub runs: Runs,
    pub action: Action,
    /// Columns, as (table, column), that this step drops, retypes or renames in place: views
    /// reading them must be dropped before it and recreated after it.
    pub alters_columns: Vec<(TableRef, String)>,
    /// Existing tables the step locks besides its change's own (a key swapped together with
    /// the foreign keys of other tables): the file takes their locks first too.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also_locks: Vec<TableRef>,
    /// Set on a step that drops and recreates a view: when another step alters a column the
    /// view reads, the planner runs this instead around that step (see [`Surround`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub surrounds: Option<Surround>,
}

/// A view dropped at the start of any step that alters a column it reads and recreated at the
/// end, in the same transaction (the same around that step's rollback, recreated as it was):
/// PostgreSQL refuses to drop, retype or rename a column a view reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Surround {
    /// The columns, as (table, column), that the view reads.
    pub reads: Vec<(TableRef, String)>,
    /// Drops the view, before the altering step and before its rollback.
    pub drop: Statement,
    /// Creates it as desired, after the altering step.
    pub create: Vec<Statement>,
    /// Creates it as it was, after the altering step's rollback.
    pub restore: Vec<Statement>,
}

/// What a step does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Statements run in order; `rollback` undoes them.
    Sql {
        statements: Vec<Statement>,
        rollback: Rollback,
    },
    /// Rows changed in batches sized by the table (see `plan::backfill`).
    Backfill(Backfill),
    /// Not SQL: what must be true of the application before the next phase.
    Gate { requirement: String },
}

/// One SQL statement and what it costs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statement {
    /// Without the final `;`.
    pub sql: String,
    /// The strongest lock it takes on an existing table.
    pub lock: Lock,
    pub work: Work,
    /// The table's estimated rows when the statement scans, updates or rewrites it.
    pub rows: Option<u64>,
    /// A comment for the reader: why this statement, what to watch.
    pub note: String,
}

/// How to undo a step: statements that restore the schema, and what they cannot restore.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Rollback {
    /// Run in order; empty when nothing can undo the step.
    pub statements: Vec<Statement>,
    /// What the rollback does not bring back (data written since, values lost), or why there is
    /// none; shown in the rollback file and the README.
    pub warning: Option<String>,
}

/// Rows to change in a table, in batches of the plan's size when the table is large.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Backfill {
    pub table: TableRef,
    pub operation: BackfillOperation,
    /// A predicate true exactly for the rows still to change, so that every batch and every
    /// re-run after a failure continues where the last one stopped.
    pub pending: String,
    /// The table's estimated rows, which picks the strategy.
    pub rows: Option<u64>,
    /// What the backfill does, for the reader.
    pub note: String,
    pub rollback: Rollback,
}

/// What a backfill does to each pending row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BackfillOperation {
    /// `UPDATE … SET <assignments>`: the assignments, e.g. `"total_new" = "total"`.
    Update { assignments: String },
    /// `DELETE` the pending rows (orphans or duplicates the user chose to remove).
    Delete,
}

impl Step {
    /// SQL statements in a transaction, with their rollback.
    #[must_use]
    pub fn sql(phase: Phase, statements: Vec<Statement>, rollback: Rollback) -> Self {
        Self {
            phase,
            runs: Runs::InTransaction,
            action: Action::Sql {
                statements,
                rollback,
            },
            alters_columns: Vec::new(),
            also_locks: Vec::new(),
            surrounds: None,
        }
    }

    /// A deploy gate.
    #[must_use]
    pub fn gate(requirement: impl Into<String>) -> Self {
        Self {
            phase: Phase::Deploy,
            runs: Runs::InTransaction,
            action: Action::Gate {
                requirement: requirement.into(),
            },
            alters_columns: Vec::new(),
            also_locks: Vec::new(),
            surrounds: None,
        }
    }

    /// A backfill in the backfill phase.
    #[must_use]
    pub fn backfill(backfill: Backfill) -> Self {
        Self {
            phase: Phase::Backfill,
            runs: Runs::InTransaction,
            action: Action::Backfill(backfill),
            alters_columns: Vec::new(),
            also_locks: Vec::new(),
            surrounds: None,
        }
    }

    /// The same step, run instead around any step that alters a column `surround` reads.
    #[must_use]
    pub fn surrounding(mut self, surround: Surround) -> Self {
        self.surrounds = Some(surround);
        self
    }

    /// The same step, run as `runs` says.
    #[must_use]
    pub fn running(mut self, runs: Runs) -> Self {
        self.runs = runs;
        self
    }

    /// The same step, also locking `tables` (besides its change's own).
    #[must_use]
    pub fn locking(mut self, tables: &[TableRef]) -> Self {
        for table in tables {
            if !self.also_locks.contains(table) {
                self.also_locks.push(table.clone());
            }
        }
        self.also_locks.sort();
        self
    }

    /// The same step, marked as dropping, retyping or renaming `column` of `table`.
    #[must_use]
    pub fn altering(mut self, table: &TableRef, column: &str) -> Self {
        self.alters_columns.push((table.clone(), column.to_owned()));
        self
    }
}

impl Statement {
    /// A statement that changes catalog entries only, under `lock`.
    #[must_use]
    pub fn new(sql: impl Into<String>, lock: Lock, note: impl Into<String>) -> Self {
        Self {
            sql: sql.into(),
            lock,
            work: Work::Metadata,
            rows: None,
            note: note.into(),
        }
    }

    /// The same statement, doing `work` over a table of `rows` estimated rows.
    #[must_use]
    pub fn doing(mut self, work: Work, rows: Option<u64>) -> Self {
        self.work = work;
        self.rows = rows;
        self
    }
}

impl Rollback {
    /// Statements that undo the step completely.
    #[must_use]
    pub fn by(statements: Vec<Statement>) -> Self {
        Self {
            statements,
            warning: None,
        }
    }

    /// Statements that restore the schema, and what they cannot restore.
    #[must_use]
    pub fn partial(statements: Vec<Statement>, warning: impl Into<String>) -> Self {
        Self {
            statements,
            warning: Some(warning.into()),
        }
    }

    /// No way back, and why.
    #[must_use]
    pub fn impossible(why: impl Into<String>) -> Self {
        Self {
            statements: Vec::new(),
            warning: Some(why.into()),
        }
    }

    /// Nothing to undo (the step changed nothing lasting).
    #[must_use]
    pub fn nothing() -> Self {
        Self::default()
    }
}

impl Phase {
    pub const ALL: [Phase; 5] = [
        Phase::Expand,
        Phase::Backfill,
        Phase::Validate,
        Phase::Deploy,
        Phase::Contract,
    ];

    /// The kebab-case name used in file names and the UI.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Preconditions => "preconditions",
            Self::Expand => "expand",
            Self::Backfill => "backfill",
            Self::Validate => "validate",
            Self::Deploy => "deploy",
            Self::Contract => "contract",
        }
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
