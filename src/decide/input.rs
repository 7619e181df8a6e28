//! Text a user types with a choice (an SQL expression, a number, a duration): what kind each
//! choice expects, and the checks that turn the text into a value or say what was expected.

use serde::Serialize;

use crate::sql::lexer::{self, Kind};

/// The kind of text a choice needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum InputKind {
    /// An SQL expression, such as a fill value for NULLs (`0`, `'unknown'`, `now()`).
    Expression,
    /// A whole number within `min..=max`; `10_000` and `10,000` are accepted.
    Integer { min: u64, max: u64 },
    /// A duration with a unit: `500ms`, `5s`, `2min`, `1h`.
    Duration,
}

/// A checked input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum InputValue {
    /// The expression as typed, trimmed.
    Expression(String),
    Integer(u64),
    /// A duration in milliseconds.
    DurationMs(u64),
}

/// An input that does not fit its kind; the message says what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    #[error("expected an SQL expression, such as `0` or `'unknown'`; the input is empty")]
    EmptyExpression,
    #[error("`{text}` has an unclosed {what}; expected a complete SQL expression")]
    Unclosed { text: String, what: &'static str },
    #[error("`{text}` closes a parenthesis it never opened; expected a complete SQL expression")]
    UnopenedParenthesis { text: String },
    #[error("`{text}` contains {what} outside quotes; expected one SQL expression, not statements")]
    NotAnExpression { text: String, what: &'static str },
    #[error(
        "`{text}` has a backslash in a '…' string, which means something else when \
         standard_conforming_strings is off; expected it written as E'…' with the backslash doubled"
    )]
    AmbiguousBackslash { text: String },
    #[error(
        "expected a whole number between {} and {}, such as `10,000`; got `{text}`",
        thousands(*.min),
        thousands(*.max)
    )]
    NotANumber { text: String, min: u64, max: u64 },
    #[error(
        "{} is out of range; expected a whole number between {} and {}",
        thousands(*.value),
        thousands(*.min),
        thousands(*.max)
    )]
    OutOfRange { value: u64, min: u64, max: u64 },
    #[error("expected a duration with a unit (`500ms`, `5s`, `2min`, `1h`); got `{text}`")]
    NotADuration { text: String },
}

impl InputKind {
    /// What this kind expects, in words for a prompt or an error.
    #[must_use]
    pub fn expected(&self) -> String {
        match self {
            Self::Expression => "an SQL expression, such as `0` or `'unknown'`".to_owned(),
            Self::Integer { min, max } => format!(
                "a whole number between {} and {}",
                thousands(*min),
                thousands(*max)
            ),
            Self::Duration => "a duration with a unit: `500ms`, `5s`, `2min` or `1h`".to_owned(),
        }
    }

    /// Checks `text` and gives its value.
    ///
    /// # Errors
    /// The text does not fit this kind; the error says what was expected.
    pub fn validate(&self, text: &str) -> Result<InputValue, InputError> {
        match self {
            Self::Expression => expression(text).map(InputValue::Expression),
            Self::Integer { min, max } => integer(text, *min, *max).map(InputValue::Integer),
            Self::Duration => duration_ms(text).map(InputValue::DurationMs),
        }
    }
}

/// Checks that `text` is one complete expression, as PostgreSQL's lexer reads it: not empty,
/// strings, quoted names, comments and parentheses closed, no `;` (which would end the statement
/// it is placed in), no `--` comment (which would comment out the rest of it), and no backslash
/// in a plain `'…'` string (which reads differently when `standard_conforming_strings` is off).
fn expression(text: &str) -> Result<String, InputError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(InputError::EmptyExpression);
    }
    let owned = || trimmed.to_owned();
    let unclosed = |what| InputError::Unclosed {
        text: owned(),
        what,
    };
    let not_an_expression = |what| InputError::NotAnExpression {
        text: owned(),
        what,
    };
    let mut depth = 0usize;
    for token in lexer::tokens(trimmed) {
        if !token.closed {
            return Err(unclosed(match token.kind {
                Kind::String if token.text.starts_with(['E', 'e']) => "E'…' string",
                Kind::String => "single quote",
                Kind::QuotedName => "double quote",
                Kind::DollarString => "dollar quote",
                _ => "/* comment",
            }));
        }
        match token.kind {
            Kind::Open('(') => depth += 1,
            Kind::Close(')') if depth == 0 => {
                return Err(InputError::UnopenedParenthesis { text: owned() });
            }
            Kind::Close(')') => depth -= 1,
            Kind::Semicolon => return Err(not_an_expression("`;`")),
            Kind::LineComment => return Err(not_an_expression("a `--` comment")),
            Kind::String if is_plain_string(token.text) && token.text.contains('\\') => {
                return Err(InputError::AmbiguousBackslash { text: owned() });
            }
            _ => {}
        }
    }
    if depth > 0 {
        return Err(unclosed("parenthesis"));
    }
    Ok(owned())
}

/// A string without the `E` prefix: a backslash in it depends on `standard_conforming_strings`.
fn is_plain_string(text: &str) -> bool {
    !text.starts_with(['E', 'e'])
}

/// Digits, optionally grouped by `_` or `,` between digits.
fn parse_grouped(text: &str) -> Option<u64> {
    let bytes = text.as_bytes();
    let starts_and_ends_with_digit = bytes.first().is_some_and(u8::is_ascii_digit)
        && bytes.last().is_some_and(u8::is_ascii_digit);
    let separators_single = !text.contains("__")
        && !text.contains(",,")
        && !text.contains("_,")
        && !text.contains(",_");
    if !starts_and_ends_with_digit || !separators_single {
        return None;
    }
    let digits: String = text.chars().filter(|c| *c != '_' && *c != ',').collect();
    if digits.bytes().all(|b| b.is_ascii_digit()) {
        digits.parse().ok()
    } else {
        None
    }
}

fn integer(text: &str, min: u64, max: u64) -> Result<u64, InputError> {
    let trimmed = text.trim();
    let Some(value) = parse_grouped(trimmed) else {
        return Err(InputError::NotANumber {
            text: trimmed.to_owned(),
            min,
            max,
        });
    };
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(InputError::OutOfRange { value, min, max })
    }
}

/// `500ms`, `5s`, `2min`, `1h` (a space before the unit allowed) to milliseconds.
fn duration_ms(text: &str) -> Result<u64, InputError> {
    let trimmed = text.trim();
    let fail = || InputError::NotADuration {
        text: trimmed.to_owned(),
    };
    let split = trimmed
        .find(|c: char| !c.is_ascii_digit() && c != '_' && c != ',')
        .ok_or_else(fail)?;
    let (number, unit) = trimmed.split_at(split);
    let number = parse_grouped(number).ok_or_else(fail)?;
    let scale: u64 = match unit.trim_start() {
        "ms" => 1,
        "s" => 1_000,
        "min" => 60_000,
        "h" => 3_600_000,
        _ => return Err(fail()),
    };
    number.checked_mul(scale).ok_or_else(fail)
}

/// `1234567` → `1,234,567`
#[must_use]
pub fn thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn expressions_are_complete() {
        let ok = [
            ("0", "0"),
            ("  'unknown' ", "'unknown'"),
            ("coalesce(a, (b + 1))", "coalesce(a, (b + 1))"),
            ("'it''s'", "'it''s'"),
            ("'(' || \")\"", "'(' || \")\""),
            ("'a;b' || '--'", "'a;b' || '--'"),
            ("a - -1", "a - -1"),
            ("1 /* ; */", "1 /* ; */"),
            ("$$;$$", "$$;$$"),
            ("$t$ it's; $$ $t$ || 'x'", "$t$ it's; $$ $t$ || 'x'"),
            ("E'a\\'b;'", "E'a\\'b;'"),
            ("\"a;b\" + 1", "\"a;b\" + 1"),
        ];
        for (text, expected) in ok {
            assert_eq!(
                InputKind::Expression.validate(text),
                Ok(InputValue::Expression(expected.to_owned())),
                "{text}"
            );
        }
        let bad = [
            ("", "empty"),
            ("   ", "empty"),
            ("(a", "unclosed parenthesis"),
            ("a)", "never opened"),
            ("'abc", "unclosed single quote"),
            ("\"col", "unclosed double quote"),
            ("0; drop table t", "`;`"),
            ("0 -- rest", "`--` comment"),
            ("$$'$$; DROP TABLE t; SELECT $$'$$", "`;`"),
            ("E'\\''; DROP TABLE t; --'", "`;`"),
            ("1 /* */; DROP TABLE t", "`;`"),
            ("1a$$;$$", "`;`"),
            ("'x\\'';DROP TABLE t;--'", "backslash"),
            ("$$ unclosed", "unclosed dollar quote"),
            ("$a$ x $b$", "unclosed dollar quote"),
            ("E'a\\'", "unclosed E'…' string"),
            ("1 /* unclosed", "unclosed /* comment"),
            ("1 /* /* */ ; DROP TABLE t", "unclosed /* comment"),
            ("0) OR (1", "never opened"),
        ];
        for (text, wording) in bad {
            let error = InputKind::Expression.validate(text).unwrap_err();
            assert!(error.to_string().contains(wording), "{text}: {error}");
            assert!(error.to_string().contains("expected"), "{text}: {error}");
        }
    }

    #[test]
    fn integers_accept_grouping_and_check_range() {
        let kind = InputKind::Integer {
            min: 100,
            max: 1_000_000,
        };
        for (text, value) in [
            ("100", 100),
            ("10_000", 10_000),
            ("10,000", 10_000),
            (" 1,000,000 ", 1_000_000),
        ] {
            assert_eq!(
                kind.validate(text),
                Ok(InputValue::Integer(value)),
                "{text}"
            );
        }
        for text in [
            "", "ten", "-5", "1.5", "_100", "100,", "1,,000", "1_,000", "1e6",
        ] {
            let error = kind.validate(text).unwrap_err();
            assert!(
                error
                    .to_string()
                    .contains("expected a whole number between 100 and 1,000,000"),
                "{text}: {error}"
            );
        }
        let error = kind.validate("99").unwrap_err();
        assert_eq!(
            error.to_string(),
            "99 is out of range; expected a whole number between 100 and 1,000,000"
        );
        assert!(kind.validate("1_000_001").is_err());
        assert!(kind.validate("99999999999999999999999").is_err());
    }

    #[test]
    fn durations_become_milliseconds() {
        for (text, ms) in [
            ("500ms", 500),
            ("5s", 5_000),
            ("5 s", 5_000),
            ("2min", 120_000),
            ("1h", 3_600_000),
            ("0s", 0),
            ("1,500ms", 1_500),
        ] {
            assert_eq!(
                InputKind::Duration.validate(text),
                Ok(InputValue::DurationMs(ms)),
                "{text}"
            );
        }
        for text in [
            "",
            "5",
            "s",
            "5m",
            "5 sec",
            "-1s",
            "1.5s",
            "5s5",
            "99999999999999999h",
        ] {
            let error = InputKind::Duration.validate(text).unwrap_err();
            assert!(
                error
                    .to_string()
                    .contains("expected a duration with a unit"),
                "{text}: {error}"
            );
        }
    }

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
