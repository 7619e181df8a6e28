//! `drop-view`: a view or materialized view the desired schema no longer has.

use crate::diff::change;
use crate::step::{Phase, Rollback, Step};

use super::create_view::{create_statements, drop_statement};
use super::objects;
use super::{Assessment, Context, Decisions, Explanation, Rule};
use crate::step::Lock;

pub struct DropView;

const EXPLANATION: Explanation = Explanation {
    title: "A view or materialized view is dropped",
    risk: "Brief, but every query reading the view fails afterwards.",
    instead: "Deploy gate (no code reads the view), then contract: DROP VIEW (or MATERIALIZED \
              VIEW) IF EXISTS without CASCADE; another view reading it makes the drop fail.",
    rollback: "The view is created again from its recorded definition, with its indexes and \
               comment; a materialized view is filled again by running its query. Grants on it \
               are not recorded and must be given again.",
};

impl Rule for DropView {
    type Change = change::DropView;

    fn explanation(&self) -> &'static Explanation {
        &EXPLANATION
    }

    fn assess(&self, change: &Self::Change, _context: &Context) -> Assessment {
        let Self::Change { view, .. } = change;
        objects::dropped(self.id(), &format!("view {view}"), Lock::AccessExclusive)
    }

    fn steps(
        &self,
        change: &Self::Change,
        _context: &Context,
        _decisions: &Decisions,
    ) -> Vec<Step> {
        let Self::Change { view, definition } = change;
        vec![
            objects::gate_before_drop(&format!("view {view}")),
            Step::sql(
                Phase::Contract,
                vec![drop_statement(view, definition)],
                Rollback::partial(
                    create_statements(view, definition),
                    "grants on the view are not recorded: give them again",
                ),
            ),
        ]
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::create_view::tests::{index_on, view};
    use super::super::test_support::Fixture;
    use super::*;
    use crate::rules::Badge;
    use crate::schema::{TableRef, View};

    #[test]
    fn a_materialized_view_is_dropped_behind_a_gate_and_rebuilt_on_rollback() {
        let fixture = Fixture::new("schemas: {}\n", "schemas: {}\n");
        let change = change::DropView {
            view: TableRef::new("public", "daily_totals"),
            definition: View {
                indexes: vec![index_on("daily_totals_day_idx", "day")],
                ..view(" SELECT day FROM orders;", true)
            },
        };
        insta::assert_snapshot!(fixture.steps_text(&DropView, &change), @r#"
        == deploy (InTransaction)
        gate: no deployed application code, job or report uses view public.daily_totals any more
        == contract (InTransaction)
        DROP MATERIALIZED VIEW IF EXISTS public.daily_totals;  -- ACCESS EXCLUSIVE, metadata only
        rollback: CREATE MATERIALIZED VIEW IF NOT EXISTS public.daily_totals AS
        SELECT day FROM orders;
        rollback: CREATE UNIQUE INDEX IF NOT EXISTS daily_totals_day_idx ON public.daily_totals USING btree (day);
        rollback warning: grants on the view are not recorded: give them again
        "#);
        let assessment = DropView.assess(&change, &fixture.context());
        assert_eq!(assessment.cost.badges(), vec![Badge::BreaksClients]);
    }
}
