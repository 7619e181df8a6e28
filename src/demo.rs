//! `pgphase demo`: a throwaway PostgreSQL loaded with the shipped demo schema and data, and the
//! desired schema that changes it, for a first look at pgphase without a database of one's own.

use std::path::{Path, PathBuf};

use tokio_postgres::NoTls;

use crate::Error;
use crate::cluster::{ClusterError, ClusterOptions, TempCluster};

/// The demo database's schema and data (a small shop; one table of a million rows).
pub const SCHEMA_SQL: &str = include_str!("../assets/demo/schema.sql");
/// The desired schema the demo plans towards: nine changes, one of each kind of risk. Embedded
/// so that the binary runs the demo from any directory.
pub const DESIRED_YAML: &str = include_str!("../assets/demo/desired.yaml");
const DATABASE: &str = "demo";
const DESIRED_FILE: &str = "desired.yaml";

/// A running demo: the cluster lives as long as this value.
#[derive(Debug)]
pub struct Demo {
    pub cluster: TempCluster,
    /// A superuser URL of the demo database.
    pub url: String,
}

/// Writes [`DESIRED_YAML`] into `dir` and returns the file's path.
///
/// # Errors
/// [`Error::Io`] when the file cannot be written.
pub fn write_desired(dir: &Path) -> Result<PathBuf, Error> {
    let path = dir.join(DESIRED_FILE);
    std::fs::write(&path, DESIRED_YAML).map_err(|source| Error::Io {
        path: path.clone(),
        source,
    })?;
    Ok(path)
}

/// The cluster error, with what to install when PostgreSQL's server programs are missing.
fn explain(error: ClusterError) -> Error {
    match error {
        ClusterError::BinariesNotFound => Error::Demo(
            "the demo runs a throwaway PostgreSQL of its own, and its server programs \
             (initdb, pg_ctl, postgres) were not found on PATH or in `pg_config --bindir`. \
             Install the PostgreSQL server: on Debian or Ubuntu `apt-get install postgresql`, \
             on Fedora `dnf install postgresql-server`, on macOS `brew install postgresql`"
                .to_owned(),
        ),
        other => Error::Cluster(other),
    }
}

/// Starts a throwaway cluster and loads the demo database, reporting each step.
///
/// # Errors
/// [`Error::Cluster`] when PostgreSQL cannot be started (missing programs are named), or
/// [`Error::Demo`] when loading fails.
pub async fn start(progress: &mut dyn FnMut(&str)) -> Result<Demo, Error> {
    progress("starting a throwaway PostgreSQL");
    let options = ClusterOptions {
        stop_with_this_process: true,
        ..ClusterOptions::default()
    };
    let cluster = tokio::task::spawn_blocking(move || TempCluster::start(&options))
        .await
        .map_err(|e| Error::Demo(format!("starting PostgreSQL: {e}")))?
        .map_err(explain)?;
    execute(
        &cluster.url("postgres"),
        &format!("CREATE DATABASE {DATABASE}"),
    )
    .await?;
    progress("loading the demo schema and data (one table has a million rows)");
    let url = cluster.url(DATABASE);
    execute(&url, SCHEMA_SQL).await?;
    Ok(Demo { cluster, url })
}

async fn execute(url: &str, sql: &str) -> Result<(), Error> {
    let (client, connection) = tokio_postgres::connect(url, NoTls)
        .await
        .map_err(|e| Error::Demo(format!("connecting: {e}")))?;
    let task = tokio::spawn(connection);
    let result = client
        .batch_execute(sql)
        .await
        .map_err(|e| Error::Demo(format!("loading the demo: {e}")));
    drop(client);
    let _ = task.await;
    result
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn the_written_desired_schema_loads_with_its_rename_hint() {
        let dir = tempfile::tempdir().unwrap();
        let path = write_desired(dir.path()).unwrap();
        let desired = crate::source::yaml::load(&path).unwrap();
        let users = &desired.schema.namespaces["public"].tables["users"];
        let renamed = users
            .columns
            .iter()
            .find(|column| column.name == "display_name")
            .expect("users.display_name");
        assert_eq!(renamed.renamed_from.as_deref(), Some("full_name"));
    }

    #[test]
    fn missing_postgresql_programs_name_what_to_install() {
        let message = explain(ClusterError::BinariesNotFound).to_string();
        assert!(message.contains("apt-get install postgresql"), "{message}");
        assert!(message.contains("brew install postgresql"), "{message}");
    }
}
