//! Helpers for the rules' tests: schemas from short YAML, a context over them, and steps
//! rendered as text for inline snapshots.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fmt::Write as _;

use crate::decide::{Answer, Answers, ChangeId, ChoiceId, Facts, QuestionId, Settings};
use crate::diff::Change;
use crate::diff::change::{ChangeKind, Subject, change_id};
use crate::schema::{RelationKind, Stats, TableStats};
use crate::schema::{Schema, TableRef};
use crate::step::{Action, Backfill, BackfillOperation, Rollback, Step};

use super::{Context, Decisions, Rule};

/// A schema from the body of a desired-schema file (`schemas:` and below, without the
/// `pgphase: 1` line).
pub fn schema(yaml: &str) -> Schema {
    crate::source::yaml::parse(&format!("pgphase: 1\n{yaml}"), "test.yaml")
        .expect("test schema")
        .schema
}

/// Statistics giving each listed table an estimated row count.
pub fn stats(rows: &[(&str, i64)]) -> Stats {
    let mut stats = Stats::default();
    for (name, rows) in rows {
        let (schema, table) = name.split_once('.').expect("schema.table");
        stats.tables.insert(
            TableRef::new(schema, table),
            TableStats {
                kind: RelationKind::Table,
                estimated_rows: Some(*rows),
                total_bytes: rows * 100,
            },
        );
    }
    stats
}

/// A change or a change's payload: what answers are recorded for.
pub trait Identified {
    fn change_id(&self) -> ChangeId;
}

impl Identified for Change {
    fn change_id(&self) -> ChangeId {
        self.id()
    }
}

impl<C: ChangeKind> Identified for C {
    fn change_id(&self) -> ChangeId {
        change_id(C::KIND, self.object())
    }
}

/// Everything a rule's test needs, owned.
#[derive(Clone)]
pub struct Fixture {
    pub live: Schema,
    pub desired: Schema,
    pub stats: Stats,
    pub facts: Facts,
    pub settings: Settings,
    pub answers: Answers,
}

impl Fixture {
    pub fn new(live: &str, desired: &str) -> Self {
        Self {
            live: schema(live),
            desired: schema(desired),
            stats: Stats::default(),
            facts: Facts::default(),
            settings: Settings::default(),
            answers: Answers::default(),
        }
    }

    pub fn with_rows(mut self, rows: &[(&str, i64)]) -> Self {
        self.stats = stats(rows);
        self
    }

    pub fn window(mut self) -> Self {
        self.settings.mode = crate::decide::Mode::MaintenanceWindow;
        self
    }

    /// Records the answer `choice` (with `input`) to `question` for `change`.
    pub fn answer(
        mut self,
        change: &impl Identified,
        question: &str,
        choice: &str,
        input: Option<&str>,
    ) -> Self {
        let choice = ChoiceId::new(choice).unwrap();
        let answer = match input {
            Some(text) => Answer::user_with_input(choice, text),
            None => Answer::user(choice),
        };
        let id = change.change_id();
        self.answers
            .set(&id, &QuestionId::new(question).unwrap(), answer);
        self
    }

    pub fn context(&self) -> Context<'_> {
        Context {
            live: &self.live,
            desired: &self.desired,
            stats: &self.stats,
            facts: &self.facts,
        }
    }

    /// The rule's steps for `change` with the recorded answers.
    pub fn steps<R: Rule>(&self, rule: &R, change: &R::Change) -> Vec<Step> {
        let id = change_id(R::Change::KIND, change.object());
        let decisions = Decisions {
            settings: &self.settings,
            answers: &self.answers,
            change: &id,
        };
        rule.steps(change, &self.context(), &decisions)
    }

    /// The rule's steps for `change`, rendered by [`steps_text`].
    pub fn steps_text<R: Rule>(&self, rule: &R, change: &R::Change) -> String {
        steps_text(&self.steps(rule, change))
    }
}

/// Steps as text: one block per step with its phase, how it runs, each statement with its
/// lock and work, and its rollback.
pub fn steps_text(steps: &[Step]) -> String {
    let mut out = String::new();
    for step in steps {
        let _ = writeln!(out, "== {} ({:?})", step.phase, step.runs);
        for (table, column) in &step.alters_columns {
            let _ = writeln!(out, "alters {table}.{column}");
        }
        match &step.action {
            Action::Sql {
                statements,
                rollback,
            } => {
                for statement in statements {
                    let _ = writeln!(
                        out,
                        "{};  -- {}, {}",
                        statement.sql,
                        statement.lock.sql_name(),
                        statement.work
                    );
                }
                write_rollback(&mut out, rollback);
            }
            Action::Backfill(backfill) => write_backfill(&mut out, backfill),
            Action::Gate { requirement } => {
                let _ = writeln!(out, "gate: {requirement}");
            }
        }
    }
    out
}

fn write_backfill(out: &mut String, backfill: &Backfill) {
    let what = match &backfill.operation {
        BackfillOperation::Update { assignments } => format!("update set {assignments}"),
        BackfillOperation::Delete => "delete".to_owned(),
    };
    let _ = writeln!(
        out,
        "backfill {} {what} where {}",
        backfill.table, backfill.pending
    );
    write_rollback(out, &backfill.rollback);
}

fn write_rollback(out: &mut String, rollback: &Rollback) {
    for statement in &rollback.statements {
        let _ = writeln!(out, "rollback: {};", statement.sql);
    }
    if let Some(warning) = &rollback.warning {
        let _ = writeln!(out, "rollback warning: {warning}");
    }
}
