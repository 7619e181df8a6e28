//! Tables: matched by name within their schema, paired as rename candidates, created (without
//! their foreign keys, which follow once every new table exists), dropped, or compared part by
//! part.

use crate::diff::change::{AddForeignKey, CreateTable, DropTable, RenameTable};
use crate::schema::{Column, Namespace, Schema, Table, TableRef};

use super::columns::{diff_columns, pair_columns};
use super::constraints::diff_constraints;
use super::pair::{Renames, TablePair};
use super::{Change, CommentTarget, Found, Renamable, merged, pair_renames, shown};

struct Named<'a> {
    name: &'a str,
    table: &'a Table,
}

impl Renamable for Named<'_> {
    fn name(&self) -> &str {
        self.name
    }

    fn hint(&self) -> Option<&str> {
        self.table.renamed_from.as_deref()
    }
}

/// The tables of both sides, paired.
struct Paired<'a> {
    pairs: Vec<TablePair<'a>>,
    created: Vec<(TableRef, &'a Table)>,
    dropped: Vec<(TableRef, &'a Table)>,
}

pub(super) fn diff_tables(live: &Schema, desired: &Schema, found: &mut Found) {
    diff_tables_passing_over(live, desired, found, true);
}

fn diff_tables_passing_over(live: &Schema, desired: &Schema, found: &mut Found, skip_equal: bool) {
    // A table the same on both sides changes nothing, unless the plan renames a table or column
    // its keys name, which the constraints' diff accounts for; pairing its columns and comparing
    // it part by part took most of the diff's time (10,000 tables with 500 changed: 90–125 ms
    // before these were passed over).
    let empty = Namespace::default();
    let mut tables = paired(live, desired, &empty, skip_equal);
    let mut renames = Renames::of(&tables.pairs);
    if skip_equal && !renames.is_empty() {
        tables = paired(live, desired, &empty, false);
        renames = Renames::of(&tables.pairs);
    }
    for (table, definition) in tables.dropped {
        found.push(Change::DropTable(DropTable {
            table,
            definition: definition.clone(),
        }));
    }
    for pair in &tables.pairs {
        diff_table(pair, &renames, found);
    }
    for (table, definition) in &tables.created {
        found.push(Change::CreateTable(CreateTable {
            table: table.clone(),
            definition: Table {
                foreign_keys: Vec::new(),
                ..(*definition).clone()
            },
        }));
    }
    for (table, definition) in tables.created {
        for key in &definition.foreign_keys {
            found.push(Change::AddForeignKey(AddForeignKey {
                table: table.clone(),
                key: key.clone(),
                new_table: true,
            }));
        }
    }
}

/// Every schema's tables paired (`empty` standing for a schema on one side only); with
/// `skip_equal`, without the tables the same on both sides.
fn paired<'a>(
    live: &'a Schema,
    desired: &'a Schema,
    empty: &'a Namespace,
    skip_equal: bool,
) -> Paired<'a> {
    let mut tables = Paired {
        pairs: Vec::new(),
        created: Vec::new(),
        dropped: Vec::new(),
    };
    for (schema, l, d) in merged(&live.namespaces, &desired.namespaces) {
        let (l, d) = (l.unwrap_or(empty), d.unwrap_or(empty));
        let (mut pairs, added, dropped) = pair_tables(schema, l, d, skip_equal);
        tables.pairs.append(&mut pairs);
        tables.dropped.extend(
            dropped
                .into_iter()
                .map(|n| (TableRef::new(schema, n.name), n.table)),
        );
        tables.created.extend(
            added
                .into_iter()
                .map(|n| (TableRef::new(schema, n.name), n.table)),
        );
    }
    tables
}

/// The tables of one schema: pairs (same name or rename candidates), added and dropped ones;
/// with `skip_equal`, no pair of tables the same on both sides.
fn pair_tables<'a>(
    schema: &str,
    live: &'a Namespace,
    desired: &'a Namespace,
    skip_equal: bool,
) -> (Vec<TablePair<'a>>, Vec<Named<'a>>, Vec<Named<'a>>) {
    let mut pairs = Vec::new();
    let mut added = Vec::new();
    let mut dropped = Vec::new();
    for (name, l, d) in merged(&live.tables, &desired.tables) {
        match (l, d) {
            (Some(l), Some(d)) if skip_equal && l == d => {}
            (Some(l), Some(d)) => pairs.push(pair(schema, name, name, l, d, None)),
            (None, Some(table)) => added.push(Named { name, table }),
            (Some(table), None) => dropped.push(Named { name, table }),
            (None, None) => {}
        }
    }
    let renames = pair_renames(&added, &dropped, |a, d| same_columns(d.table, a.table));
    for &(a, d, hinted) in &renames {
        let (from, to) = (&dropped[d], &added[a]);
        pairs.push(pair(
            schema,
            from.name,
            to.name,
            from.table,
            to.table,
            Some(hinted),
        ));
    }
    let added = keep_unpaired(added, renames.iter().map(|r| r.0));
    let dropped = keep_unpaired(dropped, renames.iter().map(|r| r.1));
    (pairs, added, dropped)
}

fn pair<'a>(
    schema: &str,
    live_name: &str,
    name: &str,
    live: &'a Table,
    desired: &'a Table,
    rename: Option<bool>,
) -> TablePair<'a> {
    TablePair {
        live_ref: TableRef::new(schema, live_name),
        table: TableRef::new(schema, name),
        live,
        desired,
        rename,
        columns: pair_columns(live, desired),
    }
}

fn keep_unpaired<T>(items: Vec<T>, paired: impl Iterator<Item = usize>) -> Vec<T> {
    let paired: Vec<usize> = paired.collect();
    items
        .into_iter()
        .enumerate()
        .filter(|(i, _)| !paired.contains(i))
        .map(|(_, item)| item)
        .collect()
}

/// Whether two tables have the same columns (by name, type, nullability, default, identity,
/// generation and collation, in any order): enough to suggest a rename. Tables without
/// columns (partitions) are never alike, since any two would be.
fn same_columns(live: &Table, desired: &Table) -> bool {
    fn key(column: &Column) -> impl Ord + '_ {
        (
            &column.name,
            &column.data_type,
            column.nullable,
            &column.default,
            column.identity.map(|i| i as u8),
            &column.generated,
            &column.collation,
        )
    }
    if live.columns.is_empty() || live.columns.len() != desired.columns.len() {
        return false;
    }
    let mut l: Vec<_> = live.columns.iter().map(key).collect();
    let mut d: Vec<_> = desired.columns.iter().map(key).collect();
    l.sort();
    d.sort();
    l == d
}

fn diff_table(pair: &TablePair, renames: &Renames, found: &mut Found) {
    let (live, desired, table) = (pair.live, pair.desired, &pair.table);
    if let Some(hinted) = pair.rename {
        found.renamed_tables.insert(pair.live_ref.clone());
        found.push(Change::RenameTable(RenameTable {
            from: pair.live_ref.clone(),
            to: table.clone(),
            definition: live.clone(),
            hinted,
        }));
    }
    diff_table_options(table, live, desired, found);
    found.comment(
        CommentTarget::Table(table.clone()),
        live.comment.as_ref(),
        desired.comment.as_ref(),
    );
    diff_columns(&pair.live_ref, table, &pair.columns, found);
    diff_constraints(pair, renames, found);
}

/// Storage, partitioning and row-level security flags: no rule changes them.
fn diff_table_options(table: &TableRef, live: &Table, desired: &Table, found: &mut Found) {
    let object = table.to_string();
    if live.unlogged != desired.unlogged {
        found.unsupported(
            &object,
            format!(
                "changes from {} to {}; SET LOGGED / SET UNLOGGED is not planned",
                logged(live.unlogged),
                logged(desired.unlogged)
            ),
        );
    }
    if live.partition_by != desired.partition_by {
        found.unsupported(
            &object,
            format!(
                "partition key changes from {} to {}; a table cannot be re-partitioned in place",
                shown(live.partition_by.as_deref()),
                shown(desired.partition_by.as_deref())
            ),
        );
    }
    if live.partition_of != desired.partition_of {
        let describe = |t: &Table| {
            t.partition_of
                .as_ref()
                .map(|p| format!("{} {}", p.parent, p.bound))
        };
        found.unsupported(
            &object,
            format!(
                "partition of changes from {} to {}; attaching and detaching partitions is not planned",
                shown(describe(live).as_deref()),
                shown(describe(desired).as_deref())
            ),
        );
    }
    let (l, d) = (&live.row_security, &desired.row_security);
    if (l.enabled, l.forced) != (d.enabled, d.forced) {
        found.unsupported(
            &object,
            format!(
                "row-level security changes from {} to {}; enabling or forcing it is not planned",
                security(l.enabled, l.forced),
                security(d.enabled, d.forced)
            ),
        );
    }
}

fn logged(unlogged: bool) -> &'static str {
    if unlogged { "unlogged" } else { "logged" }
}

fn security(enabled: bool, forced: bool) -> &'static str {
    match (enabled, forced) {
        (false, false) => "disabled",
        (false, true) => "disabled (forced)",
        (true, false) => "enabled",
        (true, true) => "enabled and forced",
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::schema::Column;

    /// The changes of the tables' diff, passing over equal tables or not.
    fn changes(live: &Schema, desired: &Schema, skip_equal: bool) -> String {
        let mut found = Found::default();
        diff_tables_passing_over(live, desired, &mut found, skip_equal);
        format!("{:?}", found.changes)
    }

    fn examples() -> Vec<Schema> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        [
            "assets/demo/desired.yaml",
            "tests/yaml/valid/everything.yaml",
            "tests/yaml/valid/format_example.yaml",
            "tests/yaml/valid/multi_schema.yaml",
        ]
        .iter()
        .map(|file| {
            let text = std::fs::read_to_string(root.join(file)).unwrap();
            crate::source::yaml::parse(&text, file).unwrap().schema
        })
        .collect()
    }

    fn tables(schema: &Schema) -> Vec<(String, String)> {
        schema
            .namespaces
            .iter()
            .flat_map(|(ns, n)| n.tables.keys().map(move |t| (ns.clone(), t.clone())))
            .collect()
    }

    #[test]
    fn passing_over_equal_tables_changes_nothing_the_diff_finds() {
        for live in examples() {
            assert_eq!(changes(&live, &live, true), "[]");
            assert_eq!(changes(&live, &live, false), "[]");
            for (ns, name) in tables(&live) {
                let mut desired = live.clone();
                let table = desired.namespaces.get_mut(&ns).unwrap();
                let table = table.tables.get_mut(&name).unwrap();
                table.columns.push(Column::new("added", "text"));
                if let Some(column) = table.columns.first_mut() {
                    column.nullable = !column.nullable;
                }
                let fast = changes(&live, &desired, true);
                assert_ne!(fast, "[]", "{ns}.{name}");
                assert_eq!(fast, changes(&live, &desired, false), "{ns}.{name}");
            }
        }
    }

    #[test]
    fn a_rename_anywhere_compares_every_table() {
        for live in examples() {
            for (ns, name) in tables(&live) {
                let mut desired = live.clone();
                let namespace = desired.namespaces.get_mut(&ns).unwrap();
                let mut table = namespace.tables.remove(&name).unwrap();
                table.renamed_from = Some(name.clone());
                namespace.tables.insert(format!("{name}_renamed"), table);
                assert_eq!(
                    changes(&live, &desired, true),
                    changes(&live, &desired, false),
                    "{ns}.{name}"
                );
            }
        }
    }
}
