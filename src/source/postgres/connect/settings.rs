//! The connection settings in force: the URL's values, then the libpq environment variables for
//! whatever the URL leaves out, then the defaults.
//!
//! | setting          | URL keyword       | variable            | default                                   |
//! |------------------|-------------------|---------------------|-------------------------------------------|
//! | host(s)          | `host`            | `PGHOST`            | see below                                 |
//! | port(s)          | `port`            | `PGPORT`            | 5432                                      |
//! | user             | `user`            | `PGUSER`            | `USER`, `LOGNAME`, the OS user            |
//! | database         | `dbname`          | `PGDATABASE`        | the user name                             |
//! | password         | `password`        | `PGPASSWORD`        | the password file                         |
//! | password file    | `passfile`        | `PGPASSFILE`        | `~/.pgpass`                               |
//! | TLS mode         | `sslmode`         | `PGSSLMODE`         | `prefer` (`verify-full` with `system`)    |
//! | TLS roots        | `sslrootcert`     | `PGSSLROOTCERT`     | `~/.postgresql/root.crt`                  |
//! | connect timeout  | `connect_timeout` | `PGCONNECT_TIMEOUT` | 10 s                                      |
//! | server options   | `options`         | `PGOPTIONS`         | none                                      |
//! | channel binding  | `channel_binding` | `PGCHANNELBINDING`  | `prefer`                                  |
//!
//! `application_name` is always `pgphase`: the keyword and `PGAPPNAME` are accepted and ignored.
//!
//! Hosts are a comma list, each a host name, an IP address, or (starting with `/`) a unix-socket
//! directory; ports are one for all hosts or one per host. An empty host takes the default:
//! the unix socket in `/var/run/postgresql` if its socket file for the port exists, else the one
//! in `/tmp` if it exists, else TCP to `localhost`. (libpq goes to its compiled-in socket
//! directory without looking; probing both usual directories, and falling back to TCP, also
//! finds a server reachable only through a forwarded local port.)

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::conninfo::{self, Params};
use super::env::Env;
use super::error::ConnectError;
use super::tls::{RootCert, SslMode};

/// The connect timeout when neither the caller, the URL nor `PGCONNECT_TIMEOUT` gives one.
pub(super) const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const DEFAULT_PORT: u16 = 5432;

/// Keywords libpq knows that change nothing here (application_name: ours is always used).
const IGNORED_KEYWORDS: &[&str] = &[
    "application_name",
    "fallback_application_name",
    "keepalives",
    "keepalives_idle",
    "keepalives_interval",
    "keepalives_count",
    "tcp_user_timeout",
    "sslcompression",
    "sslsni",
    "ssl_min_protocol_version",
    "ssl_max_protocol_version",
    "gssencmode",
    "krbsrvname",
    "gsslib",
    "client_encoding",
    "target_session_attrs",
    "load_balance_hosts",
];

/// libpq keywords whose meaning pgphase cannot honour, with what to say about them.
const UNSUPPORTED_KEYWORDS: &[(&str, &str)] = &[
    ("sslcert", "client certificates (sslcert) are not supported"),
    ("sslkey", "client certificates (sslkey) are not supported"),
    (
        "sslpassword",
        "client certificates (sslpassword) are not supported",
    ),
    (
        "sslcertmode",
        "client certificates (sslcertmode) are not supported",
    ),
    (
        "sslcrl",
        "certificate revocation lists (sslcrl) are not supported",
    ),
    (
        "sslcrldir",
        "certificate revocation lists (sslcrldir) are not supported",
    ),
    ("sslnegotiation", "sslnegotiation is not supported"),
    (
        "service",
        "connection service files (service) are not supported",
    ),
    (
        "hostaddr",
        "hostaddr is not supported; give the address as host",
    ),
    ("require_auth", "require_auth is not supported"),
    ("requirepeer", "requirepeer is not supported"),
    ("replication", "replication connections are not supported"),
];

/// Keywords this module reads, with the variable that stands in for each.
const KEYWORDS: &[(&str, &str)] = &[
    ("host", "PGHOST"),
    ("port", "PGPORT"),
    ("user", "PGUSER"),
    ("dbname", "PGDATABASE"),
    ("password", "PGPASSWORD"),
    ("passfile", "PGPASSFILE"),
    ("sslmode", "PGSSLMODE"),
    ("sslrootcert", "PGSSLROOTCERT"),
    ("connect_timeout", "PGCONNECT_TIMEOUT"),
    ("options", "PGOPTIONS"),
    ("channel_binding", "PGCHANNELBINDING"),
];

/// Default unix-socket directories, looked in when no host is given; the password file calls
/// them `localhost`.
pub(super) const DEFAULT_SOCKET_DIRS: [&str; 2] = ["/var/run/postgresql", "/tmp"];

/// Where a server listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Host {
    /// A host name or IP address, reached over TCP.
    Tcp(String),
    /// A directory holding the server's unix socket `.s.PGSQL.<port>`.
    Socket(PathBuf),
}

/// One server to try: a host and its port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Endpoint {
    pub host: Host,
    pub port: u16,
}

impl Endpoint {
    /// The socket file of a unix-socket endpoint.
    pub(crate) fn socket_path(&self) -> Option<PathBuf> {
        match &self.host {
            Host::Socket(dir) => Some(dir.join(format!(".s.PGSQL.{}", self.port))),
            Host::Tcp(_) => None,
        }
    }
}

/// `host:port`, `[v6addr]:port`, or `/socket/dir:port`.
impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.host {
            Host::Tcp(name) if name.contains(':') => write!(f, "[{name}]:{}", self.port),
            Host::Tcp(name) => write!(f, "{name}:{}", self.port),
            Host::Socket(dir) => write!(f, "{}:{}", dir.display(), self.port),
        }
    }
}

/// Where a password came from, for hints when the server rejects it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PasswordOrigin {
    Url,
    Environment,
    PassFile { path: PathBuf, line: usize },
}

/// A password and its origin; its `Debug` output hides the value.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Password {
    pub value: String,
    pub origin: PasswordOrigin,
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Password {{ value: <hidden>, origin: {:?} }}",
            self.origin
        )
    }
}

/// How channel binding is used with SCRAM authentication.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChannelBinding {
    Disable,
    Prefer,
    Require,
}

/// Everything needed to connect, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Settings {
    pub endpoints: Vec<Endpoint>,
    pub user: String,
    pub database: String,
    /// From the URL or `PGPASSWORD`; the password file is consulted per endpoint when `None`.
    pub password: Option<Password>,
    pub passfile: Option<PathBuf>,
    pub ssl_mode: SslMode,
    pub root_cert: RootCert,
    /// `None` waits for ever (`connect_timeout=0`).
    pub connect_timeout: Option<Duration>,
    pub options: Option<String>,
    pub channel_binding: ChannelBinding,
}

/// Where a raw value came from, to name it in errors.
#[derive(Debug, Clone, Copy)]
enum Origin {
    Url,
    Variable(&'static str),
}

impl Origin {
    fn error(self, reason: String) -> ConnectError {
        match self {
            Origin::Url => ConnectError::BadUrl { reason },
            Origin::Variable(variable) => ConnectError::BadEnvironment { variable, reason },
        }
    }
}

/// The URL's values and the environment, looked up keyword by keyword.
struct Sources<'a> {
    params: Params,
    env: &'a dyn Env,
}

impl Sources<'_> {
    /// The value of a keyword from the URL, else from its variable; empty counts as unset.
    fn get(&self, keyword: &str) -> Option<(String, Origin)> {
        if let Some(value) = self.params.get(keyword).filter(|value| !value.is_empty()) {
            return Some((value.clone(), Origin::Url));
        }
        let (_, variable) = KEYWORDS.iter().find(|(name, _)| *name == keyword)?;
        self.env
            .var(variable)
            .filter(|value| !value.is_empty())
            .map(|value| (value, Origin::Variable(variable)))
    }
}

/// Resolves the settings from a URL (or `key=value` settings), the environment and the
/// defaults. `socket_exists` tells whether a unix-socket file exists (the default host depends
/// on it); `connect_timeout` from the caller wins over the URL and the environment.
pub(crate) fn resolve(
    url: Option<&str>,
    connect_timeout: Option<Duration>,
    env: &dyn Env,
    socket_exists: &dyn Fn(&Path) -> bool,
) -> Result<Settings, ConnectError> {
    let params = match url.filter(|url| !url.trim().is_empty()) {
        Some(url) => {
            conninfo::parse(url.trim()).map_err(|reason| ConnectError::BadUrl { reason })?
        }
        None => Params::new(),
    };
    check_keywords(&params)?;
    let sources = Sources { params, env };
    let user = resolve_user(&sources)?;
    let database = sources
        .get("dbname")
        .map_or_else(|| user.clone(), |(name, _)| name);
    let (ssl_mode, root_cert) = resolve_tls(&sources)?;
    Ok(Settings {
        endpoints: resolve_endpoints(&sources, socket_exists)?,
        password: resolve_password(&sources),
        passfile: sources
            .get("passfile")
            .map(|(path, _)| PathBuf::from(path))
            .or_else(|| env.home_dir().map(|home| home.join(".pgpass"))),
        connect_timeout: match connect_timeout {
            Some(limit) => Some(limit),
            None => resolve_connect_timeout(&sources)?,
        },
        options: sources.get("options").map(|(options, _)| options),
        channel_binding: resolve_channel_binding(&sources)?,
        user,
        database,
        ssl_mode,
        root_cert,
    })
}

fn check_keywords(params: &Params) -> Result<(), ConnectError> {
    for keyword in params.keys() {
        if let Some((_, reason)) = UNSUPPORTED_KEYWORDS
            .iter()
            .find(|(name, _)| name == keyword)
        {
            return Err(ConnectError::BadUrl {
                reason: (*reason).to_owned(),
            });
        }
        let known = KEYWORDS.iter().any(|(name, _)| name == keyword)
            || IGNORED_KEYWORDS.contains(&keyword.as_str());
        if !known {
            return Err(ConnectError::BadUrl {
                reason: format!("unknown option \"{keyword}\""),
            });
        }
    }
    Ok(())
}

fn resolve_user(sources: &Sources<'_>) -> Result<String, ConnectError> {
    sources
        .get("user")
        .map(|(user, _)| user)
        .or_else(|| sources.env.var("USER").filter(|user| !user.is_empty()))
        .or_else(|| sources.env.var("LOGNAME").filter(|user| !user.is_empty()))
        .or_else(|| sources.env.os_user())
        .ok_or(ConnectError::NoUser)
}

fn resolve_password(sources: &Sources<'_>) -> Option<Password> {
    sources.get("password").map(|(value, origin)| Password {
        value,
        origin: match origin {
            Origin::Url => PasswordOrigin::Url,
            Origin::Variable(_) => PasswordOrigin::Environment,
        },
    })
}

fn resolve_endpoints(
    sources: &Sources<'_>,
    socket_exists: &dyn Fn(&Path) -> bool,
) -> Result<Vec<Endpoint>, ConnectError> {
    let hosts: Vec<String> = match sources.get("host") {
        Some((list, _)) => list.split(',').map(|host| host.trim().to_owned()).collect(),
        None => vec![String::new()],
    };
    let ports = match sources.get("port") {
        Some((list, origin)) => parse_ports(&list).map_err(|reason| origin.error(reason))?,
        None => vec![DEFAULT_PORT],
    };
    if ports.len() != 1 && ports.len() != hosts.len() {
        let origin = sources
            .get("port")
            .map_or(Origin::Url, |(_, origin)| origin);
        return Err(origin.error(format!(
            "{} hosts but {} ports (give one port, or one per host)",
            hosts.len(),
            ports.len()
        )));
    }
    Ok(hosts
        .iter()
        .enumerate()
        .map(|(index, host)| {
            let port = ports
                .get(index)
                .or(ports.first())
                .copied()
                .unwrap_or(DEFAULT_PORT);
            Endpoint {
                host: parse_host(host, port, socket_exists),
                port,
            }
        })
        .collect())
}

fn parse_ports(list: &str) -> Result<Vec<u16>, String> {
    list.split(',')
        .map(|port| match port.trim() {
            "" => Ok(DEFAULT_PORT),
            text => text
                .parse::<u16>()
                .ok()
                .filter(|port| *port != 0)
                .ok_or_else(|| "a port must be a number from 1 to 65535".to_owned()),
        })
        .collect()
}

fn parse_host(host: &str, port: u16, socket_exists: &dyn Fn(&Path) -> bool) -> Host {
    if host.is_empty() {
        return default_host(port, socket_exists);
    }
    if host.starts_with('/') {
        Host::Socket(PathBuf::from(host))
    } else {
        Host::Tcp(host.to_owned())
    }
}

/// The first default socket directory whose socket file for `port` exists, else `localhost`.
fn default_host(port: u16, socket_exists: &dyn Fn(&Path) -> bool) -> Host {
    DEFAULT_SOCKET_DIRS
        .iter()
        .map(PathBuf::from)
        .find(|dir| socket_exists(&dir.join(format!(".s.PGSQL.{port}"))))
        .map_or_else(|| Host::Tcp("localhost".to_owned()), Host::Socket)
}

fn resolve_tls(sources: &Sources<'_>) -> Result<(SslMode, RootCert), ConnectError> {
    let root_cert = match sources.get("sslrootcert") {
        Some((value, _)) if value == "system" => RootCert::System,
        Some((path, _)) => RootCert::File(PathBuf::from(path)),
        None => RootCert::File(
            sources
                .env
                .home_dir()
                .unwrap_or_default()
                .join(".postgresql")
                .join("root.crt"),
        ),
    };
    let ssl_mode = match sources.get("sslmode") {
        Some((text, origin)) => SslMode::parse(&text).ok_or_else(|| {
            origin.error(format!(
                "sslmode must be disable, allow, prefer, require, verify-ca or verify-full, not \"{text}\""
            ))
        })?,
        None if root_cert == RootCert::System => SslMode::VerifyFull,
        None => SslMode::Prefer,
    };
    if root_cert == RootCert::System && ssl_mode != SslMode::VerifyFull {
        let origin = sources
            .get("sslmode")
            .map_or(Origin::Url, |(_, origin)| origin);
        return Err(origin.error(format!(
            "sslmode={} is too weak for sslrootcert=system (use verify-full)",
            ssl_mode.as_str()
        )));
    }
    Ok((ssl_mode, root_cert))
}

/// libpq's rule: whole seconds; zero or less waits for ever; 1 means 2.
fn resolve_connect_timeout(sources: &Sources<'_>) -> Result<Option<Duration>, ConnectError> {
    let Some((text, origin)) = sources.get("connect_timeout") else {
        return Ok(Some(DEFAULT_CONNECT_TIMEOUT));
    };
    let seconds: i64 = text.trim().parse().map_err(|_| {
        origin.error("connect_timeout must be a whole number of seconds".to_owned())
    })?;
    Ok(u64::try_from(seconds)
        .ok()
        .filter(|seconds| *seconds > 0)
        .map(|seconds| Duration::from_secs(seconds.max(2))))
}

fn resolve_channel_binding(sources: &Sources<'_>) -> Result<ChannelBinding, ConnectError> {
    match sources.get("channel_binding") {
        None => Ok(ChannelBinding::Prefer),
        Some((text, origin)) => match text.as_str() {
            "disable" => Ok(ChannelBinding::Disable),
            "prefer" => Ok(ChannelBinding::Prefer),
            "require" => Ok(ChannelBinding::Require),
            _ => Err(origin.error(format!(
                "channel_binding must be disable, prefer or require, not \"{text}\""
            ))),
        },
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::collections::BTreeMap;

    use super::*;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn no_sockets(_: &Path) -> bool {
        false
    }

    fn settings(url: Option<&str>, vars: &[(&str, &str)]) -> Settings {
        resolve(url, None, &env(vars), &no_sockets).unwrap()
    }

    fn error(url: Option<&str>, vars: &[(&str, &str)]) -> String {
        resolve(url, None, &env(vars), &no_sockets)
            .unwrap_err()
            .to_string()
    }

    fn tcp(name: &str, port: u16) -> Endpoint {
        Endpoint {
            host: Host::Tcp(name.to_owned()),
            port,
        }
    }

    #[test]
    fn url_values_win_over_the_environment() {
        let s = settings(
            Some("postgresql://alice:pw@db.example:6432/app?sslmode=require"),
            &[
                ("PGHOST", "other"),
                ("PGPORT", "7000"),
                ("PGUSER", "bob"),
                ("PGDATABASE", "x"),
                ("PGSSLMODE", "disable"),
            ],
        );
        assert_eq!(s.endpoints, vec![tcp("db.example", 6432)]);
        assert_eq!((s.user.as_str(), s.database.as_str()), ("alice", "app"));
        assert_eq!(
            s.password,
            Some(Password {
                value: "pw".to_owned(),
                origin: PasswordOrigin::Url
            })
        );
        assert_eq!(s.ssl_mode, SslMode::Require);
    }

    #[test]
    fn environment_fills_what_the_url_leaves_out() {
        let s = settings(
            Some("postgresql:///app"),
            &[
                ("PGHOST", "/work/devpg"),
                ("PGPORT", "54329"),
                ("PGUSER", "bob"),
                ("PGPASSWORD", "pw"),
                ("PGSSLMODE", "verify-ca"),
                ("PGSSLROOTCERT", "/etc/ca.pem"),
                ("PGPASSFILE", "/etc/pgpass"),
                ("PGCONNECT_TIMEOUT", "3"),
                ("PGOPTIONS", "-c search_path=app"),
            ],
        );
        assert_eq!(
            s.endpoints,
            vec![Endpoint {
                host: Host::Socket("/work/devpg".into()),
                port: 54329
            }]
        );
        assert_eq!((s.user.as_str(), s.database.as_str()), ("bob", "app"));
        assert_eq!(s.password.unwrap().origin, PasswordOrigin::Environment);
        assert_eq!(s.ssl_mode, SslMode::VerifyCa);
        assert_eq!(s.root_cert, RootCert::File("/etc/ca.pem".into()));
        assert_eq!(s.passfile, Some(PathBuf::from("/etc/pgpass")));
        assert_eq!(s.connect_timeout, Some(Duration::from_secs(3)));
        assert_eq!(s.options.as_deref(), Some("-c search_path=app"));
    }

    #[test]
    fn defaults_come_from_the_os_user_and_home() {
        let s = settings(None, &[("USER", "carol"), ("HOME", "/home/carol")]);
        assert_eq!((s.user.as_str(), s.database.as_str()), ("carol", "carol"));
        assert_eq!(s.endpoints, vec![tcp("localhost", 5432)]);
        assert_eq!(s.passfile, Some(PathBuf::from("/home/carol/.pgpass")));
        assert_eq!(
            s.root_cert,
            RootCert::File("/home/carol/.postgresql/root.crt".into())
        );
        assert_eq!(s.ssl_mode, SslMode::Prefer);
        assert_eq!(s.connect_timeout, Some(DEFAULT_CONNECT_TIMEOUT));
        assert_eq!(s.password, None);
        assert_eq!(settings(None, &[("LOGNAME", "dave")]).user, "dave");
        assert_eq!(
            settings(None, &[("USER", "carol"), ("PGUSER", "erin")]).user,
            "erin"
        );
    }

    #[test]
    fn key_value_settings_work_like_a_url() {
        let s = settings(Some("host=db port=5433 user=u dbname='my db'"), &[]);
        assert_eq!(s.endpoints, vec![tcp("db", 5433)]);
        assert_eq!(s.database, "my db");
    }

    #[test]
    fn default_host_prefers_the_debian_socket_then_tmp_then_localhost() {
        let debian = |path: &Path| path == Path::new("/var/run/postgresql/.s.PGSQL.5432");
        let tmp = |path: &Path| path == Path::new("/tmp/.s.PGSQL.5432");
        let both = |path: &Path| debian(path) || tmp(path);
        let vars = env(&[("USER", "u")]);
        let host = |probe: &dyn Fn(&Path) -> bool| {
            resolve(None, None, &vars, probe).unwrap().endpoints[0]
                .host
                .clone()
        };
        assert_eq!(host(&both), Host::Socket("/var/run/postgresql".into()));
        assert_eq!(host(&tmp), Host::Socket("/tmp".into()));
        assert_eq!(host(&no_sockets), Host::Tcp("localhost".to_owned()));
        // The probe looks for the socket of the port in use.
        let other_port = resolve(Some("port=6000"), None, &vars, &both).unwrap();
        assert_eq!(
            other_port.endpoints[0].host,
            Host::Tcp("localhost".to_owned())
        );
    }

    #[test]
    fn host_lists_pair_with_ports() {
        let s = settings(Some("postgresql://u@a:1,b,[::1]:3/db"), &[]);
        assert_eq!(
            s.endpoints,
            vec![tcp("a", 1), tcp("b", 5432), tcp("::1", 3)]
        );
        let s = settings(Some("host=a,/tmp port=7"), &[("USER", "u")]);
        assert_eq!(
            s.endpoints,
            vec![
                tcp("a", 7),
                Endpoint {
                    host: Host::Socket("/tmp".into()),
                    port: 7
                }
            ]
        );
        assert_eq!(s.endpoints[1].to_string(), "/tmp:7");
        assert_eq!(tcp("::1", 3).to_string(), "[::1]:3");
    }

    #[test]
    fn connect_timeout_follows_libpq_and_the_caller_wins() {
        let timeout = |value: &str| {
            settings(Some(&format!("user=u connect_timeout={value}")), &[]).connect_timeout
        };
        assert_eq!(timeout("0"), None);
        assert_eq!(timeout("-5"), None);
        assert_eq!(timeout("1"), Some(Duration::from_secs(2)));
        assert_eq!(timeout("30"), Some(Duration::from_secs(30)));
        let explicit = resolve(
            Some("user=u connect_timeout=30"),
            Some(Duration::from_millis(1500)),
            &env(&[]),
            &no_sockets,
        );
        assert_eq!(
            explicit.unwrap().connect_timeout,
            Some(Duration::from_millis(1500))
        );
    }

    #[test]
    fn system_roots_default_to_verify_full() {
        let s = settings(Some("user=u sslrootcert=system"), &[]);
        assert_eq!(
            (s.ssl_mode, s.root_cert),
            (SslMode::VerifyFull, RootCert::System)
        );
        assert_eq!(
            error(Some("user=u sslrootcert=system sslmode=require"), &[]),
            "invalid database URL: sslmode=require is too weak for sslrootcert=system (use verify-full)"
        );
    }

    #[test]
    fn error_messages_name_the_source() {
        assert_eq!(
            error(Some("user=u sslmode=maybe"), &[]),
            "invalid database URL: sslmode must be disable, allow, prefer, require, verify-ca or verify-full, not \"maybe\""
        );
        assert_eq!(
            error(None, &[("USER", "u"), ("PGSSLMODE", "on")]),
            "invalid PGSSLMODE: sslmode must be disable, allow, prefer, require, verify-ca or verify-full, not \"on\""
        );
        assert_eq!(
            error(None, &[("USER", "u"), ("PGPORT", "x")]),
            "invalid PGPORT: a port must be a number from 1 to 65535"
        );
        assert_eq!(
            error(Some("postgresql://u@h:0/db"), &[]),
            "invalid database URL: a port must be a number from 1 to 65535"
        );
        assert_eq!(
            error(Some("host=a,b,c port=1,2 user=u"), &[]),
            "invalid database URL: 3 hosts but 2 ports (give one port, or one per host)"
        );
        assert_eq!(
            error(Some("user=u connect_timeout=soon"), &[]),
            "invalid database URL: connect_timeout must be a whole number of seconds"
        );
        assert_eq!(
            error(Some("user=u colour=blue"), &[]),
            "invalid database URL: unknown option \"colour\""
        );
        assert_eq!(
            error(Some("user=u sslcert=/x"), &[]),
            "invalid database URL: client certificates (sslcert) are not supported"
        );
        assert_eq!(
            error(None, &[]),
            "no user name to connect as: give one in the database URL, or set PGUSER"
        );
    }

    #[test]
    fn ignored_keywords_are_accepted() {
        let s = settings(
            Some("user=u application_name=other keepalives=0"),
            &[("PGAPPNAME", "other")],
        );
        assert_eq!(s.user, "u");
    }

    #[test]
    fn debug_output_hides_the_password() {
        let s = settings(Some("postgresql://u:hunter2-secret@h/db"), &[]);
        assert!(!format!("{s:?}").contains("hunter2"));
    }
}
