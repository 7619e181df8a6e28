//! `rename-enum-value`: a label of an enum gets a new name.

use crate::diff::change;
use crate::schema::TableRef;
use crate::sql::{quote_literal, quote_qualified};
use crate::step::guard;
use crate::step::{Phase, Rollback, Statement, Step};

use super::{Assessment, Context, Cost, Decisions, Explanation, Rule};
use crate::step::Lock;

pub struct RenameEnumValue;

const EXPLANATION: Explanation = Explanation {
    title: "An enum label is renamed",
    risk: "Brief, no table is locked and no row is rewritten, but from that moment code that \
           writes or compares the old label fails or finds nothing.",
    instead: "ALTER TYPE … RENAME VALUE, guarded so a re-run does nothing; ship the code that \
              uses the new label at the same moment.",
    rollback: "Rename the label back.",
};

impl Rule for RenameEnumValue {
    type Change = change::RenameEnumValue;

    fn explanation(&self) -> &'static Explanation {
        &EXPLANATION
    }

    fn assess(&self, change: &Self::Change, _context: &Context) -> Assessment {
        let Self::Change { name, from, to } = change;
        Assessment {
            rule: self.id(),
            cost: Cost {
                breaks_clients: true,
                ..Cost::metadata(Lock::None)
            },
            summary: format!(
                "{name}: label '{from}' becomes '{to}': brief, but code using '{from}' breaks"
            ),
        }
    }

    fn steps(
        &self,
        change: &Self::Change,
        _context: &Context,
        _decisions: &Decisions,
    ) -> Vec<Step> {
        let Self::Change { name, from, to } = change;
        vec![Step::sql(
            Phase::Expand,
            vec![rename(
                name,
                from,
                to,
                "BREAKS CLIENTS: code writing or comparing the old label fails from now on",
            )],
            Rollback::by(vec![rename(name, to, from, "the old label back")]),
        )]
    }
}

/// `ALTER TYPE … RENAME VALUE from TO to`, only while `from` exists and `to` does not.
fn rename(name: &TableRef, from: &str, to: &str, note: &str) -> Statement {
    let condition = format!(
        "{} AND NOT {}",
        guard::enum_label_exists(name, from),
        guard::enum_label_exists(name, to)
    );
    let sql = format!(
        "ALTER TYPE {} RENAME VALUE {} TO {}",
        quote_qualified(&name.schema, &name.name),
        quote_literal(from),
        quote_literal(to)
    );
    Statement::new(guard::when(&condition, &sql), Lock::None, note)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::Fixture;
    use super::*;

    #[test]
    fn the_label_is_renamed_under_a_guard_and_back_on_rollback() {
        let fixture = Fixture::new("schemas:\n  public: {}\n", "schemas:\n  public: {}\n");
        let change = change::RenameEnumValue {
            name: TableRef::new("public", "order_status"),
            from: "canceled".to_owned(),
            to: "cancelled".to_owned(),
        };
        let text = fixture.steps_text(&RenameEnumValue, &change);
        insta::assert_snapshot!(text, @r"
        == expand (InTransaction)
        DO $guard$
        BEGIN
          IF EXISTS (SELECT 1 FROM pg_catalog.pg_enum WHERE enumtypid = to_regtype('public.order_status') AND enumlabel = 'canceled') AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_enum WHERE enumtypid = to_regtype('public.order_status') AND enumlabel = 'cancelled') THEN
            ALTER TYPE public.order_status RENAME VALUE 'canceled' TO 'cancelled';
          END IF;
        END
        $guard$;  -- no table lock, metadata only
        rollback: DO $guard$
        BEGIN
          IF EXISTS (SELECT 1 FROM pg_catalog.pg_enum WHERE enumtypid = to_regtype('public.order_status') AND enumlabel = 'cancelled') AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_enum WHERE enumtypid = to_regtype('public.order_status') AND enumlabel = 'canceled') THEN
            ALTER TYPE public.order_status RENAME VALUE 'cancelled' TO 'canceled';
          END IF;
        END
        $guard$;
        ");
        let assessment = RenameEnumValue.assess(&change, &fixture.context());
        assert!(assessment.cost.breaks_clients);
        assert!(!assessment.cost.loses_data);
    }
}
