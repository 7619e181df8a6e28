//! Live introspection: a PostgreSQL database → [`Schema`] + [`Stats`], read-only.
//!
//! Everything is read inside one `REPEATABLE READ READ ONLY` transaction, so all queries see one
//! snapshot, and that transaction is rolled back at the end: nothing is ever written. The queries
//! (`super::catalog`) are a fixed handful that each read every object of a kind at once; the model
//! is assembled in memory (`assemble`) from their rows.

mod assemble;
mod definitions;
mod rows;

use std::collections::BTreeMap;

use serde::Serialize;
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, IsolationLevel, Transaction};

use self::assemble::{Assembler, Unexpected, select_namespaces};
use self::rows::{CatalogRow, ServerRow};
use super::catalog;
use crate::schema::{Schema, TableRef};
use crate::sql::quote_qualified;

/// Which schemas to read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IntrospectOptions {
    /// Read only these schemas; empty means every user schema.
    pub include_schemas: Vec<String>,
    /// Leave these schemas out (applied after `include_schemas`).
    pub exclude_schemas: Vec<String>,
}

/// The schema of a live database and the facts about its data that planning needs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Introspection {
    pub schema: Schema,
    pub stats: Stats,
}

/// Facts about the server and the size of each table, view and materialized view.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stats {
    /// As `SHOW server_version` prints it (`15.4 (Debian 15.4-1)`).
    pub server_version: String,
    /// `server_version_num`, e.g. `150004`.
    pub server_version_num: i32,
    /// Serialised with keys `schema.name`, quoted as SQL would, since JSON keys are strings.
    #[serde(serialize_with = "serialize_by_qualified_name")]
    pub tables: BTreeMap<TableRef, TableStats>,
}

fn serialize_by_qualified_name<S: serde::Serializer>(
    tables: &BTreeMap<TableRef, TableStats>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_map(
        tables
            .iter()
            .map(|(table, stats)| (quote_qualified(&table.schema, &table.name), stats)),
    )
}

/// Size facts of one relation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TableStats {
    pub kind: RelationKind,
    /// The planner's row estimate (`reltuples`); `None` when the relation was never analysed.
    pub estimated_rows: Option<i64>,
    /// Bytes on disk including indexes and TOAST (`pg_total_relation_size`).
    pub total_bytes: i64,
}

/// What kind of relation a [`TableStats`] describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RelationKind {
    /// An ordinary table, including a partition.
    Table,
    PartitionedTable,
    View,
    MaterializedView,
}

/// How far introspection has got, reported after each catalog query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// What the query that just finished read: `"tables"`, `"columns"`, `"indexes"`…
    pub step: &'static str,
    pub finished_queries: usize,
    /// Always [`catalog::QUERY_COUNT`].
    pub total_queries: usize,
    /// Rows read so far, over all queries.
    pub rows_read: usize,
}

/// Why introspection failed.
#[derive(Debug, thiserror::Error)]
pub enum IntrospectError {
    /// A statement failed: `action` says which (`reading indexes`), `message` is the server's.
    #[error("{action}: {message}")]
    Query {
        action: String,
        message: String,
        #[source]
        source: tokio_postgres::Error,
    },
    /// The catalog held something pgphase cannot read (a new kind of object in a newer server).
    #[error("reading {step}: unexpected {detail}")]
    Unexpected { step: &'static str, detail: String },
}

impl IntrospectError {
    fn query(action: impl Into<String>, source: tokio_postgres::Error) -> Self {
        let message = source
            .as_db_error()
            .map_or_else(|| source.to_string(), |db| db.message().to_owned());
        Self::Query {
            action: action.into(),
            message,
            source,
        }
    }
}

/// Reads the schema and statistics of the database `client` is connected to.
///
/// Runs [`catalog::QUERY_COUNT`] queries in one read-only transaction, calling `progress`
/// after each, and rolls the transaction back. The same database always gives an equal result.
///
/// # Errors
/// [`IntrospectError`] naming the step that failed.
pub async fn introspect(
    client: &mut Client,
    options: &IntrospectOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<Introspection, IntrospectError> {
    let transaction = client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await
        .map_err(|e| IntrospectError::query("starting the read-only transaction", e))?;
    transaction
        .batch_execute(catalog::SESSION_SETTINGS)
        .await
        .map_err(|e| IntrospectError::query("setting up the session", e))?;
    let mut reader = Reader {
        transaction: &transaction,
        progress,
        finished: 0,
        rows_read: 0,
    };
    let introspection = read_everything(&mut reader, options).await?;
    // Dropping a transaction also rolls it back, but only here can a failure be reported.
    transaction
        .rollback()
        .await
        .map_err(|e| IntrospectError::query("ending the read-only transaction", e))?;
    Ok(introspection)
}

/// Runs the catalog queries in order and feeds their rows to the assembler.
async fn read_everything(
    reader: &mut Reader<'_, '_>,
    options: &IntrospectOptions,
) -> Result<Introspection, IntrospectError> {
    let server: Vec<ServerRow> = reader.read("server version", catalog::SERVER, &[]).await?;
    let Some(server) = server.into_iter().next() else {
        return Err(IntrospectError::Unexpected {
            step: "server version",
            detail: "empty result".to_owned(),
        });
    };
    let namespaces = select_namespaces(
        reader.read("namespaces", catalog::NAMESPACES, &[]).await?,
        options,
    );
    let oids: Vec<u32> = namespaces.iter().map(|ns| ns.oid).collect();
    let in_namespaces: &[&(dyn ToSql + Sync)] = &[&oids];

    let mut assembler = Assembler::new(&namespaces);
    assembler.add_extensions(reader.read("extensions", catalog::EXTENSIONS, &[]).await?);
    assembler.add_comments(reader.read("comments", catalog::COMMENTS, &[]).await?);
    assembler.add_enums(reader.read("enums", catalog::ENUMS, in_namespaces).await?);
    let domains = reader
        .read("domains", catalog::DOMAINS, in_namespaces)
        .await?;
    assembler
        .add_domains(domains)
        .map_err(unexpected("domains"))?;
    assembler.add_sequences(
        reader
            .read("sequences", catalog::SEQUENCES, in_namespaces)
            .await?,
    );
    let relations = reader
        .read("tables", catalog::RELATIONS, in_namespaces)
        .await?;
    assembler
        .add_relations(relations)
        .map_err(unexpected("tables"))?;
    let columns = reader
        .read("columns", catalog::COLUMNS, in_namespaces)
        .await?;
    assembler
        .add_columns(columns)
        .map_err(unexpected("columns"))?;
    let constraints = reader
        .read("constraints", catalog::CONSTRAINTS, in_namespaces)
        .await?;
    assembler
        .add_constraints(constraints)
        .map_err(unexpected("constraints"))?;
    let indexes = reader
        .read("indexes", catalog::INDEXES, in_namespaces)
        .await?;
    assembler
        .add_indexes(indexes)
        .map_err(unexpected("indexes"))?;
    assembler.add_triggers(
        reader
            .read("triggers", catalog::TRIGGERS, in_namespaces)
            .await?,
    );
    let policies = reader
        .read("policies", catalog::POLICIES, in_namespaces)
        .await?;
    assembler
        .add_policies(policies)
        .map_err(unexpected("policies"))?;
    assembler.add_routines(
        reader
            .read("functions", catalog::ROUTINES, in_namespaces)
            .await?,
    );
    assembler.add_operators(
        reader
            .read("operators", catalog::OPERATORS, in_namespaces)
            .await?,
    );

    let (schema, tables) = assembler.finish();
    let stats = Stats {
        server_version: server.server_version,
        server_version_num: server.server_version_num,
        tables,
    };
    Ok(Introspection { schema, stats })
}

fn unexpected(step: &'static str) -> impl FnOnce(Unexpected) -> IntrospectError {
    move |Unexpected(detail)| IntrospectError::Unexpected { step, detail }
}

/// Runs catalog queries in the transaction, decodes their rows and reports progress.
struct Reader<'a, 't> {
    transaction: &'a Transaction<'t>,
    progress: &'a mut dyn FnMut(Progress),
    finished: usize,
    rows_read: usize,
}

impl Reader<'_, '_> {
    async fn read<R: CatalogRow>(
        &mut self,
        step: &'static str,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<R>, IntrospectError> {
        let action = || format!("reading {step}");
        let rows = self
            .transaction
            .query(sql, params)
            .await
            .map_err(|e| IntrospectError::query(action(), e))?;
        let decoded = rows.iter().map(R::from_row).collect::<Result<Vec<R>, _>>();
        let decoded = decoded.map_err(|e| IntrospectError::query(action(), e))?;
        self.finished += 1;
        self.rows_read += rows.len();
        (self.progress)(Progress {
            step,
            finished_queries: self.finished,
            total_queries: catalog::QUERY_COUNT,
            rows_read: self.rows_read,
        });
        Ok(decoded)
    }
}
