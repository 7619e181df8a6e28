//! `create-view`: a new view or materialized view. Also the view SQL the other view rules use.

use crate::ddl;
use crate::diff::{QualifiedName, change};
use crate::schema::{Index, View};
use crate::step::{Phase, Rollback, Statement, Step, guard};

use super::objects::{self, qualified};
use super::{Assessment, Context, Cost, Decisions, Explanation, Rule};
use crate::step::{Lock, Work};

pub struct CreateView;

const EXPLANATION: Explanation = Explanation {
    title: "A new view or materialized view",
    risk: "A view: none, it is a catalog entry. A materialized view runs its query to fill \
           itself, reading the tables it selects from (no lock that blocks their writers) for as \
           long as the query takes.",
    instead: "Expand: CREATE OR REPLACE VIEW, or CREATE MATERIALIZED VIEW IF NOT EXISTS and its \
              indexes (nobody reads the new view yet, so plain index builds are fine).",
    rollback: "DROP VIEW (or MATERIALIZED VIEW) IF EXISTS, without CASCADE.",
};

impl Rule for CreateView {
    type Change = change::CreateView;

    fn explanation(&self) -> &'static Explanation {
        &EXPLANATION
    }

    fn assess(&self, change: &Self::Change, _context: &Context) -> Assessment {
        let Self::Change { view, definition } = change;
        if definition.materialized {
            Assessment {
                rule: self.id(),
                cost: Cost {
                    work: Work::Scan,
                    ..Cost::metadata(Lock::AccessShare)
                },
                summary: format!(
                    "creates materialized view {view}: runs its query once to fill it, without \
                     blocking writers of the tables it reads"
                ),
            }
        } else {
            objects::created(self.id(), &format!("view {view}"))
        }
    }

    fn steps(
        &self,
        change: &Self::Change,
        _context: &Context,
        _decisions: &Decisions,
    ) -> Vec<Step> {
        let Self::Change { view, definition } = change;
        vec![Step::sql(
            Phase::Expand,
            create_statements(view, definition),
            Rollback::by(vec![drop_statement(view, definition)]),
        )]
    }
}

/// The statements that create `view` as `definition` says, each safe to run again: `CREATE OR
/// REPLACE VIEW`, or `CREATE MATERIALIZED VIEW IF NOT EXISTS` and its indexes; then its
/// comment.
#[must_use]
pub(crate) fn create_statements(view: &QualifiedName, definition: &View) -> Vec<Statement> {
    let target = qualified(view);
    let mut statements = vec![create_statement(view, definition)];
    if definition.materialized {
        statements.extend(
            definition
                .indexes
                .iter()
                .map(|index| create_index(&view.schema, &target, index)),
        );
    }
    statements.extend(comment_statement(&target, definition));
    statements
}

/// The `CREATE` statement alone (no indexes, no comment), safe to run again.
#[must_use]
pub(crate) fn create_statement(view: &QualifiedName, definition: &View) -> Statement {
    let tail = ddl::view_tail(&qualified(view), definition);
    if definition.materialized {
        Statement::new(
            format!("CREATE MATERIALIZED VIEW IF NOT EXISTS {tail}"),
            Lock::AccessShare,
            "runs the view's query to fill it; writers of the tables it reads go on",
        )
        .doing(Work::Scan, None)
    } else {
        Statement::new(
            format!("CREATE OR REPLACE VIEW {tail}"),
            Lock::AccessShare,
            "catalog only",
        )
    }
}

fn comment_statement(target: &str, definition: &View) -> Option<Statement> {
    ddl::comment(
        ddl::view_kind(definition),
        target,
        definition.comment.as_deref(),
    )
    .map(|sql| Statement::new(sql, Lock::ShareUpdateExclusive, "catalog only"))
}

/// An index of a materialized view that nobody reads yet: a plain build, `IF NOT EXISTS`.
fn create_index(schema: &str, target: &str, index: &Index) -> Statement {
    let sql = ddl::create_index(schema, target, index)
        .into_iter()
        .next()
        .unwrap_or_default();
    // `create_index` writes `CREATE [UNIQUE] INDEX name …`: the first `INDEX ` is the keyword.
    Statement::new(
        sql.replacen("INDEX ", "INDEX IF NOT EXISTS ", 1),
        Lock::None,
        "builds an index of the new materialized view, which nobody reads yet",
    )
    .doing(Work::Scan, None)
}

/// `DROP [MATERIALIZED] VIEW IF EXISTS`, without CASCADE.
#[must_use]
pub(crate) fn drop_statement(view: &QualifiedName, definition: &View) -> Statement {
    Statement::new(
        format!(
            "DROP {} IF EXISTS {}",
            ddl::view_kind(definition),
            qualified(view)
        ),
        Lock::AccessExclusive,
        "brief; no CASCADE: fails while another view reads this one",
    )
}

/// Drops `view` if it exists as the kind `definition` says, and only then: used where a re-run
/// may find the other kind in its place (a view that becomes materialized or the reverse).
#[must_use]
pub(crate) fn drop_statement_if_kind(view: &QualifiedName, definition: &View) -> Statement {
    let relkind = if definition.materialized { 'm' } else { 'v' };
    let condition = guard::relation_is(view, relkind);
    let drop = format!("DROP {} {}", ddl::view_kind(definition), qualified(view));
    Statement::new(
        guard::when(&condition, &drop),
        Lock::AccessExclusive,
        "brief; no CASCADE: fails while another view reads this one",
    )
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::test_support::Fixture;
    use super::*;
    use crate::rules::Badge;
    use crate::schema::{IndexKey, KeyTarget, TableRef};

    pub(crate) fn view(definition: &str, materialized: bool) -> View {
        View {
            definition: definition.to_owned(),
            materialized,
            with: Vec::new(),
            indexes: Vec::new(),
            comment: None,
        }
    }

    pub(crate) fn index_on(name: &str, column: &str) -> Index {
        Index {
            name: name.to_owned().into(),
            unique: true,
            method: "btree".into(),
            keys: vec![IndexKey {
                target: KeyTarget::Column(column.to_owned().into()),
                opclass: None,
                collation: None,
                descending: false,
                nulls_first: false,
            }],
            include: Vec::new(),
            predicate: None,
            nulls_not_distinct: false,
            with: Vec::new(),
            comment: None,
        }
    }

    fn fixture() -> Fixture {
        Fixture::new("schemas: {}\n", "schemas: {}\n")
    }

    #[test]
    fn a_view_is_created_or_replaced_with_its_options_and_comment() {
        let definition = View {
            with: vec!["security_invoker=true".to_owned()],
            comment: Some("paid orders".to_owned()),
            ..view(" SELECT id\n   FROM orders\n  WHERE paid;", false)
        };
        let change = change::CreateView {
            view: TableRef::new("public", "paid_orders"),
            definition,
        };
        insta::assert_snapshot!(fixture().steps_text(&CreateView, &change), @r#"
        == expand (InTransaction)
        CREATE OR REPLACE VIEW public.paid_orders WITH (security_invoker=true) AS
        SELECT id
           FROM orders
          WHERE paid;  -- ACCESS SHARE, metadata only
        COMMENT ON VIEW public.paid_orders IS 'paid orders';  -- SHARE UPDATE EXCLUSIVE, metadata only
        rollback: DROP VIEW IF EXISTS public.paid_orders;
        "#);
        let assessment = CreateView.assess(&change, &fixture().context());
        assert_eq!(assessment.cost.badges(), vec![Badge::Safe]);
    }

    #[test]
    fn a_materialized_view_is_filled_and_indexed() {
        let definition = View {
            indexes: vec![index_on("daily_totals_day_idx", "day")],
            ..view(
                " SELECT day, sum(total) AS total\n   FROM orders\n  GROUP BY day;",
                true,
            )
        };
        let change = change::CreateView {
            view: TableRef::new("public", "daily_totals"),
            definition,
        };
        insta::assert_snapshot!(fixture().steps_text(&CreateView, &change), @r#"
        == expand (InTransaction)
        CREATE MATERIALIZED VIEW IF NOT EXISTS public.daily_totals AS
        SELECT day, sum(total) AS total
           FROM orders
          GROUP BY day;  -- ACCESS SHARE, scans the table
        CREATE UNIQUE INDEX IF NOT EXISTS daily_totals_day_idx ON public.daily_totals USING btree (day);  -- no table lock, scans the table
        rollback: DROP MATERIALIZED VIEW IF EXISTS public.daily_totals;
        "#);
        let assessment = CreateView.assess(&change, &fixture().context());
        assert_eq!(assessment.cost.work, Work::Scan);
        assert_eq!(assessment.cost.badges(), vec![Badge::Safe]);
    }
}
