//! Live schema × desired schema → the list of [`Change`]s, ordered so that every statement can
//! run: what others depend on is created first and dropped last.
//!
//! [`diff`] compares every object of the model. Differences pgphase has a rule for become typed
//! changes; every other difference becomes [`Change::Unsupported`] with what differs, so nothing
//! is ever ignored silently. Rename candidates (a dropped and an added table or column that look
//! alike, or a `renamed_from` hint) become rename changes that the planner confirms. Objects
//! created by the plan carry their comments in their definition; [`Change::SetComment`] is for
//! objects that exist on both sides. The order is data, in `order`.

pub mod change;
mod columns;
mod constraints;
mod namespaces;
mod order;
mod pair;
mod tables;
mod user_types;
mod views;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};

pub use change::{Change, CommentTarget, Constraint, QualifiedName, TypeDefinition};

use crate::diff::change::{AddPrimaryKey, SetComment, SetNotNull, Unsupported};
use crate::schema::Stats;
use crate::schema::{Schema, TableRef};

/// Every difference between `live` and `desired`, as changes in an order that can be applied
/// (see `order` for the order and why). `stats` supplies the views that read each column, so
/// that views over dropped, retyped or renamed columns are recreated. The same inputs always
/// give the same list.
#[must_use]
pub fn diff(live: &Schema, desired: &Schema, stats: &Stats) -> Vec<Change> {
    let mut found = Found::default();
    namespaces::diff_namespaces(live, desired, &mut found);
    user_types::diff_types(live, desired, &mut found);
    tables::diff_tables(live, desired, &mut found);
    views::diff_views(live, desired, stats, &mut found);
    let changes = without_key_columns_set_not_null(found.changes);
    order::sort(changes, live, desired)
}

/// A new primary key makes its columns NOT NULL itself (its rule plans that through validated
/// checks), so a separate `SetNotNull` for those columns would do the same work twice.
fn without_key_columns_set_not_null(changes: Vec<Change>) -> Vec<Change> {
    let keyed: BTreeSet<(TableRef, String)> = changes
        .iter()
        .filter_map(|change| match change {
            Change::AddPrimaryKey(AddPrimaryKey { table, key }) => Some((table, key)),
            _ => None,
        })
        .flat_map(|(table, key)| key.columns.iter().map(|c| (table.clone(), c.clone())))
        .collect();
    changes
        .into_iter()
        .filter(|change| match change {
            Change::SetNotNull(SetNotNull { table, column }) => {
                !keyed.contains(&(table.clone(), column.name.to_string()))
            }
            _ => true,
        })
        .collect()
}

/// True when [`diff`] would find any difference.
#[must_use]
pub fn differs(live: &Schema, desired: &Schema) -> bool {
    live != desired && !diff(live, desired, &Stats::default()).is_empty()
}

/// What the comparisons found so far: the changes, and the live columns that the plan drops,
/// retypes or renames (views reading them must be recreated).
#[derive(Debug, Default)]
struct Found {
    changes: Vec<Change>,
    /// (table, column) by their live names.
    altered_columns: BTreeSet<(TableRef, String)>,
    /// Tables renamed, by their live names: every view reading one is recreated around the
    /// rename, since its text names the table.
    renamed_tables: BTreeSet<TableRef>,
}

impl Found {
    fn push(&mut self, change: Change) {
        self.changes.push(change);
    }

    fn unsupported(&mut self, object: impl Into<String>, detail: impl Into<String>) {
        self.changes.push(Change::Unsupported(Unsupported {
            object: object.into(),
            detail: detail.into(),
        }));
    }

    fn comment(&mut self, target: CommentTarget, live: Option<&String>, desired: Option<&String>) {
        if live != desired {
            self.changes.push(Change::SetComment(SetComment {
                target,
                from: live.cloned(),
                to: desired.cloned(),
            }));
        }
    }
}

/// The keys of two maps merged in order, each with its value on either side.
fn merged<'a, K: Ord, V>(
    live: &'a BTreeMap<K, V>,
    desired: &'a BTreeMap<K, V>,
) -> impl Iterator<Item = (&'a K, Option<&'a V>, Option<&'a V>)> {
    let keys: BTreeSet<&K> = live.keys().chain(desired.keys()).collect();
    keys.into_iter()
        .map(|key| (key, live.get(key), desired.get(key)))
}

/// The items of two name-sorted lists paired by name, in name order.
fn paired_by_name<'a, T>(
    live: &'a [T],
    desired: &'a [T],
    name: impl Fn(&T) -> &str,
) -> Vec<(&'a str, Option<&'a T>, Option<&'a T>)> {
    let live: BTreeMap<&str, &T> = live.iter().map(|item| (name(item), item)).collect();
    let desired: BTreeMap<&str, &T> = desired.iter().map(|item| (name(item), item)).collect();
    merged(&live, &desired)
        .map(|(key, l, d)| (*key, l.copied(), d.copied()))
        .collect()
}

/// `"none"` or the value in backticks, for the details of unsupported changes.
fn shown(value: Option<&str>) -> String {
    value.map_or_else(|| "none".to_owned(), |v| format!("`{v}`"))
}

/// Something that appeared, for rename pairing: its name and its `renamed_from` hint.
trait Renamable {
    fn name(&self) -> &str;
    fn hint(&self) -> Option<&str>;
}

/// Rename candidates among what disappeared (`dropped`) and what appeared (`added`), as
/// (added index, dropped index, hinted): first every added item whose hint names a dropped
/// one, then, in name order, each remaining added item with the first remaining dropped one
/// (in name order) that `alike` accepts. Each item is paired at most once.
fn pair_renames<A: Renamable, D: Renamable>(
    added: &[A],
    dropped: &[D],
    alike: impl Fn(&A, &D) -> bool,
) -> Vec<(usize, usize, bool)> {
    let mut added_order: Vec<usize> = (0..added.len()).collect();
    added_order.sort_by(|&a, &b| added[a].name().cmp(added[b].name()));
    let mut dropped_order: Vec<usize> = (0..dropped.len()).collect();
    dropped_order.sort_by(|&a, &b| dropped[a].name().cmp(dropped[b].name()));
    let mut taken_added = vec![false; added.len()];
    let mut taken_dropped = vec![false; dropped.len()];
    let mut pairs = Vec::new();
    for &a in &added_order {
        let Some(hint) = added[a].hint() else {
            continue;
        };
        if let Some(&d) = dropped_order
            .iter()
            .find(|&&d| !taken_dropped[d] && dropped[d].name() == hint)
        {
            taken_added[a] = true;
            taken_dropped[d] = true;
            pairs.push((a, d, true));
        }
    }
    for &a in &added_order {
        if taken_added[a] {
            continue;
        }
        if let Some(&d) = dropped_order
            .iter()
            .find(|&&d| !taken_dropped[d] && alike(&added[a], &dropped[d]))
        {
            taken_added[a] = true;
            taken_dropped[d] = true;
            pairs.push((a, d, false));
        }
    }
    pairs
}
