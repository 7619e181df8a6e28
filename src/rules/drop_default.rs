//! `drop-default`: a column loses its default.

use crate::diff::change;
use crate::step::{Phase, Rollback, Step};

use super::set_default::{drop_default, set_default};
use super::{Assessment, Context, Cost, Decisions, Explanation, Rule};
use crate::step::Lock;

pub struct DropDefault;

const EXPLANATION: Explanation = Explanation {
    title: "A column's default is dropped",
    risk: "DROP DEFAULT takes an ACCESS EXCLUSIVE lock for a catalog update only; inserts that \
           leave the column out get NULL (or fail on a NOT NULL column) from then on.",
    instead: "Nothing to soften: the statement runs in the expand phase.",
    rollback: "Set the previous default again.",
};

impl Rule for DropDefault {
    type Change = change::DropDefault;

    fn explanation(&self) -> &'static Explanation {
        &EXPLANATION
    }

    fn assess(&self, change: &Self::Change, _context: &Context) -> Assessment {
        let Self::Change { table, column, .. } = change;
        Assessment {
            rule: self.id(),
            cost: Cost::metadata(Lock::AccessExclusive),
            summary: format!(
                "{}.{column} loses its default: a brief catalog update",
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
        } = change;
        vec![Step::sql(
            Phase::Expand,
            vec![drop_default(table, column)],
            Rollback::by(vec![set_default(table, column, from)]),
        )]
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::test_support::Fixture;
    use super::*;
    use crate::schema::TableRef;

    const LIVE: &str =
        "schemas:\n  public:\n    tables:\n      orders:\n        columns:\n          id: bigint\n";

    fn change() -> change::DropDefault {
        change::DropDefault {
            table: TableRef::new("public", "orders"),
            column: "status".to_owned(),
            from: "'new'::text".to_owned(),
        }
    }

    #[test]
    fn the_default_comes_back_on_rollback() {
        let fixture = Fixture::new(LIVE, LIVE);
        insta::assert_snapshot!(fixture.steps_text(&DropDefault, &change()), @r"
        == expand (InTransaction)
        ALTER TABLE public.orders ALTER COLUMN status DROP DEFAULT;  -- ACCESS EXCLUSIVE, metadata only
        rollback: ALTER TABLE public.orders ALTER COLUMN status SET DEFAULT 'new'::text;
        ");
    }

    #[test]
    fn dropping_a_default_is_brief_metadata() {
        let fixture = Fixture::new(LIVE, LIVE).window();
        let assessment = DropDefault.assess(&change(), &fixture.context());
        assert_eq!(assessment.cost, Cost::metadata(Lock::AccessExclusive));
        assert!(
            assessment.summary.contains("orders.status"),
            "{}",
            assessment.summary
        );
    }
}
