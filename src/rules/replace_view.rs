//! `replace-view`: a view whose query, options or materialization change.

use crate::ddl;
use crate::diff::{QualifiedName, change};
use crate::schema::names::make_object_name;
use crate::schema::{Index, TableRef, View};
use crate::sql::{quote_ident, quote_qualified};
use crate::step::{Phase, Rollback, Statement, Step};

use super::create_view::{
    create_statement, create_statements, drop_statement, drop_statement_if_kind,
};
use super::objects::qualified;
use super::{Assessment, Context, Cost, Decisions, Explanation, Rule};
use crate::step::{Lock, Work};

pub struct ReplaceView;

/// The label of the name a materialized view is built under before it is swapped in.
const BUILD_LABEL: &str = "pgphase_new";

const EXPLANATION: Explanation = Explanation {
    title: "A view's definition changes",
    risk: "CREATE OR REPLACE VIEW refuses to drop, rename or retype output columns, so the view is \
           dropped and created again: brief for a view, but a materialized view is filled again \
           under ACCESS EXCLUSIVE, so its readers wait while its query runs. Dropping loses grants \
           on the view.",
    instead: "Expand, in one transaction: a view is dropped and created again; a materialized \
              view is built beside the old one under a temporary name (readers go on), indexed, \
              then swapped in (drop the old, rename the new and its indexes).",
    rollback: "The same replacement back to the recorded definition; grants on the view are not \
               recorded and must be given again.",
};

impl Rule for ReplaceView {
    type Change = change::ReplaceView;

    fn explanation(&self) -> &'static Explanation {
        &EXPLANATION
    }

    fn assess(&self, change: &Self::Change, _context: &Context) -> Assessment {
        let Self::Change { view, to, .. } = change;
        if to.materialized {
            Assessment {
                rule: self.id(),
                cost: Cost {
                    work: Work::Scan,
                    ..Cost::metadata(Lock::AccessExclusive)
                },
                summary: format!(
                    "materialized view {view} is dropped and filled again: its readers wait \
                     while its query runs"
                ),
            }
        } else {
            Assessment {
                rule: self.id(),
                cost: Cost::metadata(Lock::AccessExclusive),
                summary: format!(
                    "view {view} is dropped and created again: brief; clients reading columns \
                     it no longer has fail"
                ),
            }
        }
    }

    fn steps(&self, change: &Self::Change, _context: &Context, decisions: &Decisions) -> Vec<Step> {
        let Self::Change { view, from, to } = change;
        let beside = decisions.zero_downtime();
        vec![Step::sql(
            Phase::Expand,
            replace_statements(view, from, to, beside),
            Rollback::partial(
                replace_statements(view, to, from, beside),
                "grants on the view are not recorded: give them again",
            ),
        )]
    }
}

/// The statements that replace `view` defined as `old` by `new`. With `build_beside`, a new
/// materialized view is built under a temporary name first and swapped in, so its readers wait
/// only for the swap.
fn replace_statements(
    view: &QualifiedName,
    old: &View,
    new: &View,
    build_beside: bool,
) -> Vec<Statement> {
    if new.materialized && build_beside {
        return build_and_swap(view, old, new);
    }
    let mut statements = vec![drop_old(view, old, new)];
    statements.extend(create_statements(view, new));
    statements
}

/// Drops the old view; when the kind changes, a re-run after success finds the new kind in its
/// place, so the drop looks at the kind first.
fn drop_old(view: &QualifiedName, old: &View, new: &View) -> Statement {
    if old.materialized == new.materialized {
        drop_statement(view, old)
    } else {
        drop_statement_if_kind(view, old)
    }
}

fn build_and_swap(view: &QualifiedName, old: &View, new: &View) -> Vec<Statement> {
    let building = TableRef::new(
        &view.schema,
        make_object_name(&view.name, None, BUILD_LABEL),
    );
    let bare = View {
        indexes: Vec::new(),
        comment: None,
        ..new.clone()
    };
    let mut statements = vec![create_statement(&building, &bare)];
    let built = qualified(&building);
    for index in &new.indexes {
        statements.push(build_index(&view.schema, &built, index));
    }
    statements.push(drop_old(view, old, new));
    if old.materialized != new.materialized {
        // A re-run after success finds the new materialized view in place of the old view.
        statements.push(drop_statement_if_kind(view, new));
    }
    statements.push(Statement::new(
        format!(
            "ALTER MATERIALIZED VIEW IF EXISTS {built} RENAME TO {}",
            quote_ident(&view.name)
        ),
        Lock::AccessExclusive,
        "brief: the new contents take the view's name",
    ));
    for index in &new.indexes {
        statements.push(Statement::new(
            format!(
                "ALTER INDEX IF EXISTS {} RENAME TO {}",
                quote_qualified(&view.schema, &building_name(index)),
                quote_ident(&index.name)
            ),
            Lock::AccessExclusive,
            "brief",
        ));
    }
    statements.extend(
        ddl::comment(
            "MATERIALIZED VIEW",
            &qualified(view),
            new.comment.as_deref(),
        )
        .map(|sql| Statement::new(sql, Lock::ShareUpdateExclusive, "catalog only")),
    );
    statements
}

fn building_name(index: &Index) -> String {
    make_object_name(&index.name, None, BUILD_LABEL)
}

/// An index of the materialized view being built, under its temporary name.
fn build_index(schema: &str, built: &str, index: &Index) -> Statement {
    let temporary = Index {
        name: building_name(index).into(),
        comment: None,
        ..index.clone()
    };
    let sql = ddl::create_index(schema, built, &temporary)
        .into_iter()
        .next()
        .unwrap_or_default();
    // `create_index` writes `CREATE [UNIQUE] INDEX name …`: the first `INDEX ` is the keyword.
    Statement::new(
        sql.replacen("INDEX ", "INDEX IF NOT EXISTS ", 1),
        Lock::None,
        "indexes the new contents, which nobody reads yet",
    )
    .doing(Work::Scan, None)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::create_view::tests::{index_on, view};
    use super::super::test_support::Fixture;
    use super::*;
    use crate::rules::Badge;

    fn fixture() -> Fixture {
        Fixture::new("schemas: {}\n", "schemas: {}\n")
    }

    fn materialized_change() -> change::ReplaceView {
        change::ReplaceView {
            view: TableRef::new("public", "daily_totals"),
            from: View {
                indexes: vec![index_on("daily_totals_day_idx", "day")],
                ..view(" SELECT day FROM orders;", true)
            },
            to: View {
                indexes: vec![index_on("daily_totals_day_idx", "day")],
                ..view(" SELECT day, count(*) AS n FROM orders GROUP BY day;", true)
            },
        }
    }

    #[test]
    fn a_view_is_dropped_and_created_again_in_one_step() {
        let change = change::ReplaceView {
            view: TableRef::new("public", "paid_orders"),
            from: view(" SELECT id FROM orders;", false),
            to: view(" SELECT id, total FROM orders;", false),
        };
        insta::assert_snapshot!(fixture().steps_text(&ReplaceView, &change), @r#"
        == expand (InTransaction)
        DROP VIEW IF EXISTS public.paid_orders;  -- ACCESS EXCLUSIVE, metadata only
        CREATE OR REPLACE VIEW public.paid_orders AS
        SELECT id, total FROM orders;  -- ACCESS SHARE, metadata only
        rollback: DROP VIEW IF EXISTS public.paid_orders;
        rollback: CREATE OR REPLACE VIEW public.paid_orders AS
        SELECT id FROM orders;
        rollback warning: grants on the view are not recorded: give them again
        "#);
        let assessment = ReplaceView.assess(&change, &fixture().context());
        assert_eq!(assessment.cost.badges(), vec![Badge::Safe]);
    }

    #[test]
    fn a_materialized_view_is_built_beside_and_swapped_in() {
        insta::assert_snapshot!(fixture().steps_text(&ReplaceView, &materialized_change()), @r#"
        == expand (InTransaction)
        CREATE MATERIALIZED VIEW IF NOT EXISTS public.daily_totals_pgphase_new AS
        SELECT day, count(*) AS n FROM orders GROUP BY day;  -- ACCESS SHARE, scans the table
        CREATE UNIQUE INDEX IF NOT EXISTS daily_totals_day_idx_pgphase_new ON public.daily_totals_pgphase_new USING btree (day);  -- no table lock, scans the table
        DROP MATERIALIZED VIEW IF EXISTS public.daily_totals;  -- ACCESS EXCLUSIVE, metadata only
        ALTER MATERIALIZED VIEW IF EXISTS public.daily_totals_pgphase_new RENAME TO daily_totals;  -- ACCESS EXCLUSIVE, metadata only
        ALTER INDEX IF EXISTS public.daily_totals_day_idx_pgphase_new RENAME TO daily_totals_day_idx;  -- ACCESS EXCLUSIVE, metadata only
        rollback: CREATE MATERIALIZED VIEW IF NOT EXISTS public.daily_totals_pgphase_new AS
        SELECT day FROM orders;
        rollback: CREATE UNIQUE INDEX IF NOT EXISTS daily_totals_day_idx_pgphase_new ON public.daily_totals_pgphase_new USING btree (day);
        rollback: DROP MATERIALIZED VIEW IF EXISTS public.daily_totals;
        rollback: ALTER MATERIALIZED VIEW IF EXISTS public.daily_totals_pgphase_new RENAME TO daily_totals;
        rollback: ALTER INDEX IF EXISTS public.daily_totals_day_idx_pgphase_new RENAME TO daily_totals_day_idx;
        rollback warning: grants on the view are not recorded: give them again
        "#);
        let assessment = ReplaceView.assess(&materialized_change(), &fixture().context());
        assert_eq!(assessment.cost.badges(), vec![Badge::Locks]);
    }

    #[test]
    fn a_window_refills_a_materialized_view_in_place() {
        insta::assert_snapshot!(fixture().window().steps_text(&ReplaceView, &materialized_change()), @r#"
        == expand (InTransaction)
        DROP MATERIALIZED VIEW IF EXISTS public.daily_totals;  -- ACCESS EXCLUSIVE, metadata only
        CREATE MATERIALIZED VIEW IF NOT EXISTS public.daily_totals AS
        SELECT day, count(*) AS n FROM orders GROUP BY day;  -- ACCESS SHARE, scans the table
        CREATE UNIQUE INDEX IF NOT EXISTS daily_totals_day_idx ON public.daily_totals USING btree (day);  -- no table lock, scans the table
        rollback: DROP MATERIALIZED VIEW IF EXISTS public.daily_totals;
        rollback: CREATE MATERIALIZED VIEW IF NOT EXISTS public.daily_totals AS
        SELECT day FROM orders;
        rollback: CREATE UNIQUE INDEX IF NOT EXISTS daily_totals_day_idx ON public.daily_totals USING btree (day);
        rollback warning: grants on the view are not recorded: give them again
        "#);
    }

    #[test]
    fn a_view_becoming_materialized_drops_by_kind() {
        let change = change::ReplaceView {
            view: TableRef::new("public", "totals"),
            from: view(" SELECT 1 AS one;", false),
            to: view(" SELECT 1 AS one;", true),
        };
        let text = fixture().window().steps_text(&ReplaceView, &change);
        assert!(text.contains("relkind = 'v'"), "{text}");
        assert!(text.contains("DROP VIEW public.totals;"), "{text}");
        assert!(text.contains("relkind = 'm'"), "{text}");
    }
}
