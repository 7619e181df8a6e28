//! A [`Plan`] as the files of its folder: per file its SQL, rollback and notes, the deploy
//! gates, a README for the reviewer, `decisions.yaml` (replayable answers), `plan.json`
//! (machine-readable) and `desired.yaml` (the desired file the plan was made from, byte for byte:
//! the schema the plan ends at, which `verify` checks).
//! Pure: same plan, same bytes; the caller writes them.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use serde::Serialize;

use crate::decide::{AnsweredBy, Mode, thousands};
use crate::plan::{FileKind, Plan, PlanFile, PlannedStatement};
use crate::rules::Badge;
use crate::source::yaml::{self, DesiredFile, WriteError};
use crate::step::Phase;
use crate::step::{Lock, Work};

/// The machine-readable form of a plan folder (`plan.json`).
#[derive(Debug, Serialize)]
pub struct PlanJson<'a> {
    pub format: u32,
    pub name: &'a str,
    #[serde(flatten)]
    pub plan: &'a Plan,
}

/// The version of `plan.json`'s shape.
pub const PLAN_JSON_FORMAT: u32 = 1;

/// Every file of the folder for the plan named `name`, by relative path; `desired` is the
/// desired file the plan was made from (or the schema written out), with the `ignore:` section
/// it was compared under, which `verify` needs to leave the unmanaged tables out of the end
/// state.
///
/// # Errors
/// The answers cannot be written as YAML (never for answers read or made by pgphase).
pub fn render(
    name: &str,
    plan: &Plan,
    desired: &DesiredFile<'_>,
) -> Result<BTreeMap<PathBuf, String>, WriteError> {
    let mut files = render_plan(name, plan)?;
    files.insert(PathBuf::from(DESIRED_FILE), desired.text().into_owned());
    Ok(files)
}

/// The path of `desired.yaml` in a plan folder.
pub const DESIRED_FILE: &str = "desired.yaml";

/// Every file of the folder but `desired.yaml` (see [`render`]).
///
/// # Errors
/// The answers cannot be written as YAML (never for answers read or made by pgphase).
pub fn render_plan(name: &str, plan: &Plan) -> Result<BTreeMap<PathBuf, String>, WriteError> {
    let mut files = BTreeMap::new();
    files.insert(PathBuf::from("README.md"), readme(name, plan));
    let checked = plan.files.iter().any(is_preconditions);
    for file in &plan.files {
        if file.kind == FileKind::Gate {
            files.insert(PathBuf::from(format!("{}.md", file.name)), gate(file));
            continue;
        }
        files.insert(PathBuf::from(format!("{}.sql", file.name)), sql(file));
        // The checks change nothing, so there is nothing to undo.
        if !is_preconditions(file) {
            files.insert(
                PathBuf::from(format!("{}.rollback.sql", file.name)),
                rollback(file),
            );
        }
        files.insert(
            PathBuf::from(format!("{}.notes.md", file.name)),
            notes(file, checked),
        );
    }
    files.insert(PathBuf::from("decisions.yaml"), decisions(plan)?);
    let json = PlanJson {
        format: PLAN_JSON_FORMAT,
        name,
        plan,
    };
    let mut text = serde_json::to_string_pretty(&json).map_err(|error| WriteError {
        message: error.to_string(),
    })?;
    text.push('\n');
    files.insert(PathBuf::from("plan.json"), text);
    Ok(files)
}

fn decisions(plan: &Plan) -> Result<String, WriteError> {
    let body = yaml::to_text(&plan.answers)?;
    Ok(format!(
        "# The answers this plan was made with; `pgphase plan --answers decisions.yaml` makes \
         it again.\n# `by: default` marks a default pgphase chose; the others were chosen by \
         a person.\n{body}"
    ))
}

/// The `SET` statements a file starts with.
#[must_use]
pub fn timeout_statements(file: &PlanFile) -> Vec<String> {
    let local = if file.kind.in_transaction() {
        "LOCAL "
    } else {
        ""
    };
    vec![
        format!(
            "SET {local}lock_timeout = '{}'",
            crate::sql::duration(file.lock_timeout_ms)
        ),
        format!(
            "SET {local}statement_timeout = '{}'",
            crate::sql::duration(file.statement_timeout_ms)
        ),
    ]
}

/// How a file of `kind` runs, as a clause after "Runs ".
#[must_use]
pub fn how_it_runs(kind: FileKind) -> &'static str {
    match kind {
        FileKind::Transaction => "in one transaction: it applies completely or not at all",
        FileKind::Separate => "outside a transaction, one statement at a time",
        FileKind::Concurrently => {
            "outside a transaction, one statement at a time; concurrent builds wait for older \
             transactions, hence the longer lock timeout"
        }
        FileKind::Batched => "outside a transaction: each batch commits on its own",
        FileKind::Worker => {
            "by a worker, outside the migration: each batch commits on its own and progress is \
             reported as NOTICEs"
        }
        FileKind::Gate => "not SQL: a gate to pass before going on",
    }
}

/// The file's budget for the reader: how long a client can wait because of it, and why.
#[must_use]
pub fn budget(file: &PlanFile) -> String {
    if file.budget_ms == 0 {
        return "no bound: lock_timeout is off, so a statement may wait for its lock, and \
                clients behind it, indefinitely"
            .to_owned();
    }
    format!(
        "a client waits at most {} because of this file: one lock_timeout ({}) per table \
         locked in a mode that blocks clients, waited for while the others are held, then \
         {} for the brief statements",
        seconds(file.budget_ms),
        crate::sql::duration(file.lock_timeout_ms.min(file.budget_ms)),
        seconds(crate::plan::locks::BRIEF_STATEMENTS_MS)
    )
}

/// `1.5 s`, `500 ms`.
fn seconds(ms: u64) -> String {
    if ms < 1_000 {
        format!("{ms} ms")
    } else if ms.is_multiple_of(1_000) {
        format!("{} s", ms / 1_000)
    } else {
        format!(
            "{}.{} s",
            ms / 1_000,
            format!("{:03}", ms % 1_000).trim_end_matches('0')
        )
    }
}

fn sql(file: &PlanFile) -> String {
    let mut out = header(&file.name, file, "");
    body(&mut out, file, &file.statements);
    out
}

fn rollback(file: &PlanFile) -> String {
    let mut out = header(
        &format!("{}.rollback", file.name),
        file,
        &format!(
            "-- Undoes {}.sql: returns the schema to what it was before that file ran.\n",
            file.name
        ),
    );
    if !file.rollback_warnings.is_empty() {
        out.push_str("--\n-- What this does not bring back:\n");
        for (change, warning) in &file.rollback_warnings {
            let _ = writeln!(out, "--   {change}: {warning}");
        }
    }
    if file.rollback.is_empty() {
        out.push_str("\n-- Nothing to run.\n");
        return out;
    }
    body(&mut out, file, &file.rollback);
    out
}

fn header(name: &str, file: &PlanFile, extra: &str) -> String {
    format!(
        "-- {name}.sql: phase {} of a pgphase plan.\n-- Runs {}.\n-- Budget: {}.\n-- Apply \
         with: psql -v ON_ERROR_STOP=1 -f {name}.sql\n-- Safe to run again after a failure: \
         each statement skips what is already done.\n{extra}",
        file.phase,
        how_it_runs(file.kind),
        budget(file)
    )
}

fn body(out: &mut String, file: &PlanFile, statements: &[PlannedStatement]) {
    out.push('\n');
    if file.kind.in_transaction() {
        out.push_str("BEGIN;\n");
    }
    for set in timeout_statements(file) {
        let _ = writeln!(out, "{set};");
    }
    for planned in statements {
        let _ = write!(out, "\n{}", statement_comment(planned));
        let _ = writeln!(out, "{};", planned.statement.sql);
    }
    if file.kind.in_transaction() {
        out.push_str("\nCOMMIT;\n");
    }
}

/// `-- <change>: <LOCK> (<what it blocks>), <work>[, ~N rows]` and the note, as comment lines.
#[must_use]
pub fn statement_comment(planned: &PlannedStatement) -> String {
    let statement = &planned.statement;
    let mut cost = if statement.lock == Lock::None {
        "no lock on an existing table".to_owned()
    } else {
        format!(
            "{} ({})",
            statement.lock.sql_name(),
            statement.lock.blocks()
        )
    };
    let _ = write!(cost, ", {}", statement.work);
    if statement.work != Work::Metadata {
        match statement.rows {
            Some(rows) => {
                let _ = write!(cost, ", ~{} rows (estimate)", thousands(rows));
            }
            None => cost.push_str(", rows unknown"),
        }
    }
    let subject = if planned.change.is_global() && !planned.tables.is_empty() {
        "the file's locks".to_owned()
    } else {
        planned.change.to_string()
    };
    let mut out = format!("-- {subject}: {cost}\n");
    for line in statement.note.lines() {
        let _ = writeln!(out, "-- {line}");
    }
    out
}

fn gate(file: &PlanFile) -> String {
    let mut out = format!(
        "# {}: deploy gate\n\nDo not go on to the next file until each of these holds:\n\n",
        file.name
    );
    for (change, requirement) in &file.gates {
        let _ = writeln!(out, "- [ ] `{change}`: {requirement}");
    }
    out
}

/// Whether `file` is the plan's read-only preconditions file.
#[must_use]
pub fn is_preconditions(file: &PlanFile) -> bool {
    file.phase == Phase::Preconditions
}

/// `checked`: the plan has a preconditions file, to re-run before this one.
fn notes(file: &PlanFile, checked: bool) -> String {
    let mut out = format!(
        "# {}: {}\n\nRuns {}.\n\nBudget: {}.\n\nDuration: {}.\n\nStrongest lock: {}.\n\n## Before\n\n- Every earlier file of the plan has been \
         applied.\n- No long-running transaction holds locks on the tables it touches: \
         `SELECT pid, now() - xact_start AS open_for, state, left(query, 60) FROM \
         pg_stat_activity WHERE xact_start < now() - interval '1 minute' ORDER BY \
         xact_start;`\n",
        file.name,
        file.phase,
        how_it_runs(file.kind),
        budget(file),
        file.duration.explained(),
        strongest_lock(file.strongest_lock)
    );
    if checked && !is_preconditions(file) {
        let _ = writeln!(
            out,
            "- `{}.sql` passes when run again now: the data may have changed since the plan \
             was made (it only reads).",
            crate::plan::preconditions::FILE_NAME
        );
    }
    out.push_str("\n## What it does\n\n");
    for planned in &file.statements {
        let first_line = planned.statement.note.lines().next().unwrap_or("");
        let _ = writeln!(
            out,
            "- `{}`: {} ({}, {})",
            planned.change,
            first_line,
            planned.statement.lock.sql_name(),
            planned.statement.work
        );
    }
    out.push_str("\n## How to check it applied\n\n");
    out.push_str(check(file));
    out.push_str("\n## If it fails\n\n");
    out.push_str(if is_preconditions(file) {
        "Nothing was changed. The error names the change, how many rows stand in its way and \
         a query that lists them: fix those rows (or answer the change's question otherwise \
         and plan again), then run this file again before going on.\n"
    } else {
        if_it_fails(file.kind)
    });
    if !file.rollback_warnings.is_empty() {
        out.push_str("\n## What its rollback does not bring back\n\n");
        for (change, warning) in &file.rollback_warnings {
            let _ = writeln!(out, "- `{change}`: {warning}");
        }
    }
    out
}

/// A file's strongest lock for its notes: the mode and what it blocks.
fn strongest_lock(lock: Lock) -> String {
    if lock == Lock::None {
        "none on an existing table".to_owned()
    } else {
        format!("{} ({})", lock.sql_name(), lock.blocks())
    }
}

/// How to check that `file` applied (a paragraph for its notes).
#[must_use]
pub fn check(file: &PlanFile) -> &'static str {
    match (file.phase, file.kind) {
        (Phase::Preconditions, _) => {
            "It changes nothing: it passed when psql ended without an error.\n"
        }
        (_, FileKind::Concurrently) => {
            "No index is left INVALID: `SELECT indexrelid::regclass FROM pg_index WHERE NOT \
             indisvalid;` returns none of this file's indexes, and `pgphase diff` no longer \
             lists them.\n"
        }
        (Phase::Backfill, _) => {
            "Running the file again changes 0 rows: every batch works only on rows still to \
             do.\n"
        }
        (Phase::Validate, _) => {
            "No constraint of this file is left NOT VALID: `SELECT conrelid::regclass, conname \
             FROM pg_constraint WHERE NOT convalidated;` lists none of them.\n"
        }
        _ => {
            "`pgphase diff` no longer lists the changes this file makes; running the file \
             again changes nothing.\n"
        }
    }
}

/// What to do when a file of `kind` fails (a paragraph for its notes).
#[must_use]
pub fn if_it_fails(kind: FileKind) -> &'static str {
    match kind {
        FileKind::Transaction => {
            "Nothing was applied: the transaction rolled back. A lock timeout means another \
             session held the table: find it with the query above, then run the file again. A \
             data error (NULLs, duplicates, orphans) must be fixed first.\n"
        }
        FileKind::Separate | FileKind::Concurrently => {
            "The statements before the failing one stay applied; run the file again and it \
             carries on. A concurrent build that failed leaves an INVALID index, which the file \
             drops before building it again.\n"
        }
        FileKind::Batched | FileKind::Worker => {
            "Every committed batch stays; run the file again and it carries on from the rows \
             still to do.\n"
        }
        FileKind::Gate => "Do not go on until the gate holds.\n",
    }
}

fn readme(name: &str, plan: &Plan) -> String {
    let mut out = format!(
        "# Plan `{name}`\n\nWritten by pgphase from the live schema, the desired schema \
         (`desired.yaml`) and the decisions in `decisions.yaml`; the same inputs and decisions \
         give the same files, byte for byte.\n\n"
    );
    settings(&mut out, plan);
    promise(&mut out, plan);
    changes(&mut out, plan);
    risks(&mut out, plan);
    decisions_table(&mut out, plan);
    phases(&mut out, plan);
    cannot_undo(&mut out, plan);
    let _ = write!(
        out,
        "## Applying and rolling back\n\nApply the files in the order of the table above, \
         each with `psql -v ON_ERROR_STOP=1 -f FILE`, reading its `.notes.md` first. Stop at \
         a deploy gate until it holds. To undo, run the `.rollback.sql` of each applied file, \
         the last applied first.\n\nProve the plan on a scratch copy first: `pgphase verify \
         plans/{name}`.\n"
    );
    out
}

fn settings(out: &mut String, plan: &Plan) {
    let s = &plan.settings;
    let mode = match s.mode {
        Mode::ZeroDowntime => "zero downtime (the application keeps running)",
        Mode::MaintenanceWindow => "maintenance window (locks allowed)",
    };
    let statement = if s.statement_timeout_ms == 0 {
        "none".to_owned()
    } else {
        crate::sql::duration(s.statement_timeout_ms)
    };
    let _ = write!(
        out,
        "- Mode: {mode}\n- lock_timeout: {}; statement_timeout: {statement}\n- Backfill batch \
         size: {}; tables of {} rows or more are large\n\n",
        crate::sql::duration(s.lock_timeout_ms),
        thousands(s.batch_size),
        thousands(s.large_table_rows)
    );
}

/// What the mode promises the running application, and how the files keep it.
fn promise(out: &mut String, plan: &Plan) {
    use crate::step::retry::LOCK_RETRIES;
    match plan.settings.mode {
        Mode::ZeroDowntime => {
            let _ = write!(
                out,
                "## While the application runs\n\nEvery transaction takes its table locks \
                 first: each table once, in the strongest mode the transaction needs, in table \
                 name order; when a lock is not free within lock_timeout it releases what it \
                 took, pauses (0.1 s, doubling up to 5 s, with jitter) and tries again, up to \
                 {LOCK_RETRIES} times. No lock that blocks reads or writes is held while rows \
                 are scanned, written or rebuilt: validations, backfills and index builds run \
                 in transactions of their own under locks that block no client. The longest a \
                 client can wait because of a file is its budget (the last column of the table \
                 of files): one lock_timeout per table the file locks in a blocking mode, plus \
                 0.5 s for its brief statements. Concurrent index builds cannot retry inside \
                 SQL: when one fails on its lock timeout, run its file again (it first drops \
                 the INVALID index the failure left). `pgphase verify --traffic` applies the \
                 files while clients read and write the tables they touch, and fails any file \
                 that makes a client fail or wait longer than its budget.\n\n"
            );
        }
        Mode::MaintenanceWindow => out.push_str(
            "## Maintenance window\n\nStatements hold locks that block reads and writes while \
             they scan or rewrite tables: stop the application before applying the files.\n\n",
        ),
    }
}

fn changes(out: &mut String, plan: &Plan) {
    let _ = writeln!(
        out,
        "## Changes\n\n| change | kind | badges | cost if applied directly |\n|---|---|---|---|"
    );
    for change in &plan.changes {
        let badges: Vec<String> = change.badges.iter().map(ToString::to_string).collect();
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} |",
            change.id,
            change.kind,
            badges.join(", "),
            change.assessment.summary.replace('|', "\\|")
        );
    }
    out.push('\n');
}

fn risks(out: &mut String, plan: &Plan) {
    let with = |badge: Badge| -> Vec<String> {
        plan.changes
            .iter()
            .filter(|c| c.badges.contains(&badge))
            .map(|c| format!("`{}`", c.id))
            .collect()
    };
    let loses = with(Badge::LosesData);
    let breaks = with(Badge::BreaksClients);
    if loses.is_empty() && breaks.is_empty() {
        return;
    }
    out.push_str("## Risks\n\n");
    if !loses.is_empty() {
        let _ = writeln!(out, "- **Loses data**: {}", loses.join(", "));
    }
    if !breaks.is_empty() {
        let _ = writeln!(
            out,
            "- **Breaks clients** still using the old shape: {}",
            breaks.join(", ")
        );
    }
    out.push('\n');
}

fn decisions_table(out: &mut String, plan: &Plan) {
    let _ = writeln!(
        out,
        "## Decisions\n\n| change | question | choice | input | chosen by |\n|---|---|---|---|---|"
    );
    for (change, question, answer) in plan.answers.iter() {
        let by = match answer.by {
            AnsweredBy::User => "a person",
            AnsweredBy::Default => "default",
        };
        let _ = writeln!(
            out,
            "| `{change}` | {question} | {} | {} | {by} |",
            answer.choice,
            answer
                .input
                .as_deref()
                .map_or_else(String::new, |i| format!("`{}`", i.replace('|', "\\|")))
        );
    }
    out.push('\n');
}

fn phases(out: &mut String, plan: &Plan) {
    let _ = writeln!(
        out,
        "## Files, in order\n\n| file | phase | runs | strongest lock | duration | statements | longest client wait |\n|---|---|---|---|---|---|---|"
    );
    for file in &plan.files {
        let (path, runs) = if file.kind == FileKind::Gate {
            (format!("{}.md", file.name), "gate".to_owned())
        } else {
            (
                format!("{}.sql", file.name),
                format!("{:?}", file.kind).to_lowercase(),
            )
        };
        let duration = if file.kind == FileKind::Gate {
            ""
        } else {
            file.duration.name()
        };
        let wait = match (file.kind, file.budget_ms) {
            (FileKind::Gate, _) => String::new(),
            (_, 0) => "unbounded".to_owned(),
            (_, ms) => seconds(ms),
        };
        let _ = writeln!(
            out,
            "| [{path}]({path}) | {} | {runs} | {} | {} | {} | {wait} |",
            file.phase,
            file.strongest_lock.sql_name(),
            duration,
            file.statements.len()
        );
    }
    out.push('\n');
    let gates: Vec<&(crate::decide::ChangeId, String)> =
        plan.files.iter().flat_map(|f| &f.gates).collect();
    if !gates.is_empty() {
        out.push_str("## Deploy gates\n\n");
        for (change, requirement) in gates {
            let _ = writeln!(out, "- `{change}`: {requirement}");
        }
        out.push('\n');
    }
}

fn cannot_undo(out: &mut String, plan: &Plan) {
    let warnings: Vec<(&str, &crate::decide::ChangeId, &String)> = plan
        .files
        .iter()
        .flat_map(|f| {
            f.rollback_warnings
                .iter()
                .map(move |(c, w)| (f.name.as_str(), c, w))
        })
        .collect();
    if warnings.is_empty() {
        return;
    }
    out.push_str("## What cannot be undone\n\n");
    for (file, change, warning) in warnings {
        let _ = writeln!(out, "- {file}, `{change}`: {warning}");
    }
    out.push('\n');
}
