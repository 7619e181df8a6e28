//! The `pgphase` binary: output, exit codes and messages, as a user sees them.

use std::process::{Command, Output};

use pgphase::source::yaml;

use crate::common::{PASSWORD, PASSWORD_ROLE, TestDb, server};
use crate::live::introspect_url;

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

#[tokio::test(flavor = "multi_thread")]
async fn snapshot_prints_the_live_schema_as_yaml() {
    let db = TestDb::new().await;
    db.execute("CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL UNIQUE)")
        .await;
    let output = pgphase(&["snapshot", "--database-url", &db.url]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.starts_with("pgphase: 1\n"), "{text}");
    let loaded = yaml::parse(&text, "stdout").unwrap();
    assert_eq!(loaded.schema, introspect_url(&db.url).await);
}

#[tokio::test(flavor = "multi_thread")]
async fn snapshot_writes_a_file_with_output() {
    let db = TestDb::new().await;
    db.execute("CREATE TABLE t (id int)").await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("schema.yaml");
    let output = pgphase(&[
        "snapshot",
        "--database-url",
        &db.url,
        "-o",
        path.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(output.stdout.is_empty());
    let loaded = yaml::load(&path).unwrap();
    assert!(loaded.schema.namespaces["public"].tables.contains_key("t"));
}

#[tokio::test(flavor = "multi_thread")]
async fn snapshot_reads_the_libpq_environment() {
    let db = TestDb::new().await;
    db.execute("CREATE TABLE from_env (id int)").await;
    let server = server();
    let output = Command::new(env!("CARGO_BIN_EXE_pgphase"))
        .arg("snapshot")
        .env_remove("DATABASE_URL")
        .env("PGHOST", &server.host)
        .env("PGPORT", server.port.to_string())
        .env("PGUSER", &server.user)
        .env("PGDATABASE", &db.name)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(String::from_utf8_lossy(&output.stdout).contains("from_env"));
}

/// A connection failure is one line on stderr and exit code 2.
fn assert_fails_with(output: &Output, expected: &str) {
    let text = stderr(output);
    assert_eq!(output.status.code(), Some(2), "{text}");
    assert!(text.starts_with("error: "), "{text}");
    assert!(text.contains(expected), "expected {expected:?} in: {text}");
    assert!(output.stdout.is_empty());
}

#[test]
fn refused_connection_names_the_host_and_port() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("postgresql://postgres@127.0.0.1:{port}/postgres");
    let output = pgphase(&["snapshot", "--database-url", &url]);
    assert_fails_with(&output, &format!("127.0.0.1:{port}"));
    assert_fails_with(&output, "refused");
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_database_is_named() {
    let server = server();
    let url = server.url_for("no_such_database_here");
    let output = pgphase(&["snapshot", "--database-url", &url]);
    assert_fails_with(&output, "no_such_database_here");
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_password_fails_without_showing_it() {
    TestDb::new().await; // makes sure the password role exists
    let server = server();
    let wrong = "Wr0ng-secret-xyz";
    let url = format!(
        "postgresql://{PASSWORD_ROLE}:{wrong}@127.0.0.1:{}/postgres",
        server.port
    );
    let output = pgphase(&["snapshot", "--database-url", &url]);
    assert_fails_with(&output, "authentication failed");
    assert!(
        !stderr(&output).contains(wrong),
        "the password leaked: {}",
        stderr(&output)
    );

    let right = format!(
        "postgresql://{PASSWORD_ROLE}:{PASSWORD}@127.0.0.1:{}/postgres",
        server.port
    );
    let output = pgphase(&["snapshot", "--database-url", &right]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

#[tokio::test(flavor = "multi_thread")]
async fn tls_required_but_not_offered_is_a_tls_error() {
    let server = server();
    let url = format!(
        "postgresql://{}@127.0.0.1:{}/postgres?sslmode=require",
        server.user, server.port
    );
    let output = pgphase(&["snapshot", "--database-url", &url]);
    assert_fails_with(&output, "TLS");
}

#[test]
fn a_malformed_url_is_a_clear_error() {
    let output = pgphase(&[
        "snapshot",
        "--database-url",
        "postgresql://host:notaport/db",
    ]);
    assert_fails_with(&output, "port");
}

/// A role that can write nothing at all can still snapshot, and sees the same schema: reading
/// the schema needs no write of any kind.
#[tokio::test(flavor = "multi_thread")]
async fn introspection_needs_no_write_privilege() {
    let db = TestDb::new().await;
    db.execute(
        "CREATE TABLE items (id int PRIMARY KEY, name text);
         CREATE VIEW item_names AS SELECT name FROM items;
         CREATE FUNCTION one() RETURNS int LANGUAGE sql AS 'SELECT 1';",
    )
    .await;
    let role = format!("{}_reader", db.name);
    db.execute(&format!(
        "CREATE ROLE {role} LOGIN;
         REVOKE ALL ON DATABASE {db} FROM PUBLIC;
         GRANT CONNECT ON DATABASE {db} TO {role};
         REVOKE CREATE ON SCHEMA public FROM PUBLIC;
         ALTER ROLE {role} SET default_transaction_read_only = on;",
        db = db.name
    ))
    .await;
    let reader_url = db
        .url
        .replace(&format!("user={}", server().user), &format!("user={role}"));
    assert_ne!(reader_url, db.url);
    let as_reader = introspect_url(&reader_url).await;
    let as_owner = introspect_url(&db.url).await;
    assert_eq!(as_reader, as_owner);
}

const ORDERS: &str = "CREATE TABLE orders (id bigint PRIMARY KEY, note text);
INSERT INTO orders SELECT n, CASE WHEN n % 3 = 0 THEN NULL ELSE 'n' || n END FROM generate_series(1, 30) AS n;";

const ORDERS_DESIRED: &str = "pgphase: 1
schemas:
  public:
    tables:
      orders:
        columns:
          id: { type: bigint, nullable: false }
          note: { type: text, nullable: false }
          placed_at: timestamptz
        primary_key: [id]
";

/// A database holding `orders`, and a desired file for it in `dir`.
async fn orders(dir: &std::path::Path) -> (TestDb, String) {
    let db = TestDb::new().await;
    db.execute(ORDERS).await;
    let desired = dir.join("desired.yaml");
    std::fs::write(&desired, ORDERS_DESIRED).unwrap();
    (db, desired.to_str().unwrap().to_owned())
}

#[tokio::test(flavor = "multi_thread")]
async fn diff_exits_1_with_differences_0_without_and_2_on_a_bad_file() {
    let dir = tempfile::tempdir().unwrap();
    let (db, desired) = orders(dir.path()).await;
    let shadow = server().admin_url.clone();
    let base = ["--database-url", &db.url, "--shadow-url", &shadow];
    let output = pgphase(&[&["diff", "--schema", &desired][..], &base].concat());
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let not_null = text
        .lines()
        .find(|l| l.contains("public.orders.note "))
        .unwrap_or("");
    assert!(
        not_null.starts_with("[locks]") && not_null.contains("set-not-null:"),
        "{text}"
    );
    assert!(text.contains("public.orders.placed_at"), "{text}");
    assert!(text.ends_with("2 changes: 1 locks, 1 safe\n"), "{text}");

    let json = pgphase(
        &[
            &["diff", "--format", "json", "--schema", &desired][..],
            &base,
        ]
        .concat(),
    );
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(value["changes"].as_array().map(Vec::len), Some(2));
    assert_eq!(value["comparison"]["method"], "shadow_database");

    let same = dir.path().join("same.yaml");
    let snapshot = pgphase(&[
        "snapshot",
        "--database-url",
        &db.url,
        "-o",
        same.to_str().unwrap(),
    ]);
    assert_eq!(snapshot.status.code(), Some(0), "{}", stderr(&snapshot));
    let output = pgphase(&[&["diff", "--schema", same.to_str().unwrap()][..], &base].concat());
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(String::from_utf8_lossy(&output.stdout), "No differences.\n");

    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "pgphase: 1\nschemas:\n  public:\n    tablez: {}\n").unwrap();
    let output = pgphase(&[&["diff", "--schema", bad.to_str().unwrap()][..], &base].concat());
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("bad.yaml:4:5"),
        "{}",
        stderr(&output)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn plan_lists_every_missing_answer_writes_once_and_replays_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let (db, desired) = orders(dir.path()).await;
    let shadow = server().admin_url.clone();
    let out = dir.path().join("plans/orders");
    let out = out.to_str().unwrap();
    let base = [
        "plan",
        "--schema",
        &desired,
        "--database-url",
        &db.url,
        "--shadow-url",
        &shadow,
        "--out",
        out,
    ];

    let empty = dir.path().join("empty.yaml");
    std::fs::write(&empty, "").unwrap();
    let output = pgphase(&[&base[..], &["--answers", empty.to_str().unwrap()]].concat());
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    for id in [
        "global: mode",
        "global: batch-size",
        "public.orders.note: set-not-null/nulls",
    ] {
        assert!(message.contains(id), "{id} missing from: {message}");
    }

    // Counted NULLs leave no default: filling them would invent values.
    let output = pgphase(&[&base[..], &["--defaults"]].concat());
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("public.orders.note: set-not-null/nulls (10 rows (counted)"),
        "{}",
        stderr(&output)
    );
    assert!(!std::path::Path::new(out).exists());

    // Without counts, the default is to fix them first, and the preconditions check it.
    let no_count = [&base[..], &["--defaults", "--no-count"]].concat();
    let output = pgphase(&no_count);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let first = read_folder(out);
    assert!(first.contains_key("README.md") && first.contains_key("decisions.yaml"));
    assert!(first.contains_key("00-preconditions.sql"));
    // The desired file as it was read, byte for byte (its inline tables are not how pgphase
    // writes a schema out).
    assert_eq!(first["desired.yaml"], ORDERS_DESIRED);

    let output = pgphase(&no_count);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("pass --force"),
        "{}",
        stderr(&output)
    );

    let decisions = dir.path().join("decisions.yaml");
    std::fs::write(&decisions, &first["decisions.yaml"]).unwrap();
    let output = pgphase(
        &[
            &base[..],
            &[
                "--answers",
                decisions.to_str().unwrap(),
                "--force",
                "--no-count",
            ],
        ]
        .concat(),
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(read_folder(out), first);

    let output = pgphase(&[
        "verify",
        out,
        "--database-url",
        &db.url,
        "--shadow-url",
        &shadow,
    ]);
    // The default answer leaves the NULLs to be fixed first, so the preconditions stop the
    // plan on the sample before anything changes.
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(report.contains("FAILED"), "{report}");
    assert!(
        report.contains("rows where orders.note is NULL"),
        "{report}"
    );
}

fn read_folder(dir: &str) -> std::collections::BTreeMap<String, String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&path).unwrap())
        })
        .collect()
}
