//! `verify --traffic`: each plan file applied while simulated application clients read and
//! write the tables it touches. A file fails under traffic when any client transaction fails,
//! or when the slowest one takes longer than the file's budget.
//!
//! The model:
//! - **Tables.** The touched tables are the live tables the desired schema changes, and the
//!   tables those reference by foreign key or that reference them. Before the first file each is
//!   grown to `rows` rows by copying its own rows with fresh unique keys ([`grow`]).
//! - **Clients.** N clients, each with its own connection, loop short transactions on the
//!   touched tables in turn: `BEGIN`, a `SELECT` of a random row by primary key, an `UPDATE` of
//!   one column of another (each column in turn; a column that a unique key, an exclusion or a
//!   check over several columns reads is set to itself, which still fires triggers and checks the
//!   new row), an `INSERT` of a copy of a random row with fresh unique values, a `DELETE` of the
//!   updated row where no foreign key references the table, `COMMIT`. Tables without a primary
//!   key get inserts only. Statements use the simple query protocol with literals, so that no
//!   prepared statement outlives a change of column type. The random keys are read before each
//!   file (at most [`KEYS_PER_TABLE`] per table: the first a scan returns, or with
//!   [`KeySample::Spread`] a sample over the whole table) and drawn with a generator seeded from
//!   `seed`.
//! - **Application versions.** Before the plan's first deploy gate only the old application (the
//!   live schema's tables and columns) runs; from the gate on, the old and the new one (the
//!   desired schema's) run side by side and each client alternates between them. A version
//!   names only the columns of its own schema that exist in the scratch database before the
//!   file. In a contract file both name what the desired schema's version names: the gate
//!   before the contract requires every running version to have stopped using what it drops
//!   and to write what the desired schema requires.
//! - **Bounds.** The clients run through the file's whole round (apply, apply again, roll back,
//!   apply again) and stop when it ends; a file still running after `file_limit` has its
//!   statement cancelled (its session ended if that is not enough) and fails. Every client
//!   connection is closed before the next file, and before the scratch database is dropped.

pub mod client;
pub mod figures;
pub mod grow;
pub mod keys;
pub mod tables;
pub mod version;
pub mod workload;

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_postgres::{Client, SimpleQueryMessage};

use crate::schema::{Schema, TableRef};
use crate::source::postgres::{ConnectOptions, Connection, SystemEnv, connect, server_message};
use crate::sql::{quote_ident, quote_qualified};

use super::VerifyError;
use super::plan_dir::PlanFile;
use super::report::FileOutcome;
use client::{ClientStats, Signals, Workload};
use workload::{Rows, TableWork, Value, table_work};

pub use figures::{ClientError, FileTraffic, StatementKind, TrafficSetup};
pub use version::AppVersion;

/// The most primary keys read per table before a file, for the clients to draw from.
pub const KEYS_PER_TABLE: usize = 10_000;

/// How long the clients' first transactions may take before the file starts anyway.
const WARM_UP: Duration = Duration::from_secs(30);
/// How long clients may take to finish their last transaction once told to stop.
const STOP_GRACE: Duration = Duration::from_secs(30);
/// How long a cut-off file may take to end after its statement is cancelled.
const CANCEL_GRACE: Duration = Duration::from_secs(10);

/// How to run the clients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrafficOptions {
    /// Clients, each with its own connection.
    pub clients: usize,
    /// Rows each touched table is grown to.
    pub rows: u64,
    /// Seeds the clients' random choices.
    pub seed: u64,
    /// The longest one file may run under traffic before it is cut off.
    pub file_limit: Duration,
    /// Which rows' keys the clients draw from.
    pub keys: KeySample,
}

/// Which primary keys of a table are read before each file, for the clients to draw from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum KeySample {
    /// The first ones a scan returns: cheap, and every row of a table grown to a few thousand.
    #[default]
    First,
    /// Pages drawn at random over the whole table (`TABLESAMPLE SYSTEM`), so that on a large
    /// table clients also write rows far from its start, such as rows a backfill has not
    /// reached yet.
    Spread,
}

impl Default for TrafficOptions {
    fn default() -> Self {
        Self {
            clients: 4,
            rows: 100_000,
            seed: 1,
            file_limit: Duration::from_secs(600),
            keys: KeySample::First,
        }
    }
}

/// The three schemas a client's view of a table comes from.
#[derive(Debug, Clone, Copy)]
pub struct Schemas<'a> {
    pub live: &'a Schema,
    /// `desired.yaml` in canonical form.
    pub desired: &'a Schema,
    /// The scratch database before the file.
    pub scratch: &'a Schema,
}

/// The traffic of one verify run: what it applies to, and where the clients connect.
pub struct Traffic<'a> {
    options: &'a TrafficOptions,
    /// The scratch database's URL.
    url: String,
    live: &'a Schema,
    desired: &'a Schema,
    files: &'a [PlanFile],
    touched: Vec<TableRef>,
    /// Numbers for fresh values, shared by every client of the run: they start above the
    /// numbers growing the tables used, and are never used twice.
    fresh: Arc<AtomicU64>,
    /// Per table, the largest value of each integer column that gets fresh values, read the
    /// first time a file's clients insert into it. Read once per run: a fresh value is that
    /// base plus a number never used before, so it is new in every later file too. Read
    /// again before each file, the bases grew by every earlier file's fresh numbers and the
    /// values with them, until a `smallint` key overflowed in a plan of five files.
    bases: std::sync::Mutex<BTreeMap<TableRef, BTreeMap<String, i64>>>,
}

impl<'a> Traffic<'a> {
    /// Traffic for the plan `files` turning `live` into `desired`, with clients connecting to
    /// `url`.
    #[must_use]
    pub fn new(
        options: &'a TrafficOptions,
        url: String,
        (live, desired): (&'a Schema, &'a Schema),
        files: &'a [PlanFile],
    ) -> Self {
        Self {
            options,
            url,
            live,
            desired,
            files,
            touched: tables::touched(live, desired),
            fresh: Arc::new(AtomicU64::new(options.rows.saturating_add(1))),
            bases: std::sync::Mutex::default(),
        }
    }

    /// Grows the touched tables of the scratch database.
    ///
    /// # Errors
    /// [`VerifyError::Scratch`] when a table cannot be read.
    pub async fn grow(
        &self,
        scratch: &Client,
        progress: &mut dyn FnMut(&str),
    ) -> Result<TrafficSetup, VerifyError> {
        let schemas = (self.live, self.desired);
        let mut setup =
            grow::grow(scratch, schemas, &self.touched, self.options.rows, progress).await?;
        setup.clients = self.options.clients;
        Ok(setup)
    }

    /// Starts the clients for the file at `index`, `before` being the scratch schema now; they
    /// run until [`Running::during`] ends.
    ///
    /// # Errors
    /// [`VerifyError`] when the keys cannot be read or a client cannot connect.
    pub async fn start(
        &self,
        scratch: &Client,
        index: usize,
        before: &Schema,
    ) -> Result<Running, VerifyError> {
        let workload = Arc::new(self.workload(scratch, index, before).await?);
        let pid: i32 = scratch
            .query_one("SELECT pg_backend_pid()", &[])
            .await
            .map_err(|error| scratch_error("reading the scratch session", &error))?
            .get(0);
        let clients = if workload.works.is_empty() {
            0
        } else {
            self.options.clients
        };
        let connections = self.connect_clients(clients).await?;
        let stop = Arc::new(AtomicBool::new(false));
        let mut handles = Vec::new();
        let mut started = Vec::new();
        for (n, connection) in connections.into_iter().enumerate() {
            let (tx, rx) = oneshot::channel();
            started.push(rx);
            let signals = Signals {
                stop: Arc::clone(&stop),
                fresh: Arc::clone(&self.fresh),
                started: tx,
            };
            let rng = fastrand::Rng::with_seed(client_seed(self.options.seed, index, n));
            let task = client::run(connection, Arc::clone(&workload), n, rng, signals);
            handles.push(tokio::spawn(task));
        }
        // Every client has a transaction behind it before the file starts, so that even a
        // file that takes milliseconds meets traffic.
        let deadline = tokio::time::Instant::now() + WARM_UP;
        for first in started {
            let _ = tokio::time::timeout_at(deadline, first).await;
        }
        Ok(Running {
            clients: handles,
            stop,
            url: self.url.clone(),
            pid,
            budget_ms: self.files.get(index).map_or(0, PlanFile::budget),
            limit: self.options.file_limit,
        })
    }

    /// What the clients do during the file at `index`.
    async fn workload(
        &self,
        scratch: &Client,
        index: usize,
        before: &Schema,
    ) -> Result<Workload, VerifyError> {
        let schemas = Schemas {
            live: self.live,
            desired: self.desired,
            scratch: before,
        };
        let contract = self.files.get(index).is_some_and(version::contracts);
        let mut candidates: Vec<TableWork> = Vec::new();
        for table in &self.touched {
            for app in version::running(self.files, index) {
                candidates.extend(table_work(table, app, &schemas, contract));
            }
        }
        let mut workload = Workload {
            bases: self
                .bases
                .lock()
                .map(|bases| bases.clone())
                .unwrap_or_default(),
            ..Workload::default()
        };
        for work in &candidates {
            if !workload.rows.contains_key(&work.table) {
                let rows = read_rows(scratch, &work.table, before, self.options.keys).await?;
                workload.rows.insert(work.table.clone(), rows);
            }
            read_bases(scratch, work, &mut workload.bases).await?;
        }
        if let Ok(mut bases) = self.bases.lock() {
            bases.clone_from(&workload.bases);
        }
        workload.works = candidates
            .into_iter()
            .filter(|work| {
                workload
                    .rows
                    .get(&work.table)
                    .is_some_and(|rows| workload::has_work(work, rows))
            })
            .collect();
        Ok(workload)
    }

    async fn connect_clients(&self, clients: usize) -> Result<Vec<Connection>, VerifyError> {
        let options = ConnectOptions {
            database_url: Some(self.url.clone()),
            ..ConnectOptions::default()
        };
        let mut connections = Vec::new();
        for _ in 0..clients {
            match connect(&options, &SystemEnv).await {
                Ok(connection) => connections.push(connection),
                Err(error) => {
                    for connection in connections {
                        connection.close().await;
                    }
                    return Err(VerifyError::Scratch {
                        action: "connecting a client".to_owned(),
                        message: error.to_string(),
                    });
                }
            }
        }
        Ok(connections)
    }
}

/// The clients of one file, running.
pub struct Running {
    clients: Vec<JoinHandle<ClientStats>>,
    stop: Arc<AtomicBool>,
    url: String,
    /// The scratch session the file runs on, to cancel it when it overruns.
    pid: i32,
    budget_ms: u64,
    limit: Duration,
}

impl Running {
    /// Awaits `round` (the file's stages) with the clients running, then stops them.
    ///
    /// # Errors
    /// The round's error; the clients are stopped and their connections closed first.
    pub async fn during<F>(self, round: F) -> Result<(FileOutcome, FileTraffic), VerifyError>
    where
        F: Future<Output = Result<FileOutcome, VerifyError>>,
    {
        let started = Instant::now();
        let mut round = pin!(round);
        let (outcome, cut_off_after_s) =
            match tokio::time::timeout(self.limit, round.as_mut()).await {
                Ok(outcome) => (outcome, None),
                Err(_) => {
                    // Clients first: none of them may hold what the file waits for.
                    self.stop.store(true, Ordering::Relaxed);
                    let outcome = interrupt(&self.url, self.pid, round.as_mut()).await;
                    (outcome, Some(self.limit.as_secs()))
                }
            };
        let wall = started.elapsed();
        let budget_ms = self.budget_ms;
        let stats = self.stop().await;
        let figures = FileTraffic {
            wall_ms: millis(wall),
            transactions: stats.transactions,
            slowest_ms: millis(stats.slowest),
            budget_ms,
            errors: stats.errors(),
            cut_off_after_s,
        };
        Ok((outcome?, figures))
    }

    /// Tells the clients to stop and collects their figures; a client that does not finish
    /// within [`STOP_GRACE`] is aborted, which drops (and so closes) its connection.
    async fn stop(self) -> ClientStats {
        self.stop.store(true, Ordering::Relaxed);
        let deadline = tokio::time::Instant::now() + STOP_GRACE;
        let mut total = ClientStats::default();
        for handle in self.clients {
            let abort = handle.abort_handle();
            match tokio::time::timeout_at(deadline, handle).await {
                Ok(Ok(stats)) => total.merge(stats),
                Ok(Err(_)) => {}
                Err(_) => abort.abort(),
            }
        }
        total
    }
}

/// Cancels the statement the file is running, and ends its session if the file goes on.
async fn interrupt<F: Future>(url: &str, pid: i32, mut round: Pin<&mut F>) -> F::Output {
    for function in ["pg_cancel_backend", "pg_terminate_backend"] {
        signal_backend(url, function, pid).await;
        if let Ok(outcome) = tokio::time::timeout(CANCEL_GRACE, round.as_mut()).await {
            return outcome;
        }
    }
    round.await
}

/// Best effort: when it fails, the round runs on and the next step tries harder.
async fn signal_backend(url: &str, function: &str, pid: i32) {
    let options = ConnectOptions {
        database_url: Some(url.to_owned()),
        ..ConnectOptions::default()
    };
    if let Ok(connection) = connect(&options, &SystemEnv).await {
        let _ = connection
            .client
            .batch_execute(&format!("SELECT {function}({pid})"))
            .await;
        connection.close().await;
    }
}

/// The primary keys of `table` as text (at most [`KEYS_PER_TABLE`], drawn as `sample` says), or
/// without a primary key how many rows it has, as far as that number.
async fn read_rows(
    scratch: &Client,
    table: &TableRef,
    before: &Schema,
    sample: KeySample,
) -> Result<Rows, VerifyError> {
    let name = quote_qualified(&table.schema, &table.name);
    let key = before
        .table(table)
        .and_then(|t| t.primary_key.as_ref())
        .map(|pk| {
            pk.columns
                .iter()
                .map(|c| quote_ident(c))
                .collect::<Vec<_>>()
        });
    let Some(key) = key else {
        let sql = format!("SELECT count(*) FROM (SELECT FROM {name} LIMIT {KEYS_PER_TABLE}) AS s");
        let row = scratch
            .query_one(&sql, &[])
            .await
            .map_err(|error| scratch_error(&format!("counting the rows of {table}"), &error))?;
        let count = u64::try_from(row.get::<_, i64>(0)).unwrap_or_default();
        return Ok(Rows {
            keys: Vec::new(),
            count,
        });
    };
    let sql = match sample {
        KeySample::First => format!(
            "SELECT {} FROM {name} LIMIT {KEYS_PER_TABLE}",
            key.join(", ")
        ),
        KeySample::Spread => format!(
            "SELECT {} FROM {name} TABLESAMPLE SYSTEM ({}) ORDER BY random() LIMIT \
             {KEYS_PER_TABLE}",
            key.join(", "),
            sample_percent(scratch, table).await?
        ),
    };
    let messages = scratch
        .simple_query(&sql)
        .await
        .map_err(|error| scratch_error(&format!("reading the keys of {table}"), &error))?;
    let keys: Vec<Vec<String>> = messages
        .iter()
        .filter_map(|message| match message {
            SimpleQueryMessage::Row(row) => (0..key.len())
                .map(|i| row.get(i).map(str::to_owned))
                .collect::<Option<Vec<String>>>(),
            _ => None,
        })
        .collect();
    Ok(Rows {
        count: u64::try_from(keys.len()).unwrap_or_default(),
        keys,
    })
}

/// The percentage of `table`'s pages holding about four times [`KEYS_PER_TABLE`] rows, by the
/// planner's estimate of its rows (all of them when it has none).
async fn sample_percent(scratch: &Client, table: &TableRef) -> Result<f64, VerifyError> {
    let name = quote_qualified(&table.schema, &table.name);
    let sql = format!(
        "SELECT greatest(reltuples, 1)::float8 FROM pg_class WHERE oid = {}::regclass",
        crate::sql::quote_literal(&name)
    );
    let row = scratch
        .query_one(&sql, &[])
        .await
        .map_err(|error| scratch_error(&format!("estimating the rows of {table}"), &error))?;
    let rows: f64 = row.get(0);
    #[allow(clippy::cast_precision_loss)] // a sampling percentage needs no precision
    let wanted = 4.0 * KEYS_PER_TABLE as f64;
    Ok((100.0 * wanted / rows).min(100.0))
}

/// Reads the largest value of each integer column of `work` that gets fresh values.
async fn read_bases(
    scratch: &Client,
    work: &TableWork,
    bases: &mut BTreeMap<TableRef, BTreeMap<String, i64>>,
) -> Result<(), VerifyError> {
    let name = quote_qualified(&work.table.schema, &work.table.name);
    let above = work
        .insert
        .iter()
        .filter(|(_, value)| *value == Value::Fresh(keys::Fresh::Above));
    for (column, _) in above {
        let known = bases.entry(work.table.clone()).or_default();
        if known.contains_key(column) {
            continue;
        }
        let sql = format!(
            "SELECT coalesce(max({}), 0)::bigint FROM {name}",
            quote_ident(column)
        );
        let row = scratch.query_one(&sql, &[]).await.map_err(|error| {
            scratch_error(
                &format!("reading the largest {column} of {}", work.table),
                &error,
            )
        })?;
        known.insert(column.clone(), row.get(0));
    }
    Ok(())
}

fn scratch_error(action: &str, error: &tokio_postgres::Error) -> VerifyError {
    VerifyError::Scratch {
        action: action.to_owned(),
        message: server_message(error),
    }
}

/// A seed of its own for each client of each file, all from the run's seed.
fn client_seed(seed: u64, file: usize, client: usize) -> u64 {
    let file = u64::try_from(file).unwrap_or_default();
    let client = u64::try_from(client).unwrap_or_default();
    seed.wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(file << 16)
        .wrapping_add(client)
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_client_of_every_file_draws_its_own_numbers() {
        let seeds = [
            client_seed(1, 0, 0),
            client_seed(1, 0, 1),
            client_seed(1, 1, 0),
            client_seed(2, 0, 0),
        ];
        for (i, a) in seeds.iter().enumerate() {
            for b in &seeds[i + 1..] {
                assert_ne!(a, b);
            }
        }
        assert_eq!(client_seed(1, 3, 2), client_seed(1, 3, 2));
    }
}
