//! Growing each touched table of the scratch database to the traffic size by copying its own
//! rows (`INSERT … SELECT` over `generate_series`), with fresh values in its unique keys, so that
//! the plan's statements meet tables of a realistic size and the clients have rows to work on.
//! Foreign-key columns keep the copied values, which still find their referenced rows.

use tokio_postgres::Client;

use crate::schema::{Schema, Table, TableRef};
use crate::source::postgres::server_message;
use crate::sql::{quote_ident, quote_qualified};

use super::super::VerifyError;
use super::figures::TrafficSetup;
use super::keys::{Fresh, Uniqueness, numbered, uniqueness};

/// Grows every table of `touched` to `rows` rows where it can, and says why where it cannot.
///
/// # Errors
/// [`VerifyError::Scratch`] when a table's rows cannot be counted; a table that cannot be grown
/// is a note in the setup, not an error.
pub async fn grow(
    scratch: &Client,
    schemas: (&Schema, &Schema),
    touched: &[TableRef],
    rows: u64,
    progress: &mut dyn FnMut(&str),
) -> Result<TrafficSetup, VerifyError> {
    let (live, desired) = schemas;
    let mut setup = TrafficSetup {
        rows,
        ..TrafficSetup::default()
    };
    for table in touched {
        let Some(definition) = live.table(table) else {
            continue;
        };
        let have = count(scratch, table).await?;
        let definitions: Vec<&Table> = [live, desired]
            .iter()
            .filter_map(|schema| schema.table(table))
            .collect();
        let unique = uniqueness(definition, &definitions);
        let why_not = if have == 0 {
            Some("it has no rows to copy".to_owned())
        } else if have >= rows {
            None
        } else if let Some(why) = unique.impossible.clone() {
            Some(format!("copied rows cannot be made unique: {why}"))
        } else {
            progress(&format!("growing {table} from {have} to {rows} rows"));
            let sql = grow_statement(table, definition, &unique, have, rows - have);
            let grown = scratch.batch_execute(&sql).await;
            let analyzed = match grown {
                Ok(()) => {
                    let name = quote_qualified(&table.schema, &table.name);
                    scratch.batch_execute(&format!("ANALYZE {name}")).await
                }
                Err(error) => Err(error),
            };
            analyzed.err().map(|error| server_message(&error))
        };
        match why_not {
            Some(why) => setup.not_grown.push((table.clone(), why)),
            None => setup.grown.push((table.clone(), have.max(rows))),
        }
    }
    Ok(setup)
}

async fn count(scratch: &Client, table: &TableRef) -> Result<u64, VerifyError> {
    let name = quote_qualified(&table.schema, &table.name);
    let row = scratch
        .query_one(&format!("SELECT count(*) FROM {name}"), &[])
        .await
        .map_err(|error| VerifyError::Scratch {
            action: format!("counting the rows of {table}"),
            message: server_message(&error),
        })?;
    Ok(u64::try_from(row.get::<_, i64>(0)).unwrap_or_default())
}

/// The `INSERT` that adds `need` copies of the `have` rows of `table`: every column copied but
/// identity and generated columns and the unique keys, which get fresh values numbered by
/// `row_number()`.
#[must_use]
pub fn grow_statement(
    table: &TableRef,
    definition: &Table,
    unique: &Uniqueness,
    have: u64,
    need: u64,
) -> String {
    let name = quote_qualified(&table.schema, &table.name);
    let mut columns = Vec::new();
    let mut values = Vec::new();
    let filled = definition
        .columns
        .iter()
        .filter(|c| c.generated.is_none() && c.identity.is_none());
    for column in filled {
        let ident = quote_ident(&column.name);
        let value = match unique.fresh.get(column.name.as_str()) {
            Some(Fresh::Omit) => continue,
            None => format!("x.{ident}"),
            Some(Fresh::Above) => format!(
                "(SELECT coalesce(max(m.{ident}), 0) FROM {name} AS m) + row_number() OVER ()"
            ),
            Some(Fresh::Suffix) => format!("x.{ident} || '-' || row_number() OVER ()"),
            Some(Fresh::Numbered { width }) => numbered("row_number() OVER ()", *width),
            Some(Fresh::Uuid) => "gen_random_uuid()".to_owned(),
        };
        columns.push(ident);
        values.push(value);
    }
    let copies = need.div_ceil(have.max(1));
    format!(
        "INSERT INTO {name} ({}) SELECT {} FROM {name} AS x CROSS JOIN generate_series(1, \
         {copies}) LIMIT {need}",
        columns.join(", "),
        values.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Column, Deferral, Identity, PrimaryKey, Unique};

    #[test]
    fn copies_keep_values_but_the_keys_which_count_up() {
        let mut id = Column::new("id", "integer");
        id.identity = Some(Identity::ByDefault);
        let mut total = Column::new("total", "numeric");
        total.generated = Some("(price * 2)".to_owned());
        let table = Table {
            columns: vec![
                id,
                Column::new("sku", "integer"),
                Column::new("Code", "text"),
                Column::new("price", "numeric"),
                total,
            ],
            primary_key: Some(PrimaryKey {
                name: "p_pkey".into(),
                columns: vec!["id".to_owned()],
                include: Vec::new(),
                deferral: Deferral::NotDeferrable,
            }),
            unique: vec![Unique {
                name: "p_key".into(),
                columns: vec!["sku".to_owned(), "Code".to_owned()],
                include: Vec::new(),
                nulls_not_distinct: false,
                deferral: Deferral::NotDeferrable,
            }],
            ..Table::default()
        };
        let unique = uniqueness(&table, &[&table]);
        assert_eq!(
            grow_statement(&TableRef::new("app", "p"), &table, &unique, 3, 7),
            "INSERT INTO app.p (sku, \"Code\", price) SELECT (SELECT coalesce(max(m.sku), 0) \
             FROM app.p AS m) + row_number() OVER (), x.\"Code\" || '-' || row_number() OVER (), \
             x.price FROM app.p AS x CROSS JOIN generate_series(1, 3) LIMIT 7"
        );
    }
}
