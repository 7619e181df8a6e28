//! `drop-trigger`: a trigger the desired schema no longer has.

use crate::diff::change;
use crate::step::{Phase, Rollback, Step};

use super::create_trigger::{create_statements, drop_statement};
use super::objects;
use super::{Assessment, Context, Decisions, Explanation, Rule};
use crate::step::Lock;

pub struct DropTrigger;

const EXPLANATION: Explanation = Explanation {
    title: "A trigger is dropped",
    risk: "Brief ACCESS EXCLUSIVE lock; afterwards writes no longer run it, so whatever it kept \
           up (timestamps, audit rows, a synced column) silently stops.",
    instead: "Deploy gate (the application no longer relies on what the trigger does), then \
              contract: DROP TRIGGER IF EXISTS.",
    rollback: "The trigger is created again from its recorded definition; writes made while it \
               was gone did not run it.",
};

impl Rule for DropTrigger {
    type Change = change::DropTrigger;

    fn explanation(&self) -> &'static Explanation {
        &EXPLANATION
    }

    fn assess(&self, change: &Self::Change, _context: &Context) -> Assessment {
        let Self::Change { table, trigger } = change;
        objects::dropped(
            self.id(),
            &format!("trigger {} on {table}", trigger.name),
            Lock::AccessExclusive,
        )
    }

    fn steps(
        &self,
        change: &Self::Change,
        _context: &Context,
        _decisions: &Decisions,
    ) -> Vec<Step> {
        let Self::Change { table, trigger } = change;
        vec![
            Step::gate(format!(
                "no deployed application code relies any more on what trigger {} on {table} does",
                trigger.name
            )),
            Step::sql(
                Phase::Contract,
                vec![drop_statement(table, trigger)],
                Rollback::partial(
                    create_statements(table, trigger),
                    "writes made while the trigger was gone did not run it",
                ),
            ),
        ]
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::create_trigger::tests::{TOUCH, trigger};
    use super::super::test_support::Fixture;
    use super::*;
    use crate::rules::Badge;
    use crate::schema::TableRef;

    #[test]
    fn drops_behind_a_gate_and_recreates_on_rollback() {
        let fixture = Fixture::new("schemas: {}\n", "schemas: {}\n");
        let change = change::DropTrigger {
            table: TableRef::new("public", "orders"),
            trigger: trigger(TOUCH, false),
        };
        insta::assert_snapshot!(fixture.steps_text(&DropTrigger, &change), @r#"
        == deploy (InTransaction)
        gate: no deployed application code relies any more on what trigger orders_touch on public.orders does
        == contract (InTransaction)
        DROP TRIGGER IF EXISTS orders_touch ON public.orders;  -- ACCESS EXCLUSIVE, metadata only
        rollback: DO $guard$
        BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = to_regclass('public.orders') AND tgname = 'orders_touch') THEN
            CREATE TRIGGER orders_touch BEFORE UPDATE ON public.orders FOR EACH ROW EXECUTE FUNCTION public.touch();
          END IF;
        END
        $guard$;
        rollback: ALTER TABLE public.orders DISABLE TRIGGER orders_touch;
        rollback warning: writes made while the trigger was gone did not run it
        "#);
        let assessment = DropTrigger.assess(&change, &fixture.context());
        assert_eq!(assessment.cost.badges(), vec![Badge::BreaksClients]);
    }
}
