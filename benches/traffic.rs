//! Benchmark: a plan applied under application traffic. A database with `orders` (N rows),
//! `order_items` (2N rows, referencing orders) and `products` (10,000 rows) gets five changes:
//! `orders.shipping_address` NOT NULL (no NULLs present), a foreign key `order_items.product_id
//! → products`, `order_items.quantity` integer → bigint, an index on `orders(user_id)` and a new
//! column `orders.gift boolean NOT NULL DEFAULT false`.
//!
//! `cargo bench --bench traffic` (N = 1,000,000 and 10,000,000), or `cargo bench --bench traffic
//! -- 100000`. Per size the database is built once; the changes are planned with the defaults,
//! once zero-downtime and once for a maintenance window, and each plan is applied to a fresh
//! copy (`CREATE DATABASE … TEMPLATE`) file by file with `psql -v ON_ERROR_STOP=1 -f`, while 4
//! clients (verify's traffic clients, keys drawn over whole tables) loop short transactions on
//! the three tables. Prints per file its wall time, client transactions, the slowest client
//! transaction and client errors by SQLSTATE, what clients waited for when one took over half
//! the target, and a summary line per plan.
//!
//! Before the traffic, the zero-downtime plan's backfill (the fill of `order_items.quantity`'s new
//! column, 2N rows) is timed alone against a plain keyset loop: two fresh copies get the files
//! before the backfill applied with no traffic, then one runs the plan's backfill file with
//! `psql` and the other a `DO` block walking the primary key 10,000 rows a batch (`id > last
//! AND id <= next`, the same assignments and pending condition, a commit per batch, no locks
//! skipped, no pause); each after a `CHECKPOINT`, with no other session. Both must leave no row
//! pending. The table of both times and their ratio is printed at the end for every size.
//!
//! Row-lock waits: while a file runs, a sampler reads `pg_locks` every 50 ms for the clients'
//! lock requests not granted on a row (`transactionid`, the holder's transaction, or `tuple`)
//! whose blocker (`pg_blocking_pids`) is the plan's `psql` session (application name
//! `pgphase-bench-plan`), or a client queued for the row behind it; a wait's length is `clock_timestamp() - waitstart`. The longest is
//! printed per file: a wait shorter than a sample period can be missed, and one seen is short
//! of its end by up to a period, so the verdict adds 50 ms to it.
//!
//! Targets (printed, not asserted): the zero-downtime plan at 10,000,000 rows has no client
//! error and no client transaction over 300 ms in any file, and its slowest client transaction
//! does not grow from 1,000,000 rows; its backfill takes at most 1.1 times the plain keyset
//! loop's time, and no client waits over 300 ms on a row the plan's session holds. The
//! maintenance-window plan stalls clients: it is the comparison.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use pgphase::Schema;
use pgphase::cluster::{ClusterOptions, TempCluster};
use pgphase::decide::Answers;
use pgphase::session::Session;
use pgphase::shadow::Shadow;
use pgphase::source::postgres::{self, ConnectOptions, IntrospectOptions};
use pgphase::source::yaml;
use pgphase::verify::plan_dir::{self, FileKind};
use pgphase::verify::traffic::{KeySample, Traffic, TrafficOptions};
use pgphase::verify::{FileOutcome, FileTraffic, Stage, VerifyError};
use tokio_postgres::Client;

/// No client transaction of the zero-downtime plan may take longer (at 10,000,000 rows).
const TARGET_MS: u64 = 300;
/// The sizes whose zero-downtime figures the targets are checked at.
const TARGET_ROWS: u64 = 10_000_000;
const CLIENTS: usize = 4;
const PRODUCTS: u64 = 10_000;
/// How often lock waits are sampled while a file runs.
const SAMPLE_EVERY: Duration = Duration::from_millis(50);
/// The plan's backfill may take this many times the plain keyset loop's time (at 10,000,000).
const TARGET_RATIO: f64 = 1.1;
/// The plain keyset loop's rows per batch.
const PLAIN_BATCH: u64 = 10_000;
/// The application name of the `psql` session applying the plan's files.
const PLAN_APPLICATION: &str = "pgphase-bench-plan";

const DESIRED: &str = r#"pgphase: 1
schemas:
  public:
    tables:
      products:
        columns:
          id: { type: bigint, nullable: false }
          name: { type: text, nullable: false }
          price: { type: "numeric(10, 2)", nullable: false }
        primary_key: [id]
      orders:
        columns:
          id: { type: bigint, nullable: false }
          user_id: { type: bigint, nullable: false }
          shipping_address: { type: text, nullable: false }
          note: text
          gift: { type: boolean, nullable: false, default: "false" }
        primary_key: [id]
        indexes:
          - { name: orders_user_id_idx, columns: [user_id] }
      order_items:
        columns:
          id: { type: bigint, nullable: false }
          order_id: { type: bigint, nullable: false }
          product_id: { type: bigint, nullable: false }
          quantity: { type: bigint, nullable: false }
          note: text
        primary_key: [id]
        foreign_keys:
          - { columns: [order_id], references: { table: orders, columns: [id] } }
          - { columns: [product_id], references: { table: products, columns: [id] } }
"#;

const MAINTENANCE_WINDOW: &str = "global:\n  mode: { choice: maintenance-window }\n";

/// One plan's figures at one size.
#[derive(Debug, Default)]
struct PlanFigures {
    wall: Duration,
    transactions: u64,
    slowest_ms: u64,
    errors: u64,
    /// Files whose slowest client transaction exceeded [`TARGET_MS`] or that had errors.
    failing_files: Vec<String>,
    /// A file that did not apply.
    failed: Option<String>,
    /// The longest wait sampled of a client on a row the plan's session held, in ms.
    row_lock_wait_ms: f64,
    /// The backfill alone against the plain keyset loop.
    backfill: Option<BackfillTimes>,
}

/// The plan's backfill file and the plain keyset loop, each alone on a fresh copy.
#[derive(Debug, Clone)]
struct BackfillTimes {
    file: String,
    table: String,
    generated: Duration,
    plain: Duration,
}

fn main() {
    let sizes: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![1_000_000, TARGET_ROWS]
    } else {
        sizes
    };
    let options = ClusterOptions {
        settings: vec![
            "shared_buffers = '512MB'".to_owned(),
            "max_wal_size = '8GB'".to_owned(),
            "maintenance_work_mem = '256MB'".to_owned(),
        ],
        stop_with_this_process: true,
        ..ClusterOptions::default()
    };
    let cluster = TempCluster::start(&options).expect("a throwaway cluster");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let started = Instant::now();
    let mut zero_downtime = Vec::new();
    for &rows in &sizes {
        let figures = runtime.block_on(bench_size(&cluster, rows, started));
        zero_downtime.push((rows, figures));
    }
    println!();
    backfill_table(&zero_downtime);
    verdicts(&zero_downtime);
}

/// Builds the database of `rows` orders, then plans and applies both plans to copies of it;
/// returns the zero-downtime plan's figures.
async fn bench_size(cluster: &TempCluster, rows: u64, started: Instant) -> PlanFigures {
    let log = |line: &str| eprintln!("[{:>6.1} s] {line}", started.elapsed().as_secs_f64());
    let template = format!("traffic_{rows}");
    let admin = connect(&cluster.url("postgres")).await;
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {template}"))
        .await
        .unwrap();
    admin
        .batch_execute(&format!("CREATE DATABASE {template}"))
        .await
        .unwrap();
    log(&format!("{rows} rows: building {template}"));
    let took = build(&cluster.url(&template), rows).await;
    log(&format!(
        "{template}: {rows} orders, {} order items, {PRODUCTS} products in {:.1} s",
        2 * rows,
        took.as_secs_f64()
    ));
    let mut zero_downtime = PlanFigures::default();
    for (mode, answers) in [
        ("zero-downtime", ""),
        ("maintenance-window", MAINTENANCE_WINDOW),
    ] {
        let planned = plan(cluster, &template, answers, mode).await;
        log(&format!(
            "{mode}: {} files planned in {}",
            planned.files.len(),
            planned.dir.display()
        ));
        let backfill = if mode == "zero-downtime" {
            Some(compare_backfill(cluster, &admin, &template, &planned, &log).await)
        } else {
            None
        };
        let copy = format!("{template}_{}", mode.replace('-', "_"));
        for sql in [
            format!("DROP DATABASE IF EXISTS {copy}"),
            format!("CREATE DATABASE {copy} TEMPLATE {template}"),
        ] {
            admin.batch_execute(&sql).await.unwrap();
        }
        log(&format!("{mode}: applying to {copy}"));
        let mut figures = apply_plan(cluster, &copy, &planned, rows, &log).await;
        figures.backfill = backfill;
        summary(mode, rows, &figures);
        admin
            .batch_execute(&format!("DROP DATABASE {copy}"))
            .await
            .unwrap();
        if mode == "zero-downtime" {
            zero_downtime = figures;
        }
    }
    admin
        .batch_execute(&format!("DROP DATABASE {template}"))
        .await
        .unwrap();
    zero_downtime
}

/// The tables, filled with `generate_series`, keys and indexes after the load, analysed.
async fn build(url: &str, rows: u64) -> Duration {
    let started = Instant::now();
    let client = connect(url).await;
    client
        .batch_execute(&format!(
            "CREATE TABLE products (id bigint NOT NULL, name text NOT NULL,
                 price numeric(10, 2) NOT NULL);
             CREATE TABLE orders (id bigint NOT NULL, user_id bigint NOT NULL,
                 shipping_address text, note text);
             CREATE TABLE order_items (id bigint NOT NULL, order_id bigint NOT NULL,
                 product_id bigint NOT NULL, quantity integer NOT NULL, note text);
             INSERT INTO products
               SELECT g, 'product ' || g, (g % 100) + 0.99 FROM generate_series(1, {PRODUCTS}) g;
             INSERT INTO orders
               SELECT g, g % {users} + 1, g || ' Main Street',
                      CASE WHEN g % 3 = 0 THEN 'leave at the door' END
               FROM generate_series(1, {rows}) g;
             INSERT INTO order_items
               SELECT g, (g + 1) / 2, g % {PRODUCTS} + 1, g % 5 + 1,
                      CASE WHEN g % 4 = 0 THEN 'gift wrap' END
               FROM generate_series(1, {items}) g;
             ALTER TABLE products ADD PRIMARY KEY (id);
             ALTER TABLE orders ADD PRIMARY KEY (id);
             ALTER TABLE order_items ADD PRIMARY KEY (id),
               ADD FOREIGN KEY (order_id) REFERENCES orders (id);",
            users = (rows / 10).max(1),
            items = 2 * rows,
        ))
        .await
        .unwrap();
    // On its own: VACUUM cannot run in the implicit transaction of several statements.
    client.batch_execute("VACUUM ANALYZE").await.unwrap();
    started.elapsed()
}

/// A plan written to a folder, with the schemas its clients are made from.
struct Planned {
    /// Keeps the folder.
    _folder: tempfile::TempDir,
    dir: PathBuf,
    files: Vec<plan_dir::PlanFile>,
    live: Schema,
    desired: Schema,
}

/// Plans the changes to `database` with `answers` (the rest defaults), as `pgphase plan` does
/// with the shadow database on the same server, and writes the plan folder.
async fn plan(cluster: &TempCluster, database: &str, answers: &str, mode: &str) -> Planned {
    let live_options = connect_options(&cluster.url(database));
    let live = postgres::read_live(&live_options, &IntrospectOptions::default(), &mut |_| {})
        .await
        .unwrap();
    let desired = yaml::parse(DESIRED, "desired.yaml").unwrap();
    let shadow = Shadow::Url(cluster.url("postgres"));
    let session = Session::compare(live, desired, &shadow, Some(&live_options), &mut |_| {})
        .await
        .unwrap();
    let answers: Answers = if answers.is_empty() {
        Answers::default()
    } else {
        yaml::from_text(answers, "answers.yaml").unwrap()
    };
    let plan = session.plan(&answers, true).unwrap();
    let name = format!("traffic-{mode}");
    let files = pgphase::output::plan_files::render(&name, &plan, &session.desired_file()).unwrap();
    let folder = tempfile::tempdir().unwrap();
    let dir = folder.path().join(&name);
    pgphase::output::write_plan_folder(&dir, &files, false).unwrap();
    let read = plan_dir::read(&dir).unwrap();
    Planned {
        _folder: folder,
        dir,
        files: read.plan.files,
        live: session.live,
        desired: session.desired.schema,
    }
}

/// Applies every file of `planned` to `database` under traffic, printing a line per file.
async fn apply_plan(
    cluster: &TempCluster,
    database: &str,
    planned: &Planned,
    rows: u64,
    log: &dyn Fn(&str),
) -> PlanFigures {
    let url = cluster.url(database);
    let options = TrafficOptions {
        clients: CLIENTS,
        rows: 2 * rows,
        file_limit: Duration::from_secs(24 * 3600),
        keys: KeySample::Spread,
        ..TrafficOptions::default()
    };
    let traffic = Traffic::new(
        &options,
        url.clone(),
        (&planned.live, &planned.desired),
        &planned.files,
    );
    let mut scratch = connect(&url).await;
    let mut figures = PlanFigures::default();
    println!(
        "| {rows} rows | file | wall | client transactions | slowest | longest row-lock wait \
         behind the plan | errors by SQLSTATE |"
    );
    println!("|---|---|---:|---:|---:|---:|---|");
    for (index, file) in planned.files.iter().enumerate() {
        if file.kind == FileKind::Gate {
            println!("| | {} | gate | | | | |", file.name);
            continue;
        }
        let before = postgres::introspect(&mut scratch, &IntrospectOptions::default(), &mut |_| {})
            .await
            .unwrap()
            .schema;
        log(&format!("{}: starting the clients", file.name));
        let running = traffic.start(&scratch, index, &before).await.unwrap();
        log(&format!("{}: applying with psql", file.name));
        let sampler = LockSampler::start(&url).await;
        let path = planned.dir.join(format!("{}.sql", file.name));
        let (outcome, traffic_figures) = running.during(psql(&url, &path)).await.unwrap();
        let waits = sampler.stop().await;
        row(&file.name, &traffic_figures, waits.row_lock_ms);
        figures.add(&file.name, &traffic_figures);
        figures.row_lock_wait_ms = figures.row_lock_wait_ms.max(waits.row_lock_ms);
        // Half the target already: what clients waited for shows what to fix before it fails.
        if traffic_figures.slowest_ms > TARGET_MS / 2 || !traffic_figures.errors.is_empty() {
            print_waits(&waits);
        }
        if let FileOutcome::Failed { message, .. } = outcome {
            println!("  {}: did not apply: {message}", file.name);
            figures.failed = Some(file.name.clone());
            break;
        }
    }
    figures
}

/// `psql -v ON_ERROR_STOP=1 -f FILE`, as the plan's README says to apply a file.
async fn psql(url: &str, file: &Path) -> Result<FileOutcome, VerifyError> {
    let output = tokio::process::Command::new(psql_program())
        .env("PGAPPNAME", PLAN_APPLICATION)
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-f"])
        .arg(file)
        .output()
        .await
        .unwrap();
    if output.status.success() {
        return Ok(FileOutcome::Passed);
    }
    Ok(FileOutcome::Failed {
        stage: Stage::Apply,
        statement: String::new(),
        message: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
    })
}

/// The server's own `psql` when its directory has one, else the one on PATH.
fn psql_program() -> PathBuf {
    pgphase::cluster::find_bin_dir()
        .map(|dir| dir.join("psql"))
        .ok()
        .filter(|path| path.is_file())
        .unwrap_or_else(|| "psql".into())
}

impl PlanFigures {
    fn add(&mut self, file: &str, traffic: &FileTraffic) {
        self.wall += Duration::from_millis(traffic.wall_ms);
        self.transactions += traffic.transactions;
        self.slowest_ms = self.slowest_ms.max(traffic.slowest_ms);
        let errors: u64 = traffic.errors.iter().map(|e| e.count).sum();
        self.errors += errors;
        if errors > 0 || traffic.slowest_ms > TARGET_MS {
            self.failing_files.push(file.to_owned());
        }
    }
}

fn row(file: &str, traffic: &FileTraffic, row_lock_ms: f64) {
    let mut by_code: BTreeMap<&str, u64> = BTreeMap::new();
    for error in &traffic.errors {
        let code = if error.code.is_empty() {
            "connection"
        } else {
            &error.code
        };
        *by_code.entry(code).or_default() += error.count;
    }
    let errors = if by_code.is_empty() {
        "0".to_owned()
    } else {
        by_code
            .iter()
            .map(|(code, n)| format!("{code} ×{n}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    println!(
        "| | {file} | {:.1} s | {} | {} ms | {row_lock_ms:.0} ms | {errors} |",
        traffic.wall_ms as f64 / 1000.0,
        traffic.transactions,
        traffic.slowest_ms
    );
    for error in &traffic.errors {
        println!(
            "  {} in {} (×{}): {}",
            error.code, error.statement, error.count, error.message
        );
    }
}

fn summary(mode: &str, rows: u64, figures: &PlanFigures) {
    let verdict = if figures.failed.is_some() {
        "FAIL (a file did not apply)".to_owned()
    } else if mode != "zero-downtime" {
        "(comparison: no target)".to_owned()
    } else if figures.failing_files.is_empty() {
        format!("PASS (0 errors, none over {TARGET_MS} ms)")
    } else {
        format!(
            "FAIL (errors or over {TARGET_MS} ms in {})",
            figures.failing_files.join(", ")
        )
    };
    println!(
        "summary: {mode} at {rows} rows: {:.1} s, {} client transactions, slowest {} ms, \
         longest row-lock wait behind the plan {:.0} ms, {} client errors: {verdict}",
        figures.wall.as_secs_f64(),
        figures.transactions,
        figures.slowest_ms,
        figures.row_lock_wait_ms,
        figures.errors
    );
}

/// The targets, on the zero-downtime figures of every size run.
fn verdicts(zero_downtime: &[(u64, PlanFigures)]) {
    let at_target = zero_downtime.iter().find(|(rows, _)| *rows == TARGET_ROWS);
    match at_target {
        Some((_, figures)) => {
            let pass = figures.failed.is_none() && figures.failing_files.is_empty();
            println!(
                "target: zero-downtime at {TARGET_ROWS} rows: 0 client errors and no client \
                 transaction over {TARGET_MS} ms in every file: {} ({} errors, slowest {} ms)",
                if pass { "PASS" } else { "FAIL" },
                figures.errors,
                figures.slowest_ms
            );
            // A wait seen is short of its end by up to a sample period.
            let row_lock = figures.row_lock_wait_ms + SAMPLE_EVERY.as_secs_f64() * 1000.0;
            println!(
                "target: zero-downtime at {TARGET_ROWS} rows: no client waits over {TARGET_MS} \
                 ms on a row the plan holds: {} (longest sampled {:.0} ms, at most {row_lock:.0} \
                 ms)",
                if row_lock <= TARGET_MS as f64 {
                    "PASS"
                } else {
                    "FAIL"
                },
                figures.row_lock_wait_ms
            );
            match &figures.backfill {
                Some(times) => {
                    let ratio = times.generated.as_secs_f64() / times.plain.as_secs_f64();
                    println!(
                        "target: the backfill at {TARGET_ROWS} rows takes at most \
                         {TARGET_RATIO}× the plain keyset loop: {} ({ratio:.2}×)",
                        if ratio <= TARGET_RATIO {
                            "PASS"
                        } else {
                            "FAIL"
                        }
                    );
                }
                None => println!("target: the backfill at {TARGET_ROWS} rows: no backfill file"),
            }
        }
        None => println!(
            "target: zero-downtime at {TARGET_ROWS} rows: not run (sizes given on the command \
             line); the same check per size is in the summary lines"
        ),
    }
    let mut sizes: Vec<&(u64, PlanFigures)> = zero_downtime.iter().collect();
    sizes.sort_by_key(|(rows, _)| *rows);
    for pair in sizes.windows(2) {
        let ((small, a), (large, b)) = (pair[0], pair[1]);
        // Timing noise: "not growing" allows a quarter more, or 20 ms.
        let allowed = (a.slowest_ms + a.slowest_ms / 4).max(a.slowest_ms + 20);
        println!(
            "target: the slowest client transaction does not grow from {small} to {large} rows: \
             {} ({} ms, then {} ms; at most {allowed} ms allowed)",
            if b.slowest_ms <= allowed {
                "PASS"
            } else {
                "FAIL"
            },
            a.slowest_ms,
            b.slowest_ms
        );
    }
}

/// The plan's backfill and the plain keyset loop at every size run, side by side.
fn backfill_table(zero_downtime: &[(u64, PlanFigures)]) {
    println!(
        "| rows | backfill | rows filled | plan's backfill | plain keyset loop ({PLAIN_BATCH} a \
         batch) | ratio |"
    );
    println!("|---:|---|---|---:|---:|---:|");
    for (rows, figures) in zero_downtime {
        match &figures.backfill {
            Some(times) => println!(
                "| {rows} | {} | {} | {:.1} s | {:.1} s | {:.2}× |",
                times.file,
                times.table,
                times.generated.as_secs_f64(),
                times.plain.as_secs_f64(),
                times.generated.as_secs_f64() / times.plain.as_secs_f64()
            ),
            None => println!("| {rows} | no backfill file | | | | |"),
        }
    }
}

/// Times the plan's first batched backfill file alone against a plain keyset loop doing the
/// same, each on a fresh copy of `template` with the files before it applied (no traffic).
async fn compare_backfill(
    cluster: &TempCluster,
    admin: &Client,
    template: &str,
    planned: &Planned,
    log: &dyn Fn(&str),
) -> BackfillTimes {
    let index = planned
        .files
        .iter()
        .position(|f| matches!(f.kind, FileKind::Batched | FileKind::Worker))
        .expect("the plan has a batched backfill");
    let file = &planned.files[index];
    let path = planned.dir.join(format!("{}.sql", file.name));
    let sql = std::fs::read_to_string(&path).unwrap();
    let fill = Fill::from_backfill(&sql);
    let plain_file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(plain_file.path(), fill.plain_loop()).unwrap();
    let mut times = Vec::new();
    for (what, path) in [
        ("plan's backfill", path.as_path()),
        ("plain keyset loop", plain_file.path()),
    ] {
        let copy = format!("{template}_backfill_alone");
        for sql in [
            format!("DROP DATABASE IF EXISTS {copy}"),
            format!("CREATE DATABASE {copy} TEMPLATE {template}"),
        ] {
            admin.batch_execute(&sql).await.unwrap();
        }
        let url = cluster.url(&copy);
        for before in planned.files[..index]
            .iter()
            .filter(|f| f.kind != FileKind::Gate)
        {
            let outcome = psql(&url, &planned.dir.join(format!("{}.sql", before.name)))
                .await
                .unwrap();
            assert!(
                matches!(outcome, FileOutcome::Passed),
                "{}: {outcome:?}",
                before.name
            );
        }
        let client = connect(&url).await;
        client.batch_execute("CHECKPOINT").await.unwrap();
        log(&format!("{}: {what} on {copy}, no traffic", fill.table));
        let started = Instant::now();
        let outcome = psql(&url, path).await.unwrap();
        let took = started.elapsed();
        assert!(
            matches!(outcome, FileOutcome::Passed),
            "{what}: {outcome:?}"
        );
        let pending: i64 = client
            .query_one(
                &format!("SELECT count(*) FROM {} WHERE {}", fill.table, fill.pending),
                &[],
            )
            .await
            .unwrap()
            .get(0);
        assert_eq!(pending, 0, "{what} left rows pending");
        log(&format!(
            "{}: {what} in {:.1} s",
            fill.table,
            took.as_secs_f64()
        ));
        times.push(took);
        drop(client);
        admin
            .batch_execute(&format!("DROP DATABASE {copy}"))
            .await
            .unwrap();
    }
    BackfillTimes {
        file: file.name.clone(),
        table: fill.table,
        generated: times[0],
        plain: times[1],
    }
}

/// A column fill as the plan's backfill file has it: its last statement, `UPDATE <table> SET
/// <assignments> WHERE <pending>`, takes whatever is still pending.
struct Fill {
    table: String,
    assignments: String,
    pending: String,
}

impl Fill {
    fn from_backfill(sql: &str) -> Self {
        let last = sql
            .lines()
            .rev()
            .map(str::trim)
            .find(|line| line.starts_with("UPDATE "))
            .expect("an UPDATE in the backfill file");
        let rest = last.strip_prefix("UPDATE ").unwrap().trim_end_matches(';');
        let (table, rest) = rest.split_once(" SET ").expect("UPDATE … SET");
        let (assignments, pending) = rest.split_once(" WHERE ").expect("SET … WHERE");
        Self {
            table: table.to_owned(),
            assignments: assignments.to_owned(),
            pending: pending.to_owned(),
        }
    }

    /// The keyset loop a person would write: the next [`PLAIN_BATCH`] keys, then one
    /// `UPDATE` of that key range's pending rows, committed; no rows skipped, no pause.
    fn plain_loop(&self) -> String {
        let Self {
            table,
            assignments,
            pending,
        } = self;
        format!(
            "DO $plain$\nDECLARE\n  _last bigint;\n  _next bigint;\nBEGIN\n  SELECT min(id) - 1 \
             INTO _last FROM {table};\n  LOOP\n    SELECT max(id) INTO _next FROM (SELECT id FROM \
             {table} WHERE id > _last ORDER BY id LIMIT {PLAIN_BATCH}) AS batch;\n    EXIT WHEN \
             _next IS NULL;\n    UPDATE {table} SET {assignments} WHERE id > _last AND id <= \
             _next AND ({pending});\n    COMMIT;\n    _last := _next;\n  END LOOP;\nEND\n\
             $plain$;\n"
        )
    }
}

/// Samples, while a file runs, which sessions wait for a lock and what holds it: the longest
/// wait seen per waiting and blocking statement.
struct LockSampler {
    stop: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<Sampled>,
}

/// What the sampler saw: lock waits by (waiting, blocking) statement, and the other waits
/// of the clients' statements (I/O, WAL, buffer contention) by wait event.
#[derive(Debug, Default)]
struct Sampled {
    locks: BTreeMap<(String, String), Wait>,
    others: BTreeMap<String, Wait>,
    /// The longest wait of a client on a row lock the plan's session held, in ms.
    row_lock_ms: f64,
}

/// The longest wait seen for one waiting statement behind one blocking one.
#[derive(Debug, Clone, Default)]
struct Wait {
    ms: f64,
    lock: String,
    samples: u64,
}

const LOCK_WAITS: &str = "
SELECT left(regexp_replace(w.query, '\\s+', ' ', 'g'), 90),
       left(regexp_replace(b.query, '\\s+', ' ', 'g'), 160),
       coalesce(w.wait_event, ''),
       (extract(epoch FROM clock_timestamp() - w.state_change) * 1000)::float8
FROM pg_stat_activity AS w
CROSS JOIN LATERAL unnest(pg_blocking_pids(w.pid)) AS blocker(pid)
JOIN pg_stat_activity AS b ON b.pid = blocker.pid
WHERE w.wait_event_type = 'Lock' AND w.datname = current_database()";

/// The clients' waits for a row (the holder's transaction, or the row's place in the queue)
/// that the plan's session blocks, directly or through a client queued before them, with how
/// long the longest has waited so far.
const ROW_LOCK_WAITS: &str = "
WITH plan AS (SELECT pid FROM pg_stat_activity WHERE application_name = $1)
SELECT coalesce(max(extract(epoch FROM clock_timestamp() - l.waitstart) * 1000), 0)::float8
FROM pg_locks AS l
JOIN pg_stat_activity AS w ON w.pid = l.pid
WHERE NOT l.granted AND l.locktype IN ('transactionid', 'tuple')
  AND w.application_name = 'pgphase' AND w.datname = current_database()
  AND EXISTS (SELECT FROM unnest(pg_blocking_pids(l.pid)) AS blocker(pid)
              WHERE blocker.pid IN (SELECT pid FROM plan)
                 OR EXISTS (SELECT FROM unnest(pg_blocking_pids(blocker.pid)) AS queued(pid)
                            WHERE queued.pid IN (SELECT pid FROM plan)))";

/// The clients' statements (not the plan's psql session, not autovacuum) waiting on something
/// other than a lock or the client, with how long the statement had run: a slow client transaction with
/// no lock wait is attributed to these.
const OTHER_WAITS: &str = "
SELECT wait_event_type || ':' || wait_event,
       (extract(epoch FROM clock_timestamp() - state_change) * 1000)::float8
FROM pg_stat_activity
WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()
  AND backend_type = 'client backend' AND application_name = 'pgphase'
  AND wait_event_type NOT IN ('Lock', 'Client')";

impl LockSampler {
    async fn start(url: &str) -> Self {
        let client = connect(url).await;
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let task = tokio::spawn(async move {
            let mut sampled = Sampled::default();
            while !flag.load(Ordering::Relaxed) {
                if let Ok(rows) = client.query(OTHER_WAITS, &[]).await {
                    for row in rows {
                        let wait = sampled.others.entry(row.get(0)).or_default();
                        let ms: f64 = row.get(1);
                        wait.ms = wait.ms.max(ms);
                        wait.samples += 1;
                    }
                }
                if let Ok(row) = client.query_one(ROW_LOCK_WAITS, &[&PLAN_APPLICATION]).await {
                    sampled.row_lock_ms = sampled.row_lock_ms.max(row.get(0));
                }
                if let Ok(rows) = client.query(LOCK_WAITS, &[]).await {
                    for row in rows {
                        let key = (row.get::<_, String>(0), row.get::<_, String>(1));
                        let wait = sampled.locks.entry(key).or_default();
                        let ms: f64 = row.get(3);
                        if ms > wait.ms {
                            wait.ms = ms;
                            wait.lock = row.get(2);
                        }
                        wait.samples += 1;
                    }
                }
                tokio::time::sleep(SAMPLE_EVERY).await;
            }
            sampled
        });
        Self { stop, task }
    }

    async fn stop(self) -> Sampled {
        self.stop.store(true, Ordering::Relaxed);
        self.task.await.unwrap_or_default()
    }
}

/// The longest lock waits sampled, longest first, then the clients' longest other waits.
fn print_waits(sampled: &Sampled) {
    let mut others: Vec<_> = sampled.others.iter().collect();
    others.sort_by(|a, b| b.1.ms.total_cmp(&a.1.ms));
    for (event, wait) in others.into_iter().take(3) {
        println!(
            "  client statement waiting on {event} after {:.0} ms ({} samples)",
            wait.ms, wait.samples
        );
    }
    let mut longest: Vec<_> = sampled.locks.iter().collect();
    longest.sort_by(|a, b| b.1.ms.total_cmp(&a.1.ms));
    if longest.is_empty() {
        println!(
            "  no lock wait sampled (every {} ms)",
            SAMPLE_EVERY.as_millis()
        );
    }
    for ((waiting, blocking), wait) in longest.into_iter().take(5) {
        println!(
            "  waited {:.0} ms on {} ({} samples): {waiting}\n    behind: {blocking}",
            wait.ms, wait.lock, wait.samples
        );
    }
}

fn connect_options(url: &str) -> ConnectOptions {
    ConnectOptions {
        database_url: Some(url.to_owned()),
        connect_timeout: Some(Duration::from_secs(10)),
        statement_timeout: None,
    }
}

async fn connect(url: &str) -> Client {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    client
}
