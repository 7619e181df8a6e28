//! The scratch database built from the live one: its schema through `ddl::create_statements`
//! with the foreign keys held back, up to N sample rows per table copied from live with `COPY`
//! (generated columns left out, partitions filled through their parent), the rows that would
//! break a foreign key deleted (repeatedly, as deleting a child can orphan its own children),
//! then the foreign keys added and the sequences set past the copied values.
//!
//! Holding the foreign keys back works without superuser rights and whatever order tables
//! reference each other in; when the scratch role is a superuser, the user's triggers are also
//! kept quiet while loading (`session_replication_role = replica`). Views need no rows;
//! materialized views keep the (empty) contents they were created with.

use futures_util::{SinkExt, TryStreamExt, pin_mut};
use tokio_postgres::Client;

use crate::ddl;
use crate::schema::{FkMatch, ForeignKey, Schema, Table, TableRef};
use crate::source::postgres::server_message;
use crate::sql::{quote_ident, quote_qualified};

use super::VerifyError;

/// Rounds of orphan deletion before giving up (each round removes at least one row).
const MAX_ORPHAN_ROUNDS: usize = 1_000;

/// What the sample holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sample {
    pub tables: usize,
    /// Rows copied from live.
    pub rows_copied: u64,
    /// Rows deleted because a foreign key's referenced row was not in the sample.
    pub orphans_deleted: u64,
}

/// The schema's statements, split: everything but the foreign keys, then the foreign keys.
#[must_use]
pub fn statements_with_foreign_keys_last(schema: &Schema) -> (Vec<String>, Vec<String>) {
    let foreign_keys: Vec<String> = tables(schema)
        .flat_map(|(table, t)| {
            let target = quote_qualified(&table.schema, &table.name);
            t.foreign_keys
                .iter()
                .map(move |fk| ddl::add_foreign_key(&target, fk))
        })
        .collect();
    let rest = ddl::create_statements(schema)
        .into_iter()
        .filter(|statement| !foreign_keys.contains(statement))
        .collect();
    (rest, foreign_keys)
}

/// The tables rows are copied into: every table but partitions (filled through the parent).
fn tables(schema: &Schema) -> impl Iterator<Item = (TableRef, &Table)> {
    schema.namespaces.iter().flat_map(|(ns_name, ns)| {
        ns.tables
            .iter()
            .filter(|(_, t)| t.partition_of.is_none())
            .map(move |(name, t)| (TableRef::new(ns_name.clone(), name.clone()), t))
    })
}

/// Builds `schema` with its sample rows in the empty database `scratch` is connected to.
///
/// # Errors
/// [`VerifyError::Scratch`] when a statement fails there, [`VerifyError::Sample`] when rows
/// cannot be copied.
pub async fn build(
    live: &Client,
    scratch: &Client,
    schema: &Schema,
    rows_per_table: u64,
    progress: &mut dyn FnMut(&str),
) -> Result<Sample, VerifyError> {
    let (statements, foreign_keys) = statements_with_foreign_keys_last(schema);
    progress(&format!(
        "creating the live schema ({} statements)",
        statements.len()
    ));
    for statement in &statements {
        run(scratch, statement, "creating the live schema").await?;
    }
    let quiet = is_superuser(scratch).await?;
    if quiet {
        run(scratch, "SET session_replication_role = replica", "loading").await?;
    }
    progress(&format!("copying up to {rows_per_table} rows per table"));
    let mut sample = copy_all(live, scratch, schema, rows_per_table).await?;
    sample.orphans_deleted = delete_orphans(scratch, schema).await?;
    if quiet {
        run(scratch, "RESET session_replication_role", "loading").await?;
    }
    for statement in &foreign_keys {
        run(scratch, statement, "adding the foreign keys").await?;
    }
    set_sequences(live, scratch, schema).await?;
    Ok(sample)
}

async fn run(client: &Client, sql: &str, action: &str) -> Result<(), VerifyError> {
    client
        .batch_execute(sql)
        .await
        .map_err(|error| VerifyError::Scratch {
            action: format!("{action}: {}", sql.chars().take(200).collect::<String>()),
            message: server_message(&error),
        })
}

async fn is_superuser(client: &Client) -> Result<bool, VerifyError> {
    let row = client
        .query_one(
            "SELECT rolsuper FROM pg_roles WHERE rolname = current_user",
            &[],
        )
        .await
        .map_err(|error| VerifyError::Scratch {
            action: "reading the scratch role".to_owned(),
            message: server_message(&error),
        })?;
    Ok(row.get(0))
}

async fn copy_all(
    live: &Client,
    scratch: &Client,
    schema: &Schema,
    rows_per_table: u64,
) -> Result<Sample, VerifyError> {
    let mut sample = Sample::default();
    // One snapshot for every table, so that the sample is consistent as far as LIMIT allows.
    let begin = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
    live.batch_execute(begin)
        .await
        .map_err(|error| copy_error(&TableRef::new("", ""), &error))?;
    for (table, t) in tables(schema) {
        let Some((out, into)) = copy_statements(&table, t, rows_per_table) else {
            continue;
        };
        sample.tables += 1;
        sample.rows_copied += copy_table(live, scratch, &table, &out, &into).await?;
    }
    live.batch_execute("COMMIT")
        .await
        .map_err(|error| copy_error(&TableRef::new("", ""), &error))?;
    Ok(sample)
}

/// `COPY (SELECT …) TO STDOUT` for live and `COPY … FROM STDIN` for scratch, over the
/// columns that are not generated, in primary-key order when there is one; `None` when the
/// table has no such column.
#[must_use]
pub fn copy_statements(table: &TableRef, t: &Table, limit: u64) -> Option<(String, String)> {
    let columns: Vec<String> = t
        .columns
        .iter()
        .filter(|c| c.generated.is_none())
        .map(|c| quote_ident(&c.name))
        .collect();
    if columns.is_empty() {
        return None;
    }
    let list = columns.join(", ");
    let name = quote_qualified(&table.schema, &table.name);
    let order = t.primary_key.as_ref().map_or_else(String::new, |pk| {
        let keys: Vec<String> = pk.columns.iter().map(|c| quote_ident(c)).collect();
        format!(" ORDER BY {}", keys.join(", "))
    });
    Some((
        format!("COPY (SELECT {list} FROM {name}{order} LIMIT {limit}) TO STDOUT"),
        format!("COPY {name} ({list}) FROM STDIN"),
    ))
}

async fn copy_table(
    live: &Client,
    scratch: &Client,
    table: &TableRef,
    out: &str,
    into: &str,
) -> Result<u64, VerifyError> {
    let source = live
        .copy_out(out)
        .await
        .map_err(|error| copy_error(table, &error))?;
    let sink = scratch
        .copy_in(into)
        .await
        .map_err(|error| copy_error(table, &error))?;
    pin_mut!(source);
    pin_mut!(sink);
    while let Some(chunk) = source
        .try_next()
        .await
        .map_err(|error| copy_error(table, &error))?
    {
        sink.send(chunk)
            .await
            .map_err(|error| copy_error(table, &error))?;
    }
    sink.finish()
        .await
        .map_err(|error| copy_error(table, &error))
}

fn copy_error(table: &TableRef, error: &tokio_postgres::Error) -> VerifyError {
    VerifyError::Sample {
        table: table.to_string(),
        message: server_message(error),
    }
}

/// The `DELETE` of the rows of `table` whose foreign key `fk` finds no referenced row (rows
/// the constraint does not check, with NULLs in the key, stay).
#[must_use]
pub fn orphan_delete(table: &TableRef, fk: &ForeignKey) -> String {
    let child = |c: &String| format!("c.{}", quote_ident(c));
    let checked = match fk.match_type {
        FkMatch::Simple => fk
            .columns
            .iter()
            .map(|c| format!("{} IS NOT NULL", child(c)))
            .collect::<Vec<_>>()
            .join(" AND "),
        FkMatch::Full => format!(
            "NOT ({})",
            fk.columns
                .iter()
                .map(|c| format!("{} IS NULL", child(c)))
                .collect::<Vec<_>>()
                .join(" AND ")
        ),
    };
    let joins: Vec<String> = fk
        .columns
        .iter()
        .zip(&fk.referenced_columns)
        .map(|(c, r)| format!("p.{} = {}", quote_ident(r), child(c)))
        .collect();
    format!(
        "DELETE FROM {} AS c WHERE {checked} AND NOT EXISTS (SELECT FROM {} AS p WHERE {})",
        quote_qualified(&table.schema, &table.name),
        quote_qualified(&fk.references.schema, &fk.references.name),
        joins.join(" AND ")
    )
}

/// Deletes orphans until a round finds none; returns how many rows went.
async fn delete_orphans(scratch: &Client, schema: &Schema) -> Result<u64, VerifyError> {
    let deletes: Vec<String> = tables(schema)
        .flat_map(|(table, t)| {
            t.foreign_keys
                .iter()
                .filter(|fk| fk.valid)
                .map(move |fk| orphan_delete(&table, fk))
        })
        .collect();
    let mut total = 0;
    for _ in 0..MAX_ORPHAN_ROUNDS {
        let mut round = 0;
        for delete in &deletes {
            round += scratch
                .execute(delete.as_str(), &[])
                .await
                .map_err(|error| VerifyError::Scratch {
                    action: format!("deleting rows without a referenced row: {delete}"),
                    message: server_message(&error),
                })?;
        }
        total += round;
        if round == 0 {
            break;
        }
    }
    Ok(total)
}

/// Free-standing sequences take their live position; identity columns' sequences go past the
/// largest copied value.
async fn set_sequences(
    live: &Client,
    scratch: &Client,
    schema: &Schema,
) -> Result<(), VerifyError> {
    let failed = |action: String| {
        move |error: tokio_postgres::Error| VerifyError::Scratch {
            action,
            message: server_message(&error),
        }
    };
    for (ns_name, ns) in &schema.namespaces {
        for name in ns.sequences.keys() {
            let sequence = quote_qualified(ns_name, name);
            let row = live
                .query_one(
                    &format!("SELECT last_value, is_called FROM {sequence}"),
                    &[],
                )
                .await
                .map_err(failed(format!("reading the live sequence {sequence}")))?;
            let (value, called): (i64, bool) = (row.get(0), row.get(1));
            scratch
                .execute(
                    "SELECT setval($1::text::regclass, $2, $3)",
                    &[&sequence, &value, &called],
                )
                .await
                .map_err(failed(format!("setting the sequence {sequence}")))?;
        }
    }
    for (table, t) in tables(schema) {
        let name = quote_qualified(&table.schema, &table.name);
        for column in t.columns.iter().filter(|c| c.identity.is_some()) {
            let sql = format!(
                "SELECT setval(pg_get_serial_sequence($1, $2), m) FROM (SELECT max({})::bigint \
                 AS m FROM {name}) AS s WHERE m IS NOT NULL",
                quote_ident(&column.name)
            );
            scratch
                .execute(sql.as_str(), &[&name, &column.name.as_str()])
                .await
                .map_err(failed(format!(
                    "setting the identity of {table}.{}",
                    column.name
                )))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::schema::{Column, Deferral, FkAction, PrimaryKey};

    fn fk(columns: &[&str], match_type: FkMatch) -> ForeignKey {
        ForeignKey {
            name: "child_parent_fk".into(),
            columns: columns.iter().map(|c| (*c).to_owned()).collect(),
            references: TableRef::new("app", "parent"),
            referenced_columns: vec!["id".to_owned(), "Region".to_owned()]
                .into_iter()
                .take(columns.len())
                .collect(),
            on_delete: FkAction::NoAction,
            on_update: FkAction::NoAction,
            match_type,
            deferral: Deferral::NotDeferrable,
            valid: true,
        }
    }

    #[test]
    fn orphans_are_rows_whose_checked_key_finds_no_parent() {
        let child = TableRef::new("app", "child");
        assert_eq!(
            orphan_delete(&child, &fk(&["parent_id"], FkMatch::Simple)),
            "DELETE FROM app.child AS c WHERE c.parent_id IS NOT NULL AND NOT EXISTS \
             (SELECT FROM app.parent AS p WHERE p.id = c.parent_id)"
        );
        assert_eq!(
            orphan_delete(&child, &fk(&["a", "b"], FkMatch::Full)),
            "DELETE FROM app.child AS c WHERE NOT (c.a IS NULL AND c.b IS NULL) AND NOT EXISTS \
             (SELECT FROM app.parent AS p WHERE p.id = c.a AND p.\"Region\" = c.b)"
        );
    }

    #[test]
    fn copies_leave_out_generated_columns_and_follow_the_primary_key() {
        let mut total = Column::new("total", "numeric");
        total.generated = Some("(price * 2)".to_owned());
        let table = Table {
            columns: vec![
                Column::new("id", "bigint"),
                Column::new("price", "numeric"),
                total,
            ],
            primary_key: Some(PrimaryKey {
                name: "t_pkey".into(),
                columns: vec!["id".to_owned()],
                include: Vec::new(),
                deferral: Deferral::NotDeferrable,
            }),
            ..Table::default()
        };
        let (out, into) = copy_statements(&TableRef::new("app", "t"), &table, 10).unwrap();
        assert_eq!(
            out,
            "COPY (SELECT id, price FROM app.t ORDER BY id LIMIT 10) TO STDOUT"
        );
        assert_eq!(into, "COPY app.t (id, price) FROM STDIN");
        assert!(copy_statements(&TableRef::new("app", "t"), &Table::default(), 10).is_none());
    }

    #[test]
    fn foreign_keys_are_split_off_the_create_statements() {
        let mut schema = Schema::default();
        let ns = schema.namespaces.entry("app".to_owned()).or_default();
        let parent = Table {
            columns: vec![Column::new("id", "bigint")],
            primary_key: Some(PrimaryKey {
                name: "parent_pkey".into(),
                columns: vec!["id".to_owned()],
                include: Vec::new(),
                deferral: Deferral::NotDeferrable,
            }),
            ..Table::default()
        };
        let child = Table {
            columns: vec![Column::new("parent_id", "bigint")],
            foreign_keys: vec![fk(&["parent_id"], FkMatch::Simple)],
            ..Table::default()
        };
        ns.tables.insert("parent".to_owned(), parent);
        ns.tables.insert("child".to_owned(), child);
        let all = ddl::create_statements(&schema);
        let (rest, foreign_keys) = statements_with_foreign_keys_last(&schema);
        assert_eq!(foreign_keys.len(), 1);
        assert!(foreign_keys[0].contains("FOREIGN KEY"));
        assert!(all.contains(&foreign_keys[0]));
        assert_eq!(rest.len() + 1, all.len());
        assert!(rest.iter().all(|s| !s.contains("FOREIGN KEY")));
    }
}
