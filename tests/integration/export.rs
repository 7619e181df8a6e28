//! Exported plans run by the real migration tools: for each tool that installs from the
//! package registries (Alembic, Django, Knex, Drizzle, Liquibase, Rails), three golden plans
//! are exported and applied by the tool, stage by stage, to a database holding the scenario's
//! `before.sql`. After each stage the schema must equal a reference database to which the
//! plan's own files up to the same gate were applied with psql; after the last, the plan's
//! desired schema; then the tool rolls every stage back, and the schema must be the one before
//! the plan.
//!
//! The tools are installed on first use by `tests/export/install.sh` under `PGPHASE_TOOLS_DIR`
//! (default `~/.cache/pgphase/export-tools`, kept between runs); each is driven by
//! `tests/export/<tool>.sh`. A tool that cannot be installed fails the test, it never skips.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use pgphase::export::{self, ExportOptions, Tool};
use pgphase::schema::Schema;
use pgphase::shadow::{Shadow, canonicalize};
use pgphase::source::postgres::{self, IntrospectOptions};
use pgphase::source::yaml;
use pgphase::verify::compare::differences;

use crate::common::{TestDb, server};
use crate::counts::psql_file;

/// One plan with a CONCURRENTLY build and a batched backfill, one adding an enum label, one
/// with a gate and a contract.
const SCENARIOS: [&str; 3] = [
    "change_column_type_int_to_bigint_batched",
    "add_enum_value_shipped",
    "drop_column_gate_contract",
];

/// 2026-01-01 00:00:00 UTC: exports are the same bytes on every run.
const TIMESTAMP: u64 = 1_767_225_600;

/// Tables and schemas the tools keep their history in: not part of the plan's schema.
const HISTORY_TABLES: [&str; 9] = [
    "alembic_version",
    "django_migrations",
    "knex_migrations",
    "knex_migrations_lock",
    "databasechangelog",
    "databasechangeloglock",
    "schema_migrations",
    "ar_internal_metadata",
    "flyway_schema_history",
];
const HISTORY_SCHEMAS: [&str; 1] = ["drizzle"];

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

fn scripts_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/export")
}

/// Where the tools are: `PGPHASE_TOOLS_DIR`, else `~/.cache/pgphase/export-tools`, installed
/// there on first use by `tests/export/install.sh` (quick when they already are).
fn tools_dir() -> &'static Path {
    static TOOLS: OnceLock<PathBuf> = OnceLock::new();
    TOOLS.get_or_init(|| {
        let dir = std::env::var_os("PGPHASE_TOOLS_DIR").map_or_else(
            || {
                let home = std::env::var_os("HOME").expect("HOME");
                PathBuf::from(home).join(".cache/pgphase/export-tools")
            },
            PathBuf::from,
        );
        let output = Command::new("bash")
            .arg(scripts_dir().join("install.sh"))
            .env("PGPHASE_TOOLS_DIR", &dir)
            .output()
            .expect("running tests/export/install.sh");
        assert!(
            output.status.success(),
            "installing the migration tools failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        dir
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn alembic_applies_and_rolls_back_exported_plans() {
    run_tool(Tool::Alembic).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn django_applies_and_rolls_back_exported_plans() {
    run_tool(Tool::Django).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn knex_applies_and_rolls_back_exported_plans() {
    run_tool(Tool::Knex).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn drizzle_applies_and_rolls_back_exported_plans() {
    run_tool(Tool::Drizzle).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn liquibase_applies_and_rolls_back_exported_plans() {
    run_tool(Tool::Liquibase).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn rails_applies_and_rolls_back_exported_plans() {
    run_tool(Tool::Rails).await;
}

async fn run_tool(tool: Tool) {
    for scenario in SCENARIOS {
        run_scenario(tool, scenario).await;
    }
}

async fn run_scenario(tool: Tool, scenario: &str) {
    let name = format!("{tool} {scenario}");
    let golden = golden_dir().join(scenario);
    let before_sql = std::fs::read_to_string(golden.join("before.sql")).unwrap();
    let db = TestDb::new().await;
    db.execute(&before_sql).await;
    let reference = TestDb::new().await;
    reference.execute(&before_sql).await;
    let before = schema_of(&db).await;

    let plan_dir = golden.join("plan");
    let export = export::read(&plan_dir, TIMESTAMP).unwrap();
    let files = export::render(&export, &ExportOptions::new(tool, TIMESTAMP));
    let work = tempfile::tempdir().unwrap();
    let export_dir = work.path().join("export");
    export::write(&export_dir, &files, false).unwrap();
    let driver = Driver {
        tool,
        export_dir,
        work_dir: work.path().join("project"),
        db: &db,
    };
    driver.run(&name, &["setup"]);

    let plan_files = plan_files_by_stage(&plan_dir);
    assert_eq!(
        plan_files.len(),
        export.stages.len(),
        "{name}: the export's stages are the plan's gates plus one"
    );
    for (stage, files) in export.stages.iter().zip(&plan_files) {
        driver.run(&name, &["apply", &stage.number.to_string()]);
        for file in files {
            let path = plan_dir.join(format!("{file}.sql"));
            if let Err(error) = psql_file(&reference, &path) {
                panic!("psql -f {}: {error}", path.display());
            }
        }
        let applied = schema_of(&db).await;
        let expected = schema_of(&reference).await;
        let differ = differences(&applied, &expected);
        assert!(
            differ.is_empty(),
            "{name}: after stage {} the database differs from the plan's files applied up to \
             the same gate: {differ:?}",
            stage.number
        );
    }
    // The desired file as the plan was asked for: in canonical form, as `verify` compares it.
    let desired = yaml::load(&plan_dir.join("desired.yaml")).unwrap();
    let shadow = Shadow::Url(server().admin_url.clone());
    let canonical = canonicalize(&desired.schema, &shadow, None, &mut |_| {})
        .await
        .unwrap()
        .schema;
    let end = schema_of(&db).await;
    let managed = desired.ignore.keep_managed(&end, &canonical);
    let differ = differences(&managed, &canonical);
    assert!(
        differ.is_empty(),
        "{name}: the end state differs from the plan's desired schema: {differ:?}"
    );
    for (stage, files) in export.stages.iter().zip(&plan_files).rev() {
        driver.run(&name, &["rollback", &stage.number.to_string()]);
        for file in files.iter().rev() {
            // Read-only files (the preconditions) have no rollback.
            let path = plan_dir.join(format!("{file}.rollback.sql"));
            if !path.exists() {
                continue;
            }
            if let Err(error) = psql_file(&reference, &path) {
                panic!("psql -f {}: {error}", path.display());
            }
        }
        let restored = schema_of(&db).await;
        let expected = schema_of(&reference).await;
        let differ = differences(&restored, &expected);
        assert!(
            differ.is_empty(),
            "{name}: stage {} rolled back, the database differs from the plan's rollback files \
             applied with psql: {differ:?}",
            stage.number
        );
    }
    // What the plan's rollback cannot bring back (an added enum label) it says in its notes;
    // everything else is as before the plan.
    let restored = schema_of(&db).await;
    let differ: Vec<String> = differences(&restored, &before)
        .into_iter()
        .filter(|change| {
            !(scenario == "add_enum_value_shipped" && change.starts_with("replace-enum"))
        })
        .collect();
    assert!(
        differ.is_empty(),
        "{name}: rolled back, the schema differs from the one before the plan: {differ:?}"
    );
}

/// The plan's SQL files (without `.sql`), cut at its gates, in order.
fn plan_files_by_stage(plan_dir: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(plan_dir.join("plan.json")).unwrap();
    let plan: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut stages = vec![Vec::new()];
    for file in plan["files"].as_array().unwrap() {
        let name = file["name"].as_str().unwrap().to_owned();
        if file["kind"] == "gate" {
            stages.push(Vec::new());
        } else if let Some(stage) = stages.last_mut() {
            stage.push(name);
        }
    }
    if stages.last().is_some_and(Vec::is_empty) && stages.len() > 1 {
        stages.pop();
    }
    stages
}

/// The database's schema without the tools' history tables.
async fn schema_of(db: &TestDb) -> Schema {
    let mut schema = postgres::read_live(
        &db.connect_options(),
        &IntrospectOptions::default(),
        &mut |_| {},
    )
    .await
    .unwrap()
    .schema;
    for history in HISTORY_SCHEMAS {
        schema.namespaces.remove(history);
    }
    for namespace in schema.namespaces.values_mut() {
        for table in HISTORY_TABLES {
            namespace.tables.remove(table);
            // The sequences of their serial ids.
            namespace
                .sequences
                .retain(|name, _| !name.starts_with(&format!("{table}_")));
        }
    }
    schema
}

/// Runs `tests/export/<tool>.sh` with the export, a project folder and the database.
struct Driver<'a> {
    tool: Tool,
    export_dir: PathBuf,
    work_dir: PathBuf,
    db: &'a TestDb,
}

impl Driver<'_> {
    fn run(&self, name: &str, args: &[&str]) {
        let server = server();
        let database = &self.db.name;
        // Every tool reaches the throwaway server over TCP (JDBC has no unix sockets).
        let host = if server.socket_dir.is_some() {
            "127.0.0.1"
        } else {
            server.host.as_str()
        };
        let script = scripts_dir().join(format!("{}.sh", self.tool));
        let output = Command::new("bash")
            .arg(&script)
            .args(args)
            .env("PGPHASE_TOOLS_DIR", tools_dir())
            .env("EXPORT_DIR", &self.export_dir)
            .env("WORK_DIR", &self.work_dir)
            .env("PGHOST", host)
            .env("PGPORT", server.port.to_string())
            .env("PGUSER", &server.user)
            .env("PGDATABASE", database)
            .env(
                "DATABASE_URL",
                format!(
                    "postgresql://{}@{host}:{}/{database}",
                    server.user, server.port
                ),
            )
            .output()
            .unwrap_or_else(|e| panic!("{name}: running {}: {e}", script.display()));
        assert!(
            output.status.success(),
            "{name}: `{} {}` failed ({}):\n{}\n{}",
            script.display(),
            args.join(" "),
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}
