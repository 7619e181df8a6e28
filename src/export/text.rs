//! Text for the exporters: identifiers, versions, string literals of Python, JavaScript and
//! Ruby, and the escapes each tool's SQL path needs.

use std::fmt::Write as _;

use crate::sql::lexer::{self, Kind};

/// `text` as a lowercase identifier: letters and digits kept, runs of anything else as one
/// `_`, a leading `p` when it would start with a digit (a Rails class name and a Python
/// module name cannot).
#[must_use]
pub fn identifier(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    let out = out.trim_end_matches('_').to_owned();
    if out.is_empty() {
        "plan".to_owned()
    } else if out.starts_with(|c: char| c.is_ascii_digit()) {
        format!("p{out}")
    } else {
        out
    }
}

/// `CamelCase` of an identifier, as Rails derives a migration's class from its file name.
#[must_use]
pub fn camel_case(identifier: &str) -> String {
    identifier
        .split('_')
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

/// `YYYYMMDDHHMMSS` (UTC) of `seconds` since 1970.
#[must_use]
pub fn timestamp_digits(seconds: u64) -> String {
    let days = seconds / 86_400;
    let rest = seconds % 86_400;
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}{month:02}{day:02}{:02}{:02}{:02}",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// Seconds since 1970 of a UTC time written `YYYYMMDDHHMMSS`; `None` when it is not one.
#[must_use]
pub fn parse_timestamp_digits(text: &str) -> Option<u64> {
    if text.len() != 14 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let field = |range: std::ops::Range<usize>| text[range].parse::<u64>().ok();
    let (year, month, day) = (field(0..4)?, field(4..6)?, field(6..8)?);
    let (hour, minute, second) = (field(8..10)?, field(10..12)?, field(12..14)?);
    if year < 1970 || !(1..=12).contains(&month) || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let days = days_from_civil(year, month, day)?;
    Some(days * 86_400 + hour * 3600 + minute * 60 + second)
}

/// The day count since 1970-01-01 of a date; `None` for a day the month does not have.
fn days_from_civil(year: u64, month: u64, day: u64) -> Option<u64> {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y / 400;
    let yoe = y - era * 400;
    let mp = if month > 2 { month - 3 } else { month + 9 };
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = (era * 146_097 + doe).checked_sub(719_468)?;
    // A day past the month's end comes back as another date.
    (day >= 1 && civil_from_days(days) == (year, month, day)).then_some(days)
}

/// The date of a day count since 1970-01-01 (the proleptic Gregorian calendar).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

/// A double-quoted string literal of Python (and of JSON, hence of JavaScript): every
/// backslash, quote and control character escaped, so the value is exactly `text`.
#[must_use]
pub fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A single-quoted Ruby string literal: nothing is interpolated, only `\\` and `\'` are escapes.
#[must_use]
pub fn ruby_quoted(text: &str) -> String {
    format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// SQL for SQLAlchemy's `text()` (what Alembic's `op.execute` runs): a `:` would start a bind
/// parameter, `\:` is a plain colon.
#[must_use]
pub fn escape_colons(sql: &str) -> String {
    sql.replace(':', "\\:")
}

/// SQL for `knex.raw`: a `?` (or `??`) would be a binding, `\?` is a plain question mark.
#[must_use]
pub fn escape_question_marks(sql: &str) -> String {
    sql.replace('?', "\\?")
}

/// SQL for the PostgreSQL JDBC driver (Liquibase): outside string literals, quoted names,
/// dollar-quoted bodies and comments, a `?` is a parameter and `??` a plain `?`. Those places
/// are the operators the SQL lexer finds.
#[must_use]
pub fn escape_jdbc_placeholders(sql: &str) -> String {
    lexer::tokens(sql)
        .iter()
        .map(|token| match token.kind {
            Kind::Operator => token.text.replace('?', "??"),
            _ => token.text.to_owned(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_lowercase_words_never_starting_with_a_digit() {
        assert_eq!(
            identifier("02-expand-concurrently"),
            "p02_expand_concurrently"
        );
        assert_eq!(identifier("Add Gift!"), "add_gift");
        assert_eq!(identifier("--"), "plan");
        assert_eq!(camel_case("pgphase_demo_0003_x"), "PgphaseDemo0003X");
    }

    #[test]
    fn timestamps_are_utc_calendar_digits() {
        assert_eq!(timestamp_digits(0), "19700101000000");
        // 2026-12-05 17:01:47 UTC
        assert_eq!(timestamp_digits(1_796_490_107), "20261205170147");
        // A leap day.
        assert_eq!(timestamp_digits(951_782_400), "20000229000000");
        for seconds in [0, 951_782_400, 1_796_490_107] {
            assert_eq!(
                parse_timestamp_digits(&timestamp_digits(seconds)),
                Some(seconds)
            );
        }
        assert_eq!(parse_timestamp_digits("20010229000000"), None);
        assert_eq!(parse_timestamp_digits("2026120517014"), None);
        assert_eq!(parse_timestamp_digits("20261205250000"), None);
    }

    #[test]
    fn quoted_strings_keep_the_text_exactly() {
        assert_eq!(quoted("a \"b\" \\ c\nd"), r#""a \"b\" \\ c\nd""#);
        assert_eq!(ruby_quoted("it's \\ #{x}"), r"'it\'s \\ #{x}'");
    }

    #[test]
    fn jdbc_placeholders_are_doubled_only_outside_quotes() {
        assert_eq!(
            escape_jdbc_placeholders("SELECT j ? 'a', '?', \"?\", $$ ? $$, $1 -- ?\n/* ? */ ?"),
            "SELECT j ?? 'a', '?', \"?\", $$ ? $$, $1 -- ?\n/* ? */ ??"
        );
        assert_eq!(
            escape_jdbc_placeholders("DO $body$ BEGIN PERFORM 1 ? 2; END $body$; SELECT ?"),
            "DO $body$ BEGIN PERFORM 1 ? 2; END $body$; SELECT ??"
        );
        assert_eq!(escape_jdbc_placeholders("'it''s ?' ?"), "'it''s ?' ??");
        assert_eq!(escape_jdbc_placeholders(r"E'a\'?' ?| b"), r"E'a\'?' ??| b");
    }

    #[test]
    fn binding_escapes_cover_every_occurrence() {
        assert_eq!(
            escape_colons("'{\"a\":1}'::jsonb"),
            "'{\"a\"\\:1}'\\:\\:jsonb"
        );
        assert_eq!(escape_question_marks("j ? 'a' ?? b"), "j \\? 'a' \\?\\? b");
    }
}
