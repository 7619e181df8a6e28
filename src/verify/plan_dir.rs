//! A plan folder as `verify` reads it: the files of `plan.json` (only what running them needs)
//! and the desired schema of `desired.yaml`.

use std::path::Path;

use serde::Deserialize;

use crate::output::plan_files::PLAN_JSON_FORMAT;
pub use crate::plan::FileKind;
use crate::source::yaml::{self, Desired};

use super::VerifyError;

/// The parts of `plan.json` that `verify` runs.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PlanJson {
    pub format: u32,
    pub name: String,
    pub files: Vec<PlanFile>,
}

/// One file of the plan, as `plan.json` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PlanFile {
    pub name: String,
    /// `expand`, `backfill`, `validate`, `deploy`, `contract`…; older plans leave it out, and
    /// [`PlanFile::phase`] reads it from the name then.
    #[serde(default)]
    pub phase: Option<String>,
    pub kind: FileKind,
    pub lock_timeout_ms: u64,
    pub statement_timeout_ms: u64,
    /// The longest a client may have to wait because of this file; 0 or absent: see
    /// [`PlanFile::budget`].
    #[serde(default)]
    pub budget_ms: u64,
    #[serde(default)]
    pub statements: Vec<Sql>,
    #[serde(default)]
    pub rollback: Vec<Sql>,
    /// (change, warning) pairs: what the rollback cannot bring back.
    #[serde(default)]
    pub rollback_warnings: Vec<(serde_json::Value, String)>,
    /// (change, requirement) pairs of a deploy gate.
    #[serde(default)]
    pub gates: Vec<(serde_json::Value, String)>,
}

/// A statement's SQL, without its final `;`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Sql {
    pub sql: String,
    /// The id of the change the statement belongs to (`public.orders.orders_customer_id_fkey`).
    #[serde(default)]
    pub change: String,
}

impl PlanFile {
    /// The file's phase: the `phase` field, else the word after the number in its name
    /// (`03-expand-concurrently` → `expand`).
    #[must_use]
    pub fn phase(&self) -> &str {
        match &self.phase {
            Some(phase) => phase,
            None => self.name.split('-').nth(1).unwrap_or_default(),
        }
    }

    /// The longest a client may wait because of this file: its `budget_ms`, else its lock
    /// timeout plus a second (a statement may wait that long for its lock, and the clients
    /// queued behind it with it).
    #[must_use]
    pub fn budget(&self) -> u64 {
        if self.budget_ms > 0 {
            self.budget_ms
        } else {
            self.lock_timeout_ms.saturating_add(1_000)
        }
    }

    /// The rollback warnings, one text each.
    #[must_use]
    pub fn warnings(&self) -> Vec<&str> {
        self.rollback_warnings
            .iter()
            .map(|(_, warning)| warning.as_str())
            .collect()
    }
}

/// A plan folder's plan and desired schema.
#[derive(Debug, Clone)]
pub struct PlanDir {
    pub plan: PlanJson,
    pub desired: Desired,
    pub discipline: Discipline,
}

/// The lock discipline of a plan, as `verify` finds it in `plan.json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Discipline {
    /// Not a zero-downtime plan: the application is stopped while it runs.
    NotApplicable,
    /// A zero-downtime plan whose statements could not be read with their locks and work.
    Unreadable(String),
    /// A zero-downtime plan, checked: every violation found (none: it holds).
    Checked(Vec<String>),
}

impl Discipline {
    /// Whether the plan fails verification on its discipline.
    #[must_use]
    pub fn failed(&self) -> bool {
        match self {
            Self::NotApplicable => false,
            Self::Unreadable(_) => true,
            Self::Checked(violations) => !violations.is_empty(),
        }
    }
}

/// The parts of `plan.json` the lock-discipline check reads.
#[derive(Deserialize)]
struct LockedPlan {
    #[serde(default)]
    settings: ModeSetting,
    files: serde_json::Value,
}

#[derive(Default, Deserialize)]
struct ModeSetting {
    #[serde(default)]
    mode: Option<String>,
}

/// The lock discipline of the plan in `text` (`plan.json`): checked when it is a zero-downtime
/// plan, from each statement's recorded locks, tables and work.
#[must_use]
pub fn discipline(text: &str) -> Discipline {
    let Ok(plan) = serde_json::from_str::<LockedPlan>(text) else {
        return Discipline::Unreadable("plan.json is not a plan".to_owned());
    };
    if plan.settings.mode.as_deref() != Some("zero-downtime") {
        return Discipline::NotApplicable;
    }
    match serde_json::from_value::<Vec<crate::plan::PlanFile>>(plan.files) {
        Ok(files) => Discipline::Checked(
            crate::plan::discipline::check(&files)
                .iter()
                .map(ToString::to_string)
                .collect(),
        ),
        Err(error) => Discipline::Unreadable(format!(
            "its statements' locks, tables and work could not be read: {error}"
        )),
    }
}

/// Reads `plan.json` and `desired.yaml` from `dir`.
///
/// # Errors
/// [`VerifyError::NotAPlan`] when either is missing or `plan.json` is not a plan this version
/// reads; [`VerifyError::Desired`] when `desired.yaml` is not a valid schema file.
pub fn read(dir: &Path) -> Result<PlanDir, VerifyError> {
    let json_path = dir.join("plan.json");
    let text =
        std::fs::read_to_string(&json_path).map_err(|error| not_a_plan(dir, &json_path, &error))?;
    let plan = parse_plan_json(&text).map_err(|reason| VerifyError::NotAPlan {
        dir: dir.to_path_buf(),
        reason: format!("plan.json: {reason}"),
    })?;
    let desired_path = dir.join("desired.yaml");
    if !desired_path.is_file() {
        return Err(VerifyError::NotAPlan {
            dir: dir.to_path_buf(),
            reason: "desired.yaml is missing".to_owned(),
        });
    }
    let desired = yaml::load(&desired_path)?;
    let discipline = discipline(&text);
    Ok(PlanDir {
        plan,
        desired,
        discipline,
    })
}

fn not_a_plan(dir: &Path, path: &Path, error: &std::io::Error) -> VerifyError {
    let reason = if error.kind() == std::io::ErrorKind::NotFound {
        "plan.json is missing".to_owned()
    } else {
        format!("{}: {error}", path.display())
    };
    VerifyError::NotAPlan {
        dir: dir.to_path_buf(),
        reason,
    }
}

/// Parses `plan.json`, refusing a format this version does not know.
///
/// # Errors
/// The reason, for the message.
pub fn parse_plan_json(text: &str) -> Result<PlanJson, String> {
    let plan: PlanJson = serde_json::from_str(text).map_err(|error| error.to_string())?;
    if plan.format != PLAN_JSON_FORMAT {
        return Err(format!(
            "format {} (this version of pgphase reads format {PLAN_JSON_FORMAT})",
            plan.format
        ));
    }
    Ok(plan)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    const PLAN: &str = r#"{
      "format": 1, "name": "p", "settings": {}, "answers": {}, "changes": [],
      "files": [
        {"name": "01-expand", "phase": "expand", "kind": "transaction", "lock_timeout_ms": 5000,
         "statement_timeout_ms": 0,
         "statements": [{"change": "a", "sql": "ALTER TABLE t ADD COLUMN IF NOT EXISTS c int",
                         "lock": "access-exclusive", "work": "metadata", "rows": null, "note": ""}],
         "rollback": [{"change": "a", "sql": "ALTER TABLE t DROP COLUMN IF EXISTS c"}],
         "rollback_warnings": [["a", "values written to c are lost"]], "gates": []},
        {"name": "02-deploy", "phase": "deploy", "kind": "gate", "lock_timeout_ms": 5000,
         "statement_timeout_ms": 0, "statements": [], "rollback": [], "rollback_warnings": [],
         "gates": [["a", "the application writes c"]]}
      ]
    }"#;

    #[test]
    fn reads_the_files_their_sql_and_warnings() {
        let plan = parse_plan_json(PLAN).unwrap();
        assert_eq!(plan.name, "p");
        assert_eq!(plan.files.len(), 2);
        let first = &plan.files[0];
        assert_eq!(first.kind, FileKind::Transaction);
        assert_eq!(
            first.statements[0].sql,
            "ALTER TABLE t ADD COLUMN IF NOT EXISTS c int"
        );
        assert_eq!(
            first.rollback[0].sql,
            "ALTER TABLE t DROP COLUMN IF EXISTS c"
        );
        assert_eq!(first.warnings(), vec!["values written to c are lost"]);
        assert_eq!(plan.files[1].kind, FileKind::Gate);
        assert_eq!(plan.files[1].gates.len(), 1);
    }

    #[test]
    fn the_phase_comes_from_the_field_else_the_name() {
        let mut plan = parse_plan_json(PLAN).unwrap();
        assert_eq!(plan.files[0].phase(), "expand");
        assert_eq!(plan.files[1].phase(), "deploy");
        plan.files[0].phase = None;
        plan.files[0].name = "08-contract-no-transaction".to_owned();
        assert_eq!(plan.files[0].phase(), "contract");
    }

    #[test]
    fn the_budget_is_the_plans_else_the_lock_timeout_and_a_second() {
        let mut plan = parse_plan_json(PLAN).unwrap();
        assert_eq!(plan.files[0].budget_ms, 0);
        assert_eq!(plan.files[0].budget(), 6_000);
        let with_budget = PLAN.replace(
            "\"statement_timeout_ms\": 0,\n         \"statements\"",
            "\"statement_timeout_ms\": 0, \"budget_ms\": 250,\n         \"statements\"",
        );
        plan = parse_plan_json(&with_budget).unwrap();
        assert_eq!(plan.files[0].budget(), 250);
    }

    #[test]
    fn refuses_another_format_and_broken_json() {
        let later = PLAN.replace("\"format\": 1", "\"format\": 7");
        assert!(parse_plan_json(&later).unwrap_err().contains("format 7"));
        assert!(parse_plan_json("{").is_err());
        assert!(
            parse_plan_json("{\"format\": 1}")
                .unwrap_err()
                .contains("missing field")
        );
    }

    /// A zero-downtime plan as pgphase writes it: an FK added NOT VALID, orphans fixed,
    /// validated.
    const ZERO_DOWNTIME: &str =
        include_str!("../../tests/golden/add_foreign_key_set_null/plan/plan.json");

    #[test]
    fn a_zero_downtime_plan_is_held_to_the_lock_discipline() {
        assert_eq!(discipline(ZERO_DOWNTIME), Discipline::Checked(Vec::new()));
        // The same plan with its lock prologues taken out: blocking locks without retries.
        let mut plan: serde_json::Value = serde_json::from_str(ZERO_DOWNTIME).unwrap();
        for file in plan["files"].as_array_mut().unwrap() {
            if file["kind"] == "transaction" {
                file["statements"].as_array_mut().unwrap().remove(0);
            }
        }
        let Discipline::Checked(violations) = discipline(&plan.to_string()) else {
            panic!("not checked");
        };
        assert!(!violations.is_empty());
        assert!(
            violations.iter().all(|v| v.contains("retr")),
            "{violations:?}"
        );
    }

    #[test]
    fn a_window_plan_is_not_checked_and_a_plan_without_lock_data_fails() {
        assert_eq!(discipline(PLAN), Discipline::NotApplicable);
        let window = ZERO_DOWNTIME.replace("\"zero-downtime\"", "\"maintenance-window\"");
        assert_eq!(discipline(&window), Discipline::NotApplicable);
        let bare = PLAN.replace(
            "\"settings\": {}",
            "\"settings\": {\"mode\": \"zero-downtime\"}",
        );
        assert!(matches!(discipline(&bare), Discipline::Unreadable(_)));
        assert!(discipline(&bare).failed());
    }
}
