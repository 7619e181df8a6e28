//! `drop-type`: an enum, domain or composite type the desired schema no longer has.

use crate::diff::change;
use crate::step::{Phase, Rollback, Step};

use super::create_type::{create_statements, drop_statement};
use super::objects;
use super::{Assessment, Context, Decisions, Explanation, Rule};
use crate::step::Lock;

pub struct DropType;

const EXPLANATION: Explanation = Explanation {
    title: "A type (enum, domain or composite) is dropped",
    risk: "Brief, but queries that cast to the type or call functions taking it fail afterwards.",
    instead: "Deploy gate (no code uses the type), then contract: DROP TYPE (or DOMAIN) IF EXISTS \
              without CASCADE, after the columns using it are gone; anything still using it makes \
              the drop fail.",
    rollback: "The type is created again from its recorded definition, with its comment.",
};

impl Rule for DropType {
    type Change = change::DropType;

    fn explanation(&self) -> &'static Explanation {
        &EXPLANATION
    }

    fn assess(&self, change: &Self::Change, _context: &Context) -> Assessment {
        let Self::Change { name, .. } = change;
        objects::dropped(self.id(), &format!("type {name}"), Lock::None)
    }

    fn steps(
        &self,
        change: &Self::Change,
        _context: &Context,
        _decisions: &Decisions,
    ) -> Vec<Step> {
        let Self::Change { name, definition } = change;
        vec![
            objects::gate_before_drop(&format!("type {name}")),
            Step::sql(
                Phase::Contract,
                vec![drop_statement(name, definition)],
                Rollback::by(create_statements(name, definition)),
            ),
        ]
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::test_support::Fixture;
    use super::*;
    use crate::diff::TypeDefinition;
    use crate::rules::Badge;
    use crate::schema::{Attribute, CompositeType, TableRef};

    #[test]
    fn a_composite_type_is_dropped_behind_a_gate_and_recreated_on_rollback() {
        let fixture = Fixture::new("schemas: {}\n", "schemas: {}\n");
        let change = change::DropType {
            name: TableRef::new("public", "money_pair"),
            definition: TypeDefinition::Composite(CompositeType {
                attributes: vec![
                    Attribute {
                        name: "amount".to_owned(),
                        data_type: "numeric(12,2)".to_owned(),
                        collation: None,
                    },
                    Attribute {
                        name: "currency".to_owned(),
                        data_type: "text".to_owned(),
                        collation: Some("\"C\"".to_owned()),
                    },
                ],
                comment: None,
            }),
        };
        insta::assert_snapshot!(fixture.steps_text(&DropType, &change), @r#"
        == deploy (InTransaction)
        gate: no deployed application code, job or report uses type public.money_pair any more
        == contract (InTransaction)
        DROP TYPE IF EXISTS public.money_pair;  -- no table lock, metadata only
        rollback: DO $guard$
        BEGIN
          IF NOT (to_regtype('public.money_pair') IS NOT NULL) THEN
            CREATE TYPE public.money_pair AS (amount numeric(12,2), currency text COLLATE "C");
          END IF;
        END
        $guard$;
        "#);
        let assessment = DropType.assess(&change, &fixture.context());
        assert_eq!(assessment.cost.badges(), vec![Badge::BreaksClients]);
    }
}
