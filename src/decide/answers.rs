//! Answers: the choices made, keyed by change and question id. This is what a plan's
//! `decisions.yaml` holds, so that `pgphase plan --answers` reproduces the plan exactly and a
//! reviewer sees who chose what.
//!
//! The file's shape:
//! ```yaml
//! global:
//!   mode:
//!     choice: zero-downtime
//!   batch-size:
//!     choice: default
//!     by: default
//! changes:
//!   public.orders.user_id:
//!     set-not-null/fill:
//!       choice: expression
//!       input: '0'
//! ```
//! `by: default` marks an answer pgphase filled in with the question's default; an answer
//! without `by` was chosen by a person, which is what a hand-written file naturally says.
//! `input` is the text as typed; a number is read as its text. An empty file holds no answers.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};

use super::id::{ChangeId, ChoiceId, QuestionId};

/// Every answer given so far: global ones, and per change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawAnswers")]
pub struct Answers {
    global: BTreeMap<QuestionId, Answer>,
    changes: BTreeMap<ChangeId, BTreeMap<QuestionId, Answer>>,
}

/// One answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Answer {
    pub choice: ChoiceId,
    /// The text given with the choice, as typed (checked against the choice's input kind).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "scalar_text"
    )]
    pub input: Option<String>,
    #[serde(default, skip_serializing_if = "AnsweredBy::is_user")]
    pub by: AnsweredBy,
}

/// Who made a choice.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AnsweredBy {
    /// A person chose it (in the terminal, or by writing the answers file).
    #[default]
    User,
    /// pgphase took the question's default (`--defaults`, or a question nobody was asked).
    Default,
}

impl AnsweredBy {
    #[must_use]
    pub fn is_user(&self) -> bool {
        matches!(self, Self::User)
    }
}

impl Answer {
    /// A person's choice that takes no input.
    #[must_use]
    pub fn user(choice: ChoiceId) -> Self {
        Self {
            choice,
            input: None,
            by: AnsweredBy::User,
        }
    }

    /// A person's choice with the text they typed.
    #[must_use]
    pub fn user_with_input(choice: ChoiceId, input: impl Into<String>) -> Self {
        Self {
            choice,
            input: Some(input.into()),
            by: AnsweredBy::User,
        }
    }

    /// The question's default, taken without asking.
    #[must_use]
    pub fn default_choice(choice: ChoiceId) -> Self {
        Self {
            choice,
            input: None,
            by: AnsweredBy::Default,
        }
    }
}

impl Answers {
    /// The answer to `question` of `change` ([`ChangeId::global`] for global questions).
    #[must_use]
    pub fn get(&self, change: &ChangeId, question: &QuestionId) -> Option<&Answer> {
        if change.is_global() {
            self.global.get(question)
        } else {
            self.changes.get(change)?.get(question)
        }
    }

    /// Records an answer, replacing an earlier one to the same question.
    pub fn set(&mut self, change: &ChangeId, question: &QuestionId, answer: Answer) {
        let map = if change.is_global() {
            &mut self.global
        } else {
            self.changes.entry(change.clone()).or_default()
        };
        map.insert(question.clone(), answer);
    }

    /// Removes and returns an answer; a change left without answers disappears from the file.
    pub fn remove(&mut self, change: &ChangeId, question: &QuestionId) -> Option<Answer> {
        if change.is_global() {
            return self.global.remove(question);
        }
        let map = self.changes.get_mut(change)?;
        let removed = map.remove(question);
        if map.is_empty() {
            self.changes.remove(change);
        }
        removed
    }

    /// Every answer: global ones first, then by change, each in id order.
    pub fn iter(&self) -> impl Iterator<Item = (ChangeId, &QuestionId, &Answer)> {
        let global = self
            .global
            .iter()
            .map(|(question, answer)| (ChangeId::global(), question, answer));
        let changes = self.changes.iter().flat_map(|(change, answers)| {
            answers
                .iter()
                .map(move |(question, answer)| (change.clone(), question, answer))
        });
        global.chain(changes)
    }

    #[must_use]
    pub fn len(&self) -> usize {
        self.global.len() + self.changes.values().map(BTreeMap::len).sum::<usize>()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The file as read, before global answers filed under `changes` are turned away.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAnswers {
    #[serde(default)]
    global: BTreeMap<QuestionId, Answer>,
    #[serde(default)]
    changes: BTreeMap<ChangeId, BTreeMap<QuestionId, Answer>>,
}

/// A change named `global` under `changes`.
#[derive(Debug, thiserror::Error)]
#[error("`global` is not a change; global answers belong under the top-level `global` key")]
pub struct GlobalUnderChanges;

impl TryFrom<RawAnswers> for Answers {
    type Error = GlobalUnderChanges;
    fn try_from(raw: RawAnswers) -> Result<Self, GlobalUnderChanges> {
        if raw.changes.keys().any(ChangeId::is_global) {
            return Err(GlobalUnderChanges);
        }
        let changes = raw
            .changes
            .into_iter()
            .filter(|(_, answers)| !answers.is_empty())
            .collect();
        Ok(Self {
            global: raw.global,
            changes,
        })
    }
}

/// Reads a scalar as its text, so `input: 5000` and `input: "5000"` mean the same.
fn scalar_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    struct ScalarText;
    impl Visitor<'_> for ScalarText {
        type Value = Option<String>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("text or a number")
        }
        fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
            Ok(Some(text.to_owned()))
        }
        fn visit_u64<E: de::Error>(self, n: u64) -> Result<Self::Value, E> {
            Ok(Some(n.to_string()))
        }
        fn visit_i64<E: de::Error>(self, n: i64) -> Result<Self::Value, E> {
            Ok(Some(n.to_string()))
        }
        fn visit_f64<E: de::Error>(self, n: f64) -> Result<Self::Value, E> {
            Ok(Some(n.to_string()))
        }
        fn visit_bool<E: de::Error>(self, b: bool) -> Result<Self::Value, E> {
            Ok(Some(b.to_string()))
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    }
    deserializer.deserialize_any(ScalarText)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;
