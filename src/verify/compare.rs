//! What differs between two schemas, as lines for the report: the diff's changes, or, when the
//! diff finds none but the models are not equal, the objects whose models differ (so that no
//! difference passes unseen while the diff does not yet cover some object).

use std::collections::BTreeMap;
use std::fmt::Debug;

use crate::diff;
use crate::schema::{Namespace, Schema, Table};
use crate::source::postgres::Stats;

/// The differences that turn `actual` into `expected`; empty when they are the same schema.
#[must_use]
pub fn differences(actual: &Schema, expected: &Schema) -> Vec<String> {
    if actual == expected {
        return Vec::new();
    }
    let changes = diff::diff(actual, expected, &Stats::default());
    if !changes.is_empty() {
        return changes
            .iter()
            .map(|change| format!("{} {}", change.kind(), change.object()))
            .collect();
    }
    model_differences(actual, expected)
}

/// The objects whose models differ, named with their kind.
#[must_use]
pub fn model_differences(actual: &Schema, expected: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    by_name(
        &mut out,
        "extension",
        "",
        &actual.extensions,
        &expected.extensions,
    );
    presence(
        &mut out,
        "schema",
        "",
        &actual.namespaces,
        &expected.namespaces,
    );
    for (name, want) in &expected.namespaces {
        if let Some(have) = actual.namespaces.get(name) {
            namespace(&mut out, name, have, want);
        }
    }
    out
}

fn namespace(out: &mut Vec<String>, name: &str, have: &Namespace, want: &Namespace) {
    let prefix = format!("{name}.");
    if have.comment != want.comment {
        out.push(format!("schema {name}: comment differs"));
    }
    by_name(out, "enum", &prefix, &have.enums, &want.enums);
    by_name(out, "domain", &prefix, &have.domains, &want.domains);
    by_name(
        out,
        "type",
        &prefix,
        &have.composite_types,
        &want.composite_types,
    );
    by_name(out, "sequence", &prefix, &have.sequences, &want.sequences);
    presence(out, "table", &prefix, &have.tables, &want.tables);
    for (table, wanted) in &want.tables {
        if let Some(had) = have.tables.get(table) {
            table_differences(out, &format!("{prefix}{table}"), had, wanted);
        }
    }
    by_name(out, "view", &prefix, &have.views, &want.views);
    by_name(out, "function", &prefix, &have.functions, &want.functions);
    by_name(out, "operator", &prefix, &have.operators, &want.operators);
}

/// Objects missing, unexpected, or different.
fn by_name<T: PartialEq + Debug>(
    out: &mut Vec<String>,
    kind: &str,
    prefix: &str,
    have: &BTreeMap<String, T>,
    want: &BTreeMap<String, T>,
) {
    presence(out, kind, prefix, have, want);
    for (name, wanted) in want {
        if have.get(name).is_some_and(|had| had != wanted) {
            out.push(format!("{kind} {prefix}{name}: differs"));
        }
    }
}

fn presence<T>(
    out: &mut Vec<String>,
    kind: &str,
    prefix: &str,
    have: &BTreeMap<String, T>,
    want: &BTreeMap<String, T>,
) {
    for name in want.keys().filter(|name| !have.contains_key(*name)) {
        out.push(format!("{kind} {prefix}{name}: missing"));
    }
    for name in have.keys().filter(|name| !want.contains_key(*name)) {
        out.push(format!("{kind} {prefix}{name}: unexpected"));
    }
}

fn table_differences(out: &mut Vec<String>, name: &str, have: &Table, want: &Table) {
    if have == want || same_up_to_column_order(have, want) {
        return;
    }
    let before = out.len();
    for column in &want.columns {
        match have.column(&column.name) {
            None => out.push(format!("table {name}: column {} missing", column.name)),
            Some(had) if had != column => {
                out.push(format!("table {name}: column {} differs", column.name));
            }
            Some(_) => {}
        }
    }
    for column in have
        .columns
        .iter()
        .filter(|c| want.column(&c.name).is_none())
    {
        out.push(format!("table {name}: column {} unexpected", column.name));
    }
    let parts: [(&str, bool); 8] = [
        ("primary key", have.primary_key != want.primary_key),
        ("unique constraints", have.unique != want.unique),
        ("foreign keys", have.foreign_keys != want.foreign_keys),
        ("checks", have.checks != want.checks),
        ("exclusions", have.exclusions != want.exclusions),
        ("indexes", have.indexes != want.indexes),
        ("triggers", have.triggers != want.triggers),
        ("row security", have.row_security != want.row_security),
    ];
    for (part, differs) in parts {
        if differs {
            out.push(format!("table {name}: {part} differ"));
        }
    }
    if out.len() == before {
        out.push(format!("table {name}: differs"));
    }
}

/// Whether two tables differ only in the order of their columns: a column replaced by a
/// synced copy (a retype, a rename) ends up last, which no statement can undo short of
/// rebuilding the table, and which the diff does not count as a difference either.
fn same_up_to_column_order(have: &Table, want: &Table) -> bool {
    let sorted = |table: &Table| {
        let mut table = table.clone();
        table.columns.sort_by(|a, b| a.name.cmp(&b.name));
        table
    };
    sorted(have) == sorted(want)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Check, Column};

    fn with_table(table: Table) -> Schema {
        let mut schema = Schema::default();
        schema
            .namespaces
            .entry("app".to_owned())
            .or_default()
            .tables
            .insert("t".to_owned(), table);
        schema
    }

    fn table(columns: &[(&str, &str)]) -> Table {
        Table {
            columns: columns.iter().map(|(n, t)| Column::new(*n, *t)).collect(),
            ..Table::default()
        }
    }

    #[test]
    fn equal_schemas_have_no_differences() {
        let schema = with_table(table(&[("id", "bigint")]));
        assert!(differences(&schema, &schema.clone()).is_empty());
    }

    #[test]
    fn columns_missing_unexpected_and_changed_are_named() {
        let actual = with_table(table(&[("id", "integer"), ("old", "text")]));
        let expected = with_table(table(&[("id", "bigint"), ("new", "text")]));
        assert_eq!(
            model_differences(&actual, &expected),
            vec![
                "table app.t: column id differs",
                "table app.t: column new missing",
                "table app.t: column old unexpected",
            ]
        );
    }

    #[test]
    fn constraints_and_whole_objects_are_named() {
        let mut checked = table(&[("id", "bigint")]);
        checked.checks.push(Check {
            name: "t_id_check".to_owned(),
            expression: "(id > 0)".to_owned(),
            no_inherit: false,
            valid: true,
        });
        let actual = with_table(table(&[("id", "bigint")]));
        let mut expected = with_table(checked);
        expected
            .namespaces
            .insert("extra".to_owned(), Namespace::default());
        assert_eq!(
            model_differences(&actual, &expected),
            vec!["schema extra: missing", "table app.t: checks differ"]
        );
        assert_eq!(
            model_differences(&expected, &actual),
            vec!["schema extra: unexpected", "table app.t: checks differ"]
        );
    }

    #[test]
    fn column_order_alone_is_no_difference_but_a_changed_column_still_is() {
        let expected = with_table(table(&[("id", "bigint"), ("name", "text")]));
        let reordered = with_table(table(&[("name", "text"), ("id", "bigint")]));
        assert!(differences(&reordered, &expected).is_empty());
        let retyped = with_table(table(&[("name", "varchar"), ("id", "bigint")]));
        assert_eq!(
            model_differences(&retyped, &expected),
            vec!["table app.t: column name differs"]
        );
    }
}
