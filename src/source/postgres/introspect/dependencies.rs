//! Rows of `catalog::VIEW_DEPENDENCIES` → [`ViewDependency`] lists by table: each view once per
//! relation it reads, with the columns it uses sorted and without repeats. Pure data work.

use std::collections::{BTreeMap, BTreeSet};

use super::rows::ViewDependencyRow;
use crate::schema::TableRef;
use crate::schema::ViewDependency;

/// Collects dependency rows as they arrive, in any order.
#[derive(Debug, Default)]
pub struct ViewDependencies {
    /// Relation → view → (materialized, columns used).
    by_relation: BTreeMap<TableRef, BTreeMap<TableRef, (bool, BTreeSet<String>)>>,
}

impl ViewDependencies {
    pub fn add(&mut self, row: ViewDependencyRow) {
        let relation = TableRef::new(row.table_schema, row.table_name);
        let view = TableRef::new(row.view_schema, row.view_name);
        let (materialized, columns) = self
            .by_relation
            .entry(relation)
            .or_default()
            .entry(view)
            .or_insert_with(|| (row.materialized, BTreeSet::new()));
        *materialized |= row.materialized;
        if let Some(column) = row.column_name {
            columns.insert(column);
        }
    }

    /// The dependencies by relation, views in name order.
    #[must_use]
    pub fn finish(self) -> BTreeMap<TableRef, Vec<ViewDependency>> {
        self.by_relation
            .into_iter()
            .map(|(relation, views)| {
                let views = views
                    .into_iter()
                    .map(|(view, (materialized, columns))| ViewDependency {
                        view,
                        materialized,
                        columns: columns.into_iter().collect(),
                    })
                    .collect();
                (relation, views)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(table: &str, column: Option<&str>, view: &str, materialized: bool) -> ViewDependencyRow {
        ViewDependencyRow {
            table_schema: "app".to_owned(),
            table_name: table.to_owned(),
            column_name: column.map(str::to_owned),
            view_schema: "app".to_owned(),
            view_name: view.to_owned(),
            materialized,
        }
    }

    #[test]
    fn groups_columns_per_view_and_views_per_relation() {
        let mut collector = ViewDependencies::default();
        collector.add(row("orders", Some("total"), "summary", false));
        collector.add(row("orders", Some("id"), "summary", false));
        collector.add(row("orders", Some("id"), "summary", false));
        collector.add(row("orders", None, "counts", true));
        collector.add(row("summary", Some("id"), "ids", false));
        let result = collector.finish();
        assert_eq!(
            result[&TableRef::new("app", "orders")],
            vec![
                ViewDependency {
                    view: TableRef::new("app", "counts"),
                    materialized: true,
                    columns: vec![],
                },
                ViewDependency {
                    view: TableRef::new("app", "summary"),
                    materialized: false,
                    columns: vec!["id".to_owned(), "total".to_owned()],
                },
            ]
        );
        assert_eq!(
            result[&TableRef::new("app", "summary")][0].view,
            TableRef::new("app", "ids")
        );
        assert_eq!(result.len(), 2);
    }
}
