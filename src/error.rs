//! The crate's error type: one variant per module error, each with the context to act on.

/// Anything that stops a pgphase command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Usage(String),
    /// Connecting to the database failed (exit code 2).
    #[error(transparent)]
    Connect(#[from] crate::source::postgres::ConnectError),
}
