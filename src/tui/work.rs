//! The background work behind effects: loading and comparing, and the on-demand counts. Each
//! returns the message that reports it; failures become readable [`Failure`]s or texts.

use std::collections::BTreeMap;
use std::time::Duration;

use tokio::sync::mpsc;

use super::app::{Failure, Session};
use super::msg::{Msg, WriteFailure};
use super::run::Inputs;
use crate::decide::{Fact, Facts};
use crate::diff::Change;
use crate::rules::{Context, add_foreign_key, add_unique, set_not_null};
use crate::source::postgres::{self, SystemEnv, facts as counts};
use crate::source::yaml;

/// How long a count may scan before the server cancels it.
const COUNT_TIMEOUT: Duration = Duration::from_secs(60);

/// Reads both schemas, compares them and prepares the questions.
pub async fn load(inputs: &Inputs, sender: &mpsc::UnboundedSender<Msg>) -> Msg {
    Msg::Loaded(session(inputs, sender).await.map(Box::new))
}

async fn session(inputs: &Inputs, sender: &mpsc::UnboundedSender<Msg>) -> Result<Session, Failure> {
    let file = yaml::load(&inputs.schema).map_err(|error| Failure {
        title: "The desired schema file has a mistake".to_owned(),
        message: error.to_string(),
        hint: "Fix the file where the message points, then start pgphase again.".to_owned(),
    })?;
    let progress = sender.clone();
    let live = postgres::read_live(&inputs.connect, &inputs.introspect, &mut |p| {
        let _ = progress.send(Msg::Progress {
            step: format!("reading {}", p.step),
            finished_queries: p.finished_queries,
            total_queries: p.total_queries,
            rows_read: p.rows_read as u64,
        });
    })
    .await
    .map_err(|error| Failure {
        title: "Cannot read the live database".to_owned(),
        message: error.to_string(),
        hint: "Check --database-url (or DATABASE_URL, PGHOST, PGPORT, PGUSER, PGDATABASE) and \
               that the server accepts connections from here."
            .to_owned(),
    })?;
    let steps = sender.clone();
    let canonical = crate::shadow::canonicalize_changed(
        &file.schema,
        &live.schema,
        &inputs.shadow,
        Some(&inputs.connect),
        &mut |step| {
            let _ = steps.send(Msg::Progress {
                step: step.to_owned(),
                finished_queries: 0,
                total_queries: 0,
                rows_read: 0,
            });
        },
    )
    .await
    .map_err(|error| Failure {
        title: "Cannot put the desired schema in PostgreSQL's canonical form".to_owned(),
        message: error.to_string(),
        hint: "Fix the desired schema, or give a server for scratch databases with \
               --shadow-url, or compare textually with --no-shadow."
            .to_owned(),
    })?;
    Ok(prepare(
        live,
        yaml::Desired {
            schema: canonical.schema,
            ignore: file.ignore,
        },
        canonical.method,
    ))
}

/// The session for a live database and a canonical desired schema: the changes, their
/// assessment, the facts and the questions. Pure; tests build sessions with it.
#[must_use]
pub fn prepare(
    live: postgres::Introspection,
    desired: yaml::Desired,
    method: crate::shadow::Method,
) -> Session {
    let managed = desired.ignore.keep_managed(&live.schema, &desired.schema);
    let changes = crate::diff::diff(&managed, &desired.schema, &live.stats);
    let empty = Facts::default();
    let context = Context {
        live: &live.schema,
        desired: &desired.schema,
        stats: &live.stats,
        facts: &empty,
    };
    let facts = crate::plan::facts(&changes, &context, &empty);
    let context = Context {
        facts: &facts,
        ..context
    };
    let questions = crate::plan::questions(&changes, &context);
    let assessed = crate::plan::assess(&changes, &context).unwrap_or_default();
    Session {
        live: live.schema,
        stats: live.stats,
        desired,
        method,
        changes,
        assessed,
        facts,
        counted: Facts::default(),
        questions,
    }
}

/// Runs the count `change` needs, in a read-only transaction of its own.
pub async fn count(inputs: &Inputs, generation: u64, change: Box<Change>) -> Msg {
    let id = change.id();
    let result = counted(inputs, &change).await;
    Msg::Counted {
        generation,
        change: id,
        result,
    }
}

async fn counted(inputs: &Inputs, change: &Change) -> Result<Vec<Fact>, String> {
    let mut connection = postgres::connect(&inputs.connect, &SystemEnv)
        .await
        .map_err(|error| error.to_string())?;
    let client = &mut connection.client;
    let result = match change {
        Change::SetNotNull { table, column } => {
            counts::count_nulls(client, table, &column.name, COUNT_TIMEOUT)
                .await
                .map(|count| vec![set_not_null::null_count_fact(count.value)])
        }
        Change::AddUnique { table, unique } => counts::count_duplicates(
            client,
            table,
            &unique.columns,
            unique.nulls_not_distinct,
            COUNT_TIMEOUT,
        )
        .await
        .map(|count| vec![add_unique::duplicates_fact(count.value.rows)]),
        Change::AddForeignKey { table, key, .. } => counts::count_orphans(
            client,
            table,
            &key.columns,
            &key.references,
            &key.referenced_columns,
            COUNT_TIMEOUT,
        )
        .await
        .map(|count| vec![add_foreign_key::orphans_fact(count.value)]),
        _ => Ok(Vec::new()),
    };
    connection.close().await;
    result.map_err(|error| error.to_string())
}

/// Writes the plan folder `dir`; an existing one is reported as such unless `force`, so the
/// user can be asked.
pub fn write(
    dir: std::path::PathBuf,
    files: &BTreeMap<std::path::PathBuf, String>,
    force: bool,
) -> Msg {
    Msg::Written(match crate::output::write_plan_folder(&dir, files, force) {
        Ok(()) => Ok(dir),
        Err(crate::Error::PlanExists { .. }) => Err(WriteFailure::Exists {
            name: dir
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_default(),
        }),
        Err(error) => Err(WriteFailure::Failed(error.to_string())),
    })
}
