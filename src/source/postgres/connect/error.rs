//! Why a connection failed, one clear line each, and how tokio-postgres and socket errors map
//! onto those reasons. No message ever holds a password: the variants carry no password, and
//! reasons are built from server messages, error kinds and names only.

use std::error::Error as _;
use std::io;
use std::time::Duration;

use tokio_postgres::error::SqlState;

use super::tls::{self, SslMode};
use super::words::{describe_duration, describe_io};

/// Why [`connect`](super::connect) failed. Every variant is a connection problem: the binary
/// exits with [`ConnectError::exit_code`].
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("invalid database URL: {reason}")]
    BadUrl { reason: String },
    #[error("invalid {variable}: {reason}")]
    BadEnvironment {
        variable: &'static str,
        reason: String,
    },
    #[error("no user name to connect as: give one in the database URL, or set PGUSER")]
    NoUser,
    #[error("cannot connect to {server}: {reason}")]
    Unreachable { server: String, reason: String },
    #[error("authentication failed for user \"{user}\" on {server}: {reason}{}", hint_suffix(.hint.as_deref()))]
    AuthenticationFailed {
        user: String,
        server: String,
        reason: String,
        hint: Option<String>,
    },
    #[error("database \"{database}\" does not exist on {server}")]
    NoSuchDatabase { database: String, server: String },
    #[error("TLS failed with {server}: {reason}")]
    Tls { server: String, reason: String },
    #[error("{server} runs PostgreSQL {version}; pgphase needs PostgreSQL 12 or newer")]
    ServerTooOld { server: String, version: String },
    #[error("{server} refused the connection: {message}")]
    Refused { server: String, message: String },
    #[error("connection to {server} failed: {reason}")]
    Failed { server: String, reason: String },
}

impl ConnectError {
    /// The process exit code for any connection failure.
    #[must_use]
    pub fn exit_code(&self) -> i32 {
        2
    }

    /// True when the server was never reached, so another host may do better.
    pub(crate) fn is_unreachable(&self) -> bool {
        matches!(self, ConnectError::Unreachable { .. })
    }
}

fn hint_suffix(hint: Option<&str>) -> String {
    hint.map(|hint| format!(" ({hint})")).unwrap_or_default()
}

/// What an attempt was about, to word its failure.
pub(crate) struct AttemptContext<'a> {
    pub server: String,
    pub user: &'a str,
    pub database: &'a str,
    pub ssl_mode: SslMode,
    /// Where the password came from, or what to do to give one.
    pub password_hint: String,
}

impl AttemptContext<'_> {
    /// Maps a tokio-postgres error from the startup handshake to a reason.
    pub(crate) fn classify(&self, error: &tokio_postgres::Error) -> ConnectError {
        if let Some(db) = error.as_db_error() {
            return self.classify_server_error(db.code(), db.message());
        }
        let source = error.source();
        let detail = source.map(ToString::to_string).unwrap_or_default();
        // tokio-postgres keeps its error kinds private; its Display names them.
        match error.to_string().as_str() {
            "error performing TLS handshake" => {
                self.tls(tls::describe_failure(source, self.ssl_mode))
            }
            "invalid configuration" if detail == "password missing" => self.authentication(
                "the server asks for a password and none was given".to_owned(),
                Some(self.password_hint.clone()),
            ),
            "authentication error" => self.authentication(detail, None),
            kind => match source.and_then(|source| source.downcast_ref::<io::Error>()) {
                Some(io_error) => self.failed(describe_io(io_error)),
                None if detail.is_empty() => self.failed(kind.to_owned()),
                None => self.failed(format!("{kind}: {detail}")),
            },
        }
    }

    fn classify_server_error(&self, code: &SqlState, message: &str) -> ConnectError {
        match code {
            c if *c == SqlState::INVALID_PASSWORD => self.authentication(
                "the password was rejected".to_owned(),
                Some(self.password_hint.clone()),
            ),
            c if *c == SqlState::INVALID_AUTHORIZATION_SPECIFICATION => {
                self.authentication(message.to_owned(), None)
            }
            c if *c == SqlState::INVALID_CATALOG_NAME => ConnectError::NoSuchDatabase {
                database: self.database.to_owned(),
                server: self.server.clone(),
            },
            _ => ConnectError::Refused {
                server: self.server.clone(),
                message: message.to_owned(),
            },
        }
    }

    fn authentication(&self, reason: String, hint: Option<String>) -> ConnectError {
        ConnectError::AuthenticationFailed {
            user: self.user.to_owned(),
            server: self.server.clone(),
            reason,
            hint,
        }
    }

    pub(crate) fn tls(&self, reason: String) -> ConnectError {
        ConnectError::Tls {
            server: self.server.clone(),
            reason,
        }
    }

    pub(crate) fn failed(&self, reason: String) -> ConnectError {
        ConnectError::Failed {
            server: self.server.clone(),
            reason,
        }
    }

    pub(crate) fn unreachable(&self, reason: String) -> ConnectError {
        ConnectError::Unreachable {
            server: self.server.clone(),
            reason,
        }
    }

    pub(crate) fn timed_out(&self, limit: Duration) -> ConnectError {
        self.unreachable(format!("timed out after {}", describe_duration(limit)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context() -> AttemptContext<'static> {
        AttemptContext {
            server: "db.example:5432".to_owned(),
            user: "alice",
            database: "app",
            ssl_mode: SslMode::Prefer,
            password_hint: "the password comes from PGPASSWORD".to_owned(),
        }
    }

    #[test]
    fn server_errors_by_sqlstate() {
        let ctx = context();
        assert_eq!(
            ctx.classify_server_error(
                &SqlState::INVALID_PASSWORD,
                "password authentication failed for user \"alice\""
            )
            .to_string(),
            "authentication failed for user \"alice\" on db.example:5432: the password was rejected (the password comes from PGPASSWORD)"
        );
        assert_eq!(
            ctx.classify_server_error(
                &SqlState::INVALID_AUTHORIZATION_SPECIFICATION,
                "role \"alice\" does not exist"
            )
            .to_string(),
            "authentication failed for user \"alice\" on db.example:5432: role \"alice\" does not exist"
        );
        assert_eq!(
            ctx.classify_server_error(
                &SqlState::INVALID_CATALOG_NAME,
                "database \"app\" does not exist"
            )
            .to_string(),
            "database \"app\" does not exist on db.example:5432"
        );
        assert_eq!(
            ctx.classify_server_error(
                &SqlState::TOO_MANY_CONNECTIONS,
                "sorry, too many clients already"
            )
            .to_string(),
            "db.example:5432 refused the connection: sorry, too many clients already"
        );
    }

    #[test]
    fn other_messages() {
        let ctx = context();
        assert_eq!(
            ctx.timed_out(Duration::from_secs(10)).to_string(),
            "cannot connect to db.example:5432: timed out after 10s"
        );
        assert_eq!(
            ctx.unreachable(describe_io(&io::Error::from(
                io::ErrorKind::ConnectionRefused
            )))
            .to_string(),
            "cannot connect to db.example:5432: connection refused"
        );
        assert_eq!(
            ConnectError::ServerTooOld {
                server: "old:5432".to_owned(),
                version: "11.22".to_owned()
            }
            .to_string(),
            "old:5432 runs PostgreSQL 11.22; pgphase needs PostgreSQL 12 or newer"
        );
        assert_eq!(
            ctx.tls("the server does not support TLS, and sslmode=require requires it".to_owned())
                .to_string(),
            "TLS failed with db.example:5432: the server does not support TLS, and sslmode=require requires it"
        );
        assert_eq!(ConnectError::NoUser.exit_code(), 2);
    }
}
