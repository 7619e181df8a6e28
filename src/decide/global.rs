//! The global questions, asked before any change's questions, and [`Settings`], the typed view
//! of their answers that the planner reads.

use serde::Serialize;

use super::answers::Answers;
use super::condition::Condition;
use super::id::{ChangeId, ChoiceId, QuestionId};
use super::input::{InputKind, InputValue};
use super::question::{AnswerError, Choice, Question};

pub const MODE: &str = "mode";
pub const LOCK_TIMEOUT: &str = "lock-timeout";
pub const STATEMENT_TIMEOUT: &str = "statement-timeout";
pub const BATCH_SIZE: &str = "batch-size";
pub const LARGE_TABLE_THRESHOLD: &str = "large-table-threshold";

/// Short, so that a DDL statement queued for its lock holds the application up only briefly
/// before it gives up and is retried.
const DEFAULT_LOCK_TIMEOUT_MS: u64 = 1_000;
const DEFAULT_BATCH_SIZE: u64 = 10_000;
const DEFAULT_LARGE_TABLE_ROWS: u64 = 1_000_000;

/// How the plan may treat the application while it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// The application keeps running: no step holds a blocking lock for long.
    ZeroDowntime,
    /// The application is stopped: steps may block reads and writes while they run.
    MaintenanceWindow,
}

/// The global answers as values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Settings {
    pub mode: Mode,
    /// `SET lock_timeout` for every step; 0 turns it off, as in PostgreSQL.
    pub lock_timeout_ms: u64,
    /// `SET statement_timeout` for every step; 0 (the default) turns it off, as in PostgreSQL.
    pub statement_timeout_ms: u64,
    /// Rows updated per transaction in a backfill.
    pub batch_size: u64,
    /// Tables with at least this many rows get the slow, non-blocking variant of each step.
    pub large_table_rows: u64,
}

/// A global answer that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("in the global answers: {0}")]
pub struct SettingsError(pub AnswerError);

fn choice(id: &'static str, label: &str, consequence: &str, input: Option<InputKind>) -> Choice {
    Choice {
        id: ChoiceId::from_static(id),
        label: label.to_owned(),
        consequence: consequence.to_owned(),
        input,
    }
}

fn global(id: &'static str, prompt: &str, why: &str, choices: Vec<Choice>) -> Question {
    Question {
        id: QuestionId::from_static(id),
        change: ChangeId::global(),
        prompt: prompt.to_owned(),
        why: why.to_owned(),
        facts: Vec::new(),
        default: choices.first().map(|c| c.id.clone()),
        choices,
        when: Condition::Always,
    }
}

/// The global questions in the order they are asked; the first choice of each is its default.
#[must_use]
pub fn questions() -> Vec<Question> {
    vec![
        global(
            MODE,
            "Must the application keep running while the plan is applied?",
            "Zero-downtime plans split changes into expand, backfill and contract phases that \
             never hold a blocking lock for long. A maintenance window allows direct statements \
             that are simpler and faster but block reads and writes while they run.",
            vec![
                choice(
                    "zero-downtime",
                    "Zero downtime",
                    "Each change is split into phases the application can run through.",
                    None,
                ),
                choice(
                    "maintenance-window",
                    "Maintenance window",
                    "Changes are applied directly; tables are locked while they change.",
                    None,
                ),
            ],
        ),
        global(
            LOCK_TIMEOUT,
            "How long may a step wait for a lock before it gives up?",
            "A DDL statement waiting for its lock blocks every query queued behind it, so a \
             short lock_timeout makes it fail and be retried rather than stall the application. \
             It bounds how long a client can wait for any step: the plan states that budget.",
            vec![
                choice(
                    "default",
                    "1 second",
                    "Each step runs with lock_timeout = 1s and is retried, with growing pauses, \
                     when the lock is not free in time.",
                    None,
                ),
                choice(
                    "custom",
                    "Another duration",
                    "Each step runs with the lock_timeout given (0s turns it off).",
                    Some(InputKind::Duration),
                ),
            ],
        ),
        global(
            STATEMENT_TIMEOUT,
            "May a single statement run for only so long?",
            "The long steps of a plan (batched backfills, concurrent index builds, constraint \
             validation) hold only weak locks and should be allowed to finish, and lock_timeout \
             already keeps steps from blocking others; so by default there is no limit.",
            vec![
                choice(
                    "none",
                    "No limit",
                    "Steps run with statement_timeout = 0 and finish however long they take.",
                    None,
                ),
                choice(
                    "custom",
                    "A limit",
                    "A step running longer than the duration given is cancelled and rolled back.",
                    Some(InputKind::Duration),
                ),
            ],
        ),
        global(
            BATCH_SIZE,
            "How many rows should each backfill batch update?",
            "Backfills update rows in batches so each transaction holds row locks briefly and \
             writes a bounded amount of WAL: smaller batches are gentler on replicas, larger \
             ones finish sooner.",
            vec![
                choice(
                    "default",
                    "10,000 rows",
                    "Backfills update 10,000 rows per transaction.",
                    None,
                ),
                choice(
                    "custom",
                    "Another size",
                    "Backfills update the number of rows given per transaction.",
                    Some(InputKind::Integer {
                        min: 100,
                        max: 1_000_000,
                    }),
                ),
            ],
        ),
        global(
            LARGE_TABLE_THRESHOLD,
            "From how many rows is a table large?",
            "On a large table, a rewrite or a full scan under a strong lock takes long enough to \
             be felt, so large tables get the non-blocking variant of each step (batched \
             backfills, concurrent index builds, constraints validated separately).",
            vec![
                choice(
                    "default",
                    "1,000,000 rows",
                    "Tables of 1,000,000 rows or more are treated as large.",
                    None,
                ),
                choice(
                    "custom",
                    "Another threshold",
                    "Tables of at least the number of rows given are treated as large.",
                    Some(InputKind::Integer {
                        min: 1,
                        max: 1_000_000_000_000,
                    }),
                ),
            ],
        ),
    ]
}

impl Settings {
    /// The settings the global answers give; an unanswered question takes its default.
    ///
    /// # Errors
    /// A global answer names a choice its question does not offer, or its input is missing or
    /// invalid.
    pub fn from_answers(answers: &Answers) -> Result<Settings, SettingsError> {
        let mut settings = Settings::default();
        for question in questions() {
            let Some(answer) = answers.get(&ChangeId::global(), &question.id) else {
                continue;
            };
            let value = question
                .accept(&answer.choice, answer.input.as_deref())
                .map_err(SettingsError)?;
            settings.apply(question.id.as_str(), answer.choice.as_str(), value);
        }
        Ok(settings)
    }

    /// Records one checked answer; a choice without input keeps the default value.
    fn apply(&mut self, question: &str, choice: &str, value: Option<InputValue>) {
        match (question, value) {
            (MODE, _) => {
                self.mode = if choice == "maintenance-window" {
                    Mode::MaintenanceWindow
                } else {
                    Mode::ZeroDowntime
                };
            }
            (LOCK_TIMEOUT, Some(InputValue::DurationMs(ms))) => self.lock_timeout_ms = ms,
            (STATEMENT_TIMEOUT, Some(InputValue::DurationMs(ms))) => self.statement_timeout_ms = ms,
            (BATCH_SIZE, Some(InputValue::Integer(n))) => self.batch_size = n,
            (LARGE_TABLE_THRESHOLD, Some(InputValue::Integer(n))) => self.large_table_rows = n,
            _ => {}
        }
    }
}

impl Default for Settings {
    /// The settings every global default gives.
    fn default() -> Self {
        Self {
            mode: Mode::ZeroDowntime,
            lock_timeout_ms: DEFAULT_LOCK_TIMEOUT_MS,
            statement_timeout_ms: 0,
            batch_size: DEFAULT_BATCH_SIZE,
            large_table_rows: DEFAULT_LARGE_TABLE_ROWS,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::decide::answers::Answer;
    use crate::decide::facts::Facts;
    use crate::decide::walk::with_defaults;

    #[test]
    fn global_questions_are_well_formed() {
        let questions = questions();
        let ids: Vec<&str> = questions.iter().map(|q| q.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                MODE,
                LOCK_TIMEOUT,
                STATEMENT_TIMEOUT,
                BATCH_SIZE,
                LARGE_TABLE_THRESHOLD
            ]
        );
        for question in &questions {
            assert!(QuestionId::new(question.id.as_str()).is_ok());
            assert!(question.change.is_global());
            let default = question.choice(question.default.as_ref().unwrap()).unwrap();
            assert_eq!(default.input, None, "{} default takes input", question.id);
            for choice in &question.choices {
                assert!(ChoiceId::new(choice.id.as_str()).is_ok(), "{}", choice.id);
                assert!(!choice.consequence.is_empty() && !choice.label.is_empty());
            }
            assert!(question.prompt.ends_with('?'), "{}", question.prompt);
            assert!(!question.why.is_empty());
        }
    }

    #[test]
    fn defaults_give_default_settings() {
        let answers = with_defaults(&questions(), &Facts::default(), &Answers::default());
        assert_eq!(answers.len(), 5);
        let settings = Settings::from_answers(&answers).unwrap();
        assert_eq!(
            settings,
            Settings {
                mode: Mode::ZeroDowntime,
                lock_timeout_ms: 1_000,
                statement_timeout_ms: 0,
                batch_size: 10_000,
                large_table_rows: 1_000_000,
            }
        );
        assert_eq!(
            Settings::from_answers(&Answers::default()).unwrap(),
            settings
        );
    }

    fn set(answers: &mut Answers, question: &'static str, answer: Answer) {
        answers.set(
            &ChangeId::global(),
            &QuestionId::from_static(question),
            answer,
        );
    }

    #[test]
    fn custom_answers_become_settings() {
        let custom = || ChoiceId::from_static("custom");
        let mut answers = Answers::default();
        set(
            &mut answers,
            MODE,
            Answer::user(ChoiceId::from_static("maintenance-window")),
        );
        set(
            &mut answers,
            LOCK_TIMEOUT,
            Answer::user_with_input(custom(), "2s"),
        );
        set(
            &mut answers,
            STATEMENT_TIMEOUT,
            Answer::user_with_input(custom(), "30min"),
        );
        set(
            &mut answers,
            BATCH_SIZE,
            Answer::user_with_input(custom(), "5,000"),
        );
        set(
            &mut answers,
            LARGE_TABLE_THRESHOLD,
            Answer::user_with_input(custom(), "50_000"),
        );
        assert_eq!(
            Settings::from_answers(&answers).unwrap(),
            Settings {
                mode: Mode::MaintenanceWindow,
                lock_timeout_ms: 2_000,
                statement_timeout_ms: 1_800_000,
                batch_size: 5_000,
                large_table_rows: 50_000,
            }
        );
    }

    #[test]
    fn bad_global_answers_are_errors_naming_the_question() {
        let mut answers = Answers::default();
        set(
            &mut answers,
            BATCH_SIZE,
            Answer::user_with_input(ChoiceId::from_static("custom"), "10"),
        );
        let error = Settings::from_answers(&answers).unwrap_err();
        assert_eq!(
            error.to_string(),
            "in the global answers: choice `custom` of `batch-size`: 10 is out of range; \
             expected a whole number between 100 and 1,000,000"
        );
        let mut answers = Answers::default();
        set(
            &mut answers,
            MODE,
            Answer::user(ChoiceId::from_static("fast")),
        );
        assert!(Settings::from_answers(&answers).is_err());
    }
}
