//! The verdict of a verify run as plain data, and its text: one line per plan file, then the
//! end state, the untouched rows and the sample.

use std::fmt;

use crate::schema::TableRef;

use super::plan_dir::Discipline;
use super::sample::Sample;
use super::traffic::figures::{FileTraffic, TrafficSetup};

/// Everything a verify run found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The plan's name (from `plan.json`).
    pub plan: String,
    pub files: Vec<FileReport>,
    /// Differences between the schema after the last file and `desired.yaml`; `None` when the
    /// plan did not run to its end.
    pub end_state: Option<Vec<String>>,
    pub rows: Rows,
    pub sample: Sample,
    /// How the scratch database was set up for traffic; `None` without traffic.
    pub traffic: Option<TrafficSetup>,
    /// The plan's lock discipline, when it is a zero-downtime plan.
    pub discipline: Discipline,
}

/// One plan file and what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileReport {
    pub name: String,
    pub outcome: FileOutcome,
    /// What the clients saw while the file ran; `None` without traffic or for a file not run.
    pub traffic: Option<FileTraffic>,
}

impl FileReport {
    /// Whether the file fails the plan: its outcome, or the clients under traffic.
    #[must_use]
    pub fn failed(&self) -> bool {
        self.outcome.failed() || self.traffic.as_ref().is_some_and(FileTraffic::failed)
    }
}

/// How a plan file fared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileOutcome {
    /// Applied, applied again with no change, rolled back to the schema before it, applied again.
    Passed,
    /// Applied twice; it has no rollback and needs none: the schema is as before it (a backfill).
    /// The warning says what cannot be undone.
    PassedWithoutRollback { warning: Option<String> },
    /// Applied twice; the plan declares that it cannot be rolled back, and why.
    Irreversible { warning: String },
    /// A deploy gate: no SQL to run.
    Gate { requirements: usize },
    /// A statement failed at this stage.
    Failed {
        stage: Stage,
        statement: String,
        message: String,
    },
    /// Applying the file a second time changed the schema again.
    NotIdempotent { differences: Vec<String> },
    /// The rollback did not return the schema to what it was before the file.
    RollbackDiffers { differences: Vec<String> },
    /// The file changes the schema, has no rollback, and the plan does not say why.
    NoRollback,
    /// Not run: an earlier file failed.
    NotRun,
}

/// Where in a file's round a statement failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Apply,
    ApplyAgain,
    Rollback,
    ApplyAfterRollback,
}

/// Rows in untouched columns, before the first file and after the last.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rows {
    /// Tables compared whose rows are unchanged.
    pub unchanged: Vec<TableRef>,
    /// Tables compared whose rows changed, with (rows before, rows after).
    pub changed: Vec<(TableRef, i64, i64)>,
    /// Tables not compared, and why.
    pub skipped: Vec<(TableRef, String)>,
}

impl FileOutcome {
    /// Whether this outcome fails the plan.
    #[must_use]
    pub fn failed(&self) -> bool {
        matches!(
            self,
            Self::Failed { .. }
                | Self::NotIdempotent { .. }
                | Self::RollbackDiffers { .. }
                | Self::NoRollback
                | Self::NotRun
        )
    }
}

impl Report {
    /// Whether every check passed: every file (with its traffic), the end state and the rows.
    #[must_use]
    pub fn passed(&self) -> bool {
        !self.files.iter().any(FileReport::failed)
            && !self.discipline.failed()
            && self.end_state.as_ref().is_some_and(Vec::is_empty)
            && self.rows.changed.is_empty()
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Apply => "applying it",
            Self::ApplyAgain => "applying it again (it must be safe to re-run)",
            Self::Rollback => "its rollback",
            Self::ApplyAfterRollback => "applying it after its rollback",
        })
    }
}

impl fmt::Display for FileOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Passed => {
                f.write_str("ok: applied, re-run, rolled back to the schema before, re-applied")
            }
            Self::PassedWithoutRollback { warning: None } => {
                f.write_str("ok: applied and re-run; changes no schema, nothing to roll back")
            }
            Self::PassedWithoutRollback {
                warning: Some(warning),
            } => write!(f, "ok: applied and re-run; no rollback: {warning}"),
            Self::Irreversible { warning } => {
                write!(
                    f,
                    "ok: applied and re-run; cannot be rolled back (declared): {warning}"
                )
            }
            Self::Gate { requirements } => {
                write!(f, "gate: {requirements} requirement(s), not SQL")
            }
            Self::Failed {
                stage,
                statement,
                message,
            } => write!(f, "FAILED {stage}: {message}\n    in: {statement}"),
            Self::NotIdempotent { differences } => {
                write!(
                    f,
                    "FAILED: applying it again changed the schema: {}",
                    list(differences)
                )
            }
            Self::RollbackDiffers { differences } => write!(
                f,
                "FAILED: the rollback does not restore the schema: {}",
                list(differences)
            ),
            Self::NoRollback => f.write_str(
                "FAILED: it changes the schema, has no rollback, and the plan does not say why",
            ),
            Self::NotRun => f.write_str("not run: an earlier file failed"),
        }
    }
}

fn list(items: &[String]) -> String {
    items.join("; ")
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let width = self
            .files
            .iter()
            .map(|file| file.name.len())
            .chain([14])
            .max()
            .unwrap_or(14);
        for file in &self.files {
            writeln!(f, "{:width$}  {}", file.name, file.outcome)?;
            if let Some(traffic) = &file.traffic {
                let indented = traffic
                    .to_string()
                    .replace('\n', &format!("\n{:width$}  ", ""));
                writeln!(f, "{:width$}  {indented}", "")?;
            }
        }
        let end = match &self.end_state {
            None => "not checked: the plan did not run to its end".to_owned(),
            Some(differences) if differences.is_empty() => "ok: matches desired.yaml".to_owned(),
            Some(differences) => {
                format!("FAILED: differs from desired.yaml: {}", list(differences))
            }
        };
        writeln!(f, "{:width$}  {end}", "end state")?;
        writeln!(f, "{:width$}  {}", "untouched rows", self.rows_line())?;
        writeln!(
            f,
            "{:width$}  {} table(s), {} row(s) copied, {} row(s) without a referenced row deleted",
            "sample", self.sample.tables, self.sample.rows_copied, self.sample.orphans_deleted
        )?;
        if let Some(setup) = &self.traffic {
            writeln!(f, "{:width$}  {setup}", "traffic")?;
        }
        writeln!(f, "{:width$}  {}", "locks", self.discipline)?;
        let verdict = if self.passed() { "PASSED" } else { "FAILED" };
        writeln!(f, "plan {}: {verdict}", self.plan)
    }
}

impl fmt::Display for Discipline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotApplicable => {
                f.write_str("not checked: a maintenance-window plan (the application is stopped)")
            }
            Self::Unreadable(why) => write!(f, "FAILED: {why}"),
            Self::Checked(violations) if violations.is_empty() => f.write_str(
                "ok: every transaction takes its locks first, in table order, with retries; no \
                 rows are worked on under a lock that blocks clients",
            ),
            Self::Checked(violations) => write!(
                f,
                "FAILED: {} violation(s):\n  {}",
                violations.len(),
                violations.join("\n  ")
            ),
        }
    }
}

impl Report {
    fn rows_line(&self) -> String {
        if self.traffic.is_some() {
            return "not checked: the clients write rows under traffic".to_owned();
        }
        if self.end_state.is_none() {
            return "not checked: the plan did not run to its end".to_owned();
        }
        let mut line = if self.rows.changed.is_empty() {
            format!("ok: {} table(s) unchanged", self.rows.unchanged.len())
        } else {
            let changed: Vec<String> = self
                .rows
                .changed
                .iter()
                .map(|(table, before, after)| {
                    format!("{table} ({before} rows before, {after} after)")
                })
                .collect();
            format!("FAILED: rows changed in {}", changed.join(", "))
        };
        if !self.rows.skipped.is_empty() {
            let skipped: Vec<String> = self
                .rows
                .skipped
                .iter()
                .map(|(table, why)| format!("{table}: {why}"))
                .collect();
            line.push_str(&format!(" (skipped {})", skipped.join(", ")));
        }
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(files: Vec<(&str, FileOutcome)>, end_state: Option<Vec<String>>) -> Report {
        Report {
            plan: "add-email".to_owned(),
            files: files
                .into_iter()
                .map(|(name, outcome)| FileReport {
                    name: name.to_owned(),
                    outcome,
                    traffic: None,
                })
                .collect(),
            end_state,
            rows: Rows {
                unchanged: vec![TableRef::new("app", "users")],
                changed: Vec::new(),
                skipped: vec![(
                    TableRef::new("app", "orders"),
                    "a plan statement deletes from it".to_owned(),
                )],
            },
            sample: Sample {
                tables: 2,
                rows_copied: 30,
                orphans_deleted: 1,
            },
            traffic: None,
            discipline: Discipline::NotApplicable,
        }
    }

    #[test]
    fn a_passing_plan_renders_one_line_per_file_and_a_summary() {
        let report = report(
            vec![
                ("01-expand", FileOutcome::Passed),
                ("02-deploy", FileOutcome::Gate { requirements: 1 }),
                (
                    "03-contract",
                    FileOutcome::Irreversible {
                        warning: "values of email are lost".to_owned(),
                    },
                ),
            ],
            Some(Vec::new()),
        );
        assert!(report.passed());
        assert_eq!(
            report.to_string(),
            "01-expand       ok: applied, re-run, rolled back to the schema before, re-applied\n\
             02-deploy       gate: 1 requirement(s), not SQL\n\
             03-contract     ok: applied and re-run; cannot be rolled back (declared): values of email are lost\n\
             end state       ok: matches desired.yaml\n\
             untouched rows  ok: 1 table(s) unchanged (skipped app.orders: a plan statement deletes from it)\n\
             sample          2 table(s), 30 row(s) copied, 1 row(s) without a referenced row deleted\n\
             locks           not checked: a maintenance-window plan (the application is stopped)\n\
             plan add-email: PASSED\n"
        );
    }

    #[test]
    fn any_failed_check_fails_the_plan() {
        let failing = [
            FileOutcome::RollbackDiffers {
                differences: vec!["table app.t: column c unexpected".to_owned()],
            },
            FileOutcome::NotIdempotent {
                differences: vec!["x".to_owned()],
            },
            FileOutcome::NoRollback,
            FileOutcome::NotRun,
        ];
        for outcome in failing {
            assert!(
                !report(vec![("01", outcome.clone())], Some(Vec::new())).passed(),
                "{outcome}"
            );
        }
        assert!(
            !report(
                vec![("01", FileOutcome::Passed)],
                Some(vec!["d".to_owned()])
            )
            .passed()
        );
        assert!(!report(vec![("01", FileOutcome::Passed)], None).passed());
        let mut changed = report(vec![("01", FileOutcome::Passed)], Some(Vec::new()));
        changed
            .rows
            .changed
            .push((TableRef::new("app", "users"), 3, 2));
        assert!(!changed.passed());
        assert!(
            changed
                .to_string()
                .contains("FAILED: rows changed in app.users (3 rows before, 2 after)")
        );
    }

    #[test]
    fn a_failure_names_the_stage_the_statement_and_the_reason() {
        let outcome = FileOutcome::Failed {
            stage: Stage::ApplyAgain,
            statement: "ALTER TABLE t ADD COLUMN c int".to_owned(),
            message: "column \"c\" of relation \"t\" already exists".to_owned(),
        };
        assert_eq!(
            outcome.to_string(),
            "FAILED applying it again (it must be safe to re-run): column \"c\" of relation \"t\" \
             already exists\n    in: ALTER TABLE t ADD COLUMN c int"
        );
    }
}
