//! `create-trigger`: a new trigger on an existing or new table. Also the trigger SQL the other
//! trigger rules use.

use crate::diff::change;
use crate::schema::{TableRef, Trigger};
use crate::sql::quote_ident;
use crate::step::{Phase, Rollback, Statement, Step, guard};

use super::objects::qualified;
use super::{Assessment, Context, Cost, Decisions, Explanation, Rule};
use crate::step::Lock;

pub struct CreateTrigger;

const EXPLANATION: Explanation = Explanation {
    title: "A new trigger",
    risk: "CREATE TRIGGER takes a SHARE ROW EXCLUSIVE lock (writes wait) for a catalog change \
           only; from then on every matching write runs the trigger's function.",
    instead: "Expand: CREATE TRIGGER guarded by a catalog check (PostgreSQL before 14 has no OR \
              REPLACE for triggers), then DISABLE it if the desired schema has it disabled.",
    rollback: "DROP TRIGGER IF EXISTS.",
};

impl Rule for CreateTrigger {
    type Change = change::CreateTrigger;

    fn explanation(&self) -> &'static Explanation {
        &EXPLANATION
    }

    fn assess(&self, change: &Self::Change, _context: &Context) -> Assessment {
        let Self::Change { table, trigger } = change;
        Assessment {
            rule: self.id(),
            cost: Cost::metadata(Lock::ShareRowExclusive),
            summary: format!(
                "trigger {} on {table}: a brief lock, then every matching write runs it",
                trigger.name
            ),
        }
    }

    fn steps(
        &self,
        change: &Self::Change,
        _context: &Context,
        _decisions: &Decisions,
    ) -> Vec<Step> {
        let Self::Change { table, trigger } = change;
        vec![Step::sql(
            Phase::Expand,
            create_statements(table, trigger),
            Rollback::by(vec![drop_statement(table, trigger)]),
        )]
    }
}

/// The definition without a final `;`.
fn definition(trigger: &Trigger) -> String {
    trigger
        .definition
        .trim()
        .trim_end_matches(';')
        .trim_end()
        .to_owned()
}

/// `CREATE TRIGGER` unless `table` has a trigger of that name, and `DISABLE TRIGGER` when it is
/// disabled.
#[must_use]
pub(crate) fn create_statements(table: &TableRef, trigger: &Trigger) -> Vec<Statement> {
    let guarded = guard::when(
        &format!("NOT {}", guard::trigger_exists(table, &trigger.name)),
        &definition(trigger),
    );
    let mut statements = vec![Statement::new(
        guarded,
        Lock::ShareRowExclusive,
        "brief: writes wait for the catalog change only",
    )];
    if !trigger.enabled {
        statements.push(enabling_statement(table, trigger));
    }
    statements
}

/// `ALTER TABLE … ENABLE` or `DISABLE TRIGGER`, as `trigger.enabled` says.
#[must_use]
pub(crate) fn enabling_statement(table: &TableRef, trigger: &Trigger) -> Statement {
    let verb = if trigger.enabled { "ENABLE" } else { "DISABLE" };
    Statement::new(
        format!(
            "ALTER TABLE {} {verb} TRIGGER {}",
            qualified(table),
            quote_ident(&trigger.name)
        ),
        Lock::ShareRowExclusive,
        "brief",
    )
}

/// `DROP TRIGGER IF EXISTS … ON …`.
#[must_use]
pub(crate) fn drop_statement(table: &TableRef, trigger: &Trigger) -> Statement {
    Statement::new(
        format!(
            "DROP TRIGGER IF EXISTS {} ON {}",
            quote_ident(&trigger.name),
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

    pub(crate) fn trigger(definition: &str, enabled: bool) -> Trigger {
        Trigger {
            name: "orders_touch".to_owned(),
            definition: definition.to_owned(),
            enabled,
        }
    }

    pub(crate) const TOUCH: &str = "CREATE TRIGGER orders_touch BEFORE UPDATE ON public.orders FOR EACH ROW EXECUTE FUNCTION public.touch()";

    #[test]
    fn a_trigger_is_created_under_a_guard() {
        let fixture = Fixture::new("schemas: {}\n", "schemas: {}\n");
        let change = change::CreateTrigger {
            table: TableRef::new("public", "orders"),
            trigger: trigger(TOUCH, true),
        };
        insta::assert_snapshot!(fixture.steps_text(&CreateTrigger, &change), @r#"
        == expand (InTransaction)
        DO $guard$
        BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = to_regclass('public.orders') AND tgname = 'orders_touch') THEN
            CREATE TRIGGER orders_touch BEFORE UPDATE ON public.orders FOR EACH ROW EXECUTE FUNCTION public.touch();
          END IF;
        END
        $guard$;  -- SHARE ROW EXCLUSIVE, metadata only
        rollback: DROP TRIGGER IF EXISTS orders_touch ON public.orders;
        "#);
        let assessment = CreateTrigger.assess(&change, &fixture.context());
        assert_eq!(assessment.cost.badges(), vec![Badge::Safe]);
    }

    #[test]
    fn a_disabled_trigger_is_disabled_after_creation() {
        let fixture = Fixture::new("schemas: {}\n", "schemas: {}\n").window();
        let change = change::CreateTrigger {
            table: TableRef::new("public", "orders"),
            trigger: trigger(TOUCH, false),
        };
        let text = fixture.steps_text(&CreateTrigger, &change);
        assert!(
            text.contains("ALTER TABLE public.orders DISABLE TRIGGER orders_touch;"),
            "{text}"
        );
    }
}
