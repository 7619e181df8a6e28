//! `recreate-view`: a view reading columns the plan drops, retypes or renames. PostgreSQL
//! refuses to alter a column a view uses, so the rule's step says, as a [`Surround`], what the
//! planner runs around any step that alters those columns (drop before, create after, in the
//! same transaction); the step itself (drop and create in one contract step) serves when
//! nothing in the plan alters them.

use crate::diff::change;
use crate::schema::TableRef;
use crate::schema::View;
use crate::sql::quote_qualified;
use crate::step::{Phase, Rollback, Statement, Step, Surround};

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
    type Change = change::RecreateView;

    fn explanation(&self) -> &'static Explanation {
        &EXPLANATION
    }

    fn assess(&self, change: &Self::Change, _context: &Context) -> Assessment {
        let Self::Change {
            view,
            desired,
            columns,
            ..
        } = change;
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

    fn steps(
        &self,
        change: &Self::Change,
        _context: &Context,
        _decisions: &Decisions,
    ) -> Vec<Step> {
        let Self::Change {
            view,
            live,
            desired,
            columns,
        } = change;
        let mut forward = vec![drop_live(view, live, desired)];
        forward.extend(create_view::create_statements(view, desired));
        let mut back = vec![drop_live(view, desired, live)];
        back.extend(create_view::create_statements(view, live));
        let step = Step::sql(
            Phase::Contract,
            forward,
            Rollback::partial(back, "grants on the view are not recorded: give them again"),
        );
        vec![step.surrounding(surround(view, live, desired, columns))]
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

/// The view dropped and recreated around a step that alters a column it reads: dropped as it
/// is (`IF EXISTS`, so a re-run after success passes), created as desired after the step, and as
/// it was after the step's rollback.
fn surround(
    view: &crate::diff::QualifiedName,
    live: &View,
    desired: &View,
    reads: &[(TableRef, String)],
) -> Surround {
    let kind = if live.materialized {
        "MATERIALIZED VIEW"
    } else {
        "VIEW"
    };
    let created = |definition: &View| -> Vec<Statement> {
        crate::ddl::view_statements(&view.schema, &view.name, definition)
            .into_iter()
            .map(|sql| {
                Statement::new(
                    sql,
                    Lock::AccessExclusive,
                    "recreated as it was dropped above",
                )
            })
            .collect()
    };
    Surround {
        reads: reads.to_vec(),
        drop: Statement::new(
            format!(
                "DROP {kind} IF EXISTS {}",
                quote_qualified(&view.schema, &view.name)
            ),
            Lock::AccessExclusive,
            "it reads a column changed next; recreated right after, in the same transaction",
        ),
        create: created(desired),
        restore: created(live),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::create_view::tests::view;
    use super::super::test_support::Fixture;
    use super::*;
    use crate::rules::Badge;
    use crate::schema::TableRef;

    fn change() -> change::RecreateView {
        change::RecreateView {
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
    fn the_planner_gets_the_drop_and_the_creates_to_place_around_an_altering_step() {
        let fixture = Fixture::new("schemas: {}\n", "schemas: {}\n");
        let steps = fixture.steps(&RecreateView, &change());
        let surround = steps[0].surrounds.as_ref().unwrap();
        assert_eq!(
            surround.reads,
            vec![(TableRef::new("public", "orders"), "total".to_owned())]
        );
        assert_eq!(surround.drop.sql, "DROP VIEW IF EXISTS public.order_totals");
        assert!(
            surround.create[0]
                .sql
                .starts_with("CREATE VIEW public.order_totals AS\n"),
            "{}",
            surround.create[0].sql
        );
        // As desired (with its comment) after the step, as it was (none) after the rollback.
        assert_eq!(surround.create.len(), 2);
        assert_eq!(surround.restore.len(), 1);
    }
}
