//! `verify` on hand-written plan folders against a live test database, with the scratch
//! database on the test server: a sound plan passes (sample rows copied, orphans removed, the
//! scratch database dropped), and a rollback that does not restore, a file that cannot be
//! re-run, an end state that differs from desired.yaml and a change to untouched rows are each
//! found; a folder that is not a plan is an error.

use std::path::Path;

use pgphase::source::yaml;
use pgphase::verify::{FileOutcome, Report, Scratch, Stage, VerifyError, VerifyOptions, verify};
use serde_json::{Value, json};

use crate::common::{TestDb, connect, server};
use crate::live::introspect_url;

/// The live database of every test: users with an identity key, orders referencing them, and
/// a sequence that has been used.
pub(crate) const LIVE: &str = "
CREATE TABLE public.users (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL
);
CREATE TABLE public.orders (
    id bigint PRIMARY KEY,
    user_id bigint REFERENCES public.users (id),
    total numeric(12,2) NOT NULL DEFAULT 0
);
INSERT INTO public.users (name) SELECT 'user ' || g FROM generate_series(1, 5) AS g;
INSERT INTO public.orders SELECT g, g, g * 10 FROM generate_series(1, 5) AS g;
CREATE SEQUENCE public.invoice_numbers START 100;
SELECT nextval('public.invoice_numbers') FROM generate_series(1, 3);
";

pub(crate) const ADD_EMAIL: &str = "ALTER TABLE public.users ADD COLUMN IF NOT EXISTS email text";
pub(crate) const DROP_EMAIL: &str = "ALTER TABLE public.users DROP COLUMN IF EXISTS email";
const ADD_INDEX: &str =
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx ON public.users (email)";
const DROP_INDEX: &str = "DROP INDEX CONCURRENTLY IF EXISTS public.users_email_idx";
const FILL_EMAIL: &str =
    "UPDATE public.users SET email = name || '@example.org' WHERE email IS NULL";

fn statements(sql: &[&str]) -> Value {
    Value::Array(
        sql.iter()
            .map(|s| json!({ "change": "c", "sql": s }))
            .collect(),
    )
}

pub(crate) fn file(
    name: &str,
    kind: &str,
    sql: &[&str],
    rollback: &[&str],
    warnings: &[&str],
) -> Value {
    json!({
        "name": name,
        "phase": "expand",
        "kind": kind,
        "lock_timeout_ms": 5000,
        "statement_timeout_ms": 0,
        "statements": statements(sql),
        "rollback": statements(rollback),
        "rollback_warnings": warnings.iter().map(|w| json!(["c", w])).collect::<Vec<_>>(),
        "gates": [],
    })
}

pub(crate) fn gate(name: &str) -> Value {
    json!({
        "name": name, "phase": "deploy", "kind": "gate", "lock_timeout_ms": 5000,
        "statement_timeout_ms": 0, "statements": [], "rollback": [], "rollback_warnings": [],
        "gates": [["c", "the application writes email"]],
    })
}

/// The desired schema: the live one changed by `change`, made in a database of its own and
/// written as `pgphase snapshot` writes it.
pub(crate) async fn desired_yaml(change: &str) -> String {
    let db = TestDb::new().await;
    db.execute(LIVE).await;
    db.execute(change).await;
    let schema = introspect_url(&db.url).await;
    drop_database(&db.name).await;
    yaml::write(&schema)
}

/// A plan folder with these files and this desired schema.
pub(crate) fn plan_folder(files: Vec<Value>, desired: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let plan = json!({ "format": 1, "name": "add-email", "files": files });
    std::fs::write(dir.path().join("plan.json"), plan.to_string()).unwrap();
    std::fs::write(dir.path().join("desired.yaml"), desired).unwrap();
    dir
}

pub(crate) async fn drop_database(name: &str) {
    let admin = connect(&server().admin_url).await;
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await
        .unwrap();
}

/// Verifies `dir` against a fresh live database, returning the result and the progress lines.
async fn run(dir: &Path, sample_rows: u64) -> (Result<Report, VerifyError>, Vec<String>) {
    let live = TestDb::new().await;
    live.execute(LIVE).await;
    let mut lines = Vec::new();
    let options = VerifyOptions {
        sample_rows,
        ..VerifyOptions::default()
    };
    let result = verify(
        dir,
        &live.connect_options(),
        &Scratch::Url(server().admin_url.clone()),
        &options,
        &mut |line| lines.push(line.to_owned()),
    )
    .await;
    drop_database(&live.name).await;
    (result, lines)
}

pub(crate) async fn database_exists(name: &str) -> bool {
    let admin = connect(&server().admin_url).await;
    let row = admin
        .query_one(
            "SELECT count(*) FROM pg_database WHERE datname = $1",
            &[&name],
        )
        .await
        .unwrap();
    row.get::<_, i64>(0) == 1
}

pub(crate) fn sound_files() -> Vec<Value> {
    vec![
        file("01-expand", "transaction", &[ADD_EMAIL], &[DROP_EMAIL], &[]),
        file(
            "02-expand-concurrently",
            "concurrently",
            &[ADD_INDEX],
            &[DROP_INDEX],
            &[],
        ),
        gate("03-deploy"),
        file("04-backfill", "transaction", &[FILL_EMAIL], &[], &[]),
    ]
}

pub(crate) const DESIRED_CHANGE: &str = "ALTER TABLE public.users ADD COLUMN email text;
     CREATE INDEX users_email_idx ON public.users (email);";

#[tokio::test(flavor = "multi_thread")]
async fn a_sound_plan_passes_and_its_scratch_database_is_dropped() {
    let desired = desired_yaml(DESIRED_CHANGE).await;
    let dir = plan_folder(sound_files(), &desired);
    let started = std::time::Instant::now();
    let (result, lines) = run(dir.path(), 1_000).await;
    let report = result.unwrap_or_else(|e| panic!("{e}"));
    eprintln!(
        "verify of a 4-file plan took {:?}\n{report}",
        started.elapsed()
    );
    assert!(report.passed(), "{report}");
    let outcomes: Vec<&FileOutcome> = report.files.iter().map(|f| &f.outcome).collect();
    assert_eq!(
        outcomes,
        vec![
            &FileOutcome::Passed,
            &FileOutcome::Passed,
            &FileOutcome::Gate { requirements: 1 },
            &FileOutcome::PassedWithoutRollback { warning: None },
        ]
    );
    assert_eq!(report.end_state, Some(Vec::new()));
    assert_eq!(report.sample.rows_copied, 10);
    assert_eq!(report.sample.orphans_deleted, 0);
    let unchanged: Vec<String> = report
        .rows
        .unchanged
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(unchanged, vec!["public.orders", "public.users"]);
    let scratch = lines
        .iter()
        .find_map(|l| l.strip_prefix("created scratch database pgphase_verify_"))
        .and_then(|rest| rest.split_whitespace().next())
        .map(|suffix| format!("pgphase_verify_{suffix}"))
        .unwrap_or_else(|| panic!("no scratch database announced: {lines:?}"));
    assert!(
        !database_exists(&scratch).await,
        "{scratch} was left behind"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_small_sample_loses_the_rows_whose_parent_it_left_out() {
    let desired = desired_yaml(DESIRED_CHANGE).await;
    let dir = plan_folder(sound_files(), &desired);
    let (result, _) = run(dir.path(), 2).await;
    let report = result.unwrap();
    assert!(report.passed(), "{report}");
    // users 1–2 and orders 1–2 are copied (primary-key order): every order finds its user.
    assert_eq!(report.sample.rows_copied, 4);
    assert_eq!(report.sample.orphans_deleted, 0);

    // Orders taken from the other end reference users the sample does not hold.
    let live = TestDb::new().await;
    live.execute(LIVE).await;
    live.execute("UPDATE public.orders SET user_id = 6 - user_id")
        .await;
    let report = verify(
        dir.path(),
        &live.connect_options(),
        &Scratch::Url(server().admin_url.clone()),
        &VerifyOptions {
            sample_rows: 2,
            ..VerifyOptions::default()
        },
        &mut |_| {},
    )
    .await
    .unwrap();
    drop_database(&live.name).await;
    assert_eq!(report.sample.orphans_deleted, 2, "{report}");
    assert!(report.passed(), "{report}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rollback_that_does_not_restore_is_found() {
    let desired = desired_yaml(DESIRED_CHANGE).await;
    let files = vec![
        file(
            "01-expand",
            "transaction",
            &[ADD_EMAIL],
            &[],
            &["forgot the column"],
        ),
        file(
            "02-expand-concurrently",
            "concurrently",
            &[ADD_INDEX],
            &[DROP_INDEX],
            &[],
        ),
        file(
            "03-contract",
            "transaction",
            &[ADD_EMAIL.replace("email", "note").as_str()],
            &["SELECT 1"],
            &[],
        ),
    ];
    let dir = plan_folder(files, &desired);
    let (result, _) = run(dir.path(), 1_000).await;
    let report = result.unwrap();
    assert!(!report.passed(), "{report}");
    assert_eq!(
        report.files[0].outcome,
        FileOutcome::Irreversible {
            warning: "forgot the column".to_owned()
        }
    );
    assert_eq!(report.files[1].outcome, FileOutcome::Passed);
    let FileOutcome::RollbackDiffers { differences } = &report.files[2].outcome else {
        panic!("{report}");
    };
    assert!(
        differences.iter().any(|d| d.contains("note")),
        "{differences:?}"
    );
    assert!(report.to_string().contains("03-contract"));
    // The plan ran to its end with an extra column: the end state says so too.
    let end = report.end_state.clone().unwrap();
    assert!(end.iter().any(|d| d.contains("note")), "{end:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_file_that_cannot_run_again_stops_the_plan() {
    let desired = desired_yaml(DESIRED_CHANGE).await;
    let mut files = sound_files();
    files[0] = file(
        "01-expand",
        "transaction",
        &["ALTER TABLE public.users ADD COLUMN email text"],
        &[DROP_EMAIL],
        &[],
    );
    let dir = plan_folder(files, &desired);
    let (result, _) = run(dir.path(), 1_000).await;
    let report = result.unwrap();
    assert!(!report.passed());
    let FileOutcome::Failed { stage, message, .. } = &report.files[0].outcome else {
        panic!("{report}");
    };
    assert_eq!(*stage, Stage::ApplyAgain);
    assert!(message.contains("already exists"), "{message}");
    assert_eq!(report.files[1].outcome, FileOutcome::NotRun);
    assert_eq!(
        report.files[2].outcome,
        FileOutcome::Gate { requirements: 1 }
    );
    assert_eq!(report.files[3].outcome, FileOutcome::NotRun);
    assert_eq!(report.end_state, None);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_end_state_unlike_desired_and_changed_rows_are_found() {
    let desired = desired_yaml(
        "ALTER TABLE public.users ADD COLUMN email varchar(200);
         CREATE INDEX users_email_idx ON public.users (email);",
    )
    .await;
    let mut files = sound_files();
    files[3] = file(
        "04-backfill",
        "transaction",
        &["UPDATE public.orders SET total = total + 1 WHERE total < 1000"],
        &[],
        &["totals are not restored"],
    );
    let dir = plan_folder(files, &desired);
    let (result, _) = run(dir.path(), 1_000).await;
    let report = result.unwrap();
    assert!(!report.passed(), "{report}");
    assert!(report.files.iter().all(|f| !f.outcome.failed()), "{report}");
    let end = report.end_state.clone().unwrap();
    assert!(end.iter().any(|d| d.contains("email")), "{end:?}");
    let changed: Vec<String> = report
        .rows
        .changed
        .iter()
        .map(|(t, _, _)| t.to_string())
        .collect();
    assert_eq!(changed, vec!["public.orders"]);
    // users.email changes type, so only id and name are compared there, and they are unchanged.
    assert_eq!(report.rows.unchanged.len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_folder_without_a_plan_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let (result, lines) = run(dir.path(), 10).await;
    let error = result.unwrap_err();
    assert!(matches!(error, VerifyError::NotAPlan { .. }), "{error}");
    assert!(
        error.to_string().contains("plan.json is missing"),
        "{error}"
    );
    assert!(lines.is_empty(), "nothing was started: {lines:?}");
}
