//! `recreate-view`: a view reading columns the plan drops, retypes or renames. PostgreSQL
//! refuses to alter a column a view uses, so the planner places [`drop_statement`] before the
//! altering step and [`create_statements`] after it, in the same transaction; the rule's own
//! steps (drop and create in one contract step) serve when nothing in the plan alters them.

use crate::diff::Change;
use crate::schema::View;
use crate::step::{Phase, Rollback, Statement, Step};

use super::create_view;
use super::{Assessment, Context, Cost, Decisions, Explanation, Rule};
use crate::step::{Lock, Work};

pub struct RecreateView;

const EXPLANATION: Explanation = Explanation {
    title: "A view over changed columns is recreated",
    risk: "PostgreSQL refuses to drop, retype or rename a column a view reads. The view is \
           dropped just before that change and created again just after it; a materialized view \
           is filled again, and its readers wait while its query runs. Grants on it are lost.",
    instead: "DROP … IF EXISTS right before the step that alters the columns and CREATE with the \
              desired definition right after it, in the same transaction, so no client sees the \
              view missing.",
    rollback: "The view is dropped and created again from its recorded definition; grants are \
               not recorded and must be given again.",
};

impl Rule for RecreateView {
    fn id(&self) -> &'static str {
        "recreate-view"
    }

    fn explanation(&self) -> &'static Explanation {
        &EXPLANATION
    }

    fn claims(&self, change: &Change) -> bool {
        matches!(change, Change::RecreateView { .. })
    }

    fn assess(&self, change: &Change, _context: &Context) -> Assessment {
        let Change::RecreateView {
            view,
            desired,
            columns,
            ..
        } = change
        else {
            return Assessment::unclaimed(self.id());
        };
        let work = if desired.materialized {
            Work::Scan
        } else {
            Work::Metadata
        };
        let names: Vec<String> = columns.iter().map(|(t, c)| format!("{t}.{c}")).collect();
        Assessment {
            rule: self.id(),
            cost: Cost {
                work,
                ..Cost::metadata(Lock::AccessExclusive)
            },
            summary: format!(
                "view {view} reads {} and is dropped and created again around that change",
                names.join(", ")
            ),
        }
    }

    fn steps(&self, change: &Change, _context: &Context, _decisions: &Decisions) -> Vec<Step> {
        let Change::RecreateView {
            view,
            live,
            desired,
            ..
        } = change
        else {
            return Vec::new();
        };
        let mut forward = vec![drop_live(view, live, desired)];
        forward.extend(create_view::create_statements(view, desired));
        let mut back = vec![drop_live(view, desired, live)];
        back.extend(create_view::create_statements(view, live));
        vec![Step::sql(
            Phase::Contract,
            forward,
            Rollback::partial(back, "grants on the view are not recorded: give them again"),
        )]
    }
}

/// Drops `view` as it is (`live`); when `desired` is the other kind, only if it still is `live`'s
/// kind, so a re-run after success does not trip over the new one.
fn drop_live(view: &crate::diff::QualifiedName, live: &View, desired: &View) -> Statement {
    if live.materialized == desired.materialized {
        create_view::drop_statement(view, live)
    } else {
        create_view::drop_statement_if_kind(view, live)
    }
}

/// The statement that drops the view of a [`Change::RecreateView`] before its columns are
/// altered (`None` for any other change).
#[must_use]
pub fn drop_statement(change: &Change) -> Option<Statement> {
    let Change::RecreateView {
        view,
        live,
        desired,
        ..
    } = change
    else {
        return None;
    };
    Some(drop_live(view, live, desired))
}

/// The statement that creates the view of a [`Change::RecreateView`] as desired, after its
/// columns are altered (`None` for any other change). A materialized view's indexes and a
/// comment need [`create_statements`].
#[must_use]
pub fn create_statement(change: &Change) -> Option<Statement> {
    let Change::RecreateView { view, desired, .. } = change else {
        return None;
    };
    Some(create_view::create_statement(view, desired))
}

/// Every statement that creates the view of a [`Change::RecreateView`] as desired: the view,
/// a materialized view's indexes, the comment (empty for any other change).
#[must_use]
pub fn create_statements(change: &Change) -> Vec<Statement> {
    let Change::RecreateView { view, desired, .. } = change else {
        return Vec::new();
    };
    create_view::create_statements(view, desired)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::create_view::tests::view;
    use super::super::test_support::Fixture;
    use super::*;
    use crate::rules::Badge;
    use crate::schema::TableRef;

    fn change() -> Change {
        Change::RecreateView {
            view: TableRef::new("public", "order_totals"),
            live: view(" SELECT id, total FROM orders;", false),
            desired: View {
                comment: Some("totals".to_owned()),
                ..view(" SELECT id, total FROM orders;", false)
            },
            columns: vec![(TableRef::new("public", "orders"), "total".to_owned())],
        }
    }

    #[test]
    fn alone_it_is_one_contract_step() {
        let fixture = Fixture::new("schemas: {}\n", "schemas: {}\n");
        insta::assert_snapshot!(fixture.steps_text(&RecreateView, &change()), @r#"
        == contract (InTransaction)
        DROP VIEW IF EXISTS public.order_totals;  -- ACCESS EXCLUSIVE, metadata only
        CREATE OR REPLACE VIEW public.order_totals AS
        SELECT id, total FROM orders;  -- ACCESS SHARE, metadata only
        COMMENT ON VIEW public.order_totals IS 'totals';  -- SHARE UPDATE EXCLUSIVE, metadata only
        rollback: DROP VIEW IF EXISTS public.order_totals;
        rollback: CREATE OR REPLACE VIEW public.order_totals AS
        SELECT id, total FROM orders;
        rollback warning: grants on the view are not recorded: give them again
        "#);
        let assessment = RecreateView.assess(&change(), &fixture.context());
        assert_eq!(assessment.cost.badges(), vec![Badge::Safe]);
        assert!(
            assessment.summary.contains("public.orders.total"),
            "{}",
            assessment.summary
        );
    }

    #[test]
    fn the_planner_gets_the_drop_and_the_create() {
        let drop = drop_statement(&change()).unwrap();
        assert_eq!(drop.sql, "DROP VIEW IF EXISTS public.order_totals");
        let create = create_statement(&change()).unwrap();
        assert!(
            create
                .sql
                .starts_with("CREATE OR REPLACE VIEW public.order_totals AS\n"),
            "{}",
            create.sql
        );
        assert_eq!(create_statements(&change()).len(), 2);
        let other = Change::CreateSchema {
            schema: "x".to_owned(),
        };
        assert!(drop_statement(&other).is_none());
        assert!(create_statements(&other).is_empty());
    }
}
