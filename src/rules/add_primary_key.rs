//! `add-primary-key`: a new PRIMARY KEY on an existing table.

use crate::decide::Question;
use crate::diff::change;
use crate::schema::names::make_object_name;
use crate::schema::{Column, TableRef};
use crate::sql::{quote_ident, quote_qualified};
use crate::step::precondition::{self, Check};
use crate::step::{Statement, Step};

use super::add_unique::{NewKey, assess_key, duplicates_count, duplicates_question, key_steps};
use super::set_not_null::checked_while_running;
use super::{Assessment, Context, Count, Decisions, Explanation, Rule};
use crate::step::Lock;

/// The question: what to do with rows whose key another row has too.
pub const DUPLICATES: &str = "add-primary-key/duplicates";

pub struct AddPrimaryKey;

const EXPLANATION: Explanation = Explanation {
    title: "A new PRIMARY KEY",
    risk: "ADD PRIMARY KEY builds its index and sets its columns NOT NULL (a full scan) under an \
           ACCESS EXCLUSIVE lock: reads and writes wait throughout. It fails on duplicate keys \
           and on NULLs.",
    instead: "Make nullable key columns NOT NULL through validated checks (as set-not-null does), \
              build the unique index with CREATE UNIQUE INDEX CONCURRENTLY, then attach it with \
              ADD CONSTRAINT … PRIMARY KEY USING INDEX, a brief catalog change.",
    rollback: "DROP CONSTRAINT (which drops its index) and DROP NOT NULL on the columns that \
               were nullable. Deleted duplicates do not come back.",
};

impl Rule for AddPrimaryKey {
    type Change = change::AddPrimaryKey;

    fn explanation(&self) -> &'static Explanation {
        &EXPLANATION
    }

    fn count(&self, change: &Self::Change) -> Option<Count> {
        let Self::Change { table, key } = change;
        Some(duplicates_count(table, &key.columns, false))
    }

    fn assess(&self, change: &Self::Change, context: &Context) -> Assessment {
        let Self::Change { table, key } = change;
        assess_key(
            self.id(),
            &change.id(),
            context,
            table,
            &NewKey::primary(key),
        )
    }

    fn questions(&self, change: &Self::Change, context: &Context) -> Vec<Question> {
        let Self::Change { table, key } = change;
        vec![duplicates_question(
            DUPLICATES,
            &change.id(),
            context,
            table,
            &NewKey::primary(key),
        )]
    }

    fn preconditions(&self, change: &Self::Change, decisions: &Decisions) -> Vec<Check> {
        let Self::Change { table, key } = change;
        let id = change.id();
        let mut checks: Vec<Check> = key
            .columns
            .iter()
            .map(|column| precondition::nulls(&id, table, column))
            .collect();
        if decisions.choice(DUPLICATES) != Some("delete-duplicates") {
            checks.push(precondition::duplicates(&id, table, &key.columns, false));
        }
        checks
    }

    fn steps(&self, change: &Self::Change, context: &Context, decisions: &Decisions) -> Vec<Step> {
        let Self::Change { table, key } = change;
        let nullable = nullable_columns(context, table, &key.columns);
        let undo_not_null = nullable.iter().map(|c| drop_not_null(table, c)).collect();
        let mut steps = key_steps(
            &NewKey::primary(key),
            table,
            context,
            decisions,
            DUPLICATES,
            undo_not_null,
        );
        if decisions.zero_downtime() && !nullable.is_empty() {
            let rows = context.rows(table);
            let validations: Vec<Step> = nullable
                .iter()
                .flat_map(|column| {
                    checked_while_running(table, column, &check_name(table, column), rows)
                })
                .collect();
            // NOT NULL must be set before the key is attached, or attaching scans for NULLs.
            let attach_at = steps.len().saturating_sub(1);
            steps.splice(attach_at..attach_at, validations);
        }
        steps
    }
}

/// The key's columns that are nullable in the live table: they need NOT NULL first.
fn nullable_columns(context: &Context, table: &TableRef, columns: &[String]) -> Vec<Column> {
    let Some(live) = context.live.table(table) else {
        return Vec::new();
    };
    columns
        .iter()
        .filter_map(|name| live.column(name))
        .filter(|column| column.nullable)
        .cloned()
        .collect()
}

/// The temporary check's name, distinct from set-not-null's so both plans can run side by side.
fn check_name(table: &TableRef, column: &Column) -> String {
    make_object_name(&table.name, Some(&column.name), "pk_not_null")
}

fn drop_not_null(table: &TableRef, column: &Column) -> Statement {
    Statement::new(
        format!(
            "ALTER TABLE {} ALTER COLUMN {} DROP NOT NULL",
            quote_qualified(&table.schema, &table.name),
            quote_ident(&column.name)
        ),
        Lock::AccessExclusive,
        "brief: the column was nullable before the key",
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::test_support::Fixture;
    use super::*;
    use crate::step::{Action, Phase};

    const LIVE: &str = "schemas:\n  public:\n    tables:\n      events:\n        columns:\n          id: bigint\n          at: { type: timestamptz, nullable: false }\n";
    const DESIRED: &str = "schemas:\n  public:\n    tables:\n      events:\n        columns:\n          id: bigint\n          at: { type: timestamptz, nullable: false }\n        primary_key: [id, at]\n";

    fn change(fixture: &Fixture) -> change::AddPrimaryKey {
        let table = TableRef::new("public", "events");
        let key = fixture
            .desired
            .table(&table)
            .unwrap()
            .primary_key
            .clone()
            .unwrap();
        change::AddPrimaryKey { table, key }
    }

    #[test]
    fn zero_downtime_sets_not_null_through_checks_before_attaching_the_index() {
        let fixture = Fixture::new(LIVE, DESIRED).with_rows(&[("public.events", 5_000_000)]);
        let text = fixture.steps_text(&AddPrimaryKey, &change(&fixture));
        insta::assert_snapshot!(text, @"
        == expand (Concurrently)
        DO $guard$
        DECLARE
          attempt integer := 0;
        BEGIN
          IF EXISTS (SELECT 1 FROM pg_catalog.pg_index WHERE indexrelid = to_regclass('public.events_pkey') AND NOT indisvalid) THEN
            SET LOCAL lock_timeout = '1s';
            LOOP
              BEGIN
                DROP INDEX public.events_pkey;
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
        CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS events_pkey ON public.events USING btree (id, at);  -- SHARE UPDATE EXCLUSIVE, scans the table
        rollback: DROP INDEX CONCURRENTLY IF EXISTS public.events_pkey;
        == validate (InTransaction)
        DO $guard$
        BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.events'::regclass AND conname = 'events_id_pk_not_null') THEN
            ALTER TABLE public.events ADD CONSTRAINT events_id_pk_not_null CHECK (id IS NOT NULL) NOT VALID;
          END IF;
        END
        $guard$;  -- ACCESS EXCLUSIVE, metadata only
        rollback: ALTER TABLE public.events DROP CONSTRAINT IF EXISTS events_id_pk_not_null;
        == validate (InTransaction)
        DO $guard$
        BEGIN
          IF EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.events'::regclass AND conname = 'events_id_pk_not_null') THEN
            ALTER TABLE public.events VALIDATE CONSTRAINT events_id_pk_not_null;
          END IF;
        END
        $guard$;  -- SHARE UPDATE EXCLUSIVE, scans the table
        rollback: ALTER TABLE public.events DROP CONSTRAINT IF EXISTS events_id_pk_not_null;
        rollback: DO $guard$
        BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.events'::regclass AND conname = 'events_id_pk_not_null') THEN
            ALTER TABLE public.events ADD CONSTRAINT events_id_pk_not_null CHECK (id IS NOT NULL) NOT VALID;
          END IF;
        END
        $guard$;
        == validate (InTransaction)
        ALTER TABLE public.events ALTER COLUMN id SET NOT NULL;  -- ACCESS EXCLUSIVE, metadata only
        ALTER TABLE public.events DROP CONSTRAINT IF EXISTS events_id_pk_not_null;  -- ACCESS EXCLUSIVE, metadata only
        rollback: ALTER TABLE public.events ALTER COLUMN id DROP NOT NULL;
        rollback: DO $guard$
        BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.events'::regclass AND conname = 'events_id_pk_not_null') THEN
            ALTER TABLE public.events ADD CONSTRAINT events_id_pk_not_null CHECK (id IS NOT NULL) NOT VALID;
          END IF;
        END
        $guard$;
        rollback: DO $guard$
        BEGIN
          IF EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.events'::regclass AND conname = 'events_id_pk_not_null') THEN
            ALTER TABLE public.events VALIDATE CONSTRAINT events_id_pk_not_null;
          END IF;
        END
        $guard$;
        == validate (InTransaction)
        DO $guard$
        BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.events'::regclass AND conname = 'events_pkey') THEN
            ALTER TABLE public.events ADD CONSTRAINT events_pkey PRIMARY KEY USING INDEX events_pkey;
          END IF;
        END
        $guard$;  -- ACCESS EXCLUSIVE, metadata only
        rollback: ALTER TABLE public.events DROP CONSTRAINT IF EXISTS events_pkey;
        rollback: CREATE UNIQUE INDEX IF NOT EXISTS events_pkey ON public.events USING btree (id, at);
        ");
    }

    #[test]
    fn a_window_adds_the_key_directly_and_its_rollback_restores_nullability() {
        let fixture = Fixture::new(LIVE, DESIRED).window();
        let text = fixture.steps_text(&AddPrimaryKey, &change(&fixture));
        insta::assert_snapshot!(text, @r"
        == validate (InTransaction)
        DO $guard$
        BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.events'::regclass AND conname = 'events_pkey') THEN
            ALTER TABLE public.events ADD CONSTRAINT events_pkey PRIMARY KEY (id, at);
          END IF;
        END
        $guard$;  -- ACCESS EXCLUSIVE, scans the table
        rollback: ALTER TABLE public.events DROP CONSTRAINT IF EXISTS events_pkey;
        rollback: ALTER TABLE public.events ALTER COLUMN id DROP NOT NULL;
        ");
    }

    #[test]
    fn deleting_duplicates_puts_a_delete_backfill_first() {
        let fixture = Fixture::new(LIVE, DESIRED);
        let change = change(&fixture);
        let fixture = fixture.answer(&change, DUPLICATES, "delete-duplicates", None);
        let decisions_id = change.id();
        let decisions = super::super::Decisions {
            settings: &fixture.settings,
            answers: &fixture.answers,
            change: &decisions_id,
        };
        let steps = AddPrimaryKey.steps(&change, &fixture.context(), &decisions);
        let kinds: Vec<(Phase, bool)> = steps
            .iter()
            .map(|s| (s.phase, matches!(s.action, Action::Backfill(_))))
            .collect();
        assert_eq!(
            kinds,
            [
                (Phase::Backfill, true),
                // The check added (only now: while a row may still be NULL, an enforced check
                // fails every write to it), validated, then NOT NULL set, each a transaction
                // of its own.
                (Phase::Validate, false),
                (Phase::Validate, false),
                (Phase::Validate, false),
                (Phase::Validate, false),
                (Phase::Validate, false),
            ]
        );
    }

    #[test]
    fn the_question_id_is_the_rules_own() {
        let fixture = Fixture::new(LIVE, DESIRED);
        let asked = AddPrimaryKey.questions(&change(&fixture), &fixture.context());
        assert_eq!(asked[0].id.as_str(), DUPLICATES);
        assert_eq!(asked[0].default.as_ref().unwrap().as_str(), "fix-first");
    }
}
