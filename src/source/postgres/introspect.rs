//! Live introspection: a PostgreSQL database → [`Schema`] + [`Stats`], read-only.
//!
//! Everything is read inside one `REPEATABLE READ READ ONLY` transaction, so all queries see one
//! snapshot (a helper connection reading alongside imports that same snapshot), and that
//! transaction is rolled back at the end: nothing is ever written. The queries
//! (`super::catalog`) are a fixed handful that each read every object of a kind at once; the model
//! is assembled in memory (`assemble`) from their rows.

mod assemble;
mod definitions;
mod dependencies;
mod rows;
mod types;

use std::cell::{Cell, RefCell};

use futures_util::TryStreamExt;
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, GenericClient, IsolationLevel, Transaction};

use self::assemble::{Assembler, PendingIndexes, Unexpected, select_namespaces};
use self::dependencies::ViewDependencies;
use self::rows::{CatalogRow, ConstraintRow, IndexKeyRow, ServerRow};
use super::catalog;

pub use self::types::{IntrospectOptions, Introspection, Progress};
pub use crate::schema::{RelationKind, Stats, TableStats, ViewDependency};

/// Why introspection failed.
#[derive(Debug, thiserror::Error)]
pub enum IntrospectError {
    /// A statement failed: `action` says which (`reading indexes`), `message` is the server's.
    /// `error` is kept for its SQLSTATE but not chained as a cause: its text is `message`.
    #[error("{action}: {message}")]
    Query {
        action: String,
        message: String,
        error: tokio_postgres::Error,
    },
    /// The catalog held something pgphase cannot read (a new kind of object in a newer server).
    #[error("reading {step}: unexpected {detail}")]
    Unexpected { step: &'static str, detail: String },
}

impl IntrospectError {
    fn query(action: impl Into<String>, error: tokio_postgres::Error) -> Self {
        let message = super::server_message(&error);
        Self::Query {
            action: action.into(),
            message,
            error,
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
    introspect_with_helper(client, None, options, progress).await
}

/// [`introspect`], with a second connection to the same database, `helper`, reading the
/// indexes and then the constraints while `client` reads the rest: a server runs two
/// connections' queries on two cores. The two share more than it seems: printing a check or an
/// index expression or predicate opens its table, and a backend builds its cache entry for a
/// table the first time (0.2–0.3 s at 10,000 tables), so one backend reading both opens each
/// table once. At 10,000 tables the helper's share takes about as long as the rest. The helper
/// reads in the same snapshot (`pg_export_snapshot`), so the result is the one `client` alone
/// reads; where the snapshot cannot be shared (a pooler in between), `client` reads everything.
///
/// # Errors
/// As [`introspect`].
pub async fn introspect_with_helper(
    client: &mut Client,
    helper: Option<&Client>,
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
    let helper = match helper {
        Some(helper) => share_snapshot(&transaction, helper).await,
        None => None,
    };
    let mut reader = Reader {
        transaction: &transaction,
        progress,
        finished: 0,
        rows_read: 0,
    };
    let introspection = read_everything(&mut reader, helper, options).await;
    if let Some(helper) = helper {
        // Read-only: ending it can only fail with its connection, which is closed next.
        let _ = helper.batch_execute("ROLLBACK").await;
    }
    let introspection = introspection?;
    // Dropping a transaction also rolls it back, but only here can a failure be reported.
    transaction
        .rollback()
        .await
        .map_err(|e| IntrospectError::query("ending the read-only transaction", e))?;
    Ok(introspection)
}

/// Starts on `helper` a read-only transaction in the snapshot of `transaction` (with the
/// session settings of introspection): `None` when the snapshot cannot be shared.
pub async fn share_snapshot<'c>(
    transaction: &Transaction<'_>,
    helper: &'c Client,
) -> Option<&'c Client> {
    let row = transaction
        .query_one("SELECT pg_export_snapshot()", &[])
        .await
        .ok()?;
    let snapshot: String = row.try_get(0).ok()?;
    let begin = format!(
        "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;\nSET TRANSACTION SNAPSHOT {};\n{}",
        crate::sql::quote_literal(&snapshot),
        catalog::SESSION_SETTINGS
    );
    if helper.batch_execute(&begin).await.is_ok() {
        return Some(helper);
    }
    let _ = helper.batch_execute("ROLLBACK").await;
    None
}

/// Runs `sql` on `client` and hands each decoded row to `sink` as it arrives; returns how many
/// rows there were. The server keeps sending while rows are decoded, and the connection reads no
/// further ahead than the consumer, so a large result is never held whole.
async fn for_each_row<R: CatalogRow>(
    client: &impl GenericClient,
    step: &'static str,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
    mut sink: impl FnMut(R) -> Result<(), Unexpected>,
) -> Result<usize, IntrospectError> {
    let failed = |e| IntrospectError::query(format!("reading {step}"), e);
    let statement = client.prepare(sql).await.map_err(failed)?;
    let rows = client
        .query_raw(&statement, params.iter().copied())
        .await
        .map_err(failed)?;
    let mut rows = std::pin::pin!(rows);
    let mut count = 0;
    while let Some(row) = rows.try_next().await.map_err(failed)? {
        sink(R::from_row(&row).map_err(failed)?).map_err(unexpected(step))?;
        count += 1;
    }
    Ok(count)
}

/// Runs the catalog queries in order and feeds their rows to the assembler as they arrive;
/// with a `helper`, the indexes and then the constraints are read there meanwhile. The indexes'
/// rows are gathered and filed at the end; a constraint goes into the model once the columns
/// are in (one that comes earlier waits).
async fn read_everything(
    reader: &mut Reader<'_, '_>,
    helper: Option<&Client>,
    options: &IntrospectOptions,
) -> Result<Introspection, IntrospectError> {
    let server: Vec<ServerRow> = reader
        .collect("server version", catalog::SERVER, &[])
        .await?;
    let Some(server) = server.into_iter().next() else {
        return Err(IntrospectError::Unexpected {
            step: "server version",
            detail: "empty result".to_owned(),
        });
    };
    let namespaces = reader
        .collect("namespaces", catalog::NAMESPACES, &[])
        .await?;
    let namespaces = select_namespaces(namespaces, options);
    let oids: Vec<u32> = namespaces.iter().map(|ns| ns.oid).collect();
    let selected: &[&(dyn ToSql + Sync)] = &[&oids];
    let relations: &[&(dyn ToSql + Sync)] = &[&oids, &options.measure_sizes];

    let model = RefCell::new(Assembler::new(&namespaces));
    let columns_read = Cell::new(false);
    let r = reader;
    let mut indexes = PendingIndexes::default();
    let on_helper = async {
        let helper = helper?;
        let indexes = for_each_row(helper, "indexes", catalog::INDEXES, selected, |row| {
            indexes.add(row)
        })
        .await;
        // A constraint names its columns from the columns query: one that arrives before that
        // is read waits. Read after the indexes, most arrive later; all 20,000 constraints of
        // 10,000 tables waiting took 7 MB more at the plan's peak.
        let mut early = Vec::new();
        let constraints = for_each_row(
            helper,
            "constraints",
            catalog::CONSTRAINTS,
            selected,
            |row: ConstraintRow| {
                if columns_read.get() {
                    model.borrow_mut().add_constraint(row)
                } else {
                    early.push(row);
                    Ok(())
                }
            },
        )
        .await;
        Some((indexes, constraints, early))
    };
    let (beside, on_helper) = futures_util::future::join(
        read_beside_helper(r, &model, &columns_read, selected, relations),
        on_helper,
    )
    .await;
    let dependencies = beside?;
    let mut model = model.into_inner();
    match on_helper {
        Some((index_rows, constraint_rows, early)) => {
            r.rows_read += index_rows?;
            r.finished("indexes");
            r.rows_read += constraint_rows?;
            for row in early {
                model
                    .add_constraint(row)
                    .map_err(unexpected("constraints"))?;
            }
            r.finished("constraints");
        }
        None => {
            r.read("constraints", catalog::CONSTRAINTS, selected, |row| {
                model.add_constraint(row)
            })
            .await?;
            r.read("indexes", catalog::INDEXES, selected, |row: IndexKeyRow| {
                indexes.add(row)
            })
            .await?;
        }
    }
    model.file_indexes(indexes).map_err(unexpected("indexes"))?;

    let (schema, tables) = model.finish();
    let stats = Stats {
        server_version: server.server_version,
        server_version_num: server.server_version_num,
        tables,
        view_dependencies: dependencies.finish(),
    };
    Ok(Introspection {
        schema,
        stats,
        notes: Vec::new(),
    })
}

/// The queries read while a helper reads the constraints and indexes: all the others.
/// The assembler is shared with the helper's rows (never across an `await`); `columns_read` is
/// set once the columns are in.
async fn read_beside_helper(
    r: &mut Reader<'_, '_>,
    model: &RefCell<Assembler>,
    columns_read: &Cell<bool>,
    selected: &[&(dyn ToSql + Sync)],
    relations: &[&(dyn ToSql + Sync)],
) -> Result<ViewDependencies, IntrospectError> {
    r.read("extensions", catalog::EXTENSIONS, &[], |row| {
        model.borrow_mut().add_extension(row)
    })
    .await?;
    r.read("comments", catalog::COMMENTS, &[], |row| {
        model.borrow_mut().add_comment(row)
    })
    .await?;
    r.read("enums", catalog::ENUMS, selected, |row| {
        model.borrow_mut().add_enum(row)
    })
    .await?;
    r.read("domains", catalog::DOMAINS, selected, |row| {
        model.borrow_mut().add_domain(row)
    })
    .await?;
    r.read("sequences", catalog::SEQUENCES, selected, |row| {
        model.borrow_mut().add_sequence(row)
    })
    .await?;
    r.read("tables", catalog::RELATIONS, relations, |row| {
        model.borrow_mut().add_relation(row)
    })
    .await?;
    r.read("columns", catalog::COLUMNS, selected, |row| {
        model.borrow_mut().add_column(row)
    })
    .await?;
    columns_read.set(true);
    r.read("triggers", catalog::TRIGGERS, selected, |row| {
        model.borrow_mut().add_trigger(row)
    })
    .await?;
    r.read("policies", catalog::POLICIES, selected, |row| {
        model.borrow_mut().add_policy(row)
    })
    .await?;
    r.read("functions", catalog::ROUTINES, selected, |row| {
        model.borrow_mut().add_routine(row)
    })
    .await?;
    r.read("operators", catalog::OPERATORS, selected, |row| {
        model.borrow_mut().add_operator(row)
    })
    .await?;
    let mut dependencies = ViewDependencies::default();
    r.read(
        "view dependencies",
        catalog::VIEW_DEPENDENCIES,
        selected,
        |row| {
            dependencies.add(row);
            Ok(())
        },
    )
    .await?;
    Ok(dependencies)
}

/// Runs catalog queries in the transaction, decodes their rows as they stream in and reports
/// progress.
struct Reader<'a, 't> {
    transaction: &'a Transaction<'t>,
    progress: &'a mut dyn FnMut(Progress),
    finished: usize,
    rows_read: usize,
}

impl Reader<'_, '_> {
    /// Runs `sql` in the transaction and hands each decoded row to `sink` as it arrives
    /// (see [`for_each_row`]).
    async fn read<R: CatalogRow>(
        &mut self,
        step: &'static str,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
        sink: impl FnMut(R) -> Result<(), Unexpected>,
    ) -> Result<(), IntrospectError> {
        self.rows_read += for_each_row(self.transaction, step, sql, params, sink).await?;
        self.finished(step);
        Ok(())
    }

    /// Counts query `step` finished and reports progress.
    fn finished(&mut self, step: &'static str) {
        self.finished += 1;
        (self.progress)(Progress {
            step,
            finished_queries: self.finished,
            total_queries: catalog::QUERY_COUNT,
            rows_read: self.rows_read,
        });
    }

    /// Runs `sql` and keeps all its rows.
    async fn collect<R: CatalogRow>(
        &mut self,
        step: &'static str,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<R>, IntrospectError> {
        let mut rows = Vec::new();
        self.read(step, sql, params, |row| {
            rows.push(row);
            Ok(())
        })
        .await?;
        Ok(rows)
    }
}

fn unexpected(step: &'static str) -> impl Fn(Unexpected) -> IntrospectError {
    move |Unexpected(detail)| IntrospectError::Unexpected { step, detail }
}
