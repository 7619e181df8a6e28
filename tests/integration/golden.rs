//! Golden scenarios: `tests/golden/<name>/` holds `before.sql` (a database with rows),
//! `desired.yaml`, `answers.yaml` (the answers given; the rest take their defaults) and
//! `plan/`, the plan folder pgphase must write. Each scenario is planned against a real
//! database and compared file by file (`PGPHASE_BLESS=1` rewrites `plan/`, to be reviewed as a
//! diff); replayed from its own `decisions.yaml`, which must give the same bytes; checked for
//! blocking locks when it is a zero-downtime plan; and proven on a scratch copy.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use pgphase::count::Counting;
use pgphase::decide::{Answers, Mode};
use pgphase::diff::Change;
use pgphase::plan::{self, Plan};
use pgphase::session::Session;
use pgphase::shadow::Shadow;
use pgphase::source::postgres::{self, IntrospectOptions};
use pgphase::source::yaml;
use pgphase::step::{Lock, Work};
use pgphase::verify::{Report, Scratch, TrafficOptions, VerifyOptions, verify};

use crate::common::{TestDb, server};

/// Everything one scenario produced.
pub struct Outcome {
    pub plan: Plan,
    pub changes: Vec<Change>,
    pub files: BTreeMap<PathBuf, String>,
}

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// Plans scenario `name` against `db` (already holding `before.sql`).
pub async fn plan_scenario(
    dir: &Path,
    name: &str,
    db: &TestDb,
    answers: &Answers,
    defaults: bool,
) -> Outcome {
    let desired = DesiredText::load(&dir.join("desired.yaml"));
    plan_desired(name, db, &desired, answers, defaults).await
}

/// A desired file's text and what it says: a plan's `desired.yaml` is the text.
pub struct DesiredText {
    pub text: String,
    pub desired: yaml::Desired,
}

impl DesiredText {
    pub fn parse(text: String, name: &str) -> Self {
        let desired = yaml::parse(&text, name).unwrap_or_else(|e| panic!("{name}: {e}"));
        Self { text, desired }
    }

    pub fn load(path: &Path) -> Self {
        let text = std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        Self::parse(text, &path.display().to_string())
    }
}

/// Plans the change from `db` to `desired`, as `pgphase plan` does with a shadow database on
/// the test server.
pub async fn plan_desired(
    name: &str,
    db: &TestDb,
    desired: &DesiredText,
    answers: &Answers,
    defaults: bool,
) -> Outcome {
    plan_with_counting(name, db, desired, answers, defaults, Counting::Off).await
}

/// As [`plan_desired`], counting on `db` as `pgphase plan` does unless `counting` is off.
pub async fn plan_with_counting(
    name: &str,
    db: &TestDb,
    desired: &DesiredText,
    answers: &Answers,
    defaults: bool,
    counting: Counting,
) -> Outcome {
    let live = postgres::read_live(
        &db.connect_options(),
        &IntrospectOptions::default(),
        &mut |_| {},
    )
    .await
    .unwrap_or_else(|e| panic!("{name}: introspecting: {e}"));
    let shadow = Shadow::Url(server().admin_url.clone());
    let planned = db.connect_options();
    // As `pgphase plan` does.
    let mut session = Session::compare(
        live,
        desired.desired.clone(),
        &shadow,
        Some(&planned),
        &mut |_| {},
    )
    .await
    .unwrap_or_else(|e| panic!("{name}: canonicalising the desired schema: {e}"));
    if counting != Counting::Off {
        session
            .count(&planned, counting, &mut |_| {})
            .await
            .unwrap_or_else(|e| panic!("{name}: counting: {e}"));
    }
    let plan = session
        .plan(answers, defaults)
        .unwrap_or_else(|e| panic!("{name}: planning: {e}"));
    let file = yaml::DesiredFile::Text(desired.text.as_str().into());
    let files = pgphase::output::plan_files::render(name, &plan, &file)
        .unwrap_or_else(|e| panic!("{name}: rendering: {e}"));
    Outcome {
        plan,
        changes: session.changes,
        files,
    }
}

/// Runs scenario `name` end to end.
pub async fn run(name: &str) {
    let dir = golden_dir().join(name);
    let db = TestDb::new().await;
    db.execute(&read(&dir.join("before.sql"))).await;
    db.execute("ANALYZE").await;
    let answers: Answers = yaml::from_text(&read(&dir.join("answers.yaml")), "answers.yaml")
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let outcome = plan_scenario(&dir, name, &db, &answers, true).await;
    compare_or_bless(&dir.join("plan"), &outcome.files);

    let decisions = outcome
        .files
        .get(Path::new("decisions.yaml"))
        .expect("decisions.yaml");
    let replayed: Answers = yaml::from_text(decisions, "decisions.yaml").unwrap();
    let again = plan_scenario(&dir, name, &db, &replayed, false).await;
    assert!(
        again.files == outcome.files,
        "{name}: replaying decisions.yaml with `plan --answers` gave different files"
    );

    if outcome.plan.settings.mode == Mode::ZeroDowntime {
        let problems = blocking_statements(&outcome.plan, &outcome.changes);
        assert!(
            problems.is_empty(),
            "{name}: a zero-downtime plan blocks the application:\n{}",
            problems.join("\n")
        );
        let violations = plan::discipline::check(&outcome.plan.files);
        assert!(
            violations.is_empty(),
            "{name}: the plan breaks the lock discipline:\n{}",
            violations
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    let traffic = (outcome.plan.settings.mode == Mode::ZeroDowntime).then(golden_traffic);
    prove(name, &outcome.files, &db, traffic).await;
}

/// The application traffic every zero-downtime golden plan must survive: small tables keep the
/// suite fast, enough rows that a backfill takes several batches.
pub fn golden_traffic() -> TrafficOptions {
    TrafficOptions {
        rows: 2_000,
        ..TrafficOptions::default()
    }
}

/// Writes the plan to a temporary folder and proves it with `verify` on a scratch copy of
/// `db` holding all its rows.
pub async fn prove(
    name: &str,
    files: &BTreeMap<PathBuf, String>,
    db: &TestDb,
    traffic: Option<TrafficOptions>,
) {
    let report = verify_plan(name, files, db, traffic).await;
    assert!(report.passed(), "{name}: verify failed:\n{report}");
}

/// `verify`'s report on the plan, written to a temporary folder, on a scratch copy of `db`.
pub async fn verify_plan(
    name: &str,
    files: &BTreeMap<PathBuf, String>,
    db: &TestDb,
    traffic: Option<TrafficOptions>,
) -> Report {
    let folder = tempfile::tempdir().unwrap();
    let dir = folder.path().join(name);
    pgphase::output::write_plan_folder(&dir, files, false).unwrap();
    let options = VerifyOptions {
        sample_rows: 10_000_000,
        traffic,
        ..VerifyOptions::default()
    };
    let scratch = Scratch::Url(server().admin_url.clone());
    verify(&dir, &db.connect_options(), &scratch, &options, &mut |_| {})
        .await
        .unwrap_or_else(|e| panic!("{name}: verify: {e}"))
}

/// Maintenance-window plans assume the application is stopped. Run under the same traffic as
/// the zero-downtime plans, they fail it: a column renamed in place breaks every query of the
/// old code at once, and a NOT NULL column whose temporary default is dropped in the same file
/// fails every insert of code that does not know the column.
#[tokio::test(flavor = "multi_thread")]
async fn window_plans_fail_under_traffic() {
    for (name, sqlstate) in [
        ("rename_column_in_place", "42703"),
        ("add_column_fill_default", "23502"),
    ] {
        let dir = golden_dir().join(name);
        let db = TestDb::new().await;
        db.execute(&read(&dir.join("before.sql"))).await;
        db.execute("ANALYZE").await;
        let answers: Answers = yaml::from_text(
            &format!(
                "global:\n  mode: {{ choice: maintenance-window }}\n{}",
                read(&dir.join("answers.yaml"))
                    .lines()
                    .filter(|l| !l.starts_with("global:") && !l.starts_with("  mode:"))
                    .collect::<Vec<_>>()
                    .join("\n")
            ),
            "answers.yaml",
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        let outcome = plan_scenario(&dir, name, &db, &answers, true).await;
        assert_eq!(outcome.plan.settings.mode, Mode::MaintenanceWindow);
        let report = verify_plan(name, &outcome.files, &db, Some(golden_traffic())).await;
        assert!(!report.passed(), "{name}: passed under traffic:\n{report}");
        let codes: Vec<&str> = report
            .files
            .iter()
            .filter_map(|f| f.traffic.as_ref())
            .flat_map(|t| &t.errors)
            .map(|e| e.code.as_str())
            .collect();
        assert!(codes.contains(&sqlstate), "{name}: {codes:?}\n{report}");
        // Without traffic the same plan is sound.
        assert!(verify_plan(name, &outcome.files, &db, None).await.passed());
    }
}

/// Statements of a zero-downtime plan that would hold a lock blocking the application while
/// they scan or write a table, or that PostgreSQL runs that way whatever the plan says of them.
pub fn blocking_statements(plan: &Plan, changes: &[Change]) -> Vec<String> {
    let on_existing: BTreeMap<String, bool> = changes
        .iter()
        .map(|c| (c.id().to_string(), c.altered_table().is_some()))
        .collect();
    let mut problems = Vec::new();
    // A check validated in an earlier file (its own transaction) proves the column for SET NOT
    // NULL in a later one.
    let mut validated = false;
    for file in &plan.files {
        for planned in &file.statements {
            let statement = &planned.statement;
            let sql = statement.sql.to_uppercase();
            let existing = on_existing
                .get(planned.change.as_str())
                .copied()
                .unwrap_or(false);
            let mut problem = None;
            if statement.lock >= Lock::Share && statement.work != Work::Metadata {
                problem = Some("holds a blocking lock while it scans or writes");
            } else if existing
                && sql.contains("CREATE ")
                && sql.contains(" INDEX ")
                && !sql.contains("CONCURRENTLY")
            {
                problem = Some("builds an index without CONCURRENTLY");
            } else if existing
                && sql.contains("ADD CONSTRAINT")
                && (sql.contains("FOREIGN KEY") || sql.contains(" CHECK "))
                && !sql.contains("NOT VALID")
            {
                problem = Some("adds a constraint that is validated at once");
            } else if existing && sql.contains("SET NOT NULL") && !validated {
                problem = Some("sets NOT NULL without a validated check first");
            }
            validated |= sql.contains("VALIDATE CONSTRAINT");
            if let Some(problem) = problem {
                problems.push(format!(
                    "{} ({}): {problem}: {}",
                    file.name, planned.change, statement.sql
                ));
            }
        }
    }
    problems
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Compares the rendered files with the folder, or rewrites the folder under `PGPHASE_BLESS=1`.
pub fn compare_or_bless(folder: &Path, files: &BTreeMap<PathBuf, String>) {
    if std::env::var_os("PGPHASE_BLESS").is_some() {
        let _ = std::fs::remove_dir_all(folder);
        for (path, text) in files {
            let target = folder.join(path);
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::write(target, text).unwrap();
        }
        return;
    }
    let on_disk = read_folder(folder);
    let mut report = String::new();
    for (path, text) in files {
        match on_disk.get(path) {
            None => report.push_str(&format!(
                "missing in {}: {}\n",
                folder.display(),
                path.display()
            )),
            Some(expected) if expected != text => {
                let diff = similar::TextDiff::from_lines(expected, text);
                report.push_str(&format!(
                    "{} differs:\n{}\n",
                    path.display(),
                    diff.unified_diff().header("expected", "actual")
                ));
            }
            Some(_) => {}
        }
    }
    for path in on_disk.keys().filter(|p| !files.contains_key(*p)) {
        report.push_str(&format!("not written any more: {}\n", path.display()));
    }
    assert!(
        report.is_empty(),
        "the plan differs from {} (PGPHASE_BLESS=1 rewrites it; review the diff):\n{report}",
        folder.display()
    );
}

fn read_folder(folder: &Path) -> BTreeMap<PathBuf, String> {
    let mut files = BTreeMap::new();
    let mut pending = vec![folder.to_owned()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let relative = path.strip_prefix(folder).unwrap().to_owned();
                files.insert(relative, read(&path));
            }
        }
    }
    files
}

/// The scenarios, one test each (so they run in parallel and fail by name).
macro_rules! scenarios {
    ($($name:ident),* $(,)?) => {
        const SCENARIOS: &[&str] = &[$(stringify!($name)),*];
        $(
            #[tokio::test(flavor = "multi_thread")]
            async fn $name() {
                run(stringify!($name)).await;
            }
        )*
    };
}

scenarios!(
    add_check_validate,
    add_check_window,
    add_column_fill_backfill,
    add_column_fill_default,
    add_column_fill_expect_empty,
    add_column_nullable_constant_default,
    add_column_stable_default_now,
    add_column_volatile_default,
    add_column_volatile_default_window,
    add_enum_value_shipped,
    add_exclusion_window,
    add_foreign_key_composite_new_unique,
    add_foreign_key_composite_new_unique_window,
    add_foreign_key_delete_orphans,
    add_foreign_key_fix_first_no_index,
    add_foreign_key_set_null,
    add_index_concurrently,
    add_index_window,
    add_primary_key_nullable,
    add_unique_delete_duplicates,
    add_unique_fix_first,
    change_column_type_binary_coercible,
    change_column_type_int_to_bigint_batched,
    change_column_type_text_to_integer_window,
    change_column_type_worker_backfill,
    change_index_partial,
    change_primary_key_bigint_referenced,
    change_primary_key_bigint_referenced_window,
    comments_and_policies,
    create_table_with_index_check,
    drop_column_gate_contract,
    drop_constraint_check_unique,
    drop_default_status,
    drop_index_unused,
    drop_not_null_email,
    drop_table_archive,
    drop_table_drop,
    drop_table_owned_sequence,
    extension_and_schemas,
    function_trigger_create,
    function_trigger_replace_drop,
    identity_options,
    identity_options_window,
    recreate_view_dropped_column,
    recreate_view_retyped_column,
    rename_column_drop_and_add,
    rename_column_hinted_expand_contract,
    rename_column_in_place,
    rename_enum_value_cancelled,
    rename_table_hinted_view,
    rename_table_in_place,
    rename_table_read_by_views,
    rename_table_read_by_views_window,
    replace_enum_drop_label,
    replace_enum_partial_index,
    replace_enum_reorder,
    sequence_create_alter_drop,
    set_default_score,
    set_not_null_fix_first,
    set_not_null_window,
    set_not_null_zero_downtime,
    views_create_replace_drop,
);

#[test]
fn every_scenario_folder_has_a_test() {
    let mut folders: Vec<String> = std::fs::read_dir(golden_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| !name.starts_with('.') && name != "README.md")
        .collect();
    folders.sort();
    let mut listed: Vec<String> = SCENARIOS.iter().map(|s| (*s).to_owned()).collect();
    listed.sort();
    assert_eq!(folders, listed);
}
