//! The DDL of the object a change touches, as it is live and as it is desired, laid out one
//! clause per line so that a line diff shows what changes. Only the selected change's object
//! is copied and rendered, so this costs nothing per change in the tree.

use similar::{ChangeTag, TextDiff};

use crate::diff::{Change, CommentTarget};
use crate::schema::{Namespace, Schema, TableRef};

/// An object of the model, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Object<'a> {
    /// A table or a view.
    Relation(&'a TableRef),
    /// An enum, a domain or a composite type.
    Type(&'a TableRef),
    Sequence(&'a TableRef),
    Function {
        schema: &'a str,
        key: &'a str,
    },
    Schema(&'a str),
    Extension(&'a str),
}

/// One line of a diff: unchanged, only live, or only desired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiffLine {
    Same(String),
    Live(String),
    Desired(String),
    /// Unchanged lines left out between two changed places.
    Skipped,
}

/// The object a change is about on the live side and on the desired side (they differ only
/// for a renamed table).
#[must_use]
pub fn objects(change: &Change) -> Option<(Object<'_>, Object<'_>)> {
    let same = |object| Some((object, object));
    match change {
        Change::RenameTable { from, to, .. } => {
            Some((Object::Relation(from), Object::Relation(to)))
        }
        Change::CreateSchema { schema } | Change::DropSchema { schema } => {
            same(Object::Schema(schema))
        }
        Change::CreateExtension { name, .. } | Change::DropExtension { name, .. } => {
            same(Object::Extension(name))
        }
        Change::CreateType { name, .. }
        | Change::DropType { name, .. }
        | Change::AddEnumValue { name, .. }
        | Change::RenameEnumValue { name, .. }
        | Change::ReplaceEnum { name, .. } => same(Object::Type(name)),
        Change::CreateSequence { name, .. }
        | Change::DropSequence { name, .. }
        | Change::AlterSequence { name, .. } => same(Object::Sequence(name)),
        Change::CreateFunction { schema, key, .. }
        | Change::DropFunction { schema, key, .. }
        | Change::ReplaceFunction { schema, key, .. } => same(Object::Function { schema, key }),
        Change::CreateTable { table, .. }
        | Change::DropTable { table, .. }
        | Change::AddForeignKey { table, .. }
        | Change::CreateView { view: table, .. }
        | Change::DropView { view: table, .. }
        | Change::ReplaceView { view: table, .. }
        | Change::RecreateView { view: table, .. } => same(Object::Relation(table)),
        Change::SetComment { target, .. } => same(comment_object(target)?),
        Change::Unsupported { .. } => None,
        _ => change.altered_table().map(Object::Relation).and_then(same),
    }
}

fn comment_object(target: &CommentTarget) -> Option<Object<'_>> {
    Some(match target {
        CommentTarget::Schema(schema) => Object::Schema(schema),
        CommentTarget::Table(table)
        | CommentTarget::Column(table, _)
        | CommentTarget::View { name: table, .. } => Object::Relation(table),
        CommentTarget::Sequence(name) => Object::Sequence(name),
        CommentTarget::Type(name) => Object::Type(name),
        CommentTarget::Function { schema, key } => Object::Function { schema, key },
        CommentTarget::Index(_) => return None,
    })
}

/// The DDL of `object` in `schema`, one clause per line; empty when it does not exist there.
#[must_use]
pub fn ddl(schema: &Schema, object: Object<'_>) -> String {
    let alone = only(schema, object);
    let mut text = String::new();
    for statement in crate::ddl::create_statements(&alone) {
        let setting = statement.starts_with("SET ");
        let other_schema =
            statement.starts_with("CREATE SCHEMA ") && !matches!(object, Object::Schema(_));
        if setting || other_schema {
            continue;
        }
        text.push_str(&laid_out(&statement));
        text.push_str(";\n");
    }
    text
}

/// How many unchanged lines are kept around each changed place.
const CONTEXT: usize = 3;

/// The lines of the live and the desired DDL, compared: each changed place with a few unchanged
/// lines around it, or every line when nothing differs.
#[must_use]
pub fn diff_lines(live: &str, desired: &str) -> Vec<DiffLine> {
    let diff = TextDiff::from_lines(live, desired);
    let groups = diff.grouped_ops(CONTEXT);
    if groups.is_empty() {
        return live
            .lines()
            .map(|line| DiffLine::Same(line.to_owned()))
            .collect();
    }
    let mut out = Vec::new();
    for (i, group) in groups.iter().enumerate() {
        let starts_later = group.first().is_some_and(|op| op.old_range().start > 0);
        if i > 0 || starts_later {
            out.push(DiffLine::Skipped);
        }
        for op in group {
            out.extend(diff.iter_changes(op).map(|change| {
                let line = change.value().trim_end_matches('\n').to_owned();
                match change.tag() {
                    ChangeTag::Equal => DiffLine::Same(line),
                    ChangeTag::Delete => DiffLine::Live(line),
                    ChangeTag::Insert => DiffLine::Desired(line),
                }
            }));
        }
    }
    let ends_early = groups
        .last()
        .and_then(|group| group.last())
        .is_some_and(|op| op.old_range().end < live.lines().count());
    if ends_early {
        out.push(DiffLine::Skipped);
    }
    out
}

/// A schema holding `object` alone (and its namespace, without the namespace's other objects).
fn only(schema: &Schema, object: Object<'_>) -> Schema {
    let mut alone = Schema::default();
    if let Object::Extension(name) = object {
        if let Some(extension) = schema.extensions.get(name) {
            alone.extensions.insert(name.to_owned(), extension.clone());
        }
        return alone;
    }
    let name_space = match object {
        Object::Relation(name) | Object::Type(name) | Object::Sequence(name) => &name.schema,
        Object::Function { schema, .. } | Object::Schema(schema) => schema,
        Object::Extension(_) => return alone,
    };
    let Some(live) = schema.namespaces.get(name_space) else {
        return alone;
    };
    let mut ns = Namespace {
        comment: matches!(object, Object::Schema(_))
            .then(|| live.comment.clone())
            .flatten(),
        ..Namespace::default()
    };
    copy_object(live, &mut ns, object);
    alone.namespaces.insert(name_space.to_owned(), ns);
    alone
}

fn copy_object(from: &Namespace, to: &mut Namespace, object: Object<'_>) {
    fn copy<T: Clone>(
        from: &std::collections::BTreeMap<String, T>,
        to: &mut std::collections::BTreeMap<String, T>,
        key: &str,
    ) {
        if let Some(value) = from.get(key) {
            to.insert(key.to_owned(), value.clone());
        }
    }
    match object {
        Object::Relation(name) => {
            copy(&from.tables, &mut to.tables, &name.name);
            copy(&from.views, &mut to.views, &name.name);
        }
        Object::Type(name) => {
            copy(&from.enums, &mut to.enums, &name.name);
            copy(&from.domains, &mut to.domains, &name.name);
            copy(&from.composite_types, &mut to.composite_types, &name.name);
        }
        Object::Sequence(name) => copy(&from.sequences, &mut to.sequences, &name.name),
        Object::Function { key, .. } => copy(&from.functions, &mut to.functions, key),
        Object::Schema(_) | Object::Extension(_) => {}
    }
}

/// `CREATE TABLE t (a int, b text)` as one element per line; other statements as they are.
fn laid_out(statement: &str) -> String {
    let listed = ["CREATE TABLE ", "CREATE UNLOGGED TABLE ", "CREATE TYPE "];
    if !listed.iter().any(|start| statement.starts_with(start)) {
        return statement.to_owned();
    }
    let Some((open, close)) = outer_parentheses(statement) else {
        return statement.to_owned();
    };
    let inner = &statement[open + 1..close];
    let mut text = statement[..=open].to_owned();
    let elements = split_top_level(inner);
    for (i, element) in elements.iter().enumerate() {
        text.push_str("\n  ");
        text.push_str(element.trim());
        if i + 1 < elements.len() {
            text.push(',');
        }
    }
    text.push('\n');
    text.push_str(&statement[close..]);
    text
}

/// The first top-level `(` and its matching `)`, outside quotes.
fn outer_parentheses(text: &str) -> Option<(usize, usize)> {
    let mut open = None;
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(') => {
                open.get_or_insert(i);
                depth += 1;
            }
            (None, ')') => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return open.map(|open| (open, i));
                }
            }
            _ => {}
        }
    }
    None
}

/// `text` split at the commas that are outside parentheses and quotes.
fn split_top_level(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => depth = depth.saturating_sub(1),
            (None, ',') if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if !text[start..].trim().is_empty() {
        parts.push(&text[start..]);
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_is_laid_out_one_element_per_line() {
        let text = laid_out(
            "CREATE TABLE public.t (id bigint NOT NULL, code numeric(10, 2) DEFAULT 'a,b', \
             CONSTRAINT t_pkey PRIMARY KEY (id))",
        );
        assert_eq!(
            text,
            "CREATE TABLE public.t (\n  id bigint NOT NULL,\n  code numeric(10, 2) DEFAULT 'a,b',\n  \
             CONSTRAINT t_pkey PRIMARY KEY (id)\n)"
        );
    }

    #[test]
    fn other_statements_stay_on_one_line() {
        let index = "CREATE INDEX i ON public.t USING btree (a, b)";
        assert_eq!(laid_out(index), index);
    }

    #[test]
    fn a_long_diff_keeps_only_the_lines_around_each_change() {
        let live: String = (1..=20).map(|n| format!("{n}\n")).collect();
        let desired = live.replace("10\n", "ten\n");
        let lines = diff_lines(&live, &desired);
        assert_eq!(lines.first(), Some(&DiffLine::Skipped));
        assert_eq!(lines.last(), Some(&DiffLine::Skipped));
        assert_eq!(lines.len(), 2 + 3 + 2 + 3);
        assert!(lines.contains(&DiffLine::Live("10".to_owned())));
        assert!(lines.contains(&DiffLine::Desired("ten".to_owned())));
    }

    #[test]
    fn the_diff_marks_each_side() {
        let lines = diff_lines("a\nb\n", "a\nc\n");
        assert_eq!(
            lines,
            vec![
                DiffLine::Same("a".to_owned()),
                DiffLine::Live("b".to_owned()),
                DiffLine::Desired("c".to_owned()),
            ]
        );
    }
}
