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

pub(super) fn diff_tables(live: &Schema, desired: &Schema, found: &mut Found) {
    let empty = Namespace::default();
    let mut pairs = Vec::new();
    let mut created = Vec::new();
    for (schema, l, d) in merged(&live.namespaces, &desired.namespaces) {
        let (l, d) = (l.unwrap_or(&empty), d.unwrap_or(&empty));
        let (mut namespace_pairs, added, dropped) = pair_tables(schema, l, d);
        pairs.append(&mut namespace_pairs);
        for named in dropped {
            found.push(Change::DropTable(DropTable {
                table: TableRef::new(schema, named.name),
                definition: named.table.clone(),
            }));
        }
        created.extend(
            added
                .into_iter()
                .map(|n| (TableRef::new(schema, n.name), n.table)),
        );
    }
    let renames = Renames::of(&pairs);
    for pair in &pairs {
        diff_table(pair, &renames, found);
    }
    for (table, definition) in &created {
        found.push(Change::CreateTable(CreateTable {
            table: table.clone(),
            definition: Table {
                foreign_keys: Vec::new(),
                ..(*definition).clone()
            },
        }));
    }
    for (table, definition) in created {
        for key in &definition.foreign_keys {
            found.push(Change::AddForeignKey(AddForeignKey {
                table: table.clone(),
                key: key.clone(),
                new_table: true,
            }));
        }
    }
}

/// The tables of one schema: pairs (same name or rename candidates), added and dropped ones.
fn pair_tables<'a>(
    schema: &str,
    live: &'a Namespace,
    desired: &'a Namespace,
) -> (Vec<TablePair<'a>>, Vec<Named<'a>>, Vec<Named<'a>>) {
    let mut pairs = Vec::new();
    let mut added = Vec::new();
    let mut dropped = Vec::new();
    for (name, l, d) in merged(&live.tables, &desired.tables) {
        match (l, d) {
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
