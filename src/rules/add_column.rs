//! `add-column`: a new column on an existing table: a plain add, a volatile default that would
//! rewrite the table, or a NOT NULL column that existing rows must be filled for.

use crate::ddl;
use crate::decide::{ChoiceId, Comparison, Condition, Fact, FactId, FactTest, FactValue};
use crate::decide::{InputKind, Origin, Question, QuestionId};
use crate::diff::change;
use crate::schema::{Column, TableRef};
use crate::sql::{quote_ident, quote_qualified};
use crate::step::{Backfill, BackfillOperation, Phase, Rollback, Statement, Step};

use super::drop_column::drop_column;
use super::set_default::{drop_default, set_default};
use super::set_not_null::{SetNotNull, filled_while_running};
use super::{Assessment, Context, Cost, Decisions, Explanation, Rule, choice};
use crate::step::{Lock, Work};

/// The question: how existing rows get a value for a new NOT NULL column without a default.
pub const FILL: &str = "add-column/fill";
/// A fact: the table's estimated rows.
pub const ROWS: &str = "rows";

/// Functions whose value changes per row: a default calling one makes `ADD COLUMN` rewrite
/// the table. (`now()` and friends are stable: evaluated once, no rewrite.)
const VOLATILE_FUNCTIONS: &[&str] = &[
    "random(",
    "random_normal(",
    "clock_timestamp(",
    "timeofday(",
    "gen_random_uuid(",
    "gen_random_bytes(",
    "uuid_generate_v1",
    "uuid_generate_v4",
    "uuidv4(",
    "uuidv7(",
    "nextval(",
    "txid_current(",
    "pg_current_xact_id(",
    "setseed(",
];

pub struct AddColumn;

const EXPLANATION: Explanation = Explanation {
    title: "A column is added",
    risk: "ADD COLUMN is a brief catalog update when the default is constant, but a volatile \
           default (random(), clock_timestamp(), gen_random_uuid(), nextval()) rewrites the \
           whole table under ACCESS EXCLUSIVE, and a NOT NULL column without a default fails on \
           a table with rows. Identity and stored generated columns rewrite the table too.",
    instead: "Add the column without the volatile default, SET DEFAULT for new rows, backfill \
              existing rows in batches; for NOT NULL, fill existing rows (a temporary constant \
              default, or a backfill and a validated check).",
    rollback: "DROP COLUMN, losing whatever was written to it.",
};

/// How the column can be added.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// One `ADD COLUMN`, a catalog update only.
    Plain,
    /// Identity or stored generated: PostgreSQL fills every row, rewriting the table.
    Rewrites,
    /// A default PostgreSQL must evaluate per row.
    VolatileDefault,
    /// NOT NULL, no default: existing rows need a value.
    NeedsFill,
}

fn shape(column: &Column) -> Shape {
    if column.identity.is_some() || column.generated.is_some() {
        Shape::Rewrites
    } else if column.default.as_deref().is_some_and(is_volatile) {
        Shape::VolatileDefault
    } else if !column.nullable && column.default.is_none() {
        Shape::NeedsFill
    } else {
        Shape::Plain
    }
}

/// Whether a default expression calls a function known to be volatile.
#[must_use]
pub fn is_volatile(expression: &str) -> bool {
    let text = expression.to_ascii_lowercase().replace(' ', "");
    VOLATILE_FUNCTIONS.iter().any(|f| text.contains(f))
}

impl Rule for AddColumn {
    type Change = change::AddColumn;

    fn explanation(&self) -> &'static Explanation {
        &EXPLANATION
    }

    fn assess(&self, change: &Self::Change, context: &Context) -> Assessment {
        let Self::Change { table, column } = change;
        let rows = super::rows_text(context.rows(table));
        let (cost, what) = match shape(column) {
            Shape::Plain => (
                Cost::metadata(Lock::AccessExclusive),
                "a brief catalog update".to_owned(),
            ),
            Shape::Rewrites | Shape::VolatileDefault => (
                Cost {
                    work: Work::Rewrite,
                    ..Cost::metadata(Lock::AccessExclusive)
                },
                format!("rewrites {rows} under ACCESS EXCLUSIVE"),
            ),
            Shape::NeedsFill => (
                Cost {
                    can_fail_on_data: true,
                    ..Cost::metadata(Lock::AccessExclusive)
                },
                format!("NOT NULL without a default fails unless the table is empty ({rows})"),
            ),
        };
        Assessment {
            rule: self.id(),
            cost,
            summary: format!("{}.{} is added: {what}", table.name, column.name),
        }
    }

    fn facts(&self, change: &Self::Change, context: &Context) -> Vec<Fact> {
        let Self::Change { table, .. } = change;
        context
            .rows(table)
            .map(|rows| Fact {
                id: FactId::from_static(ROWS),
                value: FactValue::Count(rows),
                origin: Origin::Estimate {
                    source: "pg_class.reltuples".to_owned(),
                },
            })
            .into_iter()
            .collect()
    }

    fn questions(&self, change: &Self::Change, context: &Context) -> Vec<Question> {
        let Self::Change { table, column } = change;
        if shape(column) != Shape::NeedsFill {
            return Vec::new();
        }
        vec![Question {
            id: QuestionId::from_static(FILL),
            change: change.id(),
            prompt: format!(
                "{}.{} is added NOT NULL without a default, and {} has {}. What do existing \
                 rows get?",
                table.name,
                column.name,
                table.name,
                super::rows_text(context.rows(table))
            ),
            why: "PostgreSQL refuses a NOT NULL column without a default on a table with rows."
                .to_owned(),
            facts: self.facts(change, context),
            choices: vec![
                choice(
                    "expect-empty",
                    "Nothing: the table is empty",
                    "The column is added NOT NULL directly; the expand phase fails if the table \
                     has rows.",
                    None,
                ),
                choice(
                    "default",
                    "A constant for every existing row",
                    "Added with the constant as a temporary default (no rewrite), which is \
                     dropped right after, or while the application runs, after the deploy gate.",
                    Some(InputKind::Expression),
                ),
                choice(
                    "backfill",
                    "An expression computed per row",
                    "Added nullable, backfilled in batches, then NOT NULL through a validated \
                     check.",
                    Some(InputKind::Expression),
                ),
            ],
            default: Some(ChoiceId::from_static("expect-empty")),
            // Not asked when the statistics say the table is empty.
            when: Condition::Not(Box::new(Condition::Fact(FactTest {
                fact: FactId::from_static(ROWS),
                op: Comparison::Eq,
                value: 0,
            }))),
        }]
    }

    fn steps(&self, change: &Self::Change, context: &Context, decisions: &Decisions) -> Vec<Step> {
        let Self::Change { table, column } = change;
        let rows = context.rows(table);
        match shape(column) {
            Shape::Plain => vec![add_step(table, column, Work::Metadata, rows)],
            Shape::Rewrites => vec![add_step(table, column, Work::Rewrite, rows)],
            Shape::VolatileDefault if decisions.zero_downtime() => {
                volatile_default_steps(table, column, context, decisions)
            }
            Shape::VolatileDefault => vec![add_step(table, column, Work::Rewrite, rows)],
            Shape::NeedsFill => fill_steps(table, column, context, decisions),
        }
    }
}

fn target(table: &TableRef) -> String {
    quote_qualified(&table.schema, &table.name)
}

/// `ADD COLUMN IF NOT EXISTS` with the whole definition, and its comment.
fn add_statements(
    table: &TableRef,
    column: &Column,
    work: Work,
    rows: Option<u64>,
) -> Vec<Statement> {
    let note = match work {
        Work::Metadata => "brief, metadata only",
        _ => {
            "PostgreSQL computes the column for every row: the table is rewritten while reads \
              and writes wait"
        }
    };
    let add = Statement::new(
        format!(
            "ALTER TABLE {} ADD COLUMN IF NOT EXISTS {}",
            target(table),
            ddl::column_definition(column)
        ),
        Lock::AccessExclusive,
        note,
    );
    let add = if work == Work::Metadata {
        add
    } else {
        add.doing(work, rows)
    };
    let name = format!("{}.{}", target(table), quote_ident(&column.name));
    let mut out = vec![add];
    out.extend(
        ddl::comment("COLUMN", &name, column.comment.as_deref())
            .map(|sql| Statement::new(sql, Lock::AccessExclusive, "comment")),
    );
    out
}

fn drop_back(table: &TableRef, column: &Column) -> Rollback {
    Rollback::partial(
        vec![drop_column(table, &column.name)],
        format!("values written to {}.{} are lost", table.name, column.name),
    )
}

fn add_step(table: &TableRef, column: &Column, work: Work, rows: Option<u64>) -> Step {
    Step::sql(
        Phase::Expand,
        add_statements(table, column, work, rows),
        drop_back(table, column),
    )
}

/// Added bare (nullable, no default), then SET DEFAULT for new rows, a backfill of the default
/// for existing rows, and NOT NULL through a validated check when desired.
fn volatile_default_steps(
    table: &TableRef,
    column: &Column,
    context: &Context,
    decisions: &Decisions,
) -> Vec<Step> {
    let Some(default) = column.default.as_deref() else {
        return Vec::new();
    };
    let bare = Column {
        default: None,
        nullable: true,
        ..column.clone()
    };
    let mut statements = add_statements(table, &bare, Work::Metadata, None);
    statements.push(set_default(table, &column.name, default));
    let mut steps = vec![Step::sql(
        Phase::Expand,
        statements,
        drop_back(table, column),
    )];
    steps.push(backfill(table, column, default, context.rows(table)));
    if !column.nullable {
        steps.extend(not_null_steps(table, column, context, decisions));
    }
    steps
}

fn fill_steps(
    table: &TableRef,
    column: &Column,
    context: &Context,
    decisions: &Decisions,
) -> Vec<Step> {
    let rows = context.rows(table);
    let input = decisions.input(FILL);
    match (decisions.choice(FILL), input) {
        (Some("default"), Some(constant)) => {
            let with_default = Column {
                default: Some(constant.into()),
                ..column.clone()
            };
            let work = if is_volatile(constant) {
                Work::Rewrite
            } else {
                Work::Metadata
            };
            let mut statements = add_statements(table, &with_default, work, rows);
            if !decisions.zero_downtime() {
                statements.push(drop_default(table, &column.name));
            }
            let mut steps = vec![Step::sql(
                Phase::Expand,
                statements,
                drop_back(table, column),
            )];
            if decisions.zero_downtime() {
                steps.extend(default_dropped_after_deploy(table, column, constant));
            }
            steps
        }
        (Some("backfill"), Some(expression)) => {
            let nullable = Column {
                nullable: true,
                ..column.clone()
            };
            let mut steps = vec![add_step(table, &nullable, Work::Metadata, rows)];
            let backfill = backfill(table, column, expression, rows);
            if decisions.zero_downtime() {
                steps.extend(filled_while_running(
                    table, column, expression, rows, backfill,
                ));
            } else {
                steps.push(backfill);
                steps.extend(not_null_steps(table, column, context, decisions));
            }
            steps
        }
        _ => vec![add_step(table, column, Work::Metadata, rows)],
    }
}

/// While the application runs, the temporary default stays until every running version
/// writes the column: code written before the change inserts rows without it, and without the
/// default those inserts would fail on NOT NULL.
fn default_dropped_after_deploy(table: &TableRef, column: &Column, constant: &str) -> Vec<Step> {
    vec![
        Step::gate(format!(
            "Every running version of the application writes {}.{} on insert: its temporary \
             default ({constant}) is dropped next.",
            table.name, column.name
        )),
        Step::sql(
            Phase::Contract,
            vec![drop_default(table, &column.name)],
            Rollback::by(vec![set_default(table, &column.name, constant)]),
        ),
    ]
}

fn backfill(table: &TableRef, column: &Column, expression: &str, rows: Option<u64>) -> Step {
    let name = quote_ident(&column.name);
    Step::backfill(Backfill {
        table: table.clone(),
        operation: BackfillOperation::Update {
            assignments: format!("{name} = {expression}"),
        },
        pending: format!("{name} IS NULL"),
        rows,
        note: format!("fill {} of existing rows with {expression}", column.name),
        rollback: Rollback::partial(
            Vec::new(),
            "nothing to undo here: rolling back the expand phase drops the column",
        ),
    })
}

/// NOT NULL the careful way, as the set-not-null rule plans it.
fn not_null_steps(
    table: &TableRef,
    column: &Column,
    context: &Context,
    decisions: &Decisions,
) -> Vec<Step> {
    let change = change::SetNotNull {
        table: table.clone(),
        column: column.clone(),
    };
    SetNotNull.steps(&change, context, decisions)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::test_support::Fixture;
    use super::*;
    use crate::decide::next_question;

    const LIVE: &str =
        "schemas:\n  public:\n    tables:\n      orders:\n        columns:\n          id: bigint\n";

    fn desired(column: &str) -> String {
        format!("{LIVE}          {column}\n")
    }

    fn change(fixture: &Fixture, name: &str) -> change::AddColumn {
        let table = TableRef::new("public", "orders");
        let column = fixture
            .desired
            .table(&table)
            .unwrap()
            .column(name)
            .unwrap()
            .clone();
        change::AddColumn { table, column }
    }

    #[test]
    fn a_nullable_column_is_one_brief_statement() {
        let fixture = Fixture::new(
            LIVE,
            &desired("note: { type: text, comment: \"free text\" }"),
        );
        insta::assert_snapshot!(fixture.steps_text(&AddColumn, &change(&fixture, "note")), @r"
        == expand (InTransaction)
        ALTER TABLE public.orders ADD COLUMN IF NOT EXISTS note text;  -- ACCESS EXCLUSIVE, metadata only
        COMMENT ON COLUMN public.orders.note IS 'free text';  -- ACCESS EXCLUSIVE, metadata only
        rollback: ALTER TABLE public.orders DROP COLUMN IF EXISTS note;
        rollback warning: values written to orders.note are lost
        ");
    }

    #[test]
    fn a_volatile_default_is_set_after_the_add_and_backfilled() {
        let fixture = Fixture::new(
            LIVE,
            &desired("token: { type: uuid, default: gen_random_uuid(), nullable: false }"),
        )
        .with_rows(&[("public.orders", 20_000)]);
        insta::assert_snapshot!(fixture.steps_text(&AddColumn, &change(&fixture, "token")), @"
        == expand (InTransaction)
        ALTER TABLE public.orders ADD COLUMN IF NOT EXISTS token uuid;  -- ACCESS EXCLUSIVE, metadata only
        ALTER TABLE public.orders ALTER COLUMN token SET DEFAULT gen_random_uuid();  -- ACCESS EXCLUSIVE, metadata only
        rollback: ALTER TABLE public.orders DROP COLUMN IF EXISTS token;
        rollback warning: values written to orders.token are lost
        == backfill (InTransaction)
        backfill public.orders update set token = gen_random_uuid() where token IS NULL
        rollback warning: nothing to undo here: rolling back the expand phase drops the column
        == validate (InTransaction)
        DO $guard$
        BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.orders'::regclass AND conname = 'orders_token_not_null') THEN
            ALTER TABLE public.orders ADD CONSTRAINT orders_token_not_null CHECK (token IS NOT NULL) NOT VALID;
          END IF;
        END
        $guard$;  -- ACCESS EXCLUSIVE, metadata only
        rollback: ALTER TABLE public.orders DROP CONSTRAINT IF EXISTS orders_token_not_null;
        == validate (InTransaction)
        DO $guard$
        BEGIN
          IF EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.orders'::regclass AND conname = 'orders_token_not_null') THEN
            ALTER TABLE public.orders VALIDATE CONSTRAINT orders_token_not_null;
          END IF;
        END
        $guard$;  -- SHARE UPDATE EXCLUSIVE, scans the table
        rollback: ALTER TABLE public.orders DROP CONSTRAINT IF EXISTS orders_token_not_null;
        rollback: DO $guard$
        BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.orders'::regclass AND conname = 'orders_token_not_null') THEN
            ALTER TABLE public.orders ADD CONSTRAINT orders_token_not_null CHECK (token IS NOT NULL) NOT VALID;
          END IF;
        END
        $guard$;
        == validate (InTransaction)
        ALTER TABLE public.orders ALTER COLUMN token SET NOT NULL;  -- ACCESS EXCLUSIVE, metadata only
        ALTER TABLE public.orders DROP CONSTRAINT IF EXISTS orders_token_not_null;  -- ACCESS EXCLUSIVE, metadata only
        rollback: ALTER TABLE public.orders ALTER COLUMN token DROP NOT NULL;
        rollback: DO $guard$
        BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.orders'::regclass AND conname = 'orders_token_not_null') THEN
            ALTER TABLE public.orders ADD CONSTRAINT orders_token_not_null CHECK (token IS NOT NULL) NOT VALID;
          END IF;
        END
        $guard$;
        rollback: DO $guard$
        BEGIN
          IF EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.orders'::regclass AND conname = 'orders_token_not_null') THEN
            ALTER TABLE public.orders VALIDATE CONSTRAINT orders_token_not_null;
          END IF;
        END
        $guard$;
        ");
    }

    #[test]
    fn a_window_adds_a_volatile_default_directly() {
        let fixture = Fixture::new(
            LIVE,
            &desired("token: { type: uuid, default: gen_random_uuid() }"),
        )
        .window()
        .with_rows(&[("public.orders", 20_000)]);
        insta::assert_snapshot!(fixture.steps_text(&AddColumn, &change(&fixture, "token")), @r"
        == expand (InTransaction)
        ALTER TABLE public.orders ADD COLUMN IF NOT EXISTS token uuid DEFAULT gen_random_uuid();  -- ACCESS EXCLUSIVE, rewrites the table
        rollback: ALTER TABLE public.orders DROP COLUMN IF EXISTS token;
        rollback warning: values written to orders.token are lost
        ");
    }

    #[test]
    fn a_constant_fill_is_a_temporary_default() {
        let fixture = Fixture::new(LIVE, &desired("region: { type: text, nullable: false }"));
        let change = change(&fixture, "region");
        let fixture = fixture.answer(&change, FILL, "default", Some("'eu'"));
        insta::assert_snapshot!(fixture.steps_text(&AddColumn, &change), @"
        == expand (InTransaction)
        ALTER TABLE public.orders ADD COLUMN IF NOT EXISTS region text DEFAULT 'eu' NOT NULL;  -- ACCESS EXCLUSIVE, metadata only
        rollback: ALTER TABLE public.orders DROP COLUMN IF EXISTS region;
        rollback warning: values written to orders.region are lost
        == deploy (InTransaction)
        gate: Every running version of the application writes orders.region on insert: its temporary default ('eu') is dropped next.
        == contract (InTransaction)
        ALTER TABLE public.orders ALTER COLUMN region DROP DEFAULT;  -- ACCESS EXCLUSIVE, metadata only
        rollback: ALTER TABLE public.orders ALTER COLUMN region SET DEFAULT 'eu';
        ");
    }

    #[test]
    fn a_fill_expression_is_backfilled_then_validated() {
        let fixture = Fixture::new(LIVE, &desired("region: { type: text, nullable: false }"));
        let change = change(&fixture, "region");
        let fixture = fixture.answer(&change, FILL, "backfill", Some("'eu-' || id"));
        let text = fixture.steps_text(&AddColumn, &change);
        let phases: Vec<&str> = text.lines().filter(|l| l.starts_with("== ")).collect();
        assert_eq!(
            phases,
            [
                "== expand (InTransaction)",
                "== expand (InTransaction)",
                "== expand (InTransaction)",
                "== backfill (InTransaction)",
                "== validate (InTransaction)",
                "== validate (InTransaction)",
                "== deploy (InTransaction)",
                "== contract (InTransaction)"
            ]
        );
        // Rows written by code that does not know the column yet are filled by the trigger,
        // until the gate.
        assert!(
            text.contains("NEW.region := (SELECT 'eu-' || id FROM (SELECT NEW.*) AS orders);"),
            "{text}"
        );
        assert!(
            text.contains("DROP TRIGGER IF EXISTS orders_region_fill ON public.orders;"),
            "{text}"
        );
        assert!(
            text.contains("ADD COLUMN IF NOT EXISTS region text;"),
            "{text}"
        );
        assert!(
            text.contains("update set region = 'eu-' || id where region IS NULL"),
            "{text}"
        );
    }

    #[test]
    fn the_fill_question_is_skipped_for_an_empty_table_and_defaults_without_input() {
        let fixture = Fixture::new(LIVE, &desired("region: { type: text, nullable: false }"));
        let change = change(&fixture, "region");
        let questions = AddColumn.questions(&change, &fixture.context());
        assert_eq!(
            next_question(&questions, &fixture.facts, &fixture.answers).map(|q| q.id.as_str()),
            Some(FILL)
        );
        let default = questions[0]
            .choice(questions[0].default.as_ref().unwrap())
            .unwrap();
        assert!(default.input.is_none());
        let empty = fixture.with_rows(&[("public.orders", 0)]);
        let mut facts = empty.facts.clone();
        for fact in AddColumn.facts(&change, &empty.context()) {
            facts.insert(&change.id(), fact);
        }
        assert!(next_question(&questions, &facts, &empty.answers).is_none());
        let text = empty.steps_text(&AddColumn, &change);
        assert!(
            text.contains("ADD COLUMN IF NOT EXISTS region text NOT NULL;"),
            "{text}"
        );
    }

    #[test]
    fn volatile_defaults_are_recognised_and_stable_ones_are_not() {
        assert!(is_volatile("gen_random_uuid()"));
        assert!(is_volatile("nextval('orders_id_seq'::regclass)"));
        assert!(is_volatile("public.uuid_generate_v4()"));
        assert!(!is_volatile("now()"));
        assert!(!is_volatile("'pending'::text"));
    }

    #[test]
    fn identity_columns_are_assessed_as_rewrites() {
        let fixture = Fixture::new(LIVE, &desired("seq: { type: bigint, identity: always }"));
        let assessment = AddColumn.assess(&change(&fixture, "seq"), &fixture.context());
        assert_eq!(assessment.cost.work, Work::Rewrite);
    }
}
