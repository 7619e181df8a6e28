//! Canonical comparison through a shadow database: the desired schema, written by hand in
//! non-canonical text, comes back exactly as PostgreSQL prints the same schema created by SQL;
//! the scratch database is gone afterwards; hints survive; bad DDL and missing extensions are
//! clear errors; the planned database is refused.

use pgphase::Schema;
use pgphase::shadow::{Canonical, Method, Shadow, ShadowError, canonicalize};
use pgphase::source::yaml;

use crate::common::{TestDb, connect, server};
use crate::live::introspect_url;

const DESIRED: &str = r#"
pgphase: 1
schemas:
  public:
    enums:
      order_status: [pending, paid]
    tables:
      orders:
        renamed_from: purchases
        columns:
          id:     { type: bigint, identity: always }
          status: { type: order_status, nullable: false, default: "'pending'" }
          total:  { type: "numeric(12,2)", nullable: false, default: "0" }
          email:  { type: text, renamed_from: mail }
        primary_key: [id]
        checks:
          - { name: orders_total_check, expression: "total >= 0" }
        indexes:
          - { name: orders_lower_email_idx, expression: lower(email) }
    views:
      all_orders: "SELECT * FROM orders"
"#;

/// The same schema as plain SQL, the way someone would create it by hand.
const EQUIVALENT_SQL: &str = "
COMMENT ON SCHEMA public IS NULL;
CREATE TYPE order_status AS ENUM ('pending', 'paid');
CREATE TABLE orders (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    status order_status NOT NULL DEFAULT 'pending',
    total numeric(12,2) NOT NULL DEFAULT 0,
    email text,
    CONSTRAINT orders_total_check CHECK (total >= 0)
);
CREATE INDEX orders_lower_email_idx ON orders (lower(email));
CREATE VIEW all_orders AS SELECT * FROM orders;
";

fn desired(text: &str) -> Schema {
    yaml::parse(text, "desired.yaml")
        .unwrap_or_else(|e| panic!("{e}"))
        .schema
}

fn admin_shadow() -> Shadow {
    Shadow::Url(server().admin_url.clone())
}

/// Runs `canonicalize`, returning its result and the scratch database it announced.
async fn canonicalize_logged(
    desired: &Schema,
    shadow: &Shadow,
    planned: Option<&pgphase::source::postgres::ConnectOptions>,
) -> (Result<Canonical, ShadowError>, Vec<String>) {
    let mut lines = Vec::new();
    let result = canonicalize(desired, shadow, planned, &mut |line| {
        lines.push(line.to_owned());
    })
    .await;
    (result, lines)
}

/// Runs `canonicalize_changed` on the admin shadow, returning its canonical schema and its
/// progress lines.
async fn canonicalize_changed_logged(desired: Schema, live: &Schema) -> (Canonical, Vec<String>) {
    let mut lines = Vec::new();
    let canonical =
        pgphase::shadow::canonicalize_changed(desired, live, &admin_shadow(), None, &mut |line| {
            lines.push(line.to_owned())
        })
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    (canonical, lines)
}

/// Table `name` of schema `public`, to change.
fn public_table<'a>(schema: &'a mut Schema, name: &str) -> &'a mut pgphase::schema::Table {
    schema
        .namespaces
        .get_mut("public")
        .and_then(|ns| ns.tables.get_mut(name))
        .unwrap_or_else(|| panic!("no table public.{name}"))
}

/// Column `name` of `table`, to change.
fn column<'a>(
    table: &'a mut pgphase::schema::Table,
    name: &str,
) -> &'a mut pgphase::schema::Column {
    table
        .columns
        .iter_mut()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

/// The scratch database named in the progress lines.
fn scratch_name(lines: &[String]) -> String {
    lines
        .iter()
        .find_map(|line| line.strip_prefix("created scratch database "))
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no scratch database announced in {lines:?}"))
        .to_owned()
}

async fn database_exists(name: &str) -> bool {
    let admin = connect(&server().admin_url).await;
    let row = admin
        .query_one(
            "SELECT count(*) FROM pg_database WHERE datname = $1",
            &[&name],
        )
        .await
        .unwrap();
    row.get::<_, i64>(0) == 1
}

/// What introspecting the hand-written SQL gives, with the hints no database can hold.
async fn expected_from_sql() -> Schema {
    let db = TestDb::new().await;
    db.execute(EQUIVALENT_SQL).await;
    let mut expected = introspect_url(&db.url).await;
    let orders = public_table(&mut expected, "orders");
    orders.renamed_from = Some("purchases".to_owned());
    column(orders, "email").renamed_from = Some("mail".to_owned());
    expected
}

#[tokio::test(flavor = "multi_thread")]
async fn hand_written_schema_comes_back_as_postgresql_prints_it() {
    let desired = desired(DESIRED);
    let (result, lines) = canonicalize_logged(&desired, &admin_shadow(), None).await;
    let canonical = result.unwrap_or_else(|e| panic!("{e}"));
    let expected = expected_from_sql().await;
    assert_eq!(canonical.schema, expected);
    // The canonical text is not the text as written: PostgreSQL reprinted it.
    let orders = &canonical.schema.namespaces["public"].tables["orders"];
    let status = orders.column("status").unwrap();
    assert_eq!(
        status.default.as_deref(),
        Some("'pending'::public.order_status")
    );
    assert_ne!(
        canonical.schema.namespaces["public"].views["all_orders"].definition,
        desired.namespaces["public"].views["all_orders"].definition
    );
    assert_eq!(
        canonical.method,
        Method::ShadowDatabase {
            server: format!("{}:{}", server().host, server().port)
        }
    );
    assert!(!database_exists(&scratch_name(&lines)).await);
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_sql_names_the_statement_and_drops_the_scratch_database() {
    let text = DESIRED.replace("\"total >= 0\"", "\"total >= nosuch_column\"");
    let (result, lines) = canonicalize_logged(&desired(&text), &admin_shadow(), None).await;
    let Err(ShadowError::Ddl {
        statement,
        message,
        position,
        near,
    }) = result
    else {
        panic!("expected a DDL error, got {result:?}");
    };
    // The statement is cut at 200 characters, before the check; `near` shows the spot.
    assert!(
        statement.starts_with("CREATE TABLE public.orders (id bigint"),
        "{statement}"
    );
    assert_eq!(statement.chars().count(), 201, "{statement}");
    assert_eq!(message, "column \"nosuch_column\" does not exist");
    assert!(position.is_some());
    assert!(near.unwrap().starts_with("nosuch_column"));
    assert!(!database_exists(&scratch_name(&lines)).await);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_extension_is_named_before_any_statement_runs() {
    let text = format!("extensions: [citext, pgphase_no_such_extension]\n{DESIRED}");
    let (result, lines) = canonicalize_logged(&desired(&text), &admin_shadow(), None).await;
    let error = result.unwrap_err();
    let ShadowError::ExtensionsUnavailable { names, .. } = &error else {
        panic!("expected a missing extension, got {error:?}");
    };
    assert_eq!(names, &["pgphase_no_such_extension".to_owned()]);
    assert!(
        error.to_string().starts_with(
            "extension pgphase_no_such_extension is not available on the shadow server"
        )
    );
    assert!(!lines.iter().any(|line| line.starts_with("running")));
    assert!(!database_exists(&scratch_name(&lines)).await);
}

#[tokio::test(flavor = "multi_thread")]
async fn available_extensions_are_installed_and_read_back() {
    let text = "pgphase: 1\nextensions: [citext]\nschemas:\n  public:\n    tables:\n      users:\n        columns:\n          email: { type: citext, default: \"'x'\" }\n";
    let (result, _) = canonicalize_logged(&desired(text), &admin_shadow(), None).await;
    let canonical = result.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(canonical.schema.extensions["citext"].schema, "public");
    let email = canonical.schema.namespaces["public"].tables["users"]
        .column("email")
        .unwrap();
    assert_eq!(email.data_type, "public.citext");
    assert_eq!(email.default.as_deref(), Some("'x'::public.citext"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_planned_database_is_refused_and_another_on_its_server_allowed() {
    let planned = TestDb::new().await;
    let options = planned.connect_options();
    let same = Shadow::Url(planned.url.clone());
    let (result, lines) = canonicalize_logged(&desired(DESIRED), &same, Some(&options)).await;
    let Err(ShadowError::SameAsPlanned { database, .. }) = result else {
        panic!("expected a refusal, got {result:?}");
    };
    assert_eq!(database, planned.name);
    assert!(lines.is_empty(), "{lines:?}");
    let untouched = introspect_url(&planned.url).await;
    assert!(untouched.namespaces["public"].tables.is_empty());

    let (result, _) = canonicalize_logged(&desired(DESIRED), &admin_shadow(), Some(&options)).await;
    assert!(result.is_ok(), "{result:?}");
    assert!(
        introspect_url(&planned.url).await.namespaces["public"]
            .tables
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_local_throwaway_cluster_gives_the_same_canonical_schema() {
    let desired = desired(DESIRED);
    let (result, lines) = canonicalize_logged(&desired, &Shadow::LocalCluster, None).await;
    let local = result.unwrap_or_else(|e| panic!("{e}"));
    let Method::ShadowDatabase {
        server: local_server,
    } = &local.method
    else {
        panic!("expected a shadow database, got {:?}", local.method);
    };
    assert!(
        lines
            .iter()
            .any(|l| l == "stopping the throwaway PostgreSQL cluster")
    );
    // The cluster lived in a temporary directory that is gone now.
    let socket_dir = local_server.rsplit_once(':').unwrap().0;
    assert!(!std::path::Path::new(socket_dir).exists(), "{socket_dir}");
    assert_eq!(local.schema, expected_from_sql().await);
}

/// A schema read from a live database is already canonical: through the shadow database it
/// comes back unchanged. Over real schemas, with the time it takes.
async fn corpus_is_a_fixed_point(file: &str) {
    let path = crate::roundtrip::corpus_file(file);
    let db = TestDb::new().await;
    crate::roundtrip::load_with_psql(&db, &path);
    let live = introspect_url(&db.url).await;
    let started = std::time::Instant::now();
    let (result, lines) = canonicalize_logged(&live, &admin_shadow(), None).await;
    let canonical = result.unwrap_or_else(|e| panic!("{file}: {e}"));
    eprintln!(
        "{file}: {} tables canonicalised in {:?}",
        live.table_count(),
        started.elapsed()
    );
    crate::roundtrip::assert_same(&live, &canonical.schema, &format!("{file}: shadow"));
    assert!(!database_exists(&scratch_name(&lines)).await);
}

#[tokio::test(flavor = "multi_thread")]
async fn corpus_pagila_is_a_fixed_point() {
    corpus_is_a_fixed_point("pagila.sql").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn corpus_sourcegraph_is_a_fixed_point() {
    corpus_is_a_fixed_point("sourcegraph-frontend.sql").await;
}

/// The changes teams make most, made to every table of a real schema: a `text` column added,
/// every `integer` column made `bigint` (keys, foreign keys and indexed columns among them)
/// and an index on a column. Canonicalising only what differs gives what canonicalising the
/// whole schema gives, in fewer statements.
async fn corpus_changes_canonicalise_alike(file: &str) {
    use pgphase::schema::types::btree_key_as_written;
    use pgphase::schema::{Column, Index, IndexKey};
    let path = crate::roundtrip::corpus_file(file);
    let db = TestDb::new().await;
    crate::roundtrip::load_with_psql(&db, &path);
    let live = introspect_url(&db.url).await;
    let mut desired = live.clone();
    for (at, table) in desired
        .namespaces
        .values_mut()
        .flat_map(|ns| ns.tables.values_mut())
        .enumerate()
    {
        if table.partition_by.is_some() || table.partition_of.is_some() {
            continue;
        }
        for column in &mut table.columns {
            if column.data_type == "integer" {
                column.data_type = "bigint".into();
            }
        }
        table.columns.push(Column::new("pgphase_added", "text"));
        let sortable = table
            .columns
            .iter()
            .find(|column| btree_key_as_written(&column.data_type))
            .map(|column| column.name.clone());
        if let Some(column) = sortable {
            let name = format!("pgphase_added_{at}_idx");
            table
                .indexes
                .push(Index::btree(name, vec![IndexKey::column(column)]));
        }
        table.sort_by_names();
    }
    let (_, narrowed, whole) = narrowed_as_whole(&desired, &live).await;
    eprintln!("{file}: {narrowed} statements narrowed, {whole} whole");
    assert!(narrowed < whole);
}

#[tokio::test(flavor = "multi_thread")]
async fn corpus_pagila_changes_canonicalise_alike() {
    corpus_changes_canonicalise_alike("pagila.sql").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn corpus_synapse_changes_canonicalise_alike() {
    corpus_changes_canonicalise_alike("synapse-main.sql").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn corpus_sourcegraph_changes_canonicalise_alike() {
    corpus_changes_canonicalise_alike("sourcegraph-frontend.sql").await;
}

/// The live schema of the narrowing test: a changed table beside one it will reference and
/// one left alone.
const NARROWING_LIVE: &str = "
CREATE TYPE order_status AS ENUM ('pending', 'paid');
CREATE TABLE customers (id bigint PRIMARY KEY, name text);
CREATE TABLE orders (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    status order_status NOT NULL DEFAULT 'pending',
    total numeric(12,2) NOT NULL DEFAULT 0,
    customer_id bigint,
    email text
);
CREATE INDEX orders_lower_email_idx ON orders (lower(email));
CREATE TABLE untouched (id int, note varchar(10) DEFAULT 'n');
CREATE TABLE items (
    id int PRIMARY KEY,
    amount integer CONSTRAINT items_amount_check CHECK (amount >= 0),
    label text,
    doubled integer GENERATED ALWAYS AS (amount * 2) STORED
);
CREATE INDEX items_amount_idx ON items (amount);
CREATE INDEX items_label_idx ON items (lower(label));
";

/// Canonicalising only what differs from the live schema (the changed table's new and changed
/// columns, its new parts and the columns they name) gives exactly what canonicalising the
/// whole desired schema gives; each change is written the way a person would, not as
/// PostgreSQL prints it.
#[tokio::test(flavor = "multi_thread")]
async fn canonicalising_what_differs_equals_canonicalising_everything() {
    use pgphase::schema::{Check, Column, FkAction, FkMatch, ForeignKey, Index, IndexKey};
    use pgphase::schema::{KeyTarget, TableRef};
    let db = TestDb::new().await;
    db.execute(NARROWING_LIVE).await;
    let live = introspect_url(&db.url).await;
    let mut desired = live.clone();
    let orders = public_table(&mut desired, "orders");
    let mut note = Column::new("note", "varchar(20)");
    note.default = Some("'x'".into());
    orders.columns.insert(2, note);
    column(orders, "total").default = Some("1".into());
    column(orders, "email").nullable = false;
    orders.checks.push(Check {
        name: "orders_total_check".into(),
        expression: "total<1000000".to_owned(),
        no_inherit: false,
        valid: true,
    });
    orders.indexes.push(Index {
        name: "orders_status_idx".into(),
        unique: false,
        method: "btree".into(),
        keys: vec![IndexKey {
            target: KeyTarget::Column("status".into()),
            opclass: None,
            collation: None,
            descending: false,
            nulls_first: false,
        }],
        include: Vec::new(),
        predicate: Some("total>0".to_owned()),
        nulls_not_distinct: false,
        with: Vec::new(),
        comment: None,
    });
    orders.foreign_keys.push(ForeignKey {
        name: "orders_customer_id_fkey".into(),
        columns: vec!["customer_id".to_owned()],
        references: TableRef::new("public", "customers"),
        referenced_columns: vec!["id".to_owned()],
        on_delete: FkAction::Cascade,
        on_update: FkAction::NoAction,
        match_type: FkMatch::Simple,
        deferral: pgphase::schema::Deferral::NotDeferrable,
        valid: true,
    });
    orders.sort_by_names();
    // A retyped column: the check, the index and the generated column over it print anew.
    column(public_table(&mut desired, "items"), "amount").data_type = "numeric".into();

    let (whole, statements, whole_statements) = narrowed_as_whole(&desired, &live).await;
    assert!(
        statements < whole_statements,
        "only the changed table and what it references are created"
    );
    let canonical = &whole.namespaces["public"].tables["orders"];
    assert_eq!(
        canonical.column("note").unwrap().data_type,
        "character varying(20)",
        "the change was canonicalised"
    );
    let items = &whole.namespaces["public"].tables["items"];
    assert_eq!(items.checks[0].expression, "(amount >= (0)::numeric)");
    assert_ne!(
        items.checks, live.namespaces["public"].tables["items"].checks,
        "the retyped column's check printed anew"
    );
}

/// A changed table with nothing PostgreSQL would print otherwise (a column made NOT NULL, one
/// dropped, a comment) is not created in the scratch database, and the canonical schema is the
/// one the whole desired schema gives.
#[tokio::test(flavor = "multi_thread")]
async fn a_table_changed_only_where_nothing_prints_is_not_created() {
    let db = TestDb::new().await;
    db.execute(NARROWING_LIVE).await;
    let live = introspect_url(&db.url).await;
    let (mut desired, baseline) = with_a_printing_change(&live, "untouched", "note").await;
    let customers = public_table(&mut desired, "customers");
    column(customers, "name").nullable = false;
    customers.comment = Some("who buys".to_owned());
    let orders = public_table(&mut desired, "orders");
    orders.columns.retain(|c| c.name != "email");
    orders.indexes.clear();
    let (_, statements, _) = narrowed_as_whole(&desired, &live).await;
    assert_eq!(statements, baseline, "no statement for customers or orders");
}

/// Columns and plain indexes left out of the scratch database because PostgreSQL prints them
/// as written do come back as written: every type of the list, with its modifiers at their
/// limits and as an array, and B-tree indexes over them in every order, unique and with
/// included columns; so do a primary key and an index over columns that change type. The
/// changed table is not created at all.
#[tokio::test(flavor = "multi_thread")]
async fn what_is_left_out_as_printed_as_written_comes_back_as_written() {
    use pgphase::schema::types::{PRINTED_AS_WRITTEN, btree_key_as_written, prints_as_written};
    use pgphase::schema::{Column, Index, IndexKey};
    let ordered_key = |column: &str, descending: bool, nulls_first: bool| IndexKey {
        descending,
        nulls_first,
        ..IndexKey::column(column)
    };
    let db = TestDb::new().await;
    db.execute(
        "CREATE TABLE plain (id bigint PRIMARY KEY, n integer);
         CREATE INDEX plain_n_idx ON plain (n);
         CREATE TABLE other (note text DEFAULT 'n');
         CREATE TABLE untouched (id bigint);",
    )
    .await;
    let live = introspect_url(&db.url).await;
    let (mut desired, baseline) = with_a_printing_change(&live, "other", "note").await;
    let table = public_table(&mut desired, "plain");
    column(table, "id").data_type = "integer".into();
    column(table, "n").data_type = "bigint".into();
    let mut spellings: Vec<String> = PRINTED_AS_WRITTEN.iter().map(|t| (*t).to_owned()).collect();
    spellings.extend(
        [
            "character varying(1)",
            "character varying(10485760)",
            "numeric(1,0)",
            "numeric(1000,1000)",
            "numeric(12,2)",
            "timestamp(0) with time zone",
            "timestamp(6) without time zone",
            "time(0) with time zone",
            "time(6) without time zone",
        ]
        .map(str::to_owned),
    );
    let arrays: Vec<String> = spellings.iter().map(|t| format!("{t}[]")).collect();
    spellings.extend(arrays);
    for (at, spelling) in spellings.iter().enumerate() {
        assert!(prints_as_written(spelling), "{spelling}");
        let mut added = Column::new(format!("c{at}"), spelling);
        added.nullable = at % 2 == 0;
        table.columns.push(added);
        if btree_key_as_written(spelling) {
            let name = format!("plain_c{at}_idx");
            let key = IndexKey::column(format!("c{at}"));
            table.indexes.push(Index::btree(name, vec![key]));
        }
    }
    let mut ordered = Index::btree(
        "plain_ordered_idx",
        vec![
            ordered_key("c0", true, true),
            ordered_key("c1", true, false),
            ordered_key("c2", false, true),
        ],
    );
    ordered.include = vec!["c3".to_owned()];
    let mut unique = Index::btree(
        "plain_unique_idx",
        vec![IndexKey::column("c0"), IndexKey::column("id")],
    );
    unique.unique = true;
    unique.nulls_not_distinct = true;
    table.indexes.extend([ordered, unique]);
    table.sort_by_names();

    let (whole, statements, _) = narrowed_as_whole(&desired, &live).await;
    assert_eq!(
        whole.namespaces["public"].tables["plain"], desired.namespaces["public"].tables["plain"],
        "PostgreSQL prints them as written"
    );
    assert_eq!(statements, baseline, "no statement for the table");
}

/// `live` with a new default on `table`.`column` (a change that prints), and the statements
/// canonicalising it runs: what comes with any narrowing, for tests that show what else
/// costs no statement.
async fn with_a_printing_change(live: &Schema, table: &str, column_name: &str) -> (Schema, usize) {
    let mut changed = live.clone();
    column(public_table(&mut changed, table), column_name).default = Some("'m'".into());
    let (_, lines) = canonicalize_changed_logged(changed.clone(), live).await;
    (changed, statements_run(&lines))
}

/// Canonicalises `desired` whole and only where it differs from `live`, asserts the two give
/// the same schema, and returns it with the statements the narrowed run and the whole run took.
async fn narrowed_as_whole(desired: &Schema, live: &Schema) -> (Schema, usize, usize) {
    let (whole, whole_lines) = canonicalize_logged(desired, &admin_shadow(), None).await;
    let whole = whole.unwrap_or_else(|e| panic!("{e}")).schema;
    let (narrowed, lines) = canonicalize_changed_logged(desired.clone(), live).await;
    crate::roundtrip::assert_same(&whole, &narrowed.schema, "narrowed as whole");
    (whole, statements_run(&lines), statements_run(&whole_lines))
}

/// The number in the progress line `running N statements of the desired schema`.
fn statements_run(lines: &[String]) -> usize {
    lines
        .iter()
        .find_map(|line| line.strip_prefix("running "))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no statements announced in {lines:?}"))
}

/// The scratch database a progress line says was dropped.
fn dropped_name(lines: &[String]) -> String {
    lines
        .iter()
        .find_map(|line| line.strip_prefix("dropped scratch database "))
        .unwrap_or_else(|| panic!("no scratch database dropped in {lines:?}"))
        .to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_scratch_database_made_ahead_and_never_used_is_dropped() {
    let ready = pgphase::shadow::prepare(&admin_shadow(), None)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut lines = Vec::new();
    ready
        .release(&mut |line| lines.push(line.to_owned()))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let name = dropped_name(&lines);
    assert!(name.starts_with("pgphase_shadow_"), "{name}");
    assert!(!database_exists(&name).await);
}

/// A planned database, a desired file holding `desired` (in the folder returned with it) and
/// the sources that read both, the shadow on the admin server.
async fn sources_of(desired: &str) -> (TestDb, tempfile::TempDir, pgphase::session::Sources) {
    let planned = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("desired.yaml");
    std::fs::write(&file, desired).unwrap();
    let sources = pgphase::session::Sources {
        connect: planned.connect_options(),
        introspect: pgphase::source::postgres::IntrospectOptions::default(),
        desired: file,
        shadow: admin_shadow(),
        count: None,
    };
    (planned, dir, sources)
}

/// The shadow gets ready while both sides are read: when the reading fails, the scratch
/// database it made is dropped all the same, and the reading's mistake is the one reported.
#[tokio::test(flavor = "multi_thread")]
async fn a_desired_file_with_a_mistake_leaves_no_scratch_database_behind() {
    use pgphase::session::{Progress, Session, SessionError};
    let (_planned, _dir, sources) =
        sources_of("pgphase: 1\nschemas:\n  public:\n    tablez: {}\n").await;
    let mut lines = Vec::new();
    let result = Session::open(&sources, &mut |progress| {
        if let Progress::Canonicalising(line) = progress {
            lines.push(line);
        }
    })
    .await;
    let Err(SessionError::Desired(error)) = result else {
        panic!("expected the file's mistake, got {result:?}");
    };
    assert_eq!((error.line, error.column), (4, 5), "{error}");
    assert!(!database_exists(&dropped_name(&lines)).await);
}

/// `plan` keeps the shadow until its files are written: the scratch database it filled is
/// still there while the session is held, and gone once the shadow is released.
#[tokio::test(flavor = "multi_thread")]
async fn a_kept_shadow_keeps_its_scratch_database_until_it_is_released() {
    use pgphase::session::{Progress, Session};
    let added = "pgphase: 1\nschemas:\n  public:\n    tables:\n      added:\n        columns:\n          id: bigint\n";
    let (_planned, _dir, sources) = sources_of(added).await;
    let mut lines = Vec::new();
    let (session, shadow) = Session::open_keeping_shadow(&sources, &mut |progress| {
        if let Progress::Canonicalising(line) = progress {
            lines.push(line);
        }
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(!session.changes.is_empty());
    let used = scratch_name(&lines);
    assert!(database_exists(&used).await, "{used} was dropped too early");
    let shadow = shadow.unwrap_or_else(|| panic!("the shadow was not kept"));
    shadow
        .release(&mut |_| {})
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!database_exists(&used).await, "{used} is left behind");
}
