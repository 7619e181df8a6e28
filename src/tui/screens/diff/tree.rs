//! The diff screen's tree: schema → table (or view) → change, as rows built from the session and
//! the screen's state (collapsed nodes, risk filter, search). Pure, and cheap enough to rebuild
//! every frame: rows borrow their names from the changes and nothing is formatted here.

use crate::diff::Change;
use crate::rules::Badge;
use crate::tui::app::{DiffView, Session};

/// What a row stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Node {
    Schema,
    /// A table or a view (any relation changes are grouped under).
    Table,
    /// The change at this index of `session.changes`.
    Change(usize),
}

/// One line of the tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row<'a> {
    pub node: Node,
    /// The schema the row is in; empty for objects of the whole database (extensions).
    pub schema: &'a str,
    /// The table or view the row is in, if any.
    pub table: Option<&'a str>,
    /// The worst badge of the row's change, or of the shown changes under a node.
    pub worst: Badge,
    /// How many shown changes the row stands for (1 for a change).
    pub changes: usize,
    /// Whether a node's children are hidden.
    pub collapsed: bool,
}

impl Row<'_> {
    /// How deep the row is indented.
    #[must_use]
    pub fn depth(&self) -> usize {
        match self.node {
            Node::Schema => 0,
            Node::Table => 1,
            Node::Change(_) if self.table.is_some() => 2,
            Node::Change(_) => 1,
        }
    }

    /// The key of the node a row is (`schema`, `schema.table`), or of the node holding a change.
    #[must_use]
    pub fn node_key(&self) -> String {
        match (self.node, self.table) {
            (Node::Schema, _) | (Node::Change(_), None) => self.schema.to_owned(),
            (_, Some(table)) => node_key(self.schema, table),
            (Node::Table, None) => self.schema.to_owned(),
        }
    }
}

/// The key of a table node in [`DiffView::collapsed`].
#[must_use]
pub fn node_key(schema: &str, table: &str) -> String {
    format!("{schema}.{table}")
}

/// The visible rows for `view`: changes whose worst badge reaches the filter and whose id or
/// kind contains the search text (ignoring ASCII case), grouped by schema and table in name
/// order, each group's changes in plan order; the children of collapsed nodes are left out.
#[must_use]
pub fn rows<'a>(session: &'a Session, view: &DiffView) -> Vec<Row<'a>> {
    let needle = view.search.trim().to_lowercase();
    let mut shown: Vec<(&str, Option<&str>, usize, Badge)> = session
        .changes
        .iter()
        .enumerate()
        .filter_map(|(index, change)| {
            let worst = worst_badge(session, index);
            if view.filter.is_some_and(|at_least| worst < at_least) {
                return None;
            }
            if !needle.is_empty() && !matches(session, index, change, &needle) {
                return None;
            }
            let (schema, table) = change.location();
            Some((schema, table, index, worst))
        })
        .collect();
    // Stable, so each table's changes stay in plan order.
    shown.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    let mut rows = Vec::with_capacity(shown.len() + shown.len() / 4 + 1);
    let mut key = String::new();
    for schema_group in shown.chunk_by(|a, b| a.0 == b.0) {
        let schema = schema_group[0].0;
        let collapsed = view.collapsed.contains(schema);
        rows.push(node_row(
            Node::Schema,
            schema,
            None,
            schema_group,
            collapsed,
        ));
        if collapsed {
            continue;
        }
        for table_group in schema_group.chunk_by(|a, b| a.1 == b.1) {
            let table = table_group[0].1;
            if let Some(name) = table {
                key.clear();
                key.push_str(schema);
                key.push('.');
                key.push_str(name);
                let collapsed = view.collapsed.contains(key.as_str());
                rows.push(node_row(Node::Table, schema, table, table_group, collapsed));
                if collapsed {
                    continue;
                }
            }
            rows.extend(table_group.iter().map(|&(_, _, index, worst)| Row {
                node: Node::Change(index),
                schema,
                table,
                worst,
                changes: 1,
                collapsed: false,
            }));
        }
    }
    rows
}

fn node_row<'a>(
    node: Node,
    schema: &'a str,
    table: Option<&'a str>,
    group: &[(&str, Option<&str>, usize, Badge)],
    collapsed: bool,
) -> Row<'a> {
    Row {
        node,
        schema,
        table,
        worst: group
            .iter()
            .map(|entry| entry.3)
            .max()
            .unwrap_or(Badge::Safe),
        changes: group.len(),
        collapsed,
    }
}

/// The worst badge of the change at `index`; the worst there is when it was not assessed, so
/// that nothing looks safer than it is.
#[must_use]
pub fn worst_badge(session: &Session, index: usize) -> Badge {
    session
        .assessed
        .get(index)
        .and_then(|planned| planned.badges.iter().max().copied())
        .unwrap_or(Badge::LosesData)
}

fn matches(session: &Session, index: usize, change: &Change, needle: &str) -> bool {
    let id = session
        .assessed
        .get(index)
        .map_or("", |planned| planned.id.as_str());
    contains_ignoring_case(id, needle) || contains_ignoring_case(change.kind(), needle)
}

/// Whether `haystack` contains `needle` (lower case), ignoring ASCII case, without allocating.
fn contains_ignoring_case(haystack: &str, needle: &str) -> bool {
    haystack
        .as_bytes()
        .windows(needle.len())
        .any(|window| window.eq_ignore_ascii_case(needle.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_ignores_ascii_case() {
        assert!(contains_ignoring_case("public.Orders.total", "orders"));
        assert!(!contains_ignoring_case("public.orders", "users"));
    }
}
