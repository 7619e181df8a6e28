//! `drop-index`: an index the desired schema no longer has.

use crate::diff::change;
use crate::step::{Phase, Rollback, Runs, Step};

use super::add_index::{
    build_concurrently, build_in_transaction, drop_concurrently, drop_in_transaction,
};
use super::{Assessment, Context, Cost, Decisions, Explanation, Rule};
use crate::step::Lock;

pub struct DropIndex;

const EXPLANATION: Explanation = Explanation {
    title: "An index is dropped",
    risk: "DROP INDEX takes an ACCESS EXCLUSIVE lock on the table, briefly, but queues behind \
           every running query on it and blocks everything queued after it. Queries that used \
           the index may get much slower.",
    instead: "DROP INDEX CONCURRENTLY in the contract phase, outside a transaction: it waits \
              for queries using the index instead of blocking the table.",
    rollback: "CREATE INDEX CONCURRENTLY with the recorded definition: a full build again.",
};

impl Rule for DropIndex {
    type Change = change::DropIndex;

    fn explanation(&self) -> &'static Explanation {
        &EXPLANATION
    }

    fn assess(&self, change: &Self::Change, _context: &Context) -> Assessment {
        let Self::Change { table, index } = change;
        Assessment {
            rule: self.id(),
            cost: Cost::metadata(Lock::AccessExclusive),
            summary: format!(
                "index {} on {} is dropped: a brief ACCESS EXCLUSIVE lock; queries that used it \
                 may get slower",
                index.name, table.name
            ),
        }
    }

    fn steps(&self, change: &Self::Change, context: &Context, decisions: &Decisions) -> Vec<Step> {
        let Self::Change { table, index } = change;
        let rows = context.rows(table);
        if decisions.zero_downtime() {
            vec![
                Step::sql(
                    Phase::Contract,
                    vec![drop_concurrently(&table.schema, &index.name)],
                    Rollback::by(build_concurrently(
                        table,
                        index,
                        rows,
                        decisions.settings.lock_timeout_ms,
                    )),
                )
                .running(Runs::Concurrently),
            ]
        } else {
            vec![Step::sql(
                Phase::Contract,
                vec![drop_in_transaction(&table.schema, &index.name)],
                Rollback::by(build_in_transaction(table, index, rows)),
            )]
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::test_support::Fixture;
    use super::*;
    use crate::schema::TableRef;

    const LIVE: &str = "schemas:\n  public:\n    tables:\n      orders:\n        columns:\n          id: bigint\n          note: text\n        indexes:\n          - { name: orders_note_idx, columns: [note], where: \"note IS NOT NULL\" }\n";
    const DESIRED: &str = "schemas:\n  public:\n    tables:\n      orders:\n        columns:\n          id: bigint\n          note: text\n";

    fn change(fixture: &Fixture) -> change::DropIndex {
        let table = TableRef::new("public", "orders");
        let index = fixture.live.table(&table).unwrap().indexes[0].clone();
        change::DropIndex { table, index }
    }

    #[test]
    fn zero_downtime_drops_concurrently_and_rebuilds_concurrently_on_rollback() {
        let fixture = Fixture::new(LIVE, DESIRED);
        let text = fixture.steps_text(&DropIndex, &change(&fixture));
        insta::assert_snapshot!(text, @"
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
        rollback: CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_note_idx ON public.orders USING btree (note) WHERE note IS NOT NULL;
        ");
    }

    #[test]
    fn a_window_drops_in_a_transaction() {
        let fixture = Fixture::new(LIVE, DESIRED).window();
        let text = fixture.steps_text(&DropIndex, &change(&fixture));
        insta::assert_snapshot!(text, @r"
        == contract (InTransaction)
        DROP INDEX IF EXISTS public.orders_note_idx;  -- ACCESS EXCLUSIVE, metadata only
        rollback: CREATE INDEX IF NOT EXISTS orders_note_idx ON public.orders USING btree (note) WHERE note IS NOT NULL;
        ");
    }

    #[test]
    fn dropping_is_assessed_as_brief() {
        let fixture = Fixture::new(LIVE, DESIRED);
        let assessment = DropIndex.assess(&change(&fixture), &fixture.context());
        assert_eq!(assessment.cost, Cost::metadata(Lock::AccessExclusive));
        assert!(
            assessment.summary.contains("slower"),
            "{}",
            assessment.summary
        );
    }
}
