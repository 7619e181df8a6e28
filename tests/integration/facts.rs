//! Facts read from a live database: dependent views with introspection, long-running
//! transactions, and the counts that scan tables (NULLs, duplicates, orphans) under a
//! statement timeout in a read-only transaction.

use std::time::Duration;

use crate::common::{TestDb, connect};
use pgphase::schema::TableRef;
use pgphase::source::postgres::facts::{
    COUNTED, Duplicates, Fact, FactError, count_duplicates, count_nulls, count_orphans,
    long_transactions, views_depending_on,
};
use pgphase::source::postgres::{IntrospectOptions, ViewDependency, introspect};

const TIMEOUT: Duration = Duration::from_secs(30);

fn names(columns: &[&str]) -> Vec<String> {
    columns.iter().map(|c| (*c).to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn counts_nulls_in_a_column_with_an_awkward_name() {
    let mut db = TestDb::new().await;
    db.execute(
        r#"CREATE SCHEMA "App";
           CREATE TABLE "App"."Order Lines" ("User Id" int, note text);
           INSERT INTO "App"."Order Lines"
           VALUES (1, NULL), (NULL, 'a'), (NULL, NULL), (4, 'b'), (NULL, 'c');"#,
    )
    .await;
    let table = TableRef::new("App", "Order Lines");
    let nulls = count_nulls(&mut db.client, &table, "User Id", TIMEOUT)
        .await
        .unwrap();
    assert_eq!(
        nulls,
        Fact {
            value: 3,
            exact: true,
            origin: COUNTED
        }
    );
    let notes = count_nulls(&mut db.client, &table, "note", TIMEOUT)
        .await
        .unwrap();
    assert_eq!(notes.value, 2);

    let error = count_nulls(&mut db.client, &table, "missing", TIMEOUT)
        .await
        .unwrap_err();
    assert!(matches!(error, FactError::Query { .. }), "{error:?}");
    assert_eq!(
        error.to_string(),
        r#"counting NULLs in "App"."Order Lines".missing: column "missing" does not exist"#
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn counts_duplicates_with_and_without_distinct_nulls() {
    let mut db = TestDb::new().await;
    db.execute(
        "CREATE TABLE pairs (a int, b int);
         INSERT INTO pairs VALUES (1, 1), (1, 1), (1, 1), (2, 2), (2, 2), (3, 3),
                                  (NULL, 1), (NULL, 1), (4, NULL), (4, NULL), (NULL, NULL);",
    )
    .await;
    let table = TableRef::new("public", "pairs");
    let mut count = async |columns: &[&str], nulls_not_distinct| {
        count_duplicates(
            &mut db.client,
            &table,
            &names(columns),
            nulls_not_distinct,
            TIMEOUT,
        )
        .await
        .unwrap()
    };
    let both = count(&["a", "b"], false).await;
    assert_eq!(both.value, Duplicates { rows: 5, keys: 2 });
    assert!(both.exact);
    assert_eq!(both.origin, COUNTED);
    // (NULL, 1) twice and (4, NULL) twice now collide too.
    let equal_nulls = count(&["b", "a"], true).await;
    assert_eq!(equal_nulls.value, Duplicates { rows: 9, keys: 4 });
    // a alone: 1 ×3, 2 ×2, 4 ×2; the three NULLs only with NULLS NOT DISTINCT.
    assert_eq!(
        count(&["a"], false).await.value,
        Duplicates { rows: 7, keys: 3 }
    );
    assert_eq!(
        count(&["a"], true).await.value,
        Duplicates { rows: 10, keys: 4 }
    );

    let error = count_duplicates(&mut db.client, &table, &[], false, TIMEOUT)
        .await
        .unwrap_err();
    assert!(matches!(error, FactError::Invalid { .. }), "{error:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn counts_orphans_skipping_partly_null_keys() {
    let mut db = TestDb::new().await;
    db.execute(
        "CREATE SCHEMA shop;
         CREATE TABLE shop.parents (x int, y int);
         INSERT INTO shop.parents VALUES (1, 1), (2, 2);
         CREATE TABLE shop.children (a int, b int);
         INSERT INTO shop.children VALUES
           (1, 1), (2, 2), (2, 2),  -- found
           (1, 2), (3, 3),          -- orphans
           (NULL, 9), (9, NULL), (NULL, NULL);  -- MATCH SIMPLE lets these pass",
    )
    .await;
    let children = TableRef::new("shop", "children");
    let parents = TableRef::new("shop", "parents");
    let orphans = count_orphans(
        &mut db.client,
        &children,
        &names(&["a", "b"]),
        &parents,
        &names(&["x", "y"]),
        TIMEOUT,
    )
    .await
    .unwrap();
    assert_eq!(
        orphans,
        Fact {
            value: 2,
            exact: true,
            origin: COUNTED
        }
    );
    // Paired the other way round (b→x, a→y), (1, 2) looks for (2, 1), missing too.
    let swapped = count_orphans(
        &mut db.client,
        &children,
        &names(&["b", "a"]),
        &parents,
        &names(&["x", "y"]),
        TIMEOUT,
    )
    .await
    .unwrap();
    assert_eq!(swapped.value, 2);
    let single = count_orphans(
        &mut db.client,
        &children,
        &names(&["a"]),
        &parents,
        &names(&["x"]),
        TIMEOUT,
    )
    .await
    .unwrap();
    // a alone: 3 and 9 have no parent.
    assert_eq!(single.value, 2);

    let error = count_orphans(
        &mut db.client,
        &children,
        &names(&["a", "b"]),
        &parents,
        &names(&["x"]),
        TIMEOUT,
    )
    .await
    .unwrap_err();
    assert!(matches!(error, FactError::Invalid { .. }), "{error:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn introspection_reads_views_on_views() {
    let mut db = TestDb::new().await;
    db.execute(
        "CREATE SCHEMA app;
         CREATE SCHEMA reports;
         CREATE TABLE app.t (a int, b int, c int);
         CREATE VIEW app.v1 AS SELECT a, b FROM app.t;
         CREATE VIEW reports.v2 AS SELECT a FROM app.v1;
         CREATE VIEW reports.v3 AS SELECT 1 AS one FROM reports.v2;
         CREATE VIEW app.counted AS SELECT count(*) AS n FROM app.t;
         CREATE MATERIALIZED VIEW app.m1 AS SELECT c FROM app.t;
         CREATE TABLE app.lonely (x int);
         CREATE RULE no_delete AS ON DELETE TO app.lonely DO INSTEAD
           SELECT a FROM app.t;",
    )
    .await;
    // Only app is read, but views elsewhere that read its relations are still found.
    let options = IntrospectOptions {
        include_schemas: vec!["app".to_owned()],
        exclude_schemas: Vec::new(),
        ..IntrospectOptions::default()
    };
    let stats = introspect(&mut db.client, &options, &mut |_| {})
        .await
        .unwrap()
        .stats;
    let t = TableRef::new("app", "t");
    let reads = |schema: &str, view: &str, materialized, columns: &[&str]| ViewDependency {
        view: TableRef::new(schema, view),
        materialized,
        columns: names(columns),
    };
    assert_eq!(
        stats.view_dependencies[&t],
        vec![
            reads("app", "counted", false, &[]),
            reads("app", "m1", true, &["c"]),
            reads("app", "v1", false, &["a", "b"]),
        ]
    );
    assert_eq!(
        stats.view_dependencies[&TableRef::new("app", "v1")],
        vec![reads("reports", "v2", false, &["a"])]
    );
    // reports is not read, so what reads reports.v2 is not known.
    assert_eq!(
        stats.view_dependencies.keys().collect::<Vec<_>>(),
        [&t, &TableRef::new("app", "v1")]
    );
    assert_eq!(
        views_depending_on(&stats, &t, "a"),
        [TableRef::new("app", "v1"), TableRef::new("reports", "v2")]
    );
    assert_eq!(
        views_depending_on(&stats, &t, "c"),
        [TableRef::new("app", "m1")]
    );

    let everything = introspect(&mut db.client, &IntrospectOptions::default(), &mut |_| {})
        .await
        .unwrap()
        .stats;
    assert_eq!(
        views_depending_on(&everything, &t, "a"),
        [
            TableRef::new("app", "v1"),
            TableRef::new("reports", "v2"),
            TableRef::new("reports", "v3")
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn lists_transactions_held_open_by_other_sessions() {
    let db = TestDb::new().await;
    let other = connect(&db.url).await;
    other.batch_execute("BEGIN").await.unwrap();
    let padding = "x".repeat(300);
    let other_pid: i32 = other
        .query_one(&format!("SELECT pg_backend_pid(), '{padding}'"), &[])
        .await
        .unwrap()
        .get(0);
    tokio::time::sleep(Duration::from_millis(1100)).await;

    let listed = long_transactions(&db.client, Duration::from_secs(1))
        .await
        .unwrap();
    let held = listed
        .iter()
        .find(|t| t.pid == other_pid)
        .unwrap_or_else(|| panic!("{other_pid} not in {listed:?}"));
    assert!(held.age_seconds >= 1.0, "{held:?}");
    assert_eq!(held.state.as_deref(), Some("idle in transaction"));
    assert_eq!(held.backend_type.as_deref(), Some("client backend"));
    assert!(held.query.starts_with("SELECT pg_backend_pid(), 'xxx"));
    assert_eq!(held.query.chars().count(), 200);
    let ages: Vec<f64> = listed.iter().map(|t| t.age_seconds).collect();
    assert!(ages.is_sorted_by(|a, b| a >= b), "oldest first: {ages:?}");

    let own_pid: i32 = db
        .client
        .query_one("SELECT pg_backend_pid()", &[])
        .await
        .unwrap()
        .get(0);
    let everything = long_transactions(&db.client, Duration::ZERO).await.unwrap();
    assert!(everything.iter().all(|t| t.pid != own_pid));
    let none_so_old = long_transactions(&db.client, Duration::from_secs(3600))
        .await
        .unwrap();
    assert!(none_so_old.iter().all(|t| t.pid != other_pid));
    other.batch_execute("ROLLBACK").await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_count_that_takes_too_long_is_cancelled() {
    let mut db = TestDb::new().await;
    db.execute(
        "CREATE TABLE quick (x int);
         INSERT INTO quick VALUES (NULL);
         CREATE VIEW slow AS SELECT x FROM quick, LATERAL pg_sleep(2);",
    )
    .await;
    let slow = TableRef::new("public", "slow");
    let error = count_nulls(&mut db.client, &slow, "x", Duration::from_millis(1))
        .await
        .unwrap_err();
    assert!(
        matches!(error, FactError::Timeout { timeout, .. } if timeout == Duration::from_millis(1)),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "counting NULLs in public.slow.x took longer than 1ms; the estimate stays"
    );
    // The session is usable afterwards, and the timeout did not outlive its transaction.
    let quick = count_nulls(
        &mut db.client,
        &TableRef::new("public", "quick"),
        "x",
        TIMEOUT,
    )
    .await
    .unwrap();
    assert_eq!(quick.value, 1);
    let timeout: String = db
        .client
        .query_one("SHOW statement_timeout", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(timeout, "0");
}

#[tokio::test(flavor = "multi_thread")]
async fn counts_never_write() {
    let mut db = TestDb::new().await;
    db.execute(
        "CREATE TABLE audit (n int);
         CREATE TABLE items (id int, parent int);
         INSERT INTO items VALUES (1, NULL), (2, 1), (2, 7);
         -- Reading this view writes a row, which a read-only transaction refuses.
         CREATE FUNCTION noisy() RETURNS int LANGUAGE sql VOLATILE
           AS 'INSERT INTO audit VALUES (1) RETURNING 1';
         CREATE VIEW sneaky AS SELECT noisy() AS x;",
    )
    .await;
    let error = count_nulls(
        &mut db.client,
        &TableRef::new("public", "sneaky"),
        "x",
        TIMEOUT,
    )
    .await
    .unwrap_err();
    assert!(
        error.to_string().contains("read-only transaction"),
        "{error}"
    );
    let audit: i64 = db
        .client
        .query_one("SELECT count(*) FROM audit", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(audit, 0);

    // A role that may only read, in sessions that are read-only by default, can count.
    let role = format!("{}_reader", db.name);
    db.execute(&format!(
        "CREATE ROLE {role} LOGIN;
         ALTER ROLE {role} SET default_transaction_read_only = on;
         GRANT SELECT ON items TO {role};"
    ))
    .await;
    let (mut reader, connection) =
        tokio_postgres::connect(&format!("{} user={role}", db.url), tokio_postgres::NoTls)
            .await
            .unwrap();
    let connection = tokio::spawn(connection);
    let items = TableRef::new("public", "items");
    let nulls = count_nulls(&mut reader, &items, "parent", TIMEOUT)
        .await
        .unwrap();
    assert_eq!(nulls.value, 1);
    let duplicates = count_duplicates(&mut reader, &items, &names(&["id"]), false, TIMEOUT)
        .await
        .unwrap();
    assert_eq!(duplicates.value, Duplicates { rows: 2, keys: 1 });
    let orphans = count_orphans(
        &mut reader,
        &items,
        &names(&["parent"]),
        &items,
        &names(&["id"]),
        TIMEOUT,
    )
    .await
    .unwrap();
    assert_eq!(orphans.value, 1);
    drop(reader);
    connection.await.unwrap().unwrap();
    db.execute(&format!("DROP OWNED BY {role}; DROP ROLE {role};"))
        .await;
}
