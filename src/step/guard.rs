//! Guards that make a phase safe to run again after it failed halfway: a statement PostgreSQL
//! has no `IF [NOT] EXISTS` for runs inside a `DO` block only when the catalog says it is still
//! needed.

use crate::schema::TableRef;
use crate::sql::lexer::{self, Kind};
use crate::sql::{quote_literal, quote_qualified};

/// `sql` run only when `condition` (a boolean SQL expression over the catalog) holds.
#[must_use]
pub fn when(condition: &str, sql: &str) -> String {
    format!("DO $guard$\nBEGIN\n  IF {condition} THEN\n    {sql};\n  END IF;\nEND\n$guard$")
}

/// True when `table` has a constraint named `name`.
#[must_use]
pub fn constraint_exists(table: &TableRef, name: &str) -> String {
    format!(
        "EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = {}::regclass AND conname = {})",
        regclass(table),
        quote_literal(name)
    )
}

/// True when `table` exists and has a column named `column`.
#[must_use]
pub fn column_exists(table: &TableRef, column: &str) -> String {
    format!(
        "EXISTS (SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = to_regclass({}) AND attname = {} AND NOT attisdropped)",
        quote_literal(&quote_qualified(&table.schema, &table.name)),
        quote_literal(column)
    )
}

/// True when `table`'s column `column` has the type spelled `data_type` (canonical spelling, see
/// `schema::types`). `format_type` leaves out the schema of a type visible on the search path,
/// so a schema-qualified name also matches its bare form.
#[must_use]
pub fn column_is_spelled(table: &TableRef, column: &str, data_type: &str) -> String {
    let mut spellings = vec![quote_literal(data_type)];
    if let Some(bare) = unqualified(data_type) {
        spellings.push(quote_literal(bare));
    }
    format!(
        "EXISTS (SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = to_regclass({}) AND attname = {} AND NOT attisdropped AND pg_catalog.format_type(atttypid, atttypmod) IN ({}))",
        quote_literal(&quote_qualified(&table.schema, &table.name)),
        quote_literal(column),
        spellings.join(", ")
    )
}

/// The type name without its schema, when it has one: the text after a leading `schema.`.
fn unqualified(data_type: &str) -> Option<&str> {
    let tokens = lexer::tokens(data_type);
    match tokens.as_slice() {
        [first, dot, ..]
            if matches!(first.kind, Kind::Word | Kind::QuotedName) && dot.kind == Kind::Dot =>
        {
            data_type.get(dot.range().end..)
        }
        _ => None,
    }
}

/// True when a table, view or sequence named `name` exists.
#[must_use]
pub fn relation_exists(name: &TableRef) -> String {
    format!(
        "to_regclass({}) IS NOT NULL",
        quote_literal(&quote_qualified(&name.schema, &name.name))
    )
}

/// True when `table` has a trigger named `name`.
#[must_use]
pub fn trigger_exists(table: &TableRef, name: &str) -> String {
    format!(
        "EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = to_regclass({}) AND tgname = {})",
        quote_literal(&quote_qualified(&table.schema, &table.name)),
        quote_literal(name)
    )
}

/// True when `name` exists as a relation of kind `relkind` (`pg_class.relkind`: `v` a view, `m` a
/// materialized view, `r` a table…).
#[must_use]
pub fn relation_is(name: &TableRef, relkind: char) -> String {
    format!(
        "EXISTS (SELECT 1 FROM pg_catalog.pg_class WHERE oid = to_regclass({}) AND relkind = {})",
        quote_literal(&quote_qualified(&name.schema, &name.name)),
        quote_literal(&relkind.to_string())
    )
}

/// True when a type (an enum, a domain, a composite type) named `name` exists.
#[must_use]
pub fn type_exists(name: &TableRef) -> String {
    format!(
        "to_regtype({}) IS NOT NULL",
        quote_literal(&quote_qualified(&name.schema, &name.name))
    )
}

/// True when the enum type `name` exists and has the label `label`.
#[must_use]
pub fn enum_label_exists(name: &TableRef, label: &str) -> String {
    format!(
        "EXISTS (SELECT 1 FROM pg_catalog.pg_enum WHERE enumtypid = to_regtype({}) AND enumlabel = {})",
        quote_literal(&quote_qualified(&name.schema, &name.name)),
        quote_literal(label)
    )
}

/// True when `column` of `table` is of the type named `type_name` (or an array of it, when
/// `array`).
#[must_use]
pub fn column_has_type(
    table: &TableRef,
    column: &str,
    type_name: &TableRef,
    array: bool,
) -> String {
    let wanted = quote_literal(&quote_qualified(&type_name.schema, &type_name.name));
    let type_id = if array {
        format!("(SELECT typarray FROM pg_catalog.pg_type WHERE oid = to_regtype({wanted}))")
    } else {
        format!("to_regtype({wanted})")
    };
    format!(
        "EXISTS (SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = to_regclass({}) AND attname = {} AND atttypid = {type_id})",
        quote_literal(&quote_qualified(&table.schema, &table.name)),
        quote_literal(column)
    )
}

/// True when `table` has a row-security policy named `name`.
#[must_use]
pub fn policy_exists(table: &TableRef, name: &str) -> String {
    format!(
        "EXISTS (SELECT 1 FROM pg_catalog.pg_policy WHERE polrelid = to_regclass({}) AND polname = {})",
        quote_literal(&quote_qualified(&table.schema, &table.name)),
        quote_literal(name)
    )
}

/// True when the index `schema.name` exists and is INVALID (a `CREATE INDEX CONCURRENTLY` that
/// failed part-way leaves one behind).
#[must_use]
pub fn index_is_invalid(schema: &str, name: &str) -> String {
    format!(
        "EXISTS (SELECT 1 FROM pg_catalog.pg_index WHERE indexrelid = to_regclass({}) AND NOT indisvalid)",
        quote_literal(&quote_qualified(schema, name))
    )
}

/// `DROP INDEX` of `schema.name` when it is INVALID, before building it again. Not
/// concurrent, as `DROP INDEX CONCURRENTLY` cannot run inside a `DO` block: so it waits for its
/// ACCESS EXCLUSIVE lock under a short `lock_timeout` of its own (the file's is long, for the
/// concurrent build) and retries, and holds it only for a moment, as no query uses the index.
#[must_use]
pub fn drop_invalid_index(schema: &str, name: &str, lock_timeout_ms: u64) -> String {
    super::retry::retrying_when(
        &index_is_invalid(schema, name),
        lock_timeout_ms,
        &format!("DROP INDEX {};", quote_qualified(schema, name)),
    )
}

fn regclass(table: &TableRef) -> String {
    quote_literal(&quote_qualified(&table.schema, &table.name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_guarded_statement_runs_inside_a_do_block() {
        let table = TableRef::new("public", "Order Items");
        let sql = when(&constraint_exists(&table, "fk"), "ALTER TABLE x ADD y");
        assert_eq!(
            sql,
            "DO $guard$\nBEGIN\n  IF EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE \
             conrelid = 'public.\"Order Items\"'::regclass AND conname = 'fk') THEN\n    \
             ALTER TABLE x ADD y;\n  END IF;\nEND\n$guard$"
        );
    }

    #[test]
    fn names_with_quotes_stay_literals() {
        let sql = column_exists(&TableRef::new("public", "t"), "it's");
        assert!(sql.contains("attname = 'it''s'"), "{sql}");
    }

    #[test]
    fn a_column_type_matches_its_canonical_and_its_bare_spelling() {
        let table = TableRef::new("public", "t");
        let builtin = column_is_spelled(&table, "c", "character varying(20)");
        assert!(
            builtin.ends_with("IN ('character varying(20)'))"),
            "{builtin}"
        );
        let user = column_is_spelled(&table, "c", "app.\"Mood\"[]");
        assert!(
            user.ends_with("IN ('app.\"Mood\"[]', '\"Mood\"[]'))"),
            "{user}"
        );
    }
}
