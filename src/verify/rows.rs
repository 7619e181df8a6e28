//! Rows in untouched columns: per table that the live and desired schemas share, a checksum
//! over the columns defined the same in both, taken on the scratch database before the first
//! file and after the last. Tables a plan statement deletes from or truncates are skipped;
//! columns a plan UPDATE assigns, and columns of an enum whose labels were renamed or removed,
//! are not compared.

use tokio_postgres::Client;

use crate::schema::{Column, Schema, Table, TableRef};
use crate::source::postgres::server_message;
use crate::sql::{quote_ident, quote_qualified};

use super::VerifyError;
use super::plan_dir::PlanJson;

/// A table's rows in its untouched columns: how many, and the md5 of their sorted text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checksum {
    pub table: TableRef,
    pub rows: i64,
    pub md5: String,
}

/// The tables to compare, with their columns; and the tables skipped, with why.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    pub tables: Vec<(TableRef, Vec<String>)>,
    pub skipped: Vec<(TableRef, String)>,
}

/// Which tables and columns to compare: every table of `live` (partitions through their
/// parent) that `desired` has too, over the columns with the same type, collation,
/// nullability and generation expression in both.
#[must_use]
pub fn select(live: &Schema, desired: &Schema, plan: &PlanJson) -> Selection {
    let mut selection = Selection::default();
    for (ns_name, ns) in &live.namespaces {
        for (name, table) in &ns.tables {
            if table.partition_of.is_some() {
                continue;
            }
            let table_ref = TableRef::new(ns_name.clone(), name.clone());
            let Some(wanted) = desired.table(&table_ref) else {
                continue;
            };
            if deletes_from(plan, &table_ref) {
                selection
                    .skipped
                    .push((table_ref, "a plan statement deletes from it".to_owned()));
                continue;
            }
            let columns: Vec<String> = untouched_columns(table, wanted)
                .into_iter()
                .filter(|column| {
                    !relabelled_enum(live, desired, table, column)
                        && !updates_column(plan, &table_ref, column)
                })
                .collect();
            if !columns.is_empty() {
                selection.tables.push((table_ref, columns));
            }
        }
    }
    selection
}

fn untouched_columns(live: &Table, desired: &Table) -> Vec<String> {
    live.columns
        .iter()
        .filter(|column| {
            desired
                .column(&column.name)
                .is_some_and(|wanted| same_data(column, wanted))
        })
        .map(|column| column.name.to_string())
        .collect()
}

/// Whether a column's stored values cannot change between the two definitions (a changed
/// default or comment changes no row; a new NOT NULL may come with a backfill).
fn same_data(live: &Column, desired: &Column) -> bool {
    live.data_type == desired.data_type
        && live.collation == desired.collation
        && live.nullable == desired.nullable
        && live.generated == desired.generated
}

/// Whether `column` of `table` has an enum type some of whose live labels `desired` no longer
/// has (renamed or removed): its stored values read differently afterwards.
fn relabelled_enum(live: &Schema, desired: &Schema, table: &Table, column: &str) -> bool {
    let Some(data_type) = table.column(column).map(|c| c.data_type.as_str()) else {
        return false;
    };
    let base = data_type.trim_end_matches("[]");
    let (schema, name) = base
        .split_once('.')
        .map_or((None, base), |(schema, name)| (Some(schema), name));
    let unquote = |text: &str| text.trim_matches('"').replace("\"\"", "\"");
    let (schema, name) = (schema.map(unquote), unquote(name));
    live.namespaces
        .iter()
        .filter(|(ns_name, _)| schema.as_ref().is_none_or(|s| s == *ns_name))
        .filter_map(|(ns_name, ns)| Some((ns_name, ns.enums.get(&name)?)))
        .any(|(ns_name, before)| {
            let after = desired
                .namespaces
                .get(ns_name)
                .and_then(|ns| ns.enums.get(&name));
            after.is_none_or(|after| before.labels.iter().any(|l| !after.labels.contains(l)))
        })
}

/// Whether a plan `UPDATE` of `table`, made for a change of that table (a backfill the user
/// chose, like setting orphans' keys to NULL), assigns `column` in its SET list. An UPDATE made
/// for anything else does not excuse a changed value.
fn updates_column(plan: &PlanJson, table: &TableRef, column: &str) -> bool {
    let column = quote_ident(column).to_ascii_lowercase();
    let prefixes: Vec<String> = table_names(table)
        .iter()
        .map(|name| format!("update {name} set "))
        .collect();
    let own_change = format!("{table}.");
    normalized_statements_of(plan, &own_change).any(|sql| {
        prefixes.iter().any(|prefix| {
            sql.match_indices(prefix.as_str()).any(|(at, _)| {
                let rest = &sql[at + prefix.len()..];
                let set_list = rest.split(" where ").next().unwrap_or(rest);
                set_list
                    .match_indices(&format!("{column} ="))
                    .any(|(at, _)| {
                        set_list[..at].chars().next_back().is_none_or(|before| {
                            !(before.is_alphanumeric() || before == '_' || before == '"')
                        })
                    })
            })
        })
    })
}

/// The names a statement may use for `table`, lowercased.
fn table_names(table: &TableRef) -> Vec<String> {
    let mut names = vec![quote_qualified(&table.schema, &table.name)];
    if table.schema == "public" {
        names.push(quote_ident(&table.name));
    }
    names.iter().map(|n| n.to_ascii_lowercase()).collect()
}

/// The plan's statements, whitespace collapsed and lowercased.
/// The statements of changes whose id starts with `change_prefix`, normalised as
/// [`normalized_statements`] does.
fn normalized_statements_of<'a>(
    plan: &'a PlanJson,
    change_prefix: &'a str,
) -> impl Iterator<Item = String> + 'a {
    plan.files
        .iter()
        .flat_map(|f| &f.statements)
        .filter(move |statement| statement.change.starts_with(change_prefix))
        .map(|statement| normalize(&statement.sql))
}

fn normalize(sql: &str) -> String {
    sql.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_lowercase()
}

fn normalized_statements(plan: &PlanJson) -> impl Iterator<Item = String> + '_ {
    plan.files
        .iter()
        .flat_map(|f| &f.statements)
        .map(|statement| {
            statement
                .sql
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_ascii_lowercase()
        })
}

/// Whether a statement of the plan deletes from or truncates `table`.
fn deletes_from(plan: &PlanJson, table: &TableRef) -> bool {
    let names = table_names(table);
    let patterns: Vec<String> = names
        .iter()
        .flat_map(|name| {
            [
                format!("delete from {name}"),
                format!("delete from only {name}"),
                format!("truncate {name}"),
                format!("truncate table {name}"),
                format!("truncate only {name}"),
                format!("truncate table only {name}"),
            ]
        })
        .collect();
    normalized_statements(plan)
        .any(|sql| patterns.iter().any(|pattern| ends_name_at(&sql, pattern)))
}

/// Whether `pattern` occurs in `sql` followed by something that ends a name.
fn ends_name_at(sql: &str, pattern: &str) -> bool {
    sql.match_indices(pattern).any(|(at, _)| {
        sql[at + pattern.len()..].chars().next().is_none_or(|next| {
            !(next.is_alphanumeric() || next == '_' || next == '$' || next == '.')
        })
    })
}

/// The query that returns a table's row count and the md5 of its rows' text over `columns`,
/// sorted so that the physical order of rows does not matter.
#[must_use]
pub fn checksum_query(table: &TableRef, columns: &[String]) -> String {
    let list: Vec<String> = columns.iter().map(|c| quote_ident(c)).collect();
    format!(
        "SELECT count(*)::bigint, md5(coalesce(string_agg(r, E'\\n' ORDER BY r), '')) \
         FROM (SELECT ROW({})::text AS r FROM {}) AS rows",
        list.join(", "),
        quote_qualified(&table.schema, &table.name)
    )
}

/// The checksums of the selected tables on `client`.
///
/// # Errors
/// [`VerifyError::Scratch`] when a checksum query fails.
pub async fn checksums(
    client: &Client,
    selection: &Selection,
) -> Result<Vec<Checksum>, VerifyError> {
    let mut out = Vec::new();
    for (table, columns) in &selection.tables {
        let row = client
            .query_one(&checksum_query(table, columns), &[])
            .await
            .map_err(|error| VerifyError::Scratch {
                action: format!("checksumming the rows of {table}"),
                message: server_message(&error),
            })?;
        out.push(Checksum {
            table: table.clone(),
            rows: row.get(0),
            md5: row.get(1),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::verify::plan_dir::{FileKind, PlanFile, Sql};

    fn plan(sql: &[&str]) -> PlanJson {
        plan_for("app.t.t_a_fkey", sql)
    }

    fn plan_for(change: &str, sql: &[&str]) -> PlanJson {
        PlanJson {
            format: 1,
            name: "p".to_owned(),
            files: vec![PlanFile {
                name: "01-backfill".to_owned(),
                phase: None,
                kind: FileKind::Transaction,
                lock_timeout_ms: 0,
                statement_timeout_ms: 0,
                budget_ms: 0,
                statements: sql
                    .iter()
                    .map(|s| Sql {
                        sql: (*s).to_owned(),
                        change: change.to_owned(),
                    })
                    .collect(),
                rollback: Vec::new(),
                rollback_warnings: Vec::new(),
                gates: Vec::new(),
            }],
        }
    }

    fn schema(tables: &[(&str, Table)]) -> Schema {
        let mut schema = Schema::default();
        let ns = schema.namespaces.entry("app".to_owned()).or_default();
        for (name, table) in tables {
            ns.tables.insert((*name).to_owned(), table.clone());
        }
        schema
    }

    fn table(columns: Vec<Column>) -> Table {
        Table {
            columns,
            ..Table::default()
        }
    }

    #[test]
    fn the_query_sorts_row_texts_and_quotes_names() {
        let query = checksum_query(
            &TableRef::new("app", "Order Lines"),
            &["id".to_owned(), "Total".to_owned()],
        );
        assert_eq!(
            query,
            "SELECT count(*)::bigint, md5(coalesce(string_agg(r, E'\\n' ORDER BY r), '')) FROM \
             (SELECT ROW(id, \"Total\")::text AS r FROM app.\"Order Lines\") AS rows"
        );
    }

    #[test]
    fn only_columns_defined_alike_are_compared() {
        let mut not_null = Column::new("b", "text");
        not_null.nullable = false;
        let mut defaulted = Column::new("c", "text");
        defaulted.default = Some("'x'::text".into());
        let live = schema(&[(
            "t",
            table(vec![
                Column::new("a", "integer"),
                Column::new("b", "text"),
                Column::new("c", "text"),
                Column::new("gone", "text"),
            ]),
        )]);
        let desired = schema(&[(
            "t",
            table(vec![Column::new("a", "bigint"), not_null, defaulted]),
        )]);
        let selection = select(&live, &desired, &plan(&[]));
        assert_eq!(
            selection.tables,
            vec![(TableRef::new("app", "t"), vec!["c".to_owned()])]
        );
    }

    #[test]
    fn tables_a_statement_deletes_from_are_skipped_others_not() {
        let live = schema(&[
            ("t", table(vec![Column::new("a", "integer")])),
            ("t2", table(vec![Column::new("a", "integer")])),
            ("u", table(vec![Column::new("a", "integer")])),
        ]);
        let plan = plan(&["DELETE FROM app.t WHERE a IS NULL", "truncate  TABLE app.u"]);
        let selection = select(&live, &live, &plan);
        let kept: Vec<&str> = selection
            .tables
            .iter()
            .map(|(t, _)| t.name.as_str())
            .collect();
        assert_eq!(kept, vec!["t2"]);
        let skipped: Vec<&str> = selection
            .skipped
            .iter()
            .map(|(t, _)| t.name.as_str())
            .collect();
        assert_eq!(skipped, vec!["t", "u"]);
    }

    #[test]
    fn columns_an_update_assigns_are_not_compared() {
        let live = schema(&[(
            "t",
            table(vec![
                Column::new("a", "integer"),
                Column::new("ab", "integer"),
                Column::new("b", "integer"),
            ]),
        )]);
        let plan = plan(&["UPDATE app.t SET a = NULL WHERE b = 1 AND ab = 2"]);
        let selection = select(&live, &live, &plan);
        assert_eq!(
            selection.tables,
            vec![(
                TableRef::new("app", "t"),
                vec!["ab".to_owned(), "b".to_owned()]
            )]
        );
    }

    #[test]
    fn an_update_made_for_another_object_does_not_excuse_a_change() {
        let live = schema(&[("t", table(vec![Column::new("a", "integer")]))]);
        let plan = plan_for("app.other.x", &["UPDATE app.t SET a = NULL"]);
        let selection = select(&live, &live, &plan);
        assert_eq!(
            selection.tables,
            vec![(TableRef::new("app", "t"), vec!["a".to_owned()])]
        );
    }

    #[test]
    fn columns_of_an_enum_with_a_renamed_label_are_not_compared() {
        let enum_of = |labels: &[&str]| crate::schema::Enum {
            labels: labels.iter().map(|l| (*l).to_owned()).collect(),
            comment: None,
        };
        let mut live = schema(&[(
            "t",
            table(vec![
                Column::new("s", "app.mood"),
                Column::new("a", "integer"),
            ]),
        )]);
        let mut desired = live.clone();
        let mut added = live.clone();
        live.namespaces
            .get_mut("app")
            .unwrap()
            .enums
            .insert("mood".to_owned(), enum_of(&["ok", "sad"]));
        desired
            .namespaces
            .get_mut("app")
            .unwrap()
            .enums
            .insert("mood".to_owned(), enum_of(&["ok", "blue"]));
        added
            .namespaces
            .get_mut("app")
            .unwrap()
            .enums
            .insert("mood".to_owned(), enum_of(&["ok", "sad", "new"]));
        let renamed = select(&live, &desired, &plan(&[]));
        assert_eq!(
            renamed.tables,
            vec![(TableRef::new("app", "t"), vec!["a".to_owned()])]
        );
        let kept = select(&live, &added, &plan(&[]));
        assert_eq!(
            kept.tables,
            vec![(
                TableRef::new("app", "t"),
                vec!["s".to_owned(), "a".to_owned()]
            )]
        );
    }

    #[test]
    fn tables_not_in_the_desired_schema_are_not_compared() {
        let live = schema(&[("t", table(vec![Column::new("a", "integer")]))]);
        let selection = select(&live, &Schema::default(), &plan(&[]));
        assert!(selection.tables.is_empty() && selection.skipped.is_empty());
    }
}
