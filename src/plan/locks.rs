//! Lock discipline as the planner applies it: which tables a change's statements lock; the
//! prologue that takes a transaction's locks before anything else — each table once, in the
//! strongest mode the transaction needs, in one table order across the plan — retrying with
//! backoff and jitter while a lock is not free; and the budget, the longest a client can wait
//! because of a file.
//!
//! Why: a DDL statement queued for its lock blocks every later query on the table, so it must
//! give up quickly (`lock_timeout`) and try again later rather than wait. A transaction that
//! first takes a weak lock and later a stronger one on the same table, or locks tables in
//! different orders, can deadlock with ordinary row-level traffic; taking every lock first,
//! strongest mode first, in one order, rules both out. A retry releases every lock the attempt
//! took (the attempt is a subtransaction), so the application runs between attempts.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::file::PlannedStatement;
use crate::schema::TableRef;
use crate::sql::{quote_literal, quote_qualified};
use crate::step::Lock;
use crate::step::Statement;
use crate::step::retry::{self, LOCK_RETRIES};

/// What a file's brief, metadata-only statements may add to a client's wait once the locks
/// are held.
pub const BRIEF_STATEMENTS_MS: u64 = 500;

/// Every table that `statements` lock at SHARE UPDATE EXCLUSIVE or stronger, with the
/// strongest mode any of them takes on it, in table order.
#[must_use]
pub fn locks_taken(statements: &[PlannedStatement]) -> Vec<(TableRef, Lock)> {
    let mut strongest: BTreeMap<&TableRef, Lock> = BTreeMap::new();
    for planned in statements {
        if planned.statement.lock < Lock::ShareUpdateExclusive {
            continue;
        }
        for table in &planned.tables {
            let lock = strongest.entry(table).or_insert(planned.statement.lock);
            *lock = (*lock).max(planned.statement.lock);
        }
    }
    strongest
        .into_iter()
        .map(|(table, lock)| (table.clone(), lock))
        .collect()
}

/// Whether `lock` blocks the application's reads or writes.
#[must_use]
pub fn blocks_clients(lock: Lock) -> bool {
    lock >= Lock::Share
}

/// How long the prologue waits for each lock after its first one, while it holds that one:
/// well under PostgreSQL's `deadlock_timeout` (1 s by default). A client that queued behind a
/// held lock and then waits for one the prologue wants next forms a deadlock with it; the
/// prologue gives up (releasing everything) before the client's deadlock check runs, so the
/// client only waits and never fails.
pub const HELD_LOCK_WAIT_MS: u64 = 200;

/// The statement that opens a transaction: it takes `locks` in order, the first within the
/// file's `lock_timeout` (`lock_timeout_ms`), the rest within the shorter of it and
/// [`HELD_LOCK_WAIT_MS`]; when one is not free in time, releases them all, pauses and tries
/// again, up to [`LOCK_RETRIES`] times. A table that no longer exists (renamed or dropped by
/// an earlier run of the same file) is skipped, so the file can still run again.
#[must_use]
pub fn prologue(locks: &[(TableRef, Lock)], lock_timeout_ms: u64) -> Statement {
    let mut take = String::new();
    for (index, (table, lock)) in locks.iter().enumerate() {
        if index == 1 {
            let _ = writeln!(
                take,
                "-- A lock is held from here on: wait only briefly for the others.\n\
                 PERFORM set_config('lock_timeout', {}, true);",
                quote_literal(&format!("{}ms", held_wait_ms(lock_timeout_ms)))
            );
        }
        let name = quote_qualified(&table.schema, &table.name);
        let _ = write!(
            take,
            "IF to_regclass({}) IS NOT NULL THEN\n  LOCK TABLE {name} IN {} MODE;\nEND IF;\n",
            quote_literal(&name),
            lock.sql_name()
        );
    }
    if locks.len() > 1 {
        take.push_str("PERFORM set_config('lock_timeout', file_lock_timeout, true);\n");
    }
    let declare = if locks.len() > 1 {
        "  attempt integer := 0;\n  file_lock_timeout text := current_setting('lock_timeout');\n"
    } else {
        "  attempt integer := 0;\n"
    };
    let sql = format!(
        "DO $lock$\nDECLARE\n{declare}BEGIN\n{}END\n$lock$",
        retry::indent(&retry::retry_loop(&take), 1)
    );
    let strongest = locks
        .iter()
        .map(|(_, lock)| *lock)
        .max()
        .unwrap_or(Lock::None);
    let names: Vec<String> = locks
        .iter()
        .map(|(table, lock)| format!("{table} ({})", lock.sql_name()))
        .collect();
    Statement::new(
        sql,
        strongest,
        format!(
            "takes this transaction's locks first, strongest mode, in table order: {}; \
             retried up to {LOCK_RETRIES} times, with growing pauses, when one is not free \
             within lock_timeout (each try releases what it took)",
            names.join(", ")
        ),
    )
}

/// How long the prologue waits for a lock while holding another.
fn held_wait_ms(lock_timeout_ms: u64) -> u64 {
    if lock_timeout_ms == 0 {
        HELD_LOCK_WAIT_MS
    } else {
        lock_timeout_ms.min(HELD_LOCK_WAIT_MS)
    }
}

/// The longest a client can wait because of a file whose transactions each lock at most
/// `tables` tables: one `lock_timeout` queued behind the prologue's first lock, a brief wait
/// for each further one while the first is held, then the brief statements. 0 when
/// `lock_timeout` is off: then nothing bounds it.
#[must_use]
pub fn budget_ms(lock_timeout_ms: u64, tables: usize) -> u64 {
    if lock_timeout_ms == 0 {
        return 0;
    }
    let further = u64::try_from(tables.saturating_sub(1)).unwrap_or(u64::MAX);
    lock_timeout_ms
        .saturating_add(further.saturating_mul(held_wait_ms(lock_timeout_ms)))
        .saturating_add(BRIEF_STATEMENTS_MS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decide::ChangeId;

    fn planned(table: &str, lock: Lock) -> PlannedStatement {
        PlannedStatement {
            change: ChangeId::global(),
            tables: vec![TableRef::new("public", table)],
            statement: Statement::new("SELECT 1", lock, ""),
        }
    }

    #[test]
    fn locks_are_the_strongest_per_table_in_table_order() {
        let statements = [
            planned("orders", Lock::ShareUpdateExclusive),
            planned("items", Lock::ShareRowExclusive),
            planned("orders", Lock::AccessExclusive),
            planned("users", Lock::RowExclusive),
        ];
        assert_eq!(
            locks_taken(&statements),
            [
                (TableRef::new("public", "items"), Lock::ShareRowExclusive),
                (TableRef::new("public", "orders"), Lock::AccessExclusive),
            ]
        );
    }

    #[test]
    fn the_prologue_locks_in_order_and_retries() {
        let statement = prologue(
            &[
                (TableRef::new("public", "items"), Lock::ShareRowExclusive),
                (TableRef::new("public", "orders"), Lock::AccessExclusive),
            ],
            1_000,
        );
        assert_eq!(statement.lock, Lock::AccessExclusive);
        insta::assert_snapshot!(statement.sql, @"
        DO $lock$
        DECLARE
          attempt integer := 0;
          file_lock_timeout text := current_setting('lock_timeout');
        BEGIN
          LOOP
            BEGIN
              IF to_regclass('public.items') IS NOT NULL THEN
                LOCK TABLE public.items IN SHARE ROW EXCLUSIVE MODE;
              END IF;
              -- A lock is held from here on: wait only briefly for the others.
              PERFORM set_config('lock_timeout', '200ms', true);
              IF to_regclass('public.orders') IS NOT NULL THEN
                LOCK TABLE public.orders IN ACCESS EXCLUSIVE MODE;
              END IF;
              PERFORM set_config('lock_timeout', file_lock_timeout, true);
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
        $lock$
        ");
    }

    #[test]
    fn the_budget_is_one_lock_timeout_per_blocked_table() {
        assert_eq!(budget_ms(1_000, 0), 1_500);
        assert_eq!(budget_ms(1_000, 1), 1_500);
        assert_eq!(budget_ms(1_000, 3), 1_900);
        assert_eq!(budget_ms(100, 2), 700);
        assert_eq!(budget_ms(0, 2), 0);
    }
}
