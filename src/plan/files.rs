//! Steps gathered into the plan's files: phase by phase, in change order, a new file wherever
//! the way statements must run changes (a transaction, one statement at a time, a concurrent
//! build, a batched or worker backfill), numbered in the order they run.

use serde::Serialize;

use super::backfill::{self, Strategy};
use super::step::{Action, Phase, Runs, Statement, Step};
use crate::decide::{ChangeId, Settings};
use crate::diff::Change;
use crate::rules::Lock;
use crate::schema::TableRef;
use crate::sql::quote_qualified;

/// A concurrent build waits for every older transaction, and a short lock timeout would cancel
/// it and leave an INVALID index behind, so those files wait longer.
pub const CONCURRENT_LOCK_TIMEOUT_MS: u64 = 10 * 60 * 1000;

/// One file of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanFile {
    /// `01-expand`, `02-expand-concurrently`…: the file is `<name>.sql`, its rollback
    /// `<name>.rollback.sql`.
    pub name: String,
    pub phase: Phase,
    pub kind: FileKind,
    pub lock_timeout_ms: u64,
    /// 0: no limit.
    pub statement_timeout_ms: u64,
    pub statements: Vec<PlannedStatement>,
    /// Run in order to undo the file.
    pub rollback: Vec<PlannedStatement>,
    /// What the rollback cannot bring back, per change.
    pub rollback_warnings: Vec<(ChangeId, String)>,
    /// Deploy gates: what the application must have shipped.
    pub gates: Vec<(ChangeId, String)>,
}

/// How a file's statements run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedStatement {
    pub change: ChangeId,
    #[serde(flatten)]
    pub statement: Statement,
}

/// A change's steps as its rule planned them.
#[derive(Debug, Clone)]
pub(crate) struct ChangeSteps {
    pub change: Change,
    pub id: ChangeId,
    pub steps: Vec<Step>,
}

/// A step made ready for a file: its kind, statements and rollback, attributed to changes.
#[derive(Debug, Clone)]
struct Entry {
    phase: Phase,
    kind: FileKind,
    statements: Vec<PlannedStatement>,
    rollback: Vec<PlannedStatement>,
    warnings: Vec<(ChangeId, String)>,
    gates: Vec<(ChangeId, String)>,
}

impl FileKind {
    /// Whether the file runs in one transaction (and its rollback too).
    #[must_use]
    pub fn in_transaction(self) -> bool {
        self == Self::Transaction
    }

    fn suffix(self) -> &'static str {
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
    fn rank(self, phase: Phase) -> u8 {
        match (phase, self) {
            (Phase::Expand, Self::Separate)
            | (Phase::Validate | Phase::Contract, Self::Concurrently) => 0,
            (_, Self::Transaction) => 1,
            _ => 2 + self as u8,
        }
    }
}

/// The plan's files, in the order they run.
pub(crate) fn arrange(planned: &[ChangeSteps], settings: &Settings) -> Vec<PlanFile> {
    let mut entries = with_views_recreated(planned, settings);
    if entries.iter().any(|e| e.kind == FileKind::Worker) {
        entries.push(worker_gate());
    }
    let mut files = Vec::new();
    for phase in Phase::ALL {
        let mut in_phase: Vec<Entry> = entries
            .iter()
            .filter(|e| e.phase == phase)
            .cloned()
            .collect();
        in_phase.sort_by_key(|e| e.kind.rank(phase));
        for entry in in_phase {
            let joins_last = files
                .last()
                .is_some_and(|f: &PlanFile| f.phase == phase && f.kind == entry.kind);
            if !joins_last {
                files.push(new_file(files.len() + 1, phase, entry.kind, settings));
            }
            if let Some(file) = files.last_mut() {
                file.statements.extend(entry.statements);
                // A file is undone from its last step back to its first.
                let mut rollback = entry.rollback;
                rollback.append(&mut file.rollback);
                file.rollback = rollback;
                file.rollback_warnings.extend(entry.warnings);
                file.gates.extend(entry.gates);
            }
        }
    }
    files
}

fn new_file(number: usize, phase: Phase, kind: FileKind, settings: &Settings) -> PlanFile {
    let (lock, statement) = match kind {
        FileKind::Concurrently => (CONCURRENT_LOCK_TIMEOUT_MS, 0),
        // A batch loop is one statement however many batches it runs.
        FileKind::Batched | FileKind::Worker => (settings.lock_timeout_ms, 0),
        _ => (settings.lock_timeout_ms, settings.statement_timeout_ms),
    };
    PlanFile {
        name: format!("{number:02}-{phase}{}", kind.suffix()),
        phase,
        kind,
        lock_timeout_ms: lock,
        statement_timeout_ms: statement,
        statements: Vec::new(),
        rollback: Vec::new(),
        rollback_warnings: Vec::new(),
        gates: Vec::new(),
    }
}

/// Every step as an entry, with the views that read a column a step alters dropped at the
/// start of that step and recreated at its end (and the same around its rollback, recreated as
/// they were). A view whose columns no step alters keeps its rule's own steps.
fn with_views_recreated(planned: &[ChangeSteps], settings: &Settings) -> Vec<Entry> {
    let views: Vec<&ChangeSteps> = planned
        .iter()
        .filter(|p| matches!(p.change, Change::RecreateView { .. }))
        .collect();
    let mut handled: Vec<&ChangeId> = Vec::new();
    let mut entries = Vec::new();
    for change in planned
        .iter()
        .filter(|p| !matches!(p.change, Change::RecreateView { .. }))
    {
        for step in &change.steps {
            let mut entry = entry(&change.id, step, settings);
            let readers: Vec<&ChangeSteps> = views
                .iter()
                .copied()
                .filter(|view| reads_any(&view.change, &step.alters_columns))
                .collect();
            if !readers.is_empty() && entry.kind == FileKind::Transaction {
                wrap(&mut entry, &readers);
                handled.extend(readers.iter().map(|view| &view.id));
            }
            entries.push(entry);
        }
    }
    for view in views.iter().filter(|view| !handled.contains(&&view.id)) {
        entries.extend(
            view.steps
                .iter()
                .map(|step| entry(&view.id, step, settings)),
        );
    }
    entries
}

fn reads_any(view: &Change, altered: &[(TableRef, String)]) -> bool {
    matches!(view, Change::RecreateView { columns, .. } if columns.iter().any(|c| altered.contains(c)))
}

/// Drops `views` (readers of readers first) before the entry's statements and recreates them
/// after; the same around its rollback, with the live definitions.
fn wrap(entry: &mut Entry, views: &[&ChangeSteps]) {
    let drops = || {
        views
            .iter()
            .rev()
            .filter_map(|v| drop_view(v))
            .collect::<Vec<_>>()
    };
    let creates = |desired: bool| {
        views
            .iter()
            .flat_map(|v| create_view(v, desired))
            .collect::<Vec<_>>()
    };
    let mut statements = drops();
    statements.append(&mut entry.statements);
    statements.extend(creates(true));
    entry.statements = statements;
    if !entry.rollback.is_empty() {
        let mut rollback = drops();
        rollback.append(&mut entry.rollback);
        rollback.extend(creates(false));
        entry.rollback = rollback;
    }
}

fn drop_view(view: &ChangeSteps) -> Option<PlannedStatement> {
    let Change::RecreateView {
        view: name, live, ..
    } = &view.change
    else {
        return None;
    };
    let kind = if live.materialized {
        "MATERIALIZED VIEW"
    } else {
        "VIEW"
    };
    Some(PlannedStatement {
        change: view.id.clone(),
        statement: Statement::new(
            format!(
                "DROP {kind} IF EXISTS {}",
                quote_qualified(&name.schema, &name.name)
            ),
            Lock::AccessExclusive,
            "it reads a column changed next; recreated right after, in the same transaction",
        ),
    })
}

fn create_view(view: &ChangeSteps, desired: bool) -> Vec<PlannedStatement> {
    let Change::RecreateView {
        view: name,
        live,
        desired: wanted,
        ..
    } = &view.change
    else {
        return Vec::new();
    };
    let definition = if desired { wanted } else { live };
    crate::ddl::view_statements(&name.schema, &name.name, definition)
        .into_iter()
        .map(|sql| PlannedStatement {
            change: view.id.clone(),
            statement: Statement::new(
                sql,
                Lock::AccessExclusive,
                "recreated as it was dropped above",
            ),
        })
        .collect()
}

fn entry(change: &ChangeId, step: &Step, settings: &Settings) -> Entry {
    let planned = |statements: &[Statement]| -> Vec<PlannedStatement> {
        statements
            .iter()
            .map(|statement| PlannedStatement {
                change: change.clone(),
                statement: statement.clone(),
            })
            .collect()
    };
    let mut entry = Entry {
        phase: step.phase,
        kind: FileKind::Transaction,
        statements: Vec::new(),
        rollback: Vec::new(),
        warnings: Vec::new(),
        gates: Vec::new(),
    };
    let rollback = match &step.action {
        Action::Sql {
            statements,
            rollback,
        } => {
            entry.kind = match step.runs {
                Runs::InTransaction => FileKind::Transaction,
                Runs::Alone => FileKind::Separate,
                Runs::Concurrently => FileKind::Concurrently,
            };
            entry.statements = planned(statements);
            Some(rollback)
        }
        Action::Backfill(fill) => {
            let strategy = backfill::strategy(fill.rows, settings.large_table_rows);
            entry.kind = match strategy {
                Strategy::Single => FileKind::Transaction,
                Strategy::Batched => FileKind::Batched,
                Strategy::Worker => FileKind::Worker,
            };
            let statement = backfill::statement(fill, strategy, settings.batch_size);
            entry.statements = planned(&[statement]);
            Some(&fill.rollback)
        }
        Action::Gate { requirement } => {
            entry.kind = FileKind::Gate;
            entry.gates.push((change.clone(), requirement.clone()));
            None
        }
    };
    if let Some(rollback) = rollback {
        entry.rollback = planned(&rollback.statements);
        entry
            .warnings
            .extend(rollback.warning.iter().map(|w| (change.clone(), w.clone())));
    }
    entry
}

fn worker_gate() -> Entry {
    Entry {
        phase: Phase::Deploy,
        kind: FileKind::Gate,
        statements: Vec::new(),
        rollback: Vec::new(),
        warnings: Vec::new(),
        gates: vec![(
            ChangeId::global(),
            "Every backfill worker file of this plan has run to completion (its last \
             statement finishes the rows it skipped)."
                .to_owned(),
        )],
    }
}
