//! Just enough reading of SQL expressions to name things as PostgreSQL does: the name an index
//! expression contributes to its index's name (`FigureIndexColname`), and which columns a check
//! uses (a check on exactly one column is named after it).
//!
//! This reads the shape of the text, not its meaning: it tokenises, then looks at the outermost
//! node only. Anything it cannot place counts as an operator expression, which has no name.

use crate::schema::types::{self, BaseType};
use crate::sql::lexer::{self, Kind};

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    /// An identifier or key word: unquoted ones folded to lower case, quoted ones kept as written.
    Word {
        text: String,
        quoted: bool,
    },
    /// A string, bit-string or dollar-quoted literal.
    Str,
    Number,
    /// `::`
    Cast,
    Dot,
    Comma,
    Open(char),
    Close(char),
    /// Any other operator (`+`, `->>`, `=`, …) or stray character.
    Operator,
}

impl Token {
    fn is_word(&self, word: &str) -> bool {
        matches!(self, Token::Word { text, quoted: false } if text == word)
    }
}

/// The tokens of `sql` that matter here, comments and whitespace left out; an unterminated
/// quote runs to the end of the text.
fn tokenize(sql: &str) -> Vec<(Token, &str)> {
    lexer::significant(sql)
        .into_iter()
        .map(|token| (token_of(&token), token.text))
        .collect()
}

fn token_of(token: &lexer::Token<'_>) -> Token {
    match token.kind {
        Kind::Word | Kind::QuotedName => Token::Word {
            text: token.name().unwrap_or_default(),
            quoted: token.kind == Kind::QuotedName,
        },
        Kind::String | Kind::DollarString => Token::Str,
        Kind::Number => Token::Number,
        Kind::Cast => Token::Cast,
        Kind::Dot => Token::Dot,
        Kind::Comma => Token::Comma,
        Kind::Open(c) => Token::Open(c),
        Kind::Close(c) => Token::Close(c),
        Kind::Parameter
        | Kind::Semicolon
        | Kind::Operator
        | Kind::Space
        | Kind::LineComment
        | Kind::BlockComment => Token::Operator,
    }
}

/// The index of the token closing the bracket opened at `open`, or the end.
fn matching_close(tokens: &[(Token, &str)], open: usize) -> usize {
    let mut depth = 0_usize;
    for (i, (token, _)) in tokens.iter().enumerate().skip(open) {
        match token {
            Token::Open(_) => depth += 1,
            Token::Close(_) => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
    }
    tokens.len()
}

/// The name PostgreSQL gives an index expression when naming its index (`FigureIndexColname`):
/// a function call gives the function's name (`lower(email)` → `lower`), a column its name, a
/// cast the name of what it casts or else of the type, `CASE` its `ELSE` branch or `case`,
/// `COALESCE`, `ARRAY[…]`, `ROW(…)` and the like their key word, `… AT TIME ZONE …` `timezone`.
/// An operator expression (`a + 1`, `j ->> 'k'`) has none: the index name says `expr` there.
#[must_use]
pub fn figure_column_name(expression: &str) -> Option<String> {
    let tokens = tokenize(expression);
    let (name, strength) = figure(&tokens);
    (strength > 0).then_some(name).flatten()
}

/// `FigureColnameInternal`'s result: a name and how sure it is (2 real name, 1 fallback, 0 none).
type Figured = (Option<String>, u8);

const NONE: Figured = (None, 0);

fn named(name: &str, strength: u8) -> Figured {
    (Some(name.to_owned()), strength)
}

fn figure(tokens: &[(Token, &str)]) -> Figured {
    let Some((mut result, mut i)) = primary(tokens) else {
        return NONE;
    };
    while i < tokens.len() {
        match &tokens[i].0 {
            Token::Cast => {
                let end = type_end(tokens, i + 1);
                if result.1 <= 1 {
                    result = type_name(&tokens[i + 1..end]).map_or(NONE, |name| (Some(name), 1));
                }
                i = end;
            }
            Token::Open('[') => i = matching_close(tokens, i) + 1,
            Token::Dot => match tokens.get(i + 1) {
                Some((Token::Word { text, .. }, _)) => {
                    result = named(text, 2);
                    i += 2;
                }
                _ => i += 2,
            },
            token if token.is_word("collate") => i = qualified_name_end(tokens, i + 1),
            token if token.is_word("at") && is_time_zone(tokens, i + 1) => {
                let operand = i + 3;
                let Some((_, end)) = primary(tokens.get(operand..).unwrap_or_default()) else {
                    return NONE;
                };
                i = postfix_end(tokens, operand + end);
                result = named("timezone", 2);
            }
            _ => return NONE,
        }
    }
    result
}

/// True when `TIME ZONE` starts at `i` (after `AT`).
fn is_time_zone(tokens: &[(Token, &str)], i: usize) -> bool {
    tokens.get(i).is_some_and(|t| t.0.is_word("time"))
        && tokens.get(i + 1).is_some_and(|t| t.0.is_word("zone"))
}

/// The end of the casts, subscripts and `COLLATE` clauses following position `i`.
fn postfix_end(tokens: &[(Token, &str)], mut i: usize) -> usize {
    loop {
        match tokens.get(i).map(|t| &t.0) {
            Some(Token::Cast) => i = type_end(tokens, i + 1),
            Some(Token::Open('[')) => i = matching_close(tokens, i) + 1,
            Some(token) if token.is_word("collate") => i = qualified_name_end(tokens, i + 1),
            _ => return i,
        }
    }
}

/// Reads the first operand at the start of `tokens`: its name and the index after it.
fn primary(tokens: &[(Token, &str)]) -> Option<(Figured, usize)> {
    let (first, _) = tokens.first()?;
    match first {
        Token::Open('(') => {
            let close = matching_close(tokens, 0);
            let inner = tokens.get(1..close).unwrap_or_default();
            let top_level_comma = top_level(inner).any(|i| inner[i].0 == Token::Comma);
            let result = if top_level_comma {
                named("row", 2)
            } else {
                figure(inner)
            };
            Some((result, close + 1))
        }
        Token::Str | Token::Number => Some((NONE, 1)),
        Token::Word {
            text,
            quoted: false,
        } => keyword_primary(tokens, text),
        Token::Word { quoted: true, .. } => Some(reference(tokens)),
        _ => None,
    }
}

/// Operands that start with an unquoted word: key-word forms, typed literals, references, calls.
fn keyword_primary(tokens: &[(Token, &str)], word: &str) -> Option<(Figured, usize)> {
    let next = tokens.get(1).map(|t| &t.0);
    let called = next == Some(&Token::Open('('));
    match word {
        "case" => Some(case_expression(tokens)),
        "array" if matches!(next, Some(Token::Open(_))) => {
            Some((named("array", 2), matching_close(tokens, 1) + 1))
        }
        "exists" | "row" | "coalesce" | "greatest" | "least" | "nullif" | "grouping"
        | "extract" | "overlay" | "position" | "substring" | "normalize" | "treat"
        | "xmlconcat" | "xmlelement" | "xmlexists" | "xmlforest" | "xmlparse" | "xmlpi"
        | "xmlroot" | "xmlserialize"
            if called =>
        {
            Some((named(word, 2), matching_close(tokens, 1) + 1))
        }
        "trim" if called => Some((
            named(trim_function(tokens), 2),
            matching_close(tokens, 1) + 1,
        )),
        "cast" if called => Some(cast_call(tokens)),
        "current_date" | "current_time" | "current_timestamp" | "localtime" | "localtimestamp"
        | "current_role" | "current_user" | "user" | "session_user" | "current_catalog"
        | "current_schema" => {
            let end = if called {
                matching_close(tokens, 1) + 1
            } else {
                1
            };
            Some((named(word, 2), end))
        }
        "true" | "false" | "null" => Some((NONE, 1)),
        "not" => None,
        _ => typed_literal(tokens).or_else(|| Some(reference(tokens))),
    }
}

/// `TRIM(LEADING …)` calls `ltrim`, `TRAILING` `rtrim`, anything else `btrim`.
fn trim_function(tokens: &[(Token, &str)]) -> &'static str {
    match tokens.get(2).map(|t| &t.0) {
        Some(t) if t.is_word("leading") => "ltrim",
        Some(t) if t.is_word("trailing") => "rtrim",
        _ => "btrim",
    }
}

/// `CAST(x AS type)`: like `x::type`.
fn cast_call(tokens: &[(Token, &str)]) -> (Figured, usize) {
    let close = matching_close(tokens, 1);
    let inner = tokens.get(2..close).unwrap_or_default();
    let as_at = top_level(inner)
        .filter(|&i| inner[i].0.is_word("as"))
        .last();
    let result = match as_at {
        Some(at) => {
            let operand = figure(&inner[..at]);
            if operand.1 > 1 {
                operand
            } else {
                type_name(&inner[at + 1..]).map_or(NONE, |n| (Some(n), 1))
            }
        }
        None => NONE,
    };
    (result, close + 1)
}

/// `CASE … ELSE x END` is named like `x` when that has a real name, else `case`.
fn case_expression(tokens: &[(Token, &str)]) -> (Figured, usize) {
    let mut depth = 0_usize;
    let mut else_at = None;
    let mut end = tokens.len();
    for (i, (token, _)) in tokens.iter().enumerate() {
        match token {
            t if t.is_word("case") => depth += 1,
            t if t.is_word("end") => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    end = i;
                    break;
                }
            }
            t if t.is_word("else") && depth == 1 => else_at = Some(i),
            _ => {}
        }
    }
    let default = else_at.map_or(NONE, |at| {
        figure(tokens.get(at + 1..end).unwrap_or_default())
    });
    let result = if default.1 > 1 {
        default
    } else {
        named("case", 1)
    };
    (result, end + 1)
}

/// `date '2024-01-01'`, `interval '1 day'`: a constant cast to the type named before it.
fn typed_literal(tokens: &[(Token, &str)]) -> Option<(Figured, usize)> {
    let literal = (1..tokens.len()).find(|&i| !matches!(tokens[i].0, Token::Word { .. }))?;
    if tokens[literal].0 != Token::Str {
        return None;
    }
    let name = type_name(&tokens[..literal])?;
    Some(((Some(name), 1), literal + 1))
}

/// A column reference (`a`, `t.a`) or a function call (`lower(x)`, `public.f(x)`).
fn reference(tokens: &[(Token, &str)]) -> (Figured, usize) {
    let end = qualified_name_end(tokens, 0);
    let last = tokens[..end].iter().rev().find_map(|(t, _)| match t {
        Token::Word { text, .. } => Some(text.as_str()),
        _ => None,
    });
    let Some(last) = last else {
        return (NONE, end.max(1));
    };
    if tokens.get(end).map(|t| &t.0) == Some(&Token::Open('(')) {
        return (named(last, 2), matching_close(tokens, end) + 1);
    }
    (named(last, 2), end)
}

/// The end of `word(.word)*` (a `*` may stand for a word) starting at `i`.
fn qualified_name_end(tokens: &[(Token, &str)], mut i: usize) -> usize {
    loop {
        match tokens.get(i) {
            Some((Token::Word { .. }, _)) | Some((Token::Operator, "*")) => i += 1,
            _ => return i,
        }
        if tokens.get(i).map(|t| &t.0) != Some(&Token::Dot) {
            return i;
        }
        i += 1;
    }
}

/// Words that continue a type name after its first word (`double precision`,
/// `timestamp(3) with time zone`, `character varying`).
const TYPE_CONTINUATIONS: &[&str] = &[
    "varying",
    "precision",
    "with",
    "without",
    "time",
    "zone",
    "array",
];

/// The end of the type name that starts at `start` (after `::`).
fn type_end(tokens: &[(Token, &str)], start: usize) -> usize {
    let mut i = qualified_name_end(tokens, start);
    loop {
        match tokens.get(i).map(|t| &t.0) {
            Some(Token::Open(_)) => i = matching_close(tokens, i) + 1,
            Some(t) if TYPE_CONTINUATIONS.iter().any(|w| t.is_word(w)) => i += 1,
            _ => return i,
        }
    }
}

/// The name the parser records for a type (`integer` → `int4`, `character varying` →
/// `varchar`, `public.mood` → `mood`): the last part of its internal name.
fn type_name(tokens: &[(Token, &str)]) -> Option<String> {
    let text: Vec<&str> = tokens.iter().map(|(_, text)| *text).collect();
    let parsed = types::parse(&text.join(" ")).ok()?;
    Some(match parsed.base {
        BaseType::Builtin(name) => internal_type_name(name).to_owned(),
        BaseType::User { name, .. } => name,
    })
}

/// The catalog name of a builtin type written in its SQL-standard spelling.
fn internal_type_name(canonical: &str) -> &str {
    match canonical {
        "bigint" => "int8",
        "integer" => "int4",
        "smallint" => "int2",
        "real" => "float4",
        "double precision" => "float8",
        "boolean" => "bool",
        "character varying" => "varchar",
        "character" => "bpchar",
        "bit varying" => "varbit",
        "timestamp with time zone" => "timestamptz",
        "timestamp without time zone" => "timestamp",
        "time with time zone" => "timetz",
        "time without time zone" => "time",
        "\"char\"" => "char",
        other => other,
    }
}

/// Indexes of the tokens outside any brackets.
fn top_level<'a>(tokens: &'a [(Token, &str)]) -> impl Iterator<Item = usize> + 'a {
    let mut depth = 0_usize;
    tokens
        .iter()
        .enumerate()
        .filter_map(move |(i, (token, _))| {
            let outside = depth == 0;
            match token {
                Token::Open(_) => depth += 1,
                Token::Close(_) => depth = depth.saturating_sub(1),
                _ => {}
            }
            (outside && !matches!(token, Token::Open(_))).then_some(i)
        })
}

/// The distinct columns of `columns` that `expression` refers to, in order of first use.
///
/// A word counts as a column when it names one, is not called as a function, and is not part of
/// a type name (after `::`, `AS` or before a typed literal) or a collation.
#[must_use]
pub fn referenced_columns<'c>(expression: &str, columns: &[&'c str]) -> Vec<&'c str> {
    let tokens = tokenize(expression);
    let mut used: Vec<&'c str> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i].0 {
            Token::Cast => {
                i = type_end(&tokens, i + 1);
                continue;
            }
            t if t.is_word("as") => {
                i = type_end(&tokens, i + 1);
                continue;
            }
            t if t.is_word("collate") => {
                i = qualified_name_end(&tokens, i + 1);
                continue;
            }
            Token::Word { .. } => {
                let end = qualified_name_end(&tokens, i);
                let next = tokens.get(end).map(|t| &t.0);
                let called_or_typed = matches!(next, Some(Token::Open('(') | Token::Str));
                // `t.col` is a qualified column: its last part names the column.
                if let (false, Some((Token::Word { text, .. }, _))) =
                    (called_or_typed, tokens.get(end - 1))
                    && let Some(column) = columns.iter().find(|c| **c == text.as_str())
                    && !used.contains(column)
                {
                    used.push(column);
                }
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    used
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn index_expressions_are_named_like_postgres() {
        // Names PostgreSQL 15 gave these index expressions (dev server, `CREATE INDEX ON ix (…)`).
        let cases = [
            ("lower(email)", Some("lower")),
            ("lower((email)::text)", Some("lower")),
            ("(a)::integer", Some("a")),
            ("a::int", Some("a")),
            ("COALESCE(a, 'x'::text)", Some("coalesce")),
            ("(j ->> 'k'::text)", None),
            ("((j -> 'k'::text) ->> 'z'::text)", None),
            (
                "date_trunc('day'::text, (d AT TIME ZONE 'UTC'::text))",
                Some("date_trunc"),
            ),
            ("d AT TIME ZONE 'UTC'", Some("timezone")),
            ("(a || 'x'::text)", None),
            ("CASE WHEN (a IS NULL) THEN 1 ELSE 2 END", Some("case")),
            (
                "CASE WHEN (a IS NULL) THEN 1 ELSE length(a) END",
                Some("length"),
            ),
            ("'x'::text", Some("text")),
            ("a COLLATE \"C\"", Some("a")),
            ("public.f(a)", Some("f")),
            ("(a + 1)", None),
            ("-a", None),
            ("\"Mixed Case\"", Some("Mixed Case")),
            ("(a, b)", Some("row")),
            ("ARRAY[a, b]", Some("array")),
            ("'1'::character varying", Some("varchar")),
            ("1::double precision", Some("float8")),
            ("date '2024-01-01'", Some("date")),
            ("EXTRACT(year FROM d)", Some("extract")),
            ("TRIM(LEADING 'x' FROM a)", Some("ltrim")),
            ("CAST(a AS integer)", Some("a")),
            ("CAST(1 AS integer)", Some("int4")),
            ("(r).field", Some("field")),
            ("tags[1]", Some("tags")),
            ("a IS NULL", None),
            ("42", None),
        ];
        for (expression, expected) in cases {
            assert_eq!(
                figure_column_name(expression).as_deref(),
                expected,
                "{expression}"
            );
        }
    }

    #[test]
    fn checks_find_the_columns_they_use() {
        let columns = ["a", "b", "text", "Mixed"];
        let cases: [(&str, &[&str]); 9] = [
            ("a > 0", &["a"]),
            ("((a)::integer > 0)", &["a"]),
            ("(length(a) > b)", &["a", "b"]),
            ("(a <> 'x'::text)", &["a"]),
            ("a > 0 AND a < 10", &["a"]),
            ("\"Mixed\" IS NOT NULL", &["Mixed"]),
            ("mixed IS NOT NULL", &[]),
            ("text(1) = 'b'", &[]),
            ("t.b > 0 -- a comment about a", &["b"]),
        ];
        for (expression, expected) in cases {
            assert_eq!(
                referenced_columns(expression, &columns),
                expected,
                "{expression}"
            );
        }
    }

    #[test]
    fn odd_text_does_not_panic() {
        for text in [
            "",
            "(",
            ")",
            "'unterminated",
            "\"x",
            "$$ body",
            "a::",
            "CASE",
            "x AT TIME",
            "é(",
            "::",
        ] {
            let _ = figure_column_name(text);
            let _ = referenced_columns(text, &["a"]);
        }
    }
}
