//! The lock discipline every zero-downtime plan must keep, checked from the plan's own data
//! (each statement's lock, work and tables), so that `verify` and the tests can prove it of any
//! plan folder rather than trust the planner:
//!
//! - no transaction holds a lock that blocks reads or writes while it, or a later statement of
//!   the same transaction, scans, rewrites or updates rows;
//! - no transaction takes a stronger lock on a table it already locked (an upgrade waits for
//!   every client holding the weaker lock's conflicts, and can deadlock with them);
//! - tables are first locked in one order (table name order) in every transaction, so the plan
//!   cannot deadlock with itself or with traffic that locks them the same way;
//! - a statement that needs a blocking lock runs in a transaction whose first statement took
//!   that lock with retries, under a short, non-zero `lock_timeout`.

use std::collections::BTreeMap;
use std::fmt;

use super::file::{FileKind, PlanFile, PlannedStatement};
use super::locks::{self, blocks_clients};
use crate::schema::TableRef;
use crate::step::{Lock, Work};

/// The longest `lock_timeout` that counts as short: a statement waiting this long for its lock
/// holds every client queued behind it as long.
pub const LONGEST_SHORT_LOCK_TIMEOUT_MS: u64 = 5_000;

/// One broken rule, in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub file: String,
    /// The statement's position in the file, from 1; 0 for the file as a whole.
    pub statement: usize,
    pub rule: Rule,
    pub detail: String,
}

/// The rules of the discipline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Rows are scanned or written while a lock blocking clients is held.
    WorkUnderBlockingLock,
    /// A table already locked is locked again in a stronger mode.
    LockUpgrade,
    /// A table is first locked after a table that sorts after it.
    TableOrder,
    /// A blocking lock is taken without the retrying prologue.
    NoRetry,
    /// A blocking lock is waited for without a short lock_timeout.
    LongLockTimeout,
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::WorkUnderBlockingLock => "works on rows under a blocking lock",
            Self::LockUpgrade => "upgrades a lock",
            Self::TableOrder => "locks tables out of order",
            Self::NoRetry => "takes a blocking lock without retries",
            Self::LongLockTimeout => "waits for a blocking lock without a short lock_timeout",
        })
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.statement == 0 {
            write!(f, "{}: {}: {}", self.file, self.rule, self.detail)
        } else {
            write!(
                f,
                "{} statement {}: {}: {}",
                self.file, self.statement, self.rule, self.detail
            )
        }
    }
}

/// Every violation of the discipline in `files` (a zero-downtime plan's), in file order.
#[must_use]
pub fn check(files: &[PlanFile]) -> Vec<Violation> {
    let mut found = Vec::new();
    for file in files {
        match file.kind {
            FileKind::Gate => {}
            FileKind::Transaction => transaction(file, &mut found),
            _ => statement_by_statement(file, &mut found),
        }
    }
    found
}

/// A transaction file: one transaction for all its statements.
fn transaction(file: &PlanFile, found: &mut Vec<Violation>) {
    let mut report = |statement: usize, rule: Rule, detail: String| {
        found.push(Violation {
            file: file.name.clone(),
            statement,
            rule,
            detail,
        });
    };
    let retried = opens_with_prologue(file);
    let mut first_locks: BTreeMap<&TableRef, Lock> = BTreeMap::new();
    let mut last_first: Option<&TableRef> = None;
    let mut blocking_held: Option<&TableRef> = None;
    let mut blocks_anyone = false;
    for (at, planned) in file.statements.iter().enumerate() {
        let number = at + 1;
        let statement = &planned.statement;
        if retried && at == 0 {
            // The prologue takes each table in its own mode (`file.locks`), in table order;
            // its one statement records only the strongest of them.
            for (table, mode) in &file.locks {
                first_locks.insert(table, *mode);
                last_first = Some(table);
                if blocks_clients(*mode) {
                    blocks_anyone = true;
                    blocking_held = blocking_held.or(Some(table));
                }
            }
            continue;
        }
        if statement.work != Work::Metadata
            && (blocking_held.is_some() || blocks_clients(statement.lock))
        {
            let held = blocking_held.or(planned.tables.first());
            report(
                number,
                Rule::WorkUnderBlockingLock,
                work_detail(planned, held),
            );
        }
        if statement.lock < Lock::ShareUpdateExclusive {
            continue;
        }
        for table in &planned.tables {
            match first_locks.get(table) {
                None => {
                    if last_first.is_some_and(|last| last > table) {
                        report(
                            number,
                            Rule::TableOrder,
                            format!(
                                "{table} is locked after {}",
                                last_first.map(ToString::to_string).unwrap_or_default()
                            ),
                        );
                    }
                    first_locks.insert(table, statement.lock);
                    last_first = Some(table);
                }
                Some(first) if statement.lock > *first => report(
                    number,
                    Rule::LockUpgrade,
                    format!(
                        "{table}: {} after {}",
                        statement.lock.sql_name(),
                        first.sql_name()
                    ),
                ),
                Some(_) => {}
            }
            if blocks_clients(statement.lock) {
                blocks_anyone = true;
                blocking_held = blocking_held.or(Some(table));
                if !retried || !covered(file, table, statement.lock) {
                    report(
                        number,
                        Rule::NoRetry,
                        format!("{} on {table}", statement.lock.sql_name()),
                    );
                }
            }
        }
    }
    if blocks_anyone {
        lock_timeout(file, found);
    }
}

/// A file whose statements each run on their own: a blocking statement must wait for its lock
/// under a short timeout of its own, with retries (the file's timeout may be long, for
/// concurrent builds), and do no work on rows.
fn statement_by_statement(file: &PlanFile, found: &mut Vec<Violation>) {
    for (at, planned) in file.statements.iter().enumerate() {
        let statement = &planned.statement;
        if !blocks_clients(statement.lock) {
            continue;
        }
        let mut report = |rule: Rule, detail: String| {
            found.push(Violation {
                file: file.name.clone(),
                statement: at + 1,
                rule,
                detail,
            });
        };
        if statement.work != Work::Metadata {
            report(
                Rule::WorkUnderBlockingLock,
                work_detail(planned, planned.tables.first()),
            );
        }
        if !crate::step::retry::retries_on_its_own(&statement.sql) {
            report(
                Rule::NoRetry,
                format!(
                    "{} without a short lock_timeout of its own and retries",
                    statement.lock.sql_name()
                ),
            );
        }
    }
}

fn lock_timeout(file: &PlanFile, found: &mut Vec<Violation>) {
    if file.lock_timeout_ms == 0 || file.lock_timeout_ms > LONGEST_SHORT_LOCK_TIMEOUT_MS {
        found.push(Violation {
            file: file.name.clone(),
            statement: 0,
            rule: Rule::LongLockTimeout,
            detail: format!(
                "lock_timeout is {} ms; at most {LONGEST_SHORT_LOCK_TIMEOUT_MS} ms, and not 0",
                file.lock_timeout_ms
            ),
        });
    }
}

/// Whether the file's first statement is the prologue that takes `file.locks` with retries.
fn opens_with_prologue(file: &PlanFile) -> bool {
    !file.locks.is_empty()
        && file.statements.first().is_some_and(|first| {
            first.statement.sql == locks::prologue(&file.locks, file.lock_timeout_ms).sql
        })
}

/// Whether the prologue took `table` in `lock` or a stronger mode.
fn covered(file: &PlanFile, table: &TableRef, lock: Lock) -> bool {
    file.locks
        .iter()
        .any(|(taken, mode)| taken == table && *mode >= lock)
}

fn work_detail(planned: &PlannedStatement, held: Option<&TableRef>) -> String {
    let on = held.map_or_else(String::new, |table| format!(" while {table} is locked"));
    format!(
        "{} {}{on}: {}",
        planned.change,
        planned.statement.work,
        crate::sql::excerpt(&planned.statement.sql, 80)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decide::ChangeId;
    use crate::step::Phase;
    use crate::step::Statement;

    fn on(table: &str, sql: &str, lock: Lock, work: Work) -> PlannedStatement {
        PlannedStatement {
            change: ChangeId::global(),
            tables: vec![TableRef::new("public", table)],
            statement: Statement::new(sql, lock, "").doing(work, Some(1_000_000)),
        }
    }

    fn file(statements: Vec<PlannedStatement>, lock_timeout_ms: u64) -> PlanFile {
        PlanFile {
            name: "06-validate".to_owned(),
            phase: Phase::Validate,
            kind: FileKind::Transaction,
            lock_timeout_ms,
            statement_timeout_ms: 0,
            budget_ms: 0,
            duration: crate::plan::DurationClass::Instant,
            strongest_lock: Lock::None,
            locks: Vec::new(),
            statements,
            rollback: Vec::new(),
            rollback_warnings: Vec::new(),
            gates: Vec::new(),
        }
    }

    /// The validate file of a naive plan: NOT NULL set on one table, then a check and a foreign
    /// key validated (full scans) in the same transaction, with a long lock timeout.
    fn naive_validate() -> PlanFile {
        file(
            vec![
                on(
                    "order_items",
                    "ALTER TABLE order_items ALTER COLUMN quantity_new SET NOT NULL",
                    Lock::AccessExclusive,
                    Work::Metadata,
                ),
                on(
                    "orders",
                    "ALTER TABLE orders VALIDATE CONSTRAINT orders_shipping_address_not_null",
                    Lock::ShareUpdateExclusive,
                    Work::Scan,
                ),
                on(
                    "orders",
                    "ALTER TABLE orders ALTER COLUMN shipping_address SET NOT NULL",
                    Lock::AccessExclusive,
                    Work::Metadata,
                ),
                on(
                    "order_items",
                    "ALTER TABLE order_items VALIDATE CONSTRAINT order_items_product_id_fkey",
                    Lock::ShareUpdateExclusive,
                    Work::Scan,
                ),
            ],
            5_000_000,
        )
    }

    #[test]
    fn a_naive_validate_file_breaks_every_rule() {
        let found = check(&[naive_validate()]);
        let rules: Vec<(usize, Rule)> = found.iter().map(|v| (v.statement, v.rule)).collect();
        assert_eq!(
            rules,
            [
                (1, Rule::NoRetry),
                (2, Rule::WorkUnderBlockingLock),
                (3, Rule::LockUpgrade),
                (3, Rule::NoRetry),
                (4, Rule::WorkUnderBlockingLock),
                (0, Rule::LongLockTimeout),
            ],
            "{found:#?}"
        );
        assert_eq!(
            found[1].to_string(),
            "06-validate statement 2: works on rows under a blocking lock: global scans the \
             table while public.order_items is locked: ALTER TABLE orders VALIDATE CONSTRAINT \
             orders_shipping_address_not_null"
        );
    }

    #[test]
    fn locks_taken_first_with_retries_keep_the_discipline() {
        let statements = vec![
            on(
                "orders",
                "ALTER TABLE orders ALTER COLUMN shipping_address SET NOT NULL",
                Lock::AccessExclusive,
                Work::Metadata,
            ),
            on(
                "orders",
                "ALTER TABLE orders DROP CONSTRAINT c",
                Lock::AccessExclusive,
                Work::Metadata,
            ),
        ];
        let mut good = file(statements, 1_000);
        good.locks = locks::locks_taken(&good.statements);
        good.statements.insert(
            0,
            PlannedStatement {
                change: ChangeId::global(),
                tables: vec![TableRef::new("public", "orders")],
                statement: locks::prologue(&good.locks, good.lock_timeout_ms),
            },
        );
        assert_eq!(check(std::slice::from_ref(&good)), []);

        // The same statements without the prologue wait for their lock without retries.
        let mut bare = good.clone();
        bare.statements.remove(0);
        let rules: Vec<Rule> = check(&[bare]).iter().map(|v| v.rule).collect();
        assert_eq!(rules, [Rule::NoRetry, Rule::NoRetry]);
    }

    #[test]
    fn tables_are_locked_in_name_order() {
        let statements = vec![
            on(
                "users",
                "ALTER TABLE users ADD COLUMN a int",
                Lock::AccessExclusive,
                Work::Metadata,
            ),
            on(
                "orders",
                "ALTER TABLE orders ADD COLUMN b int",
                Lock::AccessExclusive,
                Work::Metadata,
            ),
        ];
        let found = check(&[file(statements, 1_000)]);
        assert!(
            found.iter().any(|v| v.rule == Rule::TableOrder
                && v.statement == 2
                && v.detail == "public.orders is locked after public.users"),
            "{found:#?}"
        );
    }

    #[test]
    fn a_validation_alone_blocks_no_one() {
        let alone = file(
            vec![on(
                "orders",
                "ALTER TABLE orders VALIDATE CONSTRAINT c",
                Lock::ShareUpdateExclusive,
                Work::Scan,
            )],
            1_000,
        );
        assert_eq!(check(&[alone]), []);
    }

    #[test]
    fn a_blocking_build_outside_a_transaction_is_reported() {
        let mut build = file(
            vec![on(
                "orders",
                "CREATE INDEX i ON orders (id)",
                Lock::Share,
                Work::Scan,
            )],
            1_000,
        );
        build.kind = FileKind::Concurrently;
        let rules: Vec<Rule> = check(&[build]).iter().map(|v| v.rule).collect();
        assert_eq!(rules, [Rule::WorkUnderBlockingLock, Rule::NoRetry]);
    }
}
