//! The crate's error type: one variant per module error, each with the context to act on.
//! The binary prints it with its causes and exits with code 2.

use std::path::PathBuf;

use crate::cluster::ClusterError;
use crate::shadow::ShadowError;
use crate::source::postgres::{ConnectError, IntrospectError};
use crate::source::yaml::LoadError;

impl From<crate::source::postgres::ReadError> for Error {
    fn from(error: crate::source::postgres::ReadError) -> Self {
        match error {
            crate::source::postgres::ReadError::Connect(error) => Self::Connect(error),
            crate::source::postgres::ReadError::Introspect(error) => Self::Introspect(error),
        }
    }
}

impl From<crate::session::SessionError> for Error {
    fn from(error: crate::session::SessionError) -> Self {
        match error {
            crate::session::SessionError::Desired(error) => Self::Load(error),
            crate::session::SessionError::Live(error) => error.into(),
            crate::session::SessionError::Canonical(error) => Self::Shadow(error),
        }
    }
}

/// Anything that stops a pgphase command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Connect(#[from] ConnectError),
    #[error(transparent)]
    Introspect(#[from] IntrospectError),
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error(transparent)]
    Cluster(#[from] ClusterError),
    #[error(transparent)]
    Shadow(#[from] ShadowError),
    #[error(transparent)]
    Plan(#[from] crate::plan::PlanError),
    #[error(
        "{} exists already; pass --force to replace it",
        path.display()
    )]
    PlanExists { path: PathBuf },
    #[error("writing the plan: {0}")]
    Write(#[from] crate::source::yaml::WriteError),
    #[error(transparent)]
    Verify(#[from] crate::verify::VerifyError),
    #[error(transparent)]
    Export(#[from] crate::export::ExportError),
    #[error("demo: {0}")]
    Demo(String),
    /// The cause (printed on its own line by the binary) says what went wrong with the path.
    #[error("{}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}
