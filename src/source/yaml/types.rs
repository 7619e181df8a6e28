//! Type names in the file: resolving what a user wrote (`citext`, `order_status[]`,
//! `varchar(10)`) to the canonical name the model holds, and writing a canonical name back as
//! short as it can be while still reading back the same.
//!
//! An unqualified user type is looked up in the table's own schema (enums, domains, composite
//! types, tables and views), then among the types of the listed extensions, which live in the
//! schema the extension is installed in.

use std::collections::{BTreeMap, BTreeSet};

use crate::schema::types::{self, BUILTIN_TYPES, BaseType, ParsedType};
use crate::sql::quote_ident;

use super::error::Wording;

/// Types that contrib (and a few common) extensions create, by extension.
const EXTENSION_TYPES: &[(&str, &[&str])] = &[
    ("citext", &["citext"]),
    ("cube", &["cube"]),
    ("earthdistance", &["earth"]),
    ("hstore", &["hstore", "ghstore"]),
    ("intarray", &["query_int", "intbig_gkey"]),
    (
        "isn",
        &[
            "ean13", "isbn", "isbn13", "ismn", "ismn13", "issn", "issn13", "upc",
        ],
    ),
    ("lo", &["lo"]),
    ("ltree", &["ltree", "lquery", "ltxtquery", "ltree_gist"]),
    ("pg_trgm", &["gtrgm"]),
    ("postgis", &["geometry", "geography", "box2d", "box3d"]),
    ("seg", &["seg"]),
    ("vector", &["vector", "halfvec", "sparsevec"]),
];

/// Aliases offered in "did you mean" hints besides the canonical builtin names.
const ALIAS_NAMES: &[&str] = &[
    "bool",
    "int",
    "int2",
    "int4",
    "int8",
    "float4",
    "float8",
    "varchar",
    "char",
    "timestamptz",
    "timestamp",
    "timetz",
    "time",
    "decimal",
    "varbit",
];

/// The user-defined types a file (or model) can name.
#[derive(Debug, Default)]
pub struct TypeCatalog {
    /// Schema → names of its enums, domains, composite types, tables and views.
    user: BTreeMap<String, BTreeSet<String>>,
    /// Type name → schema, for the types of listed extensions.
    extension: BTreeMap<String, String>,
    /// Schemas whose types are taken on trust (ignored schemas).
    trusted_schemas: Vec<String>,
}

impl TypeCatalog {
    /// A catalog of these schemas' types and these extensions' (name → schema).
    pub fn new<'a>(
        schemas: impl IntoIterator<Item = (&'a str, BTreeSet<String>)>,
        extensions: impl IntoIterator<Item = (&'a str, &'a str)>,
        trusted_schemas: Vec<String>,
    ) -> Self {
        let user = schemas
            .into_iter()
            .map(|(s, names)| (s.to_owned(), names))
            .collect();
        let mut extension = BTreeMap::new();
        for (name, schema) in extensions {
            let provided = EXTENSION_TYPES
                .iter()
                .find(|(ext, _)| *ext == name)
                .map_or(&[][..], |(_, t)| *t);
            for type_name in provided {
                extension.insert((*type_name).to_owned(), schema.to_owned());
            }
        }
        Self {
            user,
            extension,
            trusted_schemas,
        }
    }

    /// The canonical name of the type written as `text` in `schema`.
    ///
    /// # Errors
    /// The type's syntax is wrong, or it names no builtin, user or extension type.
    pub fn resolve(&self, text: &str, schema: &str) -> Result<String, Wording> {
        let mut parsed = types::parse(text).map_err(|e| Wording::new(e.to_string()))?;
        types::fix_implicit_modifiers(&mut parsed);
        if let BaseType::User {
            schema: written,
            name,
        } = &parsed.base
        {
            let home = self
                .home_schema(written.as_deref(), name, schema)
                .ok_or_else(|| self.unknown(text, name, schema))?;
            parsed.base = BaseType::User {
                schema: Some(home),
                name: name.clone(),
            };
        }
        Ok(types::render(&parsed, schema))
    }

    /// The schema that holds type `name` written with schema `written` (if any) in `schema`.
    fn home_schema(&self, written: Option<&str>, name: &str, schema: &str) -> Option<String> {
        match written {
            Some(written) => {
                let known = self
                    .user
                    .get(written)
                    .is_some_and(|names| names.contains(name))
                    || self.extension.get(name).is_some_and(|s| s == written)
                    || self.trusted_schemas.iter().any(|s| s == written);
                known.then(|| written.to_owned())
            }
            None if self
                .user
                .get(schema)
                .is_some_and(|names| names.contains(name)) =>
            {
                Some(schema.to_owned())
            }
            None => self.extension.get(name).cloned(),
        }
    }

    fn unknown(&self, text: &str, name: &str, schema: &str) -> Wording {
        let mut known: Vec<&str> = BUILTIN_TYPES.iter().chain(ALIAS_NAMES).copied().collect();
        known.extend(
            self.user
                .get(schema)
                .into_iter()
                .flatten()
                .map(String::as_str),
        );
        known.extend(self.extension.keys().map(String::as_str));
        let wording = Wording::new(format!("unknown type `{}`", text.trim()));
        if let Some(exact) = known
            .iter()
            .find(|k| **k != name && k.to_lowercase() == name.to_lowercase())
        {
            let quoted = quote_ident(exact);
            return wording.hint(format!(
                "unquoted names fold to lower case: write `{quoted}` for the type `{exact}`"
            ));
        }
        let wording = wording.did_you_mean(name, known);
        if wording.hint.is_some() {
            return wording;
        }
        if EXTENSION_TYPES
            .iter()
            .any(|(_, types)| types.contains(&name))
        {
            let extension = EXTENSION_TYPES
                .iter()
                .find(|(_, t)| t.contains(&name))
                .map_or("", |(e, _)| *e);
            return wording.hint(format!(
                "`{name}` comes with the `{extension}` extension; list it under `extensions:`"
            ));
        }
        wording.hint("a type must be a built-in type, an enum, domain or composite type in the file, or a type of a listed extension")
    }

    /// `canonical` written for a column in `schema`: unqualified when the type lives there (or is
    /// builtin) and reading it back gives the same canonical name; qualified otherwise.
    #[must_use]
    pub fn relative(&self, canonical: &str, schema: &str) -> String {
        // Only a name with a dot has a schema to leave out; most are builtin (`integer`,
        // `numeric(10,2)`), and parsing each column's type took 3% of a snapshot's time.
        if !canonical.contains('.') {
            return canonical.to_owned();
        }
        let Ok(parsed) = types::parse(canonical) else {
            return canonical.to_owned();
        };
        let short = match &parsed.base {
            BaseType::User {
                schema: Some(home),
                name,
            } if home == schema => render_unqualified(&parsed, name),
            _ => return canonical.to_owned(),
        };
        if self.resolve(&short, schema).as_deref() == Ok(canonical) {
            short
        } else {
            canonical.to_owned()
        }
    }
}

fn render_unqualified(parsed: &ParsedType, name: &str) -> String {
    let mods = parsed
        .modifiers
        .as_deref()
        .map(|m| format!("({m})"))
        .unwrap_or_default();
    let array = if parsed.array { "[]" } else { "" };
    format!("{}{mods}{array}", quote_ident(name))
}

/// A collation or operator-class name as the file writes it (`C`, `public.gin_trgm_ops`) → as
/// SQL refers to it (`"C"`, `public.gin_trgm_ops`). A name that already has double quotes is
/// taken as SQL; otherwise each dot-separated part is an exact name, quoted as needed.
#[must_use]
pub fn sql_name(text: &str) -> String {
    if text.contains('"') {
        return text.to_owned();
    }
    text.split('.')
        .map(quote_ident)
        .collect::<Vec<_>>()
        .join(".")
}

/// The reverse of [`sql_name`]: the plain form when it reads back the same, else the SQL text.
#[must_use]
pub fn file_name(sql: &str) -> String {
    match types::split_qualified(sql) {
        Some(parts) if parts.iter().all(|p| !p.contains(['.', '"'])) => {
            let plain = parts.join(".");
            if sql_name(&plain) == sql {
                plain
            } else {
                sql.to_owned()
            }
        }
        _ => sql.to_owned(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn catalog() -> TypeCatalog {
        let public: BTreeSet<String> = ["order_status", "Mood", "posint"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        let billing: BTreeSet<String> = ["currency"].iter().map(|s| (*s).to_owned()).collect();
        TypeCatalog::new(
            [("public", public), ("billing", billing)],
            [
                ("citext", "public"),
                ("hstore", "extensions"),
                ("pgcrypto", "public"),
            ],
            vec!["legacy".to_owned()],
        )
    }

    #[test]
    fn names_resolve_to_their_schema() {
        let c = catalog();
        assert_eq!(c.resolve("int", "public"), Ok("integer".to_owned()));
        assert_eq!(
            c.resolve("varchar(10)[]", "billing"),
            Ok("character varying(10)[]".to_owned())
        );
        assert_eq!(
            c.resolve("order_status", "public"),
            Ok("public.order_status".to_owned())
        );
        assert_eq!(
            c.resolve("\"Mood\"[]", "public"),
            Ok("public.\"Mood\"[]".to_owned())
        );
        assert_eq!(
            c.resolve("citext", "billing"),
            Ok("public.citext".to_owned())
        );
        assert_eq!(
            c.resolve("hstore", "public"),
            Ok("extensions.hstore".to_owned())
        );
        assert_eq!(
            c.resolve("billing.currency", "public"),
            Ok("billing.currency".to_owned())
        );
        assert_eq!(
            c.resolve("legacy.anything", "public"),
            Ok("legacy.anything".to_owned())
        );
    }

    #[test]
    fn unknown_types_suggest_a_close_one() {
        let c = catalog();
        let error = c.resolve("intger", "public").unwrap_err();
        assert_eq!(error.message, "unknown type `intger`");
        assert_eq!(error.hint.as_deref(), Some("did you mean `integer`?"));
        let error = c.resolve("order_stats", "public").unwrap_err();
        assert_eq!(error.hint.as_deref(), Some("did you mean `order_status`?"));
        // `Mood` folds to `mood`, which is not the enum `"Mood"`.
        let error = c.resolve("Mood", "public").unwrap_err();
        assert_eq!(
            error.hint.as_deref(),
            Some("unquoted names fold to lower case: write `\"Mood\"` for the type `Mood`")
        );
        let error = c.resolve("ltree", "public").unwrap_err();
        assert_eq!(
            error.hint.as_deref(),
            Some("`ltree` comes with the `ltree` extension; list it under `extensions:`")
        );
        assert!(c.resolve("order_status", "billing").is_err());
        assert!(c.resolve("billing.order_status", "public").is_err());
    }

    #[test]
    fn written_types_are_as_short_as_reads_back_the_same() {
        let c = catalog();
        assert_eq!(c.relative("public.citext", "public"), "citext");
        assert_eq!(c.relative("public.citext", "billing"), "public.citext");
        assert_eq!(c.relative("public.\"Mood\"[]", "public"), "\"Mood\"[]");
        assert_eq!(
            c.relative("character varying(10)", "public"),
            "character varying(10)"
        );
        assert_eq!(c.relative("billing.currency", "billing"), "currency");
        // A type of schema `extensions` that the catalog does not know stays qualified.
        assert_eq!(c.relative("extensions.hstore", "extensions"), "hstore");
        assert_eq!(
            c.relative("extensions.other", "extensions"),
            "extensions.other"
        );
    }
}
