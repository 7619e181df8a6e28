//! `create-policy`: a new row-security policy. Also the policy SQL `drop-policy` uses.

use crate::ddl;
use crate::diff::change;
use crate::schema::{Policy, TableRef};
use crate::sql::quote_ident;
use crate::step::{Phase, Rollback, Statement, Step, guard};

use super::objects::qualified;
use super::{Assessment, Context, Cost, Decisions, Explanation, Rule};
use crate::step::Lock;

pub struct CreatePolicy;

const EXPLANATION: Explanation = Explanation {
    title: "A new row-security policy",
    risk: "CREATE POLICY takes a brief ACCESS EXCLUSIVE lock. Where row security is enabled, a \
           permissive policy lets roles see more rows; a restrictive one hides rows from queries \
           that saw them before.",
    instead: "Expand: CREATE POLICY, guarded by a catalog check because PostgreSQL has no IF NOT \
              EXISTS for policies.",
    rollback: "DROP POLICY IF EXISTS.",
};

impl Rule for CreatePolicy {
    type Change = change::CreatePolicy;

    fn explanation(&self) -> &'static Explanation {
        &EXPLANATION
    }

    fn assess(&self, change: &Self::Change, _context: &Context) -> Assessment {
        let Self::Change { table, policy } = change;
        let restrictive = !policy.permissive;
        let summary = if restrictive {
            format!(
                "restrictive policy {} on {table}: queries may see fewer rows than before",
                policy.name
            )
        } else {
            format!("policy {} on {table}: a brief lock", policy.name)
        };
        Assessment {
            rule: self.id(),
            cost: Cost {
                breaks_clients: restrictive,
                ..Cost::metadata(Lock::AccessExclusive)
            },
            summary,
        }
    }

    fn steps(
        &self,
        change: &Self::Change,
        _context: &Context,
        _decisions: &Decisions,
    ) -> Vec<Step> {
        let Self::Change { table, policy } = change;
        vec![Step::sql(
            Phase::Expand,
            vec![create_statement(table, policy)],
            Rollback::by(vec![drop_statement(table, policy)]),
        )]
    }
}

/// `CREATE POLICY` unless `table` has a policy of that name.
#[must_use]
pub(crate) fn create_statement(table: &TableRef, policy: &Policy) -> Statement {
    let create = ddl::create_policy(&qualified(table), policy);
    Statement::new(
        guard::when(
            &format!("NOT {}", guard::policy_exists(table, &policy.name)),
            &create,
        ),
        Lock::AccessExclusive,
        "brief",
    )
}

/// `DROP POLICY IF EXISTS … ON …`.
#[must_use]
pub(crate) fn drop_statement(table: &TableRef, policy: &Policy) -> Statement {
    Statement::new(
        format!(
            "DROP POLICY IF EXISTS {} ON {}",
            quote_ident(&policy.name),
            qualified(table)
        ),
        Lock::AccessExclusive,
        "brief",
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) mod tests {
    use super::super::test_support::Fixture;
    use super::*;
    use crate::rules::Badge;
    use crate::schema::PolicyCommand;

    pub(crate) fn policy(permissive: bool) -> Policy {
        Policy {
            name: "own_orders".to_owned(),
            command: PolicyCommand::Select,
            permissive,
            roles: vec!["app_user".to_owned(), "public".to_owned()],
            using: Some("(user_id = (current_setting('app.user_id'::text))::bigint)".to_owned()),
            with_check: None,
        }
    }

    #[test]
    fn a_policy_is_created_under_a_guard() {
        let fixture = Fixture::new("schemas: {}\n", "schemas: {}\n");
        let change = change::CreatePolicy {
            table: TableRef::new("public", "orders"),
            policy: policy(true),
        };
        insta::assert_snapshot!(fixture.steps_text(&CreatePolicy, &change), @r#"
        == expand (InTransaction)
        DO $guard$
        BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_policy WHERE polrelid = to_regclass('public.orders') AND polname = 'own_orders') THEN
            CREATE POLICY own_orders ON public.orders AS PERMISSIVE FOR SELECT TO app_user, public USING ((user_id = (current_setting('app.user_id'::text))::bigint));
          END IF;
        END
        $guard$;  -- ACCESS EXCLUSIVE, metadata only
        rollback: DROP POLICY IF EXISTS own_orders ON public.orders;
        "#);
        let assessment = CreatePolicy.assess(&change, &fixture.context());
        assert_eq!(assessment.cost.badges(), vec![Badge::Safe]);
    }

    #[test]
    fn a_restrictive_policy_may_break_clients() {
        let fixture = Fixture::new("schemas: {}\n", "schemas: {}\n");
        let change = change::CreatePolicy {
            table: TableRef::new("public", "orders"),
            policy: policy(false),
        };
        let assessment = CreatePolicy.assess(&change, &fixture.context());
        assert_eq!(assessment.cost.badges(), vec![Badge::BreaksClients]);
    }
}
