//! The background work behind effects: loading and comparing, and the on-demand counts. Each
//! returns the message that reports it; failures become readable [`Failure`]s or texts.

use std::collections::BTreeMap;
use std::time::Duration;

use tokio::sync::mpsc;

use super::app::Failure;
use super::msg::{Msg, WriteFailure};
use crate::decide::Fact;
use crate::diff::Change;
use crate::session::{Progress, Session, SessionError, Sources};
use crate::source::postgres::{self, SystemEnv};

/// How long a count may scan before the server cancels it.
const COUNT_TIMEOUT: Duration = crate::count::DEFAULT_TIMEOUT;

/// Reads both schemas, compares them, counts what the changes need and prepares the
/// questions, reporting progress as it goes.
pub async fn load(sources: &Sources, sender: &mpsc::UnboundedSender<Msg>) -> Msg {
    Msg::Loaded(session(sources, sender).await.map(Box::new))
}

async fn session(
    sources: &Sources,
    sender: &mpsc::UnboundedSender<Msg>,
) -> Result<Session, Failure> {
    let mut progress = |p: Progress| {
        let _ = sender.send(Msg::Progress(p));
    };
    // Counted while the desired schema is canonicalised, as `plan` does.
    let sources = Sources {
        count: Some(crate::count::Counting::On {
            timeout: COUNT_TIMEOUT,
        }),
        ..sources.clone()
    };
    Session::open(&sources, &mut progress)
        .await
        .map_err(|error| failure(&error))
}

/// What to tell the user when a stage of loading failed, and what to do about it.
fn failure(error: &SessionError) -> Failure {
    let (title, hint) = match error {
        SessionError::Desired(_) => (
            "The desired schema file has a mistake",
            "Fix the file where the message points, then start pgphase again.",
        ),
        SessionError::Live(_) => (
            "Cannot read the live database",
            "Check --database-url (or DATABASE_URL, PGHOST, PGPORT, PGUSER, PGDATABASE) and \
             that the server accepts connections from here.",
        ),
        SessionError::Canonical(_) => (
            "Cannot put the desired schema in PostgreSQL's canonical form",
            "Fix the desired schema, or give a server for scratch databases with \
             --shadow-url, or compare textually with --no-shadow.",
        ),
        SessionError::Counting(_) => (
            "Cannot count rows in the live database",
            "Check that the server still accepts connections from here.",
        ),
    };
    Failure {
        title: title.to_owned(),
        message: error.to_string(),
        hint: hint.to_owned(),
    }
}

/// Runs the count `change` needs, in a read-only transaction of its own.
pub async fn count(sources: &Sources, generation: u64, change: Box<Change>) -> Msg {
    let id = change.id();
    let result = counted(sources, &change).await;
    Msg::Counted {
        generation,
        change: id,
        result,
    }
}

async fn counted(sources: &Sources, change: &Change) -> Result<Vec<Fact>, String> {
    let mut connection = postgres::connect(&sources.connect, &SystemEnv)
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
        Err(crate::output::Error::PlanExists { .. }) => Err(WriteFailure::Exists {
            name: dir
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_default(),
        }),
        Err(error) => Err(WriteFailure::Failed(error.to_string())),
    })
}
