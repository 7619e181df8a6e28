//! `add-index`: a new index on an existing table.

use crate::ddl::{IndexBuild, comment, create_index_statement};
use crate::diff::change;
use crate::schema::{Index, TableRef};
use crate::sql::quote_qualified;
use crate::step::guard;
use crate::step::{Phase, Rollback, Runs, Statement, Step};

use super::set_not_null::target;
use super::{Assessment, Context, Cost, Decisions, Explanation, Rule};
use crate::step::{Lock, Work};

pub struct AddIndex;

const EXPLANATION: Explanation = Explanation {
    title: "A new index",
    risk: "CREATE INDEX holds a SHARE lock for the whole build: reads go on, every write to the \
           table waits until the index is built. A unique index fails on duplicate keys.",
    instead: "CREATE INDEX CONCURRENTLY outside a transaction: writes go on while the build \
              scans the table twice. A failed build leaves an INVALID index (pg_index.indisvalid \
              is false); re-running the phase drops it and builds again.",
    rollback: "DROP INDEX CONCURRENTLY IF EXISTS.",
};

impl Rule for AddIndex {
    type Change = change::AddIndex;

    fn explanation(&self) -> &'static Explanation {
        &EXPLANATION
    }

    fn assess(&self, change: &Self::Change, context: &Context) -> Assessment {
        let Self::Change { table, index } = change;
        let rows = context.rows(table);
        let fails = if index.unique {
            "; fails on duplicate keys"
        } else {
            ""
        };
        Assessment {
            rule: self.id(),
            cost: Cost {
                work: Work::Scan,
                can_fail_on_data: index.unique,
                ..Cost::metadata(Lock::Share)
            },
            summary: format!(
                "index {} on {}: a plain CREATE INDEX reads {} while writes wait (SHARE){fails}",
                index.name,
                table.name,
                super::rows_text(rows)
            ),
        }
    }

    fn steps(&self, change: &Self::Change, context: &Context, decisions: &Decisions) -> Vec<Step> {
        let Self::Change { table, index } = change;
        let rows = context.rows(table);
        if decisions.zero_downtime() && context.live.table(table).is_some() {
            vec![
                Step::sql(
                    Phase::Expand,
                    build_concurrently(table, index, rows, decisions.settings.lock_timeout_ms),
                    Rollback::by(vec![drop_concurrently(&table.schema, &index.name)]),
                )
                .running(Runs::Concurrently),
            ]
        } else {
            let mut statements = build_in_transaction(table, index, rows);
            if context.live.table(table).is_none() {
                // A table the plan creates is empty: the build is over at once.
                for statement in &mut statements {
                    statement.work = Work::Metadata;
                    statement.rows = None;
                    statement.note = "the table is new and empty".to_owned();
                }
            }
            vec![Step::sql(
                Phase::Expand,
                statements,
                Rollback::by(vec![drop_in_transaction(&table.schema, &index.name)]),
            )]
        }
    }
}

/// Drops an INVALID leftover of the index, then builds it with `CREATE INDEX CONCURRENTLY IF
/// NOT EXISTS` (and sets its comment): statements for a [`Runs::Concurrently`] step.
pub(crate) fn build_concurrently(
    table: &TableRef,
    index: &Index,
    rows: Option<u64>,
    lock_timeout_ms: u64,
) -> Vec<Statement> {
    let mut statements = vec![Statement::new(
        guard::drop_invalid_index(&table.schema, &index.name, lock_timeout_ms),
        Lock::AccessExclusive,
        "drops an INVALID index left by a failed earlier build (pg_index.indisvalid = false); \
         brief, under a short lock_timeout of its own, retried",
    )];
    let create = create_index_statement(&target(table), index, IndexBuild::Concurrently);
    let mut note =
        "builds without blocking writes; waits for older transactions to finish".to_owned();
    if index.unique {
        note.push_str("; fails on duplicate keys and leaves an INVALID index");
    }
    statements
        .push(Statement::new(create, Lock::ShareUpdateExclusive, note).doing(Work::Scan, rows));
    statements.extend(index_comment(table, index));
    statements
}

/// `COMMENT ON INDEX`, when the index has a comment.
fn index_comment(table: &TableRef, index: &Index) -> Option<Statement> {
    comment(
        "INDEX",
        &quote_qualified(&table.schema, &index.name),
        index.comment.as_deref(),
    )
    .map(|sql| Statement::new(sql, Lock::None, "the index's comment"))
}

/// `CREATE INDEX IF NOT EXISTS` in a transaction: writes wait for the whole build.
pub(crate) fn build_in_transaction(
    table: &TableRef,
    index: &Index,
    rows: Option<u64>,
) -> Vec<Statement> {
    let create = create_index_statement(&target(table), index, IndexBuild::Plain);
    let mut statements = vec![
        Statement::new(
            create,
            Lock::Share,
            "writes to the table wait for the whole build",
        )
        .doing(Work::Scan, rows),
    ];
    statements.extend(index_comment(table, index));
    statements
}

/// `DROP INDEX CONCURRENTLY IF EXISTS`: waits for queries using the index, blocks nothing.
pub(crate) fn drop_concurrently(schema: &str, name: &str) -> Statement {
    Statement::new(
        format!(
            "DROP INDEX CONCURRENTLY IF EXISTS {}",
            quote_qualified(schema, name)
        ),
        Lock::ShareUpdateExclusive,
        "waits for transactions using the index; blocks neither reads nor writes",
    )
}

/// `DROP INDEX IF EXISTS` in a transaction: a brief ACCESS EXCLUSIVE lock on the table.
pub(crate) fn drop_in_transaction(schema: &str, name: &str) -> Statement {
    Statement::new(
        format!("DROP INDEX IF EXISTS {}", quote_qualified(schema, name)),
        Lock::AccessExclusive,
        "brief",
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::test_support::Fixture;
    use super::*;

    const LIVE: &str = "schemas:\n  public:\n    tables:\n      orders:\n        columns:\n          id: bigint\n          note: text\n";
    const DESIRED: &str = "schemas:\n  public:\n    tables:\n      orders:\n        columns:\n          id: bigint\n          note: text\n        indexes:\n          - { name: orders_note_idx, columns: [note], comment: by note }\n";

    fn change(fixture: &Fixture) -> change::AddIndex {
        let table = TableRef::new("public", "orders");
        let index = fixture.desired.table(&table).unwrap().indexes[0].clone();
        change::AddIndex { table, index }
    }

    #[test]
    fn zero_downtime_builds_concurrently_after_dropping_an_invalid_leftover() {
        let fixture = Fixture::new(LIVE, DESIRED).with_rows(&[("public.orders", 50_000)]);
        let text = fixture.steps_text(&AddIndex, &change(&fixture));
        insta::assert_snapshot!(text, @"
        == expand (Concurrently)
        DO $guard$
        DECLARE
          attempt integer := 0;
        BEGIN
          IF EXISTS (SELECT 1 FROM pg_catalog.pg_index WHERE indexrelid = to_regclass('public.orders_note_idx') AND NOT indisvalid) THEN
            SET LOCAL lock_timeout = '1s';
            LOOP
              BEGIN
                DROP INDEX public.orders_note_idx;
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
        $guard$;  -- ACCESS EXCLUSIVE, metadata only
        CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_note_idx ON public.orders USING btree (note);  -- SHARE UPDATE EXCLUSIVE, scans the table
        COMMENT ON INDEX public.orders_note_idx IS 'by note';  -- no table lock, metadata only
        rollback: DROP INDEX CONCURRENTLY IF EXISTS public.orders_note_idx;
        ");
    }

    #[test]
    fn a_window_builds_in_a_transaction() {
        let fixture = Fixture::new(LIVE, DESIRED).window();
        let text = fixture.steps_text(&AddIndex, &change(&fixture));
        insta::assert_snapshot!(text, @r"
        == expand (InTransaction)
        CREATE INDEX IF NOT EXISTS orders_note_idx ON public.orders USING btree (note);  -- SHARE, scans the table
        COMMENT ON INDEX public.orders_note_idx IS 'by note';  -- no table lock, metadata only
        rollback: DROP INDEX IF EXISTS public.orders_note_idx;
        ");
    }

    #[test]
    fn an_index_on_a_table_created_by_the_plan_is_built_plainly() {
        let fixture = Fixture::new("schemas:\n  public: {}\n", DESIRED);
        let text = fixture.steps_text(&AddIndex, &change(&fixture));
        assert!(
            text.starts_with("== expand (InTransaction)\nCREATE INDEX IF NOT EXISTS"),
            "{text}"
        );
        assert!(text.contains("-- SHARE, metadata only"), "{text}");
    }

    #[test]
    fn the_plain_build_is_assessed_as_a_scan_that_blocks_writes() {
        let fixture = Fixture::new(LIVE, DESIRED).with_rows(&[("public.orders", 3_000_000)]);
        let assessment = AddIndex.assess(&change(&fixture), &fixture.context());
        assert_eq!(assessment.cost.lock, Lock::Share);
        assert_eq!(assessment.cost.work, Work::Scan);
        assert!(!assessment.cost.can_fail_on_data);
        assert!(
            assessment.summary.contains("3M rows"),
            "{}",
            assessment.summary
        );
    }
}
