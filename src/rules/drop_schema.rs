//! `drop-schema`: a PostgreSQL schema (namespace) the desired schema no longer has.

use crate::diff::change;
use crate::step::{Phase, Rollback, Step};

use super::create_schema::{comment_statement, create_statement, drop_statement};
use super::objects;
use super::{Assessment, Context, Decisions, Explanation, Rule};
use crate::step::Lock;

pub struct DropSchema;

const EXPLANATION: Explanation = Explanation {
    title: "A schema is dropped",
    risk: "Brief, but every query naming the schema (or relying on it in search_path) fails \
           afterwards.",
    instead: "Deploy gate (no code uses the schema), then contract: DROP SCHEMA IF EXISTS without \
              CASCADE, after the objects in it have been dropped by their own steps; anything \
              left makes it fail rather than vanish.",
    rollback: "CREATE SCHEMA IF NOT EXISTS with its comment; the objects that were in it come back \
               through their own rollbacks.",
};

impl Rule for DropSchema {
    type Change = change::DropSchema;

    fn explanation(&self) -> &'static Explanation {
        &EXPLANATION
    }

    fn assess(&self, change: &Self::Change, _context: &Context) -> Assessment {
        let Self::Change { schema } = change;
        objects::dropped(self.id(), &format!("schema {schema}"), Lock::None)
    }

    fn steps(&self, change: &Self::Change, context: &Context, _decisions: &Decisions) -> Vec<Step> {
        let Self::Change { schema } = change;
        let mut rollback = vec![create_statement(schema)];
        let comment = context
            .live
            .namespaces
            .get(schema)
            .and_then(|ns| ns.comment.as_deref());
        rollback.extend(comment.map(|text| comment_statement(schema, text)));
        vec![
            objects::gate_before_drop(&format!("schema {schema}")),
            Step::sql(
                Phase::Contract,
                vec![drop_statement(schema)],
                Rollback::by(rollback),
            ),
        ]
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::test_support::Fixture;
    use super::*;
    use crate::rules::Badge;

    const LIVE: &str = "schemas:\n  archive:\n    comment: old rows\n";

    fn change() -> change::DropSchema {
        change::DropSchema {
            schema: "archive".to_owned(),
        }
    }

    #[test]
    fn drops_without_cascade_behind_a_gate_and_restores_the_comment() {
        let fixture = Fixture::new(LIVE, "schemas: {}\n");
        insta::assert_snapshot!(fixture.steps_text(&DropSchema, &change()), @r#"
        == deploy (InTransaction)
        gate: no deployed application code, job or report uses schema archive any more
        == contract (InTransaction)
        DROP SCHEMA IF EXISTS archive;  -- no table lock, metadata only
        rollback: CREATE SCHEMA IF NOT EXISTS archive;
        rollback: COMMENT ON SCHEMA archive IS 'old rows';
        "#);
        assert_eq!(
            fixture.window().steps_text(&DropSchema, &change()),
            Fixture::new(LIVE, "schemas: {}\n").steps_text(&DropSchema, &change())
        );
    }

    #[test]
    fn breaks_clients() {
        let fixture = Fixture::new(LIVE, "schemas: {}\n");
        let assessment = DropSchema.assess(&change(), &fixture.context());
        assert_eq!(assessment.cost.badges(), vec![Badge::BreaksClients]);
    }
}
