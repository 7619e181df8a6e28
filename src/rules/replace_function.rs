//! `replace-function`: a function, procedure or aggregate whose definition changes.

use crate::diff::change;
use crate::schema::Function;
use crate::step::{Phase, Rollback, Statement, Step};

use super::create_function::{create_statements, drop_statement};
use super::{Assessment, Context, Cost, Decisions, Explanation, Rule};
use crate::step::Lock;

pub struct ReplaceFunction;

const EXPLANATION: Explanation = Explanation {
    title: "A function's definition changes",
    risk: "CREATE OR REPLACE swaps the body atomically and keeps grants and dependents, but \
           PostgreSQL refuses it when the result type or parameter names change: then the \
           routine must be dropped and created again, which loses grants, fails while triggers, \
           defaults or views use it, and breaks callers expecting the old result.",
    instead: "Expand: CREATE OR REPLACE; when the header (parameters, RETURNS) changes, DROP and \
              CREATE in one transaction, so no caller sees it missing.",
    rollback: "The same, back to the recorded definition.",
};

impl Rule for ReplaceFunction {
    type Change = change::ReplaceFunction;

    fn explanation(&self) -> &'static Explanation {
        &EXPLANATION
    }

    fn assess(&self, change: &Self::Change, _context: &Context) -> Assessment {
        let Self::Change {
            schema,
            key,
            from,
            to,
        } = change;
        let recreated = needs_drop(from, to);
        let summary = if recreated {
            format!(
                "{schema}.{key} changes its result or parameter names: dropped and created \
                 again, callers expecting the old result fail"
            )
        } else {
            format!("{schema}.{key} gets a new body, swapped atomically")
        };
        Assessment {
            rule: self.id(),
            cost: Cost {
                breaks_clients: recreated,
                ..Cost::metadata(Lock::None)
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
        let Self::Change {
            schema,
            key,
            from,
            to,
        } = change;
        let replace = |old: &Function, new: &Function| -> Vec<Statement> {
            let mut statements = Vec::new();
            if needs_drop(old, new) {
                statements.push(drop_statement(schema, key, old));
            }
            statements.extend(create_statements(schema, key, new));
            statements
        };
        let forward = replace(from, to);
        let back = replace(to, from);
        let rollback = if needs_drop(from, to) {
            Rollback::partial(
                back,
                "grants on the routine are not recorded: give them again",
            )
        } else {
            Rollback::by(back)
        };
        vec![Step::sql(Phase::Expand, forward, rollback)]
    }
}

/// Whether CREATE OR REPLACE would refuse `to` over `from`: their headers (name, parameters,
/// RETURNS) differ. A rough test on the text: any header difference counts, which sometimes
/// drops a routine PostgreSQL could have replaced, never the other way round.
fn needs_drop(from: &Function, to: &Function) -> bool {
    header(&from.definition) != header(&to.definition)
        || crate::ddl::routine_kind(&from.definition) != crate::ddl::routine_kind(&to.definition)
}

/// The text before the routine's attributes and body (`LANGUAGE`, `AS`, `BEGIN ATOMIC`), in
/// upper case with single spaces, without `CREATE [OR REPLACE]`.
fn header(definition: &str) -> String {
    let words: Vec<String> = definition
        .split_whitespace()
        .map(str::to_ascii_uppercase)
        .collect();
    let end = words
        .iter()
        .position(|w| matches!(w.as_str(), "LANGUAGE" | "AS" | "BEGIN"))
        .unwrap_or(words.len());
    let start = match words.get(..3) {
        Some([create, or, replace]) if create == "CREATE" && or == "OR" && replace == "REPLACE" => {
            3
        }
        _ => usize::from(words.first().is_some_and(|w| w == "CREATE")),
    };
    words.get(start..end).unwrap_or_default().join(" ")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::create_function::tests::{TOTAL, function};
    use super::super::test_support::Fixture;
    use super::*;
    use crate::rules::Badge;

    fn change(to: &str) -> change::ReplaceFunction {
        change::ReplaceFunction {
            schema: "public".to_owned(),
            key: "order_total(bigint)".to_owned(),
            from: function(TOTAL),
            to: function(to),
        }
    }

    #[test]
    fn a_new_body_is_replaced_in_place() {
        let fixture = Fixture::new("schemas: {}\n", "schemas: {}\n");
        let change = change(&TOTAL.replace("sum(amount)", "coalesce(sum(amount), 0)"));
        insta::assert_snapshot!(fixture.steps_text(&ReplaceFunction, &change), @r#"
        == expand (InTransaction)
        CREATE OR REPLACE FUNCTION public.order_total(order_id bigint)
         RETURNS numeric
         LANGUAGE sql
         STABLE
        AS $function$ SELECT coalesce(sum(amount), 0) FROM order_items WHERE order_id = $1 $function$;  -- no table lock, metadata only
        rollback: CREATE OR REPLACE FUNCTION public.order_total(order_id bigint)
         RETURNS numeric
         LANGUAGE sql
         STABLE
        AS $function$ SELECT sum(amount) FROM order_items WHERE order_id = $1 $function$;
        "#);
        let assessment = ReplaceFunction.assess(&change, &fixture.context());
        assert_eq!(assessment.cost.badges(), vec![Badge::Safe]);
    }

    #[test]
    fn a_new_return_type_drops_and_creates_in_one_step() {
        let fixture = Fixture::new("schemas: {}\n", "schemas: {}\n").window();
        let change = change(&TOTAL.replace("RETURNS numeric", "RETURNS bigint"));
        insta::assert_snapshot!(fixture.steps_text(&ReplaceFunction, &change), @r#"
        == expand (InTransaction)
        DROP ROUTINE IF EXISTS public.order_total(bigint);  -- no table lock, metadata only
        CREATE OR REPLACE FUNCTION public.order_total(order_id bigint)
         RETURNS bigint
         LANGUAGE sql
         STABLE
        AS $function$ SELECT sum(amount) FROM order_items WHERE order_id = $1 $function$;  -- no table lock, metadata only
        rollback: DROP ROUTINE IF EXISTS public.order_total(bigint);
        rollback: CREATE OR REPLACE FUNCTION public.order_total(order_id bigint)
         RETURNS numeric
         LANGUAGE sql
         STABLE
        AS $function$ SELECT sum(amount) FROM order_items WHERE order_id = $1 $function$;
        rollback warning: grants on the routine are not recorded: give them again
        "#);
        let assessment = ReplaceFunction.assess(&change, &fixture.context());
        assert_eq!(assessment.cost.badges(), vec![Badge::BreaksClients]);
    }

    #[test]
    fn headers_ignore_layout_and_the_or_replace() {
        assert_eq!(
            header("create function f(a int)\n returns int language sql as 'select 1'"),
            header("CREATE OR REPLACE FUNCTION f(a int) RETURNS int\n LANGUAGE sql AS 'select 2'")
        );
        assert_ne!(
            header("CREATE FUNCTION f(a int) RETURNS int AS 'select 1' LANGUAGE sql"),
            header("CREATE FUNCTION f(b int) RETURNS int AS 'select 1' LANGUAGE sql")
        );
    }
}
