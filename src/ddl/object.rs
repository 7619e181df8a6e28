//! The DDL of one object of a schema, laid out one clause per line so that a line diff of
//! the live and the desired object shows what changes: the subset of the schema the object
//! is, its `CREATE` statements, and the two compared. Only the object asked for is copied.

use similar::{ChangeTag, TextDiff};

use crate::schema::{Namespace, Schema, TableRef};
use crate::sql::lexer::{self, Kind};

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

/// The DDL of `object` in `schema`, one clause per line; empty when it does not exist there.
#[must_use]
pub fn object_ddl(schema: &Schema, object: Object<'_>) -> String {
    let alone = subset(schema, object);
    let mut text = String::new();
    for statement in super::create_statements(&alone) {
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
pub fn compare(live: &str, desired: &str) -> Vec<DiffLine> {
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
#[must_use]
pub fn subset(schema: &Schema, object: Object<'_>) -> Schema {
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
#[must_use]
pub fn laid_out(statement: &str) -> String {
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

/// The first top-level `(` and its matching `)`, as byte offsets; quoted text and comments
/// are skipped.
fn outer_parentheses(text: &str) -> Option<(usize, usize)> {
    let mut open = None;
    let mut depth = 0usize;
    for token in lexer::tokens(text) {
        match token.kind {
            Kind::Open('(') => {
                open.get_or_insert(token.start);
                depth += 1;
            }
            Kind::Close(')') => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return open.map(|open| (open, token.start));
                }
            }
            _ => {}
        }
    }
    None
}

/// `text` split at the commas outside parentheses, quoted text and comments.
fn split_top_level(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for token in lexer::tokens(text) {
        match token.kind {
            Kind::Open('(') => depth += 1,
            Kind::Close(')') => depth = depth.saturating_sub(1),
            Kind::Comma if depth == 0 => {
                parts.push(&text[start..token.start]);
                start = token.start + 1;
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
        let lines = compare(&live, &desired);
        assert_eq!(lines.first(), Some(&DiffLine::Skipped));
        assert_eq!(lines.last(), Some(&DiffLine::Skipped));
        assert_eq!(lines.len(), 2 + 3 + 2 + 3);
        assert!(lines.contains(&DiffLine::Live("10".to_owned())));
        assert!(lines.contains(&DiffLine::Desired("ten".to_owned())));
    }

    #[test]
    fn the_diff_marks_each_side() {
        let lines = compare("a\nb\n", "a\nc\n");
        assert_eq!(
            lines,
            vec![
                DiffLine::Same("a".to_owned()),
                DiffLine::Live("b".to_owned()),
                DiffLine::Desired("c".to_owned()),
            ]
        );
    }

    #[test]
    fn quoted_commas_and_parentheses_do_not_split_a_table() {
        let text = laid_out(
            "CREATE TABLE t (\"a,(b\" text DEFAULT $$,)$$, c int /* , ) */, d text DEFAULT E'\\',')",
        );
        assert_eq!(
            text,
            "CREATE TABLE t (\n  \"a,(b\" text DEFAULT $$,)$$,\n  c int /* , ) */,\n  d text DEFAULT E'\\','\n)"
        );
    }

    #[test]
    fn a_subset_holds_the_object_alone() {
        let mut schema = Schema::default();
        let mut ns = Namespace::default();
        ns.tables
            .insert("t".to_owned(), crate::schema::Table::default());
        ns.tables
            .insert("u".to_owned(), crate::schema::Table::default());
        schema.namespaces.insert("app".to_owned(), ns);
        let t = TableRef::new("app", "t");
        let alone = subset(&schema, Object::Relation(&t));
        let tables: Vec<&String> = alone.namespaces["app"].tables.keys().collect();
        assert_eq!(tables, ["t"]);
        let missing = TableRef::new("other", "t");
        assert!(
            subset(&schema, Object::Relation(&missing))
                .namespaces
                .is_empty()
        );
        assert!(object_ddl(&schema, Object::Relation(&missing)).is_empty());
    }
}
