//! `change-index`: an index keeps its name and gets a new definition.

use crate::diff::change;
use crate::schema::names::make_object_name;
use crate::schema::{Index, TableRef};
use crate::sql::{quote_ident, quote_qualified};
use crate::step::guard;
use crate::step::{Phase, Rollback, Runs, Statement, Step};

use super::add_index::{
    build_concurrently, build_in_transaction, drop_concurrently, drop_in_transaction,
};
use super::{Assessment, Context, Cost, Decisions, Explanation, Rule};
use crate::step::{Lock, Work};

pub struct ChangeIndex;

const EXPLANATION: Explanation = Explanation {
    title: "An index gets a new definition",
    risk: "Dropping and recreating the index in place blocks writes for the whole build (SHARE) \
           and leaves queries without the index in between.",
    instead: "Build the new definition CONCURRENTLY under a temporary name, drop the old index \
              CONCURRENTLY, then rename the new one to the old name (a brief lock).",
    rollback: "The reverse: the temporary name back, the old definition rebuilt concurrently.",
};

impl Rule for ChangeIndex {
    type Change = change::ChangeIndex;

    fn explanation(&self) -> &'static Explanation {
        &EXPLANATION
    }

    fn assess(&self, change: &Self::Change, context: &Context) -> Assessment {
        let Self::Change { table, to, .. } = change;
        Assessment {
            rule: self.id(),
            cost: Cost {
                work: Work::Scan,
                can_fail_on_data: to.unique,
                ..Cost::metadata(Lock::AccessExclusive)
            },
            summary: format!(
                "index {} on {} is rebuilt: in place, it reads {} while writes wait",
                to.name,
                table.name,
                super::rows_text(context.rows(table))
            ),
        }
    }

    fn steps(&self, change: &Self::Change, context: &Context, decisions: &Decisions) -> Vec<Step> {
        let Self::Change { table, from, to } = change;
        let rows = context.rows(table);
        if !decisions.zero_downtime() {
            return vec![rebuild_in_place(table, from, to, rows)];
        }
        let temporary = Index {
            name: temporary_name(&to.name).into(),
            ..to.clone()
        };
        vec![
            Step::sql(
                Phase::Expand,
                build_concurrently(table, &temporary, rows, decisions.settings.lock_timeout_ms),
                Rollback::by(vec![drop_concurrently(&table.schema, &temporary.name)]),
            )
            .running(Runs::Concurrently),
            Step::sql(
                Phase::Contract,
                vec![drop_concurrently(&table.schema, &from.name)],
                Rollback::by(build_concurrently(
                    table,
                    from,
                    rows,
                    decisions.settings.lock_timeout_ms,
                )),
            )
            .running(Runs::Concurrently),
            Step::sql(
                Phase::Contract,
                vec![rename(&table.schema, &temporary.name, &to.name)],
                Rollback::by(vec![rename(&table.schema, &to.name, &temporary.name)]),
            ),
        ]
    }
}

/// The name the new definition is built under: `<name>_new`, clipped to 63 bytes.
fn temporary_name(name: &str) -> String {
    make_object_name(name, None, "new")
}

/// `ALTER INDEX from RENAME TO to`, only while `from` exists and `to` does not, so a re-run
/// (or a rollback of a phase that stopped before the rename) leaves the right index alone.
fn rename(schema: &str, from: &str, to: &str) -> Statement {
    let from_ref = TableRef::new(schema, from);
    let to_ref = TableRef::new(schema, to);
    let condition = format!(
        "{} AND NOT ({})",
        guard::relation_exists(&from_ref),
        guard::relation_exists(&to_ref)
    );
    let sql = format!(
        "ALTER INDEX {} RENAME TO {}",
        quote_qualified(schema, from),
        quote_ident(to)
    );
    Statement::new(
        guard::when(&condition, &sql),
        Lock::ShareUpdateExclusive,
        "brief",
    )
}

fn rebuild_in_place(table: &TableRef, from: &Index, to: &Index, rows: Option<u64>) -> Step {
    let mut statements = vec![drop_in_transaction(&table.schema, &from.name)];
    statements.extend(build_in_transaction(table, to, rows));
    let mut rollback = vec![drop_in_transaction(&table.schema, &to.name)];
    rollback.extend(build_in_transaction(table, from, rows));
    Step::sql(Phase::Expand, statements, Rollback::by(rollback))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::test_support::Fixture;
    use super::*;

    const LIVE: &str = "schemas:\n  public:\n    tables:\n      orders:\n        columns:\n          id: bigint\n          note: text\n        indexes:\n          - { name: orders_note_idx, columns: [note] }\n";
    const DESIRED: &str = "schemas:\n  public:\n    tables:\n      orders:\n        columns:\n          id: bigint\n          note: text\n        indexes:\n          - { name: orders_note_idx, columns: [note, id] }\n";

    fn change(fixture: &Fixture) -> change::ChangeIndex {
        let table = TableRef::new("public", "orders");
        let from = fixture.live.table(&table).unwrap().indexes[0].clone();
        let to = fixture.desired.table(&table).unwrap().indexes[0].clone();
        change::ChangeIndex { table, from, to }
    }

    #[test]
    fn zero_downtime_builds_under_a_temporary_name_drops_and_renames() {
        let fixture = Fixture::new(LIVE, DESIRED).with_rows(&[("public.orders", 20_000)]);
        let text = fixture.steps_text(&ChangeIndex, &change(&fixture));
        insta::assert_snapshot!(text, @"
        == expand (Concurrently)
        DO $guard$
        DECLARE
          attempt integer := 0;
        BEGIN
          IF EXISTS (SELECT 1 FROM pg_catalog.pg_index WHERE indexrelid = to_regclass('public.orders_note_idx_new') AND NOT indisvalid) THEN
            SET LOCAL lock_timeout = '1s';
            LOOP
              BEGIN
                DROP INDEX public.orders_note_idx_new;
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
        CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_note_idx_new ON public.orders USING btree (note, id);  -- SHARE UPDATE EXCLUSIVE, scans the table
        rollback: DROP INDEX CONCURRENTLY IF EXISTS public.orders_note_idx_new;
        == contract (Concurrently)
        DROP INDEX CONCURRENTLY IF EXISTS public.orders_note_idx;  -- SHARE UPDATE EXCLUSIVE, metadata only
        rollback: DO $guard$
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
        $guard$;
        rollback: CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_note_idx ON public.orders USING btree (note);
        == contract (InTransaction)
        DO $guard$
        BEGIN
          IF to_regclass('public.orders_note_idx_new') IS NOT NULL AND NOT (to_regclass('public.orders_note_idx') IS NOT NULL) THEN
            ALTER INDEX public.orders_note_idx_new RENAME TO orders_note_idx;
          END IF;
        END
        $guard$;  -- SHARE UPDATE EXCLUSIVE, metadata only
        rollback: DO $guard$
        BEGIN
          IF to_regclass('public.orders_note_idx') IS NOT NULL AND NOT (to_regclass('public.orders_note_idx_new') IS NOT NULL) THEN
            ALTER INDEX public.orders_note_idx RENAME TO orders_note_idx_new;
          END IF;
        END
        $guard$;
        ");
    }

    #[test]
    fn a_window_rebuilds_in_place_in_one_transaction() {
        let fixture = Fixture::new(LIVE, DESIRED).window();
        let text = fixture.steps_text(&ChangeIndex, &change(&fixture));
        insta::assert_snapshot!(text, @r"
        == expand (InTransaction)
        DROP INDEX IF EXISTS public.orders_note_idx;  -- ACCESS EXCLUSIVE, metadata only
        CREATE INDEX IF NOT EXISTS orders_note_idx ON public.orders USING btree (note, id);  -- SHARE, scans the table
        rollback: DROP INDEX IF EXISTS public.orders_note_idx;
        rollback: CREATE INDEX IF NOT EXISTS orders_note_idx ON public.orders USING btree (note);
        ");
    }

    #[test]
    fn the_temporary_name_fits_in_63_bytes() {
        let long = "i".repeat(63);
        let name = temporary_name(&long);
        assert!(name.len() <= 63 && name.ends_with("_new"), "{name}");
    }

    #[test]
    fn rebuilding_in_place_is_assessed_as_a_locking_scan() {
        let fixture = Fixture::new(LIVE, DESIRED).with_rows(&[("public.orders", 20_000)]);
        let assessment = ChangeIndex.assess(&change(&fixture), &fixture.context());
        assert_eq!(assessment.cost.work, Work::Scan);
        assert!(
            assessment.summary.contains("20K rows"),
            "{}",
            assessment.summary
        );
    }
}
