//! `drop-sequence`: a free-standing sequence the desired schema no longer has.

use crate::diff::change;
use crate::step::{Phase, Rollback, Step};

use super::create_sequence::{create_statements, drop_statement, owned_by_statement};
use super::objects;
use super::{Assessment, Context, Cost, Decisions, Explanation, Rule};
use crate::step::Lock;

pub struct DropSequence;

const EXPLANATION: Explanation = Explanation {
    title: "A sequence is dropped",
    risk: "Brief, but code calling nextval on it fails, and its current value is lost.",
    instead: "Deploy gate (no code uses the sequence), then contract: DROP SEQUENCE IF EXISTS \
              without CASCADE; a column default still using it makes the drop fail.",
    rollback: "The sequence is created again from its recorded options, but it restarts at its \
               START value: set it past the highest value in use (setval) before writes resume.",
};

impl Rule for DropSequence {
    type Change = change::DropSequence;

    fn explanation(&self) -> &'static Explanation {
        &EXPLANATION
    }

    fn assess(&self, change: &Self::Change, _context: &Context) -> Assessment {
        let Self::Change { name, .. } = change;
        let mut assessment = objects::dropped(
            self.id(),
            &format!("sequence {name}"),
            Lock::AccessExclusive,
        );
        assessment.cost = Cost {
            loses_data: true,
            ..assessment.cost
        };
        assessment.summary.push_str("; its current value is lost");
        assessment
    }

    fn steps(
        &self,
        change: &Self::Change,
        _context: &Context,
        _decisions: &Decisions,
    ) -> Vec<Step> {
        let Self::Change { name, sequence } = change;
        let mut rollback = create_statements(name, sequence);
        rollback.extend(owned_by_statement(name, sequence));
        vec![
            objects::gate_before_drop(&format!("sequence {name}")),
            Step::sql(
                Phase::Contract,
                vec![drop_statement(name)],
                Rollback::partial(
                    rollback,
                    format!(
                        "the sequence restarts at {}: setval it past the highest value in use \
                         before writes resume",
                        sequence.start
                    ),
                ),
            ),
        ]
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::create_sequence::tests::sequence;
    use super::super::test_support::Fixture;
    use super::*;
    use crate::rules::Badge;
    use crate::schema::TableRef;

    #[test]
    fn drops_behind_a_gate_and_warns_about_the_restart() {
        let fixture = Fixture::new("schemas: {}\n", "schemas: {}\n");
        let change = change::DropSequence {
            name: TableRef::new("public", "order_numbers"),
            sequence: sequence(Some(("orders", "number"))),
        };
        insta::assert_snapshot!(fixture.steps_text(&DropSequence, &change), @r#"
        == deploy (InTransaction)
        gate: no deployed application code, job or report uses sequence public.order_numbers any more
        == contract (InTransaction)
        DROP SEQUENCE IF EXISTS public.order_numbers;  -- ACCESS EXCLUSIVE, metadata only
        rollback: CREATE SEQUENCE IF NOT EXISTS public.order_numbers AS bigint INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1000 CACHE 1 NO CYCLE;
        rollback: ALTER SEQUENCE public.order_numbers OWNED BY public.orders.number;
        rollback warning: the sequence restarts at 1000: setval it past the highest value in use before writes resume
        "#);
        let assessment = DropSequence.assess(&change, &fixture.context());
        assert_eq!(
            assessment.cost.badges(),
            vec![Badge::BreaksClients, Badge::LosesData]
        );
    }
}
