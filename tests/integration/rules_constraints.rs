//! The index, constraint and enum rules' plans run on PostgreSQL: every step applied, applied
//! again (a re-run after a failure must be harmless), then rolled back twice in reverse order,
//! after which the introspected schema equals the one before.

use pgphase::Schema;
use pgphase::decide::{Answer, Answers, ChoiceId, Facts, Mode, QuestionId, Settings};
use pgphase::diff::change::{
    AddCheck, AddExclusion, AddForeignKey, AddIndex, AddPrimaryKey, AddUnique, ChangeIndex,
    DropConstraint, DropIndex, RenameEnumValue, ReplaceEnum,
};
use pgphase::diff::{Change, Constraint};
use pgphase::rules::{self, Context, Decisions};
use pgphase::schema::TableRef;
use pgphase::source::postgres::Stats;
use pgphase::source::yaml;
use pgphase::step::{Action, BackfillOperation, Runs, Statement, Step};
use pgphase::step::{Lock, Work};
use pgphase::{ddl, sql};

use crate::common::TestDb;
use crate::live::introspect_url;
use crate::roundtrip::assert_same;

fn schema(body: &str) -> Schema {
    yaml::parse(&format!("pgphase: 1\n{body}"), "test.yaml")
        .unwrap()
        .schema
}

/// The schema `live` with `seed` rows in a fresh database.
async fn database(live: &Schema, seed: &str) -> TestDb {
    let db = TestDb::new().await;
    db.execute(&ddl::script(&ddl::create_statements(live)))
        .await;
    db.execute(seed).await;
    db
}

async fn run(db: &TestDb, statements: &[Statement], runs: Runs) {
    let sql: Vec<&str> = statements.iter().map(|s| s.sql.as_str()).collect();
    if runs == Runs::InTransaction {
        db.execute(&format!("BEGIN;\n{};\nCOMMIT", sql.join(";\n")))
            .await;
    } else {
        for statement in sql {
            db.execute(statement).await;
        }
    }
}

async fn apply(db: &TestDb, steps: &[Step]) {
    for step in steps {
        match &step.action {
            Action::Sql { statements, .. } => run(db, statements, step.runs).await,
            Action::Backfill(backfill) => {
                let table = sql::quote_qualified(&backfill.table.schema, &backfill.table.name);
                let statement = match &backfill.operation {
                    BackfillOperation::Delete => {
                        format!("DELETE FROM {table} WHERE {}", backfill.pending)
                    }
                    BackfillOperation::Update { assignments } => {
                        format!(
                            "UPDATE {table} SET {assignments} WHERE {}",
                            backfill.pending
                        )
                    }
                };
                db.execute(&statement).await;
            }
            Action::Gate { .. } => {}
        }
    }
}

async fn roll_back(db: &TestDb, steps: &[Step]) {
    for step in steps.iter().rev() {
        if let Action::Sql { rollback, .. } = &step.action {
            run(db, &rollback.statements, step.runs).await;
        }
    }
}

struct Case<'a> {
    live: &'a str,
    desired: &'a str,
    seed: &'a str,
    mode: Mode,
    answer: Option<(&'static str, &'static str)>,
    /// True when the forward plan's effect is checked by this query returning `true`.
    applied: &'a str,
}

/// Applies the plan of `change` twice, checks it took effect, rolls it back twice and checks
/// the schema is as before.
async fn check(case: Case<'_>, change: impl Fn(&Schema, &Schema) -> Change) {
    let live = schema(case.live);
    let desired = schema(case.desired);
    let change = change(&live, &desired);
    let db = database(&live, case.seed).await;
    let before = introspect_url(&db.url).await;
    let settings = Settings {
        mode: case.mode,
        ..Settings::default()
    };
    let mut answers = Answers::default();
    if let Some((question, choice)) = case.answer {
        answers.set(
            &change.id(),
            &QuestionId::new(question).unwrap(),
            Answer::user(ChoiceId::new(choice).unwrap()),
        );
    }
    let (stats, facts) = (Stats::default(), Facts::default());
    let context = Context {
        live: &live,
        desired: &desired,
        stats: &stats,
        facts: &facts,
    };
    let id = change.id();
    let decisions = Decisions {
        settings: &settings,
        answers: &answers,
        change: &id,
    };
    let steps = rules::steps(&change, &context, &decisions);
    if case.mode == Mode::ZeroDowntime {
        assert_online(change.kind(), &steps);
    }
    apply(&db, &steps).await;
    apply(&db, &steps).await;
    let row = db.client.query_one(case.applied, &[]).await.unwrap();
    assert!(row.get::<_, bool>(0), "{}: not applied", change.kind());
    roll_back(&db, &steps).await;
    roll_back(&db, &steps).await;
    let after = introspect_url(&db.url).await;
    assert_same(&before, &after, &format!("{} rolled back", change.kind()));
}

/// No statement of a zero-downtime plan blocks writes for longer than a catalog update, except
/// in the two rules that say they cannot be made online.
fn assert_online(rule: &str, steps: &[Step]) {
    if matches!(rule, "add-exclusion" | "replace-enum") {
        return;
    }
    for step in steps {
        if let Action::Sql { statements, .. } = &step.action {
            for statement in statements {
                assert!(
                    statement.lock < Lock::Share || statement.work == Work::Metadata,
                    "{rule}: blocks writes while it works: {}",
                    statement.sql
                );
            }
        }
    }
}

const USERS: &str = "schemas:\n  public:\n    tables:\n      users:\n        columns:\n          id: bigint\n          email: text\n          tenant: int\n";

fn users() -> TableRef {
    TableRef::new("public", "users")
}

const DUPLICATED_USERS: &str =
    "INSERT INTO users VALUES (1, 'a', 1), (2, 'a', 1), (3, 'b', NULL), (4, 'b', NULL)";

#[tokio::test(flavor = "multi_thread")]
async fn a_unique_key_deletes_duplicates_when_told_and_rolls_back() {
    let desired = format!(
        "{USERS}        unique:\n          - {{ columns: [tenant, email], nulls_not_distinct: true, deferrable: true }}\n"
    );
    for mode in [Mode::ZeroDowntime, Mode::MaintenanceWindow] {
        let case = Case {
            live: USERS,
            desired: &desired,
            seed: DUPLICATED_USERS,
            mode,
            answer: Some(("add-unique/duplicates", "delete-duplicates")),
            applied: "SELECT count(*) = 2 FROM users WHERE EXISTS (SELECT 1 FROM pg_constraint \
                      WHERE conname = 'users_tenant_email_key' AND condeferrable)",
        };
        check(case, |_, desired| {
            Change::AddUnique(AddUnique {
                table: users(),
                unique: desired.table(&users()).unwrap().unique[0].clone(),
            })
        })
        .await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_primary_key_on_a_nullable_column_sets_not_null_and_rolls_back() {
    let desired = format!("{USERS}        primary_key: [id]\n");
    for mode in [Mode::ZeroDowntime, Mode::MaintenanceWindow] {
        let case = Case {
            live: USERS,
            desired: &desired,
            seed: DUPLICATED_USERS,
            mode,
            answer: None,
            applied: "SELECT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'users_pkey' \
                      AND contype = 'p')",
        };
        check(case, |_, desired| {
            Change::AddPrimaryKey(AddPrimaryKey {
                table: users(),
                key: desired
                    .table(&users())
                    .unwrap()
                    .primary_key
                    .clone()
                    .unwrap(),
            })
        })
        .await;
    }
}

const ORDERS: &str = "schemas:\n  public:\n    tables:\n      users:\n        columns:\n          id: bigint\n        primary_key: [id]\n      orders:\n        columns:\n          id: bigint\n          user_id: bigint\n";

#[tokio::test(flavor = "multi_thread")]
async fn a_foreign_key_sets_orphans_to_null_when_told_and_rolls_back() {
    let desired = format!(
        "{ORDERS}        foreign_keys:\n          - {{ columns: [user_id], references: {{ table: users, columns: [id] }} }}\n"
    );
    for mode in [Mode::ZeroDowntime, Mode::MaintenanceWindow] {
        let case = Case {
            live: ORDERS,
            desired: &desired,
            seed: "INSERT INTO users VALUES (1); INSERT INTO orders VALUES (1, 1), (2, 2)",
            mode,
            answer: Some(("add-foreign-key/orphans", "set-null")),
            applied: "SELECT convalidated FROM pg_constraint WHERE conname = 'orders_user_id_fkey'",
        };
        check(case, |_, desired| {
            let orders = TableRef::new("public", "orders");
            Change::AddForeignKey(AddForeignKey {
                key: desired.table(&orders).unwrap().foreign_keys[0].clone(),
                table: orders,
                new_table: false,
            })
        })
        .await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_index_is_changed_under_a_temporary_name_and_changed_back() {
    let live = format!(
        "{USERS}        indexes:\n          - {{ name: users_email_idx, columns: [email] }}\n"
    );
    let desired = format!(
        "{USERS}        indexes:\n          - {{ name: users_email_idx, columns: [email, tenant], where: \"id > 0\" }}\n"
    );
    for mode in [Mode::ZeroDowntime, Mode::MaintenanceWindow] {
        let case = Case {
            live: &live,
            desired: &desired,
            seed: DUPLICATED_USERS,
            mode,
            answer: None,
            applied: "SELECT pg_get_indexdef('users_email_idx'::regclass) LIKE '%(email, tenant) WHERE%'",
        };
        check(case, |live, desired| {
            Change::ChangeIndex(ChangeIndex {
                table: users(),
                from: live.table(&users()).unwrap().indexes[0].clone(),
                to: desired.table(&users()).unwrap().indexes[0].clone(),
            })
        })
        .await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dropped_check_comes_back_on_rollback() {
    let live = format!(
        "{USERS}        checks:\n          - {{ name: users_id_check, expression: \"id > 0\" }}\n"
    );
    let case = Case {
        live: &live,
        desired: USERS,
        seed: DUPLICATED_USERS,
        mode: Mode::ZeroDowntime,
        answer: None,
        applied: "SELECT NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'users_id_check')",
    };
    check(case, |live, _| {
        Change::DropConstraint(DropConstraint {
            table: users(),
            constraint: Constraint::Check(live.table(&users()).unwrap().checks[0].clone()),
        })
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_enum_loses_a_label_and_gets_it_back_on_rollback() {
    let body = |labels: &str| {
        format!(
            "schemas:\n  public:\n    enums:\n      status: [{labels}]\n    tables:\n      orders:\n        columns:\n          state: {{ type: status, nullable: false, default: \"'new'::status\" }}\n          history: \"status[]\"\n        indexes:\n          - {{ columns: [state] }}\n"
        )
    };
    let (live, desired) = (body("new, paid, void"), body("paid, new"));
    let case = Case {
        live: &live,
        desired: &desired,
        seed: "INSERT INTO orders VALUES ('new', '{new,paid}'), ('paid', NULL)",
        mode: Mode::MaintenanceWindow,
        answer: None,
        applied: "SELECT enum_range(NULL::status)::text = '{paid,new}'",
    };
    check(case, |live, desired| {
        Change::ReplaceEnum(ReplaceEnum {
            name: TableRef::new("public", "status"),
            from: live.namespaces["public"].enums["status"].clone(),
            to: desired.namespaces["public"].enums["status"].clone(),
            columns: vec![
                (TableRef::new("public", "orders"), "history".to_owned()),
                (TableRef::new("public", "orders"), "state".to_owned()),
            ],
        })
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_index_is_added_and_dropped_in_both_modes() {
    let indexed = format!(
        "{USERS}        indexes:\n          - {{ name: users_lower_email_idx, expression: lower(email), where: \"tenant IS NOT NULL\" }}\n"
    );
    for mode in [Mode::ZeroDowntime, Mode::MaintenanceWindow] {
        let adding = Case {
            live: USERS,
            desired: &indexed,
            seed: DUPLICATED_USERS,
            mode,
            answer: None,
            applied: "SELECT indisvalid FROM pg_index WHERE indexrelid = 'users_lower_email_idx'::regclass",
        };
        check(adding, |_, desired| {
            Change::AddIndex(AddIndex {
                table: users(),
                index: desired.table(&users()).unwrap().indexes[0].clone(),
            })
        })
        .await;
        let dropping = Case {
            live: &indexed,
            desired: USERS,
            seed: DUPLICATED_USERS,
            mode,
            answer: None,
            applied: "SELECT to_regclass('users_lower_email_idx') IS NULL",
        };
        check(dropping, |live, _| {
            Change::DropIndex(DropIndex {
                table: users(),
                index: live.table(&users()).unwrap().indexes[0].clone(),
            })
        })
        .await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn checks_and_exclusions_are_added_and_rolled_back() {
    let checked = format!(
        "{USERS}        checks:\n          - {{ name: users_id_positive, expression: \"id > 0\" }}\n"
    );
    for mode in [Mode::ZeroDowntime, Mode::MaintenanceWindow] {
        let case = Case {
            live: USERS,
            desired: &checked,
            seed: DUPLICATED_USERS,
            mode,
            answer: None,
            applied: "SELECT convalidated FROM pg_constraint WHERE conname = 'users_id_positive'",
        };
        check(case, |_, desired| {
            Change::AddCheck(AddCheck {
                table: users(),
                check: desired.table(&users()).unwrap().checks[0].clone(),
            })
        })
        .await;
    }
    let rooms = "schemas:\n  public:\n    tables:\n      bookings:\n        columns:\n          during: tstzrange\n";
    let excluded = format!(
        "{rooms}        exclusions:\n          - {{ name: bookings_no_overlap, definition: \"EXCLUDE USING gist (during WITH &&)\" }}\n"
    );
    let case = Case {
        live: rooms,
        desired: &excluded,
        seed: "INSERT INTO bookings VALUES (tstzrange('2026-01-01', '2026-01-02'))",
        mode: Mode::ZeroDowntime,
        answer: None,
        applied: "SELECT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'bookings_no_overlap')",
    };
    check(case, |_, desired| {
        let bookings = TableRef::new("public", "bookings");
        Change::AddExclusion(AddExclusion {
            exclusion: desired.table(&bookings).unwrap().exclusions[0].clone(),
            table: bookings,
        })
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_enum_label_is_renamed_and_renamed_back() {
    let body =
        |labels: &str| format!("schemas:\n  public:\n    enums:\n      status: [{labels}]\n");
    let (live, desired) = (body("new, canceled"), body("new, cancelled"));
    let case = Case {
        live: &live,
        desired: &desired,
        seed: "",
        mode: Mode::ZeroDowntime,
        answer: None,
        applied: "SELECT enum_range(NULL::status)::text = '{new,cancelled}'",
    };
    check(case, |_, _| {
        Change::RenameEnumValue(RenameEnumValue {
            name: TableRef::new("public", "status"),
            from: "canceled".to_owned(),
            to: "cancelled".to_owned(),
        })
    })
    .await;
}
