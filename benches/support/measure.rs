//! What the benchmarks share: a synthetic database, timing `pg_dump`, medians and peak RSS.

use std::process::Command;
use std::time::{Duration, Instant};

use pgphase::cluster::TempCluster;

#[path = "../../tests/support/synthetic.rs"]
mod synthetic;

/// Each timing is the median of this many runs.
pub const RUNS: usize = 3;

/// (Re)creates `database` on `cluster` holding the synthetic schema of `tables` tables,
/// vacuumed and analysed, as autovacuum leaves a production database. Never vacuumed, its
/// catalogs keep no visibility map, so every scan checks each row's visibility: in a cluster
/// without autovacuum, a plan of 10,000 tables took 1.53–1.56 s against such a database and
/// 1.37–1.45 s once its catalogs were vacuumed, the same plan.
pub async fn create_database(cluster: &TempCluster, database: &str, tables: usize) {
    let admin = connect(&cluster.url("postgres")).await;
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {database}"))
        .await
        .unwrap();
    admin
        .batch_execute(&format!("CREATE DATABASE {database}"))
        .await
        .unwrap();
    let client = connect(&cluster.url(database)).await;
    let started = Instant::now();
    client
        .batch_execute(&synthetic::synthetic_schema_sql(tables))
        .await
        .unwrap();
    client.batch_execute("VACUUM ANALYZE").await.unwrap();
    eprintln!(
        "created {tables} tables in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

pub async fn connect(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    client
}

/// How long `pg_dump --schema-only` takes on `database`.
pub fn time_pg_dump(cluster: &TempCluster, database: &str) -> Duration {
    let started = Instant::now();
    let status = Command::new("pg_dump")
        .args([
            "--schema-only",
            "-f",
            "/dev/null",
            "-d",
            &cluster.url(database),
        ])
        .status()
        .expect("pg_dump runs");
    assert!(status.success(), "pg_dump failed");
    started.elapsed()
}

/// The median of [`RUNS`] runs.
pub fn median(mut run: impl FnMut() -> Duration) -> Duration {
    let mut times: Vec<Duration> = (0..RUNS).map(|_| run()).collect();
    times.sort();
    times[RUNS / 2]
}

pub fn ms(duration: Duration) -> String {
    format!("{:.0} ms", duration.as_secs_f64() * 1000.0)
}

/// Resets the kernel's peak-RSS mark for this process (Linux: write 5 to clear_refs).
pub fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// This process's peak resident set size since the last reset.
pub fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    vm_hwm_mb(&status).unwrap_or(f64::NAN)
}

/// The peak resident set size (`VmHWM`) in a `/proc/<pid>/status` text, in MB.
pub fn vm_hwm_mb(status: &str) -> Option<f64> {
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
}
