//! The library's module graph, read from `src/`: no import circles, and no arrow from a lower
//! layer to a higher one (the layers are in `docs/architecture.md`).
//!
//! An import is any `use` or path (`crate::…`, `super::…`, `self::…`) that names an item of
//! another module, followed through `pub use` re-exports to the module that defines the item.
//! A module's use of its own submodules is containment, not an import: a parent gathers and
//! re-exports its parts. Code under `#[cfg(test)]` is left out: tests may borrow fixtures from
//! anywhere.

#![allow(clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The top-level modules from the bottom layer up; a module may import from its own layer
/// and the layers below.
const LAYERS: &[&[&str]] = &[
    &["sql"],
    &["schema", "ddl"],
    &["source", "cluster"],
    &["decide"],
    &["diff"],
    &["step"],
    &["rules"],
    &["plan", "count", "shadow"],
    &["session"],
    &["output", "export", "verify"],
    &["tui", "cli", "error", "demo"],
];

type Module = Vec<String>;

#[test]
fn the_module_graph_has_no_circles() {
    let graph = Graph::read(&source_files());
    let circles = graph.circles();
    assert!(
        circles.is_empty(),
        "import circles:\n{}",
        circles
            .iter()
            .map(|circle| circle.join(" -> "))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn no_arrow_goes_from_a_lower_layer_to_a_higher_one() {
    let graph = Graph::read(&source_files());
    let mut upward = Vec::new();
    for (from, targets) in &graph.edges {
        for to in targets {
            let (Some(low), Some(high)) = (layer(to), layer(from)) else {
                continue;
            };
            if low > high {
                upward.push(format!("{} -> {}", name(from), name(to)));
            }
        }
    }
    assert!(upward.is_empty(), "arrows upward:\n{}", upward.join("\n"));
    for top in graph.modules.keys().filter_map(|m| m.first()) {
        assert!(
            LAYERS.iter().any(|layer| layer.contains(&top.as_str())),
            "the top-level module `{top}` has no layer: add it to LAYERS and the docs"
        );
    }
}

#[test]
fn the_reader_finds_a_circle_and_follows_re_exports() {
    let files = [
        ("lib.rs", "pub mod a;\npub mod b;\npub mod c;\n"),
        ("a.rs", "mod inner;\npub use inner::Thing;\n"),
        ("a/inner.rs", "use crate::b::Other;\npub struct Thing;\n"),
        (
            "b.rs",
            "pub struct Other;\nfn f() { let _ = crate::a::Thing; }\n",
        ),
        (
            "c.rs",
            "#[cfg(test)]\nmod tests {\n    use crate::a::Thing;\n}\n// crate::b::Other\n",
        ),
    ];
    let files: Vec<(String, String)> = files
        .iter()
        .map(|(path, text)| ((*path).to_owned(), (*text).to_owned()))
        .collect();
    let graph = Graph::read(&files);
    let circles = graph.circles();
    assert_eq!(circles, vec![vec!["a::inner", "b", "a::inner"]]);
    assert!(graph.edges.get(&module("c")).is_none_or(BTreeSet::is_empty));
}

fn module(path: &str) -> Module {
    path.split("::").map(str::to_owned).collect()
}

fn name(module: &Module) -> String {
    if module.is_empty() {
        "crate".to_owned()
    } else {
        module.join("::")
    }
}

fn layer(module: &Module) -> Option<usize> {
    let top = module.first()?;
    LAYERS
        .iter()
        .position(|layer| layer.contains(&top.as_str()))
}

/// Every `.rs` file of the library under `src/` (the binary's `main.rs` is a crate of its
/// own), as (path relative to `src/`, text).
fn source_files() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    let mut dirs = vec![root.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("src/ is readable") {
            let path = entry.expect("an entry of src/").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let relative = path.strip_prefix(&root).expect("under src/");
                let relative = relative.to_string_lossy().replace('\\', "/");
                if relative != "main.rs" {
                    let text = std::fs::read_to_string(&path).expect("a readable file");
                    files.push((relative, text));
                }
            }
        }
    }
    files
}

struct Graph {
    /// Each module's text with comments, literals and test code blanked out.
    modules: BTreeMap<Module, String>,
    /// Per module, its re-exports: name → the path it stands for.
    reexports: BTreeMap<Module, BTreeMap<String, String>>,
    /// Per module, its glob re-exports (`pub use model::*`).
    globs: BTreeMap<Module, Vec<String>>,
    edges: BTreeMap<Module, BTreeSet<Module>>,
}

impl Graph {
    fn read(files: &[(String, String)]) -> Self {
        let mut graph = Self {
            modules: BTreeMap::new(),
            reexports: BTreeMap::new(),
            globs: BTreeMap::new(),
            edges: BTreeMap::new(),
        };
        let mut test_only = BTreeSet::new();
        for (path, text) in files {
            let module = module_of(path);
            let (code, tests) = without_tests(&blank_comments_and_literals(text));
            for child in tests {
                let mut child_module = module.clone();
                child_module.push(child);
                test_only.insert(child_module);
            }
            graph.modules.insert(module, code);
        }
        // A file declared under `#[cfg(test)]`, and everything below it, is test code.
        graph
            .modules
            .retain(|m, _| !test_only.iter().any(|t| m.starts_with(t)));
        for (module, code) in &graph.modules {
            let mut names = BTreeMap::new();
            let mut globs = Vec::new();
            for (public, path) in uses(code) {
                if !public {
                    continue;
                }
                match path.rsplit_once("::") {
                    Some((base, "*")) => globs.push(base.to_owned()),
                    _ => {
                        let (path, alias) = match path.split_once(" as ") {
                            Some((path, alias)) => (path.to_owned(), alias.to_owned()),
                            None => {
                                let last = path.rsplit("::").next().unwrap_or(&path).to_owned();
                                (path.clone(), last)
                            }
                        };
                        names.insert(alias, path);
                    }
                }
            }
            graph.reexports.insert(module.clone(), names);
            graph.globs.insert(module.clone(), globs);
        }
        let mut edges = BTreeMap::new();
        for (module, code) in &graph.modules {
            let mut targets = BTreeSet::new();
            let paths = uses(code)
                .into_iter()
                .map(|(_, path)| path)
                .chain(inline_paths(code));
            for path in paths {
                let path = path.split(" as ").next().unwrap_or(&path).to_owned();
                if let Some(target) = graph.resolve(module, &path, 0) {
                    // A module's own parts are containment, not imports.
                    if !target.starts_with(module) {
                        targets.insert(target);
                    }
                }
            }
            edges.insert(module.clone(), targets);
        }
        graph.edges = edges;
        graph
    }

    /// The module that defines what `path` (written in `from`) names, if it is in this crate.
    fn resolve(&self, from: &Module, path: &str, depth: usize) -> Option<Module> {
        let segments: Vec<&str> = path.split("::").collect();
        let (mut base, rest) = match segments.first()? {
            &"crate" => (Vec::new(), &segments[1..]),
            &"super" => {
                let supers = segments.iter().take_while(|s| **s == "super").count();
                let keep = from.len().checked_sub(supers)?;
                (from[..keep].to_vec(), &segments[supers..])
            }
            &"self" => (from.clone(), &segments[1..]),
            first if self.modules.contains_key(&child(from, first)) => {
                (from.clone(), &segments[..])
            }
            _ => return None,
        };
        let mut used = 0;
        for segment in rest {
            let next = child(&base, segment);
            if !self.modules.contains_key(&next) {
                break;
            }
            base = next;
            used += 1;
        }
        let Some(item) = rest.get(used) else {
            return Some(base);
        };
        if depth > 8 || *item == "*" || item.starts_with('{') {
            return Some(base);
        }
        if let Some(target) = self.reexports.get(&base).and_then(|names| names.get(*item)) {
            return self.resolve(&base, target, depth + 1).or(Some(base));
        }
        if !defines(&self.modules[&base], item) {
            for glob in self.globs.get(&base).into_iter().flatten() {
                let path = format!("{glob}::{item}");
                if let Some(target) = self.resolve(&base, &path, depth + 1)
                    && target != base
                {
                    return Some(target);
                }
            }
        }
        Some(base)
    }

    /// The strongly connected components of more than one module, each as a circle of names.
    fn circles(&self) -> Vec<Vec<String>> {
        let nodes: Vec<&Module> = self.modules.keys().collect();
        let index_of: BTreeMap<&Module, usize> =
            nodes.iter().enumerate().map(|(i, m)| (*m, i)).collect();
        let next: Vec<Vec<usize>> = nodes
            .iter()
            .map(|m| {
                self.edges
                    .get(*m)
                    .into_iter()
                    .flatten()
                    .filter_map(|t| index_of.get(t).copied())
                    .collect()
            })
            .collect();
        strongly_connected(&next)
            .into_iter()
            .filter(|component| component.len() > 1)
            .map(|component| {
                let mut names: Vec<String> = component.iter().map(|&i| name(nodes[i])).collect();
                names.sort();
                names.push(names[0].clone());
                names
            })
            .collect()
    }
}

fn child(module: &Module, name: &str) -> Module {
    let mut child = module.clone();
    child.push(name.to_owned());
    child
}

fn module_of(path: &str) -> Module {
    let path = path.trim_end_matches(".rs");
    if path == "lib" {
        return Vec::new();
    }
    path.split('/').map(str::to_owned).collect()
}

/// Whether `code` defines an item called `name` itself.
fn defines(code: &str, name: &str) -> bool {
    [
        "struct",
        "enum",
        "fn",
        "trait",
        "type",
        "const",
        "static",
        "mod",
        "macro_rules!",
    ]
    .iter()
    .any(|keyword| {
        code.match_indices(keyword).any(|(at, _)| {
            let after = code[at + keyword.len()..].trim_start();
            after.starts_with(name)
                && !after[name.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
        })
    })
}

/// `text` with comments, string and character literals replaced by spaces (lines kept).
fn blank_comments_and_literals(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let blank = |out: &mut String, c: char| out.push(if c == '\n' { '\n' } else { ' ' });
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    blank(&mut out, chars[i]);
                    i += 1;
                }
            }
        } else if c == 'r'
            && matches!(next, Some('"' | '#'))
            && !is_ident(chars.get(i.wrapping_sub(1)))
        {
            let hashes = chars[i + 1..].iter().take_while(|&&c| c == '#').count();
            if chars.get(i + 1 + hashes) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            i += 2 + hashes;
            while i < chars.len() {
                if chars[i] == '"' && chars[i + 1..].iter().take(hashes).all(|&c| c == '#') {
                    i += 1 + hashes;
                    break;
                }
                blank(&mut out, chars[i]);
                i += 1;
            }
            out.push_str("\"\"");
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    i += 1;
                }
                if let Some(&c) = chars.get(i) {
                    blank(&mut out, c);
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == '\'' && (next == Some('\\') || chars.get(i + 2) == Some(&'\'')) {
            // A character literal; a lifetime (`'a`) has no closing quote.
            i += if next == Some('\\') { 2 } else { 1 };
            while i < chars.len() && chars[i] != '\'' {
                i += 1;
            }
            i += 1;
            out.push_str("' '");
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn is_ident(c: Option<&char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric() || *c == '_')
}

/// `code` without the items under `#[cfg(test)]`, and the names of the test-only modules it
/// declares in files of their own (`#[cfg(test)] mod tests;`).
fn without_tests(code: &str) -> (String, Vec<String>) {
    const MARK: &str = "#[cfg(test)]";
    let mut out = String::new();
    let mut test_modules = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find(MARK) {
        out.push_str(&rest[..at]);
        let mut item = &rest[at + MARK.len()..];
        // Further attributes of the same item.
        loop {
            let trimmed = item.trim_start();
            if trimmed.starts_with("#[") {
                item = &trimmed[trimmed.find(']').map_or(trimmed.len(), |e| e + 1)..];
            } else {
                item = trimmed;
                break;
            }
        }
        let semicolon = item.find(';');
        let brace = item.find('{');
        let end = match (semicolon, brace) {
            (Some(s), b) if b.is_none_or(|b| s < b) => {
                let declared = item[..s].trim();
                if let Some(name) = declared
                    .split_whitespace()
                    .skip_while(|word| *word != "mod")
                    .nth(1)
                {
                    test_modules.push(name.to_owned());
                }
                s + 1
            }
            (_, Some(b)) => matching_brace(item, b),
            _ => item.len(),
        };
        rest = &item[end..];
    }
    out.push_str(rest);
    (out, test_modules)
}

fn matching_brace(text: &str, open: usize) -> usize {
    let mut depth = 0;
    for (i, c) in text[open..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return open + i + 1;
                }
            }
            _ => {}
        }
    }
    text.len()
}

/// Every `use` declaration of `code`, braces expanded: (whether it re-exports, path).
fn uses(code: &str) -> Vec<(bool, String)> {
    let mut found = Vec::new();
    for (at, _) in code.match_indices("use ") {
        let starts_word = at == 0 || !is_ident(code[..at].chars().last().as_ref());
        if !starts_word {
            continue;
        }
        let before = code[..at].trim_end();
        let public = before.ends_with("pub") || (before.ends_with(')') && before.contains("pub("));
        let statement_start = before.is_empty() || before.ends_with(['{', '}', ';', ']']) || public;
        if !statement_start {
            continue;
        }
        let Some(end) = code[at..].find(';') else {
            continue;
        };
        let body: String = code[at + 4..at + end]
            .chars()
            .filter(|c| !c.is_whitespace() || *c == ' ')
            .collect();
        let body = body.split_whitespace().collect::<Vec<_>>().join(" ");
        for path in expand(&body.replace(" ::", "::").replace(":: ", "::")) {
            found.push((public, path));
        }
    }
    found
}

/// `a::{b, c::{d, e}}` as `a::b`, `a::c::d`, `a::c::e`; `self` in braces is the prefix.
fn expand(path: &str) -> Vec<String> {
    let path = path.trim();
    let Some(open) = path.find('{') else {
        return vec![path.to_owned()];
    };
    let close = matching_brace(path, open) - 1;
    let prefix = &path[..open];
    let mut items = Vec::new();
    let mut depth = 0;
    let mut start = open + 1;
    for (i, c) in path[open + 1..close].char_indices() {
        let i = open + 1 + i;
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&path[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&path[start..close]);
    items
        .into_iter()
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .flat_map(|item| {
            if item == "self" {
                vec![prefix.trim_end_matches("::").to_owned()]
            } else {
                expand(&format!("{prefix}{item}"))
            }
        })
        .collect()
}

/// Paths written in code: `crate::a::b`, `super::x`, `self::y`.
fn inline_paths(code: &str) -> Vec<String> {
    let mut found = Vec::new();
    for root in ["crate::", "super::", "self::"] {
        for (at, _) in code.match_indices(root) {
            if at > 0
                && (is_ident(code[..at].chars().last().as_ref()) || code[..at].ends_with("::"))
            {
                continue;
            }
            let end = code[at..]
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .map_or(code.len(), |n| at + n);
            found.push(code[at..end].trim_end_matches(':').to_owned());
        }
    }
    found
}

/// The strongly connected components of `next`: a depth-first search that keeps, for each
/// module, the earliest module still on the stack it reaches (iterative, so deep graphs fit).
fn strongly_connected(next: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let n = next.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut components = Vec::new();
    let mut counter = 0;
    for start in 0..n {
        if index[start] != usize::MAX {
            continue;
        }
        let mut work = vec![(start, 0)];
        while let Some(&(v, child)) = work.last() {
            let top = work.len() - 1;
            if child == 0 && index[v] == usize::MAX {
                index[v] = counter;
                low[v] = counter;
                counter += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if let Some(&w) = next[v].get(child) {
                work[top].1 += 1;
                if index[w] == usize::MAX {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut component = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                components.push(component);
            }
        }
    }
    components
}
