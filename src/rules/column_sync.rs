//! The two-way sync trigger of an expand–contract column change: while old and new code run
//! side by side, a BEFORE INSERT OR UPDATE trigger copies whichever column a statement wrote
//! into the other one, converting the value on the way.
//!
//! The conversions are SQL expressions over a column name (the USING expression of a type
//! change, a plain cast back); in the trigger they read the row through a one-row subquery,
//! so the expression is used exactly as the user wrote it.

use crate::schema::TableRef;
use crate::schema::names::make_object_name;
use crate::sql::quote_ident;
use crate::step::Lock;
use crate::step::{Rollback, Statement};

use super::row_trigger::RowTrigger;

/// The two columns kept in sync and how a value goes from one to the other.
#[derive(Debug, Clone)]
pub(crate) struct Sync<'a> {
    pub table: &'a TableRef,
    /// The column old code writes.
    pub old: &'a str,
    /// The column new code writes.
    pub new: &'a str,
    /// The new column's value computed from `old` (an expression over the column `old`).
    pub forward: String,
    /// The old column's value computed from `new` (an expression over the column `new`).
    pub backward: String,
}

impl Sync<'_> {
    fn trigger(&self) -> RowTrigger<'_> {
        RowTrigger {
            table: self.table,
            name: self.name(),
        }
    }

    fn function(&self) -> String {
        self.trigger().function()
    }

    /// The trigger's (and its function's) name: `<table>_<new>_sync`.
    pub fn name(&self) -> String {
        make_object_name(&self.table.name, Some(self.new), "sync")
    }

    /// `NEW.new := (forward over NEW.old)`, reading through a one-row subquery.
    fn copy(&self, into: &str, from: &str, expression: &str) -> String {
        format!(
            "NEW.{} := (SELECT {expression} FROM (SELECT NEW.{}) AS row_value({}))",
            quote_ident(into),
            quote_ident(from),
            quote_ident(from)
        )
    }

    /// `CREATE OR REPLACE FUNCTION`: on insert, whichever column was given fills the other
    /// (the new one wins when both are); on update, a change to the old column is copied
    /// forward, a change to the new one that is not that copy is copied back, and any other
    /// update copies forward too: a row the backfill has not reached yet leaves every update,
    /// whatever columns it names, with its new column filled, so a check on the new column
    /// (its NOT NULL, added NOT VALID before the backfill) holds for every row written.
    pub fn create_function(&self) -> Statement {
        let old = quote_ident(self.old);
        let new = quote_ident(self.new);
        let forward = self.copy(self.new, self.old, &self.forward);
        let backward = self.copy(self.old, self.new, &self.backward);
        let expected = format!(
            "(SELECT {} FROM (SELECT NEW.{old}) AS row_value({old}))",
            self.forward
        );
        let sql = format!(
            "CREATE OR REPLACE FUNCTION {}() RETURNS trigger LANGUAGE plpgsql AS $sync$\n\
             #variable_conflict use_column\n\
             BEGIN\n\
             \x20 IF TG_OP = 'INSERT' THEN\n\
             \x20   IF NEW.{new} IS NULL THEN\n\
             \x20     {forward};\n\
             \x20   ELSE\n\
             \x20     {backward};\n\
             \x20   END IF;\n\
             \x20 ELSIF NEW.{old} IS DISTINCT FROM OLD.{old} THEN\n\
             \x20   {forward};\n\
             \x20 ELSIF NEW.{new} IS DISTINCT FROM OLD.{new} AND NEW.{new} IS DISTINCT FROM {expected} THEN\n\
             \x20   {backward};\n\
             \x20 ELSE\n\
             \x20   {forward};\n\
             \x20 END IF;\n\
             \x20 RETURN NEW;\n\
             END\n\
             $sync$",
            self.function()
        );
        Statement::new(sql, Lock::None, "the sync function; no table lock")
    }

    /// `CREATE TRIGGER`, only when it is not there yet.
    pub fn create_trigger(&self) -> Statement {
        self.trigger()
            .create("brief: blocks writes only while the trigger is added")
    }

    pub fn drop_trigger(&self) -> Statement {
        self.trigger().drop()
    }

    pub fn drop_function(&self) -> Statement {
        self.trigger().drop_function("the sync function")
    }

    /// Function and trigger, and the rollback that drops them.
    pub fn install(&self) -> (Vec<Statement>, Vec<Statement>) {
        (
            vec![self.create_function(), self.create_trigger()],
            vec![self.drop_trigger(), self.drop_function()],
        )
    }

    /// Trigger and function dropped, and the rollback that puts them back.
    pub fn remove(&self) -> (Vec<Statement>, Rollback) {
        (
            vec![self.drop_trigger(), self.drop_function()],
            Rollback::by(vec![self.create_function(), self.create_trigger()]),
        )
    }
}
