//! From changes and decisions to a [`Plan`]: each change's steps from its rule, gathered into
//! phase files in order, with timeouts, backfills sized by table, and views over changed
//! columns dropped and recreated around the step that changes them. Pure: the plan folder is
//! written by `output`, and nothing here touches a database.

pub mod backfill;
pub mod cost;
pub mod discipline;
mod file;
mod files;
pub mod locks;
pub mod preconditions;

use serde::Serialize;

use crate::decide::{
    self, AnswerError, Answers, ChangeId, Facts, Question, QuestionId, Settings, SettingsError,
};
use crate::diff::Change;
use crate::rules::{self, Assessment, Badge, Context, Decisions};

pub use cost::DurationClass;
pub use file::{FileKind, PlanFile, PlannedStatement};

/// A plan: what changes, what was decided, and the files that carry it out in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub settings: Settings,
    /// Every answer the plan was made with (defaults marked), as `decisions.yaml` holds them.
    pub answers: Answers,
    pub changes: Vec<PlannedChange>,
    pub files: Vec<PlanFile>,
}

/// A change as planned: its id, kind, assessment and badges.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedChange {
    pub id: ChangeId,
    pub kind: &'static str,
    pub assessment: Assessment,
    pub badges: Vec<Badge>,
    /// The rule's explanation title, for the reader.
    pub title: &'static str,
}

/// Why no plan could be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error(
        "{} unanswered question(s): {}; answer them in a file given with --answers (the \
         shape of a plan's decisions.yaml), or take the defaults with --defaults",
        .0.len(),
        list_missing(.0)
    )]
    Unanswered(Vec<(ChangeId, QuestionId)>),
    #[error(
        "{} question(s) have no default, because every answer deletes, invents or moves data \
         on a guess, or leaves a plan that fails on the data counted: {}; answer them in a file \
         given with --answers (the shape of a plan's decisions.yaml), or give `renamed_from` \
         in the desired schema for a rename",
        .0.len(),
        list_undecided(.0)
    )]
    Undecided(Vec<Undecided>),
    #[error("{}", list_problems(.0))]
    BadAnswers(Vec<(ChangeId, AnswerError)>),
    #[error(transparent)]
    Settings(#[from] SettingsError),
}

/// A question `--defaults` cannot answer: it has no default (see [`Question::default`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Undecided {
    pub change: ChangeId,
    pub question: QuestionId,
    /// The counts behind it, as shown (`1,666 rows (counted)`).
    pub facts: Vec<String>,
    /// The choice ids it offers.
    pub choices: Vec<String>,
}

impl Undecided {
    /// Each question of `questions` that [`decide::undecided`] finds, with its facts.
    #[must_use]
    pub fn find(questions: &[Question], facts: &Facts, answers: &Answers) -> Vec<Self> {
        decide::undecided(questions, facts, answers)
            .into_iter()
            .map(|question| Self {
                change: question.change.clone(),
                question: question.id.clone(),
                facts: question.facts.iter().map(ToString::to_string).collect(),
                choices: question
                    .choices
                    .iter()
                    .map(|choice| choice.id.to_string())
                    .collect(),
            })
            .collect()
    }
}

impl std::fmt::Display for Undecided {
    /// `public.t.c: add-foreign-key/orphans (1,666 rows (counted); choices: fix-first, delete)`
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {} (", self.change, self.question)?;
        for fact in &self.facts {
            write!(f, "{fact}; ")?;
        }
        write!(f, "choices: {})", self.choices.join(", "))
    }
}

/// The facts every change's rule reads from the context (estimates, the model), plus
/// `counted` (facts counted from the data, which take precedence).
#[must_use]
pub fn facts(changes: &[Change], context: &Context, counted: &Facts) -> Facts {
    let mut facts = Facts::default();
    for change in changes {
        for fact in rules::facts(change, context) {
            facts.insert(&change.id(), fact);
        }
    }
    for (change, found) in &counted.changes {
        for fact in found.values() {
            facts.insert(change, fact.clone());
        }
    }
    facts
}

/// Every question of the plan: the global ones first, then each change's, in change order.
#[must_use]
pub fn questions(changes: &[Change], context: &Context) -> Vec<Question> {
    let mut all = decide::global::questions();
    for change in changes {
        all.extend(rules::questions(change, context));
    }
    all
}

/// Each change with its rule's assessment.
#[must_use]
pub fn assess(changes: &[Change], context: &Context) -> Vec<PlannedChange> {
    changes
        .iter()
        .map(|change| {
            let assessment = rules::assess(change, context);
            PlannedChange {
                id: change.id(),
                kind: change.kind(),
                badges: assessment.cost.badges(),
                assessment,
                title: rules::explanation(change).title,
            }
        })
        .collect()
}

/// The plan for `changes` with `answers`, which must answer every question that applies
/// (see [`decide::with_defaults`] to fill in defaults first).
///
/// # Errors
/// Unanswered questions (all listed) or unusable answers.
pub fn plan(changes: &[Change], context: &Context, answers: &Answers) -> Result<Plan, PlanError> {
    let questions = questions(changes, context);
    let missing = decide::missing(&questions, context.facts, answers);
    if !missing.is_empty() {
        return Err(PlanError::Unanswered(missing));
    }
    let answers = decide::prune(&questions, context.facts, answers);
    let problems = decide::problems(&questions, &answers);
    if !problems.is_empty() {
        return Err(PlanError::BadAnswers(problems));
    }
    let settings = Settings::from_answers(&answers)?;
    let mut planned = Vec::new();
    for change in changes {
        let id = change.id();
        let decisions = Decisions {
            settings: &settings,
            answers: &answers,
            change: &id,
        };
        let steps = rules::steps(change, context, &decisions);
        planned.push(files::ChangeSteps {
            tables: change.locked_tables(),
            id,
            steps,
        });
    }
    let mut files = files::arrange(&planned, &settings, context.live);
    // Before anything changes: the data each chosen path needs is checked first.
    let checks = preconditions::checks(changes, &settings, &answers);
    if let Some(first) = preconditions::file(&checks, settings.lock_timeout_ms) {
        files.insert(0, first);
    }
    files::assess(&mut files);
    Ok(Plan {
        changes: assess(changes, context),
        files,
        settings,
        answers,
    })
}

fn list_missing(missing: &[(ChangeId, QuestionId)]) -> String {
    missing
        .iter()
        .map(|(change, question)| format!("{change}: {question}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn list_undecided(undecided: &[Undecided]) -> String {
    undecided
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn list_problems(problems: &[(ChangeId, AnswerError)]) -> String {
    problems
        .iter()
        .map(|(change, problem)| format!("{change}: {problem}"))
        .collect::<Vec<_>>()
        .join("; ")
}
