//! Benchmark: planning on synthetic schemas with 5% of the tables changed (columns added,
//! dropped and retyped, defaults, NOT NULL, indexes, checks), beside `pg_dump --schema-only`
//! on the same database in the same run.
//!
//! `cargo bench --bench planner` (sizes 1000 and 10000), or `cargo bench --bench planner -- 2000`.
//! Prints, per size: `pgphase plan --defaults` end to end (the release binary, with the shadow
//! database on the same server), its peak RSS (the child's VmHWM, sampled every 5 ms), and diff
//! + assess + plan + render alone, in this process.
//!
//! Targets: end to end ≤ 0.5× pg_dump's time at 10,000 tables; peak RSS ≤ 150 MB.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;
use std::time::{Duration, Instant};

use pgphase::Schema;
use pgphase::cluster::{ClusterOptions, TempCluster};
use pgphase::decide::Answers;
use pgphase::schema::{Check, Column, Index, IndexKey, KeyTarget};
use pgphase::session::Session;
use pgphase::shadow::Method;
use pgphase::source::postgres::{self, ConnectOptions, IntrospectOptions};
use pgphase::source::yaml;

#[path = "support/measure.rs"]
#[allow(dead_code)] // each benchmark uses a part
mod measure;

use measure::{create_database, median, ms, time_pg_dump, vm_hwm_mb};

/// One table in this many is changed.
const CHANGED_EVERY: usize = 20;

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
        "| tables | changes | plan --defaults end to end | pg_dump --schema-only | ratio | peak RSS | diff + assess + plan + render |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    for size in sizes {
        bench_size(&runtime, &cluster, size);
    }
}

fn bench_size(runtime: &tokio::runtime::Runtime, cluster: &TempCluster, tables: usize) {
    let database = format!("planner_{tables}");
    runtime.block_on(create_database(cluster, &database, tables));
    let options = ConnectOptions {
        database_url: Some(cluster.url(&database)),
        connect_timeout: Some(Duration::from_secs(10)),
        statement_timeout: None,
    };
    let live = runtime
        .block_on(postgres::read_live(
            &options,
            &IntrospectOptions::default(),
            &mut |_| {},
        ))
        .unwrap();
    let desired = with_changes(&live.schema);
    let work = tempfile::tempdir().unwrap();
    let desired_file = work.path().join("desired.yaml");
    std::fs::write(&desired_file, yaml::write(&desired)).unwrap();

    let file = yaml::Desired {
        schema: desired.clone(),
        ignore: yaml::Ignore::default(),
    };
    let mut changes = 0;
    let pure = median(|| {
        let started = Instant::now();
        let session = Session::new(
            live.clone(),
            file.clone(),
            Method::Textual {
                reason: "the benchmark's desired schema is canonical already".to_owned(),
            },
        );
        let plan = session.plan(&Answers::default(), true).unwrap();
        let files = pgphase::output::plan_files::render("bench", &plan, &file).unwrap();
        assert!(files.len() > 3);
        changes = session.changes.len();
        started.elapsed()
    });
    let mut peak = 0.0_f64;
    let mut run = 0;
    let end_to_end = median(|| {
        run += 1;
        let out = work.path().join(format!("plan-{run}"));
        let (elapsed, rss) = time_plan(cluster, &database, &desired_file, &out);
        peak = peak.max(rss);
        elapsed
    });
    let dump = median(|| time_pg_dump(cluster, &database));
    println!(
        "| {tables} | {changes} | {} | {} | {:.2}× | {peak:.0} MB | {} |",
        ms(end_to_end),
        ms(dump),
        end_to_end.as_secs_f64() / dump.as_secs_f64(),
        ms(pure)
    );
}

/// The live schema with one table in twenty changed, seven kinds of change in turn.
fn with_changes(live: &Schema) -> Schema {
    let mut desired = live.clone();
    let mut n = 0;
    for namespace in desired.namespaces.values_mut() {
        for (name, table) in &mut namespace.tables {
            n += 1;
            if n % CHANGED_EVERY != 0 {
                continue;
            }
            match (n / CHANGED_EVERY) % 7 {
                0 => table.columns.push(Column::new("extra", "text")),
                1 => table.columns.retain(|c| c.name != "note"),
                2 => retype(table, "quantity", "bigint"),
                3 => set(table, "updated_at", |c| {
                    c.default = Some("now()".to_owned())
                }),
                4 => set(table, "updated_at", |c| c.nullable = false),
                5 => table.indexes.push(index(name, "updated_at")),
                _ => table.checks.push(Check {
                    name: format!("{name}_quantity_check"),
                    expression: "(quantity > 0)".to_owned(),
                    no_inherit: false,
                    valid: true,
                }),
            }
        }
    }
    desired
}

fn retype(table: &mut pgphase::schema::Table, column: &str, to: &str) {
    set(table, column, |c| c.data_type = to.to_owned());
}

fn set(table: &mut pgphase::schema::Table, column: &str, change: impl Fn(&mut Column)) {
    if let Some(found) = table.columns.iter_mut().find(|c| c.name == column) {
        change(found);
    }
}

fn index(table: &str, column: &str) -> Index {
    Index {
        name: format!("{table}_{column}_idx"),
        unique: false,
        method: "btree".to_owned(),
        keys: vec![IndexKey {
            target: KeyTarget::Column(column.to_owned()),
            opclass: None,
            collation: None,
            descending: false,
            nulls_first: false,
        }],
        include: Vec::new(),
        predicate: None,
        nulls_not_distinct: false,
        with: Vec::new(),
        comment: None,
    }
}

/// Runs `pgphase plan --defaults` and samples the child's peak RSS until it exits.
fn time_plan(
    cluster: &TempCluster,
    database: &str,
    desired: &std::path::Path,
    out: &std::path::Path,
) -> (Duration, f64) {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_pgphase"))
        .args(["plan", "--defaults", "--schema"])
        .arg(desired)
        .arg("--out")
        .arg(out)
        .args(["--database-url", &cluster.url(database)])
        .args(["--shadow-url", &cluster.url("postgres")])
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("pgphase runs");
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak = 0.0_f64;
    loop {
        if let Some(rss) = std::fs::read_to_string(&status_file)
            .ok()
            .as_deref()
            .and_then(vm_hwm_mb)
        {
            peak = peak.max(rss);
        }
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "pgphase plan failed");
            return (started.elapsed(), peak);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}
