//! `drop-constraint`: a constraint the desired schema no longer has.

use crate::ddl::{add_foreign_key, primary_key_clause, unique_clause};
use crate::diff::{Constraint, change};
use crate::schema::{ForeignKey, TableRef};
use crate::sql::quote_ident;
use crate::step::guard;
use crate::step::{Phase, Rollback, Statement, Step};

use super::add_check::{guarded_add, validate_statement};
use super::add_unique::drop_constraint;
use super::set_not_null::target;
use super::{Assessment, Context, Cost, Decisions, Explanation, Rule};
use crate::step::{Lock, Work};

pub struct DropConstraint;

const EXPLANATION: Explanation = Explanation {
    title: "A constraint is dropped",
    risk: "DROP CONSTRAINT takes an ACCESS EXCLUSIVE lock briefly. It relaxes the schema, so \
           running code keeps working; a dropped PRIMARY KEY, UNIQUE or EXCLUDE constraint \
           takes its index with it, and queries that used the index may get slower.",
    instead: "Planned as it is, in the expand phase: it only relaxes.",
    rollback: "A check or foreign key is added back NOT VALID and validated (a scan without \
               blocking writes); a primary key, unique or exclusion constraint is rebuilt from \
               its definition, which builds its index while reads and writes wait. Rows \
               written meanwhile that violate it make the rollback fail.",
};

impl Rule for DropConstraint {
    type Change = change::DropConstraint;

    fn explanation(&self) -> &'static Explanation {
        &EXPLANATION
    }

    fn assess(&self, change: &Self::Change, _context: &Context) -> Assessment {
        let Self::Change { table, constraint } = change;
        let index = if owns_index(constraint) {
            "; its index goes with it and queries that used it may get slower"
        } else {
            ""
        };
        Assessment {
            rule: self.id(),
            cost: Cost::metadata(Lock::AccessExclusive),
            summary: format!(
                "constraint {} on {} is dropped: a brief ACCESS EXCLUSIVE lock{index}",
                constraint.name(),
                table.name
            ),
        }
    }

    fn steps(&self, change: &Self::Change, context: &Context, _decisions: &Decisions) -> Vec<Step> {
        let Self::Change { table, constraint } = change;
        let rows = context.rows(table);
        let mut drop = drop_constraint(table, constraint.name());
        if owns_index(constraint) {
            drop.note = "brief; drops the constraint's index too".to_owned();
        }
        vec![Step::sql(
            Phase::Expand,
            vec![drop],
            Rollback::partial(
                re_add(table, constraint, rows),
                "rows written after the drop that violate the constraint make the rollback fail",
            ),
        )]
    }
}

fn owns_index(constraint: &Constraint) -> bool {
    matches!(
        constraint,
        Constraint::PrimaryKey(_) | Constraint::Unique(_) | Constraint::Exclusion(_)
    )
}

/// The statements that put `constraint` back as it was.
fn re_add(table: &TableRef, constraint: &Constraint, rows: Option<u64>) -> Vec<Statement> {
    match constraint {
        Constraint::Check(check) => {
            let mut statements = vec![Statement::new(
                guarded_add(table, check, true),
                Lock::AccessExclusive,
                "brief",
            )];
            if check.valid {
                statements.push(validate_statement(table, &check.name, rows));
            }
            statements
        }
        Constraint::ForeignKey(key) => re_add_foreign_key(table, key, rows),
        Constraint::PrimaryKey(key) => {
            vec![rebuild(table, &key.name, &primary_key_clause(key), rows)]
        }
        Constraint::Unique(unique) => {
            vec![rebuild(table, &unique.name, &unique_clause(unique), rows)]
        }
        Constraint::Exclusion(exclusion) => {
            let clause = format!(
                "CONSTRAINT {} {}",
                quote_ident(&exclusion.name),
                exclusion.definition
            );
            vec![rebuild(table, &exclusion.name, &clause, rows)]
        }
    }
}

fn re_add_foreign_key(table: &TableRef, key: &ForeignKey, rows: Option<u64>) -> Vec<Statement> {
    let not_valid = ForeignKey {
        valid: false,
        ..key.clone()
    };
    let mut statements = vec![Statement::new(
        guard::when(
            &format!("NOT {}", guard::constraint_exists(table, &key.name)),
            &add_foreign_key(&target(table), &not_valid),
        ),
        Lock::ShareRowExclusive,
        "brief",
    )];
    if key.valid {
        statements.push(validate_statement(table, &key.name, rows));
    }
    statements
}

fn rebuild(table: &TableRef, name: &str, clause: &str, rows: Option<u64>) -> Statement {
    Statement::new(
        guard::when(
            &format!("NOT {}", guard::constraint_exists(table, name)),
            &format!("ALTER TABLE {} ADD {clause}", target(table)),
        ),
        Lock::AccessExclusive,
        "rebuilds the index while reads and writes wait",
    )
    .doing(Work::Scan, rows)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::test_support::Fixture;
    use super::*;

    const LIVE: &str = "schemas:\n  public:\n    tables:\n      users:\n        columns:\n          id: bigint\n        primary_key: [id]\n      orders:\n        columns:\n          id: bigint\n          user_id: bigint\n          total: numeric\n        unique:\n          - { columns: [id] }\n        foreign_keys:\n          - { columns: [user_id], references: { table: users, columns: [id] } }\n        checks:\n          - { name: orders_total_check, expression: \"total >= 0\" }\n";
    const DESIRED: &str = "schemas:\n  public:\n    tables:\n      users:\n        columns:\n          id: bigint\n        primary_key: [id]\n      orders:\n        columns:\n          id: bigint\n          user_id: bigint\n          total: numeric\n";

    fn orders(fixture: &Fixture) -> crate::schema::Table {
        fixture
            .live
            .table(&TableRef::new("public", "orders"))
            .unwrap()
            .clone()
    }

    fn change(constraint: Constraint) -> change::DropConstraint {
        change::DropConstraint {
            table: TableRef::new("public", "orders"),
            constraint,
        }
    }

    #[test]
    fn a_dropped_check_comes_back_not_valid_then_validated() {
        let fixture = Fixture::new(LIVE, DESIRED);
        let check = orders(&fixture).checks[0].clone();
        let text = fixture.steps_text(&DropConstraint, &change(Constraint::Check(check)));
        insta::assert_snapshot!(text, @r"
        == expand (InTransaction)
        ALTER TABLE public.orders DROP CONSTRAINT IF EXISTS orders_total_check;  -- ACCESS EXCLUSIVE, metadata only
        rollback: DO $guard$
        BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.orders'::regclass AND conname = 'orders_total_check') THEN
            ALTER TABLE public.orders ADD CONSTRAINT orders_total_check CHECK (total >= 0) NOT VALID;
          END IF;
        END
        $guard$;
        rollback: ALTER TABLE public.orders VALIDATE CONSTRAINT orders_total_check;
        rollback warning: rows written after the drop that violate the constraint make the rollback fail
        ");
    }

    #[test]
    fn a_dropped_foreign_key_comes_back_not_valid_then_validated() {
        let fixture = Fixture::new(LIVE, DESIRED).window();
        let key = orders(&fixture).foreign_keys[0].clone();
        let text = fixture.steps_text(&DropConstraint, &change(Constraint::ForeignKey(key)));
        assert!(
            text.contains("FOREIGN KEY (user_id) REFERENCES public.users (id) NOT VALID"),
            "{text}"
        );
        assert!(
            text.contains(
                "rollback: ALTER TABLE public.orders VALIDATE CONSTRAINT orders_user_id_fkey;"
            ),
            "{text}"
        );
    }

    #[test]
    fn a_dropped_unique_constraint_is_rebuilt_from_its_definition() {
        let fixture = Fixture::new(LIVE, DESIRED);
        let unique = orders(&fixture).unique[0].clone();
        let change = change(Constraint::Unique(unique));
        let text = fixture.steps_text(&DropConstraint, &change);
        insta::assert_snapshot!(text, @r"
        == expand (InTransaction)
        ALTER TABLE public.orders DROP CONSTRAINT IF EXISTS orders_id_key;  -- ACCESS EXCLUSIVE, metadata only
        rollback: DO $guard$
        BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.orders'::regclass AND conname = 'orders_id_key') THEN
            ALTER TABLE public.orders ADD CONSTRAINT orders_id_key UNIQUE (id);
          END IF;
        END
        $guard$;
        rollback warning: rows written after the drop that violate the constraint make the rollback fail
        ");
        let assessment = DropConstraint.assess(&change, &fixture.context());
        assert!(
            assessment.summary.contains("its index goes with it"),
            "{}",
            assessment.summary
        );
    }
}
