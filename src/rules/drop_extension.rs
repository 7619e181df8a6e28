//! `drop-extension`: an installed extension the desired schema no longer lists.

use crate::diff::change;
use crate::step::{Phase, Rollback, Step};

use super::create_extension::{create_statement, drop_statement};
use super::objects;
use super::{Assessment, Context, Decisions, Explanation, Rule};
use crate::step::Lock;

pub struct DropExtension;

const EXPLANATION: Explanation = Explanation {
    title: "An extension is dropped",
    risk: "Every type, function and operator of the extension goes with it: queries that call \
           them fail, and columns or indexes using them make the drop fail.",
    instead: "Deploy gate (no code uses the extension), then contract: DROP EXTENSION IF EXISTS \
              without CASCADE, so nothing that depends on it is dropped silently.",
    rollback: "CREATE EXTENSION IF NOT EXISTS in its schema, at the server's default version; \
               data kept in the extension's own tables, if it has any, does not come back.",
};

impl Rule for DropExtension {
    type Change = change::DropExtension;

    fn explanation(&self) -> &'static Explanation {
        &EXPLANATION
    }

    fn assess(&self, change: &Self::Change, _context: &Context) -> Assessment {
        let Self::Change { name, .. } = change;
        objects::dropped(
            self.id(),
            &format!("extension {name}"),
            Lock::AccessExclusive,
        )
    }

    fn steps(
        &self,
        change: &Self::Change,
        _context: &Context,
        _decisions: &Decisions,
    ) -> Vec<Step> {
        let Self::Change { name, extension } = change;
        vec![
            objects::gate_before_drop(&format!("extension {name}")),
            Step::sql(
                Phase::Contract,
                vec![drop_statement(name)],
                Rollback::partial(
                    vec![create_statement(name, extension)],
                    "the extension comes back at the server's default version; data in its own \
                     tables, if any, is gone",
                ),
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
    use crate::schema::Extension;

    fn change() -> change::DropExtension {
        change::DropExtension {
            name: "hstore".to_owned(),
            extension: Extension {
                schema: "public".to_owned(),
            },
        }
    }

    #[test]
    fn drops_behind_a_gate_and_reinstalls_on_rollback() {
        let fixture = Fixture::new("schemas: {}\n", "schemas: {}\n");
        insta::assert_snapshot!(fixture.steps_text(&DropExtension, &change()), @r#"
        == deploy (InTransaction)
        gate: no deployed application code, job or report uses extension hstore any more
        == contract (InTransaction)
        DROP EXTENSION IF EXISTS hstore;  -- ACCESS EXCLUSIVE, metadata only
        rollback: CREATE EXTENSION IF NOT EXISTS hstore WITH SCHEMA public;
        rollback warning: the extension comes back at the server's default version; data in its own tables, if any, is gone
        "#);
    }

    #[test]
    fn breaks_clients() {
        let fixture = Fixture::new("schemas: {}\n", "schemas: {}\n");
        let assessment = DropExtension.assess(&change(), &fixture.context());
        assert_eq!(assessment.cost.worst_badge(), Badge::BreaksClients);
    }
}
