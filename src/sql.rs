//! The only builders of SQL text from names and values: [`quote_ident`] and [`quote_literal`].
//!
//! Every identifier that reaches generated SQL goes through `quote_ident`, every literal through
//! `quote_literal`; nothing else in pgphase splices names into SQL. Both follow PostgreSQL's own
//! `quote_ident()` and `quote_literal()` exactly, so a name round-trips byte for byte.
//! Reading SQL text is [`lexer`]'s.

pub mod lexer;

/// Quotes an identifier when PostgreSQL requires it, exactly like PostgreSQL's `quote_ident()`:
/// a name stays bare only if it is lowercase ASCII letters, digits and underscores, does not start
/// with a digit, and is not a keyword that needs quoting.
#[must_use]
pub fn quote_ident(name: &str) -> String {
    if is_bare_identifier(name) {
        return name.to_owned();
    }
    let mut quoted = String::with_capacity(name.len() + 2);
    quoted.push('"');
    for ch in name.chars() {
        if ch == '"' {
            quoted.push('"');
        }
        quoted.push(ch);
    }
    quoted.push('"');
    quoted
}

/// Quotes a schema-qualified name: `schema.name`, each part quoted as needed.
#[must_use]
pub fn quote_qualified(schema: &str, name: &str) -> String {
    format!("{}.{}", quote_ident(schema), quote_ident(name))
}

/// Quotes a string literal like PostgreSQL's `quote_literal()`: single quotes doubled, and the
/// `E'…'` form with doubled backslashes when the text has a backslash, so the literal means the
/// same whatever `standard_conforming_strings` is.
#[must_use]
pub fn quote_literal(value: &str) -> String {
    let escape = value.contains('\\');
    let mut quoted = String::with_capacity(value.len() + 3);
    if escape {
        quoted.push('E');
    }
    quoted.push('\'');
    for ch in value.chars() {
        if ch == '\'' || (escape && ch == '\\') {
            quoted.push(ch);
        }
        quoted.push(ch);
    }
    quoted.push('\'');
    quoted
}

/// True when `name` needs no quotes.
#[must_use]
pub fn is_bare_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    (first.is_ascii_lowercase() || first == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && QUOTED_KEYWORDS.binary_search(&name).is_err()
}

/// PostgreSQL 15's keywords that `quote_ident()` quotes: every category but "unreserved",
/// as listed by `SELECT word FROM pg_get_keywords() WHERE catcode <> 'U' ORDER BY 1`.
const QUOTED_KEYWORDS: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "authorization",
    "between",
    "bigint",
    "binary",
    "bit",
    "boolean",
    "both",
    "case",
    "cast",
    "char",
    "character",
    "check",
    "coalesce",
    "collate",
    "collation",
    "column",
    "concurrently",
    "constraint",
    "create",
    "cross",
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "dec",
    "decimal",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "exists",
    "extract",
    "false",
    "fetch",
    "float",
    "for",
    "foreign",
    "freeze",
    "from",
    "full",
    "grant",
    "greatest",
    "group",
    "grouping",
    "having",
    "ilike",
    "in",
    "initially",
    "inner",
    "inout",
    "int",
    "integer",
    "intersect",
    "interval",
    "into",
    "is",
    "isnull",
    "join",
    "lateral",
    "leading",
    "least",
    "left",
    "like",
    "limit",
    "localtime",
    "localtimestamp",
    "national",
    "natural",
    "nchar",
    "none",
    "normalize",
    "not",
    "notnull",
    "null",
    "nullif",
    "numeric",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "out",
    "outer",
    "overlaps",
    "overlay",
    "placing",
    "position",
    "precision",
    "primary",
    "real",
    "references",
    "returning",
    "right",
    "row",
    "select",
    "session_user",
    "setof",
    "similar",
    "smallint",
    "some",
    "substring",
    "symmetric",
    "table",
    "tablesample",
    "then",
    "time",
    "timestamp",
    "to",
    "trailing",
    "treat",
    "trim",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "values",
    "varchar",
    "variadic",
    "verbose",
    "when",
    "where",
    "window",
    "with",
    "xmlattributes",
    "xmlconcat",
    "xmlelement",
    "xmlexists",
    "xmlforest",
    "xmlnamespaces",
    "xmlparse",
    "xmlpi",
    "xmlroot",
    "xmlserialize",
    "xmltable",
];

/// `sql` on one line, cut to `max` characters with `…` when longer: for messages.
#[must_use]
pub fn excerpt(sql: &str, max: usize) -> String {
    let line = sql.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &line[..at]),
        None => line,
    }
}

/// A duration as a PostgreSQL setting value in the largest whole unit: `5s`, `10min`, `250ms`, or `0` (no limit), as PostgreSQL reads them.
#[must_use]
pub fn duration(ms: u64) -> String {
    match ms {
        0 => "0".to_owned(),
        ms if ms % 60_000 == 0 => format!("{}min", ms / 60_000),
        ms if ms % 1_000 == 0 => format!("{}s", ms / 1_000),
        ms => format!("{ms}ms"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_ident_matches_postgres() {
        // Expected values printed by PostgreSQL 15's quote_ident().
        let cases = [
            ("abc", "abc"),
            ("Abc", "\"Abc\""),
            ("user", "\"user\""),
            ("name", "name"),
            ("a b", "\"a b\""),
            ("é", "\"é\""),
            ("_x1", "_x1"),
            ("1x", "\"1x\""),
            ("x$", "\"x$\""),
            ("say \"hi\"", "\"say \"\"hi\"\"\""),
            ("", "\"\""),
        ];
        for (name, expected) in cases {
            assert_eq!(quote_ident(name), expected, "{name}");
        }
    }

    #[test]
    fn quote_literal_matches_postgres() {
        assert_eq!(quote_literal("it's"), "'it''s'");
        assert_eq!(quote_literal("a\\b"), "E'a\\\\b'");
        assert_eq!(quote_literal(""), "''");
    }

    #[test]
    fn keyword_list_is_sorted_for_binary_search() {
        assert!(QUOTED_KEYWORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn durations_are_written_as_postgresql_reads_them() {
        assert_eq!(duration(0), "0");
        assert_eq!(duration(5_000), "5s");
        assert_eq!(duration(600_000), "10min");
        assert_eq!(duration(1_500), "1500ms");
    }
}
