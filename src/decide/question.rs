//! A question the planner asks: its stable ids, the choices it offers and when it is asked.
//! Plain data only; the walk over questions lives in `walk.rs`.

use serde::Serialize;

use super::condition::Condition;
use super::facts::Fact;
use super::id::{ChangeId, ChoiceId, QuestionId};
use super::input::{InputError, InputKind, InputValue};

/// One question about one change (or about the whole plan).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Question {
    /// Stable; the key its answer is stored under.
    pub id: QuestionId,
    pub change: ChangeId,
    /// The question itself, with the numbers that matter:
    /// "orders.user_id becomes NOT NULL; 1,204 rows are NULL. Fill them with?"
    pub prompt: String,
    /// Why it matters, in a sentence or two; shown beside the question and copied into the notes.
    pub why: String,
    /// The evidence that chose the default.
    pub facts: Vec<Fact>,
    pub choices: Vec<Choice>,
    /// Taken by `--defaults`; one of `choices`, and one that takes no input. `None` when every
    /// answer would destroy or invent data, or move it on a guess (delete the orphans, fill
    /// NULLs with a made-up value, confirm a rename): then a person must answer, `plan
    /// --defaults` stops naming the question, and the planner's plan screen says the plan
    /// will fail until it is answered.
    pub default: Option<ChoiceId>,
    /// The question is asked only while this holds.
    pub when: Condition,
}

/// One answer a question offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Choice {
    pub id: ChoiceId,
    pub label: String,
    /// What the plan does when this is chosen, in a sentence.
    pub consequence: String,
    /// Text the user must supply with this choice, if any.
    pub input: Option<InputKind>,
}

/// Why an answer cannot be used for its question.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    #[error("`{choice}` is not a choice of `{question}`; expected one of {expected}")]
    UnknownChoice {
        question: QuestionId,
        choice: ChoiceId,
        expected: String,
    },
    #[error("choice `{choice}` of `{question}` needs an input: {expected}")]
    MissingInput {
        question: QuestionId,
        choice: ChoiceId,
        expected: String,
    },
    #[error("choice `{choice}` of `{question}` takes no input, but `{input}` was given")]
    UnexpectedInput {
        question: QuestionId,
        choice: ChoiceId,
        input: String,
    },
    #[error("choice `{choice}` of `{question}`: {source}")]
    BadInput {
        question: QuestionId,
        choice: ChoiceId,
        source: InputError,
    },
}

impl Question {
    /// The choice with id `id`, if the question offers it.
    #[must_use]
    pub fn choice(&self, id: &ChoiceId) -> Option<&Choice> {
        self.choices.iter().find(|choice| &choice.id == id)
    }

    /// Checks that `choice` is offered and `input` fits it; gives the input's value, if any.
    ///
    /// # Errors
    /// The choice is not offered, or its input is missing, unexpected or invalid.
    pub fn accept(
        &self,
        choice: &ChoiceId,
        input: Option<&str>,
    ) -> Result<Option<InputValue>, AnswerError> {
        let Some(offered) = self.choice(choice) else {
            let ids: Vec<&str> = self.choices.iter().map(|c| c.id.as_str()).collect();
            return Err(AnswerError::UnknownChoice {
                question: self.id.clone(),
                choice: choice.clone(),
                expected: quoted_list(&ids),
            });
        };
        match (&offered.input, input) {
            (None, None) => Ok(None),
            (None, Some(input)) => Err(AnswerError::UnexpectedInput {
                question: self.id.clone(),
                choice: choice.clone(),
                input: input.to_owned(),
            }),
            (Some(kind), None) => Err(AnswerError::MissingInput {
                question: self.id.clone(),
                choice: choice.clone(),
                expected: kind.expected(),
            }),
            (Some(kind), Some(input)) => {
                kind.validate(input)
                    .map(Some)
                    .map_err(|source| AnswerError::BadInput {
                        question: self.id.clone(),
                        choice: choice.clone(),
                        source,
                    })
            }
        }
    }
}

/// `a`, `b` or `c`
fn quoted_list(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|item| format!("`{item}`")).collect();
    match quoted.as_slice() {
        [] => "nothing".to_owned(),
        [only] => only.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn question() -> Question {
        Question {
            id: QuestionId::from_static("batch-size"),
            change: ChangeId::global(),
            prompt: "Rows per batch?".to_owned(),
            why: "Smaller batches hold locks for less time.".to_owned(),
            facts: Vec::new(),
            choices: vec![
                Choice {
                    id: ChoiceId::from_static("default"),
                    label: "10,000".to_owned(),
                    consequence: "10,000 rows per batch".to_owned(),
                    input: None,
                },
                Choice {
                    id: ChoiceId::from_static("custom"),
                    label: "Another size".to_owned(),
                    consequence: "the size given".to_owned(),
                    input: Some(InputKind::Integer {
                        min: 100,
                        max: 1000,
                    }),
                },
            ],
            default: Some(ChoiceId::from_static("default")),
            when: Condition::Always,
        }
    }

    #[test]
    fn accept_checks_choice_and_input() {
        let q = question();
        let default = ChoiceId::from_static("default");
        let custom = ChoiceId::from_static("custom");
        assert_eq!(q.accept(&default, None), Ok(None));
        assert_eq!(
            q.accept(&custom, Some("500")),
            Ok(Some(InputValue::Integer(500)))
        );
        let unknown = q.accept(&ChoiceId::from_static("huge"), None).unwrap_err();
        assert_eq!(
            unknown.to_string(),
            "`huge` is not a choice of `batch-size`; expected one of `default` or `custom`"
        );
        assert!(matches!(
            q.accept(&custom, None),
            Err(AnswerError::MissingInput { .. })
        ));
        assert!(matches!(
            q.accept(&default, Some("5")),
            Err(AnswerError::UnexpectedInput { .. })
        ));
        let bad = q.accept(&custom, Some("5")).unwrap_err();
        assert!(bad.to_string().contains("between 100 and 1,000"), "{bad}");
    }
}
