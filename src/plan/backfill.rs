//! Backfills sized by the table: one `UPDATE`/`DELETE` for small tables, a loop committing a
//! batch at a time for medium ones, and the same loop with progress output, run by a worker
//! outside the migration, for large ones.

use serde::Serialize;

use super::step::{Backfill, BackfillOperation, Statement};
use crate::rules::{Lock, Work};
use crate::sql::{quote_literal, quote_qualified};

/// Below this many estimated rows, one statement does the whole backfill.
pub const SINGLE_STATEMENT_ROWS: u64 = 10_000;

/// How a backfill runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Strategy {
    /// One statement, inside the phase's transaction.
    Single,
    /// Batches committed one by one, in the plan.
    Batched,
    /// Batches with progress output, in a script a worker runs (it may take hours).
    Worker,
}

/// The strategy for a table of `rows` estimated rows; unknown sizes are treated as large.
#[must_use]
pub fn strategy(rows: Option<u64>, large_table_rows: u64) -> Strategy {
    match rows {
        Some(rows) if rows < SINGLE_STATEMENT_ROWS => Strategy::Single,
        Some(rows) if rows < large_table_rows => Strategy::Batched,
        _ => Strategy::Worker,
    }
}

/// The backfill as one SQL statement for its strategy.
#[must_use]
pub fn statement(backfill: &Backfill, strategy: Strategy, batch_size: u64) -> Statement {
    let sql = match strategy {
        Strategy::Single => single(backfill),
        Strategy::Batched => batched(backfill, batch_size, false),
        Strategy::Worker => batched(backfill, batch_size, true),
    };
    let how = match strategy {
        Strategy::Single => "in one statement".to_owned(),
        Strategy::Batched | Strategy::Worker => {
            format!("in batches of {batch_size}, each committed; safe to stop and run again")
        }
    };
    Statement::new(sql, Lock::RowExclusive, format!("{}, {how}", backfill.note))
        .doing(Work::Update, backfill.rows)
}

fn single(backfill: &Backfill) -> String {
    let table = quote_qualified(&backfill.table.schema, &backfill.table.name);
    match &backfill.operation {
        BackfillOperation::Update { assignments } => {
            format!(
                "UPDATE {table} SET {assignments} WHERE {}",
                backfill.pending
            )
        }
        BackfillOperation::Delete => format!("DELETE FROM {table} WHERE {}", backfill.pending),
    }
}

/// A `DO` block that changes up to `batch_size` pending rows per transaction, skipping rows
/// other sessions hold locked, until none is left; then one last statement for the rows it
/// skipped. Each batch commits, so the block must run outside a transaction block (PostgreSQL
/// 11 and later allow `COMMIT` in `DO` there).
fn batched(backfill: &Backfill, batch_size: u64, progress: bool) -> String {
    let table = quote_qualified(&backfill.table.schema, &backfill.table.name);
    let pending = &backfill.pending;
    let batch = format!(
        "ctid IN (SELECT ctid FROM {table} WHERE {pending} LIMIT {batch_size} FOR UPDATE SKIP LOCKED)"
    );
    let (each, rest) = match &backfill.operation {
        BackfillOperation::Update { assignments } => (
            format!("UPDATE {table} SET {assignments} WHERE {batch}"),
            format!("UPDATE {table} SET {assignments} WHERE {pending}"),
        ),
        BackfillOperation::Delete => (
            format!("DELETE FROM {table} WHERE {batch}"),
            format!("DELETE FROM {table} WHERE {pending}"),
        ),
    };
    let report = if progress {
        format!(
            "\n    RAISE NOTICE '%: % rows so far', {}, total;",
            quote_literal(&backfill.table.to_string())
        )
    } else {
        String::new()
    };
    format!(
        "DO $backfill$\nDECLARE\n  changed bigint;\n  total bigint := 0;\nBEGIN\n  LOOP\n    \
         {each};\n    GET DIAGNOSTICS changed = ROW_COUNT;\n    total := total + changed;\n    \
         COMMIT;{report}\n    EXIT WHEN changed = 0;\n  END LOOP;\n  -- rows skipped while \
         another session held them locked\n  {rest};\nEND\n$backfill$"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Rollback;
    use crate::schema::TableRef;

    fn fill(rows: Option<u64>) -> Backfill {
        Backfill {
            table: TableRef::new("public", "orders"),
            operation: BackfillOperation::Update {
                assignments: "note = ''".to_owned(),
            },
            pending: "note IS NULL".to_owned(),
            rows,
            note: "fill NULLs".to_owned(),
            rollback: Rollback::nothing(),
        }
    }

    #[test]
    fn the_strategy_follows_the_table_size() {
        assert_eq!(strategy(Some(9_999), 1_000_000), Strategy::Single);
        assert_eq!(strategy(Some(10_000), 1_000_000), Strategy::Batched);
        assert_eq!(strategy(Some(999_999), 1_000_000), Strategy::Batched);
        assert_eq!(strategy(Some(1_000_000), 1_000_000), Strategy::Worker);
        assert_eq!(strategy(None, 1_000_000), Strategy::Worker);
    }

    #[test]
    fn a_small_table_gets_one_update() {
        let statement = statement(&fill(Some(10)), Strategy::Single, 500);
        assert_eq!(
            statement.sql,
            "UPDATE public.orders SET note = '' WHERE note IS NULL"
        );
    }

    #[test]
    fn a_batched_backfill_commits_each_batch_and_finishes_skipped_rows() {
        let statement = statement(&fill(Some(50_000)), Strategy::Batched, 500);
        insta::assert_snapshot!(statement.sql, @r"
        DO $backfill$
        DECLARE
          changed bigint;
          total bigint := 0;
        BEGIN
          LOOP
            UPDATE public.orders SET note = '' WHERE ctid IN (SELECT ctid FROM public.orders WHERE note IS NULL LIMIT 500 FOR UPDATE SKIP LOCKED);
            GET DIAGNOSTICS changed = ROW_COUNT;
            total := total + changed;
            COMMIT;
            EXIT WHEN changed = 0;
          END LOOP;
          -- rows skipped while another session held them locked
          UPDATE public.orders SET note = '' WHERE note IS NULL;
        END
        $backfill$
        ");
    }

    #[test]
    fn a_worker_reports_progress() {
        let statement = statement(&fill(None), Strategy::Worker, 500);
        assert!(
            statement
                .sql
                .contains("RAISE NOTICE '%: % rows so far', 'public.orders', total;"),
            "{}",
            statement.sql
        );
    }
}
