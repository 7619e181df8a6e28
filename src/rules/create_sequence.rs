//! `create-sequence`: a new free-standing sequence.

use crate::ddl;
use crate::diff::{QualifiedName, change};
use crate::schema::{Schema, Sequence, TableRef};
use crate::sql::{quote_ident, quote_qualified};
use crate::step::{Phase, Rollback, Statement, Step};

use super::objects::{self, qualified};
use super::{Assessment, Context, Decisions, Explanation, Rule};
use crate::step::Lock;

pub struct CreateSequence;

const EXPLANATION: Explanation = Explanation {
    title: "A new sequence",
    risk: "None: creating a sequence only adds a catalog entry and an empty relation.",
    instead: "Expand: CREATE SEQUENCE IF NOT EXISTS with every option spelled out; its OWNED BY \
              column is set in the same step when the table exists already, else in the \
              validate phase, once the new table has been created.",
    rollback: "DROP SEQUENCE IF EXISTS, without CASCADE: it fails while a column default still \
               calls nextval on it.",
};

impl Rule for CreateSequence {
    type Change = change::CreateSequence;

    fn explanation(&self) -> &'static Explanation {
        &EXPLANATION
    }

    fn assess(&self, change: &Self::Change, _context: &Context) -> Assessment {
        let Self::Change { name, .. } = change;
        objects::created(self.id(), &format!("sequence {name}"))
    }

    fn steps(&self, change: &Self::Change, context: &Context, _decisions: &Decisions) -> Vec<Step> {
        let Self::Change { name, sequence } = change;
        let mut create = create_statements(name, sequence);
        let owner = owned_by_statement(name, sequence);
        let owner_exists = owner_table(name, sequence).is_some_and(|t| exists(context.live, &t));
        let mut steps = Vec::new();
        match owner {
            Some(owner) if owner_exists => create.push(owner),
            Some(owner) => steps.push(Step::sql(
                // The owning table is new: it exists only once the expand phase has run.
                Phase::Validate,
                vec![owner],
                Rollback::by(vec![owned_by_none(name)]),
            )),
            None => {}
        }
        steps.insert(
            0,
            Step::sql(
                Phase::Expand,
                create,
                Rollback::by(vec![drop_statement(name)]),
            ),
        );
        steps
    }
}

fn exists(schema: &Schema, table: &TableRef) -> bool {
    schema.table(table).is_some()
}

fn owner_table(name: &QualifiedName, sequence: &Sequence) -> Option<TableRef> {
    let owner = sequence.owned_by.as_ref()?;
    Some(TableRef::new(&name.schema, &owner.table))
}

/// `CREATE SEQUENCE IF NOT EXISTS` with every option, and its comment.
#[must_use]
pub(crate) fn create_statements(name: &QualifiedName, sequence: &Sequence) -> Vec<Statement> {
    let target = qualified(name);
    let unlogged = if sequence.unlogged { "UNLOGGED " } else { "" };
    let create = format!(
        "CREATE {unlogged}SEQUENCE IF NOT EXISTS {target} {}",
        ddl::sequence_options(sequence)
    );
    let mut statements = vec![Statement::new(create, Lock::None, "catalog only")];
    statements.extend(
        ddl::comment("SEQUENCE", &target, sequence.comment.as_deref())
            .map(|sql| Statement::new(sql, Lock::None, "catalog only")),
    );
    statements
}

/// `ALTER SEQUENCE … OWNED BY table.column`, when the sequence has an owner.
#[must_use]
pub(crate) fn owned_by_statement(name: &QualifiedName, sequence: &Sequence) -> Option<Statement> {
    let owner = sequence.owned_by.as_ref()?;
    Some(Statement::new(
        format!(
            "ALTER SEQUENCE {} OWNED BY {}.{}",
            qualified(name),
            quote_qualified(&name.schema, &owner.table),
            quote_ident(&owner.column)
        ),
        Lock::None,
        "the sequence is dropped with the column from now on",
    ))
}

fn owned_by_none(name: &QualifiedName) -> Statement {
    Statement::new(
        format!("ALTER SEQUENCE IF EXISTS {} OWNED BY NONE", qualified(name)),
        Lock::None,
        "catalog only",
    )
}

/// `DROP SEQUENCE IF EXISTS`, without CASCADE.
#[must_use]
pub(crate) fn drop_statement(name: &QualifiedName) -> Statement {
    Statement::new(
        format!("DROP SEQUENCE IF EXISTS {}", qualified(name)),
        Lock::AccessExclusive,
        "no CASCADE: fails while a column default still uses the sequence",
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) mod tests {
    use super::super::test_support::Fixture;
    use super::*;
    use crate::rules::Badge;
    use crate::schema::ColumnRef;

    const LIVE: &str = "schemas:\n  public:\n    tables:\n      orders:\n        columns:\n          number: bigint\n";

    pub(crate) fn sequence(owner: Option<(&str, &str)>) -> Sequence {
        Sequence {
            data_type: "bigint".to_owned(),
            start: 1000,
            increment: 1,
            min_value: 1,
            max_value: i64::MAX,
            cache: 1,
            cycle: false,
            unlogged: false,
            owned_by: owner.map(|(table, column)| ColumnRef {
                table: table.to_owned(),
                column: column.to_owned(),
            }),
            comment: None,
        }
    }

    fn change(owner: Option<(&str, &str)>) -> change::CreateSequence {
        change::CreateSequence {
            name: TableRef::new("public", "order_numbers"),
            sequence: sequence(owner),
        }
    }

    #[test]
    fn owned_by_an_existing_column_is_set_in_the_same_step() {
        let fixture = Fixture::new(LIVE, LIVE);
        let change = change(Some(("orders", "number")));
        insta::assert_snapshot!(fixture.steps_text(&CreateSequence, &change), @r#"
        == expand (InTransaction)
        CREATE SEQUENCE IF NOT EXISTS public.order_numbers AS bigint INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1000 CACHE 1 NO CYCLE;  -- no table lock, metadata only
        ALTER SEQUENCE public.order_numbers OWNED BY public.orders.number;  -- no table lock, metadata only
        rollback: DROP SEQUENCE IF EXISTS public.order_numbers;
        "#);
        let assessment = CreateSequence.assess(&change, &fixture.context());
        assert_eq!(assessment.cost.badges(), vec![Badge::Safe]);
    }

    #[test]
    fn owned_by_a_new_table_waits_for_the_validate_phase() {
        let fixture = Fixture::new("schemas: {}\n", LIVE);
        let change = change(Some(("orders", "number")));
        insta::assert_snapshot!(fixture.steps_text(&CreateSequence, &change), @r#"
        == expand (InTransaction)
        CREATE SEQUENCE IF NOT EXISTS public.order_numbers AS bigint INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1000 CACHE 1 NO CYCLE;  -- no table lock, metadata only
        rollback: DROP SEQUENCE IF EXISTS public.order_numbers;
        == validate (InTransaction)
        ALTER SEQUENCE public.order_numbers OWNED BY public.orders.number;  -- no table lock, metadata only
        rollback: ALTER SEQUENCE IF EXISTS public.order_numbers OWNED BY NONE;
        "#);
    }

    #[test]
    fn without_an_owner_there_is_one_step_in_both_modes() {
        let fixture = Fixture::new(LIVE, LIVE).window();
        let text = fixture.steps_text(&CreateSequence, &change(None));
        assert_eq!(text.matches("== expand").count(), 1, "{text}");
        assert!(!text.contains("OWNED BY"), "{text}");
    }
}
