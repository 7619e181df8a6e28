//! A fact read from the data, labelled with where it came from, and why one could not be read:
//! the vocabulary every count and estimate shares.

use std::time::Duration;

use serde::Serialize;
use tokio_postgres::error::SqlState;

use crate::source::postgres::server_message;

/// A value read from the database, with whether it is exact and how it was obtained, so that
/// it can be shown labelled (`estimate (pg_class.reltuples)`, `counted with count(*)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Fact<T> {
    pub value: T,
    /// False for the planner's estimates, true for values counted from the data.
    pub exact: bool,
    /// Where the value comes from, for the user.
    pub origin: &'static str,
}

/// A number of rows.
pub type Count = Fact<u64>;

/// What a count obtained by scanning the table is labelled with.
pub const COUNTED: &str = "counted with count(*)";

/// What a row estimate from the statistics is labelled with.
pub const ROW_ESTIMATE: &str = "estimate (pg_class.reltuples)";

/// Why a fact could not be read.
#[derive(Debug, thiserror::Error)]
pub enum FactError {
    /// A statement failed: `action` says which, `message` is the server's.
    #[error("{action}: {message}")]
    Query {
        action: String,
        message: String,
        error: tokio_postgres::Error,
    },
    /// The statement timeout cancelled a count; whatever estimate there was stays the best
    /// known value.
    #[error("{action} took longer than {}; the estimate stays", format_duration(*timeout))]
    Timeout { action: String, timeout: Duration },
    /// The request itself cannot be answered (no key columns, key lengths that differ).
    #[error("{action}: {reason}")]
    Invalid { action: String, reason: String },
}

impl FactError {
    /// A failed statement, or [`FactError::Timeout`] when the server cancelled it for taking
    /// longer than `statement_timeout`.
    pub(super) fn from_statement(
        action: String,
        timeout: Duration,
        error: tokio_postgres::Error,
    ) -> Self {
        if error.code() == Some(&SqlState::QUERY_CANCELED) {
            Self::Timeout { action, timeout }
        } else {
            Self::query(action, error)
        }
    }

    pub(super) fn query(action: impl Into<String>, error: tokio_postgres::Error) -> Self {
        let message = server_message(&error);
        Self::Query {
            action: action.into(),
            message,
            error,
        }
    }
}

/// `30s`, `1500ms`: whole seconds as seconds, anything else in milliseconds.
fn format_duration(duration: Duration) -> String {
    let millis = duration.as_millis();
    if millis >= 1000 && millis.is_multiple_of(1000) {
        format!("{}s", millis / 1000)
    } else {
        format!("{millis}ms")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_print_in_seconds_when_whole() {
        assert_eq!(format_duration(Duration::from_secs(30)), "30s");
        assert_eq!(format_duration(Duration::from_millis(1500)), "1500ms");
        assert_eq!(format_duration(Duration::from_millis(1)), "1ms");
        assert_eq!(format_duration(Duration::ZERO), "0ms");
    }
}
