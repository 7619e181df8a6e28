//! `drop-policy`: a row-security policy the desired schema no longer has.

use crate::diff::change;
use crate::step::{Phase, Rollback, Step};

use super::create_policy::{create_statement, drop_statement};
use super::objects;
use super::{Assessment, Context, Decisions, Explanation, Rule};
use crate::step::Lock;

pub struct DropPolicy;

const EXPLANATION: Explanation = Explanation {
    title: "A row-security policy is dropped",
    risk: "Brief ACCESS EXCLUSIVE lock. Where row security is enabled, dropping a permissive \
           policy hides the rows it granted (queries return fewer rows, writes fail); dropping a \
           restrictive one shows rows it hid.",
    instead: "Deploy gate (nothing relies on the rows the policy grants or hides), then contract: \
              DROP POLICY IF EXISTS.",
    rollback: "The policy is created again from its recorded definition.",
};

impl Rule for DropPolicy {
    type Change = change::DropPolicy;

    fn explanation(&self) -> &'static Explanation {
        &EXPLANATION
    }

    fn assess(&self, change: &Self::Change, _context: &Context) -> Assessment {
        let Self::Change { table, policy } = change;
        objects::dropped(
            self.id(),
            &format!("policy {} on {table}", policy.name),
            Lock::AccessExclusive,
        )
    }

    fn steps(
        &self,
        change: &Self::Change,
        _context: &Context,
        _decisions: &Decisions,
    ) -> Vec<Step> {
        let Self::Change { table, policy } = change;
        vec![
            Step::gate(format!(
                "no deployed application code relies any more on the rows policy {} on {table} \
                 grants or hides",
                policy.name
            )),
            Step::sql(
                Phase::Contract,
                vec![drop_statement(table, policy)],
                Rollback::by(vec![create_statement(table, policy)]),
            ),
        ]
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::create_policy::tests::policy;
    use super::super::test_support::Fixture;
    use super::*;
    use crate::rules::Badge;
    use crate::schema::TableRef;

    #[test]
    fn drops_behind_a_gate_and_recreates_on_rollback() {
        let fixture = Fixture::new("schemas: {}\n", "schemas: {}\n");
        let change = change::DropPolicy {
            table: TableRef::new("public", "orders"),
            policy: policy(true),
        };
        insta::assert_snapshot!(fixture.steps_text(&DropPolicy, &change), @r#"
        == deploy (InTransaction)
        gate: no deployed application code relies any more on the rows policy own_orders on public.orders grants or hides
        == contract (InTransaction)
        DROP POLICY IF EXISTS own_orders ON public.orders;  -- ACCESS EXCLUSIVE, metadata only
        rollback: DO $guard$
        BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_policy WHERE polrelid = to_regclass('public.orders') AND polname = 'own_orders') THEN
            CREATE POLICY own_orders ON public.orders AS PERMISSIVE FOR SELECT TO app_user, public USING ((user_id = (current_setting('app.user_id'::text))::bigint));
          END IF;
        END
        $guard$;
        "#);
        let assessment = DropPolicy.assess(&change, &fixture.context());
        assert_eq!(assessment.cost.badges(), vec![Badge::BreaksClients]);
    }
}
