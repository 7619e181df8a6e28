//! `drop-table`: a table leaves the schema, dropped or renamed to an archive name.

use crate::ddl;
use crate::decide::{ChoiceId, Condition, Question, QuestionId};
use crate::diff::change;
use crate::schema::names::make_object_name;
use crate::schema::{Table, TableRef};
use crate::sql::{quote_ident, quote_qualified};
use crate::step::guard;
use crate::step::{Phase, Rollback, Statement, Step};

use super::create_table::{create_statements, drop_table};
use super::{Assessment, Context, Cost, Decisions, Explanation, Rule, choice};
use crate::step::Lock;

/// The question: drop the table, or keep it under an archive name.
pub const HOW: &str = "drop-table/how";

pub struct DropTable;

const EXPLANATION: Explanation = Explanation {
    title: "A table is dropped",
    risk: "DROP TABLE is brief, but every row is gone and any code still using the table fails.",
    instead: "A deploy gate (no code uses the table), then in the contract phase either rename it \
              to an archive name, reversible and droppable by a later plan, or drop it.",
    rollback: "An archived table is renamed back. A dropped table is recreated empty: its rows \
               come back only from a backup or point-in-time recovery.",
};

impl Rule for DropTable {
    type Change = change::DropTable;

    fn explanation(&self) -> &'static Explanation {
        &EXPLANATION
    }

    fn assess(&self, change: &Self::Change, context: &Context) -> Assessment {
        let Self::Change { table, .. } = change;
        Assessment {
            rule: self.id(),
            cost: Cost {
                breaks_clients: true,
                loses_data: true,
                ..Cost::metadata(Lock::AccessExclusive)
            },
            summary: format!(
                "{} is dropped: {} gone, and code still using it fails",
                table.name,
                super::rows_text(context.rows(table))
            ),
        }
    }

    fn questions(&self, change: &Self::Change, context: &Context) -> Vec<Question> {
        let Self::Change { table, .. } = change;
        vec![Question {
            id: QuestionId::from_static(HOW),
            change: change.id(),
            prompt: format!(
                "{} ({}) is not in the desired schema. Drop it, or keep it as {}?",
                table.name,
                super::rows_text(context.rows(table)),
                archive_name(table)
            ),
            why: "A dropped table's rows come back only from a backup. An archived table keeps \
                  them until a later plan drops it, and renaming it back undoes the change."
                .to_owned(),
            facts: Vec::new(),
            choices: vec![
                choice(
                    "archive",
                    "Rename it to an archive name",
                    "The table is renamed in the contract phase; a later plan drops it.",
                    None,
                ),
                choice(
                    "drop",
                    "Drop it",
                    "The table and its rows are gone after the contract phase.",
                    None,
                ),
            ],
            // Never lose data by default: archiving costs disk space, not rows.
            default: Some(ChoiceId::from_static("archive")),
            when: Condition::Always,
        }]
    }

    fn steps(&self, change: &Self::Change, context: &Context, decisions: &Decisions) -> Vec<Step> {
        let Self::Change { table, definition } = change;
        let gate = Step::gate(format!(
            "no application code reads or writes {table} any more"
        ));
        let contract = if decisions.choice(HOW) == Some("drop") {
            drop_step(table, definition, context)
        } else {
            archive_step(table)
        };
        vec![gate, contract]
    }
}

/// `<name>_archived`, cut to PostgreSQL's name length.
#[must_use]
pub fn archive_name(table: &TableRef) -> String {
    make_object_name(&table.name, None, "archived")
}

fn rename(from: &TableRef, to: &str) -> Statement {
    Statement::new(
        format!(
            "ALTER TABLE IF EXISTS {} RENAME TO {}",
            quote_qualified(&from.schema, &from.name),
            quote_ident(to)
        ),
        Lock::AccessExclusive,
        "brief, metadata only",
    )
}

fn archive_step(table: &TableRef) -> Step {
    let archived = TableRef::new(&table.schema, archive_name(table));
    Step::sql(
        Phase::Contract,
        vec![rename(table, &archived.name)],
        Rollback::by(vec![rename(&archived, &table.name)]),
    )
}

fn drop_step(table: &TableRef, definition: &Table, context: &Context) -> Step {
    let live = context.live.table(table).unwrap_or(definition);
    Step::sql(
        Phase::Contract,
        vec![drop_table(table)],
        Rollback::partial(
            recreate_statements(table, live),
            format!(
                "recreates {} empty: its rows come back only from a backup taken before the \
                 contract phase or by point-in-time recovery",
                table.name
            ),
        ),
    )
}

/// The statements that recreate a dropped table as it was, empty: the table and everything on
/// it, then its foreign keys.
pub(crate) fn recreate_statements(table: &TableRef, definition: &Table) -> Vec<Statement> {
    let target = quote_qualified(&table.schema, &table.name);
    let mut out = create_statements(table, definition);
    for key in &definition.foreign_keys {
        let sql = guard::when(
            &format!("NOT {}", guard::constraint_exists(table, &key.name)),
            &ddl::add_foreign_key(&target, key),
        );
        out.push(Statement::new(
            sql,
            Lock::ShareRowExclusive,
            "on an empty table: nothing to check",
        ));
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::test_support::Fixture;
    use super::*;

    const LIVE: &str = r#"schemas:
  public:
    tables:
      customers:
        columns:
          id: { type: bigint, nullable: false }
        primary_key: [id]
      orders:
        columns:
          id: { type: bigint, nullable: false }
          customer_id: bigint
        primary_key: [id]
        foreign_keys:
          - { columns: [customer_id], references: { table: customers, columns: [id] } }
"#;
    const DESIRED: &str = r#"schemas:
  public:
    tables:
      customers:
        columns:
          id: { type: bigint, nullable: false }
        primary_key: [id]
"#;

    fn change(fixture: &Fixture) -> change::DropTable {
        let table = TableRef::new("public", "orders");
        let definition = fixture.live.table(&table).unwrap().clone();
        change::DropTable { table, definition }
    }

    #[test]
    fn by_default_the_table_is_archived_after_a_gate() {
        let fixture = Fixture::new(LIVE, DESIRED);
        insta::assert_snapshot!(fixture.steps_text(&DropTable, &change(&fixture)), @r"
        == deploy (InTransaction)
        gate: no application code reads or writes public.orders any more
        == contract (InTransaction)
        ALTER TABLE IF EXISTS public.orders RENAME TO orders_archived;  -- ACCESS EXCLUSIVE, metadata only
        rollback: ALTER TABLE IF EXISTS public.orders_archived RENAME TO orders;
        ");
    }

    #[test]
    fn dropping_recreates_the_empty_table_on_rollback() {
        let fixture = Fixture::new(LIVE, DESIRED);
        let change = change(&fixture);
        let fixture = fixture.window().answer(&change, HOW, "drop", None);
        insta::assert_snapshot!(fixture.steps_text(&DropTable, &change), @r"
        == deploy (InTransaction)
        gate: no application code reads or writes public.orders any more
        == contract (InTransaction)
        DROP TABLE IF EXISTS public.orders;  -- ACCESS EXCLUSIVE, metadata only
        rollback: CREATE TABLE IF NOT EXISTS public.orders (id bigint NOT NULL, customer_id bigint, CONSTRAINT orders_pkey PRIMARY KEY (id));
        rollback: DO $guard$
        BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.orders'::regclass AND conname = 'orders_customer_id_fkey') THEN
            ALTER TABLE public.orders ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES public.customers (id);
          END IF;
        END
        $guard$;
        rollback warning: recreates orders empty: its rows come back only from a backup taken before the contract phase or by point-in-time recovery
        ");
    }

    #[test]
    fn the_default_keeps_the_rows() {
        let fixture = Fixture::new(LIVE, DESIRED);
        let questions = DropTable.questions(&change(&fixture), &fixture.context());
        assert_eq!(questions[0].default.as_ref().unwrap().as_str(), "archive");
        assert!(
            questions[0]
                .choice(questions[0].default.as_ref().unwrap())
                .unwrap()
                .input
                .is_none()
        );
    }

    #[test]
    fn dropping_loses_data_and_breaks_clients() {
        let fixture = Fixture::new(LIVE, DESIRED).with_rows(&[("public.orders", 1_500)]);
        let assessment = DropTable.assess(&change(&fixture), &fixture.context());
        assert!(assessment.cost.loses_data && assessment.cost.breaks_clients);
        assert!(
            assessment.summary.contains("~1,500 rows"),
            "{}",
            assessment.summary
        );
    }

    #[test]
    fn archive_names_fit_postgres() {
        let long = "x".repeat(63);
        assert_eq!(archive_name(&TableRef::new("public", long)).len(), 63);
    }
}
