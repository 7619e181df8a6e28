//! Batched backfills on a real table: the key the planner walks is found in the introspected
//! table; a walk fills every pending row with each batch an index range scan; a walk stopped
//! halfway and run again changes each row once; rows another session holds locked during the
//! walk are finished right after their batch, once released, while a batch that skipped none
//! leaves its range unread and a walk alone never pauses; a table without a usable key is
//! filled by the `ctid` loop.

use std::time::{Duration, Instant};

use pgphase::plan::backfill::{self, Strategy};
use pgphase::schema::TableRef;
use pgphase::source::postgres::{self, IntrospectOptions};
use pgphase::step::{Backfill, BackfillOperation, Rollback};

use crate::common::{TestDb, connect, describe};

/// Rows per table: with a first batch of [`BATCH`] rows, several batches.
const ROWS: i64 = 30_000;
const BATCH: u64 = 500;

/// `public.<table>` with `ROWS` rows keyed by `key_sql` (columns and constraints), every row's
/// `gift` still NULL except every tenth, already true.
async fn table(db: &TestDb, name: &str, key_sql: &str) {
    db.execute(&format!(
        "CREATE TABLE public.{name} ({key_sql}, note text, gift boolean);
         INSERT INTO public.{name} (id, region, note, gift)
           SELECT g, 'r' || (g % 7), 'n' || g, CASE WHEN g % 10 = 0 THEN true END
           FROM generate_series(1, {ROWS}) AS g;
         ANALYZE public.{name};"
    ))
    .await;
}

/// The key the planner would walk `public.<table>` by, from the introspected table.
async fn walk_key(db: &TestDb, table: &str) -> Option<Vec<String>> {
    let live = postgres::read_live(
        &db.connect_options(),
        &IntrospectOptions::default(),
        &mut |_| {},
    )
    .await
    .unwrap();
    live.schema
        .table(&TableRef::new("public", table))
        .and_then(backfill::walk_key)
}

/// The batched backfill setting `gift` to false where it is NULL.
fn fill_gift(table: &str, key: Option<&[String]>) -> String {
    let fill = Backfill {
        table: TableRef::new("public", table),
        operation: BackfillOperation::Update {
            assignments: "gift = false".to_owned(),
        },
        pending: "gift IS NULL".to_owned(),
        rows: Some(u64::try_from(ROWS).unwrap()),
        note: "fill gift".to_owned(),
        rollback: Rollback::nothing(),
    };
    backfill::statement(&fill, Strategy::Batched, BATCH, key).sql
}

async fn count(db: &TestDb, sql: &str) -> i64 {
    db.client.query_one(sql, &[]).await.unwrap().get(0)
}

/// Runs `sql` with psql (as a plan file is applied), every statement's plan printed by
/// `auto_explain` as a notice; returns what psql printed on standard error.
fn psql_explained(db: &TestDb, sql: &str) -> String {
    let psql = pgphase::cluster::find_bin_dir()
        .map(|dir| dir.join("psql"))
        .ok()
        .filter(|path| path.is_file())
        .unwrap_or_else(|| "psql".into());
    let script = format!(
        "LOAD 'auto_explain';\nSET auto_explain.log_min_duration = 0;\n\
         SET auto_explain.log_nested_statements = on;\nSET auto_explain.log_level = notice;\n\
         {sql};\n"
    );
    // A script file, as plans are applied: `-c` would send one multi-statement query, one
    // transaction, where the batches cannot commit.
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), script).unwrap();
    let output = std::process::Command::new(psql)
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", &db.url, "-f"])
        .arg(file.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "psql failed:\n{stderr}");
    stderr
}

/// The plans of the walk's fast batches, one text each: the lookups of each batch's last key.
fn key_lookups(explained: &str) -> Vec<&str> {
    explained
        .split("duration:")
        .filter(|plan| plan.contains(") AS keys"))
        .collect()
}

/// The plans of the fast batches' changes of their key range, one text each.
fn range_changes(explained: &str) -> Vec<&str> {
    explained
        .split("duration:")
        .filter(|plan| plan.contains("Query Text: UPDATE") && plan.contains("<= _next_1"))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_primary_key_is_walked_with_index_range_scans_and_every_pending_row_filled() {
    let db = TestDb::new().await;
    table(&db, "orders", "id bigint PRIMARY KEY, region text NOT NULL").await;
    let key = walk_key(&db, "orders").await;
    assert_eq!(key.as_deref(), Some(&["id".to_owned()][..]));
    let explained = psql_explained(&db, &fill_gift("orders", key.as_deref()));

    assert_eq!(
        count(&db, "SELECT count(*) FROM orders WHERE gift IS NULL").await,
        0
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM orders WHERE gift").await,
        ROWS / 10,
        "rows already done keep their value"
    );
    let lookups = key_lookups(&explained);
    let changes = range_changes(&explained);
    assert!(lookups.len() >= 3, "a few batches:\n{explained}");
    assert_eq!(
        changes.len(),
        lookups.len() - 1,
        "the last lookup finds no key"
    );
    for plan in &lookups {
        assert!(
            plan.contains("Index Only Scan using orders_pkey") && !plan.contains("Seq Scan"),
            "a batch's range is read from the key's index alone:\n{plan}"
        );
    }
    for plan in &changes {
        assert!(
            plan.contains("Index Scan using orders_pkey") && !plan.contains("Seq Scan"),
            "a batch changes its range's rows through the key's index:\n{plan}"
        );
    }
    for plans in [&lookups, &changes] {
        let bounded = plans
            .iter()
            .filter(|p| {
                p.lines()
                    .any(|line| line.contains("Index Cond:") && line.contains("(id >"))
            })
            .count();
        assert_eq!(
            bounded,
            plans.len() - 1,
            "every batch after the first:\n{explained}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_not_null_composite_unique_index_is_walked_as_a_row() {
    let db = TestDb::new().await;
    table(&db, "lines", "id bigint NOT NULL, region text NOT NULL").await;
    db.execute(
        "CREATE UNIQUE INDEX lines_loose ON lines (note);
         CREATE UNIQUE INDEX lines_region_id ON lines (region, id);",
    )
    .await;
    let key = walk_key(&db, "lines").await;
    assert_eq!(
        key,
        Some(vec!["region".to_owned(), "id".to_owned()]),
        "note may be NULL"
    );
    let explained = psql_explained(&db, &fill_gift("lines", key.as_deref()));

    assert_eq!(
        count(&db, "SELECT count(*) FROM lines WHERE gift IS NULL").await,
        0
    );
    let lookups = key_lookups(&explained);
    assert!(lookups.len() >= 3, "a few batches:\n{explained}");
    for plan in lookups
        .iter()
        .skip(1)
        .chain(range_changes(&explained).iter().skip(1))
    {
        assert!(
            plan.contains("using lines_region_id")
                && plan.contains("Index Cond: (ROW(region, id) > ROW("),
            "a later batch starts from the last key in the index:\n{plan}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_walk_stopped_halfway_runs_again_and_changes_each_row_once() {
    let db = TestDb::new().await;
    table(&db, "orders", "id bigint PRIMARY KEY, region text NOT NULL").await;
    // Counts each row's updates, and stops the walk at one row while `stop` holds a row.
    db.execute(
        "CREATE TABLE updates (id bigint PRIMARY KEY, n integer NOT NULL);
         CREATE TABLE stop (at bigint);
         INSERT INTO stop VALUES (15001);
         CREATE FUNCTION count_update() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN
           IF EXISTS (SELECT FROM stop WHERE at = NEW.id) THEN
             RAISE EXCEPTION 'stopped at %', NEW.id;
           END IF;
           INSERT INTO updates VALUES (NEW.id, 1)
             ON CONFLICT (id) DO UPDATE SET n = updates.n + 1;
           RETURN NEW;
         END $$;
         CREATE TRIGGER count_update BEFORE UPDATE ON orders
           FOR EACH ROW EXECUTE FUNCTION count_update();",
    )
    .await;
    let sql = fill_gift("orders", walk_key(&db, "orders").await.as_deref());
    let stopped = db.client.batch_execute(&sql).await.unwrap_err();
    assert!(
        describe(&stopped, &sql).contains("stopped at 15001"),
        "{stopped}"
    );
    let pending = count(&db, "SELECT count(*) FROM orders WHERE gift IS NULL").await;
    assert!(
        pending > 0 && pending < ROWS * 9 / 10,
        "batches before the stop are committed: {pending} rows pending"
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM orders WHERE NOT gift \
             AND id > (SELECT min(id) FROM orders WHERE gift IS NULL)"
        )
        .await,
        0,
        "the walk went in key order: the rows still pending come after every row it filled"
    );

    db.execute("DELETE FROM stop").await;
    db.client
        .batch_execute(&sql)
        .await
        .unwrap_or_else(|e| panic!("{}", describe(&e, &sql)));
    assert_eq!(
        count(&db, "SELECT count(*) FROM orders WHERE gift IS NULL").await,
        0
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM orders WHERE gift").await,
        ROWS / 10,
        "rows done before the first run keep their value"
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM updates").await,
        ROWS - ROWS / 10,
        "every pending row was changed"
    );
    assert_eq!(
        count(&db, "SELECT max(n)::bigint FROM updates").await,
        1,
        "no row was changed twice"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn rows_another_session_holds_are_finished_right_after_their_batch() {
    let db = TestDb::new().await;
    table(&db, "orders", "id bigint PRIMARY KEY, region text NOT NULL").await;
    let sql = fill_gift("orders", walk_key(&db, "orders").await.as_deref());
    let holder = connect(&db.url).await;
    holder
        .batch_execute("BEGIN; SELECT FROM orders WHERE id BETWEEN 101 AND 109 FOR UPDATE")
        .await
        .unwrap();
    let walker = connect(&db.url).await;
    let pid: i32 = walker
        .query_one("SELECT pg_backend_pid()", &[])
        .await
        .unwrap()
        .get(0);
    let walk = tokio::spawn(async move { walker.batch_execute(&sql).await });

    // The fast path waits up to HELD_ROW_WAIT_MS for a held row before it falls back, so only a
    // wait well past that is the walk waiting for the held rows after its careful batch.
    let long_wait_ms = i32::try_from(backfill::HELD_ROW_WAIT_MS * 25).unwrap();
    let started = Instant::now();
    loop {
        let waiting: bool = db
            .client
            .query_one(
                "SELECT coalesce(bool_or(clock_timestamp() - waitstart > $2::int * interval '1 ms'), \
                 false) FROM pg_locks WHERE pid = $1 AND NOT granted",
                &[&pid, &long_wait_ms],
            )
            .await
            .unwrap()
            .get(0);
        if waiting {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the walk never waited for the held rows"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM orders WHERE gift IS NULL AND id <= 110"
        )
        .await,
        9,
        "the first batch skipped the held rows and did the rest of its range"
    );
    assert!(
        count(&db, "SELECT count(*) FROM orders WHERE gift IS NULL").await > 1_000,
        "the walk waits for the held rows right after their batch, not at its end"
    );
    holder.batch_execute("COMMIT").await.unwrap();
    walk.await.unwrap().unwrap();
    assert_eq!(
        count(&db, "SELECT count(*) FROM orders WHERE gift IS NULL").await,
        0
    );
}

/// The statements of the walk that ran, as auto_explain printed their text: the range's finish
/// statements and the pauses.
fn finishes_and_pauses(explained: &str) -> (usize, usize) {
    let finishes = explained
        .split("duration:")
        .filter(|plan| plan.contains("id > _prev_1 AND id <= _last_1"))
        .count();
    let pauses = explained
        .split("duration:")
        .filter(|plan| plan.contains("pg_sleep("))
        .count();
    (finishes, pauses)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_walk_alone_reads_no_finished_range_again_and_never_pauses() {
    let db = TestDb::new().await;
    table(&db, "orders", "id bigint PRIMARY KEY, region text NOT NULL").await;
    let sql = fill_gift("orders", walk_key(&db, "orders").await.as_deref());
    let explained = psql_explained(&db, &sql);
    assert!(key_lookups(&explained).len() >= 3, "{explained}");
    assert_eq!(
        finishes_and_pauses(&explained),
        (0, 0),
        "no batch skipped a row and no other session worked:\n{explained}"
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM orders WHERE gift IS NULL").await,
        0
    );

    // Another session in a transaction, holding no row of the table: the walk pauses after
    // each batch, and still finishes no range.
    db.execute("UPDATE orders SET gift = NULL WHERE NOT gift")
        .await;
    let other = connect(&db.url).await;
    other.batch_execute("BEGIN; SELECT 1").await.unwrap();
    let explained = psql_explained(&db, &sql);
    let batches = key_lookups(&explained).len();
    let (finishes, pauses) = finishes_and_pauses(&explained);
    assert_eq!(finishes, 0, "{explained}");
    assert!(
        pauses + 1 >= batches && pauses > 0,
        "{pauses} pauses after {batches} batches:\n{explained}"
    );
    other.batch_execute("COMMIT").await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_table_without_a_usable_key_is_filled_by_the_ctid_loop() {
    let db = TestDb::new().await;
    // Unique, but id may be NULL: no key to walk.
    table(&db, "events", "id bigint UNIQUE, region text NOT NULL").await;
    let key = walk_key(&db, "events").await;
    assert_eq!(key, None);
    let sql = fill_gift("events", None);
    assert!(
        sql.contains("WHERE ctid IN (SELECT ctid FROM public.events"),
        "{sql}"
    );
    db.client
        .batch_execute(&sql)
        .await
        .unwrap_or_else(|e| panic!("{}", describe(&e, &sql)));
    assert_eq!(
        count(&db, "SELECT count(*) FROM events WHERE gift IS NULL").await,
        0
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM events WHERE gift").await,
        ROWS / 10
    );
}

/// A small table's one-transaction fill, as the planner writes it.
fn fill_small(table: &str) -> String {
    let fill = Backfill {
        table: TableRef::new("public", table),
        operation: BackfillOperation::Update {
            assignments: "gift = false".to_owned(),
        },
        pending: "gift IS NULL".to_owned(),
        rows: Some(10),
        note: "fill gift".to_owned(),
        rollback: Rollback::nothing(),
    };
    backfill::statement(&fill, Strategy::Single, BATCH, None).sql
}

/// What the one-transaction fill used to be: passes that skip held rows, then one statement
/// that waits for the rows still held, while holding every row it changed.
fn fill_small_then_wait(table: &str) -> String {
    format!(
        "DO $backfill$ BEGIN FOR _pass IN 1..50 LOOP UPDATE public.{table} SET gift = false \
         WHERE ctid IN (SELECT ctid FROM public.{table} WHERE gift IS NULL FOR UPDATE SKIP \
         LOCKED); EXIT WHEN NOT EXISTS (SELECT 1 FROM public.{table} WHERE gift IS NULL); \
         PERFORM pg_sleep(0.01); END LOOP; UPDATE public.{table} SET gift = false WHERE gift \
         IS NULL; END $backfill$"
    )
}

/// A client holds row 1 while the fill runs, then wants row 2, which the fill has changed:
/// whether the client's transaction gets through, and whether the fill did.
async fn client_against_fill(
    db: &TestDb,
    fill: String,
) -> (Result<(), String>, Result<(), String>) {
    db.execute(
        "CREATE TABLE public.small (id int PRIMARY KEY, gift boolean);
         INSERT INTO public.small SELECT g, NULL FROM generate_series(1, 10) AS g;",
    )
    .await;
    let client = connect(&db.url).await;
    client
        .batch_execute("BEGIN; SELECT * FROM public.small WHERE id = 1 FOR UPDATE")
        .await
        .unwrap();
    let filler = connect(&db.url).await;
    let filling = tokio::spawn(async move {
        filler
            .batch_execute(&format!("BEGIN; {fill}; COMMIT"))
            .await
            .map_err(|e| describe(&e, "the fill"))
    });
    // The fill's passes have changed rows 2 to 10 by now and skip row 1.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let own = client
        .batch_execute("UPDATE public.small SET gift = true WHERE id = 2; COMMIT")
        .await
        .map_err(|e| describe(&e, "the client"));
    let filled = filling.await.unwrap();
    (own, filled)
}

#[tokio::test]
async fn a_small_fill_never_waits_for_a_row_while_holding_the_rows_it_changed() {
    let db = TestDb::new().await;
    let (client, fill) = client_against_fill(&db, fill_small("small")).await;
    assert_eq!(client, Ok(()), "the client's transaction");
    assert_eq!(fill, Ok(()), "the fill");
    assert_eq!(
        count(&db, "SELECT count(*) FROM public.small WHERE gift IS NULL").await,
        0
    );
}

#[tokio::test]
async fn a_fill_that_waits_for_held_rows_deadlocks_with_such_a_client() {
    let db = TestDb::new().await;
    let (client, fill) = client_against_fill(&db, fill_small_then_wait("small")).await;
    let failures = [client, fill]
        .into_iter()
        .filter_map(Result::err)
        .collect::<Vec<_>>();
    assert!(
        failures.iter().any(|e| e.contains("deadlock")),
        "{failures:?}"
    );
}
