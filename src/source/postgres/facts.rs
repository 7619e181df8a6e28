//! Facts about the data of a live database that planning needs beyond its schema, read-only.
//!
//! Cheap facts come with introspection ([`Stats`]: row estimates, sizes, dependent views);
//! [`row_estimate`] and [`views_depending_on`] read them. The rest are asked for on demand:
//! [`long_transactions`] reads `pg_stat_activity`, and the counts ([`count_nulls`],
//! [`count_duplicates`], [`count_orphans`], [`count_failed_casts`], [`count_label_rows`]) scan
//! a table, each in a `READ ONLY` transaction of
//! its own under a statement timeout, so a count that takes too long is cancelled by the server
//! and reported as [`FactError::Timeout`]. Every value says where it came from ([`Fact`]).

mod counts;
mod fact;

use std::collections::BTreeSet;
use std::time::Duration;

use serde::Serialize;
use tokio_postgres::Client;

pub use self::counts::{
    Duplicates, count_duplicates, count_failed_casts, count_label_rows, count_nulls, count_orphans,
    duplicates_sql, label_rows_sql, nulls_sql, orphans_sql,
};
pub use self::fact::{COUNTED, Count, Fact, FactError, ROW_ESTIMATE};
use super::Stats;
use crate::schema::TableRef;

/// The planner's row estimate of `table`, as introspection read it; `None` when the table is
/// unknown or was never analysed.
#[must_use]
pub fn row_estimate(stats: &Stats, table: &TableRef) -> Option<Count> {
    let rows = stats.tables.get(table)?.estimated_rows?;
    Some(Fact {
        value: u64::try_from(rows).unwrap_or(0),
        exact: false,
        origin: ROW_ESTIMATE,
    })
}

/// Every view and materialized view that would have to be dropped and recreated to drop or
/// retype `column` of `table`: the ones that use the column, and transitively every view that
/// reads one of those (whatever columns it uses, since its source goes away). Sorted, each
/// once.
#[must_use]
pub fn views_depending_on(stats: &Stats, table: &TableRef, column: &str) -> Vec<TableRef> {
    views_over(stats, table, |columns| columns.iter().any(|c| c == column))
}

/// Every view that reads `table` at all (even only its row count), directly or through other
/// views: the views a rename of the table changes the text of.
pub fn views_reading(stats: &Stats, table: &TableRef) -> Vec<TableRef> {
    views_over(stats, table, |_| true)
}

/// The views whose direct dependency on `table` passes `reads` (given the columns it reads),
/// and every view reading those, each once.
fn views_over(stats: &Stats, table: &TableRef, reads: impl Fn(&[String]) -> bool) -> Vec<TableRef> {
    let direct = stats
        .view_dependencies
        .get(table)
        .into_iter()
        .flatten()
        .filter(|dependency| reads(&dependency.columns))
        .map(|dependency| dependency.view.clone());
    let mut found: BTreeSet<TableRef> = BTreeSet::new();
    let mut pending: Vec<TableRef> = direct.collect();
    while let Some(view) = pending.pop() {
        if found.insert(view.clone())
            && let Some(readers) = stats.view_dependencies.get(&view)
        {
            pending.extend(readers.iter().map(|d| d.view.clone()));
        }
    }
    found.into_iter().collect()
}

/// A transaction that has been open for a while: it holds its locks and snapshot until it ends,
/// so DDL queued behind it waits, and everything queued behind that DDL waits too.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LongTransaction {
    pub pid: i32,
    pub application_name: String,
    /// `active`, `idle in transaction`…; `None` when the server does not say.
    pub state: Option<String>,
    /// `client backend`, `autovacuum worker`…
    pub backend_type: Option<String>,
    /// Seconds since the transaction started.
    pub age_seconds: f64,
    /// The session's current or last statement, cut at 200 characters; as the server shows it
    /// to the connected role (`<insufficient privilege>` for other roles' sessions unless it has
    /// `pg_read_all_stats`).
    pub query: String,
}

/// Transactions of other sessions open for at least `older_than`, oldest first.
pub const LONG_TRANSACTIONS: &str = "
SELECT pid, COALESCE(application_name, '') AS application_name, state, backend_type,
       extract(epoch FROM clock_timestamp() - xact_start)::float8 AS age_seconds,
       left(COALESCE(query, ''), 200) AS query
FROM pg_stat_activity
WHERE xact_start IS NOT NULL AND pid <> pg_backend_pid()
  AND xact_start <= clock_timestamp() - make_interval(secs => $1)
ORDER BY xact_start, pid";

/// The transactions of other sessions open for at least `older_than`, oldest first. Sessions
/// of other roles are listed only as far as the connected role may see them.
///
/// # Errors
/// [`FactError::Query`] when the server refuses the query.
pub async fn long_transactions(
    client: &Client,
    older_than: Duration,
) -> Result<Vec<LongTransaction>, FactError> {
    let action = "reading long-running transactions from pg_stat_activity";
    let rows = client
        .query(LONG_TRANSACTIONS, &[&older_than.as_secs_f64()])
        .await
        .map_err(|e| FactError::query(action, e))?;
    rows.iter()
        .map(|row| {
            Ok(LongTransaction {
                pid: row.try_get("pid")?,
                application_name: row.try_get("application_name")?,
                state: row.try_get("state")?,
                backend_type: row.try_get("backend_type")?,
                age_seconds: row.try_get("age_seconds")?,
                query: row.try_get("query")?,
            })
        })
        .collect::<Result<_, tokio_postgres::Error>>()
        .map_err(|e| FactError::query(action, e))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::source::postgres::{RelationKind, TableStats, ViewDependency};

    fn table(name: &str) -> TableRef {
        TableRef::new("app", name)
    }

    fn reads(view: &str, columns: &[&str]) -> ViewDependency {
        ViewDependency {
            view: table(view),
            materialized: false,
            columns: columns.iter().map(|c| (*c).to_owned()).collect(),
        }
    }

    fn stats(dependencies: Vec<(&str, Vec<ViewDependency>)>) -> Stats {
        Stats {
            server_version: "17.0".to_owned(),
            server_version_num: 170_000,
            tables: BTreeMap::new(),
            view_dependencies: dependencies
                .into_iter()
                .map(|(name, views)| (table(name), views))
                .collect(),
        }
    }

    #[test]
    fn views_depending_on_follows_views_on_views() {
        let stats = stats(vec![
            (
                "orders",
                vec![reads("by_user", &["user_id"]), reads("totals", &["total"])],
            ),
            ("by_user", vec![reads("top_users", &["user_id"])]),
            // Uses none of by_user's columns, but reads it: it goes when by_user goes.
            ("top_users", vec![reads("top_count", &[])]),
            ("totals", vec![reads("big_totals", &["total"])]),
        ]);
        assert_eq!(
            views_depending_on(&stats, &table("orders"), "user_id"),
            vec![table("by_user"), table("top_count"), table("top_users")]
        );
        assert_eq!(
            views_depending_on(&stats, &table("orders"), "total"),
            vec![table("big_totals"), table("totals")]
        );
        assert!(views_depending_on(&stats, &table("orders"), "note").is_empty());
        assert!(views_depending_on(&stats, &table("users"), "id").is_empty());
        assert_eq!(
            views_reading(&stats, &table("by_user")),
            vec![table("top_count"), table("top_users")]
        );
    }

    #[test]
    fn views_depending_on_ends_on_a_cycle_and_lists_each_view_once() {
        let stats = stats(vec![
            ("t", vec![reads("a", &["x"]), reads("b", &["x"])]),
            ("a", vec![reads("c", &["x"])]),
            ("b", vec![reads("c", &["x"])]),
            // Not possible in PostgreSQL, but a bad input must not loop.
            ("c", vec![reads("a", &["x"])]),
        ]);
        assert_eq!(
            views_depending_on(&stats, &table("t"), "x"),
            vec![table("a"), table("b"), table("c")]
        );
    }

    #[test]
    fn row_estimate_is_labelled_as_an_estimate() {
        let mut stats = stats(vec![]);
        let size = |estimated_rows| TableStats {
            kind: RelationKind::Table,
            estimated_rows,
            total_bytes: 0,
        };
        stats.tables.insert(table("orders"), size(Some(1200)));
        stats.tables.insert(table("fresh"), size(None));
        assert_eq!(
            row_estimate(&stats, &table("orders")),
            Some(Fact {
                value: 1200,
                exact: false,
                origin: ROW_ESTIMATE
            })
        );
        assert_eq!(row_estimate(&stats, &table("fresh")), None);
        assert_eq!(row_estimate(&stats, &table("missing")), None);
    }
}
