//! The statements shared by the planner's own BEFORE INSERT OR UPDATE row triggers (the sync
//! trigger of a column copy, the fill trigger of a column becoming NOT NULL): a trigger and its
//! function share one name in the table's schema.

use crate::schema::TableRef;
use crate::sql::{quote_ident, quote_qualified};
use crate::step::Lock;
use crate::step::Statement;
use crate::step::guard;

/// A row trigger on `table` named `name`, running the function of the same name.
pub(crate) struct RowTrigger<'a> {
    pub table: &'a TableRef,
    pub name: String,
}

impl RowTrigger<'_> {
    /// The function's qualified name, for `CREATE FUNCTION` and `EXECUTE FUNCTION`.
    pub fn function(&self) -> String {
        quote_qualified(&self.table.schema, &self.name)
    }

    fn target(&self) -> String {
        quote_qualified(&self.table.schema, &self.table.name)
    }

    /// `CREATE TRIGGER … BEFORE INSERT OR UPDATE … FOR EACH ROW`, only when it is not there yet.
    pub fn create(&self, note: &str) -> Statement {
        let create = format!(
            "CREATE TRIGGER {} BEFORE INSERT OR UPDATE ON {} FOR EACH ROW EXECUTE FUNCTION {}()",
            quote_ident(&self.name),
            self.target(),
            self.function()
        );
        let sql = guard::when(
            &format!("NOT {}", guard::trigger_exists(self.table, &self.name)),
            &create,
        );
        Statement::new(sql, Lock::ShareRowExclusive, note)
    }

    pub fn drop(&self) -> Statement {
        Statement::new(
            format!(
                "DROP TRIGGER IF EXISTS {} ON {}",
                quote_ident(&self.name),
                self.target()
            ),
            Lock::AccessExclusive,
            "brief, metadata only",
        )
    }

    pub fn drop_function(&self, note: &str) -> Statement {
        Statement::new(
            format!("DROP FUNCTION IF EXISTS {}()", self.function()),
            Lock::None,
            note,
        )
    }
}
