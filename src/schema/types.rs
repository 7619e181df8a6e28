//! Canonical type names: the spelling PostgreSQL's `format_type()` prints when `search_path` is
//! `pg_catalog`, so a type written by hand (`int`, `varchar(10)`, `timestamptz`) and the same type
//! read from a live database compare equal. User-defined types are schema-qualified.

use crate::sql::quote_ident;

/// A type name as written, split into its parts; see [`parse`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedType {
    pub base: BaseType,
    /// Normalised modifiers without parentheses and spaces (`12,2`), if any.
    pub modifiers: Option<String>,
    /// True for an array type (`text[]`; PostgreSQL does not distinguish dimensions).
    pub array: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BaseType {
    /// A type of `pg_catalog`, already in canonical spelling (`integer`, `timestamp with time zone`).
    Builtin(&'static str),
    /// Any other type: an enum, domain, composite or extension type, resolved by the caller.
    User {
        schema: Option<String>,
        name: String,
    },
}

/// Why a type name could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TypeError {
    #[error("empty type name")]
    Empty,
    #[error("`{0}` is not a type name: {1}")]
    Syntax(String, &'static str),
    #[error(
        "`serial` types are not types but a shorthand; use `identity: by_default` or a sequence and a default"
    )]
    Serial,
}

/// Every base type of PostgreSQL 15's `pg_catalog` that a column can have, in `format_type`
/// spelling (from `pg_type` where `typtype` is base, range or multirange, arrays left out).
pub const BUILTIN_TYPES: &[&str] = &[
    "\"char\"",
    "aclitem",
    "bigint",
    "bit",
    "bit varying",
    "boolean",
    "box",
    "bpchar",
    "bytea",
    "character",
    "character varying",
    "cid",
    "cidr",
    "circle",
    "date",
    "datemultirange",
    "daterange",
    "double precision",
    "gtsvector",
    "inet",
    "int4multirange",
    "int4range",
    "int8multirange",
    "int8range",
    "integer",
    "interval",
    "json",
    "jsonb",
    "jsonpath",
    "line",
    "lseg",
    "macaddr",
    "macaddr8",
    "money",
    "name",
    "numeric",
    "nummultirange",
    "numrange",
    "oid",
    "path",
    "pg_lsn",
    "pg_snapshot",
    "point",
    "polygon",
    "real",
    "refcursor",
    "regclass",
    "regcollation",
    "regconfig",
    "regdictionary",
    "regnamespace",
    "regoper",
    "regoperator",
    "regproc",
    "regprocedure",
    "regrole",
    "regtype",
    "smallint",
    "text",
    "tid",
    "time with time zone",
    "time without time zone",
    "timestamp with time zone",
    "timestamp without time zone",
    "tsmultirange",
    "tsquery",
    "tsrange",
    "tstzmultirange",
    "tstzrange",
    "tsvector",
    "txid_snapshot",
    "uuid",
    "xid",
    "xid8",
    "xml",
];

/// Aliases PostgreSQL accepts, mapped to their canonical name.
const ALIASES: &[(&str, &str)] = &[
    ("bool", "boolean"),
    ("char", "character"),
    ("dec", "numeric"),
    ("decimal", "numeric"),
    ("float4", "real"),
    ("float8", "double precision"),
    ("int", "integer"),
    ("int2", "smallint"),
    ("int4", "integer"),
    ("int8", "bigint"),
    ("time", "time without time zone"),
    ("timestamp", "timestamp without time zone"),
    ("timestamptz", "timestamp with time zone"),
    ("timetz", "time with time zone"),
    ("varbit", "bit varying"),
    ("varchar", "character varying"),
    ("char varying", "character varying"),
    ("national character", "character"),
    ("national character varying", "character varying"),
    ("nchar", "character"),
    ("float", "double precision"),
];

/// Reads a type name as a user writes it in SQL.
///
/// # Errors
/// [`TypeError`] when the text is not a type name (unbalanced parentheses, stray characters).
pub fn parse(text: &str) -> Result<ParsedType, TypeError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(TypeError::Empty);
    }
    let (without_array, array) = strip_array_suffix(trimmed)
        .ok_or_else(|| TypeError::Syntax(trimmed.to_owned(), "unbalanced `[` `]`"))?;
    let (name_part, modifiers, zone) = split_modifiers(without_array)
        .ok_or_else(|| TypeError::Syntax(trimmed.to_owned(), "unbalanced parentheses"))?;
    let words = normalise_words(name_part);
    if words.is_empty() {
        return Err(TypeError::Syntax(
            trimmed.to_owned(),
            "no type name before the modifiers",
        ));
    }
    if matches!(
        words.as_str(),
        "serial" | "bigserial" | "smallserial" | "serial4" | "serial8" | "serial2"
    ) {
        return Err(TypeError::Serial);
    }
    let base = builtin(&words, zone.as_deref())
        .map(BaseType::Builtin)
        .map_or_else(|| user_type(name_part, trimmed), Ok)?;
    let modifiers = normalise_modifiers(&base, modifiers);
    Ok(ParsedType {
        base,
        modifiers,
        array,
    })
}

/// The canonical spelling of a parsed type, with `schema` standing for an unqualified user type.
#[must_use]
pub fn render(parsed: &ParsedType, default_schema: &str) -> String {
    let mut out = match &parsed.base {
        BaseType::Builtin(name) => render_builtin(name, parsed.modifiers.as_deref()),
        BaseType::User { schema, name } => {
            let schema = schema.as_deref().unwrap_or(default_schema);
            let mods = parsed
                .modifiers
                .as_deref()
                .map(|m| format!("({m})"))
                .unwrap_or_default();
            format!("{}.{}{mods}", quote_ident(schema), quote_ident(name))
        }
    };
    if parsed.array {
        out.push_str("[]");
    }
    out
}

/// Places modifiers where `format_type` prints them: inside `timestamp(3) with time zone`.
fn render_builtin(name: &str, modifiers: Option<&str>) -> String {
    let Some(mods) = modifiers else {
        return name.to_owned();
    };
    for (prefix, rest) in [
        ("timestamp", " with"),
        ("timestamp", " without"),
        ("time", " with"),
        ("time", " without"),
    ] {
        if let Some(tail) = name.strip_prefix(prefix)
            && tail.starts_with(rest)
        {
            return format!("{prefix}({mods}){tail}");
        }
    }
    if name == "interval" && !mods.chars().all(|c| c.is_ascii_digit()) {
        return format!("interval {mods}");
    }
    format!("{name}({mods})")
}

fn strip_array_suffix(text: &str) -> Option<(&str, bool)> {
    let mut rest = text.trim_end();
    let mut array = false;
    loop {
        if let Some(before) = rest.strip_suffix(']') {
            let open = before.rfind('[')?;
            let inside = &before[open + 1..];
            if !inside.trim().chars().all(|c| c.is_ascii_digit()) {
                return None;
            }
            rest = before[..open].trim_end();
            array = true;
        } else if let Some(before) = strip_suffix_ignore_ascii_case(rest, " array") {
            rest = before.trim_end();
            array = true;
        } else {
            break;
        }
    }
    if rest.contains(['[', ']']) {
        return None;
    }
    Some((rest, array))
}

/// `text` without `suffix`, compared ignoring ASCII case; `None` when it does not end so, or
/// when the cut would fall inside a character of more than one byte.
fn strip_suffix_ignore_ascii_case<'a>(text: &'a str, suffix: &str) -> Option<&'a str> {
    let cut = text.len().checked_sub(suffix.len())?;
    let (before, tail) = (text.get(..cut)?, text.get(cut..)?);
    (!before.is_empty() && tail.eq_ignore_ascii_case(suffix)).then_some(before)
}

/// Splits `numeric(12, 2)` into the name and `12, 2`, and `timestamp(3) with time zone` into
/// the name, `3` and the zone words.
fn split_modifiers(text: &str) -> Option<(&str, Option<&str>, Option<String>)> {
    let Some(open) = text.find('(') else {
        if text.contains(')') {
            return None;
        }
        return Some((text, None, None));
    };
    let close = text.rfind(')')?;
    if close < open || text[open + 1..close].contains(['(', ')']) {
        return None;
    }
    let tail = text[close + 1..].trim();
    let zone = (!tail.is_empty()).then(|| normalise_words(tail));
    Some((text[..open].trim_end(), Some(&text[open + 1..close]), zone))
}

fn normalise_words(text: &str) -> String {
    let unquoted = text.starts_with('"');
    let words: Vec<&str> = text.split_whitespace().collect();
    if unquoted {
        return words.join(" ");
    }
    words.join(" ").to_ascii_lowercase()
}

fn builtin(words: &str, zone: Option<&str>) -> Option<&'static str> {
    let name = match zone {
        None => words.to_owned(),
        Some(zone) => format!("{words} {zone}"),
    };
    let canonical = ALIASES
        .iter()
        .find(|(alias, _)| *alias == name)
        .map_or(name.as_str(), |(_, c)| c);
    // `timestamp(3) with time zone` arrives as words "timestamp" + zone "with time zone".
    let canonical = match canonical {
        "timestamp with time zone" | "timestamptz with time zone" => "timestamp with time zone",
        "timestamp without time zone" => "timestamp without time zone",
        "time with time zone" => "time with time zone",
        "time without time zone" => "time without time zone",
        other => other,
    };
    BUILTIN_TYPES.iter().copied().find(|b| *b == canonical)
}

fn user_type(name_part: &str, whole: &str) -> Result<BaseType, TypeError> {
    let parts = split_qualified(name_part)
        .ok_or_else(|| TypeError::Syntax(whole.to_owned(), "expected `name` or `schema.name`"))?;
    match parts.as_slice() {
        [name] => Ok(BaseType::User {
            schema: None,
            name: name.clone(),
        }),
        [schema, name] if schema == "pg_catalog" => builtin(name, None)
            .map(BaseType::Builtin)
            .ok_or_else(|| TypeError::Syntax(whole.to_owned(), "no such type in pg_catalog")),
        [schema, name] => Ok(BaseType::User {
            schema: Some(schema.clone()),
            name: name.clone(),
        }),
        _ => Err(TypeError::Syntax(
            whole.to_owned(),
            "expected `name` or `schema.name`",
        )),
    }
}

/// Splits `a."B c"` into `["a", "B c"]`, folding unquoted parts to lower case like PostgreSQL.
#[must_use]
pub fn split_qualified(text: &str) -> Option<Vec<String>> {
    let mut parts = Vec::new();
    let mut chars = text.trim().chars().peekable();
    loop {
        let mut part = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next()? {
                    '"' if chars.peek() == Some(&'"') => {
                        chars.next();
                        part.push('"');
                    }
                    '"' => break,
                    c => part.push(c),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == '.' {
                    break;
                }
                if !(c.is_alphanumeric() || c == '_' || c == '$') {
                    return None;
                }
                part.push(c.to_ascii_lowercase());
                chars.next();
            }
            if part.is_empty() {
                return None;
            }
        }
        parts.push(part);
        match chars.next() {
            None => return Some(parts),
            Some('.') => {}
            Some(_) => return None,
        }
    }
}

fn normalise_modifiers(base: &BaseType, modifiers: Option<&str>) -> Option<String> {
    let mods: String = modifiers?
        .split(',')
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(",");
    match base {
        // numeric(p) means numeric(p,0), and format_type says so.
        BaseType::Builtin("numeric") if !mods.contains(',') => Some(format!("{mods},0")),
        BaseType::Builtin("interval") => Some(mods.to_ascii_lowercase()),
        _ => Some(mods),
    }
    .map(|m| {
        if matches!(base, BaseType::Builtin("interval")) {
            m
        } else {
            m.replace(' ', "")
        }
    })
}

/// Canonical spelling of `text`, resolving an unqualified user type into `default_schema`.
/// Also maps `float(n)`, bare `character` and `bit` the way PostgreSQL does.
///
/// # Errors
/// As [`parse`].
pub fn canonical(text: &str, default_schema: &str) -> Result<String, TypeError> {
    let mut parsed = parse(text)?;
    fix_implicit_modifiers(&mut parsed);
    Ok(render(&parsed, default_schema))
}

/// The built-in types whose canonical spelling `format_type` prints back unchanged, without
/// modifiers or with the ones [`prints_as_written`] checks. Left out: types with implicit
/// modifiers (`character`, `bit`) and the rarely used ones, which the scratch database prints.
pub const PRINTED_AS_WRITTEN: &[&str] = &[
    "bigint",
    "boolean",
    "bytea",
    "character varying",
    "cidr",
    "date",
    "double precision",
    "inet",
    "integer",
    "interval",
    "json",
    "jsonb",
    "macaddr",
    "numeric",
    "real",
    "smallint",
    "text",
    "time with time zone",
    "time without time zone",
    "timestamp with time zone",
    "timestamp without time zone",
    "uuid",
];

/// Whether PostgreSQL prints the column type `text` exactly as it is written (`format_type`,
/// `pg_catalog` on the path), so that only a scratch database's round trip could tell
/// otherwise and need not be asked: a common built-in type in canonical spelling, or an array of
/// one, with a length, precision or scale only where PostgreSQL keeps it as given. User types
/// (whose quoting PostgreSQL decides), implicit modifiers and modifiers PostgreSQL clamps or
/// refuses are left to the scratch database.
#[must_use]
pub fn prints_as_written(text: &str) -> bool {
    let Ok(parsed) = parse(text) else {
        return false;
    };
    let BaseType::Builtin(name) = parsed.base else {
        return false;
    };
    let modifiers_kept = parsed
        .modifiers
        .as_deref()
        .is_none_or(|modifiers| modifiers_kept_as_given(name, modifiers));
    PRINTED_AS_WRITTEN.contains(&name) && modifiers_kept && render(&parsed, "") == text
}

/// Whether a column of type `text` can be a key of a plain B-tree index, its type's default
/// operator class doing the sorting: of the types that [`prints_as_written`], all but `json`
/// (and arrays of it) have one.
#[must_use]
pub fn btree_key_as_written(text: &str) -> bool {
    prints_as_written(text)
        && parse(text).is_ok_and(|parsed| parsed.base != BaseType::Builtin("json"))
}

/// Whether PostgreSQL keeps the modifiers `mods` of built-in type `name` as given: a length of
/// `character varying`, a precision and scale of `numeric` and a precision of a time or
/// timestamp within their limits, in plain digits.
fn modifiers_kept_as_given(name: &str, mods: &str) -> bool {
    let number = |digits: &str| {
        let plain = !digits.is_empty()
            && digits.bytes().all(|b| b.is_ascii_digit())
            && (digits == "0" || !digits.starts_with('0'));
        plain.then(|| digits.parse::<u32>().ok()).flatten()
    };
    match name {
        "character varying" => {
            number(mods).is_some_and(|length| (1..=10_485_760).contains(&length))
        }
        "numeric" => mods.split_once(',').is_some_and(|(precision, scale)| {
            number(precision)
                .zip(number(scale))
                .is_some_and(|(p, s)| (1..=1000).contains(&p) && s <= p)
        }),
        "time with time zone"
        | "time without time zone"
        | "timestamp with time zone"
        | "timestamp without time zone" => number(mods).is_some_and(|precision| precision <= 6),
        _ => false,
    }
}

/// `character` alone is `character(1)`, `bit` alone is `bit(1)`, and `float(p)` is `real` up to
/// 24 bits of precision and `double precision` above, as in PostgreSQL's grammar.
pub fn fix_implicit_modifiers(parsed: &mut ParsedType) {
    match (&parsed.base, parsed.modifiers.as_deref()) {
        (BaseType::Builtin("character" | "bit"), None) => parsed.modifiers = Some("1".to_owned()),
        (BaseType::Builtin("double precision"), Some(bits)) => {
            if let Ok(bits) = bits.parse::<u32>() {
                parsed.base = BaseType::Builtin(if bits <= 24 {
                    "real"
                } else {
                    "double precision"
                });
                parsed.modifiers = None;
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(text: &str) -> String {
        canonical(text, "public").unwrap_or_else(|e| format!("error: {e}"))
    }

    #[test]
    fn aliases_compare_equal() {
        let cases = [
            ("int", "integer"),
            ("int4", "integer"),
            ("INTEGER", "integer"),
            ("int8", "bigint"),
            ("varchar(10)", "character varying(10)"),
            ("character varying(10)", "character varying(10)"),
            ("varchar", "character varying"),
            ("timestamptz", "timestamp with time zone"),
            ("timestamp with time zone", "timestamp with time zone"),
            ("timestamptz(3)", "timestamp(3) with time zone"),
            ("timestamp(3) with time zone", "timestamp(3) with time zone"),
            ("timestamp", "timestamp without time zone"),
            ("time(2)", "time(2) without time zone"),
            ("numeric(12, 2)", "numeric(12,2)"),
            ("decimal(10)", "numeric(10,0)"),
            ("numeric", "numeric"),
            ("bool", "boolean"),
            ("float8", "double precision"),
            ("float(10)", "real"),
            ("float(40)", "double precision"),
            ("char", "character(1)"),
            ("char(3)", "character(3)"),
            ("\"char\"", "\"char\""),
            ("bit", "bit(1)"),
            ("varbit(5)", "bit varying(5)"),
            ("text[]", "text[]"),
            ("int[][]", "integer[]"),
            ("integer ARRAY", "integer[]"),
            ("int[3]", "integer[]"),
            ("pg_catalog.int4", "integer"),
            ("interval", "interval"),
        ];
        for (input, expected) in cases {
            assert_eq!(canon(input), expected, "{input}");
        }
    }

    #[test]
    fn user_types_are_qualified_and_quoted() {
        assert_eq!(canon("order_status"), "public.order_status");
        assert_eq!(canon("billing.Currency"), "billing.currency");
        assert_eq!(canon("\"Mood\"[]"), "public.\"Mood\"[]");
        assert_eq!(canon("citext"), "public.citext");
    }

    #[test]
    fn bad_type_names_are_errors() {
        assert_eq!(canon(""), "error: empty type name");
        assert_eq!(
            canon("numeric(12,2"),
            "error: `numeric(12,2` is not a type name: unbalanced parentheses"
        );
        assert_eq!(
            canon("text]"),
            "error: `text]` is not a type name: unbalanced `[` `]`"
        );
        assert!(canon("serial").starts_with("error: `serial` types"));
        assert!(canon("a.b.c").starts_with("error:"));
    }

    #[test]
    fn only_spellings_postgresql_keeps_print_as_written() {
        for kept in [
            "text",
            "bigint",
            "timestamp with time zone",
            "timestamp(3) with time zone",
            "character varying(200)",
            "numeric(12,2)",
            "numeric",
            "uuid[]",
            "jsonb",
        ] {
            assert!(prints_as_written(kept), "{kept}");
        }
        for printed_otherwise in [
            "int",
            "varchar(200)",
            "numeric(12, 2)",
            "numeric(12)",
            "numeric(2,3)",
            "numeric(012,2)",
            "character varying(0)",
            "timestamp(7) with time zone",
            "character",
            "bit",
            "interval year",
            "public.state",
            "state",
            "text[3]",
            "tid",
        ] {
            assert!(!prints_as_written(printed_otherwise), "{printed_otherwise}");
        }
        assert!(btree_key_as_written("uuid") && btree_key_as_written("text[]"));
        assert!(!btree_key_as_written("json") && !btree_key_as_written("json[]"));
    }
}
