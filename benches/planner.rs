//! Benchmark: planning on synthetic schemas with 5% of the tables changed (columns added,
//! dropped and retyped, defaults, NOT NULL, indexes, checks), beside migra's diff of the same
//! two databases and `pg_dump --schema-only`, in the same run.
//!
//! `cargo bench --bench planner` (sizes 1000 and 10000), or `cargo bench --bench planner -- 2000`.
//! Prints, per size, one row: `pgphase plan --defaults` end to end (the release binary, with the
//! shadow database on the same server) and its peak RSS (the child's VmHWM, sampled every 5 ms);
//! `migra` diffing the live database against a second one holding the desired schema, and how
//! many times faster the plan is, twice: first with that database as just created (as migra is
//! run: against a database built from the desired schema for the diff), then after `ANALYZE`
//! of it; `pgphase snapshot` and its peak RSS beside `pg_dump --schema-only`; and diff +
//! assess + plan + render alone, in this process. Then the time ratio of the largest size to
//! the smallest.
//!
//! migra is found as `$PGPHASE_MIGRA` or `migra` on the path (`pip install migra
//! psycopg2-binary`); without it, its column says so.
//!
//! The cluster runs without autovacuum, so that nothing analyses a database behind the
//! benchmark's back: at 10,000 tables migra takes almost twice as long against a desired
//! database as created as against one analysed (49 s and 29 s, the same diff), and with
//! autovacuum on, which of the two a run measured depended on whether the daemon had come by.
//! The live database is vacuumed and analysed when it is made, as autovacuum leaves a
//! production database (`measure::create_database`), so the two tools read the same
//! well-kept catalogs. Before each timed run of any tool the cluster is checkpointed and the
//! system's dirty pages written out (`settle`), so that no run pays for writing what the
//! setup or an earlier run left.
//!
//! Targets (issue 12), at 10,000 tables: the plan ≥ 25× faster than migra (against the desired
//! database as created, the speed of the issue's own measure), peak RSS ≤ 150 MB;
//! snapshot ≤ 0.25× pg_dump's time, ≤ 150 MB; the 10,000-table plan ≤ 11× the 1,000-table one.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;
use std::time::{Duration, Instant};

use pgphase::Schema;
use pgphase::cluster::{ClusterOptions, TempCluster};
use pgphase::decide::Answers;
use pgphase::schema::{Check, Column, Index, IndexKey};
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
    let options = ClusterOptions {
        settings: vec!["autovacuum = off".to_owned()],
        ..ClusterOptions::default()
    };
    let cluster = TempCluster::start(&options).expect("a throwaway cluster");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let migra = migra_program();
    println!(
        "| tables | changes | plan --defaults | peak RSS | migra diff, desired database as created | faster | migra diff, desired database analysed | faster | snapshot | peak RSS | pg_dump --schema-only | snapshot ÷ pg_dump | diff + assess + plan + render |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let mut plans = Vec::new();
    for &size in &sizes {
        plans.push((size, bench_size(&runtime, &cluster, size, migra.as_deref())));
    }
    if let (Some((small, first)), Some((large, last))) = (plans.first(), plans.last())
        && large > small
    {
        println!(
            "\nplan time at {large} tables ÷ at {small} tables: {:.1} (tables ×{:.0})",
            last.as_secs_f64() / first.as_secs_f64(),
            *large as f64 / *small as f64
        );
    }
}

/// migra, when installed.
fn migra_program() -> Option<String> {
    let program = std::env::var("PGPHASE_MIGRA").unwrap_or_else(|_| "migra".to_owned());
    let runs = Command::new(&program)
        .arg("--help")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if !runs {
        eprintln!("migra not found (set PGPHASE_MIGRA or `pip install migra psycopg2-binary`)");
    }
    runs.then_some(program)
}

/// Prints the row of one size; returns the plan's end-to-end time.
fn bench_size(
    runtime: &tokio::runtime::Runtime,
    cluster: &TempCluster,
    tables: usize,
    migra: Option<&str>,
) -> Duration {
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
    let desired_database = format!("planner_{tables}_desired");
    runtime.block_on(create_desired_database(
        cluster,
        &desired_database,
        &desired,
    ));

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
        let files =
            pgphase::output::plan_files::render("bench", &plan, &yaml::DesiredFile::Written(&file))
                .unwrap();
        assert!(files.len() > 3);
        changes = session.changes.len();
        started.elapsed()
    });
    let mut peak = 0.0_f64;
    let mut run = 0;
    let end_to_end = median(|| {
        settle(runtime, cluster);
        run += 1;
        let out = work.path().join(format!("plan-{run}"));
        let (elapsed, rss) = time_plan(cluster, &database, &desired_file, &out);
        peak = peak.max(rss);
        elapsed
    });
    let migra = migra.map(|program| {
        settle(runtime, cluster);
        let as_created = time_migra(program, cluster, &database, &desired_database);
        runtime.block_on(analyse(cluster, &desired_database));
        settle(runtime, cluster);
        let analysed = time_migra(program, cluster, &database, &desired_database);
        [as_created, analysed]
    });
    let mut snapshot_peak = 0.0_f64;
    let snapshot = median(|| {
        settle(runtime, cluster);
        let (elapsed, rss) = time_snapshot(cluster, &database, &work.path().join("live.yaml"));
        snapshot_peak = snapshot_peak.max(rss);
        elapsed
    });
    let dump = median(|| {
        settle(runtime, cluster);
        time_pg_dump(cluster, &database)
    });
    let migra = match migra {
        Some(runs) => runs
            .map(|migra| {
                format!(
                    "{} | {:.1}×",
                    ms(migra),
                    migra.as_secs_f64() / end_to_end.as_secs_f64()
                )
            })
            .join(" | "),
        None => "not installed | – | not installed | –".to_owned(),
    };
    println!(
        "| {tables} | {changes} | {} | {peak:.0} MB | {migra} | {} | {snapshot_peak:.0} MB | {} | {:.2}× | {} |",
        ms(end_to_end),
        ms(snapshot),
        ms(dump),
        snapshot.as_secs_f64() / dump.as_secs_f64(),
        ms(pure)
    );
    end_to_end
}

/// Writes out what the setup left to write before a tool is timed: the cluster's dirty buffers
/// (`CHECKPOINT`) and the system's dirty pages (`sync`). Made just before, the 10,000 tables
/// of the desired database were otherwise still being written out while the plan ran right
/// after (the tools timed later ran on a quieter machine).
fn settle(runtime: &tokio::runtime::Runtime, cluster: &TempCluster) {
    runtime.block_on(async {
        let admin = measure::connect(&cluster.url("postgres")).await;
        admin.batch_execute("CHECKPOINT").await.unwrap();
    });
    let synced = Command::new("sync").status().expect("sync runs");
    assert!(synced.success(), "sync failed");
}

/// (Re)creates `database` holding `desired`, for migra to diff against; not analysed.
async fn create_desired_database(cluster: &TempCluster, database: &str, desired: &Schema) {
    let admin = measure::connect(&cluster.url("postgres")).await;
    for statement in [
        format!("DROP DATABASE IF EXISTS {database}"),
        format!("CREATE DATABASE {database}"),
    ] {
        admin.batch_execute(&statement).await.unwrap();
    }
    let client = measure::connect(&cluster.url(database)).await;
    let statements = pgphase::ddl::create_statements(desired);
    client
        .batch_execute(&pgphase::ddl::script(&statements))
        .await
        .unwrap();
}

/// Updates the planner's statistics of `database`'s tables and catalogs.
async fn analyse(cluster: &TempCluster, database: &str) {
    let client = measure::connect(&cluster.url(database)).await;
    client.batch_execute("ANALYZE").await.unwrap();
}

/// How long migra takes to diff `from` against `to` (one run: it is the slow one).
fn time_migra(program: &str, cluster: &TempCluster, from: &str, to: &str) -> Duration {
    let url = |database: &str| {
        format!(
            "postgresql+psycopg2://postgres@/{database}?host={}&port={}",
            cluster.socket_dir().display(),
            cluster.port()
        )
    };
    let started = Instant::now();
    let status = Command::new(program)
        .arg("--unsafe")
        .arg(url(from))
        .arg(url(to))
        .stdout(std::process::Stdio::null())
        .status()
        .expect("migra runs");
    // 2: differences found, as here.
    assert_eq!(status.code(), Some(2), "migra failed");
    started.elapsed()
}

/// Runs `pgphase snapshot` and samples the child's peak RSS until it exits.
fn time_snapshot(cluster: &TempCluster, database: &str, out: &std::path::Path) -> (Duration, f64) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_pgphase"));
    command
        .args([
            "snapshot",
            "--database-url",
            &cluster.url(database),
            "--output",
        ])
        .arg(out);
    time_child(command)
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
                3 => set(table, "updated_at", |c| c.default = Some("now()".into())),
                4 => set(table, "updated_at", |c| c.nullable = false),
                5 => table.indexes.push(index(name, "updated_at")),
                _ => table.checks.push(Check {
                    name: format!("{name}_quantity_check").into(),
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
    set(table, column, |c| c.data_type = to.into());
}

fn set(table: &mut pgphase::schema::Table, column: &str, change: impl Fn(&mut Column)) {
    if let Some(found) = table.columns.iter_mut().find(|c| c.name == column) {
        change(found);
    }
}

fn index(table: &str, column: &str) -> Index {
    Index::btree(
        format!("{table}_{column}_idx"),
        vec![IndexKey::column(column)],
    )
}

/// Runs `pgphase plan --defaults` and samples the child's peak RSS until it exits.
fn time_plan(
    cluster: &TempCluster,
    database: &str,
    desired: &std::path::Path,
    out: &std::path::Path,
) -> (Duration, f64) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_pgphase"));
    command
        .args(["plan", "--defaults", "--schema"])
        .arg(desired)
        .arg("--out")
        .arg(out)
        .args(["--database-url", &cluster.url(database)])
        .args(["--shadow-url", &cluster.url("postgres")]);
    time_child(command)
}

/// Runs `command`, sampling its peak RSS until it exits; fails when it does.
fn time_child(mut command: Command) -> (Duration, f64) {
    let started = Instant::now();
    let mut child = command
        .stdout(std::process::Stdio::null())
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
            assert!(status.success(), "pgphase failed: {command:?}");
            return (started.elapsed(), peak);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}
