//! What differs between the live and the desired schema, one typed change per difference.
//!
//! A change carries the definitions its rule needs (the live one, the desired one or both), so
//! rules read nothing but the change and the planning context. No I/O, no SQL here.
//!
//! Each kind of change is a payload struct (in the files of this folder) that says once what it
//! is about through [`Subject`]; [`changes!`] lists them, declares [`Change`] with one variant
//! per payload and dispatches to them with one exhaustive match, so a new kind is its payload
//! and one line here (and one line in the rules' registry); the payload files are re-exported
//! whole, so a payload needs no line of its own.

use serde::Serialize;

use crate::ddl::object::Object;
use crate::decide::ChangeId;
use crate::schema::model::{
    Check, CompositeType, Domain, Enum, Exclusion, ForeignKey, PrimaryKey, TableRef, Unique,
};

/// Payloads of changes to one part of an existing table (`{ table, <part> }`): named
/// `table.<part's name>`, altering the table. One line each instead of a struct and an impl.
macro_rules! table_part_changes {
    ($($name:ident { $part:ident: $type:ty }),* $(,)?) => {
        $(
            #[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
            pub struct $name {
                pub table: $crate::schema::TableRef,
                pub $part: $type,
            }

            impl $crate::diff::change::Subject for $name {
                fn object(&self) -> String {
                    format!("{}.{}", self.table, self.$part.name)
                }

                fn altered_table(&self) -> Option<&$crate::schema::TableRef> {
                    Some(&self.table)
                }
            }
        )*
    };
}

/// One `Subject` implementation for several payloads whose subject is worked out alike.
macro_rules! subject_for {
    ($($name:ident),+ => $body:tt) => {
        $(impl $crate::diff::change::Subject for $name $body)+
    };
}

mod columns;
mod comments;
mod constraints;
mod functions;
mod indexes;
mod namespaces;
mod policies;
mod sequences;
mod tables;
mod triggers;
mod types;
mod unsupported;
mod views;

pub use columns::*;
pub use comments::*;
pub use constraints::*;
pub use functions::*;
pub use indexes::*;
pub use namespaces::*;
pub use policies::*;
pub use sequences::*;
pub use tables::*;
pub use triggers::*;
pub use types::*;
pub use unsupported::*;
pub use views::*;

/// A schema-qualified name of any object (a type, a sequence, a view, a table).
pub type QualifiedName = TableRef;

/// What one kind of change is about, said once by its payload.
pub trait Subject {
    /// The name of the object changed, unquoted and dot-separated (`public.orders.user_id`):
    /// the key of the change's answers in `decisions.yaml`. Several changes to one object share
    /// it; their question ids differ.
    fn object(&self) -> String;

    /// The existing table the change alters, if it alters one in place.
    fn altered_table(&self) -> Option<&TableRef> {
        None
    }

    /// The existing tables whose locks the change's statements take: the table it alters, the
    /// table a new foreign key references, the table it drops.
    fn locked_tables(&self) -> Vec<TableRef> {
        self.altered_table().into_iter().cloned().collect()
    }

    /// Where the change sits among the schema's objects: its schema and, for changes to a table
    /// or view (or to something on one), that relation. Empty for objects of the whole
    /// database.
    fn location(&self) -> (&str, Option<&str>) {
        self.altered_table().map_or(("", None), relation)
    }

    /// The object the change is about on the live side and on the desired side (they differ
    /// only for a renamed table): the object whose DDL the change alters.
    fn objects(&self) -> Option<(Object<'_>, Object<'_>)> {
        self.altered_table().map(Object::Relation).and_then(same)
    }
}

/// A payload's kind: the kebab-case id its rule carries and its question ids start with.
pub trait ChangeKind: Subject {
    const KIND: &'static str;
}

/// The same object on both sides.
fn same(object: Object<'_>) -> Option<(Object<'_>, Object<'_>)> {
    Some((object, object))
}

/// The location of something on `table`: its schema and the table.
fn relation(table: &TableRef) -> (&str, Option<&str>) {
    (&table.schema, Some(&table.name))
}

/// The id under which the answers and facts of the change of `kind` on `object` are kept.
#[must_use]
pub fn change_id(kind: &str, object: String) -> ChangeId {
    // `object` is never empty, padded or `global` (every form has a dot or a space, or is a
    // schema name, which cannot be empty); fall back to a prefixed form if it ever were.
    ChangeId::new(object.clone())
        .or_else(|_| ChangeId::new(format!("{kind} {object}")))
        .unwrap_or_else(|_| ChangeId::global())
}

/// Declares [`Change`] with one variant per payload (each `Variant = "kebab-id"`), the
/// payloads' [`ChangeKind`], and `Change`'s dispatch to its payload.
macro_rules! changes {
    ($($variant:ident = $kind:literal,)*) => {
        /// One difference between the live and the desired schema.
        #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
        #[serde(tag = "kind", rename_all = "kebab-case")]
        pub enum Change {
            $($variant($variant),)*
        }

        $(
            impl ChangeKind for $variant {
                const KIND: &'static str = $kind;
            }

            impl $variant {
                /// The id under which this change's answers and facts are kept (the same as
                /// the [`Change`]'s).
                #[must_use]
                pub fn id(&self) -> ChangeId {
                    change_id(Self::KIND, self.object())
                }
            }

            impl From<$variant> for Change {
                fn from(change: $variant) -> Self {
                    Self::$variant(change)
                }
            }
        )*

        impl Change {
            /// Every kind's id, in declaration order.
            pub const KINDS: &'static [&'static str] = &[$($kind),*];

            /// The change's kind as the kebab-case id its rule carries (`add-column`).
            #[must_use]
            pub fn kind(&self) -> &'static str {
                match self {
                    $(Self::$variant(_) => $kind,)*
                }
            }

            /// What the change is about, as its payload says.
            #[must_use]
            pub fn subject(&self) -> &dyn Subject {
                match self {
                    $(Self::$variant(change) => change,)*
                }
            }
        }
    };
}

changes! {
    CreateSchema = "create-schema",
    DropSchema = "drop-schema",
    CreateExtension = "create-extension",
    DropExtension = "drop-extension",
    CreateType = "create-type",
    DropType = "drop-type",
    AddEnumValue = "add-enum-value",
    RenameEnumValue = "rename-enum-value",
    ReplaceEnum = "replace-enum",
    CreateSequence = "create-sequence",
    DropSequence = "drop-sequence",
    AlterSequence = "alter-sequence",
    CreateTable = "create-table",
    DropTable = "drop-table",
    RenameTable = "rename-table",
    AddColumn = "add-column",
    DropColumn = "drop-column",
    RenameColumn = "rename-column",
    ChangeColumnType = "change-column-type",
    SetNotNull = "set-not-null",
    DropNotNull = "drop-not-null",
    SetDefault = "set-default",
    DropDefault = "drop-default",
    AlterIdentity = "alter-identity",
    AddIndex = "add-index",
    DropIndex = "drop-index",
    ChangeIndex = "change-index",
    AddUnique = "add-unique",
    AddPrimaryKey = "add-primary-key",
    AddForeignKey = "add-foreign-key",
    AddCheck = "add-check",
    AddExclusion = "add-exclusion",
    DropConstraint = "drop-constraint",
    CreateView = "create-view",
    DropView = "drop-view",
    ReplaceView = "replace-view",
    RecreateView = "recreate-view",
    CreateFunction = "create-function",
    DropFunction = "drop-function",
    ReplaceFunction = "replace-function",
    CreateTrigger = "create-trigger",
    DropTrigger = "drop-trigger",
    ReplaceTrigger = "replace-trigger",
    SetComment = "set-comment",
    CreatePolicy = "create-policy",
    DropPolicy = "drop-policy",
    Unsupported = "unsupported",
}

impl Change {
    /// See [`Subject::object`].
    #[must_use]
    pub fn object(&self) -> String {
        self.subject().object()
    }

    /// The id under which this change's answers and facts are kept.
    #[must_use]
    pub fn id(&self) -> ChangeId {
        change_id(self.kind(), self.object())
    }

    /// See [`Subject::locked_tables`]; sorted, each once.
    #[must_use]
    pub fn locked_tables(&self) -> Vec<TableRef> {
        let mut tables = self.subject().locked_tables();
        tables.sort();
        tables.dedup();
        tables
    }

    /// See [`Subject::altered_table`].
    #[must_use]
    pub fn altered_table(&self) -> Option<&TableRef> {
        self.subject().altered_table()
    }

    /// See [`Subject::location`].
    #[must_use]
    pub fn location(&self) -> (&str, Option<&str>) {
        self.subject().location()
    }

    /// See [`Subject::objects`].
    #[must_use]
    pub fn objects(&self) -> Option<(Object<'_>, Object<'_>)> {
        self.subject().objects()
    }
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
