//! `drop-function`: a function, procedure or aggregate the desired schema no longer has.

use crate::diff::change;
use crate::step::{Phase, Rollback, Step};

use super::create_function::{create_statements, drop_statement};
use super::objects;
use super::{Assessment, Context, Decisions, Explanation, Rule};
use crate::step::Lock;

pub struct DropFunction;

const EXPLANATION: Explanation = Explanation {
    title: "A function, procedure or aggregate is dropped",
    risk: "Brief, but every caller fails afterwards; triggers, defaults and views using it make \
           the drop fail.",
    instead: "Deploy gate (no code calls it), then contract: DROP ROUTINE (or AGGREGATE) IF EXISTS \
              without CASCADE, after whatever uses it has been dropped by its own step.",
    rollback: "CREATE OR REPLACE from the recorded definition, with its comment; grants on it are \
               not recorded and must be given again.",
};

impl Rule for DropFunction {
    type Change = change::DropFunction;

    fn explanation(&self) -> &'static Explanation {
        &EXPLANATION
    }

    fn assess(&self, change: &Self::Change, _context: &Context) -> Assessment {
        let Self::Change { schema, key, .. } = change;
        objects::dropped(self.id(), &format!("routine {schema}.{key}"), Lock::None)
    }

    fn steps(
        &self,
        change: &Self::Change,
        _context: &Context,
        _decisions: &Decisions,
    ) -> Vec<Step> {
        let Self::Change {
            schema,
            key,
            function,
        } = change;
        vec![
            objects::gate_before_drop(&format!("routine {schema}.{key}")),
            Step::sql(
                Phase::Contract,
                vec![drop_statement(schema, key, function)],
                Rollback::partial(
                    create_statements(schema, key, function),
                    "grants on the routine are not recorded: give them again",
                ),
            ),
        ]
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::create_function::tests::{TOTAL, function};
    use super::super::test_support::Fixture;
    use super::*;
    use crate::rules::Badge;

    #[test]
    fn drops_behind_a_gate_and_recreates_on_rollback() {
        let fixture = Fixture::new("schemas: {}\n", "schemas: {}\n");
        let change = change::DropFunction {
            schema: "public".to_owned(),
            key: "order_total(bigint)".to_owned(),
            function: function(TOTAL),
        };
        insta::assert_snapshot!(fixture.steps_text(&DropFunction, &change), @r#"
        == deploy (InTransaction)
        gate: no deployed application code, job or report uses routine public.order_total(bigint) any more
        == contract (InTransaction)
        DROP ROUTINE IF EXISTS public.order_total(bigint);  -- no table lock, metadata only
        rollback: CREATE OR REPLACE FUNCTION public.order_total(order_id bigint)
         RETURNS numeric
         LANGUAGE sql
         STABLE
        AS $function$ SELECT sum(amount) FROM order_items WHERE order_id = $1 $function$;
        rollback warning: grants on the routine are not recorded: give them again
        "#);
        let assessment = DropFunction.assess(&change, &fixture.context());
        assert_eq!(assessment.cost.badges(), vec![Badge::BreaksClients]);
    }
}
