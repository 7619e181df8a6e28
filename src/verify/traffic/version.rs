//! Which application versions run while a file is applied, and which columns each one names.
//! Pure: the plan's files and the schemas in, names out.

use crate::schema::TableRef;

use super::super::plan_dir::{FileKind, PlanFile};
use super::Schemas;

/// A version of the application, by the schema it was written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum AppVersion {
    /// Written for the live schema.
    Old,
    /// Written for the desired schema.
    New,
}

/// The versions running while the file at `index` is applied: the old one alone before the
/// plan's first deploy gate, the old and the new one side by side from it on (a rolling deploy
/// runs both).
#[must_use]
pub fn running(files: &[PlanFile], index: usize) -> Vec<AppVersion> {
    let deployed = files
        .iter()
        .take(index)
        .any(|file| file.kind == FileKind::Gate);
    if deployed {
        vec![AppVersion::Old, AppVersion::New]
    } else {
        vec![AppVersion::Old]
    }
}

/// Whether `file` belongs to the contract phase. The gate before it requires every running
/// version to work with the desired schema (to have stopped using what the contract drops, and
/// to write what the desired schema requires), so in a contract file each version names what a
/// version written for the desired schema names.
#[must_use]
pub fn contracts(file: &PlanFile) -> bool {
    file.phase() == "contract"
}

/// The columns of `table` that `version` names during a file, in table order: those of its
/// own schema's definition (in a contract file, the desired schema's) that exist in the
/// scratch database now. Empty when the version has no such table.
#[must_use]
pub fn known_columns(
    version: AppVersion,
    table: &TableRef,
    schemas: &Schemas<'_>,
    contract: bool,
) -> Vec<String> {
    let own = match version {
        AppVersion::Old if !contract => schemas.live,
        AppVersion::Old | AppVersion::New => schemas.desired,
    };
    let (Some(own), Some(now)) = (own.table(table), schemas.scratch.table(table)) else {
        return Vec::new();
    };
    now.columns
        .iter()
        .filter(|c| own.column(&c.name).is_some())
        .map(|c| c.name.to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Column, Schema, Table};

    fn file(name: &str, kind: FileKind) -> PlanFile {
        PlanFile {
            name: name.to_owned(),
            phase: None,
            kind,
            lock_timeout_ms: 5_000,
            statement_timeout_ms: 0,
            budget_ms: 0,
            statements: Vec::new(),
            rollback: Vec::new(),
            rollback_warnings: Vec::new(),
            gates: Vec::new(),
        }
    }

    #[test]
    fn the_new_version_joins_from_the_first_gate_on() {
        let files = [
            file("01-expand", FileKind::Transaction),
            file("02-deploy", FileKind::Gate),
            file("03-contract", FileKind::Transaction),
        ];
        assert_eq!(running(&files, 0), [AppVersion::Old]);
        assert_eq!(running(&files, 2), [AppVersion::Old, AppVersion::New]);
        assert!(!contracts(&files[0]));
        assert!(contracts(&files[2]));
    }

    fn schema(columns: &[&str]) -> Schema {
        let mut schema = Schema::default();
        let table = Table {
            columns: columns.iter().map(|c| Column::new(*c, "text")).collect(),
            ..Table::default()
        };
        schema
            .namespaces
            .entry("app".to_owned())
            .or_default()
            .tables
            .insert("users".to_owned(), table);
        schema
    }

    #[test]
    fn each_version_names_its_own_columns_that_exist_now() {
        // A rename by expand and contract: full_name goes, display_name comes.
        let live = schema(&["id", "full_name"]);
        let desired = schema(&["id", "display_name"]);
        let users = TableRef::new("app", "users");
        let expanded = schema(&["id", "full_name", "display_name"]);
        let now = Schemas {
            live: &live,
            desired: &desired,
            scratch: &expanded,
        };
        assert_eq!(
            known_columns(AppVersion::Old, &users, &now, false),
            ["id", "full_name"]
        );
        assert_eq!(
            known_columns(AppVersion::New, &users, &now, false),
            ["id", "display_name"]
        );
        // In the contract the old version works as the desired schema requires.
        assert_eq!(
            known_columns(AppVersion::Old, &users, &now, true),
            ["id", "display_name"]
        );
        let before_expand = Schemas {
            scratch: &live,
            ..now
        };
        assert_eq!(
            known_columns(AppVersion::New, &users, &before_expand, false),
            ["id"]
        );
        let elsewhere = TableRef::new("app", "orders");
        assert!(known_columns(AppVersion::Old, &elsewhere, &now, false).is_empty());
    }
}
