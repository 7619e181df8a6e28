//! `drop-not-null`: a NOT NULL column becomes nullable.

use crate::diff::change;
use crate::schema::TableRef;
use crate::sql::{quote_ident, quote_qualified};
use crate::step::{Phase, Rollback, Statement, Step};

use super::{Assessment, Context, Cost, Decisions, Explanation, Rule};
use crate::step::{Lock, Work};

pub struct DropNotNull;

const EXPLANATION: Explanation = Explanation {
    title: "A column becomes nullable",
    risk: "DROP NOT NULL takes an ACCESS EXCLUSIVE lock for a catalog update only; code that \
           assumes the column is never NULL may meet NULLs once new code writes them.",
    instead: "Nothing to soften: the statement runs in the expand phase.",
    rollback: "SET NOT NULL, which scans the table under ACCESS EXCLUSIVE and fails once NULLs \
               have been written.",
};

impl Rule for DropNotNull {
    type Change = change::DropNotNull;

    fn explanation(&self) -> &'static Explanation {
        &EXPLANATION
    }

    fn assess(&self, change: &Self::Change, _context: &Context) -> Assessment {
        let Self::Change { table, column } = change;
        Assessment {
            rule: self.id(),
            cost: Cost::metadata(Lock::AccessExclusive),
            summary: format!(
                "{}.{} becomes nullable: a brief catalog update",
                table.name, column.name
            ),
        }
    }

    fn steps(&self, change: &Self::Change, context: &Context, _decisions: &Decisions) -> Vec<Step> {
        let Self::Change { table, column } = change;
        let alter = |action: &str| {
            format!(
                "ALTER TABLE {} ALTER COLUMN {} {action}",
                quote_qualified(&table.schema, &table.name),
                quote_ident(&column.name)
            )
        };
        vec![Step::sql(
            Phase::Expand,
            vec![Statement::new(
                alter("DROP NOT NULL"),
                Lock::AccessExclusive,
                "brief, metadata only",
            )],
            Rollback::partial(
                vec![
                    Statement::new(
                        alter("SET NOT NULL"),
                        Lock::AccessExclusive,
                        "scans the table while reads and writes wait",
                    )
                    .doing(Work::Scan, context.rows(table)),
                ],
                not_null_again_warning(table),
            ),
        )]
    }
}

fn not_null_again_warning(table: &TableRef) -> String {
    format!(
        "SET NOT NULL scans {} under ACCESS EXCLUSIVE and fails once NULLs have been written: \
         fill them first",
        table.name
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::test_support::Fixture;
    use super::*;
    use crate::schema::Column;

    const LIVE: &str = "schemas:\n  public:\n    tables:\n      orders:\n        columns:\n          id: bigint\n          note: { type: text, nullable: false }\n";
    const DESIRED: &str = "schemas:\n  public:\n    tables:\n      orders:\n        columns:\n          id: bigint\n          note: text\n";

    fn change() -> change::DropNotNull {
        change::DropNotNull {
            table: TableRef::new("public", "orders"),
            column: Column::new("note", "text"),
        }
    }

    #[test]
    fn drop_not_null_is_one_expand_statement_reversed_by_a_scan() {
        let fixture = Fixture::new(LIVE, DESIRED).with_rows(&[("public.orders", 5_000)]);
        insta::assert_snapshot!(fixture.steps_text(&DropNotNull, &change()), @r"
        == expand (InTransaction)
        ALTER TABLE public.orders ALTER COLUMN note DROP NOT NULL;  -- ACCESS EXCLUSIVE, metadata only
        rollback: ALTER TABLE public.orders ALTER COLUMN note SET NOT NULL;
        rollback warning: SET NOT NULL scans orders under ACCESS EXCLUSIVE and fails once NULLs have been written: fill them first
        ");
    }

    #[test]
    fn window_mode_plans_the_same() {
        let fixture = Fixture::new(LIVE, DESIRED);
        assert_eq!(
            fixture.window().steps_text(&DropNotNull, &change()),
            Fixture::new(LIVE, DESIRED).steps_text(&DropNotNull, &change())
        );
    }

    #[test]
    fn the_direct_statement_is_brief_metadata() {
        let fixture = Fixture::new(LIVE, DESIRED);
        let assessment = DropNotNull.assess(&change(), &fixture.context());
        assert_eq!(assessment.cost, Cost::metadata(Lock::AccessExclusive));
    }
}
