//! Backfills sized by the table: one `UPDATE`/`DELETE` for small tables, a loop committing a
//! batch at a time for medium ones, and the same loop with progress output, run by a worker
//! outside the migration, for large ones. The loop walks the table's key in order when it has
//! one ([`walk_key`]), and otherwise picks each batch by `ctid` from the table's start.

use serde::Serialize;

use crate::schema::{KeyTarget, Table};
use crate::sql::{quote_ident, quote_literal, quote_qualified};
use crate::step::{Backfill, BackfillOperation, Statement};
use crate::step::{Lock, Work, retry};

/// Below this many estimated rows, one statement does the whole backfill.
pub const SINGLE_STATEMENT_ROWS: u64 = 10_000;

/// How long one batch of a key walk should take. A batch holds the locks of the rows it changes
/// until it commits, so a client updating one of them waits for the rest of the batch: the plan
/// promises clients short waits, so the batch size follows the time each batch took.
pub const BATCH_TARGET_MS: u64 = 100;
/// How long a key walk pauses after a batch while other sessions of the database are busy (a
/// session active or in a transaction, or one whose state this role may not see), as a share of
/// the time the batch took. Batches back to back keep the disk and the CPUs busy: on a 2-core
/// server a 20M-row walk without the pause let client transactions take up to 0.7 s though none
/// waited on its row locks for more than 62 ms; with it, none took over 160 ms. Alone, the walk
/// does not pause: the pause after every batch made a 2M-row fill take 51 s where a plain keyset
/// loop took 32–35 s. Whether others are busy is read from `pg_stat_activity` once a batch, which
/// any role may read.
pub const BATCH_PAUSE_PERCENT: u64 = 50;
/// How long a key walk's batch waits for a row another session holds before it is undone and
/// done again skipping held rows. Changing a key range's rows in one statement, each row read
/// once and not first locked skipping held ones, made a 2M-row fill take 9.6 s where reading the
/// batch's rows and then changing them took 11.5 s and a plain keyset loop 10.3 s (medians of 5);
/// the wait is short so that a client waiting on a row of the batch waits little longer, and
/// ends long before a deadlock with such a client would be detected.
pub const HELD_ROW_WAIT_MS: u64 = 10;
/// The fewest rows a key walk's batch shrinks to: below this, commits dominate the work.
pub const MIN_BATCH_ROWS: u64 = 100;
/// The most rows a key walk's batch grows to, however fast batches are.
pub const MAX_BATCH_ROWS: u64 = 50_000;
/// The most rows a key walk's first batch takes, whatever the plan's batch size: nothing is
/// known yet of what a row costs (triggers, indexes, a busy server), and a first batch of the
/// default 10,000 rows took about 300 ms on a table with a sync trigger. Doubling from here takes
/// a few batches.
pub const FIRST_BATCH_ROWS: u64 = 1_000;

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

/// The columns a batched backfill can walk `table` by, in order: its primary key, or else the
/// unique key with the fewest columns (then the first by name) whose columns are all NOT NULL,
/// a unique index counting only when it is a plain btree over columns in ascending order with
/// no predicate. `None` for a partitioned table (a batch's `ctid`s would be ambiguous across
/// partitions) and a table without such a key.
#[must_use]
pub fn walk_key(table: &Table) -> Option<Vec<String>> {
    if table.partition_by.is_some() {
        return None;
    }
    if let Some(pk) = &table.primary_key {
        return Some(pk.columns.clone());
    }
    let not_null = |columns: &[String]| {
        !columns.is_empty()
            && columns
                .iter()
                .all(|name| table.columns.iter().any(|c| c.name == *name && !c.nullable))
    };
    let constraints = table.unique.iter().map(|u| (&u.name, u.columns.clone()));
    let indexes = table
        .indexes
        .iter()
        .filter(|i| i.unique && i.method == "btree" && i.predicate.is_none())
        .filter_map(|i| Some((&i.name, plain_columns(i)?)));
    constraints
        .chain(indexes)
        .filter(|(_, columns)| not_null(columns))
        .min_by(|a, b| a.1.len().cmp(&b.1.len()).then_with(|| a.0.cmp(b.0)))
        .map(|(_, columns)| columns)
}

/// The index's columns when every key is a column in ascending order with its default operator
/// class and collation (so that `ORDER BY` the columns and a row comparison use the index).
fn plain_columns(index: &crate::schema::Index) -> Option<Vec<String>> {
    index
        .keys
        .iter()
        .map(|key| match &key.target {
            KeyTarget::Column(name)
                if !key.descending && key.opclass.is_none() && key.collation.is_none() =>
            {
                Some(name.to_string())
            }
            _ => None,
        })
        .collect()
}

/// The backfill as one SQL statement for its strategy; `key` is the table's [`walk_key`].
#[must_use]
pub fn statement(
    backfill: &Backfill,
    strategy: Strategy,
    batch_size: u64,
    key: Option<&[String]>,
) -> Statement {
    let progress = strategy == Strategy::Worker;
    let (sql, how) = match (strategy, key) {
        (Strategy::Single, _) => (
            single(backfill),
            "in one transaction, skipping rows other sessions hold until a later pass".to_owned(),
        ),
        (Strategy::Batched | Strategy::Worker, Some(key)) => (
            keyset(backfill, key, batch_size.min(FIRST_BATCH_ROWS), progress),
            format!(
                "walking the key ({}) once in batches sized to take about {BATCH_TARGET_MS} ms \
                 (from {} rows, between {MIN_BATCH_ROWS} and {MAX_BATCH_ROWS}), each committed; \
                 safe to stop and run again",
                key.join(", "),
                batch_size.min(FIRST_BATCH_ROWS)
            ),
        ),
        (Strategy::Batched | Strategy::Worker, None) => (
            batched(backfill, batch_size, progress),
            format!(
                "in batches of {batch_size}, each committed; safe to stop and run again; the \
                 table has no primary key or NOT NULL unique key to walk, so each batch looks \
                 for pending rows from the table's start (slow on a large table)"
            ),
        ),
    };
    Statement::new(sql, Lock::RowExclusive, format!("{}, {how}", backfill.note))
        .doing(Work::Update, backfill.rows)
}

/// Passes a one-transaction backfill makes over rows other sessions hold before it gives up
/// the rows it changed and tries again.
const SINGLE_PASSES: u32 = 50;

/// One transaction changing every pending row, in passes that skip rows other sessions hold
/// locked. It never waits for a row: a statement that waits for a row while holding the rows
/// it already changed can deadlock with a client that holds that row and waits for one of
/// them (a foreign-key check does), and the deadlock fails one of the two. When rows are still
/// held after the last pass, the attempt is undone (a subtransaction: every row it locked is
/// released, so such a client goes on), and after a pause it starts again.
fn single(backfill: &Backfill) -> String {
    let table = quote_qualified(&backfill.table.schema, &backfill.table.name);
    let pending = &backfill.pending;
    let pass = change(
        backfill,
        &format!("ctid IN (SELECT ctid FROM {table} WHERE {pending} FOR UPDATE SKIP LOCKED)"),
    );
    let body = format!(
        "FOR _pass IN 1..{SINGLE_PASSES} LOOP\n  {pass};\n  EXIT WHEN NOT EXISTS (SELECT 1 FROM \
         {table} WHERE {pending});\n  PERFORM pg_sleep(0.01);\nEND LOOP;\n-- rows other sessions \
         still hold: give back every row changed so far and try again\nIF EXISTS (SELECT 1 FROM \
         {table} WHERE {pending}) THEN\n  RAISE EXCEPTION USING ERRCODE = 'lock_not_available', \
         MESSAGE = {};\nEND IF;\n",
        quote_literal(&format!(
            "rows of {table} are held by other sessions after {SINGLE_PASSES} passes"
        )),
    );
    format!(
        "DO $backfill$\nDECLARE\n  attempt integer := 0;\nBEGIN\n{}END\n$backfill$",
        retry::indent(&retry::retry_loop(&body), 1)
    )
}

/// The `UPDATE` or `DELETE` of the rows `condition` selects.
fn change(backfill: &Backfill, condition: &str) -> String {
    let table = quote_qualified(&backfill.table.schema, &backfill.table.name);
    match &backfill.operation {
        BackfillOperation::Update { assignments } => {
            format!("UPDATE {table} SET {assignments} WHERE {condition}")
        }
        BackfillOperation::Delete => format!("DELETE FROM {table} WHERE {condition}"),
    }
}

/// The worker's progress line after each batch.
fn report(backfill: &Backfill, progress: bool) -> String {
    if progress {
        format!(
            "\n    RAISE NOTICE '%: % rows so far', {}, _total;",
            quote_literal(&backfill.table.to_string())
        )
    } else {
        String::new()
    }
}

/// A `DO` block walking the table's `key` once, in key order. Each batch reads the next keys
/// after the last one from the key's index alone, and changes that range's pending rows in one
/// statement that reads each row once and waits at most [`HELD_ROW_WAIT_MS`] for a row another
/// session holds; when one is held longer, that statement is undone (its rows released) and the
/// batch done carefully: the next pending rows read without locks, those no other session holds
/// locked (`SKIP LOCKED`) changed, the rows read ending the batch's range. A careful batch that
/// changed fewer rows than it read left some: a short statement then finishes that range alone,
/// waiting for the holders, and the next batch is careful too; one that changed every row it
/// read hands back to the fast batches. Finished rows are read once. One last statement takes
/// whatever is still pending. The first batch is a statement of its own, so that every later
/// one has a plain lower bound the index scan starts from. The batch size follows the time each
/// batch took ([`BATCH_TARGET_MS`]); the walk pauses between batches only while other sessions
/// are busy ([`BATCH_PAUSE_PERCENT`]). Each batch commits, so the block must run outside a
/// transaction block; a re-run walks from the start again and changes only the rows still
/// pending.
fn keyset(backfill: &Backfill, key: &[String], batch_size: u64, progress: bool) -> String {
    let table = quote_qualified(&backfill.table.schema, &backfill.table.name);
    let pending = &backfill.pending;
    let columns: Vec<String> = key.iter().map(|c| quote_ident(c)).collect();
    let lasts: Vec<String> = (1..=key.len()).map(|i| format!("_last_{i}")).collect();
    let prevs: Vec<String> = (1..=key.len()).map(|i| format!("_prev_{i}")).collect();
    let nexts: Vec<String> = (1..=key.len()).map(|i| format!("_next_{i}")).collect();
    let declarations: String = lasts
        .iter()
        .chain(&prevs)
        .chain(&nexts)
        .zip(columns.iter().cycle())
        .map(|(name, column)| format!("  {name} {table}.{column}%TYPE;\n"))
        .collect();
    let (order, descending) = (columns.join(", "), descending(&columns));
    // The careful batch: the next pending rows read without locks, those no other session holds
    // locked (`SKIP LOCKED`) changed. `indent`: the statement's lines after the first.
    let careful_batch = |bound: Option<&str>, indent: &str| {
        let filter = match bound {
            Some(bound) => format!("{bound} AND ({pending})"),
            None => pending.clone(),
        };
        let each = change(backfill, "ctid = ANY (ARRAY(SELECT ctid FROM locked))");
        let sql = format!(
            "WITH batch AS MATERIALIZED (\n  SELECT ctid, {order} FROM {table}\n  WHERE \
             {filter}\n  ORDER BY {order} LIMIT _size\n), locked AS MATERIALIZED (\n  SELECT \
             ctid FROM {table}\n  WHERE ctid = ANY (ARRAY(SELECT ctid FROM batch)) AND \
             ({pending})\n  FOR UPDATE SKIP LOCKED\n), done AS (\n  {each}\n  RETURNING 1\n)\n\
             SELECT {order}, (SELECT count(*) FROM batch), (SELECT count(*) FROM done)\nINTO {}, \
             _read, _changed\nFROM batch ORDER BY {descending} LIMIT 1;",
            lasts.join(", ")
        );
        sql.replace('\n', &format!("\n{indent}"))
    };
    // The pending rows of the key range after `lower` (without one: from the start) up to the
    // key held in `upper`, changed.
    let change_range = |lower: Option<&str>, upper: &[String]| {
        let up_to = format!("{} <= {}", row(&columns), row(upper));
        let range = match lower {
            Some(lower) => format!("{lower} AND {up_to}"),
            None => up_to,
        };
        change(backfill, &format!("{range} AND ({pending})"))
    };
    // The fast batch: the next keys, read from the key's index alone, end its range; one
    // statement then changes the range's pending rows as it reads them, as a plain keyset loop
    // does: each row is read once. It changes every one of them or, undone, none.
    let range_batch = |bound: Option<&str>, indent: &str| {
        let keys_filter = bound.map_or_else(String::new, |bound| format!("\n  WHERE {bound}"));
        let sql = format!(
            "SELECT {order} INTO {} FROM (\n  SELECT {order} FROM {table}{keys_filter}\n  ORDER \
             BY {order} LIMIT _size\n) AS keys ORDER BY {descending} LIMIT 1;\nIF FOUND THEN\n  \
             {};\n  GET DIAGNOSTICS _changed = ROW_COUNT;\n  -- every pending row of the range \
             changed: none was read and left\n  _read := _changed;\n  {}\nELSE\n  _read := \
             NULL;\nEND IF;",
            nexts.join(", "),
            change_range(bound, &nexts),
            assign(&lasts, &nexts),
        );
        sql.replace('\n', &format!("\n{indent}"))
    };
    let after = format!("{} > {}", row(&columns), row(&lasts));
    let rest = change(backfill, pending);
    let (i8, i10) = (" ".repeat(8), " ".repeat(10));
    format!(
        "DO $backfill$\nDECLARE\n  -- each name starts with _ so that no column of the table is \
         taken for it\n{declarations}  _size bigint := {batch_size};\n  _read bigint;\n  \
         _changed bigint;\n  _total bigint := 0;\n  _first boolean := true;\n  _careful boolean \
         := false;\n  _started timestamptz;\n  _took_ms numeric;\nBEGIN\n  LOOP\n    _started := \
         clock_timestamp();\n    {}\n    -- the first batch has no lower bound yet: a \
         statement of its own keeps the bound of the\n    -- others plain\n    IF NOT _careful \
         THEN\n      -- the next keys end the batch's range; its pending rows are changed as they \
         are read,\n      -- waiting at most {HELD_ROW_WAIT_MS} ms for a row another session \
         holds: then undone (its rows\n      -- released) and done carefully\n      BEGIN\n        PERFORM \
         set_config('lock_timeout', '{HELD_ROW_WAIT_MS}ms', true);\n        IF _first THEN\n          \
         {}\n        ELSE\n          {}\n        END IF;\n      EXCEPTION WHEN lock_not_available \
         THEN\n        _careful := true;\n      END;\n    END IF;\n    IF _careful THEN\n      -- the \
         next pending rows end the batch's range, read without locks; those of them no other\n      \
         -- session holds locked are changed\n      IF \
         _first THEN\n        {}\n      ELSE\n        {}\n      END IF;\n    END IF;\n    EXIT \
         WHEN _read IS NULL;\n    _total := _total + _changed;\n    COMMIT;{}\n    -- a batch \
         holds its rows' locks until it commits, so a client writing one waits that long:\n    -- \
         the next batch is sized to take about {BATCH_TARGET_MS} ms from the time this one \
         took\n    _took_ms := 1000 * extract(epoch FROM clock_timestamp() - _started);\n    _size \
         := least(greatest(round(_size * {BATCH_TARGET_MS} / greatest(_took_ms, 1)), \
         {MIN_BATCH_ROWS}), {MAX_BATCH_ROWS}, _size * 2);\n    -- rows the batch read but did not \
         change: another session held them (or changed them since).\n    -- Finished now, in the \
         batch's range alone, waiting for that session; left to the last\n    -- statement, each \
         would stay locked while it scans the table. A batch that changed every\n    -- row it read \
         has nothing left in its range: its rows are not read again\n    _careful := _changed < \
         _read;\n    IF _careful THEN\n      IF _first THEN\n        {};\n      ELSE\n        {};\n      \
         END IF;\n      COMMIT;\n    END IF;\n    _first := false;\n    -- while other sessions of \
         the database are busy (or hidden from this role), a pause of\n    -- \
         {BATCH_PAUSE_PERCENT}% of the batch's time gives their reads and commits the disk and \
         the CPUs; alone, the walk goes on\n    IF EXISTS (SELECT FROM pg_stat_activity WHERE \
         datname = current_database()\n        AND pid <> pg_backend_pid() AND backend_type = \
         'client backend' AND state IS DISTINCT FROM 'idle') THEN\n      PERFORM \
         pg_sleep(_took_ms * {BATCH_PAUSE_PERCENT} / 100000.0);\n    END IF;\n  END LOOP;\n  -- \
         rows still pending: normally none (rows held during their range's statement, rows whose \
         key moved)\n  {rest};\nEND\n$backfill$",
        assign(&prevs, &lasts),
        range_batch(None, &i10),
        range_batch(Some(&after), &i10),
        careful_batch(None, &i8),
        careful_batch(Some(&after), &i8),
        report(backfill, progress),
        change_range(None, &lasts),
        change_range(Some(&after.replace("_last_", "_prev_")), &lasts),
    )
}

/// `a := b; c := d;`: each of `targets` set to its `sources` item.
fn assign(targets: &[String], sources: &[String]) -> String {
    targets
        .iter()
        .zip(sources)
        .map(|(target, source)| format!("{target} := {source};"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `a` for one item, `(a, b)` for several: a row comparison over a composite key.
fn row(items: &[String]) -> String {
    match items {
        [one] => one.clone(),
        _ => format!("({})", items.join(", ")),
    }
}

fn descending(columns: &[String]) -> String {
    columns
        .iter()
        .map(|c| format!("{c} DESC"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A `DO` block that changes up to `batch_size` pending rows per transaction, skipping rows
/// other sessions hold locked, until none is left; then one last statement for the rows it
/// skipped. Each batch commits, so the block must run outside a transaction block (PostgreSQL
/// 11 and later allow `COMMIT` in `DO` there). Each batch looks for pending rows from the
/// table's start, past every row already done: only for tables without a key to walk.
fn batched(backfill: &Backfill, batch_size: u64, progress: bool) -> String {
    let table = quote_qualified(&backfill.table.schema, &backfill.table.name);
    let pending = &backfill.pending;
    let each = change(
        backfill,
        &format!(
            "ctid IN (SELECT ctid FROM {table} WHERE {pending} LIMIT {batch_size} FOR UPDATE \
             SKIP LOCKED)"
        ),
    );
    let rest = change(backfill, pending);
    format!(
        "DO $backfill$\nDECLARE\n  -- each name starts with _ so that no column of the table is \
         taken for it\n  _changed bigint;\n  _total bigint := 0;\nBEGIN\n  LOOP\n    {each};\n    \
         GET DIAGNOSTICS _changed = ROW_COUNT;\n    _total := _total + _changed;\n    COMMIT;{}\n    \
         EXIT WHEN _changed = 0;\n  END LOOP;\n  -- rows skipped while another session held them \
         locked\n  {rest};\nEND\n$backfill$",
        report(backfill, progress)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Column, Index, IndexKey, PrimaryKey, TableRef, Unique};
    use crate::step::Rollback;

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

    fn key(columns: &[&str]) -> Vec<String> {
        columns.iter().map(|c| (*c).to_owned()).collect()
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
    fn a_small_table_gets_one_transaction_that_skips_held_rows_and_never_waits_for_one() {
        let statement = statement(&fill(Some(10)), Strategy::Single, 500, Some(&key(&["id"])));
        insta::assert_snapshot!(statement.sql, @"
        DO $backfill$
        DECLARE
          attempt integer := 0;
        BEGIN
          LOOP
            BEGIN
              FOR _pass IN 1..50 LOOP
                UPDATE public.orders SET note = '' WHERE ctid IN (SELECT ctid FROM public.orders WHERE note IS NULL FOR UPDATE SKIP LOCKED);
                EXIT WHEN NOT EXISTS (SELECT 1 FROM public.orders WHERE note IS NULL);
                PERFORM pg_sleep(0.01);
              END LOOP;
              -- rows other sessions still hold: give back every row changed so far and try again
              IF EXISTS (SELECT 1 FROM public.orders WHERE note IS NULL) THEN
                RAISE EXCEPTION USING ERRCODE = 'lock_not_available', MESSAGE = 'rows of public.orders are held by other sessions after 50 passes';
              END IF;
              EXIT;
            EXCEPTION WHEN lock_not_available THEN
              attempt := attempt + 1;
              IF attempt > 10 THEN
                RAISE;
              END IF;
              RAISE NOTICE '%; attempt % of 10 follows', SQLERRM, attempt;
              PERFORM pg_sleep(least(0.100 * 2 ^ (attempt - 1), 5.000) * (0.5 + random()));
            END;
          END LOOP;
        END
        $backfill$
        ");
    }

    #[test]
    fn a_table_without_a_key_is_batched_by_ctid_and_skipped_rows_are_finished() {
        let statement = statement(&fill(Some(50_000)), Strategy::Batched, 500, None);
        insta::assert_snapshot!(statement.sql, @"
        DO $backfill$
        DECLARE
          -- each name starts with _ so that no column of the table is taken for it
          _changed bigint;
          _total bigint := 0;
        BEGIN
          LOOP
            UPDATE public.orders SET note = '' WHERE ctid IN (SELECT ctid FROM public.orders WHERE note IS NULL LIMIT 500 FOR UPDATE SKIP LOCKED);
            GET DIAGNOSTICS _changed = ROW_COUNT;
            _total := _total + _changed;
            COMMIT;
            EXIT WHEN _changed = 0;
          END LOOP;
          -- rows skipped while another session held them locked
          UPDATE public.orders SET note = '' WHERE note IS NULL;
        END
        $backfill$
        ");
        assert!(
            statement.note.contains("no primary key"),
            "{}",
            statement.note
        );
    }

    #[test]
    fn a_keyed_table_is_walked_once_in_key_order_in_timed_batches() {
        let statement = statement(
            &fill(Some(50_000)),
            Strategy::Batched,
            500,
            Some(&key(&["id"])),
        );
        insta::assert_snapshot!(statement.sql, @"
        DO $backfill$
        DECLARE
          -- each name starts with _ so that no column of the table is taken for it
          _last_1 public.orders.id%TYPE;
          _prev_1 public.orders.id%TYPE;
          _next_1 public.orders.id%TYPE;
          _size bigint := 500;
          _read bigint;
          _changed bigint;
          _total bigint := 0;
          _first boolean := true;
          _careful boolean := false;
          _started timestamptz;
          _took_ms numeric;
        BEGIN
          LOOP
            _started := clock_timestamp();
            _prev_1 := _last_1;
            -- the first batch has no lower bound yet: a statement of its own keeps the bound of the
            -- others plain
            IF NOT _careful THEN
              -- the next keys end the batch's range; its pending rows are changed as they are read,
              -- waiting at most 10 ms for a row another session holds: then undone (its rows
              -- released) and done carefully
              BEGIN
                PERFORM set_config('lock_timeout', '10ms', true);
                IF _first THEN
                  SELECT id INTO _next_1 FROM (
                    SELECT id FROM public.orders
                    ORDER BY id LIMIT _size
                  ) AS keys ORDER BY id DESC LIMIT 1;
                  IF FOUND THEN
                    UPDATE public.orders SET note = '' WHERE id <= _next_1 AND (note IS NULL);
                    GET DIAGNOSTICS _changed = ROW_COUNT;
                    -- every pending row of the range changed: none was read and left
                    _read := _changed;
                    _last_1 := _next_1;
                  ELSE
                    _read := NULL;
                  END IF;
                ELSE
                  SELECT id INTO _next_1 FROM (
                    SELECT id FROM public.orders
                    WHERE id > _last_1
                    ORDER BY id LIMIT _size
                  ) AS keys ORDER BY id DESC LIMIT 1;
                  IF FOUND THEN
                    UPDATE public.orders SET note = '' WHERE id > _last_1 AND id <= _next_1 AND (note IS NULL);
                    GET DIAGNOSTICS _changed = ROW_COUNT;
                    -- every pending row of the range changed: none was read and left
                    _read := _changed;
                    _last_1 := _next_1;
                  ELSE
                    _read := NULL;
                  END IF;
                END IF;
              EXCEPTION WHEN lock_not_available THEN
                _careful := true;
              END;
            END IF;
            IF _careful THEN
              -- the next pending rows end the batch's range, read without locks; those of them no other
              -- session holds locked are changed
              IF _first THEN
                WITH batch AS MATERIALIZED (
                  SELECT ctid, id FROM public.orders
                  WHERE note IS NULL
                  ORDER BY id LIMIT _size
                ), locked AS MATERIALIZED (
                  SELECT ctid FROM public.orders
                  WHERE ctid = ANY (ARRAY(SELECT ctid FROM batch)) AND (note IS NULL)
                  FOR UPDATE SKIP LOCKED
                ), done AS (
                  UPDATE public.orders SET note = '' WHERE ctid = ANY (ARRAY(SELECT ctid FROM locked))
                  RETURNING 1
                )
                SELECT id, (SELECT count(*) FROM batch), (SELECT count(*) FROM done)
                INTO _last_1, _read, _changed
                FROM batch ORDER BY id DESC LIMIT 1;
              ELSE
                WITH batch AS MATERIALIZED (
                  SELECT ctid, id FROM public.orders
                  WHERE id > _last_1 AND (note IS NULL)
                  ORDER BY id LIMIT _size
                ), locked AS MATERIALIZED (
                  SELECT ctid FROM public.orders
                  WHERE ctid = ANY (ARRAY(SELECT ctid FROM batch)) AND (note IS NULL)
                  FOR UPDATE SKIP LOCKED
                ), done AS (
                  UPDATE public.orders SET note = '' WHERE ctid = ANY (ARRAY(SELECT ctid FROM locked))
                  RETURNING 1
                )
                SELECT id, (SELECT count(*) FROM batch), (SELECT count(*) FROM done)
                INTO _last_1, _read, _changed
                FROM batch ORDER BY id DESC LIMIT 1;
              END IF;
            END IF;
            EXIT WHEN _read IS NULL;
            _total := _total + _changed;
            COMMIT;
            -- a batch holds its rows' locks until it commits, so a client writing one waits that long:
            -- the next batch is sized to take about 100 ms from the time this one took
            _took_ms := 1000 * extract(epoch FROM clock_timestamp() - _started);
            _size := least(greatest(round(_size * 100 / greatest(_took_ms, 1)), 100), 50000, _size * 2);
            -- rows the batch read but did not change: another session held them (or changed them since).
            -- Finished now, in the batch's range alone, waiting for that session; left to the last
            -- statement, each would stay locked while it scans the table. A batch that changed every
            -- row it read has nothing left in its range: its rows are not read again
            _careful := _changed < _read;
            IF _careful THEN
              IF _first THEN
                UPDATE public.orders SET note = '' WHERE id <= _last_1 AND (note IS NULL);
              ELSE
                UPDATE public.orders SET note = '' WHERE id > _prev_1 AND id <= _last_1 AND (note IS NULL);
              END IF;
              COMMIT;
            END IF;
            _first := false;
            -- while other sessions of the database are busy (or hidden from this role), a pause of
            -- 50% of the batch's time gives their reads and commits the disk and the CPUs; alone, the walk goes on
            IF EXISTS (SELECT FROM pg_stat_activity WHERE datname = current_database()
                AND pid <> pg_backend_pid() AND backend_type = 'client backend' AND state IS DISTINCT FROM 'idle') THEN
              PERFORM pg_sleep(_took_ms * 50 / 100000.0);
            END IF;
          END LOOP;
          -- rows still pending: normally none (rows held during their range's statement, rows whose key moved)
          UPDATE public.orders SET note = '' WHERE note IS NULL;
        END
        $backfill$
        ");
        assert!(
            statement.note.contains("walking the key (id)"),
            "{}",
            statement.note
        );
    }

    #[test]
    fn a_walk_starts_with_a_small_batch_whatever_the_batch_size() {
        let statement = statement(&fill(None), Strategy::Worker, 10_000, Some(&key(&["id"])));
        assert!(
            statement.sql.contains("_size bigint := 1000;"),
            "{}",
            statement.sql
        );
        assert!(
            statement.note.contains("(from 1000 rows,"),
            "{}",
            statement.note
        );
    }

    #[test]
    fn a_composite_key_is_compared_as_a_row_and_deletes_join_on_ctid() {
        let mut backfill = fill(Some(50_000));
        backfill.table = TableRef::new("shop", "Order Lines");
        backfill.operation = BackfillOperation::Delete;
        backfill.pending = "a IS NULL OR b IS NULL".to_owned();
        let statement = statement(
            &backfill,
            Strategy::Batched,
            1_000,
            Some(&key(&["order_id", "Line"])),
        );
        insta::assert_snapshot!(statement.sql, @r#"
        DO $backfill$
        DECLARE
          -- each name starts with _ so that no column of the table is taken for it
          _last_1 shop."Order Lines".order_id%TYPE;
          _last_2 shop."Order Lines"."Line"%TYPE;
          _prev_1 shop."Order Lines".order_id%TYPE;
          _prev_2 shop."Order Lines"."Line"%TYPE;
          _next_1 shop."Order Lines".order_id%TYPE;
          _next_2 shop."Order Lines"."Line"%TYPE;
          _size bigint := 1000;
          _read bigint;
          _changed bigint;
          _total bigint := 0;
          _first boolean := true;
          _careful boolean := false;
          _started timestamptz;
          _took_ms numeric;
        BEGIN
          LOOP
            _started := clock_timestamp();
            _prev_1 := _last_1; _prev_2 := _last_2;
            -- the first batch has no lower bound yet: a statement of its own keeps the bound of the
            -- others plain
            IF NOT _careful THEN
              -- the next keys end the batch's range; its pending rows are changed as they are read,
              -- waiting at most 10 ms for a row another session holds: then undone (its rows
              -- released) and done carefully
              BEGIN
                PERFORM set_config('lock_timeout', '10ms', true);
                IF _first THEN
                  SELECT order_id, "Line" INTO _next_1, _next_2 FROM (
                    SELECT order_id, "Line" FROM shop."Order Lines"
                    ORDER BY order_id, "Line" LIMIT _size
                  ) AS keys ORDER BY order_id DESC, "Line" DESC LIMIT 1;
                  IF FOUND THEN
                    DELETE FROM shop."Order Lines" WHERE (order_id, "Line") <= (_next_1, _next_2) AND (a IS NULL OR b IS NULL);
                    GET DIAGNOSTICS _changed = ROW_COUNT;
                    -- every pending row of the range changed: none was read and left
                    _read := _changed;
                    _last_1 := _next_1; _last_2 := _next_2;
                  ELSE
                    _read := NULL;
                  END IF;
                ELSE
                  SELECT order_id, "Line" INTO _next_1, _next_2 FROM (
                    SELECT order_id, "Line" FROM shop."Order Lines"
                    WHERE (order_id, "Line") > (_last_1, _last_2)
                    ORDER BY order_id, "Line" LIMIT _size
                  ) AS keys ORDER BY order_id DESC, "Line" DESC LIMIT 1;
                  IF FOUND THEN
                    DELETE FROM shop."Order Lines" WHERE (order_id, "Line") > (_last_1, _last_2) AND (order_id, "Line") <= (_next_1, _next_2) AND (a IS NULL OR b IS NULL);
                    GET DIAGNOSTICS _changed = ROW_COUNT;
                    -- every pending row of the range changed: none was read and left
                    _read := _changed;
                    _last_1 := _next_1; _last_2 := _next_2;
                  ELSE
                    _read := NULL;
                  END IF;
                END IF;
              EXCEPTION WHEN lock_not_available THEN
                _careful := true;
              END;
            END IF;
            IF _careful THEN
              -- the next pending rows end the batch's range, read without locks; those of them no other
              -- session holds locked are changed
              IF _first THEN
                WITH batch AS MATERIALIZED (
                  SELECT ctid, order_id, "Line" FROM shop."Order Lines"
                  WHERE a IS NULL OR b IS NULL
                  ORDER BY order_id, "Line" LIMIT _size
                ), locked AS MATERIALIZED (
                  SELECT ctid FROM shop."Order Lines"
                  WHERE ctid = ANY (ARRAY(SELECT ctid FROM batch)) AND (a IS NULL OR b IS NULL)
                  FOR UPDATE SKIP LOCKED
                ), done AS (
                  DELETE FROM shop."Order Lines" WHERE ctid = ANY (ARRAY(SELECT ctid FROM locked))
                  RETURNING 1
                )
                SELECT order_id, "Line", (SELECT count(*) FROM batch), (SELECT count(*) FROM done)
                INTO _last_1, _last_2, _read, _changed
                FROM batch ORDER BY order_id DESC, "Line" DESC LIMIT 1;
              ELSE
                WITH batch AS MATERIALIZED (
                  SELECT ctid, order_id, "Line" FROM shop."Order Lines"
                  WHERE (order_id, "Line") > (_last_1, _last_2) AND (a IS NULL OR b IS NULL)
                  ORDER BY order_id, "Line" LIMIT _size
                ), locked AS MATERIALIZED (
                  SELECT ctid FROM shop."Order Lines"
                  WHERE ctid = ANY (ARRAY(SELECT ctid FROM batch)) AND (a IS NULL OR b IS NULL)
                  FOR UPDATE SKIP LOCKED
                ), done AS (
                  DELETE FROM shop."Order Lines" WHERE ctid = ANY (ARRAY(SELECT ctid FROM locked))
                  RETURNING 1
                )
                SELECT order_id, "Line", (SELECT count(*) FROM batch), (SELECT count(*) FROM done)
                INTO _last_1, _last_2, _read, _changed
                FROM batch ORDER BY order_id DESC, "Line" DESC LIMIT 1;
              END IF;
            END IF;
            EXIT WHEN _read IS NULL;
            _total := _total + _changed;
            COMMIT;
            -- a batch holds its rows' locks until it commits, so a client writing one waits that long:
            -- the next batch is sized to take about 100 ms from the time this one took
            _took_ms := 1000 * extract(epoch FROM clock_timestamp() - _started);
            _size := least(greatest(round(_size * 100 / greatest(_took_ms, 1)), 100), 50000, _size * 2);
            -- rows the batch read but did not change: another session held them (or changed them since).
            -- Finished now, in the batch's range alone, waiting for that session; left to the last
            -- statement, each would stay locked while it scans the table. A batch that changed every
            -- row it read has nothing left in its range: its rows are not read again
            _careful := _changed < _read;
            IF _careful THEN
              IF _first THEN
                DELETE FROM shop."Order Lines" WHERE (order_id, "Line") <= (_last_1, _last_2) AND (a IS NULL OR b IS NULL);
              ELSE
                DELETE FROM shop."Order Lines" WHERE (order_id, "Line") > (_prev_1, _prev_2) AND (order_id, "Line") <= (_last_1, _last_2) AND (a IS NULL OR b IS NULL);
              END IF;
              COMMIT;
            END IF;
            _first := false;
            -- while other sessions of the database are busy (or hidden from this role), a pause of
            -- 50% of the batch's time gives their reads and commits the disk and the CPUs; alone, the walk goes on
            IF EXISTS (SELECT FROM pg_stat_activity WHERE datname = current_database()
                AND pid <> pg_backend_pid() AND backend_type = 'client backend' AND state IS DISTINCT FROM 'idle') THEN
              PERFORM pg_sleep(_took_ms * 50 / 100000.0);
            END IF;
          END LOOP;
          -- rows still pending: normally none (rows held during their range's statement, rows whose key moved)
          DELETE FROM shop."Order Lines" WHERE a IS NULL OR b IS NULL;
        END
        $backfill$
        "#);
    }

    #[test]
    fn a_worker_reports_progress() {
        for key in [None, Some(key(&["id"]))] {
            let statement = statement(&fill(None), Strategy::Worker, 500, key.as_deref());
            assert!(
                statement
                    .sql
                    .contains("RAISE NOTICE '%: % rows so far', 'public.orders', _total;"),
                "{}",
                statement.sql
            );
        }
    }

    fn table(nullable_code: bool) -> Table {
        let mut code = Column::new("code", "text");
        code.nullable = nullable_code;
        let mut id = Column::new("id", "bigint");
        id.nullable = false;
        let mut region = Column::new("region", "text");
        region.nullable = false;
        Table {
            columns: vec![id, code, region],
            ..Table::default()
        }
    }

    fn index(name: &str, columns: &[&str]) -> Index {
        Index {
            name: name.to_owned().into(),
            unique: true,
            method: "btree".into(),
            keys: columns
                .iter()
                .map(|c| IndexKey {
                    target: KeyTarget::Column((*c).to_owned().into()),
                    opclass: None,
                    collation: None,
                    descending: false,
                    nulls_first: false,
                })
                .collect(),
            include: Vec::new(),
            predicate: None,
            nulls_not_distinct: false,
            with: Vec::new(),
            comment: None,
        }
    }

    #[test]
    fn the_walk_key_is_the_primary_key_or_a_not_null_unique_key() {
        let mut table = table(true);
        assert_eq!(walk_key(&table), None);
        table.unique.push(Unique {
            name: "orders_code_key".into(),
            columns: key(&["code"]),
            include: Vec::new(),
            nulls_not_distinct: false,
            deferral: crate::schema::Deferral::NotDeferrable,
        });
        assert_eq!(walk_key(&table), None, "code may be NULL");
        table
            .indexes
            .push(index("orders_region_id", &["region", "id"]));
        assert_eq!(walk_key(&table), Some(key(&["region", "id"])));
        table.indexes.push(index("orders_id", &["id"]));
        assert_eq!(walk_key(&table), Some(key(&["id"])), "the fewest columns");
        table.primary_key = Some(PrimaryKey {
            name: "orders_pkey".into(),
            columns: key(&["id", "region"]),
            include: Vec::new(),
            deferral: crate::schema::Deferral::NotDeferrable,
        });
        assert_eq!(walk_key(&table), Some(key(&["id", "region"])));
        table.partition_by = Some("RANGE (id)".to_owned());
        assert_eq!(walk_key(&table), None, "ctids repeat across partitions");
    }

    #[test]
    fn an_index_walks_only_when_plain_complete_and_ascending() {
        let mut table = table(false);
        let mut partial = index("partial", &["id"]);
        partial.predicate = Some("id > 0".to_owned());
        let mut descending = index("descending", &["id"]);
        descending.keys[0].descending = true;
        let mut expression = index("expression", &["id"]);
        expression.keys[0].target = KeyTarget::Expression("lower(code)".to_owned());
        let mut hash = index("hash", &["id"]);
        hash.method = "hash".into();
        let mut not_unique = index("not_unique", &["id"]);
        not_unique.unique = false;
        table.indexes = vec![partial, descending, expression, hash, not_unique];
        assert_eq!(walk_key(&table), None);
        table.indexes.push(index("orders_code", &["code"]));
        assert_eq!(walk_key(&table), Some(key(&["code"])));
    }
}
