//! Where each node of the file is: one pass over the YAML event stream builds a map from a node's
//! path (`schemas.public.tables.users.primary_key[0]`) to the line and column of the node, and of
//! its key when it is a mapping value. It reads no values: serde does that.

use std::collections::HashMap;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use saphyr_parser::{Event, Parser, Span};

/// One step of a path: a mapping key or a list position.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Step {
    Key(String),
    Index(usize),
}

/// The path from the root of the file to a node. Each path shares its parent's steps: the
/// reader makes one for every node it converts, to place a mistake, and copying every step of
/// each was a sixth of the time to convert a file of 10,000 tables.
#[derive(Debug, Clone, Default)]
pub struct Path(Option<Arc<Link>>);

/// The last step of a path, after its parent's.
#[derive(Debug)]
struct Link {
    parent: Path,
    step: Step,
}

impl Path {
    #[must_use]
    pub fn key(&self, key: &str) -> Path {
        self.then(Step::Key(key.to_owned()))
    }

    #[must_use]
    pub fn index(&self, index: usize) -> Path {
        self.then(Step::Index(index))
    }

    fn then(&self, step: Step) -> Path {
        Path(Some(Arc::new(Link {
            parent: self.clone(),
            step,
        })))
    }

    fn parent(&self) -> Option<Path> {
        self.0.as_ref().map(|link| link.parent.clone())
    }

    /// The steps from the root.
    fn steps(&self) -> Vec<&Step> {
        let mut steps = Vec::new();
        let mut at = self;
        while let Some(link) = &at.0 {
            steps.push(&link.step);
            at = &link.parent;
        }
        steps.reverse();
        steps
    }
}

impl PartialEq for Path {
    fn eq(&self, other: &Self) -> bool {
        match (&self.0, &other.0) {
            (None, None) => true,
            (Some(a), Some(b)) => Arc::ptr_eq(a, b) || (a.step == b.step && a.parent == b.parent),
            _ => false,
        }
    }
}

impl Eq for Path {}

impl Hash for Path {
    /// The steps from the root, as [`PartialEq`] compares them.
    fn hash<H: Hasher>(&self, state: &mut H) {
        if let Some(link) = &self.0 {
            link.parent.hash(state);
            link.step.hash(state);
        }
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.steps().into_iter().enumerate() {
            match step {
                Step::Key(key) if i == 0 => write!(f, "{key}")?,
                Step::Key(key) => write!(f, ".{key}")?,
                Step::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl Position {
    const START: Position = Position { line: 1, column: 1 };

    /// This position, or the end of `text` when it lies past it: the YAML parser reports the end
    /// of a text without a final line break on the line after the last.
    pub fn within(self, text: &str) -> Self {
        // YAML ends a line at `\r\n`, `\r`, `\n`, and the Unicode line breaks.
        let lines: Vec<&str> = text
            .split("\r\n")
            .flat_map(|part| part.split(['\r', '\n', '\u{85}', '\u{2028}', '\u{2029}']))
            .collect();
        let last = lines.last().map_or(0, |line| line.chars().count());
        if self.line > lines.len() {
            Self {
                line: lines.len(),
                column: last + 1,
            }
        } else {
            self
        }
    }

    fn of(span: &Span) -> Self {
        Self {
            line: span.start.line(),
            column: span.start.col() + 1,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Located {
    node: Position,
    key: Option<Position>,
}

/// Positions of every node reachable by a path of scalar keys and list indexes.
#[derive(Debug, Default)]
pub struct Locator {
    nodes: HashMap<Path, Located>,
    /// Keys written twice in the same mapping, in file order.
    duplicates: Vec<(String, Position)>,
}

enum Frame {
    Mapping {
        path: Path,
        key: Option<(String, Position)>,
        seen: Vec<String>,
    },
    Sequence {
        path: Path,
        next: usize,
    },
}

impl Locator {
    /// Indexes `source`. A file the parser rejects yields what was indexed before the error.
    #[must_use]
    pub fn new(source: &str) -> Self {
        let mut locator = Locator::default();
        let mut stack: Vec<Frame> = Vec::new();
        for event in Parser::new_from_str(source) {
            let Ok((event, span)) = event else { break };
            let position = Position::of(&span);
            match event {
                Event::Scalar(value, ..) => {
                    locator.begin_node(&mut stack, position, Some(&value));
                }
                Event::Alias(_) => {
                    locator.begin_node(&mut stack, position, None);
                }
                Event::MappingStart(..) => {
                    let path = locator
                        .begin_node(&mut stack, position, None)
                        .unwrap_or_else(|| Path::default().key("?"));
                    stack.push(Frame::Mapping {
                        path,
                        key: None,
                        seen: Vec::new(),
                    });
                }
                Event::SequenceStart(..) => {
                    let path = locator
                        .begin_node(&mut stack, position, None)
                        .unwrap_or_else(|| Path::default().key("?"));
                    stack.push(Frame::Sequence { path, next: 0 });
                }
                Event::MappingEnd | Event::SequenceEnd => {
                    stack.pop();
                }
                _ => {}
            }
        }
        locator
    }

    /// Records a node starting at `position`; returns its path, or None when the node is a
    /// mapping key (recorded as the pending key instead).
    fn begin_node(
        &mut self,
        stack: &mut [Frame],
        position: Position,
        scalar: Option<&str>,
    ) -> Option<Path> {
        match stack.last_mut() {
            None => {
                self.nodes.insert(
                    Path::default(),
                    Located {
                        node: position,
                        key: None,
                    },
                );
                Some(Path::default())
            }
            Some(Frame::Sequence { path, next }) => {
                let path = path.index(*next);
                *next += 1;
                self.nodes.insert(
                    path.clone(),
                    Located {
                        node: position,
                        key: None,
                    },
                );
                Some(path)
            }
            Some(Frame::Mapping { path, key, seen }) => match key.take() {
                None => {
                    // A key: scalar keys name the entry; other keys get a name no path uses.
                    let text = scalar.unwrap_or("?").to_owned();
                    if seen.contains(&text) {
                        self.duplicates.push((text.clone(), position));
                    }
                    seen.push(text.clone());
                    *key = Some((text, position));
                    None
                }
                Some((text, key_position)) => {
                    let path = path.key(&text);
                    self.nodes.insert(
                        path.clone(),
                        Located {
                            node: position,
                            key: Some(key_position),
                        },
                    );
                    Some(path)
                }
            },
        }
    }

    /// The position of the node at `path`, or of its nearest ancestor that has one.
    #[must_use]
    pub fn value(&self, path: &Path) -> Position {
        self.find(path, |located| Some(located.node))
    }

    /// The position of the key of the mapping entry at `path` (or of the node itself).
    #[must_use]
    pub fn key(&self, path: &Path) -> Position {
        self.find(path, |located| located.key.or(Some(located.node)))
    }

    fn find(&self, path: &Path, pick: impl Fn(&Located) -> Option<Position>) -> Position {
        let mut current = Some(path.clone());
        while let Some(path) = current {
            if let Some(position) = self.nodes.get(&path).and_then(&pick) {
                return position;
            }
            current = path.parent();
        }
        Position::START
    }

    /// The first key written twice in one mapping whose text is `key`, at or after `after`.
    #[must_use]
    pub fn duplicate(&self, key: &str, after: Position) -> Option<Position> {
        self.duplicates
            .iter()
            .filter(|(text, position)| {
                text == key && (position.line, position.column) >= (after.line, after.column)
            })
            .map(|(_, position)| *position)
            .next()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn at(line: usize, column: usize) -> Position {
        Position { line, column }
    }

    #[test]
    fn block_and_flow_nodes_are_found() {
        let source = "pgphase: 1\nschemas:\n  public:\n    tables:\n      users:\n        columns:\n          id: { type: bigint, identity: always }\n        primary_key: [id, \"email\"]\n";
        let locator = Locator::new(source);
        let users = Path::default()
            .key("schemas")
            .key("public")
            .key("tables")
            .key("users");
        assert_eq!(locator.key(&users), at(5, 7));
        let identity = users.key("columns").key("id").key("identity");
        assert_eq!(locator.value(&identity), at(7, 41));
        assert_eq!(locator.key(&identity), at(7, 31));
        assert_eq!(locator.value(&users.key("primary_key").index(1)), at(8, 27));
        assert_eq!(locator.value(&users.key("primary_key").index(0)), at(8, 23));
    }

    #[test]
    fn missing_paths_fall_back_to_the_nearest_ancestor() {
        let locator = Locator::new("a:\n  b: [1, 2]\n");
        let path = Path::default().key("a").key("b").index(7).key("zzz");
        assert_eq!(locator.value(&path), at(2, 6));
        assert_eq!(locator.value(&Path::default().key("nope")), at(1, 1));
    }

    #[test]
    fn multibyte_text_counts_characters() {
        let locator = Locator::new("é: { ü: x }\n");
        assert_eq!(locator.value(&Path::default().key("é").key("ü")), at(1, 9));
    }

    #[test]
    fn repeated_keys_are_recorded() {
        let locator = Locator::new("a: 1\nb: { x: 1, x: 2 }\na: 3\n");
        assert_eq!(locator.duplicate("x", at(1, 1)), Some(at(2, 12)));
        assert_eq!(locator.duplicate("a", at(1, 1)), Some(at(3, 1)));
        assert_eq!(locator.duplicate("b", at(1, 1)), None);
    }

    #[test]
    fn broken_yaml_does_not_panic() {
        let locator = Locator::new("a: [1, 2\nb: {");
        let _ = locator.value(&Path::default().key("a").index(1));
    }

    #[test]
    fn paths_print_like_the_file() {
        let path = Path::default()
            .key("schemas")
            .key("public")
            .key("primary_key")
            .index(0);
        assert_eq!(path.to_string(), "schemas.public.primary_key[0]");
    }
}
