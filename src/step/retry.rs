//! Waiting for a lock without blocking clients: a statement that needs a lock other sessions
//! may hold runs with a short `lock_timeout` and, when the lock is not free in time, undoes
//! its attempt (a subtransaction, so every lock it took is released and the application runs
//! in between), pauses with backoff and jitter, and tries again.

use std::fmt::Write as _;

/// How many times a transaction tries again after its locks were not free in time.
pub const LOCK_RETRIES: u32 = 10;

/// The first pause between attempts; each pause doubles, up to [`LONGEST_PAUSE_MS`], and is
/// scaled by a random factor between 0.5 and 1.5 so that retries do not line up.
const FIRST_PAUSE_MS: u64 = 100;

const LONGEST_PAUSE_MS: u64 = 5_000;

/// `body` (statements, each ending in `;`) in a loop that runs it as a subtransaction and,
/// when a lock is not free within `lock_timeout` (or the body raises `lock_not_available`
/// itself), undoes it, says why in a notice, pauses and tries again, up to [`LOCK_RETRIES`]
/// times before giving up with the error. For a PL/pgSQL block that
/// declares `attempt integer := 0`.
#[must_use]
pub fn retry_loop(body: &str) -> String {
    format!(
        "LOOP\n  BEGIN\n{}    EXIT;\n  EXCEPTION WHEN lock_not_available THEN\n    attempt := \
         attempt + 1;\n    IF attempt > {LOCK_RETRIES} THEN\n      RAISE;\n    END IF;\n    \
         RAISE NOTICE '%; attempt % of {LOCK_RETRIES} follows', SQLERRM, \
         attempt;\n    PERFORM pg_sleep(least({first} * 2 ^ (attempt - 1), {longest}) * (0.5 + \
         random()));\n  END;\nEND LOOP;\n",
        indent(body, 2),
        first = seconds(FIRST_PAUSE_MS),
        longest = seconds(LONGEST_PAUSE_MS),
    )
}

/// A statement run on its own (outside a transaction file) that waits for a blocking lock:
/// a `DO` block with its own short `lock_timeout`, running `body` in [`retry_loop`] when
/// `condition` holds.
#[must_use]
pub fn retrying_when(condition: &str, lock_timeout_ms: u64, body: &str) -> String {
    let timeout = crate::sql::duration(lock_timeout_ms);
    format!(
        "DO $guard$\nDECLARE\n  attempt integer := 0;\nBEGIN\n  IF {condition} THEN\n    SET \
         LOCAL lock_timeout = '{timeout}';\n{}  END IF;\nEND\n$guard$",
        indent(&retry_loop(body), 2)
    )
}

/// Whether `sql`, run on its own, retries the locks it waits for under a short timeout of its
/// own (made by [`retrying_when`]).
#[must_use]
pub fn retries_on_its_own(sql: &str) -> bool {
    sql.contains("SET LOCAL lock_timeout") && sql.contains("EXCEPTION WHEN lock_not_available")
}

pub(crate) fn indent(text: &str, levels: usize) -> String {
    let pad = "  ".repeat(levels);
    text.lines().fold(String::new(), |mut out, line| {
        let _ = writeln!(out, "{pad}{line}");
        out
    })
}

fn seconds(ms: u64) -> String {
    format!("{}.{:03}", ms / 1_000, ms % 1_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lone_statement_retries_under_its_own_lock_timeout() {
        let sql = retrying_when("EXISTS (SELECT 1)", 1_000, "DROP INDEX public.i;");
        assert!(retries_on_its_own(&sql));
        insta::assert_snapshot!(sql, @"
        DO $guard$
        DECLARE
          attempt integer := 0;
        BEGIN
          IF EXISTS (SELECT 1) THEN
            SET LOCAL lock_timeout = '1s';
            LOOP
              BEGIN
                DROP INDEX public.i;
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
          END IF;
        END
        $guard$
        ");
    }
}
