//! One scratch database on a server where pgphase may create databases: created under a unique
//! name, filled with the desired schema's DDL, read back with the same introspection as a live
//! database, and dropped on every path, errors included.
//!
//! The scratch database is made from `template0`, so nothing a server's `template1` holds leaks
//! into the result. If the whole future is dropped half-way (the process is interrupted), the
//! database stays behind; its name, `pgphase_shadow_<pid>_<n>`, says where it came from.

use std::sync::atomic::{AtomicUsize, Ordering};

use tokio_postgres::Client;
use tokio_postgres::error::{ErrorPosition, SqlState};

use crate::Schema;
use crate::ddl;
use crate::source::postgres::{
    ConnectOptions, Connection, IntrospectOptions, SystemEnv, connect, destination, introspect,
    server_message,
};
use crate::sql::quote_ident;

use super::ShadowError;
use super::target::with_database;

/// Attempts at a free scratch name: a clash means a database left by an earlier process with
/// the same pid.
const NAME_ATTEMPTS: usize = 5;
/// The length of the statement excerpt in a DDL error.
const STATEMENT_EXCERPT: usize = 200;
/// `DROP DATABASE … WITH (FORCE)` exists from PostgreSQL 13.
const DROP_FORCE_SINCE: i32 = 130_000;

/// The name prefix of the scratch databases made to canonicalise a desired schema.
const SCRATCH_PREFIX: &str = "pgphase_shadow";

static NEXT_SCRATCH: AtomicUsize = AtomicUsize::new(0);

/// The desired schema as PostgreSQL stored it, and the server that did it.
#[derive(Debug)]
pub(super) struct ReadBack {
    pub schema: Schema,
    /// `host:port`, for the output.
    pub server: String,
}

/// A server where scratch databases are made, reached through its admin connection. One scratch
/// database is made when it opens, so that the creation runs while the planned database is
/// still being read; each used database is dropped by [`ScratchServer::close`], which may run
/// alongside the comparison.
#[derive(Debug)]
pub(super) struct ScratchServer {
    admin: Connection,
    admin_url: String,
    /// `host:port`, for the output.
    server: String,
    /// Made and not used yet.
    ready: Option<String>,
    /// Used, to be dropped.
    used: Vec<String>,
}

impl ScratchServer {
    /// Connects to the server `admin_url` reaches and makes the first scratch database. The
    /// database `admin_url` names is only used to create and drop scratch databases.
    pub(super) async fn open(admin_url: &str) -> Result<Self, ShadowError> {
        let options = ConnectOptions {
            database_url: Some(admin_url.to_owned()),
            ..ConnectOptions::default()
        };
        let admin = connect(&options, &SystemEnv).await?;
        let server = server_of(&admin, admin_url);
        match create_scratch(&admin.client, &server, SCRATCH_PREFIX).await {
            Ok(database) => Ok(Self {
                admin,
                admin_url: admin_url.to_owned(),
                server,
                ready: Some(database),
                used: Vec::new(),
            }),
            Err(error) => {
                admin.close().await;
                Err(error)
            }
        }
    }

    /// Creates `desired` in a fresh scratch database and reads it back.
    pub(super) async fn read_back(
        &mut self,
        desired: &Schema,
        progress: &mut dyn FnMut(&str),
    ) -> Result<ReadBack, ShadowError> {
        let database = match self.ready.take() {
            Some(database) => database,
            None => create_scratch(&self.admin.client, &self.server, SCRATCH_PREFIX).await?,
        };
        progress(&format!(
            "created scratch database {database} on {}",
            self.server
        ));
        self.used.push(database.clone());
        let schema =
            fill_and_read(&self.admin_url, &database, desired, &self.server, progress).await?;
        Ok(ReadBack {
            schema,
            server: self.server.clone(),
        })
    }

    /// Drops every scratch database made, used or not, and closes the admin connection.
    pub(super) async fn close(self, progress: &mut dyn FnMut(&str)) -> Result<(), ShadowError> {
        let mut first_error = None;
        for database in self.used.iter().chain(&self.ready) {
            match drop_scratch(&self.admin, database, &self.server).await {
                Ok(()) => progress(&format!("dropped scratch database {database}")),
                Err(error) => {
                    first_error.get_or_insert(error);
                }
            }
        }
        self.admin.close().await;
        first_error.map_or(Ok(()), Err)
    }

    /// Closes the admin connection and leaves the scratch databases: for a throwaway cluster,
    /// which is about to be deleted with them.
    pub(super) async fn abandon(self) {
        self.admin.close().await;
    }
}

/// `host:port` of the connection: its target without the `/database` it ends with.
pub(crate) fn server_of(admin: &Connection, admin_url: &str) -> String {
    destination(Some(admin_url), &SystemEnv)
        .ok()
        .and_then(|to| {
            admin
                .target
                .strip_suffix(&format!("/{}", to.database))
                .map(str::to_owned)
        })
        .unwrap_or_else(|| admin.target.clone())
}

/// Creates an empty database named `<prefix>_<pid>_<n>` from `template0`.
pub(crate) async fn create_scratch(
    admin: &Client,
    server: &str,
    prefix: &str,
) -> Result<String, ShadowError> {
    let mut last_error = None;
    for _ in 0..NAME_ATTEMPTS {
        let database = format!(
            "{prefix}_{}_{}",
            std::process::id(),
            NEXT_SCRATCH.fetch_add(1, Ordering::Relaxed)
        );
        let sql = format!(
            "CREATE DATABASE {} TEMPLATE template0",
            quote_ident(&database)
        );
        match admin.batch_execute(&sql).await {
            Ok(()) => return Ok(database),
            Err(error) if error.code() == Some(&SqlState::DUPLICATE_DATABASE) => {
                last_error = Some(error);
            }
            Err(error) => return Err(create_error(server, &database, &error)),
        }
    }
    let database = format!("{prefix}_*");
    Err(match last_error {
        Some(error) => create_error(server, &database, &error),
        None => ShadowError::CreateDatabase {
            server: server.to_owned(),
            database,
            message: "no attempt made".to_owned(),
        },
    })
}

fn create_error(server: &str, database: &str, error: &tokio_postgres::Error) -> ShadowError {
    let mut message = server_message(error);
    if error.code() == Some(&SqlState::INSUFFICIENT_PRIVILEGE) {
        message.push_str(" (the shadow URL's role needs the CREATEDB privilege)");
    }
    ShadowError::CreateDatabase {
        server: server.to_owned(),
        database: database.to_owned(),
        message,
    }
}

async fn fill_and_read(
    admin_url: &str,
    database: &str,
    desired: &Schema,
    server: &str,
    progress: &mut dyn FnMut(&str),
) -> Result<Schema, ShadowError> {
    let options = ConnectOptions {
        database_url: Some(with_database(admin_url, database)),
        ..ConnectOptions::default()
    };
    let mut scratch = connect(&options, &SystemEnv).await?;
    let result = fill_and_read_on(&mut scratch.client, desired, server, progress).await;
    scratch.close().await;
    result
}

async fn fill_and_read_on(
    client: &mut Client,
    desired: &Schema,
    server: &str,
    progress: &mut dyn FnMut(&str),
) -> Result<Schema, ShadowError> {
    check_extensions(client, desired, server).await?;
    // Function bodies are stored as written either way; checking them would need every table
    // they read, which a narrowed schema may leave out. The database is thrown away, so its
    // commits need not wait for the disk: on a server that syncs every commit, the statements
    // of 500 changed tables each waited for one.
    let settings = "SET check_function_bodies = off; SET synchronous_commit = off";
    client
        .batch_execute(settings)
        .await
        .map_err(|error| ddl_error(settings, &error))?;
    let statements = ddl::create_statements(desired);
    progress(&format!(
        "running {} statements of the desired schema",
        statements.len()
    ));
    run_pipelined(client, &statements).await?;
    progress("reading the scratch database back");
    let introspection = introspect(client, &IntrospectOptions::default(), &mut |_| {}).await?;
    Ok(introspection.schema)
}

/// Runs `statements` in order, all sent before the first answer comes back: each is a message
/// of its own, so the server runs them one by one as before, but waits for none of the round
/// trips (the 150 statements of a 10,000-table plan's changed tables each waited for one).
/// A statement after one that failed still runs; the database is thrown away, and the first
/// failure is the one reported.
async fn run_pipelined(client: &Client, statements: &[String]) -> Result<(), ShadowError> {
    let results = futures_util::future::join_all(
        statements
            .iter()
            .map(|statement| client.batch_execute(statement)),
    )
    .await;
    match statements
        .iter()
        .zip(results)
        .find(|(_, result)| result.is_err())
    {
        Some((statement, Err(error))) => Err(ddl_error(statement, &error)),
        _ => Ok(()),
    }
}

/// Fails with every extension of `desired` that the server cannot install.
async fn check_extensions(
    client: &Client,
    desired: &Schema,
    server: &str,
) -> Result<(), ShadowError> {
    if desired.extensions.is_empty() {
        return Ok(());
    }
    let wanted: Vec<&str> = desired.extensions.keys().map(String::as_str).collect();
    let rows = client
        .query(
            "SELECT name::text FROM pg_available_extensions WHERE name = ANY($1)",
            &[&wanted],
        )
        .await
        .map_err(|error| ShadowError::Query {
            action: "listing the available extensions".to_owned(),
            message: server_message(&error),
        })?;
    let available: Vec<String> = rows.iter().map(|row| row.get(0)).collect();
    let missing: Vec<String> = wanted
        .iter()
        .filter(|name| !available.iter().any(|found| found == *name))
        .map(|name| (*name).to_owned())
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(ShadowError::ExtensionsUnavailable {
            server: server.to_owned(),
            names: missing,
        })
    }
}

/// Drops the scratch database, ending its sessions first where the server can.
pub(crate) async fn drop_scratch(
    admin: &Connection,
    database: &str,
    server: &str,
) -> Result<(), ShadowError> {
    let force = if admin.server_version_num >= DROP_FORCE_SINCE {
        " WITH (FORCE)"
    } else {
        ""
    };
    let sql = format!("DROP DATABASE IF EXISTS {}{force}", quote_ident(database));
    admin
        .client
        .batch_execute(&sql)
        .await
        .map_err(|error| ShadowError::DropDatabase {
            server: server.to_owned(),
            database: database.to_owned(),
            message: server_message(&error),
        })
}

/// A statement of the desired schema that PostgreSQL rejected.
pub(super) fn ddl_error(statement: &str, error: &tokio_postgres::Error) -> ShadowError {
    let position = error.as_db_error().and_then(|db| match db.position() {
        Some(ErrorPosition::Original(at)) => usize::try_from(*at).ok(),
        _ => None,
    });
    ShadowError::Ddl {
        statement: excerpt(statement),
        message: server_message(error),
        position,
        near: position.map(|at| near(statement, at)),
    }
}

/// The first [`STATEMENT_EXCERPT`] characters, `…` when there is more.
fn excerpt(statement: &str) -> String {
    let mut text: String = statement.chars().take(STATEMENT_EXCERPT).collect();
    if statement.chars().nth(STATEMENT_EXCERPT).is_some() {
        text.push('…');
    }
    text
}

/// A few characters from the 1-based character `position` on, where the server stopped.
fn near(statement: &str, position: usize) -> String {
    statement
        .chars()
        .skip(position.saturating_sub(1))
        .take(40)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_keeps_short_statements_whole_and_cuts_long_ones() {
        assert_eq!(excerpt("CREATE TABLE t ()"), "CREATE TABLE t ()");
        let long = format!("CREATE TABLE t ({})", "x".repeat(300));
        let cut = excerpt(&long);
        assert_eq!(cut.chars().count(), STATEMENT_EXCERPT + 1);
        assert!(cut.starts_with("CREATE TABLE t (xxx") && cut.ends_with('…'));
        let exactly = "é".repeat(STATEMENT_EXCERPT);
        assert_eq!(excerpt(&exactly), exactly);
    }

    #[test]
    fn near_starts_at_the_one_based_position_in_characters() {
        assert_eq!(near("SELECT é FRM t", 10), "FRM t");
        assert_eq!(near("abc", 1), "abc");
        assert_eq!(near("abc", 0), "abc");
        assert_eq!(near("abc", 9), "");
    }
}
