//! `set-not-null`: an existing column becomes NOT NULL.

use crate::decide::{Choice, ChoiceId, Comparison, Condition, Fact, FactTest, FactValue, Origin};
use crate::decide::{FactId, InputKind, Question, QuestionId};
use crate::diff::change;
use crate::schema::names::make_object_name;
use crate::schema::{Column, TableRef};
use crate::sql::{quote_ident, quote_qualified};
use crate::step::guard;
use crate::step::precondition::{self, Check};
use crate::step::{Backfill, BackfillOperation, Phase, Rollback, Statement, Step};

use super::column_fill::Fill;
use super::{Assessment, Context, Cost, Count, Decisions, Explanation, Rows, Rule};
use crate::step::{Lock, Work};

/// The question: what to do with rows that are NULL now.
pub const NULLS: &str = "set-not-null/nulls";
/// The choice filling NULLs with the column's desired DEFAULT.
pub const FILL_DEFAULT: &str = "fill-default";
/// A fact: rows where the column is NULL, when they were counted.
pub const NULL_COUNT: &str = "nulls";

pub struct SetNotNull;

const EXPLANATION: Explanation = Explanation {
    title: "A column becomes NOT NULL",
    risk: "SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock, blocking reads and \
           writes for as long as the scan takes, and fails if any row is NULL.",
    instead: "Add CHECK (column IS NOT NULL) NOT VALID (brief lock), fill the NULLs if asked, \
              VALIDATE the check (SHARE UPDATE EXCLUSIVE: reads and writes go on), then SET NOT \
              NULL, which uses the validated check instead of scanning, and drop the check.",
    rollback: "DROP NOT NULL. Values filled in by a backfill stay filled.",
};

impl Rule for SetNotNull {
    type Change = change::SetNotNull;

    fn explanation(&self) -> &'static Explanation {
        &EXPLANATION
    }

    fn count(&self, change: &Self::Change) -> Option<Count> {
        let Self::Change { table, column } = change;
        Some(Count {
            what: format!("NULLs in {}.{}", table.name, column.name),
            label: "NULLs",
            rows: Rows::Nulls {
                table: table.clone(),
                column: column.name.to_string(),
            },
        })
    }

    fn assess(&self, change: &Self::Change, context: &Context) -> Assessment {
        let Self::Change { table, column } = change;
        let rows = context.rows(table);
        Assessment {
            rule: self.id(),
            cost: Cost {
                work: Work::Scan,
                can_fail_on_data: true,
                ..Cost::metadata(Lock::AccessExclusive)
            },
            summary: format!(
                "{}.{} becomes NOT NULL: a direct SET NOT NULL scans {} under ACCESS EXCLUSIVE \
                 and fails while NULLs remain",
                table.name,
                column.name,
                super::rows_text(rows)
            ),
        }
    }

    fn questions(&self, change: &Self::Change, context: &Context) -> Vec<Question> {
        let Self::Change { table, column } = change;
        let nulls = context.fact(&change.id(), NULL_COUNT);
        let known = context.count_text(&change.id(), NULL_COUNT, "NULL");
        let mut choices = vec![
            Choice {
                id: ChoiceId::from_static("fix-first"),
                label: "Fix them before validating".to_owned(),
                consequence: "No backfill; the preconditions file stops the plan while NULLs \
                              remain."
                    .to_owned(),
                input: None,
            },
            Choice {
                id: ChoiceId::from_static("fill"),
                label: "Fill them with an expression".to_owned(),
                consequence: "The backfill phase sets every NULL to the expression.".to_owned(),
                input: Some(InputKind::Expression),
            },
        ];
        let declared = declared_default(context, table, &column.name);
        if let Some(default) = declared {
            choices.push(Choice {
                id: ChoiceId::from_static(FILL_DEFAULT),
                label: format!("Fill them with the column's DEFAULT {default}"),
                consequence: "The backfill phase sets every NULL to the DEFAULT the desired \
                              schema gives the column."
                    .to_owned(),
                input: None,
            });
        }
        // The desired schema saying what a missing value is makes filling with it the default;
        // otherwise a fill would invent values, so none is the default once NULLs are counted.
        let default = if declared.is_some() && super::counted_some(nulls) {
            Some(ChoiceId::from_static(FILL_DEFAULT))
        } else {
            super::default_unless_found(nulls, "fix-first")
        };
        vec![Question {
            id: QuestionId::from_static(NULLS),
            change: change.id(),
            prompt: format!(
                "{}.{} becomes NOT NULL ({known}). What happens to rows that are NULL?",
                table.name, column.name
            ),
            why: "Validation fails while any row is NULL. A fill expression backfills them \
                  first; otherwise they must be fixed before the plan runs."
                .to_owned(),
            facts: nulls.cloned().into_iter().collect(),
            choices,
            default,
            // Asked unless a count found no NULL.
            when: Condition::Not(Box::new(Condition::Fact(FactTest {
                fact: FactId::from_static(NULL_COUNT),
                op: Comparison::Eq,
                value: 0,
            }))),
        }]
    }

    fn preconditions(&self, change: &Self::Change, decisions: &Decisions) -> Vec<Check> {
        let Self::Change { table, column } = change;
        // A fill leaves no NULL behind, so there is nothing to check first.
        if matches!(decisions.choice(NULLS), Some("fill" | FILL_DEFAULT)) {
            return Vec::new();
        }
        vec![precondition::nulls(&change.id(), table, &column.name)]
    }

    fn steps(&self, change: &Self::Change, context: &Context, decisions: &Decisions) -> Vec<Step> {
        let Self::Change { table, column } = change;
        let rows = context.rows(table);
        let fill = match decisions.choice(NULLS) {
            Some("fill") => decisions.input(NULLS),
            Some(FILL_DEFAULT) => declared_default(context, table, &column.name),
            _ => None,
        };
        match fill {
            Some(expression) if decisions.zero_downtime() => filled_while_running(
                table,
                column,
                expression,
                rows,
                fill_nulls(table, column, expression, rows),
            ),
            Some(expression) => vec![
                fill_nulls(table, column, expression, rows),
                set_directly(table, column, rows),
            ],
            None if decisions.zero_downtime() => {
                checked_while_running(table, column, &check_name(table, column), rows)
            }
            None => vec![set_directly(table, column, rows)],
        }
    }
}

/// NOT NULL while the application runs, the NULLs filled: the fill trigger and the NOT VALID
/// check in the expand phase (every row written from then on is filled, so the check never
/// fails a write), the backfill, the validation and SET NOT NULL, and after the deploy gate
/// the trigger dropped.
/// `backfill` is the step that fills the existing rows.
pub(crate) fn filled_while_running(
    table: &TableRef,
    column: &Column,
    expression: &str,
    rows: Option<u64>,
    backfill: Step,
) -> Vec<Step> {
    let check = check_name(table, column);
    let fill = Fill {
        table,
        column: &column.name,
        expression,
    };
    let mut steps = vec![
        fill.install(),
        add_check(table, column, &check, rows, Phase::Expand),
        backfill,
    ];
    steps.extend(validate_and_set(table, column, &check, rows));
    steps.extend(fill.remove());
    steps
}

/// NOT NULL while the application runs, the NULLs fixed by someone else: the NOT VALID check
/// is added in the validate phase, right before it is validated, because an enforced check
/// fails every write to a row that is still NULL, and until the validate phase such rows may
/// remain.
pub(crate) fn checked_while_running(
    table: &TableRef,
    column: &Column,
    check: &str,
    rows: Option<u64>,
) -> Vec<Step> {
    let mut steps = vec![add_check(table, column, check, rows, Phase::Validate)];
    steps.extend(validate_and_set(table, column, check, rows));
    steps
}

/// The DEFAULT the desired schema gives `column` of `table`, if any.
fn declared_default<'a>(context: &Context<'a>, table: &TableRef, column: &str) -> Option<&'a str> {
    context
        .desired
        .table(table)?
        .column(column)?
        .default
        .as_deref()
}

/// A counted NULL fact, for whoever counts.
#[must_use]
pub fn null_count_fact(count: u64) -> Fact {
    Fact {
        id: FactId::from_static(NULL_COUNT),
        value: FactValue::Count(count),
        origin: Origin::Counted {
            source: "count(*) WHERE column IS NULL".to_owned(),
        },
    }
}

fn check_name(table: &TableRef, column: &Column) -> String {
    make_object_name(&table.name, Some(&column.name), "not_null")
}

/// The table's name, quoted and schema-qualified, for `ALTER TABLE`.
pub(crate) fn target(table: &TableRef) -> String {
    quote_qualified(&table.schema, &table.name)
}

/// `CHECK (column IS NOT NULL) NOT VALID` named `check`, guarded, in `phase`; rollback drops
/// it.
pub(crate) fn add_check(
    table: &TableRef,
    column: &Column,
    check: &str,
    rows: Option<u64>,
    phase: Phase,
) -> Step {
    let add = format!(
        "ALTER TABLE {} ADD CONSTRAINT {} CHECK ({} IS NOT NULL) NOT VALID",
        target(table),
        quote_ident(check),
        quote_ident(&column.name)
    );
    let sql = guard::when(
        &format!("NOT {}", guard::constraint_exists(table, check)),
        &add,
    );
    let note = format!(
        "new rows must not be NULL from now on; the existing ones ({}) are checked in the validate phase",
        super::rows_text(rows)
    );
    Step::sql(
        phase,
        vec![Statement::new(sql, Lock::AccessExclusive, note)],
        Rollback::by(vec![drop_check(table, check)]),
    )
}

fn fill_nulls(table: &TableRef, column: &Column, expression: &str, rows: Option<u64>) -> Step {
    let name = quote_ident(&column.name);
    Step::backfill(Backfill {
        table: table.clone(),
        operation: BackfillOperation::Update {
            assignments: format!("{name} = {expression}"),
        },
        pending: format!("{name} IS NULL"),
        rows,
        note: format!("fill NULLs in {} with {expression}", column.name),
        rollback: Rollback::impossible(
            "filled values stay: which rows were NULL before is not recorded",
        ),
    })
}

/// The validate phase of a NOT NULL set through a check: the check validated in a transaction
/// of its own (a scan under SHARE UPDATE EXCLUSIVE, which blocks no client), then NOT NULL
/// set and the check dropped in another (ACCESS EXCLUSIVE, brief: the valid check proves the
/// column has no NULL, so nothing is scanned). Two steps, because holding ACCESS EXCLUSIVE
/// from the same transaction as the scan would block every client for the whole scan.
pub(crate) fn validate_and_set(
    table: &TableRef,
    column: &Column,
    check: &str,
    rows: Option<u64>,
) -> Vec<Step> {
    vec![
        validate_check(table, column, check, rows),
        set_through_check(table, column, check, rows),
    ]
}

/// `VALIDATE CONSTRAINT check`, skipped on a re-run after SET NOT NULL dropped the check.
fn validate_statement(table: &TableRef, check: &str, rows: Option<u64>) -> Statement {
    let validate = guard::when(
        &guard::constraint_exists(table, check),
        &format!(
            "ALTER TABLE {} VALIDATE CONSTRAINT {}",
            target(table),
            quote_ident(check)
        ),
    );
    Statement::new(
        validate,
        Lock::ShareUpdateExclusive,
        "scans the table without blocking reads or writes; fails if a NULL remains",
    )
    .doing(Work::Scan, rows)
}

/// The check added back as it was before it was validated.
fn re_add_unvalidated(table: &TableRef, column: &Column, check: &str) -> Statement {
    let re_add = guard::when(
        &format!("NOT {}", guard::constraint_exists(table, check)),
        &format!(
            "ALTER TABLE {} ADD CONSTRAINT {} CHECK ({} IS NOT NULL) NOT VALID",
            target(table),
            quote_ident(check),
            quote_ident(&column.name)
        ),
    );
    Statement::new(
        re_add,
        Lock::AccessExclusive,
        "back to the unvalidated check",
    )
}

fn validate_check(table: &TableRef, column: &Column, check: &str, rows: Option<u64>) -> Step {
    Step::sql(
        Phase::Validate,
        vec![validate_statement(table, check, rows)],
        Rollback::by(vec![
            drop_check(table, check),
            re_add_unvalidated(table, column, check),
        ]),
    )
}

fn set_through_check(table: &TableRef, column: &Column, check: &str, rows: Option<u64>) -> Step {
    let set = format!(
        "ALTER TABLE {} ALTER COLUMN {} SET NOT NULL",
        target(table),
        quote_ident(&column.name)
    );
    let statements = vec![
        Statement::new(
            set,
            Lock::AccessExclusive,
            "brief: the validated check proves no row is NULL, so there is no scan",
        ),
        drop_check(table, check),
    ];
    Step::sql(
        Phase::Validate,
        statements,
        Rollback::by(vec![
            drop_not_null(table, column),
            re_add_unvalidated(table, column, check),
            validate_statement(table, check, rows),
        ]),
    )
}

fn set_directly(table: &TableRef, column: &Column, rows: Option<u64>) -> Step {
    let set = format!(
        "ALTER TABLE {} ALTER COLUMN {} SET NOT NULL",
        target(table),
        quote_ident(&column.name)
    );
    Step::sql(
        Phase::Validate,
        vec![
            Statement::new(
                set,
                Lock::AccessExclusive,
                "scans the table while reads and writes wait",
            )
            .doing(Work::Scan, rows),
        ],
        Rollback::by(vec![drop_not_null(table, column)]),
    )
}

/// `DROP CONSTRAINT IF EXISTS check`.
pub(crate) fn drop_check(table: &TableRef, check: &str) -> Statement {
    Statement::new(
        format!(
            "ALTER TABLE {} DROP CONSTRAINT IF EXISTS {}",
            target(table),
            quote_ident(check)
        ),
        Lock::AccessExclusive,
        "brief",
    )
}

fn drop_not_null(table: &TableRef, column: &Column) -> Statement {
    Statement::new(
        format!(
            "ALTER TABLE {} ALTER COLUMN {} DROP NOT NULL",
            target(table),
            quote_ident(&column.name)
        ),
        Lock::AccessExclusive,
        "brief, metadata only",
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::test_support::Fixture;
    use super::*;
    use crate::decide::{Facts, next_question};

    const LIVE: &str = "schemas:\n  public:\n    tables:\n      orders:\n        columns:\n          id: bigint\n          note: text\n";
    const DESIRED: &str = "schemas:\n  public:\n    tables:\n      orders:\n        columns:\n          id: bigint\n          note: { type: text, nullable: false }\n";

    fn change(fixture: &Fixture) -> change::SetNotNull {
        let table = TableRef::new("public", "orders");
        let column = fixture
            .desired
            .table(&table)
            .unwrap()
            .column("note")
            .unwrap()
            .clone();
        change::SetNotNull { table, column }
    }

    #[test]
    fn zero_downtime_goes_through_a_validated_check() {
        let fixture = Fixture::new(LIVE, DESIRED).with_rows(&[("public.orders", 50_000)]);
        let text = fixture.steps_text(&SetNotNull, &change(&fixture));
        insta::assert_snapshot!(text, @"
        == validate (InTransaction)
        DO $guard$
        BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.orders'::regclass AND conname = 'orders_note_not_null') THEN
            ALTER TABLE public.orders ADD CONSTRAINT orders_note_not_null CHECK (note IS NOT NULL) NOT VALID;
          END IF;
        END
        $guard$;  -- ACCESS EXCLUSIVE, metadata only
        rollback: ALTER TABLE public.orders DROP CONSTRAINT IF EXISTS orders_note_not_null;
        == validate (InTransaction)
        DO $guard$
        BEGIN
          IF EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.orders'::regclass AND conname = 'orders_note_not_null') THEN
            ALTER TABLE public.orders VALIDATE CONSTRAINT orders_note_not_null;
          END IF;
        END
        $guard$;  -- SHARE UPDATE EXCLUSIVE, scans the table
        rollback: ALTER TABLE public.orders DROP CONSTRAINT IF EXISTS orders_note_not_null;
        rollback: DO $guard$
        BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.orders'::regclass AND conname = 'orders_note_not_null') THEN
            ALTER TABLE public.orders ADD CONSTRAINT orders_note_not_null CHECK (note IS NOT NULL) NOT VALID;
          END IF;
        END
        $guard$;
        == validate (InTransaction)
        ALTER TABLE public.orders ALTER COLUMN note SET NOT NULL;  -- ACCESS EXCLUSIVE, metadata only
        ALTER TABLE public.orders DROP CONSTRAINT IF EXISTS orders_note_not_null;  -- ACCESS EXCLUSIVE, metadata only
        rollback: ALTER TABLE public.orders ALTER COLUMN note DROP NOT NULL;
        rollback: DO $guard$
        BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.orders'::regclass AND conname = 'orders_note_not_null') THEN
            ALTER TABLE public.orders ADD CONSTRAINT orders_note_not_null CHECK (note IS NOT NULL) NOT VALID;
          END IF;
        END
        $guard$;
        rollback: DO $guard$
        BEGIN
          IF EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.orders'::regclass AND conname = 'orders_note_not_null') THEN
            ALTER TABLE public.orders VALIDATE CONSTRAINT orders_note_not_null;
          END IF;
        END
        $guard$;
        ");
    }

    #[test]
    fn a_fill_expression_adds_a_backfill_between_expand_and_validate() {
        let fixture = Fixture::new(LIVE, DESIRED);
        let change = change(&fixture);
        let fixture = fixture.answer(&change, NULLS, "fill", Some("''"));
        let text = fixture.steps_text(&SetNotNull, &change);
        let phases: Vec<&str> = text.lines().filter(|l| l.starts_with("== ")).collect();
        assert_eq!(
            phases,
            [
                "== expand (InTransaction)",
                "== expand (InTransaction)",
                "== backfill (InTransaction)",
                "== validate (InTransaction)",
                "== validate (InTransaction)",
                "== deploy (InTransaction)",
                "== contract (InTransaction)"
            ]
        );
        // Old code writing NULL meets the trigger before the check, from the expand phase to
        // the gate.
        assert!(
            text.contains("NEW.note := (SELECT '' FROM (SELECT NEW.*) AS orders);"),
            "{text}"
        );
        assert!(
            text.contains("backfill public.orders update set note = '' where note IS NULL"),
            "{text}"
        );
    }

    #[test]
    fn a_window_sets_not_null_directly() {
        let fixture = Fixture::new(LIVE, DESIRED).window();
        let text = fixture.steps_text(&SetNotNull, &change(&fixture));
        insta::assert_snapshot!(text, @r"
        == validate (InTransaction)
        ALTER TABLE public.orders ALTER COLUMN note SET NOT NULL;  -- ACCESS EXCLUSIVE, scans the table
        rollback: ALTER TABLE public.orders ALTER COLUMN note DROP NOT NULL;
        ");
    }

    #[test]
    fn the_nulls_question_is_skipped_when_a_count_found_none() {
        let mut fixture = Fixture::new(LIVE, DESIRED);
        let change = change(&fixture);
        let asked = SetNotNull.questions(&change, &fixture.context());
        let facts = Facts::default();
        assert_eq!(
            next_question(&asked, &facts, &fixture.answers).map(|q| q.id.as_str()),
            Some(NULLS)
        );
        fixture.facts.insert(&change.id(), null_count_fact(0));
        assert!(next_question(&asked, &fixture.facts, &fixture.answers).is_none());
    }

    #[test]
    fn the_direct_statement_is_assessed_as_a_locking_scan() {
        let fixture = Fixture::new(LIVE, DESIRED).with_rows(&[("public.orders", 2_000_000)]);
        let assessment = SetNotNull.assess(&change(&fixture), &fixture.context());
        assert_eq!(assessment.cost.lock, Lock::AccessExclusive);
        assert_eq!(assessment.cost.work, Work::Scan);
        assert!(
            assessment.summary.contains("2M rows"),
            "{}",
            assessment.summary
        );
    }
}
