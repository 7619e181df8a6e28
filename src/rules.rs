//! The safety catalog as code: one file per kind of change, each giving its cost, its
//! explanation, its questions and its phased steps with their rollback.
//!
//! A rule is a value implementing [`Rule`]; [`all`] lists them, and [`rule_for`] finds the one
//! that claims a change (a test proves every kind of change is claimed by exactly one). Rules
//! are pure: they read the change, the [`Context`] (both schemas, live statistics, facts) and,
//! for steps, the [`Decisions`] made; they never touch a database.

pub mod add_check;
pub mod add_column;
pub mod add_enum_value;
pub mod add_exclusion;
pub mod add_foreign_key;
pub mod add_index;
pub mod add_primary_key;
pub mod add_unique;
pub mod alter_identity;
pub mod alter_sequence;
pub mod assessment;
pub mod change_column_type;
pub mod change_index;
mod column_fill;
mod column_sync;
pub mod create_extension;
pub mod create_function;
pub mod create_policy;
pub mod create_schema;
pub mod create_sequence;
pub mod create_table;
pub mod create_trigger;
pub mod create_type;
pub mod create_view;
pub mod drop_column;
pub mod drop_constraint;
pub mod drop_default;
pub mod drop_extension;
pub mod drop_function;
pub mod drop_index;
pub mod drop_not_null;
pub mod drop_policy;
pub mod drop_schema;
pub mod drop_sequence;
pub mod drop_table;
pub mod drop_trigger;
pub mod drop_type;
pub mod drop_view;
mod objects;
pub mod recreate_view;
pub mod rename_column;
pub mod rename_enum_value;
pub mod rename_table;
pub mod replace_enum;
pub mod replace_function;
pub mod replace_trigger;
pub mod replace_view;
mod row_trigger;
pub mod set_comment;
pub mod set_default;
pub mod set_not_null;
pub mod unsupported;

#[cfg(test)]
mod registry_tests;
#[cfg(test)]
pub(crate) mod test_support;

pub use assessment::{Assessment, Badge, Cost, Explanation};

use crate::decide::{
    Answers, ChangeId, Choice, ChoiceId, Condition, Fact, FactId, Facts, InputKind, Mode, Question,
    QuestionId, Settings,
};
use crate::diff::Change;
use crate::schema::Stats;
use crate::schema::{Schema, TableRef};
use crate::step::Step;
use crate::step::precondition::Check;

/// A kind of change and what pgphase knows about it.
pub trait Rule: Sync {
    /// The kebab-case id (`set-not-null`), the prefix of its question ids.
    fn id(&self) -> &'static str;

    /// The text shown to users, written once here.
    fn explanation(&self) -> &'static Explanation;

    /// Whether this rule handles `change`.
    fn claims(&self, change: &Change) -> bool;

    /// What applying `change` directly would cost on this database.
    fn assess(&self, change: &Change, context: &Context) -> Assessment;

    /// Facts about `change` read from the context (estimates, the model) that its questions'
    /// defaults and conditions use; counted facts are added by whoever counts.
    fn facts(&self, _change: &Change, _context: &Context) -> Vec<Fact> {
        Vec::new()
    }

    /// The questions `change` may need answered, each with its condition.
    fn questions(&self, _change: &Change, _context: &Context) -> Vec<Question> {
        Vec::new()
    }

    /// What the data must be for the path `decisions` chose to succeed, checked before anything
    /// changes (the plan's preconditions file).
    fn preconditions(&self, _change: &Change, _decisions: &Decisions) -> Vec<Check> {
        Vec::new()
    }

    /// The steps that carry out `change` as decided.
    fn steps(&self, change: &Change, context: &Context, decisions: &Decisions) -> Vec<Step>;
}

/// Everything a rule may read besides the change itself.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub live: &'a Schema,
    pub desired: &'a Schema,
    pub stats: &'a Stats,
    pub facts: &'a Facts,
}

/// The answers that apply to one change, and the global settings.
#[derive(Debug, Clone, Copy)]
pub struct Decisions<'a> {
    pub settings: &'a Settings,
    pub answers: &'a Answers,
    pub change: &'a ChangeId,
}

impl Context<'_> {
    /// The table's estimated rows from the live statistics (`None` for a table not analysed or
    /// not in the live database).
    #[must_use]
    pub fn rows(&self, table: &TableRef) -> Option<u64> {
        let rows = self.stats.tables.get(table)?.estimated_rows?;
        u64::try_from(rows).ok()
    }

    /// A fact of `change` (counted facts included), else a global one.
    #[must_use]
    pub fn fact(&self, change: &ChangeId, id: &'static str) -> Option<&Fact> {
        self.facts.get(change, &FactId::from_static(id))
    }
}

/// A fact set by whoever counts when a count was skipped or gave up: its text says why
/// (`not counted (--no-count)`, `not counted (took longer than 60s)`).
pub const NOT_COUNTED: &str = "not-counted";

impl Context<'_> {
    /// What is known of the rows a count looks for: `what: <fact>` when counted, else `<what>:
    /// not counted (why)`.
    #[must_use]
    pub fn count_text(&self, change: &ChangeId, fact: &'static str, what: &str) -> String {
        match (self.fact(change, fact), self.fact(change, NOT_COUNTED)) {
            (Some(found), _) => format!("{what}: {found}"),
            (None, Some(why)) => format!("{what}: {}", why.value_text()),
            (None, None) => format!("{what}: not counted"),
        }
    }
}

/// The default of a question about rows a count looks for: `safe` (fixing the data first,
/// which the plan's preconditions check before anything runs) unless a count found such
/// rows; then none, since every other answer deletes or invents data and `safe` would fail.
#[must_use]
pub fn default_unless_found(found: Option<&Fact>, safe: &'static str) -> Option<ChoiceId> {
    (!counted_some(found)).then(|| ChoiceId::from_static(safe))
}

/// Whether `found` is a count (not an estimate) of more than zero rows.
#[must_use]
pub fn counted_some(found: Option<&Fact>) -> bool {
    found.is_some_and(|fact| {
        matches!(fact.origin, crate::decide::Origin::Counted { .. })
            && fact.value.as_number().is_some_and(|n| n > 0)
    })
}

impl Decisions<'_> {
    /// The choice made for this change's question `question` (a full id like
    /// `set-not-null/fill`), if any.
    #[must_use]
    pub fn choice(&self, question: &'static str) -> Option<&str> {
        self.answers
            .get(self.change, &QuestionId::from_static(question))
            .map(|answer| answer.choice.as_str())
    }

    /// The text input given with that choice, if any.
    #[must_use]
    pub fn input(&self, question: &'static str) -> Option<&str> {
        self.answers
            .get(self.change, &QuestionId::from_static(question))
            .and_then(|answer| answer.input.as_deref())
    }

    #[must_use]
    pub fn zero_downtime(&self) -> bool {
        self.settings.mode == Mode::ZeroDowntime
    }

    /// Whether a table of `rows` estimated rows counts as large (unknown counts as large, the
    /// careful side).
    #[must_use]
    pub fn is_large(&self, rows: Option<u64>) -> bool {
        rows.is_none_or(|rows| rows >= self.settings.large_table_rows)
    }
}

/// Every rule, in catalog order.
#[must_use]
pub fn all() -> &'static [&'static dyn Rule] {
    &[
        &create_table::CreateTable,
        &drop_table::DropTable,
        &rename_table::RenameTable,
        &add_column::AddColumn,
        &drop_column::DropColumn,
        &rename_column::RenameColumn,
        &change_column_type::ChangeColumnType,
        &set_not_null::SetNotNull,
        &drop_not_null::DropNotNull,
        &set_default::SetDefault,
        &drop_default::DropDefault,
        &alter_identity::AlterIdentity,
        &add_index::AddIndex,
        &drop_index::DropIndex,
        &change_index::ChangeIndex,
        &add_unique::AddUnique,
        &add_primary_key::AddPrimaryKey,
        &add_foreign_key::AddForeignKey,
        &add_check::AddCheck,
        &add_exclusion::AddExclusion,
        &drop_constraint::DropConstraint,
        &add_enum_value::AddEnumValue,
        &rename_enum_value::RenameEnumValue,
        &replace_enum::ReplaceEnum,
        &create_schema::CreateSchema,
        &drop_schema::DropSchema,
        &create_extension::CreateExtension,
        &drop_extension::DropExtension,
        &create_type::CreateType,
        &drop_type::DropType,
        &create_sequence::CreateSequence,
        &drop_sequence::DropSequence,
        &alter_sequence::AlterSequence,
        &create_view::CreateView,
        &drop_view::DropView,
        &replace_view::ReplaceView,
        &recreate_view::RecreateView,
        &create_function::CreateFunction,
        &drop_function::DropFunction,
        &replace_function::ReplaceFunction,
        &create_trigger::CreateTrigger,
        &drop_trigger::DropTrigger,
        &replace_trigger::ReplaceTrigger,
        &set_comment::SetComment,
        &create_policy::CreatePolicy,
        &drop_policy::DropPolicy,
        &unsupported::Unsupported,
    ]
}

/// The rule that claims `change`, if one does.
#[must_use]
pub fn rule_for(change: &Change) -> Option<&'static dyn Rule> {
    all().iter().copied().find(|rule| rule.claims(change))
}

/// An estimated row count for text: `~1.2M rows`, or `an unknown number of rows`.
#[must_use]
pub fn rows_text(rows: Option<u64>) -> String {
    match rows {
        Some(1) => "~1 row".to_owned(),
        Some(rows) => format!("~{} rows", crate::decide::facts::compact(rows)),
        None => "an unknown number of rows".to_owned(),
    }
}

/// A choice of a rule's question.
pub(crate) fn choice(
    id: &'static str,
    label: &str,
    consequence: &str,
    input: Option<InputKind>,
) -> Choice {
    Choice {
        id: ChoiceId::from_static(id),
        label: label.to_owned(),
        consequence: consequence.to_owned(),
        input,
    }
}

/// Holds unless the plan is for a maintenance window: the condition of questions whose only
/// sensible answer in a window is the plain statement.
pub(crate) fn unless_window() -> Condition {
    Condition::Not(Box::new(Condition::Answered(
        QuestionId::from_static(crate::decide::global::MODE),
        ChoiceId::from_static("maintenance-window"),
    )))
}
