//! A large desired file read on two threads: the text is cut before a table near its middle,
//! each half is parsed on its own thread, in pieces cut the same way, and the raw forms are
//! joined.
//!
//! The second half is the rest of the text under the lines that open the cut table's place
//! (`schemas:`, its schema, `tables:`, written as in the file), so both halves are read exactly
//! as the whole text would be. A cut is made only where that is certain: every line of the text
//! is scanned first, and a text holding anything that could make a line mean something else
//! than its indentation says (a quoted scalar or flow collection spanning lines, an anchor or
//! alias, a tag, a complex key, a document marker or directive, a carriage return) is read
//! whole, and so is a text holding a top-level key, a schema or a key of a schema twice. A table
//! that two pieces each hold once but the whole text twice refuses the join, and so does a
//! piece that does not parse: the caller then reads the whole text, whose errors are the ones
//! reported.

use std::collections::HashSet;

use super::ordered::OrderedMap;
use super::raw::{RawFile, RawSchema};

/// Texts shorter than this are read whole: a second thread gains nothing on them.
pub const SPLIT_FROM_BYTES: usize = 1 << 20;

/// Each half is read in pieces of about this size, one after the other, each cut as the halves
/// are. A parser that holds every event of its text before deserialising (serde_norway) then
/// holds a piece's, about 4 MB; pieces of 128 KB, 512 KB or 1 MB read 10,000 tables no faster.
pub const PIECE_BYTES: usize = 1 << 18;

/// The raw form of `text` read in two halves on two threads, each in pieces of about
/// [`PIECE_BYTES`], by `parse`; `None` when the text is small, has no safe cut or a piece does
/// not parse (then it must be read whole).
pub fn read(text: &str, parse: impl Fn(&str) -> Option<RawFile> + Sync) -> Option<RawFile> {
    read_in_pieces_of(text, PIECE_BYTES, &parse)
}

/// [`read`] with pieces of about `piece_bytes`. The text is scanned once for every safe cut
/// (see [`cuts`]); the halves and their pieces are cut there. Scanning each part again for its
/// own cut, as the halves were cut in pieces, was a tenth of the plan's CPU at 10,000 tables.
fn read_in_pieces_of(
    text: &str,
    piece_bytes: usize,
    parse: &(impl Fn(&str) -> Option<RawFile> + Sync),
) -> Option<RawFile> {
    if text.len() < SPLIT_FROM_BYTES {
        return None;
    }
    let cuts = cuts(text)?;
    let middle = cuts.iter().position(|cut| cut.at >= text.len() / 2)?;
    let (before, after) = cuts.split_at(middle);
    let (before, after) = (every(before, piece_bytes), every(after, piece_bytes));
    let at = cuts[middle].at;
    let (first, second) = std::thread::scope(|scope| {
        let second = scope.spawn(|| read_pieces(text, false, &after, text.len(), parse));
        let first = read_pieces(text, true, &before, at, parse);
        // A parser that panics on a half is left to panic on the whole text, where it is
        // reported as it would be without the cut.
        (first, second.join().ok().flatten())
    });
    join(first?, second?, cuts[middle].schema)
}

/// Of `cuts` (in order), the first and then each at least `bytes` after the one kept before.
fn every<'c, 't>(cuts: &'c [Cut<'t>], bytes: usize) -> Vec<&'c Cut<'t>> {
    let mut kept: Vec<&Cut<'t>> = Vec::new();
    for cut in cuts {
        if kept.last().is_none_or(|last| cut.at >= last.at + bytes) {
            kept.push(cut);
        }
    }
    kept
}

/// The part of `text` that ends at `end` read by `parse` in pieces, one after the other: with
/// `from_start`, from the text's start to the first of `cuts` as it is; then from each cut to
/// the next (or `end`) under the lines that open the cut's place (see [`Cut`]); all joined.
fn read_pieces(
    text: &str,
    from_start: bool,
    cuts: &[&Cut<'_>],
    end: usize,
    parse: &impl Fn(&str) -> Option<RawFile>,
) -> Option<RawFile> {
    let mut read = None;
    if from_start {
        read = Some(parse(&text[..cuts.first().map_or(end, |cut| cut.at)])?);
    }
    let ends = cuts.iter().skip(1).map(|cut| cut.at).chain([end]);
    for (cut, end) in cuts.iter().zip(ends) {
        let piece = parse(&cut.piece(text, end))?;
        read = Some(match read {
            Some(before) => join(before, piece, cut.schema)?,
            None => piece,
        });
    }
    read
}

/// The halves of `text` cut at `cut`, parsed on two threads and joined.
fn read_at(
    text: &str,
    cut: &Cut<'_>,
    parse: &(impl Fn(&str) -> Option<RawFile> + Sync),
) -> Option<RawFile> {
    let second_text = cut.piece(text, text.len());
    let (first, second) = std::thread::scope(|scope| {
        let second = scope.spawn(|| parse(&second_text));
        let first = parse(&text[..cut.at]);
        (first, second.join().ok().flatten())
    });
    join(first?, second?, cut.schema)
}

/// Test hook: the raw form read in halves cut at each table where a cut is safe, in order.
pub fn read_at_every_cut(
    text: &str,
    parse: &(impl Fn(&str) -> Option<RawFile> + Sync),
) -> Vec<(usize, Option<RawFile>)> {
    cuts(text)
        .unwrap_or_default()
        .iter()
        .map(|cut| (cut.at, read_at(text, cut, parse)))
        .collect()
}

/// Every safe cut of `text`, in order: before each table of a schema's `tables` but the first.
/// `None` when no cut can be sure to read as the whole text does: the text holds something that
/// could make a line mean other than its indentation says (see the module), or a key twice (a
/// top-level key, a schema, a key of a schema), which only the whole text reports.
fn cuts(text: &str) -> Option<Vec<Cut<'_>>> {
    if text.contains('\r') || text.starts_with('\u{feff}') {
        return None;
    }
    let mut scan = Scan::default();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        scan.line(offset, line)?;
        offset += line.len();
    }
    Some(scan.cuts)
}

/// Where the text can be cut, and what the part after it needs to be read in the same place.
#[derive(Debug)]
struct Cut<'t> {
    /// The offset of the line of the first table after the cut.
    at: usize,
    /// The schema whose tables are cut.
    schema: &'t str,
    /// The lines `schemas:`, the schema's and its `tables:`, as written in the file.
    head: [&'t str; 3],
}

impl Cut<'_> {
    /// The text from the cut to `end`, under the lines that open its place.
    fn piece(&self, text: &str, end: usize) -> String {
        let rest = &text[self.at..end];
        let mut piece = String::with_capacity(rest.len() + 256);
        for line in self.head {
            piece.push_str(line);
            piece.push('\n');
        }
        piece.push_str(rest);
        piece
    }
}

/// One structural line: its indentation and, for a key with nothing after it (a mapping
/// follows), the key.
#[derive(Debug, Clone, Copy)]
struct Open<'t> {
    indent: usize,
    key: Option<&'t str>,
    line: &'t str,
}

/// The state of the scan of the text, line by line.
#[derive(Debug, Default)]
struct Scan<'t> {
    /// The lines the current line is nested in, outermost first.
    stack: Vec<Open<'t>>,
    /// Inside a block scalar whose parent node is at this column: more indented lines are its
    /// text.
    block_parent: Option<usize>,
    /// The indentation of the first table under the current `tables:`.
    table_indent: Option<usize>,
    /// The schema being scanned.
    schema_name: Option<&'t str>,
    /// The keys at the top level, the schemas, and the keys of the schema being scanned.
    top_keys: HashSet<&'t str>,
    schemas: HashSet<&'t str>,
    schema_keys: HashSet<&'t str>,
    cuts: Vec<Cut<'t>>,
}

impl<'t> Scan<'t> {
    /// Scans one line; `None` when the text has something a cut cannot be sure of.
    fn line(&mut self, offset: usize, line: &'t str) -> Option<()> {
        let body = line.strip_suffix('\n').unwrap_or(line);
        let indent = body.len() - body.trim_start_matches(' ').len();
        let content = &body[indent..];
        if let Some(parent) = self.block_parent {
            if content.is_empty() || indent > parent {
                return Some(());
            }
            self.block_parent = None;
        }
        if content.is_empty() || content.starts_with('#') {
            return Some(());
        }
        if indent == 0 && (content.starts_with("---") || content.starts_with("...")) {
            return None;
        }
        let scanned = scan_line(content, indent)?;
        self.block_parent = scanned.block_parent;
        while self.stack.last().is_some_and(|open| open.indent >= indent) {
            self.stack.pop();
        }
        let key = match scanned.key {
            Some(Key::Plain(key)) => Some(key),
            Some(Key::Quoted) => None,
            None => None,
        };
        let is_key = scanned.key.is_some() && !scanned.item;
        let names = [0, 1, 2].map(|i| self.stack.get(i).and_then(|open| open.key));
        match (self.stack.len(), names) {
            // A top-level key.
            (0, _) if is_key => {
                self.top_keys.insert(key?).then_some(())?;
            }
            // A schema: its keys are gathered afresh.
            (1, [Some("schemas"), ..]) if is_key => {
                let name = key?;
                self.schemas.insert(name).then_some(())?;
                self.schema_name = Some(name);
                self.schema_keys.clear();
            }
            // A key of a schema.
            (2, [Some("schemas"), Some(schema), _])
                if is_key && Some(schema) == self.schema_name =>
            {
                self.schema_keys.insert(key?).then_some(())?;
                self.table_indent = None;
            }
            // A table.
            (3, [Some("schemas"), Some(schema), Some("tables")]) if is_key => {
                if key.is_some() && self.table_indent == Some(indent) {
                    let head = [self.stack[0].line, self.stack[1].line, self.stack[2].line];
                    self.cuts.push(Cut {
                        at: offset,
                        schema,
                        head,
                    });
                }
                self.table_indent.get_or_insert(indent);
            }
            _ => {}
        }
        self.stack.push(Open {
            indent,
            key: if scanned.opens_mapping && !scanned.item {
                key
            } else {
                None
            },
            line: body,
        });
        Some(())
    }
}

/// A key at the start of a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key<'t> {
    Plain(&'t str),
    Quoted,
}

/// What a line holds, as far as the cut needs to know.
#[derive(Debug, Default)]
struct Line<'t> {
    /// The key the line starts with (after any `- `).
    key: Option<Key<'t>>,
    /// The line starts with `- `: an entry of a sequence.
    item: bool,
    /// The line is a key with nothing after it: the mapping or sequence under it follows.
    opens_mapping: bool,
    /// The line ends in a block scalar's header; the column of its parent node.
    block_parent: Option<usize>,
}

/// Scans the content of a line (after its indentation, at column `indent`); `None` when it
/// holds something that could span lines or that the cut does not read (anchors, aliases,
/// tags, complex keys, directives).
fn scan_line(content: &str, indent: usize) -> Option<Line<'_>> {
    let bytes = content.as_bytes();
    let mut line = Line::default();
    let mut pos = 0;
    // The column of the node whose value comes next: a block scalar there is indented past it.
    let mut node_column = indent;
    let mut nodes = 0;
    loop {
        let skipped = skip_spaces(bytes, &mut pos);
        let Some(&c) = bytes.get(pos) else { break };
        if c == b'#' && (skipped > 0 || pos == 0) {
            break;
        }
        let start = pos;
        let quoted = match c {
            b'-' if bytes.get(pos + 1).is_none_or(|&next| next == b' ') => {
                line.item = true;
                node_column = indent + pos;
                pos += 1;
                continue;
            }
            b'|' | b'>' => {
                if !block_header_rest(&content[pos + 1..]) {
                    return None;
                }
                line.block_parent = Some(node_column);
                break;
            }
            b'"' => {
                pos = close_double(bytes, pos)?;
                true
            }
            b'\'' => {
                pos = close_single(bytes, pos)?;
                true
            }
            b'[' | b'{' => {
                pos = close_flow(bytes, pos)?;
                true
            }
            b'?' | b'&' | b'*' | b'!' | b'%' | b'@' | b'`' | b',' | b']' | b'}' | b'#' => {
                return None;
            }
            _ => {
                pos = plain_end(bytes, pos);
                false
            }
        };
        nodes += 1;
        let text = content[start..pos].trim_end_matches(' ');
        skip_spaces(bytes, &mut pos);
        let is_key =
            bytes.get(pos) == Some(&b':') && bytes.get(pos + 1).is_none_or(|&next| next == b' ');
        if is_key {
            if nodes == 1 {
                line.key = Some(if quoted {
                    Key::Quoted
                } else {
                    Key::Plain(text)
                });
                node_column = indent + start;
            }
            pos += 1;
            let mut after = pos;
            skip_spaces(bytes, &mut after);
            let rest = &bytes[after..];
            line.opens_mapping = nodes == 1 && (rest.is_empty() || rest[0] == b'#');
            continue;
        }
        // After a scalar that is not a key: the end of the line or a comment.
        match bytes.get(pos) {
            None => break,
            Some(b'#') if bytes[pos - 1] == b' ' => break,
            Some(_) if !quoted => break,
            Some(_) => return None,
        }
    }
    Some(line)
}

fn skip_spaces(bytes: &[u8], pos: &mut usize) -> usize {
    let start = *pos;
    while bytes.get(*pos) == Some(&b' ') {
        *pos += 1;
    }
    *pos - start
}

/// After `|` or `>`: indentation and chomping indicators, then nothing or a comment.
fn block_header_rest(rest: &str) -> bool {
    let rest = rest.trim_start_matches(|c: char| c == '+' || c == '-' || c.is_ascii_digit());
    let comment = rest.trim_start_matches(' ');
    rest.is_empty() || (comment.len() < rest.len() && comment.starts_with('#'))
}

/// The end of a plain scalar starting at `pos`: before `: `, a final `:`, ` #` or the end.
fn plain_end(bytes: &[u8], mut pos: usize) -> usize {
    while pos < bytes.len() {
        match bytes[pos] {
            b':' if bytes.get(pos + 1).is_none_or(|&next| next == b' ') => return pos,
            b'#' if bytes[pos - 1] == b' ' => return pos,
            _ => pos += 1,
        }
    }
    pos
}

/// Past the `"…"` starting at `pos`; `None` when it does not end on the line.
fn close_double(bytes: &[u8], pos: usize) -> Option<usize> {
    let mut i = pos + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// Past the `'…'` starting at `pos` (`''` is a quote inside); `None` when it does not end on
/// the line.
fn close_single(bytes: &[u8], pos: usize) -> Option<usize> {
    let mut i = pos + 1;
    while i < bytes.len() {
        if bytes[i] == b'\'' {
            if bytes.get(i + 1) == Some(&b'\'') {
                i += 2;
                continue;
            }
            return Some(i + 1);
        }
        i += 1;
    }
    None
}

/// Past the flow collection starting at `pos`; `None` when it does not end on the line or
/// holds what this scan does not follow (comments, anchors, aliases, tags, a quote that does
/// not start a node).
fn close_flow(bytes: &[u8], pos: usize) -> Option<usize> {
    let mut depth = 0_usize;
    let mut i = pos;
    // The next byte but spaces starts a node: after an opening bracket, a comma or `: `.
    let mut node_start = true;
    while i < bytes.len() {
        match bytes[i] {
            b' ' => {}
            b'[' | b'{' if node_start => depth += 1,
            b']' | b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
                node_start = false;
            }
            b',' => node_start = true,
            b':' => node_start = bytes.get(i + 1) == Some(&b' '),
            b'"' if node_start => {
                i = close_double(bytes, i)?;
                node_start = false;
                continue;
            }
            b'\'' if node_start => {
                i = close_single(bytes, i)?;
                node_start = false;
                continue;
            }
            b'"' | b'\'' | b'[' | b'{' | b'#' => return None,
            b'&' | b'*' | b'!' | b'?' | b'|' | b'>' | b'%' | b'@' | b'`' if node_start => {
                return None;
            }
            _ => node_start = false,
        }
        i += 1;
    }
    None
}

/// The two raw forms as one, `schema` being the one cut; `None` when the whole text would
/// hold a key twice.
fn join(mut first: RawFile, second: RawFile, schema: &str) -> Option<RawFile> {
    let RawFile {
        pgphase,
        extensions,
        ignore,
        schemas,
    } = second;
    first.pgphase = either(first.pgphase, pgphase)?;
    first.extensions = either_list(first.extensions, extensions)?;
    first.ignore = either(first.ignore, ignore)?;
    let mut rest = schemas.0.into_iter();
    let (name, continued) = rest.next()?;
    let (last_name, cut) = first.schemas.0.last_mut()?;
    if name != schema || last_name != schema {
        return None;
    }
    let joined = join_schema(std::mem::take(cut), continued)?;
    *cut = joined;
    let names: HashSet<String> = first.schemas.keys().map(str::to_owned).collect();
    for (name, schema) in rest {
        if names.contains(&name) {
            return None;
        }
        first.schemas.0.push((name, schema));
    }
    Some(first)
}

fn join_schema(first: RawSchema, second: RawSchema) -> Option<RawSchema> {
    let names: HashSet<&str> = first.tables.keys().collect();
    if second.tables.keys().any(|name| names.contains(name)) {
        return None;
    }
    drop(names);
    let mut tables = first.tables;
    tables.0.extend(second.tables.0);
    Some(RawSchema {
        comment: either(first.comment, second.comment)?,
        enums: either_map(first.enums, second.enums)?,
        domains: either_map(first.domains, second.domains)?,
        composite_types: either_map(first.composite_types, second.composite_types)?,
        sequences: either_map(first.sequences, second.sequences)?,
        tables,
        views: either_map(first.views, second.views)?,
        functions: either_map(first.functions, second.functions)?,
        operators: either_map(first.operators, second.operators)?,
    })
}

/// The one of two values that is set; `None` when both are.
fn either<T>(first: Option<T>, second: Option<T>) -> Option<Option<T>> {
    match (first, second) {
        (Some(_), Some(_)) => None,
        (first, second) => Some(first.or(second)),
    }
}

fn either_list<T>(first: Vec<T>, second: Vec<T>) -> Option<Vec<T>> {
    match (first.is_empty(), second.is_empty()) {
        (false, false) => None,
        (true, _) => Some(second),
        (false, true) => Some(first),
    }
}

fn either_map<T>(first: OrderedMap<T>, second: OrderedMap<T>) -> Option<OrderedMap<T>> {
    either_list(first.0, second.0).map(OrderedMap)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use crate::source::yaml::cuts_read_alike;

    /// The cuts of `text` and whether each read the text in halves; panics when one read it
    /// otherwise than the whole text.
    fn cuts(text: &str) -> Vec<bool> {
        cuts_read_alike(text)
            .unwrap_or_else(|error| panic!("{error}"))
            .into_iter()
            .map(|(_, read)| read)
            .collect()
    }

    const TABLES: &str = "      a:\n        columns:\n          id: bigint\n      b:\n        columns:\n          id: bigint\n          note:\n            type: text\n            comment: |\n              c:\n               d: not a table\n      e:\n        columns: {id: bigint}\n        comment: 'it''s # not: a comment'\n      f:\n        columns:\n          id: bigint # a comment: here\n";

    #[test]
    fn every_table_after_the_first_is_a_cut_that_reads_as_the_whole() {
        let text = format!(
            "pgphase: 1\nextensions: [citext]\nschemas:\n  app:\n    tables:\n{TABLES}    views:\n      v: select 1\n    comment: |\n      x:\n      y: not a table\n  other:\n    tables:\n{TABLES}ignore:\n  tables: [tmp]\n"
        );
        // b, e and f in each schema (c and d are text of a block scalar).
        assert_eq!(cuts(&text), vec![true; 6]);
    }

    #[test]
    fn a_quoted_scalar_over_lines_leaves_the_text_whole() {
        let text = format!(
            "pgphase: 1\nschemas:\n  app:\n    tables:\n{TABLES}      g:\n        comment: \"one\nschemas:\n  other:\n    tables:\n      h: x\"\n      i:\n        columns:\n          id: bigint\n"
        );
        assert!(cuts(&text).is_empty());
        let flow =
            format!("pgphase: 1\nschemas:\n  app:\n    tables:\n{TABLES}      g: [a,\n      b]\n");
        assert!(cuts(&flow).is_empty());
    }

    #[test]
    fn anchors_aliases_and_document_markers_leave_the_text_whole() {
        for extra in [
            "      g: &shape\n        columns:\n          id: bigint\n      h: *shape\n",
            "---\n",
            "      g:\n        comment: !tag x\n",
        ] {
            let text = format!("pgphase: 1\nschemas:\n  app:\n    tables:\n{TABLES}{extra}");
            assert!(cuts(&text).is_empty(), "{extra}");
        }
    }

    #[test]
    fn a_key_held_once_by_each_half_is_never_read_in_halves() {
        let texts = [
            // The same table on both sides of a cut.
            format!("pgphase: 1\nschemas:\n  app:\n    tables:\n{TABLES}{TABLES}"),
            // A top-level key before and after.
            format!(
                "pgphase: 1\nextensions: []\nschemas:\n  app:\n    tables:\n{TABLES}extensions: [citext]\n"
            ),
            format!(
                "pgphase: 1\nignore:\n  tables: [a]\nschemas:\n  app:\n    tables:\n{TABLES}ignore:\n  tables: [b]\n"
            ),
            // A key of the cut schema before and after its tables.
            format!(
                "pgphase: 1\nschemas:\n  app:\n    views: {{}}\n    tables:\n{TABLES}    views:\n      v: select 1\n"
            ),
            // The cut schema again after.
            format!(
                "pgphase: 1\nschemas:\n  app:\n    tables:\n{TABLES}  app:\n    tables:\n      z: {{}}\n"
            ),
        ];
        for (n, text) in texts.iter().enumerate() {
            assert!(
                crate::source::yaml::read_streaming_whole(text).is_none(),
                "{text}"
            );
            let cuts = cuts(text);
            // A key twice in the text refuses every cut; a table twice, every join.
            assert!(cuts.iter().all(|read| !read), "{text}");
            assert_eq!(cuts.is_empty(), n > 0, "{text}");
        }
    }

    #[test]
    fn tables_indented_otherwise_after_the_cut_are_not_a_cut() {
        let text =
            "pgphase: 1\nschemas:\n  app:\n    tables:\n      a: {}\n      b: {}\n        c: {}\n";
        assert!(crate::source::yaml::read_streaming_whole(text).is_none());
        assert!(cuts(text).iter().all(|read| !read));
    }

    /// A file of one schema whose tables `t1`, `t2`… (each `table(n)`) fill more than the
    /// size from which a file is cut.
    fn large_text(table: impl Fn(usize) -> String) -> String {
        let mut text = String::from("pgphase: 1\nschemas:\n  app:\n    tables:\n");
        let mut n = 0;
        while text.len() < super::SPLIT_FROM_BYTES + 1000 {
            n += 1;
            text.push_str(&table(n));
        }
        text
    }

    #[test]
    fn a_large_file_is_read_in_halves_as_it_is_read_whole() {
        let mut text = large_text(|n| {
            format!(
                "      t{n}:\n        columns:\n          id: bigint\n          note:\n            type: text\n            default: '''x''::text'\n"
            )
        });
        text.push_str("    views:\n      v: select 1\n");
        let whole = crate::source::yaml::read_streaming_whole(&text).expect("the whole text reads");
        let halves = super::read(&text, crate::source::yaml::read_streaming_whole)
            .expect("the text is cut and read in halves");
        assert_eq!(format!("{halves:?}"), format!("{whole:?}"));
        // Down to pieces of a few tables each, whichever parser reads them.
        for piece_bytes in [1, 1000, 100_000] {
            for parse in [
                crate::source::yaml::read_streaming_whole,
                crate::source::yaml::read_piece,
            ] {
                let pieces = super::read_in_pieces_of(&text, piece_bytes, &parse)
                    .expect("the text is read in pieces");
                assert_eq!(format!("{pieces:?}"), format!("{whole:?}"), "{piece_bytes}");
            }
        }
    }

    #[test]
    fn pieces_are_cut_at_the_first_cut_then_every_so_many_bytes() {
        let cuts: Vec<super::Cut<'_>> = (0..10)
            .map(|n| super::Cut {
                at: 100 + n * 10,
                schema: "app",
                head: ["schemas:", "  app:", "    tables:"],
            })
            .collect();
        let kept = |bytes| -> Vec<usize> {
            super::every(&cuts, bytes)
                .iter()
                .map(|cut| cut.at)
                .collect()
        };
        assert_eq!(kept(25), [100, 130, 160, 190]);
        assert_eq!(kept(1), (0..10).map(|n| 100 + n * 10).collect::<Vec<_>>());
        assert_eq!(kept(1000), [100]);
    }

    #[test]
    fn a_table_given_in_two_pieces_refuses_the_join() {
        let mut text =
            large_text(|n| format!("      t{n}:\n        columns:\n          id: bigint\n"));
        // t1 again at the end: a piece of its own holds it once, the whole text twice.
        text.push_str("      t1:\n        columns:\n          id: bigint\n");
        assert!(crate::source::yaml::read_streaming_whole(&text).is_none());
        assert!(super::read_in_pieces_of(&text, 1000, &crate::source::yaml::read_piece).is_none());
    }
}
