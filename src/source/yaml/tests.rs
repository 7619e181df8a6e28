use super::*;
use crate::schema::model::*;
use crate::schema::names;

#[test]
fn globs_match_names() {
    assert!(glob_matches("audit_*", "audit_log"));
    assert!(glob_matches("*", ""));
    assert!(glob_matches("a?c", "abc"));
    assert!(!glob_matches("a?c", "abbc"));
    assert!(glob_matches("*_log_*", "x_log_y_log_z"));
    assert!(!glob_matches("audit_*", "audits"));
}

#[test]
fn ignore_patterns_may_name_a_schema() {
    let ignore = Ignore {
        tables: vec!["audit_*".into(), "billing.legacy_*".into()],
        schemas: vec!["tmp_*".into()],
    };
    assert!(ignore.ignores_table("public", "audit_log"));
    assert!(ignore.ignores_table("billing", "audit_log"));
    assert!(ignore.ignores_table("billing", "legacy_users"));
    assert!(!ignore.ignores_table("public", "legacy_users"));
    assert!(ignore.ignores_table("tmp_1", "anything"));
    assert!(!ignore.ignores_table("public", "users"));
}

fn parse_ok(text: &str) -> Desired {
    assert_both_readers_agree(text);
    parse(text, "test.yaml").unwrap_or_else(|e| panic!("{e}\n---\n{text}"))
}

/// A valid file is read by the streaming reader (unless it is one the reader leaves to
/// serde_norway), into what serde_norway reads from it.
fn assert_both_readers_agree(text: &str) {
    if !streamable(text) {
        return;
    }
    let streamed = read_streaming(text)
        .unwrap_or_else(|| panic!("the streaming reader rejected a valid file\n---\n{text}"));
    let loaded: raw::RawFile = serde_norway::from_str(text).expect("serde_norway reads it");
    assert_eq!(
        serde_json::to_value(&streamed).expect("as JSON"),
        serde_json::to_value(&loaded).expect("as JSON"),
        "the two readers read it differently\n---\n{text}"
    );
}

#[test]
fn every_valid_file_of_the_project_is_read_as_a_stream() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![root.join("assets/demo/desired.yaml")];
    for folder in ["tests/yaml/valid", "tests/golden"] {
        for entry in std::fs::read_dir(root.join(folder)).expect("the folder") {
            let path = entry.expect("an entry").path();
            files.push(if path.is_dir() {
                path.join("desired.yaml")
            } else {
                path
            });
        }
    }
    files.retain(|f| f.is_file());
    let texts: Vec<String> = files
        .iter()
        .map(|f| std::fs::read_to_string(f).expect("the file"))
        .collect();
    let streamed = texts.iter().filter(|text| streamable(text)).count();
    assert!(
        streamed > 50,
        "{streamed} of {} files streamable",
        texts.len()
    );
    for text in &texts {
        assert_both_readers_agree(text);
    }
}

fn round_trip(schema: &Schema) {
    let written = write(schema);
    assert_both_readers_agree(&written);
    let read = parse(&written, "written.yaml").unwrap_or_else(|e| panic!("{e}\n---\n{written}"));
    assert_eq!(
        &read.schema, schema,
        "read back differs from the model\n---\n{written}"
    );
    assert_eq!(write(&read.schema), written, "writing is not stable");
}

#[test]
fn loading_fills_defaults() {
    let desired = parse_ok(
        "pgphase: 1
extensions: [citext]
schemas:
  public:
    tables:
      users:
        columns:
          id: { type: int8, identity: always }
          email: { type: citext, nullable: false }
          name: varchar(255)
        primary_key: [id]
        unique: [{ columns: [email] }]
        indexes:
          - { keys: [{ column: name, order: desc }] }
",
    );
    let users = &desired.schema.namespaces["public"].tables["users"];
    assert_eq!(users.columns[0].data_type, "bigint");
    assert!(
        !users.columns[0].nullable,
        "a primary-key column is NOT NULL"
    );
    assert_eq!(users.columns[1].data_type, "public.citext");
    assert_eq!(users.columns[2].data_type, "character varying(255)");
    assert!(users.columns[2].nullable);
    assert_eq!(
        users.primary_key.as_ref().map(|p| p.name.as_str()),
        Some("users_pkey")
    );
    assert_eq!(users.unique[0].name, "users_email_key");
    let index = &users.indexes[0];
    assert_eq!(index.name, "users_name_idx");
    assert_eq!(index.method, "btree");
    assert!(
        index.keys[0].descending && index.keys[0].nulls_first,
        "NULLS FIRST is the default for DESC"
    );
    assert_eq!(desired.schema.extensions["citext"].schema, "public");
}

#[test]
fn the_writer_leaves_out_defaults_and_default_names() {
    let desired = parse_ok(
        "pgphase: 1
schemas:
  public:
    tables:
      users:
        columns:
          id: bigint
          email: { type: text, nullable: true }
        primary_key: { name: users_pkey, columns: [id] }
        unique: [{ name: users_email_key, columns: [email], deferrable: false }]
        checks: [{ name: users_email_check, expression: \"email <> ''\", valid: true }]
        indexes:
          - { name: users_email_idx, columns: [email], method: btree, unique: false }
          - { name: custom_name, columns: [email] }
",
    );
    let written = write(&desired.schema);
    assert_eq!(
        written,
        "pgphase: 1
schemas:
  public:
    tables:
      users:
        columns:
          id: bigint
          email: text
        primary_key:
        - id
        unique:
        - columns:
          - email
        checks:
        - expression: email <> ''
        indexes:
        - name: custom_name
          columns:
          - email
        - columns:
          - email
"
    );
}

#[test]
fn types_are_written_relative_to_the_table_schema() {
    let desired = parse_ok(
        "pgphase: 1
extensions: [citext]
schemas:
  public:
    enums: { mood: [ok] }
  app:
    enums: { mood: [fine] }
    tables:
      t:
        columns:
          a: mood
          b: public.mood
          c: citext
          d: app.mood[]
",
    );
    let columns = &desired.schema.namespaces["app"].tables["t"].columns;
    let types: Vec<&str> = columns.iter().map(|c| c.data_type.as_str()).collect();
    assert_eq!(
        types,
        ["app.mood", "public.mood", "public.citext", "app.mood[]"]
    );
    let written = write(&desired.schema);
    assert!(written.contains("          a: mood\n          b: public.mood\n          c: public.citext\n          d: mood[]\n"), "{written}");
}

#[test]
fn table_references_split_on_a_schema_of_the_file() {
    let desired = parse_ok(
        "pgphase: 1
schemas:
  billing:
    tables:
      accounts: { columns: { id: bigint } }
  public:
    tables:
      billing.accounts: { columns: { id: bigint } }
      a: { columns: { x: bigint }, foreign_keys: [{ columns: [x], references: { table: billing.accounts, columns: [id] } }] }
      b: { columns: { x: bigint }, foreign_keys: [{ columns: [x], references: { table: public.billing.accounts, columns: [id] } }] }
",
    );
    let public = &desired.schema.namespaces["public"];
    assert_eq!(
        public.tables["a"].foreign_keys[0].references,
        TableRef::new("billing", "accounts")
    );
    assert_eq!(
        public.tables["b"].foreign_keys[0].references,
        TableRef::new("public", "billing.accounts")
    );
    round_trip(&desired.schema);
}

#[test]
fn a_rich_model_survives_writing_and_reading() {
    round_trip(&rich_model());
}

#[test]
fn an_empty_model_survives_writing_and_reading() {
    round_trip(&Schema::default());
    let mut schema = Schema::default();
    schema
        .namespaces
        .insert("public".into(), Namespace::default());
    round_trip(&schema);
}

#[test]
fn written_names_are_left_out_only_when_they_are_the_default() {
    let schema = rich_model();
    let written = write(&schema);
    let long = "l".repeat(63);
    // The 63-byte table's primary key is `lll…_pkey` cut to fit: its default, so left out.
    let pk_default = names::make_object_name(&long, None, "pkey");
    assert_eq!(
        schema.namespaces["public"].tables[&long]
            .primary_key
            .as_ref()
            .map(|p| p.name.to_string()),
        Some(pk_default.clone())
    );
    assert!(!written.contains(&pk_default), "{written}");
    assert!(
        written.contains("name: Order Items_weird_name"),
        "{written}"
    );
}

/// A model using every feature, with names that need quoting, are reserved words, are not
/// ASCII, or are 63 bytes long.
fn rich_model() -> Schema {
    let mut schema = Schema::default();
    schema.extensions.insert(
        "citext".into(),
        Extension {
            schema: "public".into(),
        },
    );
    schema.extensions.insert(
        "hstore".into(),
        Extension {
            schema: "ext".into(),
        },
    );
    schema.namespaces.insert("ext".into(), Namespace::default());
    schema.namespaces.insert("Billing Dept".into(), billing());
    schema.namespaces.insert("public".into(), public());
    schema
}

fn billing() -> Namespace {
    let mut ns = Namespace {
        comment: Some("Money\nin two lines".into()),
        ..Namespace::default()
    };
    ns.enums.insert(
        "Currency".into(),
        Enum {
            labels: vec!["eur".into(), "US Dollar".into(), "ÿen".into()],
            comment: None,
        },
    );
    let accounts = Table {
        columns: vec![
            not_null("id", "bigint"),
            Column::new("currency", "\"Billing Dept\".\"Currency\""),
        ],
        primary_key: Some(PrimaryKey {
            name: "accounts_pkey".into(),
            columns: vec!["id".into()],
            include: vec![],
            deferral: Deferral::NotDeferrable,
        }),
        ..Table::default()
    };
    ns.tables.insert("accounts".into(), accounts);
    ns
}

fn not_null(name: &str, data_type: &str) -> Column {
    Column {
        nullable: false,
        ..Column::new(name, data_type)
    }
}

fn index(name: &str, keys: Vec<IndexKey>) -> Index {
    Index {
        name: name.into(),
        unique: false,
        method: "btree".into(),
        keys,
        include: vec![],
        predicate: None,
        nulls_not_distinct: false,
        with: vec![],
        comment: None,
    }
}

fn key(target: KeyTarget) -> IndexKey {
    IndexKey {
        target,
        opclass: None,
        collation: None,
        descending: false,
        nulls_first: false,
    }
}

#[allow(clippy::too_many_lines)] // one model with every feature reads best in one place
fn public() -> Namespace {
    let mut ns = Namespace::default();
    ns.enums.insert(
        "select".into(),
        Enum {
            labels: vec!["a".into()],
            comment: Some("reserved word".into()),
        },
    );
    ns.domains.insert(
        "posint".into(),
        Domain {
            data_type: "integer".into(),
            nullable: false,
            default: Some("1".into()),
            collation: None,
            checks: vec![
                Check {
                    name: "posint_check".into(),
                    expression: "VALUE > 0".into(),
                    no_inherit: false,
                    valid: true,
                },
                Check {
                    name: "posint_upper".into(),
                    expression: "VALUE < 10".into(),
                    no_inherit: false,
                    valid: false,
                },
            ],
            comment: None,
        },
    );
    ns.composite_types.insert(
        "pair".into(),
        CompositeType {
            attributes: vec![
                Attribute {
                    name: "a".into(),
                    data_type: "integer".into(),
                    collation: None,
                },
                Attribute {
                    name: "B".into(),
                    data_type: "text".into(),
                    collation: Some("\"C\"".into()),
                },
            ],
            comment: Some("a pair".into()),
        },
    );
    ns.sequences.insert(
        "down".into(),
        Sequence {
            data_type: "integer".into(),
            start: -1,
            increment: -1,
            min_value: i64::from(i32::MIN),
            max_value: -1,
            cache: 1,
            cycle: false,
            unlogged: false,
            owned_by: None,
            comment: None,
        },
    );
    ns.sequences.insert(
        "odd".into(),
        Sequence {
            data_type: "bigint".into(),
            start: 7,
            increment: 2,
            min_value: 5,
            max_value: 1000,
            cache: 10,
            cycle: true,
            unlogged: true,
            owned_by: Some(ColumnRef {
                table: "Order Items".into(),
                column: "qty.x".into(),
            }),
            comment: Some("odd numbers".into()),
        },
    );
    let long = "l".repeat(63);
    let mut long_table = Table {
        columns: vec![
            not_null(&"c".repeat(63), "bigint"),
            Column::new("ü".repeat(31), "public.citext"),
        ],
        ..Table::default()
    };
    long_table.primary_key = Some(PrimaryKey {
        name: names::make_object_name(&long, None, "pkey").into(),
        columns: vec!["c".repeat(63)],
        include: vec![],
        deferral: Deferral::NotDeferrable,
    });
    long_table.unique = vec![Unique {
        name: names::make_object_name(&long, Some(&"ü".repeat(31)), "key").into(),
        columns: vec!["ü".repeat(31)],
        include: vec![],
        nulls_not_distinct: false,
        deferral: Deferral::NotDeferrable,
    }];
    ns.tables.insert(long.clone(), long_table);

    let mut items = Table {
        comment: Some("Line items: \"quoted\", 'single', #hash, and: colon".into()),
        unlogged: true,
        renamed_from: Some("old items".into()),
        ..Table::default()
    };
    items.columns = vec![
        Column {
            identity: Some(Identity::ByDefault),
            ..not_null("id", "bigint")
        },
        Column {
            default: Some("'x'::text".into()),
            collation: Some("\"C\"".into()),
            comment: Some("yes".into()),
            ..Column::new("user", "text")
        },
        Column {
            default: Some("1".into()),
            ..not_null("qty.x", "public.posint")
        },
        Column {
            generated: Some("(\"qty.x\" * 2)".into()),
            ..Column::new("double", "integer")
        },
        Column {
            renamed_from: Some("Flags".into()),
            ..Column::new("flags", "ext.hstore")
        },
        Column::new("kind", "public.\"select\"[]"),
        Column::new("amount", "numeric(12,2)"),
        Column::new("at", "timestamp(3) with time zone"),
        Column::new("account", "bigint"),
        Column::new("range", "tstzrange"),
    ];
    items.primary_key = Some(PrimaryKey {
        name: "Order Items_pkey".into(),
        columns: vec!["id".into()],
        include: vec!["user".into()],
        deferral: Deferral::InitiallyDeferred,
    });
    items.unique = vec![
        Unique {
            name: "Order Items_user_key".into(),
            columns: vec!["user".into()],
            include: vec![],
            nulls_not_distinct: true,
            deferral: Deferral::InitiallyImmediate,
        },
        Unique {
            name: "Order Items_weird_name".into(),
            columns: vec!["at".into()],
            include: vec![],
            nulls_not_distinct: false,
            deferral: Deferral::NotDeferrable,
        },
    ];
    items.foreign_keys = vec![
        ForeignKey {
            name: "Order Items_account_fkey".into(),
            columns: vec!["account".into()],
            references: TableRef::new("Billing Dept", "accounts"),
            referenced_columns: vec!["id".into()],
            on_delete: FkAction::Cascade,
            on_update: FkAction::SetDefault,
            match_type: FkMatch::Full,
            deferral: Deferral::InitiallyImmediate,
            valid: false,
        },
        ForeignKey {
            name: "self_ref".into(),
            columns: vec!["id".into()],
            references: TableRef::new("public", "Order Items"),
            referenced_columns: vec!["id".into()],
            on_delete: FkAction::SetNull,
            on_update: FkAction::Restrict,
            match_type: FkMatch::Simple,
            deferral: Deferral::NotDeferrable,
            valid: true,
        },
    ];
    items.checks = vec![
        Check {
            name: "Order Items_check".into(),
            expression: "(\"qty.x\" > double)".into(),
            no_inherit: false,
            valid: true,
        },
        Check {
            name: "Order Items_qty.x_check".into(),
            expression: "(\"qty.x\" > 0)".into(),
            no_inherit: true,
            valid: false,
        },
    ];
    items.exclusions = vec![Exclusion {
        name: "no_overlap".into(),
        definition: "EXCLUDE USING gist (range WITH &&)".into(),
    }];
    items.indexes = vec![
        index(
            "Order Items_at_idx",
            vec![key(KeyTarget::Column("at".into()))],
        ),
        Index {
            unique: true,
            predicate: Some("(amount > (0)::numeric)".into()),
            ..index(
                "Order Items_lower_idx",
                vec![key(KeyTarget::Expression("lower(\"user\")".into()))],
            )
        },
        Index {
            method: "gist".into(),
            include: vec!["id".into()],
            with: vec!["buffering=auto".into(), "fillfactor=70".into()],
            comment: Some("mixed".into()),
            nulls_not_distinct: true,
            ..index(
                "mixed_keys",
                vec![
                    IndexKey {
                        descending: true,
                        nulls_first: false,
                        ..key(KeyTarget::Column("at".into()))
                    },
                    IndexKey {
                        nulls_first: true,
                        opclass: Some("text_pattern_ops".into()),
                        collation: Some("\"C\"".into()),
                        ..key(KeyTarget::Expression("(\"user\" || 'x'::text)".into()))
                    },
                ],
            )
        },
    ];
    items.triggers = vec![
        Trigger { name: "a_trigger".into(), definition: "CREATE TRIGGER a_trigger BEFORE INSERT ON public.\"Order Items\" FOR EACH ROW EXECUTE FUNCTION f()".into(), enabled: false },
        Trigger { name: "b_trigger".into(), definition: "CREATE TRIGGER b_trigger AFTER DELETE ON public.\"Order Items\" FOR EACH ROW EXECUTE FUNCTION f()".into(), enabled: true },
    ];
    items.row_security = RowSecurity {
        enabled: true,
        forced: false,
        policies: vec![
            Policy {
                name: "everyone".into(),
                command: PolicyCommand::All,
                permissive: true,
                roles: vec!["public".into()],
                using: None,
                with_check: None,
            },
            Policy {
                name: "own".into(),
                command: PolicyCommand::Update,
                permissive: false,
                roles: vec!["app".into(), "Admin Role".into()]
                    .into_iter()
                    .collect::<std::collections::BTreeSet<_>>()
                    .into_iter()
                    .collect(),
                using: Some("(\"user\" = CURRENT_USER)".into()),
                with_check: Some("true".into()),
            },
        ],
    };
    ns.tables.insert("Order Items".into(), items);

    let mut events = Table {
        partition_by: Some("RANGE (at)".into()),
        ..Table::default()
    };
    events.columns = vec![not_null("at", "timestamp with time zone")];
    ns.tables.insert("events".into(), events);
    let mut january = Table {
        partition_of: Some(PartitionOf {
            parent: TableRef::new("public", "events"),
            bound: "FOR VALUES FROM ('2024-01-01 00:00:00+00') TO ('2024-02-01 00:00:00+00')"
                .into(),
        }),
        ..Table::default()
    };
    january.indexes = vec![index(
        "events_january_at_idx",
        vec![key(KeyTarget::Column("at".into()))],
    )];
    ns.tables.insert("events_january".into(), january);

    ns.views.insert(
        "plain".into(),
        View {
            definition: " SELECT 1 AS one;".into(),
            materialized: false,
            with: vec![],
            indexes: vec![],
            comment: None,
        },
    );
    ns.views.insert(
        "totals".into(),
        View {
            definition: " SELECT \"Order Items\".id\n   FROM \"Order Items\";".into(),
            materialized: true,
            with: vec!["fillfactor=50".into()],
            indexes: vec![Index {
                unique: true,
                ..index("totals_id_idx", vec![key(KeyTarget::Column("id".into()))])
            }],
            comment: Some("materialized".into()),
        },
    );
    ns.functions.insert(
        "f()".into(),
        Function { definition: "CREATE OR REPLACE FUNCTION public.f()\n RETURNS trigger\n LANGUAGE plpgsql\nAS $function$\nBEGIN\n  RETURN NEW;\nEND\n$function$\n".into(), comment: None },
    );
    ns.functions.insert("add(integer, integer)".into(), Function { definition: "CREATE FUNCTION add(a integer, b integer) RETURNS integer LANGUAGE sql AS 'select a + b'".into(), comment: Some("adds".into()) });
    ns.operators.insert(
        "~<<(text,text)".into(),
        Operator {
            definition:
                "CREATE OPERATOR public.~<< (FUNCTION = text_lt, LEFTARG = text, RIGHTARG = text)"
                    .into(),
            comment: None,
        },
    );
    ns
}

#[test]
fn awkward_text_survives_writing_and_reading() {
    let labels = [
        "null",
        "true",
        "~",
        "1",
        "0x1F",
        "yes",
        "on",
        "- x",
        "#",
        "a: b",
        " lead",
        "trail ",
        "'q'",
        "\"dq\"",
        "*star",
        "&amp",
        "!bang",
        "%pct",
        "@at",
        "`tick`",
        "{}",
        "[x]",
        "é",
        "tab\there",
    ];
    let mut ns = Namespace::default();
    ns.enums.insert(
        "e".into(),
        Enum {
            labels: labels.iter().map(|l| (*l).to_owned()).collect(),
            comment: Some("line one  \n  line two \n\n".into()),
        },
    );
    let definition =
        "CREATE FUNCTION f() RETURNS int\r\nLANGUAGE sql AS $$ SELECT 1 $$ \n\ttabbed\n";
    ns.functions.insert(
        "f()".into(),
        Function {
            definition: definition.into(),
            comment: None,
        },
    );
    ns.views.insert(
        "v".into(),
        View {
            definition: "  SELECT 1;\n".into(),
            materialized: false,
            with: vec![],
            indexes: vec![],
            comment: Some(String::new()),
        },
    );
    let mut schema = Schema::default();
    schema.namespaces.insert("public".into(), ns);
    round_trip(&schema);
}

#[test]
fn files_are_read_from_disk_and_unreadable_ones_name_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("schema.yaml");
    std::fs::write(
        &path,
        "pgphase: 1\nschemas: { public: { tables: { t: { columns: { id: bigint } } } } }\n",
    )
    .unwrap();
    let desired = load(&path).unwrap();
    assert_eq!(desired.schema.table_count(), 1);
    let missing = dir.path().join("missing.yaml");
    let error = load(&missing).unwrap_err();
    assert_eq!((error.line, error.column), (0, 0));
    assert!(
        error
            .to_string()
            .starts_with(&format!("{}: cannot read the file: ", missing.display())),
        "{error}"
    );
}

#[test]
fn a_check_on_a_partition_is_named_after_the_parent_column() {
    let desired = parse_ok(
        "pgphase: 1
schemas:
  public:
    tables:
      events: { columns: { at: date }, partition_by: RANGE (at) }
      events_2024:
        partition_of: { table: events, bound: \"FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')\" }
        checks: [{ expression: at > '2000-01-01' }]
",
    );
    assert_eq!(
        desired.schema.namespaces["public"].tables["events_2024"].checks[0].name,
        "events_2024_at_check"
    );
}

#[test]
fn a_type_with_a_non_ascii_letter_is_a_mistake_not_a_crash() {
    // Found by tests/fuzz.rs: the ` array` suffix check cut the name inside the `é`.
    let text = "pgphase: 1\nschemas:\n  public:\n    tables:\n      users:\n        columns:\n          id: { type: iéntger, nullable: false }\n";
    let error = parse(text, "desired.yaml").unwrap_err();
    assert_eq!(
        error.to_string(),
        "desired.yaml:7:23: unknown type `iéntger`\n  hint: did you mean `integer`?"
    );
}

#[test]
fn a_mistake_at_the_end_of_a_text_without_a_final_line_break_points_inside_it() {
    // Found by tests/fuzz.rs: the parser placed it on the line after the last.
    let error = parse("pgphase: 1\nschemas: {", "desired.yaml").unwrap_err();
    assert_eq!((error.line, error.column), (2, 11), "{error}");
}

#[test]
fn a_document_of_only_its_start_marker_is_placed_on_that_line() {
    // Found by tests/fuzz.rs: the missing key was placed on the line after the text.
    let error = parse("---", "desired.yaml").unwrap_err();
    assert_eq!((error.line, error.column), (1, 4), "{error}");
}

/// A schema of `tables` tables, the table `wrong` (if any) with a primary key on a column it
/// does not have.
fn schema_text(schema: &str, tables: usize, wrong: Option<usize>) -> String {
    let mut text = format!("  {schema}:\n    tables:\n");
    for n in 1..=tables {
        let key = if wrong == Some(n) { "nosuch" } else { "id" };
        text.push_str(&format!(
            "      t{n}:\n        columns:\n          id: bigint\n          note: text\n        primary_key: [{key}]\n"
        ));
    }
    text
}

fn two_schemas(wrong_in_first: Option<usize>, wrong_in_second: Option<usize>) -> String {
    format!(
        "pgphase: 1\nschemas:\n{}{}",
        schema_text("first", 600, wrong_in_first),
        schema_text("second", 600, wrong_in_second)
    )
}

#[test]
fn schemas_converted_on_two_threads_read_as_one_by_one() {
    let both = parse(&two_schemas(None, None), "both.yaml").unwrap();
    for name in ["first", "second"] {
        let alone = format!("pgphase: 1\nschemas:\n{}", schema_text(name, 600, None));
        let alone = parse(&alone, "alone.yaml").unwrap();
        assert_eq!(both.schema.namespaces[name], alone.schema.namespaces[name]);
    }
    assert_eq!(both.schema.namespaces.len(), 2);
}

#[test]
fn the_first_mistake_in_the_file_is_reported_whichever_thread_finds_it() {
    let line_of = |text: &str| parse(text, "two.yaml").unwrap_err().line;
    // Table t500 of the first schema starts at line 3 + 1 + 499 * 5 + 1.
    let first = 3 + 1 + 499 * 5 + 1 + 4;
    assert_eq!(line_of(&two_schemas(Some(500), Some(10))), first);
    assert_eq!(line_of(&two_schemas(Some(500), None)), first);
    let second = 3 + 1 + 600 * 5 + 1 + 1 + 9 * 5 + 1 + 4;
    assert_eq!(line_of(&two_schemas(None, Some(10))), second);
}

#[test]
fn the_tables_of_one_large_schema_converted_in_halves_read_as_one_by_one() {
    let text = format!("pgphase: 1\nschemas:\n{}", schema_text("only", 1200, None));
    let whole = parse(&text, "one.yaml").unwrap();
    let tables = &whole.schema.namespaces["only"].tables;
    assert_eq!(tables.len(), 1200);
    for n in [1, 599, 600, 601, 1200] {
        let alone = format!(
            "pgphase: 1\nschemas:\n  only:\n    tables:\n      t{n}:\n        columns:\n          id: bigint\n          note: text\n        primary_key: [id]\n"
        );
        let alone = parse(&alone, "alone.yaml").unwrap();
        let name = format!("t{n}");
        assert_eq!(tables[&name], alone.schema.namespaces["only"].tables[&name]);
    }
    let line_of = |wrong: &[usize]| {
        let mut text = String::from("pgphase: 1\nschemas:\n  only:\n    tables:\n");
        for n in 1..=1200 {
            let key = if wrong.contains(&n) { "nosuch" } else { "id" };
            text.push_str(&format!(
                "      t{n}:\n        columns:\n          id: bigint\n          note: text\n        primary_key: [{key}]\n"
            ));
        }
        parse(&text, "one.yaml").unwrap_err().line
    };
    // The primary key of table n is on line 4 + (n - 1) * 5 + 5.
    assert_eq!(line_of(&[500, 900]), 4 + 499 * 5 + 5);
    assert_eq!(line_of(&[900]), 4 + 899 * 5 + 5);
}
