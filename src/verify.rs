//! `verify`: a plan folder proved on a scratch database built from the live schema with sample
//! rows. Each file is applied, applied again (it must be safe to re-run after a failure), rolled
//! back (the schema must be what it was before the file) and applied again; at the end the
//! schema must equal `desired.yaml` and the rows in untouched columns must be unchanged.
//! A zero-downtime plan is also held to the lock discipline (`plan::discipline`), read from
//! the locks, tables and work `plan.json` records for each statement.
//! With traffic ([`traffic`]), simulated application clients read and write the touched tables
//! through each file's round, and a client error or a client transaction over the file's budget
//! fails the file.
//!
//! The live database is only read (introspection and `COPY … TO STDOUT` in a read-only
//! transaction). The scratch database lives on a server named by a URL or in a throwaway local
//! cluster, and is dropped on every path. A failed check is a finding in the [`Report`]; a
//! [`VerifyError`] means the checks could not be made.

pub mod apply;
pub mod compare;
pub mod plan_dir;
pub mod report;
pub mod rows;
pub mod sample;
pub mod traffic;

use std::path::{Path, PathBuf};

use tokio_postgres::Client;

use crate::Schema;
use crate::cluster::{ClusterError, ClusterOptions, TempCluster};
use crate::schema::Namespace;
use crate::shadow::scratch::{create_scratch, drop_scratch, server_of};
use crate::shadow::target::{refuse_planned, with_database};
use crate::shadow::{Shadow, ShadowError, canonicalize};
use crate::source::postgres::{
    ConnectError, ConnectOptions, IntrospectError, IntrospectOptions, SystemEnv, connect,
    introspect,
};
use crate::source::yaml::LoadError;

pub use plan_dir::{Discipline, PlanDir, PlanFile};
pub use report::{FileOutcome, FileReport, Report, Rows, Stage};
pub use sample::Sample;
pub use traffic::{ClientError, FileTraffic, StatementKind, TrafficOptions, TrafficSetup};

/// The name prefix of verify's scratch databases.
const SCRATCH_PREFIX: &str = "pgphase_verify";

/// Where the scratch database goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scratch {
    /// A server where pgphase may `CREATE DATABASE`; the database the URL names is only used
    /// to create and drop the scratch database, and must not be the live one.
    Url(String),
    /// A throwaway cluster started from the local PostgreSQL programs.
    LocalCluster,
}

/// How to verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyOptions {
    /// Rows copied from each live table (at most).
    pub sample_rows: u64,
    /// Which live schemas to read.
    pub introspect: IntrospectOptions,
    /// Simulated application clients during each file; `None`: none.
    pub traffic: Option<TrafficOptions>,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        Self {
            sample_rows: 1_000,
            introspect: IntrospectOptions::default(),
            traffic: None,
        }
    }
}

/// Why the plan could not be verified at all.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("{} is not a plan folder: {reason}", dir.display())]
    NotAPlan { dir: PathBuf, reason: String },
    #[error("the plan's desired schema: {0}")]
    Desired(#[from] LoadError),
    #[error("live database: {0}")]
    Connect(#[from] ConnectError),
    #[error("reading a schema: {0}")]
    Introspect(#[from] IntrospectError),
    #[error("scratch server: {0}")]
    Shadow(#[from] ShadowError),
    #[error("scratch database: {action}: {message}")]
    Scratch { action: String, message: String },
    #[error("copying sample rows of {table}: {message}")]
    Sample { table: String, message: String },
    #[error("throwaway local cluster: {0}")]
    Cluster(#[from] ClusterError),
    #[error("throwaway local cluster: its thread failed: {0}")]
    Thread(String),
}

/// Proves the plan in `plan_dir` on a scratch copy of the database `live` reaches.
///
/// `progress` receives one line per step.
///
/// # Errors
/// [`VerifyError`]: the folder is not a plan, a database cannot be reached or read, the
/// scratch database cannot be made, filled or dropped. A check that fails is not an error: it
/// is in the [`Report`].
pub async fn verify(
    plan_dir: &Path,
    live: &ConnectOptions,
    scratch: &Scratch,
    options: &VerifyOptions,
    progress: &mut dyn FnMut(&str),
) -> Result<Report, VerifyError> {
    let dir = plan_dir::read(plan_dir)?;
    match scratch {
        Scratch::Url(url) => {
            refuse_planned(url, live.database_url.as_deref(), &SystemEnv)?;
            on_server(url, &dir, live, options, progress).await
        }
        Scratch::LocalCluster => on_local_cluster(&dir, live, options, progress).await,
    }
}

async fn on_local_cluster(
    dir: &PlanDir,
    live: &ConnectOptions,
    options: &VerifyOptions,
    progress: &mut dyn FnMut(&str),
) -> Result<Report, VerifyError> {
    progress("starting a throwaway PostgreSQL cluster");
    let cluster_options = ClusterOptions {
        stop_with_this_process: true,
        ..ClusterOptions::default()
    };
    let cluster = tokio::task::spawn_blocking(move || TempCluster::start(&cluster_options))
        .await
        .map_err(|error| VerifyError::Thread(error.to_string()))??;
    let result = on_server(&cluster.url("postgres"), dir, live, options, progress).await;
    progress("stopping the throwaway PostgreSQL cluster");
    let stopped = tokio::task::spawn_blocking(move || cluster.stop())
        .await
        .map_err(|error| VerifyError::Thread(error.to_string()));
    let report = result?;
    stopped??;
    Ok(report)
}

/// Everything on the server `admin_url` reaches: the desired schema canonicalised there, the
/// scratch database created, used and dropped.
async fn on_server(
    admin_url: &str,
    dir: &PlanDir,
    live: &ConnectOptions,
    options: &VerifyOptions,
    progress: &mut dyn FnMut(&str),
) -> Result<Report, VerifyError> {
    let shadow = Shadow::Url(admin_url.to_owned());
    let desired = canonicalize(&dir.desired.schema, &shadow, None, progress)
        .await?
        .schema;
    let mut live = connect(live, &SystemEnv).await?;
    progress("reading the live schema");
    let live_schema = match introspect(&mut live.client, &options.introspect, &mut |_| {}).await {
        Ok(introspection) => introspection.schema,
        Err(error) => {
            live.close().await;
            return Err(error.into());
        }
    };
    let admin_options = ConnectOptions {
        database_url: Some(admin_url.to_owned()),
        ..ConnectOptions::default()
    };
    let result = match connect(&admin_options, &SystemEnv).await {
        Ok(admin) => {
            let work = Work {
                dir,
                live: &live.client,
                live_schema: &live_schema,
                desired: &desired,
                options,
            };
            let result = in_scratch_database(&admin, admin_url, &work, progress).await;
            admin.close().await;
            result
        }
        Err(error) => Err(ShadowError::from(error).into()),
    };
    live.close().await;
    result
}

/// What a scratch database is filled from and checked against.
struct Work<'a> {
    dir: &'a PlanDir,
    live: &'a Client,
    live_schema: &'a Schema,
    /// `desired.yaml` in canonical form.
    desired: &'a Schema,
    options: &'a VerifyOptions,
}

async fn in_scratch_database(
    admin: &crate::source::postgres::Connection,
    admin_url: &str,
    work: &Work<'_>,
    progress: &mut dyn FnMut(&str),
) -> Result<Report, VerifyError> {
    let server = server_of(admin, admin_url);
    let database = create_scratch(&admin.client, &server, SCRATCH_PREFIX).await?;
    progress(&format!("created scratch database {database} on {server}"));
    let url = with_database(admin_url, &database);
    let result = match connect(
        &ConnectOptions {
            database_url: Some(url.clone()),
            ..ConnectOptions::default()
        },
        &SystemEnv,
    )
    .await
    {
        Ok(mut scratch) => {
            let result = prove(&mut scratch.client, &url, work, progress).await;
            scratch.close().await;
            result
        }
        Err(error) => Err(ShadowError::from(error).into()),
    };
    let dropped = drop_scratch(admin, &database, &server).await;
    if dropped.is_ok() {
        progress(&format!("dropped scratch database {database}"));
    }
    // Why the plan could not be proved matters more than a failed clean-up after it.
    let report = result?;
    dropped?;
    Ok(report)
}

/// Fills the scratch database (reached at `url`), runs every file and makes the end checks.
async fn prove(
    scratch: &mut Client,
    url: &str,
    work: &Work<'_>,
    progress: &mut dyn FnMut(&str),
) -> Result<Report, VerifyError> {
    let sample = sample::build(
        work.live,
        scratch,
        work.live_schema,
        work.options.sample_rows,
        progress,
    )
    .await?;
    let traffic = work.options.traffic.as_ref().map(|options| {
        traffic::Traffic::new(
            options,
            url.to_owned(),
            (work.live_schema, work.desired),
            &work.dir.plan.files,
        )
    });
    let setup = match &traffic {
        Some(traffic) => Some(traffic.grow(scratch, progress).await?),
        None => None,
    };
    // Clients write rows, so untouched rows cannot be compared under traffic.
    let selection = if traffic.is_some() {
        rows::Selection::default()
    } else {
        rows::select(work.live_schema, work.desired, &work.dir.plan)
    };
    let before = rows::checksums(scratch, &selection).await?;
    let files = run_files(scratch, &work.dir.plan.files, traffic.as_ref(), progress).await?;
    let finished = !files.iter().any(|f| f.outcome == FileOutcome::NotRun)
        && !files
            .iter()
            .any(|f| matches!(f.outcome, FileOutcome::Failed { .. }));
    let mut report = Report {
        plan: work.dir.plan.name.clone(),
        files,
        end_state: None,
        rows: Rows {
            skipped: selection.skipped.clone(),
            ..Rows::default()
        },
        sample,
        traffic: setup,
        discipline: work.dir.discipline.clone(),
    };
    if finished {
        let end = read(scratch).await?;
        let managed = work.dir.desired.ignore.keep_managed(&end, work.desired);
        report.end_state = Some(compare::differences(
            &without_empty_public(&managed, work.desired),
            &without_hints(work.desired),
        ));
        let after = rows::checksums(scratch, &selection).await?;
        for (old, new) in before.iter().zip(&after) {
            if old == new {
                report.rows.unchanged.push(old.table.clone());
            } else {
                report
                    .rows
                    .changed
                    .push((old.table.clone(), old.rows, new.rows));
            }
        }
    }
    Ok(report)
}

async fn read(client: &mut Client) -> Result<Schema, VerifyError> {
    Ok(
        introspect(client, &IntrospectOptions::default(), &mut |_| {})
            .await?
            .schema,
    )
}

/// Every file in order; after a statement fails, the later files are not run. Under traffic a
/// file that fails only for the clients does not stop the plan: its schema changes stand.
async fn run_files(
    scratch: &mut Client,
    files: &[PlanFile],
    traffic: Option<&traffic::Traffic<'_>>,
    progress: &mut dyn FnMut(&str),
) -> Result<Vec<FileReport>, VerifyError> {
    let mut out = Vec::new();
    let mut stopped = false;
    for (index, file) in files.iter().enumerate() {
        let (outcome, figures) = if file.kind == plan_dir::FileKind::Gate {
            let requirements = file.gates.len();
            (FileOutcome::Gate { requirements }, None)
        } else if stopped {
            (FileOutcome::NotRun, None)
        } else {
            run_file(scratch, files, index, traffic, progress).await?
        };
        stopped |= matches!(outcome, FileOutcome::Failed { .. });
        out.push(FileReport {
            name: file.name.clone(),
            outcome,
            traffic: figures,
        });
    }
    Ok(out)
}

/// One file's round, with the clients running through it when there is traffic.
async fn run_file(
    scratch: &mut Client,
    files: &[PlanFile],
    index: usize,
    traffic: Option<&traffic::Traffic<'_>>,
    progress: &mut dyn FnMut(&str),
) -> Result<(FileOutcome, Option<FileTraffic>), VerifyError> {
    let file = &files[index];
    let before = read(scratch).await?;
    let Some(traffic) = traffic else {
        progress(&format!(
            "{}: applying, re-running, rolling back",
            file.name
        ));
        return Ok((round(scratch, file, before).await?, None));
    };
    progress(&format!("{}: starting the clients", file.name));
    let running = traffic.start(scratch, index, &before).await?;
    progress(&format!(
        "{}: applying, re-running, rolling back under traffic",
        file.name
    ));
    let (outcome, figures) = running.during(round(scratch, file, before)).await?;
    Ok((outcome, Some(figures)))
}

/// One file's round: apply, apply again, roll back, apply again, with the schema compared;
/// `before` is the schema before the file.
async fn round(
    scratch: &mut Client,
    file: &PlanFile,
    before: Schema,
) -> Result<FileOutcome, VerifyError> {
    let failed = |stage: Stage, failure: apply::Failure| FileOutcome::Failed {
        stage,
        statement: failure.statement,
        message: failure.message,
    };
    if let Err(failure) = apply::run(scratch, file, &file.statements).await {
        return Ok(failed(Stage::Apply, failure));
    }
    let applied = read(scratch).await?;
    if let Err(failure) = apply::run(scratch, file, &file.statements).await {
        return Ok(failed(Stage::ApplyAgain, failure));
    }
    let again = compare::differences(&read(scratch).await?, &applied);
    if !again.is_empty() {
        return Ok(FileOutcome::NotIdempotent { differences: again });
    }
    let warnings = file.warnings();
    if file.rollback.is_empty() {
        let warning = (!warnings.is_empty()).then(|| warnings.join("; "));
        return Ok(match warning {
            _ if applied == before => FileOutcome::PassedWithoutRollback { warning },
            Some(warning) => FileOutcome::Irreversible { warning },
            None => FileOutcome::NoRollback,
        });
    }
    if let Err(failure) = apply::run(scratch, file, &file.rollback).await {
        return Ok(failed(Stage::Rollback, failure));
    }
    let restored = compare::differences(&read(scratch).await?, &before);
    if let Err(failure) = apply::run(scratch, file, &file.statements).await {
        return Ok(failed(Stage::ApplyAfterRollback, failure));
    }
    Ok(if restored.is_empty() {
        FileOutcome::Passed
    } else {
        FileOutcome::RollbackDiffers {
            differences: restored,
        }
    })
}

/// The schema without the rename hints, which only the desired file carries.
fn without_hints(schema: &Schema) -> Schema {
    let mut bare = schema.clone();
    for ns in bare.namespaces.values_mut() {
        for table in ns.tables.values_mut() {
            table.renamed_from = None;
            for column in &mut table.columns {
                column.renamed_from = None;
            }
        }
    }
    bare
}

/// The scratch schema without the `public` schema every new database has, when it holds
/// nothing and the desired schema does not name it (as the canonical desired schema leaves it).
fn without_empty_public(schema: &Schema, desired: &Schema) -> Schema {
    let mut out = schema.clone();
    if !desired.namespaces.contains_key("public")
        && out.namespaces.get("public").is_some_and(|ns| {
            let mut bare = ns.clone();
            bare.comment = None;
            bare == Namespace::default()
        })
    {
        out.namespaces.remove("public");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Column, Table};

    #[test]
    fn hints_are_left_out_of_the_end_comparison() {
        let mut schema = Schema::default();
        let mut column = Column::new("email_address", "text");
        column.renamed_from = Some("email".to_owned());
        let table = Table {
            columns: vec![column],
            renamed_from: Some("clients".to_owned()),
            ..Table::default()
        };
        schema
            .namespaces
            .entry("app".to_owned())
            .or_default()
            .tables
            .insert("customers".to_owned(), table);
        let bare = without_hints(&schema);
        let table = &bare.namespaces["app"].tables["customers"];
        assert_eq!(table.renamed_from, None);
        assert_eq!(table.columns[0].renamed_from, None);
        assert_eq!(table.columns[0].name, "email_address");
    }

    #[test]
    fn an_empty_public_is_dropped_only_when_unwanted() {
        let mut scratch = Schema::default();
        scratch.namespaces.insert(
            "public".to_owned(),
            Namespace {
                comment: Some("standard public schema".to_owned()),
                ..Namespace::default()
            },
        );
        assert!(
            without_empty_public(&scratch, &Schema::default())
                .namespaces
                .is_empty()
        );
        let mut wanted = Schema::default();
        wanted
            .namespaces
            .insert("public".to_owned(), Namespace::default());
        assert!(
            without_empty_public(&scratch, &wanted)
                .namespaces
                .contains_key("public")
        );
    }
}
