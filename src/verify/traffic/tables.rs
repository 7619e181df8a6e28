//! The tables clients work on: every live table whose definition the desired schema changes
//! (or drops), and the tables those reference by foreign key or that reference them, so that
//! foreign-key checks meet traffic too. Partitions are reached through their parent. Pure.

use std::collections::BTreeSet;

use crate::schema::{Schema, Table, TableRef};

/// The touched tables of `live`, in name order.
#[must_use]
pub fn touched(live: &Schema, desired: &Schema) -> Vec<TableRef> {
    let changed: BTreeSet<TableRef> = tables(live)
        .filter(|(name, table)| {
            desired
                .table(name)
                .is_none_or(|wanted| !same_definition(table, wanted))
        })
        .map(|(name, _)| name)
        .collect();
    let mut out = changed.clone();
    for schema in [live, desired] {
        for (name, table) in tables(schema) {
            for fk in &table.foreign_keys {
                if changed.contains(&name) {
                    out.insert(fk.references.clone());
                }
                if changed.contains(&fk.references) {
                    out.insert(name.clone());
                }
            }
        }
    }
    out.into_iter()
        .filter(|name| live.table(name).is_some_and(|t| t.partition_of.is_none()))
        .collect()
}

/// Whether a foreign key of any table in `schemas` references `table` (rows there are never
/// deleted: the clients keep every referenced row they might copy).
#[must_use]
pub fn referenced(table: &TableRef, schemas: &[&Schema]) -> bool {
    schemas.iter().any(|schema| {
        tables(schema).any(|(_, t)| t.foreign_keys.iter().any(|fk| fk.references == *table))
    })
}

/// Every table of `schema` but partitions, with its name.
pub(super) fn tables(schema: &Schema) -> impl Iterator<Item = (TableRef, &Table)> {
    schema.namespaces.iter().flat_map(|(ns_name, ns)| {
        ns.tables
            .iter()
            .filter(|(_, t)| t.partition_of.is_none())
            .map(move |(name, t)| (TableRef::new(ns_name.clone(), name.clone()), t))
    })
}

/// The same table, rename hints aside (only the desired file carries them).
fn same_definition(live: &Table, desired: &Table) -> bool {
    if desired.renamed_from.is_none() && desired.columns.iter().all(|c| c.renamed_from.is_none()) {
        return live == desired;
    }
    let mut bare = desired.clone();
    bare.renamed_from = None;
    for column in &mut bare.columns {
        column.renamed_from = None;
    }
    *live == bare
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::schema::{Column, Deferral, FkAction, FkMatch, ForeignKey};

    fn schema(tables: &[(&str, Table)]) -> Schema {
        let mut schema = Schema::default();
        let ns = schema.namespaces.entry("app".to_owned()).or_default();
        for (name, table) in tables {
            ns.tables.insert((*name).to_owned(), table.clone());
        }
        schema
    }

    fn with_columns(columns: &[&str]) -> Table {
        Table {
            columns: columns.iter().map(|c| Column::new(*c, "integer")).collect(),
            ..Table::default()
        }
    }

    fn referencing(table: &str, columns: &[&str]) -> Table {
        Table {
            foreign_keys: vec![ForeignKey {
                name: format!("{table}_fkey").into(),
                columns: vec![columns[0].to_owned()],
                references: TableRef::new("app", table),
                referenced_columns: vec!["id".to_owned()],
                on_delete: FkAction::NoAction,
                on_update: FkAction::NoAction,
                match_type: FkMatch::Simple,
                deferral: Deferral::NotDeferrable,
                valid: true,
            }],
            ..with_columns(columns)
        }
    }

    fn names(tables: &[TableRef]) -> Vec<String> {
        tables.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn changed_tables_and_their_foreign_key_neighbours_are_touched() {
        let live = schema(&[
            ("users", with_columns(&["id"])),
            ("orders", referencing("users", &["user_id"])),
            ("items", referencing("orders", &["order_id"])),
            ("notes", with_columns(&["id"])),
        ]);
        let mut desired = live.clone();
        let users = &mut desired.namespaces.get_mut("app").unwrap().tables;
        users
            .get_mut("users")
            .unwrap()
            .columns
            .push(Column::new("email", "text"));
        assert_eq!(
            names(&touched(&live, &desired)),
            ["app.orders", "app.users"]
        );
        // A changed child brings its parent along.
        let mut desired = live.clone();
        let tables = &mut desired.namespaces.get_mut("app").unwrap().tables;
        tables
            .get_mut("items")
            .unwrap()
            .columns
            .push(Column::new("n", "integer"));
        assert_eq!(
            names(&touched(&live, &desired)),
            ["app.items", "app.orders"]
        );
        assert!(touched(&live, &live).is_empty());
    }

    #[test]
    fn a_rename_hint_alone_changes_nothing() {
        let live = schema(&[("users", with_columns(&["id"]))]);
        let mut desired = live.clone();
        let users = desired
            .namespaces
            .get_mut("app")
            .unwrap()
            .tables
            .get_mut("users")
            .unwrap();
        users.columns[0].renamed_from = Some("id".to_owned());
        assert!(touched(&live, &desired).is_empty());
    }

    #[test]
    fn a_table_is_referenced_when_any_schema_says_so() {
        let live = schema(&[("users", with_columns(&["id"]))]);
        let desired = schema(&[
            ("users", with_columns(&["id"])),
            ("orders", referencing("users", &["user_id"])),
        ]);
        let users = TableRef::new("app", "users");
        assert!(!referenced(&users, &[&live]));
        assert!(referenced(&users, &[&live, &desired]));
    }
}
