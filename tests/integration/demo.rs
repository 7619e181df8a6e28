//! The demo's plan: `plans/demo/` is what `pgphase plan --defaults` writes for the demo
//! database (`assets/demo/schema.sql`) and its desired schema (`assets/demo/desired.yaml`).
//! Regenerating it must give the same bytes (`PGPHASE_BLESS=1` rewrites the folder).
//!
//! The plan is not proven with `verify`: the default answer for the NOT NULL, unique key and
//! foreign key is to fix the data first, and the demo's data is made to need fixing (NULL
//! shipping addresses, duplicate emails, orphan order items), so applying the plan to a copy
//! of it fails where a person has to clean the rows up.

use std::path::{Path, PathBuf};

use pgphase::decide::Answers;
use pgphase::source::yaml;

use crate::common::TestDb;
use crate::golden::{compare_or_bless, plan_desired};

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_plan_with_defaults_is_plans_demo() {
    let db = TestDb::new().await;
    db.execute(pgphase::demo::SCHEMA_SQL).await;
    db.execute("ANALYZE").await;
    let desired = yaml::load(&repository().join("assets/demo/desired.yaml")).unwrap();

    let outcome = plan_desired("demo", &db, &desired, &Answers::default(), true).await;
    assert_eq!(
        outcome.changes.len(),
        9,
        "the demo shows nine changes, one of each kind"
    );
    compare_or_bless(&repository().join("plans/demo"), &outcome.files);

    let decisions = &outcome.files[Path::new("decisions.yaml")];
    let replayed: Answers = yaml::from_text(decisions, "decisions.yaml").unwrap();
    let again = plan_desired("demo", &db, &desired, &replayed, false).await;
    assert!(
        again.files == outcome.files,
        "replaying plans/demo/decisions.yaml gave different files"
    );
}
