//! Default names: the loader names unnamed constraints and indexes exactly as PostgreSQL does.
//! The same objects are created without names in a real database and described in a file
//! without names; the names the server chose must be the names the loader filled in.
//! (Objects are created in the loader's order, which only matters where names collide.)

use std::collections::BTreeSet;

use pgphase::schema::Schema;
use pgphase::source::yaml::{parse, write};

use crate::common::TestDb;

const SQL: &str = r#"
CREATE SCHEMA s2;
CREATE DOMAIN s2.posint AS integer CHECK (VALUE > 0) CHECK (VALUE < 100);
CREATE TYPE s2.c_x_idx AS (q integer);

CREATE TABLE s2.c (x integer, y integer, PRIMARY KEY (x, y));
CREATE INDEX ON s2.c (x);
CREATE INDEX ON s2.c (x);

CREATE TABLE s2.ck (a text, b integer, "Mixed" integer,
  CHECK ((a)::integer > 0), CHECK (length(a) > b), CHECK (a <> 'x'::text), CHECK ("Mixed" > 0));

CREATE TABLE s2.ix (a text, d timestamptz, j jsonb, n integer);
CREATE INDEX ON s2.ix ((a::integer));
CREATE INDEX ON s2.ix (COALESCE(a, 'x'));
CREATE INDEX ON s2.ix ((j ->> 'k'));
CREATE INDEX ON s2.ix (date_trunc('day', d AT TIME ZONE 'UTC'));
CREATE INDEX ON s2.ix ((a || 'x'));
CREATE INDEX ON s2.ix ((CASE WHEN a IS NULL THEN 1 ELSE length(a) END));
CREATE INDEX ON s2.ix (lower(a), upper(a), lower(a));
CREATE INDEX ON s2.ix (n, n) INCLUDE (a);
CREATE INDEX ON s2.ix ((n + 1), (n + 2));

CREATE TABLE s2.p (id integer PRIMARY KEY);
CREATE TABLE s2.r (id integer, p integer, q integer UNIQUE, UNIQUE (id) INCLUDE (p));
ALTER TABLE s2.r ADD FOREIGN KEY (p) REFERENCES s2.p (id);
ALTER TABLE s2.r ADD FOREIGN KEY (p) REFERENCES s2.p (id);

CREATE TABLE public.t (a_b integer UNIQUE);
CREATE TABLE public.t_a (b integer UNIQUE);
CREATE TABLE public."ééééééééééééééééééééééééééééééé" (
  "ööööööööööööööööööö" integer PRIMARY KEY, "üüüüüüüüüüüüüüüüüüüüüüüüü" integer UNIQUE);
CREATE INDEX ON public."ééééééééééééééééééééééééééééééé" ("ööööööööööööööööööö");
CREATE INDEX ON public."ééééééééééééééééééééééééééééééé" ("ööööööööööööööööööö");
CREATE INDEX ON public."ééééééééééééééééééééééééééééééé" ("ööööööööööööööööööö");
CREATE TABLE public."LongTableNameXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX" (
  colaaaaaaaaaaaaaaaaaaaaaaaaa integer, colbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb integer,
  UNIQUE (colaaaaaaaaaaaaaaaaaaaaaaaaa, colbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb));
CREATE TABLE public."€€€€€€€€€€€€€€€€€€€€€" ("€€€€€€€€€€€€€€€€€€€€€" integer UNIQUE, "Select" integer CHECK ("Select" > 0));
CREATE INDEX ON public."€€€€€€€€€€€€€€€€€€€€€" ("€€€€€€€€€€€€€€€€€€€€€", "Select");
CREATE MATERIALIZED VIEW public.mv AS SELECT 1 AS k;
CREATE INDEX ON public.mv (k);
"#;

const YAML: &str = r#"
pgphase: 1
schemas:
  s2:
    domains:
      posint: { type: integer, checks: [{ expression: VALUE > 0 }, { expression: VALUE < 100 }] }
    composite_types:
      c_x_idx: { attributes: { q: integer } }
    tables:
      c:
        columns: { x: integer, y: integer }
        primary_key: [x, y]
        indexes: [{ columns: [x] }, { columns: [x] }]
      ck:
        columns: { a: text, b: integer, Mixed: integer }
        checks:
          - expression: "(a)::integer > 0"
          - expression: length(a) > b
          - expression: "a <> 'x'::text"
          - expression: '"Mixed" > 0'
      ix:
        columns: { a: text, d: timestamptz, j: jsonb, n: integer }
        indexes:
          - expression: "(a)::integer"
          - expression: "COALESCE(a, 'x'::text)"
          - expression: "(j ->> 'k'::text)"
          - expression: "date_trunc('day'::text, (d AT TIME ZONE 'UTC'::text))"
          - expression: "(a || 'x'::text)"
          - expression: "CASE WHEN (a IS NULL) THEN 1 ELSE length(a) END"
          - keys: [{ expression: lower(a) }, { expression: upper(a) }, { expression: lower(a) }]
          - { columns: [n, n], include: [a] }
          - keys: [{ expression: (n + 1) }, { expression: (n + 2) }]
      p:
        columns: { id: integer }
        primary_key: [id]
      r:
        columns: { id: integer, p: integer, q: integer }
        unique: [{ columns: [q] }, { columns: [id], include: [p] }]
        foreign_keys:
          - { columns: [p], references: { table: p, columns: [id] } }
          - { columns: [p], references: { table: p, columns: [id] } }
  public:
    tables:
      t:
        columns: { a_b: integer }
        unique: [{ columns: [a_b] }]
      t_a:
        columns: { b: integer }
        unique: [{ columns: [b] }]
      ééééééééééééééééééééééééééééééé:
        columns: { ööööööööööööööööööö: integer, üüüüüüüüüüüüüüüüüüüüüüüüü: integer }
        primary_key: [ööööööööööööööööööö]
        unique: [{ columns: [üüüüüüüüüüüüüüüüüüüüüüüüü] }]
        indexes: [{ columns: [ööööööööööööööööööö] }, { columns: [ööööööööööööööööööö] }, { columns: [ööööööööööööööööööö] }]
      LongTableNameXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX:
        columns: { colaaaaaaaaaaaaaaaaaaaaaaaaa: integer, colbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb: integer }
        unique: [{ columns: [colaaaaaaaaaaaaaaaaaaaaaaaaa, colbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb] }]
      €€€€€€€€€€€€€€€€€€€€€:
        columns: { €€€€€€€€€€€€€€€€€€€€€: integer, Select: integer }
        unique: [{ columns: [€€€€€€€€€€€€€€€€€€€€€] }]
        checks: [{ expression: '"Select" > 0' }]
        indexes: [{ columns: [€€€€€€€€€€€€€€€€€€€€€, Select] }]
    views:
      mv: { definition: SELECT 1 AS k, materialized: true, indexes: [{ columns: [k] }] }
"#;

/// (schema, table or domain, `constraint` or `index`, name) for every constraint and every
/// index that no constraint owns.
const CATALOG_NAMES: &str = "
SELECT n.nspname, COALESCE(c.relname, t.typname), 'constraint', con.conname
  FROM pg_constraint con
  JOIN pg_namespace n ON n.oid = con.connamespace
  LEFT JOIN pg_class c ON c.oid = con.conrelid
  LEFT JOIN pg_type t ON t.oid = con.contypid
 WHERE n.nspname IN ('public', 's2')
UNION ALL
SELECT n.nspname, t.relname, 'index', i.relname
  FROM pg_index x
  JOIN pg_class i ON i.oid = x.indexrelid
  JOIN pg_class t ON t.oid = x.indrelid
  JOIN pg_namespace n ON n.oid = t.relnamespace
 WHERE n.nspname IN ('public', 's2')
   AND NOT EXISTS (SELECT FROM pg_constraint k
                    WHERE k.conindid = x.indexrelid AND k.conrelid = x.indrelid AND k.contype IN ('p', 'u', 'x'))";

type Named = BTreeSet<(String, String, String, String)>;

fn model_names(schema: &Schema) -> Named {
    let mut names = Named::new();
    let mut add = |schema: &str, owner: &str, kind: &str, name: &str| {
        names.insert((
            schema.to_owned(),
            owner.to_owned(),
            kind.to_owned(),
            name.to_owned(),
        ));
    };
    for (schema_name, ns) in &schema.namespaces {
        for (domain_name, domain) in &ns.domains {
            domain
                .checks
                .iter()
                .for_each(|c| add(schema_name, domain_name, "constraint", &c.name));
        }
        for (table_name, table) in &ns.tables {
            let constraint = |name: &str| {
                (
                    schema_name.as_str(),
                    table_name.as_str(),
                    "constraint",
                    name.to_owned(),
                )
            };
            let mut listed: Vec<(&str, &str, &str, String)> = Vec::new();
            listed.extend(table.primary_key.iter().map(|p| constraint(&p.name)));
            listed.extend(table.unique.iter().map(|u| constraint(&u.name)));
            listed.extend(table.foreign_keys.iter().map(|f| constraint(&f.name)));
            listed.extend(table.checks.iter().map(|c| constraint(&c.name)));
            listed.extend(table.indexes.iter().map(|i| {
                (
                    schema_name.as_str(),
                    table_name.as_str(),
                    "index",
                    i.name.to_string(),
                )
            }));
            for (s, o, k, n) in listed {
                add(s, o, k, &n);
            }
        }
        for (view_name, view) in &ns.views {
            view.indexes
                .iter()
                .for_each(|i| add(schema_name, view_name, "index", &i.name));
        }
    }
    names
}

#[tokio::test(flavor = "multi_thread")]
async fn unnamed_objects_get_the_names_postgres_gives_them() {
    let db = TestDb::new().await;
    db.execute(SQL).await;
    let rows = db.client.query(CATALOG_NAMES, &[]).await.unwrap();
    let actual: Named = rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get::<_, String>(2), r.get(3)))
        .collect();
    let desired = parse(YAML, "names.yaml").unwrap_or_else(|e| panic!("{e}"));
    let expected = model_names(&desired.schema);
    let only_in_db: Vec<_> = actual.difference(&expected).collect();
    let only_in_file: Vec<_> = expected.difference(&actual).collect();
    assert!(
        only_in_db.is_empty() && only_in_file.is_empty(),
        "names differ\nPostgreSQL only: {only_in_db:#?}\nloader only: {only_in_file:#?}"
    );
    assert!(
        actual.len() >= 35,
        "the scenario should name many objects, got {}",
        actual.len()
    );
    // Every name here is PostgreSQL's default, so a snapshot of this database names nothing.
    let written = write(&desired.schema);
    assert!(
        !written.contains("name:"),
        "default names should be left out:\n{written}"
    );
}
