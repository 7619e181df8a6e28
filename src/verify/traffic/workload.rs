//! What a client does to one table as one application version, and the SQL of each
//! transaction. Pure: schemas, sampled keys and a random generator in, SQL text out.
//!
//! Every value reaches the SQL as a literal (the keys are read as text) and every name through
//! `quote_ident`, so the text stays valid whatever the plan does to the column types: clients use
//! the simple query protocol and never hold a prepared statement across a type change.

use std::collections::BTreeMap;

use crate::schema::TableRef;
use crate::sql::{quote_ident, quote_literal, quote_qualified};

use super::Schemas;
use super::figures::StatementKind;
use super::keys::{Fresh, numbered, uniqueness};
use super::tables::referenced;
use super::version::{AppVersion, known_columns};

/// One table as one application version uses it during a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableWork {
    pub table: TableRef,
    pub version: AppVersion,
    /// The columns the version names, as its SELECT lists them.
    pub columns: Vec<String>,
    /// The primary key's columns; empty when the table has none the version knows, and then
    /// the version only inserts.
    pub key: Vec<String>,
    /// The columns an UPDATE sets, one per transaction in turn.
    pub updates: Vec<Assignment>,
    /// The columns an INSERT names and how each gets its value; empty when copied rows
    /// cannot be made unique.
    pub insert: Vec<(String, Value)>,
    /// Whether a transaction deletes a row: only where no foreign key references the table.
    pub delete: bool,
}

/// What an UPDATE sets a column to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Assignment {
    /// Another row's value (the column's own when that row is gone).
    FromOtherRow(String),
    /// Itself: nothing changes, but triggers fire and every constraint checks the new row.
    Itself(String),
}

/// How an INSERT fills a column of the row it copies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value {
    Copied,
    Fresh(Fresh),
}

/// Rows of a table read before a file: up to [`super::KEYS_PER_TABLE`] primary keys as text,
/// or, without a primary key, how many rows there are (as far as that number).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rows {
    pub keys: Vec<Vec<String>>,
    pub count: u64,
}

/// How `version` uses `table` during a file, or `None` when it names none of its columns.
#[must_use]
pub fn table_work(
    table: &TableRef,
    version: AppVersion,
    schemas: &Schemas<'_>,
    contract: bool,
) -> Option<TableWork> {
    let columns = known_columns(version, table, schemas, contract);
    let now = schemas.scratch.table(table)?;
    if columns.is_empty() {
        return None;
    }
    let definitions: Vec<_> = [schemas.live, schemas.desired, schemas.scratch]
        .iter()
        .filter_map(|schema| schema.table(table))
        .collect();
    let unique = uniqueness(now, &definitions);
    let key: Vec<String> = now
        .primary_key
        .as_ref()
        .filter(|pk| pk.columns.iter().all(|c| columns.contains(c)))
        .map(|pk| pk.columns.clone())
        .unwrap_or_default();
    let writable: Vec<&String> = columns
        .iter()
        .filter(|c| {
            now.column(c)
                .is_some_and(|c| c.generated.is_none() && c.identity.is_none())
        })
        .collect();
    let updates = writable
        .iter()
        .filter(|c| !key.contains(c))
        .map(|c| {
            if unique.pinned.contains(*c) {
                Assignment::Itself((*c).clone())
            } else {
                Assignment::FromOtherRow((*c).clone())
            }
        })
        .collect();
    let insert = if unique.impossible.is_some() {
        Vec::new()
    } else {
        writable
            .iter()
            .filter_map(|c| match unique.fresh.get(*c) {
                Some(Fresh::Omit) => None,
                Some(fresh) => Some(((*c).clone(), Value::Fresh(*fresh))),
                None => Some(((*c).clone(), Value::Copied)),
            })
            .collect()
    };
    let schemas_now = [schemas.live, schemas.desired, schemas.scratch];
    Some(TableWork {
        table: table.clone(),
        version,
        delete: !key.is_empty() && !referenced(table, &schemas_now),
        columns,
        key,
        updates,
        insert,
    })
}

/// Whether a transaction on `work` has anything to do with these rows.
#[must_use]
pub fn has_work(work: &TableWork, rows: &Rows) -> bool {
    if work.key.is_empty() {
        rows.count > 0 && !work.insert.is_empty()
    } else {
        !rows.keys.is_empty()
    }
}

/// What a transaction needs besides the table: fresh numbers and a source of chance.
pub struct Draw<'a> {
    /// The rows read before the file.
    pub rows: &'a Rows,
    /// The largest value of each integer column that gets fresh values, read the first time
    /// the run's clients insert into the table.
    pub bases: &'a BTreeMap<String, i64>,
    /// Which turn this is on the table (picks the column an UPDATE sets).
    pub turn: usize,
    /// A number no other copied row of the run has used.
    pub fresh: u64,
}

/// The statements of one transaction on `work`, between `BEGIN` and `COMMIT`: a SELECT and an
/// UPDATE of random rows, an INSERT of a copy of a random row, and a DELETE of the updated row
/// where deletes are allowed. Locking one existing row at most keeps clients from deadlocking
/// each other. Empty when there is nothing to do.
#[must_use]
pub fn transaction(
    work: &TableWork,
    draw: &Draw<'_>,
    rng: &mut fastrand::Rng,
) -> Vec<(StatementKind, String)> {
    let name = quote_qualified(&work.table.schema, &work.table.name);
    let mut out = Vec::new();
    let keys = &draw.rows.keys;
    if !work.key.is_empty() && !keys.is_empty() {
        let mut pick = || &keys[rng.usize(..keys.len())];
        let (seen, target, other, source) = (pick(), pick(), pick(), pick());
        out.push((StatementKind::Select, select(work, &name, seen)));
        if !work.updates.is_empty() {
            let assignment = &work.updates[draw.turn % work.updates.len()];
            let sql = update(work, &name, assignment, target, other);
            out.push((StatementKind::Update, sql));
        }
        if !work.insert.is_empty() {
            let from = format!("WHERE {}", matching("s.", &work.key, source));
            out.push((StatementKind::Insert, insert(work, &name, &from, draw)));
        }
        if work.delete {
            let sql = format!(
                "DELETE FROM {name} WHERE {}",
                matching("", &work.key, target)
            );
            out.push((StatementKind::Delete, sql));
        }
    } else if work.key.is_empty() && draw.rows.count > 0 && !work.insert.is_empty() {
        let from = format!("LIMIT 1 OFFSET {}", rng.u64(..draw.rows.count));
        out.push((StatementKind::Insert, insert(work, &name, &from, draw)));
    }
    out
}

fn select(work: &TableWork, name: &str, key: &[String]) -> String {
    let columns: Vec<String> = work.columns.iter().map(|c| quote_ident(c)).collect();
    format!(
        "SELECT {} FROM {name} WHERE {}",
        columns.join(", "),
        matching("", &work.key, key)
    )
}

fn update(
    work: &TableWork,
    name: &str,
    assignment: &Assignment,
    target: &[String],
    other: &[String],
) -> String {
    let value = match assignment {
        Assignment::Itself(column) => quote_ident(column),
        // The other row may have been deleted meanwhile: keep the value then, rather than
        // writing a NULL the application never would.
        Assignment::FromOtherRow(column) => format!(
            "coalesce((SELECT o.{c} FROM {name} AS o WHERE {}), {c})",
            matching("o.", &work.key, other),
            c = quote_ident(column)
        ),
    };
    let column = match assignment {
        Assignment::Itself(column) | Assignment::FromOtherRow(column) => quote_ident(column),
    };
    format!(
        "UPDATE {name} SET {column} = {value} WHERE {}",
        matching("", &work.key, target)
    )
}

fn insert(work: &TableWork, name: &str, from: &str, draw: &Draw<'_>) -> String {
    let columns: Vec<String> = work.insert.iter().map(|(c, _)| quote_ident(c)).collect();
    let values: Vec<String> = work
        .insert
        .iter()
        .map(|(column, value)| fresh_value(column, *value, draw))
        .collect();
    format!(
        "INSERT INTO {name} ({}) SELECT {} FROM {name} AS s {from}",
        columns.join(", "),
        values.join(", ")
    )
}

fn fresh_value(column: &str, value: Value, draw: &Draw<'_>) -> String {
    let copied = format!("s.{}", quote_ident(column));
    match value {
        Value::Copied | Value::Fresh(Fresh::Omit) => copied,
        Value::Fresh(Fresh::Above) => {
            let base = draw.bases.get(column).copied().unwrap_or(0);
            let step = i64::try_from(draw.fresh).unwrap_or(i64::MAX);
            base.saturating_add(step).to_string()
        }
        Value::Fresh(Fresh::Suffix) => {
            format!("{copied} || {}", quote_literal(&format!("-{}", draw.fresh)))
        }
        Value::Fresh(Fresh::Numbered { width }) => numbered(&draw.fresh.to_string(), width),
        Value::Fresh(Fresh::Uuid) => "gen_random_uuid()".to_owned(),
    }
}

/// `a = '1' AND b = '2'`, the columns prefixed by `alias` (`s.`, or nothing).
fn matching(alias: &str, columns: &[String], values: &[String]) -> String {
    columns
        .iter()
        .zip(values)
        .map(|(c, v)| format!("{alias}{} = {}", quote_ident(c), quote_literal(v)))
        .collect::<Vec<_>>()
        .join(" AND ")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::schema::{
        Column, Deferral, FkAction, FkMatch, ForeignKey, Identity, PrimaryKey, Schema, Table,
        Unique,
    };

    fn users() -> Table {
        let mut id = Column::new("id", "bigint");
        id.identity = Some(Identity::Always);
        Table {
            columns: vec![
                id,
                Column::new("email", "text"),
                Column::new("Name", "text"),
                Column::new("code", "integer"),
            ],
            primary_key: Some(PrimaryKey {
                name: "users_pkey".into(),
                columns: vec!["id".to_owned()],
                include: Vec::new(),
                deferral: Deferral::NotDeferrable,
            }),
            unique: vec![Unique {
                name: "users_code_key".into(),
                columns: vec!["code".to_owned()],
                include: Vec::new(),
                nulls_not_distinct: false,
                deferral: Deferral::NotDeferrable,
            }],
            ..Table::default()
        }
    }

    fn schema(tables: Vec<(&str, Table)>) -> Schema {
        let mut schema = Schema::default();
        let ns = schema.namespaces.entry("app".to_owned()).or_default();
        for (name, table) in tables {
            ns.tables.insert(name.to_owned(), table);
        }
        schema
    }

    fn work(schema: &Schema) -> TableWork {
        let now = Schemas {
            live: schema,
            desired: schema,
            scratch: schema,
        };
        table_work(&TableRef::new("app", "users"), AppVersion::Old, &now, false).unwrap()
    }

    #[test]
    fn keys_are_left_alone_unique_columns_set_to_themselves_and_the_rest_copied() {
        let work = work(&schema(vec![("users", users())]));
        assert_eq!(work.key, ["id"]);
        assert_eq!(
            work.updates,
            [
                Assignment::FromOtherRow("email".to_owned()),
                Assignment::FromOtherRow("Name".to_owned()),
                Assignment::Itself("code".to_owned()),
            ]
        );
        assert_eq!(
            work.insert,
            [
                ("email".to_owned(), Value::Copied),
                ("Name".to_owned(), Value::Copied),
                ("code".to_owned(), Value::Fresh(Fresh::Above)),
            ]
        );
        assert!(work.delete);
    }

    #[test]
    fn a_referenced_table_loses_no_rows() {
        let orders = Table {
            columns: vec![Column::new("user_id", "bigint")],
            foreign_keys: vec![ForeignKey {
                name: "orders_user_id_fkey".into(),
                columns: vec!["user_id".to_owned()],
                references: TableRef::new("app", "users"),
                referenced_columns: vec!["id".to_owned()],
                on_delete: FkAction::NoAction,
                on_update: FkAction::NoAction,
                match_type: FkMatch::Simple,
                deferral: Deferral::NotDeferrable,
                valid: true,
            }],
            ..Table::default()
        };
        let work = work(&schema(vec![("users", users()), ("orders", orders)]));
        assert!(!work.delete);
    }

    #[test]
    fn a_transaction_reads_updates_copies_and_deletes_with_literals() {
        let work = work(&schema(vec![("users", users())]));
        let rows = Rows {
            keys: vec![vec!["7".to_owned()]],
            count: 1,
        };
        let bases = BTreeMap::from([("code".to_owned(), 40)]);
        let draw = Draw {
            rows: &rows,
            bases: &bases,
            turn: 1,
            fresh: 100_001,
        };
        let statements = transaction(&work, &draw, &mut fastrand::Rng::with_seed(1));
        let text: Vec<String> = statements
            .iter()
            .map(|(kind, sql)| format!("{kind}: {sql}"))
            .collect();
        assert_eq!(
            text,
            [
                "select: SELECT id, email, \"Name\", code FROM app.users WHERE id = '7'",
                "update: UPDATE app.users SET \"Name\" = coalesce((SELECT o.\"Name\" FROM \
                 app.users AS o WHERE o.id = '7'), \"Name\") WHERE id = '7'",
                "insert: INSERT INTO app.users (email, \"Name\", code) SELECT s.email, \
                 s.\"Name\", 100041 FROM app.users AS s WHERE s.id = '7'",
                "delete: DELETE FROM app.users WHERE id = '7'",
            ]
        );
        let draw = Draw { turn: 2, ..draw };
        let (_, sql) = &transaction(&work, &draw, &mut fastrand::Rng::with_seed(1))[1];
        assert_eq!(sql, "UPDATE app.users SET code = code WHERE id = '7'");
    }

    #[test]
    fn a_table_without_a_primary_key_gets_inserts_only() {
        let mut table = users();
        table.primary_key = None;
        table.unique.clear();
        table.columns[1].data_type = "character varying(20)".into();
        let work = work(&schema(vec![("users", table)]));
        let rows = Rows {
            keys: Vec::new(),
            count: 3,
        };
        let draw = Draw {
            rows: &rows,
            bases: &BTreeMap::new(),
            turn: 0,
            fresh: 5,
        };
        let statements = transaction(&work, &draw, &mut fastrand::Rng::with_seed(3));
        assert_eq!(statements.len(), 1);
        assert_eq!(statements[0].0, StatementKind::Insert);
        assert!(
            statements[0]
                .1
                .starts_with("INSERT INTO app.users (email, \"Name\", code) SELECT s.email, s.\"Name\", s.code FROM app.users AS s LIMIT 1 OFFSET "),
            "{}",
            statements[0].1
        );
        let empty = Rows::default();
        let draw = Draw {
            rows: &empty,
            ..draw
        };
        assert!(transaction(&work, &draw, &mut fastrand::Rng::with_seed(3)).is_empty());
    }

    #[test]
    fn text_keys_get_a_suffix_and_uuid_keys_a_new_uuid() {
        let mut table = users();
        table.columns[3].data_type = "text".into();
        table.columns.push(Column::new("token", "uuid"));
        table.unique[0].columns.push("token".to_owned());
        let work = work(&schema(vec![("users", table)]));
        let draw = Draw {
            rows: &Rows {
                keys: vec![vec!["it's".to_owned()]],
                count: 1,
            },
            bases: &BTreeMap::new(),
            turn: 0,
            fresh: 9,
        };
        let statements = transaction(&work, &draw, &mut fastrand::Rng::with_seed(1));
        assert!(
            statements[2].1.contains(
                "s.code || '-9', gen_random_uuid() FROM app.users AS s WHERE s.id = 'it''s'"
            ),
            "{}",
            statements[2].1
        );
    }
}
