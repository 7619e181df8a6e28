//! The plan's first file, `00-preconditions.sql`: for every change whose chosen path needs
//! clean data (no NULLs before NOT NULL, no duplicated keys before a unique key, no orphans
//! before a foreign key is validated, only values the cast converts, no row holding a dropped
//! enum label), a read-only check that stops with the change, the count and a query listing
//! the offending rows. Data changes between planning and applying, so the file is cheap to
//! re-run and each phase's notes say to re-run it first.
//!
//! Pure: the checks are SQL text; nothing here touches a database.

use crate::decide::{Answers, ChangeId, QuestionId};
use crate::diff::Change;
use crate::rules::{
    Lock, Work, add_foreign_key, add_primary_key, add_unique, change_column_type, replace_enum,
    set_not_null,
};
use crate::schema::TableRef;
use crate::source::postgres::facts::{duplicates_sql, label_rows_sql, nulls_sql, orphans_sql};
use crate::sql::{quote_ident, quote_literal, quote_qualified};

use super::cost;
use super::files::{FileKind, PlanFile, PlannedStatement};
use super::step::{Phase, Statement};

/// The name of the preconditions file (`00-preconditions.sql`).
pub const FILE_NAME: &str = "00-preconditions";

/// One check: the rows that would make a change's chosen path fail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub change: ChangeId,
    /// What the offending rows are, for the message (`rows where orders.note is NULL`).
    pub what: String,
    /// PL/pgSQL that sets `offending` to the number of offending rows.
    pub count: String,
    /// A query listing the offending rows, for the message.
    pub list: String,
}

/// The checks `changes` need with `answers`, in change order.
#[must_use]
pub fn checks(changes: &[Change], answers: &Answers) -> Vec<Check> {
    changes
        .iter()
        .flat_map(|change| change_checks(change, answers))
        .collect()
}

/// The preconditions file for `checks`: one transaction, read-only, with no rollback (it
/// changes nothing), waiting at most `lock_timeout_ms` for each table's ACCESS SHARE lock;
/// `None` when there is nothing to check.
#[must_use]
pub fn file(checks: &[Check], lock_timeout_ms: u64) -> Option<PlanFile> {
    if checks.is_empty() {
        return None;
    }
    let mut statements = vec![PlannedStatement {
        change: ChangeId::global(),
        tables: Vec::new(),
        statement: Statement::new(
            "SET TRANSACTION READ ONLY",
            Lock::None,
            "the checks only read: nothing in this file can change the database",
        ),
    }];
    statements.extend(checks.iter().map(|check| PlannedStatement {
        change: check.change.clone(),
        tables: Vec::new(),
        statement: Statement {
            work: Work::Scan,
            ..Statement::new(
                block(check),
                Lock::AccessShare,
                format!(
                    "stops the plan while there are {}; re-run before each phase",
                    check.what
                ),
            )
        },
    }));
    Some(PlanFile {
        name: FILE_NAME.to_owned(),
        phase: Phase::Preconditions,
        kind: FileKind::Transaction,
        lock_timeout_ms,
        statement_timeout_ms: 0,
        // ACCESS SHARE blocks no client; only DDL waits, and at most its own lock_timeout.
        budget_ms: lock_timeout_ms,
        duration: cost::duration_class(&statements),
        strongest_lock: cost::strongest_lock(&statements),
        locks: Vec::new(),
        statements,
        rollback: Vec::new(),
        rollback_warnings: Vec::new(),
        gates: Vec::new(),
    })
}

/// The `DO` block of one check: counts, and raises an error naming the change, the count and
/// the query that lists the rows.
fn block(check: &Check) -> String {
    let body = format!(
        "\nDECLARE\n  offending int8 := 0;\n  r record;\nBEGIN\n{count}\n  IF offending > 0 THEN\n    \
         RAISE EXCEPTION '% (%): % %; list them with: %', {change}, 'precondition', offending, \
         {what}, {list};\n  END IF;\nEND\n",
        count = check.count,
        change = quote_literal(check.change.as_str()),
        what = quote_literal(&check.what),
        list = quote_literal(&check.list),
    );
    format!("DO {}", quote_literal(&body))
}

fn change_checks(change: &Change, answers: &Answers) -> Vec<Check> {
    let id = change.id();
    let chose = |question: &'static str| {
        answers
            .get(&id, &QuestionId::from_static(question))
            .map(|answer| answer.choice.as_str().to_owned())
    };
    match change {
        Change::SetNotNull { table, column } => {
            let fills = matches!(
                chose(set_not_null::NULLS).as_deref(),
                Some("fill" | set_not_null::FILL_DEFAULT)
            );
            if fills {
                return Vec::new();
            }
            vec![nulls(&id, table, &column.name)]
        }
        Change::AddUnique { table, unique } => {
            if chose(add_unique::DUPLICATES).as_deref() == Some("delete-duplicates") {
                return Vec::new();
            }
            vec![duplicates(
                &id,
                table,
                &unique.columns,
                unique.nulls_not_distinct,
            )]
        }
        Change::AddPrimaryKey { table, key } => {
            let mut found: Vec<Check> = key
                .columns
                .iter()
                .map(|column| nulls(&id, table, column))
                .collect();
            if chose(add_primary_key::DUPLICATES).as_deref() != Some("delete-duplicates") {
                found.push(duplicates(&id, table, &key.columns, false));
            }
            found
        }
        Change::AddForeignKey {
            table,
            key,
            new_table: false,
        } if key.valid => {
            let removes = matches!(
                chose(add_foreign_key::ORPHANS).as_deref(),
                Some("delete" | "set-null")
            );
            if removes {
                return Vec::new();
            }
            let count = orphans_sql(
                table,
                &key.columns,
                &key.references,
                &key.referenced_columns,
            );
            vec![Check {
                change: id.clone(),
                what: format!(
                    "rows of {} whose key {} lacks",
                    table.name, key.references.name
                ),
                list: count.replacen("count(*)", "c.*", 1),
                count: into_offending(&count),
            }]
        }
        Change::ChangeColumnType { table, from, to }
            if !change_column_type::is_binary_coercible(from, to)
                && chose(change_column_type::USING).as_deref() != Some("expression") =>
        {
            vec![casts(&id, table, &from.name, &to.data_type)]
        }
        Change::ReplaceEnum {
            from, to, columns, ..
        } => {
            let dropped = replace_enum::dropped_labels(&from.labels, &to.labels);
            if dropped.is_empty() {
                return Vec::new();
            }
            columns
                .iter()
                .map(|column| labels(&id, column, &dropped))
                .collect()
        }
        _ => Vec::new(),
    }
}

/// `  SELECT n INTO offending FROM (<count>) AS counted(n);`: the first column of a counting
/// query into `offending`.
fn into_offending(count: &str) -> String {
    format!("  SELECT n INTO offending FROM ({count}) AS counted(n);")
}

fn nulls(id: &ChangeId, table: &TableRef, column: &str) -> Check {
    let count = nulls_sql(table, column);
    Check {
        change: id.clone(),
        what: format!("rows where {}.{column} is NULL", table.name),
        list: count.replacen("count(*)", "*", 1),
        count: into_offending(&count),
    }
}

fn duplicates(id: &ChangeId, table: &TableRef, columns: &[String], nulls_equal: bool) -> Check {
    let key = columns
        .iter()
        .map(|c| quote_ident(c))
        .collect::<Vec<_>>()
        .join(", ");
    Check {
        change: id.clone(),
        what: format!(
            "rows of {} sharing their ({}) with another row",
            table.name,
            columns.join(", ")
        ),
        list: format!(
            "SELECT {key}, count(*) FROM {} GROUP BY {key} HAVING count(*) > 1",
            quote_qualified(&table.schema, &table.name)
        ),
        count: into_offending(&duplicates_sql(table, columns, nulls_equal)),
    }
}

fn casts(id: &ChangeId, table: &TableRef, column: &str, to_type: &str) -> Check {
    let target = quote_qualified(&table.schema, &table.name);
    let name = quote_ident(column);
    // One scan casting every value; only when one fails, a count row by row.
    let count = format!(
        "  BEGIN\n    PERFORM count(({name})::{to_type}) FROM {target};\n  EXCEPTION WHEN \
         data_exception THEN\n    FOR r IN SELECT {name} AS v FROM {target} WHERE {name} IS NOT \
         NULL LOOP\n      BEGIN\n        PERFORM (r.v)::{to_type};\n      EXCEPTION WHEN \
         data_exception THEN\n        offending := offending + 1;\n      END;\n    END LOOP;\n  \
         END;"
    );
    Check {
        change: id.clone(),
        what: format!(
            "values of {}.{column} that do not convert to {to_type}",
            table.name
        ),
        // No query can catch a failing cast before PostgreSQL 16 (`pg_input_is_valid`): a
        // block that names each row as a NOTICE works on every version.
        list: format!(
            "DO $list$ DECLARE r record; BEGIN FOR r IN SELECT ctid, {name} AS v FROM {target} \
             WHERE {name} IS NOT NULL LOOP BEGIN PERFORM (r.v)::{to_type}; EXCEPTION WHEN \
             data_exception THEN RAISE NOTICE 'row % holds %', r.ctid, r.v; END; END LOOP; END \
             $list$"
        ),
        count,
    }
}

fn labels(id: &ChangeId, (table, column): &(TableRef, String), dropped: &[String]) -> Check {
    let count = label_rows_sql(&[(table.clone(), column.clone())], dropped);
    let shown: Vec<String> = dropped.iter().map(|label| quote_literal(label)).collect();
    let target = quote_qualified(&table.schema, &table.name);
    let wanted: Vec<String> = dropped
        .iter()
        .map(|label| format!("to_jsonb({}::text)", quote_literal(label)))
        .collect();
    Check {
        change: id.clone(),
        what: format!(
            "rows of {} whose {column} holds {}",
            table.name,
            shown.join(", ")
        ),
        list: format!(
            "SELECT * FROM {target} WHERE to_jsonb({}) @> ANY (ARRAY[{}])",
            quote_ident(column),
            wanted.join(", ")
        ),
        count: into_offending(&count),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::rules::test_support::Fixture;

    const LIVE: &str = "schemas:\n  public:\n    tables:\n      t:\n        columns:\n          \
                        note: text\n";
    const DESIRED: &str = "schemas:\n  public:\n    tables:\n      t:\n        columns:\n          \
                           note: { type: text, nullable: false }\n";

    fn changes(fixture: &Fixture) -> Vec<Change> {
        crate::diff::diff(&fixture.live, &fixture.desired, &fixture.stats)
    }

    #[test]
    fn a_path_that_needs_clean_data_is_checked_and_a_fill_is_not() {
        let fixture = Fixture::new(LIVE, DESIRED);
        let changes = changes(&fixture);
        let found = checks(&changes, &fixture.answers);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].what, "rows where t.note is NULL");
        assert_eq!(found[0].list, "SELECT * FROM public.t WHERE note IS NULL");
        let filled = fixture.answer(&changes[0], set_not_null::NULLS, "fill", Some("''"));
        assert!(checks(&changes, &filled.answers).is_empty());
    }

    #[test]
    fn the_file_only_reads_and_stops_with_the_change_the_count_and_the_query() {
        let fixture = Fixture::new(LIVE, DESIRED);
        let made = file(&checks(&changes(&fixture), &fixture.answers), 1000).unwrap();
        assert_eq!(made.name, FILE_NAME);
        assert!(made.rollback.is_empty());
        assert_eq!(
            made.statements[0].statement.sql,
            "SET TRANSACTION READ ONLY"
        );
        let check = &made.statements[1].statement.sql;
        assert!(check.starts_with("DO '"), "{check}");
        assert!(
            check.contains("''public.t.note'', ''precondition'', offending"),
            "{check}"
        );
        assert!(file(&[], 1000).is_none());
    }
}
