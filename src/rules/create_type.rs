//! `create-type`: a new enum, domain or composite type.

use crate::ddl;
use crate::diff::{QualifiedName, TypeDefinition, change};
use crate::step::{Phase, Rollback, Statement, Step, guard};

use super::objects::{self, qualified};
use super::{Assessment, Context, Decisions, Explanation, Rule};
use crate::step::Lock;

pub struct CreateType;

const EXPLANATION: Explanation = Explanation {
    title: "A new type (enum, domain or composite)",
    risk: "None: creating a type only adds catalog entries.",
    instead: "Expand: CREATE TYPE or CREATE DOMAIN, guarded by a catalog check because \
              PostgreSQL has no IF NOT EXISTS for them, before the columns that use it.",
    rollback: "DROP TYPE (or DOMAIN) IF EXISTS, without CASCADE: it fails while a column still \
               uses the type.",
};

impl Rule for CreateType {
    type Change = change::CreateType;

    fn explanation(&self) -> &'static Explanation {
        &EXPLANATION
    }

    fn assess(&self, change: &Self::Change, _context: &Context) -> Assessment {
        let Self::Change { name, definition } = change;
        objects::created(self.id(), &format!("{} {name}", kind_word(definition)))
    }

    fn steps(
        &self,
        change: &Self::Change,
        _context: &Context,
        _decisions: &Decisions,
    ) -> Vec<Step> {
        let Self::Change { name, definition } = change;
        vec![Step::sql(
            Phase::Expand,
            create_statements(name, definition),
            Rollback::by(vec![drop_statement(name, definition)]),
        )]
    }
}

/// `TYPE` or `DOMAIN`: the word `DROP` and `COMMENT ON` use for the definition.
#[must_use]
pub(crate) fn sql_kind(definition: &TypeDefinition) -> &'static str {
    match definition {
        TypeDefinition::Domain(_) => "DOMAIN",
        TypeDefinition::Enum(_) | TypeDefinition::Composite(_) => "TYPE",
    }
}

fn kind_word(definition: &TypeDefinition) -> &'static str {
    match definition {
        TypeDefinition::Enum(_) => "enum",
        TypeDefinition::Domain(_) => "domain",
        TypeDefinition::Composite(_) => "composite type",
    }
}

/// The guarded `CREATE` of the type and its comment.
#[must_use]
pub(crate) fn create_statements(
    name: &QualifiedName,
    definition: &TypeDefinition,
) -> Vec<Statement> {
    let target = qualified(name);
    let (create, comment) = match definition {
        TypeDefinition::Enum(e) => (ddl::create_enum(&target, e), e.comment.as_deref()),
        TypeDefinition::Domain(d) => (ddl::create_domain(&target, d), d.comment.as_deref()),
        TypeDefinition::Composite(c) => (ddl::create_composite(&target, c), c.comment.as_deref()),
    };
    let guarded = guard::when(&format!("NOT ({})", guard::type_exists(name)), &create);
    let mut statements = vec![Statement::new(guarded, Lock::None, "catalog only")];
    statements.extend(
        ddl::comment(sql_kind(definition), &target, comment)
            .map(|sql| Statement::new(sql, Lock::None, "catalog only")),
    );
    statements
}

/// `DROP TYPE` (or `DOMAIN`) `IF EXISTS`, without CASCADE.
#[must_use]
pub(crate) fn drop_statement(name: &QualifiedName, definition: &TypeDefinition) -> Statement {
    Statement::new(
        format!(
            "DROP {} IF EXISTS {}",
            sql_kind(definition),
            qualified(name)
        ),
        Lock::None,
        "no CASCADE: fails while a column or function still uses the type",
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::test_support::Fixture;
    use super::*;
    use crate::rules::Badge;
    use crate::schema::{Check, Domain, Enum, TableRef};

    fn fixture() -> Fixture {
        Fixture::new("schemas: {}\n", "schemas: {}\n")
    }

    #[test]
    fn an_enum_is_created_under_a_guard() {
        let change = change::CreateType {
            name: TableRef::new("public", "order_status"),
            definition: TypeDefinition::Enum(Enum {
                labels: vec!["new".to_owned(), "it's paid".to_owned()],
                comment: Some("where an order is".to_owned()),
            }),
        };
        insta::assert_snapshot!(fixture().steps_text(&CreateType, &change), @r#"
        == expand (InTransaction)
        DO $guard$
        BEGIN
          IF NOT (to_regtype('public.order_status') IS NOT NULL) THEN
            CREATE TYPE public.order_status AS ENUM ('new', 'it''s paid');
          END IF;
        END
        $guard$;  -- no table lock, metadata only
        COMMENT ON TYPE public.order_status IS 'where an order is';  -- no table lock, metadata only
        rollback: DROP TYPE IF EXISTS public.order_status;
        "#);
        let assessment = CreateType.assess(&change, &fixture().context());
        assert_eq!(assessment.cost.badges(), vec![Badge::Safe]);
    }

    #[test]
    fn a_domain_is_dropped_as_a_domain_on_rollback() {
        let change = change::CreateType {
            name: TableRef::new("public", "Positive"),
            definition: TypeDefinition::Domain(Domain {
                data_type: "integer".to_owned(),
                nullable: false,
                default: None,
                collation: None,
                checks: vec![Check {
                    name: "positive_check".into(),
                    expression: "VALUE > 0".to_owned(),
                    no_inherit: false,
                    valid: true,
                }],
                comment: None,
            }),
        };
        insta::assert_snapshot!(fixture().window().steps_text(&CreateType, &change), @r#"
        == expand (InTransaction)
        DO $guard$
        BEGIN
          IF NOT (to_regtype('public."Positive"') IS NOT NULL) THEN
            CREATE DOMAIN public."Positive" AS integer NOT NULL CONSTRAINT positive_check CHECK (VALUE > 0);
          END IF;
        END
        $guard$;  -- no table lock, metadata only
        rollback: DROP DOMAIN IF EXISTS public."Positive";
        "#);
    }
}
