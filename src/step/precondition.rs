//! A precondition a rule asks for: the rows that would make a change's chosen path fail (NULLs
//! before NOT NULL, duplicated keys before a unique key, orphans before a foreign key is
//! validated, values a cast rejects, rows holding a dropped enum label), as a count and a query
//! listing them. The planner gathers them into the plan's read-only first file.

use crate::decide::ChangeId;
use crate::schema::{ForeignKey, TableRef};
use crate::source::postgres::facts::{duplicates_sql, label_rows_sql, nulls_sql, orphans_sql};
use crate::sql::{quote_ident, quote_literal, quote_qualified};

/// One check: the rows that would make a change's chosen path fail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub change: ChangeId,
    /// What the offending rows are, for the message (`rows where orders.note is NULL`).
    pub what: String,
    /// PL/pgSQL that sets `offending` to the number of offending rows.
    pub count: String,
    /// A query listing the offending rows, for the message.
    pub list: String,
}

/// `  SELECT n INTO offending FROM (<count>) AS counted(n);`: the first column of a counting
/// query into `offending`.
fn into_offending(count: &str) -> String {
    format!("  SELECT n INTO offending FROM ({count}) AS counted(n);")
}

/// Rows where `column` is NULL.
#[must_use]
pub fn nulls(id: &ChangeId, table: &TableRef, column: &str) -> Check {
    let count = nulls_sql(table, column);
    Check {
        change: id.clone(),
        what: format!("rows where {}.{column} is NULL", table.name),
        list: count.replacen("count(*)", "*", 1),
        count: into_offending(&count),
    }
}

/// Rows sharing their `columns` with another row (`nulls_equal`: NULLs count as equal).
#[must_use]
pub fn duplicates(id: &ChangeId, table: &TableRef, columns: &[String], nulls_equal: bool) -> Check {
    let key = columns
        .iter()
        .map(|c| quote_ident(c))
        .collect::<Vec<_>>()
        .join(", ");
    Check {
        change: id.clone(),
        what: format!(
            "rows of {} sharing their ({}) with another row",
            table.name,
            columns.join(", ")
        ),
        list: format!(
            "SELECT {key}, count(*) FROM {} GROUP BY {key} HAVING count(*) > 1",
            quote_qualified(&table.schema, &table.name)
        ),
        count: into_offending(&duplicates_sql(table, columns, nulls_equal)),
    }
}

/// Values of `column` that a cast to `to_type` rejects.
#[must_use]
pub fn casts(id: &ChangeId, table: &TableRef, column: &str, to_type: &str) -> Check {
    let target = quote_qualified(&table.schema, &table.name);
    let name = quote_ident(column);
    // One scan casting every value; only when one fails, a count row by row.
    let count = format!(
        "  BEGIN\n    PERFORM count(({name})::{to_type}) FROM {target};\n  EXCEPTION WHEN \
         data_exception THEN\n    FOR r IN SELECT {name} AS v FROM {target} WHERE {name} IS NOT \
         NULL LOOP\n      BEGIN\n        PERFORM (r.v)::{to_type};\n      EXCEPTION WHEN \
         data_exception THEN\n        offending := offending + 1;\n      END;\n    END LOOP;\n  \
         END;"
    );
    Check {
        change: id.clone(),
        what: format!(
            "values of {}.{column} that do not convert to {to_type}",
            table.name
        ),
        // No query can catch a failing cast before PostgreSQL 16 (`pg_input_is_valid`): a
        // block that names each row as a NOTICE works on every version.
        list: format!(
            "DO $list$ DECLARE r record; BEGIN FOR r IN SELECT ctid, {name} AS v FROM {target} \
             WHERE {name} IS NOT NULL LOOP BEGIN PERFORM (r.v)::{to_type}; EXCEPTION WHEN \
             data_exception THEN RAISE NOTICE 'row % holds %', r.ctid, r.v; END; END LOOP; END \
             $list$"
        ),
        count,
    }
}

/// Rows whose `column` holds one of the `dropped` enum labels (values and arrays).
#[must_use]
pub fn labels(id: &ChangeId, (table, column): &(TableRef, String), dropped: &[String]) -> Check {
    let count = label_rows_sql(&[(table.clone(), column.clone())], dropped);
    let shown: Vec<String> = dropped.iter().map(|label| quote_literal(label)).collect();
    let target = quote_qualified(&table.schema, &table.name);
    let wanted: Vec<String> = dropped
        .iter()
        .map(|label| format!("to_jsonb({}::text)", quote_literal(label)))
        .collect();
    Check {
        change: id.clone(),
        what: format!(
            "rows of {} whose {column} holds {}",
            table.name,
            shown.join(", ")
        ),
        list: format!(
            "SELECT * FROM {target} WHERE to_jsonb({}) @> ANY (ARRAY[{}])",
            quote_ident(column),
            wanted.join(", ")
        ),
        count: into_offending(&count),
    }
}

/// Rows of `table` whose foreign key `key` finds no referenced row.
#[must_use]
pub fn orphans(id: &ChangeId, table: &TableRef, key: &ForeignKey) -> Check {
    let count = orphans_sql(
        table,
        &key.columns,
        &key.references,
        &key.referenced_columns,
    );
    Check {
        change: id.clone(),
        what: format!(
            "rows of {} whose key {} lacks",
            table.name, key.references.name
        ),
        list: count.replacen("count(*)", "c.*", 1),
        count: into_offending(&count),
    }
}
