//! `rename-table`: a table takes a new name, with an updatable view under the old name while
//! old code still runs, or in place.

use crate::decide::{ChoiceId, Condition, Question, QuestionId};
use crate::diff::change;
use crate::schema::{Table, TableRef};
use crate::sql::{quote_ident, quote_qualified};
use crate::step::guard;
use crate::step::{Phase, Rollback, Statement, Step};

use super::create_table::{create_statements, drop_table};
use super::drop_table::recreate_statements;
use super::{Assessment, Context, Cost, Decisions, Explanation, Rule, choice};
use crate::step::Lock;

/// The question: is this a rename, or a table dropped and another created?
pub const CONFIRM: &str = "rename-table/confirm";
/// The question: a view under the old name, or a plain rename.
pub const METHOD: &str = "rename-table/method";

pub struct RenameTable;

const EXPLANATION: Explanation = Explanation {
    title: "A table is renamed",
    risk: "RENAME is a brief catalog update, but every query naming the old table fails from \
           that moment until the new code is deployed.",
    instead: "Rename the table and create an updatable view under the old name (SELECT * of \
              the table: inserts, updates and deletes go through), deploy code using the new \
              name, then drop the view.",
    rollback: "Drop the view and rename the table back.",
};

impl Rule for RenameTable {
    type Change = change::RenameTable;

    fn explanation(&self) -> &'static Explanation {
        &EXPLANATION
    }

    fn assess(&self, change: &Self::Change, _context: &Context) -> Assessment {
        let Self::Change { from, to, .. } = change;
        Assessment {
            rule: self.id(),
            cost: Cost {
                breaks_clients: true,
                ..Cost::metadata(Lock::AccessExclusive)
            },
            summary: format!("{from} is renamed to {to}: brief, but code using the old name fails"),
        }
    }

    fn questions(&self, change: &Self::Change, context: &Context) -> Vec<Question> {
        let Self::Change {
            from, to, hinted, ..
        } = change;
        let mut questions = Vec::new();
        if !hinted {
            questions.push(Question {
                id: QuestionId::from_static(CONFIRM),
                change: change.id(),
                prompt: format!(
                    "{from} ({}) is gone and {to} is new with the same columns. Was it renamed?",
                    super::rows_text(context.rows(from))
                ),
                why: "A rename keeps the rows; dropping one table and creating the other loses \
                      them. Add `renamed_from` to the desired file to say so there."
                    .to_owned(),
                facts: Vec::new(),
                choices: vec![
                    choice(
                        "rename",
                        "Yes, a rename",
                        "The rows stay, under the new name.",
                        None,
                    ),
                    choice(
                        "drop-and-create",
                        "No: create one, drop the other",
                        "The new table starts empty; the old one and its rows are dropped after \
                         a deploy gate.",
                        None,
                    ),
                ],
                // A wrong guess gives the rows of one table to another (or drops them), so
                // a person confirms it, or `renamed_from` says so.
                default: None,
                when: Condition::Always,
            });
        }
        questions.push(Question {
            id: QuestionId::from_static(METHOD),
            change: change.id(),
            prompt: format!("How should {from} become {to}?"),
            why: "A plain rename breaks code using the old name until it is redeployed; a view \
                  under the old name keeps it working meanwhile."
                .to_owned(),
            facts: Vec::new(),
            choices: vec![
                choice(
                    "view",
                    "Rename, with a view under the old name",
                    "Old code reads and writes through the view until the contract phase drops it.",
                    None,
                ),
                choice(
                    "in-place",
                    "Plain rename",
                    "One brief statement; code using the old name fails until redeployed.",
                    None,
                ),
            ],
            default: Some(ChoiceId::from_static("view")),
            // In a maintenance window the plain rename is planned without asking.
            when: Condition::All(vec![
                super::unless_window(),
                Condition::Not(Box::new(Condition::Answered(
                    QuestionId::from_static(CONFIRM),
                    ChoiceId::from_static("drop-and-create"),
                ))),
            ]),
        });
        questions
    }

    fn steps(&self, change: &Self::Change, context: &Context, decisions: &Decisions) -> Vec<Step> {
        let Self::Change {
            from,
            to,
            definition,
            ..
        } = change;
        if decisions.choice(CONFIRM) == Some("drop-and-create") {
            let live = context.live.table(from).unwrap_or(definition);
            return drop_and_create(from, to, definition, live);
        }
        let in_place = match decisions.choice(METHOD) {
            Some(method) => method == "in-place",
            None => !decisions.zero_downtime(),
        };
        let columns = &context.live.table(from).unwrap_or(definition).columns;
        let mut steps = if in_place {
            vec![Step::sql(
                Phase::Expand,
                vec![rename(from, to)],
                Rollback::by(vec![rename(to, from)]),
            )]
        } else {
            with_view(from, to)
        };
        // The rename changes how every column is named in a view's text: views reading the
        // table are dropped before it and created after it (see `plan::files`).
        if let Some(expand) = steps.first_mut() {
            let renamed = columns
                .iter()
                .map(|column| (from.clone(), column.name.to_string()));
            expand.alters_columns.extend(renamed);
        }
        steps
    }
}

/// Renames `from` to `to` (moving it to `to`'s schema when that differs), only while `from`
/// exists and `to` does not.
fn rename(from: &TableRef, to: &TableRef) -> Statement {
    let mut sql = format!(
        "ALTER TABLE {} RENAME TO {}",
        quote_qualified(&from.schema, &from.name),
        quote_ident(&to.name)
    );
    if from.schema != to.schema {
        sql.push_str(&format!(
            ";\n    ALTER TABLE {} SET SCHEMA {}",
            quote_qualified(&from.schema, &to.name),
            quote_ident(&to.schema)
        ));
    }
    let condition = format!(
        "{} AND NOT {}",
        guard::relation_exists(from),
        guard::relation_exists(to)
    );
    Statement::new(
        guard::when(&condition, &sql),
        Lock::AccessExclusive,
        "brief, metadata only",
    )
}

fn create_view(from: &TableRef, to: &TableRef) -> Statement {
    Statement::new(
        format!(
            "CREATE OR REPLACE VIEW {} AS SELECT * FROM {}",
            quote_qualified(&from.schema, &from.name),
            quote_qualified(&to.schema, &to.name)
        ),
        Lock::AccessShare,
        "an automatically updatable view: old code keeps reading and writing the table",
    )
}

fn drop_view(from: &TableRef) -> Statement {
    Statement::new(
        format!(
            "DROP VIEW IF EXISTS {}",
            quote_qualified(&from.schema, &from.name)
        ),
        Lock::None,
        "the view only; the table is untouched",
    )
}

fn with_view(from: &TableRef, to: &TableRef) -> Vec<Step> {
    vec![
        Step::sql(
            Phase::Expand,
            vec![rename(from, to), create_view(from, to)],
            Rollback::by(vec![drop_view(from), rename(to, from)]),
        ),
        Step::gate(format!(
            "the application uses {to} instead of {from} (the view {from} is dropped next)"
        )),
        Step::sql(
            Phase::Contract,
            vec![drop_view(from)],
            Rollback::by(vec![create_view(from, to)]),
        ),
    ]
}

fn drop_and_create(from: &TableRef, to: &TableRef, desired: &Table, live: &Table) -> Vec<Step> {
    vec![
        Step::sql(
            Phase::Expand,
            create_statements(to, desired),
            Rollback::partial(
                vec![drop_table(to)],
                format!("rows written to {to} since the expand phase are lost"),
            ),
        ),
        Step::gate(format!(
            "no application code reads or writes {from} any more"
        )),
        Step::sql(
            Phase::Contract,
            vec![drop_table(from)],
            Rollback::partial(
                recreate_statements(from, live),
                format!(
                    "recreates {from} empty: its rows come back only from a backup taken \
                     before the contract phase"
                ),
            ),
        ),
    ]
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::test_support::Fixture;
    use super::*;
    use crate::decide::{Facts, with_defaults};

    const LIVE: &str = "schemas:\n  public:\n    tables:\n      clients:\n        columns:\n          id: bigint\n";
    const DESIRED: &str = "schemas:\n  public:\n    tables:\n      customers:\n        columns:\n          id: bigint\n";

    fn change(fixture: &Fixture, hinted: bool) -> change::RenameTable {
        let to = TableRef::new("public", "customers");
        let definition = fixture.desired.table(&to).unwrap().clone();
        change::RenameTable {
            from: TableRef::new("public", "clients"),
            to,
            definition,
            hinted,
        }
    }

    #[test]
    fn zero_downtime_leaves_a_view_until_the_contract_phase() {
        let fixture = Fixture::new(LIVE, DESIRED);
        insta::assert_snapshot!(fixture.steps_text(&RenameTable, &change(&fixture, true)), @"
        == expand (InTransaction)
        alters public.clients.id
        DO $guard$
        BEGIN
          IF to_regclass('public.clients') IS NOT NULL AND NOT to_regclass('public.customers') IS NOT NULL THEN
            ALTER TABLE public.clients RENAME TO customers;
          END IF;
        END
        $guard$;  -- ACCESS EXCLUSIVE, metadata only
        CREATE OR REPLACE VIEW public.clients AS SELECT * FROM public.customers;  -- ACCESS SHARE, metadata only
        rollback: DROP VIEW IF EXISTS public.clients;
        rollback: DO $guard$
        BEGIN
          IF to_regclass('public.customers') IS NOT NULL AND NOT to_regclass('public.clients') IS NOT NULL THEN
            ALTER TABLE public.customers RENAME TO clients;
          END IF;
        END
        $guard$;
        == deploy (InTransaction)
        gate: the application uses public.customers instead of public.clients (the view public.clients is dropped next)
        == contract (InTransaction)
        DROP VIEW IF EXISTS public.clients;  -- no table lock, metadata only
        rollback: CREATE OR REPLACE VIEW public.clients AS SELECT * FROM public.customers;
        ");
    }

    #[test]
    fn a_window_renames_in_place() {
        let fixture = Fixture::new(LIVE, DESIRED).window();
        let text = fixture.steps_text(&RenameTable, &change(&fixture, true));
        assert!(!text.contains("VIEW"), "{text}");
        assert!(
            text.contains("ALTER TABLE public.clients RENAME TO customers"),
            "{text}"
        );
    }

    #[test]
    fn drop_and_create_creates_first_and_drops_after_a_gate() {
        let fixture = Fixture::new(LIVE, DESIRED);
        let change = change(&fixture, false);
        let fixture = fixture.answer(&change, CONFIRM, "drop-and-create", None);
        insta::assert_snapshot!(fixture.steps_text(&RenameTable, &change), @r"
        == expand (InTransaction)
        CREATE TABLE IF NOT EXISTS public.customers (id bigint);  -- no table lock, metadata only
        rollback: DROP TABLE IF EXISTS public.customers;
        rollback warning: rows written to public.customers since the expand phase are lost
        == deploy (InTransaction)
        gate: no application code reads or writes public.clients any more
        == contract (InTransaction)
        DROP TABLE IF EXISTS public.clients;  -- ACCESS EXCLUSIVE, metadata only
        rollback: CREATE TABLE IF NOT EXISTS public.clients (id bigint);
        rollback warning: recreates public.clients empty: its rows come back only from a backup taken before the contract phase
        ");
    }

    #[test]
    fn unhinted_renames_have_no_default_and_the_method_defaults_to_a_view() {
        let fixture = Fixture::new(LIVE, DESIRED);
        let change = change(&fixture, false);
        let asked = RenameTable.questions(&change, &fixture.context());
        let answers = with_defaults(&asked, &Facts::default(), &fixture.answers);
        let chosen = |id: &'static str| {
            answers
                .get(&change.id(), &QuestionId::from_static(id))
                .map(|a| a.choice.as_str().to_owned())
        };
        assert_eq!(
            chosen(CONFIRM),
            None,
            "a guess that moves rows is confirmed by a person"
        );
        assert_eq!(chosen(METHOD).as_deref(), Some("view"));
    }

    #[test]
    fn renaming_breaks_clients_but_keeps_data() {
        let fixture = Fixture::new(LIVE, DESIRED);
        let cost = RenameTable
            .assess(&change(&fixture, true), &fixture.context())
            .cost;
        assert!(cost.breaks_clients && !cost.loses_data);
    }
}
