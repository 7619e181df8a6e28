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
