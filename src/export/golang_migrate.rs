//! golang-migrate: `{version}_{title}.up.sql` and `.down.sql` per unit, versioned by
//! timestamp. The PostgreSQL driver sends a file as one query, which PostgreSQL runs as one
//! implicit transaction: a transactional unit is wrapped in `BEGIN;`/`COMMIT;`, and a unit
//! that must run outside a transaction is alone in its file (its one statement).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use super::{Commands, Export, Unit};

pub(super) fn render(export: &Export) -> (BTreeMap<PathBuf, String>, Commands) {
    let mut files = BTreeMap::new();
    for unit in export.units() {
        let stem = format!("migrations/{}_{}", export.version(unit), unit.slug);
        files.insert(
            PathBuf::from(format!("{stem}.up.sql")),
            sql_file(unit, &unit.statements, "up"),
        );
        files.insert(
            PathBuf::from(format!("{stem}.down.sql")),
            sql_file(unit, &unit.rollback, "down"),
        );
    }
    let base = "migrate -path migrations -database \"$DATABASE_URL\"";
    let mut commands = Commands {
        setup: vec!["cp migrations/* <your migrations folder>/".to_owned()],
        notes: vec![
            "A unit that runs outside a transaction holds exactly one statement: the driver \
             sends a file as one query, which PostgreSQL runs as one implicit transaction. Do \
             not use `x-multi-statement`: it splits dollar-quoted bodies."
                .to_owned(),
            "Not run by the real tool in pgphase's tests (it does not install from the package \
             registries pgphase's CI reaches); the files follow its documented format."
                .to_owned(),
        ],
        ..Commands::default()
    };
    for stage in &export.stages {
        let last = export.last_unit(stage.number).map(|u| export.version(u));
        commands.apply.push(vec![match last {
            Some(version) if stage.gate.is_some() => format!("{base} goto {version}"),
            _ => format!("{base} up"),
        }]);
        let before = export
            .last_unit(stage.number - 1)
            .map(|u| export.version(u));
        commands.rollback.push(vec![match before {
            Some(version) => format!("{base} goto {version}"),
            None => format!("{base} down {}", stage.units.len()),
        }]);
    }
    (files, commands)
}

fn sql_file(unit: &Unit, statements: &[String], direction: &str) -> String {
    let mut out = format!("-- pgphase unit {} ({direction})\n", unit.slug);
    if !unit.transactional {
        out.push_str("-- runs outside a transaction: the one statement of this file\n");
    }
    for line in &unit.comment {
        let _ = writeln!(out, "-- {line}");
    }
    if direction == "down" {
        for warning in &unit.rollback_warnings {
            let _ = writeln!(out, "-- not brought back: {warning}");
        }
    }
    if statements.is_empty() {
        // An empty file is an error for some drivers: a statement that does nothing.
        out.push_str("SELECT 1;\n");
        return out;
    }
    if unit.transactional {
        out.push_str("BEGIN;\n");
    }
    for sql in statements {
        let _ = writeln!(out, "{sql};");
    }
    if unit.transactional {
        out.push_str("COMMIT;\n");
    }
    out
}
