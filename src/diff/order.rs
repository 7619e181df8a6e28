//! The order of the changes, as data: [`ORDER`] lists the kinds of change in the order they
//! run, grouped; within a group, objects that depend on others (a view on a view, a domain over
//! an enum, a partition and its parent) come after them when created and before them when
//! dropped, using the same dependency scan as the DDL of a whole schema.

use std::collections::HashMap;

use crate::ddl::order::objects_in_dependency_order;
use crate::diff::change::{
    AddEnumValue, AlterSequence, CreateFunction, CreateSequence, CreateTable, CreateType,
    CreateView, DropConstraint, DropFunction, DropSequence, DropTable, DropType, DropView,
    RecreateView, RenameEnumValue, RenameTable, ReplaceEnum, ReplaceFunction, ReplaceView,
};
use crate::schema::Schema;

use super::{Change, Constraint};

/// The kinds of change in the order they run; the kinds of one group are ordered together, by
/// dependencies. Why this order:
/// 1. What depends on other objects is dropped first, before what it depends on changes or
///    goes: policies and triggers, views (before the columns and tables they read), foreign
///    keys (before the keys and tables they reference), other constraints and indexes, then
///    columns and tables. A view recreated over a changed column is not here: the planner drops
///    it before the step that alters the column (see `Step::alters_columns`).
/// 2. Then what is created or changed, each after what it needs: schemas, extensions, types and
///    their labels, sequences, functions, tables (a renamed table first, in case a new one
///    takes its old name), columns (likewise), column changes (the old default dropped before
///    the type changes and the new one set after), indexes, keys before the foreign keys that
///    reference them, views, triggers and policies (which call functions and read columns),
///    and comments on all of it.
/// 3. Last, what dropped or changed objects were using: functions (after the triggers and
///    defaults that call them), sequences and types (after the columns using them),
///    extensions, and schemas once they are empty.
///
/// Unsupported differences close the list: they are for a human and run nothing.
pub(super) const ORDER: &[&[&str]] = &[
    &["drop-policy"],
    &["drop-trigger"],
    &["drop-view"],
    &["drop-foreign-key"],
    &["drop-constraint"],
    &["drop-index"],
    &["drop-column"],
    &["drop-table"],
    &["create-schema"],
    &["create-extension"],
    &[
        "create-type",
        "add-enum-value",
        "rename-enum-value",
        "replace-enum",
    ],
    &["create-sequence", "alter-sequence"],
    &["create-function", "replace-function"],
    &["rename-table"],
    &["create-table"],
    &["rename-column"],
    &["add-column"],
    &["drop-default"],
    &["change-column-type"],
    &["alter-identity"],
    &["set-default"],
    &["drop-not-null"],
    &["set-not-null"],
    &["add-index", "change-index"],
    &[
        "add-primary-key",
        "add-unique",
        "add-check",
        "add-exclusion",
    ],
    &["add-foreign-key"],
    &["create-view", "replace-view", "recreate-view"],
    &["create-trigger", "replace-trigger"],
    &["create-policy"],
    &["set-comment"],
    &["drop-function"],
    &["drop-sequence"],
    &["drop-type"],
    &["drop-extension"],
    &["drop-schema"],
    &["unsupported"],
];

/// `changes` in the order of [`ORDER`], dependencies first within a group (dependents first
/// among drops), otherwise in the order they were found (name order).
pub(super) fn sort(changes: Vec<Change>, live: &Schema, desired: &Schema) -> Vec<Change> {
    // A schema's dependency order is worked out only when a change needs it: at 10,000 tables
    // each takes a third of a second, and most changes (of columns, keys, indexes) have no rank.
    let needed = |dropping: bool| {
        changes
            .iter()
            .any(|change| ranked_object(change).is_some_and(|(dropped, ..)| dropped == dropping))
    };
    let creates = if needed(false) {
        ranks(desired)
    } else {
        HashMap::new()
    };
    let drops = if needed(true) {
        ranks(live)
    } else {
        HashMap::new()
    };
    let mut keyed: Vec<((usize, usize), Change)> = changes
        .into_iter()
        .map(|change| ((group(&change), rank(&change, &creates, &drops)), change))
        .collect();
    keyed.sort_by_key(|(key, _)| *key);
    keyed.into_iter().map(|(_, change)| change).collect()
}

/// The change's slot name in [`ORDER`]: its kind, with dropped foreign keys told apart.
fn slot(change: &Change) -> &'static str {
    match change {
        Change::DropConstraint(DropConstraint {
            constraint: Constraint::ForeignKey(_),
            ..
        }) => "drop-foreign-key",
        _ => change.kind(),
    }
}

fn group(change: &Change) -> usize {
    let slot = slot(change);
    ORDER
        .iter()
        .position(|group| group.contains(&slot))
        .unwrap_or(ORDER.len())
}

/// Each object's position in the dependency order of `schema`, by (schema, key).
fn ranks(schema: &Schema) -> HashMap<(String, String), usize> {
    objects_in_dependency_order(schema)
        .into_iter()
        .enumerate()
        .map(|(position, object)| ((object.schema, object.key), position))
        .collect()
}

/// Where the change's object stands among its group: its position in the desired dependency
/// order for what is created or changed, the reverse of its live position for what is dropped.
fn rank(
    change: &Change,
    creates: &HashMap<(String, String), usize>,
    drops: &HashMap<(String, String), usize>,
) -> usize {
    let Some((dropped, schema, key)) = ranked_object(change) else {
        return 0;
    };
    let key = (schema.clone(), key.clone());
    if dropped {
        drops.get(&key).map_or(0, |position| usize::MAX - position)
    } else {
        creates.get(&key).copied().unwrap_or(0)
    }
}

/// The object whose place in the dependency order ranks the change, as (dropped, schema, key);
/// `None` for a change that keeps its found order.
fn ranked_object(change: &Change) -> Option<(bool, &String, &String)> {
    Some(match change {
        Change::DropType(DropType { name, .. })
        | Change::DropSequence(DropSequence { name, .. })
        | Change::DropTable(DropTable { table: name, .. })
        | Change::DropView(DropView { view: name, .. }) => (true, &name.schema, &name.name),
        Change::DropFunction(DropFunction { schema, key, .. }) => (true, schema, key),
        Change::CreateType(CreateType { name, .. })
        | Change::AddEnumValue(AddEnumValue { name, .. })
        | Change::RenameEnumValue(RenameEnumValue { name, .. })
        | Change::ReplaceEnum(ReplaceEnum { name, .. })
        | Change::CreateSequence(CreateSequence { name, .. })
        | Change::AlterSequence(AlterSequence { name, .. })
        | Change::CreateTable(CreateTable { table: name, .. })
        | Change::RenameTable(RenameTable { to: name, .. })
        | Change::CreateView(CreateView { view: name, .. })
        | Change::ReplaceView(ReplaceView { view: name, .. })
        | Change::RecreateView(RecreateView { view: name, .. }) => {
            (false, &name.schema, &name.name)
        }
        Change::CreateFunction(CreateFunction { schema, key, .. })
        | Change::ReplaceFunction(ReplaceFunction { schema, key, .. }) => (false, schema, key),
        _ => return None,
    })
}
