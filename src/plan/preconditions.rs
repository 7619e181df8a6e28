//! The plan's first file, `00-preconditions.sql`: for every change whose chosen path needs
//! clean data (no NULLs before NOT NULL, no duplicated keys before a unique key, no orphans
//! before a foreign key is validated, only values the cast converts, no row holding a dropped
//! enum label), a read-only check that stops with the change, the count and a query listing
//! the offending rows. Data changes between planning and applying, so the file is cheap to
//! re-run and each phase's notes say to re-run it first.
//!
//! Pure: the checks are SQL text; nothing here touches a database.

use crate::decide::{Answers, ChangeId, Settings};
use crate::diff::Change;
use crate::rules::{self, Decisions};
use crate::sql::quote_literal;
use crate::step::precondition::Check;
use crate::step::{Lock, Phase, Statement, Work};

use super::cost;
use super::file::{FileKind, PlanFile, PlannedStatement};

/// The name of the preconditions file (`00-preconditions.sql`).
pub const FILE_NAME: &str = "00-preconditions";

/// The checks `changes` need with `answers`, in change order.
#[must_use]
pub fn checks(changes: &[Change], settings: &Settings, answers: &Answers) -> Vec<Check> {
    changes
        .iter()
        .flat_map(|change| {
            let id = change.id();
            let decisions = Decisions {
                settings,
                answers,
                change: &id,
            };
            rules::preconditions(change, &decisions)
        })
        .collect()
}

/// The preconditions file for `checks`: one transaction, read-only, with no rollback (it
/// changes nothing), waiting at most `lock_timeout_ms` for each table's ACCESS SHARE lock;
/// `None` when there is nothing to check.
#[must_use]
pub fn file(checks: &[Check], lock_timeout_ms: u64) -> Option<PlanFile> {
    if checks.is_empty() {
        return None;
    }
    let mut statements = vec![PlannedStatement {
        change: ChangeId::global(),
        tables: Vec::new(),
        statement: Statement::new(
            "SET TRANSACTION READ ONLY",
            Lock::None,
            "the checks only read: nothing in this file can change the database",
        ),
    }];
    statements.extend(checks.iter().map(|check| PlannedStatement {
        change: check.change.clone(),
        tables: Vec::new(),
        statement: Statement {
            work: Work::Scan,
            ..Statement::new(
                block(check),
                Lock::AccessShare,
                format!(
                    "stops the plan while there are {}; re-run before each phase",
                    check.what
                ),
            )
        },
    }));
    Some(PlanFile {
        name: FILE_NAME.to_owned(),
        phase: Phase::Preconditions,
        kind: FileKind::Transaction,
        lock_timeout_ms,
        statement_timeout_ms: 0,
        // ACCESS SHARE blocks no client; only DDL waits, and at most its own lock_timeout.
        budget_ms: lock_timeout_ms,
        duration: cost::duration_class(statements.iter().map(|p| &p.statement)),
        strongest_lock: cost::strongest_lock(statements.iter().map(|p| &p.statement)),
        locks: Vec::new(),
        statements,
        rollback: Vec::new(),
        rollback_warnings: Vec::new(),
        gates: Vec::new(),
    })
}

/// The `DO` block of one check: counts, and raises an error naming the change, the count and
/// the query that lists the rows.
fn block(check: &Check) -> String {
    let body = format!(
        "\nDECLARE\n  offending int8 := 0;\n  r record;\nBEGIN\n{count}\n  IF offending > 0 THEN\n    \
         RAISE EXCEPTION '% (%): % %; list them with: %', {change}, 'precondition', offending, \
         {what}, {list};\n  END IF;\nEND\n",
        count = check.count,
        change = quote_literal(check.change.as_str()),
        what = quote_literal(&check.what),
        list = quote_literal(&check.list),
    );
    format!("DO {}", quote_literal(&body))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::rules::set_not_null;
    use crate::rules::test_support::Fixture;

    const LIVE: &str = "schemas:\n  public:\n    tables:\n      t:\n        columns:\n          \
                        note: text\n";
    const DESIRED: &str = "schemas:\n  public:\n    tables:\n      t:\n        columns:\n          \
                           note: { type: text, nullable: false }\n";

    fn changes(fixture: &Fixture) -> Vec<Change> {
        crate::diff::diff(&fixture.live, &fixture.desired, &fixture.stats)
    }

    #[test]
    fn a_path_that_needs_clean_data_is_checked_and_a_fill_is_not() {
        let fixture = Fixture::new(LIVE, DESIRED);
        let changes = changes(&fixture);
        let found = checks(&changes, &Settings::default(), &fixture.answers);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].what, "rows where t.note is NULL");
        assert_eq!(found[0].list, "SELECT * FROM public.t WHERE note IS NULL");
        let filled = fixture.answer(&changes[0], set_not_null::NULLS, "fill", Some("''"));
        assert!(checks(&changes, &Settings::default(), &filled.answers).is_empty());
    }

    #[test]
    fn the_file_only_reads_and_stops_with_the_change_the_count_and_the_query() {
        let fixture = Fixture::new(LIVE, DESIRED);
        let made = file(
            &checks(&changes(&fixture), &Settings::default(), &fixture.answers),
            1000,
        )
        .unwrap();
        assert_eq!(made.name, FILE_NAME);
        assert!(made.rollback.is_empty());
        assert_eq!(
            made.statements[0].statement.sql,
            "SET TRANSACTION READ ONLY"
        );
        let check = &made.statements[1].statement.sql;
        assert!(check.starts_with("DO '"), "{check}");
        assert!(
            check.contains("''public.t.note'', ''precondition'', offending"),
            "{check}"
        );
        assert!(file(&[], 1000).is_none());
    }
}
