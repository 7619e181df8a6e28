//! The one reader of SQL text: splits it into tokens the way PostgreSQL's lexer does, so that
//! every part of pgphase that looks inside SQL (names an expression uses, where a `;` ends a
//! statement, what the TUI colours) agrees on where strings, quoted names and comments are.
//!
//! Nothing is dropped: the tokens, whitespace and comments included, put back together are the
//! text. Strings are read as PostgreSQL reads them with `standard_conforming_strings` on (its
//! default): a backslash escapes only in an `E'…'` string. An unterminated string, quoted name or
//! comment runs to the end of the text and is marked as not closed.

use std::ops::Range;

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Spaces, tabs and line breaks.
    Space,
    /// `-- …` up to the end of the line (the line break is not part of it).
    LineComment,
    /// `/* … */`, which nests.
    BlockComment,
    /// An identifier or key word written without quotes.
    Word,
    /// `"…"` or `U&"…"`: an identifier kept as written, `""` standing for `"`.
    QuotedName,
    /// `'…'`, `E'…'`, `B'…'`, `X'…'`, `N'…'` or `U&'…'`.
    String,
    /// `$$…$$` or `$tag$…$tag$`.
    DollarString,
    Number,
    /// `$1`, a parameter of a prepared statement or function.
    Parameter,
    /// `::`
    Cast,
    Dot,
    Comma,
    Semicolon,
    /// `(` or `[`.
    Open(char),
    /// `)` or `]`.
    Close(char),
    /// Any other operator (`+`, `->>`, `=`, `?|`) or a stray character.
    Operator,
}

/// One token: its kind, its text and where it starts in the SQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token<'a> {
    pub kind: Kind,
    pub text: &'a str,
    /// Byte offset of the token in the text it was read from.
    pub start: usize,
    /// False for a string, quoted name or block comment the text ends inside of.
    pub closed: bool,
}

impl<'a> Token<'a> {
    /// The byte range of the token in the text it was read from.
    #[must_use]
    pub fn range(&self) -> Range<usize> {
        self.start..self.start + self.text.len()
    }

    /// Whitespace and comments: what PostgreSQL skips between tokens.
    #[must_use]
    pub fn is_trivia(&self) -> bool {
        matches!(
            self.kind,
            Kind::Space | Kind::LineComment | Kind::BlockComment
        )
    }

    /// A string, dollar-quoted string or number.
    #[must_use]
    pub fn is_literal(&self) -> bool {
        matches!(self.kind, Kind::String | Kind::DollarString | Kind::Number)
    }

    /// True for an unquoted `word` (compared ignoring case, as PostgreSQL folds it).
    #[must_use]
    pub fn is_word(&self, word: &str) -> bool {
        self.kind == Kind::Word && self.text.eq_ignore_ascii_case(word)
    }

    /// The identifier a word or quoted name stands for: unquoted ones folded to lower case,
    /// quoted ones as written with `""` read as `"`.
    #[must_use]
    pub fn name(&self) -> Option<String> {
        match self.kind {
            Kind::Word => Some(self.text.to_lowercase()),
            Kind::QuotedName => {
                let inner = self.text.trim_start_matches(['U', 'u', '&']);
                let inner = inner.strip_prefix('"').unwrap_or(inner);
                let inner = if self.closed {
                    inner.strip_suffix('"').unwrap_or(inner)
                } else {
                    inner
                };
                Some(inner.replace("\"\"", "\""))
            }
            _ => None,
        }
    }

    /// The value of a `'…'` or `E'…'` string: `''` read as `'`, and in `E'…'` a backslash
    /// escape read as the character it escapes (`\n` and `\t` as line break and tab).
    #[must_use]
    pub fn string_value(&self) -> Option<String> {
        if self.kind != Kind::String {
            return None;
        }
        let escapes = self.text.starts_with(['E', 'e']);
        let body = self.text.get(self.text.find('\'')? + 1..)?;
        let body = if self.closed {
            body.strip_suffix('\'').unwrap_or(body)
        } else {
            body
        };
        let mut value = String::with_capacity(body.len());
        let mut chars = body.chars();
        while let Some(c) = chars.next() {
            match c {
                '\'' => {
                    chars.next();
                    value.push('\'');
                }
                '\\' if escapes => match chars.next() {
                    Some('n') => value.push('\n'),
                    Some('t') => value.push('\t'),
                    Some('r') => value.push('\r'),
                    Some(other) => value.push(other),
                    None => {}
                },
                c => value.push(c),
            }
        }
        Some(value)
    }
}

/// The tokens of `sql`, whitespace and comments included, in order.
#[must_use]
pub fn tokens(sql: &str) -> Vec<Token<'_>> {
    let bytes = sql.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        let (kind, end, closed) = next_token(sql, i);
        // Every branch moves on; the guard keeps a slip from looping forever.
        i = end.clamp(start + 1, bytes.len());
        out.push(Token {
            kind,
            text: &sql[start..i],
            start,
            closed,
        });
    }
    out
}

/// The tokens of `sql` without whitespace and comments.
#[must_use]
pub fn significant(sql: &str) -> Vec<Token<'_>> {
    tokens(sql).into_iter().filter(|t| !t.is_trivia()).collect()
}

/// The kind of the token at `i`, the index just past it, and whether it is closed.
fn next_token(sql: &str, i: usize) -> (Kind, usize, bool) {
    let bytes = sql.as_bytes();
    let c = bytes[i];
    let next = bytes.get(i + 1).copied();
    let done = |kind, end| (kind, end, true);
    match c {
        b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' => {
            let end = bytes[i..]
                .iter()
                .position(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c'))
                .map_or(bytes.len(), |n| i + n);
            done(Kind::Space, end)
        }
        b'-' if next == Some(b'-') => done(
            Kind::LineComment,
            sql[i..].find('\n').map_or(bytes.len(), |n| i + n),
        ),
        b'/' if next == Some(b'*') => {
            let (end, closed) = block_comment_end(bytes, i);
            (Kind::BlockComment, end, closed)
        }
        b'\'' => {
            let (end, closed) = quoted_end(bytes, i, b'\'', false);
            (Kind::String, end, closed)
        }
        b'"' => {
            let (end, closed) = quoted_end(bytes, i, b'"', false);
            (Kind::QuotedName, end, closed)
        }
        b'e' | b'E' if next == Some(b'\'') => {
            let (end, closed) = quoted_end(bytes, i + 1, b'\'', true);
            (Kind::String, end, closed)
        }
        b'b' | b'B' | b'x' | b'X' | b'n' | b'N' if next == Some(b'\'') => {
            let (end, closed) = quoted_end(bytes, i + 1, b'\'', false);
            (Kind::String, end, closed)
        }
        b'u' | b'U' if next == Some(b'&') && matches!(bytes.get(i + 2), Some(b'\'' | b'"')) => {
            let quote = bytes[i + 2];
            let (end, closed) = quoted_end(bytes, i + 2, quote, false);
            let kind = if quote == b'"' {
                Kind::QuotedName
            } else {
                Kind::String
            };
            (kind, end, closed)
        }
        b'$' => dollar(sql, i),
        b':' if next == Some(b':') => done(Kind::Cast, i + 2),
        b'.' if !next.is_some_and(|b| b.is_ascii_digit()) => done(Kind::Dot, i + 1),
        b',' => done(Kind::Comma, i + 1),
        b';' => done(Kind::Semicolon, i + 1),
        b'(' | b'[' => done(Kind::Open(char::from(c)), i + 1),
        b')' | b']' => done(Kind::Close(char::from(c)), i + 1),
        b'0'..=b'9' | b'.' => done(Kind::Number, number_end(bytes, i)),
        _ if is_word_start(c) => done(Kind::Word, word_end(bytes, i)),
        _ => done(Kind::Operator, operator_end(bytes, i)),
    }
}

/// The end of the quoted run whose opening `quote` is at `open`, and whether it was closed.
/// A doubled quote stays inside; with `backslash`, so does a quote after a backslash.
fn quoted_end(bytes: &[u8], open: usize, quote: u8, backslash: bool) -> (usize, bool) {
    let mut i = open + 1;
    while i < bytes.len() {
        match bytes[i] {
            b if b == quote && bytes.get(i + 1) == Some(&quote) => i += 2,
            b if b == quote => return (i + 1, true),
            b'\\' if backslash => i += 2,
            _ => i += 1,
        }
    }
    (bytes.len(), false)
}

/// The end of the block comment at `open` (nested ones included), and whether it was closed.
fn block_comment_end(bytes: &[u8], open: usize) -> (usize, bool) {
    let mut depth = 0_usize;
    let mut i = open;
    while i < bytes.len() {
        match (bytes[i], bytes.get(i + 1)) {
            (b'/', Some(b'*')) => {
                depth += 1;
                i += 2;
            }
            (b'*', Some(b'/')) => {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    return (i, true);
                }
            }
            _ => i += 1,
        }
    }
    (bytes.len(), false)
}

/// A token starting with `$`: a dollar-quoted string, a parameter, or a stray `$`.
fn dollar(sql: &str, i: usize) -> (Kind, usize, bool) {
    let bytes = sql.as_bytes();
    let digits = bytes[i + 1..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    if digits > 0 {
        return (Kind::Parameter, i + 1 + digits, true);
    }
    let tag_len = match bytes.get(i + 1) {
        Some(b'$') => 0,
        Some(&b) if is_word_start(b) => {
            let end = bytes[i + 1..]
                .iter()
                .position(|&b| !(is_word_start(b) || b.is_ascii_digit()))
                .map_or(bytes.len(), |n| i + 1 + n);
            if bytes.get(end) != Some(&b'$') {
                return (Kind::Operator, i + 1, true);
            }
            end - i - 1
        }
        _ => return (Kind::Operator, i + 1, true),
    };
    let tag = &sql[i..i + tag_len + 2];
    let body = i + tag.len();
    match sql[body..].find(tag) {
        Some(n) => (Kind::DollarString, body + n + tag.len(), true),
        None => (Kind::DollarString, bytes.len(), false),
    }
}

/// Letters, `_` and every byte of a non-ASCII character start an identifier.
fn is_word_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

fn word_end(bytes: &[u8], start: usize) -> usize {
    bytes[start..]
        .iter()
        .position(|&b| !(is_word_start(b) || b.is_ascii_digit() || b == b'$'))
        .map_or(bytes.len(), |n| start + n)
}

/// The end of a number as PostgreSQL 15 reads one: digits, a fraction, an exponent. What
/// follows is a token of its own (`1a$$` is `1` and the name `a$$`, not `1a` and a dollar
/// quote), which matters for where a statement ends.
fn number_end(bytes: &[u8], start: usize) -> usize {
    let digits = |from: usize| {
        bytes[from..]
            .iter()
            .position(|b| !b.is_ascii_digit())
            .map_or(bytes.len(), |n| from + n)
    };
    let mut end = digits(start);
    if bytes.get(end) == Some(&b'.') && bytes.get(end + 1) != Some(&b'.') {
        end = digits(end + 1);
    }
    if matches!(bytes.get(end), Some(b'e' | b'E')) {
        let sign = usize::from(matches!(bytes.get(end + 1), Some(b'+' | b'-')));
        if bytes.get(end + 1 + sign).is_some_and(u8::is_ascii_digit) {
            end = digits(end + 1 + sign);
        }
    }
    end
}

/// The end of a run of operator characters; a `--` or `/*` inside it starts a comment.
fn operator_end(bytes: &[u8], start: usize) -> usize {
    const OPERATOR_CHARS: &[u8] = b"+-*/<>=~!@#%^&|`?";
    let mut i = start;
    while i < bytes.len() && OPERATOR_CHARS.contains(&bytes[i]) {
        let starts_comment = matches!(
            (bytes[i], bytes.get(i + 1)),
            (b'-', Some(b'-')) | (b'/', Some(b'*'))
        );
        if starts_comment && i > start {
            break;
        }
        i += 1;
    }
    i.max(start + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The kinds and texts of the significant tokens of `sql`.
    fn read(sql: &str) -> Vec<(Kind, &str)> {
        significant(sql)
            .into_iter()
            .map(|t| (t.kind, t.text))
            .collect()
    }

    #[test]
    fn the_tokens_put_back_together_are_the_text() {
        let sql = "SELECT E'a\\'b', $x$ ; $x$ -- c\n/* d */ \"q\"\"r\" FROM t; é";
        let joined: String = tokens(sql).iter().map(|t| t.text).collect();
        assert_eq!(joined, sql);
        assert!(tokens(sql).iter().all(|t| sql[t.range()] == *t.text));
    }

    #[test]
    fn a_single_quoted_string_doubles_its_quotes() {
        let tokens = read("'it''s' x");
        assert_eq!(tokens, [(Kind::String, "'it''s'"), (Kind::Word, "x")]);
        assert_eq!(
            significant("'it''s'")[0].string_value().as_deref(),
            Some("it's")
        );
        // With standard_conforming_strings a backslash is an ordinary character here.
        assert_eq!(
            read("'a\\' ;"),
            [(Kind::String, "'a\\'"), (Kind::Semicolon, ";")]
        );
    }

    #[test]
    fn an_escape_string_escapes_with_backslashes() {
        let tokens = read("E'\\''; x");
        assert_eq!(
            tokens,
            [
                (Kind::String, "E'\\''"),
                (Kind::Semicolon, ";"),
                (Kind::Word, "x")
            ]
        );
        let value = significant("e'a\\\\b\\n''c'")[0].string_value();
        assert_eq!(value.as_deref(), Some("a\\b\n'c"));
        assert_eq!(read("B'101' X'ff' N'n' U&'u'").len(), 4);
    }

    #[test]
    fn dollar_quotes_end_at_the_same_tag() {
        assert_eq!(
            read("$$ a ' ; $$ b"),
            [(Kind::DollarString, "$$ a ' ; $$"), (Kind::Word, "b")]
        );
        assert_eq!(
            read("$fn$ $$ ; $x$ $fn$;"),
            [
                (Kind::DollarString, "$fn$ $$ ; $x$ $fn$"),
                (Kind::Semicolon, ";")
            ]
        );
        assert_eq!(
            read("$1 + a$b"),
            [
                (Kind::Parameter, "$1"),
                (Kind::Operator, "+"),
                (Kind::Word, "a$b")
            ]
        );
    }

    #[test]
    fn double_quotes_make_a_name() {
        let tokens = significant("\"Mixed \"\"Case\"\"\".col");
        assert_eq!(tokens[0].kind, Kind::QuotedName);
        assert_eq!(tokens[0].name().as_deref(), Some("Mixed \"Case\""));
        assert_eq!(tokens[1].kind, Kind::Dot);
        assert_eq!(tokens[2].name().as_deref(), Some("col"));
        assert_eq!(significant("ABC")[0].name().as_deref(), Some("abc"));
    }

    #[test]
    fn a_line_comment_runs_to_the_end_of_the_line() {
        let all = tokens("a -- ; 'x\nb");
        let kinds: Vec<Kind> = all.iter().map(|t| t.kind).collect();
        assert_eq!(
            kinds,
            [
                Kind::Word,
                Kind::Space,
                Kind::LineComment,
                Kind::Space,
                Kind::Word
            ]
        );
        assert_eq!(all[2].text, "-- ; 'x");
        // A comment inside a run of operator characters starts where the `--` does.
        assert_eq!(read("a+--x"), [(Kind::Word, "a"), (Kind::Operator, "+")]);
    }

    #[test]
    fn block_comments_nest() {
        let all = tokens("/* a /* b */ ; */;");
        assert_eq!(all[0].kind, Kind::BlockComment);
        assert_eq!(all[0].text, "/* a /* b */ ; */");
        assert!(all[0].closed);
        assert_eq!(all[1].kind, Kind::Semicolon);
    }

    #[test]
    fn semicolons_are_tokens_of_their_own() {
        assert_eq!(
            read("a;b"),
            [(Kind::Word, "a"), (Kind::Semicolon, ";"), (Kind::Word, "b")]
        );
    }

    #[test]
    fn a_number_ends_where_postgresql_ends_it() {
        // The name `a$$` takes the dollars, so the `;` ends the statement.
        assert_eq!(
            read("1a$$;")[..3],
            [
                (Kind::Number, "1"),
                (Kind::Word, "a$$"),
                (Kind::Semicolon, ";")
            ]
        );
        assert_eq!(read("1.5e-3x")[0], (Kind::Number, "1.5e-3"));
        assert_eq!(read("2e")[..2], [(Kind::Number, "2"), (Kind::Word, "e")]);
    }

    #[test]
    fn punctuation_and_numbers() {
        assert_eq!(
            read("a::int[1].b, 1.5 .5"),
            [
                (Kind::Word, "a"),
                (Kind::Cast, "::"),
                (Kind::Word, "int"),
                (Kind::Open('['), "["),
                (Kind::Number, "1"),
                (Kind::Close(']'), "]"),
                (Kind::Dot, "."),
                (Kind::Word, "b"),
                (Kind::Comma, ","),
                (Kind::Number, "1.5"),
                (Kind::Number, ".5"),
            ]
        );
        assert_eq!(read("j ->> 'k'")[1], (Kind::Operator, "->>"));
    }

    #[test]
    fn unterminated_runs_end_the_text_unclosed() {
        for sql in [
            "'abc",
            "E'a\\'",
            "\"abc",
            "$$ abc",
            "$t$ abc $$",
            "/* a /* b */",
        ] {
            let all = tokens(sql);
            assert_eq!(all.len(), 1, "{sql}");
            assert!(!all[0].closed, "{sql}");
        }
        assert!(tokens("'a' \"b\" $$c$$ /**/").iter().all(|t| t.closed));
    }

    #[test]
    fn odd_text_does_not_panic() {
        for sql in ["", "$", "$a", "E'", "U&", "é$é$", "/*", "-", "::", "e'\\"] {
            let joined: String = tokens(sql).iter().map(|t| t.text).collect();
            assert_eq!(joined, sql);
        }
    }
}
