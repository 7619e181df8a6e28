//! Schemas (namespaces), extensions, sequences, functions and operators: the objects compared
//! whole, by name or signature.

use crate::diff::change::{
    AlterSequence, CreateExtension, CreateFunction, CreateSchema, CreateSequence, DropExtension,
    DropFunction, DropSchema, DropSequence, ReplaceFunction,
};
use crate::schema::{Namespace, Schema, Sequence, TableRef};

use super::{Change, CommentTarget, Found, merged};

pub(super) fn diff_namespaces(live: &Schema, desired: &Schema, found: &mut Found) {
    for (name, l, d) in merged(&live.extensions, &desired.extensions) {
        match (l, d) {
            (None, Some(extension)) => found.push(Change::CreateExtension(CreateExtension {
                name: name.clone(),
                extension: extension.clone(),
            })),
            (Some(extension), None) => found.push(Change::DropExtension(DropExtension {
                name: name.clone(),
                extension: extension.clone(),
            })),
            (Some(l), Some(d)) if l != d => found.unsupported(
                format!("extension {name}"),
                format!(
                    "moves from schema `{}` to `{}` (ALTER EXTENSION … SET SCHEMA is not planned)",
                    l.schema, d.schema
                ),
            ),
            _ => {}
        }
    }
    let empty = Namespace::default();
    for (name, l, d) in merged(&live.namespaces, &desired.namespaces) {
        match (l, d) {
            (None, Some(_)) => found.push(Change::CreateSchema(CreateSchema {
                schema: name.clone(),
            })),
            (Some(_), None) => found.push(Change::DropSchema(DropSchema {
                schema: name.clone(),
            })),
            _ => {}
        }
        // A dropped schema takes its comment with it; a created one gets it afterwards.
        if d.is_some() {
            found.comment(
                CommentTarget::Schema(name.clone()),
                l.and_then(|ns| ns.comment.as_ref()),
                d.and_then(|ns| ns.comment.as_ref()),
            );
        }
        let (l, d) = (l.unwrap_or(&empty), d.unwrap_or(&empty));
        diff_sequences(name, l, d, found);
        diff_functions(name, l, d, found);
        diff_operators(name, l, d, found);
    }
}

/// Whether `sequence` is owned by a live table that the desired schema no longer has.
fn owned_by_dropped_table(sequence: &Sequence, live: &Namespace, desired: &Namespace) -> bool {
    sequence.owned_by.as_ref().is_some_and(|owner| {
        live.tables.contains_key(&owner.table) && !desired.tables.contains_key(&owner.table)
    })
}

fn diff_sequences(schema: &str, live: &Namespace, desired: &Namespace, found: &mut Found) {
    for (name, l, d) in merged(&live.sequences, &desired.sequences) {
        let qualified = TableRef::new(schema, name);
        match (l, d) {
            (None, Some(sequence)) => found.push(Change::CreateSequence(CreateSequence {
                name: qualified,
                sequence: sequence.clone(),
            })),
            // A sequence owned by a table the desired schema drops goes with the table: DROP
            // TABLE takes it along, and an archived table keeps it for its column default.
            (Some(sequence), None) if owned_by_dropped_table(sequence, live, desired) => {}
            (Some(sequence), None) => found.push(Change::DropSequence(DropSequence {
                name: qualified,
                sequence: sequence.clone(),
            })),
            (Some(l), Some(d)) => {
                if without_comment(l) != without_comment(d) {
                    found.push(Change::AlterSequence(AlterSequence {
                        name: qualified.clone(),
                        from: l.clone(),
                        to: d.clone(),
                    }));
                }
                found.comment(
                    CommentTarget::Sequence(qualified),
                    l.comment.as_ref(),
                    d.comment.as_ref(),
                );
            }
            (None, None) => {}
        }
    }
}

fn without_comment(sequence: &Sequence) -> Sequence {
    Sequence {
        comment: None,
        ..sequence.clone()
    }
}

fn diff_functions(schema: &str, live: &Namespace, desired: &Namespace, found: &mut Found) {
    for (key, l, d) in merged(&live.functions, &desired.functions) {
        let (schema, key) = (schema.to_owned(), key.clone());
        match (l, d) {
            (None, Some(function)) => found.push(Change::CreateFunction(CreateFunction {
                schema,
                key,
                function: function.clone(),
            })),
            (Some(function), None) => found.push(Change::DropFunction(DropFunction {
                schema,
                key,
                function: function.clone(),
            })),
            (Some(l), Some(d)) => {
                if l.definition != d.definition {
                    found.push(Change::ReplaceFunction(ReplaceFunction {
                        schema: schema.clone(),
                        key: key.clone(),
                        from: l.clone(),
                        to: d.clone(),
                    }));
                }
                found.comment(
                    CommentTarget::Function { schema, key },
                    l.comment.as_ref(),
                    d.comment.as_ref(),
                );
            }
            (None, None) => {}
        }
    }
}

fn diff_operators(schema: &str, live: &Namespace, desired: &Namespace, found: &mut Found) {
    for (key, l, d) in merged(&live.operators, &desired.operators) {
        let detail = match (l, d) {
            (None, Some(_)) => "operator to be created; operators are not planned",
            (Some(_), None) => "operator to be dropped; operators are not planned",
            (Some(l), Some(d)) if l.definition != d.definition => {
                "operator definition changes; operators are not planned"
            }
            (Some(l), Some(d)) if l.comment != d.comment => {
                "operator comment changes; operators are not planned"
            }
            _ => continue,
        };
        found.unsupported(format!("operator {schema}.{key}"), detail);
    }
}
