//! `alter-sequence`: a sequence whose options (type, bounds, increment, cache, cycle, owner,
//! logging) change.

use crate::diff::{QualifiedName, change};
use crate::schema::Sequence;
use crate::sql::{quote_ident, quote_qualified};
use crate::step::{Phase, Rollback, Statement, Step};

use super::objects::qualified;
use super::{Assessment, Context, Cost, Decisions, Explanation, Rule};
use crate::step::Lock;

pub struct AlterSequence;

const EXPLANATION: Explanation = Explanation {
    title: "A sequence's options change",
    risk: "Brief and metadata only, but a narrower type or bound fails while the current value \
           lies outside it, and nextval calls wait for the moment it takes.",
    instead: "Expand: one ALTER SEQUENCE with the options that differ (a type change spells out \
              both bounds, so PostgreSQL does not move them to the new type's defaults).",
    rollback: "ALTER SEQUENCE back to the recorded options; the current value stays where it is.",
};

impl Rule for AlterSequence {
    type Change = change::AlterSequence;

    fn explanation(&self) -> &'static Explanation {
        &EXPLANATION
    }

    fn assess(&self, change: &Self::Change, _context: &Context) -> Assessment {
        let Self::Change { name, from, to } = change;
        let narrows = from.data_type != to.data_type
            || to.min_value > from.min_value
            || to.max_value < from.max_value;
        let summary = if narrows {
            format!(
                "{name} changes options: brief, but fails if the current value is outside the new range"
            )
        } else {
            format!("{name} changes options: brief, metadata only")
        };
        Assessment {
            rule: self.id(),
            cost: Cost {
                can_fail_on_data: narrows,
                ..Cost::metadata(Lock::AccessExclusive)
            },
            summary,
        }
    }

    fn steps(
        &self,
        change: &Self::Change,
        _context: &Context,
        _decisions: &Decisions,
    ) -> Vec<Step> {
        let Self::Change { name, from, to } = change;
        let forward = alter_statements(name, from, to);
        if forward.is_empty() {
            return Vec::new();
        }
        vec![Step::sql(
            Phase::Expand,
            forward,
            Rollback::by(alter_statements(name, to, from)),
        )]
    }
}

/// The statements that turn a sequence with options `from` into one with options `to`.
fn alter_statements(name: &QualifiedName, from: &Sequence, to: &Sequence) -> Vec<Statement> {
    let mut statements = Vec::new();
    let options = changed_options(name, from, to);
    if !options.is_empty() {
        statements.push(Statement::new(
            format!("ALTER SEQUENCE {} {}", qualified(name), options.join(" ")),
            Lock::AccessExclusive,
            "brief; fails if the current value is outside a narrower range",
        ));
    }
    if from.unlogged != to.unlogged {
        let logging = if to.unlogged { "UNLOGGED" } else { "LOGGED" };
        statements.push(Statement::new(
            format!("ALTER SEQUENCE {} SET {logging}", qualified(name)),
            Lock::AccessExclusive,
            "brief: a sequence is one row",
        ));
    }
    statements
}

fn changed_options(name: &QualifiedName, from: &Sequence, to: &Sequence) -> Vec<String> {
    let mut options = Vec::new();
    let retyped = from.data_type != to.data_type;
    if retyped {
        options.push(format!("AS {}", to.data_type));
    }
    if from.increment != to.increment {
        options.push(format!("INCREMENT BY {}", to.increment));
    }
    // A new type resets bounds that were its old type's defaults unless they are given.
    if retyped || from.min_value != to.min_value {
        options.push(format!("MINVALUE {}", to.min_value));
    }
    if retyped || from.max_value != to.max_value {
        options.push(format!("MAXVALUE {}", to.max_value));
    }
    if from.start != to.start {
        options.push(format!("START WITH {}", to.start));
    }
    if from.cache != to.cache {
        options.push(format!("CACHE {}", to.cache));
    }
    if from.cycle != to.cycle {
        options.push(if to.cycle { "CYCLE" } else { "NO CYCLE" }.to_owned());
    }
    if from.owned_by != to.owned_by {
        options.push(match &to.owned_by {
            Some(owner) => format!(
                "OWNED BY {}.{}",
                quote_qualified(&name.schema, &owner.table),
                quote_ident(&owner.column)
            ),
            None => "OWNED BY NONE".to_owned(),
        });
    }
    options
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::create_sequence::tests::sequence;
    use super::super::test_support::Fixture;
    use super::*;
    use crate::rules::Badge;
    use crate::schema::TableRef;

    fn fixture() -> Fixture {
        Fixture::new("schemas: {}\n", "schemas: {}\n")
    }

    #[test]
    fn only_the_differing_options_are_altered_and_rolled_back() {
        let from = sequence(None);
        let to = Sequence {
            increment: 10,
            cycle: true,
            ..sequence(Some(("orders", "number")))
        };
        let change = change::AlterSequence {
            name: TableRef::new("public", "order_numbers"),
            from,
            to,
        };
        insta::assert_snapshot!(fixture().steps_text(&AlterSequence, &change), @r#"
        == expand (InTransaction)
        ALTER SEQUENCE public.order_numbers INCREMENT BY 10 CYCLE OWNED BY public.orders.number;  -- ACCESS EXCLUSIVE, metadata only
        rollback: ALTER SEQUENCE public.order_numbers INCREMENT BY 1 NO CYCLE OWNED BY NONE;
        "#);
        let assessment = AlterSequence.assess(&change, &fixture().context());
        assert_eq!(assessment.cost.badges(), vec![Badge::Safe]);
    }

    #[test]
    fn a_type_change_spells_out_both_bounds_and_may_fail() {
        let from = sequence(None);
        let to = Sequence {
            data_type: "integer".to_owned(),
            max_value: i64::from(i32::MAX),
            unlogged: true,
            ..sequence(None)
        };
        let change = change::AlterSequence {
            name: TableRef::new("public", "order_numbers"),
            from,
            to,
        };
        insta::assert_snapshot!(fixture().window().steps_text(&AlterSequence, &change), @r#"
        == expand (InTransaction)
        ALTER SEQUENCE public.order_numbers AS integer MINVALUE 1 MAXVALUE 2147483647;  -- ACCESS EXCLUSIVE, metadata only
        ALTER SEQUENCE public.order_numbers SET UNLOGGED;  -- ACCESS EXCLUSIVE, metadata only
        rollback: ALTER SEQUENCE public.order_numbers AS bigint MINVALUE 1 MAXVALUE 9223372036854775807;
        rollback: ALTER SEQUENCE public.order_numbers SET LOGGED;
        "#);
        let assessment = AlterSequence.assess(&change, &fixture().context());
        assert!(assessment.cost.can_fail_on_data);
        assert_eq!(assessment.cost.badges(), vec![Badge::Locks]);
    }

    #[test]
    fn a_comment_only_difference_needs_no_statement() {
        let to = Sequence {
            comment: Some("numbers".to_owned()),
            ..sequence(None)
        };
        let change = change::AlterSequence {
            name: TableRef::new("public", "order_numbers"),
            from: sequence(None),
            to,
        };
        assert_eq!(fixture().steps_text(&AlterSequence, &change), "");
    }
}
