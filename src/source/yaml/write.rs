//! From the model to the file's shape: every default left out, every name PostgreSQL would give
//! anyway left out, types and table references as short as they read back the same.

use std::collections::{BTreeSet, HashSet};

use crate::schema::Text;
use crate::schema::model::{
    Column, Deferral, FkAction, FkMatch, ForeignKey, Identity, IdentityOptions, Index, IndexKey,
    KeyTarget, Namespace, PolicyCommand, Schema, Sequence, Table, TableRef,
};
use crate::schema::names::{self, Slot};

mod pieces;

use super::Desired;
use super::load::{FORMAT_VERSION, sequence_defaults, split_table_ref};
use super::ordered::OrderedMap;
use super::raw::{
    RawCheck, RawColumn, RawColumnFull, RawComposite, RawDeferral, RawDefinition,
    RawDefinitionFull, RawDomain, RawDomainCheck, RawEnum, RawEnumFull, RawExclusion, RawExtension,
    RawExtensionFull, RawFkAction, RawForeignKey, RawIdentity, RawIdentityFull, RawIgnore,
    RawIndex, RawKey, RawKeyFull, RawMatch, RawNulls, RawOrder, RawPartitionOf, RawPolicy,
    RawPolicyCommand, RawPrimaryKey, RawPrimaryKeyFull, RawReferences, RawRowSecurity, RawSchema,
    RawSequence, RawTable, RawTrigger, RawTriggerFull, RawUnique, RawView, RawViewFull, Short,
};
use super::types::{TypeCatalog, file_name};

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

/// The file text for `schema` (a snapshot: nothing ignored).
#[must_use]
pub fn write(schema: &Schema) -> String {
    text_of(|out| write_to(schema, out))
}

/// The file text for a whole desired file, its `ignore:` section included.
#[must_use]
pub fn write_desired(desired: &Desired) -> String {
    text_of(|out| write_desired_to(desired, out))
}

/// [`write`], streamed to `out`: a file of 10,000 tables is 12 MB of text not held whole.
///
/// # Errors
/// When `out` fails.
pub fn write_to(schema: &Schema, out: impl std::io::Write) -> std::io::Result<()> {
    write_file(schema, None, out)
}

/// [`write_desired`], streamed to `out`.
///
/// # Errors
/// When `out` fails.
pub fn write_desired_to(desired: &Desired, out: impl std::io::Write) -> std::io::Result<()> {
    let ignore = &desired.ignore;
    let raw_ignore = (!ignore.tables.is_empty() || !ignore.schemas.is_empty()).then(|| RawIgnore {
        tables: ignore.tables.clone(),
        schemas: ignore.schemas.clone(),
    });
    write_file(&desired.schema, raw_ignore, out)
}

/// The text `write` puts into a buffer (which never fails).
fn text_of(write: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>) -> String {
    let mut out = Vec::new();
    if let Err(error) = write(&mut out) {
        return format!("# pgphase could not write this snapshot: {error}\n");
    }
    // The serializer writes only UTF-8 from text it was given as UTF-8.
    String::from_utf8(out)
        .unwrap_or_else(|error| String::from_utf8_lossy(error.as_bytes()).into_owned())
}

fn write_file(
    schema: &Schema,
    ignore: Option<RawIgnore>,
    out: impl std::io::Write,
) -> std::io::Result<()> {
    let largest = schema.namespaces.values().map(|ns| ns.tables.len()).max();
    let pieces =
        (largest.unwrap_or(0) > pieces::TABLES_PER_PIECE).then_some(pieces::TABLES_PER_PIECE);
    write_file_in(schema, ignore, out, pieces)
}

/// [`write`], made in pieces of `tables_per_piece` tables by two threads (unless a schema's name
/// prints on several lines), or with `None` whole on this thread: the text is the same.
/// [`write`] chooses; this is for tests and measurements.
#[must_use]
pub fn write_in_pieces(schema: &Schema, tables_per_piece: Option<usize>) -> String {
    text_of(|out| write_file_in(schema, None, out, tables_per_piece))
}

fn write_file_in(
    schema: &Schema,
    ignore: Option<RawIgnore>,
    out: impl std::io::Write,
    tables_per_piece: Option<usize>,
) -> std::io::Result<()> {
    let writer = Writer {
        schema,
        types: type_catalog(schema),
        schemas: schema.namespaces.keys().map(String::as_str).collect(),
    };
    let file = FileOut {
        writer: &writer,
        extensions: extensions(schema),
        ignore,
    };
    if let Some(tables_per_piece) = tables_per_piece
        && pieces::can_cut(schema)
    {
        return pieces::write(&file, tables_per_piece, out);
    }
    // serde_norway fails only on maps with non-text keys, nested enums and byte strings, none of
    // which the file's shape has, and when `out` does.
    serde_norway::to_writer(out, &file).map_err(std::io::Error::other)
}

/// Everything a namespace's writer needs to know about the rest of the schema.
struct Writer<'a> {
    schema: &'a Schema,
    types: TypeCatalog,
    schemas: BTreeSet<&'a str>,
}

/// The file as it is written. It has the shape of `RawFile`, but each table takes its raw form
/// only while it is being written, so a snapshot never holds a second copy of every table:
/// at 10,000 tables that copy is as large as the model itself.
struct FileOut<'a> {
    writer: &'a Writer<'a>,
    extensions: Vec<RawExtension>,
    ignore: Option<RawIgnore>,
}

impl Serialize for FileOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.serialize_with(serializer, true)
    }
}

impl FileOut<'_> {
    /// The file, or with `with_schemas` false everything before its `schemas:`.
    fn serialize_with<S: Serializer>(
        &self,
        serializer: S,
        with_schemas: bool,
    ) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("pgphase", &FORMAT_VERSION)?;
        if !self.extensions.is_empty() {
            map.serialize_entry("extensions", &self.extensions)?;
        }
        if let Some(ignore) = &self.ignore {
            map.serialize_entry("ignore", ignore)?;
        }
        if with_schemas && !self.writer.schema.namespaces.is_empty() {
            map.serialize_entry("schemas", &SchemasOut(self.writer))?;
        }
        map.end()
    }
}

struct SchemasOut<'a>(&'a Writer<'a>);

impl Serialize for SchemasOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let writer = self.0;
        let mut map = serializer.serialize_map(Some(writer.schema.namespaces.len()))?;
        for (name, ns) in &writer.schema.namespaces {
            let omitted = names::default_named(ns);
            let tables: Vec<_> = ns.tables.iter().collect();
            let whole = SchemaOut {
                writer,
                name,
                ns,
                omitted: &omitted,
                tables: &tables,
                before_tables: true,
                after_tables: true,
            };
            map.serialize_entry(name, &whole)?;
        }
        map.end()
    }
}

/// One schema, in `RawSchema`'s key order: whole, or a part of it (see [`pieces`]).
struct SchemaOut<'a> {
    writer: &'a Writer<'a>,
    name: &'a str,
    ns: &'a Namespace,
    /// The slots whose names are left out ([`names::default_named`]).
    omitted: &'a BTreeSet<Slot>,
    /// The tables written here, in name order: all of them, or the first ones.
    tables: &'a [(&'a String, &'a Table)],
    /// Whether the objects written before the tables are, and the ones after them.
    before_tables: bool,
    after_tables: bool,
}

impl Serialize for SchemaOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let head: RawSchema = self.writer.namespace(self.name, self.ns, self.omitted);
        let mut map = serializer.serialize_map(None)?;
        if self.before_tables {
            if let Some(comment) = &head.comment {
                map.serialize_entry("comment", comment)?;
            }
            entry_unless_empty(&mut map, "enums", &head.enums)?;
            entry_unless_empty(&mut map, "domains", &head.domains)?;
            entry_unless_empty(&mut map, "composite_types", &head.composite_types)?;
            entry_unless_empty(&mut map, "sequences", &head.sequences)?;
        }
        if !self.tables.is_empty() {
            let tables = TablesOut {
                writer: self.writer,
                schema: self.name,
                tables: self.tables,
                omitted: self.omitted,
            };
            map.serialize_entry("tables", &tables)?;
        }
        if self.after_tables {
            entry_unless_empty(&mut map, "views", &head.views)?;
            entry_unless_empty(&mut map, "functions", &head.functions)?;
            entry_unless_empty(&mut map, "operators", &head.operators)?;
        }
        map.end()
    }
}

fn entry_unless_empty<M: SerializeMap, V: Serialize>(
    map: &mut M,
    key: &str,
    value: &OrderedMap<V>,
) -> Result<(), M::Error> {
    if value.is_empty() {
        return Ok(());
    }
    map.serialize_entry(key, value)
}

/// Tables of a schema, each turned into its raw form just before it is written.
struct TablesOut<'a> {
    writer: &'a Writer<'a>,
    schema: &'a str,
    tables: &'a [(&'a String, &'a Table)],
    omitted: &'a BTreeSet<Slot>,
}

impl Serialize for TablesOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.tables.len()))?;
        for &(name, table) in self.tables {
            let raw = self.writer.table(self.schema, name, table, self.omitted);
            map.serialize_entry(name, &raw)?;
        }
        map.end()
    }
}

fn extensions(schema: &Schema) -> Vec<RawExtension> {
    schema
        .extensions
        .iter()
        .map(|(name, extension)| -> RawExtension {
            if extension.schema == "public" {
                Short::Short(name.clone())
            } else {
                Short::Full(RawExtensionFull {
                    name: name.clone(),
                    schema: Some(extension.schema.clone()),
                })
            }
        })
        .collect()
}

fn type_catalog(schema: &Schema) -> TypeCatalog {
    let schemas = schema.namespaces.iter().map(|(name, ns)| {
        let names = ns
            .enums
            .keys()
            .chain(ns.domains.keys())
            .chain(ns.composite_types.keys())
            .chain(ns.tables.keys())
            .chain(ns.views.keys())
            .cloned()
            .collect();
        (name.as_str(), names)
    });
    let extensions = schema
        .extensions
        .iter()
        .map(|(name, e)| (name.as_str(), e.schema.as_str()));
    TypeCatalog::new(schemas, extensions, Vec::new())
}

fn deferral(deferral: Deferral) -> RawDeferral {
    match deferral {
        Deferral::NotDeferrable => RawDeferral::No,
        Deferral::InitiallyImmediate => RawDeferral::InitiallyImmediate,
        Deferral::InitiallyDeferred => RawDeferral::InitiallyDeferred,
    }
}

/// `Some(false)` for false, nothing for the default true.
fn unless_true(value: bool) -> Option<bool> {
    (!value).then_some(false)
}

impl Writer<'_> {
    /// The schema's raw form without its tables, which [`TablesOut`] writes one at a time.
    fn namespace(&self, schema: &str, ns: &Namespace, omitted: &BTreeSet<Slot>) -> RawSchema {
        let name_of = |slot: Slot, name: &str| (!omitted.contains(&slot)).then(|| name.to_owned());
        RawSchema {
            comment: ns.comment.clone(),
            enums: ns
                .enums
                .iter()
                .map(|(name, e)| -> (String, RawEnum) {
                    let raw = match &e.comment {
                        None => Short::Short(e.labels.clone()),
                        Some(comment) => Short::Full(RawEnumFull {
                            labels: e.labels.clone(),
                            comment: Some(comment.clone()),
                        }),
                    };
                    (name.clone(), raw)
                })
                .collect(),
            domains: ns
                .domains
                .iter()
                .map(|(name, d)| {
                    let checks = d
                        .checks
                        .iter()
                        .enumerate()
                        .map(|(index, c)| RawDomainCheck {
                            name: name_of(
                                Slot::DomainCheck {
                                    domain: name.as_str().into(),
                                    index,
                                },
                                &c.name,
                            ),
                            expression: c.expression.clone(),
                            valid: unless_true(c.valid),
                        })
                        .collect();
                    let domain = RawDomain {
                        data_type: self.types.relative(&d.data_type, schema),
                        nullable: unless_true(d.nullable),
                        default: d.default.clone(),
                        collation: d.collation.as_deref().map(file_name),
                        checks,
                        comment: d.comment.clone(),
                    };
                    (name.clone(), domain)
                })
                .collect(),
            composite_types: ns
                .composite_types
                .iter()
                .map(|(name, c)| {
                    let attributes = c
                        .attributes
                        .iter()
                        .map(|a| {
                            let data_type = self.types.relative(&a.data_type, schema);
                            let raw = match &a.collation {
                                None => Short::Short(data_type),
                                Some(collation) => Short::Full(super::raw::RawAttributeFull {
                                    data_type,
                                    collation: Some(file_name(collation)),
                                }),
                            };
                            (a.name.clone(), raw)
                        })
                        .collect();
                    (
                        name.clone(),
                        RawComposite {
                            attributes,
                            comment: c.comment.clone(),
                        },
                    )
                })
                .collect(),
            sequences: ns
                .sequences
                .iter()
                .map(|(name, s)| (name.clone(), sequence(s)))
                .collect(),
            tables: OrderedMap::default(),
            views: ns
                .views
                .iter()
                .map(|(name, v)| -> (String, RawView) {
                    let simple = !v.materialized
                        && v.with.is_empty()
                        && v.indexes.is_empty()
                        && v.comment.is_none();
                    if simple {
                        return (name.clone(), Short::Short(v.definition.clone()));
                    }
                    let indexes = v
                        .indexes
                        .iter()
                        .enumerate()
                        .map(|(index, ix)| {
                            self.index(
                                ix,
                                name_of(
                                    Slot::ViewIndex {
                                        view: name.as_str().into(),
                                        index,
                                    },
                                    &ix.name,
                                ),
                            )
                        })
                        .collect();
                    let full = RawViewFull {
                        definition: v.definition.clone(),
                        materialized: v.materialized,
                        with: v.with.clone(),
                        indexes,
                        comment: v.comment.clone(),
                    };
                    (name.clone(), Short::Full(full))
                })
                .collect(),
            functions: ns
                .functions
                .iter()
                .map(|(sig, f)| (sig.clone(), definition(&f.definition, f.comment.as_ref())))
                .collect(),
            operators: ns
                .operators
                .iter()
                .map(|(sig, o)| (sig.clone(), definition(&o.definition, o.comment.as_ref())))
                .collect(),
        }
    }

    fn table(&self, schema: &str, name: &str, table: &Table, omitted: &BTreeSet<Slot>) -> RawTable {
        let name_of =
            |slot: Slot, given: &str| (!omitted.contains(&slot)).then(|| given.to_owned());
        let pk_columns: HashSet<&str> = table
            .primary_key
            .iter()
            .flat_map(|pk| pk.columns.iter().map(String::as_str))
            .collect();
        let table_name = || Text::from(name);
        RawTable {
            comment: table.comment.clone(),
            unlogged: table.unlogged,
            renamed_from: table.renamed_from.clone(),
            columns: table
                .columns
                .iter()
                .map(|c| {
                    (
                        c.name.to_string(),
                        self.column(schema, c, pk_columns.contains(c.name.as_str())),
                    )
                })
                .collect(),
            primary_key: table.primary_key.as_ref().map(|pk| -> RawPrimaryKey {
                let pk_name = name_of(
                    Slot::PrimaryKey {
                        table: table_name(),
                    },
                    &pk.name,
                );
                if pk_name.is_none()
                    && pk.include.is_empty()
                    && pk.deferral == Deferral::NotDeferrable
                {
                    return Short::Short(pk.columns.clone());
                }
                Short::Full(RawPrimaryKeyFull {
                    name: pk_name,
                    columns: pk.columns.clone(),
                    include: pk.include.clone(),
                    deferrable: deferral(pk.deferral),
                })
            }),
            unique: table
                .unique
                .iter()
                .enumerate()
                .map(|(index, u)| RawUnique {
                    name: name_of(
                        Slot::Unique {
                            table: table_name(),
                            index,
                        },
                        &u.name,
                    ),
                    columns: u.columns.clone(),
                    include: u.include.clone(),
                    nulls_not_distinct: u.nulls_not_distinct,
                    deferrable: deferral(u.deferral),
                })
                .collect(),
            foreign_keys: table
                .foreign_keys
                .iter()
                .enumerate()
                .map(|(index, fk)| {
                    self.foreign_key(
                        schema,
                        fk,
                        name_of(
                            Slot::ForeignKey {
                                table: table_name(),
                                index,
                            },
                            &fk.name,
                        ),
                    )
                })
                .collect(),
            checks: table
                .checks
                .iter()
                .enumerate()
                .map(|(index, c)| RawCheck {
                    name: name_of(
                        Slot::Check {
                            table: table_name(),
                            index,
                        },
                        &c.name,
                    ),
                    expression: c.expression.clone(),
                    no_inherit: c.no_inherit,
                    valid: unless_true(c.valid),
                })
                .collect(),
            exclusions: table
                .exclusions
                .iter()
                .map(|e| RawExclusion {
                    name: Some(e.name.clone()),
                    definition: e.definition.clone(),
                })
                .collect(),
            indexes: table
                .indexes
                .iter()
                .enumerate()
                .map(|(index, ix)| {
                    self.index(
                        ix,
                        name_of(
                            Slot::Index {
                                table: table_name(),
                                index,
                            },
                            &ix.name,
                        ),
                    )
                })
                .collect(),
            triggers: table
                .triggers
                .iter()
                .map(|t| -> (String, RawTrigger) {
                    let raw = if t.enabled {
                        Short::Short(t.definition.clone())
                    } else {
                        Short::Full(RawTriggerFull {
                            definition: t.definition.clone(),
                            enabled: Some(false),
                        })
                    };
                    (t.name.clone(), raw)
                })
                .collect(),
            partition_by: table.partition_by.clone(),
            partition_of: table.partition_of.as_ref().map(|p| RawPartitionOf {
                table: self.table_ref(schema, &p.parent),
                bound: p.bound.clone(),
            }),
            row_security: row_security(table),
        }
    }

    fn column(&self, schema: &str, column: &Column, in_pk: bool) -> RawColumn {
        let data_type = self.types.relative(&column.data_type, schema);
        let nullable = (!column.nullable && !in_pk).then_some(false);
        let plain = nullable.is_none()
            && column.default.is_none()
            && column.identity.is_none()
            && column.generated.is_none()
            && column.collation.is_none()
            && column.comment.is_none()
            && column.renamed_from.is_none();
        if plain {
            return Short::Short(data_type);
        }
        Short::Full(Box::new(RawColumnFull {
            data_type,
            nullable,
            default: column.default.as_ref().map(ToString::to_string),
            identity: column
                .identity
                .map(|kind| identity(kind, &column.identity_options)),
            generated: column.generated.clone(),
            collation: column.collation.as_deref().map(file_name),
            comment: column.comment.clone(),
            renamed_from: column.renamed_from.clone(),
        }))
    }

    fn foreign_key(&self, schema: &str, fk: &ForeignKey, name: Option<String>) -> RawForeignKey {
        let action = |a: FkAction| match a {
            FkAction::NoAction => None,
            FkAction::Restrict => Some(RawFkAction::Restrict),
            FkAction::Cascade => Some(RawFkAction::Cascade),
            FkAction::SetNull => Some(RawFkAction::SetNull),
            FkAction::SetDefault => Some(RawFkAction::SetDefault),
        };
        RawForeignKey {
            name,
            columns: fk.columns.clone(),
            references: RawReferences {
                table: self.table_ref(schema, &fk.references),
                columns: fk.referenced_columns.clone(),
            },
            on_delete: action(fk.on_delete),
            on_update: action(fk.on_update),
            match_type: (fk.match_type == FkMatch::Full).then_some(RawMatch::Full),
            deferrable: deferral(fk.deferral),
            valid: unless_true(fk.valid),
        }
    }

    /// The table's name alone when it reads back as the same table from `schema`, else qualified.
    fn table_ref(&self, schema: &str, table: &TableRef) -> String {
        let exists = |s: &str, t: &str| {
            self.schema
                .namespaces
                .get(s)
                .is_some_and(|ns| ns.tables.contains_key(t))
        };
        if table.schema == schema
            && split_table_ref(&table.name, schema, &self.schemas, exists) == *table
        {
            return table.name.clone();
        }
        format!("{}.{}", table.schema, table.name)
    }

    #[allow(clippy::unused_self)]
    fn index(&self, index: &Index, name: Option<String>) -> RawIndex {
        let plain = |k: &IndexKey| {
            k.opclass.is_none() && k.collation.is_none() && !k.descending && !k.nulls_first
        };
        let mut raw = RawIndex {
            name,
            unique: index.unique,
            method: (index.method != "btree").then(|| index.method.to_string()),
            include: index.include.clone(),
            predicate: index.predicate.clone(),
            nulls_not_distinct: index.nulls_not_distinct,
            with: index.with.clone(),
            comment: index.comment.clone(),
            ..RawIndex::default()
        };
        let columns: Option<Vec<String>> = index
            .keys
            .iter()
            .map(|k| match &k.target {
                KeyTarget::Column(c) if plain(k) => Some(c.to_string()),
                _ => None,
            })
            .collect();
        match (columns, index.keys.as_slice()) {
            (Some(columns), _) if !columns.is_empty() => raw.columns = Some(columns),
            (
                _,
                [
                    key @ IndexKey {
                        target: KeyTarget::Expression(expression),
                        ..
                    },
                ],
            ) if plain(key) => raw.expression = Some(expression.clone()),
            _ => raw.keys = Some(index.keys.iter().map(index_key).collect()),
        }
        raw
    }
}

fn index_key(key: &IndexKey) -> RawKey {
    let (column, expression) = match &key.target {
        KeyTarget::Column(c) => (Some(c.to_string()), None),
        KeyTarget::Expression(e) => (None, Some(e.clone())),
    };
    let nulls = (key.nulls_first != key.descending).then_some(if key.nulls_first {
        RawNulls::First
    } else {
        RawNulls::Last
    });
    Short::Full(RawKeyFull {
        column,
        expression,
        order: key.descending.then_some(RawOrder::Desc),
        nulls,
        opclass: key.opclass.as_deref().map(file_name),
        collation: key.collation.as_deref().map(file_name),
    })
}

fn sequence(s: &Sequence) -> RawSequence {
    let (default_min, default_max) = sequence_defaults(&s.data_type, s.increment);
    let default_start = if s.increment > 0 {
        s.min_value
    } else {
        s.max_value
    };
    RawSequence {
        data_type: (s.data_type != "bigint").then(|| s.data_type.clone()),
        start: (s.start != default_start).then_some(s.start),
        increment: (s.increment != 1).then_some(s.increment),
        min: (s.min_value != default_min).then_some(s.min_value),
        max: (s.max_value != default_max).then_some(s.max_value),
        cache: (s.cache != 1).then_some(s.cache),
        cycle: s.cycle,
        unlogged: s.unlogged,
        owned_by: s
            .owned_by
            .as_ref()
            .map(|o| format!("{}.{}", o.table, o.column)),
        comment: s.comment.clone(),
    }
}

fn row_security(table: &Table) -> Option<RawRowSecurity> {
    let security = &table.row_security;
    if !security.enabled && !security.forced && security.policies.is_empty() {
        return None;
    }
    let policies: OrderedMap<RawPolicy> = security
        .policies
        .iter()
        .map(|p| {
            let command = match p.command {
                PolicyCommand::All => None,
                PolicyCommand::Select => Some(RawPolicyCommand::Select),
                PolicyCommand::Insert => Some(RawPolicyCommand::Insert),
                PolicyCommand::Update => Some(RawPolicyCommand::Update),
                PolicyCommand::Delete => Some(RawPolicyCommand::Delete),
            };
            let raw = RawPolicy {
                command,
                permissive: unless_true(p.permissive),
                roles: (p.roles != ["public"]).then(|| p.roles.clone()),
                using: p.using.clone(),
                with_check: p.with_check.clone(),
            };
            (p.name.clone(), raw)
        })
        .collect();
    Some(RawRowSecurity {
        enabled: security.enabled,
        forced: security.forced,
        policies,
    })
}

fn definition(definition: &str, comment: Option<&String>) -> RawDefinition {
    match comment {
        None => Short::Short(definition.to_owned()),
        Some(comment) => Short::Full(RawDefinitionFull {
            definition: definition.to_owned(),
            comment: Some(comment.clone()),
        }),
    }
}

/// `always` or `by_default`, in full when the sequence has options of its own.
fn identity(kind: Identity, options: &IdentityOptions) -> Short<RawIdentity, Box<RawIdentityFull>> {
    let generated = match kind {
        Identity::Always => RawIdentity::Always,
        Identity::ByDefault => RawIdentity::ByDefault,
    };
    if options.is_default() {
        return Short::Short(generated);
    }
    Short::Full(Box::new(RawIdentityFull {
        generated,
        start: options.start,
        increment: options.increment,
        min: options.min_value,
        max: options.max_value,
        cache: options.cache,
        cycle: options.cycle,
    }))
}
