//! `verify --traffic` on hand-written plan folders (the live database of the verify tests, its
//! tables grown to a few thousand rows): a harmless plan passes with client transactions and no
//! client error; a NOT VALID check added before its column is filled passes plain `verify` but
//! fails the clients' updates; a file that holds ACCESS EXCLUSIVE while it sleeps fails on the
//! budget; a file that runs past the per-file limit is cut off and fails. The binary's exit code
//! follows the clients.

use std::path::Path;
use std::time::Duration;

use pgphase::verify::{
    FileOutcome, FileTraffic, Report, Scratch, StatementKind, TrafficOptions, VerifyOptions, verify,
};
use serde_json::{Value, json};

use crate::common::{TestDb, server};
use crate::verify::{
    ADD_EMAIL, DESIRED_CHANGE, DROP_EMAIL, LIVE, database_exists, desired_yaml, drop_database,
    file, plan_folder, sound_files,
};

/// Rows each touched table is grown to: enough for real row counts, small enough for seconds.
const ROWS: u64 = 3_000;

const ADD_NICKNAME: &str = "ALTER TABLE public.users ADD COLUMN IF NOT EXISTS nickname text";
const ADD_NICKNAME_CHECK: &str = "ALTER TABLE public.users
    DROP CONSTRAINT IF EXISTS users_nickname_not_null,
    ADD CONSTRAINT users_nickname_not_null CHECK (nickname IS NOT NULL) NOT VALID";
const DROP_NICKNAME: &str = "ALTER TABLE public.users DROP COLUMN IF EXISTS nickname";
const FILL_NICKNAME: &str = "UPDATE public.users SET nickname = name WHERE nickname IS NULL";
const VALIDATE_NICKNAME: &str =
    "ALTER TABLE public.users VALIDATE CONSTRAINT users_nickname_not_null";
const UNVALIDATE_NICKNAME: &str = "ALTER TABLE public.users
    DROP CONSTRAINT IF EXISTS users_nickname_not_null,
    ADD CONSTRAINT users_nickname_not_null CHECK (nickname IS NOT NULL) NOT VALID";

fn nickname_plan_files() -> Vec<Value> {
    vec![
        file(
            "01-expand",
            "transaction",
            &[ADD_NICKNAME, ADD_NICKNAME_CHECK],
            &[DROP_NICKNAME],
            &[],
        ),
        file("02-backfill", "transaction", &[FILL_NICKNAME], &[], &[]),
        file(
            "03-validate",
            "transaction",
            &[VALIDATE_NICKNAME],
            &[UNVALIDATE_NICKNAME],
            &[],
        ),
    ]
}

async fn nickname_desired() -> String {
    desired_yaml(
        "ALTER TABLE public.users ADD COLUMN nickname text;
         UPDATE public.users SET nickname = name;
         ALTER TABLE public.users ADD CONSTRAINT users_nickname_not_null
             CHECK (nickname IS NOT NULL);",
    )
    .await
}

fn traffic(clients: usize) -> TrafficOptions {
    TrafficOptions {
        clients,
        rows: ROWS,
        ..TrafficOptions::default()
    }
}

/// Verifies `dir` against a fresh live database, with or without traffic.
async fn run(dir: &Path, traffic: Option<TrafficOptions>) -> Report {
    run_with_progress(dir, traffic).await.0
}

async fn run_with_progress(dir: &Path, traffic: Option<TrafficOptions>) -> (Report, Vec<String>) {
    let live = TestDb::new().await;
    live.execute(LIVE).await;
    let options = VerifyOptions {
        traffic,
        ..VerifyOptions::default()
    };
    let mut lines = Vec::new();
    let result = verify(
        dir,
        &live.connect_options(),
        &Scratch::Url(server().admin_url.clone()),
        &options,
        &mut |line| lines.push(line.to_owned()),
    )
    .await;
    drop_database(&live.name).await;
    (result.unwrap_or_else(|e| panic!("{e}")), lines)
}

fn figures<'r>(report: &'r Report, name: &str) -> &'r FileTraffic {
    report
        .files
        .iter()
        .find(|f| f.name == name)
        .and_then(|f| f.traffic.as_ref())
        .unwrap_or_else(|| panic!("no traffic figures for {name}:\n{report}"))
}

fn with_budget(mut file: Value, budget_ms: u64) -> Value {
    file["budget_ms"] = json!(budget_ms);
    file
}

#[tokio::test(flavor = "multi_thread")]
async fn a_harmless_plan_passes_under_traffic() {
    let desired = desired_yaml(DESIRED_CHANGE).await;
    let dir = plan_folder(sound_files(), &desired);
    let (report, lines) = run_with_progress(dir.path(), Some(traffic(4))).await;
    eprintln!("{report}");
    assert!(report.passed(), "{report}");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("growing public.users from 5 to 3000 rows")),
        "{lines:?}"
    );
    let scratch = lines
        .iter()
        .find_map(|l| l.strip_prefix("dropped scratch database "))
        .unwrap_or_else(|| panic!("the scratch database was not dropped: {lines:?}"));
    assert!(!database_exists(scratch).await);
    let setup = report.traffic.as_ref().unwrap();
    let grown: Vec<String> = setup.grown.iter().map(|(t, _)| t.to_string()).collect();
    assert_eq!(grown, ["public.orders", "public.users"], "{report}");
    assert!(setup.not_grown.is_empty(), "{report}");
    for name in ["01-expand", "02-expand-concurrently", "04-backfill"] {
        let figures = figures(&report, name);
        assert!(figures.transactions > 0, "{name}: {figures}");
        assert!(figures.errors.is_empty(), "{name}: {figures}");
        assert_eq!(figures.budget_ms, 6_000);
    }
    assert_eq!(report.files[2].traffic, None, "a gate runs no SQL");
    let text = report.to_string();
    assert!(
        text.contains("not checked: the clients write rows under traffic"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_not_valid_check_before_its_backfill_fails_the_clients_updates() {
    let dir = plan_folder(nickname_plan_files(), &nickname_desired().await);

    let plain = run(dir.path(), None).await;
    assert!(plain.passed(), "plain verify cannot see it:\n{plain}");

    let report = run(dir.path(), Some(traffic(4))).await;
    eprintln!("{report}");
    assert!(!report.passed(), "{report}");
    // The schema changes themselves are sound: only the clients fail.
    assert_eq!(report.files[0].outcome, FileOutcome::Passed, "{report}");
    let expand = figures(&report, "01-expand");
    assert!(expand.failed(), "{report}");
    let violations: Vec<_> = expand.errors.iter().filter(|e| e.code == "23514").collect();
    assert!(
        violations
            .iter()
            .any(|e| e.statement == StatementKind::Update && e.count > 0),
        "the old application's updates of other columns break the check:\n{report}"
    );
    assert!(
        violations
            .iter()
            .all(|e| e.message.contains("users_nickname_not_null")),
        "{report}"
    );
    assert!(report.to_string().contains("23514 in update"), "{report}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_file_that_sleeps_under_access_exclusive_fails_on_its_budget() {
    let desired = desired_yaml("ALTER TABLE public.users ADD COLUMN email text").await;
    let files = vec![with_budget(
        file(
            "01-expand",
            "transaction",
            &[
                "LOCK TABLE public.users IN ACCESS EXCLUSIVE MODE",
                ADD_EMAIL,
                "SELECT pg_sleep(2)",
            ],
            &[DROP_EMAIL],
            &[],
        ),
        500,
    )];
    let dir = plan_folder(files, &desired);
    let report = run(dir.path(), Some(traffic(2))).await;
    eprintln!("{report}");
    assert!(!report.passed(), "{report}");
    assert_eq!(report.files[0].outcome, FileOutcome::Passed, "{report}");
    let figures = figures(&report, "01-expand");
    assert_eq!(figures.budget_ms, 500);
    assert!(figures.over_budget(), "{figures}");
    assert!(figures.slowest_ms >= 1_500, "{figures}");
    assert!(figures.errors.is_empty(), "{figures}");
    assert!(
        report.to_string().contains("over its budget of 500 ms"),
        "{report}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_file_past_the_limit_is_cut_off_and_fails() {
    let desired = desired_yaml(DESIRED_CHANGE).await;
    let mut files = sound_files();
    files[0] = file(
        "01-expand",
        "transaction",
        &[ADD_EMAIL, "SELECT pg_sleep(60)"],
        &[DROP_EMAIL],
        &[],
    );
    let dir = plan_folder(files, &desired);
    let options = TrafficOptions {
        file_limit: Duration::from_secs(2),
        ..traffic(2)
    };
    let started = std::time::Instant::now();
    let report = run(dir.path(), Some(options)).await;
    eprintln!("{report}");
    assert!(started.elapsed() < Duration::from_secs(50), "{report}");
    assert!(!report.passed());
    let FileOutcome::Failed { message, .. } = &report.files[0].outcome else {
        panic!("{report}");
    };
    assert!(message.contains("canceling statement"), "{message}");
    assert_eq!(figures(&report, "01-expand").cut_off_after_s, Some(2));
    assert_eq!(report.files[1].outcome, FileOutcome::NotRun);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_exit_code_follows_the_clients() {
    let pgphase = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_pgphase"))
            .args(args)
            .env_remove("DATABASE_URL")
            .output()
            .unwrap()
    };
    let dir = plan_folder(nickname_plan_files(), &nickname_desired().await);
    let dir = dir.path().to_str().unwrap();
    let output = pgphase(&["verify", dir, "--clients", "2"]);
    assert_eq!(output.status.code(), Some(2), "--clients needs --traffic");

    let live = TestDb::new().await;
    live.execute(LIVE).await;
    let shadow = server().admin_url.clone();
    let base = [
        "verify",
        dir,
        "--database-url",
        &live.url,
        "--shadow-url",
        &shadow,
    ];
    let output = pgphase(&base);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    let traffic = ["--traffic", "--clients", "2", "--traffic-rows", "1000"];
    let output = pgphase(&[&base[..], &traffic].concat());
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    drop_database(&live.name).await;
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("23514 in update"), "{stdout}");
    assert!(stdout.contains("2 client(s) on 2 table(s)"), "{stdout}");
}
