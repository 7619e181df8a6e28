//! The harness itself: databases are separate and the server is really there.

use pgphase::cluster::{ClusterOptions, TempCluster};

use crate::common::{TestDb, server};

#[tokio::test(flavor = "multi_thread")]
async fn each_test_gets_its_own_empty_database() {
    let a = TestDb::new().await;
    let b = TestDb::new().await;
    assert_ne!(a.name, b.name);
    a.execute("CREATE TABLE only_in_a (id int)").await;
    let found = b
        .client
        .query_one(
            "SELECT count(*) FROM pg_class WHERE relname = 'only_in_a'",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(found.get::<_, i64>(0), 0);
    let version: i32 = a
        .client
        .query_one("SELECT current_setting('server_version_num')::int", &[])
        .await
        .unwrap()
        .get(0);
    assert!(version >= 120_000, "server {version} at {}", server().host);
}

/// A cluster of its own (not the shared one): it starts, serves, and `stop` removes it all.
#[tokio::test(flavor = "multi_thread")]
async fn a_throwaway_cluster_stops_and_leaves_nothing_behind() {
    let cluster = tokio::task::spawn_blocking(|| TempCluster::start(&ClusterOptions::default()))
        .await
        .unwrap()
        .unwrap();
    let dir = cluster.socket_dir().to_owned();
    let client = crate::common::connect(&cluster.url("postgres")).await;
    let one: i32 = client.query_one("SELECT 1", &[]).await.unwrap().get(0);
    assert_eq!(one, 1);
    drop(client);
    tokio::task::spawn_blocking(move || cluster.stop())
        .await
        .unwrap()
        .unwrap();
    assert!(!dir.exists(), "{} is still there", dir.display());
}
