//! Errors in the desired-schema file, each placed at a line and column, and the wording of them:
//! serde's and the YAML parser's messages are rewritten into plain words with a hint.

use std::fmt;

/// A mistake in the desired-schema file (or a file that could not be read).
///
/// Displays as `FILE:LINE:COLUMN: message`, then `  hint: …` on a second line when there is one.
/// Line and column are 1-based; both are 0 when the file could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct LoadError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub hint: Option<String>,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file, self.message)?;
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.file, self.line, self.column, self.message
            )?;
        }
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// A message and an optional hint, before it is placed in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wording {
    pub message: String,
    pub hint: Option<String>,
}

impl Wording {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            hint: None,
        }
    }

    #[must_use]
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Adds "did you mean `x`?" when one of `known` is close to `wrong`.
    #[must_use]
    pub fn did_you_mean<'a>(
        mut self,
        wrong: &str,
        known: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        if let Some(close) = closest(wrong, known) {
            self.hint = Some(format!("did you mean `{close}`?"));
        }
        self
    }
}

/// The candidate nearest to `wrong`: within 2 edits (ignoring case), or one it starts or that
/// starts it; the closest wins, the earliest on a tie.
pub fn closest<'a>(wrong: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let wrong_lower = wrong.to_lowercase();
    known
        .into_iter()
        .filter(|k| *k != wrong)
        .filter_map(|candidate| {
            let lower = candidate.to_lowercase();
            let distance = edit_distance(&wrong_lower, &lower);
            let prefix = wrong_lower.len() >= 3
                && (lower.starts_with(&wrong_lower) || wrong_lower.starts_with(&lower));
            (distance <= 2 || prefix).then_some((distance, candidate))
        })
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

/// Rewrites a serde_norway error's text (without its position) into plain words.
pub fn reword_serde(text: &str, source: &str, line: usize, column: usize) -> Wording {
    const MARKERS: &[&str] = &[
        "unknown field `",
        "unknown variant `",
        "invalid type: ",
        "invalid value: ",
        "invalid length ",
        "missing field `",
        "duplicate field `",
        "duplicate key `",
    ];
    let start = MARKERS.iter().filter_map(|m| text.find(m)).min();
    match start {
        Some(start) => reword_message(&text[start..]),
        None => reword_syntax(text, source, line, column),
    }
}

fn reword_message(message: &str) -> Wording {
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let (key, expected) = split_backticked(rest);
        let allowed = backticked(expected);
        let wording = Wording::new(format!("unknown key `{key}`"));
        return match closest(key, allowed.iter().copied()) {
            Some(close) => wording.hint(format!("did you mean `{close}`?")),
            None if allowed.is_empty() => wording,
            None => wording.hint(format!("expected one of {}", list(&allowed))),
        };
    }
    if let Some(rest) = message.strip_prefix("unknown variant `") {
        let (value, expected) = split_backticked(rest);
        let allowed = backticked(expected);
        return Wording::new(format!(
            "invalid value `{value}`; expected {}",
            list(&allowed)
        ))
        .did_you_mean(value, allowed.iter().copied());
    }
    if let Some(rest) = message.strip_prefix("missing field `") {
        let (key, _) = split_backticked(rest);
        return Wording::new(format!("missing key `{key}`"));
    }
    if let Some(rest) = message
        .strip_prefix("duplicate field `")
        .or_else(|| message.strip_prefix("duplicate key `"))
    {
        let (key, _) = split_backticked(rest);
        return Wording::new(format!("duplicate key `{key}`"))
            .hint("each key may appear only once in a mapping");
    }
    if let Some(rest) = message
        .strip_prefix("invalid type: ")
        .or_else(|| message.strip_prefix("invalid value: "))
        && let Some((found, expected)) = rest.split_once(", expected ")
    {
        return Wording::new(format!(
            "expected {}, found {}",
            plain_expected(expected),
            plain_found(found)
        ));
    }
    if let Some(rest) = message.strip_prefix("invalid length ")
        && let Some((_, expected)) = rest.split_once(", expected ")
    {
        return Wording::new(format!("expected {}", plain_expected(expected)));
    }
    Wording::new(message)
}

/// `x`, rest → (x, rest)
fn split_backticked(text: &str) -> (&str, &str) {
    text.split_once('`').unwrap_or((text, ""))
}

/// Every `word` quoted in backticks in `text`.
fn backticked(text: &str) -> Vec<&str> {
    text.split('`').skip(1).step_by(2).collect()
}

/// `a`, `b` or `c`
pub fn list(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("`{i}`")).collect();
    match quoted.as_slice() {
        [] => "nothing".to_owned(),
        [only] => only.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

fn plain_expected(expected: &str) -> String {
    let expected = expected.trim();
    if expected.starts_with("struct ") || expected == "a map" {
        return "a mapping".to_owned();
    }
    match expected {
        "a boolean" => "true or false".to_owned(),
        "a string" => "text".to_owned(),
        "a sequence" => "a list".to_owned(),
        "u8" | "u16" | "u32" | "u64" | "i8" | "i16" | "i32" | "i64" | "usize" => {
            "a whole number".to_owned()
        }
        other => other.to_owned(),
    }
}

fn plain_found(found: &str) -> String {
    let found = found.trim();
    if let Some(text) = found.strip_prefix("string ") {
        return format!("the text {text}");
    }
    if let Some(number) = found
        .strip_prefix("integer ")
        .or_else(|| found.strip_prefix("floating point "))
    {
        return format!("the number {}", number.trim_matches('`'));
    }
    if let Some(value) = found.strip_prefix("boolean ") {
        return format!("`{}`", value.trim_matches('`'));
    }
    match found {
        "unit value" => "nothing (an empty value)".to_owned(),
        "sequence" => "a list".to_owned(),
        "map" => "a mapping".to_owned(),
        other => other.to_owned(),
    }
}

/// A syntax error from the YAML parser: `problem, while parsing … at line L column C`.
fn reword_syntax(text: &str, source: &str, line: usize, column: usize) -> Wording {
    if is_tab_at(source, line, column) {
        return Wording::new("invalid YAML: a tab character where YAML expects spaces")
            .hint("indent with spaces; YAML does not allow tabs in indentation");
    }
    let (problem, context) = match text.split_once(", ") {
        Some((problem, context)) if context.starts_with("while ") => (problem, Some(context)),
        _ => (text, None),
    };
    let wording = Wording::new(format!("invalid YAML: {}", problem.trim()));
    match context {
        Some(context) => wording.hint(syntax_context(context)),
        None => wording,
    }
}

/// `while parsing a flow mapping at line 6 column 18` → where the enclosing node starts, and
/// for `{ … }` and `[ … ]` the usual cause.
fn syntax_context(context: &str) -> String {
    let context = context.trim_start_matches("while parsing ");
    let (what, place) = match context.split_once(" at line ") {
        Some((what, place)) => (what, place.replacen(" column ", ", column ", 1)),
        None => return format!("while parsing {context}"),
    };
    let closing = match what {
        "a flow mapping" => "; is a closing `}` missing?",
        "a flow sequence" => "; is a closing `]` missing?",
        _ => "",
    };
    format!("in {what} that starts at line {place}{closing}")
}

/// True when the position holds a tab, or is in the indentation of a line that has one.
fn is_tab_at(source: &str, line: usize, column: usize) -> bool {
    let Some(text) = source.lines().nth(line.saturating_sub(1)) else {
        return false;
    };
    let indentation: String = text
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    text.chars().nth(column.saturating_sub(1)) == Some('\t') || indentation.contains('\t')
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn close_words_are_suggested() {
        let keys = ["type", "nullable", "default", "identity"];
        assert_eq!(closest("nulable", keys), Some("nullable"));
        assert_eq!(closest("Type", keys), Some("type"));
        assert_eq!(closest("identit", keys), Some("identity"));
        assert_eq!(closest("defaultvalue", keys), Some("default"));
        assert_eq!(closest("zzz", keys), None);
        assert_eq!(
            closest("intger", ["integer", "interval", "int4range"]),
            Some("integer")
        );
    }

    #[test]
    fn serde_messages_become_plain_words() {
        let w = reword_message("unknown field `nulable`, expected one of `type`, `nullable`");
        assert_eq!(w.message, "unknown key `nulable`");
        assert_eq!(w.hint.as_deref(), Some("did you mean `nullable`?"));
        let w = reword_message("unknown field `zzz`, expected `a` or `b`");
        assert_eq!(w.hint.as_deref(), Some("expected one of `a` or `b`"));
        let w = reword_message("unknown variant `alwyas`, expected `always` or `by_default`");
        assert_eq!(
            w.message,
            "invalid value `alwyas`; expected `always` or `by_default`"
        );
        assert_eq!(w.hint.as_deref(), Some("did you mean `always`?"));
        let w = reword_message("invalid type: string \"yes\", expected a boolean");
        assert_eq!(w.message, "expected true or false, found the text \"yes\"");
        let w = reword_message("invalid type: unit value, expected struct RawTable");
        assert_eq!(
            w.message,
            "expected a mapping, found nothing (an empty value)"
        );
        assert_eq!(
            reword_message("missing field `type`").message,
            "missing key `type`"
        );
    }

    #[test]
    fn display_puts_the_hint_on_its_own_line() {
        let error = LoadError {
            file: "schema.yaml".into(),
            line: 3,
            column: 7,
            message: "unknown key `nulable`".into(),
            hint: Some("did you mean `nullable`?".into()),
        };
        assert_eq!(
            error.to_string(),
            "schema.yaml:3:7: unknown key `nulable`\n  hint: did you mean `nullable`?"
        );
    }
}
