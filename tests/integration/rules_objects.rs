//! The rules for whole objects against a real PostgreSQL: each change's zero-downtime steps
//! run twice (a re-run after a failure must be harmless) and leave the database as desired,
//! read back by introspection; their rollbacks, run twice in reverse, bring it back to what it
//! was.

use pgphase::Schema;
use pgphase::decide::{Answers, Facts, Settings};
use pgphase::diff::change::{
    AlterSequence, CreateExtension, CreateFunction, CreatePolicy, CreateSchema, CreateSequence,
    CreateTrigger, CreateType, CreateView, DropExtension, DropFunction, DropPolicy, DropSchema,
    DropSequence, DropTrigger, DropType, DropView, RecreateView, ReplaceFunction, ReplaceTrigger,
    ReplaceView, SetComment,
};
use pgphase::diff::{Change, CommentTarget, TypeDefinition};
use pgphase::rules::{self, Context, Decisions};
use pgphase::schema::TableRef;
use pgphase::source::postgres::Stats;
use pgphase::step::{Action, Rollback, Statement, Step};

use crate::common::{TestDb, connect, server};
use crate::live::introspect_url;

const BASE: &str = r#"
    CREATE TABLE public.orders (id bigint PRIMARY KEY, number bigint, note text, user_id bigint,
                                day date, total numeric);
    CREATE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
"#;

/// Applies `desired` over [`BASE`] in one database, builds the change from both models, then
/// runs the plan and its rollback in another database holding `live` over [`BASE`].
async fn round_trip(live: &str, desired: &str, change: impl Fn(&Schema, &Schema) -> Change) {
    let target = TestDb::new().await;
    target.execute(BASE).await;
    target.execute(live).await;
    let model = TestDb::new().await;
    model.execute(BASE).await;
    model.execute(live).await;
    model.execute(desired).await;
    let before = introspect_url(&target.url).await;
    let wanted = introspect_url(&model.url).await;
    let change = change(&before, &wanted);
    let steps = plan(&change, &before, &wanted);
    assert!(!steps.is_empty(), "{}: no steps", change.kind());
    for _ in 0..2 {
        for step in &steps {
            if let Action::Sql { statements, .. } = &step.action {
                run(&target, statements).await;
            }
        }
    }
    assert_eq!(
        introspect_url(&target.url).await,
        wanted,
        "{}: applied",
        change.kind()
    );
    for _ in 0..2 {
        for step in steps.iter().rev() {
            if let Action::Sql {
                rollback: Rollback { statements, .. },
                ..
            } = &step.action
            {
                run(&target, statements).await;
            }
        }
    }
    assert_eq!(
        introspect_url(&target.url).await,
        before,
        "{}: rolled back",
        change.kind()
    );
    drop_databases(&[target, model]).await;
}

fn plan(change: &Change, live: &Schema, desired: &Schema) -> Vec<Step> {
    let stats = Stats::default();
    let facts = Facts::default();
    let context = Context {
        live,
        desired,
        stats: &stats,
        facts: &facts,
    };
    let settings = Settings::default();
    let answers = Answers::default();
    let id = change.id();
    let decisions = Decisions {
        settings: &settings,
        answers: &answers,
        change: &id,
    };
    rules::steps(change, &context, &decisions)
}

/// The statements in one transaction, as a phase runs them.
async fn run(db: &TestDb, statements: &[Statement]) {
    let mut sql = String::from("BEGIN;\n");
    for statement in statements {
        sql.push_str(&statement.sql);
        sql.push_str(";\n");
    }
    sql.push_str("COMMIT;");
    db.execute(&sql).await;
}

async fn drop_databases(databases: &[TestDb]) {
    let admin = connect(&server().admin_url).await;
    for db in databases {
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", db.name))
            .await
            .unwrap_or_else(|e| panic!("dropping {}: {e}", db.name));
    }
}

fn public(name: &str) -> TableRef {
    TableRef::new("public", name)
}

fn orders() -> TableRef {
    public("orders")
}

#[tokio::test(flavor = "multi_thread")]
async fn schemas_and_extensions() {
    round_trip("", "CREATE SCHEMA \"Billing\";", |_, _| {
        Change::CreateSchema(CreateSchema {
            schema: "Billing".to_owned(),
        })
    })
    .await;
    round_trip(
        "CREATE SCHEMA archive; COMMENT ON SCHEMA archive IS 'old';",
        "DROP SCHEMA archive;",
        |_, _| {
            Change::DropSchema(DropSchema {
                schema: "archive".to_owned(),
            })
        },
    )
    .await;
    round_trip("", "CREATE EXTENSION pg_trgm;", |_, desired| {
        Change::CreateExtension(CreateExtension {
            name: "pg_trgm".to_owned(),
            extension: desired.extensions["pg_trgm"].clone(),
        })
    })
    .await;
    round_trip(
        "CREATE EXTENSION pg_trgm;",
        "DROP EXTENSION pg_trgm;",
        |live, _| {
            Change::DropExtension(DropExtension {
                name: "pg_trgm".to_owned(),
                extension: live.extensions["pg_trgm"].clone(),
            })
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn types() {
    round_trip(
        "",
        "CREATE TYPE public.status AS ENUM ('new', 'it''s paid'); COMMENT ON TYPE public.status IS 'where';",
        |_, desired| Change::CreateType(CreateType {
            name: public("status"),
            definition: TypeDefinition::Enum(desired.namespaces["public"].enums["status"].clone()),
        }),
    )
    .await;
    round_trip(
        "CREATE DOMAIN public.\"Positive\" AS integer NOT NULL CONSTRAINT positive CHECK (VALUE > 0);",
        "DROP DOMAIN public.\"Positive\";",
        |live, _| Change::DropType(DropType {
            name: public("Positive"),
            definition: TypeDefinition::Domain(
                live.namespaces["public"].domains["Positive"].clone(),
            ),
        }),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sequences() {
    round_trip(
        "",
        "CREATE SEQUENCE public.numbers START 1000 OWNED BY public.orders.number;",
        |_, desired| {
            Change::CreateSequence(CreateSequence {
                name: public("numbers"),
                sequence: desired.namespaces["public"].sequences["numbers"].clone(),
            })
        },
    )
    .await;
    round_trip(
        "CREATE SEQUENCE public.numbers AS integer;",
        "ALTER SEQUENCE public.numbers AS bigint INCREMENT BY 5 CACHE 10 CYCLE OWNED BY public.orders.number;",
        |live, desired| Change::AlterSequence(AlterSequence {
            name: public("numbers"),
            from: live.namespaces["public"].sequences["numbers"].clone(),
            to: desired.namespaces["public"].sequences["numbers"].clone(),
        }),
    )
    .await;
    round_trip(
        "CREATE SEQUENCE public.numbers INCREMENT 2 OWNED BY public.orders.number;",
        "DROP SEQUENCE public.numbers;",
        |live, _| {
            Change::DropSequence(DropSequence {
                name: public("numbers"),
                sequence: live.namespaces["public"].sequences["numbers"].clone(),
            })
        },
    )
    .await;
}

const TOTALS: &str = "CREATE MATERIALIZED VIEW public.totals AS SELECT day, sum(total) AS total FROM public.orders GROUP BY day;
     CREATE UNIQUE INDEX totals_day ON public.totals (day);";

#[tokio::test(flavor = "multi_thread")]
async fn views() {
    let view = |schema: &Schema, name: &str| schema.namespaces["public"].views[name].clone();
    round_trip(
        "",
        "CREATE VIEW public.notes WITH (security_invoker = true) AS SELECT id, note FROM public.orders;
         COMMENT ON VIEW public.notes IS 'notes';",
        |_, desired| Change::CreateView(CreateView { view: public("notes"), definition: view(desired, "notes") }),
    )
    .await;
    round_trip(
        TOTALS,
        "DROP MATERIALIZED VIEW public.totals;",
        |live, _| {
            Change::DropView(DropView {
                view: public("totals"),
                definition: view(live, "totals"),
            })
        },
    )
    .await;
    round_trip(
        "CREATE VIEW public.notes AS SELECT id, note FROM public.orders;",
        "DROP VIEW public.notes; CREATE VIEW public.notes AS SELECT note, id FROM public.orders;",
        |live, desired| {
            Change::ReplaceView(ReplaceView {
                view: public("notes"),
                from: view(live, "notes"),
                to: view(desired, "notes"),
            })
        },
    )
    .await;
    round_trip(
        TOTALS,
        "DROP MATERIALIZED VIEW public.totals;
         CREATE MATERIALIZED VIEW public.totals AS SELECT day, count(*) AS n FROM public.orders GROUP BY day;
         CREATE UNIQUE INDEX totals_day ON public.totals (day);
         COMMENT ON MATERIALIZED VIEW public.totals IS 'per day';",
        |live, desired| Change::ReplaceView(ReplaceView {
            view: public("totals"),
            from: view(live, "totals"),
            to: view(desired, "totals"),
        }),
    )
    .await;
    round_trip(
        "CREATE VIEW public.notes AS SELECT id, note FROM public.orders;",
        "DROP VIEW public.notes; CREATE MATERIALIZED VIEW public.notes AS SELECT id, note FROM public.orders;",
        |live, desired| Change::ReplaceView(ReplaceView {
            view: public("notes"),
            from: view(live, "notes"),
            to: view(desired, "notes"),
        }),
    )
    .await;
    round_trip(
        "CREATE VIEW public.notes AS SELECT id, note FROM public.orders;",
        "COMMENT ON VIEW public.notes IS 'recreated';",
        |live, desired| {
            Change::RecreateView(RecreateView {
                view: public("notes"),
                live: view(live, "notes"),
                desired: view(desired, "notes"),
                columns: vec![(orders(), "note".to_owned())],
            })
        },
    )
    .await;
}

/// The function's key in the model: its name and identity arguments, names included.
const KEY: &str = "total(o bigint)";

const TOTAL_FN: &str = "CREATE FUNCTION public.total(o bigint) RETURNS numeric LANGUAGE sql STABLE
     AS $$ SELECT total FROM public.orders WHERE id = o $$;";

#[tokio::test(flavor = "multi_thread")]
async fn functions() {
    let function = |schema: &Schema| schema.namespaces["public"].functions[KEY].clone();
    round_trip(
        "",
        &format!("{TOTAL_FN} COMMENT ON FUNCTION public.total(bigint) IS 'its total';"),
        |_, desired| {
            Change::CreateFunction(CreateFunction {
                schema: "public".to_owned(),
                key: KEY.to_owned(),
                function: function(desired),
            })
        },
    )
    .await;
    round_trip(
        TOTAL_FN,
        "DROP FUNCTION public.total(bigint);",
        |live, _| {
            Change::DropFunction(DropFunction {
                schema: "public".to_owned(),
                key: KEY.to_owned(),
                function: function(live),
            })
        },
    )
    .await;
    for replacement in [
        "CREATE OR REPLACE FUNCTION public.total(o bigint) RETURNS numeric LANGUAGE sql STABLE
         AS $$ SELECT coalesce(total, 0) FROM public.orders WHERE id = o $$;",
        "DROP FUNCTION public.total(bigint);
         CREATE FUNCTION public.total(o bigint) RETURNS bigint LANGUAGE sql STABLE
         AS $$ SELECT total::bigint FROM public.orders WHERE id = o $$;",
    ] {
        round_trip(TOTAL_FN, replacement, |live, desired| {
            Change::ReplaceFunction(ReplaceFunction {
                schema: "public".to_owned(),
                key: KEY.to_owned(),
                from: function(live),
                to: function(desired),
            })
        })
        .await;
    }
}

const TOUCH: &str = "CREATE TRIGGER touch BEFORE UPDATE ON public.orders FOR EACH ROW EXECUTE FUNCTION public.touch();";

#[tokio::test(flavor = "multi_thread")]
async fn triggers_comments_and_policies() {
    let trigger = |schema: &Schema| schema.table(&orders()).unwrap().triggers[0].clone();
    let policy =
        |schema: &Schema| schema.table(&orders()).unwrap().row_security.policies[0].clone();
    round_trip(
        "",
        &format!("{TOUCH} ALTER TABLE public.orders DISABLE TRIGGER touch;"),
        |_, desired| {
            Change::CreateTrigger(CreateTrigger {
                table: orders(),
                trigger: trigger(desired),
            })
        },
    )
    .await;
    round_trip(TOUCH, "DROP TRIGGER touch ON public.orders;", |live, _| {
        Change::DropTrigger(DropTrigger {
            table: orders(),
            trigger: trigger(live),
        })
    })
    .await;
    for desired in [
        "DROP TRIGGER touch ON public.orders;
         CREATE TRIGGER touch BEFORE INSERT OR UPDATE ON public.orders FOR EACH ROW EXECUTE FUNCTION public.touch();",
        "ALTER TABLE public.orders DISABLE TRIGGER touch;",
    ] {
        round_trip(TOUCH, desired, |live, desired| Change::ReplaceTrigger(ReplaceTrigger {
            table: orders(),
            from: trigger(live),
            to: trigger(desired),
        }))
        .await;
    }
    round_trip(
        "COMMENT ON COLUMN public.orders.note IS 'old';",
        "COMMENT ON COLUMN public.orders.note IS 'it''s new';",
        |_, _| {
            Change::SetComment(SetComment {
                target: CommentTarget::Column(orders(), "note".to_owned()),
                from: Some("old".to_owned()),
                to: Some("it's new".to_owned()),
            })
        },
    )
    .await;
    const POLICY: &str = "CREATE POLICY mine ON public.orders AS RESTRICTIVE FOR UPDATE TO public
         USING (user_id = 1) WITH CHECK (user_id = 1);";
    round_trip("", POLICY, |_, desired| {
        Change::CreatePolicy(CreatePolicy {
            table: orders(),
            policy: policy(desired),
        })
    })
    .await;
    round_trip(POLICY, "DROP POLICY mine ON public.orders;", |live, _| {
        Change::DropPolicy(DropPolicy {
            table: orders(),
            policy: policy(live),
        })
    })
    .await;
}
