//! `pgphase export`: a plan folder as migrations of the team's migration tool.
//!
//! The plan's `plan.json` is cut into [`Unit`]s, each one migration of the tool: a transaction
//! file of the plan stays one transactional unit; every statement of a file that runs outside
//! a transaction (CONCURRENTLY builds and drops, enum labels, backfills that commit) becomes a
//! unit of its own, marked the tool's way. Deploy gates cut the units into [`Stage`]s: the tool
//! is run up to the end of stage 1, the gate is checked, then on. One exporter per tool turns
//! the stages into files; all of them read the same [`Export`].

mod alembic;
mod django;
mod drizzle;
mod flyway;
mod golang_migrate;
mod knex;
mod liquibase;
mod prisma;
mod rails;
mod readme;
#[cfg(test)]
mod tests;
pub mod text;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::output::plan_files::{PLAN_JSON_FORMAT, statement_comment, timeout_statements};
use crate::plan::{FileKind, PlanFile, PlannedStatement};
use crate::step::Phase;

/// A migration tool pgphase exports to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum Tool {
    Alembic,
    Django,
    Knex,
    Drizzle,
    Liquibase,
    Rails,
    GolangMigrate,
    Flyway,
    Prisma,
}

impl Tool {
    /// Every tool, in the order the README lists them.
    pub const ALL: [Self; 9] = [
        Self::Alembic,
        Self::Django,
        Self::Knex,
        Self::Drizzle,
        Self::Liquibase,
        Self::Rails,
        Self::GolangMigrate,
        Self::Flyway,
        Self::Prisma,
    ];

    /// The name `--to` takes.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Alembic => "alembic",
            Self::Django => "django",
            Self::Knex => "knex",
            Self::Drizzle => "drizzle",
            Self::Liquibase => "liquibase",
            Self::Rails => "rails",
            Self::GolangMigrate => "golang-migrate",
            Self::Flyway => "flyway",
            Self::Prisma => "prisma",
        }
    }

    /// The tool's own name, for people.
    #[must_use]
    pub fn title(self) -> &'static str {
        match self {
            Self::Alembic => "Alembic",
            Self::Django => "Django migrations",
            Self::Knex => "Knex",
            Self::Drizzle => "Drizzle (drizzle-kit)",
            Self::Liquibase => "Liquibase",
            Self::Rails => "Rails (Active Record migrations)",
            Self::GolangMigrate => "golang-migrate",
            Self::Flyway => "Flyway",
            Self::Prisma => "Prisma Migrate",
        }
    }
}

impl fmt::Display for Tool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What an export needs beyond the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportOptions {
    pub tool: Tool,
    /// The first unit's version, as seconds since 1970 (UTC): tools that order migrations by a
    /// timestamp (Knex, Rails, golang-migrate, Flyway, Prisma, Drizzle) number the units from
    /// it, one second apart. It must be later than the team's existing migrations.
    pub timestamp: u64,
    /// The migration the first unit comes after, for tools that chain them (Alembic's
    /// `down_revision`, Django's dependency): the team's current head.
    pub after: Option<String>,
    /// Django's app label.
    pub django_app: String,
    /// Rails' migration version (`ActiveRecord::Migration[6.1]`).
    pub rails_version: String,
}

impl ExportOptions {
    /// The options for `tool` with its defaults.
    #[must_use]
    pub fn new(tool: Tool, timestamp: u64) -> Self {
        Self {
            tool,
            timestamp,
            after: None,
            django_app: "pgphase_migrations".to_owned(),
            rails_version: "6.1".to_owned(),
        }
    }
}

/// A plan cut into units and stages, ready for any tool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export {
    /// The plan's name (its folder's).
    pub plan: String,
    /// `name`, as a lowercase identifier (`[a-z0-9_]`, starting with a letter).
    pub slug: String,
    pub stages: Vec<Stage>,
    pub timestamp: u64,
}

/// The units up to a deploy gate (or the end of the plan).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    /// From 1.
    pub number: usize,
    pub units: Vec<Unit>,
    /// The gate that ends the stage: (change, requirement) pairs; `None` for the last stage.
    pub gate: Option<Gate>,
}

/// A deploy gate between two stages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gate {
    /// The plan's gate file (`04-deploy`).
    pub file: String,
    pub requirements: Vec<String>,
}

/// One migration of the tool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    /// From 1, across the whole plan: the order the tool must run the units in.
    pub number: usize,
    /// The plan file it comes from (`02-expand-concurrently`).
    pub file: String,
    /// The plan file's phase (`expand`).
    pub phase: String,
    /// `<number>_<file>[_<part>]` as an identifier: `0003_02_expand_concurrently_2`.
    pub slug: String,
    /// False: the tool must run it outside a transaction, on its own.
    pub transactional: bool,
    /// Without their final `;`.
    pub statements: Vec<String>,
    /// What undoes it, in order; run the same way (in a transaction or not) as `statements`.
    pub rollback: Vec<String>,
    /// What the rollback cannot bring back.
    pub rollback_warnings: Vec<String>,
    /// Comment lines (without `--`): where it comes from, how it runs, each statement's lock,
    /// work and note.
    pub comment: Vec<String>,
}

impl Export {
    /// Every unit, in order.
    pub fn units(&self) -> impl Iterator<Item = &Unit> {
        self.stages.iter().flat_map(|stage| stage.units.iter())
    }

    /// The unit's version for tools that order by timestamp: `YYYYMMDDHHMMSS`, one second
    /// per unit from the export's timestamp.
    #[must_use]
    pub fn version(&self, unit: &Unit) -> String {
        text::timestamp_digits(self.timestamp + unit.number as u64 - 1)
    }

    /// The last unit of stage `number`, where the tool stops for its gate.
    #[must_use]
    pub fn last_unit(&self, stage: usize) -> Option<&Unit> {
        self.stages
            .iter()
            .take(stage)
            .flat_map(|s| s.units.iter())
            .last()
    }
}

/// Why a plan cannot be exported.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("{}: not a plan folder: {reason}", dir.display())]
    NotAPlan { dir: PathBuf, reason: String },
    #[error("{}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{} exists already; pass --force to replace it", .0.display())]
    Exists(PathBuf),
}

/// The parts of `plan.json` an export reads: every file with its statements' locks and notes.
#[derive(Debug, Deserialize)]
struct PlanJson {
    format: u32,
    name: String,
    files: Vec<PlanFile>,
}

/// Now, in seconds since 1970: the timestamp of an export when none is given.
#[must_use]
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

/// Reads the plan folder `dir` and cuts it into units and stages.
///
/// # Errors
/// [`ExportError::NotAPlan`] when `plan.json` is missing, unreadable or of another format.
pub fn read(dir: &Path, timestamp: u64) -> Result<Export, ExportError> {
    let not_a_plan = |reason: String| ExportError::NotAPlan {
        dir: dir.to_path_buf(),
        reason,
    };
    let path = dir.join("plan.json");
    let text = std::fs::read_to_string(&path).map_err(|error| {
        not_a_plan(if error.kind() == std::io::ErrorKind::NotFound {
            "plan.json is missing".to_owned()
        } else {
            format!("plan.json: {error}")
        })
    })?;
    let plan: PlanJson =
        serde_json::from_str(&text).map_err(|error| not_a_plan(format!("plan.json: {error}")))?;
    if plan.format != PLAN_JSON_FORMAT {
        return Err(not_a_plan(format!(
            "plan.json has format {} (this version of pgphase reads format {PLAN_JSON_FORMAT})",
            plan.format
        )));
    }
    Ok(cut(&plan.name, &plan.files, timestamp))
}

/// The plan's files cut into units and stages.
#[must_use]
pub fn cut(name: &str, files: &[PlanFile], timestamp: u64) -> Export {
    let mut stages = Vec::new();
    let mut units: Vec<Unit> = Vec::new();
    let mut number = 0;
    for file in files {
        if file.kind == FileKind::Gate {
            stages.push(Stage {
                number: stages.len() + 1,
                units: std::mem::take(&mut units),
                gate: Some(Gate {
                    file: file.name.clone(),
                    requirements: file
                        .gates
                        .iter()
                        .map(|(change, requirement)| format!("{change}: {requirement}"))
                        .collect(),
                }),
            });
            continue;
        }
        for mut unit in file_units(file) {
            number += 1;
            unit.number = number;
            unit.slug = format!("{number:04}_{}", unit.slug);
            units.push(unit);
        }
    }
    if !units.is_empty() || stages.is_empty() {
        stages.push(Stage {
            number: stages.len() + 1,
            units,
            gate: None,
        });
    }
    Export {
        plan: name.to_owned(),
        slug: text::identifier(name),
        stages,
        timestamp,
    }
}

/// The units of one plan file (numbered later).
fn file_units(file: &PlanFile) -> Vec<Unit> {
    let statements: Vec<&PlannedStatement> = file
        .statements
        .iter()
        .filter(|planned| !read_only_marker(file, planned))
        .collect();
    let warnings: Vec<String> = file
        .rollback_warnings
        .iter()
        .map(|(change, warning)| format!("{change}: {warning}"))
        .collect();
    let base = text::identifier(&file.name);
    if file.kind.in_transaction() {
        let timeouts = timeout_statements(file);
        let mut rollback = Vec::new();
        if !file.rollback.is_empty() {
            rollback.extend(timeouts.iter().cloned());
            rollback.extend(file.rollback.iter().map(|p| p.statement.sql.clone()));
        }
        let mut sql = timeouts;
        sql.extend(statements.iter().map(|p| p.statement.sql.clone()));
        return vec![Unit {
            number: 0,
            file: file.name.clone(),
            phase: file.phase.to_string(),
            slug: base,
            transactional: true,
            statements: sql,
            rollback,
            rollback_warnings: warnings,
            comment: comment(file, &statements),
        }];
    }
    let downs = spread_rollback(&file.rollback, statements.len());
    statements
        .iter()
        .zip(downs)
        .enumerate()
        .map(|(i, (planned, rollback))| Unit {
            number: 0,
            file: file.name.clone(),
            phase: file.phase.to_string(),
            slug: format!("{base}_{}", i + 1),
            transactional: false,
            statements: vec![planned.statement.sql.clone()],
            rollback,
            rollback_warnings: if i == 0 { warnings.clone() } else { Vec::new() },
            comment: comment(file, &[planned]),
        })
        .collect()
}

/// The preconditions file's `SET TRANSACTION READ ONLY`: a tool has already run queries in
/// the transaction (its history table), where PostgreSQL refuses it. The checks only read.
fn read_only_marker(file: &PlanFile, planned: &PlannedStatement) -> bool {
    file.phase == Phase::Preconditions && planned.statement.sql == "SET TRANSACTION READ ONLY"
}

/// A file's rollback spread over its `units` units, which a tool undoes last first: the last
/// unit gets the rollback's first statement, the one before it the second, and so on; the
/// first unit takes what is left. Undoing the whole file runs the rollback in its order, each
/// statement on its own.
fn spread_rollback(rollback: &[PlannedStatement], units: usize) -> Vec<Vec<String>> {
    let mut downs = vec![Vec::new(); units];
    if units == 0 {
        return downs;
    }
    for (i, planned) in rollback.iter().enumerate() {
        let slot = units.saturating_sub(i + 1);
        downs[slot].push(planned.statement.sql.clone());
    }
    downs
}

fn comment(file: &PlanFile, statements: &[&PlannedStatement]) -> Vec<String> {
    let mut lines = vec![
        format!("pgphase plan file {}.sql, phase {}", file.name, file.phase),
        format!("runs {}", crate::output::plan_files::how_it_runs(file.kind)),
        format!("notes: {}.notes.md of the plan folder", file.name),
    ];
    for planned in statements {
        lines.extend(
            statement_comment(planned)
                .lines()
                .map(|line| line.trim_start_matches("-- ").to_owned()),
        );
    }
    lines
}

/// The files of `export` for `options.tool`, by path relative to the export folder, with the
/// export's README.
#[must_use]
pub fn render(export: &Export, options: &ExportOptions) -> BTreeMap<PathBuf, String> {
    let (mut files, commands) = match options.tool {
        Tool::Alembic => alembic::render(export, options),
        Tool::Django => django::render(export, options),
        Tool::Knex => knex::render(export),
        Tool::Drizzle => drizzle::render(export),
        Tool::Liquibase => liquibase::render(export),
        Tool::Rails => rails::render(export, options),
        Tool::GolangMigrate => golang_migrate::render(export),
        Tool::Flyway => flyway::render(export),
        Tool::Prisma => prisma::render(export),
    };
    files.insert(
        PathBuf::from("README.md"),
        readme::render(export, options.tool, &commands),
    );
    files
}

/// The commands a tool's README gives, per stage: how to apply up to the end of the stage and
/// how to undo it (from the end of the plan back to the start of the stage, after the later
/// stages were undone).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Commands {
    /// Set up once, before the first stage (copying files, a config).
    pub setup: Vec<String>,
    /// Per stage, in order: the commands that apply it.
    pub apply: Vec<Vec<String>>,
    /// Per stage, in order: the commands that undo it.
    pub rollback: Vec<Vec<String>>,
    /// What the reader must know about this tool's export.
    pub notes: Vec<String>,
}

/// Writes `files` under `out`, which must not exist unless `force`.
///
/// # Errors
/// [`ExportError::Exists`] or the write that failed.
pub fn write(
    out: &Path,
    files: &BTreeMap<PathBuf, String>,
    force: bool,
) -> Result<(), ExportError> {
    if out.exists() {
        if !force {
            return Err(ExportError::Exists(out.to_path_buf()));
        }
        std::fs::remove_dir_all(out).map_err(|source| ExportError::Write {
            path: out.to_path_buf(),
            source,
        })?;
    }
    for (relative, content) in files {
        let path = out.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| ExportError::Write {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        std::fs::write(&path, content).map_err(|source| ExportError::Write { path, source })?;
    }
    Ok(())
}

/// A psql script that undoes `stage` (its units last first, each as it ran: in a transaction
/// or on its own), then runs `forget`, which removes the stage's rows from the tool's history:
/// for tools without down migrations.
#[must_use]
pub fn psql_rollback(export: &Export, stage: &Stage, forget: &str) -> String {
    use std::fmt::Write as _;
    let mut out = format!(
        "-- Undoes stage {} of pgphase plan {} and removes its migrations from the tool's \
         history.\n-- Run after every later stage was undone: psql -v ON_ERROR_STOP=1 -f <this file>\n",
        stage.number, export.plan
    );
    for unit in stage.units.iter().rev() {
        let _ = writeln!(out, "\n-- undoes unit {}", unit.slug);
        for warning in &unit.rollback_warnings {
            let _ = writeln!(out, "-- not brought back: {warning}");
        }
        if unit.rollback.is_empty() {
            out.push_str("-- nothing to undo\n");
            continue;
        }
        if unit.transactional {
            out.push_str("BEGIN;\n");
        }
        for sql in &unit.rollback {
            let _ = writeln!(out, "{sql};");
        }
        if unit.transactional {
            out.push_str("COMMIT;\n");
        }
    }
    let _ = writeln!(out, "\n-- the tool's history\n{forget};");
    out
}
