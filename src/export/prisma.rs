//! Prisma Migrate: `migrations/<timestamp>_<name>/migration.sql` per unit, in a folder per
//! gate that holds every unit up to it (`prisma migrate deploy` applies all it finds; pointing
//! it at the next folder is going on past the gate). The engine sends a file in one call,
//! which PostgreSQL runs as one implicit transaction: a unit that must run outside a
//! transaction is alone in its file. No down migrations: `rollback/` holds a psql script per
//! stage that undoes it and deletes its history rows.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use super::{Commands, Export, Unit, psql_rollback};

pub(super) fn render(export: &Export) -> (BTreeMap<PathBuf, String>, Commands) {
    let mut files = BTreeMap::new();
    let mut commands = Commands {
        notes: vec![
            "Prisma has no down migrations: `rollback/stage-NN.rollback.sql` undoes a stage with \
             psql and deletes its rows from `_prisma_migrations`."
                .to_owned(),
            "Not run by the real tool in pgphase's tests (its engine is downloaded on first \
             use, which pgphase's CI cannot reach); the files follow its documented format."
                .to_owned(),
        ],
        ..Commands::default()
    };
    for stage in &export.stages {
        let folder = format!("until-stage-{:02}/migrations", stage.number);
        files.insert(
            PathBuf::from(format!("{folder}/migration_lock.toml")),
            "# pgphase: Prisma checks the provider of the migrations folder.\nprovider = \"postgresql\"\n"
                .to_owned(),
        );
        for unit in export
            .stages
            .iter()
            .take(stage.number)
            .flat_map(|s| &s.units)
        {
            files.insert(
                PathBuf::from(format!("{folder}/{}/migration.sql", name(export, unit))),
                sql_file(unit),
            );
        }
        commands.apply.push(vec![format!(
            "npx prisma migrate deploy   # with the migrations folder set to {folder}"
        )]);
        let names: Vec<String> = stage
            .units
            .iter()
            .map(|u| format!("'{}'", name(export, u)))
            .collect();
        let rollback = format!("rollback/stage-{:02}.rollback.sql", stage.number);
        files.insert(
            PathBuf::from(&rollback),
            psql_rollback(
                export,
                stage,
                &format!(
                    "DELETE FROM \"_prisma_migrations\" WHERE migration_name IN ({})",
                    if names.is_empty() {
                        "NULL".to_owned()
                    } else {
                        names.join(", ")
                    }
                ),
            ),
        );
        commands.rollback.push(vec![format!(
            "psql \"$DATABASE_URL\" -v ON_ERROR_STOP=1 -f {rollback}"
        )]);
    }
    (files, commands)
}

fn name(export: &Export, unit: &Unit) -> String {
    format!("{}_{}", export.version(unit), unit.slug)
}

fn sql_file(unit: &Unit) -> String {
    let mut out = format!("-- pgphase unit {}\n", unit.slug);
    for line in &unit.comment {
        let _ = writeln!(out, "-- {line}");
    }
    if unit.transactional && unit.statements.len() > 1 {
        // One call, one implicit transaction already; said explicitly for the reader.
        out.push_str("BEGIN;\n");
        for sql in &unit.statements {
            let _ = writeln!(out, "{sql};");
        }
        out.push_str("COMMIT;\n");
    } else {
        for sql in &unit.statements {
            let _ = writeln!(out, "{sql};");
        }
    }
    out
}
