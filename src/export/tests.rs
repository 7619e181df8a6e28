//! The exporters over golden plans and a plan of awkward SQL: units and stages, each tool's
//! documented format (names, versions, the no-transaction marking, one statement per
//! no-transaction file), and the escapes each tool needs.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::*;
use crate::step::Lock;
use crate::step::Statement;

/// 2026-01-01 00:00:00 UTC.
const TIMESTAMP: u64 = 1_767_225_600;

fn golden(name: &str) -> Export {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name)
        .join("plan");
    read(&dir, TIMESTAMP).unwrap()
}

/// Concurrent build, batched backfill, a gate and a contract.
fn batched() -> Export {
    golden("change_column_type_int_to_bigint_batched")
}

fn files(export: &Export, tool: Tool) -> BTreeMap<PathBuf, String> {
    render(export, &ExportOptions::new(tool, TIMESTAMP))
}

fn names(files: &BTreeMap<PathBuf, String>) -> Vec<String> {
    files
        .keys()
        .map(|path| path.to_string_lossy().into_owned())
        .collect()
}

/// The SQL lines of a file: not comments, not blank.
fn sql_lines(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with("--"))
        .collect()
}

/// How many statements a file holds: the plan writes a statement's body indented, so a
/// statement ends at an unindented line ending with `;` (a DO block ends at `$tag$;`).
fn statement_count(text: &str) -> usize {
    sql_lines(text)
        .iter()
        .filter(|line| line.ends_with(';') && !line.starts_with(char::is_whitespace))
        .count()
}

#[test]
fn a_plan_is_cut_at_its_gates_into_units_that_keep_the_plan_order() {
    let export = batched();
    assert_eq!(export.stages.len(), 2);
    assert!(export.stages[0].gate.is_some());
    assert!(export.stages[1].gate.is_none());
    let numbers: Vec<usize> = export.units().map(|u| u.number).collect();
    assert_eq!(numbers, (1..=numbers.len()).collect::<Vec<_>>());
    let files: Vec<&str> = export.units().map(|u| u.file.as_str()).collect();
    assert_eq!(files.first(), Some(&"00-preconditions"));
    assert_eq!(files.last(), Some(&"05-contract"));
    for unit in export.units() {
        if !unit.transactional {
            assert_eq!(unit.statements.len(), 1, "{}", unit.slug);
        }
        assert!(
            !unit
                .statements
                .iter()
                .any(|s| s == "SET TRANSACTION READ ONLY"),
            "{}: a tool has run queries in the transaction before the unit",
            unit.slug
        );
    }
    let concurrent: Vec<&Unit> = export
        .units()
        .filter(|u| u.file == "02-expand-concurrently")
        .collect();
    assert!(concurrent.len() >= 2, "one unit per statement");
    assert!(concurrent.iter().all(|u| !u.transactional));
    // The rollback's one statement goes with the last unit: a tool undoes it first.
    assert!(concurrent[0].rollback.is_empty());
    assert!(concurrent.last().unwrap().rollback[0].starts_with("DROP INDEX CONCURRENTLY"));
}

#[test]
fn a_transactional_unit_sets_its_files_timeouts_locally() {
    let export = batched();
    let expand = export.units().find(|u| u.file == "01-expand").unwrap();
    assert!(expand.transactional);
    assert_eq!(expand.statements[0], "SET LOCAL lock_timeout = '1s'");
    assert!(expand.rollback[0].starts_with("SET LOCAL lock_timeout"));
}

#[test]
fn golang_migrate_files_follow_its_naming_and_keep_no_transaction_units_alone() {
    let export = batched();
    let files = files(&export, Tool::GolangMigrate);
    let mut versions = Vec::new();
    for (path, text) in &files {
        let name = path.to_string_lossy();
        if name == "README.md" {
            continue;
        }
        let file = name.strip_prefix("migrations/").unwrap();
        let (version, rest) = file.split_once('_').unwrap();
        assert_eq!(version.len(), 14, "{name}");
        assert!(version.bytes().all(|b| b.is_ascii_digit()), "{name}");
        assert!(
            rest.ends_with(".up.sql") || rest.ends_with(".down.sql"),
            "{name}"
        );
        if rest.ends_with(".up.sql") {
            versions.push(version.to_owned());
        }
        let lines = sql_lines(text);
        if lines == ["SELECT 1;"] {
            assert!(rest.ends_with(".down.sql"), "{name}: nothing to undo");
        } else if text.contains("runs outside a transaction") {
            assert!(!lines.contains(&"BEGIN;"), "{name}");
        } else {
            assert_eq!(lines.first(), Some(&"BEGIN;"), "{name}");
            assert_eq!(lines.last(), Some(&"COMMIT;"), "{name}");
        }
    }
    let mut sorted = versions.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(versions, sorted, "versions rise, each once");
    assert_eq!(versions.len(), export.units().count());
    let concurrently = files
        .iter()
        .filter(|(path, _)| path.to_string_lossy().ends_with(".up.sql"))
        .filter(|(_, text)| text.contains("CREATE INDEX CONCURRENTLY"))
        .collect::<Vec<_>>();
    assert_eq!(concurrently.len(), 1);
    assert_eq!(
        statement_count(concurrently[0].1),
        1,
        "a CONCURRENTLY build alone in its file"
    );
    let readme = &files[Path::new("README.md")];
    assert!(readme.contains("goto 2026"), "{readme}");
}

#[test]
fn flyway_marks_no_transaction_scripts_and_turns_placeholders_off() {
    let export = batched();
    let files = files(&export, Tool::Flyway);
    let scripts: Vec<&String> = names(&files)
        .iter()
        .filter(|n| n.starts_with("sql/V") && n.ends_with(".sql"))
        .map(|n| files.keys().find(|k| k.to_string_lossy() == *n).unwrap())
        .map(|k| &files[k])
        .collect();
    assert_eq!(scripts.len(), export.units().count());
    for unit in export.units() {
        let script = format!("sql/V{}__{}.sql", export.version(unit), unit.slug);
        assert!(files.contains_key(Path::new(&script)), "{script}");
        let conf = files.get(Path::new(&format!("{script}.conf")));
        if unit.transactional {
            assert!(conf.is_none(), "{script}");
        } else {
            assert_eq!(
                conf.map(String::as_str),
                Some("executeInTransaction=false\n")
            );
            assert_eq!(statement_count(&files[Path::new(&script)]), 1, "{script}");
        }
    }
    assert!(files[Path::new("flyway.conf")].contains("flyway.placeholderReplacement=false"));
    let rollback = &files[Path::new("rollback/stage-02.rollback.sql")];
    assert!(rollback.contains("DELETE FROM flyway_schema_history WHERE version IN ("));
    assert!(files[Path::new("README.md")].contains("-target=2026"));
}

#[test]
fn prisma_folders_hold_every_unit_up_to_their_gate_with_no_transaction_units_alone() {
    let export = batched();
    let files = files(&export, Tool::Prisma);
    for stage in &export.stages {
        let folder = format!("until-stage-{:02}/migrations/", stage.number);
        assert!(files.contains_key(Path::new(&format!("{folder}migration_lock.toml"))));
        let held: Vec<String> = names(&files)
            .into_iter()
            .filter(|n| n.starts_with(&folder) && n.ends_with("/migration.sql"))
            .collect();
        let expected: usize = export.stages[..stage.number]
            .iter()
            .map(|s| s.units.len())
            .sum();
        assert_eq!(held.len(), expected, "{folder}");
    }
    for unit in export.units().filter(|u| !u.transactional) {
        let path = format!(
            "until-stage-02/migrations/{}_{}/migration.sql",
            export.version(unit),
            unit.slug
        );
        let text = &files[Path::new(&path)];
        assert_eq!(statement_count(text), 1, "{path}");
        assert!(!sql_lines(text).contains(&"BEGIN;"), "{path}");
    }
}

/// A plan of one transaction file and one no-transaction file whose SQL holds what each
/// tool's SQL path may take for a parameter or a placeholder.
fn awkward() -> Export {
    let statement = |sql: &str| PlannedStatement {
        change: crate::decide::ChangeId::global(),
        tables: Vec::new(),
        statement: Statement::new(sql, Lock::None, "a note"),
    };
    let file = |name: &str, kind: FileKind, sql: &str, rollback: &str| PlanFile {
        name: name.to_owned(),
        phase: Phase::Expand,
        kind,
        lock_timeout_ms: 1_000,
        statement_timeout_ms: 0,
        budget_ms: 1_500,
        duration: crate::plan::DurationClass::Instant,
        strongest_lock: Lock::None,
        locks: Vec::new(),
        statements: vec![statement(sql)],
        rollback: vec![statement(rollback)],
        rollback_warnings: Vec::new(),
        gates: Vec::new(),
    };
    cut(
        "awkward",
        &[
            file(
                "01-expand",
                FileKind::Transaction,
                AWKWARD,
                "DROP TABLE IF EXISTS public.probe",
            ),
            file(
                "02-expand-concurrently",
                FileKind::Concurrently,
                "CREATE INDEX CONCURRENTLY IF NOT EXISTS probe_j_idx ON public.probe ((j ? 'a'))",
                "DROP INDEX CONCURRENTLY IF EXISTS public.probe_j_idx",
            ),
        ],
        TIMESTAMP,
    )
}

const AWKWARD: &str = "CREATE TABLE public.probe AS SELECT '{\"a\":1}'::jsonb AS j, \
                       '? 100% $1 :name ${x}'::text AS t, $body$ it's ? $body$::text AS b";

#[test]
fn each_tool_escapes_what_its_sql_path_would_take_for_a_parameter() {
    let export = awkward();
    let find = |tool: Tool, suffix: &str| {
        let files = files(&export, tool);
        files
            .iter()
            .find(|(path, text)| {
                path.to_string_lossy().ends_with(suffix) && text.contains("probe AS")
            })
            .map(|(_, text)| text.clone())
            .unwrap_or_else(|| panic!("{tool}: no file ending {suffix}"))
    };
    // Alembic: SQLAlchemy's text() takes `:x` for a bind; `\:` (a backslash in the value, two
    // in the Python literal) is a colon.
    let alembic = find(Tool::Alembic, ".py");
    assert!(alembic.contains(r#"'{\"a\"\\:1}'\\:\\:jsonb"#), "{alembic}");
    assert!(alembic.contains(r"\\:name ${x}"), "{alembic}");
    // Knex: knex.raw takes `?` for a binding.
    let knex = find(Tool::Knex, ".js");
    assert!(knex.contains(r"'\\? 100% $1 :name ${x}'"), "{knex}");
    assert!(knex.contains(r"$body$ it's \\? $body$"), "{knex}");
    // Liquibase: JDBC takes a `?` outside quotes; inside quotes it stays.
    let changelog = &files(&export, Tool::Liquibase)[Path::new("changelog.sql")];
    assert!(changelog.contains("((j ?? 'a'))"), "{changelog}");
    assert!(changelog.contains("'? 100% $1 :name ${x}'"), "{changelog}");
    assert!(changelog.contains("$body$ it's ? $body$"), "{changelog}");
    // Django and Rails pass the SQL on as it is.
    let django = find(Tool::Django, ".py");
    assert!(django.contains(r#"'{\"a\":1}'::jsonb"#), "{django}");
    let rails = find(Tool::Rails, ".rb");
    assert!(rails.contains(r"$body$ it\'s ? $body$"), "{rails}");
    assert!(rails.contains("${x}"), "{rails}");
    // Flyway would replace `${x}`: turned off for the whole export.
    assert!(
        files(&export, Tool::Flyway)[Path::new("flyway.conf")]
            .contains("placeholderReplacement=false")
    );
}

#[test]
fn no_transaction_units_are_marked_the_tools_way() {
    let export = awkward();
    let marker = |tool: Tool| -> &'static str {
        match tool {
            Tool::Alembic => "with op.get_context().autocommit_block():",
            Tool::Django => "atomic = False",
            Tool::Knex => "exports.config = { transaction: false };",
            Tool::Drizzle => "COMMIT;\n--> statement-breakpoint\nCREATE INDEX CONCURRENTLY",
            Tool::Liquibase => "runInTransaction:false",
            Tool::Rails => "disable_ddl_transaction!",
            Tool::GolangMigrate | Tool::Prisma => "CREATE INDEX CONCURRENTLY",
            Tool::Flyway => "executeInTransaction=false",
        }
    };
    for tool in Tool::ALL {
        let files = files(&export, tool);
        let marked: usize = files
            .values()
            .map(|text| text.matches(marker(tool)).count())
            .sum();
        assert!(marked >= 1, "{tool}: the CONCURRENTLY unit is not marked");
        assert!(
            files[Path::new("README.md")].contains("## Roll back"),
            "{tool}: the README says how to roll back"
        );
    }
}

#[test]
fn every_export_has_a_readme_with_a_command_per_stage() {
    let export = batched();
    for tool in Tool::ALL {
        let readme = &files(&export, tool)[Path::new("README.md")];
        assert!(readme.contains("### Stage 1"), "{tool}");
        assert!(readme.contains("### Stage 2"), "{tool}");
        assert!(readme.contains("**Deploy gate**"), "{tool}");
    }
}
