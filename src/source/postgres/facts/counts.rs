//! Counts that scan a table: NULLs in a column, rows with duplicated keys, rows whose foreign
//! key would find nothing. Each runs as one statement in a `READ ONLY` transaction of its own
//! with `SET LOCAL statement_timeout`, so the server itself stops a scan that takes too long and
//! the session never writes. Names reach the SQL only through `crate::sql` quoting.

use std::time::Duration;

use serde::Serialize;
use tokio_postgres::{Client, SimpleQueryMessage};

use super::fact::{COUNTED, Count, Fact, FactError};
use crate::schema::TableRef;
use crate::sql::{quote_ident, quote_literal, quote_qualified};

/// Rows that share their key with at least one other row, for a new unique key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Duplicates {
    /// Rows whose key another row has too (all of them, not just the extra ones).
    pub rows: u64,
    /// Distinct keys held by more than one row.
    pub keys: u64,
}

/// Counts the rows of `table` where `column` is NULL, which `SET NOT NULL` would reject.
///
/// # Errors
/// [`FactError::Timeout`] when the count takes longer than `timeout`, [`FactError::Query`] when
/// the server refuses it (no such table or column, no privilege).
pub async fn count_nulls(
    client: &mut Client,
    table: &TableRef,
    column: &str,
    timeout: Duration,
) -> Result<Count, FactError> {
    let action = format!("counting NULLs in {}", column_label(table, column));
    let sql = nulls_sql(table, column);
    let row = scan_read_only(client, None, &sql, &action, timeout).await?;
    Ok(counted(number(&row, 0, &action)?))
}

/// Counts the rows of `table` that share their `columns` key with another row, and the keys
/// they share, which a unique key on `columns` would reject. A row with a NULL in its key
/// duplicates nothing, unless `nulls_not_distinct` (then NULLs compare equal, as in a
/// `NULLS NOT DISTINCT` key).
///
/// # Errors
/// [`FactError::Invalid`] when `columns` is empty; otherwise as [`count_nulls`].
pub async fn count_duplicates(
    client: &mut Client,
    table: &TableRef,
    columns: &[String],
    nulls_not_distinct: bool,
    timeout: Duration,
) -> Result<Fact<Duplicates>, FactError> {
    let action = format!(
        "counting duplicates of ({}) in {}",
        column_list(columns),
        quote_table(table)
    );
    if columns.is_empty() {
        return Err(invalid(action, "no key columns given"));
    }
    let sql = duplicates_sql(table, columns, nulls_not_distinct);
    let row = scan_read_only(client, None, &sql, &action, timeout).await?;
    let duplicates = Duplicates {
        rows: number(&row, 0, &action)?,
        keys: number(&row, 1, &action)?,
    };
    Ok(Fact {
        value: duplicates,
        exact: true,
        origin: COUNTED,
    })
}

/// Counts the rows of `table` that a foreign key from `columns` to `referenced_columns` of
/// `referenced` would reject: the key columns all non-NULL (MATCH SIMPLE lets any NULL pass)
/// and no row of `referenced` with an equal key.
///
/// # Errors
/// [`FactError::Invalid`] when `columns` is empty or not as long as `referenced_columns`;
/// otherwise as [`count_nulls`].
pub async fn count_orphans(
    client: &mut Client,
    table: &TableRef,
    columns: &[String],
    referenced: &TableRef,
    referenced_columns: &[String],
    timeout: Duration,
) -> Result<Count, FactError> {
    let action = format!(
        "counting rows of {} ({}) missing from {} ({})",
        quote_table(table),
        column_list(columns),
        quote_table(referenced),
        column_list(referenced_columns)
    );
    if columns.is_empty() {
        return Err(invalid(action, "no key columns given"));
    }
    if columns.len() != referenced_columns.len() {
        return Err(invalid(
            action,
            "the key and the referenced key have different numbers of columns",
        ));
    }
    let sql = orphans_sql(table, columns, referenced, referenced_columns);
    let row = scan_read_only(client, None, &sql, &action, timeout).await?;
    Ok(counted(number(&row, 0, &action)?))
}

/// Counts the rows of `table` whose non-NULL `column` a plain cast to `to_type` rejects, which
/// `ALTER COLUMN … TYPE` (or a synced copy's backfill) would stop at. One scan casting every
/// value first; only when a value fails does a second scan count them, one row at a time in a
/// block of its own (a `DO` block whose result is handed back through a transaction-local
/// setting, so nothing is written).
///
/// # Errors
/// As [`count_nulls`]; a `to_type` the server does not know is [`FactError::Query`].
pub async fn count_failed_casts(
    client: &mut Client,
    table: &TableRef,
    column: &str,
    to_type: &str,
    timeout: Duration,
) -> Result<Count, FactError> {
    let action = format!(
        "counting values of {} that do not convert to {to_type}",
        column_label(table, column)
    );
    let all = format!(
        "SELECT count(({})::{to_type})::int8 FROM {}",
        quote_ident(column),
        quote_table(table)
    );
    match scan_read_only(client, None, &all, &action, timeout).await {
        Ok(_) => return Ok(counted(0)),
        Err(FactError::Query { error, .. }) if is_data_exception(&error) => {}
        Err(other) => return Err(other),
    }
    let each = failed_casts_block(table, column, to_type);
    let read = format!(
        "SELECT current_setting({})::int8",
        quote_literal(FAILED_SETTING)
    );
    let row = scan_read_only(client, Some(&each), &read, &action, timeout).await?;
    Ok(counted(number(&row, 0, &action)?))
}

/// Counts the rows of the `columns` (table, column) that hold one of `labels` (enum labels
/// about to be dropped), as the value or in an array of the type, which the type's
/// replacement would stop at.
///
/// # Errors
/// [`FactError::Invalid`] when `columns` or `labels` is empty; otherwise as [`count_nulls`].
pub async fn count_label_rows(
    client: &mut Client,
    columns: &[(TableRef, String)],
    labels: &[String],
    timeout: Duration,
) -> Result<Count, FactError> {
    let action = format!("counting rows holding {}", literal_list(labels));
    if columns.is_empty() || labels.is_empty() {
        return Err(invalid(action, "no columns or no labels given"));
    }
    let sql = label_rows_sql(columns, labels);
    let row = scan_read_only(client, None, &sql, &action, timeout).await?;
    Ok(counted(number(&row, 0, &action)?))
}

/// The transaction-local setting the row-by-row cast count hands its result back in.
const FAILED_SETTING: &str = "pgphase.failed_casts";

/// A `DO` block counting, row by row, the values of `column` that fail the cast; each cast
/// runs in a block of its own, so one failure does not end the count. A statement timeout
/// still cancels it (`others` does not catch a cancel).
pub(crate) fn failed_casts_block(table: &TableRef, column: &str, to_type: &str) -> String {
    let body = format!(
        "DECLARE failed int8 := 0; r record; \
         BEGIN \
         FOR r IN SELECT {column} AS v FROM {table} WHERE {column} IS NOT NULL LOOP \
         BEGIN PERFORM (r.v)::{to_type}; EXCEPTION WHEN others THEN failed := failed + 1; END; \
         END LOOP; \
         PERFORM set_config({setting}, failed::text, true); \
         END",
        column = quote_ident(column),
        table = quote_table(table),
        setting = quote_literal(FAILED_SETTING),
    );
    format!("DO {}", quote_literal(&body))
}

/// Whether the server rejected a value (SQLSTATE class 22: invalid text, out of range…).
fn is_data_exception(error: &tokio_postgres::Error) -> bool {
    error
        .code()
        .is_some_and(|code| code.code().starts_with("22"))
}

/// One `int8`: the rows of `columns` holding one of `labels` (see [`count_label_rows`]).
#[must_use]
pub fn label_rows_sql(columns: &[(TableRef, String)], labels: &[String]) -> String {
    // jsonb containment treats a value and an array holding it alike, so one test serves a
    // column of the type and an array of it.
    let wanted = labels
        .iter()
        .map(|label| format!("to_jsonb({}::text)", quote_literal(label)))
        .collect::<Vec<_>>()
        .join(", ");
    let counts: Vec<String> = columns
        .iter()
        .map(|(table, column)| {
            format!(
                "(SELECT count(*) FROM {} WHERE to_jsonb({}) @> ANY (ARRAY[{wanted}]))",
                quote_table(table),
                quote_ident(column)
            )
        })
        .collect();
    format!("SELECT ({})::int8", counts.join(" + "))
}

fn literal_list(labels: &[String]) -> String {
    labels
        .iter()
        .map(|label| quote_literal(label))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `SELECT count(*)` of the rows of `table` where `column` is NULL.
#[must_use]
pub fn nulls_sql(table: &TableRef, column: &str) -> String {
    format!(
        "SELECT count(*) FROM {} WHERE {} IS NULL",
        quote_table(table),
        quote_ident(column)
    )
}

/// One row: the rows of `table` sharing their `columns` key with another row, and the keys
/// they share (see [`count_duplicates`]).
#[must_use]
pub fn duplicates_sql(table: &TableRef, columns: &[String], nulls_not_distinct: bool) -> String {
    let key = column_list(columns);
    let filter = if nulls_not_distinct {
        String::new()
    } else {
        format!(" WHERE {}", all_not_null("", columns))
    };
    format!(
        "SELECT COALESCE(sum(n), 0)::int8, count(*) \
         FROM (SELECT count(*) AS n FROM {}{filter} GROUP BY {key} HAVING count(*) > 1) AS shared",
        quote_table(table)
    )
}

/// `SELECT count(*)` of the rows of `table` a foreign key would reject (see
/// [`count_orphans`]); with `SELECT *` in its place, the query lists them.
#[must_use]
pub fn orphans_sql(
    table: &TableRef,
    columns: &[String],
    referenced: &TableRef,
    referenced_columns: &[String],
) -> String {
    let matches = columns
        .iter()
        .zip(referenced_columns)
        .map(|(column, target)| format!("p.{} = c.{}", quote_ident(target), quote_ident(column)))
        .collect::<Vec<_>>()
        .join(" AND ");
    format!(
        "SELECT count(*) FROM {} AS c WHERE {} \
         AND NOT EXISTS (SELECT FROM {} AS p WHERE {matches})",
        quote_table(table),
        all_not_null("c.", columns),
        quote_table(referenced)
    )
}

/// `a IS NOT NULL AND b IS NOT NULL`, each column behind `prefix`.
fn all_not_null(prefix: &str, columns: &[String]) -> String {
    columns
        .iter()
        .map(|column| format!("{prefix}{} IS NOT NULL", quote_ident(column)))
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// The one row a scan returns, its values as the server prints them.
struct Scanned(Vec<Option<String>>);

/// Runs `before` (if any), then `sql`, which returns one row, in a read-only transaction of its
/// own under `statement_timeout`, and rolls the transaction back. Two round trips: the
/// transaction with its limit, then the scan with the rollback after it (one message of several
/// statements: the server arms a statement's limit when its message arrives, so the limit must
/// be set by then, on every version). Each count took five before (with a prepared statement
/// and a rollback of its own): the 143 counts of a 10,000-table plan took 120–146 ms on a local
/// socket, and take 93–127 ms; to a distant server, each round trip saved is a millisecond or
/// more.
async fn scan_read_only(
    client: &mut Client,
    before: Option<&str>,
    sql: &str,
    action: &str,
    timeout: Duration,
) -> Result<Scanned, FactError> {
    let begin = format!(
        "START TRANSACTION READ ONLY; SET LOCAL statement_timeout = {}",
        timeout_millis(timeout)
    );
    if let Err(error) = client.batch_execute(&begin).await {
        roll_back(client).await;
        return Err(FactError::query(
            format!("{action}: starting a read-only transaction"),
            error,
        ));
    }
    let scan = match before {
        Some(before) => format!("{before};\n{sql};\nROLLBACK"),
        None => format!("{sql};\nROLLBACK"),
    };
    let messages = match client.simple_query(&scan).await {
        Ok(messages) => messages,
        Err(error) => {
            // The statements after the one that failed were skipped, the rollback among them.
            roll_back(client).await;
            return Err(FactError::from_statement(action.to_owned(), timeout, error));
        }
    };
    let row = messages.iter().find_map(|message| match message {
        SimpleQueryMessage::Row(row) => Some(row),
        _ => None,
    });
    let Some(row) = row else {
        return Err(invalid(action.to_owned(), "the count returned no row"));
    };
    Ok(Scanned(
        (0..row.len())
            .map(|index| row.get(index).map(str::to_owned))
            .collect(),
    ))
}

/// Ends a transaction a failure left open; outside one, the server only warns. A connection that
/// failed fails the next count as well, which reports it.
async fn roll_back(client: &Client) {
    let _ = client.batch_execute("ROLLBACK").await;
}

/// `statement_timeout` in milliseconds: at least 1, since 0 would mean no limit at all, and at
/// most the largest value the server accepts.
fn timeout_millis(timeout: Duration) -> u128 {
    timeout.as_millis().clamp(1, i32::MAX as u128)
}

/// Reads value `index` of `row`, a non-negative `int8`.
fn number(row: &Scanned, index: usize, action: &str) -> Result<u64, FactError> {
    let value: Option<i64> = row
        .0
        .get(index)
        .and_then(Option::as_deref)
        .and_then(|text| text.parse().ok());
    match value {
        Some(value) => Ok(u64::try_from(value).unwrap_or(0)),
        None => Err(invalid(action.to_owned(), "the count was not a number")),
    }
}

fn counted(value: u64) -> Count {
    Fact {
        value,
        exact: true,
        origin: COUNTED,
    }
}

fn invalid(action: String, reason: &str) -> FactError {
    FactError::Invalid {
        action,
        reason: reason.to_owned(),
    }
}

fn quote_table(table: &TableRef) -> String {
    quote_qualified(&table.schema, &table.name)
}

/// `public.orders.user_id`, quoted as SQL would.
fn column_label(table: &TableRef, column: &str) -> String {
    format!("{}.{}", quote_table(table), quote_ident(column))
}

fn column_list(columns: &[String]) -> String {
    columns
        .iter()
        .map(|c| quote_ident(c))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(columns: &[&str]) -> Vec<String> {
        columns.iter().map(|c| (*c).to_owned()).collect()
    }

    #[test]
    fn duplicates_leave_out_null_keys_unless_nulls_are_not_distinct() {
        let table = TableRef::new("app", "Users");
        assert_eq!(
            duplicates_sql(&table, &key(&["email", "tenant id"]), false),
            "SELECT COALESCE(sum(n), 0)::int8, count(*) FROM (SELECT count(*) AS n \
             FROM app.\"Users\" WHERE email IS NOT NULL AND \"tenant id\" IS NOT NULL \
             GROUP BY email, \"tenant id\" HAVING count(*) > 1) AS shared"
        );
        assert!(!duplicates_sql(&table, &key(&["email"]), true).contains("WHERE"));
    }

    #[test]
    fn orphans_pair_columns_in_order_and_skip_partial_keys() {
        let sql = orphans_sql(
            &TableRef::new("app", "lines"),
            &key(&["order_id", "shop"]),
            &TableRef::new("app", "orders"),
            &key(&["id", "shop_id"]),
        );
        assert_eq!(
            sql,
            "SELECT count(*) FROM app.lines AS c \
             WHERE c.order_id IS NOT NULL AND c.shop IS NOT NULL \
             AND NOT EXISTS (SELECT FROM app.orders AS p \
             WHERE p.id = c.order_id AND p.shop_id = c.shop)"
        );
    }

    #[test]
    fn timeouts_never_reach_zero_or_overflow() {
        assert_eq!(timeout_millis(Duration::ZERO), 1);
        assert_eq!(timeout_millis(Duration::from_micros(10)), 1);
        assert_eq!(timeout_millis(Duration::from_secs(30)), 30_000);
        assert_eq!(
            timeout_millis(Duration::from_secs(u64::MAX)),
            i32::MAX as u128
        );
    }
}
