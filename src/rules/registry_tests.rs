//! The registry's promises the compiler does not check, over one sample change of every kind
//! (that each kind has exactly one rule it does check): a kind's id is its serialized tag, every
//! explanation is written, each assessment names its rule, and no zero-downtime step holds a
//! blocking lock while it scans or rewrites an existing table.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use super::test_support::Fixture;
use crate::diff::change::{
    AddCheck, AddColumn, AddEnumValue, AddExclusion, AddForeignKey, AddIndex, AddPrimaryKey,
    AddUnique, AlterIdentity, AlterSequence, ChangeColumnType, ChangeIndex, CreateExtension,
    CreateFunction, CreatePolicy, CreateSchema, CreateSequence, CreateTable, CreateTrigger,
    CreateType, CreateView, DropColumn, DropConstraint, DropDefault, DropExtension, DropFunction,
    DropIndex, DropNotNull, DropPolicy, DropSchema, DropSequence, DropTable, DropTrigger, DropType,
    DropView, RecreateView, RenameColumn, RenameEnumValue, RenameTable, ReplaceEnum,
    ReplaceFunction, ReplaceTrigger, ReplaceView, SetComment, SetDefault, SetNotNull, Unsupported,
};
use crate::diff::{Change, CommentTarget, Constraint, TypeDefinition};
use crate::schema::{
    Check, Column, Deferral, Enum, Exclusion, Extension, FkAction, FkMatch, ForeignKey, Function,
    IdentityOptions, Index, IndexKey, KeyTarget, Policy, PolicyCommand, PrimaryKey, Sequence,
    Table, TableRef, Trigger, Unique, View,
};
use crate::step::Action;
use crate::step::{Lock, Work};

fn orders() -> TableRef {
    TableRef::new("public", "orders")
}

fn column(name: &str, data_type: &str) -> Column {
    Column::new(name, data_type)
}

fn table() -> Table {
    let mut id = column("id", "bigint");
    id.nullable = false;
    Table {
        columns: vec![id, column("note", "text")],
        primary_key: Some(primary_key()),
        ..Table::default()
    }
}

fn primary_key() -> PrimaryKey {
    PrimaryKey {
        name: "orders_pkey".into(),
        columns: vec!["id".to_owned()],
        include: Vec::new(),
        deferral: Deferral::NotDeferrable,
    }
}

fn index(name: &str) -> Index {
    Index {
        name: name.to_owned().into(),
        unique: false,
        method: "btree".into(),
        keys: vec![IndexKey {
            target: KeyTarget::Column("note".into()),
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
    }
}

fn unique() -> Unique {
    Unique {
        name: "orders_note_key".into(),
        columns: vec!["note".to_owned()],
        include: Vec::new(),
        nulls_not_distinct: false,
        deferral: Deferral::NotDeferrable,
    }
}

fn foreign_key() -> ForeignKey {
    ForeignKey {
        name: "orders_user_id_fkey".into(),
        columns: vec!["user_id".to_owned()],
        references: TableRef::new("public", "users"),
        referenced_columns: vec!["id".to_owned()],
        on_delete: FkAction::NoAction,
        on_update: FkAction::NoAction,
        match_type: FkMatch::Simple,
        deferral: Deferral::NotDeferrable,
        valid: true,
    }
}

fn check() -> Check {
    Check {
        name: "orders_note_check".into(),
        expression: "length(note) < 100".to_owned(),
        no_inherit: false,
        valid: true,
    }
}

fn exclusion() -> Exclusion {
    Exclusion {
        name: "orders_no_overlap".to_owned(),
        definition: "EXCLUDE USING gist (during WITH &&)".to_owned(),
    }
}

fn status(labels: &[&str]) -> Enum {
    Enum {
        labels: labels.iter().map(|l| (*l).to_owned()).collect(),
        comment: None,
    }
}

fn sequence(increment: i64) -> Sequence {
    Sequence {
        data_type: "bigint".to_owned(),
        start: 1,
        increment,
        min_value: 1,
        max_value: i64::MAX,
        cache: 1,
        cycle: false,
        unlogged: false,
        owned_by: None,
        comment: None,
    }
}

fn view(definition: &str) -> View {
    View {
        definition: definition.to_owned(),
        materialized: false,
        with: Vec::new(),
        indexes: Vec::new(),
        comment: None,
    }
}

fn function(body: &str) -> Function {
    Function {
        definition: format!(
            "CREATE OR REPLACE FUNCTION public.f()\n RETURNS integer\n LANGUAGE sql\nAS $function$ {body} $function$\n"
        ),
        comment: None,
    }
}

fn trigger(when: &str) -> Trigger {
    Trigger {
        name: "orders_touch".to_owned(),
        definition: format!(
            "CREATE TRIGGER orders_touch {when} ON public.orders FOR EACH ROW EXECUTE FUNCTION public.touch()"
        ),
        enabled: true,
    }
}

fn policy() -> Policy {
    Policy {
        name: "own_orders".to_owned(),
        command: PolicyCommand::All,
        permissive: true,
        roles: vec!["public".to_owned()],
        using: Some("true".to_owned()),
        with_check: None,
    }
}

/// One change of every kind.
fn samples() -> Vec<Change> {
    let status_name = TableRef::new("public", "order_status");
    let numbers = TableRef::new("public", "order_numbers");
    let totals = TableRef::new("public", "order_totals");
    vec![
        Change::CreateSchema(CreateSchema {
            schema: "billing".to_owned(),
        }),
        Change::DropSchema(DropSchema {
            schema: "archive".to_owned(),
        }),
        Change::CreateExtension(CreateExtension {
            name: "pg_trgm".to_owned(),
            extension: Extension {
                schema: "public".to_owned(),
            },
        }),
        Change::DropExtension(DropExtension {
            name: "hstore".to_owned(),
            extension: Extension {
                schema: "public".to_owned(),
            },
        }),
        Change::CreateType(CreateType {
            name: status_name.clone(),
            definition: TypeDefinition::Enum(status(&["new", "paid"])),
        }),
        Change::DropType(DropType {
            name: status_name.clone(),
            definition: TypeDefinition::Enum(status(&["new", "paid"])),
        }),
        Change::AddEnumValue(AddEnumValue {
            name: status_name.clone(),
            value: "shipped".to_owned(),
            before: None,
        }),
        Change::RenameEnumValue(RenameEnumValue {
            name: status_name.clone(),
            from: "paid".to_owned(),
            to: "settled".to_owned(),
        }),
        Change::ReplaceEnum(ReplaceEnum {
            name: status_name,
            from: status(&["new", "paid"]),
            to: status(&["paid", "new"]),
            columns: vec![(orders(), "status".to_owned())],
        }),
        Change::CreateSequence(CreateSequence {
            name: numbers.clone(),
            sequence: sequence(1),
        }),
        Change::DropSequence(DropSequence {
            name: numbers.clone(),
            sequence: sequence(1),
        }),
        Change::AlterSequence(AlterSequence {
            name: numbers,
            from: sequence(1),
            to: sequence(10),
        }),
        Change::CreateTable(CreateTable {
            table: TableRef::new("public", "invoices"),
            definition: table(),
        }),
        Change::DropTable(DropTable {
            table: TableRef::new("public", "carts"),
            definition: table(),
        }),
        Change::RenameTable(RenameTable {
            from: TableRef::new("public", "order"),
            to: orders(),
            definition: table(),
            hinted: true,
        }),
        Change::AddColumn(AddColumn {
            table: orders(),
            column: column("extra", "text"),
        }),
        Change::DropColumn(DropColumn {
            table: orders(),
            column: column("note", "text"),
        }),
        Change::RenameColumn(RenameColumn {
            table: orders(),
            from: column("note", "text"),
            to: column("remark", "text"),
            hinted: true,
        }),
        Change::ChangeColumnType(ChangeColumnType {
            table: orders(),
            from: column("note", "varchar(10)"),
            to: column("note", "text"),
        }),
        Change::SetNotNull(SetNotNull {
            table: orders(),
            column: column("note", "text"),
        }),
        Change::DropNotNull(DropNotNull {
            table: orders(),
            column: column("id", "bigint"),
        }),
        Change::SetDefault(SetDefault {
            table: orders(),
            column: "note".to_owned(),
            from: None,
            to: "''::text".to_owned(),
        }),
        Change::DropDefault(DropDefault {
            table: orders(),
            column: "note".to_owned(),
            from: "''::text".to_owned(),
        }),
        Change::AlterIdentity(AlterIdentity {
            table: orders(),
            column: "id".to_owned(),
            data_type: "bigint".to_owned(),
            from: IdentityOptions::default(),
            to: IdentityOptions {
                start: Some(1000),
                ..IdentityOptions::default()
            },
        }),
        Change::AddIndex(AddIndex {
            table: orders(),
            index: index("orders_note_idx"),
        }),
        Change::DropIndex(DropIndex {
            table: orders(),
            index: index("orders_note_idx"),
        }),
        Change::ChangeIndex(ChangeIndex {
            table: orders(),
            from: index("orders_note_idx"),
            to: Index {
                unique: true,
                ..index("orders_note_idx")
            },
        }),
        Change::AddUnique(AddUnique {
            table: orders(),
            unique: unique(),
        }),
        Change::AddPrimaryKey(AddPrimaryKey {
            table: orders(),
            key: primary_key(),
        }),
        Change::AddForeignKey(AddForeignKey {
            table: orders(),
            key: foreign_key(),
            new_table: false,
        }),
        Change::AddCheck(AddCheck {
            table: orders(),
            check: check(),
        }),
        Change::AddExclusion(AddExclusion {
            table: orders(),
            exclusion: exclusion(),
        }),
        Change::DropConstraint(DropConstraint {
            table: orders(),
            constraint: Constraint::Check(check()),
        }),
        Change::CreateView(CreateView {
            view: totals.clone(),
            definition: view(" SELECT id FROM orders;"),
        }),
        Change::DropView(DropView {
            view: totals.clone(),
            definition: view(" SELECT id FROM orders;"),
        }),
        Change::ReplaceView(ReplaceView {
            view: totals.clone(),
            from: view(" SELECT id FROM orders;"),
            to: view(" SELECT id, note FROM orders;"),
        }),
        Change::RecreateView(RecreateView {
            view: totals,
            live: view(" SELECT id, note FROM orders;"),
            desired: view(" SELECT id, note FROM orders;"),
            columns: vec![(orders(), "note".to_owned())],
        }),
        Change::CreateFunction(CreateFunction {
            schema: "public".to_owned(),
            key: "f()".to_owned(),
            function: function("SELECT 1"),
        }),
        Change::DropFunction(DropFunction {
            schema: "public".to_owned(),
            key: "f()".to_owned(),
            function: function("SELECT 1"),
        }),
        Change::ReplaceFunction(ReplaceFunction {
            schema: "public".to_owned(),
            key: "f()".to_owned(),
            from: function("SELECT 1"),
            to: function("SELECT 2"),
        }),
        Change::CreateTrigger(CreateTrigger {
            table: orders(),
            trigger: trigger("BEFORE UPDATE"),
        }),
        Change::DropTrigger(DropTrigger {
            table: orders(),
            trigger: trigger("BEFORE UPDATE"),
        }),
        Change::ReplaceTrigger(ReplaceTrigger {
            table: orders(),
            from: trigger("BEFORE UPDATE"),
            to: trigger("BEFORE INSERT OR UPDATE"),
        }),
        Change::SetComment(SetComment {
            target: CommentTarget::Table(orders()),
            from: None,
            to: Some("orders".to_owned()),
        }),
        Change::CreatePolicy(CreatePolicy {
            table: orders(),
            policy: policy(),
        }),
        Change::DropPolicy(DropPolicy {
            table: orders(),
            policy: policy(),
        }),
        Change::Unsupported(Unsupported {
            object: "public.events".to_owned(),
            detail: "partitioning changes".to_owned(),
        }),
    ]
}

#[test]
fn the_samples_cover_every_kind_of_change_once() {
    let kinds: Vec<&str> = samples().iter().map(Change::kind).collect();
    let distinct: BTreeSet<&str> = kinds.iter().copied().collect();
    assert_eq!(kinds.len(), distinct.len(), "a kind sampled twice");
    assert_eq!(distinct, Change::KINDS.iter().copied().collect());
}

#[test]
fn a_kinds_id_is_its_serialized_tag() {
    for change in samples() {
        let value = serde_json::to_value(&change).unwrap();
        assert_eq!(value["kind"], change.kind());
    }
}

#[test]
fn every_explanation_has_all_its_sections() {
    for (rule, explanation) in super::catalog() {
        for (section, text) in [
            ("title", explanation.title),
            ("risk", explanation.risk),
            ("instead", explanation.instead),
            ("rollback", explanation.rollback),
        ] {
            assert!(!text.trim().is_empty(), "{rule}: empty {section}");
        }
    }
}

#[test]
fn every_assessment_names_its_rule() {
    let fixture = Fixture::new("schemas: {}\n", "schemas: {}\n");
    for change in samples() {
        let assessment = super::assess(&change, &fixture.context());
        assert_eq!(assessment.rule, change.kind());
    }
}

/// Rules with no online way at all, which say so in their explanation and notes: an
/// exclusion constraint cannot be added NOT VALID, and replacing an enum rewrites every column
/// of the type. Plans holding them are maintenance-window plans in practice.
const NO_ONLINE_WAY: &[&str] = &["add-exclusion", "replace-enum"];

/// No zero-downtime statement holds a lock that blocks writes while it scans, updates or
/// rewrites an existing table.
#[test]
fn zero_downtime_steps_never_block_writers_for_more_than_a_catalog_update() {
    let live = "schemas:\n  public:\n    tables:\n      orders:\n        columns:\n          id: bigint\n          note: text\n";
    let fixture = Fixture::new(live, live).with_rows(&[("public.orders", 5_000_000)]);
    for change in samples() {
        if NO_ONLINE_WAY.contains(&change.kind()) {
            continue;
        }
        let decisions_change = change.id();
        let decisions = super::Decisions {
            settings: &fixture.settings,
            answers: &fixture.answers,
            change: &decisions_change,
        };
        let steps = super::steps(&change, &fixture.context(), &decisions);
        let steps_text = super::test_support::steps_text(&steps);
        for step in steps {
            let Action::Sql { statements, .. } = &step.action else {
                continue;
            };
            for statement in statements {
                let blocking = statement.lock >= Lock::Share;
                assert!(
                    !blocking || statement.work == Work::Metadata,
                    "{}: {}\n{steps_text}",
                    change.kind(),
                    statement.sql
                );
            }
        }
    }
}
