//! Views and materialized views, and the views that must be recreated because they read a
//! column the plan drops, retypes or renames.

use std::collections::{BTreeMap, BTreeSet};

use crate::diff::change::{CreateView, DropView, RecreateView, ReplaceView};
use crate::schema::Stats;
use crate::schema::{Namespace, Schema, TableRef, View};
use crate::source::postgres::facts::{views_depending_on, views_reading};

use super::constraints::diff_indexes;
use super::{Change, CommentTarget, Found, merged};

/// Compares the views. Runs after the tables, whose changes decide which views are recreated:
/// a view kept in the desired schema that reads an altered column (directly or through other
/// views) gets one [`Change::RecreateView`] instead of a replacement; one dropped in the desired
/// schema gets its [`Change::DropView`], which the order puts before the column changes. A
/// recreated view, or a replaced materialized one, carries its indexes and comment in its definition.
pub(super) fn diff_views(live: &Schema, desired: &Schema, stats: &Stats, found: &mut Found) {
    let mut recreated = views_over(stats, &found.altered_columns);
    for (view, columns) in views_over_renamed(live, stats, &found.renamed_tables) {
        recreated.entry(view).or_default().extend(columns);
    }
    let empty = Namespace::default();
    for (schema, l, d) in merged(&live.namespaces, &desired.namespaces) {
        let (l, d) = (l.unwrap_or(&empty), d.unwrap_or(&empty));
        for (name, l, d) in merged(&l.views, &d.views) {
            let view = TableRef::new(schema, name);
            match (l, d) {
                (None, Some(definition)) => found.push(Change::CreateView(CreateView {
                    view,
                    definition: definition.clone(),
                })),
                (Some(definition), None) => found.push(Change::DropView(DropView {
                    view,
                    definition: definition.clone(),
                })),
                (Some(l), Some(d)) => {
                    let columns = recreated.get(&view);
                    diff_view(view.clone(), l, d, columns, found);
                }
                (None, None) => {}
            }
        }
    }
}

fn diff_view(
    view: TableRef,
    live: &View,
    desired: &View,
    recreated_for: Option<&BTreeSet<(TableRef, String)>>,
    found: &mut Found,
) {
    if let Some(columns) = recreated_for {
        found.push(Change::RecreateView(RecreateView {
            view,
            live: live.clone(),
            desired: desired.clone(),
            columns: columns.iter().cloned().collect(),
        }));
        return;
    }
    let replaced = live.definition != desired.definition
        || live.materialized != desired.materialized
        || live.with != desired.with;
    if replaced {
        found.push(Change::ReplaceView(ReplaceView {
            view: view.clone(),
            from: live.clone(),
            to: desired.clone(),
        }));
    }
    if replaced && (live.materialized || desired.materialized) {
        // Dropped and created again: its indexes and comment come with the definition.
        return;
    }
    diff_indexes(&view, &live.indexes, &desired.indexes, found);
    found.comment(
        CommentTarget::View {
            name: view,
            materialized: desired.materialized,
        },
        live.comment.as_ref(),
        desired.comment.as_ref(),
    );
}

/// Every view reading one of `columns` (live names), directly or through other views, with
/// the columns it is affected by.
fn views_over(
    stats: &Stats,
    columns: &BTreeSet<(TableRef, String)>,
) -> BTreeMap<TableRef, BTreeSet<(TableRef, String)>> {
    let mut views: BTreeMap<TableRef, BTreeSet<(TableRef, String)>> = BTreeMap::new();
    for (table, column) in columns {
        for view in views_depending_on(stats, table, column) {
            views
                .entry(view)
                .or_default()
                .insert((table.clone(), column.clone()));
        }
    }
    views
}

/// Every view reading one of the `renamed` tables (live names), with all the table's columns:
/// a view names the table in its text, so it is dropped before the rename and created again
/// after it, and the other way round in the rollback. (A view replaced in place after the
/// rename would be restored by a rollback that names the table while the old name belongs to
/// the view kept for old code, and would bind to that view.)
fn views_over_renamed(
    live: &Schema,
    stats: &Stats,
    renamed: &BTreeSet<TableRef>,
) -> BTreeMap<TableRef, BTreeSet<(TableRef, String)>> {
    let mut views: BTreeMap<TableRef, BTreeSet<(TableRef, String)>> = BTreeMap::new();
    for table in renamed {
        let Some(definition) = live.table(table) else {
            continue;
        };
        let columns: BTreeSet<(TableRef, String)> = definition
            .columns
            .iter()
            .map(|column| (table.clone(), column.name.to_string()))
            .collect();
        for view in views_reading(stats, table) {
            views
                .entry(view)
                .or_default()
                .extend(columns.iter().cloned());
        }
    }
    views
}
