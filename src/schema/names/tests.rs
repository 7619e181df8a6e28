use super::*;
use crate::schema::model::{
    Check, Column, Deferral, Domain, Exclusion, FkAction, FkMatch, ForeignKey, Index, PrimaryKey,
    TableRef, Unique,
};

/// Expected values below marked "PostgreSQL 15" were printed by the dev server for the same
/// objects created without names.
#[test]
fn short_names_are_joined() {
    assert_eq!(
        make_object_name("users", Some("email"), "key"),
        "users_email_key"
    );
    assert_eq!(make_object_name("users", None, "pkey"), "users_pkey");
    assert_eq!(make_object_name("t", Some("a_b"), "idx1"), "t_a_b_idx1");
}

#[test]
fn long_names_lose_bytes_from_the_longer_part() {
    // PostgreSQL 15: a 62-byte table name with two long columns in a unique constraint.
    let table = "LongTableNameXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX";
    let columns = name_addition(&[
        "colaaaaaaaaaaaaaaaaaaaaaaaaa",
        "colbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
    ]);
    let name = make_object_name(table, Some(&columns), "key");
    assert_eq!(
        name,
        "LongTableNameXXXXXXXXXXXXXXXX_colaaaaaaaaaaaaaaaaaaaaaaaaa__key"
    );
    assert_eq!(name.len(), 63);
}

#[test]
fn truncation_never_splits_a_character() {
    // PostgreSQL 15, table "ééé…" (31 × é, 62 bytes) with columns of ö (19 ×) and ü (25 ×).
    let table = "é".repeat(31);
    assert_eq!(
        make_object_name(&table, None, "pkey"),
        format!("{}_pkey", "é".repeat(29))
    );
    let unique = make_object_name(&table, Some(&"ü".repeat(25)), "key");
    assert_eq!(unique, format!("{}_{}_key", "é".repeat(14), "ü".repeat(14)));
    assert_eq!(unique.len(), 61);
    let index = DefaultName::index(&table, &[column_key(&"ö".repeat(19))], &[]);
    assert_eq!(
        index.candidate(0),
        format!("{}_{}_idx", "é".repeat(14), "ö".repeat(14))
    );
    assert_eq!(
        index.candidate(1),
        format!("{}_{}_idx1", "é".repeat(14), "ö".repeat(14))
    );
    assert_eq!(
        index.candidate(2),
        format!("{}_{}_idx2", "é".repeat(14), "ö".repeat(14))
    );
    // An odd byte budget: 3-byte characters cut at 20 bytes keep 6 characters (18 bytes).
    let name = make_object_name(&"€".repeat(21), Some(&"€".repeat(21)), "key");
    assert_eq!(name, format!("{0}_{0}_key", "€".repeat(9)));
    assert!(name.len() <= NAME_MAX_BYTES);
}

#[test]
fn a_long_label_number_still_fits() {
    let table = "t".repeat(63);
    let default = DefaultName::unique(&table, &["c".repeat(63)], &[]);
    for attempt in [0, 1, 10, 100, 1000] {
        let name = default.candidate(attempt);
        assert!(name.len() <= NAME_MAX_BYTES, "{name}");
        assert!(name.ends_with(&format!(
            "_key{}",
            if attempt == 0 {
                String::new()
            } else {
                attempt.to_string()
            }
        )));
    }
}

#[test]
fn the_addition_stops_after_reaching_64_bytes() {
    let names: Vec<String> = (0..10)
        .map(|i| format!("column_number_{i}_{}", "x".repeat(20)))
        .collect();
    let addition = name_addition(&names);
    // Two names are 71 bytes: the third is never added.
    assert_eq!(addition, format!("{}_{}", names[0], names[1]));
    assert_eq!(name_addition(&["a", "b", "c"]), "a_b_c");
}

#[test]
fn repeated_index_columns_get_digits() {
    // PostgreSQL 15: (a, a) → t_a_a1_idx; ((a+1), (b+1)) → t_expr_expr1_idx; (a) INCLUDE (b) → t_a_b_idx.
    let names = index_column_names(&[column_key("a"), column_key("a")], &[] as &[String]);
    assert_eq!(names, ["a", "a1"]);
    let exprs = index_column_names(
        &[expression_key("(a + 1)"), expression_key("(b + 1)")],
        &[] as &[String],
    );
    assert_eq!(exprs, ["expr", "expr1"]);
    assert_eq!(
        index_column_names(&[column_key("a")], &["b".to_owned()]),
        ["a", "b"]
    );
    let long = "x".repeat(63);
    let names = index_column_names(&[column_key(&long), column_key(&long)], &[] as &[String]);
    assert_eq!(names[1], format!("{}1", "x".repeat(62)));
    let names = index_column_names(
        &[column_key("a"), column_key("a"), column_key("a1")],
        &[] as &[String],
    );
    assert_eq!(names, ["a", "a1", "a11"]);
}

#[test]
fn default_names_by_kind() {
    let table = table_with_columns(&["a", "b"]);
    assert_eq!(DefaultName::primary_key("t").candidate(0), "t_pkey");
    assert_eq!(
        DefaultName::unique("t", &strings(&["a", "b"]), &[]).candidate(0),
        "t_a_b_key"
    );
    assert_eq!(
        DefaultName::unique("t", &strings(&["a"]), &strings(&["c"])).candidate(0),
        "t_a_c_key"
    );
    assert_eq!(
        DefaultName::foreign_key("c", &strings(&["x", "y"])).candidate(0),
        "c_x_y_fkey"
    );
    assert_eq!(
        DefaultName::check(&table, "t2", "a > 0").candidate(0),
        "t2_a_check"
    );
    assert_eq!(
        DefaultName::check(&table, "t2", "b > a").candidate(0),
        "t2_check"
    );
    assert_eq!(
        DefaultName::check(&table, "t2", "now() > '2020-01-01'").candidate(0),
        "t2_check"
    );
    assert_eq!(
        DefaultName::domain_check("posint").candidate(1),
        "posint_check1"
    );
    assert_eq!(
        DefaultName::exclusion("e", &strings(&["r"])).candidate(0),
        "e_r_excl"
    );
    let lower = DefaultName::index("ix", &[expression_key("lower(a)")], &[]);
    assert_eq!(lower.candidate(0), "ix_lower_idx");
}

#[test]
fn conflicts_depend_on_the_name_space() {
    let mut taken = Taken::default();
    taken.insert(Space::Relation, "t_a_idx");
    taken.insert(Space::Constraint, "t_a_key");
    taken.insert(Space::Constraint, "t_a_check");
    let index = DefaultName::index("t", &[column_key("a")], &[]);
    assert_eq!(index.choose(&taken), "t_a_idx1");
    let unique = DefaultName::unique("t", &strings(&["a"]), &[]);
    assert_eq!(unique.choose(&taken), "t_a_key1");
    // A relation named like a check does not stop the check from taking the name.
    taken.insert(Space::Relation, "t_b_check");
    let table = table_with_columns(&["a", "b"]);
    assert_eq!(
        DefaultName::check(&table, "t", "b > 0").choose(&taken),
        "t_b_check"
    );
    assert_eq!(
        DefaultName::check(&table, "t", "a > 0").choose(&taken),
        "t_a_check1"
    );
}

#[test]
fn the_loader_names_a_schema_like_postgres() {
    // PostgreSQL 15 names for the same objects (schema s2 on the dev server):
    // table c with two unnamed FKs on (x, y); composite type c_x_idx; an index on c (x).
    let mut ns = Namespace::default();
    let mut c = table_with_columns(&["x", "y"]);
    c.foreign_keys = vec![foreign_key("", &["x", "y"]), foreign_key("", &["x", "y"])];
    c.indexes = vec![index("", &["x"])];
    ns.tables.insert("c".into(), c);
    ns.composite_types
        .insert("c_x_idx".into(), Default::default());
    ns.domains.insert("posint".into(), domain(&["", ""]));
    let mut t3 = table_with_columns(&["x"]);
    t3.checks = vec![
        check("t2_a_check", "x > 0"),
        check("t3_x_check", "x > 0"),
        check("", "x > 5"),
    ];
    ns.tables.insert("t3".into(), t3);
    let mut t2 = table_with_columns(&["a", "b", "c"]);
    t2.checks = vec![
        check("", "a > 0"),
        check("", "b > a"),
        check("", "a > 1"),
        check("", "c > 0"),
        check("", "c > 1"),
    ];
    ns.tables.insert("t2".into(), t2);
    let mut t4 = table_with_columns(&["id", "r", "u"]);
    t4.primary_key = Some(primary_key("", &["id"]));
    t4.unique = vec![unique("", &["u"])];
    t4.indexes = vec![index("t4_u_idx", &["r"]), index("", &["u"])];
    ns.tables.insert("t4".into(), t4);
    let mut e = table_with_columns(&["r"]);
    e.exclusions = vec![Exclusion {
        name: "e_r_excl".into(),
        definition: "EXCLUDE USING gist (r WITH &&)".into(),
    }];
    e.indexes = vec![index("", &["r"])];
    ns.tables.insert("e".into(), e);

    assign_default_names(&mut ns);

    let c = &ns.tables["c"];
    assert_eq!(
        names(c.foreign_keys.iter().map(|f| &f.name)),
        ["c_x_y_fkey", "c_x_y_fkey1"]
    );
    assert_eq!(c.indexes[0].name, "c_x_idx1");
    assert_eq!(
        names(ns.domains["posint"].checks.iter().map(|c| &c.name)),
        ["posint_check", "posint_check1"]
    );
    // t2's checks are named before t3's, so t3's explicit `t2_a_check` is already taken then.
    assert_eq!(
        names(ns.tables["t2"].checks.iter().map(|c| &c.name)),
        [
            "t2_a_check1",
            "t2_check",
            "t2_a_check2",
            "t2_c_check",
            "t2_c_check1"
        ]
    );
    assert_eq!(ns.tables["t3"].checks[2].name, "t3_x_check1");
    let t4 = &ns.tables["t4"];
    assert_eq!(
        t4.primary_key.as_ref().map(|p| p.name.as_str()),
        Some("t4_pkey")
    );
    assert_eq!(t4.unique[0].name, "t4_u_key");
    assert_eq!(t4.indexes[1].name, "t4_u_idx1");
    assert_eq!(ns.tables["e"].indexes[0].name, "e_r_idx");
}

#[test]
fn the_writer_leaves_out_exactly_the_names_the_loader_would_give() {
    let mut ns = Namespace::default();
    let mut t = table_with_columns(&["a", "b"]);
    t.primary_key = Some(primary_key("t_pkey", &["a"]));
    t.unique = vec![
        unique("t_a_key", &["a"]),
        unique("t_a_key1", &["a"]),
        unique("custom", &["b"]),
    ];
    t.indexes = vec![
        index("t_b_idx1", &["b"]),
        index("t_b_idx", &["b"]),
        index("t_a_idx2", &["a"]),
    ];
    ns.tables.insert("t".into(), t);
    let omitted = default_named(&ns);
    let table = |index| Slot::Unique {
        table: "t".into(),
        index,
    };
    assert!(omitted.contains(&Slot::PrimaryKey { table: "t".into() }));
    assert!(omitted.contains(&table(0)));
    assert!(omitted.contains(&table(1)));
    assert!(!omitted.contains(&table(2)));
    let index = |index| Slot::Index {
        table: "t".into(),
        index,
    };
    // t_b_idx1 comes first: it needs t_b_idx taken, so t_b_idx keeps its name in the file.
    assert!(omitted.contains(&index(0)));
    assert!(!omitted.contains(&index(1)));
    // t_a_idx2 would need t_a_idx and t_a_idx1 taken; nothing holds them.
    assert!(!omitted.contains(&index(2)));
    assert_round_trip(&ns);
}

#[test]
fn omitting_names_and_assigning_them_again_is_the_identity() {
    let mut ns = Namespace::default();
    for table_name in ["t", "t_a", "u"] {
        let mut t = table_with_columns(&["a", "a_b", "b"]);
        t.checks = vec![
            check("t_a_check", "a > 0"),
            check("t_a_check1", "a > 1"),
            check(&format!("{table_name}_check"), "a > b"),
        ];
        t.unique = vec![
            unique(&format!("{table_name}_a_b_key"), &["a_b"]),
            unique("t_a_b_key1", &["a", "b"]),
        ];
        t.foreign_keys = vec![foreign_key(&format!("{table_name}_a_fkey"), &["a"])];
        t.indexes = vec![index(&format!("{table_name}_a_b_idx"), &["a", "b"])];
        ns.tables.insert(table_name.into(), t);
    }
    assert_round_trip(&ns);
    assert!(!default_named(&ns).is_empty());
}

/// Blanks the names [`default_named`] allows, assigns defaults and expects the original back.
fn assert_round_trip(ns: &Namespace) {
    let mut blanked = ns.clone();
    for slot in default_named(ns) {
        if let Some(name) = slot_name_mut(&mut blanked, &slot) {
            name.clear();
        }
    }
    assign_default_names(&mut blanked);
    assert_eq!(&blanked, ns);
}

fn names<'a, S: AsRef<str> + 'a>(names: impl Iterator<Item = &'a S>) -> Vec<&'a str> {
    names.map(AsRef::as_ref).collect()
}

fn strings(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| (*s).to_owned()).collect()
}

fn column_key(name: &str) -> IndexKey {
    key(KeyTarget::Column(name.to_owned().into()))
}

fn expression_key(expression: &str) -> IndexKey {
    key(KeyTarget::Expression(expression.to_owned()))
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

fn table_with_columns(columns: &[&str]) -> Table {
    Table {
        columns: columns.iter().map(|c| Column::new(*c, "integer")).collect(),
        ..Table::default()
    }
}

fn check(name: &str, expression: &str) -> Check {
    Check {
        name: name.into(),
        expression: expression.into(),
        no_inherit: false,
        valid: true,
    }
}

fn domain(check_names: &[&str]) -> Domain {
    Domain {
        data_type: "integer".into(),
        nullable: true,
        default: None,
        collation: None,
        checks: check_names.iter().map(|n| check(n, "VALUE > 0")).collect(),
        comment: None,
    }
}

fn primary_key(name: &str, columns: &[&str]) -> PrimaryKey {
    PrimaryKey {
        name: name.into(),
        columns: strings(columns),
        include: vec![],
        deferral: Deferral::NotDeferrable,
    }
}

fn unique(name: &str, columns: &[&str]) -> Unique {
    Unique {
        name: name.into(),
        columns: strings(columns),
        include: vec![],
        nulls_not_distinct: false,
        deferral: Deferral::NotDeferrable,
    }
}

fn foreign_key(name: &str, columns: &[&str]) -> ForeignKey {
    ForeignKey {
        name: name.into(),
        columns: strings(columns),
        references: TableRef::new("s2", "p"),
        referenced_columns: strings(&["a", "b"]),
        on_delete: FkAction::NoAction,
        on_update: FkAction::NoAction,
        match_type: FkMatch::Simple,
        deferral: Deferral::NotDeferrable,
        valid: true,
    }
}

fn index(name: &str, columns: &[&str]) -> Index {
    Index {
        name: name.into(),
        unique: false,
        method: "btree".into(),
        keys: columns.iter().map(|c| column_key(c)).collect(),
        include: vec![],
        predicate: None,
        nulls_not_distinct: false,
        with: vec![],
        comment: None,
    }
}
