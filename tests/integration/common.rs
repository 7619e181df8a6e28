//! The PostgreSQL test harness.
//!
//! The first test that asks for a database starts one throwaway cluster for the whole test
//! process ([`pgphase::cluster::TempCluster`]); a watchdog stops and deletes it when the process
//! ends, even when tests fail or panic. `PGPHASE_TEST_DATABASE_URL` (a superuser URL) points the
//! tests at an existing server instead. Each test gets a database of its own.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use pgphase::cluster::{ClusterOptions, TempCluster};
use tokio_postgres::{Client, NoTls};

/// A role whose password the server checks over TCP, for authentication tests.
pub const PASSWORD_ROLE: &str = "pgphase_pw";
pub const PASSWORD: &str = "s3cret-Pw";

/// Where the test server listens.
#[derive(Debug)]
pub struct TestServer {
    /// Superuser URL of the `postgres` database, for administration.
    pub admin_url: String,
    /// The unix socket directory (None for an external server reached over TCP).
    pub socket_dir: Option<String>,
    pub host: String,
    pub port: u16,
    pub user: String,
    /// Keeps the throwaway cluster alive for the whole process.
    _cluster: Option<TempCluster>,
}

static SERVER: OnceLock<TestServer> = OnceLock::new();
static NEXT_DATABASE: AtomicUsize = AtomicUsize::new(0);

/// The shared test server, started on first use.
pub fn server() -> &'static TestServer {
    SERVER.get_or_init(|| match std::env::var("PGPHASE_TEST_DATABASE_URL") {
        Ok(url) => external_server(url),
        Err(_) => throwaway_server(),
    })
}

fn throwaway_server() -> TestServer {
    let options = ClusterOptions {
        hba_lines: vec![format!(
            "host all {PASSWORD_ROLE} 127.0.0.1/32 scram-sha-256"
        )],
        settings: vec!["log_statement = 'all'".to_owned()],
        stop_with_this_process: true,
    };
    let cluster = TempCluster::start(&options)
        .unwrap_or_else(|e| panic!("cannot start the test cluster: {e}"));
    let socket_dir = cluster.socket_dir().to_string_lossy().into_owned();
    eprintln!(
        "test cluster: PostgreSQL on {socket_dir}, port {}",
        cluster.port()
    );
    TestServer {
        admin_url: cluster.url("postgres"),
        host: socket_dir.clone(),
        socket_dir: Some(socket_dir),
        port: cluster.port(),
        user: pgphase::cluster::SUPERUSER.to_owned(),
        _cluster: Some(cluster),
    }
}

fn external_server(url: String) -> TestServer {
    let config: tokio_postgres::Config = url
        .parse()
        .unwrap_or_else(|e| panic!("PGPHASE_TEST_DATABASE_URL: {e}"));
    let (host, socket_dir) = match config.get_hosts().first() {
        Some(tokio_postgres::config::Host::Unix(path)) => {
            let dir = path.to_string_lossy().into_owned();
            (dir.clone(), Some(dir))
        }
        Some(tokio_postgres::config::Host::Tcp(name)) => (name.clone(), None),
        None => ("localhost".to_owned(), None),
    };
    TestServer {
        admin_url: url,
        host,
        socket_dir,
        port: config.get_ports().first().copied().unwrap_or(5432),
        user: config.get_user().unwrap_or("postgres").to_owned(),
        _cluster: None,
    }
}

/// A database of a test's own, with a connected superuser client.
pub struct TestDb {
    pub name: String,
    pub url: String,
    pub client: Client,
}

impl TestDb {
    /// Creates a fresh empty database on the test server.
    pub async fn new() -> TestDb {
        let server = server();
        ensure_password_role(server).await;
        let name = format!(
            "pgphase_test_{}_{}",
            std::process::id(),
            NEXT_DATABASE.fetch_add(1, Ordering::SeqCst)
        );
        let admin = connect(&server.admin_url).await;
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap_or_else(|e| panic!("CREATE DATABASE {name}: {e}"));
        let url = server.url_for(&name);
        let client = connect(&url).await;
        TestDb { name, url, client }
    }

    /// Options for `pgphase::source::postgres::connect` reaching this database as the superuser.
    pub fn connect_options(&self) -> pgphase::source::postgres::ConnectOptions {
        pgphase::source::postgres::ConnectOptions {
            database_url: Some(self.url.clone()),
            ..Default::default()
        }
    }

    /// Runs SQL statements, panicking with the server's message on failure.
    pub async fn execute(&self, sql: &str) {
        self.client
            .batch_execute(sql)
            .await
            .unwrap_or_else(|e| panic!("{}", describe(&e, sql)));
    }
}

impl TestServer {
    /// A superuser URL for another database on this server.
    pub fn url_for(&self, database: &str) -> String {
        let mut config: tokio_postgres::Config = self.admin_url.parse().unwrap();
        config.dbname(database);
        match &self.socket_dir {
            Some(dir) => format!(
                "host={dir} port={} user={} dbname={database}",
                self.port, self.user
            ),
            None => {
                let password = config
                    .get_password()
                    .map(|p| format!(" password={}", String::from_utf8_lossy(p)))
                    .unwrap_or_default();
                format!(
                    "host={} port={} user={}{password} dbname={database}",
                    self.host, self.port, self.user
                )
            }
        }
    }
}

/// Connects with tokio-postgres directly (the harness must not depend on the code under test).
pub async fn connect(url: &str) -> Client {
    let (client, connection) = tokio_postgres::connect(url, NoTls)
        .await
        .unwrap_or_else(|e| panic!("connecting to the test server: {e}"));
    tokio::spawn(connection);
    client
}

async fn ensure_password_role(server: &TestServer) {
    static DONE: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();
    DONE.get_or_init(|| async {
        let admin = connect(&server.admin_url).await;
        let sql = format!(
            "DO $$ BEGIN
               IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{PASSWORD_ROLE}') THEN
                 CREATE ROLE {PASSWORD_ROLE} LOGIN PASSWORD '{PASSWORD}';
               END IF;
             END $$"
        );
        admin
            .batch_execute(&sql)
            .await
            .unwrap_or_else(|e| panic!("creating {PASSWORD_ROLE}: {e}"));
    })
    .await;
}

/// The server's error with its position in the SQL, for a readable test failure.
pub fn describe(error: &tokio_postgres::Error, sql: &str) -> String {
    let Some(db) = error.as_db_error() else {
        return error.to_string();
    };
    let position = match db.position() {
        Some(tokio_postgres::error::ErrorPosition::Original(p)) => *p as usize,
        _ => 0,
    };
    let context: String = sql
        .chars()
        .skip(position.saturating_sub(80))
        .take(160)
        .collect();
    format!("{}: {} (near: {context})", db.code().code(), db.message())
}

/// The corpus directory from `PGPHASE_CORPUS_DIR`. Every corpus test starts here, and fails
/// when the variable is unset or names no folder: a corpus test that checks nothing must not
/// pass.
pub fn corpus_dir() -> std::path::PathBuf {
    let Some(dir) = std::env::var_os("PGPHASE_CORPUS_DIR") else {
        panic!(
            "PGPHASE_CORPUS_DIR is not set: the corpus tests need the folder of corpus schemas \
             (.ci/run sets it)"
        );
    };
    let dir = std::path::PathBuf::from(dir);
    assert!(
        dir.is_dir(),
        "PGPHASE_CORPUS_DIR={} is not a folder: the corpus tests need the folder of corpus schemas",
        dir.display()
    );
    dir
}
