//! Counts shape the defaults: `pgphase plan --defaults` never writes a plan that its own
//! counts say will fail. For NULLs, duplicated keys, orphans and values a cast rejects, each
//! once counted zero (the plan is written and applies file by file with psql) and once not
//! (exit 2, naming the question and the count, and nothing written); a DEFAULT in the desired
//! schema fills the NULLs by default; with `--no-count` the plan is written and its
//! `00-preconditions.sql` stops before anything changes.

use std::path::Path;
use std::process::{Command, Output};

use crate::common::{TestDb, server};

fn pgphase(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pgphase"))
        .args(args)
        .env_remove("DATABASE_URL")
        .env("PGCONNECT_TIMEOUT", "5")
        .output()
        .expect("the binary runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Runs one SQL file with psql as users apply plans; the error text when it fails.
pub(crate) fn psql_file(db: &TestDb, path: &Path) -> Result<(), String> {
    let server = server();
    let output = Command::new("psql")
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", &server.host])
        .args(["-p", &server.port.to_string(), "-U", &server.user])
        .args(["-d", &db.name, "-f"])
        .arg(path)
        .output()
        .expect("psql runs");
    if output.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

/// Applies every SQL file of the plan folder `dir` in the order `plan.json` lists them
/// (deploy gates skipped); the first failure as (file, message).
pub(crate) fn apply_plan(db: &TestDb, dir: &Path) -> Result<Vec<String>, (String, String)> {
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("plan.json")).unwrap()).unwrap();
    let mut applied = Vec::new();
    for file in json["files"].as_array().unwrap() {
        let name = file["name"].as_str().unwrap().to_owned();
        if file["kind"] == "gate" {
            continue;
        }
        psql_file(db, &dir.join(format!("{name}.sql"))).map_err(|e| (name.clone(), e))?;
        applied.push(name);
    }
    Ok(applied)
}

/// A scenario: the live database's SQL, the desired state's SQL (snapshotted into the
/// desired-schema file), and the data.
struct Scenario {
    live: &'static str,
    desired: &'static str,
}

struct Planned {
    db: TestDb,
    output: Output,
    out: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

/// Loads `scenario` with `data`, and runs `pgphase plan --defaults` (plus `extra`) on it.
async fn plan(scenario: &Scenario, data: &str, extra: &[&str]) -> Planned {
    let dir = tempfile::tempdir().unwrap();
    let wanted = TestDb::new().await;
    wanted.execute(scenario.desired).await;
    let desired = dir.path().join("desired.yaml");
    let snapshot = pgphase(&[
        "snapshot",
        "--database-url",
        &wanted.url,
        "-o",
        desired.to_str().unwrap(),
    ]);
    assert_eq!(snapshot.status.code(), Some(0), "{}", stderr(&snapshot));
    let db = TestDb::new().await;
    db.execute(scenario.live).await;
    db.execute(data).await;
    db.execute("ANALYZE").await;
    let out = dir.path().join("plans/p");
    let shadow = server().admin_url.clone();
    let args = [
        "plan",
        "--schema",
        desired.to_str().unwrap(),
        "--database-url",
        &db.url,
        "--shadow-url",
        &shadow,
        "--out",
        out.to_str().unwrap(),
        "--defaults",
    ];
    let output = pgphase(&[&args[..], extra].concat());
    Planned {
        db,
        output,
        out,
        _dir: dir,
    }
}

/// The plan is written and every file applies; when `checked`, its first file is the
/// preconditions (the chosen path needs clean data).
async fn writes_and_applies(scenario: &Scenario, clean: &str, checked: bool) -> Planned {
    let planned = plan(scenario, clean, &[]).await;
    assert_eq!(
        planned.output.status.code(),
        Some(0),
        "{}",
        stderr(&planned.output)
    );
    let applied = apply_plan(&planned.db, &planned.out)
        .unwrap_or_else(|(file, error)| panic!("{file} failed: {error}"));
    assert_eq!(
        applied.first().map(String::as_str) == Some("00-preconditions"),
        checked,
        "{applied:?}"
    );
    planned
}

/// Counted some: exit 2 naming the question and its count, and no plan folder.
async fn refuses(scenario: &Scenario, dirty: &str, question: &str, count: &str) {
    let planned = plan(scenario, dirty, &[]).await;
    let message = stderr(&planned.output);
    assert_eq!(planned.output.status.code(), Some(2), "{message}");
    assert!(message.contains(question), "{question} not in: {message}");
    assert!(message.contains(count), "{count} not in: {message}");
    assert!(!planned.out.exists(), "a plan was written: {message}");
}

const NOT_NULL: Scenario = Scenario {
    live: "CREATE TABLE t (id int PRIMARY KEY, note text)",
    desired: "CREATE TABLE t (id int PRIMARY KEY, note text NOT NULL)",
};

#[tokio::test(flavor = "multi_thread")]
async fn nulls_counted_zero_plan_directly_and_counted_some_need_a_decision() {
    writes_and_applies(
        &NOT_NULL,
        "INSERT INTO t SELECT g, 'n' FROM generate_series(1, 50) g",
        true,
    )
    .await;
    refuses(
        &NOT_NULL,
        "INSERT INTO t SELECT g, CASE WHEN g % 10 = 0 THEN NULL ELSE 'n' END \
         FROM generate_series(1, 50) g",
        "public.t.note: set-not-null/nulls",
        "5 rows (counted)",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn nulls_are_filled_with_the_desired_default_by_default() {
    let scenario = Scenario {
        live: NOT_NULL.live,
        desired: "CREATE TABLE t (id int PRIMARY KEY, note text NOT NULL DEFAULT 'free')",
    };
    let planned = writes_and_applies(
        &scenario,
        "INSERT INTO t SELECT g, CASE WHEN g % 4 = 0 THEN NULL ELSE 'paid' END \
         FROM generate_series(1, 200) g",
        false,
    )
    .await;
    let decisions = std::fs::read_to_string(planned.out.join("decisions.yaml")).unwrap();
    assert!(decisions.contains("choice: fill-default"), "{decisions}");
    let rows = planned
        .db
        .client
        .query_one(
            "SELECT count(*) FILTER (WHERE note = 'free'), count(*) FROM t",
            &[],
        )
        .await
        .unwrap();
    assert_eq!((rows.get::<_, i64>(0), rows.get::<_, i64>(1)), (50, 200));
}

const UNIQUE: Scenario = Scenario {
    live: "CREATE TABLE t (id int PRIMARY KEY, email text)",
    desired: "CREATE TABLE t (id int PRIMARY KEY, email text, \
              CONSTRAINT t_email_key UNIQUE (email))",
};

#[tokio::test(flavor = "multi_thread")]
async fn duplicates_counted_zero_plan_directly_and_counted_some_need_a_decision() {
    writes_and_applies(
        &UNIQUE,
        "INSERT INTO t SELECT g, 'u' || g FROM generate_series(1, 50) g",
        true,
    )
    .await;
    refuses(
        &UNIQUE,
        "INSERT INTO t SELECT g, 'u' || (g % 45) FROM generate_series(1, 50) g",
        "public.t.t_email_key: add-unique/duplicates",
        "10 rows (counted)",
    )
    .await;
}

const FOREIGN_KEY: Scenario = Scenario {
    live: "CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (id int PRIMARY KEY, p_id int)",
    desired: "CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (id int PRIMARY KEY, \
              p_id int CONSTRAINT c_p_id_fkey REFERENCES p (id))",
};

#[tokio::test(flavor = "multi_thread")]
async fn orphans_counted_zero_plan_directly_and_counted_some_need_a_decision() {
    writes_and_applies(
        &FOREIGN_KEY,
        "INSERT INTO p SELECT generate_series(1, 10); \
         INSERT INTO c SELECT g, g % 10 + 1 FROM generate_series(1, 50) g",
        true,
    )
    .await;
    refuses(
        &FOREIGN_KEY,
        "INSERT INTO p SELECT generate_series(1, 10); \
         INSERT INTO c SELECT g, g % 12 + 1 FROM generate_series(1, 48) g",
        "public.c.c_p_id_fkey: add-foreign-key/orphans",
        "8 rows (counted)",
    )
    .await;
}

const TYPE_CHANGE: Scenario = Scenario {
    live: "CREATE TABLE t (id int PRIMARY KEY, code text)",
    desired: "CREATE TABLE t (id int PRIMARY KEY, code integer)",
};

#[tokio::test(flavor = "multi_thread")]
async fn unconvertible_values_counted_zero_plan_directly_and_counted_some_need_a_decision() {
    writes_and_applies(
        &TYPE_CHANGE,
        "INSERT INTO t SELECT g, g::text FROM generate_series(1, 50) g",
        true,
    )
    .await;
    refuses(
        &TYPE_CHANGE,
        "INSERT INTO t SELECT g, CASE WHEN g % 25 = 0 THEN 'x' || g ELSE g::text END \
         FROM generate_series(1, 50) g",
        "public.t.code: change-column-type/using",
        "2 rows (counted)",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn without_counts_the_preconditions_stop_the_plan_before_it_changes_anything() {
    let planned = plan(
        &FOREIGN_KEY,
        "INSERT INTO p SELECT generate_series(1, 10); \
         INSERT INTO c SELECT g, g % 12 + 1 FROM generate_series(1, 48) g",
        &["--no-count"],
    )
    .await;
    let message = stderr(&planned.output);
    assert_eq!(planned.output.status.code(), Some(0), "{message}");
    assert!(
        message.contains("public.c.c_p_id_fkey: not counted (--no-count)"),
        "{message}"
    );
    let first = planned.out.join("00-preconditions.sql");
    let error = psql_file(&planned.db, &first).expect_err("the preconditions pass on orphans");
    assert!(
        error.contains("public.c.c_p_id_fkey (precondition): 8 rows of c whose key p lacks"),
        "{error}"
    );
    assert!(
        error.contains("list them with: SELECT c.* FROM public.c AS c"),
        "{error}"
    );
    assert!(
        !planned.out.join("00-preconditions.rollback.sql").exists(),
        "a read-only file has nothing to roll back"
    );
    let readme = std::fs::read_to_string(planned.out.join("README.md")).unwrap();
    assert!(readme.contains("00-preconditions"), "{readme}");
    // Nothing changed: the foreign key is not there.
    let keys = planned
        .db
        .client
        .query_one(
            "SELECT count(*) FROM pg_constraint WHERE conname = 'c_p_id_fkey'",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(keys.get::<_, i64>(0), 0);
}

const DROPPED_LABEL: Scenario = Scenario {
    live: "CREATE TYPE s AS ENUM ('new', 'old', 'done'); \
           CREATE TABLE t (id int PRIMARY KEY, state s, history s[])",
    desired: "CREATE TYPE s AS ENUM ('new', 'done'); \
              CREATE TABLE t (id int PRIMARY KEY, state s, history s[])",
};

#[tokio::test(flavor = "multi_thread")]
async fn rows_holding_a_dropped_enum_label_are_counted_in_values_and_arrays() {
    writes_and_applies(
        &DROPPED_LABEL,
        "INSERT INTO t SELECT g, 'new', ARRAY['new', 'done']::s[] FROM generate_series(1, 20) g",
        true,
    )
    .await;
    refuses(
        &DROPPED_LABEL,
        "INSERT INTO t SELECT g, CASE WHEN g % 10 = 0 THEN 'old' ELSE 'new' END::s, \
         CASE WHEN g = 1 THEN ARRAY['old']::s[] END FROM generate_series(1, 20) g",
        "replace-enum/rows",
        "3 rows (counted)",
    )
    .await;
}
