//! `replace-trigger`: a trigger whose definition or enabled state changes.

use crate::diff::change;
use crate::schema::{TableRef, Trigger};
use crate::step::{Phase, Rollback, Statement, Step};

use super::create_trigger::{create_statements, drop_statement, enabling_statement};
use super::{Assessment, Context, Cost, Decisions, Explanation, Rule};
use crate::step::Lock;

pub struct ReplaceTrigger;

const EXPLANATION: Explanation = Explanation {
    title: "A trigger changes",
    risk: "Dropping and creating the trigger takes a brief ACCESS EXCLUSIVE lock; done in two \
           transactions, writes in between would not run it.",
    instead: "Expand: DROP TRIGGER IF EXISTS and CREATE TRIGGER in one transaction, so every \
              write runs either the old or the new trigger; a change of enabled state alone is an \
              ENABLE or DISABLE TRIGGER.",
    rollback: "The same, back to the recorded definition.",
};

impl Rule for ReplaceTrigger {
    type Change = change::ReplaceTrigger;

    fn explanation(&self) -> &'static Explanation {
        &EXPLANATION
    }

    fn assess(&self, change: &Self::Change, _context: &Context) -> Assessment {
        let Self::Change { table, to, .. } = change;
        Assessment {
            rule: self.id(),
            cost: Cost::metadata(Lock::AccessExclusive),
            summary: format!(
                "trigger {} on {table} is replaced in one transaction: a brief lock",
                to.name
            ),
        }
    }

    fn steps(
        &self,
        change: &Self::Change,
        _context: &Context,
        _decisions: &Decisions,
    ) -> Vec<Step> {
        let Self::Change { table, from, to } = change;
        vec![Step::sql(
            Phase::Expand,
            replace_statements(table, from, to),
            Rollback::by(replace_statements(table, to, from)),
        )]
    }
}

fn replace_statements(table: &TableRef, old: &Trigger, new: &Trigger) -> Vec<Statement> {
    if old.definition == new.definition {
        return vec![enabling_statement(table, new)];
    }
    let mut statements = vec![drop_statement(table, old)];
    statements.extend(create_statements(table, new));
    statements
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::create_trigger::tests::{TOUCH, trigger};
    use super::super::test_support::Fixture;
    use super::*;
    use crate::rules::Badge;

    fn fixture() -> Fixture {
        Fixture::new("schemas: {}\n", "schemas: {}\n")
    }

    #[test]
    fn a_new_definition_drops_and_creates_in_one_step() {
        let change = change::ReplaceTrigger {
            table: TableRef::new("public", "orders"),
            from: trigger(TOUCH, true),
            to: trigger(
                &TOUCH.replace("BEFORE UPDATE", "BEFORE INSERT OR UPDATE"),
                true,
            ),
        };
        insta::assert_snapshot!(fixture().steps_text(&ReplaceTrigger, &change), @r#"
        == expand (InTransaction)
        DROP TRIGGER IF EXISTS orders_touch ON public.orders;  -- ACCESS EXCLUSIVE, metadata only
        DO $guard$
        BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = to_regclass('public.orders') AND tgname = 'orders_touch') THEN
            CREATE TRIGGER orders_touch BEFORE INSERT OR UPDATE ON public.orders FOR EACH ROW EXECUTE FUNCTION public.touch();
          END IF;
        END
        $guard$;  -- SHARE ROW EXCLUSIVE, metadata only
        rollback: DROP TRIGGER IF EXISTS orders_touch ON public.orders;
        rollback: DO $guard$
        BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = to_regclass('public.orders') AND tgname = 'orders_touch') THEN
            CREATE TRIGGER orders_touch BEFORE UPDATE ON public.orders FOR EACH ROW EXECUTE FUNCTION public.touch();
          END IF;
        END
        $guard$;
        "#);
        let assessment = ReplaceTrigger.assess(&change, &fixture().context());
        assert_eq!(assessment.cost.badges(), vec![Badge::Safe]);
    }

    #[test]
    fn enabling_alone_is_one_statement_each_way() {
        let change = change::ReplaceTrigger {
            table: TableRef::new("public", "orders"),
            from: trigger(TOUCH, false),
            to: trigger(TOUCH, true),
        };
        insta::assert_snapshot!(fixture().window().steps_text(&ReplaceTrigger, &change), @r#"
        == expand (InTransaction)
        ALTER TABLE public.orders ENABLE TRIGGER orders_touch;  -- SHARE ROW EXCLUSIVE, metadata only
        rollback: ALTER TABLE public.orders DISABLE TRIGGER orders_touch;
        "#);
    }
}
