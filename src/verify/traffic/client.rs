//! One simulated client: a connection of its own and short transactions in a loop until told
//! to stop, each timed, each error counted by SQLSTATE, message and statement, then rolled back.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::oneshot;
use tokio_postgres::Client;

use crate::schema::TableRef;
use crate::source::postgres::Connection;

use super::figures::{ClientError, StatementKind};
use super::workload::{Draw, Rows, TableWork, transaction};

/// What every client of a file works from.
#[derive(Debug, Default)]
pub struct Workload {
    /// Each table as each running version uses it; a client takes them in turn.
    pub works: Vec<TableWork>,
    pub rows: BTreeMap<TableRef, Rows>,
    /// Per table, the largest value of each integer column that gets fresh values.
    pub bases: BTreeMap<TableRef, BTreeMap<String, i64>>,
}

/// What one client saw.
#[derive(Debug, Default)]
pub struct ClientStats {
    pub transactions: u64,
    pub slowest: Duration,
    pub errors: BTreeMap<(String, String, StatementKind), u64>,
}

/// How a client is told to start and stop, and where it takes fresh numbers from.
pub struct Signals {
    pub stop: Arc<AtomicBool>,
    /// A number no copied row of the run has used yet, shared by every client.
    pub fresh: Arc<AtomicU64>,
    /// Sent once the client's first transaction is over.
    pub started: oneshot::Sender<()>,
}

impl ClientStats {
    /// Adds another client's figures to these.
    pub fn merge(&mut self, other: Self) {
        self.transactions += other.transactions;
        self.slowest = self.slowest.max(other.slowest);
        for (error, count) in other.errors {
            *self.errors.entry(error).or_default() += count;
        }
    }

    /// The distinct errors, most frequent first.
    #[must_use]
    pub fn errors(&self) -> Vec<ClientError> {
        let mut out: Vec<ClientError> = self
            .errors
            .iter()
            .map(|((code, message, statement), count)| ClientError {
                code: code.clone(),
                message: message.clone(),
                statement: *statement,
                count: *count,
            })
            .collect();
        out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.cmp(b)));
        out
    }
}

/// Runs transactions on `connection` until `signals.stop` is set or the connection is lost,
/// then closes it. `first` is where in the workload this client starts, so that clients spread.
pub async fn run(
    connection: Connection,
    workload: Arc<Workload>,
    first: usize,
    mut rng: fastrand::Rng,
    signals: Signals,
) -> ClientStats {
    let mut stats = ClientStats::default();
    let mut started = Some(signals.started);
    let works = workload.works.len();
    let mut step = first;
    let no_rows = Rows::default();
    let no_bases = BTreeMap::new();
    while works > 0 && !signals.stop.load(Ordering::Relaxed) {
        let work = &workload.works[step % works];
        let draw = Draw {
            rows: workload.rows.get(&work.table).unwrap_or(&no_rows),
            bases: workload.bases.get(&work.table).unwrap_or(&no_bases),
            turn: step / works,
            fresh: signals.fresh.fetch_add(1, Ordering::Relaxed),
        };
        step += 1;
        let statements = transaction(work, &draw, &mut rng);
        if statements.is_empty() {
            // Nothing to do on this table now; let the others run before the next turn.
            tokio::task::yield_now().await;
            continue;
        }
        let (took, failure) = one_transaction(&connection.client, &statements).await;
        stats.transactions += 1;
        stats.slowest = stats.slowest.max(took);
        if let Some(tx) = started.take() {
            let _ = tx.send(());
        }
        if let Some((statement, error)) = failure {
            let code = error
                .code()
                .map(|c| c.code().to_owned())
                .unwrap_or_default();
            let message = error
                .as_db_error()
                .map_or_else(|| error.to_string(), |db| db.message().to_owned());
            *stats.errors.entry((code, message, statement)).or_default() += 1;
            if connection.client.is_closed() {
                break;
            }
        }
    }
    connection.close().await;
    stats
}

/// `BEGIN`, the statements, `COMMIT`: how long it took, and the first failure (after which the
/// transaction is rolled back).
async fn one_transaction(
    client: &Client,
    statements: &[(StatementKind, String)],
) -> (Duration, Option<(StatementKind, tokio_postgres::Error)>) {
    let started = Instant::now();
    let mut failure = client
        .batch_execute("BEGIN")
        .await
        .err()
        .map(|error| (StatementKind::Begin, error));
    for (kind, sql) in statements {
        if failure.is_some() {
            break;
        }
        failure = client.batch_execute(sql).await.err().map(|e| (*kind, e));
    }
    if failure.is_none() {
        failure = client
            .batch_execute("COMMIT")
            .await
            .err()
            .map(|error| (StatementKind::Commit, error));
    }
    if failure.is_some() {
        // The error is what counts; a ROLLBACK that fails too only repeats it.
        let _ = client.batch_execute("ROLLBACK").await;
    }
    (started.elapsed(), failure)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_merge_and_errors_come_most_frequent_first() {
        let mut a = ClientStats {
            transactions: 3,
            slowest: Duration::from_millis(5),
            errors: BTreeMap::from([(
                (
                    "23514".to_owned(),
                    "check".to_owned(),
                    StatementKind::Update,
                ),
                2,
            )]),
        };
        let b = ClientStats {
            transactions: 4,
            slowest: Duration::from_millis(9),
            errors: BTreeMap::from([
                (
                    (
                        "23514".to_owned(),
                        "check".to_owned(),
                        StatementKind::Update,
                    ),
                    1,
                ),
                (
                    (
                        "23514".to_owned(),
                        "check".to_owned(),
                        StatementKind::Insert,
                    ),
                    5,
                ),
            ]),
        };
        a.merge(b);
        assert_eq!(a.transactions, 7);
        assert_eq!(a.slowest, Duration::from_millis(9));
        let errors = a.errors();
        assert_eq!(
            errors
                .iter()
                .map(|e| (e.statement, e.count))
                .collect::<Vec<_>>(),
            [(StatementKind::Insert, 5), (StatementKind::Update, 3)]
        );
    }
}
