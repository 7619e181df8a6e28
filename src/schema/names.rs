//! PostgreSQL's default names for constraints and indexes left unnamed.
//!
//! The building blocks follow PostgreSQL 15 byte for byte (the dev-server checks in the tests and
//! in `tests/integration/yaml_names.rs` hold them to it):
//! - [`make_object_name`] is `makeObjectName`: `name1_name2_label`, cut to 63 bytes by shortening
//!   the longer of the two names one byte at a time, then clipped to whole UTF-8 characters;
//! - [`name_addition`] is `ChooseIndexNameAddition` / `ChooseForeignKeyConstraintNameAddition`:
//!   the column names joined with `_`, stopping once 64 bytes are reached;
//! - [`index_column_names`] is `ChooseIndexColumnNames`: expression keys are named by their
//!   outermost function or column (`FigureIndexColname`), else `expr`, and repeats get digits;
//! - [`DefaultName::choose`] is `ChooseRelationName` / `ChooseConstraintName`: on a conflict the
//!   label gets `1`, `2`, … appended.
//!
//! What conflicts with what (PostgreSQL 15): a plain index's name must not be the name of any
//! relation in the schema (tables, views, sequences, indexes, composite types); an index that backs
//! a constraint (primary key, unique, exclusion) must also differ from every constraint name in
//! the schema; a check or foreign-key name must differ from every constraint name in the schema
//! (on any table or domain), whatever the relation names.
//!
//! On top of these, [`assign_default_names`] and [`default_named`] fix one order in which a whole
//! schema's unnamed objects are named, so that the loader names them and the writer knows which
//! names it may leave out. No I/O here.

mod expression;

use std::collections::{BTreeSet, HashSet};

pub use expression::{figure_column_name, referenced_columns};

use crate::schema::Text;
use crate::schema::model::{IndexKey, KeyTarget, Namespace, Table};

/// The longest identifier PostgreSQL keeps, in bytes (`NAMEDATALEN - 1`).
pub const NAME_MAX_BYTES: usize = 63;

/// `name1_name2_label`, cut to [`NAME_MAX_BYTES`] the way PostgreSQL's `makeObjectName` does.
///
/// While the names are too long, the longer one loses a byte (`name2` on a tie); each is then
/// clipped to whole characters, so the result may end up a little shorter than 63 bytes.
#[must_use]
pub fn make_object_name(name1: &str, name2: Option<&str>, label: &str) -> String {
    let overhead = name2.map_or(0, |_| 1) + if label.is_empty() { 0 } else { label.len() + 1 };
    let available = NAME_MAX_BYTES.saturating_sub(overhead);
    let mut len1 = name1.len();
    let mut len2 = name2.map_or(0, str::len);
    while len1 + len2 > available {
        if len1 > len2 {
            len1 -= 1;
        } else {
            len2 -= 1;
        }
    }
    let mut name = clip_to_char_boundary(name1, len1).to_owned();
    if let Some(name2) = name2 {
        name.push('_');
        name.push_str(clip_to_char_boundary(name2, len2));
    }
    if !label.is_empty() {
        name.push('_');
        name.push_str(label);
    }
    name
}

/// The longest prefix of `text` of at most `limit` bytes that ends on a character boundary
/// (`pg_mbcliplen`).
fn clip_to_char_boundary(text: &str, limit: usize) -> &str {
    let mut end = limit.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// The middle part of an index or foreign-key name: the names joined by `_`, stopping after the
/// name that makes the text reach 64 bytes (the rest could not show in a 63-byte name anyway).
#[must_use]
pub fn name_addition<S: AsRef<str>>(names: &[S]) -> String {
    let mut addition = String::new();
    for name in names {
        if !addition.is_empty() {
            addition.push('_');
        }
        addition.push_str(clip_to_char_boundary(name.as_ref(), NAME_MAX_BYTES));
        if addition.len() > NAME_MAX_BYTES {
            break;
        }
    }
    addition
}

/// The per-column names an index name is built from: each key's column name, or for an
/// expression the name [`figure_column_name`] gives it (`expr` when none), then the `INCLUDE`
/// columns; a name equal to an earlier one gets `1`, `2`, … appended (cut to fit 63 bytes).
#[must_use]
pub fn index_column_names<S: AsRef<str>>(keys: &[IndexKey], include: &[S]) -> Vec<String> {
    let preliminary = keys
        .iter()
        .map(|key| match &key.target {
            KeyTarget::Column(name) => name.to_string(),
            KeyTarget::Expression(expr) => {
                figure_column_name(expr).unwrap_or_else(|| "expr".to_owned())
            }
        })
        .chain(include.iter().map(|name| name.as_ref().to_owned()));
    dedup_column_names(preliminary)
}

fn dedup_column_names(names: impl Iterator<Item = String>) -> Vec<String> {
    let mut result: Vec<String> = Vec::new();
    for original in names {
        let mut current = original.clone();
        let mut counter = 1_u32;
        while result.contains(&current) {
            let suffix = counter.to_string();
            let kept = clip_to_char_boundary(&original, NAME_MAX_BYTES - suffix.len());
            current = format!("{kept}{suffix}");
            counter += 1;
        }
        result.push(current);
    }
    result
}

/// Which names a default name must not collide with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Space {
    /// A plain index: no relation of the schema may have the name.
    Relation,
    /// An index backing a constraint: neither a relation nor a constraint of the schema.
    RelationAndConstraint,
    /// A check or foreign key: no constraint of the schema.
    Constraint,
}

/// The names in use in one schema, in the two name spaces PostgreSQL checks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Taken {
    pub relations: HashSet<String>,
    pub constraints: HashSet<String>,
}

impl Taken {
    /// True when an object of `space` could not be given `name`.
    #[must_use]
    pub fn conflicts(&self, space: Space, name: &str) -> bool {
        match space {
            Space::Relation => self.relations.contains(name),
            Space::RelationAndConstraint => {
                self.relations.contains(name) || self.constraints.contains(name)
            }
            Space::Constraint => self.constraints.contains(name),
        }
    }

    /// Records `name` as used by an object of `space`.
    pub fn insert(&mut self, space: Space, name: &str) {
        if space != Space::Constraint {
            self.relations.insert(name.to_owned());
        }
        if space != Space::Relation {
            self.constraints.insert(name.to_owned());
        }
    }
}

/// How PostgreSQL would name one unnamed object: the parts of its name and where it must be unique.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefaultName {
    pub name1: String,
    pub name2: Option<String>,
    pub label: &'static str,
    pub space: Space,
}

impl DefaultName {
    /// A primary key: `table_pkey`.
    #[must_use]
    pub fn primary_key(table: &str) -> Self {
        Self::new(table, None, "pkey", Space::RelationAndConstraint)
    }

    /// A unique constraint: `table_col1_col2_key` (`INCLUDE` columns count as columns).
    #[must_use]
    pub fn unique(table: &str, columns: &[String], include: &[String]) -> Self {
        let names = dedup_column_names(columns.iter().chain(include).cloned());
        Self::new(
            table,
            Some(name_addition(&names)),
            "key",
            Space::RelationAndConstraint,
        )
    }

    /// An exclusion constraint over elements with these column names: `table_col_excl`.
    #[must_use]
    pub fn exclusion(table: &str, element_names: &[String]) -> Self {
        Self::new(
            table,
            Some(name_addition(element_names)),
            "excl",
            Space::RelationAndConstraint,
        )
    }

    /// A foreign key: `table_col1_col2_fkey`.
    #[must_use]
    pub fn foreign_key(table: &str, columns: &[String]) -> Self {
        Self::new(
            table,
            Some(name_addition(columns)),
            "fkey",
            Space::Constraint,
        )
    }

    /// A check: `table_col_check` when the expression uses exactly one column of `table` (for a
    /// partition, pass its parent: it has the columns), else `table_check`.
    #[must_use]
    pub fn check(table: &Table, table_name: &str, expression: &str) -> Self {
        let columns: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
        let used = referenced_columns(expression, &columns);
        let column = match used.as_slice() {
            [only] => Some((*only).to_owned()),
            _ => None,
        };
        Self::new(table_name, column, "check", Space::Constraint)
    }

    /// A domain's check: `domain_check`.
    #[must_use]
    pub fn domain_check(domain: &str) -> Self {
        Self::new(domain, None, "check", Space::Constraint)
    }

    /// A plain index: `table_col1_col2_idx`.
    #[must_use]
    pub fn index(table: &str, keys: &[IndexKey], include: &[String]) -> Self {
        let names = index_column_names(keys, include);
        Self::new(table, Some(name_addition(&names)), "idx", Space::Relation)
    }

    fn new(name1: &str, name2: Option<String>, label: &'static str, space: Space) -> Self {
        Self {
            name1: name1.to_owned(),
            name2,
            label,
            space,
        }
    }

    /// The `attempt`-th name tried: the plain label first, then `label1`, `label2`, ….
    #[must_use]
    pub fn candidate(&self, attempt: u32) -> String {
        let label = if attempt == 0 {
            self.label.to_owned()
        } else {
            format!("{}{attempt}", self.label)
        };
        make_object_name(&self.name1, self.name2.as_deref(), &label)
    }

    /// The first candidate that does not conflict with `taken`.
    #[must_use]
    pub fn choose(&self, taken: &Taken) -> String {
        (0..)
            .map(|attempt| self.candidate(attempt))
            .find(|name| !taken.conflicts(self.space, name))
            .unwrap_or_default()
    }
}

/// Where in a namespace an object with a default name lives. Its table (or domain, or view) is
/// kept inline when short: a schema of 10,000 tables has 70,000 slots.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Slot {
    DomainCheck { domain: Text, index: usize },
    Check { table: Text, index: usize },
    PrimaryKey { table: Text },
    Unique { table: Text, index: usize },
    ForeignKey { table: Text, index: usize },
    Index { table: Text, index: usize },
    ViewIndex { view: Text, index: usize },
}

/// Every object of a namespace that PostgreSQL names when the file does not, with its default
/// name's parts, in the order the loader names them: domains' checks, then each table by name
/// (checks, primary key, unique constraints, foreign keys, indexes, each list in its order, as
/// `CREATE TABLE` and a following `CREATE INDEX` would), then materialized views' indexes.
#[must_use]
pub fn slots(namespace: &Namespace) -> Vec<(Slot, DefaultName)> {
    // Sized first: grown by pushes, the vector of 70,000 slots of 10,000 tables was copied
    // over and over.
    let count = slot_count(namespace);
    let mut slots = Vec::with_capacity(count);
    for (name, domain) in &namespace.domains {
        for index in 0..domain.checks.len() {
            slots.push((
                Slot::DomainCheck {
                    domain: name.as_str().into(),
                    index,
                },
                DefaultName::domain_check(name),
            ));
        }
    }
    for (name, table) in &namespace.tables {
        // A partition lists no columns of its own; a check on it uses its parent's.
        let columns_from = table
            .partition_of
            .as_ref()
            .and_then(|p| namespace.tables.get(&p.parent.name))
            .unwrap_or(table);
        table_slots(name, table, columns_from, &mut slots);
    }
    for (name, view) in &namespace.views {
        for (index, ix) in view.indexes.iter().enumerate() {
            let slot = Slot::ViewIndex {
                view: name.as_str().into(),
                index,
            };
            slots.push((slot, DefaultName::index(name, &ix.keys, &ix.include)));
        }
    }
    debug_assert_eq!(slots.len(), count, "slot_count counts every slot");
    slots
}

/// How many slots [`slots`] finds.
fn slot_count(namespace: &Namespace) -> usize {
    let domains: usize = namespace.domains.values().map(|d| d.checks.len()).sum();
    let tables: usize = namespace
        .tables
        .values()
        .map(|t| {
            t.checks.len()
                + usize::from(t.primary_key.is_some())
                + t.unique.len()
                + t.foreign_keys.len()
                + t.indexes.len()
        })
        .sum();
    let views: usize = namespace.views.values().map(|v| v.indexes.len()).sum();
    domains + tables + views
}

fn table_slots(
    name: &str,
    table: &Table,
    columns_from: &Table,
    slots: &mut Vec<(Slot, DefaultName)>,
) {
    let table_name = || Text::from(name);
    for (index, check) in table.checks.iter().enumerate() {
        slots.push((
            Slot::Check {
                table: table_name(),
                index,
            },
            DefaultName::check(columns_from, name, &check.expression),
        ));
    }
    if table.primary_key.is_some() {
        slots.push((
            Slot::PrimaryKey {
                table: table_name(),
            },
            DefaultName::primary_key(name),
        ));
    }
    for (index, unique) in table.unique.iter().enumerate() {
        let default = DefaultName::unique(name, &unique.columns, &unique.include);
        slots.push((
            Slot::Unique {
                table: table_name(),
                index,
            },
            default,
        ));
    }
    for (index, fk) in table.foreign_keys.iter().enumerate() {
        slots.push((
            Slot::ForeignKey {
                table: table_name(),
                index,
            },
            DefaultName::foreign_key(name, &fk.columns),
        ));
    }
    for (index, ix) in table.indexes.iter().enumerate() {
        slots.push((
            Slot::Index {
                table: table_name(),
                index,
            },
            DefaultName::index(name, &ix.keys, &ix.include),
        ));
    }
}

/// The name now held at `slot`, if the slot exists.
#[must_use]
pub fn slot_name<'a>(namespace: &'a Namespace, slot: &Slot) -> Option<&'a str> {
    let table = |name: &Text| namespace.tables.get(name.as_str());
    let name = match slot {
        Slot::DomainCheck { domain, index } => {
            &namespace
                .domains
                .get(domain.as_str())?
                .checks
                .get(*index)?
                .name
        }
        Slot::Check { table: t, index } => &table(t)?.checks.get(*index)?.name,
        Slot::PrimaryKey { table: t } => &table(t)?.primary_key.as_ref()?.name,
        Slot::Unique { table: t, index } => &table(t)?.unique.get(*index)?.name,
        Slot::ForeignKey { table: t, index } => &table(t)?.foreign_keys.get(*index)?.name,
        Slot::Index { table: t, index } => &table(t)?.indexes.get(*index)?.name,
        Slot::ViewIndex { view, index } => {
            &namespace
                .views
                .get(view.as_str())?
                .indexes
                .get(*index)?
                .name
        }
    };
    Some(name)
}

fn slot_name_mut<'a>(
    namespace: &'a mut Namespace,
    slot: &Slot,
) -> Option<&'a mut crate::schema::Text> {
    let name = match slot {
        Slot::DomainCheck { domain, index } => {
            &mut namespace
                .domains
                .get_mut(domain.as_str())?
                .checks
                .get_mut(*index)?
                .name
        }
        Slot::Check { table, index } => {
            &mut namespace
                .tables
                .get_mut(table.as_str())?
                .checks
                .get_mut(*index)?
                .name
        }
        Slot::PrimaryKey { table } => {
            &mut namespace
                .tables
                .get_mut(table.as_str())?
                .primary_key
                .as_mut()?
                .name
        }
        Slot::Unique { table, index } => {
            &mut namespace
                .tables
                .get_mut(table.as_str())?
                .unique
                .get_mut(*index)?
                .name
        }
        Slot::ForeignKey { table, index } => {
            &mut namespace
                .tables
                .get_mut(table.as_str())?
                .foreign_keys
                .get_mut(*index)?
                .name
        }
        Slot::Index { table, index } => {
            &mut namespace
                .tables
                .get_mut(table.as_str())?
                .indexes
                .get_mut(*index)?
                .name
        }
        Slot::ViewIndex { view, index } => {
            &mut namespace
                .views
                .get_mut(view.as_str())?
                .indexes
                .get_mut(*index)?
                .name
        }
    };
    Some(name)
}

/// The names no default name may take whatever the file says: every relation (table, view,
/// sequence, composite type) and every exclusion constraint (always named in the file).
fn fixed_names(namespace: &Namespace) -> Taken {
    let mut taken = Taken::default();
    let relations = namespace
        .tables
        .keys()
        .chain(namespace.views.keys())
        .chain(namespace.sequences.keys())
        .chain(namespace.composite_types.keys());
    for name in relations {
        taken.insert(Space::Relation, name);
    }
    for exclusion in namespace.tables.values().flat_map(|t| &t.exclusions) {
        taken.insert(Space::RelationAndConstraint, &exclusion.name);
    }
    taken
}

/// The names in use in a namespace: [`fixed_names`] and every non-empty name of a slot.
fn taken_names(namespace: &Namespace, slots: &[(Slot, DefaultName)]) -> Taken {
    let mut taken = fixed_names(namespace);
    for (slot, default) in slots {
        if let Some(name) = slot_name(namespace, slot).filter(|n| !n.is_empty()) {
            taken.insert(default.space, name);
        }
    }
    taken
}

/// Gives every unnamed object of the namespace (an empty `name`) its PostgreSQL default name,
/// in the order of [`slots`], each name counting as taken for the ones after it.
pub fn assign_default_names(namespace: &mut Namespace) {
    let slots = slots(namespace);
    let mut taken = taken_names(namespace, &slots);
    for (slot, default) in &slots {
        if slot_name(namespace, slot).is_some_and(str::is_empty) {
            let name = default.choose(&taken);
            taken.insert(default.space, &name);
            if let Some(target) = slot_name_mut(namespace, slot) {
                *target = name.into();
            }
        }
    }
}

/// The slots whose name a file may leave out: reading the file back, [`assign_default_names`]
/// gives each of them exactly the name it has now.
///
/// A slot qualifies when its name is the first free candidate while every other object keeps its
/// name. Leaving it out frees its name for the objects named before it, so a later slot whose name
/// an earlier left-out slot needed as taken (to move on to its own name) is kept.
#[must_use]
pub fn default_named(namespace: &Namespace) -> BTreeSet<Slot> {
    let slots = slots(namespace);
    // Looked up once: every table of a schema is found by name, twice for each of its slots.
    let names: Vec<Option<&str>> = slots
        .iter()
        .map(|(slot, _)| slot_name(namespace, slot))
        .collect();
    let mut counts = NameCounts::with_capacity(slots.len());
    for ((_, default), name) in slots.iter().zip(&names) {
        if let Some(name) = name {
            counts.add(default.space, name);
        }
    }
    let fixed = fixed_names(namespace);
    let mut pinned: HashSet<String> = HashSet::new();
    let mut omitted = BTreeSet::new();
    for ((slot, default), name) in slots.iter().zip(&names) {
        let Some(name) = *name else {
            continue;
        };
        if pinned.contains(name) {
            continue;
        }
        let taken_by_others = |candidate: &str| {
            fixed.conflicts(default.space, candidate)
                || counts.held_by_others(default.space, candidate, name)
        };
        let mut needed = Vec::new();
        for attempt in 0.. {
            let candidate = default.candidate(attempt);
            if candidate == name {
                if !taken_by_others(&candidate) {
                    pinned.extend(needed);
                    omitted.insert(slot.clone());
                }
                break;
            }
            if !taken_by_others(&candidate) {
                break;
            }
            needed.push(candidate);
        }
    }
    omitted
}

/// How many slots hold each name, per name space; the names are the model's own.
#[derive(Default)]
struct NameCounts<'a> {
    relations: std::collections::HashMap<&'a str, usize>,
    constraints: std::collections::HashMap<&'a str, usize>,
}

impl<'a> NameCounts<'a> {
    fn with_capacity(slots: usize) -> Self {
        Self {
            relations: std::collections::HashMap::with_capacity(slots),
            constraints: std::collections::HashMap::with_capacity(slots),
        }
    }

    fn add(&mut self, space: Space, name: &'a str) {
        if space != Space::Constraint {
            *self.relations.entry(name).or_default() += 1;
        }
        if space != Space::Relation {
            *self.constraints.entry(name).or_default() += 1;
        }
    }

    /// True when a slot other than the one holding `own` holds `candidate` in a space that
    /// conflicts with `space`.
    fn held_by_others(&self, space: Space, candidate: &str, own: &str) -> bool {
        let mine = usize::from(candidate == own);
        let relations = self.relations.get(candidate).copied().unwrap_or(0);
        let constraints = self.constraints.get(candidate).copied().unwrap_or(0);
        match space {
            Space::Relation => relations > mine,
            Space::Constraint => constraints > mine,
            Space::RelationAndConstraint => relations > mine || constraints > mine,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;
