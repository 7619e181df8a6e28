//! `pgphase demo`: a throwaway PostgreSQL loaded with the shipped demo schema and data, for a
//! first look at pgphase without a database of one's own.

use tokio_postgres::NoTls;

use crate::Error;
use crate::cluster::{ClusterOptions, TempCluster};

/// The demo database's schema and data (a small shop; one table of a million rows).
pub const SCHEMA_SQL: &str = include_str!("../assets/demo/schema.sql");
const DATABASE: &str = "demo";

/// A running demo: the cluster lives as long as this value.
#[derive(Debug)]
pub struct Demo {
    pub cluster: TempCluster,
    /// A superuser URL of the demo database.
    pub url: String,
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
        .map_err(|e| Error::Demo(format!("starting PostgreSQL: {e}")))??;
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
