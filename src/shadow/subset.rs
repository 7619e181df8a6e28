//! Canonicalising only what may differ. A table or view whose desired definition equals the
//! live one is already in PostgreSQL's canonical form (the live one was read from the catalog),
//! so only the others need the scratch database — with what they need to be created: every
//! type, sequence, function and operator (few, and used anywhere), and, stripped to their
//! columns and keys, the tables they reference. On a large schema with a few changes this
//! turns thousands of CREATE statements into dozens.

use std::collections::BTreeSet;

use crate::ddl::order::mentioned_names;
use crate::schema::{Namespace, Schema, Table, TableRef};

/// The part of the desired schema to create in the scratch database, and which of its tables
/// and views come back canonical (the rest are there only to be referenced).
#[derive(Debug)]
pub(super) struct Narrowed {
    pub schema: Schema,
    pub canonical_tables: BTreeSet<TableRef>,
    pub canonical_views: BTreeSet<TableRef>,
}

/// The narrowed schema, or `None` when narrowing cannot be trusted (partitioned tables, whose
/// parents and partitions must be created together) or would not save anything.
pub(super) fn narrow(desired: &Schema, live: &Schema) -> Option<Narrowed> {
    let mut narrowed = Narrowed {
        schema: Schema {
            extensions: desired.extensions.clone(),
            namespaces: desired
                .namespaces
                .iter()
                .map(|(name, ns)| (name.clone(), without_relations(ns)))
                .collect(),
        },
        canonical_tables: BTreeSet::new(),
        canonical_views: BTreeSet::new(),
    };
    for (ns_name, ns) in &desired.namespaces {
        for (name, table) in &ns.tables {
            let at = TableRef::new(ns_name, name);
            if live.table(&at) != Some(table) {
                if table.partition_by.is_some() || table.partition_of.is_some() {
                    return None;
                }
                narrowed.canonical_tables.insert(at);
            }
        }
        for (name, view) in &ns.views {
            let live_view = live.namespaces.get(ns_name).and_then(|l| l.views.get(name));
            if live_view != Some(view) {
                narrowed
                    .canonical_views
                    .insert(TableRef::new(ns_name, name));
            }
        }
    }
    if narrowed.canonical_tables.len() + narrowed.canonical_views.len() == desired.table_count() {
        return None;
    }
    let views = views_with_what_they_read(desired, &narrowed.canonical_views);
    let mut referenced = References::new();
    for at in &narrowed.canonical_tables {
        if let Some(table) = desired.table(at) {
            for fk in &table.foreign_keys {
                referenced.columns(&fk.references, &fk.referenced_columns);
            }
            put_table(&mut narrowed.schema, at, table.clone());
        }
    }
    for (at, reads) in &views {
        if let Some(view) = desired
            .namespaces
            .get(&at.schema)
            .and_then(|ns| ns.views.get(&at.name))
        {
            put_view(&mut narrowed.schema, at, view.clone());
        }
        for table in reads {
            referenced.whole(table);
        }
    }
    for (ns_name, ns) in &desired.namespaces {
        for sequence in ns.sequences.values() {
            if let Some(owner) = &sequence.owned_by {
                let table = TableRef::new(ns_name, &owner.table);
                referenced.columns(&table, std::slice::from_ref(&owner.column));
            }
        }
    }
    for (at, needed) in referenced {
        if narrowed.canonical_tables.contains(&at) {
            continue;
        }
        let Some(table) = desired.table(&at) else {
            continue;
        };
        if table.partition_by.is_some() || table.partition_of.is_some() {
            return None;
        }
        put_table(&mut narrowed.schema, &at, stripped(table, needed.as_ref()));
    }
    Some(narrowed)
}

/// Tables referenced by what is created, with the columns needed of each (`None`: all of them,
/// for views, which may read any).
type References = std::collections::BTreeMap<TableRef, Option<BTreeSet<String>>>;

trait Referencing {
    fn columns(&mut self, table: &TableRef, columns: &[String]);
    fn whole(&mut self, table: &TableRef);
}

impl Referencing for References {
    fn columns(&mut self, table: &TableRef, columns: &[String]) {
        if let Some(needed) = self
            .entry(table.clone())
            .or_insert_with(|| Some(BTreeSet::new()))
        {
            needed.extend(columns.iter().cloned());
        }
    }

    fn whole(&mut self, table: &TableRef) {
        self.insert(table.clone(), None);
    }
}

/// `desired` with the canonical forms read back put in: every non-relation object, and the
/// tables and views that were canonicalised; the rest as desired (equal to live already).
pub(super) fn widen(desired: &Schema, narrowed: &Narrowed, read_back: &Schema) -> Schema {
    let mut merged = desired.clone();
    merged.extensions.clone_from(&read_back.extensions);
    for (ns_name, ns) in &mut merged.namespaces {
        let Some(back) = read_back.namespaces.get(ns_name) else {
            continue;
        };
        ns.comment.clone_from(&back.comment);
        ns.enums.clone_from(&back.enums);
        ns.domains.clone_from(&back.domains);
        ns.composite_types.clone_from(&back.composite_types);
        ns.sequences.clone_from(&back.sequences);
        ns.functions.clone_from(&back.functions);
        ns.operators.clone_from(&back.operators);
        for (name, table) in &mut ns.tables {
            if narrowed
                .canonical_tables
                .contains(&TableRef::new(ns_name, name))
                && let Some(canonical) = back.tables.get(name)
            {
                table.clone_from(canonical);
            }
        }
        for (name, view) in &mut ns.views {
            if narrowed
                .canonical_views
                .contains(&TableRef::new(ns_name, name))
                && let Some(canonical) = back.views.get(name)
            {
                view.clone_from(canonical);
            }
        }
    }
    merged
}

fn without_relations(ns: &Namespace) -> Namespace {
    Namespace {
        tables: Default::default(),
        views: Default::default(),
        ..ns.clone()
    }
}

/// A table reduced to what others need of it: the `needed` columns (all when `None`) and the
/// keys made of them only, which foreign keys need to point at.
fn stripped(table: &Table, needed: Option<&BTreeSet<String>>) -> Table {
    let kept = |column: &String| needed.is_none_or(|needed| needed.contains(column));
    Table {
        columns: table
            .columns
            .iter()
            .filter(|c| kept(&c.name))
            .cloned()
            .map(|mut c| {
                // Defaults and identity can name sequences or functions left out; a reference
                // needs neither.
                c.default = None;
                c.identity = None;
                c.generated = None;
                c
            })
            .collect(),
        primary_key: table
            .primary_key
            .clone()
            .filter(|pk| pk.columns.iter().all(kept) && pk.include.iter().all(kept)),
        unique: table
            .unique
            .iter()
            .filter(|u| u.columns.iter().all(kept) && u.include.iter().all(kept))
            .cloned()
            .collect(),
        ..Table::default()
    }
}

fn put_table(schema: &mut Schema, at: &TableRef, table: Table) {
    if let Some(ns) = schema.namespaces.get_mut(&at.schema) {
        ns.tables.insert(at.name.clone(), table);
    }
}

fn put_view(schema: &mut Schema, at: &TableRef, view: crate::schema::View) {
    if let Some(ns) = schema.namespaces.get_mut(&at.schema) {
        ns.views.insert(at.name.clone(), view);
    }
}

/// The views to create (the changed ones and every view they read, transitively) and the
/// tables they read, found by the names their definitions mention.
fn views_with_what_they_read(
    desired: &Schema,
    changed: &BTreeSet<TableRef>,
) -> Vec<(TableRef, Vec<TableRef>)> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    let mut pending: Vec<TableRef> = changed.iter().cloned().collect();
    while let Some(at) = pending.pop() {
        if !seen.insert(at.clone()) {
            continue;
        }
        let Some(view) = desired
            .namespaces
            .get(&at.schema)
            .and_then(|ns| ns.views.get(&at.name))
        else {
            continue;
        };
        let mut tables = Vec::new();
        for (schema, name) in mentioned_names(&view.definition) {
            let candidates = match schema {
                Some(schema) => vec![TableRef::new(schema, name)],
                None => vec![
                    TableRef::new(&at.schema, &name),
                    TableRef::new("public", &name),
                ],
            };
            for candidate in candidates {
                let ns = desired.namespaces.get(&candidate.schema);
                if ns.is_some_and(|ns| ns.views.contains_key(&candidate.name)) {
                    pending.push(candidate);
                } else if ns.is_some_and(|ns| ns.tables.contains_key(&candidate.name)) {
                    tables.push(candidate);
                }
            }
        }
        out.push((at, tables));
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::rules::test_support::schema;

    const LIVE: &str = "schemas:\n  public:\n    tables:\n      parent:\n        columns:\n          id: bigint\n          note: text\n        primary_key: [id]\n        checks:\n          - expression: (id > 0)\n      child:\n        columns:\n          id: bigint\n          parent_id: bigint\n      other:\n        columns:\n          id: bigint\n";

    #[test]
    fn only_changed_tables_and_what_they_reference_are_created() {
        let live = schema(LIVE);
        let desired = schema(&LIVE.replace(
            "          parent_id: bigint\n",
            "          parent_id: bigint\n        foreign_keys:\n          - columns: [parent_id]\n            references: { table: parent, columns: [id] }\n",
        ));
        let narrowed = narrow(&desired, &live).unwrap();
        let tables = &narrowed.schema.namespaces["public"].tables;
        assert_eq!(tables.keys().collect::<Vec<_>>(), ["child", "parent"]);
        assert!(
            tables["parent"].checks.is_empty(),
            "referenced tables are stripped"
        );
        assert_eq!(
            narrowed
                .canonical_tables
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            ["public.child"]
        );
    }

    #[test]
    fn the_read_back_replaces_only_what_was_canonicalised() {
        let live = schema(LIVE);
        let desired = schema(&LIVE.replacen(
            "          note: text\n",
            "          note: text\n          extra: text\n",
            1,
        ));
        let narrowed = narrow(&desired, &live).unwrap();
        let mut back = narrowed.schema.clone();
        for table in back
            .namespaces
            .get_mut("public")
            .unwrap()
            .tables
            .values_mut()
        {
            table.comment = Some("from the scratch database".to_owned());
        }
        let merged = widen(&desired, &narrowed, &back);
        for (name, table) in &merged.namespaces["public"].tables {
            let canonicalised = narrowed
                .canonical_tables
                .contains(&TableRef::new("public", name));
            assert_eq!(table.comment.is_some(), canonicalised, "{name}");
        }
    }

    #[test]
    fn nothing_to_save_means_no_narrowing() {
        let desired = schema(LIVE);
        assert!(narrow(&desired, &Schema::default()).is_none());
    }
}
