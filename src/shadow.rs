//! Canonical comparison: the desired schema in PostgreSQL's own canonical form.
//!
//! Defaults, checks, index expressions and view bodies only compare reliably once PostgreSQL
//! has parsed and printed them (`'pending'` becomes `'pending'::order_status`, `SELECT *` lists
//! its columns). So the desired schema goes through DDL into a throwaway scratch database and is
//! read back with the same introspection as the live database ([`scratch`]). The scratch
//! database lives on a server named by `--shadow-url` or in a local throwaway cluster pgphase
//! starts itself; without either, the schema stays as loaded and [`Method::Textual`] says why.
//! Nothing is ever created on the planned database: a shadow URL naming it is refused
//! ([`target`]).

pub(crate) mod scratch;
mod subset;
pub(crate) mod target;

use serde::Serialize;

use crate::Schema;
use crate::cluster::{ClusterError, ClusterOptions, TempCluster};
use crate::schema::Namespace;
use crate::source::postgres::{ConnectError, ConnectOptions, IntrospectError, SystemEnv};

/// The reason given when no shadow database is used at all.
/// Why the comparison is textual when that was asked for.
pub const ASKED_TEXTUAL: &str = "asked for without a shadow database";

pub const NO_SHADOW: &str = "no shadow database (--shadow-url) and no local PostgreSQL programs";

/// Contrib extensions: a missing one means the server lacks the contrib package.
const CONTRIB_EXTENSIONS: &[&str] = &[
    "adminpack",
    "amcheck",
    "autoinc",
    "bloom",
    "btree_gin",
    "btree_gist",
    "citext",
    "cube",
    "dblink",
    "dict_int",
    "dict_xsyn",
    "earthdistance",
    "file_fdw",
    "fuzzystrmatch",
    "hstore",
    "insert_username",
    "intagg",
    "intarray",
    "isn",
    "lo",
    "ltree",
    "moddatetime",
    "pageinspect",
    "pg_buffercache",
    "pg_freespacemap",
    "pg_prewarm",
    "pg_stat_statements",
    "pg_surgery",
    "pg_trgm",
    "pg_visibility",
    "pg_walinspect",
    "pgcrypto",
    "pgrowlocks",
    "pgstattuple",
    "postgres_fdw",
    "refint",
    "seg",
    "sslinfo",
    "tablefunc",
    "tcn",
    "tsm_system_rows",
    "tsm_system_time",
    "unaccent",
    "uuid-ossp",
    "xml2",
];

/// Where the desired schema is put into canonical form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shadow {
    /// A server where pgphase may `CREATE DATABASE`, reached by this URL (or `key=value`
    /// settings); the database it names is only used to create and drop the scratch database.
    Url(String),
    /// A throwaway cluster started from the local PostgreSQL programs.
    LocalCluster,
    /// No shadow database: textual normalisation only.
    Off,
}

/// The desired schema in the form it is compared in, and how it got there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Canonical {
    pub schema: Schema,
    pub method: Method,
}

/// How the desired schema was canonicalised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "method")]
pub enum Method {
    /// Created in a scratch database and read back.
    ShadowDatabase {
        /// `host:port` (`/socket/dir:port` for a unix socket); never a password.
        server: String,
    },
    /// Left as loaded (type names canonical, expressions as written): differences in how an
    /// expression is spelled may show as changes.
    Textual { reason: String },
}

/// Why the desired schema could not be canonicalised.
#[derive(Debug, thiserror::Error)]
pub enum ShadowError {
    #[error(
        "the shadow URL names the planned database \"{database}\" on {server}; pgphase never creates anything there: give the shadow URL another database on a server where it may create a scratch database"
    )]
    SameAsPlanned { server: String, database: String },
    #[error("shadow server: {0}")]
    Connect(#[from] ConnectError),
    #[error("cannot create scratch database {database} on the shadow server {server}: {message}")]
    CreateDatabase {
        server: String,
        database: String,
        message: String,
    },
    #[error("{}", unavailable_extensions(names, server))]
    ExtensionsUnavailable { server: String, names: Vec<String> },
    #[error(
        "the desired schema is not valid SQL: {message}{}\n  in: {statement}",
        located(*position, near.as_deref())
    )]
    Ddl {
        /// The statement's first 200 characters.
        statement: String,
        /// The server's message.
        message: String,
        /// 1-based character position in the statement, when the server gives one.
        position: Option<usize>,
        /// The statement's text from that position on, briefly.
        near: Option<String>,
    },
    #[error("shadow server: {action}: {message}")]
    Query { action: String, message: String },
    #[error("reading the scratch database back: {0}")]
    Introspect(#[from] IntrospectError),
    #[error(
        "cannot drop scratch database {database} on the shadow server {server}: {message}; drop it by hand"
    )]
    DropDatabase {
        server: String,
        database: String,
        message: String,
    },
    #[error("throwaway local cluster: {0}")]
    Cluster(#[from] ClusterError),
    #[error("throwaway local cluster: its thread failed: {0}")]
    Thread(String),
}

fn unavailable_extensions(names: &[String], server: &str) -> String {
    let (subject, verb) = match names {
        [one] => (format!("extension {one}"), "is"),
        _ => (format!("extensions {}", names.join(", ")), "are"),
    };
    let remedy = if names
        .iter()
        .all(|n| CONTRIB_EXTENSIONS.contains(&n.as_str()))
    {
        "install postgresql-contrib there"
    } else {
        "install the packages that provide them there"
    };
    format!("{subject} {verb} not available on the shadow server {server}: {remedy}")
}

fn located(position: Option<usize>, near: Option<&str>) -> String {
    match (position, near) {
        (Some(at), Some(near)) if !near.is_empty() => format!(" (at character {at}: \"{near}\")"),
        (Some(at), _) => format!(" (at character {at})"),
        _ => String::new(),
    }
}

/// Puts `desired` in PostgreSQL's canonical form through `shadow`: [`prepare`], then
/// [`Ready::canonicalize`] and [`Ready::release`].
///
/// `planned` is how the planned database is reached: a [`Shadow::Url`] naming that same
/// database is refused. A local cluster whose programs are missing (or that cannot run as root)
/// falls back to [`Method::Textual`] with the reason; so does [`Shadow::Off`]. `progress`
/// receives one line per step.
///
/// # Errors
/// [`ShadowError`]: the shadow URL names the planned database, the shadow server cannot be
/// reached or refuses to create a database, an extension is not available there, a statement of
/// the desired schema fails (the schema is invalid), or the cluster fails.
pub async fn canonicalize(
    desired: &Schema,
    shadow: &Shadow,
    planned: Option<&ConnectOptions>,
    progress: &mut dyn FnMut(&str),
) -> Result<Canonical, ShadowError> {
    let mut ready = prepare_with_progress(shadow, planned, progress).await?;
    let canonical = ready.canonicalize(desired, progress).await;
    released_after(canonical, ready.release(progress).await)
}

/// [`canonicalize`], sending through the scratch database only the tables and views that differ
/// from `live` (with what they need): [`Ready::canonicalize_changed`].
///
/// # Errors
/// As [`canonicalize`].
pub async fn canonicalize_changed(
    desired: Schema,
    live: &Schema,
    shadow: &Shadow,
    planned: Option<&ConnectOptions>,
    progress: &mut dyn FnMut(&str),
) -> Result<Canonical, ShadowError> {
    let mut ready = prepare_with_progress(shadow, planned, progress).await?;
    let canonical = ready.canonicalize_changed(desired, live, progress).await;
    released_after(canonical, ready.release(progress).await)
}

async fn prepare_with_progress(
    shadow: &Shadow,
    planned: Option<&ConnectOptions>,
    progress: &mut dyn FnMut(&str),
) -> Result<Ready, ShadowError> {
    if *shadow == Shadow::LocalCluster {
        progress(STARTING_CLUSTER);
    }
    prepare(shadow, planned).await
}

/// The outcome of canonicalising, once the shadow is released: why the schema could not be read
/// matters more than a failed clean-up after it.
fn released_after(
    canonical: Result<Canonical, ShadowError>,
    released: Result<(), ShadowError>,
) -> Result<Canonical, ShadowError> {
    let canonical = canonical?;
    released?;
    Ok(canonical)
}

/// The progress line of a local cluster being started.
pub const STARTING_CLUSTER: &str = "starting a throwaway PostgreSQL cluster";

/// What of a desired schema goes through the scratch database: the tables and views that differ
/// from the live schema, with what they need; none when narrowing does not apply.
#[derive(Debug)]
pub struct Narrowing(Option<subset::Narrowed>);

impl Narrowing {
    /// The narrowing of `desired` against `live`. Pure, and about 20 ms at 10,000 tables.
    #[must_use]
    pub fn of(desired: &Schema, live: &Schema) -> Self {
        Self(subset::narrow(desired, live))
    }
}

/// A shadow made ready before the desired schema is known, so that its slow start runs while
/// both sides are read: a local cluster takes about a second to start, a scratch database a
/// tenth. Give it back with [`Ready::release`] on every path.
#[derive(Debug)]
pub struct Ready {
    place: Place,
}

#[derive(Debug)]
enum Place {
    /// No scratch database: the schema stays as loaded, for this reason.
    Textual(String),
    /// Scratch databases on a server, in a throwaway cluster when pgphase started one.
    Server {
        scratch: Box<scratch::ScratchServer>,
        cluster: Option<TempCluster>,
    },
}

/// Gets `shadow` ready: the throwaway cluster started, the shadow server reached and a first
/// scratch database made. Reports no progress, so that it can run beside other work.
///
/// # Errors
/// As [`canonicalize`], except for what the desired schema itself causes.
pub async fn prepare(
    shadow: &Shadow,
    planned: Option<&ConnectOptions>,
) -> Result<Ready, ShadowError> {
    let place = match shadow {
        Shadow::Off => Place::Textual(ASKED_TEXTUAL.to_owned()),
        Shadow::Url(url) => {
            if let Some(planned) = planned {
                target::refuse_planned(url, planned.database_url.as_deref(), &SystemEnv)?;
            }
            Place::Server {
                scratch: Box::new(scratch::ScratchServer::open(url).await?),
                cluster: None,
            }
        }
        Shadow::LocalCluster => start_local_cluster().await?,
    };
    Ok(Ready { place })
}

impl Ready {
    /// Puts `desired` in canonical form in a scratch database of its own.
    ///
    /// # Errors
    /// As [`canonicalize`].
    pub async fn canonicalize(
        &mut self,
        desired: &Schema,
        progress: &mut dyn FnMut(&str),
    ) -> Result<Canonical, ShadowError> {
        match &mut self.place {
            Place::Textual(reason) => Ok(textual(desired, reason)),
            Place::Server { scratch, .. } => {
                let read = scratch.read_back(desired, progress).await?;
                Ok(from_shadow(desired, read))
            }
        }
    }

    /// [`Ready::canonicalize`], sending through the scratch database only the tables and views
    /// that differ from `live` (with what they need), since the others are canonical already.
    /// Falls back to the whole schema when narrowing does not apply or the narrowed schema
    /// cannot be created.
    ///
    /// # Errors
    /// As [`canonicalize`].
    pub async fn canonicalize_changed(
        &mut self,
        desired: Schema,
        live: &Schema,
        progress: &mut dyn FnMut(&str),
    ) -> Result<Canonical, ShadowError> {
        let narrowing = Narrowing::of(&desired, live);
        self.canonicalize_narrowed(desired, narrowing, progress)
            .await
    }

    /// [`Ready::canonicalize_changed`] with `narrowing` made already (so that a caller can make
    /// it beside other work): it must be the narrowing of `desired`.
    ///
    /// # Errors
    /// As [`canonicalize`].
    pub async fn canonicalize_narrowed(
        &mut self,
        desired: Schema,
        narrowing: Narrowing,
        progress: &mut dyn FnMut(&str),
    ) -> Result<Canonical, ShadowError> {
        let Some(narrowed) = narrowing.0 else {
            return self.canonicalize(&desired, progress).await;
        };
        let canonical = match self.canonicalize(&narrowed.schema, progress).await {
            Ok(canonical) => canonical,
            // Something the narrowed schema left out was needed after all.
            Err(ShadowError::Ddl { .. }) => return self.canonicalize(&desired, progress).await,
            Err(error) => return Err(error),
        };
        if let Method::Textual { reason } = canonical.method {
            return Ok(Canonical {
                schema: desired,
                method: Method::Textual { reason },
            });
        }
        Ok(Canonical {
            schema: subset::widen(desired, &narrowed, &canonical.schema),
            method: canonical.method,
        })
    }

    /// Drops the scratch databases on a shadow server, or stops the throwaway cluster (which
    /// takes its databases with it).
    ///
    /// # Errors
    /// A scratch database could not be dropped, or the cluster could not be stopped.
    pub async fn release(self, progress: &mut dyn FnMut(&str)) -> Result<(), ShadowError> {
        match self.place {
            Place::Textual(_) => Ok(()),
            Place::Server {
                scratch,
                cluster: None,
            } => scratch.close(progress).await,
            Place::Server {
                scratch,
                cluster: Some(cluster),
            } => {
                scratch.abandon().await;
                progress("stopping the throwaway PostgreSQL cluster");
                stop_cluster(cluster).await
            }
        }
    }
}

fn textual(desired: &Schema, reason: &str) -> Canonical {
    Canonical {
        schema: desired.clone(),
        method: Method::Textual {
            reason: reason.to_owned(),
        },
    }
}

/// Starts a throwaway cluster and makes its first scratch database; without the programs (or
/// as root without a user to run them), the comparison is textual and says why.
async fn start_local_cluster() -> Result<Place, ShadowError> {
    let options = ClusterOptions {
        stop_with_this_process: true,
        ..ClusterOptions::default()
    };
    let started = tokio::task::spawn_blocking(move || TempCluster::start(&options))
        .await
        .map_err(|error| ShadowError::Thread(error.to_string()))?;
    let cluster = match started {
        Ok(cluster) => cluster,
        Err(error @ (ClusterError::BinariesNotFound | ClusterError::NoServiceUser)) => {
            return Ok(Place::Textual(error.to_string()));
        }
        Err(error) => return Err(error.into()),
    };
    match scratch::ScratchServer::open(&cluster.url("postgres")).await {
        Ok(scratch) => Ok(Place::Server {
            scratch: Box::new(scratch),
            cluster: Some(cluster),
        }),
        Err(error) => {
            // Why the cluster could not be used matters more than a failed stop after it.
            let _ = stop_cluster(cluster).await;
            Err(error)
        }
    }
}

async fn stop_cluster(cluster: TempCluster) -> Result<(), ShadowError> {
    tokio::task::spawn_blocking(move || cluster.stop())
        .await
        .map_err(|error| ShadowError::Thread(error.to_string()))??;
    Ok(())
}

fn from_shadow(desired: &Schema, read: scratch::ReadBack) -> Canonical {
    let mut schema = read.schema;
    keep_what_ddl_cannot_say(desired, &mut schema);
    Canonical {
        schema,
        method: Method::ShadowDatabase {
            server: read.server,
        },
    }
}

/// Brings over from `desired` what the scratch database cannot hold or holds from the start:
/// the rename hints of tables and columns, and the `public` schema (every new database has it,
/// with a comment of its own, so it is dropped when the desired schema does not mention it and
/// holds nothing, and keeps the desired comment otherwise).
fn keep_what_ddl_cannot_say(desired: &Schema, canonical: &mut Schema) {
    canonical
        .namespaces
        .retain(|name, ns| desired.namespaces.contains_key(name) || !holds_nothing(ns));
    if let (Some(wanted), Some(public)) = (
        desired.namespaces.get("public"),
        canonical.namespaces.get_mut("public"),
    ) {
        public.comment.clone_from(&wanted.comment);
    }
    carry_rename_hints(desired, canonical);
}

fn holds_nothing(ns: &Namespace) -> bool {
    let mut bare = ns.clone();
    bare.comment = None;
    bare == Namespace::default()
}

/// Copies `renamed_from` of tables and columns from `desired` onto the same-named tables and
/// columns of `canonical`.
fn carry_rename_hints(desired: &Schema, canonical: &mut Schema) {
    for (ns_name, desired_ns) in &desired.namespaces {
        let Some(ns) = canonical.namespaces.get_mut(ns_name) else {
            continue;
        };
        for (table_name, desired_table) in &desired_ns.tables {
            let Some(table) = ns.tables.get_mut(table_name) else {
                continue;
            };
            table.renamed_from.clone_from(&desired_table.renamed_from);
            for column in &mut table.columns {
                if let Some(wanted) = desired_table.column(&column.name) {
                    column.renamed_from.clone_from(&wanted.renamed_from);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::schema::{Column, Table};

    fn schema_with(table: Table) -> Schema {
        let mut schema = Schema::default();
        let ns = schema.namespaces.entry("app".to_owned()).or_default();
        ns.tables.insert("customers".to_owned(), table);
        schema
    }

    fn table(columns: Vec<Column>, renamed_from: Option<&str>) -> Table {
        Table {
            columns,
            renamed_from: renamed_from.map(str::to_owned),
            ..Table::default()
        }
    }

    fn renamed(mut column: Column, from: &str) -> Column {
        column.renamed_from = Some(from.to_owned());
        column
    }

    #[test]
    fn rename_hints_reach_the_same_tables_and_columns() {
        let desired = schema_with(table(
            vec![
                Column::new("id", "bigint"),
                renamed(Column::new("email_address", "text"), "email"),
            ],
            Some("clients"),
        ));
        let mut canonical = schema_with(table(
            vec![
                Column::new("id", "bigint"),
                Column::new("email_address", "text"),
            ],
            None,
        ));
        keep_what_ddl_cannot_say(&desired, &mut canonical);
        assert_eq!(canonical, desired);
    }

    #[test]
    fn rename_hints_skip_what_the_scratch_database_lacks() {
        let desired = schema_with(table(
            vec![renamed(Column::new("b", "text"), "a")],
            Some("old"),
        ));
        let mut canonical = schema_with(table(vec![Column::new("c", "text")], None));
        canonical
            .namespaces
            .insert("other".to_owned(), Namespace::default());
        let before = canonical.clone();
        carry_rename_hints(&desired, &mut canonical);
        let table = &canonical.namespaces["app"].tables["customers"];
        assert_eq!(table.renamed_from.as_deref(), Some("old"));
        assert_eq!(
            table.columns,
            before.namespaces["app"].tables["customers"].columns
        );
    }

    #[test]
    fn public_is_dropped_when_unwanted_and_empty_and_keeps_the_desired_comment_otherwise() {
        let desired = schema_with(Table::default());
        let mut canonical = desired.clone();
        let public = Namespace {
            comment: Some("standard public schema".to_owned()),
            ..Namespace::default()
        };
        canonical.namespaces.insert("public".to_owned(), public);
        keep_what_ddl_cannot_say(&desired, &mut canonical);
        assert_eq!(canonical, desired);

        let mut desired = desired;
        desired
            .namespaces
            .insert("public".to_owned(), Namespace::default());
        let mut canonical = desired.clone();
        canonical.namespaces.get_mut("public").unwrap().comment =
            Some("standard public schema".to_owned());
        keep_what_ddl_cannot_say(&desired, &mut canonical);
        assert_eq!(canonical.namespaces["public"].comment, None);
    }

    #[test]
    fn an_unwanted_schema_that_holds_objects_stays_for_the_diff_to_see() {
        let desired = Schema::default();
        let mut canonical = schema_with(Table::default());
        keep_what_ddl_cannot_say(&desired, &mut canonical);
        assert!(canonical.namespaces.contains_key("app"));
    }

    #[test]
    fn extension_messages_name_the_remedy() {
        let one = ShadowError::ExtensionsUnavailable {
            server: "db:5432".to_owned(),
            names: vec!["citext".to_owned()],
        };
        assert_eq!(
            one.to_string(),
            "extension citext is not available on the shadow server db:5432: install postgresql-contrib there"
        );
        let two = ShadowError::ExtensionsUnavailable {
            server: "db:5432".to_owned(),
            names: vec!["citext".to_owned(), "postgis".to_owned()],
        };
        assert_eq!(
            two.to_string(),
            "extensions citext, postgis are not available on the shadow server db:5432: install the packages that provide them there"
        );
    }

    #[test]
    fn ddl_error_shows_message_position_and_statement() {
        let error = ShadowError::Ddl {
            statement: "CREATE TABLE t (a intt)".to_owned(),
            message: "type \"intt\" does not exist".to_owned(),
            position: Some(19),
            near: Some("intt)".to_owned()),
        };
        assert_eq!(
            error.to_string(),
            "the desired schema is not valid SQL: type \"intt\" does not exist (at character 19: \"intt)\")\n  in: CREATE TABLE t (a intt)"
        );
    }

    #[tokio::test]
    async fn off_keeps_the_schema_as_loaded_and_says_why() {
        let desired = schema_with(table(vec![Column::new("id", "bigint")], Some("old")));
        let mut lines = Vec::new();
        let canonical = canonicalize(&desired, &Shadow::Off, None, &mut |line| {
            lines.push(line.to_owned());
        })
        .await
        .unwrap();
        assert_eq!(canonical.schema, desired);
        assert_eq!(
            canonical.method,
            Method::Textual {
                reason: ASKED_TEXTUAL.to_owned()
            }
        );
        assert!(lines.is_empty(), "nothing is started: {lines:?}");
    }
}
