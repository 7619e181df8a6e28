//! `add-check`: a new CHECK constraint on an existing table.

use crate::ddl::check_clause;
use crate::diff::change;
use crate::schema::{Check, TableRef};
use crate::sql::quote_ident;
use crate::step::guard;
use crate::step::{Phase, Rollback, Statement, Step};

use super::add_unique::drop_constraint;
use super::set_not_null::target;
use super::{Assessment, Context, Cost, Decisions, Explanation, Rule};
use crate::step::{Lock, Work};

pub struct AddCheck;

const EXPLANATION: Explanation = Explanation {
    title: "A new CHECK constraint",
    risk: "ADD CONSTRAINT … CHECK checks every row under an ACCESS EXCLUSIVE lock, blocking \
           reads and writes for the whole scan, and fails if any row violates it.",
    instead: "ADD CONSTRAINT … NOT VALID (brief; new rows are checked from then on), then \
              VALIDATE CONSTRAINT, which checks the existing rows under SHARE UPDATE EXCLUSIVE: \
              reads and writes go on.",
    rollback: "DROP CONSTRAINT.",
};

impl Rule for AddCheck {
    type Change = change::AddCheck;

    fn explanation(&self) -> &'static Explanation {
        &EXPLANATION
    }

    fn assess(&self, change: &Self::Change, context: &Context) -> Assessment {
        let Self::Change { table, check } = change;
        Assessment {
            rule: self.id(),
            cost: Cost {
                work: Work::Scan,
                can_fail_on_data: true,
                ..Cost::metadata(Lock::AccessExclusive)
            },
            summary: format!(
                "check {} on {}: a direct ADD checks {} under ACCESS EXCLUSIVE and fails on any \
                 violating row",
                check.name,
                table.name,
                super::rows_text(context.rows(table))
            ),
        }
    }

    fn steps(&self, change: &Self::Change, context: &Context, decisions: &Decisions) -> Vec<Step> {
        let Self::Change { table, check } = change;
        let rows = context.rows(table);
        if !decisions.zero_downtime() && check.valid {
            return vec![Step::sql(
                Phase::Validate,
                vec![
                    Statement::new(
                        guarded_add(table, check, false),
                        Lock::AccessExclusive,
                        "checks every row while reads and writes wait",
                    )
                    .doing(Work::Scan, rows),
                ],
                Rollback::by(vec![drop_constraint(table, &check.name)]),
            )];
        }
        let mut steps = vec![add_not_valid(table, check)];
        if check.valid {
            steps.push(validate(table, check, rows));
        }
        steps
    }
}

/// `ALTER TABLE … ADD CONSTRAINT … CHECK (…) [NOT VALID]`, only while the constraint is
/// missing.
pub(crate) fn guarded_add(table: &TableRef, check: &Check, not_valid: bool) -> String {
    let suffix = if not_valid { " NOT VALID" } else { "" };
    guard::when(
        &format!("NOT {}", guard::constraint_exists(table, &check.name)),
        &format!(
            "ALTER TABLE {} ADD {}{suffix}",
            target(table),
            check_clause(check)
        ),
    )
}

/// `ALTER TABLE … VALIDATE CONSTRAINT`: a scan under SHARE UPDATE EXCLUSIVE.
pub(crate) fn validate_statement(table: &TableRef, name: &str, rows: Option<u64>) -> Statement {
    Statement::new(
        format!(
            "ALTER TABLE {} VALIDATE CONSTRAINT {}",
            target(table),
            quote_ident(name)
        ),
        Lock::ShareUpdateExclusive,
        "checks every row without blocking reads or writes; fails while a violating row remains",
    )
    .doing(Work::Scan, rows)
}

fn add_not_valid(table: &TableRef, check: &Check) -> Step {
    Step::sql(
        Phase::Expand,
        vec![Statement::new(
            guarded_add(table, check, true),
            Lock::AccessExclusive,
            "brief; new and updated rows are checked from now on, existing ones in the validate \
             phase",
        )],
        Rollback::by(vec![drop_constraint(table, &check.name)]),
    )
}

fn validate(table: &TableRef, check: &Check, rows: Option<u64>) -> Step {
    Step::sql(
        Phase::Validate,
        vec![validate_statement(table, &check.name, rows)],
        Rollback::by(vec![
            drop_constraint(table, &check.name),
            Statement::new(
                guarded_add(table, check, true),
                Lock::AccessExclusive,
                "back to the unvalidated check",
            ),
        ]),
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::test_support::Fixture;
    use super::*;

    const LIVE: &str = "schemas:\n  public:\n    tables:\n      orders:\n        columns:\n          total: numeric\n";
    const DESIRED: &str = "schemas:\n  public:\n    tables:\n      orders:\n        columns:\n          total: numeric\n        checks:\n          - { name: orders_total_check, expression: \"total >= 0\", no_inherit: true }\n";

    fn change(fixture: &Fixture) -> change::AddCheck {
        let table = TableRef::new("public", "orders");
        let check = fixture.desired.table(&table).unwrap().checks[0].clone();
        change::AddCheck { table, check }
    }

    #[test]
    fn zero_downtime_adds_not_valid_then_validates() {
        let fixture = Fixture::new(LIVE, DESIRED).with_rows(&[("public.orders", 10)]);
        let text = fixture.steps_text(&AddCheck, &change(&fixture));
        insta::assert_snapshot!(text, @r"
        == expand (InTransaction)
        DO $guard$
        BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.orders'::regclass AND conname = 'orders_total_check') THEN
            ALTER TABLE public.orders ADD CONSTRAINT orders_total_check CHECK (total >= 0) NO INHERIT NOT VALID;
          END IF;
        END
        $guard$;  -- ACCESS EXCLUSIVE, metadata only
        rollback: ALTER TABLE public.orders DROP CONSTRAINT IF EXISTS orders_total_check;
        == validate (InTransaction)
        ALTER TABLE public.orders VALIDATE CONSTRAINT orders_total_check;  -- SHARE UPDATE EXCLUSIVE, scans the table
        rollback: ALTER TABLE public.orders DROP CONSTRAINT IF EXISTS orders_total_check;
        rollback: DO $guard$
        BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.orders'::regclass AND conname = 'orders_total_check') THEN
            ALTER TABLE public.orders ADD CONSTRAINT orders_total_check CHECK (total >= 0) NO INHERIT NOT VALID;
          END IF;
        END
        $guard$;
        ");
    }

    #[test]
    fn a_window_adds_the_check_directly() {
        let fixture = Fixture::new(LIVE, DESIRED).window();
        let text = fixture.steps_text(&AddCheck, &change(&fixture));
        insta::assert_snapshot!(text, @r"
        == validate (InTransaction)
        DO $guard$
        BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.orders'::regclass AND conname = 'orders_total_check') THEN
            ALTER TABLE public.orders ADD CONSTRAINT orders_total_check CHECK (total >= 0) NO INHERIT;
          END IF;
        END
        $guard$;  -- ACCESS EXCLUSIVE, scans the table
        rollback: ALTER TABLE public.orders DROP CONSTRAINT IF EXISTS orders_total_check;
        ");
    }

    #[test]
    fn a_check_desired_not_valid_is_never_validated() {
        let fixture = Fixture::new(LIVE, &DESIRED.replace("no_inherit: true", "valid: false"));
        let text = fixture.steps_text(&AddCheck, &change(&fixture));
        assert!(text.contains("NOT VALID"), "{text}");
        assert!(!text.contains("VALIDATE"), "{text}");
        let window =
            Fixture::new(LIVE, &DESIRED.replace("no_inherit: true", "valid: false")).window();
        assert!(
            window
                .steps_text(&AddCheck, &change(&window))
                .contains("NOT VALID")
        );
    }

    #[test]
    fn the_direct_add_is_assessed_as_a_locking_scan() {
        let fixture = Fixture::new(LIVE, DESIRED);
        let assessment = AddCheck.assess(&change(&fixture), &fixture.context());
        assert_eq!(assessment.cost.lock, Lock::AccessExclusive);
        assert_eq!(assessment.cost.work, Work::Scan);
        assert!(assessment.cost.can_fail_on_data);
    }
}
