//! Reading a test database through pgphase's own connection and introspection.

use std::time::Duration;

use pgphase::Schema;
use pgphase::source::postgres::{self, ConnectOptions, IntrospectOptions};

/// The live model of the database at `url`, read the way the commands read it.
pub async fn introspect_url(url: &str) -> Schema {
    let options = ConnectOptions {
        database_url: Some(url.to_owned()),
        connect_timeout: Some(Duration::from_secs(10)),
        statement_timeout: None,
    };
    postgres::read_live(&options, &IntrospectOptions::default(), &mut |_| {})
        .await
        .unwrap_or_else(|e| panic!("introspecting {url}: {e}"))
        .schema
}
