//! `create-schema`: a new PostgreSQL schema (namespace).

use crate::diff::change;
use crate::sql::{quote_ident, quote_literal};
use crate::step::{Phase, Rollback, Statement, Step};

use super::objects;
use super::{Assessment, Context, Decisions, Explanation, Rule};
use crate::step::Lock;

pub struct CreateSchema;

const EXPLANATION: Explanation = Explanation {
    title: "A new schema",
    risk: "None: CREATE SCHEMA only adds a catalog entry.",
    instead: "Expand: CREATE SCHEMA IF NOT EXISTS, before the objects that go in it (its comment \
              is a change of its own).",
    rollback: "DROP SCHEMA IF EXISTS, without CASCADE: it fails while objects remain in the schema \
               (their own rollbacks drop them first).",
};

impl Rule for CreateSchema {
    type Change = change::CreateSchema;

    fn explanation(&self) -> &'static Explanation {
        &EXPLANATION
    }

    fn assess(&self, change: &Self::Change, _context: &Context) -> Assessment {
        let Self::Change { schema } = change;
        objects::created(self.id(), &format!("schema {schema}"))
    }

    fn steps(
        &self,
        change: &Self::Change,
        _context: &Context,
        _decisions: &Decisions,
    ) -> Vec<Step> {
        let Self::Change { schema } = change;
        // Its comment comes as a `set-comment` change of its own, once the schema exists.
        vec![Step::sql(
            Phase::Expand,
            vec![create_statement(schema)],
            Rollback::by(vec![drop_statement(schema)]),
        )]
    }
}

/// `CREATE SCHEMA IF NOT EXISTS`.
#[must_use]
pub(crate) fn create_statement(schema: &str) -> Statement {
    Statement::new(
        format!("CREATE SCHEMA IF NOT EXISTS {}", quote_ident(schema)),
        Lock::None,
        "catalog only",
    )
}

/// `DROP SCHEMA IF EXISTS`, without CASCADE: it refuses to drop objects still in the schema.
#[must_use]
pub(crate) fn drop_statement(schema: &str) -> Statement {
    Statement::new(
        format!("DROP SCHEMA IF EXISTS {}", quote_ident(schema)),
        Lock::None,
        "no CASCADE: fails while anything is left in the schema",
    )
}

/// `COMMENT ON SCHEMA … IS …`.
#[must_use]
pub(crate) fn comment_statement(schema: &str, text: &str) -> Statement {
    Statement::new(
        format!(
            "COMMENT ON SCHEMA {} IS {}",
            quote_ident(schema),
            quote_literal(text)
        ),
        Lock::None,
        "catalog only",
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::test_support::Fixture;
    use super::*;
    use crate::rules::Badge;

    const DESIRED: &str = "schemas:\n  Billing:\n    comment: money's home\n";

    #[test]
    fn creates_the_schema_in_expand_and_leaves_the_comment_to_its_own_change() {
        let fixture = Fixture::new("schemas: {}\n", DESIRED);
        let change = change::CreateSchema {
            schema: "Billing".to_owned(),
        };
        insta::assert_snapshot!(fixture.steps_text(&CreateSchema, &change), @r#"
        == expand (InTransaction)
        CREATE SCHEMA IF NOT EXISTS "Billing";  -- no table lock, metadata only
        rollback: DROP SCHEMA IF EXISTS "Billing";
        "#);
        assert_eq!(
            fixture.window().steps_text(&CreateSchema, &change),
            Fixture::new("schemas: {}\n", DESIRED).steps_text(&CreateSchema, &change)
        );
    }

    #[test]
    fn is_safe() {
        let fixture = Fixture::new("schemas: {}\n", DESIRED);
        let change = change::CreateSchema {
            schema: "Billing".to_owned(),
        };
        let assessment = CreateSchema.assess(&change, &fixture.context());
        assert_eq!(assessment.cost.badges(), vec![Badge::Safe]);
    }
}
