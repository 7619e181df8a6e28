//! `add-exclusion`: a new EXCLUDE constraint on an existing table.

use crate::diff::change;
use crate::sql::quote_ident;
use crate::step::guard;
use crate::step::{Phase, Rollback, Statement, Step};

use super::add_unique::drop_constraint;
use super::set_not_null::target;
use super::{Assessment, Context, Cost, Decisions, Explanation, Rule};
use crate::step::{Lock, Work};

pub struct AddExclusion;

const EXPLANATION: Explanation = Explanation {
    title: "A new EXCLUDE constraint",
    risk: "ADD CONSTRAINT … EXCLUDE builds its index under an ACCESS EXCLUSIVE lock: reads and \
           writes wait for the whole build, and it fails on conflicting rows.",
    instead: "Nothing: PostgreSQL has no NOT VALID and no USING INDEX for exclusion constraints, \
              so this cannot be made online. It is planned in the validate phase; run it when \
              the table can be locked for the length of an index build.",
    rollback: "DROP CONSTRAINT.",
};

/// The note every plan of this change carries, in both modes.
const CANNOT_BE_ONLINE: &str = "CANNOT BE MADE ONLINE: builds the exclusion index while reads \
                                and writes wait (no NOT VALID exists for exclusion constraints); \
                                fails on conflicting rows";

impl Rule for AddExclusion {
    type Change = change::AddExclusion;

    fn explanation(&self) -> &'static Explanation {
        &EXPLANATION
    }

    fn assess(&self, change: &Self::Change, context: &Context) -> Assessment {
        let Self::Change { table, exclusion } = change;
        Assessment {
            rule: self.id(),
            cost: Cost {
                work: Work::Scan,
                can_fail_on_data: true,
                ..Cost::metadata(Lock::AccessExclusive)
            },
            summary: format!(
                "exclusion {} on {}: builds its index over {} under ACCESS EXCLUSIVE; cannot be \
                 made online",
                exclusion.name,
                table.name,
                super::rows_text(context.rows(table))
            ),
        }
    }

    fn steps(&self, change: &Self::Change, context: &Context, _decisions: &Decisions) -> Vec<Step> {
        let Self::Change { table, exclusion } = change;
        let add = format!(
            "ALTER TABLE {} ADD CONSTRAINT {} {}",
            target(table),
            quote_ident(&exclusion.name),
            exclusion.definition
        );
        let sql = guard::when(
            &format!("NOT {}", guard::constraint_exists(table, &exclusion.name)),
            &add,
        );
        vec![Step::sql(
            Phase::Validate,
            vec![
                Statement::new(sql, Lock::AccessExclusive, CANNOT_BE_ONLINE)
                    .doing(Work::Scan, context.rows(table)),
            ],
            Rollback::by(vec![drop_constraint(table, &exclusion.name)]),
        )]
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::test_support::Fixture;
    use super::*;
    use crate::schema::TableRef;
    use crate::step::Action;

    const LIVE: &str = "schemas:\n  public:\n    tables:\n      bookings:\n        columns:\n          room: int\n          during: tstzrange\n";
    const DESIRED: &str = "schemas:\n  public:\n    tables:\n      bookings:\n        columns:\n          room: int\n          during: tstzrange\n        exclusions:\n          - { name: bookings_no_overlap, definition: \"EXCLUDE USING gist (during WITH &&)\" }\n";

    fn change(fixture: &Fixture) -> change::AddExclusion {
        let table = TableRef::new("public", "bookings");
        let exclusion = fixture.desired.table(&table).unwrap().exclusions[0].clone();
        change::AddExclusion { table, exclusion }
    }

    #[test]
    fn zero_downtime_still_plans_it_in_validate_and_says_it_cannot_be_online() {
        let fixture = Fixture::new(LIVE, DESIRED).with_rows(&[("public.bookings", 1_000)]);
        let change = change(&fixture);
        let text = fixture.steps_text(&AddExclusion, &change);
        insta::assert_snapshot!(text, @r"
        == validate (InTransaction)
        DO $guard$
        BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.bookings'::regclass AND conname = 'bookings_no_overlap') THEN
            ALTER TABLE public.bookings ADD CONSTRAINT bookings_no_overlap EXCLUDE USING gist (during WITH &&);
          END IF;
        END
        $guard$;  -- ACCESS EXCLUSIVE, scans the table
        rollback: ALTER TABLE public.bookings DROP CONSTRAINT IF EXISTS bookings_no_overlap;
        ");
        let id = change.id();
        let decisions = Decisions {
            settings: &fixture.settings,
            answers: &fixture.answers,
            change: &id,
        };
        let steps = AddExclusion.steps(&change, &fixture.context(), &decisions);
        let Action::Sql { statements, .. } = &steps[0].action else {
            panic!("sql step expected");
        };
        assert!(statements[0].note.starts_with("CANNOT BE MADE ONLINE"));
    }

    #[test]
    fn a_window_plans_the_same_statement() {
        let zero = Fixture::new(LIVE, DESIRED);
        let window = Fixture::new(LIVE, DESIRED).window();
        assert_eq!(
            zero.steps_text(&AddExclusion, &change(&zero)),
            window.steps_text(&AddExclusion, &change(&window))
        );
    }

    #[test]
    fn the_assessment_says_it_cannot_be_made_online() {
        let fixture = Fixture::new(LIVE, DESIRED);
        let assessment = AddExclusion.assess(&change(&fixture), &fixture.context());
        assert_eq!(assessment.cost.lock, Lock::AccessExclusive);
        assert!(assessment.summary.contains("cannot be made online"));
    }
}
