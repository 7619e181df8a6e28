//! `alter-identity`: an identity column whose sequence options (start, increment, bounds,
//! cache, cycle) change.

use crate::diff::change;
use crate::schema::{IdentityOptions, SequenceSettings, TableRef};
use crate::sql::quote_ident;
use crate::step::{Phase, Rollback, Statement, Step};

use super::set_not_null::target;
use super::{Assessment, Context, Cost, Decisions, Explanation, Rule};
use crate::step::Lock;

pub struct AlterIdentity;

const EXPLANATION: Explanation = Explanation {
    title: "An identity column's sequence options change",
    risk: "A brief catalog update under ACCESS EXCLUSIVE on the table. A narrower range fails \
           while the sequence's current value lies outside it. A new start only applies when \
           the sequence is restarted: the next value stays where it was.",
    instead: "Expand: one ALTER TABLE … ALTER COLUMN with the options that differ.",
    rollback: "The recorded options set again; the current value stays where it is.",
};

impl Rule for AlterIdentity {
    type Change = change::AlterIdentity;

    fn explanation(&self) -> &'static Explanation {
        &EXPLANATION
    }

    fn assess(&self, change: &Self::Change, _context: &Context) -> Assessment {
        let Self::Change {
            table,
            column,
            data_type,
            from,
            to,
        } = change;
        let (from, to) = (from.settings(data_type), to.settings(data_type));
        let narrows = to.min_value > from.min_value || to.max_value < from.max_value;
        let mut summary = format!("{table}.{column} changes its identity options: brief");
        if narrows {
            summary.push_str(", but fails if the current value is outside the new range");
        }
        if from.start != to.start {
            summary.push_str("; the new start applies only when the sequence is restarted");
        }
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
        let Self::Change {
            table,
            column,
            data_type,
            from,
            to,
        } = change;
        let Some(forward) = alter(table, column, data_type, from, to) else {
            return Vec::new();
        };
        let backward = alter(table, column, data_type, to, from);
        vec![Step::sql(
            Phase::Expand,
            vec![forward],
            Rollback::by(backward.into_iter().collect()),
        )]
    }
}

/// `ALTER TABLE … ALTER COLUMN … SET …` for the options that differ; none when none do.
fn alter(
    table: &TableRef,
    column: &str,
    data_type: &str,
    from: &IdentityOptions,
    to: &IdentityOptions,
) -> Option<Statement> {
    let options = changed_options(&from.settings(data_type), &to.settings(data_type));
    if options.is_empty() {
        return None;
    }
    Some(Statement::new(
        format!(
            "ALTER TABLE {} ALTER COLUMN {} {}",
            target(table),
            quote_ident(column),
            options.join(" ")
        ),
        Lock::AccessExclusive,
        "brief; fails if the current value is outside a narrower range; the next value is kept",
    ))
}

/// Every option spelled out where it differs, so the result does not depend on defaults that
/// follow other options.
fn changed_options(from: &SequenceSettings, to: &SequenceSettings) -> Vec<String> {
    let mut options = Vec::new();
    if from.increment != to.increment {
        options.push(format!("SET INCREMENT BY {}", to.increment));
    }
    if from.min_value != to.min_value {
        options.push(format!("SET MINVALUE {}", to.min_value));
    }
    if from.max_value != to.max_value {
        options.push(format!("SET MAXVALUE {}", to.max_value));
    }
    if from.start != to.start {
        options.push(format!("SET START WITH {}", to.start));
    }
    if from.cache != to.cache {
        options.push(format!("SET CACHE {}", to.cache));
    }
    if from.cycle != to.cycle {
        options.push(
            if to.cycle {
                "SET CYCLE"
            } else {
                "SET NO CYCLE"
            }
            .to_owned(),
        );
    }
    options
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::test_support::Fixture;
    use super::*;

    const LIVE: &str = "schemas:\n  public:\n    tables:\n      orders:\n        columns:\n          id: { type: bigint, identity: always }\n";

    fn change(to: IdentityOptions) -> change::AlterIdentity {
        change::AlterIdentity {
            table: TableRef::new("public", "orders"),
            column: "id".to_owned(),
            data_type: "bigint".to_owned(),
            from: IdentityOptions::default(),
            to,
        }
    }

    #[test]
    fn only_the_differing_options_are_set_and_set_back() {
        let to = IdentityOptions {
            start: Some(1_000_000),
            cache: Some(20),
            ..IdentityOptions::default()
        };
        let fixture = Fixture::new(LIVE, LIVE);
        insta::assert_snapshot!(fixture.steps_text(&AlterIdentity, &change(to)), @"
        == expand (InTransaction)
        ALTER TABLE public.orders ALTER COLUMN id SET START WITH 1000000 SET CACHE 20;  -- ACCESS EXCLUSIVE, metadata only
        rollback: ALTER TABLE public.orders ALTER COLUMN id SET START WITH 1 SET CACHE 1;
        ");
        let assessment = AlterIdentity.assess(&change(to), &fixture.context());
        assert!(!assessment.cost.can_fail_on_data);
        assert!(
            assessment
                .summary
                .contains("only when the sequence is restarted"),
            "{}",
            assessment.summary
        );
    }

    #[test]
    fn a_narrower_range_can_fail_on_the_current_value() {
        let to = IdentityOptions {
            max_value: Some(1000),
            ..IdentityOptions::default()
        };
        let fixture = Fixture::new(LIVE, LIVE);
        assert!(
            AlterIdentity
                .assess(&change(to), &fixture.context())
                .cost
                .can_fail_on_data
        );
    }
}
