//! A large file written in pieces by two threads: at 10,000 tables the serializer takes 0.45 s
//! on one core, while the other has nothing to do.
//!
//! Each piece is what the serializer prints for the keys above it and its own part: a schema's
//! objects before its tables and its first tables, the next tables, its objects after them. The
//! serializer prints a map's entries the same way at the same depth, whatever came before them
//! in the map, so the piece's text, without the lines of the keys above it (one line each), is
//! the text the whole file has in that place. The pieces are written in order, at most two ahead
//! of the file; the tests compare the pieces with the whole for every example file.

use std::collections::BTreeSet;
use std::io::{self, Write};

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use crate::schema::model::{Namespace, Schema, Table};
use crate::schema::names::{self, Slot};

use super::{FileOut, SchemaOut, TablesOut, Writer};

/// The tables of one piece; a schema with more is written in pieces.
pub(super) const TABLES_PER_PIECE: usize = 500;

/// Whether the file of `schema` can be cut into pieces: every schema's name prints on one line.
pub(super) fn can_cut(schema: &Schema) -> bool {
    schema.namespaces.keys().all(|name| one_line_key(name))
}

/// Writes `file` to `out` in pieces of `tables_per_piece` tables, made by this thread and one
/// other in turn. Only for a schema that [`can_cut`].
pub(super) fn write(
    file: &FileOut<'_>,
    tables_per_piece: usize,
    mut out: impl Write,
) -> io::Result<()> {
    let writer = file.writer;
    let schemas: Vec<SchemaParts<'_>> = writer
        .schema
        .namespaces
        .iter()
        .zip(default_named_each(writer.schema))
        .map(|((name, ns), omitted)| SchemaParts {
            name,
            ns,
            omitted,
            tables: ns.tables.iter().collect(),
        })
        .collect();
    let mut pieces = vec![Piece::Head];
    for schema in &schemas {
        pieces.extend(schema.pieces(tables_per_piece.max(1)));
    }
    let render = |piece: &Piece<'_, '_>| piece.render(file);
    let (pieces, render) = (&pieces, &render);
    std::thread::scope(|scope| {
        let (send, receive) = std::sync::mpsc::sync_channel(1);
        scope.spawn(move || {
            for piece in pieces.iter().skip(1).step_by(2) {
                // The receiver is gone only when the writing stopped on an error.
                if send.send(render(piece)).is_err() {
                    break;
                }
            }
        });
        for (at, piece) in pieces.iter().enumerate() {
            let text = if at % 2 == 0 {
                render(piece)?
            } else {
                receive.recv().map_err(io::Error::other)??
            };
            out.write_all(&text)?;
        }
        Ok(())
    })
}

/// Each schema's slots whose names are left out ([`names::default_named`]), in schema order,
/// worked out by this thread and one other: at 10,000 tables in two schemas they took 0.12 s, a
/// third of the writing, before any piece could be made.
fn default_named_each(schema: &Schema) -> Vec<BTreeSet<Slot>> {
    let namespaces: Vec<&Namespace> = schema.namespaces.values().collect();
    let (here, there) = deal_by_tables(&namespaces);
    let work = |ats: &[usize]| -> Vec<(usize, BTreeSet<Slot>)> {
        ats.iter()
            .map(|&at| (at, names::default_named(namespaces[at])))
            .collect()
    };
    let (mut done, other) = std::thread::scope(|scope| {
        let other = (!there.is_empty()).then(|| scope.spawn(|| work(&there)));
        let done = work(&here);
        let other = other.map(|thread| {
            thread
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        });
        (done, other)
    });
    done.extend(other.unwrap_or_default());
    done.sort_by_key(|(at, _)| *at);
    done.into_iter().map(|(_, omitted)| omitted).collect()
}

/// The positions of `namespaces` dealt out to two threads: the largest first, each to the one
/// with fewer tables so far.
fn deal_by_tables(namespaces: &[&Namespace]) -> (Vec<usize>, Vec<usize>) {
    let mut by_size: Vec<usize> = (0..namespaces.len()).collect();
    by_size.sort_by_key(|&at| std::cmp::Reverse(namespaces[at].tables.len()));
    let (mut here, mut there) = (Vec::new(), Vec::new());
    let (mut here_tables, mut there_tables) = (0, 0);
    for at in by_size {
        let tables = namespaces[at].tables.len();
        if here_tables <= there_tables {
            here.push(at);
            here_tables += tables;
        } else {
            there.push(at);
            there_tables += tables;
        }
    }
    (here, there)
}

/// A schema as its pieces need it.
struct SchemaParts<'a> {
    name: &'a str,
    ns: &'a Namespace,
    omitted: BTreeSet<Slot>,
    tables: Vec<(&'a String, &'a Table)>,
}

impl SchemaParts<'_> {
    fn pieces(&self, tables_per_piece: usize) -> Vec<Piece<'_, '_>> {
        let mut chunks = self.tables.chunks(tables_per_piece);
        // The schema's line, its objects before its tables and its first tables: the whole
        // schema when one piece holds its tables (an empty one prints as `{}` on its line).
        let first = Piece::Schema {
            parts: self,
            tables: chunks.next().unwrap_or_default(),
            before_tables: true,
            after_tables: chunks.len() == 0,
        };
        let mut pieces = vec![first];
        if chunks.len() == 0 {
            return pieces;
        }
        pieces.extend(chunks.map(|tables| Piece::Tables {
            parts: self,
            tables,
        }));
        let ns = self.ns;
        if !(ns.views.is_empty() && ns.functions.is_empty() && ns.operators.is_empty()) {
            pieces.push(Piece::Schema {
                parts: self,
                tables: &[],
                before_tables: false,
                after_tables: true,
            });
        }
        pieces
    }
}

/// A part of the file, in file order.
enum Piece<'p, 'a> {
    /// Everything before `schemas:`, and that line.
    Head,
    /// A schema's line and its objects before or after its tables, with tables or none.
    Schema {
        parts: &'p SchemaParts<'a>,
        tables: &'p [(&'a String, &'a Table)],
        before_tables: bool,
        after_tables: bool,
    },
    /// More tables of a schema.
    Tables {
        parts: &'p SchemaParts<'a>,
        tables: &'p [(&'a String, &'a Table)],
    },
}

impl Piece<'_, '_> {
    fn render(&self, file: &FileOut<'_>) -> io::Result<Vec<u8>> {
        let writer: &Writer<'_> = file.writer;
        match self {
            Piece::Head => {
                let mut text = serialize(&HeadOut(file))?;
                if !writer.schema.namespaces.is_empty() {
                    text.extend_from_slice(b"schemas:\n");
                }
                Ok(text)
            }
            Piece::Schema {
                parts,
                tables,
                before_tables,
                after_tables,
            } => {
                let schema = SchemaOut {
                    writer,
                    name: parts.name,
                    ns: parts.ns,
                    omitted: &parts.omitted,
                    tables,
                    before_tables: *before_tables,
                    after_tables: *after_tables,
                };
                // With the objects before the tables, the piece starts on the schema's line.
                let keep_schema_line = *before_tables;
                let keys = [parts.name];
                under(&keys, &schema, if keep_schema_line { 1 } else { 2 })
            }
            Piece::Tables { parts, tables } => {
                let value = TablesOut {
                    writer,
                    schema: parts.name,
                    tables,
                    omitted: &parts.omitted,
                };
                under(&[parts.name, "tables"], &value, 3)
            }
        }
    }
}

/// Whether `key` prints on one line as a map's key, as the lines a piece cuts must. A name
/// with a line break in it (PostgreSQL allows one, quoted) prints as a complex key, `? ` and
/// its lines, then `: ` and the value.
fn one_line_key(key: &str) -> bool {
    let printed = serialize(&Under {
        keys: &[key],
        value: &0,
    });
    printed.is_ok_and(|text| text.iter().filter(|byte| **byte == b'\n').count() == 1)
}

/// The text of `value` under `schemas:` and `keys`, without its first `cut` lines.
fn under<T: Serialize>(keys: &[&str], value: &T, cut: usize) -> io::Result<Vec<u8>> {
    let mut text = serialize(&Under {
        keys: &[&["schemas"], keys].concat(),
        value,
    })?;
    let start = text
        .iter()
        .enumerate()
        .filter(|(_, byte)| **byte == b'\n')
        .nth(cut - 1)
        .map_or(text.len(), |(at, _)| at + 1);
    text.drain(..start);
    Ok(text)
}

fn serialize<T: Serialize>(value: &T) -> io::Result<Vec<u8>> {
    let mut text = Vec::new();
    serde_norway::to_writer(&mut text, value).map_err(io::Error::other)?;
    Ok(text)
}

/// Everything of the file before its `schemas:`.
struct HeadOut<'f, 'a>(&'f FileOut<'a>);

impl Serialize for HeadOut<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize_with(serializer, false)
    }
}

/// `value` under single-entry maps of `keys`, the first outermost.
struct Under<'a, T> {
    keys: &'a [&'a str],
    value: &'a T,
}

impl<T: Serialize> Serialize for Under<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Some((first, rest)) = self.keys.split_first() else {
            return self.value.serialize(serializer);
        };
        let mut map = serializer.serialize_map(Some(1))?;
        let inner = Under {
            keys: rest,
            value: self.value,
        };
        map.serialize_entry(first, &inner)?;
        map.end()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use crate::source::yaml::{parse, write_in_pieces};

    /// Every file under `tests/yaml/valid`, written in pieces of one, two and three tables,
    /// is the file written whole.
    #[test]
    fn pieces_make_the_whole_file() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/yaml/valid");
        let mut tried = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            let desired = parse(&text, &path.display().to_string()).unwrap();
            let whole = write_in_pieces(&desired.schema, None);
            for tables_per_piece in 1..=3 {
                assert_eq!(
                    write_in_pieces(&desired.schema, Some(tables_per_piece)),
                    whole,
                    "{} in pieces of {tables_per_piece}",
                    path.display()
                );
            }
            tried += 1;
        }
        assert!(tried >= 4, "the valid examples");
    }

    #[test]
    fn a_schema_whose_name_prints_on_several_lines_is_written_whole() {
        let text =
            "pgphase: 1\nschemas:\n  \"two\\nlines\":\n    tables:\n      a: {}\n      b: {}\n";
        let desired = parse(text, "x.yaml").unwrap();
        assert!(desired.schema.namespaces.contains_key("two\nlines"));
        let whole = write_in_pieces(&desired.schema, None);
        assert!(whole.contains("? "), "a complex key: {whole}");
        assert_eq!(write_in_pieces(&desired.schema, Some(1)), whole);
        // A table's name on several lines is inside a piece, which prints it as the whole does.
        let text = "pgphase: 1\nschemas:\n  app:\n    tables:\n      a: {}\n      \"b\\nc\": {}\n      d: {}\n";
        let desired = parse(text, "x.yaml").unwrap();
        let whole = write_in_pieces(&desired.schema, None);
        assert!(whole.contains("? "), "a complex key: {whole}");
        assert_eq!(write_in_pieces(&desired.schema, Some(1)), whole);
    }

    #[test]
    fn a_schema_without_tables_or_anything_after_them_is_written_in_pieces_too() {
        let text = "pgphase: 1\nschemas:\n  empty: {}\n  app:\n    tables:\n      a:\n        columns:\n          id: integer\n      b:\n        columns:\n          id: integer\n      c: {}\n  zzz:\n    comment: last\n";
        let desired = parse(text, "x.yaml").unwrap();
        let whole = write_in_pieces(&desired.schema, None);
        assert!(whole.contains("empty: {}"), "{whole}");
        for tables_per_piece in 1..=4 {
            assert_eq!(
                write_in_pieces(&desired.schema, Some(tables_per_piece)),
                whole
            );
        }
    }
}
