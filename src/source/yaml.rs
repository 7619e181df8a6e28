//! The desired-schema YAML file: loading with located errors, and writing snapshots.
//!
//! Loading reads the file into serde types that mirror it (`raw`), so serde is the one reader
//! of values; then `load` turns those into the model, filling defaults and checking references.
//! A mistake found by serde carries its position; a mistake found later carries the path of the
//! node at fault, which `locate` turns into a line and column from the YAML event stream.
//! Writing goes the other way and leaves out everything the loader would fill in, so that
//! `parse(&write(&schema), …)` gives back `schema`. The format is described in
//! `yaml-format.md`; `assets/pgphase.schema.json` describes its shape for editors.

mod error;
mod halves;
mod load;
mod locate;
mod ordered;
mod raw;
mod source;
mod types;
mod write;

use std::borrow::Cow;
use std::path::Path;

use serde::Serialize;
use serde::de::DeserializeOwned;

pub use error::LoadError;
pub use source::SourceFile;
pub use write::{write, write_desired, write_desired_to, write_in_pieces, write_to};

use crate::schema::model::Schema;
use error::Wording;
use locate::{Locator, Position};

/// What a desired-schema file says: the schema, and what pgphase must leave alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Desired {
    pub schema: Schema,
    pub ignore: Ignore,
}

/// What a plan's `desired.yaml` holds: the desired file as it was read, byte for byte (what a
/// reviewer can compare with the file the plan was asked for, and no 12 MB to write out at
/// 10,000 tables), or the schema written out when it came from no file or the file was edited
/// since. `verify` puts it in canonical form either way.
#[derive(Debug, Clone)]
pub enum DesiredFile<'a> {
    Text(Cow<'a, str>),
    Written(&'a Desired),
}

impl DesiredFile<'_> {
    /// The file's text.
    #[must_use]
    pub fn text(&self) -> Cow<'_, str> {
        match self {
            Self::Text(text) => Cow::Borrowed(text),
            Self::Written(desired) => Cow::Owned(write_desired(desired)),
        }
    }
}

/// Objects the file does not manage: present in the database but absent from the file, they are
/// kept rather than dropped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ignore {
    /// Glob patterns (`*` any run of characters, `?` one character) of table names, matching in
    /// every schema, or `schema.pattern` to match in one schema.
    pub tables: Vec<String>,
    /// Glob patterns of schema names; every object in a matching schema is ignored.
    pub schemas: Vec<String>,
}

impl Ignore {
    /// True when table `table` of schema `schema` is not managed by the file.
    #[must_use]
    pub fn ignores_table(&self, schema: &str, table: &str) -> bool {
        self.ignores_schema(schema)
            || self
                .tables
                .iter()
                .any(|pattern| match pattern.split_once('.') {
                    Some((schema_pattern, table_pattern)) => {
                        glob_matches(schema_pattern, schema) && glob_matches(table_pattern, table)
                    }
                    None => glob_matches(pattern, table),
                })
    }

    /// `live` without what the file does not manage: the ignored schemas and tables that the
    /// desired schema does not name, so that comparing it with `desired` never drops them.
    /// Borrowed when the file ignores nothing: a copy of a 10,000-table schema costs 80 MB.
    #[must_use]
    pub fn keep_managed<'a>(&self, live: &'a Schema, desired: &Schema) -> Cow<'a, Schema> {
        if self.tables.is_empty() && self.schemas.is_empty() {
            return Cow::Borrowed(live);
        }
        let mut managed = live.clone();
        managed.namespaces.retain(|name, namespace| {
            let wanted = desired.namespaces.get(name);
            if wanted.is_none() && self.ignores_schema(name) {
                return false;
            }
            namespace.tables.retain(|table, _| {
                wanted.is_some_and(|ns| ns.tables.contains_key(table))
                    || !self.ignores_table(name, table)
            });
            // A sequence owned by an unmanaged table (a serial column's) belongs to it.
            let tables = &namespace.tables;
            namespace.sequences.retain(|sequence, definition| {
                wanted.is_some_and(|ns| ns.sequences.contains_key(sequence))
                    || definition.owned_by.as_ref().is_none_or(|owner| {
                        tables.contains_key(&owner.table) || !self.ignores_table(name, &owner.table)
                    })
            });
            true
        });
        Cow::Owned(managed)
    }

    /// True when every object of schema `schema` is not managed by the file.
    #[must_use]
    pub fn ignores_schema(&self, schema: &str) -> bool {
        self.schemas
            .iter()
            .any(|pattern| glob_matches(pattern, schema))
    }
}

/// Matches `text` against a pattern where `*` stands for any characters and `?` for one.
fn glob_matches(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    let (mut p, mut t) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some('*') => {
                backtrack = Some((p, t));
                p += 1;
            }
            Some(c) if *c == '?' || *c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match backtrack {
                Some((star, matched)) => {
                    p = star + 1;
                    t = matched + 1;
                    backtrack = Some((star, matched + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|c| *c == '*')
}

/// Reads and parses the desired-schema file at `path`. The text is read whole: parsed from the
/// disk in pieces, 10,000 tables took 1.04 s instead of 0.74 s, to spare 12 MB that are freed
/// long before a plan's peak.
///
/// # Errors
/// The file cannot be read, or it has a mistake (see [`parse`]).
pub fn load(path: &Path) -> Result<Desired, LoadError> {
    load_source(path).map(|(desired, _)| desired)
}

/// [`load`], with the [`SourceFile`] a plan copies the file from.
///
/// # Errors
/// As [`load`].
pub fn load_source(path: &Path) -> Result<(Desired, SourceFile), LoadError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|error| LoadError {
        file: file.clone(),
        line: 0,
        column: 0,
        message: format!("cannot read the file: {error}"),
        hint: None,
    })?;
    // The copy's fingerprint (8 ms for 12 MB) is taken while the text is checked and cut for
    // reading, on one core.
    let (desired, source) = std::thread::scope(|scope| {
        let source = scope.spawn(|| SourceFile::new(path, &text));
        let desired = parse(&text, &file);
        let source = source
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (desired, source)
    });
    Ok((desired?, source))
}

/// Parses desired-schema text; `file` names it in errors.
///
/// # Errors
/// The first mistake in the text: bad YAML, a key or value the format does not have, or a
/// reference to something the file does not define.
pub fn parse(text: &str, file: &str) -> Result<Desired, LoadError> {
    if let Some(raw) = read_streaming(text)
        && let Ok(desired) = convert(raw, text, file)
    {
        return Ok(desired);
    }
    parse_without_streaming(text, file)
}

/// [`parse`] with serde_norway alone, which holds every event of the file: what `parse` must
/// give for any text (the fuzz tests compare the two).
///
/// # Errors
/// As [`parse`].
#[doc(hidden)]
pub fn parse_without_streaming(text: &str, file: &str) -> Result<Desired, LoadError> {
    match serde_norway::from_str::<raw::RawFile>(text) {
        Ok(raw) => convert(raw, text, file),
        Err(error) => Err(serde_error(&error, text, file, DESIRED_EMPTY_HINT)),
    }
}

/// The model from the file's raw form; a mistake is placed by the path of the node at fault.
fn convert(raw: raw::RawFile, text: &str, file: &str) -> Result<Desired, LoadError> {
    load::convert(raw).map_err(|problem| {
        let locator = Locator::new(text);
        let position = if problem.at_key {
            locator.key(&problem.path)
        } else {
            locator.value(&problem.path)
        };
        located(file, position.within(text), problem.wording)
    })
}

/// The file's raw form, read as a stream of events; `None` when the streaming reader finds a
/// mistake. serde_norway holds every event of the document before it deserialises (at 10,000
/// tables, 2 million events of 96 bytes: 200 MB), so a valid file is read without it; a file
/// with a mistake is read again by serde_norway, whose messages and positions the error
/// wording is made for. Where the two readers could read the same text differently (merge
/// keys, YAML 1.1 booleans, tags, a file with a tab or not ending in a line break) this one
/// refuses, so that serde_norway decides.
///
/// A large file is read in two halves on two threads where it can be cut safely (see
/// `halves`): in a plan of 10,000 tables the file was read and converted in 0.60–0.63 s
/// instead of 0.77–0.89 s, the other core being idle then, for no more memory at the peak.
/// Each half is read in pieces of about 256 KB by serde_norway ([`read_piece`]), which holds
/// a piece's events only.
fn read_streaming(text: &str) -> Option<raw::RawFile> {
    if !streamable(text) {
        return None;
    }
    halves::read(text, read_piece).or_else(|| read_streaming_whole(text))
}

/// The file's raw form read as one stream of events.
fn read_streaming_whole(text: &str) -> Option<raw::RawFile> {
    serde_saphyr::from_str_with_options(text, streaming_options()).ok()
}

/// The raw form of a piece of a file (see `halves`), read by serde_norway, the reader of the
/// error messages: it holds every event of its text, but a piece's are few, and it took 30%
/// less time than the streaming reader on a file of 1,000 tables (40 ms against 56 ms).
fn read_piece(text: &str) -> Option<raw::RawFile> {
    serde_norway::from_str(text).ok()
}

/// Test hook: for each place `text` can be cut to be read in halves, its offset and whether
/// the halves read there give what the whole text gives (a half that does not parse or a key
/// held twice gives nothing: the whole text is read then). The halves are read by both
/// readers, the streaming one and the pieces' ([`read_piece`]), each against the whole text
/// read by the same reader. `Err` names the first cut whose halves read something the whole
/// text does not.
///
/// # Errors
/// The halves cut at an offset read the text otherwise than the whole text is read.
#[doc(hidden)]
pub fn cuts_read_alike(text: &str) -> Result<Vec<(usize, bool)>, String> {
    if !streamable(text) {
        return Ok(Vec::new());
    }
    let whole = read_streaming_whole(text).map(|raw| format!("{raw:?}"));
    let whole_by_pieces = read_piece(text).map(|raw| format!("{raw:?}"));
    let by_pieces = halves::read_at_every_cut(text, &read_piece);
    let mut cuts = Vec::new();
    for ((at, halves), (_, pieces)) in halves::read_at_every_cut(text, &read_streaming_whole)
        .into_iter()
        .zip(by_pieces)
    {
        for (reader, read, whole) in [
            ("streaming", &halves, &whole),
            ("pieces'", &pieces, &whole_by_pieces),
        ] {
            let Some(read) = read else { continue };
            let read = format!("{read:?}");
            if whole.as_ref() != Some(&read) {
                return Err(format!(
                    "cut at byte {at}: the {reader} reader's halves read\n{read}\nthe whole \
                     text\n{whole:?}"
                ));
            }
        }
        cuts.push((at, halves.is_some()));
    }
    Ok(cuts)
}

/// How the streaming reader reads a desired file.
fn streaming_options() -> serde_saphyr::Options {
    let mut options = serde_saphyr::Options::default();
    // Sized for the largest schemas: the default limits (a million events, 250,000 nodes) stop
    // near 2,000 tables. The limits on aliases, anchors and nesting stay.
    if let Some(budget) = options.budget.as_mut() {
        budget.max_events = usize::MAX;
        budget.max_nodes = usize::MAX;
        budget.max_total_scalar_bytes = usize::MAX;
    }
    options.with_snippet = false;
    options.merge_keys = serde_saphyr::MergeKeyPolicy::Error;
    // Every mapping of the file is a struct that refuses a field given twice or a map that
    // refuses a key given twice (`ordered`), so the reader need not remember each key too.
    options.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::PassThrough;
    options.strict_booleans = true;
    options
}

/// False for text the streaming reader could read otherwise than serde_norway does: a block scalar
/// cut off by the end of the file keeps a line break it does not have there, a tab before a
/// key is taken for a space, and a tag it does not know is passed over.
fn streamable(text: &str) -> bool {
    // Bytes, not chars: a search for either of two chars took 8 ms of 12 MB.
    text.ends_with('\n') && !text.bytes().any(|byte| byte == b'\t' || byte == b'!')
}

fn located(file: &str, position: Position, wording: Wording) -> LoadError {
    LoadError {
        file: file.to_owned(),
        line: position.line,
        column: position.column,
        message: wording.message,
        hint: wording.hint,
    }
}

/// How to start a desired-schema file that is empty.
const DESIRED_EMPTY_HINT: &str = "start it with `pgphase: 1` and a `schemas:` mapping";

/// Writes any serialisable value as YAML text: the one writer of YAML besides [`write`].
///
/// # Errors
/// The value has a shape YAML cannot hold (a map with keys that are not text, for instance).
pub fn to_text<T: Serialize>(value: &T) -> Result<String, WriteError> {
    serde_norway::to_string(value).map_err(|error| WriteError {
        message: error.to_string(),
    })
}

/// Reads any deserialisable value from YAML text; `file` names the text in errors, which carry
/// the line and column serde found the mistake at, in the same words as the desired-schema file.
///
/// # Errors
/// The text is not YAML, or does not have the shape of `T`.
pub fn from_text<T: DeserializeOwned>(text: &str, file: &str) -> Result<T, LoadError> {
    serde_norway::from_str(text).map_err(|error| serde_error(&error, text, file, ""))
}

/// A value that could not be written as YAML.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot write as YAML: {message}")]
pub struct WriteError {
    pub message: String,
}

/// Places and rewords a serde error; `empty_hint` (when not empty) tells how to start an empty file.
fn serde_error(error: &serde_norway::Error, text: &str, file: &str, empty_hint: &str) -> LoadError {
    let Some(location) = error.location() else {
        let wording = if text.trim().is_empty() || error.to_string().contains("EOF while parsing") {
            let wording = Wording::new("the file is empty");
            if empty_hint.is_empty() {
                wording
            } else {
                wording.hint(empty_hint)
            }
        } else {
            Wording::new(error.to_string())
        };
        return located(file, Position { line: 1, column: 1 }, wording);
    };
    let position = Position {
        line: location.line(),
        column: location.column(),
    };
    let full = error.to_string();
    let suffix = format!(" at line {} column {}", position.line, position.column);
    let without_position = full.replacen(&suffix, "", 1);
    let wording = error::reword_serde(&without_position, text, position.line, position.column);
    // A key repeated in a fixed mapping is reported at the mapping: point at the repeat instead.
    let position = match wording
        .message
        .strip_prefix("duplicate key `")
        .and_then(|rest| rest.strip_suffix('`'))
    {
        Some(key) => Locator::new(text)
            .duplicate(key, position)
            .unwrap_or(position),
        None => position,
    };
    located(file, position.within(text), wording)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;
