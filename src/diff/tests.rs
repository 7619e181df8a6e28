#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::order::ORDER;
use super::*;
use crate::diff::change::{
    AddEnumValue, AddForeignKey, ChangeColumnType, RecreateView, RenameColumn, RenameEnumValue,
    RenameTable, ReplaceEnum, Unsupported,
};
use crate::rules::test_support::schema;
use crate::schema::ViewDependency;

/// Each change as one line: its kind and object, and what tells apart changes of one kind.
fn line(change: &Change) -> String {
    let extra = match change {
        Change::AddEnumValue(AddEnumValue { value, before, .. }) => {
            format!(" {value} before {before:?}")
        }
        Change::RenameEnumValue(RenameEnumValue { from, to, .. }) => format!(" {from}->{to}"),
        Change::ReplaceEnum(ReplaceEnum { columns, .. })
        | Change::RecreateView(RecreateView { columns, .. }) => {
            let columns: Vec<String> = columns.iter().map(|(t, c)| format!("{t}.{c}")).collect();
            format!(" [{}]", columns.join(", "))
        }
        Change::RenameColumn(RenameColumn { from, hinted, .. }) => {
            format!(" from {} hinted={hinted}", from.name)
        }
        Change::RenameTable(RenameTable { from, hinted, .. }) => {
            format!(" from {from} hinted={hinted}")
        }
        Change::AddForeignKey(AddForeignKey { new_table, .. }) => format!(" new_table={new_table}"),
        Change::ChangeColumnType(ChangeColumnType { from, to, .. }) => {
            format!(" {} {} -> {}", from.name, from.data_type, to.data_type)
        }
        Change::Unsupported(Unsupported { detail, .. }) => format!(": {detail}"),
        _ => String::new(),
    };
    format!("{} {}{extra}", change.kind(), change.object())
}

fn lines(live: &str, desired: &str, stats: &Stats) -> Vec<String> {
    diff(&schema(live), &schema(desired), stats)
        .iter()
        .map(line)
        .collect()
}

/// A table `public.t` with the given column lines.
fn table(columns: &str) -> String {
    format!("schemas:\n  public:\n    tables:\n      t:\n        columns:\n{columns}")
}

/// Statistics saying that `view` reads `columns` of `table`.
fn reads(mut stats: Stats, view: &str, table: &str, columns: &[&str]) -> Stats {
    let split = |name: &str| {
        let (s, n) = name.split_once('.').unwrap();
        TableRef::new(s, n)
    };
    stats
        .view_dependencies
        .entry(split(table))
        .or_default()
        .push(ViewDependency {
            view: split(view),
            materialized: false,
            columns: columns.iter().map(|c| (*c).to_owned()).collect(),
        });
    stats
}

const RICH: &str = "
extensions: [pgcrypto]
schemas:
  public:
    comment: the main schema
    enums:
      status: [new, done]
    domains:
      positive: { type: integer, checks: [{ name: positive_check, expression: VALUE > 0 }] }
    sequences:
      counter: { start: 5 }
    functions:
      touch(): \"CREATE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$\"
    tables:
      users:
        comment: people
        columns:
          id: { type: bigint, identity: always }
          email: { type: text, nullable: false, comment: where to write }
          state: { type: status, default: \"'new'::public.status\" }
        primary_key: [id]
        unique: [{ columns: [email] }]
        checks: [{ name: email_at, expression: \"email ~ '@'\" }]
        indexes: [{ name: users_state_idx, columns: [state] }]
        triggers:
          users_touch: CREATE TRIGGER users_touch BEFORE UPDATE ON public.users FOR EACH ROW EXECUTE FUNCTION public.touch()
      orders:
        columns:
          id: bigint
          user_id: bigint
        primary_key: [id]
        foreign_keys: [{ columns: [user_id], references: { table: users, columns: [id] } }]
    views:
      emails: SELECT id, email FROM public.users
";

#[test]
fn identical_schemas_have_no_changes() {
    assert_eq!(lines(RICH, RICH, &Stats::default()), Vec::<String>::new());
    assert!(!differs(&schema(RICH), &schema(RICH)));
}

#[test]
fn the_same_inputs_give_the_same_changes() {
    let live = schema(RICH);
    let desired = schema(
        "schemas:\n  public:\n    tables:\n      a: { columns: { x: text } }\n      b: { columns: { y: text } }",
    );
    let first = diff(&live, &desired, &Stats::default());
    assert!(first.len() > 10, "{first:?}");
    for _ in 0..5 {
        assert_eq!(diff(&live, &desired, &Stats::default()), first);
    }
    assert!(differs(&live, &desired));
}

#[test]
fn column_changes() {
    let cases: &[(&str, &str, &str, &[&str])] = &[
        (
            "added and dropped columns of different types are not renames",
            "          a: text\n",
            "          b: integer\n",
            &["drop-column public.t.a", "add-column public.t.b"],
        ),
        (
            "column order is ignored",
            "          a: text\n          b: integer\n",
            "          b: integer\n          a: text\n",
            &[],
        ),
        (
            "type, nullability and default",
            "          a: text\n          b: { type: integer, nullable: false, default: '1' }\n",
            "          a: { type: varchar(5), nullable: false, default: \"'x'\" }\n          b: integer\n",
            &[
                "drop-default public.t.b",
                "change-column-type public.t.a a text -> character varying(5)",
                "set-default public.t.a",
                "drop-not-null public.t.b",
                "set-not-null public.t.a",
            ],
        ),
        (
            "a dropped and an added column of the same type are a rename candidate",
            "          id: integer\n          old: text\n",
            "          id: integer\n          new: text\n",
            &["rename-column public.t.new from old hinted=false"],
        ),
        (
            "a hint renames, and further differences are diffed against the renamed column",
            "          a: text\n          b: text\n",
            "          a: text\n          c: { type: integer, renamed_from: b, nullable: false }\n",
            &[
                "rename-column public.t.c from b hinted=true",
                "change-column-type public.t.c c text -> integer",
                "set-not-null public.t.c",
            ],
        ),
        (
            "each dropped column pairs at most once, hints first, then by name",
            "          x: text\n          y: text\n",
            "          a: text\n          b: text\n          c: { type: text, renamed_from: y }\n",
            &[
                "rename-column public.t.a from x hinted=false",
                "rename-column public.t.c from y hinted=true",
                "add-column public.t.b",
            ],
        ),
        (
            "identity and generated columns are not planned",
            "          a: bigint\n          b: integer\n",
            "          a: { type: bigint, identity: by_default }\n          b: { type: integer, generated: 'a * 2' }\n",
            &[
                "unsupported public.t.a: identity changes from none to `by_default`; changing identity is not planned",
                "unsupported public.t.b: generated expression changes from none to `a * 2`; changing a generated column is not planned",
            ],
        ),
    ];
    for (what, live, desired, expected) in cases {
        let found = lines(&table(live), &table(desired), &Stats::default());
        assert_eq!(found, *expected, "{what}");
    }
}

#[test]
fn table_changes() {
    let tables = |body: &str| format!("schemas:\n  public:\n    tables:\n{body}");
    let cases: &[(&str, &str, &str, &[&str])] = &[
        (
            "a dropped and an added table with the same columns are a rename candidate",
            "      old: { columns: { id: integer, name: text } }\n",
            "      new: { columns: { name: text, id: integer } }\n",
            &["rename-table public.new from public.old hinted=false"],
        ),
        (
            "a hinted rename, then what else differs, under the new name",
            "      old: { columns: { id: integer } }\n",
            "      new: { renamed_from: old, columns: { id: integer, extra: text } }\n",
            &[
                "rename-table public.new from public.old hinted=true",
                "add-column public.new.extra",
            ],
        ),
        (
            "new tables come without their foreign keys, added after every create",
            "",
            "      b: { columns: { id: integer, a_id: integer }, primary_key: [id], foreign_keys: [{ columns: [a_id], references: { table: a, columns: [id] } }] }\n      a: { columns: { id: integer, b_id: integer }, primary_key: [id], foreign_keys: [{ columns: [b_id], references: { table: b, columns: [id] } }] }\n",
            &[
                "create-table public.a",
                "create-table public.b",
                "add-foreign-key public.a.a_b_id_fkey new_table=true",
                "add-foreign-key public.b.b_a_id_fkey new_table=true",
            ],
        ),
        (
            "changed constraints are dropped and added, changed indexes changed",
            "      t: { columns: { a: integer }, checks: [{ name: c, expression: a > 0 }], indexes: [{ name: i, columns: [a] }] }\n",
            "      t: { columns: { a: integer }, checks: [{ name: c, expression: a > 1 }], indexes: [{ name: i, columns: [a], unique: true }] }\n",
            &[
                "drop-constraint public.t.c",
                "change-index public.i",
                "add-check public.t.c",
            ],
        ),
        (
            "a column rename alone changes no key or index on it",
            "      t: { columns: { a: integer }, primary_key: { name: t_pkey, columns: [a] }, indexes: [{ name: i, columns: [a] }] }\n",
            "      t: { columns: { b: { type: integer, renamed_from: a } }, primary_key: { name: t_pkey, columns: [b] }, indexes: [{ name: i, columns: [b] }] }\n",
            &["rename-column public.t.b from a hinted=true"],
        ),
        (
            "storage and row-level security flags are not planned",
            "      t: { columns: { a: integer } }\n",
            "      t: { unlogged: true, columns: { a: integer }, row_security: { enabled: true } }\n",
            &[
                "unsupported public.t: changes from logged to unlogged; SET LOGGED / SET UNLOGGED is not planned",
                "unsupported public.t: row-level security changes from disabled to enabled; enabling or forcing it is not planned",
            ],
        ),
    ];
    for (what, live, desired, expected) in cases {
        let found = lines(&tables(live), &tables(desired), &Stats::default());
        assert_eq!(found, *expected, "{what}");
    }
}

#[test]
fn enum_changes() {
    let with = |labels: &str| {
        format!(
            "schemas:\n  public:\n    enums:\n      mood: [{labels}]\n    tables:\n      t: {{ columns: {{ m: mood, ms: 'mood[]', other: text }} }}\n"
        )
    };
    let cases: &[(&str, &str, &str, &[&str])] = &[
        (
            "appended and inserted labels, each before the next existing one",
            "sad, happy",
            "meh, sad, ok, fine, happy, great",
            &[
                "add-enum-value public.mood meh before Some(\"sad\")",
                "add-enum-value public.mood ok before Some(\"happy\")",
                "add-enum-value public.mood fine before Some(\"happy\")",
                "add-enum-value public.mood great before None",
            ],
        ),
        (
            "one label different in place is a rename",
            "sad, happy",
            "sad, glad",
            &["rename-enum-value public.mood happy->glad"],
        ),
        (
            "a removed label replaces the type, with every column using it",
            "sad, ok, happy",
            "sad, happy",
            &["replace-enum public.mood [public.t.m, public.t.ms]"],
        ),
        (
            "reordered labels replace the type",
            "sad, happy",
            "happy, sad",
            &["replace-enum public.mood [public.t.m, public.t.ms]"],
        ),
    ];
    for (what, live, desired, expected) in cases {
        let found = lines(&with(live), &with(desired), &Stats::default());
        assert_eq!(found, *expected, "{what}");
    }
}

#[test]
fn changed_domains_composites_and_operators_are_unsupported() {
    let live = "schemas:\n  public:\n    domains:\n      d: { type: integer }\n    composite_types:\n      c: { attributes: { x: integer } }\n";
    let desired = "schemas:\n  public:\n    domains:\n      d: { type: bigint, nullable: false }\n    composite_types:\n      c: { attributes: { x: integer, y: text } }\n";
    assert_eq!(
        lines(live, desired, &Stats::default()),
        [
            "unsupported domain public.d: base type, NOT NULL change; altering a domain is not planned",
            "unsupported type public.c: composite attributes change from (x integer) to (x integer, y text); altering a composite type is not planned",
        ]
    );
}

const VIEWS_LIVE: &str = "
schemas:
  public:
    tables:
      t: { columns: { a: integer, b: text, c: integer } }
    views:
      v1: SELECT a, b FROM public.t
      v2: SELECT a FROM public.v1
      v3: SELECT c FROM public.t
";

#[test]
fn views_over_changed_columns_are_recreated_or_dropped_first() {
    let stats = reads(Stats::default(), "public.v1", "public.t", &["a", "b"]);
    let stats = reads(stats, "public.v2", "public.v1", &["a"]);
    let stats = reads(stats, "public.v3", "public.t", &["c"]);
    let desired = "
schemas:
  public:
    tables:
      t: { columns: { a: bigint, c: integer } }
    views:
      v1: SELECT a FROM public.t
      v3: SELECT c, 1 AS one FROM public.t
";
    assert_eq!(
        lines(VIEWS_LIVE, desired, &stats),
        [
            "drop-view public.v2",
            "drop-column public.t.b",
            "change-column-type public.t.a a integer -> bigint",
            "recreate-view public.v1 [public.t.a, public.t.b]",
            "replace-view public.v3",
        ]
    );
}

#[test]
fn views_are_created_after_the_views_they_read_and_dropped_before() {
    let only_table = "schemas:\n  public:\n    tables:\n      t: { columns: { a: integer, b: text, c: integer } }\n";
    let live = VIEWS_LIVE
        .replace("v1:", "z1:")
        .replace("public.v1", "public.z1");
    assert_eq!(
        lines(only_table, &live, &Stats::default()),
        [
            "create-view public.v3",
            "create-view public.z1",
            "create-view public.v2",
        ]
    );
    assert_eq!(
        lines(&live, only_table, &Stats::default()),
        [
            "drop-view public.v2",
            "drop-view public.z1",
            "drop-view public.v3",
        ]
    );
}

#[test]
fn drops_run_dependents_first_and_used_objects_last() {
    let kept = "schemas:\n  public:\n    tables:\n      orders: { columns: { id: bigint, user_id: bigint }, primary_key: [id] }\n";
    assert_eq!(
        lines(RICH, kept, &Stats::default()),
        [
            "drop-view public.emails",
            "drop-constraint public.orders.orders_user_id_fkey",
            "drop-table public.users",
            "set-comment comment on public",
            "drop-function public.touch()",
            "drop-sequence public.counter",
            "drop-type public.positive",
            "drop-type public.status",
            "drop-extension extension pgcrypto",
        ]
    );
}

#[test]
fn creates_run_in_dependency_order() {
    let empty = "schemas:\n  public: {}\n";
    let found = lines(empty, RICH, &Stats::default());
    assert_eq!(
        found,
        [
            "create-extension extension pgcrypto",
            "create-type public.status",
            "create-type public.positive",
            "create-sequence public.counter",
            "create-function public.touch()",
            "create-table public.orders",
            "create-table public.users",
            "add-foreign-key public.orders.orders_user_id_fkey new_table=true",
            "create-view public.emails",
            "set-comment comment on public",
        ]
    );
}

#[test]
fn the_order_names_every_kind_once() {
    let mut slots: Vec<&str> = ORDER
        .iter()
        .flat_map(|group| group.iter().copied())
        .collect();
    let count = slots.len();
    slots.sort_unstable();
    slots.dedup();
    assert_eq!(slots.len(), count, "a kind is listed twice");
    // Every kind of `Change::kind`, plus dropped foreign keys told apart.
    assert_eq!(count, 47 + 1);
}

#[test]
fn objects_compared_by_name_or_whole() {
    let public = |body: &str| format!("schemas:\n  public:\n{body}");
    let cases: &[(&str, &str, &str, &[&str])] = &[
        (
            "a changed function is replaced, a changed sequence altered",
            "    sequences: { s: { start: 1 } }\n    functions: { f(): CREATE FUNCTION public.f() RETURNS integer LANGUAGE sql AS 'SELECT 1' }\n",
            "    sequences: { s: { start: 2 } }\n    functions: { f(): CREATE FUNCTION public.f() RETURNS integer LANGUAGE sql AS 'SELECT 2' }\n",
            &["alter-sequence public.s", "replace-function public.f()"],
        ),
        (
            "triggers are replaced, policies dropped and created again",
            "    tables:\n      t:\n        columns: { a: integer }\n        triggers: { tr: CREATE TRIGGER tr AFTER INSERT ON public.t FOR EACH ROW EXECUTE FUNCTION public.f() }\n        row_security: { enabled: true, policies: { p: { using: a > 0 } } }\n",
            "    tables:\n      t:\n        columns: { a: integer }\n        triggers: { tr: { definition: CREATE TRIGGER tr AFTER INSERT ON public.t FOR EACH ROW EXECUTE FUNCTION public.f(), enabled: false } }\n        row_security: { enabled: true, policies: { p: { using: a > 1 } } }\n",
            &[
                "drop-policy public.t.p",
                "replace-trigger public.t.tr",
                "create-policy public.t.p",
            ],
        ),
        (
            "comments on objects that stay",
            "    tables:\n      t: { columns: { a: integer }, indexes: [{ name: i, columns: [a] }] }\n",
            "    comment: s\n    tables:\n      t: { comment: t, columns: { a: { type: integer, comment: a } }, indexes: [{ name: i, columns: [a], comment: i }] }\n",
            &[
                "set-comment comment on public",
                "set-comment comment on public.t",
                "set-comment comment on public.t.a",
                "set-comment comment on public.i",
            ],
        ),
        (
            "a materialized view's indexes are compared like a table's",
            "    tables: { t: { columns: { a: integer } } }\n    views:\n      m: { definition: SELECT a FROM public.t, materialized: true, indexes: [{ name: m_a, columns: [a] }] }\n",
            "    tables: { t: { columns: { a: integer } } }\n    views:\n      m: { definition: SELECT a FROM public.t, materialized: true, indexes: [{ name: m_b, columns: [a] }] }\n",
            &["drop-index public.m_a", "add-index public.m_b"],
        ),
        (
            "a changed exclusion and a constraint differing only in validation are not planned",
            "    tables:\n      t:\n        columns: { a: integer, b: integer }\n        checks: [{ name: c, expression: a > 0, valid: false }]\n        exclusions: [{ name: x, definition: EXCLUDE USING btree (a WITH =) }]\n",
            "    tables:\n      t:\n        columns: { a: integer, b: integer }\n        checks: [{ name: c, expression: a > 0 }]\n        exclusions: [{ name: x, definition: EXCLUDE USING btree (b WITH =) }]\n",
            &[
                "unsupported public.t.c: is NOT VALID in the live database; validating it alone (VALIDATE CONSTRAINT) is not planned",
                "unsupported public.t.x: exclusion constraint changes from `EXCLUDE USING btree (a WITH =)` to `EXCLUDE USING btree (b WITH =)`; changing one is not planned",
            ],
        ),
        (
            "partitioning is not planned",
            "    tables:\n      t: { columns: { d: date } }\n",
            "    tables:\n      t: { columns: { d: date }, partition_by: RANGE (d) }\n",
            &[
                "unsupported public.t: partition key changes from none to `RANGE (d)`; a table cannot be re-partitioned in place",
            ],
        ),
    ];
    for (what, live, desired, expected) in cases {
        let found = lines(&public(live), &public(desired), &Stats::default());
        assert_eq!(found, *expected, "{what}");
    }
}

#[test]
fn a_table_rename_carries_the_foreign_keys_that_reference_it() {
    let live = "schemas:\n  public:\n    tables:\n      a: { columns: { id: integer }, primary_key: { name: pk, columns: [id] } }\n      b: { columns: { a_id: integer }, foreign_keys: [{ name: fk, columns: [a_id], references: { table: a, columns: [id] } }] }\n";
    let desired = "schemas:\n  public:\n    tables:\n      z: { renamed_from: a, columns: { key: { type: integer, renamed_from: id } }, primary_key: { name: pk, columns: [key] } }\n      b: { columns: { a_id: integer }, foreign_keys: [{ name: fk, columns: [a_id], references: { table: z, columns: [key] } }] }\n";
    assert_eq!(
        lines(live, desired, &Stats::default()),
        [
            "rename-table public.z from public.a hinted=true",
            "rename-column public.z.key from id hinted=true",
        ]
    );
}

#[test]
fn a_new_primary_key_makes_its_columns_not_null_itself() {
    let live = table("          id: bigint\n          note: text\n");
    let desired = format!(
        "{}        primary_key: [id]\n",
        table(
            "          id: { type: bigint, nullable: false }\n          note: { type: text, nullable: false }\n"
        )
    );
    assert_eq!(
        lines(&live, &desired, &Stats::default()),
        vec![
            "set-not-null public.t.note",
            "add-primary-key public.t.t_pkey"
        ]
    );
}

#[test]
fn a_sequence_owned_by_a_dropped_table_goes_with_it() {
    let live = "schemas:\n  public:\n    sequences:\n      notes_id_seq: { owned_by: notes.id }\n      loose: { start: 1 }\n    tables:\n      notes:\n        columns: { id: integer }\n";
    assert_eq!(
        lines(live, "schemas:\n  public: {}\n", &Stats::default()),
        ["drop-table public.notes", "drop-sequence public.loose"]
    );
}
