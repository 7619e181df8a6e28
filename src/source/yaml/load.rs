//! From the file's shape to the model: defaults filled in, names resolved, and every reference
//! checked. A mistake becomes a [`Problem`] naming the path of the node at fault, which the caller
//! places in the file.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::schema::model::{
    Attribute, Check, Column, ColumnRef, CompositeType, Deferral, Domain, Enum, Exclusion,
    Extension, FkAction, FkMatch, ForeignKey, Function, Identity, IdentityOptions, Index, IndexKey,
    KeyTarget, Namespace, Operator, PartitionOf, Policy, PolicyCommand, PrimaryKey, RowSecurity,
    Schema, Sequence, Table, TableRef, Trigger, Unique, View,
};
use crate::schema::names;

use super::error::Wording;
use super::locate::Path;
use super::ordered::OrderedMap;
use super::raw::{
    RawCheck, RawColumn, RawComposite, RawDeferral, RawDomain, RawEnum, RawFile, RawFkAction,
    RawForeignKey, RawIdentity, RawIdentityFull, RawIndex, RawKey, RawMatch, RawNulls, RawOrder,
    RawPolicy, RawPolicyCommand, RawPrimaryKey, RawRowSecurity, RawSequence, RawTable, RawTrigger,
    RawUnique, RawView, Short,
};
use super::types::TypeCatalog;
use super::types::sql_name;
use super::{Desired, Ignore};

/// The one format version this pgphase reads and writes.
pub const FORMAT_VERSION: u64 = 1;

/// A mistake found after the file was read: where it is, and what to say.
#[derive(Debug)]
pub struct Problem {
    pub path: Path,
    /// Point at the key of the entry at `path` rather than its value.
    pub at_key: bool,
    pub wording: Wording,
}

impl Problem {
    fn at(path: Path, wording: Wording) -> Self {
        Self {
            path,
            at_key: false,
            wording,
        }
    }

    fn at_key(path: Path, wording: Wording) -> Self {
        Self {
            path,
            at_key: true,
            wording,
        }
    }
}

type Checked<T> = Result<T, Problem>;

/// Everything one table's checks may look up elsewhere in the file.
struct Context<'a> {
    /// Schemas listed in the file.
    schemas: BTreeSet<&'a str>,
    /// Columns of every table (a partition's are its parent's), by schema and table.
    columns: HashMap<(String, String), Vec<String>>,
    types: TypeCatalog,
    ignore: &'a Ignore,
}

/// Turns the file's shape into the desired schema. Each table's raw form is dropped once it is
/// converted, so that the file's shape and the model are never both whole in memory: at 10,000
/// tables each takes tens of megabytes.
pub fn convert(mut raw: RawFile) -> Checked<Desired> {
    check_version(raw.pgphase)?;
    let root = Path::default();
    let extensions = convert_extensions(&raw)?;
    let ignore = raw
        .ignore
        .as_ref()
        .map_or_else(Ignore::default, |i| Ignore {
            tables: i.tables.clone(),
            schemas: i.schemas.clone(),
        });
    let schema_names: Vec<String> = raw.schemas.keys().map(str::to_owned).collect();
    let context = Context {
        schemas: schema_names.iter().map(String::as_str).collect(),
        columns: table_columns(&raw),
        types: type_catalog(&raw, &extensions, &ignore),
        ignore: &ignore,
    };
    let converted = convert_namespaces(&context, &mut raw.schemas.0, &root);
    let mut namespaces = BTreeMap::new();
    // The first mistake in the file's order, as when the schemas are converted one by one.
    for ((name, _), namespace) in raw.schemas.0.iter().zip(converted) {
        namespaces.insert(name.clone(), namespace?);
    }
    Ok(Desired {
        schema: Schema {
            extensions,
            namespaces,
        },
        ignore: ignore.clone(),
    })
}

/// From this many tables, the file's model is made on two threads.
const TABLES_FOR_TWO_THREADS: usize = 1_000;

/// Each schema converted, in the file's order. With many tables, two threads share the work:
/// the schemas in two runs of about as many tables each where the file's schemas allow, else
/// each large schema's tables in two halves. 10,000 tables in two schemas took 0.21–0.23 s one
/// schema after the other, and a plan's reading of the file went from 0.62–0.70 s to
/// 0.53–0.60 s, for no more memory at its peak; in one schema, from 0.58–0.66 s to 0.50–0.59 s.
fn convert_namespaces(
    context: &Context<'_>,
    schemas: &mut [(String, super::raw::RawSchema)],
    root: &Path,
) -> Vec<Checked<Namespace>> {
    let convert = |schemas: &mut [(String, super::raw::RawSchema)], split_tables: bool| {
        schemas
            .iter_mut()
            .map(|(name, schema)| {
                let path = root.key("schemas").key(name);
                convert_namespace(context, name, schema, &path, split_tables)
            })
            .collect::<Vec<_>>()
    };
    let tables: Vec<usize> = schemas.iter().map(|(_, s)| s.tables.0.len()).collect();
    let total: usize = tables.iter().sum();
    if total < TABLES_FOR_TWO_THREADS {
        return convert(schemas, false);
    }
    let mut before = 0;
    let at = tables
        .iter()
        .position(|&count| {
            before += count;
            before * 2 >= total
        })
        .map_or(0, |last| last + 1);
    let first_run: usize = tables[..at].iter().sum();
    let balanced = at < schemas.len() && first_run.max(total - first_run) * 4 <= total * 3;
    if !balanced {
        return convert(schemas, true);
    }
    let (first, second) = schemas.split_at_mut(at);
    let (mut converted, rest) = on_two_threads(|| convert(first, false), || convert(second, false));
    converted.extend(rest);
    converted
}

/// The tables of the schema `name`, in the file's order; with `split`, in two halves on two
/// threads, the first half's mistake reported first as when they are converted one by one.
fn convert_tables(
    context: &Context<'_>,
    name: &str,
    mut raw_tables: Vec<(String, super::raw::RawTable)>,
    path: &Path,
    split: bool,
) -> Checked<Vec<(String, Table)>> {
    let convert = |raw_tables: Vec<(String, super::raw::RawTable)>| {
        let mut tables = Vec::with_capacity(raw_tables.len());
        for (table_name, value) in raw_tables {
            let at = path.key("tables").key(&table_name);
            let table = convert_table(context, name, &table_name, value, &at)?;
            tables.push((table_name, table));
        }
        Ok(tables)
    };
    if !split || raw_tables.len() < TABLES_FOR_TWO_THREADS / 2 {
        return convert(raw_tables);
    }
    let second = raw_tables.split_off(raw_tables.len() / 2);
    let (first, second) = on_two_threads(|| convert(raw_tables), || convert(second));
    let mut tables = first?;
    tables.extend(second?);
    Ok(tables)
}

/// `first` on this thread and `second` on another, at the same time; a panic on either goes on.
fn on_two_threads<A: Send, B: Send>(
    first: impl FnOnce() -> A + Send,
    second: impl FnOnce() -> B + Send,
) -> (A, B) {
    std::thread::scope(|scope| {
        let later = scope.spawn(second);
        let first = first();
        match later.join() {
            Ok(second) => (first, second),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}

fn check_version(version: Option<u64>) -> Checked<()> {
    match version {
        Some(FORMAT_VERSION) => Ok(()),
        None => Err(Problem::at(
            Path::default(),
            Wording::new("missing key `pgphase`").hint(format!(
                "start the file with `pgphase: {FORMAT_VERSION}`, the version of this format"
            )),
        )),
        Some(other) => Err(Problem::at(
            Path::default().key("pgphase"),
            Wording::new(format!(
                "unsupported format version {other}; this pgphase reads version {FORMAT_VERSION}"
            ))
            .hint(format!("write `pgphase: {FORMAT_VERSION}`")),
        )),
    }
}

fn convert_extensions(raw: &RawFile) -> Checked<BTreeMap<String, Extension>> {
    let mut extensions = BTreeMap::new();
    for (i, extension) in raw.extensions.iter().enumerate() {
        let (name, schema) = match extension {
            Short::Short(name) => (name.clone(), None),
            Short::Full(full) => (full.name.clone(), full.schema.clone()),
        };
        let schema = schema.unwrap_or_else(|| "public".to_owned());
        if extensions
            .insert(name.clone(), Extension { schema })
            .is_some()
        {
            let path = Path::default().key("extensions").index(i);
            return Err(Problem::at(
                path,
                Wording::new(format!("extension `{name}` is listed twice")),
            ));
        }
    }
    Ok(extensions)
}

/// A table by schema and name.
type TableKey = (String, String);

/// Every table's column names; a partition has its parent's.
fn table_columns(raw: &RawFile) -> HashMap<TableKey, Vec<String>> {
    let schemas: BTreeSet<&str> = raw.schemas.keys().collect();
    let mut columns: HashMap<TableKey, Vec<String>> = HashMap::new();
    let mut parents: HashMap<TableKey, TableKey> = HashMap::new();
    for (schema_name, schema) in raw.schemas.iter() {
        for (table_name, table) in schema.tables.iter() {
            let key = (schema_name.clone(), table_name.clone());
            if let Some(p) = &table.partition_of {
                let r = split_table_ref(&p.table, schema_name, &schemas, |s, t| {
                    raw.schemas
                        .iter()
                        .any(|(n, sc)| n == s && sc.tables.keys().any(|k| k == t))
                });
                parents.insert(key.clone(), (r.schema, r.name));
            }
            columns.insert(key, table.columns.keys().map(str::to_owned).collect());
        }
    }
    // Only partitions copy names: every other table keeps its own.
    let inherited: Vec<(TableKey, Vec<String>)> = parents
        .keys()
        .map(|key| {
            let mut current = key;
            // The depth bound stops a cycle.
            for _ in 0..32 {
                match parents.get(current) {
                    Some(parent) if columns.contains_key(parent) => current = parent,
                    _ => break,
                }
            }
            let names = columns.get(current).cloned().unwrap_or_default();
            (key.clone(), names)
        })
        .collect();
    columns.extend(inherited);
    columns
}

fn type_catalog(
    raw: &RawFile,
    extensions: &BTreeMap<String, Extension>,
    ignore: &Ignore,
) -> TypeCatalog {
    let schemas = raw.schemas.iter().map(|(name, schema)| {
        let names = schema
            .enums
            .keys()
            .chain(schema.domains.keys())
            .chain(schema.composite_types.keys())
            .chain(schema.tables.keys())
            .chain(schema.views.keys())
            .map(str::to_owned)
            .collect();
        (name.as_str(), names)
    });
    let extensions = extensions
        .iter()
        .map(|(name, e)| (name.as_str(), e.schema.as_str()));
    TypeCatalog::new(schemas, extensions, ignore.schemas.clone())
}

/// Splits `schema.name` on the dot after a schema of the file (preferring a split that names a
/// table), else reads the whole text as a table of `current`.
pub fn split_table_ref(
    text: &str,
    current: &str,
    schemas: &BTreeSet<&str>,
    exists: impl Fn(&str, &str) -> bool,
) -> TableRef {
    let splits: Vec<TableRef> = text
        .match_indices('.')
        .map(|(i, _)| TableRef::new(&text[..i], &text[i + 1..]))
        .filter(|r| schemas.contains(r.schema.as_str()))
        .collect();
    splits
        .iter()
        .find(|r| exists(&r.schema, &r.name))
        .or_else(|| splits.first().filter(|_| !exists(current, text)))
        .cloned()
        .unwrap_or_else(|| TableRef::new(current, text))
}

impl Context<'_> {
    fn table_exists(&self, schema: &str, table: &str) -> bool {
        self.columns
            .contains_key(&(schema.to_owned(), table.to_owned()))
    }

    fn columns_of(&self, table: &TableRef) -> Option<&Vec<String>> {
        self.columns
            .get(&(table.schema.clone(), table.name.clone()))
    }

    /// A table reference that must name a table of the file (or one the file ignores).
    fn table_ref(&self, text: &str, current: &str, path: &Path, what: &str) -> Checked<TableRef> {
        let reference =
            split_table_ref(text, current, &self.schemas, |s, t| self.table_exists(s, t));
        if self.table_exists(&reference.schema, &reference.name)
            || self
                .ignore
                .ignores_table(&reference.schema, &reference.name)
        {
            return Ok(reference);
        }
        let known: Vec<&str> = self
            .columns
            .keys()
            .filter(|(s, _)| s == current)
            .map(|(_, t)| t.as_str())
            .collect();
        let wording = Wording::new(format!("{what} table `{text}`, which is not in the file"))
            .did_you_mean(&reference.name, known);
        let wording = if wording.hint.is_some() {
            wording
        } else {
            wording.hint(format!(
                "add table `{}` to schema `{}`, or list it under `ignore: {{ tables: […] }}`",
                reference.name, reference.schema
            ))
        };
        Err(Problem::at(path.clone(), wording))
    }

    fn resolve_type(&self, text: &str, schema: &str, path: &Path) -> Checked<String> {
        self.types
            .resolve(text, schema)
            .map_err(|wording| Problem::at(path.clone(), wording))
    }
}

/// Converts one schema, taking its tables out of `raw` as it goes.
fn convert_namespace(
    context: &Context,
    name: &str,
    raw: &mut super::raw::RawSchema,
    path: &Path,
    split_tables: bool,
) -> Checked<Namespace> {
    // Checked while the tables are still here, reported after their own mistakes as before.
    let unique_names = check_unique_names(raw, path);
    let mut ns = Namespace {
        comment: raw.comment.clone(),
        ..Namespace::default()
    };
    for (enum_name, value) in raw.enums.iter() {
        ns.enums.insert(
            enum_name.clone(),
            convert_enum(enum_name, value, &path.key("enums").key(enum_name))?,
        );
    }
    for (domain_name, value) in raw.domains.iter() {
        let domain = convert_domain(context, name, value, &path.key("domains").key(domain_name))?;
        ns.domains.insert(domain_name.clone(), domain);
    }
    for (type_name, value) in raw.composite_types.iter() {
        let composite = convert_composite(
            context,
            name,
            value,
            &path.key("composite_types").key(type_name),
        )?;
        ns.composite_types.insert(type_name.clone(), composite);
    }
    for (sequence_name, value) in raw.sequences.iter() {
        let sequence = convert_sequence(
            context,
            name,
            raw,
            value,
            &path.key("sequences").key(sequence_name),
        )?;
        ns.sequences.insert(sequence_name.clone(), sequence);
    }
    let raw_tables = std::mem::take(&mut raw.tables).0;
    let tables = convert_tables(context, name, raw_tables, path, split_tables)?;
    // Built at once, the map's nodes are full; inserted one by one in name order, each node
    // kept about half of its slots empty (3 MB at 10,000 tables).
    ns.tables = tables.into_iter().collect();
    for (view_name, value) in raw.views.iter() {
        ns.views.insert(
            view_name.clone(),
            convert_view(value, &path.key("views").key(view_name))?,
        );
    }
    for (signature, value) in raw.functions.iter() {
        let (definition, comment) = definition_and_comment(value);
        ns.functions.insert(
            signature.clone(),
            Function {
                definition,
                comment,
            },
        );
    }
    for (signature, value) in raw.operators.iter() {
        let (definition, comment) = definition_and_comment(value);
        ns.operators.insert(
            signature.clone(),
            Operator {
                definition,
                comment,
            },
        );
    }
    unique_names?;
    names::assign_default_names(&mut ns);
    ns.sort_by_names();
    Ok(ns)
}

fn definition_and_comment(value: &super::raw::RawDefinition) -> (String, Option<String>) {
    match value {
        Short::Short(definition) => (definition.clone(), None),
        Short::Full(full) => (full.definition.clone(), full.comment.clone()),
    }
}

fn convert_enum(name: &str, raw: &RawEnum, path: &Path) -> Checked<Enum> {
    let (labels, comment, labels_path) = match raw {
        Short::Short(labels) => (labels, None, path.clone()),
        Short::Full(full) => (&full.labels, full.comment.clone(), path.key("labels")),
    };
    for (i, label) in labels.iter().enumerate() {
        if labels[..i].contains(label) {
            return Err(Problem::at(
                labels_path.index(i),
                Wording::new(format!("enum `{name}` lists the label `{label}` twice")),
            ));
        }
    }
    Ok(Enum {
        labels: labels.clone(),
        comment,
    })
}

fn convert_domain(
    context: &Context,
    schema: &str,
    raw: &RawDomain,
    path: &Path,
) -> Checked<Domain> {
    let checks = raw
        .checks
        .iter()
        .map(|c| Check {
            name: c.name.clone().unwrap_or_default().into(),
            expression: c.expression.clone(),
            no_inherit: false,
            valid: c.valid.unwrap_or(true),
        })
        .collect();
    Ok(Domain {
        data_type: context.resolve_type(&raw.data_type, schema, &path.key("type"))?,
        nullable: raw.nullable.unwrap_or(true),
        default: raw.default.clone(),
        collation: raw.collation.as_deref().map(sql_name),
        checks,
        comment: raw.comment.clone(),
    })
}

fn convert_composite(
    context: &Context,
    schema: &str,
    raw: &RawComposite,
    path: &Path,
) -> Checked<CompositeType> {
    let mut attributes = Vec::new();
    for (name, attribute) in raw.attributes.iter() {
        let attribute_path = path.key("attributes").key(name);
        let (data_type, collation, type_path) = match attribute {
            Short::Short(data_type) => (data_type, None, attribute_path),
            Short::Full(full) => (
                &full.data_type,
                full.collation.as_deref().map(sql_name),
                attribute_path.key("type"),
            ),
        };
        let data_type = context.resolve_type(data_type, schema, &type_path)?;
        attributes.push(Attribute {
            name: name.clone(),
            data_type,
            collation,
        });
    }
    Ok(CompositeType {
        attributes,
        comment: raw.comment.clone(),
    })
}

pub use crate::schema::{sequence_defaults, sequence_type_bounds};

fn convert_sequence(
    context: &Context,
    schema: &str,
    ns: &super::raw::RawSchema,
    raw: &RawSequence,
    path: &Path,
) -> Checked<Sequence> {
    let data_type = match &raw.data_type {
        Some(text) => context.resolve_type(text, schema, &path.key("type"))?,
        None => "bigint".to_owned(),
    };
    if sequence_type_bounds(&data_type).is_none() {
        return Err(Problem::at(
            path.key("type"),
            Wording::new(format!(
                "a sequence must be `smallint`, `integer` or `bigint`, not `{data_type}`"
            )),
        ));
    }
    let increment = raw.increment.unwrap_or(1);
    if increment == 0 {
        return Err(Problem::at(
            path.key("increment"),
            Wording::new("a sequence's increment cannot be 0"),
        ));
    }
    let (default_min, default_max) = sequence_defaults(&data_type, increment);
    let min_value = raw.min.unwrap_or(default_min);
    let max_value = raw.max.unwrap_or(default_max);
    let start = raw
        .start
        .unwrap_or(if increment > 0 { min_value } else { max_value });
    let owned_by = match &raw.owned_by {
        Some(text) => Some(owned_by(ns, text, &path.key("owned_by"))?),
        None => None,
    };
    Ok(Sequence {
        data_type,
        start,
        increment,
        min_value,
        max_value,
        cache: raw.cache.unwrap_or(1),
        cycle: raw.cycle,
        unlogged: raw.unlogged,
        owned_by,
        comment: raw.comment.clone(),
    })
}

/// `table.column` of the sequence's schema, split on the dot that names an existing column.
fn owned_by(ns: &super::raw::RawSchema, text: &str, path: &Path) -> Checked<ColumnRef> {
    let split = text
        .match_indices('.')
        .map(|(i, _)| (&text[..i], &text[i + 1..]))
        .find(|(table, column)| {
            ns.tables
                .iter()
                .any(|(name, t)| name == table && t.columns.keys().any(|c| c == *column))
        });
    match split {
        Some((table, column)) => Ok(ColumnRef {
            table: table.to_owned(),
            column: column.to_owned(),
        }),
        None => Err(Problem::at(
            path.clone(),
            Wording::new(format!(
                "`owned_by: {text}` names no column of a table in this schema"
            ))
            .hint("write `table.column`, a column of a table in the same schema"),
        )),
    }
}

/// The table's model; takes the raw table so that its columns' text moves into the model
/// rather than being copied.
fn convert_table(
    context: &Context,
    schema: &str,
    name: &str,
    mut raw: RawTable,
    path: &Path,
) -> Checked<Table> {
    let columns = context
        .columns
        .get(&(schema.to_owned(), name.to_owned()))
        .map_or(&[][..], Vec::as_slice);
    let table_columns = TableColumns {
        names: columns,
        table: name,
    };
    let partition_of = match &raw.partition_of {
        Some(p) => {
            if let Some((first, _)) = raw.columns.iter().next() {
                return Err(Problem::at_key(
                    path.key("columns").key(first),
                    Wording::new("a partition takes its parent's columns")
                        .hint("leave out `columns` for a table with `partition_of`"),
                ));
            }
            let parent = context.table_ref(
                &p.table,
                schema,
                &path.key("partition_of").key("table"),
                "`partition_of` names",
            )?;
            Some(PartitionOf {
                parent,
                bound: p.bound.clone(),
            })
        }
        None => None,
    };
    let primary_key = match &raw.primary_key {
        Some(pk) => Some(convert_primary_key(
            pk,
            &table_columns,
            &path.key("primary_key"),
        )?),
        None => None,
    };
    let pk_columns: Vec<&str> = primary_key
        .iter()
        .flat_map(|pk| pk.columns.iter().map(String::as_str))
        .collect();
    let mut table = Table {
        columns: convert_columns(
            context,
            schema,
            std::mem::take(&mut raw.columns),
            &pk_columns,
            &path.key("columns"),
        )?,
        comment: raw.comment.clone(),
        unlogged: raw.unlogged,
        primary_key,
        partition_by: raw.partition_by.clone(),
        partition_of,
        renamed_from: raw.renamed_from.clone(),
        ..Table::default()
    };
    table.unique.reserve_exact(raw.unique.len());
    for (i, unique) in raw.unique.iter().enumerate() {
        table.unique.push(convert_unique(
            unique,
            &table_columns,
            &path.key("unique").index(i),
        )?);
    }
    table.foreign_keys.reserve_exact(raw.foreign_keys.len());
    for (i, fk) in raw.foreign_keys.iter().enumerate() {
        table.foreign_keys.push(convert_foreign_key(
            context,
            schema,
            fk,
            &table_columns,
            &path.key("foreign_keys").index(i),
        )?);
    }
    table.checks = raw.checks.iter().map(convert_check).collect();
    for (i, exclusion) in raw.exclusions.iter().enumerate() {
        let Some(name) = &exclusion.name else {
            return Err(Problem::at(
                path.key("exclusions").index(i),
                Wording::new("an exclusion constraint needs a `name`")
                    .hint("pgphase does not guess PostgreSQL's default name for an exclusion constraint; name it"),
            ));
        };
        table.exclusions.push(Exclusion {
            name: name.clone(),
            definition: exclusion.definition.clone(),
        });
    }
    table.indexes.reserve_exact(raw.indexes.len());
    for (i, index) in raw.indexes.iter().enumerate() {
        table.indexes.push(convert_index(
            index,
            Some(&table_columns),
            &path.key("indexes").index(i),
        )?);
    }
    table.triggers = raw
        .triggers
        .iter()
        .map(|(name, t)| convert_trigger(name, t))
        .collect();
    if let Some(security) = &raw.row_security {
        table.row_security = convert_row_security(security);
    }
    Ok(table)
}

/// A table's column names, for checking the columns a constraint or index lists.
struct TableColumns<'a> {
    names: &'a [String],
    table: &'a str,
}

impl TableColumns<'_> {
    fn check(&self, columns: &[String], path: &Path) -> Checked<()> {
        for (i, column) in columns.iter().enumerate() {
            self.check_one(column, &path.index(i))?;
        }
        Ok(())
    }

    fn check_one(&self, column: &str, path: &Path) -> Checked<()> {
        if self.names.iter().any(|c| c == column) {
            return Ok(());
        }
        let wording = Wording::new(format!("table `{}` has no column `{column}`", self.table))
            .did_you_mean(column, self.names.iter().map(String::as_str));
        if wording.hint.is_some() || self.names.is_empty() {
            return Err(Problem::at(path.clone(), wording));
        }
        let shown: Vec<&str> = self.names.iter().take(12).map(String::as_str).collect();
        let more = if self.names.len() > shown.len() {
            ", …"
        } else {
            ""
        };
        let hint = format!(
            "its columns are {}{more}",
            shown
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        Err(Problem::at(path.clone(), wording.hint(hint)))
    }
}

fn convert_columns(
    context: &Context,
    schema: &str,
    raw: OrderedMap<RawColumn>,
    pk: &[&str],
    path: &Path,
) -> Checked<Vec<Column>> {
    // Sized to the columns: a vector grown by pushes keeps up to a third of its slots empty,
    // 10 MB of 10,000 tables.
    let mut columns = Vec::with_capacity(raw.0.len());
    for (name, column) in raw.0 {
        let column_path = path.key(&name);
        let in_pk = pk.contains(&name.as_str());
        let column = match column {
            Short::Short(data_type) => {
                let data_type = context.resolve_type(&data_type, schema, &column_path)?;
                let mut column = Column::new(name, data_type);
                column.nullable = !in_pk;
                column
            }
            Short::Full(full) => convert_column(context, schema, name, *full, in_pk, &column_path)?,
        };
        columns.push(column);
    }
    Ok(columns)
}

fn convert_column(
    context: &Context,
    schema: &str,
    name: String,
    raw: super::raw::RawColumnFull,
    in_pk: bool,
    path: &Path,
) -> Checked<Column> {
    if in_pk && raw.nullable == Some(true) {
        return Err(Problem::at(
            path.key("nullable"),
            Wording::new(format!(
                "column `{name}` is in the primary key, so it cannot be nullable"
            ))
            .hint("remove `nullable: true`: primary-key columns are always NOT NULL"),
        ));
    }
    let data_type = context.resolve_type(&raw.data_type, schema, &path.key("type"))?;
    let (identity, identity_options) = match &raw.identity {
        None => (None, IdentityOptions::default()),
        Some(Short::Short(kind)) => (Some(identity_kind(*kind)), IdentityOptions::default()),
        Some(Short::Full(full)) => (
            Some(identity_kind(full.generated)),
            identity_options(full, &data_type, &path.key("identity"))?,
        ),
    };
    let conflict = |key: &str, message: &str| {
        Err(Problem::at_key(
            path.key(key),
            Wording::new(message.replace("{name}", &name)),
        ))
    };
    if identity.is_some() && raw.default.is_some() {
        return conflict(
            "default",
            "column `{name}` has both `identity` and `default`; an identity column makes its own values",
        );
    }
    if raw.generated.is_some() && raw.default.is_some() {
        return conflict(
            "default",
            "column `{name}` has both `generated` and `default`; a generated column is computed",
        );
    }
    if identity.is_some() && raw.generated.is_some() {
        return conflict(
            "generated",
            "column `{name}` has both `identity` and `generated`",
        );
    }
    if identity.is_some() && !matches!(data_type.as_str(), "smallint" | "integer" | "bigint") {
        return Err(Problem::at(
            path.key("type"),
            Wording::new(format!(
                "identity column `{name}` must be `smallint`, `integer` or `bigint`, not `{data_type}`"
            )),
        ));
    }
    Ok(Column {
        name: name.into(),
        data_type: data_type.into(),
        nullable: !in_pk && raw.nullable.unwrap_or(true),
        default: raw.default.map(Into::into),
        identity,
        identity_options: identity_options.into(),
        generated: raw.generated,
        collation: raw.collation.as_deref().map(sql_name),
        comment: raw.comment,
        renamed_from: raw.renamed_from,
    })
}

fn identity_kind(raw: RawIdentity) -> Identity {
    match raw {
        RawIdentity::Always => Identity::Always,
        RawIdentity::ByDefault => Identity::ByDefault,
    }
}

/// The options of an identity written in full, checked as PostgreSQL would check them.
fn identity_options(
    raw: &RawIdentityFull,
    data_type: &str,
    path: &Path,
) -> Checked<IdentityOptions> {
    if raw.increment == Some(0) {
        return Err(Problem::at(
            path.key("increment"),
            Wording::new("an identity's increment cannot be 0"),
        ));
    }
    let given = IdentityOptions {
        start: raw.start,
        increment: raw.increment,
        min_value: raw.min,
        max_value: raw.max,
        cache: raw.cache,
        cycle: raw.cycle,
    };
    let settings = given.settings(data_type);
    let (type_min, type_max) = sequence_type_bounds(data_type).unwrap_or((i64::MIN, i64::MAX));
    let out_of_type = |value: i64| value < type_min || value > type_max;
    if out_of_type(settings.min_value) || out_of_type(settings.max_value) {
        return Err(Problem::at(
            path.key(if out_of_type(settings.min_value) {
                "min"
            } else {
                "max"
            }),
            Wording::new(format!(
                "out of range for an identity of type `{data_type}`"
            )),
        ));
    }
    if settings.min_value >= settings.max_value {
        return Err(Problem::at(
            path.key("min"),
            Wording::new("an identity's min must be less than its max"),
        ));
    }
    if settings.start < settings.min_value || settings.start > settings.max_value {
        return Err(Problem::at(
            path.key("start"),
            Wording::new(format!(
                "start {} is outside the identity's range {}..{}",
                settings.start, settings.min_value, settings.max_value
            )),
        ));
    }
    if settings.cache < 1 {
        return Err(Problem::at(
            path.key("cache"),
            Wording::new("an identity's cache must be at least 1"),
        ));
    }
    Ok(IdentityOptions::from_settings(data_type, settings))
}

fn deferral(raw: RawDeferral) -> Deferral {
    match raw {
        RawDeferral::No => Deferral::NotDeferrable,
        RawDeferral::InitiallyImmediate => Deferral::InitiallyImmediate,
        RawDeferral::InitiallyDeferred => Deferral::InitiallyDeferred,
    }
}

fn convert_primary_key(
    raw: &RawPrimaryKey,
    columns: &TableColumns,
    path: &Path,
) -> Checked<PrimaryKey> {
    let (pk, columns_path) = match raw {
        Short::Short(list) => (
            PrimaryKey {
                name: crate::schema::Text::default(),
                columns: list.clone(),
                include: Vec::new(),
                deferral: Deferral::NotDeferrable,
            },
            path.clone(),
        ),
        Short::Full(full) => (
            PrimaryKey {
                name: full.name.clone().unwrap_or_default().into(),
                columns: full.columns.clone(),
                include: full.include.clone(),
                deferral: deferral(full.deferrable),
            },
            path.key("columns"),
        ),
    };
    check_key_columns(&pk.columns, columns, &columns_path)?;
    columns.check(&pk.include, &path.key("include"))?;
    Ok(pk)
}

/// The columns of a key: at least one, each a column of the table, none twice.
fn check_key_columns(list: &[String], columns: &TableColumns, path: &Path) -> Checked<()> {
    if list.is_empty() {
        return Err(Problem::at(
            path.clone(),
            Wording::new("the list of columns is empty"),
        ));
    }
    columns.check(list, path)?;
    for (i, column) in list.iter().enumerate() {
        if list[..i].contains(column) {
            return Err(Problem::at(
                path.index(i),
                Wording::new(format!("column `{column}` is listed twice")),
            ));
        }
    }
    Ok(())
}

fn convert_unique(raw: &RawUnique, columns: &TableColumns, path: &Path) -> Checked<Unique> {
    check_key_columns(&raw.columns, columns, &path.key("columns"))?;
    columns.check(&raw.include, &path.key("include"))?;
    Ok(Unique {
        name: raw.name.clone().unwrap_or_default().into(),
        columns: raw.columns.clone(),
        include: raw.include.clone(),
        nulls_not_distinct: raw.nulls_not_distinct,
        deferral: deferral(raw.deferrable),
    })
}

fn fk_action(raw: Option<RawFkAction>) -> FkAction {
    match raw {
        None | Some(RawFkAction::NoAction) => FkAction::NoAction,
        Some(RawFkAction::Restrict) => FkAction::Restrict,
        Some(RawFkAction::Cascade) => FkAction::Cascade,
        Some(RawFkAction::SetNull) => FkAction::SetNull,
        Some(RawFkAction::SetDefault) => FkAction::SetDefault,
    }
}

fn convert_foreign_key(
    context: &Context,
    schema: &str,
    raw: &RawForeignKey,
    columns: &TableColumns,
    path: &Path,
) -> Checked<ForeignKey> {
    check_key_columns(&raw.columns, columns, &path.key("columns"))?;
    let references_path = path.key("references");
    let references = context.table_ref(
        &raw.references.table,
        schema,
        &references_path.key("table"),
        "foreign key references",
    )?;
    let referenced_path = references_path.key("columns");
    if let Some(referenced) = context.columns_of(&references) {
        let referenced_columns = TableColumns {
            names: referenced,
            table: &references.name,
        };
        check_key_columns(
            &raw.references.columns,
            &referenced_columns,
            &referenced_path,
        )?;
    }
    if raw.references.columns.len() != raw.columns.len() {
        return Err(Problem::at(
            referenced_path,
            Wording::new(format!(
                "the foreign key has {} but references {}",
                count(raw.columns.len(), "column"),
                count(raw.references.columns.len(), "column")
            )),
        ));
    }
    Ok(ForeignKey {
        name: raw.name.clone().unwrap_or_default().into(),
        columns: raw.columns.clone(),
        references,
        referenced_columns: raw.references.columns.clone(),
        on_delete: fk_action(raw.on_delete),
        on_update: fk_action(raw.on_update),
        match_type: if raw.match_type == Some(RawMatch::Full) {
            FkMatch::Full
        } else {
            FkMatch::Simple
        },
        deferral: deferral(raw.deferrable),
        valid: raw.valid.unwrap_or(true),
    })
}

/// `1 column`, `2 columns`.
fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("{n} {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

fn convert_check(raw: &RawCheck) -> Check {
    Check {
        name: raw.name.clone().unwrap_or_default().into(),
        expression: raw.expression.clone(),
        no_inherit: raw.no_inherit,
        valid: raw.valid.unwrap_or(true),
    }
}

/// An index of a table (whose columns are checked) or of a materialized view (`columns` None).
fn convert_index(raw: &RawIndex, columns: Option<&TableColumns>, path: &Path) -> Checked<Index> {
    let keys = match (&raw.columns, &raw.expression, &raw.keys) {
        (Some(list), None, None) => {
            if let Some(columns) = columns {
                // PostgreSQL lets an index list a column twice, unlike a constraint.
                columns.check(list, &path.key("columns"))?;
            }
            if list.is_empty() {
                return Err(Problem::at(
                    path.key("columns"),
                    Wording::new("the list of columns is empty"),
                ));
            }
            list.iter().map(|c| IndexKey::column(c.as_str())).collect()
        }
        (None, Some(expression), None) => {
            vec![IndexKey::plain(KeyTarget::Expression(expression.clone()))]
        }
        (None, None, Some(keys)) if !keys.is_empty() => {
            convert_keys(keys, columns, &path.key("keys"))?
        }
        (None, None, None | Some(_)) => {
            return Err(Problem::at(
                path.clone(),
                Wording::new("an index needs `columns`, `expression` or `keys`")
                    .hint("e.g. `columns: [email]`, `expression: lower(email)` or `keys: [{ column: created_at, order: desc }]`"),
            ));
        }
        _ => {
            return Err(Problem::at(
                path.clone(),
                Wording::new("an index takes only one of `columns`, `expression` and `keys`"),
            ));
        }
    };
    if let Some(columns) = columns {
        columns.check(&raw.include, &path.key("include"))?;
    }
    for (i, option) in raw.with.iter().enumerate() {
        if !option.contains('=') {
            return Err(Problem::at(
                path.key("with").index(i),
                Wording::new(format!("`{option}` is not `name=value`")),
            ));
        }
    }
    let mut with = raw.with.clone();
    with.sort();
    Ok(Index {
        name: raw.name.clone().unwrap_or_default().into(),
        unique: raw.unique,
        method: raw
            .method
            .as_deref()
            .map_or_else(|| "btree".to_owned(), |m| m.trim().to_lowercase())
            .into(),
        keys,
        include: raw.include.clone(),
        predicate: raw.predicate.clone(),
        nulls_not_distinct: raw.nulls_not_distinct,
        with,
        comment: raw.comment.clone(),
    })
}

fn convert_keys(
    raw: &[RawKey],
    columns: Option<&TableColumns>,
    path: &Path,
) -> Checked<Vec<IndexKey>> {
    let mut keys = Vec::new();
    for (i, key) in raw.iter().enumerate() {
        let key_path = path.index(i);
        let key = match key {
            Short::Short(column) => {
                if let Some(columns) = columns {
                    columns.check_one(column, &key_path)?;
                }
                IndexKey::column(column.as_str())
            }
            Short::Full(full) => {
                let target = match (&full.column, &full.expression) {
                    (Some(column), None) => {
                        if let Some(columns) = columns {
                            columns.check_one(column, &key_path.key("column"))?;
                        }
                        KeyTarget::Column(column.as_str().into())
                    }
                    (None, Some(expression)) => KeyTarget::Expression(expression.clone()),
                    _ => {
                        return Err(Problem::at(
                            key_path,
                            Wording::new(
                                "an index key needs exactly one of `column` and `expression`",
                            ),
                        ));
                    }
                };
                let descending = full.order == Some(RawOrder::Desc);
                IndexKey {
                    target,
                    opclass: full.opclass.as_deref().map(sql_name),
                    collation: full.collation.as_deref().map(sql_name),
                    descending,
                    nulls_first: full.nulls.map_or(descending, |n| n == RawNulls::First),
                }
            }
        };
        keys.push(key);
    }
    Ok(keys)
}

fn convert_trigger(name: &str, raw: &RawTrigger) -> Trigger {
    let (definition, enabled) = match raw {
        Short::Short(definition) => (definition.clone(), true),
        Short::Full(full) => (full.definition.clone(), full.enabled.unwrap_or(true)),
    };
    Trigger {
        name: name.to_owned(),
        definition,
        enabled,
    }
}

fn convert_row_security(raw: &RawRowSecurity) -> RowSecurity {
    RowSecurity {
        enabled: raw.enabled,
        forced: raw.forced,
        policies: raw
            .policies
            .iter()
            .map(|(name, p)| convert_policy(name, p))
            .collect(),
    }
}

fn convert_policy(name: &str, raw: &RawPolicy) -> Policy {
    let command = match raw.command {
        None | Some(RawPolicyCommand::All) => PolicyCommand::All,
        Some(RawPolicyCommand::Select) => PolicyCommand::Select,
        Some(RawPolicyCommand::Insert) => PolicyCommand::Insert,
        Some(RawPolicyCommand::Update) => PolicyCommand::Update,
        Some(RawPolicyCommand::Delete) => PolicyCommand::Delete,
    };
    let mut roles = raw
        .roles
        .clone()
        .unwrap_or_else(|| vec!["public".to_owned()]);
    roles.sort();
    roles.dedup();
    Policy {
        name: name.to_owned(),
        command,
        permissive: raw.permissive.unwrap_or(true),
        roles,
        using: raw.using.clone(),
        with_check: raw.with_check.clone(),
    }
}

fn convert_view(raw: &RawView, path: &Path) -> Checked<View> {
    let full = match raw {
        Short::Short(definition) => {
            return Ok(View {
                definition: definition.clone(),
                materialized: false,
                with: Vec::new(),
                indexes: Vec::new(),
                comment: None,
            });
        }
        Short::Full(full) => full,
    };
    if !full.materialized && !full.indexes.is_empty() {
        return Err(Problem::at_key(
            path.key("indexes"),
            Wording::new("only a materialized view can have indexes")
                .hint("add `materialized: true`, or move the indexes to a table"),
        ));
    }
    let mut indexes = Vec::new();
    for (i, index) in full.indexes.iter().enumerate() {
        indexes.push(convert_index(index, None, &path.key("indexes").index(i))?);
    }
    let mut with = full.with.clone();
    with.sort();
    Ok(View {
        definition: full.definition.clone(),
        materialized: full.materialized,
        with,
        indexes,
        comment: full.comment.clone(),
    })
}

/// Names PostgreSQL keeps unique: relations per schema (tables, views, sequences, composite
/// types, indexes and the indexes behind constraints), types per schema, constraints per table.
fn check_unique_names(raw: &super::raw::RawSchema, path: &Path) -> Checked<()> {
    let mut relations: HashMap<&str, &str> = HashMap::new();
    let mut types: HashMap<&str, &str> = HashMap::new();
    let objects = [
        ("table", raw.tables.keys().collect::<Vec<_>>(), "tables"),
        ("view", raw.views.keys().collect(), "views"),
        ("sequence", raw.sequences.keys().collect(), "sequences"),
        (
            "composite type",
            raw.composite_types.keys().collect(),
            "composite_types",
        ),
    ];
    for (kind, names, key) in &objects {
        for name in names {
            if let Some(other) = relations.insert(name, kind) {
                return Err(duplicate(path.key(key).key(name), name, other));
            }
        }
    }
    let typed = [
        ("enum", raw.enums.keys().collect::<Vec<_>>(), "enums"),
        ("domain", raw.domains.keys().collect(), "domains"),
    ];
    for (kind, names, key) in &typed {
        for name in names {
            let other = relations
                .get(name)
                .filter(|k| **k != "sequence")
                .copied()
                .or_else(|| types.insert(name, kind));
            if let Some(other) = other {
                return Err(Problem::at_key(
                    path.key(key).key(name),
                    Wording::new(format!(
                        "the {kind} `{name}` has the same name as the {other} `{name}`, and types share one name space"
                    )),
                ));
            }
        }
    }
    for (table_name, table) in raw.tables.iter() {
        let table_path = path.key("tables").key(table_name);
        check_table_names(table, &table_path, &mut relations)?;
    }
    for (view_name, view) in raw.views.iter() {
        if let Short::Full(full) = view {
            for (i, index) in full.indexes.iter().enumerate() {
                if let Some(name) = &index.name
                    && let Some(other) = relations.insert(name, "index")
                {
                    return Err(duplicate(
                        path.key("views")
                            .key(view_name)
                            .key("indexes")
                            .index(i)
                            .key("name"),
                        name,
                        other,
                    ));
                }
            }
        }
    }
    Ok(())
}

fn article(noun: &str) -> &'static str {
    if noun.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

fn duplicate(path: Path, name: &str, other: &str) -> Problem {
    Problem::at(
        path,
        Wording::new(format!(
            "the name `{name}` is already used by {} {other} in this schema",
            article(other)
        ))
        .hint(
            "tables, views, sequences, indexes and composite types share one name space per schema",
        ),
    )
}

fn check_table_names<'a>(
    table: &'a RawTable,
    path: &Path,
    relations: &mut HashMap<&'a str, &'static str>,
) -> Checked<()> {
    let mut constraints: Vec<&str> = Vec::new();
    let mut named: Vec<(&'a str, Path, Option<&'static str>)> = Vec::new();
    if let Some(Short::Full(pk)) = &table.primary_key
        && let Some(name) = &pk.name
    {
        named.push((
            name,
            path.key("primary_key").key("name"),
            Some("primary key"),
        ));
    }
    for (i, u) in table.unique.iter().enumerate() {
        if let Some(name) = &u.name {
            named.push((
                name,
                path.key("unique").index(i).key("name"),
                Some("unique constraint"),
            ));
        }
    }
    for (i, e) in table.exclusions.iter().enumerate() {
        if let Some(name) = &e.name {
            named.push((
                name,
                path.key("exclusions").index(i).key("name"),
                Some("exclusion constraint"),
            ));
        }
    }
    for (i, f) in table.foreign_keys.iter().enumerate() {
        if let Some(name) = &f.name {
            named.push((name, path.key("foreign_keys").index(i).key("name"), None));
        }
    }
    for (i, c) in table.checks.iter().enumerate() {
        if let Some(name) = &c.name {
            named.push((name, path.key("checks").index(i).key("name"), None));
        }
    }
    for (name, name_path, relation) in named {
        if constraints.contains(&name) {
            return Err(Problem::at(
                name_path,
                Wording::new(format!(
                    "this table already has a constraint named `{name}`"
                )),
            ));
        }
        constraints.push(name);
        if let Some(kind) = relation
            && let Some(other) = relations.insert(name, kind)
        {
            return Err(duplicate(name_path, name, other));
        }
    }
    for (i, index) in table.indexes.iter().enumerate() {
        if let Some(name) = &index.name
            && let Some(other) = relations.insert(name, "index")
        {
            return Err(duplicate(
                path.key("indexes").index(i).key("name"),
                name,
                other,
            ));
        }
    }
    Ok(())
}
