//! Which server and database a shadow URL leads to: the scratch database's connection string,
//! and the refusal to use the planned database itself as the shadow.

use crate::source::postgres::{Destination, Env, destination};

use super::ShadowError;

/// The same connection string, pointed at `database` instead. A later `dbname` wins in both
/// forms (URL query parameters are read after the path; `key=value` settings in order), so the
/// rest of the string (host, user, password, TLS settings) is kept as the user wrote it.
/// `database` must be a plain name (letters, digits, `_`): the scratch names pgphase makes.
pub(crate) fn with_database(url: &str, database: &str) -> String {
    let url = url.trim();
    let is_url = url.starts_with("postgresql://") || url.starts_with("postgres://");
    if !is_url {
        return format!("{url} dbname={database}");
    }
    let separator = match url.find('?') {
        None => "?",
        Some(at) if at + 1 == url.len() || url.ends_with('&') => "",
        Some(_) => "&",
    };
    format!("{url}{separator}dbname={database}")
}

/// Refuses a shadow URL that names the planned database (same database name on a server
/// that may be the same). Creating another database on the planned server is allowed.
///
/// # Errors
/// [`ShadowError::SameAsPlanned`]; [`ShadowError::Connect`] when the shadow URL is invalid.
pub(crate) fn refuse_planned(
    shadow_url: &str,
    planned_url: Option<&str>,
    env: &dyn Env,
) -> Result<(), ShadowError> {
    let shadow = destination(Some(shadow_url), env)?;
    // A planned URL that does not resolve fails later, where it is connected to; it cannot be
    // the shadow's database meanwhile.
    let Ok(planned) = destination(planned_url, env) else {
        return Ok(());
    };
    match shared_server(&shadow, &planned) {
        Some(server) => Err(ShadowError::SameAsPlanned {
            server,
            database: shadow.database,
        }),
        None => Ok(()),
    }
}

/// The first server both destinations may reach, when they name the same database.
fn shared_server(shadow: &Destination, planned: &Destination) -> Option<String> {
    if shadow.database != planned.database {
        return None;
    }
    shadow
        .servers
        .iter()
        .find(|server| {
            planned
                .servers
                .iter()
                .any(|other| same_server(server, other))
        })
        .cloned()
}

/// Whether two `host:port` strings may be one server. Every local way in (a unix socket
/// directory, `localhost`, `127.0.0.1`, `::1`) counts as the same host: erring towards
/// "same" only ever refuses a shadow URL, never lets the planned database through.
fn same_server(a: &str, b: &str) -> bool {
    host_and_port(a) == host_and_port(b)
}

fn host_and_port(server: &str) -> (String, &str) {
    let (host, port) = server.rsplit_once(':').unwrap_or((server, ""));
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let local = host.starts_with('/')
        || host.eq_ignore_ascii_case("localhost")
        || host == "127.0.0.1"
        || host == "::1";
    let host = if local {
        "local".to_owned()
    } else {
        host.to_ascii_lowercase()
    };
    (host, port)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::collections::BTreeMap;

    use super::*;

    fn env() -> BTreeMap<String, String> {
        BTreeMap::from([("PGUSER".to_owned(), "me".to_owned())])
    }

    fn database_of(url: &str) -> String {
        destination(Some(url), &env()).unwrap().database
    }

    #[test]
    fn scratch_database_replaces_the_one_in_every_form() {
        let cases = [
            "postgresql://u@db.example:5433/app",
            "postgresql://u@db.example:5433/app?sslmode=disable",
            "postgresql://u@db.example/app?dbname=other",
            "postgres://db.example",
            "postgresql://u@db.example/app?",
            "host=db.example port=5433 dbname=app user=u",
            "host=db.example user=u",
        ];
        for url in cases {
            let rewritten = with_database(url, "pgphase_shadow_1_0");
            assert_eq!(database_of(&rewritten), "pgphase_shadow_1_0", "{url}");
            let before = destination(Some(url), &env()).unwrap();
            let after = destination(Some(&rewritten), &env()).unwrap();
            assert_eq!(before.servers, after.servers, "{url}");
        }
    }

    #[test]
    fn refuses_the_planned_database_in_another_spelling() {
        let planned = Some("host=localhost port=5432 dbname=app user=me");
        for shadow in [
            "postgresql://me@localhost:5432/app",
            "postgresql://me@127.0.0.1/app",
            "postgresql://me@[::1]:5432/app",
            "host=/var/run/postgresql dbname=app",
        ] {
            let refused = refuse_planned(shadow, planned, &env());
            assert!(
                matches!(refused, Err(ShadowError::SameAsPlanned { ref database, .. }) if database == "app"),
                "{shadow}: {refused:?}"
            );
        }
    }

    #[test]
    fn allows_another_database_or_another_server() {
        let planned = Some("postgresql://me@db.example:5432/app");
        for shadow in [
            "postgresql://me@db.example:5432/postgres",
            "postgresql://me@db.example:5433/app",
            "postgresql://me@other.example:5432/app",
            "postgresql://me@localhost:5432/app",
        ] {
            assert!(refuse_planned(shadow, planned, &env()).is_ok(), "{shadow}");
        }
    }

    #[test]
    fn refusal_message_names_server_and_database() {
        let error = refuse_planned(
            "postgresql://me@DB.example/app",
            Some("postgresql://me@db.example:5432/app"),
            &env(),
        )
        .unwrap_err();
        let text = error.to_string();
        assert!(text.contains("\"app\" on DB.example:5432"), "{text}");
    }

    #[test]
    fn an_invalid_shadow_url_is_an_error_an_invalid_planned_one_is_not() {
        assert!(matches!(
            refuse_planned("postgresql://h/db?bogus=1", None, &env()),
            Err(ShadowError::Connect(_))
        ));
        assert!(refuse_planned("postgresql://h/db", Some("nonsense"), &env()).is_ok());
    }
}
