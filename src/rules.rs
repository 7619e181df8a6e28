//! The safety catalog as code: one file per kind of change, each giving its cost, its
//! explanation, its questions and its phased steps with their rollback.
//!
//! A rule is a value implementing [`Rule`] for one kind of change (its payload, see
//! [`crate::diff::change`]); [`rules!`] pairs each kind with its rule and dispatches a
//! [`Change`] to it with one exhaustive match, so the compiler proves every kind has exactly one
//! rule. Rules are pure: they read the change, the [`Context`] (both schemas, live statistics,
//! facts) and, for steps, the [`Decisions`] made; they never touch a database.

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
pub mod count;
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
pub use count::{Count, Rows};

use crate::decide::{
    Answers, ChangeId, Choice, ChoiceId, Condition, Fact, FactId, Facts, InputKind, Mode, Question,
    QuestionId, Settings,
};
use crate::diff::Change;
use crate::diff::change::ChangeKind;
use crate::schema::Stats;
use crate::schema::{Schema, TableRef};
use crate::step::Step;
use crate::step::precondition::Check;

/// What pgphase knows about one kind of change.
pub trait Rule: Sync {
    /// The payload of the kind of change this rule handles.
    type Change: ChangeKind;

    /// The kebab-case id (`set-not-null`): the kind's, and the prefix of its question ids.
    fn id(&self) -> &'static str {
        Self::Change::KIND
    }

    /// The text shown to users, written once here.
    fn explanation(&self) -> &'static Explanation;

    /// What applying `change` directly would cost on this database.
    fn assess(&self, change: &Self::Change, context: &Context) -> Assessment;

    /// Facts about `change` read from the context (estimates, the model) that its questions'
    /// defaults and conditions use; counted facts are added by whoever counts.
    fn facts(&self, _change: &Self::Change, _context: &Context) -> Vec<Fact> {
        Vec::new()
    }

    /// The rows of the live data `change` needs counted (NULLs, duplicates…), if any: what
    /// `pgphase plan` and the planner's on-demand count look for.
    fn count(&self, _change: &Self::Change) -> Option<Count> {
        None
    }

    /// The questions `change` may need answered, each with its condition.
    fn questions(&self, _change: &Self::Change, _context: &Context) -> Vec<Question> {
        Vec::new()
    }

    /// What the data must be for the path `decisions` chose to succeed, checked before anything
    /// changes (the plan's preconditions file).
    fn preconditions(&self, _change: &Self::Change, _decisions: &Decisions) -> Vec<Check> {
        Vec::new()
    }

    /// The steps that carry out `change` as decided.
    fn steps(&self, change: &Self::Change, context: &Context, decisions: &Decisions) -> Vec<Step>;
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

/// Pairs each kind of change (a [`Change`] variant) with its rule, in catalog order, and
/// dispatches to the rule through one exhaustive match per operation: a kind without a rule,
/// or with two, does not compile.
macro_rules! rules {
    ($($variant:ident => $rule:path,)*) => {
        /// Every rule's id and explanation, in catalog order.
        #[must_use]
        pub fn catalog() -> Vec<(&'static str, &'static Explanation)> {
            vec![$(($rule.id(), $rule.explanation()),)*]
        }

        /// The explanation of `change`'s rule.
        #[must_use]
        pub fn explanation(change: &Change) -> &'static Explanation {
            match change {
                $(Change::$variant(_) => $rule.explanation(),)*
            }
        }

        /// What applying `change` directly would cost (see [`Rule::assess`]).
        #[must_use]
        pub fn assess(change: &Change, context: &Context) -> Assessment {
            match change {
                $(Change::$variant(change) => $rule.assess(change, context),)*
            }
        }

        /// See [`Rule::facts`].
        #[must_use]
        pub fn facts(change: &Change, context: &Context) -> Vec<Fact> {
            match change {
                $(Change::$variant(change) => $rule.facts(change, context),)*
            }
        }

        /// See [`Rule::count`].
        #[must_use]
        pub fn count(change: &Change) -> Option<Count> {
            match change {
                $(Change::$variant(change) => $rule.count(change),)*
            }
        }

        /// See [`Rule::questions`].
        #[must_use]
        pub fn questions(change: &Change, context: &Context) -> Vec<Question> {
            match change {
                $(Change::$variant(change) => $rule.questions(change, context),)*
            }
        }

        /// See [`Rule::preconditions`].
        #[must_use]
        pub fn preconditions(change: &Change, decisions: &Decisions) -> Vec<Check> {
            match change {
                $(Change::$variant(change) => $rule.preconditions(change, decisions),)*
            }
        }

        /// See [`Rule::steps`].
        #[must_use]
        pub fn steps(change: &Change, context: &Context, decisions: &Decisions) -> Vec<Step> {
            match change {
                $(Change::$variant(change) => $rule.steps(change, context, decisions),)*
            }
        }
    };
}

rules! {
    CreateTable => create_table::CreateTable,
    DropTable => drop_table::DropTable,
    RenameTable => rename_table::RenameTable,
    AddColumn => add_column::AddColumn,
    DropColumn => drop_column::DropColumn,
    RenameColumn => rename_column::RenameColumn,
    ChangeColumnType => change_column_type::ChangeColumnType,
    SetNotNull => set_not_null::SetNotNull,
    DropNotNull => drop_not_null::DropNotNull,
    SetDefault => set_default::SetDefault,
    DropDefault => drop_default::DropDefault,
    AlterIdentity => alter_identity::AlterIdentity,
    AddIndex => add_index::AddIndex,
    DropIndex => drop_index::DropIndex,
    ChangeIndex => change_index::ChangeIndex,
    AddUnique => add_unique::AddUnique,
    AddPrimaryKey => add_primary_key::AddPrimaryKey,
    AddForeignKey => add_foreign_key::AddForeignKey,
    AddCheck => add_check::AddCheck,
    AddExclusion => add_exclusion::AddExclusion,
    DropConstraint => drop_constraint::DropConstraint,
    AddEnumValue => add_enum_value::AddEnumValue,
    RenameEnumValue => rename_enum_value::RenameEnumValue,
    ReplaceEnum => replace_enum::ReplaceEnum,
    CreateSchema => create_schema::CreateSchema,
    DropSchema => drop_schema::DropSchema,
    CreateExtension => create_extension::CreateExtension,
    DropExtension => drop_extension::DropExtension,
    CreateType => create_type::CreateType,
    DropType => drop_type::DropType,
    CreateSequence => create_sequence::CreateSequence,
    DropSequence => drop_sequence::DropSequence,
    AlterSequence => alter_sequence::AlterSequence,
    CreateView => create_view::CreateView,
    DropView => drop_view::DropView,
    ReplaceView => replace_view::ReplaceView,
    RecreateView => recreate_view::RecreateView,
    CreateFunction => create_function::CreateFunction,
    DropFunction => drop_function::DropFunction,
    ReplaceFunction => replace_function::ReplaceFunction,
    CreateTrigger => create_trigger::CreateTrigger,
    DropTrigger => drop_trigger::DropTrigger,
    ReplaceTrigger => replace_trigger::ReplaceTrigger,
    SetComment => set_comment::SetComment,
    CreatePolicy => create_policy::CreatePolicy,
    DropPolicy => drop_policy::DropPolicy,
    Unsupported => unsupported::Unsupported,
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
