//! Connecting to PostgreSQL the way libpq does: a URL or `key=value` settings, the `PG*`
//! environment variables for whatever they leave out, the password file, `sslmode`, and a
//! connect timeout; then a check that the server is PostgreSQL 12 or newer.
//!
//! - Settings and their defaults: [`settings`] (host lists are tried in order; the first that
//!   connects wins; when all fail, the first failure that reached a server is reported, else the
//!   last one).
//! - The password file: [`pgpass`]. When it is ignored (loose permissions), the reason is in
//!   [`Connection::notes`], and in the hint of an authentication failure.
//! - TLS: [`tls`]. Under `sslmode=prefer` (or `allow`) a failed TLS handshake is retried without
//!   TLS, as libpq does, and a note says so.
//! - Failures: [`ConnectError`], one line each, never with a password.
//!
//! `application_name` is always `pgphase`. The connect timeout covers each host's whole attempt
//! (socket, TLS and authentication), like libpq's; a statement timeout is set on the session
//! after connecting.

mod conninfo;
mod env;
mod error;
mod pgpass;
mod settings;
mod tls;
mod words;

use std::fmt;
use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use tokio::net::{TcpSocket, TcpStream, UnixStream};
use tokio::task::JoinHandle;
use tokio_postgres::tls::MakeTlsConnect;
use tokio_postgres::{Client, NoTls};
use tokio_postgres_rustls::MakeRustlsConnect;

pub use env::{Env, SystemEnv};
pub use error::ConnectError;

use error::AttemptContext;
use pgpass::PassFileState;
use settings::{ChannelBinding, Endpoint, Host, Password, PasswordOrigin, Settings};
use tls::SslMode;
use words::describe_io;

/// The oldest server pgphase reads (`server_version_num` of PostgreSQL 12).
pub const OLDEST_SUPPORTED_SERVER: i32 = 120_000;

/// The `application_name` of every pgphase session.
pub const APPLICATION_NAME: &str = "pgphase";

/// How to connect, as the command line gives it; everything else comes from the environment.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ConnectOptions {
    /// `--database-url` or `DATABASE_URL`: a `postgresql://` URL or `key=value` settings.
    pub database_url: Option<String>,
    /// Wins over `connect_timeout` in the URL and `PGCONNECT_TIMEOUT`; without any, 10 s.
    pub connect_timeout: Option<Duration>,
    /// Set on the session (`SET statement_timeout`) after connecting.
    pub statement_timeout: Option<Duration>,
}

impl fmt::Debug for ConnectOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectOptions")
            .field(
                "database_url",
                &self.database_url.as_ref().map(|_| "<hidden>"),
            )
            .field("connect_timeout", &self.connect_timeout)
            .field("statement_timeout", &self.statement_timeout)
            .finish()
    }
}

/// An open session. Dropping it ends the session: the background task that drives the
/// connection sends the server a goodbye and finishes once the client is gone.
pub struct Connection {
    pub client: Client,
    /// The server's `server_version_num`, e.g. 150004.
    pub server_version_num: i32,
    /// `host:port/database` (`/socket/dir:port/database` for a unix socket), for messages.
    pub target: String,
    /// Things the user may want to know that did not stop the connection (an ignored password
    /// file, a fallback to a connection without TLS).
    pub notes: Vec<String>,
    task: JoinHandle<Result<(), tokio_postgres::Error>>,
}

impl Connection {
    /// Ends the session and waits until the connection is closed.
    pub async fn close(self) {
        drop(self.client);
        // The task ends by itself once the client is dropped; its outcome no longer matters.
        let _ = self.task.await;
    }
}

impl fmt::Debug for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connection")
            .field("target", &self.target)
            .field("server_version_num", &self.server_version_num)
            .field("notes", &self.notes)
            .finish_non_exhaustive()
    }
}

type Session = (Client, JoinHandle<Result<(), tokio_postgres::Error>>);

/// Connects as libpq would with the same URL and environment, checks that the server is at least
/// [`OLDEST_SUPPORTED_SERVER`], and applies the statement timeout.
///
/// # Errors
/// [`ConnectError`]: a bad URL or variable, an unreachable server, failed authentication, a
/// missing database, a TLS failure, or a server older than PostgreSQL 12.
pub async fn connect(options: &ConnectOptions, env: &dyn Env) -> Result<Connection, ConnectError> {
    let settings = settings::resolve(
        options.database_url.as_deref(),
        options.connect_timeout,
        env,
        &Path::exists,
    )?;
    let mut notes = Vec::new();
    let passfile = match (&settings.password, &settings.passfile) {
        (None, Some(path)) => pgpass::load(path),
        _ => PassFileState::Absent,
    };
    if let PassFileState::Ignored(reason) = &passfile {
        notes.push(format!("{reason}, so it was not used"));
    }
    let mut reached_server = None;
    let mut last_failure = None;
    for endpoint in &settings.endpoints {
        let password = password_for(&settings, &passfile, endpoint);
        let context = AttemptContext {
            server: endpoint.to_string(),
            user: &settings.user,
            database: &settings.database,
            ssl_mode: settings.ssl_mode,
            password_hint: password_hint(
                password.as_ref(),
                &passfile,
                settings.passfile.as_deref(),
            ),
        };
        match attempt(&settings, endpoint, password.as_ref(), &context, &mut notes).await {
            Ok(session) => {
                return finish(session, &settings, endpoint, options, notes, &context).await;
            }
            Err(error) if error.is_unreachable() => last_failure = Some(error),
            Err(error) => {
                reached_server.get_or_insert(error);
            }
        }
    }
    Err(reached_server
        .or(last_failure)
        .unwrap_or_else(|| ConnectError::BadUrl {
            reason: "no host to connect to".to_owned(),
        }))
}

/// Where a connection string leads, resolved as [`connect`] would resolve it (the `PG*`
/// environment and libpq's defaults fill the gaps), without connecting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    /// Every `host:port` (`/socket/dir:port` for a unix socket) that would be tried, in order.
    pub servers: Vec<String>,
    pub database: String,
}

/// The servers and database a connection string names.
///
/// # Errors
/// [`ConnectError`] when the string or an environment variable is invalid.
pub fn destination(url: Option<&str>, env: &dyn Env) -> Result<Destination, ConnectError> {
    let settings = settings::resolve(url, None, env, &Path::exists)?;
    Ok(Destination {
        servers: settings.endpoints.iter().map(ToString::to_string).collect(),
        database: settings.database,
    })
}

/// The password given explicitly, else the password file's for this endpoint.
fn password_for(
    settings: &Settings,
    passfile: &PassFileState,
    endpoint: &Endpoint,
) -> Option<Password> {
    if let Some(password) = &settings.password {
        return Some(password.clone());
    }
    let (PassFileState::Loaded(file), Some(path)) = (passfile, &settings.passfile) else {
        return None;
    };
    file.find(
        &endpoint.host,
        endpoint.port,
        &settings.database,
        &settings.user,
    )
    .map(|found| Password {
        value: found.password,
        origin: PasswordOrigin::PassFile {
            path: path.clone(),
            line: found.line,
        },
    })
}

/// Where the password came from, or how to give one, for an authentication failure.
fn password_hint(
    password: Option<&Password>,
    passfile: &PassFileState,
    passfile_path: Option<&Path>,
) -> String {
    match (password.map(|password| &password.origin), passfile) {
        (Some(PasswordOrigin::Url), _) => "the password comes from the database URL".to_owned(),
        (Some(PasswordOrigin::Environment), _) => "the password comes from PGPASSWORD".to_owned(),
        (Some(PasswordOrigin::PassFile { path, line }), _) => {
            format!("the password comes from {} line {line}", path.display())
        }
        (None, PassFileState::Ignored(reason)) => {
            format!("{reason}, so it was not used; set PGPASSWORD or fix the file")
        }
        (None, _) => match passfile_path {
            Some(path) => format!(
                "set PGPASSWORD, or add a line for this server to {}",
                path.display()
            ),
            None => "set PGPASSWORD, or give a password file with PGPASSFILE".to_owned(),
        },
    }
}

/// One endpoint, within the connect timeout; under `prefer` a TLS failure is retried without TLS.
async fn attempt(
    settings: &Settings,
    endpoint: &Endpoint,
    password: Option<&Password>,
    context: &AttemptContext<'_>,
    notes: &mut Vec<String>,
) -> Result<Session, ConnectError> {
    // PostgreSQL offers no TLS on unix sockets; libpq ignores sslmode there.
    let mode = match endpoint.host {
        Host::Socket(_) => SslMode::Disable,
        Host::Tcp(_) => settings.ssl_mode,
    };
    let first = within(
        settings.connect_timeout,
        context,
        handshake(settings, endpoint, password, mode, context),
    )
    .await;
    match first {
        Err(ConnectError::Tls { reason, .. })
            if mode != SslMode::Disable && mode.allows_plain() =>
        {
            let plain = handshake(settings, endpoint, password, SslMode::Disable, context);
            let session = within(settings.connect_timeout, context, plain).await?;
            notes.push(format!(
                "TLS with {} failed ({reason}); connected without TLS, as sslmode={} allows",
                context.server,
                mode.as_str()
            ));
            Ok(session)
        }
        other => other,
    }
}

async fn within<T>(
    limit: Option<Duration>,
    context: &AttemptContext<'_>,
    work: impl Future<Output = Result<T, ConnectError>>,
) -> Result<T, ConnectError> {
    match limit {
        Some(limit) => tokio::time::timeout(limit, work)
            .await
            .unwrap_or_else(|_| Err(context.timed_out(limit))),
        None => work.await,
    }
}

/// Opens the socket and runs the startup handshake (TLS, authentication).
async fn handshake(
    settings: &Settings,
    endpoint: &Endpoint,
    password: Option<&Password>,
    mode: SslMode,
    context: &AttemptContext<'_>,
) -> Result<Session, ConnectError> {
    let config = session_config(settings, password, mode);
    let classify = |error: tokio_postgres::Error| context.classify(&error);
    match &endpoint.host {
        Host::Socket(_) => {
            let path = endpoint.socket_path().unwrap_or_default();
            let stream = UnixStream::connect(&path).await.map_err(|error| {
                context.unreachable(format!("{} ({})", describe_io(&error), path.display()))
            })?;
            let (client, connection) = config.connect_raw(stream, NoTls).await.map_err(classify)?;
            Ok((client, tokio::spawn(connection)))
        }
        Host::Tcp(name) => {
            let stream = connect_tcp(name, endpoint.port, context).await?;
            let Some(tls_config) = tls::client_config(mode, &settings.root_cert)
                .map_err(|reason| context.tls(reason))?
            else {
                let (client, connection) =
                    config.connect_raw(stream, NoTls).await.map_err(classify)?;
                return Ok((client, tokio::spawn(connection)));
            };
            let mut maker = MakeRustlsConnect::new(tls_config);
            let connector = match MakeTlsConnect::<TcpStream>::make_tls_connect(&mut maker, name) {
                Ok(connector) => connector,
                Err(never) => match never {},
            };
            let (client, connection) = config
                .connect_raw(stream, connector)
                .await
                .map_err(classify)?;
            Ok((client, tokio::spawn(connection)))
        }
    }
}

/// The startup parameters for one attempt.
fn session_config(
    settings: &Settings,
    password: Option<&Password>,
    mode: SslMode,
) -> tokio_postgres::Config {
    let mut config = tokio_postgres::Config::new();
    config
        .user(&settings.user)
        .dbname(&settings.database)
        .application_name(APPLICATION_NAME)
        .ssl_mode(mode.negotiation())
        .channel_binding(match settings.channel_binding {
            ChannelBinding::Disable => tokio_postgres::config::ChannelBinding::Disable,
            ChannelBinding::Prefer => tokio_postgres::config::ChannelBinding::Prefer,
            ChannelBinding::Require => tokio_postgres::config::ChannelBinding::Require,
        });
    if let Some(password) = password {
        config.password(password.value.as_bytes());
    }
    if let Some(options) = &settings.options {
        config.options(options);
    }
    config
}

/// TCP to each address of `host` in turn, keepalives on, as libpq does.
async fn connect_tcp(
    host: &str,
    port: u16,
    context: &AttemptContext<'_>,
) -> Result<TcpStream, ConnectError> {
    let addresses: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|error| context.unreachable(format!("unknown host ({})", describe_io(&error))))?
        .collect();
    let mut last_error = None;
    for address in addresses {
        match open_tcp(address).await {
            Ok(stream) => return Ok(stream),
            Err(error) => last_error = Some(error),
        }
    }
    Err(context.unreachable(last_error.map_or_else(
        || "the host name has no addresses".to_owned(),
        |error| describe_io(&error),
    )))
}

async fn open_tcp(address: SocketAddr) -> std::io::Result<TcpStream> {
    let socket = if address.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    socket.set_keepalive(true)?;
    let stream = socket.connect(address).await?;
    stream.set_nodelay(true)?;
    Ok(stream)
}

/// Checks the server version and applies the statement timeout.
async fn finish(
    (client, task): Session,
    settings: &Settings,
    endpoint: &Endpoint,
    options: &ConnectOptions,
    notes: Vec<String>,
    context: &AttemptContext<'_>,
) -> Result<Connection, ConnectError> {
    let row = client
        .query_one(
            "SELECT current_setting('server_version_num')::int4, current_setting('server_version')",
            &[],
        )
        .await
        .map_err(|error| {
            context.failed(format!(
                "cannot read the server version: {}",
                super::server_message(&error)
            ))
        })?;
    let (version_num, version): (i32, String) = row
        .try_get(0)
        .and_then(|num| Ok((num, row.try_get(1)?)))
        .map_err(|error| context.failed(format!("cannot read the server version: {error}")))?;
    check_server_version(version_num, &version, &context.server)?;
    if let Some(limit) = options.statement_timeout {
        let millis = i32::try_from(limit.as_millis()).unwrap_or(i32::MAX);
        client
            .batch_execute(&format!("SET statement_timeout = {millis}"))
            .await
            .map_err(|error| {
                context.failed(format!(
                    "cannot set statement_timeout: {}",
                    super::server_message(&error)
                ))
            })?;
    }
    Ok(Connection {
        client,
        server_version_num: version_num,
        target: format!("{endpoint}/{}", settings.database),
        notes,
        task,
    })
}

/// Refuses servers older than [`OLDEST_SUPPORTED_SERVER`], naming the version found.
fn check_server_version(version_num: i32, version: &str, server: &str) -> Result<(), ConnectError> {
    if version_num >= OLDEST_SUPPORTED_SERVER {
        return Ok(());
    }
    let version = version
        .split_whitespace()
        .next()
        .unwrap_or(version)
        .to_owned();
    Err(ConnectError::ServerTooOld {
        server: server.to_owned(),
        version,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::collections::BTreeMap;
    use std::path::PathBuf;

    use super::*;

    #[test]
    fn version_check_names_the_version_found() {
        assert!(check_server_version(120_000, "12.0", "h:1").is_ok());
        assert!(check_server_version(170_002, "17.2 (Debian 17.2-1)", "h:1").is_ok());
        assert_eq!(
            check_server_version(110_022, "11.22 (Debian 11.22-1.pgdg120+1)", "h:1")
                .unwrap_err()
                .to_string(),
            "h:1 runs PostgreSQL 11.22; pgphase needs PostgreSQL 12 or newer"
        );
        assert_eq!(
            check_server_version(90_624, "9.6.24", "h:1")
                .unwrap_err()
                .to_string(),
            "h:1 runs PostgreSQL 9.6.24; pgphase needs PostgreSQL 12 or newer"
        );
    }

    #[test]
    fn password_hints_say_where_the_password_came_from() {
        let from = |origin| Password {
            value: "x".to_owned(),
            origin,
        };
        let pgpass = Path::new("/home/u/.pgpass");
        assert_eq!(
            password_hint(
                Some(&from(PasswordOrigin::Environment)),
                &PassFileState::Absent,
                Some(pgpass)
            ),
            "the password comes from PGPASSWORD"
        );
        assert_eq!(
            password_hint(
                Some(&from(PasswordOrigin::PassFile {
                    path: pgpass.to_owned(),
                    line: 3
                })),
                &PassFileState::Absent,
                Some(pgpass)
            ),
            "the password comes from /home/u/.pgpass line 3"
        );
        assert_eq!(
            password_hint(None, &PassFileState::Absent, Some(pgpass)),
            "set PGPASSWORD, or add a line for this server to /home/u/.pgpass"
        );
        assert_eq!(
            password_hint(
                None,
                &PassFileState::Ignored("password file /p is not a plain file".to_owned()),
                None
            ),
            "password file /p is not a plain file, so it was not used; set PGPASSWORD or fix the file"
        );
    }

    #[test]
    fn password_file_is_used_only_without_an_explicit_password() {
        let env: BTreeMap<String, String> = [("USER", "u"), ("PGHOST", "db"), ("PGPASSFILE", "/p")]
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .into();
        let mut settings = settings::resolve(None, None, &env, &|_| false).unwrap();
        let file = PassFileState::Loaded(pgpass::parse("db:5432:u:u:from-file\n"));
        let endpoint = settings.endpoints[0].clone();
        let found = password_for(&settings, &file, &endpoint).unwrap();
        assert_eq!(found.value, "from-file");
        assert_eq!(
            found.origin,
            PasswordOrigin::PassFile {
                path: PathBuf::from("/p"),
                line: 1
            }
        );
        settings.password = Some(Password {
            value: "explicit".to_owned(),
            origin: PasswordOrigin::Url,
        });
        assert_eq!(
            password_for(&settings, &file, &endpoint).unwrap().value,
            "explicit"
        );
    }

    #[test]
    fn debug_output_of_options_hides_the_url() {
        let options = ConnectOptions {
            database_url: Some("postgresql://u:hunter2-secret@h/db".to_owned()),
            ..ConnectOptions::default()
        };
        assert!(!format!("{options:?}").contains("hunter2"));
    }
}
