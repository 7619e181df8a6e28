//! The stable ids of decisions: a question's, a choice's and a change's, each kebab-case (or,
//! for a change, the object's name). They are the keys of `decisions.yaml`, so they never
//! change once released.

use std::fmt;

use serde::{Deserialize, Serialize};

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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
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
}
