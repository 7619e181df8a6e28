//! `add-enum-value`: a label added to an existing enum.

use crate::diff::change;
use crate::sql::{quote_literal, quote_qualified};
use crate::step::{Phase, Rollback, Runs, Statement, Step};

use super::{Assessment, Context, Cost, Decisions, Explanation, Rule};
use crate::step::Lock;

pub struct AddEnumValue;

const EXPLANATION: Explanation = Explanation {
    title: "A label is added to an enum",
    risk: "Brief and safe, but the new label cannot be used in the transaction that adds it \
           (PostgreSQL 12+), and it can never be removed again in place.",
    instead: "ALTER TYPE … ADD VALUE IF NOT EXISTS in a step of its own, outside the phase's \
              transaction, so later steps can use the label.",
    rollback: "None in place: PostgreSQL cannot drop an enum label. Undoing it means replacing \
               the type without the label (a replace-enum change), once no row uses it.",
};

impl Rule for AddEnumValue {
    type Change = change::AddEnumValue;

    fn explanation(&self) -> &'static Explanation {
        &EXPLANATION
    }

    fn assess(&self, change: &Self::Change, _context: &Context) -> Assessment {
        let Self::Change { name, value, .. } = change;
        Assessment {
            rule: self.id(),
            cost: Cost::metadata(Lock::None),
            summary: format!(
                "{name} gains the label '{value}': brief, no table is locked; it cannot be \
                 removed in place afterwards"
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
            name,
            value,
            before,
        } = change;
        let position = before
            .as_ref()
            .map(|label| format!(" BEFORE {}", quote_literal(label)))
            .unwrap_or_default();
        let sql = format!(
            "ALTER TYPE {} ADD VALUE IF NOT EXISTS {}{position}",
            quote_qualified(&name.schema, &name.name),
            quote_literal(value)
        );
        vec![
            Step::sql(
                Phase::Expand,
                vec![Statement::new(
                    sql,
                    Lock::None,
                    "outside a transaction, so that later steps can use the label",
                )],
                Rollback::impossible(format!(
                    "PostgreSQL cannot drop an enum label: '{value}' stays in {name}. To remove \
                     it, make sure no row uses it and replace the type without it (a \
                     replace-enum change: a new type, every column rewritten)"
                )),
            )
            .running(Runs::Alone),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::Fixture;
    use super::*;
    use crate::schema::TableRef;

    const SCHEMA: &str = "schemas:\n  public: {}\n";

    #[test]
    fn the_label_is_added_alone_with_no_rollback() {
        let fixture = Fixture::new(SCHEMA, SCHEMA);
        let change = change::AddEnumValue {
            name: TableRef::new("public", "order_status"),
            value: "refunded".to_owned(),
            before: Some("it's done".to_owned()),
        };
        let text = fixture.steps_text(&AddEnumValue, &change);
        insta::assert_snapshot!(text, @r"
        == expand (Alone)
        ALTER TYPE public.order_status ADD VALUE IF NOT EXISTS 'refunded' BEFORE 'it''s done';  -- no table lock, metadata only
        rollback warning: PostgreSQL cannot drop an enum label: 'refunded' stays in public.order_status. To remove it, make sure no row uses it and replace the type without it (a replace-enum change: a new type, every column rewritten)
        ");
    }

    #[test]
    fn a_label_at_the_end_has_no_position_and_the_same_plan_in_a_window() {
        let fixture = Fixture::new(SCHEMA, SCHEMA).window();
        let change = change::AddEnumValue {
            name: TableRef::new("public", "order_status"),
            value: "refunded".to_owned(),
            before: None,
        };
        let text = fixture.steps_text(&AddEnumValue, &change);
        assert!(
            text.contains("ALTER TYPE public.order_status ADD VALUE IF NOT EXISTS 'refunded';"),
            "{text}"
        );
        assert_eq!(
            AddEnumValue.assess(&change, &fixture.context()).cost,
            Cost::metadata(Lock::None)
        );
    }
}
