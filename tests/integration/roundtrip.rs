//! The round trips that prove the model, the YAML format and the DDL are faithful:
//! live database → snapshot YAML → model equals the live one; and model → DDL in an empty
//! database → introspected model equals again. Over the real corpus, a synthetic 1,000-table
//! schema and names that need quoting.

use std::path::PathBuf;
use std::process::Command;

use pgphase::Schema;
use pgphase::ddl;
use pgphase::source::yaml;

use crate::common::{TestDb, server};
use crate::live::introspect_url;

#[path = "../support/synthetic.rs"]
mod synthetic;

/// Both round trips for a database already loaded.
async fn assert_round_trips(source: &TestDb, label: &str) {
    let live = introspect_url(&source.url).await;
    let text = yaml::write(&live);
    for tables_per_piece in [None, Some(7)] {
        let in_pieces = yaml::write_in_pieces(&live, tables_per_piece);
        assert!(
            in_pieces == text,
            "{label}: the file written in pieces of {tables_per_piece:?} tables differs"
        );
    }
    let loaded = yaml::parse(&text, &format!("{label}.yaml"))
        .unwrap_or_else(|e| panic!("{label}: the snapshot does not load back:\n{e}"));
    assert_same(
        &live,
        &loaded.schema,
        &format!("{label}: snapshot → YAML → model"),
    );

    let empty = TestDb::new().await;
    let statements = ddl::create_statements(&loaded.schema);
    for statement in &statements {
        if let Err(error) = empty.client.batch_execute(statement).await {
            panic!(
                "{label}: DDL failed: {}\n{statement}",
                crate::common::describe(&error, statement)
            );
        }
    }
    let rebuilt = introspect_url(&empty.url).await;
    assert_same(
        &live,
        &rebuilt,
        &format!("{label}: YAML → DDL → introspect"),
    );
}

/// Equality with a readable line diff of the two models on failure.
pub(crate) fn assert_same(expected: &Schema, actual: &Schema, what: &str) {
    if expected == actual {
        return;
    }
    let left = serde_json::to_string_pretty(expected).unwrap();
    let right = serde_json::to_string_pretty(actual).unwrap();
    let diff = similar::TextDiff::from_lines(&left, &right);
    let shown: String = diff
        .unified_diff()
        .context_radius(4)
        .to_string()
        .lines()
        .take(120)
        .collect::<Vec<_>>()
        .join("\n");
    panic!("{what}: models differ (- expected, + actual):\n{shown}");
}

pub(crate) fn corpus_file(name: &str) -> PathBuf {
    let path = crate::common::corpus_dir().join(name);
    assert!(path.is_file(), "corpus file {} is missing", path.display());
    path
}

/// Loads a SQL file with psql, the way users load their dumps.
pub(crate) fn load_with_psql(db: &TestDb, path: &PathBuf) {
    let server = server();
    let output = Command::new("psql")
        .args([
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            &server.host,
            "-p",
            &server.port.to_string(),
        ])
        .args(["-U", &server.user, "-d", &db.name, "-f"])
        .arg(path)
        .output()
        .expect("psql runs");
    assert!(
        output.status.success(),
        "loading {}: {}",
        path.display(),
        String::from_utf8_lossy(&output.stderr)
    );
}

async fn corpus_round_trip(file: &str) {
    let path = corpus_file(file);
    let db = TestDb::new().await;
    load_with_psql(&db, &path);
    assert_round_trips(&db, file).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn corpus_pagila() {
    corpus_round_trip("pagila.sql").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn corpus_chinook() {
    corpus_round_trip("chinook.sql").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn corpus_northwind() {
    corpus_round_trip("northwind.sql").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn corpus_danbooru() {
    corpus_round_trip("danbooru.sql").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn corpus_synapse() {
    corpus_round_trip("synapse-main.sql").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn corpus_sourcegraph() {
    corpus_round_trip("sourcegraph-frontend.sql").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn synthetic_1000_tables() {
    let db = TestDb::new().await;
    db.execute(&synthetic::synthetic_schema_sql(1_000)).await;
    assert_round_trips(&db, "synthetic-1000").await;
}

/// Names PostgreSQL only accepts quoted, and the longest it allows.
const AWKWARD_NAMES: &str = r#"
CREATE SCHEMA "Billing Dept";
CREATE TYPE "Billing Dept"."Mood" AS ENUM ('happy', 'it''s complicated', 'ünïcødé');
CREATE TYPE "Billing Dept".nothing_yet AS ENUM ();
CREATE TABLE "Billing Dept"."Order" (
    "ID" bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    "select" text NOT NULL,
    "user" text,
    "two words" integer DEFAULT 0,
    "say ""hi""" text,
    "größe" numeric(10,2),
    "Sorted" text COLLATE "C",
    "Mood" "Billing Dept"."Mood",
    aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa integer,
    UNIQUE ("select", "user"),
    CHECK ("two words" >= 0)
);
CREATE TABLE "Billing Dept"."täble_with_a_very_long_name_that_reaches_the_sixty_three_byte_l" (
    id integer PRIMARY KEY,
    "Order_ID" bigint REFERENCES "Billing Dept"."Order" ("ID")
);
CREATE INDEX ON "Billing Dept"."täble_with_a_very_long_name_that_reaches_the_sixty_three_byte_l" ("Order_ID");
CREATE INDEX "Index ""quoted"" name" ON "Billing Dept"."Order" (lower("select"));
CREATE INDEX ON "Billing Dept"."Order" ("select" text_pattern_ops, "user" COLLATE "C" DESC NULLS LAST);
CREATE VIEW "Billing Dept"."Order View" AS SELECT "ID", "select" FROM "Billing Dept"."Order";
COMMENT ON TABLE "Billing Dept"."Order" IS 'It''s an order: "quoted" \ backslash';
"#;

#[tokio::test(flavor = "multi_thread")]
async fn names_that_need_quoting_survive_both_round_trips() {
    let db = TestDb::new().await;
    db.execute(AWKWARD_NAMES).await;
    assert_round_trips(&db, "awkward-names").await;
}
