//! `drop-column`: a column leaves a table.

use crate::ddl::{self, IndexBuild};
use crate::diff::change;
use crate::schema::names::referenced_columns;
use crate::schema::{Column, Index, KeyTarget, Table, TableRef};
use crate::sql::{quote_ident, quote_qualified};
use crate::step::guard;
use crate::step::{Phase, Rollback, Statement, Step};

use super::{Assessment, Context, Cost, Decisions, Explanation, Rule};
use crate::step::Lock;

pub struct DropColumn;

const EXPLANATION: Explanation = Explanation {
    title: "A column is dropped",
    risk: "DROP COLUMN is brief (the values stay on disk until rows are rewritten), but the \
           values are gone for good and code still reading or writing the column fails.",
    instead: "A deploy gate (no code reads or writes the column), then DROP COLUMN in the \
              contract phase.",
    rollback: "Re-adding the column restores the schema, not the values: they come back only \
               from a backup taken before the contract phase.",
};

impl Rule for DropColumn {
    type Change = change::DropColumn;

    fn explanation(&self) -> &'static Explanation {
        &EXPLANATION
    }

    fn assess(&self, change: &Self::Change, context: &Context) -> Assessment {
        let Self::Change { table, column } = change;
        Assessment {
            rule: self.id(),
            cost: Cost {
                breaks_clients: true,
                loses_data: true,
                ..Cost::metadata(Lock::AccessExclusive)
            },
            summary: format!(
                "{}.{} is dropped: its values in {} are gone, and code still using it fails",
                table.name,
                column.name,
                super::rows_text(context.rows(table))
            ),
        }
    }

    fn steps(&self, change: &Self::Change, context: &Context, _decisions: &Decisions) -> Vec<Step> {
        let Self::Change { table, column } = change;
        let gate = Step::gate(format!(
            "no application code reads or writes {table}.{} any more",
            column.name
        ));
        let live = context.live.table(table);
        let drop = Step::sql(
            Phase::Contract,
            vec![drop_column(table, &column.name)],
            Rollback::partial(
                re_add_statements(table, column, live),
                re_add_warning(table, column),
            ),
        )
        .altering(table, &column.name);
        vec![gate, drop]
    }
}

/// `ALTER TABLE … DROP COLUMN IF EXISTS`: brief, metadata only.
pub(crate) fn drop_column(table: &TableRef, column: &str) -> Statement {
    Statement::new(
        format!(
            "ALTER TABLE {} DROP COLUMN IF EXISTS {}",
            quote_qualified(&table.schema, &table.name),
            quote_ident(column)
        ),
        Lock::AccessExclusive,
        "brief, metadata only; indexes and constraints on the column go with it",
    )
}

/// Whether the column can come back as it was: NOT NULL without a default cannot be re-added
/// to a table with rows.
fn comes_back_nullable(column: &Column) -> bool {
    !column.nullable
        && column.default.is_none()
        && column.identity.is_none()
        && column.generated.is_none()
}

fn re_add_warning(table: &TableRef, column: &Column) -> String {
    let mut warning = format!(
        "the column comes back empty: restore {}.{} from a backup taken before the contract phase",
        table.name, column.name
    );
    if comes_back_nullable(column) {
        warning.push_str("; it comes back nullable: SET NOT NULL once the values are restored");
    }
    warning.push_str("; primary key and unique constraints on it are not re-created");
    warning
}

/// The column added back (nullable when it must be), its comment, and the indexes, checks and
/// foreign keys of `live` that used it.
pub(crate) fn re_add_statements(
    table: &TableRef,
    column: &Column,
    live: Option<&Table>,
) -> Vec<Statement> {
    let target = quote_qualified(&table.schema, &table.name);
    let mut definition = column.clone();
    if comes_back_nullable(column) {
        definition.nullable = true;
    }
    let mut out = vec![Statement::new(
        format!(
            "ALTER TABLE {target} ADD COLUMN IF NOT EXISTS {}",
            ddl::column_definition(&definition)
        ),
        Lock::AccessExclusive,
        "brief unless the column has a volatile default, identity or generation",
    )];
    let name = format!("{target}.{}", quote_ident(&column.name));
    out.extend(
        ddl::comment("COLUMN", &name, column.comment.as_deref())
            .map(|sql| Statement::new(sql, Lock::AccessExclusive, "comment")),
    );
    let Some(live) = live else {
        return out;
    };
    for index in live.indexes.iter().filter(|i| index_uses(i, &column.name)) {
        out.push(Statement::new(
            ddl::create_index_statement(&target, index, IndexBuild::Plain),
            Lock::Share,
            "builds the index while writes wait",
        ));
    }
    for check in &live.checks {
        if uses(&check.expression, &column.name) {
            let add = format!("ALTER TABLE {target} ADD {}", ddl::check_clause(check));
            out.push(guarded(table, &check.name, &add));
        }
    }
    for key in &live.foreign_keys {
        if key.columns.iter().any(|c| *c == column.name) {
            out.push(guarded(
                table,
                &key.name,
                &ddl::add_foreign_key(&target, key),
            ));
        }
    }
    out
}

fn guarded(table: &TableRef, constraint: &str, sql: &str) -> Statement {
    Statement::new(
        guard::when(
            &format!("NOT {}", guard::constraint_exists(table, constraint)),
            sql,
        ),
        Lock::AccessExclusive,
        "the re-added column holds only NULLs or its default",
    )
}

fn uses(expression: &str, column: &str) -> bool {
    !referenced_columns(expression, &[column]).is_empty()
}

/// Whether an index reads `column` in a key, an INCLUDE column, an expression or its predicate.
pub(crate) fn index_uses(index: &Index, column: &str) -> bool {
    index.keys.iter().any(|key| match &key.target {
        KeyTarget::Column(name) => name == column,
        KeyTarget::Expression(expression) => uses(expression, column),
    }) || index.include.iter().any(|name| name == column)
        || index
            .predicate
            .as_deref()
            .is_some_and(|predicate| uses(predicate, column))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::test_support::Fixture;
    use super::*;

    const LIVE: &str = r#"schemas:
  public:
    tables:
      orders:
        columns:
          id: { type: bigint, nullable: false }
          code: { type: text, nullable: false, comment: "external code" }
        primary_key: [id]
        checks:
          - { name: code_short, expression: "length(code) < 20" }
        indexes:
          - { columns: [code] }
"#;
    const DESIRED: &str = r#"schemas:
  public:
    tables:
      orders:
        columns:
          id: { type: bigint, nullable: false }
        primary_key: [id]
"#;

    fn change(fixture: &Fixture) -> change::DropColumn {
        let table = TableRef::new("public", "orders");
        let column = fixture
            .live
            .table(&table)
            .unwrap()
            .column("code")
            .unwrap()
            .clone();
        change::DropColumn { table, column }
    }

    #[test]
    fn a_gate_then_drop_and_a_rollback_that_rebuilds_the_schema() {
        let fixture = Fixture::new(LIVE, DESIRED);
        insta::assert_snapshot!(fixture.steps_text(&DropColumn, &change(&fixture)), @r"
        == deploy (InTransaction)
        gate: no application code reads or writes public.orders.code any more
        == contract (InTransaction)
        alters public.orders.code
        ALTER TABLE public.orders DROP COLUMN IF EXISTS code;  -- ACCESS EXCLUSIVE, metadata only
        rollback: ALTER TABLE public.orders ADD COLUMN IF NOT EXISTS code text;
        rollback: COMMENT ON COLUMN public.orders.code IS 'external code';
        rollback: CREATE INDEX IF NOT EXISTS orders_code_idx ON public.orders USING btree (code);
        rollback: DO $guard$
        BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.orders'::regclass AND conname = 'code_short') THEN
            ALTER TABLE public.orders ADD CONSTRAINT code_short CHECK (length(code) < 20);
          END IF;
        END
        $guard$;
        rollback warning: the column comes back empty: restore orders.code from a backup taken before the contract phase; it comes back nullable: SET NOT NULL once the values are restored; primary key and unique constraints on it are not re-created
        ");
    }

    #[test]
    fn window_mode_keeps_the_gate() {
        let fixture = Fixture::new(LIVE, DESIRED).window();
        let text = fixture.steps_text(&DropColumn, &change(&fixture));
        assert!(text.starts_with("== deploy"), "{text}");
    }

    #[test]
    fn dropping_loses_data() {
        let fixture = Fixture::new(LIVE, DESIRED);
        let assessment = DropColumn.assess(&change(&fixture), &fixture.context());
        assert!(assessment.cost.loses_data);
        assert_eq!(assessment.cost.work, crate::step::Work::Metadata);
    }
}
