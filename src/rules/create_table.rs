//! `create-table`: a new table, with its constraints, indexes, triggers, comments and row
//! security (its foreign keys come as separate changes once every new table exists).

use crate::ddl::{self, IndexBuild};
use crate::diff::change;
use crate::schema::{Table, TableRef};
use crate::sql::{quote_ident, quote_qualified};
use crate::step::guard;
use crate::step::{Phase, Rollback, Statement, Step};

use super::{Assessment, Context, Cost, Decisions, Explanation, Rule};
use crate::step::Lock;

pub struct CreateTable;

const EXPLANATION: Explanation = Explanation {
    title: "A new table",
    risk: "None on existing tables: the table is new and empty, so its indexes are built on \
           nothing and no one waits for them.",
    instead: "CREATE TABLE IF NOT EXISTS with its constraints inline, then its indexes, \
              triggers, comments and policies, all in the expand phase.",
    rollback: "DROP TABLE, which is harmless only while no data has been written to it.",
};

impl Rule for CreateTable {
    type Change = change::CreateTable;

    fn explanation(&self) -> &'static Explanation {
        &EXPLANATION
    }

    fn assess(&self, change: &Self::Change, _context: &Context) -> Assessment {
        let Self::Change { table, .. } = change;
        Assessment {
            rule: self.id(),
            cost: Cost::metadata(Lock::None),
            summary: format!("new table {}: no lock on existing tables", table.name),
        }
    }

    fn steps(
        &self,
        change: &Self::Change,
        _context: &Context,
        _decisions: &Decisions,
    ) -> Vec<Step> {
        let Self::Change { table, definition } = change;
        vec![Step::sql(
            Phase::Expand,
            create_statements(table, definition),
            Rollback::partial(
                vec![drop_table(table)],
                format!(
                    "dropping {} loses every row written to it since the expand phase",
                    table.name
                ),
            ),
        )]
    }
}

/// Everything that creates `definition` as `table` on an empty slate, each statement safe to
/// run again: the table, NOT VALID checks, indexes, triggers, row security, policies and
/// comments. Foreign keys are not included.
pub(crate) fn create_statements(table: &TableRef, definition: &Table) -> Vec<Statement> {
    let target = quote_qualified(&table.schema, &table.name);
    let new = |sql: String, note: &str| Statement::new(sql, Lock::None, note);
    let mut out = vec![new(
        ddl::create_table_statement(&table.schema, &table.name, definition, true),
        "a new, empty table",
    )];
    for check in definition.checks.iter().filter(|c| !c.valid) {
        let add = format!(
            "ALTER TABLE {target} ADD {} NOT VALID",
            ddl::check_clause(check)
        );
        let sql = guard::when(
            &format!("NOT {}", guard::constraint_exists(table, &check.name)),
            &add,
        );
        out.push(new(sql, "a check left NOT VALID as desired"));
    }
    for index in &definition.indexes {
        let sql = ddl::create_index_statement(&target, index, IndexBuild::Plain);
        out.push(new(sql, "the table is empty: a plain build takes no time"));
    }
    out.extend(trigger_statements(table, definition));
    out.extend(row_security_statements(table, definition));
    out.extend(comment_statements(table, definition));
    out
}

fn trigger_statements(table: &TableRef, definition: &Table) -> Vec<Statement> {
    let target = quote_qualified(&table.schema, &table.name);
    let mut out = Vec::new();
    for trigger in &definition.triggers {
        let create = trigger.definition.trim_end().trim_end_matches(';');
        let sql = guard::when(
            &format!("NOT {}", guard::trigger_exists(table, &trigger.name)),
            create,
        );
        out.push(Statement::new(sql, Lock::None, "trigger of the new table"));
        if !trigger.enabled {
            out.push(Statement::new(
                format!(
                    "ALTER TABLE {target} DISABLE TRIGGER {}",
                    quote_ident(&trigger.name)
                ),
                Lock::None,
                "disabled, as desired",
            ));
        }
    }
    out
}

fn row_security_statements(table: &TableRef, definition: &Table) -> Vec<Statement> {
    let target = quote_qualified(&table.schema, &table.name);
    let rls = &definition.row_security;
    let mut out = Vec::new();
    if rls.enabled {
        out.push(format!("ALTER TABLE {target} ENABLE ROW LEVEL SECURITY"));
    }
    if rls.forced {
        out.push(format!("ALTER TABLE {target} FORCE ROW LEVEL SECURITY"));
    }
    for policy in &rls.policies {
        out.push(guard::when(
            &format!("NOT {}", guard::policy_exists(table, &policy.name)),
            &ddl::create_policy(&target, policy),
        ));
    }
    out.into_iter()
        .map(|sql| Statement::new(sql, Lock::None, "row security of the new table"))
        .collect()
}

fn comment_statements(table: &TableRef, definition: &Table) -> Vec<Statement> {
    let target = quote_qualified(&table.schema, &table.name);
    let schema = &table.schema;
    let mut out: Vec<String> = Vec::new();
    out.extend(ddl::comment(
        "TABLE",
        &target,
        definition.comment.as_deref(),
    ));
    for column in &definition.columns {
        let name = format!("{target}.{}", quote_ident(&column.name));
        out.extend(ddl::comment("COLUMN", &name, column.comment.as_deref()));
    }
    for index in &definition.indexes {
        let name = quote_qualified(schema, &index.name);
        out.extend(ddl::comment("INDEX", &name, index.comment.as_deref()));
    }
    out.into_iter()
        .map(|sql| Statement::new(sql, Lock::None, "comment"))
        .collect()
}

/// `DROP TABLE IF EXISTS`: brief, but everything in the table is gone.
pub(crate) fn drop_table(table: &TableRef) -> Statement {
    Statement::new(
        format!(
            "DROP TABLE IF EXISTS {}",
            quote_qualified(&table.schema, &table.name)
        ),
        Lock::AccessExclusive,
        "brief; the table's rows are gone",
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::test_support::Fixture;
    use super::*;

    const LIVE: &str = "schemas:\n  public: {}\n";
    const DESIRED: &str = r#"schemas:
  public:
    tables:
      orders:
        comment: "one row per order"
        columns:
          id: { type: bigint, identity: always, nullable: false }
          status: { type: text, default: "'new'::text", nullable: false, comment: "lifecycle" }
          total: numeric(12,2)
        primary_key: [id]
        checks:
          - { name: total_positive, expression: "total > 0" }
        indexes:
          - { columns: [status] }
"#;

    fn change(fixture: &Fixture) -> change::CreateTable {
        let table = TableRef::new("public", "orders");
        let definition = fixture.desired.table(&table).unwrap().clone();
        change::CreateTable { table, definition }
    }

    #[test]
    fn a_new_table_is_created_whole_in_expand() {
        let fixture = Fixture::new(LIVE, DESIRED);
        let text = fixture.steps_text(&CreateTable, &change(&fixture));
        insta::assert_snapshot!(text, @r"
        == expand (InTransaction)
        CREATE TABLE IF NOT EXISTS public.orders (id bigint GENERATED ALWAYS AS IDENTITY NOT NULL, status text DEFAULT 'new'::text NOT NULL, total numeric(12,2), CONSTRAINT orders_pkey PRIMARY KEY (id), CONSTRAINT total_positive CHECK (total > 0));  -- no table lock, metadata only
        CREATE INDEX IF NOT EXISTS orders_status_idx ON public.orders USING btree (status);  -- no table lock, metadata only
        COMMENT ON TABLE public.orders IS 'one row per order';  -- no table lock, metadata only
        COMMENT ON COLUMN public.orders.status IS 'lifecycle';  -- no table lock, metadata only
        rollback: DROP TABLE IF EXISTS public.orders;
        rollback warning: dropping orders loses every row written to it since the expand phase
        ");
    }

    #[test]
    fn window_mode_plans_the_same() {
        let fixture = Fixture::new(LIVE, DESIRED);
        let change = change(&fixture);
        let zero = fixture.steps_text(&CreateTable, &change);
        assert_eq!(fixture.window().steps_text(&CreateTable, &change), zero);
    }

    #[test]
    fn creating_a_table_locks_nothing_existing() {
        let fixture = Fixture::new(LIVE, DESIRED);
        let assessment = CreateTable.assess(&change(&fixture), &fixture.context());
        assert_eq!(assessment.cost, Cost::metadata(Lock::None));
    }
}
