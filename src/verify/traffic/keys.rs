//! Which columns of a copied row need fresh values, and which an update must leave alone.
//!
//! A copied row keeps every value but those of its unique keys (the primary key, unique
//! constraints and unique indexes, as the live, the desired and the scratch schema define them,
//! because a plan adds and drops them on the way), which get fresh ones. Foreign-key columns keep
//! the copied value, which still finds its referenced row. An update copies another row's value
//! only into columns that nothing checks against other columns or rows: the columns of unique
//! keys and exclusion constraints, of checks over several columns, and of the expressions and
//! predicates of unique indexes are set to themselves. Pure: tables in, names out.

use std::collections::{BTreeMap, BTreeSet};

use crate::schema::{Column, KeyTarget, Table};
use crate::sql::lexer;

/// How a copied row gets a fresh value for a column of a unique key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fresh {
    /// Left out of the row: the column's identity or default makes a new value.
    Omit,
    /// An integer above the column's largest value.
    Above,
    /// The copied text with `-n` appended.
    Suffix,
    /// For text of at most `width` characters: `~` and the number in hexadecimal, which fits
    /// while the number has fewer than `width` hex digits.
    Numbered { width: usize },
    /// `gen_random_uuid()`.
    Uuid,
}

/// What copying and updating rows of one table takes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Uniqueness {
    /// The columns that get fresh values in a copied row.
    pub fresh: BTreeMap<String, Fresh>,
    /// Why copied rows cannot be made unique, when they cannot.
    pub impossible: Option<String>,
    /// The columns an update sets to themselves.
    pub pinned: BTreeSet<String>,
}

/// A unique key's columns; `expression` when an index key is an expression.
struct Key<'a> {
    columns: Vec<&'a str>,
    expression: bool,
}

/// What copying rows of `table` (its current columns and their types) takes under the
/// constraints each of `definitions` (the same table in the schemas that matter) gives it.
#[must_use]
pub fn uniqueness(table: &Table, definitions: &[&Table]) -> Uniqueness {
    let mut out = Uniqueness::default();
    let foreign: BTreeSet<&str> = definitions
        .iter()
        .flat_map(|d| &d.foreign_keys)
        .flat_map(|fk| fk.columns.iter().map(String::as_str))
        .collect();
    for definition in definitions {
        pin_columns_read_together(table, definition, &mut out.pinned);
        if !definition.exclusions.is_empty() {
            out.impossible
                .get_or_insert_with(|| "it has an exclusion constraint".to_owned());
        }
        for key in keys(definition) {
            add_key(table, &key, &foreign, &mut out);
        }
    }
    out
}

fn keys(table: &Table) -> Vec<Key<'_>> {
    fn names(columns: &[String]) -> Vec<&str> {
        columns.iter().map(String::as_str).collect()
    }
    let mut keys: Vec<Key<'_>> = table
        .primary_key
        .iter()
        .map(|pk| names(&pk.columns))
        .chain(table.unique.iter().map(|u| names(&u.columns)))
        .map(|columns| Key {
            columns,
            expression: false,
        })
        .collect();
    for index in table.indexes.iter().filter(|i| i.unique) {
        let mut key = Key {
            columns: Vec::new(),
            expression: false,
        };
        for part in &index.keys {
            match &part.target {
                KeyTarget::Column(name) => key.columns.push(name),
                KeyTarget::Expression(_) => key.expression = true,
            }
        }
        keys.push(key);
    }
    keys
}

fn add_key(table: &Table, key: &Key<'_>, foreign: &BTreeSet<&str>, out: &mut Uniqueness) {
    if key.expression {
        out.impossible
            .get_or_insert_with(|| "it has a unique index on an expression".to_owned());
    }
    // Columns a later file adds do not exist yet, and neither does the key over them.
    let present: Vec<&Column> = key.columns.iter().filter_map(|c| table.column(c)).collect();
    if present.is_empty() {
        return;
    }
    out.pinned
        .extend(present.iter().map(|c| c.name.to_string()));
    let own: Vec<&Column> = present
        .iter()
        .copied()
        .filter(|c| !foreign.contains(c.name.as_str()))
        .collect();
    if own.is_empty() {
        let names: Vec<&str> = present.iter().map(|c| c.name.as_str()).collect();
        out.impossible.get_or_insert_with(|| {
            format!(
                "its unique key ({}) is made of foreign-key columns only",
                names.join(", ")
            )
        });
        return;
    }
    for column in own {
        match fresh(column) {
            Some(how) => {
                out.fresh.insert(column.name.to_string(), how);
            }
            None => {
                out.impossible.get_or_insert_with(|| {
                    format!(
                        "no fresh value can be made for its unique column {} ({})",
                        column.name, column.data_type
                    )
                });
            }
        }
    }
}

/// How a fresh value for `column` is made, if pgphase can make one.
#[must_use]
pub fn fresh(column: &Column) -> Option<Fresh> {
    if column.generated.is_some() {
        return None;
    }
    let makes_its_own = column.default.as_deref().is_some_and(|default| {
        ["nextval(", "gen_random_uuid(", "uuid_generate_v"]
            .iter()
            .any(|call| default.contains(call))
    });
    if column.identity.is_some() || makes_its_own {
        return Some(Fresh::Omit);
    }
    let data_type = column.data_type.as_str();
    match data_type {
        "smallint" | "integer" | "bigint" => Some(Fresh::Above),
        "uuid" => Some(Fresh::Uuid),
        "text" | "character varying" => Some(Fresh::Suffix),
        _ if data_type.ends_with("citext") => Some(Fresh::Suffix),
        _ => text_width(data_type)
            .filter(|width| *width >= MIN_NUMBERED_WIDTH)
            .map(|width| Fresh::Numbered { width }),
    }
}

/// The narrowest text key a numbered value is made for: `~` and three hex digits, 4,096
/// values.
const MIN_NUMBERED_WIDTH: usize = 4;

/// `n` of `character varying(n)` or `character(n)`.
fn text_width(data_type: &str) -> Option<usize> {
    let inner = data_type
        .strip_prefix("character varying(")
        .or_else(|| data_type.strip_prefix("character("))?
        .strip_suffix(')')?;
    inner.parse().ok()
}

/// The numbered value `n` for a column of `width` characters, as SQL: `~` and `n` in
/// hexadecimal, wrapped to fit (the key space is large enough for a test's rows).
#[must_use]
pub fn numbered(n: &str, width: usize) -> String {
    let digits = u32::try_from(width - 1).unwrap_or(15).min(15);
    format!("'~' || to_hex(({n})::bigint % {})", 16_u64.pow(digits))
}

/// Pins the columns that a constraint reads together with other columns or rows: exclusion
/// constraints, checks over more than one column, the expressions and predicates of unique
/// indexes, and the columns of composite foreign keys.
fn pin_columns_read_together(table: &Table, definition: &Table, pinned: &mut BTreeSet<String>) {
    let mut texts: Vec<&str> = definition
        .exclusions
        .iter()
        .map(|e| e.definition.as_str())
        .collect();
    for index in definition.indexes.iter().filter(|i| i.unique) {
        texts.extend(index.predicate.as_deref());
        texts.extend(index.keys.iter().filter_map(|k| match &k.target {
            KeyTarget::Expression(expression) => Some(expression.as_str()),
            KeyTarget::Column(_) => None,
        }));
    }
    for text in texts {
        pinned.extend(mentioned(table, text).into_iter().map(str::to_owned));
    }
    // A row's composite key points at one referenced row only as a whole: values copied
    // column by column from different rows would name a row that does not exist.
    for key in definition
        .foreign_keys
        .iter()
        .filter(|k| k.columns.len() > 1)
    {
        pinned.extend(key.columns.iter().cloned());
    }
    for check in &definition.checks {
        let columns = mentioned(table, &check.expression);
        if columns.len() > 1 {
            pinned.extend(columns.into_iter().map(str::to_owned));
        }
    }
}

/// The columns of `table` that `expression` names (string literals skipped; a word that is
/// also a column's name counts, which errs on the side of pinning).
#[must_use]
pub fn mentioned<'t>(table: &'t Table, expression: &str) -> Vec<&'t str> {
    let words = identifiers(expression);
    table
        .columns
        .iter()
        .filter(|c| words.contains(c.name.as_str()))
        .map(|c| c.name.as_str())
        .collect()
}

/// The identifiers in SQL text: bare words folded to lower case, quoted ones as written.
fn identifiers(sql: &str) -> BTreeSet<String> {
    lexer::tokens(sql)
        .iter()
        .filter_map(lexer::Token::name)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{
        Check, Deferral, FkAction, FkMatch, ForeignKey, Identity, Index, IndexKey, PrimaryKey,
        TableRef, Unique,
    };

    fn table(columns: &[(&str, &str)], primary_key: &[&str]) -> Table {
        Table {
            columns: columns.iter().map(|(n, t)| Column::new(*n, *t)).collect(),
            primary_key: (!primary_key.is_empty()).then(|| PrimaryKey {
                name: "t_pkey".into(),
                columns: primary_key.iter().map(|c| (*c).to_owned()).collect(),
                include: Vec::new(),
                deferral: Deferral::NotDeferrable,
            }),
            ..Table::default()
        }
    }

    fn foreign_key(column: &str) -> ForeignKey {
        ForeignKey {
            name: format!("t_{column}_fkey").into(),
            columns: vec![column.to_owned()],
            references: TableRef::new("app", "parent"),
            referenced_columns: vec!["id".to_owned()],
            on_delete: FkAction::NoAction,
            on_update: FkAction::NoAction,
            match_type: FkMatch::Simple,
            deferral: Deferral::NotDeferrable,
            valid: true,
        }
    }

    fn unique(columns: &[&str]) -> Unique {
        Unique {
            name: "t_key".into(),
            columns: columns.iter().map(|c| (*c).to_owned()).collect(),
            include: Vec::new(),
            nulls_not_distinct: false,
            deferral: Deferral::NotDeferrable,
        }
    }

    #[test]
    fn keys_get_fresh_values_by_type_and_identity_keys_are_left_out() {
        let mut t = table(
            &[
                ("id", "bigint"),
                ("code", "character varying(20)"),
                ("token", "uuid"),
            ],
            &["id"],
        );
        t.unique = vec![unique(&["code"]), unique(&["token"])];
        let found = uniqueness(&t, &[&t]);
        assert_eq!(found.impossible, None);
        assert_eq!(
            found.fresh,
            BTreeMap::from([
                ("code".to_owned(), Fresh::Numbered { width: 20 }),
                ("id".to_owned(), Fresh::Above),
                ("token".to_owned(), Fresh::Uuid),
            ])
        );
        t.columns[0].identity = Some(Identity::Always);
        assert_eq!(uniqueness(&t, &[&t]).fresh["id"], Fresh::Omit);
    }

    #[test]
    fn a_narrow_text_key_gets_numbers_that_fit_and_a_too_narrow_one_none() {
        assert_eq!(
            fresh(&Column::new("code", "character(5)")),
            Some(Fresh::Numbered { width: 5 })
        );
        assert_eq!(fresh(&Column::new("code", "character varying(3)")), None);
        assert_eq!(numbered("7", 5), "'~' || to_hex((7)::bigint % 65536)");
    }

    #[test]
    fn a_key_the_desired_schema_adds_counts_once_its_column_exists() {
        let live = table(&[("id", "integer"), ("email", "text")], &["id"]);
        let mut desired = live.clone();
        desired.unique = vec![unique(&["email"])];
        desired.columns.push(Column::new("slug", "text"));
        desired.indexes.push(Index {
            name: "t_slug_key".into(),
            unique: true,
            method: "btree".into(),
            keys: vec![IndexKey {
                target: KeyTarget::Column("slug".into()),
                opclass: None,
                collation: None,
                descending: false,
                nulls_first: false,
            }],
            include: Vec::new(),
            predicate: None,
            nulls_not_distinct: false,
            with: Vec::new(),
            comment: None,
        });
        let found = uniqueness(&live, &[&live, &desired]);
        assert_eq!(found.fresh.keys().collect::<Vec<_>>(), ["email", "id"]);
        assert_eq!(found.pinned.iter().collect::<Vec<_>>(), ["email", "id"]);
        let found = uniqueness(&desired, &[&live, &desired]);
        assert_eq!(found.fresh["slug"], Fresh::Suffix);
    }

    #[test]
    fn foreign_key_columns_keep_their_values_unless_they_are_the_whole_key() {
        let mut items = table(
            &[("order_id", "integer"), ("line", "integer")],
            &["order_id", "line"],
        );
        items.foreign_keys = vec![foreign_key("order_id")];
        let found = uniqueness(&items, &[&items]);
        assert_eq!(found.impossible, None);
        assert_eq!(found.fresh.keys().collect::<Vec<_>>(), ["line"]);
        let mut profile = table(&[("user_id", "integer")], &["user_id"]);
        profile.foreign_keys = vec![foreign_key("user_id")];
        let found = uniqueness(&profile, &[&profile]);
        assert_eq!(
            found.impossible.as_deref(),
            Some("its unique key (user_id) is made of foreign-key columns only")
        );
    }

    #[test]
    fn a_key_without_a_fresh_value_makes_copies_impossible() {
        let t = table(&[("day", "date")], &["day"]);
        assert_eq!(
            uniqueness(&t, &[&t]).impossible.as_deref(),
            Some("no fresh value can be made for its unique column day (date)")
        );
    }

    #[test]
    fn columns_checked_together_are_pinned_and_single_column_checks_are_not() {
        let mut t = table(
            &[
                ("id", "integer"),
                ("starts", "date"),
                ("ends", "date"),
                ("n", "integer"),
            ],
            &["id"],
        );
        t.checks = vec![
            Check {
                name: "t_range".into(),
                expression: "(ends > starts)".to_owned(),
                no_inherit: false,
                valid: true,
            },
            Check {
                name: "t_n".into(),
                expression: "(n > 0)".to_owned(),
                no_inherit: false,
                valid: true,
            },
        ];
        let pinned = uniqueness(&t, &[&t]).pinned;
        assert_eq!(pinned.iter().collect::<Vec<_>>(), ["ends", "id", "starts"]);
    }

    #[test]
    fn identifiers_skip_literals_and_keep_quoted_names() {
        let words = identifiers("lower(\"Email\") = 'ends' AND x_1 IS NOT NULL");
        assert!(words.contains("Email") && words.contains("lower") && words.contains("x_1"));
        assert!(!words.contains("ends"));
    }
}
