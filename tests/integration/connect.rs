//! Connecting like libpq, against the test server (and, for TLS, a small fake server).
//!
//! Needs on the test server: a role `pgphase_pw` with password `s3cret-Pw`, and the hba line
//! `host all pgphase_pw 127.0.0.1/32 scram-sha-256` before a `trust` line for 127.0.0.1
//! (the harness sets both up), TCP on 127.0.0.1 at the socket's port, and `ssl = off`.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use pgphase::source::postgres::{
    ConnectError, ConnectOptions, Connection, OLDEST_SUPPORTED_SERVER, connect,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::common::{PASSWORD, PASSWORD_ROLE, TestDb, server};

/// An environment with nothing but a home directory of its own (no `.pgpass`, no root.crt).
struct Sandbox {
    home: tempfile::TempDir,
    vars: BTreeMap<String, String>,
}

impl Sandbox {
    fn new() -> Sandbox {
        let home = tempfile::tempdir().unwrap();
        let vars = BTreeMap::from([(
            "HOME".to_owned(),
            home.path().to_string_lossy().into_owned(),
        )]);
        Sandbox { home, vars }
    }

    fn with(mut self, name: &str, value: &str) -> Sandbox {
        self.vars.insert(name.to_owned(), value.to_owned());
        self
    }

    fn path(&self, name: &str) -> PathBuf {
        self.home.path().join(name)
    }

    async fn connect(&self, url: &str) -> Result<Connection, ConnectError> {
        connect(&options(url), &self.vars).await
    }
}

fn options(url: &str) -> ConnectOptions {
    ConnectOptions {
        database_url: Some(url.to_owned()),
        ..ConnectOptions::default()
    }
}

fn tcp_url(user: &str, database: &str) -> String {
    format!(
        "host=127.0.0.1 port={} user={user} dbname={database}",
        server().port
    )
}

/// A port on 127.0.0.1 with nothing listening.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn text(connection: &Connection, sql: &str) -> String {
    connection.client.query_one(sql, &[]).await.unwrap().get(0)
}

async fn server_ssl_is_off(db: &TestDb) -> bool {
    let ssl: String = db.client.query_one("SHOW ssl", &[]).await.unwrap().get(0);
    if ssl != "off" {
        eprintln!("skipped: the test server has ssl = {ssl}");
    }
    ssl == "off"
}

#[tokio::test(flavor = "multi_thread")]
async fn connects_over_the_unix_socket() {
    let db = TestDb::new().await;
    let Some(dir) = &server().socket_dir else {
        eprintln!("skipped: the test server has no unix socket");
        return;
    };
    let connection = connect(&db.connect_options(), &Sandbox::new().vars)
        .await
        .unwrap();
    assert_eq!(
        connection.target,
        format!("{dir}:{}/{}", server().port, db.name)
    );
    assert!(connection.server_version_num >= OLDEST_SUPPORTED_SERVER);
    assert_eq!(
        text(&connection, "SELECT current_database()::text").await,
        db.name
    );
    assert_eq!(text(&connection, "SHOW application_name").await, "pgphase");
    assert!(connection.notes.is_empty(), "{:?}", connection.notes);
}

#[tokio::test(flavor = "multi_thread")]
async fn connects_over_tcp_from_a_url_or_from_the_environment() {
    let db = TestDb::new().await;
    let user = &server().user;
    let url = format!(
        "postgresql://{user}@127.0.0.1:{}/{}",
        server().port,
        db.name
    );
    let connection = Sandbox::new().connect(&url).await.unwrap();
    assert_eq!(
        connection.target,
        format!("127.0.0.1:{}/{}", server().port, db.name)
    );
    assert_eq!(
        text(&connection, "SELECT current_database()::text").await,
        db.name
    );

    let env = Sandbox::new()
        .with("PGHOST", "127.0.0.1")
        .with("PGPORT", &server().port.to_string())
        .with("PGUSER", user)
        .with("PGDATABASE", &db.name)
        .with("PGAPPNAME", "someone-else");
    let connection = connect(&ConnectOptions::default(), &env.vars)
        .await
        .unwrap();
    assert_eq!(
        text(&connection, "SELECT current_database()::text").await,
        db.name
    );
    assert_eq!(text(&connection, "SHOW application_name").await, "pgphase");
}

#[tokio::test(flavor = "multi_thread")]
async fn statement_timeout_is_set_on_the_session() {
    let db = TestDb::new().await;
    let options = ConnectOptions {
        statement_timeout: Some(Duration::from_millis(300)),
        ..db.connect_options()
    };
    let connection = connect(&options, &Sandbox::new().vars).await.unwrap();
    assert_eq!(text(&connection, "SHOW statement_timeout").await, "300ms");
    let slow = connection
        .client
        .batch_execute("SELECT pg_sleep(5)")
        .await
        .unwrap_err();
    assert_eq!(
        slow.code(),
        Some(&tokio_postgres::error::SqlState::QUERY_CANCELED)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn dropping_the_connection_ends_the_server_session() {
    let db = TestDb::new().await;
    let connection = connect(&db.connect_options(), &Sandbox::new().vars)
        .await
        .unwrap();
    let pid: i32 = connection
        .client
        .query_one("SELECT pg_backend_pid()", &[])
        .await
        .unwrap()
        .get(0);
    let alive = "SELECT count(*) FROM pg_stat_activity WHERE pid = $1";
    assert_eq!(
        db.client
            .query_one(alive, &[&pid])
            .await
            .unwrap()
            .get::<_, i64>(0),
        1
    );
    drop(connection);
    let deadline = Instant::now() + Duration::from_secs(5);
    while db
        .client
        .query_one(alive, &[&pid])
        .await
        .unwrap()
        .get::<_, i64>(0)
        != 0
    {
        assert!(
            Instant::now() < deadline,
            "backend {pid} still there 5 s after the drop"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn refused_port_names_host_and_port() {
    let port = free_port();
    let error = Sandbox::new()
        .connect(&format!("host=127.0.0.1 port={port} user=u dbname=d"))
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        format!("cannot connect to 127.0.0.1:{port}: connection refused")
    );
    assert_eq!(error.exit_code(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_socket_names_the_socket_file() {
    let sandbox = Sandbox::new();
    let dir = sandbox.path("no-server-here");
    let error = sandbox
        .connect(&format!("host={} port=5999 user=u dbname=d", dir.display()))
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "cannot connect to {0}:5999: no such file ({0}/.s.PGSQL.5999)",
            dir.display()
        )
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn silent_server_times_out() {
    // The kernel accepts the connection into the backlog, and nobody ever answers.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let options = ConnectOptions {
        connect_timeout: Some(Duration::from_millis(300)),
        ..options(&format!("host=127.0.0.1 port={port} user=u dbname=d"))
    };
    let started = Instant::now();
    let error = connect(&options, &Sandbox::new().vars).await.unwrap_err();
    assert_eq!(
        error.to_string(),
        format!("cannot connect to 127.0.0.1:{port}: timed out after 300ms")
    );
    assert!(started.elapsed() < Duration::from_secs(3));
    drop(listener);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_later_host_is_tried_when_the_first_is_unreachable() {
    let db = TestDb::new().await;
    let url = format!(
        "host=127.0.0.1,127.0.0.1 port={},{} user={} dbname={}",
        free_port(),
        server().port,
        server().user,
        db.name
    );
    let connection = Sandbox::new().connect(&url).await.unwrap();
    assert_eq!(
        connection.target,
        format!("127.0.0.1:{}/{}", server().port, db.name)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_database_is_named() {
    let _db = TestDb::new().await;
    let error = Sandbox::new()
        .connect(&tcp_url(&server().user, "pgphase_no_such_database"))
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "database \"pgphase_no_such_database\" does not exist on 127.0.0.1:{}",
            server().port
        )
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_password_names_the_user_and_where_the_password_came_from() {
    let db = TestDb::new().await;
    let port = server().port;
    let url = format!(
        "postgresql://{PASSWORD_ROLE}:not-the-Pw@127.0.0.1:{port}/{}",
        db.name
    );
    let error = Sandbox::new().connect(&url).await.unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "authentication failed for user \"{PASSWORD_ROLE}\" on 127.0.0.1:{port}: the password was rejected (the password comes from the database URL)"
        )
    );
    let from_env = Sandbox::new().with("PGPASSWORD", "not-the-Pw");
    let error = from_env
        .connect(&tcp_url(PASSWORD_ROLE, &db.name))
        .await
        .unwrap_err();
    assert!(
        error
            .to_string()
            .ends_with("the password was rejected (the password comes from PGPASSWORD)"),
        "{error}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_password_hints_at_pgpassword_and_the_password_file() {
    let db = TestDb::new().await;
    let sandbox = Sandbox::new();
    let error = sandbox
        .connect(&tcp_url(PASSWORD_ROLE, &db.name))
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "authentication failed for user \"{PASSWORD_ROLE}\" on 127.0.0.1:{}: the server asks for a password and none was given (set PGPASSWORD, or add a line for this server to {})",
            server().port,
            sandbox.path(".pgpass").display()
        )
    );
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn password_file_is_used_unless_others_can_read_it() {
    use std::os::unix::fs::PermissionsExt;
    let db = TestDb::new().await;
    let sandbox = Sandbox::new();
    let passfile = sandbox.path(".pgpass");
    let line = format!(
        "# test\n127.0.0.1:{}:*:{PASSWORD_ROLE}:{PASSWORD}\n",
        server().port
    );
    std::fs::write(&passfile, line).unwrap();
    std::fs::set_permissions(&passfile, std::fs::Permissions::from_mode(0o600)).unwrap();
    let connection = sandbox
        .connect(&tcp_url(PASSWORD_ROLE, &db.name))
        .await
        .unwrap();
    assert_eq!(
        text(&connection, "SELECT current_user::text").await,
        PASSWORD_ROLE
    );

    std::fs::set_permissions(&passfile, std::fs::Permissions::from_mode(0o644)).unwrap();
    let error = sandbox
        .connect(&tcp_url(PASSWORD_ROLE, &db.name))
        .await
        .unwrap_err();
    assert!(
        error.to_string().ends_with(&format!(
            "(password file {} has group or world access; permissions should be u=rw (0600) or less, so it was not used; set PGPASSWORD or fix the file)",
            passfile.display()
        )),
        "{error}"
    );
    // Where no password is needed, the ignored file is only a note.
    let connection = sandbox
        .connect(&tcp_url(&server().user, &db.name))
        .await
        .unwrap();
    assert_eq!(connection.notes.len(), 1);
    assert!(
        connection.notes[0].contains("has group or world access"),
        "{:?}",
        connection.notes
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn tls_required_from_a_server_without_tls_fails_in_one_line() {
    let db = TestDb::new().await;
    if !server_ssl_is_off(&db).await {
        return;
    }
    let error = Sandbox::new()
        .connect(&format!(
            "{} sslmode=require",
            tcp_url(&server().user, &db.name)
        ))
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "TLS failed with 127.0.0.1:{}: the server does not support TLS, and sslmode=require requires it",
            server().port
        )
    );
    let preferred = Sandbox::new()
        .connect(&format!(
            "{} sslmode=prefer",
            tcp_url(&server().user, &db.name)
        ))
        .await;
    assert!(preferred.is_ok(), "{:?}", preferred.err());
}

#[tokio::test(flavor = "multi_thread")]
async fn no_error_shows_the_password() {
    let db = TestDb::new().await;
    let secret = "Zq7-never-show-me";
    let port = server().port;
    let urls = [
        format!(
            "postgresql://{PASSWORD_ROLE}:{secret}@127.0.0.1:{port}/{}",
            db.name
        ),
        format!(
            "postgresql://{PASSWORD_ROLE}:{secret}@127.0.0.1:{port}/{}?sslmode=require",
            db.name
        ),
        format!(
            "postgresql://{PASSWORD_ROLE}:{secret}@127.0.0.1:{}/{}",
            free_port(),
            db.name
        ),
        format!(
            "postgresql://{}:{secret}@127.0.0.1:{port}/pgphase_no_such_database",
            server().user
        ),
        format!("postgresql://u:{secret}@127.0.0.1:{port}/d?sslmode=sometimes"),
        format!("postgresql://u:{secret}@127.0.0.1:{port}/d?colour=blue"),
        format!("postgresql://u:{secret}@127.0.0.1:port/d"),
        format!("host=127.0.0.1 password='{secret}"),
        format!("host=127.0.0.1 {secret}"),
    ];
    for url in &urls {
        let error = Sandbox::new().connect(url).await.unwrap_err();
        for shown in [error.to_string(), format!("{error:?}")] {
            assert!(
                !shown.contains(secret) && !shown.contains("never-show"),
                "{url} gave: {shown}"
            );
        }
    }
    let from_env = Sandbox::new().with("PGPASSWORD", secret);
    let error = from_env
        .connect(&tcp_url(PASSWORD_ROLE, &db.name))
        .await
        .unwrap_err();
    assert!(!format!("{error} {error:?}").contains(secret));
    assert!(!format!("{:?}", options(&urls[0])).contains(secret));
}

// ---- TLS against a fake server holding the test certificate ----

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/tls")
        .join(name)
}

/// A server on 127.0.0.1 that accepts TLS with `server.pem` (names `localhost`, `127.0.0.1`,
/// signed by `ca.pem`), then answers the startup message with "database does not exist": reaching
/// that error proves the TLS handshake succeeded.
fn fake_tls_server() -> u16 {
    let certificates = CertificateDer::pem_file_iter(fixture("server.pem"))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let key = PrivateKeyDer::from_pem_file(fixture("server.key")).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(certificates, key)
    .unwrap();
    let config = Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let config = Arc::clone(&config);
            std::thread::spawn(move || serve_tls(stream, config));
        }
    });
    port
}

fn serve_tls(mut tcp: TcpStream, config: Arc<rustls::ServerConfig>) {
    const SSL_REQUEST: [u8; 8] = [0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f];
    let mut request = [0; 8];
    if tcp.read_exact(&mut request).is_err()
        || request != SSL_REQUEST
        || tcp.write_all(b"S").is_err()
    {
        return;
    }
    let mut tls = rustls::StreamOwned::new(rustls::ServerConnection::new(config).unwrap(), tcp);
    let mut length = [0; 4];
    if tls.read_exact(&mut length).is_err() {
        return; // the client refused the certificate
    }
    let mut startup = vec![0; (u32::from_be_bytes(length) as usize).saturating_sub(4)];
    if tls.read_exact(&mut startup).is_ok() {
        let _ = tls.write_all(&error_response("3D000", "database \"fake\" does not exist"));
        let _ = tls.flush();
    }
}

fn error_response(code: &str, message: &str) -> Vec<u8> {
    let mut fields = Vec::new();
    for (tag, value) in [
        (b'S', "FATAL"),
        (b'V', "FATAL"),
        (b'C', code),
        (b'M', message),
    ] {
        fields.push(tag);
        fields.extend_from_slice(value.as_bytes());
        fields.push(0);
    }
    fields.push(0);
    let mut response = vec![b'E'];
    response.extend_from_slice(&u32::try_from(fields.len() + 4).unwrap().to_be_bytes());
    response.extend_from_slice(&fields);
    response
}

async fn tls_outcome(sandbox: &Sandbox, port: u16, settings: &str) -> String {
    let url = format!("host=127.0.0.1 port={port} user=u dbname=fake {settings}");
    sandbox.connect(&url).await.unwrap_err().to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn certificates_are_checked_as_sslmode_says() {
    let port = fake_tls_server();
    let handshake_ok = format!("database \"fake\" does not exist on 127.0.0.1:{port}");
    let untrusted = format!(
        "TLS failed with 127.0.0.1:{port}: certificate verification failed (sslmode=verify-full): the certificate is not signed by a trusted root certificate"
    );
    let sandbox = Sandbox::new();
    let ca = fixture("ca.pem");
    let other = fixture("other-ca.pem");

    let verify_full = format!("sslmode=verify-full sslrootcert={}", ca.display());
    assert_eq!(
        tls_outcome(&sandbox, port, &verify_full).await,
        handshake_ok
    );
    let verify_ca = format!("sslmode=verify-ca sslrootcert={}", ca.display());
    assert_eq!(tls_outcome(&sandbox, port, &verify_ca).await, handshake_ok);
    let wrong_root = format!("sslmode=verify-full sslrootcert={}", other.display());
    assert_eq!(tls_outcome(&sandbox, port, &wrong_root).await, untrusted);

    // Without a root certificate file, require encrypts but checks nothing…
    assert_eq!(
        tls_outcome(&sandbox, port, "sslmode=require").await,
        handshake_ok
    );
    assert_eq!(
        tls_outcome(&sandbox, port, "sslmode=verify-full").await,
        format!(
            "TLS failed with 127.0.0.1:{port}: root certificate file {} does not exist (sslmode=verify-full needs one: set sslrootcert or PGSSLROOTCERT)",
            sandbox.path(".postgresql/root.crt").display()
        )
    );
    // …and with ~/.postgresql/root.crt present, require checks the chain, as libpq does.
    std::fs::create_dir(sandbox.path(".postgresql")).unwrap();
    std::fs::copy(&other, sandbox.path(".postgresql/root.crt")).unwrap();
    assert_eq!(
        tls_outcome(&sandbox, port, "sslmode=require").await,
        untrusted.replace("sslmode=verify-full", "sslmode=require")
    );
    std::fs::copy(&ca, sandbox.path(".postgresql/root.crt")).unwrap();
    assert_eq!(
        tls_outcome(&sandbox, port, "sslmode=require").await,
        handshake_ok
    );
}
