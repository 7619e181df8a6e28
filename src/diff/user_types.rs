//! Enums, domains and composite types. Enums have rules for added and renamed labels and for
//! replacing the type; a changed domain or composite type is not planned.

use crate::diff::change::{AddEnumValue, CreateType, DropType, RenameEnumValue, ReplaceEnum};
use crate::schema::types::{BaseType, parse};
use crate::schema::{CompositeType, Domain, Enum, Namespace, Schema, TableRef};

use super::{Change, CommentTarget, Found, TypeDefinition, merged};

pub(super) fn diff_types(live: &Schema, desired: &Schema, found: &mut Found) {
    let empty = Namespace::default();
    for (schema, l, d) in merged(&live.namespaces, &desired.namespaces) {
        let (l, d) = (l.unwrap_or(&empty), d.unwrap_or(&empty));
        diff_enums(live, schema, l, d, found);
        diff_domains(schema, l, d, found);
        diff_composites(schema, l, d, found);
    }
}

/// A created or dropped type, or `None` when it exists on both sides.
fn create_or_drop(
    name: TableRef,
    live: Option<TypeDefinition>,
    desired: Option<TypeDefinition>,
) -> Option<Change> {
    match (live, desired) {
        (None, Some(definition)) => Some(Change::CreateType(CreateType { name, definition })),
        (Some(definition), None) => Some(Change::DropType(DropType { name, definition })),
        _ => None,
    }
}

fn diff_enums(
    live_schema: &Schema,
    schema: &str,
    live: &Namespace,
    desired: &Namespace,
    found: &mut Found,
) {
    for (name, l, d) in merged(&live.enums, &desired.enums) {
        let qualified = TableRef::new(schema, name);
        let (Some(l), Some(d)) = (l, d) else {
            let change = create_or_drop(
                qualified,
                l.cloned().map(TypeDefinition::Enum),
                d.cloned().map(TypeDefinition::Enum),
            );
            found.changes.extend(change);
            continue;
        };
        if l.labels != d.labels {
            let columns = columns_of_type(live_schema, &qualified);
            for change in enum_changes(&qualified, l, d, &columns) {
                if matches!(change, Change::ReplaceEnum(_)) {
                    found.altered_columns.extend(columns.iter().cloned());
                }
                found.push(change);
            }
        }
        found.comment(
            CommentTarget::Type(qualified),
            l.comment.as_ref(),
            d.comment.as_ref(),
        );
    }
}

/// The changes that turn the labels of `live` into those of `desired`: added labels one by one
/// when the old ones keep their order, a rename when exactly one label differs in place, and
/// otherwise a replacement of the type, rewriting `columns`.
pub(super) fn enum_changes(
    name: &TableRef,
    live: &Enum,
    desired: &Enum,
    columns: &[(TableRef, String)],
) -> Vec<Change> {
    if let Some(added) = added_labels(&live.labels, &desired.labels) {
        return added
            .into_iter()
            .map(|(value, before)| {
                Change::AddEnumValue(AddEnumValue {
                    name: name.clone(),
                    value,
                    before,
                })
            })
            .collect();
    }
    if let Some((from, to)) = renamed_label(&live.labels, &desired.labels) {
        return vec![Change::RenameEnumValue(RenameEnumValue {
            name: name.clone(),
            from,
            to,
        })];
    }
    vec![Change::ReplaceEnum(ReplaceEnum {
        name: name.clone(),
        from: live.clone(),
        to: desired.clone(),
        columns: columns.to_vec(),
    })]
}

/// The new labels, each with the existing label it goes before (`None` at the end), when
/// `desired` is `live` with labels inserted and nothing removed or moved.
fn added_labels(live: &[String], desired: &[String]) -> Option<Vec<(String, Option<String>)>> {
    let mut kept = live.iter().peekable();
    let mut added = Vec::new();
    for label in desired {
        if kept.peek() == Some(&label) {
            kept.next();
        } else if live.contains(label) {
            return None;
        } else {
            added.push(label);
        }
    }
    if kept.next().is_some() {
        return None;
    }
    let added = added
        .into_iter()
        .map(|label| {
            let before = desired
                .iter()
                .skip_while(|l| *l != label)
                .find(|l| live.contains(l))
                .cloned();
            (label.clone(), before)
        })
        .collect();
    Some(added)
}

/// The one label renamed in place, when the lists differ at exactly one position and the new
/// label is not one of the old ones.
fn renamed_label(live: &[String], desired: &[String]) -> Option<(String, String)> {
    if live.len() != desired.len() {
        return None;
    }
    let mut differing = live.iter().zip(desired).filter(|(l, d)| l != d);
    let (from, to) = differing.next()?;
    if differing.next().is_some() || live.contains(to) {
        return None;
    }
    Some((from.clone(), to.clone()))
}

/// Every (table, column) of `schema` whose type is `type_name` or an array of it, sorted.
pub(super) fn columns_of_type(schema: &Schema, type_name: &TableRef) -> Vec<(TableRef, String)> {
    let mut columns = Vec::new();
    for (ns_name, ns) in &schema.namespaces {
        for (table_name, table) in &ns.tables {
            for column in &table.columns {
                if is_type(&column.data_type, ns_name, type_name) {
                    columns.push((TableRef::new(ns_name, table_name), column.name.to_string()));
                }
            }
        }
    }
    columns.sort();
    columns
}

fn is_type(data_type: &str, default_schema: &str, type_name: &TableRef) -> bool {
    match parse(data_type).map(|parsed| parsed.base) {
        Ok(BaseType::User { schema, name }) => {
            schema.as_deref().unwrap_or(default_schema) == type_name.schema
                && name == type_name.name
        }
        _ => false,
    }
}

fn diff_domains(schema: &str, live: &Namespace, desired: &Namespace, found: &mut Found) {
    for (name, l, d) in merged(&live.domains, &desired.domains) {
        let qualified = TableRef::new(schema, name);
        let (Some(l), Some(d)) = (l, d) else {
            let change = create_or_drop(
                qualified,
                l.cloned().map(TypeDefinition::Domain),
                d.cloned().map(TypeDefinition::Domain),
            );
            found.changes.extend(change);
            continue;
        };
        let differences = domain_differences(l, d);
        if !differences.is_empty() {
            found.unsupported(
                format!("domain {qualified}"),
                format!(
                    "{} change; altering a domain is not planned",
                    differences.join(", ")
                ),
            );
        }
        found.comment(
            CommentTarget::Type(qualified),
            l.comment.as_ref(),
            d.comment.as_ref(),
        );
    }
}

fn domain_differences(live: &Domain, desired: &Domain) -> Vec<&'static str> {
    [
        ("base type", live.data_type != desired.data_type),
        ("NOT NULL", live.nullable != desired.nullable),
        ("default", live.default != desired.default),
        ("collation", live.collation != desired.collation),
        ("checks", live.checks != desired.checks),
    ]
    .into_iter()
    .filter_map(|(what, differs)| differs.then_some(what))
    .collect()
}

fn diff_composites(schema: &str, live: &Namespace, desired: &Namespace, found: &mut Found) {
    for (name, l, d) in merged(&live.composite_types, &desired.composite_types) {
        let qualified = TableRef::new(schema, name);
        let (Some(l), Some(d)) = (l, d) else {
            let change = create_or_drop(
                qualified,
                l.cloned().map(TypeDefinition::Composite),
                d.cloned().map(TypeDefinition::Composite),
            );
            found.changes.extend(change);
            continue;
        };
        if l.attributes != d.attributes {
            found.unsupported(
                format!("type {qualified}"),
                format!(
                    "composite attributes change from ({}) to ({}); altering a composite type is not planned",
                    attributes(l),
                    attributes(d)
                ),
            );
        }
        found.comment(
            CommentTarget::Type(qualified),
            l.comment.as_ref(),
            d.comment.as_ref(),
        );
    }
}

fn attributes(composite: &CompositeType) -> String {
    composite
        .attributes
        .iter()
        .map(|a| format!("{} {}", a.name, a.data_type))
        .collect::<Vec<_>>()
        .join(", ")
}
