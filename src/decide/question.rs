//! A question the planner asks: its stable ids, the choices it offers and when it is asked.
//! Plain data only; the walk over questions lives in `walk.rs`.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::condition::Condition;
use super::facts::Fact;
use super::input::{InputError, InputKind, InputValue};

/// A stable, kebab-case identifier, optionally in `/`-separated segments (`set-not-null/fill`).
/// It is the key a question's answer is stored under in `decisions.yaml`, so it never changes
/// once released.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct QuestionId(String);

/// A choice's identifier, kebab-case without segments (`zero-downtime`, `custom`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ChoiceId(String);

/// The change a question belongs to: the name of the object it changes
/// (`public.orders.user_id`), or [`ChangeId::global`] for questions about the whole plan.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ChangeId(String);

/// An identifier that does not have the required form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a valid {kind}: expected {expected}")]
pub struct IdError {
    pub text: String,
    pub kind: &'static str,
    pub expected: &'static str,
}

const KEBAB: &str = "lower-case words of letters and digits joined by `-`";

/// `text` as a kebab-case id, or the error naming what `kind` of id it was meant to be.
pub(crate) fn kebab_id(text: impl Into<String>, kind: &'static str) -> Result<String, IdError> {
    let text = text.into();
    if is_kebab(&text) {
        Ok(text)
    } else {
        Err(IdError {
            text,
            kind,
            expected: KEBAB,
        })
    }
}

/// True for `word(-word)*` where each word is lower-case ASCII letters and digits.
pub(crate) fn is_kebab(text: &str) -> bool {
    !text.is_empty()
        && text.split('-').all(|word| {
            !word.is_empty()
                && word
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

impl QuestionId {
    /// Checks `text` is kebab-case segments joined by `/`.
    ///
    /// # Errors
    /// `text` is empty, or a segment is not kebab-case.
    pub fn new(text: impl Into<String>) -> Result<Self, IdError> {
        let text = text.into();
        if text.split('/').all(is_kebab) {
            Ok(Self(text))
        } else {
            Err(IdError {
                text,
                kind: "question id",
                expected: "kebab-case segments joined by `/`, like `set-not-null/fill`",
            })
        }
    }

    /// An id written in the code; its form is checked by the tests of the code that defines it.
    #[must_use]
    pub fn from_static(text: &'static str) -> Self {
        Self(text.to_owned())
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl ChoiceId {
    /// Checks `text` is kebab-case.
    ///
    /// # Errors
    /// `text` is empty or not kebab-case.
    pub fn new(text: impl Into<String>) -> Result<Self, IdError> {
        kebab_id(text, "choice id").map(Self)
    }

    /// An id written in the code; its form is checked by the tests of the code that defines it.
    #[must_use]
    pub fn from_static(text: &'static str) -> Self {
        Self(text.to_owned())
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl ChangeId {
    /// The id of questions about the whole plan rather than one change.
    #[must_use]
    pub fn global() -> Self {
        Self("global".to_owned())
    }

    /// The id of the change to the object named `name` (`public.orders.user_id`).
    ///
    /// # Errors
    /// `name` is empty, has surrounding white space, or is the reserved word `global`.
    pub fn new(name: impl Into<String>) -> Result<Self, IdError> {
        let name = name.into();
        if name.is_empty() || name.trim() != name || name == "global" {
            return Err(IdError {
                text: name,
                kind: "change id",
                expected: "the name of the object changed, like `public.orders.user_id`",
            });
        }
        Ok(Self(name))
    }

    #[must_use]
    pub fn is_global(&self) -> bool {
        self.0 == "global"
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

macro_rules! text_conversions {
    ($($id:ident),*) => {$(
        impl fmt::Display for $id {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl From<$id> for String {
            fn from(id: $id) -> String {
                id.0
            }
        }
    )*};
}
text_conversions!(QuestionId, ChoiceId, ChangeId);

impl TryFrom<String> for QuestionId {
    type Error = IdError;
    fn try_from(text: String) -> Result<Self, IdError> {
        Self::new(text)
    }
}

impl TryFrom<String> for ChoiceId {
    type Error = IdError;
    fn try_from(text: String) -> Result<Self, IdError> {
        Self::new(text)
    }
}

impl TryFrom<String> for ChangeId {
    type Error = IdError;
    /// Unlike [`ChangeId::new`], accepts `global`: a stored id may be the global one.
    fn try_from(text: String) -> Result<Self, IdError> {
        if text == "global" {
            Ok(Self::global())
        } else {
            Self::new(text)
        }
    }
}

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

    #[test]
    fn question_ids_are_kebab_segments() {
        for good in ["mode", "set-not-null/fill", "a1/b-2/c"] {
            assert!(QuestionId::new(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "Mode",
            "set_not_null",
            "a//b",
            "-a",
            "a-",
            "a--b",
            "/a",
            "a b",
        ] {
            let error = QuestionId::new(bad).unwrap_err();
            assert!(error.to_string().contains("set-not-null/fill"), "{error}");
        }
    }

    #[test]
    fn choice_ids_have_no_segments() {
        assert!(ChoiceId::new("zero-downtime").is_ok());
        assert!(ChoiceId::new("a/b").is_err());
        assert!(ChoiceId::new("").is_err());
    }

    #[test]
    fn change_ids_reserve_global() {
        assert!(ChangeId::new("public.orders.user_id").is_ok());
        assert!(ChangeId::new("global").is_err());
        assert!(ChangeId::new(" x").is_err());
        assert!(ChangeId::global().is_global());
        assert!(!ChangeId::new("public.t").unwrap().is_global());
        assert_eq!(
            ChangeId::try_from("global".to_owned()).unwrap(),
            ChangeId::global()
        );
    }

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
