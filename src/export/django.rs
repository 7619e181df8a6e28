//! Django: one migration module per unit in the app's `migrations/`, each depending on the one
//! before. `RunSQL` gets its SQL as lists, one statement per element: a single string is split
//! by sqlparse, which does not know dollar-quoted bodies. A unit that must run outside a
//! transaction is a migration with `atomic = False`. Elements run without parameters, so `%`,
//! `?` and `:name` need no escape.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use super::text::quoted;
use super::{Commands, Export, ExportOptions, Unit};

pub(super) fn render(
    export: &Export,
    options: &ExportOptions,
) -> (BTreeMap<PathBuf, String>, Commands) {
    let app = &options.django_app;
    let first = first_number(options.after.as_deref());
    let name = |unit: &Unit| migration_name(export, unit, first);
    let mut files = BTreeMap::new();
    let mut previous = options.after.clone();
    for unit in export.units() {
        let module = name(unit);
        files.insert(
            PathBuf::from(format!("{app}/migrations/{module}.py")),
            migration_file(unit, app, previous.as_deref()),
        );
        previous = Some(module);
    }
    let mut commands = Commands {
        setup: vec![format!(
            "cp {app}/migrations/*.py <your project>/{app}/migrations/   # the app `{app}` must be in INSTALLED_APPS"
        )],
        notes: vec![
            "SQL is passed to `RunSQL` as lists, one statement per element, and runs without \
             parameters: nothing in it is escaped or split."
                .to_owned(),
        ],
        ..Commands::default()
    };
    if options.after.is_none() {
        commands.notes.push(format!(
            "The first migration depends on nothing: export with `--after <the app's latest \
             migration>` when `{app}` already has migrations."
        ));
    }
    for stage in &export.stages {
        let target = export
            .last_unit(stage.number)
            .map_or_else(String::new, |u| format!(" {}", name(u)));
        commands
            .apply
            .push(vec![format!("python manage.py migrate {app}{target}")]);
        let before = export.last_unit(stage.number - 1).map_or_else(
            || options.after.clone().unwrap_or_else(|| "zero".to_owned()),
            name,
        );
        commands
            .rollback
            .push(vec![format!("python manage.py migrate {app} {before}")]);
    }
    (files, commands)
}

/// The number the first migration takes: one past `after`'s leading number, else 1.
fn first_number(after: Option<&str>) -> usize {
    after
        .and_then(|name| {
            let digits: String = name.chars().take_while(char::is_ascii_digit).collect();
            digits.parse::<usize>().ok()
        })
        .map_or(1, |n| n + 1)
}

/// `0003_pgphase_<plan>_<unit>`, numbered on from the app's migrations.
fn migration_name(export: &Export, unit: &Unit, first: usize) -> String {
    let plan: String = export.slug.chars().take(40).collect();
    let file = unit
        .slug
        .split_once('_')
        .map_or(unit.slug.as_str(), |(_, rest)| rest);
    format!("{:04}_{plan}_{file}", first + unit.number - 1)
}

fn migration_file(unit: &Unit, app: &str, previous: Option<&str>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# pgphase unit {}", unit.slug);
    for line in &unit.comment {
        let _ = writeln!(out, "# {line}");
    }
    for warning in &unit.rollback_warnings {
        let _ = writeln!(out, "# the reverse does not bring back: {warning}");
    }
    out.push_str("from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n");
    if !unit.transactional {
        out.push_str("    # runs outside a transaction\n    atomic = False\n");
    }
    match previous {
        Some(previous) => {
            let _ = writeln!(
                out,
                "    dependencies = [({}, {})]",
                quoted(app),
                quoted(previous)
            );
        }
        None => out.push_str("    dependencies = []\n"),
    }
    out.push_str("    operations = [\n        migrations.RunSQL(\n");
    let _ = writeln!(out, "            sql={},", list(&unit.statements));
    let _ = writeln!(out, "            reverse_sql={},", list(&unit.rollback));
    out.push_str("        ),\n    ]\n");
    out
}

/// A Python list of string literals, one per line; `[]` when empty (`RunSQL.noop` is not
/// needed: an empty list runs nothing and keeps the migration reversible).
fn list(statements: &[String]) -> String {
    if statements.is_empty() {
        return "[]".to_owned();
    }
    let mut out = "[\n".to_owned();
    for sql in statements {
        let _ = writeln!(out, "                {},", quoted(sql));
    }
    out.push_str("            ]");
    out
}
