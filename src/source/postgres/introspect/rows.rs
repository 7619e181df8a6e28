//! Typed rows of the catalog queries: one struct per query in `catalog`, decoded by column name
//! (see [`Fields`]).
//!
//! Decoding is all this module does; turning rows into the model is `assemble`'s work, so that
//! can be tested without a database. Each row type is declared once, in [`catalog_rows!`], with
//! where each field comes from; the macro writes the struct and its [`CatalogRow`] reader.

use std::cell::Cell;

use tokio_postgres::Row;
use tokio_postgres::types::FromSql;

use crate::schema::SequenceSettings;

/// A row type that can be read from one catalog query's result.
pub trait CatalogRow: Sized {
    /// Reads one row.
    ///
    /// # Errors
    /// When a column is missing or has an unexpected type.
    fn from_row(row: &Row) -> Result<Self, tokio_postgres::Error> {
        Self::from_fields(&Fields::new(row))
    }

    /// Reads one row's fields.
    ///
    /// # Errors
    /// As [`CatalogRow::from_row`].
    fn from_fields(row: &Fields<'_>) -> Result<Self, tokio_postgres::Error>;
}

/// A row whose values are read by column name. Each name is looked for first where the column
/// after the last one read is: the fields are read in the order of the query's columns, mostly,
/// and searching every name among a row's columns took 5% of reading 10,000 tables.
pub struct Fields<'r> {
    row: &'r Row,
    next: Cell<usize>,
}

impl<'r> Fields<'r> {
    #[must_use]
    pub fn new(row: &'r Row) -> Self {
        Self {
            row,
            next: Cell::new(0),
        }
    }

    /// The value of column `name`.
    ///
    /// # Errors
    /// When there is no such column or its value is not a `T`.
    pub fn try_get<'a, T: FromSql<'a>>(&'a self, name: &str) -> Result<T, tokio_postgres::Error> {
        let columns = self.row.columns();
        let guess = self.next.get();
        let at = if columns.get(guess).is_some_and(|c| c.name() == name) {
            guess
        } else {
            match columns.iter().position(|c| c.name() == name) {
                Some(at) => at,
                // The row's own lookup fails the same way, with its error.
                None => return self.row.try_get(name),
            }
        };
        debug_assert_eq!(
            columns.iter().position(|c| c.name() == name),
            Some(at),
            "a column name appears once in a row"
        );
        self.next.set(at + 1);
        self.row.try_get(at)
    }
}

/// A name in a schema, as two columns of a query: `foo_schema` and `foo_name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogName {
    pub schema: String,
    pub name: String,
}

/// Reads the pair of columns `{prefix}_schema`, `{prefix}_name` (given whole); `None` when the
/// name is `NULL`.
fn catalog_name(
    row: &Fields<'_>,
    schema_column: &str,
    name_column: &str,
) -> Result<Option<CatalogName>, tokio_postgres::Error> {
    let schema: Option<String> = row.try_get(schema_column)?;
    let name: Option<String> = row.try_get(name_column)?;
    Ok(match (schema, name) {
        (Some(schema), Some(name)) => Some(CatalogName { schema, name }),
        _ => None,
    })
}

/// Declares row structs and their [`CatalogRow`] readers. A field is read from the column of
/// its own name unless it says otherwise after `=`:
/// - `column("c")`: from column `c`;
/// - `catalog_name`: from the pair `{field}_schema`, `{field}_name` (see [`catalog_name`]);
/// - `with(f)`: by `f(row)`, for a value made of several columns;
/// - `empty`: not read; starts as its type's default.
///
/// Fields are read in declaration order.
macro_rules! catalog_rows {
    ($(
        $(#[$meta:meta])*
        pub struct $name:ident {
            $(
                $(#[$field_meta:meta])*
                pub $field:ident: $type:ty $(= $how:ident $(($($arg:tt)*))?)?
            ),* $(,)?
        }
    )*) => {$(
        $(#[$meta])*
        pub struct $name {
            $($(#[$field_meta])* pub $field: $type,)*
        }

        impl CatalogRow for $name {
            fn from_fields(row: &Fields<'_>) -> Result<Self, tokio_postgres::Error> {
                Ok(Self {
                    $($field: read_field!(row, $field $(, $how $(($($arg)*))?)?),)*
                })
            }
        }
    )*};
}

/// One field's value in [`catalog_rows!`].
macro_rules! read_field {
    ($row:ident, $field:ident) => {
        $row.try_get(stringify!($field))?
    };
    ($row:ident, $field:ident, column($column:literal)) => {
        $row.try_get($column)?
    };
    ($row:ident, $field:ident, catalog_name) => {
        catalog_name(
            $row,
            concat!(stringify!($field), "_schema"),
            concat!(stringify!($field), "_name"),
        )?
    };
    ($row:ident, $field:ident, with($read:path)) => {
        $read($row)?
    };
    ($row:ident, $field:ident, empty) => {
        Default::default()
    };
}

catalog_rows! {
    #[derive(Debug, Clone)]
    pub struct ServerRow {
        pub server_version: String,
        pub server_version_num: i32,
    }

    #[derive(Debug, Clone)]
    pub struct NamespaceRow {
        pub oid: u32,
        pub name: String,
    }

    #[derive(Debug, Clone)]
    pub struct ExtensionRow {
        pub name: String,
        pub schema: String,
    }

    #[derive(Debug, Clone)]
    pub struct CommentRow {
        pub catalog: CommentCatalog = with(comment_catalog),
        pub oid: u32,
        pub subid: i32,
        pub comment: String,
    }

    #[derive(Debug, Clone)]
    pub struct EnumRow {
        pub oid: u32,
        pub namespace: u32,
        pub name: String,
        pub labels: Vec<String>,
    }

    #[derive(Debug, Clone)]
    pub struct DomainRow {
        pub oid: u32,
        pub namespace: u32,
        pub name: String,
        pub data_type: String,
        pub not_null: bool,
        pub default_expr: Option<String>,
        pub collation: Option<CatalogName> = catalog_name,
        pub check_names: Vec<String>,
        pub check_expressions: Vec<String>,
        pub check_valid: Vec<bool>,
    }

    #[derive(Debug, Clone)]
    pub struct SequenceRow {
        pub oid: u32,
        pub namespace: u32,
        pub name: String,
        pub data_type: String,
        pub start: i64,
        pub increment: i64,
        pub min_value: i64,
        pub max_value: i64,
        pub cache: i64,
        pub cycle: bool,
        pub unlogged: bool,
        pub owner_table: Option<String>,
        pub owner_column: Option<String>,
    }

    #[derive(Debug, Clone, Default)]
    pub struct RelationRow {
        pub oid: u32,
        pub namespace: u32,
        pub name: String,
        /// `pg_class.relkind`: `r`, `p`, `v`, `m` or `c`.
        pub kind: String,
        pub type_oid: u32,
        /// `relnatts`: the highest column number, dropped columns included.
        pub column_slots: i16,
        pub unlogged: bool,
        pub row_security: bool,
        pub force_row_security: bool,
        pub options: Vec<String>,
        pub view_definition: Option<String>,
        pub partition_by: Option<String>,
        pub parent_schema: Option<String>,
        pub parent_name: Option<String>,
        pub partition_bound: Option<String>,
        pub estimated_rows: Option<i64>,
        pub total_bytes: Option<i64>,
    }

    /// One direct dependency of a view on a selected relation: on one of its columns, or on the
    /// relation as a whole when `column_name` is `None`.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct ViewDependencyRow {
        pub table_schema: String,
        pub table_name: String,
        pub column_name: Option<String>,
        pub view_schema: String,
        pub view_name: String,
        pub materialized: bool,
    }

    /// A column of a selected relation or of a table a foreign key references; only `listed` ones
    /// carry `data_type` and `default_expr` and belong in the model.
    #[derive(Debug, Clone, Default)]
    pub struct ColumnRow {
        pub relation: u32,
        pub position: i16,
        pub name: String,
        /// `pg_attribute.attcollation`, 0 for a type without collation.
        pub collation_oid: u32,
        pub listed: bool,
        pub data_type: Option<String>,
        pub not_null: bool,
        /// `pg_attribute.attidentity`: `a`, `d` or empty.
        pub identity: String,
        /// `pg_attribute.attgenerated`: `s` or empty.
        pub generated: String,
        pub default_expr: Option<String>,
        /// `pg_attribute.atttypid`, to compare the column's collation with its type's.
        pub type_oid: u32,
        /// The collation's name when it is not the type's, filled in by the assembler.
        pub collation: Option<CatalogName> = empty,
    }

    /// A collation, to name one by oid.
    #[derive(Debug, Clone)]
    pub struct CollationRow {
        pub oid: u32,
        pub schema: String,
        pub name: String,
    }

    /// An operator class, to name one by oid.
    #[derive(Debug, Clone)]
    pub struct OperatorClassRow {
        pub oid: u32,
        pub is_default: bool,
        pub schema: String,
        pub name: String,
    }

    /// A type's collation.
    #[derive(Debug, Clone)]
    pub struct TypeCollationRow {
        pub oid: u32,
        pub collation: u32,
    }

    /// The sequence of an identity column, as stored.
    #[derive(Debug, Clone)]
    pub struct IdentitySequenceRow {
        pub relation: u32,
        pub position: i16,
        pub settings: SequenceSettings = with(sequence_settings),
    }

    /// A table constraint with its columns as numbers, resolved against the columns query.
    #[derive(Debug, Clone)]
    pub struct ConstraintRow {
        pub oid: u32,
        pub relation: u32,
        pub name: String,
        /// `pg_constraint.contype`: `p`, `u`, `f`, `c` or `x`.
        pub kind: String,
        pub deferrable: bool,
        pub deferred: bool,
        pub valid: bool,
        pub no_inherit: bool,
        /// `conkey`: the constrained columns in key order.
        pub column_numbers: Vec<i16>,
        /// For PK and UNIQUE, the backing index's `indkey`: key columns, then INCLUDE columns.
        pub index_column_numbers: Vec<i16>,
        pub index_key_count: i32,
        pub nulls_not_distinct: bool,
        /// For a foreign key, the referenced table's oid and name, and `confkey`.
        pub referenced_relation: u32,
        pub referenced_schema: Option<String>,
        pub referenced_table: Option<String>,
        pub referenced_numbers: Vec<i16>,
        pub on_update: String,
        pub on_delete: String,
        pub match_type: String,
        /// A check's stored tree (`conbin`), printed later (`printing`).
        pub check_tree: Option<String>,
        pub definition: Option<String>,
    }

    /// One key position of an index, with its index's own facts repeated.
    #[derive(Debug, Clone, Default)]
    pub struct IndexKeyRow {
        pub index: IndexRow = with(IndexRow::from_fields),
        pub key: IndexKeyParts = with(IndexKeyParts::from_fields),
    }

    /// An index as the model needs it, keys gathered from its [`IndexKeyRow`]s.
    #[derive(Debug, Clone, Default)]
    pub struct IndexRow {
        pub relation: u32,
        pub oid: u32,
        pub name: String,
        pub is_unique: bool,
        pub method: String,
        pub nulls_not_distinct: bool,
        pub options: Vec<String>,
        /// The stored trees of the predicate and of the expression keys (`indpred`,
        /// `indexprs`), only on the row of key position 1; printed later (`printing`).
        pub predicate_tree: Option<String>,
        pub expression_trees: Option<String>,
        /// `indkey`: a column number per position, 0 for an expression; positions past
        /// `key_count` are INCLUDE columns.
        pub column_numbers: Vec<i16>,
        pub key_count: i32,
        /// In no particular order until the index is complete.
        pub keys: Vec<IndexKeyParts> = empty,
        /// The predicate's text, once printed.
        pub predicate: Option<String> = empty,
    }

    /// One key of an index as the catalog describes it.
    #[derive(Debug, Clone, Default)]
    pub struct IndexKeyParts {
        /// 1-based key position.
        pub position: i32,
        /// An expression key's text, once printed.
        pub expression: Option<String> = empty,
        /// For an expression key, its type's collation.
        pub expression_collation: Option<u32>,
        /// `indclass` of the key.
        pub opclass_oid: u32,
        /// Named only when not the default operator class, by the assembler.
        pub opclass: Option<CatalogName> = empty,
        /// `indcollation` of the key, 0 for none, and its name (by the assembler).
        pub collation_oid: u32,
        pub collation: Option<CatalogName> = empty,
        /// `pg_index.indoption` bits: 1 DESC, 2 NULLS FIRST.
        pub option: i16,
    }

    /// The text of one form of expression (`PRINT_EXPRESSIONS`).
    #[derive(Debug, Clone)]
    pub struct PrintedRow {
        pub text: Option<String>,
    }

    #[derive(Debug, Clone)]
    pub struct TriggerRow {
        pub relation: u32,
        pub name: String,
        pub definition: String,
        pub enabled: bool,
    }

    #[derive(Debug, Clone)]
    pub struct PolicyRow {
        pub relation: u32,
        pub name: String,
        /// `pg_policy.polcmd`: `r`, `a`, `w`, `d` or `*`.
        pub command: String,
        pub permissive: bool,
        pub roles: Vec<String>,
        pub using_expr: Option<String>,
        pub with_check: Option<String>,
    }

    /// A function, procedure or aggregate; `aggregate` is set for aggregates only.
    #[derive(Debug, Clone)]
    pub struct RoutineRow {
        pub oid: u32,
        pub namespace: u32,
        pub name: String,
        pub identity_args: String,
        pub definition: Option<String>,
        pub aggregate: Option<AggregateParts> = with(aggregate_if_any),
    }

    /// What `CREATE AGGREGATE` needs, from `pg_aggregate` and `pg_proc`.
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct AggregateParts {
        /// `pg_aggregate.aggkind`: `n` normal, `o` ordered-set, `h` hypothetical-set.
        pub kind: String = column("agg_kind"),
        /// `pg_proc.proparallel`: `s`, `r` or `u`.
        pub parallel: String,
        pub sfunc: Option<CatalogName> = catalog_name,
        pub stype: String,
        pub sspace: i32,
        pub finalfunc: Option<CatalogName> = catalog_name,
        pub finalfunc_extra: bool,
        /// `r` read-only, `s` shareable, `w` read-write.
        pub finalfunc_modify: String,
        pub initcond: Option<String>,
        pub combinefunc: Option<CatalogName> = catalog_name,
        pub serialfunc: Option<CatalogName> = catalog_name,
        pub deserialfunc: Option<CatalogName> = catalog_name,
        pub msfunc: Option<CatalogName> = catalog_name,
        pub minvfunc: Option<CatalogName> = catalog_name,
        pub mstype: Option<String>,
        pub msspace: i32,
        pub mfinalfunc: Option<CatalogName> = catalog_name,
        pub mfinalfunc_extra: bool,
        pub mfinalfunc_modify: String,
        pub minitcond: Option<String>,
        pub sortop: Option<CatalogName> = catalog_name,
    }

    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct OperatorRow {
        pub oid: u32,
        pub namespace: u32,
        pub name: String,
        pub left_type: Option<String>,
        pub right_type: Option<String>,
        pub function: Option<CatalogName> = catalog_name,
        pub commutator: Option<CatalogName> = catalog_name,
        pub negator: Option<CatalogName> = catalog_name,
        pub restrict: Option<CatalogName> = catalog_name,
        pub join: Option<CatalogName> = catalog_name,
        pub hashes: bool,
        pub merges: bool,
    }
}

/// Which catalog a comment is attached to, as `catalog::COMMENTS` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CommentCatalog {
    Namespace,
    Relation,
    Type,
    Routine,
    Operator,
}

fn comment_catalog(row: &Fields<'_>) -> Result<CommentCatalog, tokio_postgres::Error> {
    let catalog: &str = row.try_get("catalog")?;
    Ok(match catalog {
        "namespace" => CommentCatalog::Namespace,
        "relation" => CommentCatalog::Relation,
        "type" => CommentCatalog::Type,
        "routine" => CommentCatalog::Routine,
        _ => CommentCatalog::Operator,
    })
}

/// A sequence's options, from the columns of their own names.
fn sequence_settings(row: &Fields<'_>) -> Result<SequenceSettings, tokio_postgres::Error> {
    Ok(SequenceSettings {
        start: row.try_get("start")?,
        increment: row.try_get("increment")?,
        min_value: row.try_get("min_value")?,
        max_value: row.try_get("max_value")?,
        cache: row.try_get("cache")?,
        cycle: row.try_get("cycle")?,
    })
}

/// The aggregate's parts when the routine's `kind` is `a`; other routines have none.
fn aggregate_if_any(row: &Fields<'_>) -> Result<Option<AggregateParts>, tokio_postgres::Error> {
    let kind: String = row.try_get("kind")?;
    if kind == "a" {
        AggregateParts::from_fields(row).map(Some)
    } else {
        Ok(None)
    }
}
