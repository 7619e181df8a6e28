//! Catalog rows → the model: [`Assembler`] takes each query's rows in turn and keeps the objects
//! in hash maps keyed by oid until [`Assembler::finish`] files them under their namespaces and
//! sorts every list whose order means nothing. Pure data work, no I/O.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};

use super::definitions::{
    aggregate_definition, catalog_relative, operator_definition, operator_key,
};
use super::printing::{Expression, FormId, Forms, Printed, Printer, TreeId, Trees};
use super::rows::{
    CatalogName, CollationRow, ColumnRow, CommentCatalog, CommentRow, ConstraintRow, DomainRow,
    EnumRow, ExtensionRow, IdentitySequenceRow, IndexKeyParts, IndexKeyRow, IndexRow, NamespaceRow,
    OperatorClassRow, OperatorRow, PolicyRow, RelationRow, RoutineRow, SequenceRow, TriggerRow,
    TypeCollationRow,
};
use super::types::IntrospectOptions;
use crate::schema::{
    Attribute, Check, Column, ColumnIdentityOptions, ColumnRef, CompositeType, Deferral, Domain,
    Enum, Exclusion, Extension, FkAction, FkMatch, ForeignKey, Function, Identity, IdentityOptions,
    Index, IndexKey, KeyTarget, Namespace, Operator, PartitionOf, Policy, PolicyCommand,
    PrimaryKey, RowSecurity, Schema, Sequence, Table, TableRef, Text, Trigger, Unique, View,
};
use crate::schema::{RelationKind, TableStats};

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
    /// Boxed: a map's slots are sized for growth, and a table inline is 400 bytes or more, so
    /// unboxed the map held 8 MB at 10,000 tables, a third of it empty slots.
    tables: HashMap<u32, Box<(TableRef, Table)>>,
    views: HashMap<u32, (TableRef, View)>,
    composites: HashMap<u32, (TableRef, CompositeType)>,
    /// Listed columns by table, each in the slot of its number (dropped ones leave theirs
    /// empty): they arrive unordered, and a vector sized to the table's column count holds them
    /// without the slack of one grown by pushes.
    table_columns: HashMap<u32, Vec<Option<Column>>>,
    /// Attributes by composite type, with their position: they arrive unordered.
    composite_attributes: HashMap<u32, Vec<(i16, Attribute)>>,
    columns: KnownColumns,
    stats: BTreeMap<TableRef, TableStats>,
    /// The stored trees of the checks, each distinct one once.
    check_trees: Trees,
    pending_checks: Vec<PendingCheck>,
    /// How many of `pending_checks` have their form found.
    checks_with_forms: usize,
    /// Key constraints whose columns are named once the columns are in.
    unnamed: Vec<Unnamed>,
    names: CatalogNames,
}

/// The collations, operator classes and types' collations, by oid: the columns and index keys
/// come with oids, named here rather than joined in their queries for each row.
#[derive(Debug, Default)]
struct CatalogNames {
    collations: HashMap<u32, CatalogName>,
    /// With whether it is its type's default.
    opclasses: HashMap<u32, (bool, CatalogName)>,
    type_collations: HashMap<u32, u32>,
}

impl CatalogNames {
    /// The collation a column shows: its own, when it has one and it is not its type's.
    fn column_collation(&self, collation: u32, type_oid: u32) -> Option<CatalogName> {
        let of_type = self.type_collations.get(&type_oid).copied().unwrap_or(0);
        if collation == 0 || collation == of_type {
            return None;
        }
        self.collations.get(&collation).cloned()
    }

    /// The operator class a key shows: none when it is its type's default.
    fn opclass(&self, oid: u32) -> Option<CatalogName> {
        match self.opclasses.get(&oid) {
            Some((false, name)) => Some(name.clone()),
            _ => None,
        }
    }
}

/// A column as constraint and index keys refer to it: by relation and number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownColumn {
    /// Inline when short (up to 24 bytes): 130,000 names at 10,000 tables were as many
    /// allocations.
    pub name: Text,
    /// `attcollation`, 0 for a type without collation.
    pub collation: u32,
}

/// Every column the columns query returned, to resolve the column numbers of keys: a vector
/// sorted by relation and number once the columns are read, which at 10,000 tables takes half
/// the memory of a hash map (5 MB against 11 MB, for the 130,000 columns).
#[derive(Debug, Default)]
pub struct KnownColumns {
    entries: Vec<((u32, i16), KnownColumn)>,
    sorted: bool,
}

impl KnownColumns {
    pub fn insert(&mut self, relation: u32, number: i16, column: KnownColumn) {
        let key = (relation, number);
        let in_order = self.entries.last().is_none_or(|(last, _)| *last < key);
        // Columns that arrive in order need no sort: the first is in order by itself.
        self.sorted = in_order && (self.sorted || self.entries.is_empty());
        self.entries.push((key, column));
    }

    /// Sorts the columns for [`KnownColumns::get`], once they are all in.
    pub fn seal(&mut self) {
        if !self.sorted {
            self.entries.sort_by_key(|(key, _)| *key);
            self.sorted = true;
        }
    }

    /// The column `number` of `relation` (by binary search once sealed).
    ///
    /// # Errors
    /// When the columns query did not return it.
    pub fn get(&self, relation: u32, number: i16) -> Result<&KnownColumn, Unexpected> {
        let key = (relation, number);
        let found = if self.sorted {
            self.entries
                .binary_search_by_key(&key, |(k, _)| *k)
                .ok()
                .map(|at| &self.entries[at].1)
        } else {
            self.entries.iter().find(|(k, _)| *k == key).map(|(_, c)| c)
        };
        found.ok_or_else(|| Unexpected(format!("column {number} of relation {relation} not found")))
    }

    /// The name of column `number` of `relation`, if the columns query returned it.
    #[must_use]
    pub fn name(&self, relation: u32, number: i16) -> Option<Text> {
        Some(self.get(relation, number).ok()?.name.clone())
    }

    /// The names of columns `numbers` of `relation`, in that order.
    ///
    /// # Errors
    /// When one of them is unknown.
    pub fn names(&self, relation: u32, numbers: &[i16]) -> Result<Vec<String>, Unexpected> {
        numbers
            .iter()
            .map(|&n| Ok(self.get(relation, n)?.name.to_string()))
            .collect()
    }
}

/// Indexes whose keys are still arriving, by index oid. Apart from the [`Assembler`] because the
/// index rows may stream in on a second connection while the assembler takes the other rows.
#[derive(Debug, Default)]
pub struct PendingIndexes {
    rows: HashMap<u32, Box<IndexRow>>,
    /// The stored trees of the predicates and expression keys, each distinct one once.
    trees: Trees,
    /// By index oid: its predicate's and its expressions' trees, until printed.
    trees_of: HashMap<u32, (Option<TreeId>, Option<TreeId>)>,
    /// The forms found for each index's predicate and expression keys.
    forms_of: Vec<IndexForms>,
}

/// The forms of an index's predicate and of its expression keys (by position).
#[derive(Debug)]
struct IndexForms {
    oid: u32,
    predicate: Option<FormId>,
    keys: Vec<(i32, FormId)>,
}

impl PendingIndexes {
    /// Gathers one key of an index; [`Assembler::file_indexes`] completes them.
    pub fn add(&mut self, row: IndexKeyRow) -> Result<(), Unexpected> {
        let IndexKeyRow { mut index, key } = row;
        let predicate = index.predicate_tree.take().map(|t| self.trees.intern(&t));
        let expressions = index.expression_trees.take().map(|t| self.trees.intern(&t));
        if predicate.is_some() || expressions.is_some() {
            self.trees_of.insert(index.oid, (predicate, expressions));
        }
        match self.rows.entry(index.oid) {
            // Boxed: the map's slots hold a pointer rather than a 170-byte row, 11 MB → 6 MB
            // at 10,000 tables.
            Entry::Vacant(entry) => {
                entry.insert(Box::new(IndexRow {
                    keys: vec![key],
                    ..index
                }));
            }
            Entry::Occupied(mut entry) => entry.get_mut().keys.push(key),
        }
        Ok(())
    }

    /// Adds to `forms` the forms of the predicates and expression keys gathered since the last
    /// call.
    fn find_forms(&mut self, forms: &mut Forms, columns: &KnownColumns) {
        let name = |relation, number| columns.name(relation, number);
        for (oid, (predicate, expressions)) in std::mem::take(&mut self.trees_of) {
            let Some(row) = self.rows.get(&oid) else {
                continue;
            };
            let expression = |printer, tree, ordinal, position| Expression {
                printer,
                tree,
                ordinal,
                relation: row.relation,
                object: oid,
                position,
            };
            let predicate = predicate.map(|tree| {
                forms.form(
                    expression(Printer::Predicate, tree, 0, 0),
                    &self.trees,
                    name,
                )
            });
            // The n-th key on no column (`indkey` 0) is the n-th expression of the tree.
            let keys = expressions.map_or_else(Vec::new, |tree| {
                (1..)
                    .zip(&row.column_numbers)
                    .filter(|(_, number)| **number == 0)
                    .enumerate()
                    .map(|(ordinal, (position, _))| {
                        let key = expression(Printer::IndexKey, tree, ordinal, position);
                        (position, forms.form(key, &self.trees, name))
                    })
                    .collect()
            });
            self.forms_of.push(IndexForms {
                oid,
                predicate,
                keys,
            });
        }
    }

    /// Puts the printed texts of [`PendingIndexes::find_forms`] into the indexes.
    fn fill(&mut self, printed: &Printed) {
        for IndexForms {
            oid,
            predicate,
            keys,
        } in std::mem::take(&mut self.forms_of)
        {
            let Some(row) = self.rows.get_mut(&oid) else {
                continue;
            };
            row.predicate = predicate.map(|form| printed.text(form));
            for (position, form) in keys {
                if let Some(key) = row.keys.iter_mut().find(|k| k.position == position) {
                    key.expression = Some(printed.text(form));
                }
            }
        }
        self.trees_of.clear();
    }
}

/// The column numbers of a key constraint, filed before its columns can be named: the
/// constraints arrive on the second connection before the columns are read, and at 10,000
/// tables their rows waiting whole took up to 10 MB more at the plan's peak.
#[derive(Debug)]
struct Unnamed {
    relation: u32,
    slot: KeySlot,
    columns: Vec<i16>,
    include: Vec<i16>,
    /// A foreign key's referenced table and columns.
    referenced: Option<(u32, Vec<i16>)>,
}

/// Where in its table an [`Unnamed`] constraint was filed.
#[derive(Debug, Clone, Copy)]
enum KeySlot {
    PrimaryKey,
    Unique(usize),
    ForeignKey(usize),
}

/// A check filed without its text until it is printed: its table, its place in the table's
/// checks, its tree and its constraint.
#[derive(Debug)]
struct PendingCheck {
    relation: u32,
    slot: usize,
    tree: TreeId,
    constraint: u32,
    form: Option<FormId>,
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

    // Every `add_…` takes one row of its query and returns a `Result`, even when it cannot
    // fail, so that rows are fed to the assembler the same way as they stream in.

    pub fn add_collation(&mut self, row: CollationRow) -> Result<(), Unexpected> {
        let name = CatalogName {
            schema: row.schema,
            name: row.name,
        };
        self.names.collations.insert(row.oid, name);
        Ok(())
    }

    pub fn add_operator_class(&mut self, row: OperatorClassRow) -> Result<(), Unexpected> {
        let name = CatalogName {
            schema: row.schema,
            name: row.name,
        };
        self.names.opclasses.insert(row.oid, (row.is_default, name));
        Ok(())
    }

    pub fn add_type_collation(&mut self, row: TypeCollationRow) -> Result<(), Unexpected> {
        self.names.type_collations.insert(row.oid, row.collation);
        Ok(())
    }

    pub fn add_extension(&mut self, row: ExtensionRow) -> Result<(), Unexpected> {
        self.schema
            .extensions
            .insert(row.name, Extension { schema: row.schema });
        Ok(())
    }

    /// A namespace's comment goes straight to it; the others wait for their objects.
    pub fn add_comment(&mut self, row: CommentRow) -> Result<(), Unexpected> {
        if row.catalog != CommentCatalog::Namespace {
            self.comments
                .insert((row.catalog, row.oid, row.subid), row.comment);
            return Ok(());
        }
        if let Some((name, ns)) = self.namespace_mut(row.oid)
            && (name, row.comment.as_str()) != DEFAULT_PUBLIC_COMMENT
        {
            ns.comment = Some(row.comment);
        }
        Ok(())
    }

    fn comment(&mut self, catalog: CommentCatalog, oid: u32, subid: i32) -> Option<String> {
        self.comments.remove(&(catalog, oid, subid))
    }

    fn namespace_mut(&mut self, oid: u32) -> Option<(&str, &mut Namespace)> {
        let name = self.namespace_names.get(&oid)?;
        let ns = self.schema.namespaces.get_mut(name)?;
        Some((name.as_str(), ns))
    }

    pub fn add_enum(&mut self, row: EnumRow) -> Result<(), Unexpected> {
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
        Ok(())
    }

    /// # Errors
    /// When the check arrays differ in length.
    pub fn add_domain(&mut self, row: DomainRow) -> Result<(), Unexpected> {
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
        Ok(())
    }

    pub fn add_sequence(&mut self, row: SequenceRow) -> Result<(), Unexpected> {
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
        Ok(())
    }

    /// # Errors
    /// On a relation kind other than the ones `catalog::RELATIONS` selects.
    pub fn add_relation(&mut self, row: RelationRow) -> Result<(), Unexpected> {
        let Some(schema) = self.namespace_names.get(&row.namespace) else {
            return Ok(());
        };
        let oid = row.oid;
        let table_ref = TableRef::new(schema.clone(), row.name.clone());
        if row.kind == "c" {
            let comment = self.comment(CommentCatalog::Type, row.type_oid, 0);
            let composite = CompositeType {
                attributes: Vec::new(),
                comment,
            };
            self.composites.insert(oid, (table_ref, composite));
            return Ok(());
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
            self.views
                .insert(oid, (table_ref, view_from(row, kind, comment)));
        } else {
            if row.partition_bound.is_none() {
                let slots = usize::try_from(row.column_slots).unwrap_or(0);
                self.table_columns.insert(oid, Vec::with_capacity(slots));
            }
            self.tables
                .insert(oid, Box::new((table_ref, table_from(row, comment))));
        }
        Ok(())
    }

    /// Records the column for key resolution and, when it is listed, keeps it for its table or
    /// composite type with its position.
    ///
    /// # Errors
    /// On an identity or generated code pgphase does not know.
    pub fn add_column(&mut self, mut row: ColumnRow) -> Result<(), Unexpected> {
        if row.listed && row.collation.is_none() {
            row.collation = self.names.column_collation(row.collation_oid, row.type_oid);
        }
        let known = KnownColumn {
            name: Text::from(row.name.as_str()),
            collation: row.collation_oid,
        };
        self.columns.insert(row.relation, row.position, known);
        if !row.listed {
            return Ok(());
        }
        let (relation, position) = (row.relation, row.position);
        if self.composites.contains_key(&relation) {
            let attribute = Attribute {
                name: row.name,
                data_type: row.data_type.unwrap_or_default(),
                collation: row.collation.as_ref().map(catalog_relative),
            };
            self.composite_attributes
                .entry(relation)
                .or_default()
                .push((position, attribute));
        } else if self.tables.contains_key(&relation) {
            let comment = self.comment(CommentCatalog::Relation, relation, i32::from(position));
            let column = column_from(row, comment)?;
            let slot = usize::try_from(position - 1)
                .map_err(|_| Unexpected(format!("column number {position}")))?;
            let slots = self.table_columns.entry(relation).or_default();
            if slots.len() <= slot {
                slots.resize_with(slot + 1, || None);
            }
            slots[slot] = Some(column);
        }
        Ok(())
    }

    /// Files a constraint under its table; a check's expression is printed later
    /// ([`Assembler::fill_printed`]) and a key's columns named later
    /// ([`Assembler::name_constraint_columns`]).
    ///
    /// # Errors
    /// On a constraint, action or match code pgphase does not know.
    pub fn add_constraint(&mut self, mut row: ConstraintRow) -> Result<(), Unexpected> {
        let Some(table) = table_mut(&mut self.tables, row.relation) else {
            return Ok(());
        };
        if let Some(tree) = row.check_tree.take() {
            self.pending_checks.push(PendingCheck {
                relation: row.relation,
                slot: table.checks.len(),
                tree: self.check_trees.intern(&tree),
                constraint: row.oid,
                form: None,
            });
        }
        add_constraint(table, row, &mut self.unnamed)
    }

    /// Gives an identity column its sequence's options, once the columns are in; a sequence of
    /// a column that is not listed, or no longer an identity, is passed over.
    pub fn add_identity_sequence(&mut self, row: &IdentitySequenceRow) {
        let Some(column) = usize::try_from(row.position - 1)
            .ok()
            .and_then(|slot| self.table_columns.get_mut(&row.relation)?.get_mut(slot))
            .and_then(Option::as_mut)
            .filter(|column| column.identity.is_some())
        else {
            return;
        };
        column.identity_options =
            IdentityOptions::from_settings(&column.data_type, row.settings).into();
    }

    /// Names the columns of the key constraints filed so far, once the columns are in.
    ///
    /// # Errors
    /// When a constraint names a column the columns query did not return.
    pub fn name_constraint_columns(&mut self) -> Result<(), Unexpected> {
        self.columns.seal();
        for unnamed in std::mem::take(&mut self.unnamed) {
            let Some(table) = table_mut(&mut self.tables, unnamed.relation) else {
                continue;
            };
            let names = |numbers: &[i16]| self.columns.names(unnamed.relation, numbers);
            match unnamed.slot {
                KeySlot::PrimaryKey => {
                    if let Some(key) = &mut table.primary_key {
                        key.columns = names(&unnamed.columns)?;
                        key.include = names(&unnamed.include)?;
                    }
                }
                KeySlot::Unique(at) => {
                    if let Some(unique) = table.unique.get_mut(at) {
                        unique.columns = names(&unnamed.columns)?;
                        unique.include = names(&unnamed.include)?;
                    }
                }
                KeySlot::ForeignKey(at) => {
                    if let (Some(key), Some((referenced, numbers))) =
                        (table.foreign_keys.get_mut(at), &unnamed.referenced)
                    {
                        key.columns = names(&unnamed.columns)?;
                        key.referenced_columns = self.columns.names(*referenced, numbers)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Adds to `forms` the distinct forms of the expressions that have none yet: the checks' and
    /// the `indexes`' predicates and expression keys gathered so far. Once the columns are in;
    /// called again as more constraints arrive, it takes only the new ones.
    pub fn find_forms(&mut self, indexes: &mut PendingIndexes, forms: &mut Forms) {
        self.columns.seal();
        indexes.find_forms(forms, &self.columns);
        for check in &mut self.pending_checks[self.checks_with_forms..] {
            let expression = Expression {
                printer: Printer::Check,
                tree: check.tree,
                ordinal: 0,
                relation: check.relation,
                object: check.constraint,
                position: 0,
            };
            let name = |relation, number| self.columns.name(relation, number);
            check.form = Some(forms.form(expression, &self.check_trees, name));
        }
        self.checks_with_forms = self.pending_checks.len();
    }

    /// Puts the texts printed for [`Assembler::find_forms`] into the checks and `indexes`.
    pub fn fill_printed(&mut self, indexes: &mut PendingIndexes, printed: &Printed) {
        indexes.fill(printed);
        self.checks_with_forms = 0;
        for check in std::mem::take(&mut self.pending_checks) {
            let table = table_mut(&mut self.tables, check.relation);
            let filed = table.and_then(|table| table.checks.get_mut(check.slot));
            if let (Some(filed), Some(form)) = (filed, check.form) {
                filed.expression = printed.text(form);
            }
        }
        self.check_trees = Trees::default();
    }

    /// Files every gathered index under its table or materialized view.
    ///
    /// # Errors
    /// When an index's keys do not line up or name an unknown column.
    pub fn file_indexes(&mut self, pending: PendingIndexes) -> Result<(), Unexpected> {
        self.columns.seal();
        // In the order the rows came (by oid), so the memory of the ones done is freed page by
        // page for the indexes made from them: in the map's order, 30,000 indexes of 10,000
        // tables kept both forms until the end.
        let mut pending: Vec<(u32, Box<IndexRow>)> = pending.rows.into_iter().collect();
        pending.sort_unstable_by_key(|(oid, _)| *oid);
        for (oid, mut row) in pending {
            let comment = self.comment(CommentCatalog::Relation, oid, 0);
            let relation = row.relation;
            for key in &mut row.keys {
                if key.opclass.is_none() {
                    key.opclass = self.names.opclass(key.opclass_oid);
                }
                if key.collation.is_none() {
                    key.collation = self.names.collations.get(&key.collation_oid).cloned();
                }
            }
            let index = index_from(*row, comment, &self.columns)?;
            if let Some(table) = table_mut(&mut self.tables, relation) {
                table.indexes.push(index);
            } else if let Some((_, view)) = self.views.get_mut(&relation) {
                view.indexes.push(index);
            }
        }
        Ok(())
    }

    pub fn add_trigger(&mut self, row: TriggerRow) -> Result<(), Unexpected> {
        if let Some(table) = table_mut(&mut self.tables, row.relation) {
            table.triggers.push(Trigger {
                name: row.name,
                definition: row.definition,
                enabled: row.enabled,
            });
        }
        Ok(())
    }

    /// # Errors
    /// On a policy command code pgphase does not know.
    pub fn add_policy(&mut self, row: PolicyRow) -> Result<(), Unexpected> {
        let relation = row.relation;
        let policy = policy_from(row)?;
        if let Some(table) = table_mut(&mut self.tables, relation) {
            table.row_security.policies.push(policy);
        }
        Ok(())
    }

    /// Functions and procedures keep PostgreSQL's own definition; aggregates get theirs
    /// assembled. Both are keyed `name(identity arguments)`.
    pub fn add_routine(&mut self, row: RoutineRow) -> Result<(), Unexpected> {
        let comment = self.comment(CommentCatalog::Routine, row.oid, 0);
        let Some((schema, ns)) = self.namespace_mut(row.namespace) else {
            return Ok(());
        };
        let definition = match (&row.aggregate, row.definition) {
            (Some(parts), _) => aggregate_definition(schema, &row.name, &row.identity_args, parts),
            (None, Some(definition)) => definition,
            (None, None) => {
                return Err(Unexpected(format!(
                    "function {} without a definition",
                    row.name
                )));
            }
        };
        let key = format!("{}({})", row.name, row.identity_args);
        ns.functions.insert(
            key,
            Function {
                definition,
                comment,
            },
        );
        Ok(())
    }

    pub fn add_operator(&mut self, row: OperatorRow) -> Result<(), Unexpected> {
        let comment = self.comment(CommentCatalog::Operator, row.oid, 0);
        if let Some((schema, ns)) = self.namespace_mut(row.namespace) {
            let definition = operator_definition(schema, &row);
            ns.operators.insert(
                operator_key(&row),
                Operator {
                    definition,
                    comment,
                },
            );
        }
        Ok(())
    }

    /// Files tables, views and composite types under their namespaces, sorts every list whose
    /// order has no meaning, and hands back the model and the per-relation statistics.
    #[must_use]
    pub fn finish(mut self) -> (Schema, BTreeMap<TableRef, TableStats>) {
        let mut tables = Vec::with_capacity(self.tables.len());
        for (oid, entry) in self.tables {
            let (table_ref, mut table) = *entry;
            let slots = self.table_columns.remove(&oid).unwrap_or_default();
            table.columns = Vec::with_capacity(slots.iter().flatten().count());
            table.columns.extend(slots.into_iter().flatten());
            table.sort_by_names();
            table.shed_slack();
            tables.push((table_ref, table));
        }
        file_tables(&mut self.schema, tables);
        for (view_ref, mut view) in self.views.into_values() {
            view.indexes.sort_by(|a, b| a.name.cmp(&b.name));
            if let Some(ns) = self.schema.namespaces.get_mut(&view_ref.schema) {
                ns.views.insert(view_ref.name, view);
            }
        }
        for (oid, (type_ref, mut composite)) in self.composites {
            composite.attributes =
                by_position(self.composite_attributes.remove(&oid).unwrap_or_default());
            if let Some(ns) = self.schema.namespaces.get_mut(&type_ref.schema) {
                ns.composite_types.insert(type_ref.name, composite);
            }
        }
        (self.schema, self.stats)
    }
}

/// The table `oid`, when it is one being read.
fn table_mut(tables: &mut HashMap<u32, Box<(TableRef, Table)>>, oid: u32) -> Option<&mut Table> {
    tables.get_mut(&oid).map(|entry| &mut entry.1)
}

/// Files the tables under their namespaces. Each namespace's map is built from its tables at
/// once, which fills the map's nodes; inserted one by one, a third or more of each node's slots
/// stayed empty (2 MB at 10,000 tables).
fn file_tables(schema: &mut Schema, mut tables: Vec<(TableRef, Table)>) {
    tables.sort_unstable_by(|(a, _), (b, _)| a.cmp(b));
    while let Some((first, _)) = tables.first() {
        let schema_name = first.schema.clone();
        let run = tables
            .iter()
            .take_while(|(table_ref, _)| table_ref.schema == schema_name)
            .count();
        let run = tables
            .drain(..run)
            .map(|(table_ref, table)| (table_ref.name, table));
        if let Some(ns) = schema.namespaces.get_mut(&schema_name) {
            ns.tables = run.collect();
        }
    }
}

/// The items in position order, positions dropped.
fn by_position<T>(mut items: Vec<(i16, T)>) -> Vec<T> {
    items.sort_by_key(|(position, _)| *position);
    items.into_iter().map(|(_, item)| item).collect()
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
        name: row.name.into(),
        data_type: row.data_type.unwrap_or_default().into(),
        nullable: !row.not_null,
        default: default.map(Into::into),
        identity,
        // Filled from the identity sequences' own query ([`Assembler::add_identity_sequence`]).
        identity_options: ColumnIdentityOptions::default(),
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
            name: name.as_str().into(),
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

/// Files `row` under `table`; a key's columns are named later (`unnamed`).
fn add_constraint(
    table: &mut Table,
    row: ConstraintRow,
    unnamed: &mut Vec<Unnamed>,
) -> Result<(), Unexpected> {
    let deferral = deferral(row.deferrable, row.deferred);
    let relation = row.relation;
    let mut later = |slot, columns, include, referenced| {
        unnamed.push(Unnamed {
            relation,
            slot,
            columns,
            include,
            referenced,
        });
    };
    match row.kind.as_str() {
        "p" => {
            let include = included(&row);
            later(KeySlot::PrimaryKey, row.column_numbers, include, None);
            table.primary_key = Some(PrimaryKey {
                columns: Vec::new(),
                include: Vec::new(),
                name: row.name.into(),
                deferral,
            });
        }
        "u" => {
            let (slot, include) = (KeySlot::Unique(table.unique.len()), included(&row));
            later(slot, row.column_numbers, include, None);
            table.unique.push(Unique {
                columns: Vec::new(),
                include: Vec::new(),
                name: row.name.into(),
                nulls_not_distinct: row.nulls_not_distinct,
                deferral,
            });
        }
        "f" => {
            let slot = KeySlot::ForeignKey(table.foreign_keys.len());
            let referenced = Some((row.referenced_relation, row.referenced_numbers));
            later(slot, row.column_numbers, Vec::new(), referenced);
            table.foreign_keys.push(foreign_key_from(
                row.name,
                row.referenced_schema.zip(row.referenced_table),
                (&row.on_delete, &row.on_update, &row.match_type),
                deferral,
                row.valid,
            )?);
        }
        "c" => table.checks.push(Check {
            name: row.name.into(),
            // Printed later, once per distinct form (`Assembler::fill_printed`).
            expression: String::new(),
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

/// The INCLUDE columns of a PK or UNIQUE constraint: its index's positions past the keys.
fn included(row: &ConstraintRow) -> Vec<i16> {
    let key_count = usize::try_from(row.index_key_count).unwrap_or(0);
    let included = row.index_column_numbers.get(key_count..);
    included.unwrap_or_default().to_vec()
}

/// A foreign key without its columns' names (`Unnamed`): its name, the referenced table
/// (schema, name), its actions and match type (`confdeltype`, `confupdtype`, `confmatchtype`).
fn foreign_key_from(
    name: String,
    references: Option<(String, String)>,
    (on_delete, on_update, match_type): (&str, &str, &str),
    deferral: Deferral,
    valid: bool,
) -> Result<ForeignKey, Unexpected> {
    let Some((schema, table)) = references else {
        return Err(Unexpected(format!(
            "foreign key {name} without a referenced table"
        )));
    };
    Ok(ForeignKey {
        on_delete: fk_action(on_delete)?,
        on_update: fk_action(on_update)?,
        match_type: fk_match(match_type)?,
        columns: Vec::new(),
        referenced_columns: Vec::new(),
        name: name.into(),
        references: TableRef::new(schema, table),
        deferral,
        valid,
    })
}

/// An index from its gathered rows: keys in position order, column numbers named from
/// `columns`.
///
/// # Errors
/// When the keys are not exactly positions 1 to `key_count`, a key has neither a column nor an
/// expression, or a column is unknown.
pub fn index_from(
    mut row: IndexRow,
    comment: Option<String>,
    columns: &KnownColumns,
) -> Result<Index, Unexpected> {
    row.keys.sort_by_key(|key| key.position);
    let key_count = usize::try_from(row.key_count).unwrap_or(0);
    let positions_line_up = row.keys.len() == key_count
        && row.column_numbers.len() >= key_count
        && row
            .keys
            .iter()
            .zip(1..)
            .all(|(key, expected)| key.position == expected);
    if !positions_line_up {
        return Err(Unexpected(format!(
            "key positions of index {} do not line up",
            row.name
        )));
    }
    // Sized to the keys: collected through `Result`, the vector starts at four slots, and most
    // indexes have one or two keys (7 MB of slack at 10,000 tables).
    let mut keys = Vec::with_capacity(key_count);
    for (key, &number) in row.keys.iter().zip(&row.column_numbers) {
        keys.push(index_key(&row, key, number, columns)?);
    }
    Ok(Index {
        keys,
        include: columns.names(row.relation, &row.column_numbers[key_count..])?,
        name: row.name.into(),
        unique: row.is_unique,
        method: row.method.into(),
        predicate: row.predicate,
        nulls_not_distinct: row.nulls_not_distinct,
        with: sorted(row.options),
        comment,
    })
}

/// One key: the column `number` of the index's table, or its expression when `number` is 0.
fn index_key(
    row: &IndexRow,
    key: &IndexKeyParts,
    number: i16,
    columns: &KnownColumns,
) -> Result<IndexKey, Unexpected> {
    let (target, own_collation) = match (number, &key.expression) {
        (0, Some(expression)) => (
            KeyTarget::Expression(expression.clone()),
            key.expression_collation,
        ),
        (0, None) => {
            return Err(Unexpected(format!(
                "key {} of index {} has no column or expression",
                key.position, row.name
            )));
        }
        (number, _) => {
            let column = columns.get(row.relation, number)?;
            (
                KeyTarget::Column(column.name.clone()),
                Some(column.collation),
            )
        }
    };
    // A key shows its collation only when it is not the one its column or expression has.
    let shows_collation = key.collation_oid != 0 && Some(key.collation_oid) != own_collation;
    Ok(IndexKey {
        target,
        opclass: key.opclass.as_ref().map(catalog_relative),
        collation: key
            .collation
            .as_ref()
            .filter(|_| shows_collation)
            .map(catalog_relative),
        descending: key.option & 1 != 0,
        nulls_first: key.option & 2 != 0,
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

#[allow(clippy::unwrap_used)]
#[cfg(test)]
mod tests {
    use super::super::rows::CatalogName;
    use super::*;

    fn namespace(oid: u32, name: &str) -> NamespaceRow {
        NamespaceRow {
            oid,
            name: name.to_owned(),
        }
    }

    fn names(rows: &[NamespaceRow]) -> Vec<&str> {
        rows.iter().map(|ns| ns.name.as_str()).collect()
    }

    fn strings(values: &[&str]) -> Vec<String> {
        values.iter().map(|v| (*v).to_owned()).collect()
    }

    #[test]
    fn namespaces_are_included_then_excluded() {
        let all = vec![
            namespace(1, "public"),
            namespace(2, "app"),
            namespace(3, "audit"),
        ];
        let options = |include: &[&str], exclude: &[&str]| IntrospectOptions {
            include_schemas: strings(include),
            exclude_schemas: strings(exclude),
            ..IntrospectOptions::default()
        };
        assert_eq!(
            names(&select_namespaces(all.clone(), &options(&[], &[]))),
            ["public", "app", "audit"]
        );
        assert_eq!(
            names(&select_namespaces(
                all.clone(),
                &options(&["app", "nope"], &[])
            )),
            ["app"]
        );
        assert_eq!(
            names(&select_namespaces(all.clone(), &options(&[], &["public"]))),
            ["app", "audit"]
        );
        assert!(select_namespaces(all, &options(&["app"], &["app"])).is_empty());
    }

    fn column_row(identity: &str, generated: &str) -> ColumnRow {
        ColumnRow {
            relation: 1,
            position: 1,
            name: "c".to_owned(),
            collation_oid: 0,
            listed: true,
            data_type: Some("integer".to_owned()),
            not_null: true,
            identity: identity.to_owned(),
            generated: generated.to_owned(),
            default_expr: Some("(a + 1)".to_owned()),
            type_oid: 23,
            collation: None,
        }
    }

    #[test]
    fn collations_and_operator_classes_are_named_from_their_oids() {
        let mut assembler = Assembler::new(&[namespace(1, "public")]);
        for (oid, name) in [(100, "default"), (950, "C")] {
            let (schema, name) = ("pg_catalog".to_owned(), name.to_owned());
            assembler
                .add_collation(CollationRow { oid, schema, name })
                .unwrap();
        }
        for (oid, is_default, name) in [(3126, true, "text_ops"), (4217, false, "text_pattern_ops")]
        {
            let (schema, name) = ("pg_catalog".to_owned(), name.to_owned());
            let row = OperatorClassRow {
                oid,
                is_default,
                schema,
                name,
            };
            assembler.add_operator_class(row).unwrap();
        }
        // `text` (25) and `name` (19) collate by default and by "C".
        for (oid, collation) in [(25, 100), (19, 950)] {
            let row = TypeCollationRow { oid, collation };
            assembler.add_type_collation(row).unwrap();
        }
        let names = &assembler.names;
        assert_eq!(names.column_collation(100, 25), None);
        assert_eq!(names.column_collation(950, 25), pg_catalog("C"));
        assert_eq!(names.column_collation(100, 19), pg_catalog("default"));
        assert_eq!(names.column_collation(0, 23), None);
        assert_eq!(names.opclass(3126), None);
        assert_eq!(names.opclass(4217), pg_catalog("text_pattern_ops"));
        assert_eq!(names.opclass(1), None);
    }

    #[test]
    fn a_generated_column_keeps_its_expression_apart_from_defaults() {
        let plain = column_from(column_row("", ""), None).unwrap();
        assert_eq!(
            (plain.default.as_deref(), plain.generated.as_deref()),
            (Some("(a + 1)"), None)
        );
        assert!(!plain.nullable);
        let generated = column_from(column_row("", "s"), None).unwrap();
        assert_eq!(
            (generated.default.as_deref(), generated.generated.as_deref()),
            (None, Some("(a + 1)"))
        );
        assert_eq!(
            column_from(column_row("a", ""), None).unwrap().identity,
            Some(Identity::Always)
        );
        assert_eq!(
            column_from(column_row("d", ""), None).unwrap().identity,
            Some(Identity::ByDefault)
        );
        assert!(column_from(column_row("x", ""), None).is_err());
        assert!(column_from(column_row("", "v"), None).is_err());
    }

    #[test]
    fn codes_map_to_model_values() {
        assert_eq!(deferral(false, false), Deferral::NotDeferrable);
        assert_eq!(deferral(true, false), Deferral::InitiallyImmediate);
        assert_eq!(deferral(true, true), Deferral::InitiallyDeferred);
        let actions: Vec<FkAction> = ["a", "r", "c", "n", "d"]
            .iter()
            .map(|c| fk_action(c).unwrap())
            .collect();
        assert_eq!(
            actions,
            [
                FkAction::NoAction,
                FkAction::Restrict,
                FkAction::Cascade,
                FkAction::SetNull,
                FkAction::SetDefault
            ]
        );
        assert_eq!(
            fk_action("?"),
            Err(Unexpected("foreign-key action `?`".to_owned()))
        );
        assert_eq!(relation_kind("p"), Ok(RelationKind::PartitionedTable));
        assert_eq!(
            relation_kind("f"),
            Err(Unexpected("relation kind `f`".to_owned()))
        );
    }

    /// Columns 1 `id` (no collation) and 2 `name` (collation 100) of relation 10.
    fn known_columns() -> KnownColumns {
        let mut columns = KnownColumns::default();
        columns.insert(
            10,
            1,
            KnownColumn {
                name: "id".into(),
                collation: 0,
            },
        );
        columns.insert(
            10,
            2,
            KnownColumn {
                name: "name".into(),
                collation: 100,
            },
        );
        columns
    }

    fn pg_catalog(name: &str) -> Option<CatalogName> {
        Some(CatalogName {
            schema: "pg_catalog".to_owned(),
            name: name.to_owned(),
        })
    }

    /// `id > 0` and `lower(name)` as stored (column 1 `id`, column 2 `name`).
    const PREDICATE_TREE: &str = "{OPEXPR :opno 521 :opfuncid 147 :opresulttype 16 :opretset false \
        :opcollid 0 :inputcollid 0 :args ({VAR :varno 1 :varattno 1 :vartype 23 :vartypmod -1 \
        :varcollid 0 :varlevelsup 0 :varnosyn 1 :varattnosyn 1 :location 40} {CONST :consttype 23 \
        :consttypmod -1 :constcollid 0 :constlen 4 :constbyval true :constisnull false \
        :location 45 :constvalue 4 [ 0 0 0 0 0 0 0 0 ]}) :location 43}";
    const EXPRESSION_TREE: &str = "({FUNCEXPR :funcid 870 :funcresulttype 25 :funcretset false \
        :funcvariadic false :funcformat 0 :funccollid 100 :inputcollid 100 :args ({VAR :varno 1 \
        :varattno 2 :vartype 25 :vartypmod -1 :varcollid 100 :varlevelsup 0 :varnosyn 1 \
        :varattnosyn 2 :location 30}) :location 24})";

    /// An index on (name COLLATE "C" DESC, lower(name) text_pattern_ops) INCLUDE (id), its keys
    /// in the wrong order as they may arrive.
    fn index_row() -> IndexRow {
        let expression_key = IndexKeyParts {
            position: 2,
            expression: Some("lower(name)".to_owned()),
            expression_collation: Some(100),
            opclass_oid: 0,
            opclass: pg_catalog("text_pattern_ops"),
            collation_oid: 100,
            collation: pg_catalog("default"),
            option: 0,
        };
        let column_key = IndexKeyParts {
            position: 1,
            expression: None,
            expression_collation: None,
            opclass_oid: 0,
            opclass: None,
            collation_oid: 950,
            collation: pg_catalog("C"),
            option: 3,
        };
        IndexRow {
            relation: 10,
            oid: 20,
            name: "people_idx".to_owned(),
            method: "btree".to_owned(),
            options: strings(&["fillfactor=70", "deduplicate_items=off"]),
            column_numbers: vec![2, 0, 1],
            key_count: 2,
            keys: vec![expression_key, column_key],
            ..IndexRow::default()
        }
    }

    #[test]
    fn index_keys_are_read_position_by_position() {
        let index = index_from(index_row(), Some("note".to_owned()), &known_columns()).unwrap();
        assert_eq!(
            index.keys,
            vec![
                IndexKey {
                    target: KeyTarget::Column("name".into()),
                    opclass: None,
                    // Differs from the column's collation (100), so it is shown.
                    collation: Some("\"C\"".to_owned()),
                    descending: true,
                    nulls_first: true,
                },
                IndexKey {
                    target: KeyTarget::Expression("lower(name)".to_owned()),
                    opclass: Some("text_pattern_ops".to_owned()),
                    // The expression's own collation: not shown.
                    collation: None,
                    descending: false,
                    nulls_first: false,
                },
            ]
        );
        assert_eq!(index.include, ["id"]);
        assert_eq!(index.with, ["deduplicate_items=off", "fillfactor=70"]);
        assert_eq!(index.comment.as_deref(), Some("note"));
    }

    #[test]
    fn bad_index_rows_are_errors_not_panics() {
        let mut missing_key = index_row();
        missing_key.keys.pop();
        assert!(index_from(missing_key, None, &known_columns()).is_err());
        let mut repeated_position = index_row();
        repeated_position.keys[0].position = 1;
        assert!(index_from(repeated_position, None, &known_columns()).is_err());
        let unknown_column = IndexRow {
            column_numbers: vec![7, 0, 1],
            ..index_row()
        };
        assert_eq!(
            index_from(unknown_column, None, &known_columns()),
            Err(Unexpected("column 7 of relation 10 not found".to_owned()))
        );
        let mut no_expression = index_row();
        no_expression.keys[0].expression = None;
        assert!(index_from(no_expression, None, &known_columns()).is_err());
        let too_few_columns = IndexRow {
            column_numbers: vec![2],
            ..index_row()
        };
        assert!(index_from(too_few_columns, None, &known_columns()).is_err());
    }

    #[test]
    fn index_keys_arriving_one_by_one_make_one_index() {
        let mut assembler = Assembler::new(&[namespace(1, "public")]);
        assembler.columns = known_columns();
        let (table_ref, table) = (TableRef::new("public", "people"), Table::default());
        assembler.tables.insert(10, Box::new((table_ref, table)));
        let full = index_row();
        let mut pending = PendingIndexes::default();
        for (i, key) in full.keys.iter().enumerate() {
            // Only the row of position 1 carries the trees.
            let first = key.position == 1;
            let index = IndexRow {
                keys: Vec::new(),
                predicate_tree: first.then(|| PREDICATE_TREE.to_owned()),
                expression_trees: first.then(|| EXPRESSION_TREE.to_owned()),
                ..full.clone()
            };
            let key = IndexKeyParts {
                expression: None,
                ..key.clone()
            };
            pending.add(IndexKeyRow { index, key }).unwrap();
            assert_eq!(pending.rows.len(), 1, "after key {i}");
        }
        let mut forms = Forms::default();
        assembler.find_forms(&mut pending, &mut forms);
        let texts = forms
            .requests()
            .iter()
            .map(|request| match request.printer {
                Printer::Predicate => Some("(id > 0)".to_owned()),
                Printer::IndexKey if request.position == 2 => Some("lower(name)".to_owned()),
                _ => None,
            })
            .collect();
        let printed = Printed::new(texts, &forms).unwrap();
        assembler.fill_printed(&mut pending, &printed);
        assembler.file_indexes(pending).unwrap();
        let (schema, _) = assembler.finish();
        let indexes = &schema.namespaces["public"].tables["people"].indexes;
        assert_eq!(indexes.len(), 1);
        assert_eq!(indexes[0].predicate.as_deref(), Some("(id > 0)"));
        assert_eq!(
            indexes[0].keys[1].target,
            KeyTarget::Expression("lower(name)".to_owned())
        );
        assert_eq!(indexes[0].keys.len(), 2);
    }

    fn check_row(oid: u32, name: &str, tree: &str) -> ConstraintRow {
        ConstraintRow {
            oid,
            relation: 10,
            name: name.to_owned(),
            kind: "c".to_owned(),
            deferrable: false,
            deferred: false,
            valid: true,
            no_inherit: false,
            column_numbers: vec![1],
            index_column_numbers: Vec::new(),
            index_key_count: 0,
            nulls_not_distinct: false,
            referenced_relation: 0,
            referenced_schema: None,
            referenced_table: None,
            referenced_numbers: Vec::new(),
            on_update: " ".to_owned(),
            on_delete: " ".to_owned(),
            match_type: " ".to_owned(),
            check_tree: Some(tree.to_owned()),
            definition: None,
        }
    }

    #[test]
    fn forms_found_in_rounds_cover_each_check_once() {
        let mut assembler = Assembler::new(&[namespace(1, "public")]);
        assembler.columns = known_columns();
        let (table_ref, table) = (TableRef::new("public", "people"), Table::default());
        assembler.tables.insert(10, Box::new((table_ref, table)));
        let mut pending = PendingIndexes::default();
        let mut forms = Forms::default();
        // `id > 1`: the constant's first byte differs.
        let other_tree = PREDICATE_TREE.replace("[ 0 0 0 0", "[ 1 0 0 0");
        let rounds = [
            vec![check_row(1, "positive", PREDICATE_TREE)],
            vec![],
            // The first form again, and one of its own.
            vec![
                check_row(2, "also_positive", PREDICATE_TREE),
                check_row(3, "above_one", &other_tree),
            ],
        ];
        let mut asked = Vec::new();
        for round in rounds {
            for row in round {
                assembler.add_constraint(row).unwrap();
            }
            assembler.find_forms(&mut pending, &mut forms);
            asked.push(forms.requests().len());
        }
        assert_eq!(asked, [1, 1, 2]);
        let texts = forms
            .requests()
            .iter()
            .map(|request| Some(format!("printed on {}", request.object)))
            .collect();
        let printed = Printed::new(texts, &forms).unwrap();
        assembler.fill_printed(&mut pending, &printed);
        let (schema, _) = assembler.finish();
        let checks = &schema.namespaces["public"].tables["people"].checks;
        let expressions: Vec<(&str, &str)> = checks
            .iter()
            .map(|c| (c.name.as_str(), c.expression.as_str()))
            .collect();
        assert_eq!(
            expressions,
            [
                ("above_one", "printed on 3"),
                ("also_positive", "printed on 1"),
                ("positive", "printed on 1"),
            ]
        );
    }

    #[test]
    fn known_columns_are_found_in_any_order_before_and_after_sealing() {
        let mut columns = KnownColumns::default();
        let keys = [(20, 2), (10, 1), (20, 1), (10, 3)];
        for (relation, number) in keys {
            let name = format!("{relation}.{number}").into();
            columns.insert(relation, number, KnownColumn { name, collation: 0 });
        }
        for sealed in [false, true] {
            if sealed {
                columns.seal();
            }
            for (relation, number) in keys {
                let found = columns.get(relation, number).map(|c| c.name.to_string());
                assert_eq!(
                    found,
                    Ok(format!("{relation}.{number}")),
                    "sealed: {sealed}"
                );
            }
            assert!(columns.get(10, 2).is_err(), "sealed: {sealed}");
        }
    }

    #[test]
    fn columns_arriving_unordered_end_up_in_position_order() {
        // Column counts as `relnatts` gives them, and one (0) that leaves the slots to grow;
        // 3 and 4 are dropped columns.
        for column_slots in [5, 0] {
            let mut assembler = Assembler::new(&[namespace(1, "public")]);
            let relation = RelationRow {
                oid: 10,
                namespace: 1,
                name: "t".to_owned(),
                kind: "r".to_owned(),
                column_slots,
                ..RelationRow::default()
            };
            assembler.add_relation(relation).unwrap();
            for (position, name) in [(5, "c"), (1, "a"), (2, "b")] {
                let row = ColumnRow {
                    position,
                    name: name.to_owned(),
                    ..column_row("", "")
                };
                assembler
                    .add_column(ColumnRow {
                        relation: 10,
                        ..row
                    })
                    .unwrap();
            }
            let (schema, _) = assembler.finish();
            let columns = &schema.namespaces["public"].tables["t"].columns;
            let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
            assert_eq!(names, ["a", "b", "c"], "{column_slots} slots");
            assert_eq!(columns.capacity(), 3, "{column_slots} slots");
        }
    }

    #[test]
    fn the_default_public_comment_is_left_out() {
        let mut assembler = Assembler::new(&[namespace(2200, "public"), namespace(3, "app")]);
        let comment = |oid, text: &str| CommentRow {
            catalog: CommentCatalog::Namespace,
            oid,
            subid: 0,
            comment: text.to_owned(),
        };
        assembler
            .add_comment(comment(2200, "standard public schema"))
            .unwrap();
        assembler
            .add_comment(comment(3, "standard public schema"))
            .unwrap();
        let (schema, _) = assembler.finish();
        assert_eq!(schema.namespaces["public"].comment, None);
        assert_eq!(
            schema.namespaces["app"].comment.as_deref(),
            Some("standard public schema")
        );
    }
}
