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
mod printing;
mod rows;
mod types;

use std::cell::{Cell, RefCell};

use futures_util::TryStreamExt;
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, GenericClient, IsolationLevel, Transaction};

use self::assemble::{Assembler, PendingIndexes, Unexpected, select_namespaces};
use self::dependencies::ViewDependencies;
use self::printing::{Forms, Printed};
use self::rows::{CatalogRow, ConstraintRow, IdentitySequenceRow, PrintedRow, ServerRow};
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

/// [`introspect`], with a second connection to the same database, `helper`, reading the types,
/// sequences, routines, operators, indexes and constraints while `client` reads the tables and
/// their columns: a server runs two connections' queries on two cores, and at 10,000 tables
/// the two shares take about as long. Once the columns are in, the helper prints the
/// expressions, each distinct form once (`printing`). The helper reads in the same snapshot
/// (`pg_export_snapshot`), so the result is the one `client` alone reads; where the snapshot
/// cannot be shared (a pooler in between), `client` reads everything.
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

/// Runs the catalog queries and feeds their rows to the assembler as they arrive. The tables
/// and what needs them (columns, identity sequences, triggers, policies) are read on `reader`'s
/// connection; with a `helper`, everything else is read there meanwhile (the indexes, the
/// constraints, the other objects), and once the columns are in, the expressions are printed
/// there too (`printing`). The indexes' rows are gathered and filed at the end; a constraint
/// goes into the model as it arrives once the tables are in (one that comes earlier waits), its
/// key columns named and its check's form found once the columns are.
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
    let r = reader;
    // Every object takes its comment as it is filed: they come first.
    r.read("extensions", catalog::EXTENSIONS, &[], |row| {
        model.borrow_mut().add_extension(row)
    })
    .await?;
    r.read("comments", catalog::COMMENTS, &[], |row| {
        model.borrow_mut().add_comment(row)
    })
    .await?;
    // The names the columns and index keys refer to by oid.
    r.read("collations", catalog::COLLATIONS, &[], |row| {
        model.borrow_mut().add_collation(row)
    })
    .await?;
    r.read("operator classes", catalog::OPERATOR_CLASSES, &[], |row| {
        model.borrow_mut().add_operator_class(row)
    })
    .await?;
    r.read("type collations", catalog::TYPE_COLLATIONS, &[], |row| {
        model.borrow_mut().add_type_collation(row)
    })
    .await?;
    let arrived = Arrived::default();
    let mut indexes = PendingIndexes::default();
    let dependencies = match helper {
        Some(helper) => {
            let tables = async {
                let read = read_tables(r, &model, &arrived, relations, selected).await;
                // The helper waits for the columns: when they never come, it must not wait
                // forever.
                arrived.columns_in.notify_one();
                read
            };
            let mut beside = StepReader::new(helper, None);
            let others = async {
                let dependencies = read_others(&mut beside, &model, selected).await?;
                read_keys(&mut beside, &model, &mut indexes, &arrived, selected).await?;
                Ok::<_, IntrospectError>(dependencies)
            };
            let (tables, others) = futures_util::future::join(tables, others).await;
            tables?;
            let dependencies = others?;
            r.finished_steps(beside.steps);
            dependencies
        }
        None => {
            read_tables(r, &model, &arrived, relations, selected).await?;
            let transaction = r.transaction;
            let mut report = |step, rows| r.finished_elsewhere(step, rows);
            let mut after = StepReader::new(transaction, Some(&mut report));
            let dependencies = read_others(&mut after, &model, selected).await?;
            read_keys(&mut after, &model, &mut indexes, &arrived, selected).await?;
            dependencies
        }
    };
    let mut model = model.into_inner();
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

/// Whether the tables and the columns are in, and the notice of the columns for a connection
/// waiting for them.
#[derive(Default)]
struct Arrived {
    tables: Cell<bool>,
    columns: Cell<bool>,
    columns_in: tokio::sync::Notify,
}

/// The tables and what needs them: their columns, identity sequences, triggers and policies.
/// The assembler is shared with the other connection's rows (never across an `await`).
async fn read_tables(
    r: &mut Reader<'_, '_>,
    model: &RefCell<Assembler>,
    arrived: &Arrived,
    relations: &[&(dyn ToSql + Sync)],
    selected: &[&(dyn ToSql + Sync)],
) -> Result<(), IntrospectError> {
    r.read("tables", catalog::RELATIONS, relations, |row| {
        model.borrow_mut().add_relation(row)
    })
    .await?;
    arrived.tables.set(true);
    r.transaction
        .batch_execute(catalog::COLUMNS_SETTINGS)
        .await
        .map_err(|e| IntrospectError::query("setting up the columns' reading", e))?;
    r.read("columns", catalog::COLUMNS, selected, |row| {
        model.borrow_mut().add_column(row)
    })
    .await?;
    arrived.columns.set(true);
    // Stored for the other connection if it is not waiting yet.
    arrived.columns_in.notify_one();
    r.transaction
        .batch_execute(catalog::COLUMNS_SETTINGS_UNDONE)
        .await
        .map_err(|e| IntrospectError::query("ending the columns' reading", e))?;
    // Read apart from the columns: joined to them, they were a sixth of that query, the
    // longest of the catalog's. Here rather than on the other connection, which ends later.
    r.read(
        "identity sequences",
        catalog::IDENTITY_SEQUENCES,
        selected,
        |row: IdentitySequenceRow| {
            model.borrow_mut().add_identity_sequence(&row);
            Ok(())
        },
    )
    .await?;
    r.read("triggers", catalog::TRIGGERS, selected, |row| {
        model.borrow_mut().add_trigger(row)
    })
    .await?;
    r.read("policies", catalog::POLICIES, selected, |row| {
        model.borrow_mut().add_policy(row)
    })
    .await
}

/// Runs queries on a connection other than the [`Reader`]'s, or on its transaction once the
/// shared reading is over, decoding their rows as they stream in. Each finished step is reported
/// through `report` when there is one, else kept for [`Reader::finished_steps`] once the
/// reading is done (the reader's progress is the other connection's meanwhile).
struct StepReader<'c, 'p, C> {
    client: &'c C,
    report: Option<&'p mut dyn FnMut(&'static str, usize)>,
    steps: Vec<(&'static str, usize)>,
}

impl<'c, 'p, C: GenericClient> StepReader<'c, 'p, C> {
    fn new(client: &'c C, report: Option<&'p mut dyn FnMut(&'static str, usize)>) -> Self {
        Self {
            client,
            report,
            steps: Vec::new(),
        }
    }

    /// Runs `sql` and hands each decoded row to `sink` (see [`for_each_row`]).
    async fn read<R: CatalogRow>(
        &mut self,
        step: &'static str,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
        sink: impl FnMut(R) -> Result<(), Unexpected>,
    ) -> Result<(), IntrospectError> {
        let rows = for_each_row(self.client, step, sql, params, sink).await?;
        self.finished(step, rows);
        Ok(())
    }

    fn finished(&mut self, step: &'static str, rows: usize) {
        match &mut self.report {
            Some(report) => report(step, rows),
            None => self.steps.push((step, rows)),
        }
    }
}

/// The objects that need no table: types, sequences, routines, operators, and the views'
/// dependencies.
async fn read_others<C: GenericClient>(
    r: &mut StepReader<'_, '_, C>,
    model: &RefCell<Assembler>,
    selected: &[&(dyn ToSql + Sync)],
) -> Result<ViewDependencies, IntrospectError> {
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

/// The indexes, the constraints and, once the columns are in, their expressions printed.
async fn read_keys<C: GenericClient>(
    r: &mut StepReader<'_, '_, C>,
    model: &RefCell<Assembler>,
    indexes: &mut PendingIndexes,
    arrived: &Arrived,
    selected: &[&(dyn ToSql + Sync)],
) -> Result<(), IntrospectError> {
    r.read("indexes", catalog::INDEXES, selected, |row| {
        indexes.add(row)
    })
    .await?;
    // A constraint is filed under its table, and its columns named and its check's form found
    // once they are in: as it arrives when they are, so that this goes on while the server
    // sends the rest. One that arrives before the tables (in a small database) waits.
    let mut forms = Forms::default();
    let mut early = Vec::new();
    r.read(
        "constraints",
        catalog::CONSTRAINTS,
        selected,
        |row: ConstraintRow| {
            if !arrived.tables.get() {
                early.push(row);
                return Ok(());
            }
            let mut model = model.borrow_mut();
            model.add_constraint(row)?;
            if arrived.columns.get() {
                model.name_constraint_columns()?;
                model.find_forms(indexes, &mut forms);
            }
            Ok(())
        },
    )
    .await?;
    if !arrived.columns.get() {
        arrived.columns_in.notified().await;
        if !arrived.columns.get() {
            // The other connection's reading failed; its error is the one reported.
            return Ok(());
        }
    }
    {
        let mut model = model.borrow_mut();
        for row in early {
            model
                .add_constraint(row)
                .map_err(unexpected("constraints"))?;
        }
        model
            .name_constraint_columns()
            .map_err(unexpected("constraints"))?;
        model.find_forms(indexes, &mut forms);
    }
    let printed = print_expressions(r.client, &forms).await?;
    model.borrow_mut().fill_printed(indexes, &printed);
    r.finished("expressions", forms.requests().len());
    Ok(())
}

/// Prints each of `forms` once (`printing`).
async fn print_expressions(
    client: &impl GenericClient,
    forms: &Forms,
) -> Result<Printed, IntrospectError> {
    let requests = forms.requests();
    if requests.is_empty() {
        return Ok(Printed::default());
    }
    let printers: Vec<&str> = requests.iter().map(|r| r.printer.code()).collect();
    let objects: Vec<u32> = requests.iter().map(|r| r.object).collect();
    let positions: Vec<i32> = requests.iter().map(|r| r.position).collect();
    let mut texts = Vec::with_capacity(requests.len());
    for_each_row(
        client,
        "expressions",
        catalog::PRINT_EXPRESSIONS,
        &[&printers, &objects, &positions],
        |row: PrintedRow| {
            texts.push(row.text);
            Ok(())
        },
    )
    .await?;
    Printed::new(texts, forms).map_err(|detail| IntrospectError::Unexpected {
        step: "expressions",
        detail,
    })
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

    /// Reports steps read elsewhere, with their rows, as finished.
    fn finished_steps(&mut self, steps: Vec<(&'static str, usize)>) {
        for (step, rows) in steps {
            self.finished_elsewhere(step, rows);
        }
    }

    /// Reports step `step`, read elsewhere with `rows` rows, as finished.
    fn finished_elsewhere(&mut self, step: &'static str, rows: usize) {
        self.rows_read += rows;
        self.finished(step);
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
