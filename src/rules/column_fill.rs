//! The fill trigger of a column becoming NOT NULL while the application runs: a BEFORE INSERT
//! OR UPDATE trigger that gives the column its fill expression whenever a statement leaves it
//! NULL.
//!
//! Between the expand phase and the deploy gate, code written before the change still runs: it
//! inserts rows without the column (or with NULL) and updates rows the backfill has not reached
//! yet. The NOT NULL check (enforced on every write from the moment it is added NOT VALID) and
//! later NOT NULL itself would fail those writes. With the trigger, every row written satisfies
//! them, and an update of a not-yet-filled row fills it. The trigger stays until the contract
//! phase, after the gate requires every running version to write the column itself.
//!
//! The expression reads the row through a one-row subquery named as the table, so it is used
//! exactly as the user wrote it, with bare or table-qualified column names.

use crate::schema::TableRef;
use crate::schema::names::make_object_name;
use crate::sql::quote_ident;
use crate::step::Lock;
use crate::step::{Phase, Rollback, Statement, Step};

use super::row_trigger::RowTrigger;

/// The column filled and what it is filled with.
#[derive(Debug, Clone)]
pub(crate) struct Fill<'a> {
    pub table: &'a TableRef,
    pub column: &'a str,
    /// An expression over the table's columns.
    pub expression: &'a str,
}

impl Fill<'_> {
    fn trigger(&self) -> RowTrigger<'_> {
        RowTrigger {
            table: self.table,
            name: self.name(),
        }
    }

    fn function(&self) -> String {
        self.trigger().function()
    }

    /// The trigger's (and its function's) name: `<table>_<column>_fill`.
    pub fn name(&self) -> String {
        make_object_name(&self.table.name, Some(self.column), "fill")
    }

    /// `CREATE OR REPLACE FUNCTION`: a NULL column gets the expression computed on the row.
    pub fn create_function(&self) -> Statement {
        let column = quote_ident(self.column);
        let sql = format!(
            "CREATE OR REPLACE FUNCTION {}() RETURNS trigger LANGUAGE plpgsql AS $fill$\n\
             #variable_conflict use_column\n\
             BEGIN\n\
             \x20 IF NEW.{column} IS NULL THEN\n\
             \x20   NEW.{column} := (SELECT {} FROM (SELECT NEW.*) AS {});\n\
             \x20 END IF;\n\
             \x20 RETURN NEW;\n\
             END\n\
             $fill$",
            self.function(),
            self.expression,
            quote_ident(&self.table.name)
        );
        Statement::new(sql, Lock::None, "the fill function; no table lock")
    }

    /// `CREATE TRIGGER`, only when it is not there yet.
    pub fn create_trigger(&self) -> Statement {
        self.trigger().create(
            "brief: blocks writes only while the trigger is added; from now on every row \
             written leaves the column filled",
        )
    }

    fn drop_trigger(&self) -> Statement {
        self.trigger().drop()
    }

    fn drop_function(&self) -> Statement {
        self.trigger().drop_function("the fill function")
    }

    /// Expand: function and trigger; the rollback drops them.
    pub fn install(&self) -> Step {
        Step::sql(
            Phase::Expand,
            vec![self.create_function(), self.create_trigger()],
            Rollback::by(vec![self.drop_trigger(), self.drop_function()]),
        )
    }

    /// The deploy gate and the contract step that drops trigger and function.
    pub fn remove(&self) -> Vec<Step> {
        vec![
            Step::gate(format!(
                "Every running version of the application writes {}.{} (never NULL) on insert \
                 and update: the trigger filling it with {} is dropped next.",
                self.table.name, self.column, self.expression
            )),
            Step::sql(
                Phase::Contract,
                vec![self.drop_trigger(), self.drop_function()],
                Rollback::by(vec![self.create_function(), self.create_trigger()]),
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_function_fills_only_a_null_column_from_the_row_as_written() {
        let table = TableRef::new("public", "accounts");
        let fill = Fill {
            table: &table,
            column: "email_domain",
            expression: "split_part(accounts.email, '@', 2)",
        };
        let sql = fill.create_function().sql;
        assert!(sql.contains("IF NEW.email_domain IS NULL THEN"), "{sql}");
        assert!(
            sql.contains(
                "NEW.email_domain := (SELECT split_part(accounts.email, '@', 2) FROM (SELECT \
                 NEW.*) AS accounts);"
            ),
            "{sql}"
        );
        assert_eq!(fill.name(), "accounts_email_domain_fill");
        let steps = fill.remove();
        assert_eq!(steps[1].phase, Phase::Contract);
    }
}
