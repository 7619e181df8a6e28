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
use crate::rules::Context;
use crate::source::postgres::{self, SystemEnv};
use crate::source::yaml;

/// How long a count may scan before the server cancels it.
const COUNT_TIMEOUT: Duration = crate::count::DEFAULT_TIMEOUT;

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
    let mut session = prepare(
        live,
        yaml::Desired {
            schema: canonical.schema,
            ignore: file.ignore,
        },
        canonical.method,
    );
    let counting = crate::count::Counting::On {
        timeout: COUNT_TIMEOUT,
    };
    let counts = sender.clone();
    session.counted =
        crate::count::count_changes(&inputs.connect, &session.changes, counting, &mut |p| {
            let _ = counts.send(Msg::Progress {
                step: format!("counting {}", p.what),
                finished_queries: p.index - 1,
                total_queries: p.total,
                rows_read: 0,
            });
        })
        .await
        .map_err(|error| Failure {
            title: "Cannot count rows in the live database".to_owned(),
            message: error.to_string(),
            hint: "Check that the server still accepts connections from here.".to_owned(),
        })?;
    refresh_questions(&mut session);
    Ok(session)
}

/// The facts and questions of `session` made again from its counted facts: a count changes
/// prompts, defaults and which questions are asked.
pub fn refresh_questions(session: &mut Session) {
    let empty = Facts::default();
    let bare = Context {
        live: &session.live,
        desired: &session.desired.schema,
        stats: &session.stats,
        facts: &empty,
    };
    let facts = crate::plan::facts(&session.changes, &bare, &session.counted);
    let context = Context {
        facts: &facts,
        ..bare
    };
    session.questions = crate::plan::questions(&session.changes, &context);
    session.facts = facts;
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
    let result = crate::count::count_change(&mut connection.client, change, COUNT_TIMEOUT).await;
    connection.close().await;
    result.map_err(|error| error.to_string())
}

/// Exports the written plan folder for `tool` into `out`, stamped with the current time; an
/// existing `out` is left alone (the CLI's `--force` replaces it).
pub fn export(
    plan_dir: &std::path::Path,
    tool: crate::export::Tool,
    out: std::path::PathBuf,
) -> Msg {
    use crate::export::{ExportOptions, now, read, render, write};
    let timestamp = now();
    let result = read(plan_dir, timestamp).and_then(|export| {
        let files = render(&export, &ExportOptions::new(tool, timestamp));
        write(&out, &files, false)
    });
    Msg::Exported(result.map(|()| out).map_err(|error| error.to_string()))
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
