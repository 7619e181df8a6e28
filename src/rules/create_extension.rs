//! `create-extension`: an extension to install.

use crate::diff::change;
use crate::schema::Extension;
use crate::sql::quote_ident;
use crate::step::{Phase, Rollback, Statement, Step};

use super::objects;
use super::{Assessment, Context, Decisions, Explanation, Rule};
use crate::step::Lock;

pub struct CreateExtension;

const EXPLANATION: Explanation = Explanation {
    title: "A new extension",
    risk: "Usually none: CREATE EXTENSION adds its types and functions. It needs the extension's \
           package on the server and, for most extensions, superuser or database owner rights.",
    instead: "Expand: CREATE EXTENSION IF NOT EXISTS … WITH SCHEMA …, before anything that uses it.",
    rollback: "DROP EXTENSION IF EXISTS, without CASCADE: it fails while something uses the \
               extension's objects.",
};

impl Rule for CreateExtension {
    type Change = change::CreateExtension;

    fn explanation(&self) -> &'static Explanation {
        &EXPLANATION
    }

    fn assess(&self, change: &Self::Change, _context: &Context) -> Assessment {
        let Self::Change { name, .. } = change;
        objects::created(self.id(), &format!("extension {name}"))
    }

    fn steps(
        &self,
        change: &Self::Change,
        _context: &Context,
        _decisions: &Decisions,
    ) -> Vec<Step> {
        let Self::Change { name, extension } = change;
        vec![Step::sql(
            Phase::Expand,
            vec![create_statement(name, extension)],
            Rollback::by(vec![drop_statement(name)]),
        )]
    }
}

/// `CREATE EXTENSION IF NOT EXISTS … WITH SCHEMA …`.
#[must_use]
pub(crate) fn create_statement(name: &str, extension: &Extension) -> Statement {
    Statement::new(
        format!(
            "CREATE EXTENSION IF NOT EXISTS {} WITH SCHEMA {}",
            quote_ident(name),
            quote_ident(&extension.schema)
        ),
        Lock::None,
        "needs the extension's package on the server and the right to create it",
    )
}

/// `DROP EXTENSION IF EXISTS`, without CASCADE.
#[must_use]
pub(crate) fn drop_statement(name: &str) -> Statement {
    Statement::new(
        format!("DROP EXTENSION IF EXISTS {}", quote_ident(name)),
        Lock::AccessExclusive,
        "no CASCADE: fails while anything uses the extension's objects",
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::test_support::Fixture;
    use super::*;
    use crate::rules::Badge;

    fn change() -> change::CreateExtension {
        change::CreateExtension {
            name: "pg_trgm".to_owned(),
            extension: Extension {
                schema: "extensions".to_owned(),
            },
        }
    }

    #[test]
    fn installs_into_its_schema_in_expand() {
        let fixture = Fixture::new("schemas: {}\n", "schemas: {}\n");
        insta::assert_snapshot!(fixture.steps_text(&CreateExtension, &change()), @r#"
        == expand (InTransaction)
        CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA extensions;  -- no table lock, metadata only
        rollback: DROP EXTENSION IF EXISTS pg_trgm;
        "#);
    }

    #[test]
    fn is_safe() {
        let fixture = Fixture::new("schemas: {}\n", "schemas: {}\n");
        let assessment = CreateExtension.assess(&change(), &fixture.context());
        assert_eq!(assessment.cost.badges(), vec![Badge::Safe]);
    }
}
