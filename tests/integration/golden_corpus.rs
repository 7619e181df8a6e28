//! One planning scenario per corpus schema: the real schema, loaded as users load their dumps,
//! with a handful of realistic changes made to its snapshot (a nullable column, a NOT NULL
//! column with a default, an index, a check, a default, a new table referencing an old one, a
//! dropped column). The plan is made with the defaults, replayed from its `decisions.yaml`,
//! checked for blocking statements and proven with `verify`. Nothing of the corpus is stored:
//! the changes are made in code.

use pgphase::Schema;
use pgphase::decide::{Answers, Mode};
use pgphase::schema::{Check, Column, ForeignKey, Index, IndexKey, KeyTarget, PrimaryKey, Table};
use pgphase::source::yaml::{self, Ignore};

use crate::common::TestDb;
use crate::golden::{DesiredText, blocking_statements, golden_traffic, plan_desired, prove};
use crate::live::introspect_url;
use crate::roundtrip::{corpus_file, load_with_psql};

/// The table the changes go to: the first (by schema, then name) with a single-column primary
/// key and a column the new index can use.
fn target(schema: &Schema) -> Option<(String, String, String, String)> {
    schema.namespaces.iter().find_map(|(ns_name, ns)| {
        ns.tables.iter().find_map(|(name, table)| {
            let key = table
                .primary_key
                .as_ref()
                .filter(|pk| pk.columns.len() == 1)?;
            let other = table
                .columns
                .iter()
                .find(|c| !key.columns.iter().any(|k| *k == c.name) && c.generated.is_none())?;
            (table.partition_by.is_none() && table.partition_of.is_none()).then(|| {
                (
                    ns_name.clone(),
                    name.clone(),
                    key.columns[0].clone(),
                    other.name.to_string(),
                )
            })
        })
    })
}

/// A nullable column of another plain table that nothing else depends on by name (no key,
/// index or constraint uses it), to drop.
fn droppable(schema: &Schema, skip: &str) -> Option<(String, String, String)> {
    schema.namespaces.iter().find_map(|(ns_name, ns)| {
        ns.tables
            .iter()
            .filter(|(name, _)| *name != skip)
            .find_map(|(name, table)| {
                if table.partition_by.is_some()
                    || table.partition_of.is_some()
                    || table.columns.len() < 3
                {
                    return None;
                }
                let used = |column: &str| {
                    let text = serde_json::to_string(&(
                        &table.primary_key,
                        &table.unique,
                        &table.foreign_keys,
                        &table.checks,
                        &table.indexes,
                        &table.exclusions,
                        &table.triggers,
                        &table.row_security,
                    ))
                    .unwrap();
                    text.contains(column)
                };
                table
                    .columns
                    .iter()
                    .find(|c| {
                        c.nullable
                            && c.generated.is_none()
                            && c.identity.is_none()
                            && !used(&c.name)
                    })
                    .map(|c| (ns_name.clone(), name.clone(), c.name.to_string()))
            })
    })
}

/// The desired schema: the live one with the handful of changes.
fn with_changes(live: &Schema) -> Schema {
    let mut desired = live.clone();
    let (ns, name, key, indexed) = target(live).expect("a table with a one-column primary key");
    let dropped = droppable(live, &name);
    let namespace = desired.namespaces.get_mut(&ns).unwrap();
    let table = namespace.tables.get_mut(&name).unwrap();
    table.columns.push(Column::new("pgphase_note", "text"));
    table.columns.push(Column {
        nullable: false,
        default: Some("false".into()),
        ..Column::new("pgphase_reviewed", "boolean")
    });
    table.checks.push(Check {
        name: "pgphase_note_length".into(),
        expression: "(length(pgphase_note) < 1000)".to_owned(),
        no_inherit: false,
        valid: true,
    });
    table.indexes.push(Index {
        name: "pgphase_lookup_idx".into(),
        unique: false,
        method: "btree".into(),
        keys: vec![IndexKey {
            target: KeyTarget::Column(indexed.into()),
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
    });
    let key_type = table.column(&key).unwrap().data_type.clone();
    let audit = Table {
        columns: vec![
            Column {
                nullable: false,
                ..Column::new("id", "bigint")
            },
            Column::new("subject", key_type),
            Column {
                nullable: false,
                default: Some("now()".into()),
                ..Column::new("noted_at", "timestamp with time zone")
            },
        ],
        primary_key: Some(PrimaryKey {
            name: "pgphase_audit_pkey".into(),
            columns: vec!["id".to_owned()],
            include: Vec::new(),
            deferral: Default::default(),
        }),
        foreign_keys: vec![ForeignKey {
            name: "pgphase_audit_subject_fkey".into(),
            columns: vec!["subject".to_owned()],
            references: pgphase::schema::TableRef::new(ns.clone(), name.clone()),
            referenced_columns: vec![key],
            on_delete: Default::default(),
            on_update: Default::default(),
            match_type: Default::default(),
            deferral: Default::default(),
            valid: true,
        }],
        ..Table::default()
    };
    namespace.tables.insert("pgphase_audit".to_owned(), audit);
    if let Some((ns, table, column)) = dropped {
        let table = desired
            .namespaces
            .get_mut(&ns)
            .unwrap()
            .tables
            .get_mut(&table)
            .unwrap();
        table.columns.retain(|c| c.name != column);
    }
    desired
}

async fn corpus_scenario(file: &str) {
    let path = corpus_file(file);
    let db = TestDb::new().await;
    load_with_psql(&db, &path);
    db.execute("ANALYZE").await;
    let live = introspect_url(&db.url).await;
    // Through the file format, as a user's desired file would come.
    let text = yaml::write(&with_changes(&live));
    let desired = DesiredText::parse(text, "desired.yaml");
    assert_eq!(desired.desired.ignore, Ignore::default());
    let outcome = plan_desired(file, &db, &desired, &Answers::default(), true).await;
    assert!(
        outcome.changes.len() >= 6,
        "{file}: expected the handful of changes, got {:?}",
        outcome.changes.iter().map(|c| c.kind()).collect::<Vec<_>>()
    );
    let decisions = &outcome.files[std::path::Path::new("decisions.yaml")];
    let replayed: Answers = yaml::from_text(decisions, "decisions.yaml").unwrap();
    let again = plan_desired(file, &db, &desired, &replayed, false).await;
    assert!(
        again.files == outcome.files,
        "{file}: replaying decisions.yaml gave different files"
    );
    assert_eq!(outcome.plan.settings.mode, Mode::ZeroDowntime);
    let problems = blocking_statements(&outcome.plan, &outcome.changes);
    assert!(
        problems.is_empty(),
        "{file}: blocking statements:\n{}",
        problems.join("\n")
    );
    let violations = pgphase::plan::discipline::check(&outcome.plan.files);
    assert!(
        violations.is_empty(),
        "{file}: the plan breaks the lock discipline:\n{}",
        violations
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    );
    prove(file, &outcome.files, &db, Some(golden_traffic())).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn corpus_pagila_plan() {
    corpus_scenario("pagila.sql").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn corpus_chinook_plan() {
    corpus_scenario("chinook.sql").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn corpus_northwind_plan() {
    corpus_scenario("northwind.sql").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn corpus_danbooru_plan() {
    corpus_scenario("danbooru.sql").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn corpus_synapse_plan() {
    corpus_scenario("synapse-main.sql").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn corpus_sourcegraph_plan() {
    corpus_scenario("sourcegraph-frontend.sql").await;
}
