//! A live PostgreSQL database: connecting like libpq, and reading its schema read-only.

pub mod catalog;
pub mod connect;
pub mod facts;
pub mod introspect;

pub use connect::{
    ConnectError, ConnectOptions, Connection, Destination, Env, OLDEST_SUPPORTED_SERVER, SystemEnv,
    connect, destination,
};
pub use introspect::{
    IntrospectError, IntrospectOptions, Introspection, Progress, RelationKind, Stats, TableStats,
    ViewDependency, introspect,
};

/// A failed query's reason: the server's message (with its detail, when there is one), else the
/// client's own error text. Every module that reports a query failure words it this way.
#[must_use]
pub fn server_message(error: &tokio_postgres::Error) -> String {
    match error.as_db_error() {
        Some(db) => match db.detail() {
            Some(detail) => format!("{} ({detail})", db.message()),
            None => db.message().to_owned(),
        },
        None => error.to_string(),
    }
}

/// Why the live schema could not be read: the connection or a catalog query failed.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error(transparent)]
    Connect(#[from] ConnectError),
    #[error(transparent)]
    Introspect(#[from] IntrospectError),
}

/// Connects as libpq would (URL and `PG*` environment) and reads the live schema: what every
/// command that looks at a database does first.
///
/// # Errors
/// [`ReadError::Connect`] when the connection fails, [`ReadError::Introspect`] when a catalog
/// query does.
pub async fn read_live(
    connect_options: &ConnectOptions,
    options: &IntrospectOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<Introspection, ReadError> {
    // A second connection, opened at the same time, shares the reading; without one, the first
    // reads alone.
    let (connection, helper) = futures_util::future::join(
        connect(connect_options, &SystemEnv),
        connect(connect_options, &SystemEnv),
    )
    .await;
    let mut connection = match connection {
        Ok(connection) => connection,
        Err(error) => {
            if let Ok(helper) = helper {
                helper.close().await;
            }
            return Err(error.into());
        }
    };
    let helper = helper.ok();
    let introspection = introspect::introspect_with_helper(
        &mut connection.client,
        helper.as_ref().map(|helper| &helper.client),
        options,
        progress,
    )
    .await;
    if let Some(helper) = helper {
        helper.close().await;
    }
    let mut introspection = introspection?;
    introspection.notes = std::mem::take(&mut connection.notes);
    connection.close().await;
    Ok(introspection)
}
