//! What differs between the live and the desired schema, one typed change per difference.
//!
//! A change carries the definitions its rule needs (the live one, the desired one or both), so
//! rules read nothing but the change and the planning context. No I/O, no SQL here.

use serde::Serialize;

use crate::decide::ChangeId;
use crate::schema::model::{
    Check, Column, CompositeType, Domain, Enum, Exclusion, Extension, ForeignKey, Function,
    IdentityOptions, Index, Policy, PrimaryKey, Sequence, Table, TableRef, Trigger, Unique, View,
};

/// A schema-qualified name of any object (a type, a sequence, a view, a table).
pub type QualifiedName = TableRef;

/// One difference between the live and the desired schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Change {
    CreateSchema {
        schema: String,
    },
    DropSchema {
        schema: String,
    },
    CreateExtension {
        name: String,
        extension: Extension,
    },
    DropExtension {
        name: String,
        extension: Extension,
    },
    /// A new enum, domain or composite type.
    CreateType {
        name: QualifiedName,
        definition: TypeDefinition,
    },
    DropType {
        name: QualifiedName,
        definition: TypeDefinition,
    },
    /// A label added to an existing enum; `before` is the label it goes in front of, `None` for
    /// the end.
    AddEnumValue {
        name: QualifiedName,
        value: String,
        before: Option<String>,
    },
    RenameEnumValue {
        name: QualifiedName,
        from: String,
        to: String,
    },
    /// Labels removed or reordered: the type must be replaced, and every column using it
    /// rewritten.
    ReplaceEnum {
        name: QualifiedName,
        from: Enum,
        to: Enum,
        /// The columns (table, column) whose type is this enum, sorted.
        columns: Vec<(TableRef, String)>,
    },
    CreateSequence {
        name: QualifiedName,
        sequence: Sequence,
    },
    DropSequence {
        name: QualifiedName,
        sequence: Sequence,
    },
    AlterSequence {
        name: QualifiedName,
        from: Sequence,
        to: Sequence,
    },
    /// A new table, without its foreign keys: they come as [`Change::AddForeignKey`] changes
    /// after every new table exists.
    CreateTable {
        table: TableRef,
        definition: Table,
    },
    DropTable {
        table: TableRef,
        definition: Table,
    },
    /// A table that disappeared and one that appeared with the same columns: a rename
    /// candidate, confirmed by a question unless `hinted` (the desired file says
    /// `renamed_from`).
    RenameTable {
        from: TableRef,
        to: TableRef,
        /// The table as it is live, before the rename; what else differs follows as changes
        /// under the new name.
        definition: Table,
        hinted: bool,
    },
    AddColumn {
        table: TableRef,
        column: Column,
    },
    DropColumn {
        table: TableRef,
        column: Column,
    },
    /// A column that disappeared and one of a compatible type that appeared in the same table:
    /// a rename candidate, as for tables.
    RenameColumn {
        table: TableRef,
        from: Column,
        to: Column,
        hinted: bool,
    },
    /// The column's type (or collation) changes; `from` and `to` are the whole column, live and
    /// desired. When the column is also renamed, `from` already carries the desired name (the
    /// rename comes first).
    ChangeColumnType {
        table: TableRef,
        from: Column,
        to: Column,
    },
    SetNotNull {
        table: TableRef,
        column: Column,
    },
    DropNotNull {
        table: TableRef,
        column: Column,
    },
    /// A default added or changed (`from` is the live default, if any).
    SetDefault {
        table: TableRef,
        column: String,
        from: Option<String>,
        to: String,
    },
    DropDefault {
        table: TableRef,
        column: String,
        from: String,
    },
    /// An identity column's sequence options changed (`from` and `to` as the model keeps them,
    /// relative to `data_type`'s defaults).
    AlterIdentity {
        table: TableRef,
        column: String,
        data_type: String,
        from: IdentityOptions,
        to: IdentityOptions,
    },
    AddIndex {
        table: TableRef,
        index: Index,
    },
    DropIndex {
        table: TableRef,
        index: Index,
    },
    /// Same name, different definition.
    ChangeIndex {
        table: TableRef,
        from: Index,
        to: Index,
    },
    AddUnique {
        table: TableRef,
        unique: Unique,
    },
    AddPrimaryKey {
        table: TableRef,
        key: PrimaryKey,
    },
    /// `new_table` is true when the referencing table is created by the same plan (it is empty,
    /// so nothing needs validating).
    AddForeignKey {
        table: TableRef,
        key: ForeignKey,
        new_table: bool,
    },
    AddCheck {
        table: TableRef,
        check: Check,
    },
    AddExclusion {
        table: TableRef,
        exclusion: Exclusion,
    },
    DropConstraint {
        table: TableRef,
        constraint: Constraint,
    },
    CreateView {
        view: QualifiedName,
        definition: View,
    },
    DropView {
        view: QualifiedName,
        definition: View,
    },
    /// The view's definition (or materialization) changes.
    ReplaceView {
        view: QualifiedName,
        from: View,
        to: View,
    },
    /// A view that reads columns the plan drops, retypes or renames: PostgreSQL refuses to alter
    /// them while it exists, so it is dropped before and recreated (as desired) after.
    RecreateView {
        view: QualifiedName,
        live: View,
        desired: View,
        /// The changed columns it reads, (table, column), sorted.
        columns: Vec<(TableRef, String)>,
    },
    /// `key` is the function's key in the model: `name(identity arguments)`.
    CreateFunction {
        schema: String,
        key: String,
        function: Function,
    },
    DropFunction {
        schema: String,
        key: String,
        function: Function,
    },
    ReplaceFunction {
        schema: String,
        key: String,
        from: Function,
        to: Function,
    },
    CreateTrigger {
        table: TableRef,
        trigger: Trigger,
    },
    DropTrigger {
        table: TableRef,
        trigger: Trigger,
    },
    ReplaceTrigger {
        table: TableRef,
        from: Trigger,
        to: Trigger,
    },
    /// A comment set, changed or removed (`to: None`).
    SetComment {
        target: CommentTarget,
        from: Option<String>,
        to: Option<String>,
    },
    CreatePolicy {
        table: TableRef,
        policy: Policy,
    },
    DropPolicy {
        table: TableRef,
        policy: Policy,
    },
    /// A difference pgphase has no rule for (partitioning, exclusion changes, domains,
    /// operators…): listed in the plan for a human to handle, never dropped silently.
    Unsupported {
        object: String,
        detail: String,
    },
}

/// The definition of a user type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TypeDefinition {
    Enum(Enum),
    Domain(Domain),
    Composite(CompositeType),
}

/// A table constraint, as it is in the live schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Constraint {
    PrimaryKey(PrimaryKey),
    Unique(Unique),
    ForeignKey(ForeignKey),
    Check(Check),
    Exclusion(Exclusion),
}

/// The object a comment is on, as it is named in `COMMENT ON`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CommentTarget {
    Schema(String),
    Table(TableRef),
    Column(TableRef, String),
    View {
        name: QualifiedName,
        materialized: bool,
    },
    Index(QualifiedName),
    Sequence(QualifiedName),
    Type(QualifiedName),
    Function {
        schema: String,
        key: String,
    },
}

impl Constraint {
    #[must_use]
    pub fn name(&self) -> &str {
        match self {
            Self::PrimaryKey(c) => &c.name,
            Self::Unique(c) => &c.name,
            Self::ForeignKey(c) => &c.name,
            Self::Check(c) => &c.name,
            Self::Exclusion(c) => &c.name,
        }
    }
}

impl Change {
    /// The change's kind as the kebab-case id its rule carries (`add-column`).
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Self::CreateSchema { .. } => "create-schema",
            Self::DropSchema { .. } => "drop-schema",
            Self::CreateExtension { .. } => "create-extension",
            Self::DropExtension { .. } => "drop-extension",
            Self::CreateType { .. } => "create-type",
            Self::DropType { .. } => "drop-type",
            Self::AddEnumValue { .. } => "add-enum-value",
            Self::RenameEnumValue { .. } => "rename-enum-value",
            Self::ReplaceEnum { .. } => "replace-enum",
            Self::CreateSequence { .. } => "create-sequence",
            Self::DropSequence { .. } => "drop-sequence",
            Self::AlterSequence { .. } => "alter-sequence",
            Self::CreateTable { .. } => "create-table",
            Self::DropTable { .. } => "drop-table",
            Self::RenameTable { .. } => "rename-table",
            Self::AddColumn { .. } => "add-column",
            Self::DropColumn { .. } => "drop-column",
            Self::RenameColumn { .. } => "rename-column",
            Self::ChangeColumnType { .. } => "change-column-type",
            Self::SetNotNull { .. } => "set-not-null",
            Self::DropNotNull { .. } => "drop-not-null",
            Self::SetDefault { .. } => "set-default",
            Self::DropDefault { .. } => "drop-default",
            Self::AlterIdentity { .. } => "alter-identity",
            Self::AddIndex { .. } => "add-index",
            Self::DropIndex { .. } => "drop-index",
            Self::ChangeIndex { .. } => "change-index",
            Self::AddUnique { .. } => "add-unique",
            Self::AddPrimaryKey { .. } => "add-primary-key",
            Self::AddForeignKey { .. } => "add-foreign-key",
            Self::AddCheck { .. } => "add-check",
            Self::AddExclusion { .. } => "add-exclusion",
            Self::DropConstraint { .. } => "drop-constraint",
            Self::CreateView { .. } => "create-view",
            Self::DropView { .. } => "drop-view",
            Self::ReplaceView { .. } => "replace-view",
            Self::RecreateView { .. } => "recreate-view",
            Self::CreateFunction { .. } => "create-function",
            Self::DropFunction { .. } => "drop-function",
            Self::ReplaceFunction { .. } => "replace-function",
            Self::CreateTrigger { .. } => "create-trigger",
            Self::DropTrigger { .. } => "drop-trigger",
            Self::ReplaceTrigger { .. } => "replace-trigger",
            Self::SetComment { .. } => "set-comment",
            Self::CreatePolicy { .. } => "create-policy",
            Self::DropPolicy { .. } => "drop-policy",
            Self::Unsupported { .. } => "unsupported",
        }
    }

    /// The name of the object changed, unquoted and dot-separated (`public.orders.user_id`):
    /// the key of the change's answers in `decisions.yaml`. Several changes to one object share
    /// it; their question ids differ.
    #[must_use]
    pub fn object(&self) -> String {
        match self {
            Self::CreateSchema { schema } | Self::DropSchema { schema } => schema.clone(),
            Self::CreateExtension { name, .. } | Self::DropExtension { name, .. } => {
                format!("extension {name}")
            }
            Self::CreateType { name, .. }
            | Self::DropType { name, .. }
            | Self::AddEnumValue { name, .. }
            | Self::RenameEnumValue { name, .. }
            | Self::ReplaceEnum { name, .. }
            | Self::CreateSequence { name, .. }
            | Self::DropSequence { name, .. }
            | Self::AlterSequence { name, .. } => name.to_string(),
            Self::CreateTable { table, .. } | Self::DropTable { table, .. } => table.to_string(),
            Self::RenameTable { to, .. } => to.to_string(),
            Self::AddColumn { table, column }
            | Self::DropColumn { table, column }
            | Self::SetNotNull { table, column }
            | Self::DropNotNull { table, column } => format!("{table}.{}", column.name),
            Self::RenameColumn { table, to, .. } | Self::ChangeColumnType { table, to, .. } => {
                format!("{table}.{}", to.name)
            }
            Self::SetDefault { table, column, .. }
            | Self::DropDefault { table, column, .. }
            | Self::AlterIdentity { table, column, .. } => format!("{table}.{column}"),
            Self::AddIndex { table, index } | Self::DropIndex { table, index } => {
                format!("{}.{}", table.schema, index.name)
            }
            Self::ChangeIndex { table, to, .. } => format!("{}.{}", table.schema, to.name),
            Self::AddUnique { table, unique } => format!("{table}.{}", unique.name),
            Self::AddPrimaryKey { table, key } => format!("{table}.{}", key.name),
            Self::AddForeignKey { table, key, .. } => format!("{table}.{}", key.name),
            Self::AddCheck { table, check } => format!("{table}.{}", check.name),
            Self::AddExclusion { table, exclusion } => format!("{table}.{}", exclusion.name),
            Self::DropConstraint { table, constraint } => format!("{table}.{}", constraint.name()),
            Self::CreateView { view, .. }
            | Self::DropView { view, .. }
            | Self::ReplaceView { view, .. }
            | Self::RecreateView { view, .. } => view.to_string(),
            Self::CreateFunction { schema, key, .. }
            | Self::DropFunction { schema, key, .. }
            | Self::ReplaceFunction { schema, key, .. } => format!("{schema}.{key}"),
            Self::CreateTrigger { table, trigger } | Self::DropTrigger { table, trigger } => {
                format!("{table}.{}", trigger.name)
            }
            Self::ReplaceTrigger { table, to, .. } => format!("{table}.{}", to.name),
            Self::SetComment { target, .. } => format!("comment on {}", target.object()),
            Self::CreatePolicy { table, policy } | Self::DropPolicy { table, policy } => {
                format!("{table}.{}", policy.name)
            }
            Self::Unsupported { object, .. } => object.clone(),
        }
    }

    /// The id under which this change's answers and facts are kept.
    #[must_use]
    pub fn id(&self) -> ChangeId {
        // `object()` is never empty, padded or `global` (every form has a dot or a space, or is
        // a schema name, which cannot be empty); fall back to a prefixed form if it ever were.
        ChangeId::new(self.object())
            .or_else(|_| ChangeId::new(format!("{} {}", self.kind(), self.object())))
            .unwrap_or_else(|_| ChangeId::global())
    }

    /// The existing tables whose locks the change's statements take: the table it alters, the
    /// table a new foreign key references, the table it drops.
    #[must_use]
    pub fn locked_tables(&self) -> Vec<TableRef> {
        let mut tables: Vec<TableRef> = self.altered_table().into_iter().cloned().collect();
        match self {
            Self::AddForeignKey { key, .. } => tables.push(key.references.clone()),
            Self::DropTable { table, .. } => tables.push(table.clone()),
            _ => {}
        }
        tables.sort();
        tables.dedup();
        tables
    }

    /// The existing table the change alters, if it alters one in place.
    #[must_use]
    pub fn altered_table(&self) -> Option<&TableRef> {
        match self {
            Self::AddColumn { table, .. }
            | Self::DropColumn { table, .. }
            | Self::RenameColumn { table, .. }
            | Self::ChangeColumnType { table, .. }
            | Self::SetNotNull { table, .. }
            | Self::DropNotNull { table, .. }
            | Self::SetDefault { table, .. }
            | Self::DropDefault { table, .. }
            | Self::AlterIdentity { table, .. }
            | Self::AddIndex { table, .. }
            | Self::DropIndex { table, .. }
            | Self::ChangeIndex { table, .. }
            | Self::AddUnique { table, .. }
            | Self::AddPrimaryKey { table, .. }
            | Self::AddCheck { table, .. }
            | Self::AddExclusion { table, .. }
            | Self::DropConstraint { table, .. }
            | Self::CreateTrigger { table, .. }
            | Self::DropTrigger { table, .. }
            | Self::ReplaceTrigger { table, .. }
            | Self::CreatePolicy { table, .. }
            | Self::DropPolicy { table, .. } => Some(table),
            Self::AddForeignKey {
                table, new_table, ..
            } => (!new_table).then_some(table),
            Self::RenameTable { from, .. } => Some(from),
            _ => None,
        }
    }
}

impl CommentTarget {
    /// The object's name as the user reads it (`public.orders.note`).
    #[must_use]
    pub fn object(&self) -> String {
        match self {
            Self::Schema(name) => name.clone(),
            Self::Table(table) => table.to_string(),
            Self::Column(table, column) => format!("{table}.{column}"),
            Self::View { name, .. }
            | Self::Index(name)
            | Self::Sequence(name)
            | Self::Type(name) => name.to_string(),
            Self::Function { schema, key } => format!("{schema}.{key}"),
        }
    }
}
