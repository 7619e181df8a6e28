//! `unsupported`: a difference pgphase has no rule for, handed to a human.

use crate::diff::change;
use crate::step::Step;

use super::{Assessment, Context, Cost, Decisions, Explanation, Rule};
use crate::step::{Lock, Work};

pub struct Unsupported;

const EXPLANATION: Explanation = Explanation {
    title: "A change pgphase has no rule for",
    risk: "pgphase cannot tell what this change costs (partitioning, exclusion constraints, \
           operators and the like), so it assumes the worst: locks, rewrites, broken clients, \
           lost data.",
    instead: "No SQL: the plan stops at a deploy gate until a person has made the change by hand \
              and checked its locks and data.",
    rollback: "None from pgphase: whoever makes the change by hand plans its rollback.",
};

impl Rule for Unsupported {
    type Change = change::Unsupported;

    fn explanation(&self) -> &'static Explanation {
        &EXPLANATION
    }

    fn assess(&self, change: &Self::Change, _context: &Context) -> Assessment {
        let Self::Change { object, detail } = change;
        Assessment {
            rule: self.id(),
            cost: Cost {
                lock: Lock::AccessExclusive,
                work: Work::Rewrite,
                breaks_clients: true,
                loses_data: true,
                can_fail_on_data: true,
            },
            summary: format!("{object}: {detail}; pgphase has no rule for it, assume the worst"),
        }
    }

    fn steps(
        &self,
        change: &Self::Change,
        _context: &Context,
        _decisions: &Decisions,
    ) -> Vec<Step> {
        let Self::Change { object, detail } = change;
        vec![Step::gate(format!(
            "a person has made this change by hand, which pgphase has no rule for: {object}: \
             {detail}"
        ))]
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::test_support::Fixture;
    use super::*;
    use crate::rules::Badge;

    fn change() -> change::Unsupported {
        change::Unsupported {
            object: "public.events".to_owned(),
            detail: "partition key changes from RANGE (day) to LIST (kind)".to_owned(),
        }
    }

    #[test]
    fn only_a_gate_for_a_person_in_both_modes() {
        let fixture = Fixture::new("schemas: {}\n", "schemas: {}\n");
        insta::assert_snapshot!(fixture.steps_text(&Unsupported, &change()), @r#"
        == deploy (InTransaction)
        gate: a person has made this change by hand, which pgphase has no rule for: public.events: partition key changes from RANGE (day) to LIST (kind)
        "#);
        assert_eq!(
            fixture.window().steps_text(&Unsupported, &change()),
            Fixture::new("schemas: {}\n", "schemas: {}\n").steps_text(&Unsupported, &change())
        );
    }

    #[test]
    fn is_assessed_with_every_bad_badge() {
        let fixture = Fixture::new("schemas: {}\n", "schemas: {}\n");
        let assessment = Unsupported.assess(&change(), &fixture.context());
        assert_eq!(
            assessment.cost.badges(),
            vec![
                Badge::Locks,
                Badge::Rewrites,
                Badge::BreaksClients,
                Badge::LosesData
            ]
        );
    }
}
