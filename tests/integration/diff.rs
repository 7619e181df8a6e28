//! The diff against real databases: every corpus schema diffs empty against its own snapshot
//! (the architecture's round trip), and views over a dropped column, read from the catalog,
//! are recreated or dropped in the right place.

use std::time::{Duration, Instant};

use pgphase::diff::change::{DropColumn, RecreateView};
use pgphase::diff::{Change, diff};
use pgphase::schema::TableRef;
use pgphase::source::postgres::{self, ConnectOptions, IntrospectOptions, Introspection};
use pgphase::source::yaml;

use crate::common::{TestDb, corpus_dir};
use crate::roundtrip::load_with_psql;

async fn read(db: &TestDb) -> Introspection {
    let options = ConnectOptions {
        database_url: Some(db.url.clone()),
        connect_timeout: Some(Duration::from_secs(10)),
        statement_timeout: None,
    };
    postgres::read_live(&options, &IntrospectOptions::default(), &mut |_| {})
        .await
        .unwrap_or_else(|e| panic!("introspecting {}: {e}", db.name))
}

#[tokio::test(flavor = "multi_thread")]
async fn every_corpus_schema_diffs_empty_against_its_snapshot() {
    let dir = corpus_dir();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "sql"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no corpus schemas in {}", dir.display());
    for file in files {
        let label = file.file_name().unwrap().to_string_lossy().into_owned();
        let db = TestDb::new().await;
        load_with_psql(&db, &file);
        let live = read(&db).await;
        let snapshot = yaml::write(&live.schema);
        let loaded = yaml::parse(&snapshot, &format!("{label}.yaml"))
            .unwrap_or_else(|e| panic!("{label}: the snapshot does not load back:\n{e}"));
        let started = Instant::now();
        let changes = diff(&live.schema, &loaded.schema, &live.stats);
        let elapsed = started.elapsed();
        assert_eq!(
            changes,
            Vec::<Change>::new(),
            "{label}: the snapshot differs"
        );
        let empty = pgphase::Schema::default();
        let count =
            |changes: &[Change], kind: &str| changes.iter().filter(|c| c.kind() == kind).count();
        let creates = diff(&empty, &loaded.schema, &live.stats);
        let drops = diff(&live.schema, &empty, &live.stats);
        let tables = live.schema.table_count();
        assert_eq!(count(&creates, "create-table"), tables, "{label}");
        assert_eq!(count(&drops, "drop-table"), tables, "{label}");
        // Operators have no rule: each is listed, once created and once dropped, and nothing else.
        let (operators, others): (Vec<&Change>, Vec<&Change>) = creates
            .iter()
            .chain(&drops)
            .filter(|c| c.kind() == "unsupported")
            .partition(|c| c.object().starts_with("operator "));
        assert_eq!(others, Vec::<&Change>::new(), "{label}");
        let operator_count: usize = live
            .schema
            .namespaces
            .values()
            .map(|ns| ns.operators.len())
            .sum();
        assert_eq!(operators.len(), 2 * operator_count, "{label}");
        eprintln!(
            "{label}: {} tables, diffed in {elapsed:?}",
            live.schema.table_count()
        );
    }
}

/// (kind, object) of each change, and the columns of a recreated view.
fn summary(changes: &[Change]) -> Vec<String> {
    changes
        .iter()
        .map(|change| match change {
            Change::RecreateView(RecreateView { columns, .. }) => {
                let columns: Vec<String> =
                    columns.iter().map(|(t, c)| format!("{t}.{c}")).collect();
                format!("{} {} {columns:?}", change.kind(), change.object())
            }
            _ => format!("{} {}", change.kind(), change.object()),
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn views_over_a_dropped_column_are_recreated_or_dropped_before_it() {
    let db = TestDb::new().await;
    db.execute(
        "CREATE TABLE t (a integer, b text, c integer);
         CREATE VIEW reads_b AS SELECT a, b FROM t;
         CREATE VIEW on_reads_b AS SELECT a FROM reads_b;
         CREATE VIEW reads_c AS SELECT c FROM t;
         CREATE MATERIALIZED VIEW counts AS SELECT count(*) AS n FROM t;",
    )
    .await;
    let live = read(&db).await;
    let mut desired = live.schema.clone();
    let public = desired.namespaces.get_mut("public").unwrap();
    public
        .tables
        .get_mut("t")
        .unwrap()
        .columns
        .retain(|c| c.name != "b");
    public.views.remove("on_reads_b");
    let reads_b = public.views.get_mut("reads_b").unwrap();
    reads_b.definition = " SELECT t.a\n   FROM t;".to_owned();

    let changes = diff(&live.schema, &desired, &live.stats);
    assert_eq!(
        summary(&changes),
        [
            "drop-view public.on_reads_b",
            "drop-column public.t.b",
            r#"recreate-view public.reads_b ["public.t.b"]"#,
        ]
    );
    let Change::RecreateView(RecreateView { live: old, .. }) = &changes[2] else {
        unreachable!()
    };
    assert!(old.definition.contains("t.b"), "{}", old.definition);
    assert_eq!(
        changes[1],
        Change::DropColumn(DropColumn {
            table: TableRef::new("public", "t"),
            column: live
                .schema
                .table(&TableRef::new("public", "t"))
                .unwrap()
                .columns[1]
                .clone(),
        })
    );
}
