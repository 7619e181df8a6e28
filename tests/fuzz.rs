//! Property-based fuzzing of the text users hand to pgphase: the desired-schema YAML file and
//! the answers typed for a choice (an SQL expression, a number, a duration).
//!
//! A plain `cargo test` runs each property for a few hundred cases. `PGPHASE_FUZZ_SECONDS=600`
//! keeps each one generating cases until that many seconds have passed, then prints how many
//! ran; a failure is shrunk to its smallest input and reported with it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs;
use std::io::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use pgphase::decide::{InputKind, InputValue};
use pgphase::source::yaml::{LoadError, cuts_read_alike, parse, parse_without_streaming};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestCaseResult, TestRunner};

/// Cases per round; a plain test run makes one round.
const CASES_PER_ROUND: u32 = 1024;

/// Runs `property` on values of `strategy`: one round, or rounds until `PGPHASE_FUZZ_SECONDS`
/// have passed. Panics with the shrunk failing input when the property fails or panics.
fn fuzz<S: Strategy>(name: &str, strategy: S, property: impl Fn(S::Value) -> TestCaseResult)
where
    S::Value: std::fmt::Debug,
{
    let budget = std::env::var("PGPHASE_FUZZ_SECONDS").ok().map(|seconds| {
        let seconds: u64 = seconds
            .parse()
            .unwrap_or_else(|_| panic!("PGPHASE_FUZZ_SECONDS={seconds} is not a number"));
        Duration::from_secs(seconds)
    });
    let config = Config {
        cases: CASES_PER_ROUND,
        failure_persistence: None,
        ..Config::default()
    };
    let started = Instant::now();
    let mut ran: u64 = 0;
    loop {
        // A runner makes its round once; each round gets a fresh one, seeded anew.
        let mut runner = TestRunner::new(config.clone());
        if let Err(failure) = runner.run(&strategy, &property) {
            panic!("{name}: failed after {ran} passing cases: {failure}");
        }
        ran += u64::from(CASES_PER_ROUND);
        if budget.is_none_or(|budget| started.elapsed() >= budget) {
            break;
        }
    }
    // On the real standard error: libtest captures the output of passing tests.
    let _ = writeln!(
        std::io::stderr(),
        "fuzz {name}: {ran} cases in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

// ---------------------------------------------------------------------------------------------
// The desired-schema file

/// Keys of the desired-schema format (from `assets/pgphase.schema.json`) and a few near misses.
const KEYS: &[&str] = &[
    "pgphase",
    "schemas",
    "public",
    "app",
    "tables",
    "columns",
    "type",
    "nullable",
    "default",
    "identity",
    "generated",
    "collation",
    "comment",
    "primary_key",
    "unique",
    "indexes",
    "foreign_keys",
    "references",
    "table",
    "schema",
    "checks",
    "exclusions",
    "expression",
    "name",
    "on_delete",
    "on_update",
    "match",
    "deferrable",
    "valid",
    "no_inherit",
    "include",
    "method",
    "where",
    "using",
    "with",
    "order",
    "nulls",
    "opclass",
    "keys",
    "partition_by",
    "partition_of",
    "bound",
    "renamed_from",
    "unlogged",
    "row_security",
    "forced",
    "policies",
    "command",
    "permissive",
    "roles",
    "with_check",
    "triggers",
    "definition",
    "enabled",
    "views",
    "materialized",
    "enums",
    "labels",
    "domains",
    "sequences",
    "start",
    "increment",
    "min",
    "max",
    "cache",
    "cycle",
    "owned_by",
    "extensions",
    "functions",
    "operators",
    "composite_types",
    "attributes",
    "ignore",
    "nulls_not_distinct",
    "column",
    "colums",
    "Tables",
    "typ",
    "",
    "?",
    "<<",
];

/// Values: scalars of every YAML kind, flow collections, block scalars, anchors, tags.
const VALUES: &[&str] = &[
    "",
    "1",
    "2",
    "0",
    "-1",
    "99999999999999999999999",
    "1e400",
    "0x1F",
    "0o17",
    ".inf",
    ".nan",
    "true",
    "false",
    "yes",
    "null",
    "~",
    "text",
    "bigint",
    "integer",
    "timestamptz",
    "'quoted'",
    "\"double\"",
    "'it''s'",
    "\"\\u0000\"",
    "\"\\x\"",
    "[]",
    "{}",
    "[a, b]",
    "[id]",
    "{type: text}",
    "{x: 1, x: 2}",
    "[[[[",
    "]]",
    "{",
    "}",
    "|",
    ">",
    "|-",
    ">+",
    "&anchor",
    "*anchor",
    "&a [1]",
    "*a",
    "!!str 1",
    "!!int x",
    "!!map {}",
    "!!binary aGk=",
    "!tag x",
    "now()",
    "cascade",
    "restrict",
    "always",
    "by default",
    "btree",
    "- x",
    "? x",
    ": x",
    "#comment",
    "%YAML 1.2",
    "---",
    "...",
    "\t",
    "é",
    "\u{feff}",
    "\u{0}",
    "a: b: c",
    "'unterminated",
    "\"unterminated",
    "<<: *a",
];

/// One line of YAML-ish text: indentation, maybe a sequence dash, a key and a value.
fn yaml_line() -> impl Strategy<Value = String> {
    (
        0usize..8,
        any::<bool>(),
        prop::sample::select(KEYS),
        prop::sample::select(VALUES),
        0u8..4,
    )
        .prop_map(|(indent, dash, key, value, shape)| {
            let pad = " ".repeat(indent * 2);
            let dash = if dash { "- " } else { "" };
            match shape {
                0 => format!("{pad}{dash}{key}:"),
                1 => format!("{pad}{dash}{value}"),
                _ => format!("{pad}{dash}{key}: {value}"),
            }
        })
}

/// Text assembled from lines of the format's own keys and values.
fn yamlish_text() -> impl Strategy<Value = String> {
    prop::collection::vec(yaml_line(), 0..40).prop_map(|lines| {
        let mut text = lines.join("\n");
        text.push('\n');
        text
    })
}

/// The YAML files the project ships: the demo's desired schema and the loader's examples.
fn seed_files() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = vec![root.join("assets/demo/desired.yaml")];
    for dir in ["tests/yaml/valid", "tests/yaml/invalid"] {
        let entries = fs::read_dir(root.join(dir)).unwrap();
        paths.extend(
            entries
                .map(|entry| entry.unwrap().path())
                .filter(|path| path.extension().is_some_and(|e| e == "yaml")),
        );
    }
    paths.sort();
    paths
        .iter()
        .map(|path| fs::read_to_string(path).unwrap())
        .collect()
}

/// One edit of a text, by line: remove, duplicate, move, re-indent, cut short, or insert a
/// fragment of the format at a character.
#[derive(Debug, Clone)]
enum Mutation {
    RemoveLine(usize),
    DuplicateLine(usize),
    SwapLines(usize, usize),
    Reindent(usize, usize),
    Truncate(usize),
    Insert(usize, &'static str),
    ReplaceChar(usize, char),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let fragment = prop_oneof![prop::sample::select(KEYS), prop::sample::select(VALUES)];
    prop_oneof![
        any::<usize>().prop_map(Mutation::RemoveLine),
        any::<usize>().prop_map(Mutation::DuplicateLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        (any::<usize>(), 0usize..12).prop_map(|(line, indent)| Mutation::Reindent(line, indent)),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), fragment).prop_map(|(at, text)| Mutation::Insert(at, text)),
        (
            any::<usize>(),
            prop::sample::select(
                &[
                    ':', '-', ' ', '\t', '\n', '\'', '"', '[', '{', '#', '&', '*', '!'
                ][..]
            )
        )
            .prop_map(|(at, c)| Mutation::ReplaceChar(at, c)),
    ]
}

fn apply(text: &str, mutation: &Mutation) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let count = lines.len().max(1);
    let chars: Vec<char> = text.chars().collect();
    let at_char = |at: usize| at % (chars.len() + 1);
    match *mutation {
        Mutation::RemoveLine(line) if !lines.is_empty() => {
            lines.remove(line % count);
        }
        Mutation::DuplicateLine(line) if !lines.is_empty() => {
            let copy = lines[line % count].clone();
            lines.insert(line % count, copy);
        }
        Mutation::SwapLines(a, b) if !lines.is_empty() => lines.swap(a % count, b % count),
        Mutation::Reindent(line, indent) if !lines.is_empty() => {
            let line = &mut lines[line % count];
            *line = format!("{}{}", " ".repeat(indent), line.trim_start());
        }
        Mutation::Truncate(at) => return chars[..at_char(at)].iter().collect(),
        Mutation::Insert(at, fragment) => {
            let at = at_char(at);
            let mut out: String = chars[..at].iter().collect();
            out.push_str(fragment);
            out.extend(&chars[at..]);
            return out;
        }
        Mutation::ReplaceChar(at, c) if !chars.is_empty() => {
            let mut chars = chars.clone();
            let at = at % chars.len();
            chars[at] = c;
            return chars.into_iter().collect();
        }
        _ => {}
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

/// Lines as YAML counts them: `\r\n`, `\r`, `\n` and the Unicode line breaks each end one.
fn yaml_line_count(text: &str) -> usize {
    text.replace("\r\n", "\n")
        .matches(['\r', '\n', '\u{85}', '\u{2028}', '\u{2029}'])
        .count()
        + 1
}

/// The loader's contract on any text: a schema, or an error placed on a line and column of
/// the text. Read without streaming, it gives the same schema or the same error, except that
/// the streaming reader accepts a few spellings the YAML spec allows and the other refuses
/// (`[a,:b]`): it never reads a text differently. Cut before any of its tables where a large
/// file would be cut to be read in halves, it reads as it reads whole.
fn loads_or_points_at_a_place(text: &str) -> TestCaseResult {
    if let Err(difference) = cuts_read_alike(text) {
        return Err(TestCaseError::fail(difference));
    }
    let outcome = parse(text, "fuzz.yaml");
    let without_streaming = parse_without_streaming(text, "fuzz.yaml");
    if outcome.is_err() || without_streaming.is_ok() {
        prop_assert_eq!(&outcome, &without_streaming);
    }
    match outcome {
        Ok(_) => Ok(()),
        Err(LoadError {
            line,
            column,
            message,
            ..
        }) => {
            let last_line = yaml_line_count(text);
            prop_assert!(
                line >= 1 && column >= 1 && line <= last_line,
                "error at {line}:{column} outside the text ({last_line} lines): {message}"
            );
            prop_assert!(!message.is_empty(), "an error without a message");
            Ok(())
        }
    }
}

#[test]
fn yaml_loader_survives_arbitrary_bytes() {
    fuzz(
        "yaml/bytes",
        prop::collection::vec(any::<u8>(), 0..600),
        |bytes| loads_or_points_at_a_place(&String::from_utf8_lossy(&bytes)),
    );
}

#[test]
fn yaml_loader_survives_text_made_of_its_own_keys() {
    fuzz("yaml/fragments", yamlish_text(), |text| {
        loads_or_points_at_a_place(&text)
    });
}

/// The halves property above holds for more than texts it refuses to cut: the shipped files are
/// read in halves at some of their tables.
#[test]
fn shipped_files_read_in_halves_as_whole() {
    let mut read_in_halves = 0;
    for text in seed_files() {
        let cuts = cuts_read_alike(&text).unwrap_or_else(|difference| panic!("{difference}"));
        read_in_halves += cuts.iter().filter(|(_, read)| *read).count();
    }
    assert!(
        read_in_halves > 10,
        "only {read_in_halves} cuts were read in halves"
    );
}

#[test]
fn yaml_loader_survives_mutated_real_files() {
    let seeds = seed_files();
    assert!(seeds.len() > 10, "expected the shipped YAML files");
    let strategy = (
        prop::sample::select(seeds),
        prop::collection::vec(mutation(), 1..6),
    )
        .prop_map(|(seed, mutations)| {
            mutations
                .iter()
                .fold(seed, |text, mutation| apply(&text, mutation))
        });
    fuzz("yaml/mutations", strategy, |text| {
        loads_or_points_at_a_place(&text)
    });
}

// ---------------------------------------------------------------------------------------------
// Answers typed for a choice

/// Where PostgreSQL's lexer is, for the oracle below.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lexer {
    Code,
    /// `'…'`; `backslashes` for an `E'…'` string, where `\'` does not close it.
    Quoted {
        backslashes: bool,
    },
    Identifier,
    /// `/* … */`, which nests.
    BlockComment {
        depth: usize,
    },
    LineComment,
}

/// The `;` tokens in `text` as PostgreSQL's lexer sees them (standard_conforming_strings on):
/// outside strings, quoted identifiers, dollar quotes and comments. Written apart from the
/// project's own tokenizer, as a second opinion.
fn semicolons_outside_quotes(text: &str) -> usize {
    let chars: Vec<char> = text.chars().collect();
    let mut state = Lexer::Code;
    let mut found = 0;
    let mut i = 0;
    let next = |i: usize| chars.get(i + 1).copied();
    while i < chars.len() {
        let c = chars[i];
        match state {
            Lexer::Code => match c {
                ';' => found += 1,
                '\'' => state = Lexer::Quoted { backslashes: false },
                '"' => state = Lexer::Identifier,
                '-' if next(i) == Some('-') => state = Lexer::LineComment,
                '/' if next(i) == Some('*') => {
                    state = Lexer::BlockComment { depth: 1 };
                    i += 1;
                }
                '$' => {
                    if let Some(end) = dollar_quote_end(&chars, i) {
                        i = end;
                    }
                }
                '0'..='9' => {
                    while chars
                        .get(i + 1)
                        .is_some_and(|c| c.is_ascii_digit() || *c == '.')
                    {
                        i += 1;
                    }
                    // An exponent belongs to the number (`1E1`), as the server reads it: the
                    // `E` then starts no word, so a `$` after it may open a dollar quote.
                    let sign = usize::from(matches!(chars.get(i + 2), Some('+' | '-')));
                    if matches!(next(i), Some('e' | 'E'))
                        && chars.get(i + 2 + sign).is_some_and(char::is_ascii_digit)
                    {
                        i += 2 + sign;
                        while chars.get(i + 1).is_some_and(char::is_ascii_digit) {
                            i += 1;
                        }
                    }
                }
                _ if is_ident_start(c) => {
                    // A word, skipped whole so that a `$` inside it (`a$b`) is part of the name;
                    // a lone `E` before a quote opens a string with backslash escapes.
                    let start = i;
                    while chars.get(i + 1).is_some_and(|c| is_ident_char(*c)) {
                        i += 1;
                    }
                    if i == start && matches!(c, 'e' | 'E') && next(i) == Some('\'') {
                        state = Lexer::Quoted { backslashes: true };
                        i += 1;
                    }
                }
                _ => {}
            },
            Lexer::Quoted { backslashes } => match c {
                '\\' if backslashes => i += 1,
                '\'' if next(i) == Some('\'') => i += 1,
                '\'' => state = Lexer::Code,
                _ => {}
            },
            Lexer::Identifier => match c {
                '"' if next(i) == Some('"') => i += 1,
                '"' => state = Lexer::Code,
                _ => {}
            },
            Lexer::BlockComment { depth } => {
                if c == '/' && next(i) == Some('*') {
                    state = Lexer::BlockComment { depth: depth + 1 };
                    i += 1;
                } else if c == '*' && next(i) == Some('/') {
                    state = if depth == 1 {
                        Lexer::Code
                    } else {
                        Lexer::BlockComment { depth: depth - 1 }
                    };
                    i += 1;
                }
            }
            Lexer::LineComment => {
                if c == '\n' {
                    state = Lexer::Code;
                }
            }
        }
        i += 1;
    }
    found
}

/// PostgreSQL's `ident_start`: a letter, `_` or any non-ASCII character.
fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_' || !c.is_ascii()
}

/// PostgreSQL's `ident_cont`: also digits and `$`.
fn is_ident_char(c: char) -> bool {
    is_ident_start(c) || c.is_ascii_digit() || c == '$'
}

/// A dollar quote's tag continues with `ident_cont` less `$`.
fn is_tag_char(c: char) -> bool {
    is_ident_start(c) || c.is_ascii_digit()
}

/// For a `$` at `start` that opens a dollar quote (`$$` or `$tag$`), the index of the last `$`
/// of its closing delimiter, or of the text's last character when it never closes; `None` when
/// the `$` opens no quote (a parameter such as `$1`).
fn dollar_quote_end(chars: &[char], start: usize) -> Option<usize> {
    let mut tag_end = start + 1;
    if chars
        .get(tag_end)
        .is_some_and(|c| !is_ident_start(*c) && *c != '$')
    {
        return None;
    }
    while chars.get(tag_end).is_some_and(|c| is_tag_char(*c)) {
        tag_end += 1;
    }
    if chars.get(tag_end) != Some(&'$') {
        return None;
    }
    let delimiter = &chars[start..=tag_end];
    let body = tag_end + 1;
    let close = (body..chars.len())
        .find(|&at| chars[at..].starts_with(delimiter))
        .map_or(chars.len() - 1, |at| at + delimiter.len() - 1);
    Some(close)
}

/// Pieces of SQL that change how the rest of the text is read.
const SQL_PIECES: &[&str] = &[
    "'",
    "''",
    "\"",
    "\"\"",
    "E'",
    "e'",
    "U&'",
    "\\",
    "\\'",
    "$$",
    "$a$",
    "$1",
    "a$b",
    "/*",
    "*/",
    "--",
    "-",
    ";",
    "(",
    ")",
    " ",
    "\n",
    "1",
    "0",
    "x",
    "now()",
    "::text",
    "null",
    "E",
    "select 1",
    "drop table t",
    "/",
    "*",
    "$",
    "a",
    "b",
    "é",
];

fn expression_text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::collection::vec(prop::sample::select(SQL_PIECES), 0..16)
            .prop_map(|pieces| pieces.concat()),
        1 => any::<String>(),
    ]
}

#[test]
fn the_semicolon_oracle_reads_postgresql_quoting() {
    for (text, semicolons) in [
        ("1; 2", 1),
        ("';'", 0),
        ("\";\"", 0),
        ("'it''s;'", 0),
        ("E'\\';' ; x", 1),
        ("'\\'; x", 1),
        ("$$;$$", 0),
        ("$a$ $$; $a$", 0),
        ("$1; x", 1),
        ("a$b; x", 1),
        ("/* ; /* ; */ ; */ ;", 1),
        ("-- ;\n;", 1),
        ("x /* ' */ ; /* ' */", 1),
    ] {
        assert_eq!(semicolons_outside_quotes(text), semicolons, "{text:?}");
    }
}

/// An accepted expression is placed inside a statement, so it must not end that statement.
#[test]
fn accepted_expressions_hold_no_second_statement() {
    fuzz("expression/one-statement", expression_text(), |text| {
        if let Ok(InputValue::Expression(accepted)) = InputKind::Expression.validate(&text) {
            prop_assert_eq!(
                semicolons_outside_quotes(&accepted),
                0,
                "accepted {:?}, which ends its statement",
                accepted
            );
        }
        Ok(())
    });
}

#[test]
fn every_input_kind_answers_any_text_without_panicking() {
    let kinds = [
        InputKind::Expression,
        InputKind::Integer { min: 0, max: 0 },
        InputKind::Integer {
            min: 1,
            max: 10_000,
        },
        InputKind::Integer {
            min: 0,
            max: u64::MAX,
        },
        InputKind::Duration,
    ];
    let text = prop_oneof![
        expression_text(),
        "[0-9_, ]{0,30}(ms|s|min|h| h)?",
        any::<String>(),
    ];
    fuzz("input/any-kind", text, |text| {
        for kind in &kinds {
            match kind.validate(&text) {
                Ok(value) => check_value(kind, &value)?,
                Err(error) => prop_assert!(!error.to_string().is_empty()),
            }
        }
        Ok(())
    });
}

/// An accepted value is of the kind asked for, within its range.
fn check_value(kind: &InputKind, value: &InputValue) -> TestCaseResult {
    match (kind, value) {
        (InputKind::Expression, InputValue::Expression(text)) => {
            prop_assert!(!text.is_empty() && text.trim() == text);
        }
        (InputKind::Integer { min, max }, InputValue::Integer(number)) => {
            prop_assert!((min..=max).contains(&number));
        }
        (InputKind::Duration, InputValue::DurationMs(_)) => {}
        _ => prop_assert!(false, "{kind:?} gave {value:?}"),
    }
    Ok(())
}
