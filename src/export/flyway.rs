//! Flyway: `V{version}__{description}.sql` per unit, versioned by timestamp. A unit that must
//! run outside a transaction gets a `V….sql.conf` with `executeInTransaction=false` and holds
//! its one statement. Placeholder replacement is turned off in `flyway.conf` (`${…}` in the
//! SQL stays as it is). Undo migrations are a paid edition's: `rollback/` holds a psql script
//! per stage that undoes it and deletes its history rows.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use super::{Commands, Export, Unit, psql_rollback};

pub(super) fn render(export: &Export) -> (BTreeMap<PathBuf, String>, Commands) {
    let mut files = BTreeMap::new();
    for unit in export.units() {
        let script = format!("sql/V{}__{}.sql", export.version(unit), unit.slug);
        files.insert(PathBuf::from(&script), sql_file(unit));
        if !unit.transactional {
            files.insert(
                PathBuf::from(format!("{script}.conf")),
                "executeInTransaction=false\n".to_owned(),
            );
        }
    }
    files.insert(
        PathBuf::from("flyway.conf"),
        "# pgphase: SQL is run as written; `${…}` is not a placeholder.\n\
         flyway.placeholderReplacement=false\nflyway.locations=filesystem:sql\n"
            .to_owned(),
    );
    let mut commands = Commands {
        setup: vec!["cp sql/* <your locations folder>/   # with flyway.conf's settings".to_owned()],
        notes: vec![
            "Flyway Community has no undo: `rollback/stage-NN.rollback.sql` undoes a stage with \
             psql and deletes its rows from `flyway_schema_history`."
                .to_owned(),
            "Not run by the real tool in pgphase's tests (it does not install from the package \
             registries pgphase's CI reaches); the files follow its documented format."
                .to_owned(),
        ],
        ..Commands::default()
    };
    for stage in &export.stages {
        let target = match export.last_unit(stage.number) {
            Some(unit) if stage.gate.is_some() => format!(" -target={}", export.version(unit)),
            _ => String::new(),
        };
        commands.apply.push(vec![format!(
            "flyway -configFiles=flyway.conf migrate{target}"
        )]);
        let versions: Vec<String> = stage
            .units
            .iter()
            .map(|u| format!("'{}'", export.version(u)))
            .collect();
        let rollback = format!("rollback/stage-{:02}.rollback.sql", stage.number);
        files.insert(
            PathBuf::from(&rollback),
            psql_rollback(
                export,
                stage,
                &format!(
                    "DELETE FROM flyway_schema_history WHERE version IN ({})",
                    if versions.is_empty() {
                        "NULL".to_owned()
                    } else {
                        versions.join(", ")
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

fn sql_file(unit: &Unit) -> String {
    let mut out = format!("-- pgphase unit {}\n", unit.slug);
    for line in &unit.comment {
        let _ = writeln!(out, "-- {line}");
    }
    for sql in &unit.statements {
        let _ = writeln!(out, "{sql};");
    }
    out
}
