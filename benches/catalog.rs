//! Benchmark: introspection and YAML speed and memory on synthetic schemas, beside
//! `pg_dump --schema-only` on the same database in the same run.
//!
//! `cargo bench --bench catalog` (sizes 1000 and 10000), or `cargo bench --bench catalog -- 2000`.
//! Targets: introspection at 10,000 tables ≤ 0.5× pg_dump's time; peak RSS ≤ 150 MB.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use pgphase::cluster::{ClusterOptions, TempCluster};
use pgphase::source::postgres::{self, ConnectOptions, IntrospectOptions};
use pgphase::source::yaml;

#[path = "support/measure.rs"]
#[allow(dead_code)] // each benchmark uses a part
mod measure;

use measure::{create_database, median, ms, peak_rss_mb, reset_peak_rss, time_pg_dump};

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![1_000, 10_000]
    } else {
        sizes
    };
    let cluster = TempCluster::start(&ClusterOptions::default()).expect("a throwaway cluster");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    println!(
        "| tables | introspect | pg_dump --schema-only | ratio | YAML write | YAML read | YAML size | peak RSS: introspect | YAML write | YAML read |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for size in sizes {
        bench_size(&runtime, &cluster, size);
    }
}

fn bench_size(runtime: &tokio::runtime::Runtime, cluster: &TempCluster, tables: usize) {
    let database = format!("bench_{tables}");
    runtime.block_on(create_database(cluster, &database, tables));
    let options = ConnectOptions {
        database_url: Some(cluster.url(&database)),
        connect_timeout: Some(Duration::from_secs(10)),
        statement_timeout: None,
    };
    reset_peak_rss();
    let mut live = None;
    let introspect = median(|| {
        // Only one model alive at a time, as in a real run.
        live = None;
        let started = Instant::now();
        let result = runtime.block_on(postgres::read_live(
            &options,
            &IntrospectOptions::default(),
            &mut |_| {},
        ));
        let elapsed = started.elapsed();
        live = Some(result.expect("introspection"));
        elapsed
    });
    let schema = live.expect("one run").schema;
    let introspect_peak = peak_rss_mb();
    reset_peak_rss();
    assert_eq!(schema.table_count(), tables, "introspected table count");
    let mut text = String::new();
    let write = median(|| {
        text = String::new();
        let started = Instant::now();
        text = yaml::write(&schema);
        started.elapsed()
    });
    let write_peak = peak_rss_mb();
    // Reading is measured alone, as a command that loads a file would run it: the model read
    // from the database is dropped first, and the check is that the file reads back to a model
    // that writes the same text.
    drop(schema);
    reset_peak_rss();
    let mut rewritten = String::new();
    let read = median(|| {
        rewritten = String::new();
        let started = Instant::now();
        let loaded = yaml::parse(&text, "bench.yaml").expect("snapshot loads");
        let elapsed = started.elapsed();
        rewritten = yaml::write(&loaded.schema);
        elapsed
    });
    assert!(
        rewritten == text,
        "the snapshot reads back to the same model"
    );
    let read_peak = peak_rss_mb();
    let dump = median(|| time_pg_dump(cluster, &database));
    println!(
        "| {tables} | {} | {} | {:.2}× | {} | {} | {:.1} MB | {introspect_peak:.0} MB | {write_peak:.0} MB | {read_peak:.0} MB |",
        ms(introspect),
        ms(dump),
        introspect.as_secs_f64() / dump.as_secs_f64(),
        ms(write),
        ms(read),
        text.len() as f64 / 1e6
    );
}
