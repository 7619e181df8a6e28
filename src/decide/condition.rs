//! When a question is asked: a small condition language over earlier answers and facts, kept
//! as data so the question tree stays flat, serialisable and testable.

use serde::Serialize;

use super::answers::Answers;
use super::facts::{FactId, Facts};
use super::id::{ChangeId, ChoiceId, QuestionId};

/// A condition on answers and facts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Condition {
    Always,
    /// Question `0` was answered with choice `1`. The question is looked up in the same change
    /// first, then among the global questions.
    Answered(QuestionId, ChoiceId),
    /// A fact of the same change (else a global fact) passes a test.
    Fact(FactTest),
    Not(Box<Condition>),
    /// Every condition holds (true when empty).
    All(Vec<Condition>),
    /// At least one condition holds (false when empty).
    Any(Vec<Condition>),
}

/// A comparison of a fact's number (see [`super::facts::FactValue::as_number`]) with a constant.
/// A missing fact, or one without a number, fails every test; `Not` of such a test holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FactTest {
    pub fact: FactId,
    pub op: Comparison,
    pub value: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Comparison {
    Gt,
    Ge,
    Lt,
    Le,
    Eq,
}

impl Condition {
    /// Whether the condition holds for a question of `change`, given the facts and the answers
    /// so far.
    #[must_use]
    pub fn holds(&self, change: &ChangeId, facts: &Facts, answers: &Answers) -> bool {
        match self {
            Self::Always => true,
            Self::Answered(question, choice) => answers
                .get(change, question)
                .or_else(|| answers.get(&ChangeId::global(), question))
                .is_some_and(|answer| &answer.choice == choice),
            Self::Fact(test) => test.passes(change, facts),
            Self::Not(inner) => !inner.holds(change, facts, answers),
            Self::All(all) => all.iter().all(|c| c.holds(change, facts, answers)),
            Self::Any(any) => any.iter().any(|c| c.holds(change, facts, answers)),
        }
    }
}

impl FactTest {
    fn passes(&self, change: &ChangeId, facts: &Facts) -> bool {
        let Some(actual) = facts
            .get(change, &self.fact)
            .and_then(|fact| fact.value.as_number())
        else {
            return false;
        };
        match self.op {
            Comparison::Gt => actual > self.value,
            Comparison::Ge => actual >= self.value,
            Comparison::Lt => actual < self.value,
            Comparison::Le => actual <= self.value,
            Comparison::Eq => actual == self.value,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::decide::answers::Answer;
    use crate::decide::facts::{Fact, FactValue, Origin};

    fn test(op: Comparison, value: u64) -> Condition {
        Condition::Fact(FactTest {
            fact: FactId::from_static("null-rows"),
            op,
            value,
        })
    }

    #[test]
    fn fact_tests_compare_and_fail_when_missing() {
        let change = ChangeId::new("public.orders.user_id").unwrap();
        let mut facts = Facts::default();
        let none = Answers::default();
        // Missing: every comparison fails, and its negation holds.
        assert!(!test(Comparison::Ge, 0).holds(&change, &facts, &none));
        assert!(Condition::Not(Box::new(test(Comparison::Ge, 0))).holds(&change, &facts, &none));
        facts.insert(
            &change,
            Fact {
                id: FactId::from_static("null-rows"),
                value: FactValue::Count(10),
                origin: Origin::Model,
            },
        );
        let table = [
            (Comparison::Gt, 9, true),
            (Comparison::Gt, 10, false),
            (Comparison::Ge, 10, true),
            (Comparison::Ge, 11, false),
            (Comparison::Lt, 11, true),
            (Comparison::Lt, 10, false),
            (Comparison::Le, 10, true),
            (Comparison::Le, 9, false),
            (Comparison::Eq, 10, true),
            (Comparison::Eq, 0, false),
        ];
        for (op, value, expected) in table {
            assert_eq!(
                test(op, value).holds(&change, &facts, &none),
                expected,
                "{op:?} {value}"
            );
        }
    }

    #[test]
    fn answered_looks_in_the_change_then_global() {
        let change = ChangeId::new("public.t.c").unwrap();
        let mut answers = Answers::default();
        let mode = QuestionId::from_static("mode");
        let window = ChoiceId::from_static("maintenance-window");
        let condition = Condition::Answered(mode.clone(), window.clone());
        assert!(!condition.holds(&change, &Facts::default(), &answers));
        answers.set(&ChangeId::global(), &mode, Answer::user(window.clone()));
        assert!(condition.holds(&change, &Facts::default(), &answers));
        answers.set(
            &change,
            &mode,
            Answer::user(ChoiceId::from_static("zero-downtime")),
        );
        assert!(!condition.holds(&change, &Facts::default(), &answers));
    }

    #[test]
    fn all_and_any_combine() {
        let c = ChangeId::global();
        let (f, a) = (Facts::default(), Answers::default());
        let yes = || Condition::Always;
        let no = || Condition::Not(Box::new(Condition::Always));
        assert!(Condition::All(vec![]).holds(&c, &f, &a));
        assert!(!Condition::Any(vec![]).holds(&c, &f, &a));
        assert!(Condition::All(vec![yes(), yes()]).holds(&c, &f, &a));
        assert!(!Condition::All(vec![yes(), no()]).holds(&c, &f, &a));
        assert!(Condition::Any(vec![no(), yes()]).holds(&c, &f, &a));
        assert!(!Condition::Any(vec![no(), no()]).holds(&c, &f, &a));
    }
}
