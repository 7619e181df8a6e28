//! Catalog rows → the model: [`Assembler`] takes each query's rows in turn and keeps the objects
//! in hash maps keyed by oid until [`Assembler::finish`] files them under their namespaces and
//! sorts every list whose order means nothing. Pure data work, no I/O.

use std::collections::{BTreeMap, HashMap};

use super::definitions::{
    aggregate_definition, catalog_relative, operator_definition, operator_key,
};
use super::rows::{
    CatalogName, ColumnRow, CommentCatalog, CommentRow, ConstraintRow, DomainRow, EnumRow,
    ExtensionRow, IndexRow, NamespaceRow, OperatorRow, PolicyRow, RelationRow, RoutineRow,
    SequenceRow, TriggerRow,
};
use super::{IntrospectOptions, RelationKind, TableStats};
use crate::schema::{
    Attribute, Check, Column, ColumnRef, CompositeType, Deferral, Domain, Enum, Exclusion,
    Extension, FkAction, FkMatch, ForeignKey, Function, Identity, Index, IndexKey, KeyTarget,
    Namespace, Operator, PartitionOf, Policy, PolicyCommand, PrimaryKey, RowSecurity, Schema,
    Sequence, Table, TableRef, Trigger, Unique, View,
};

/// A catalog value pgphase does not know how to read (a new code in a newer server, or arrays
/// of different lengths where one length is expected).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unexpected(pub String);

/// The comment `public` has in every new database; like a dump, the model leaves it out so that
/// a database nobody commented on has no comments.
const DEFAULT_PUBLIC_COMMENT: (&str, &str) = ("public", "standard public schema");

/// Builds the model from catalog rows, one query's rows at a time.
#[derive(Debug, Default)]
pub struct Assembler {
    namespace_names: HashMap<u32, String>,
    schema: Schema,
    comments: HashMap<(CommentCatalog, u32, i32), String>,
    tables: HashMap<u32, (TableRef, Table)>,
    views: HashMap<u32, (TableRef, View)>,
    composites: HashMap<u32, (TableRef, CompositeType)>,
    stats: BTreeMap<TableRef, TableStats>,
}

/// Keeps the namespaces the options ask for: all when `include_schemas` is empty, else the
/// named ones; then drops the excluded ones.
#[must_use]
pub fn select_namespaces(
    rows: Vec<NamespaceRow>,
    options: &IntrospectOptions,
) -> Vec<NamespaceRow> {
    rows.into_iter()
        .filter(|ns| {
            options.include_schemas.is_empty() || options.include_schemas.contains(&ns.name)
        })
        .filter(|ns| !options.exclude_schemas.contains(&ns.name))
        .collect()
}

impl Assembler {
    /// Starts the model with its namespaces (already selected by [`select_namespaces`]).
    #[must_use]
    pub fn new(namespaces: &[NamespaceRow]) -> Self {
        let mut assembler = Self::default();
        for ns in namespaces {
            assembler.namespace_names.insert(ns.oid, ns.name.clone());
            assembler
                .schema
                .namespaces
                .insert(ns.name.clone(), Namespace::default());
        }
        assembler
    }

    pub fn add_extensions(&mut self, rows: Vec<ExtensionRow>) {
        for row in rows {
            self.schema
                .extensions
                .insert(row.name, Extension { schema: row.schema });
        }
    }

    /// Keeps the comments for the objects added later; each object takes its own.
    pub fn add_comments(&mut self, rows: Vec<CommentRow>) {
        for row in rows {
            self.comments
                .insert((row.catalog, row.oid, row.subid), row.comment);
        }
        let namespace_comments: Vec<(String, Option<String>)> = self
            .namespace_names
            .iter()
            .map(|(oid, name)| {
                (
                    name.clone(),
                    self.comments.remove(&(CommentCatalog::Namespace, *oid, 0)),
                )
            })
            .collect();
        for (name, comment) in namespace_comments {
            let comment = comment.filter(|c| (name.as_str(), c.as_str()) != DEFAULT_PUBLIC_COMMENT);
            if let Some(ns) = self.schema.namespaces.get_mut(&name) {
                ns.comment = comment;
            }
        }
    }

    fn comment(&mut self, catalog: CommentCatalog, oid: u32, subid: i32) -> Option<String> {
        self.comments.remove(&(catalog, oid, subid))
    }

    fn namespace_mut(&mut self, oid: u32) -> Option<(&str, &mut Namespace)> {
        let name = self.namespace_names.get(&oid)?;
        let ns = self.schema.namespaces.get_mut(name)?;
        Some((name.as_str(), ns))
    }

    pub fn add_enums(&mut self, rows: Vec<EnumRow>) {
        for row in rows {
            let comment = self.comment(CommentCatalog::Type, row.oid, 0);
            if let Some((_, ns)) = self.namespace_mut(row.namespace) {
                ns.enums.insert(
                    row.name,
                    Enum {
                        labels: row.labels,
                        comment,
                    },
                );
            }
        }
    }

    /// # Errors
    /// When the check arrays differ in length.
    pub fn add_domains(&mut self, rows: Vec<DomainRow>) -> Result<(), Unexpected> {
        for row in rows {
            let checks = domain_checks(&row)?;
            let comment = self.comment(CommentCatalog::Type, row.oid, 0);
            let domain = Domain {
                data_type: row.data_type,
                nullable: !row.not_null,
                default: row.default_expr,
                collation: row.collation.as_ref().map(catalog_relative),
                checks,
                comment,
            };
            if let Some((_, ns)) = self.namespace_mut(row.namespace) {
                ns.domains.insert(row.name, domain);
            }
        }
        Ok(())
    }

    pub fn add_sequences(&mut self, rows: Vec<SequenceRow>) {
        for row in rows {
            let comment = self.comment(CommentCatalog::Relation, row.oid, 0);
            let owned_by = match (row.owner_table, row.owner_column) {
                (Some(table), Some(column)) => Some(ColumnRef { table, column }),
                _ => None,
            };
            let sequence = Sequence {
                data_type: row.data_type,
                start: row.start,
                increment: row.increment,
                min_value: row.min_value,
                max_value: row.max_value,
                cache: row.cache,
                cycle: row.cycle,
                unlogged: row.unlogged,
                owned_by,
                comment,
            };
            if let Some((_, ns)) = self.namespace_mut(row.namespace) {
                ns.sequences.insert(row.name, sequence);
            }
        }
    }

    /// # Errors
    /// On a relation kind other than the ones `catalog::RELATIONS` selects.
    pub fn add_relations(&mut self, rows: Vec<RelationRow>) -> Result<(), Unexpected> {
        for row in rows {
            let Some(schema) = self.namespace_names.get(&row.namespace) else {
                continue;
            };
            let oid = row.oid;
            let table_ref = TableRef::new(schema.clone(), row.name.clone());
            if row.kind == "c" {
                let comment = self.comment(CommentCatalog::Type, row.type_oid, 0);
                self.composites.insert(
                    oid,
                    (
                        table_ref,
                        CompositeType {
                            attributes: Vec::new(),
                            comment,
                        },
                    ),
                );
                continue;
            }
            let kind = relation_kind(&row.kind)?;
            let stats = TableStats {
                kind,
                estimated_rows: row.estimated_rows,
                total_bytes: row.total_bytes.unwrap_or(0),
            };
            self.stats.insert(table_ref.clone(), stats);
            let comment = self.comment(CommentCatalog::Relation, oid, 0);
            if matches!(kind, RelationKind::View | RelationKind::MaterializedView) {
                let view = view_from(row, kind, comment);
                self.views.insert(oid, (table_ref, view));
            } else {
                self.tables
                    .insert(oid, (table_ref, table_from(row, comment)));
            }
        }
        Ok(())
    }

    /// Appends columns to their tables and attributes to their composite types, in row order
    /// (the query sorts by position).
    ///
    /// # Errors
    /// On an identity or generated code pgphase does not know.
    pub fn add_columns(&mut self, rows: Vec<ColumnRow>) -> Result<(), Unexpected> {
        for row in rows {
            if let Some((_, composite)) = self.composites.get_mut(&row.relation) {
                composite.attributes.push(Attribute {
                    name: row.name,
                    data_type: row.data_type,
                    collation: row.collation.as_ref().map(catalog_relative),
                });
                continue;
            }
            if !self.tables.contains_key(&row.relation) {
                continue;
            }
            let relation = row.relation;
            let comment = self.comment(CommentCatalog::Relation, relation, i32::from(row.position));
            let column = column_from(row, comment)?;
            if let Some((_, table)) = self.tables.get_mut(&relation) {
                table.columns.push(column);
            }
        }
        Ok(())
    }

    /// # Errors
    /// On a constraint, action or match code pgphase does not know.
    pub fn add_constraints(&mut self, rows: Vec<ConstraintRow>) -> Result<(), Unexpected> {
        for row in rows {
            let Some((_, table)) = self.tables.get_mut(&row.relation) else {
                continue;
            };
            add_constraint(table, row)?;
        }
        Ok(())
    }

    /// Files indexes under their table or materialized view.
    ///
    /// # Errors
    /// When the per-key arrays of a row do not line up.
    pub fn add_indexes(&mut self, rows: Vec<IndexRow>) -> Result<(), Unexpected> {
        for row in rows {
            let comment = self.comment(CommentCatalog::Relation, row.oid, 0);
            let relation = row.relation;
            let index = index_from(row, comment)?;
            if let Some((_, table)) = self.tables.get_mut(&relation) {
                table.indexes.push(index);
            } else if let Some((_, view)) = self.views.get_mut(&relation) {
                view.indexes.push(index);
            }
        }
        Ok(())
    }

    pub fn add_triggers(&mut self, rows: Vec<TriggerRow>) {
        for row in rows {
            if let Some((_, table)) = self.tables.get_mut(&row.relation) {
                table.triggers.push(Trigger {
                    name: row.name,
                    definition: row.definition,
                    enabled: row.enabled,
                });
            }
        }
    }

    /// # Errors
    /// On a policy command code pgphase does not know.
    pub fn add_policies(&mut self, rows: Vec<PolicyRow>) -> Result<(), Unexpected> {
        for row in rows {
            let relation = row.relation;
            let policy = policy_from(row)?;
            if let Some((_, table)) = self.tables.get_mut(&relation) {
                table.row_security.policies.push(policy);
            }
        }
        Ok(())
    }

    /// Functions and procedures keep PostgreSQL's own definition; aggregates get theirs
    /// assembled. Both are keyed `name(identity arguments)`.
    pub fn add_routines(&mut self, rows: Vec<RoutineRow>) {
        for row in rows {
            let comment = self.comment(CommentCatalog::Routine, row.oid, 0);
            let Some((schema, ns)) = self.namespace_mut(row.namespace) else {
                continue;
            };
            let definition = match (&row.aggregate, row.definition) {
                (Some(parts), _) => {
                    aggregate_definition(schema, &row.name, &row.identity_args, parts)
                }
                (None, Some(definition)) => definition,
                (None, None) => continue,
            };
            let key = format!("{}({})", row.name, row.identity_args);
            ns.functions.insert(
                key,
                Function {
                    definition,
                    comment,
                },
            );
        }
    }

    pub fn add_operators(&mut self, rows: Vec<OperatorRow>) {
        for row in rows {
            let comment = self.comment(CommentCatalog::Operator, row.oid, 0);
            let Some((schema, ns)) = self.namespace_mut(row.namespace) else {
                continue;
            };
            let definition = operator_definition(schema, &row);
            ns.operators.insert(
                operator_key(&row),
                Operator {
                    definition,
                    comment,
                },
            );
        }
    }

    /// Files tables, views and composite types under their namespaces, sorts every list whose
    /// order has no meaning, and hands back the model and the per-relation statistics.
    #[must_use]
    pub fn finish(mut self) -> (Schema, BTreeMap<TableRef, TableStats>) {
        for (table_ref, mut table) in self.tables.into_values() {
            sort_table(&mut table);
            if let Some(ns) = self.schema.namespaces.get_mut(&table_ref.schema) {
                ns.tables.insert(table_ref.name, table);
            }
        }
        for (view_ref, mut view) in self.views.into_values() {
            view.indexes.sort_by(|a, b| a.name.cmp(&b.name));
            if let Some(ns) = self.schema.namespaces.get_mut(&view_ref.schema) {
                ns.views.insert(view_ref.name, view);
            }
        }
        for (type_ref, composite) in self.composites.into_values() {
            if let Some(ns) = self.schema.namespaces.get_mut(&type_ref.schema) {
                ns.composite_types.insert(type_ref.name, composite);
            }
        }
        (self.schema, self.stats)
    }
}

fn sort_table(table: &mut Table) {
    table.unique.sort_by(|a, b| a.name.cmp(&b.name));
    table.foreign_keys.sort_by(|a, b| a.name.cmp(&b.name));
    table.checks.sort_by(|a, b| a.name.cmp(&b.name));
    table.exclusions.sort_by(|a, b| a.name.cmp(&b.name));
    table.indexes.sort_by(|a, b| a.name.cmp(&b.name));
    table.triggers.sort_by(|a, b| a.name.cmp(&b.name));
    table
        .row_security
        .policies
        .sort_by(|a, b| a.name.cmp(&b.name));
}

/// The kind of a relation from `pg_class.relkind`.
///
/// # Errors
/// For kinds introspection does not read.
pub fn relation_kind(code: &str) -> Result<RelationKind, Unexpected> {
    match code {
        "r" => Ok(RelationKind::Table),
        "p" => Ok(RelationKind::PartitionedTable),
        "v" => Ok(RelationKind::View),
        "m" => Ok(RelationKind::MaterializedView),
        other => Err(Unexpected(format!("relation kind `{other}`"))),
    }
}

fn view_from(row: RelationRow, kind: RelationKind, comment: Option<String>) -> View {
    View {
        definition: row.view_definition.unwrap_or_default(),
        materialized: kind == RelationKind::MaterializedView,
        with: sorted(row.options),
        indexes: Vec::new(),
        comment,
    }
}

fn table_from(row: RelationRow, comment: Option<String>) -> Table {
    let partition_of = match (row.parent_schema, row.parent_name) {
        (Some(schema), Some(name)) => Some(PartitionOf {
            parent: TableRef::new(schema, name),
            bound: row.partition_bound.unwrap_or_default(),
        }),
        _ => None,
    };
    Table {
        comment,
        unlogged: row.unlogged,
        partition_by: row.partition_by,
        partition_of,
        row_security: RowSecurity {
            enabled: row.row_security,
            forced: row.force_row_security,
            policies: Vec::new(),
        },
        ..Table::default()
    }
}

/// A table column from its catalog row: a generated column's expression goes to `generated`,
/// not `default`.
///
/// # Errors
/// On an identity or generated code pgphase does not know.
pub fn column_from(row: ColumnRow, comment: Option<String>) -> Result<Column, Unexpected> {
    let identity = match row.identity.as_str() {
        "" => None,
        "a" => Some(Identity::Always),
        "d" => Some(Identity::ByDefault),
        other => {
            return Err(Unexpected(format!(
                "identity kind `{other}` of column {}",
                row.name
            )));
        }
    };
    let (default, generated) = match row.generated.as_str() {
        "" => (row.default_expr, None),
        "s" => (None, row.default_expr),
        other => {
            return Err(Unexpected(format!(
                "generated kind `{other}` of column {}",
                row.name
            )));
        }
    };
    Ok(Column {
        name: row.name,
        data_type: row.data_type,
        nullable: !row.not_null,
        default,
        identity,
        generated,
        collation: row.collation.as_ref().map(catalog_relative),
        comment,
        renamed_from: None,
    })
}

fn domain_checks(row: &DomainRow) -> Result<Vec<Check>, Unexpected> {
    if row.check_expressions.len() != row.check_names.len()
        || row.check_valid.len() != row.check_names.len()
    {
        return Err(Unexpected(format!(
            "check arrays of different lengths for domain {}",
            row.name
        )));
    }
    let mut checks: Vec<Check> = row
        .check_names
        .iter()
        .zip(&row.check_expressions)
        .zip(&row.check_valid)
        .map(|((name, expression), valid)| Check {
            name: name.clone(),
            expression: expression.clone(),
            no_inherit: false,
            valid: *valid,
        })
        .collect();
    checks.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(checks)
}

/// `condeferrable` and `condeferred` as one value.
#[must_use]
pub fn deferral(deferrable: bool, deferred: bool) -> Deferral {
    match (deferrable, deferred) {
        (false, _) => Deferral::NotDeferrable,
        (true, false) => Deferral::InitiallyImmediate,
        (true, true) => Deferral::InitiallyDeferred,
    }
}

/// A foreign key's `confupdtype` or `confdeltype`.
///
/// # Errors
/// For codes PostgreSQL does not document.
pub fn fk_action(code: &str) -> Result<FkAction, Unexpected> {
    match code {
        "a" => Ok(FkAction::NoAction),
        "r" => Ok(FkAction::Restrict),
        "c" => Ok(FkAction::Cascade),
        "n" => Ok(FkAction::SetNull),
        "d" => Ok(FkAction::SetDefault),
        other => Err(Unexpected(format!("foreign-key action `{other}`"))),
    }
}

fn fk_match(code: &str) -> Result<FkMatch, Unexpected> {
    match code {
        "s" => Ok(FkMatch::Simple),
        "f" => Ok(FkMatch::Full),
        other => Err(Unexpected(format!("foreign-key match type `{other}`"))),
    }
}

fn add_constraint(table: &mut Table, row: ConstraintRow) -> Result<(), Unexpected> {
    let deferral = deferral(row.deferrable, row.deferred);
    match row.kind.as_str() {
        "p" => {
            table.primary_key = Some(PrimaryKey {
                name: row.name,
                columns: row.columns,
                include: row.include,
                deferral,
            });
        }
        "u" => table.unique.push(Unique {
            name: row.name,
            columns: row.columns,
            include: row.include,
            nulls_not_distinct: row.nulls_not_distinct,
            deferral,
        }),
        "f" => table.foreign_keys.push(foreign_key_from(row, deferral)?),
        "c" => table.checks.push(Check {
            name: row.name,
            expression: row.check_expr.unwrap_or_default(),
            no_inherit: row.no_inherit,
            valid: row.valid,
        }),
        "x" => table.exclusions.push(Exclusion {
            name: row.name,
            definition: row.definition.unwrap_or_default(),
        }),
        other => {
            return Err(Unexpected(format!(
                "constraint kind `{other}` of {}",
                row.name
            )));
        }
    }
    Ok(())
}

fn foreign_key_from(row: ConstraintRow, deferral: Deferral) -> Result<ForeignKey, Unexpected> {
    let (Some(schema), Some(table)) = (row.referenced_schema, row.referenced_table) else {
        return Err(Unexpected(format!(
            "foreign key {} without a referenced table",
            row.name
        )));
    };
    Ok(ForeignKey {
        on_delete: fk_action(&row.on_delete)?,
        on_update: fk_action(&row.on_update)?,
        match_type: fk_match(&row.match_type)?,
        name: row.name,
        columns: row.columns,
        references: TableRef::new(schema, table),
        referenced_columns: row.referenced_columns,
        deferral,
        valid: row.valid,
    })
}

/// An index from its catalog row, keys taken position by position from the parallel arrays.
///
/// # Errors
/// When the arrays differ in length or a key has neither a column nor an expression.
pub fn index_from(row: IndexRow, comment: Option<String>) -> Result<Index, Unexpected> {
    Ok(Index {
        keys: index_keys(&row)?,
        name: row.name,
        unique: row.is_unique,
        method: row.method,
        include: row.include,
        predicate: row.predicate,
        nulls_not_distinct: row.nulls_not_distinct,
        with: sorted(row.options),
        comment,
    })
}

fn index_keys(row: &IndexRow) -> Result<Vec<IndexKey>, Unexpected> {
    let count = row.key_options.len();
    let lengths = [
        row.key_columns.len(),
        row.key_expressions.len(),
        row.opclass_schemas.len(),
        row.opclass_names.len(),
        row.collation_schemas.len(),
        row.collation_names.len(),
    ];
    if lengths.iter().any(|&len| len != count) {
        return Err(Unexpected(format!(
            "key arrays of different lengths for index {}",
            row.name
        )));
    }
    (0..count)
        .map(|k| {
            let target = match (&row.key_columns[k], &row.key_expressions[k]) {
                (Some(column), _) => KeyTarget::Column(column.clone()),
                (None, Some(expression)) => KeyTarget::Expression(expression.clone()),
                (None, None) => {
                    return Err(Unexpected(format!(
                        "key {} of index {} has no column or expression",
                        k + 1,
                        row.name
                    )));
                }
            };
            let options = row.key_options[k];
            Ok(IndexKey {
                target,
                opclass: pair(&row.opclass_schemas[k], &row.opclass_names[k])
                    .as_ref()
                    .map(catalog_relative),
                collation: pair(&row.collation_schemas[k], &row.collation_names[k])
                    .as_ref()
                    .map(catalog_relative),
                descending: options & 1 != 0,
                nulls_first: options & 2 != 0,
            })
        })
        .collect()
}

fn pair(schema: &Option<String>, name: &Option<String>) -> Option<CatalogName> {
    Some(CatalogName {
        schema: schema.clone()?,
        name: name.clone()?,
    })
}

fn policy_from(row: PolicyRow) -> Result<Policy, Unexpected> {
    let command = match row.command.as_str() {
        "*" => PolicyCommand::All,
        "r" => PolicyCommand::Select,
        "a" => PolicyCommand::Insert,
        "w" => PolicyCommand::Update,
        "d" => PolicyCommand::Delete,
        other => {
            return Err(Unexpected(format!(
                "policy command `{other}` of {}",
                row.name
            )));
        }
    };
    Ok(Policy {
        name: row.name,
        command,
        permissive: row.permissive,
        roles: sorted(row.roles),
        using: row.using_expr,
        with_check: row.with_check,
    })
}

fn sorted(mut values: Vec<String>) -> Vec<String> {
    values.sort();
    values
}
