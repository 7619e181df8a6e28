//! Dependency order for the objects that can refer to one another by name: types, functions,
//! operators, sequences, tables and views.
//!
//! An object depends on every object its SQL text names (qualified anywhere, or bare within its
//! own schema). The scan over-approximates, which is harmless: a spurious edge only constrains the
//! order. Ties, and the rare cycle, are broken by kind (types before functions before tables before
//! views) and then by name, so the order is deterministic.

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap, HashMap};

use crate::schema::types::split_qualified;
use crate::schema::{Namespace, Schema, Table};
use crate::sql::lexer;

/// The kinds, in the order they are created when nothing else decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Enum,
    Composite,
    Domain,
    Sequence,
    Function,
    Operator,
    Table,
    View,
}

/// One object to create: its kind, schema, name, and its key in the namespace map (the name, or
/// the signature for functions and operators).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Object {
    pub kind: Kind,
    pub schema: String,
    pub name: String,
    pub key: String,
}

/// Every object of `schema`, each after the objects it depends on.
pub fn objects_in_dependency_order(schema: &Schema) -> Vec<Object> {
    let (objects, texts) = collect(schema);
    let mut by_name: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
    for (index, object) in objects.iter().enumerate() {
        by_name
            .entry((object.schema.as_str(), object.name.as_str()))
            .or_default()
            .push(index);
    }
    let mut dependencies: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); objects.len()];
    for (index, object) in objects.iter().enumerate() {
        for text in &texts[index] {
            for reference in references(text) {
                let (ref_schema, ref_name) = match &reference {
                    Reference::Qualified(s, n) => (s.as_str(), n.as_str()),
                    Reference::Bare(n) => (object.schema.as_str(), n.as_str()),
                };
                for &target in by_name.get(&(ref_schema, ref_name)).into_iter().flatten() {
                    if target != index {
                        dependencies[index].insert(target);
                    }
                }
            }
        }
    }
    add_partition_parents(schema, &objects, &by_name, &mut dependencies);
    topological_order(objects, &dependencies)
}

/// Kahn's algorithm, always taking the smallest ready object; on a cycle, the smallest left.
fn topological_order(objects: Vec<Object>, dependencies: &[BTreeSet<usize>]) -> Vec<Object> {
    let mut waiting_on: Vec<usize> = dependencies.iter().map(BTreeSet::len).collect();
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); objects.len()];
    for (index, deps) in dependencies.iter().enumerate() {
        for &dep in deps {
            dependents[dep].push(index);
        }
    }
    let mut ready: BinaryHeap<Reverse<(&Object, usize)>> = BinaryHeap::new();
    for (index, object) in objects.iter().enumerate() {
        if waiting_on[index] == 0 {
            ready.push(Reverse((object, index)));
        }
    }
    let mut done = vec![false; objects.len()];
    let mut order = Vec::with_capacity(objects.len());
    while order.len() < objects.len() {
        let next = match ready.pop() {
            Some(Reverse((_, index))) => index,
            None => match cycle_breaker(&objects, dependencies, &done) {
                Some(index) => index,
                None => break,
            },
        };
        if done[next] {
            continue;
        }
        done[next] = true;
        order.push(next);
        for &dependent in &dependents[next] {
            waiting_on[dependent] = waiting_on[dependent].saturating_sub(1);
            if waiting_on[dependent] == 0 && !done[dependent] {
                ready.push(Reverse((&objects[dependent], dependent)));
            }
        }
    }
    let mut slots: Vec<Option<Object>> = objects.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| slots[i].take()).collect()
}

/// On a cycle: walks unmet dependencies from the smallest object left until a name repeats,
/// and returns the smallest object on that cycle.
fn cycle_breaker(
    objects: &[Object],
    dependencies: &[BTreeSet<usize>],
    done: &[bool],
) -> Option<usize> {
    let unmet = |i: usize| {
        dependencies[i]
            .iter()
            .copied()
            .filter(|&d| !done[d])
            .min_by_key(|&d| &objects[d])
    };
    let mut path = vec![
        (0..objects.len())
            .filter(|&i| !done[i])
            .min_by_key(|&i| &objects[i])?,
    ];
    loop {
        let last = *path.last()?;
        let Some(next) = unmet(last) else {
            return Some(last);
        };
        if let Some(start) = path.iter().position(|&p| p == next) {
            return path[start..].iter().copied().min_by_key(|&i| &objects[i]);
        }
        path.push(next);
    }
}

fn add_partition_parents(
    schema: &Schema,
    objects: &[Object],
    by_name: &HashMap<(&str, &str), Vec<usize>>,
    dependencies: &mut [BTreeSet<usize>],
) {
    for (index, object) in objects.iter().enumerate() {
        if object.kind != Kind::Table {
            continue;
        }
        let Some(parent) = schema
            .namespaces
            .get(&object.schema)
            .and_then(|ns| ns.tables.get(&object.name))
            .and_then(|t| t.partition_of.as_ref())
        else {
            continue;
        };
        let targets = by_name.get(&(parent.parent.schema.as_str(), parent.parent.name.as_str()));
        for &target in targets.into_iter().flatten() {
            if objects[target].kind == Kind::Table {
                dependencies[index].insert(target);
            }
        }
    }
}

/// The objects and, for each, the SQL texts whose names it depends on.
fn collect(schema: &Schema) -> (Vec<Object>, Vec<Vec<String>>) {
    let mut objects = Vec::new();
    let mut texts = Vec::new();
    for (ns_name, ns) in &schema.namespaces {
        for (object, text) in namespace_objects(ns) {
            let name = match object.0 {
                Kind::Function | Kind::Operator => {
                    object.1.split('(').next().unwrap_or(&object.1).to_owned()
                }
                _ => object.1.clone(),
            };
            objects.push(Object {
                kind: object.0,
                schema: ns_name.clone(),
                name,
                key: object.1,
            });
            texts.push(text);
        }
    }
    (objects, texts)
}

fn namespace_objects(ns: &Namespace) -> Vec<((Kind, String), Vec<String>)> {
    let mut out = Vec::new();
    for name in ns.enums.keys() {
        out.push(((Kind::Enum, name.clone()), Vec::new()));
    }
    for (name, d) in &ns.domains {
        let mut text = vec![d.data_type.clone()];
        text.extend(d.default.clone());
        text.extend(d.checks.iter().map(|c| c.expression.clone()));
        out.push(((Kind::Domain, name.clone()), text));
    }
    for (name, c) in &ns.composite_types {
        out.push((
            (Kind::Composite, name.clone()),
            c.attributes.iter().map(|a| a.data_type.clone()).collect(),
        ));
    }
    for (name, s) in &ns.sequences {
        out.push(((Kind::Sequence, name.clone()), vec![s.data_type.clone()]));
    }
    for (key, f) in &ns.functions {
        out.push(((Kind::Function, key.clone()), vec![f.definition.clone()]));
    }
    for (key, o) in &ns.operators {
        out.push(((Kind::Operator, key.clone()), vec![o.definition.clone()]));
    }
    for (name, t) in &ns.tables {
        out.push(((Kind::Table, name.clone()), table_texts(t)));
    }
    for (name, v) in &ns.views {
        out.push(((Kind::View, name.clone()), vec![v.definition.clone()]));
    }
    out
}

fn table_texts(table: &Table) -> Vec<String> {
    let mut texts = Vec::new();
    for column in &table.columns {
        texts.push(column.data_type.to_string());
        texts.extend(column.default.as_ref().map(ToString::to_string));
        texts.extend(column.generated.clone());
    }
    texts.extend(table.checks.iter().map(|c| c.expression.clone()));
    texts.extend(table.exclusions.iter().map(|x| x.definition.clone()));
    texts
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Reference {
    Qualified(String, String),
    Bare(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Ident(String),
    Dot,
    Other,
}

/// The names a piece of SQL mentions, as (schema, name) for `schema.name` and (None, name) for
/// a bare identifier; see [`references`].
pub(crate) fn mentioned_names(sql: &str) -> Vec<(Option<String>, String)> {
    references(sql)
        .into_iter()
        .map(|reference| match reference {
            Reference::Qualified(schema, name) => (Some(schema), name),
            Reference::Bare(name) => (None, name),
        })
        .collect()
}

/// The names a piece of SQL mentions: every identifier, every `a.b` pair, and names inside
/// string literals (`nextval('public.seq'::regclass)`). Dollar-quoted bodies and comments are
/// skipped: PostgreSQL does not resolve names in them when the object is created.
fn references(sql: &str) -> Vec<Reference> {
    let tokens = tokenize(sql);
    let mut out = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        match token {
            Token::Ident(name) => {
                out.push(Reference::Bare(name.clone()));
                if let (Some(Token::Dot), Some(Token::Ident(next))) =
                    (tokens.get(i + 1), tokens.get(i + 2))
                {
                    out.push(Reference::Qualified(name.clone(), next.clone()));
                }
            }
            Token::Dot | Token::Other => {}
        }
    }
    out
}

fn tokenize(sql: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    for token in lexer::significant(sql) {
        match token.kind {
            lexer::Kind::Word | lexer::Kind::QuotedName => {
                tokens.push(Token::Ident(token.name().unwrap_or_default()));
            }
            lexer::Kind::String => {
                tokens.extend(literal_references(
                    &token.string_value().unwrap_or_default(),
                ));
            }
            lexer::Kind::Dot => tokens.push(Token::Dot),
            _ => tokens.push(Token::Other),
        }
    }
    tokens
}

/// A literal that spells a (qualified) name, like the argument of `nextval`, as tokens.
fn literal_references(text: &str) -> Vec<Token> {
    match split_qualified(text).as_deref() {
        Some([name]) => vec![Token::Ident(name.clone()), Token::Other],
        Some([schema, name]) => vec![
            Token::Ident(schema.clone()),
            Token::Dot,
            Token::Ident(name.clone()),
            Token::Other,
        ],
        _ => vec![Token::Other],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(sql: &str) -> Vec<String> {
        references(sql)
            .into_iter()
            .map(|r| match r {
                Reference::Qualified(s, n) => format!("{s}.{n}"),
                Reference::Bare(n) => n,
            })
            .collect()
    }

    #[test]
    fn references_find_qualified_quoted_and_literal_names() {
        assert_eq!(
            names("nextval('public.film_id_seq'::regclass)"),
            [
                "nextval",
                "public",
                "public.film_id_seq",
                "film_id_seq",
                "regclass"
            ]
        );
        assert_eq!(
            names("\"My Schema\".\"T\""),
            ["My Schema", "My Schema.T", "T"]
        );
        assert_eq!(names("Foo -- bar\n/* baz */ x"), ["foo", "x"]);
    }

    #[test]
    fn dollar_quoted_bodies_are_skipped_but_parameters_are_not_quotes() {
        assert_eq!(
            names("AS $function$ select * from t $function$ LANGUAGE sql"),
            ["as", "language", "sql"]
        );
        assert_eq!(names("$1 + b"), ["b"]);
    }

    #[test]
    fn order_puts_dependencies_first_and_breaks_cycles_deterministically() {
        let objects: Vec<Object> = ["a", "b", "c"]
            .iter()
            .map(|n| Object {
                kind: Kind::Table,
                schema: "s".into(),
                name: (*n).into(),
                key: (*n).into(),
            })
            .collect();
        // a needs c; b and c need each other.
        let deps = vec![
            BTreeSet::from([2]),
            BTreeSet::from([2]),
            BTreeSet::from([1]),
        ];
        let order: Vec<String> = topological_order(objects, &deps)
            .into_iter()
            .map(|o| o.name)
            .collect();
        assert_eq!(order, ["b", "c", "a"]);
    }
}
