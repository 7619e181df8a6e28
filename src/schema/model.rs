//! The schema model: plain data describing everything pgphase manages in a database.
//!
//! Both sources produce it (the live catalog and the desired YAML file) and everything downstream
//! compares it. It holds no I/O and builds no SQL. Every collection whose order carries no meaning
//! is a `BTreeMap` keyed by name or a `Vec` kept sorted by name, so two equal databases give
//! equal values and deterministic output. Text that PostgreSQL itself canonicalises (types,
//! defaults, expressions, view bodies, function and trigger definitions) is kept as that text.

use std::collections::BTreeMap;

use serde::Serialize;

/// Text of the model that is most often short (the names of columns, keys, checks and indexes,
/// a column's type and default, an index's method): kept inline up to 24 bytes instead of in an
/// allocation of its own. At 10,000 tables a model holds hundreds of thousands of these, and
/// each allocation costs the allocator 32 bytes or more.
pub type Text = compact_str::CompactString;

/// The whole managed model of one database: its extensions and its schemas (namespaces).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Schema {
    /// Installed extensions by name.
    pub extensions: BTreeMap<String, Extension>,
    /// PostgreSQL schemas by name (`public`, `billing`, …).
    pub namespaces: BTreeMap<String, Namespace>,
}

/// An installed extension; its version is not managed (it changes with the server packages).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Extension {
    /// The schema its objects were installed into.
    pub schema: String,
}

/// One PostgreSQL schema and the objects in it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Namespace {
    pub comment: Option<String>,
    pub enums: BTreeMap<String, Enum>,
    pub domains: BTreeMap<String, Domain>,
    /// Composite types (`CREATE TYPE … AS (…)`).
    pub composite_types: BTreeMap<String, CompositeType>,
    pub sequences: BTreeMap<String, Sequence>,
    pub tables: BTreeMap<String, Table>,
    /// Views and materialized views share one name space in PostgreSQL, so they share one map.
    pub views: BTreeMap<String, View>,
    /// Functions, procedures and aggregates keyed by their signature, `name(argument types)`.
    pub functions: BTreeMap<String, Function>,
    /// Operators keyed by their signature, `name(left type, right type)`.
    pub operators: BTreeMap<String, Operator>,
}

/// An enum type: its labels in their sort order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Enum {
    pub labels: Vec<String>,
    pub comment: Option<String>,
}

/// A domain: a base type with optional NOT NULL, default, collation and checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Domain {
    pub data_type: String,
    pub nullable: bool,
    pub default: Option<String>,
    pub collation: Option<String>,
    /// Sorted by name.
    pub checks: Vec<Check>,
    pub comment: Option<String>,
}

/// A composite type: named, typed attributes in order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CompositeType {
    pub attributes: Vec<Attribute>,
    pub comment: Option<String>,
}

/// One attribute of a composite type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attribute {
    pub name: String,
    pub data_type: String,
    pub collation: Option<String>,
}

/// A free-standing sequence (identity sequences belong to their column and are not listed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sequence {
    /// `smallint`, `integer` or `bigint`.
    pub data_type: String,
    pub start: i64,
    pub increment: i64,
    pub min_value: i64,
    pub max_value: i64,
    pub cache: i64,
    pub cycle: bool,
    pub unlogged: bool,
    /// The column that owns it (`OWNED BY`), as table and column in the same schema.
    pub owned_by: Option<ColumnRef>,
    pub comment: Option<String>,
}

/// A column of a table in the sequence's own schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ColumnRef {
    pub table: String,
    pub column: String,
}

/// A table: ordinary, partitioned, or a partition of another table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Table {
    /// In table order. A partition lists no columns: it takes its parent's.
    pub columns: Vec<Column>,
    pub comment: Option<String>,
    pub unlogged: bool,
    pub primary_key: Option<PrimaryKey>,
    /// The following lists are sorted by name.
    pub unique: Vec<Unique>,
    pub foreign_keys: Vec<ForeignKey>,
    pub checks: Vec<Check>,
    pub exclusions: Vec<Exclusion>,
    pub indexes: Vec<Index>,
    pub triggers: Vec<Trigger>,
    /// For a partitioned table: its partition key, as `pg_get_partkeydef` prints it (`RANGE (day)`).
    pub partition_by: Option<String>,
    /// For a partition: its parent and bound.
    pub partition_of: Option<PartitionOf>,
    pub row_security: RowSecurity,
    /// A hint from the desired file: the table's previous name. Never set by introspection.
    pub renamed_from: Option<String>,
}

/// A column; `data_type` is the canonical type name (see `schema::types`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Column {
    pub name: Text,
    pub data_type: Text,
    pub nullable: bool,
    pub default: Option<Text>,
    pub identity: Option<Identity>,
    /// The identity's sequence options; all defaults when the column is no identity.
    #[serde(skip_serializing_if = "ColumnIdentityOptions::is_default")]
    pub identity_options: ColumnIdentityOptions,
    /// A stored generated column's expression.
    pub generated: Option<String>,
    /// Set only when it differs from the type's default collation.
    pub collation: Option<String>,
    pub comment: Option<String>,
    /// A hint from the desired file: the column's previous name. Never set by introspection.
    pub renamed_from: Option<String>,
}

impl Column {
    /// A nullable column of the given type with nothing else set.
    #[must_use]
    pub fn new(name: impl Into<Text>, data_type: impl Into<Text>) -> Self {
        Self {
            name: name.into(),
            data_type: data_type.into(),
            nullable: true,
            default: None,
            identity: None,
            identity_options: ColumnIdentityOptions::default(),
            generated: None,
            collation: None,
            comment: None,
            renamed_from: None,
        }
    }
}

/// `GENERATED ALWAYS AS IDENTITY` or `GENERATED BY DEFAULT AS IDENTITY`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Identity {
    Always,
    ByDefault,
}

/// The options of an identity column's sequence that differ from PostgreSQL's defaults for
/// the column's type and increment (`None`, and `cycle` false, where they do not): the same
/// identity compares equal however it was written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct IdentityOptions {
    pub start: Option<i64>,
    pub increment: Option<i64>,
    pub min_value: Option<i64>,
    pub max_value: Option<i64>,
    pub cache: Option<i64>,
    pub cycle: bool,
}

/// A column's [`IdentityOptions`], boxed when any is set. Most columns are no identity, and the
/// options inline would be a third of every column's bytes (88 of 264): at 10,000 tables, about
/// 10 MB of each model. Reads as the options themselves; equal options compare equal.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnIdentityOptions(Option<Box<IdentityOptions>>);

impl ColumnIdentityOptions {
    /// True when every option is PostgreSQL's default.
    #[must_use]
    pub fn is_default(&self) -> bool {
        self.0.is_none()
    }
}

impl From<IdentityOptions> for ColumnIdentityOptions {
    fn from(options: IdentityOptions) -> Self {
        // Defaults are never boxed, so that derived equality is equality of the options.
        Self((!options.is_default()).then(|| Box::new(options)))
    }
}

impl std::ops::Deref for ColumnIdentityOptions {
    type Target = IdentityOptions;

    fn deref(&self) -> &IdentityOptions {
        self.0.as_deref().unwrap_or(&IdentityOptions::DEFAULT)
    }
}

impl Serialize for ColumnIdentityOptions {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        (**self).serialize(serializer)
    }
}

/// Every option of a sequence, as PostgreSQL stores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SequenceSettings {
    pub start: i64,
    pub increment: i64,
    pub min_value: i64,
    pub max_value: i64,
    pub cache: i64,
    pub cycle: bool,
}

impl IdentityOptions {
    /// Every option PostgreSQL's default.
    pub const DEFAULT: Self = Self {
        start: None,
        increment: None,
        min_value: None,
        max_value: None,
        cache: None,
        cycle: false,
    };

    /// The options of `settings` that differ from the defaults of a `data_type` sequence.
    #[must_use]
    pub fn from_settings(data_type: &str, settings: SequenceSettings) -> Self {
        let defaults = Self::default().settings(data_type);
        let differing = |value: i64, default: i64| (value != default).then_some(value);
        // The defaults of min, max and start follow the increment's sign, and start follows
        // min (or max): compare each with the default given the ones before it.
        let (min, max) = sequence_defaults(data_type, settings.increment);
        let start = if settings.increment > 0 {
            settings.min_value
        } else {
            settings.max_value
        };
        Self {
            increment: differing(settings.increment, defaults.increment),
            min_value: differing(settings.min_value, min),
            max_value: differing(settings.max_value, max),
            start: differing(settings.start, start),
            cache: differing(settings.cache, defaults.cache),
            cycle: settings.cycle,
        }
    }

    /// Every option, PostgreSQL's default where none is set, for a `data_type` sequence.
    #[must_use]
    pub fn settings(&self, data_type: &str) -> SequenceSettings {
        let increment = self.increment.unwrap_or(1);
        let (min, max) = sequence_defaults(data_type, increment);
        let min_value = self.min_value.unwrap_or(min);
        let max_value = self.max_value.unwrap_or(max);
        SequenceSettings {
            start: self
                .start
                .unwrap_or(if increment > 0 { min_value } else { max_value }),
            increment,
            min_value,
            max_value,
            cache: self.cache.unwrap_or(1),
            cycle: self.cycle,
        }
    }

    /// True when every option is PostgreSQL's default.
    #[must_use]
    pub fn is_default(&self) -> bool {
        *self == Self::default()
    }

    /// The options set, as `CREATE TABLE`'s `GENERATED … AS IDENTITY (…)` and `ALTER COLUMN …
    /// ADD GENERATED … AS IDENTITY (…)` take them: empty when all are defaults.
    #[must_use]
    pub fn clause(&self) -> String {
        let mut parts = Vec::new();
        if let Some(increment) = self.increment {
            parts.push(format!("INCREMENT BY {increment}"));
        }
        if let Some(min) = self.min_value {
            parts.push(format!("MINVALUE {min}"));
        }
        if let Some(max) = self.max_value {
            parts.push(format!("MAXVALUE {max}"));
        }
        if let Some(start) = self.start {
            parts.push(format!("START WITH {start}"));
        }
        if let Some(cache) = self.cache {
            parts.push(format!("CACHE {cache}"));
        }
        if self.cycle {
            parts.push("CYCLE".to_owned());
        }
        parts.join(" ")
    }
}

/// Bounds of a sequence type: (min, max).
#[must_use]
pub fn sequence_type_bounds(data_type: &str) -> Option<(i64, i64)> {
    match data_type {
        "smallint" => Some((i64::from(i16::MIN), i64::from(i16::MAX))),
        "integer" => Some((i64::from(i32::MIN), i64::from(i32::MAX))),
        "bigint" => Some((i64::MIN, i64::MAX)),
        _ => None,
    }
}

/// PostgreSQL's defaults for a sequence of this type and increment: (min, max).
#[must_use]
pub fn sequence_defaults(data_type: &str, increment: i64) -> (i64, i64) {
    let (type_min, type_max) = sequence_type_bounds(data_type).unwrap_or((i64::MIN, i64::MAX));
    if increment > 0 {
        (1, type_max)
    } else {
        (type_min, -1)
    }
}

/// How a deferrable constraint is checked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Deferral {
    #[default]
    NotDeferrable,
    InitiallyImmediate,
    InitiallyDeferred,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrimaryKey {
    pub name: Text,
    pub columns: Vec<String>,
    pub include: Vec<String>,
    pub deferral: Deferral,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unique {
    pub name: Text,
    pub columns: Vec<String>,
    pub include: Vec<String>,
    pub nulls_not_distinct: bool,
    pub deferral: Deferral,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ForeignKey {
    pub name: Text,
    pub columns: Vec<String>,
    pub references: TableRef,
    pub referenced_columns: Vec<String>,
    pub on_delete: FkAction,
    pub on_update: FkAction,
    pub match_type: FkMatch,
    pub deferral: Deferral,
    /// False for a constraint added `NOT VALID` and not yet validated.
    pub valid: bool,
}

/// A table named with its schema.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
pub struct TableRef {
    pub schema: String,
    pub name: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FkAction {
    #[default]
    NoAction,
    Restrict,
    Cascade,
    SetNull,
    SetDefault,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FkMatch {
    #[default]
    Simple,
    Full,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    pub name: Text,
    /// The boolean expression, without the `CHECK (…)` around it.
    pub expression: String,
    pub no_inherit: bool,
    pub valid: bool,
}

/// An exclusion constraint, kept as its whole definition (`EXCLUDE USING gist (…)`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Exclusion {
    pub name: String,
    pub definition: String,
}

/// An index that no constraint owns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Index {
    pub name: Text,
    pub unique: bool,
    /// The access method: `btree`, `gin`, `gist`, `hash`, `brin`, `spgist`…
    pub method: Text,
    pub keys: Vec<IndexKey>,
    pub include: Vec<String>,
    /// The partial-index predicate, without `WHERE`.
    pub predicate: Option<String>,
    pub nulls_not_distinct: bool,
    /// Storage parameters as `name=value`, sorted.
    pub with: Vec<String>,
    pub comment: Option<String>,
}

impl Index {
    /// A B-tree index over `keys` with nothing else of its own: not unique, no included
    /// columns, predicate, storage parameters or comment.
    #[must_use]
    pub fn btree(name: impl Into<Text>, keys: Vec<IndexKey>) -> Self {
        Self {
            name: name.into(),
            unique: false,
            method: "btree".into(),
            keys,
            include: Vec::new(),
            predicate: None,
            nulls_not_distinct: false,
            with: Vec::new(),
            comment: None,
        }
    }
}

/// One key of an index: a column or an expression, with its ordering and operator class.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndexKey {
    pub target: KeyTarget,
    /// Set only when it is not the default operator class for the key's type.
    pub opclass: Option<String>,
    /// Set only when it differs from the key's own collation.
    pub collation: Option<String>,
    pub descending: bool,
    /// True for `NULLS FIRST`. The default is `descending` (NULLS LAST ascending, FIRST descending).
    pub nulls_first: bool,
}

impl IndexKey {
    /// An ascending key on `target` with its type's default operator class and collation.
    #[must_use]
    pub fn plain(target: KeyTarget) -> Self {
        Self {
            target,
            opclass: None,
            collation: None,
            descending: false,
            nulls_first: false,
        }
    }

    /// [`IndexKey::plain`] on column `name`.
    #[must_use]
    pub fn column(name: impl Into<Text>) -> Self {
        Self::plain(KeyTarget::Column(name.into()))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyTarget {
    Column(Text),
    Expression(String),
}

/// A trigger, kept as PostgreSQL's canonical `CREATE TRIGGER` statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Trigger {
    pub name: String,
    pub definition: String,
    /// False when the trigger is disabled (`ALTER TABLE … DISABLE TRIGGER`).
    pub enabled: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PartitionOf {
    pub parent: TableRef,
    /// As `pg_get_expr(relpartbound)` prints it: `FOR VALUES FROM (…) TO (…)`, `DEFAULT`.
    pub bound: String,
}

/// Row-level security: whether it is enabled and forced, and the policies.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RowSecurity {
    pub enabled: bool,
    pub forced: bool,
    /// Sorted by name.
    pub policies: Vec<Policy>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Policy {
    pub name: String,
    pub command: PolicyCommand,
    pub permissive: bool,
    /// Role names; `public` means every role. Sorted.
    pub roles: Vec<String>,
    pub using: Option<String>,
    pub with_check: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PolicyCommand {
    #[default]
    All,
    Select,
    Insert,
    Update,
    Delete,
}

/// A view or a materialized view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct View {
    /// The query, as `pg_get_viewdef` prints it.
    pub definition: String,
    pub materialized: bool,
    /// Options such as `security_invoker=true`, sorted.
    pub with: Vec<String>,
    /// Indexes of a materialized view, sorted by name.
    pub indexes: Vec<Index>,
    pub comment: Option<String>,
}

/// A function, procedure or aggregate, kept as its canonical `CREATE` statement: PostgreSQL's
/// own (`pg_get_functiondef`) for functions and procedures, assembled from `pg_aggregate` for
/// aggregates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Function {
    pub definition: String,
    pub comment: Option<String>,
}

/// An operator, kept as its canonical `CREATE OPERATOR` statement, assembled from `pg_operator`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Operator {
    pub definition: String,
    pub comment: Option<String>,
}

impl Schema {
    /// The table with this schema and name, if the model has it.
    #[must_use]
    pub fn table(&self, table: &TableRef) -> Option<&Table> {
        self.namespaces.get(&table.schema)?.tables.get(&table.name)
    }

    /// Number of tables across all schemas.
    #[must_use]
    pub fn table_count(&self) -> usize {
        self.namespaces.values().map(|ns| ns.tables.len()).sum()
    }
}

impl Namespace {
    /// Puts every list whose order carries no meaning in name order, in every object: the
    /// model's canonical form, which both sources produce so that equal schemas compare equal.
    pub fn sort_by_names(&mut self) {
        for domain in self.domains.values_mut() {
            domain.checks.sort_by(|a, b| a.name.cmp(&b.name));
        }
        for table in self.tables.values_mut() {
            table.sort_by_names();
        }
        for view in self.views.values_mut() {
            view.indexes.sort_by(|a, b| a.name.cmp(&b.name));
        }
    }
}

impl Table {
    /// Puts the constraints, indexes, triggers and policies in name order (see
    /// [`Namespace::sort_by_names`]).
    pub fn sort_by_names(&mut self) {
        self.unique.sort_by(|a, b| a.name.cmp(&b.name));
        self.foreign_keys.sort_by(|a, b| a.name.cmp(&b.name));
        self.checks.sort_by(|a, b| a.name.cmp(&b.name));
        self.exclusions.sort_by(|a, b| a.name.cmp(&b.name));
        self.indexes.sort_by(|a, b| a.name.cmp(&b.name));
        self.triggers.sort_by(|a, b| a.name.cmp(&b.name));
        self.row_security
            .policies
            .sort_by(|a, b| a.name.cmp(&b.name));
    }

    /// Gives back the slots its lists grew into but do not use: a list grown by pushes keeps
    /// up to half of them empty, and a model of 10,000 tables holds 100,000 such lists.
    pub fn shed_slack(&mut self) {
        self.columns.shrink_to_fit();
        self.unique.shrink_to_fit();
        self.foreign_keys.shrink_to_fit();
        self.checks.shrink_to_fit();
        self.exclusions.shrink_to_fit();
        self.indexes.shrink_to_fit();
        self.triggers.shrink_to_fit();
        self.row_security.policies.shrink_to_fit();
    }

    /// The column with this name.
    #[must_use]
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
}

impl TableRef {
    #[must_use]
    pub fn new(schema: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            schema: schema.into(),
            name: name.into(),
        }
    }
}

impl std::fmt::Display for TableRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.schema, self.name)
    }
}
