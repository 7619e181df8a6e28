//! The commands' error: what stops a command of the binary or the terminal interface, one
//! variant per layer's own error, each with the context to act on. The layers below (sources,
//! planning, verification, export) return errors of their own, which this wraps; the binary
//! prints it with its causes and exits with code 2.

use std::path::PathBuf;

use crate::cluster::ClusterError;
use crate::shadow::ShadowError;
use crate::source::postgres::{ConnectError, ReadError};
use crate::source::yaml::LoadError;

impl From<crate::session::SessionError> for Error {
    fn from(error: crate::session::SessionError) -> Self {
        match error {
            crate::session::SessionError::Desired(error) => Self::Load(error),
            crate::session::SessionError::Live(error) => Self::Read(error),
            crate::session::SessionError::Canonical(error) => Self::Shadow(error),
            crate::session::SessionError::Counting(error) => Self::Connect(error),
        }
    }
}

/// Anything that stops a pgphase command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Connect(#[from] ConnectError),
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error(transparent)]
    Cluster(#[from] ClusterError),
    #[error(transparent)]
    Shadow(#[from] ShadowError),
    #[error(transparent)]
    Plan(#[from] crate::plan::PlanError),
    #[error(transparent)]
    Output(#[from] crate::output::Error),
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
