//! Steps gathered into the plan's files: phase by phase, in change order, a new file wherever
//! the way statements must run changes (a transaction, one statement at a time, a concurrent
//! build, a batched or worker backfill), numbered in the order they run.

use std::collections::BTreeSet;

use super::backfill::{self, Strategy};
use super::cost;
use super::file::{FileKind, PlanFile, PlannedStatement};
use super::locks;
use crate::decide::{ChangeId, Mode, Settings};
use crate::schema::{Schema, TableRef};
use crate::step::Lock;
use crate::step::{Action, Phase, Runs, Statement, Step, Surround};

/// A concurrent build waits for every older transaction, and a short lock timeout would cancel
/// it and leave an INVALID index behind, so those files wait longer.
pub const CONCURRENT_LOCK_TIMEOUT_MS: u64 = 10 * 60 * 1000;

/// A change's steps as its rule planned them.
#[derive(Debug, Clone)]
pub(crate) struct ChangeSteps {
    pub id: ChangeId,
    /// The existing tables whose locks the change's statements take.
    pub tables: Vec<TableRef>,
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

/// The plan's files, in the order they run; `live` is the schema the plan starts from (a
/// batched backfill walks its table's key there).
pub(crate) fn arrange(
    planned: &[ChangeSteps],
    settings: &Settings,
    live: &Schema,
) -> Vec<PlanFile> {
    let context = (settings, live);
    let mut entries = with_views_recreated(planned, context);
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
            let joins_last = files.last().is_some_and(|f: &PlanFile| {
                f.phase == phase && f.kind == entry.kind && shares_transaction(f, &entry, settings)
            });
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
    for file in &mut files {
        take_locks_first(file, settings);
    }
    files
}

/// Whether `entry` may join `file`'s transaction. In a maintenance window every step of a
/// phase shares one. While the application runs, a step that scans or writes rows runs in a
/// transaction of its own (no lock that blocks clients may be held while it works), and steps
/// share a transaction only while one's locked tables include the other's, so that a
/// transaction waits for as few locks as its first step needed.
fn shares_transaction(file: &PlanFile, entry: &Entry, settings: &Settings) -> bool {
    if settings.mode == Mode::MaintenanceWindow || entry.kind != FileKind::Transaction {
        return true;
    }
    if works_on_rows(&file.statements) || works_on_rows(&entry.statements) {
        return false;
    }
    let held = locked_tables(&file.statements);
    let wanted = locked_tables(&entry.statements);
    held.is_empty() || wanted.is_empty() || held.is_subset(&wanted) || wanted.is_subset(&held)
}

fn works_on_rows(statements: &[PlannedStatement]) -> bool {
    statements
        .iter()
        .any(|p| p.statement.work != crate::step::Work::Metadata)
}

fn locked_tables(statements: &[PlannedStatement]) -> BTreeSet<TableRef> {
    locks::locks_taken(statements)
        .into_iter()
        .map(|(table, _)| table)
        .collect()
}

/// A transaction file (and its rollback) opens with the statement that takes its locks,
/// strongest mode first, in table order, with retries; every file gets its budget.
fn take_locks_first(file: &mut PlanFile, settings: &Settings) {
    let transactions_lock = if file.kind.in_transaction() {
        file.locks = locks::locks_taken(&file.statements);
        let timeout = file.lock_timeout_ms;
        prepend_prologue(&mut file.statements, &file.locks, timeout);
        let rollback_locks = locks::locks_taken(&file.rollback);
        prepend_prologue(&mut file.rollback, &rollback_locks, timeout);
        locked_by_prologue(&file.locks)
    } else {
        file.statements
            .iter()
            .map(|p| {
                let blocks = locks::blocks_clients(p.statement.lock);
                if blocks { p.tables.len() } else { 0 }
            })
            .max()
            .unwrap_or(0)
    };
    file.budget_ms = if file.kind == FileKind::Gate {
        0
    } else {
        locks::budget_ms(settings.lock_timeout_ms, transactions_lock)
    };
}

/// The tables whose locks add to a client's wait: none when no lock blocks clients, else every
/// table the prologue locks (each further one is waited for while the first is held).
fn locked_by_prologue(locks: &[(TableRef, Lock)]) -> usize {
    if locks.iter().any(|(_, lock)| locks::blocks_clients(*lock)) {
        locks.len()
    } else {
        0
    }
}

fn prepend_prologue(
    statements: &mut Vec<PlannedStatement>,
    taken: &[(TableRef, Lock)],
    lock_timeout_ms: u64,
) {
    if taken.is_empty() {
        return;
    }
    statements.insert(
        0,
        PlannedStatement {
            change: ChangeId::global(),
            tables: taken.iter().map(|(table, _)| table.clone()).collect(),
            statement: locks::prologue(taken, lock_timeout_ms),
        },
    );
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
        budget_ms: 0,
        duration: cost::DurationClass::Instant,
        strongest_lock: Lock::None,
        locks: Vec::new(),
        statements: Vec::new(),
        rollback: Vec::new(),
        rollback_warnings: Vec::new(),
        gates: Vec::new(),
    }
}

/// Every step as an entry, with the views that read a column a step alters dropped at the
/// start of that step and recreated at its end (and the same around its rollback, recreated as
/// they were), as each view's step says in its [`Surround`]. A view whose columns no step
/// alters keeps its own steps.
fn with_views_recreated(planned: &[ChangeSteps], context: (&Settings, &Schema)) -> Vec<Entry> {
    let is_view = |change: &&ChangeSteps| change.steps.iter().any(|s| s.surrounds.is_some());
    let views: Vec<&ChangeSteps> = planned.iter().filter(is_view).collect();
    let mut handled: Vec<&ChangeId> = Vec::new();
    let mut entries = Vec::new();
    for change in planned.iter().filter(|change| !is_view(change)) {
        for step in &change.steps {
            let mut entry = entry(&change.id, &change.tables, step, context);
            let readers: Vec<(&ChangeId, &Surround)> = views
                .iter()
                .flat_map(|view| surrounds(view))
                .filter(|(_, surround)| reads_any(surround, &step.alters_columns))
                .collect();
            if !readers.is_empty() && entry.kind == FileKind::Transaction {
                wrap(&mut entry, &readers);
                handled.extend(readers.iter().map(|(id, _)| *id));
            }
            entries.push(entry);
        }
    }
    for view in views.iter().filter(|view| !handled.contains(&&view.id)) {
        entries.extend(
            view.steps
                .iter()
                .map(|step| entry(&view.id, &[], step, context)),
        );
    }
    entries
}

fn surrounds(view: &ChangeSteps) -> impl Iterator<Item = (&ChangeId, &Surround)> {
    view.steps
        .iter()
        .filter_map(|step| step.surrounds.as_ref())
        .map(|surround| (&view.id, surround))
}

fn reads_any(surround: &Surround, altered: &[(TableRef, String)]) -> bool {
    surround.reads.iter().any(|column| altered.contains(column))
}

/// Drops `views` (readers of readers first) before the entry's statements and recreates them
/// after; the same around its rollback, with the live definitions.
fn wrap(entry: &mut Entry, views: &[(&ChangeId, &Surround)]) {
    let planned = |id: &ChangeId, statement: &Statement| PlannedStatement {
        change: id.clone(),
        tables: Vec::new(),
        statement: statement.clone(),
    };
    let drops = || {
        views
            .iter()
            .rev()
            .map(|(id, view)| planned(id, &view.drop))
            .collect::<Vec<_>>()
    };
    let creates = |desired: bool| {
        views
            .iter()
            .flat_map(|(id, view)| {
                let statements = if desired { &view.create } else { &view.restore };
                statements.iter().map(|statement| planned(id, statement))
            })
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

fn entry(
    change: &ChangeId,
    tables: &[TableRef],
    step: &Step,
    (settings, live): (&Settings, &Schema),
) -> Entry {
    let mut tables = tables.to_vec();
    tables.extend(step.also_locks.iter().cloned());
    tables.sort();
    tables.dedup();
    let planned = |statements: &[Statement]| -> Vec<PlannedStatement> {
        statements
            .iter()
            .map(|statement| PlannedStatement {
                change: change.clone(),
                tables: tables.to_vec(),
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
            let key = live.table(&fill.table).and_then(backfill::walk_key);
            let statement =
                backfill::statement(fill, strategy, settings.batch_size, key.as_deref());
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

/// Sets each file's duration class and strongest lock from its statements as they stand.
pub(crate) fn assess(files: &mut [PlanFile]) {
    for file in files {
        file.duration = cost::duration_class(file.statements.iter().map(|p| &p.statement));
        file.strongest_lock = cost::strongest_lock(file.statements.iter().map(|p| &p.statement));
    }
}
