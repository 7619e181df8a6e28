//! Typed rows of the catalog queries: one struct per query in `catalog`, decoded by column name.
//!
//! Decoding is all this module does; turning rows into the model is `assemble`'s work, so that
//! can be tested without a database.

use tokio_postgres::Row;

use crate::schema::SequenceSettings;

/// A row type that can be read from one catalog query's result.
pub trait CatalogRow: Sized {
    /// Reads one row.
    ///
    /// # Errors
    /// When a column is missing or has an unexpected type.
    fn from_row(row: &Row) -> Result<Self, tokio_postgres::Error>;
}

/// A name in a schema, as two columns of a query: `foo_schema` and `foo_name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogName {
    pub schema: String,
    pub name: String,
}

/// Reads the pair `{prefix}_schema`, `{prefix}_name`; `None` when the name is `NULL`.
fn catalog_name(row: &Row, prefix: &str) -> Result<Option<CatalogName>, tokio_postgres::Error> {
    let schema: Option<String> = row.try_get(format!("{prefix}_schema").as_str())?;
    let name: Option<String> = row.try_get(format!("{prefix}_name").as_str())?;
    Ok(match (schema, name) {
        (Some(schema), Some(name)) => Some(CatalogName { schema, name }),
        _ => None,
    })
}

#[derive(Debug, Clone)]
pub struct ServerRow {
    pub server_version: String,
    pub server_version_num: i32,
}

impl CatalogRow for ServerRow {
    fn from_row(row: &Row) -> Result<Self, tokio_postgres::Error> {
        Ok(Self {
            server_version: row.try_get("server_version")?,
            server_version_num: row.try_get("server_version_num")?,
        })
    }
}

#[derive(Debug, Clone)]
pub struct NamespaceRow {
    pub oid: u32,
    pub name: String,
}

impl CatalogRow for NamespaceRow {
    fn from_row(row: &Row) -> Result<Self, tokio_postgres::Error> {
        Ok(Self {
            oid: row.try_get("oid")?,
            name: row.try_get("name")?,
        })
    }
}

#[derive(Debug, Clone)]
pub struct ExtensionRow {
    pub name: String,
    pub schema: String,
}

impl CatalogRow for ExtensionRow {
    fn from_row(row: &Row) -> Result<Self, tokio_postgres::Error> {
        Ok(Self {
            name: row.try_get("name")?,
            schema: row.try_get("schema")?,
        })
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

#[derive(Debug, Clone)]
pub struct CommentRow {
    pub catalog: CommentCatalog,
    pub oid: u32,
    pub subid: i32,
    pub comment: String,
}

impl CatalogRow for CommentRow {
    fn from_row(row: &Row) -> Result<Self, tokio_postgres::Error> {
        let catalog: &str = row.try_get("catalog")?;
        let catalog = match catalog {
            "namespace" => CommentCatalog::Namespace,
            "relation" => CommentCatalog::Relation,
            "type" => CommentCatalog::Type,
            "routine" => CommentCatalog::Routine,
            _ => CommentCatalog::Operator,
        };
        Ok(Self {
            catalog,
            oid: row.try_get("oid")?,
            subid: row.try_get("subid")?,
            comment: row.try_get("comment")?,
        })
    }
}

#[derive(Debug, Clone)]
pub struct EnumRow {
    pub oid: u32,
    pub namespace: u32,
    pub name: String,
    pub labels: Vec<String>,
}

impl CatalogRow for EnumRow {
    fn from_row(row: &Row) -> Result<Self, tokio_postgres::Error> {
        Ok(Self {
            oid: row.try_get("oid")?,
            namespace: row.try_get("namespace")?,
            name: row.try_get("name")?,
            labels: row.try_get("labels")?,
        })
    }
}

#[derive(Debug, Clone)]
pub struct DomainRow {
    pub oid: u32,
    pub namespace: u32,
    pub name: String,
    pub data_type: String,
    pub not_null: bool,
    pub default_expr: Option<String>,
    pub collation: Option<CatalogName>,
    pub check_names: Vec<String>,
    pub check_expressions: Vec<String>,
    pub check_valid: Vec<bool>,
}

impl CatalogRow for DomainRow {
    fn from_row(row: &Row) -> Result<Self, tokio_postgres::Error> {
        Ok(Self {
            oid: row.try_get("oid")?,
            namespace: row.try_get("namespace")?,
            name: row.try_get("name")?,
            data_type: row.try_get("data_type")?,
            not_null: row.try_get("not_null")?,
            default_expr: row.try_get("default_expr")?,
            collation: catalog_name(row, "collation")?,
            check_names: row.try_get("check_names")?,
            check_expressions: row.try_get("check_expressions")?,
            check_valid: row.try_get("check_valid")?,
        })
    }
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

impl CatalogRow for SequenceRow {
    fn from_row(row: &Row) -> Result<Self, tokio_postgres::Error> {
        Ok(Self {
            oid: row.try_get("oid")?,
            namespace: row.try_get("namespace")?,
            name: row.try_get("name")?,
            data_type: row.try_get("data_type")?,
            start: row.try_get("start")?,
            increment: row.try_get("increment")?,
            min_value: row.try_get("min_value")?,
            max_value: row.try_get("max_value")?,
            cache: row.try_get("cache")?,
            cycle: row.try_get("cycle")?,
            unlogged: row.try_get("unlogged")?,
            owner_table: row.try_get("owner_table")?,
            owner_column: row.try_get("owner_column")?,
        })
    }
}

#[derive(Debug, Clone, Default)]
pub struct RelationRow {
    pub oid: u32,
    pub namespace: u32,
    pub name: String,
    /// `pg_class.relkind`: `r`, `p`, `v`, `m` or `c`.
    pub kind: String,
    pub type_oid: u32,
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

impl CatalogRow for RelationRow {
    fn from_row(row: &Row) -> Result<Self, tokio_postgres::Error> {
        Ok(Self {
            oid: row.try_get("oid")?,
            namespace: row.try_get("namespace")?,
            name: row.try_get("name")?,
            kind: row.try_get("kind")?,
            type_oid: row.try_get("type_oid")?,
            unlogged: row.try_get("unlogged")?,
            row_security: row.try_get("row_security")?,
            force_row_security: row.try_get("force_row_security")?,
            options: row.try_get("options")?,
            view_definition: row.try_get("view_definition")?,
            partition_by: row.try_get("partition_by")?,
            parent_schema: row.try_get("parent_schema")?,
            parent_name: row.try_get("parent_name")?,
            partition_bound: row.try_get("partition_bound")?,
            estimated_rows: row.try_get("estimated_rows")?,
            total_bytes: row.try_get("total_bytes")?,
        })
    }
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

impl CatalogRow for ViewDependencyRow {
    fn from_row(row: &Row) -> Result<Self, tokio_postgres::Error> {
        Ok(Self {
            table_schema: row.try_get("table_schema")?,
            table_name: row.try_get("table_name")?,
            column_name: row.try_get("column_name")?,
            view_schema: row.try_get("view_schema")?,
            view_name: row.try_get("view_name")?,
            materialized: row.try_get("materialized")?,
        })
    }
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
    pub collation: Option<CatalogName>,
    /// An identity column's sequence, as stored.
    pub identity_sequence: Option<SequenceSettings>,
}

impl CatalogRow for ColumnRow {
    fn from_row(row: &Row) -> Result<Self, tokio_postgres::Error> {
        Ok(Self {
            relation: row.try_get("relation")?,
            position: row.try_get("position")?,
            name: row.try_get("name")?,
            collation_oid: row.try_get("collation_oid")?,
            listed: row.try_get("listed")?,
            data_type: row.try_get("data_type")?,
            not_null: row.try_get("not_null")?,
            identity: row.try_get("identity")?,
            generated: row.try_get("generated")?,
            default_expr: row.try_get("default_expr")?,
            collation: catalog_name(row, "collation")?,
            identity_sequence: identity_sequence(row)?,
        })
    }
}

fn identity_sequence(row: &Row) -> Result<Option<SequenceSettings>, tokio_postgres::Error> {
    let Some(start) = row.try_get::<_, Option<i64>>("seq_start")? else {
        return Ok(None);
    };
    Ok(Some(SequenceSettings {
        start,
        increment: row.try_get("seq_increment")?,
        min_value: row.try_get("seq_min")?,
        max_value: row.try_get("seq_max")?,
        cache: row.try_get("seq_cache")?,
        cycle: row.try_get("seq_cycle")?,
    }))
}

/// A table constraint with its columns as numbers, resolved against the columns query.
#[derive(Debug, Clone)]
pub struct ConstraintRow {
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
    pub check_expr: Option<String>,
    pub definition: Option<String>,
}

impl CatalogRow for ConstraintRow {
    fn from_row(row: &Row) -> Result<Self, tokio_postgres::Error> {
        Ok(Self {
            relation: row.try_get("relation")?,
            name: row.try_get("name")?,
            kind: row.try_get("kind")?,
            deferrable: row.try_get("deferrable")?,
            deferred: row.try_get("deferred")?,
            valid: row.try_get("valid")?,
            no_inherit: row.try_get("no_inherit")?,
            column_numbers: row.try_get("column_numbers")?,
            index_column_numbers: row.try_get("index_column_numbers")?,
            index_key_count: row.try_get("index_key_count")?,
            nulls_not_distinct: row.try_get("nulls_not_distinct")?,
            referenced_relation: row.try_get("referenced_relation")?,
            referenced_schema: row.try_get("referenced_schema")?,
            referenced_table: row.try_get("referenced_table")?,
            referenced_numbers: row.try_get("referenced_numbers")?,
            on_update: row.try_get("on_update")?,
            on_delete: row.try_get("on_delete")?,
            match_type: row.try_get("match_type")?,
            check_expr: row.try_get("check_expr")?,
            definition: row.try_get("definition")?,
        })
    }
}

/// One key position of an index, with its index's own facts repeated.
#[derive(Debug, Clone, Default)]
pub struct IndexKeyRow {
    pub index: IndexRow,
    pub key: IndexKeyParts,
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
    /// Only on the row of key position 1.
    pub predicate: Option<String>,
    /// `indkey`: a column number per position, 0 for an expression; positions past
    /// `key_count` are INCLUDE columns.
    pub column_numbers: Vec<i16>,
    pub key_count: i32,
    /// In no particular order until the index is complete.
    pub keys: Vec<IndexKeyParts>,
}

/// One key of an index as the catalog describes it.
#[derive(Debug, Clone, Default)]
pub struct IndexKeyParts {
    /// 1-based key position.
    pub position: i32,
    pub expression: Option<String>,
    /// For an expression key, its type's collation.
    pub expression_collation: Option<u32>,
    /// Set only when not the default operator class.
    pub opclass: Option<CatalogName>,
    /// `indcollation` of the key, 0 for none, with its name.
    pub collation_oid: u32,
    pub collation: Option<CatalogName>,
    /// `pg_index.indoption` bits: 1 DESC, 2 NULLS FIRST.
    pub option: i16,
}

impl CatalogRow for IndexKeyRow {
    fn from_row(row: &Row) -> Result<Self, tokio_postgres::Error> {
        let index = IndexRow {
            relation: row.try_get("relation")?,
            oid: row.try_get("oid")?,
            name: row.try_get("name")?,
            is_unique: row.try_get("is_unique")?,
            method: row.try_get("method")?,
            nulls_not_distinct: row.try_get("nulls_not_distinct")?,
            options: row.try_get("options")?,
            predicate: row.try_get("predicate")?,
            column_numbers: row.try_get("column_numbers")?,
            key_count: row.try_get("key_count")?,
            keys: Vec::new(),
        };
        let key = IndexKeyParts {
            position: row.try_get("position")?,
            expression: row.try_get("expression")?,
            expression_collation: row.try_get("expression_collation")?,
            opclass: catalog_name(row, "opclass")?,
            collation_oid: row.try_get("collation_oid")?,
            collation: catalog_name(row, "collation")?,
            option: row.try_get("option")?,
        };
        Ok(Self { index, key })
    }
}

#[derive(Debug, Clone)]
pub struct TriggerRow {
    pub relation: u32,
    pub name: String,
    pub definition: String,
    pub enabled: bool,
}

impl CatalogRow for TriggerRow {
    fn from_row(row: &Row) -> Result<Self, tokio_postgres::Error> {
        Ok(Self {
            relation: row.try_get("relation")?,
            name: row.try_get("name")?,
            definition: row.try_get("definition")?,
            enabled: row.try_get("enabled")?,
        })
    }
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

impl CatalogRow for PolicyRow {
    fn from_row(row: &Row) -> Result<Self, tokio_postgres::Error> {
        Ok(Self {
            relation: row.try_get("relation")?,
            name: row.try_get("name")?,
            command: row.try_get("command")?,
            permissive: row.try_get("permissive")?,
            roles: row.try_get("roles")?,
            using_expr: row.try_get("using_expr")?,
            with_check: row.try_get("with_check")?,
        })
    }
}

/// A function, procedure or aggregate; `aggregate` is set for aggregates only.
#[derive(Debug, Clone)]
pub struct RoutineRow {
    pub oid: u32,
    pub namespace: u32,
    pub name: String,
    pub identity_args: String,
    pub definition: Option<String>,
    pub aggregate: Option<AggregateParts>,
}

/// What `CREATE AGGREGATE` needs, from `pg_aggregate` and `pg_proc`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AggregateParts {
    /// `pg_aggregate.aggkind`: `n` normal, `o` ordered-set, `h` hypothetical-set.
    pub kind: String,
    /// `pg_proc.proparallel`: `s`, `r` or `u`.
    pub parallel: String,
    pub sfunc: Option<CatalogName>,
    pub stype: String,
    pub sspace: i32,
    pub finalfunc: Option<CatalogName>,
    pub finalfunc_extra: bool,
    /// `r` read-only, `s` shareable, `w` read-write.
    pub finalfunc_modify: String,
    pub initcond: Option<String>,
    pub combinefunc: Option<CatalogName>,
    pub serialfunc: Option<CatalogName>,
    pub deserialfunc: Option<CatalogName>,
    pub msfunc: Option<CatalogName>,
    pub minvfunc: Option<CatalogName>,
    pub mstype: Option<String>,
    pub msspace: i32,
    pub mfinalfunc: Option<CatalogName>,
    pub mfinalfunc_extra: bool,
    pub mfinalfunc_modify: String,
    pub minitcond: Option<String>,
    pub sortop: Option<CatalogName>,
}

impl CatalogRow for RoutineRow {
    fn from_row(row: &Row) -> Result<Self, tokio_postgres::Error> {
        let kind: String = row.try_get("kind")?;
        let aggregate = if kind == "a" {
            Some(aggregate_parts(row)?)
        } else {
            None
        };
        Ok(Self {
            oid: row.try_get("oid")?,
            namespace: row.try_get("namespace")?,
            name: row.try_get("name")?,
            identity_args: row.try_get("identity_args")?,
            definition: row.try_get("definition")?,
            aggregate,
        })
    }
}

fn aggregate_parts(row: &Row) -> Result<AggregateParts, tokio_postgres::Error> {
    Ok(AggregateParts {
        kind: row.try_get("agg_kind")?,
        parallel: row.try_get("parallel")?,
        sfunc: catalog_name(row, "sfunc")?,
        stype: row.try_get("stype")?,
        sspace: row.try_get("sspace")?,
        finalfunc: catalog_name(row, "finalfunc")?,
        finalfunc_extra: row.try_get("finalfunc_extra")?,
        finalfunc_modify: row.try_get("finalfunc_modify")?,
        initcond: row.try_get("initcond")?,
        combinefunc: catalog_name(row, "combinefunc")?,
        serialfunc: catalog_name(row, "serialfunc")?,
        deserialfunc: catalog_name(row, "deserialfunc")?,
        msfunc: catalog_name(row, "msfunc")?,
        minvfunc: catalog_name(row, "minvfunc")?,
        mstype: row.try_get("mstype")?,
        msspace: row.try_get("msspace")?,
        mfinalfunc: catalog_name(row, "mfinalfunc")?,
        mfinalfunc_extra: row.try_get("mfinalfunc_extra")?,
        mfinalfunc_modify: row.try_get("mfinalfunc_modify")?,
        minitcond: row.try_get("minitcond")?,
        sortop: catalog_name(row, "sortop")?,
    })
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OperatorRow {
    pub oid: u32,
    pub namespace: u32,
    pub name: String,
    pub left_type: Option<String>,
    pub right_type: Option<String>,
    pub function: Option<CatalogName>,
    pub commutator: Option<CatalogName>,
    pub negator: Option<CatalogName>,
    pub restrict: Option<CatalogName>,
    pub join: Option<CatalogName>,
    pub hashes: bool,
    pub merges: bool,
}

impl CatalogRow for OperatorRow {
    fn from_row(row: &Row) -> Result<Self, tokio_postgres::Error> {
        Ok(Self {
            oid: row.try_get("oid")?,
            namespace: row.try_get("namespace")?,
            name: row.try_get("name")?,
            left_type: row.try_get("left_type")?,
            right_type: row.try_get("right_type")?,
            function: catalog_name(row, "function")?,
            commutator: catalog_name(row, "commutator")?,
            negator: catalog_name(row, "negator")?,
            restrict: catalog_name(row, "restrict")?,
            join: catalog_name(row, "join")?,
            hashes: row.try_get("hashes")?,
            merges: row.try_get("merges")?,
        })
    }
}
