//! `create-function`: a new function, procedure or aggregate. Also the routine SQL the other
//! function rules use.

use crate::ddl;
use crate::diff::change;
use crate::schema::Function;
use crate::step::{Phase, Rollback, Statement, Step};

use super::objects;
use super::{Assessment, Context, Decisions, Explanation, Rule};
use crate::step::Lock;

pub struct CreateFunction;

const EXPLANATION: Explanation = Explanation {
    title: "A new function, procedure or aggregate",
    risk: "None: creating a routine only adds a catalog entry.",
    instead: "Expand: CREATE OR REPLACE with its definition, before the triggers, defaults and \
              views that call it.",
    rollback: "DROP ROUTINE (or AGGREGATE) IF EXISTS, without CASCADE: it fails while a trigger, \
               default or view still uses it.",
};

impl Rule for CreateFunction {
    type Change = change::CreateFunction;

    fn explanation(&self) -> &'static Explanation {
        &EXPLANATION
    }

    fn assess(&self, change: &Self::Change, _context: &Context) -> Assessment {
        let Self::Change { schema, key, .. } = change;
        objects::created(self.id(), &format!("routine {schema}.{key}"))
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
        vec![Step::sql(
            Phase::Expand,
            create_statements(schema, key, function),
            Rollback::by(vec![drop_statement(schema, key, function)]),
        )]
    }
}

/// The definition as `CREATE OR REPLACE …` (PostgreSQL's own text has it already; a
/// hand-written `CREATE FUNCTION` gets it), without a final `;`.
#[must_use]
pub(crate) fn or_replace(definition: &str) -> String {
    let text = definition.trim().trim_end_matches(';').trim_end();
    let upper = text.to_ascii_uppercase();
    let words: Vec<&str> = upper.split_whitespace().take(3).collect();
    match words.as_slice() {
        ["CREATE", "OR", "REPLACE"] => text.to_owned(),
        ["CREATE", ..] => format!("CREATE OR REPLACE {}", text["CREATE".len()..].trim_start()),
        _ => text.to_owned(),
    }
}

/// `CREATE OR REPLACE` of the routine, and its comment.
#[must_use]
pub(crate) fn create_statements(schema: &str, key: &str, function: &Function) -> Vec<Statement> {
    let mut statements = vec![Statement::new(
        or_replace(&function.definition),
        Lock::None,
        "catalog only",
    )];
    statements.extend(
        ddl::comment(
            ddl::routine_kind(&function.definition),
            &ddl::routine_signature(schema, key),
            function.comment.as_deref(),
        )
        .map(|sql| Statement::new(sql, Lock::None, "catalog only")),
    );
    statements
}

/// `DROP ROUTINE` (or `AGGREGATE`) `IF EXISTS` by signature, without CASCADE.
#[must_use]
pub(crate) fn drop_statement(schema: &str, key: &str, function: &Function) -> Statement {
    Statement::new(
        format!(
            "DROP {} IF EXISTS {}",
            ddl::routine_kind(&function.definition),
            ddl::routine_signature(schema, key)
        ),
        Lock::None,
        "no CASCADE: fails while a trigger, default or view uses it",
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) mod tests {
    use super::super::test_support::Fixture;
    use super::*;
    use crate::rules::Badge;

    pub(crate) const TOTAL: &str = "CREATE OR REPLACE FUNCTION public.order_total(order_id bigint)\n RETURNS numeric\n LANGUAGE sql\n STABLE\nAS $function$ SELECT sum(amount) FROM order_items WHERE order_id = $1 $function$\n";

    pub(crate) fn function(definition: &str) -> Function {
        Function {
            definition: definition.to_owned(),
            comment: None,
        }
    }

    #[test]
    fn a_function_is_created_or_replaced_and_dropped_by_signature_on_rollback() {
        let fixture = Fixture::new("schemas: {}\n", "schemas: {}\n");
        let change = change::CreateFunction {
            schema: "public".to_owned(),
            key: "order_total(bigint)".to_owned(),
            function: Function {
                comment: Some("sum of an order's items".to_owned()),
                ..function(TOTAL)
            },
        };
        insta::assert_snapshot!(fixture.steps_text(&CreateFunction, &change), @r#"
        == expand (InTransaction)
        CREATE OR REPLACE FUNCTION public.order_total(order_id bigint)
         RETURNS numeric
         LANGUAGE sql
         STABLE
        AS $function$ SELECT sum(amount) FROM order_items WHERE order_id = $1 $function$;  -- no table lock, metadata only
        COMMENT ON ROUTINE public.order_total(bigint) IS 'sum of an order''s items';  -- no table lock, metadata only
        rollback: DROP ROUTINE IF EXISTS public.order_total(bigint);
        "#);
        let assessment = CreateFunction.assess(&change, &fixture.context());
        assert_eq!(assessment.cost.badges(), vec![Badge::Safe]);
    }

    #[test]
    fn hand_written_definitions_get_or_replace() {
        assert_eq!(
            or_replace("create function f() returns int language sql as 'select 1';"),
            "CREATE OR REPLACE function f() returns int language sql as 'select 1'"
        );
        assert_eq!(
            or_replace("CREATE AGGREGATE public.s(integer) (SFUNC = int4pl, STYPE = integer)"),
            "CREATE OR REPLACE AGGREGATE public.s(integer) (SFUNC = int4pl, STYPE = integer)"
        );
        assert_eq!(or_replace(TOTAL), TOTAL.trim_end());
    }

    #[test]
    fn an_aggregate_is_dropped_as_an_aggregate() {
        let statement = drop_statement(
            "public",
            "Sum2(integer)",
            &function(
                "CREATE AGGREGATE public.\"Sum2\"(integer) (SFUNC = int4pl, STYPE = integer)",
            ),
        );
        assert_eq!(
            statement.sql,
            "DROP AGGREGATE IF EXISTS public.\"Sum2\"(integer)"
        );
    }
}
