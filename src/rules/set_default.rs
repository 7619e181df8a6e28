//! `set-default`: a column gets a default, or a different one.

use crate::diff::change;
use crate::schema::TableRef;
use crate::sql::{quote_ident, quote_qualified};
use crate::step::{Phase, Rollback, Statement, Step};

use super::{Assessment, Context, Cost, Decisions, Explanation, Rule};
use crate::step::Lock;

pub struct SetDefault;

const EXPLANATION: Explanation = Explanation {
    title: "A column's default is set or changed",
    risk: "SET DEFAULT takes an ACCESS EXCLUSIVE lock for a catalog update only; existing rows \
           keep their values, even for a volatile default.",
    instead: "Nothing to soften: the statement runs in the expand phase.",
    rollback: "Set the previous default again, or drop it if there was none.",
};

impl Rule for SetDefault {
    type Change = change::SetDefault;

    fn explanation(&self) -> &'static Explanation {
        &EXPLANATION
    }

    fn assess(&self, change: &Self::Change, _context: &Context) -> Assessment {
        let Self::Change {
            table, column, to, ..
        } = change;
        Assessment {
            rule: self.id(),
            cost: Cost::metadata(Lock::AccessExclusive),
            summary: format!(
                "{}.{column} defaults to {to}: a brief catalog update; existing rows unchanged",
                table.name
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
            table,
            column,
            from,
            to,
        } = change;
        let back = match from {
            Some(previous) => set_default(table, column, previous),
            None => drop_default(table, column),
        };
        vec![Step::sql(
            Phase::Expand,
            vec![set_default(table, column, to)],
            Rollback::by(vec![back]),
        )]
    }
}

/// `ALTER COLUMN … SET DEFAULT expression`: brief, metadata only.
pub(crate) fn set_default(table: &TableRef, column: &str, expression: &str) -> Statement {
    Statement::new(
        format!(
            "ALTER TABLE {} ALTER COLUMN {} SET DEFAULT {expression}",
            quote_qualified(&table.schema, &table.name),
            quote_ident(column)
        ),
        Lock::AccessExclusive,
        "brief, metadata only: rows inserted from now on get the default",
    )
}

/// `ALTER COLUMN … DROP DEFAULT`: brief, metadata only.
pub(crate) fn drop_default(table: &TableRef, column: &str) -> Statement {
    Statement::new(
        format!(
            "ALTER TABLE {} ALTER COLUMN {} DROP DEFAULT",
            quote_qualified(&table.schema, &table.name),
            quote_ident(column)
        ),
        Lock::AccessExclusive,
        "brief, metadata only",
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::test_support::Fixture;
    use super::*;

    const LIVE: &str =
        "schemas:\n  public:\n    tables:\n      orders:\n        columns:\n          id: bigint\n";

    fn change(from: Option<&str>) -> change::SetDefault {
        change::SetDefault {
            table: TableRef::new("public", "orders"),
            column: "status".to_owned(),
            from: from.map(str::to_owned),
            to: "'new'::text".to_owned(),
        }
    }

    #[test]
    fn a_new_default_is_dropped_on_rollback() {
        let fixture = Fixture::new(LIVE, LIVE);
        insta::assert_snapshot!(fixture.steps_text(&SetDefault, &change(None)), @r"
        == expand (InTransaction)
        ALTER TABLE public.orders ALTER COLUMN status SET DEFAULT 'new'::text;  -- ACCESS EXCLUSIVE, metadata only
        rollback: ALTER TABLE public.orders ALTER COLUMN status DROP DEFAULT;
        ");
    }

    #[test]
    fn a_changed_default_is_set_back_on_rollback() {
        let fixture = Fixture::new(LIVE, LIVE).window();
        insta::assert_snapshot!(fixture.steps_text(&SetDefault, &change(Some("'old'::text"))), @r"
        == expand (InTransaction)
        ALTER TABLE public.orders ALTER COLUMN status SET DEFAULT 'new'::text;  -- ACCESS EXCLUSIVE, metadata only
        rollback: ALTER TABLE public.orders ALTER COLUMN status SET DEFAULT 'old'::text;
        ");
    }

    #[test]
    fn setting_a_default_is_brief_metadata() {
        let fixture = Fixture::new(LIVE, LIVE);
        let assessment = SetDefault.assess(&change(None), &fixture.context());
        assert_eq!(assessment.cost, Cost::metadata(Lock::AccessExclusive));
    }
}
