//! Whole tables.

use serde::Serialize;

use crate::ddl::object::Object;
use crate::schema::model::{Table, TableRef};

use super::{Subject, relation, same};

/// A new table, without its foreign keys: they come as [`AddForeignKey`](super::AddForeignKey) changes
/// after every new table exists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CreateTable {
    pub table: TableRef,
    pub definition: Table,
}

impl Subject for CreateTable {
    fn object(&self) -> String {
        self.table.to_string()
    }

    fn location(&self) -> (&str, Option<&str>) {
        relation(&self.table)
    }

    fn objects(&self) -> Option<(Object<'_>, Object<'_>)> {
        same(Object::Relation(&self.table))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DropTable {
    pub table: TableRef,
    pub definition: Table,
}

impl Subject for DropTable {
    fn object(&self) -> String {
        self.table.to_string()
    }

    fn location(&self) -> (&str, Option<&str>) {
        relation(&self.table)
    }

    fn objects(&self) -> Option<(Object<'_>, Object<'_>)> {
        same(Object::Relation(&self.table))
    }

    fn locked_tables(&self) -> Vec<TableRef> {
        vec![self.table.clone()]
    }
}

/// A table that disappeared and one that appeared with the same columns: a rename
/// candidate, confirmed by a question unless `hinted` (the desired file says
/// `renamed_from`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RenameTable {
    pub from: TableRef,
    pub to: TableRef,
    /// The table as it is live, before the rename; what else differs follows as changes
    /// under the new name.
    pub definition: Table,
    pub hinted: bool,
}

impl Subject for RenameTable {
    fn object(&self) -> String {
        self.to.to_string()
    }

    fn altered_table(&self) -> Option<&TableRef> {
        Some(&self.from)
    }

    fn location(&self) -> (&str, Option<&str>) {
        relation(&self.to)
    }

    fn objects(&self) -> Option<(Object<'_>, Object<'_>)> {
        Some((Object::Relation(&self.from), Object::Relation(&self.to)))
    }
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::Change;

    #[test]
    fn a_renamed_table_is_itself_on_each_side() {
        let (from, to) = (TableRef::new("public", "a"), TableRef::new("public", "b"));
        let rename = Change::RenameTable(RenameTable {
            from: from.clone(),
            to: to.clone(),
            definition: Table::default(),
            hinted: false,
        });
        assert_eq!(
            rename.objects(),
            Some((Object::Relation(&from), Object::Relation(&to)))
        );
        let schema = Change::CreateSchema(super::super::CreateSchema {
            schema: "app".to_owned(),
        });
        assert_eq!(
            schema.objects(),
            Some((Object::Schema("app"), Object::Schema("app")))
        );
    }
}
