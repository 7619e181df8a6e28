//! The demo's plan: `plans/demo/` is what `pgphase plan --answers assets/demo/answers.yaml
//! --defaults` writes for the demo database (`assets/demo/schema.sql`) and its desired schema
//! (`assets/demo/desired.yaml`), counting as `plan` does. Regenerating it must give the same
//! bytes (`PGPHASE_BLESS=1` rewrites the folder).
//!
//! The demo's data is made to need decisions (NULL shipping addresses, duplicate emails, orphan
//! order items): the counts leave those questions without a default, and `answers.yaml` makes
//! them. Applied file by file with psql to a fresh demo database, the plan succeeds, ends at
//! the desired schema, and loses no row except those its decisions delete.

use std::path::{Path, PathBuf};

use pgphase::count::{Counting, DEFAULT_TIMEOUT};
use pgphase::decide::Answers;
use pgphase::source::yaml;

use crate::common::TestDb;
use crate::counts::apply_plan;
use crate::golden::{DesiredText, compare_or_bless, plan_with_counting};

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_owned()
}

const COUNTING: Counting = Counting::On {
    timeout: DEFAULT_TIMEOUT,
};

async fn demo_database() -> TestDb {
    let db = TestDb::new().await;
    db.execute(pgphase::demo::SCHEMA_SQL).await;
    db.execute("ANALYZE").await;
    db
}

fn desired() -> DesiredText {
    DesiredText::load(&repository().join("assets/demo/desired.yaml"))
}

fn demo_answers() -> Answers {
    let path = repository().join("assets/demo/answers.yaml");
    yaml::from_text(&std::fs::read_to_string(&path).unwrap(), "answers.yaml").unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_plan_with_its_answers_and_defaults_is_plans_demo() {
    let db = demo_database().await;
    let desired = desired();

    // The counts leave the data decisions without a default.
    let out = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_pgphase"))
        .args(["plan", "--defaults", "--database-url", &db.url])
        .args([
            "--shadow-url",
            &crate::common::server().admin_url,
            "--schema",
        ])
        .arg(repository().join("assets/demo/desired.yaml"))
        .arg("--out")
        .arg(out.path().join("demo"))
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    let refused = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{refused}");
    for question in [
        "public.orders.shipping_address: set-not-null/nulls (2,000 rows (counted)",
        "public.users.users_email_key: add-unique/duplicates (20 rows (counted)",
        "add-foreign-key/orphans",
    ] {
        assert!(refused.contains(question), "{question} not in: {refused}");
    }

    let outcome = plan_with_counting("demo", &db, &desired, &demo_answers(), true, COUNTING).await;
    assert_eq!(
        outcome.changes.len(),
        9,
        "the demo shows nine changes, one of each kind"
    );
    compare_or_bless(&repository().join("plans/demo"), &outcome.files);

    let decisions = &outcome.files[Path::new("decisions.yaml")];
    let replayed: Answers = yaml::from_text(decisions, "decisions.yaml").unwrap();
    let again = plan_with_counting("demo", &db, &desired, &replayed, false, COUNTING).await;
    assert!(
        again.files == outcome.files,
        "replaying plans/demo/decisions.yaml gave different files"
    );
}

async fn count(db: &TestDb, sql: &str) -> i64 {
    db.client.query_one(sql, &[]).await.unwrap().get(0)
}

#[tokio::test(flavor = "multi_thread")]
async fn plans_demo_applies_file_by_file_to_the_demo_database() {
    let db = demo_database().await;
    let tables = ["users", "products", "orders", "order_items", "events"];
    let mut before = Vec::new();
    for table in tables {
        before.push(count(&db, &format!("SELECT count(*) FROM {table}")).await);
    }
    let orphans = count(
        &db,
        "SELECT count(*) FROM order_items i WHERE NOT EXISTS \
         (SELECT FROM products p WHERE p.id = i.product_id)",
    )
    .await;
    let second_signups = count(&db, "SELECT count(*) - count(DISTINCT email) FROM users").await;
    assert!(orphans > 0 && second_signups > 0);

    let applied = apply_plan(&db, &repository().join("plans/demo"))
        .unwrap_or_else(|(file, error)| panic!("plans/demo/{file} failed: {error}"));
    assert_eq!(
        applied.first().map(String::as_str),
        Some("00-preconditions")
    );

    // The end state is the desired schema: nothing left to change.
    let end = plan_with_counting(
        "demo-end",
        &db,
        &desired(),
        &Answers::default(),
        true,
        Counting::Off,
    )
    .await;
    assert!(end.changes.is_empty(), "left to change: {:?}", end.changes);

    // Rows lost only by the decisions recorded in decisions.yaml: the second sign-ups (delete
    // duplicates) and the order items of missing products (delete orphans).
    let decisions =
        std::fs::read_to_string(repository().join("plans/demo/decisions.yaml")).unwrap();
    assert!(
        decisions.contains("choice: delete-duplicates"),
        "{decisions}"
    );
    assert!(decisions.contains("choice: delete\n"), "{decisions}");
    let lost = [second_signups, 0, 0, orphans, 0];
    for ((table, rows), lost) in tables.iter().zip(&before).zip(lost) {
        let after = count(&db, &format!("SELECT count(*) FROM {table}")).await;
        assert_eq!(after, rows - lost, "rows of {table}");
    }
    let unknown = count(
        &db,
        "SELECT count(*) FROM orders WHERE shipping_address = 'unknown'",
    )
    .await;
    assert_eq!(unknown, 2_000, "the NULL addresses, filled as decided");
}
