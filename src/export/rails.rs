//! Rails (Active Record): one migration per unit in `db/migrate/`, versioned by timestamp,
//! with `execute` in `up` and `down`. A unit that must run outside a transaction calls
//! `disable_ddl_transaction!`. The SQL is a single-quoted Ruby string: nothing is
//! interpolated, and `execute` passes it on as it is.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use super::text::{camel_case, ruby_quoted};
use super::{Commands, Export, ExportOptions, Unit};

pub(super) fn render(
    export: &Export,
    options: &ExportOptions,
) -> (BTreeMap<PathBuf, String>, Commands) {
    let mut files = BTreeMap::new();
    for unit in export.units() {
        let name = name(export, unit);
        files.insert(
            PathBuf::from(format!("db/migrate/{}_{name}.rb", export.version(unit))),
            migration_file(unit, &name, &options.rails_version),
        );
    }
    let mut commands = Commands {
        setup: vec!["cp db/migrate/*.rb <your app>/db/migrate/".to_owned()],
        notes: vec![format!(
            "The migrations inherit `ActiveRecord::Migration[{}]`: export with \
             `--rails-version` to match your app's.",
            options.rails_version
        )],
        ..Commands::default()
    };
    for stage in &export.stages {
        let target = export
            .last_unit(stage.number)
            .map_or_else(String::new, |u| format!(" VERSION={}", export.version(u)));
        commands
            .apply
            .push(vec![format!("bin/rails db:migrate{target}")]);
        let before = export
            .last_unit(stage.number - 1)
            .map(|u| export.version(u));
        commands.rollback.push(vec![match before {
            Some(before) => format!("bin/rails db:migrate VERSION={before}"),
            // Back before the plan's first migration: one step per migration of the stage
            // (`VERSION=0` would undo the app's own migrations too).
            None => format!("bin/rails db:rollback STEP={}", stage.units.len()),
        }]);
    }
    (files, commands)
}

/// `pgphase_<plan>_<unit>`: the class name is its CamelCase, unique per plan and unit.
fn name(export: &Export, unit: &Unit) -> String {
    let plan: String = export.slug.chars().take(40).collect();
    format!("pgphase_{plan}_{}", unit.slug)
}

fn migration_file(unit: &Unit, name: &str, version: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# pgphase unit {}", unit.slug);
    for line in &unit.comment {
        let _ = writeln!(out, "# {line}");
    }
    for warning in &unit.rollback_warnings {
        let _ = writeln!(out, "# down does not bring back: {warning}");
    }
    let _ = writeln!(
        out,
        "class {} < ActiveRecord::Migration[{version}]",
        camel_case(name)
    );
    if !unit.transactional {
        out.push_str("  # runs outside a transaction\n  disable_ddl_transaction!\n\n");
    }
    let _ = write!(
        out,
        "  def up\n{}  end\n\n  def down\n{}  end\nend\n",
        calls(&unit.statements),
        calls(&unit.rollback)
    );
    out
}

fn calls(statements: &[String]) -> String {
    statements
        .iter()
        .map(|sql| format!("    execute {}\n", ruby_quoted(sql)))
        .collect()
}
