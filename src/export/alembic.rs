//! Alembic: one revision file per unit under `versions/`, chained by `down_revision`. A unit
//! that must run outside a transaction runs in `op.get_context().autocommit_block()`. The SQL
//! goes through SQLAlchemy's `text()`, where `:name` is a bind parameter: every `:` is escaped.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use super::text::{escape_colons, quoted};
use super::{Commands, Export, ExportOptions, Unit};

pub(super) fn render(
    export: &Export,
    options: &ExportOptions,
) -> (BTreeMap<PathBuf, String>, Commands) {
    let mut files = BTreeMap::new();
    let mut previous = options.after.clone();
    for unit in export.units() {
        let revision = revision(export, unit);
        files.insert(
            PathBuf::from(format!("versions/{revision}.py")),
            revision_file(unit, &revision, previous.as_deref()),
        );
        previous = Some(revision);
    }
    let mut commands = Commands {
        setup: vec!["cp versions/*.py <your alembic folder>/versions/".to_owned()],
        notes: vec![
            "Every `:` of the SQL is written `\\:`: `op.execute` runs it through SQLAlchemy's \
             `text()`, where `:name` is a bind parameter."
                .to_owned(),
            "A unit that runs outside a transaction commits what ran before it in the same \
             `alembic upgrade` (that is how `autocommit_block` works); \
             `transaction_per_migration=True` in env.py keeps each revision its own transaction."
                .to_owned(),
        ],
        ..Commands::default()
    };
    if options.after.is_none() {
        commands.notes.push(
            "The first revision has no `down_revision`: export with `--after <your head \
             revision>` to chain it to your history."
                .to_owned(),
        );
    }
    for stage in &export.stages {
        let last = export.last_unit(stage.number);
        commands.apply.push(vec![format!(
            "alembic upgrade {}",
            last.map_or_else(|| "head".to_owned(), |u| revision(export, u))
        )]);
        let before = export.last_unit(stage.number - 1).map_or_else(
            || options.after.clone().unwrap_or_else(|| "base".to_owned()),
            |u| revision(export, u),
        );
        commands
            .rollback
            .push(vec![format!("alembic downgrade {before}")]);
    }
    (files, commands)
}

/// `<plan>_<number>`: at most 32 characters (Alembic's version column), unique per plan.
fn revision(export: &Export, unit: &Unit) -> String {
    let plan: String = export.slug.chars().take(26).collect();
    format!("{}_{:04}", plan.trim_end_matches('_'), unit.number)
}

fn revision_file(unit: &Unit, revision: &str, previous: Option<&str>) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\"\"\"pgphase unit {}\n\nRevision ID: {revision}\nRevises: {}\n\"\"\"",
        unit.slug,
        previous.unwrap_or("")
    );
    for line in &unit.comment {
        let _ = writeln!(out, "# {line}");
    }
    out.push_str("from alembic import op\n\n");
    let _ = writeln!(out, "revision = {}", quoted(revision));
    let _ = writeln!(
        out,
        "down_revision = {}",
        previous.map_or_else(|| "None".to_owned(), quoted)
    );
    out.push_str("branch_labels = None\ndepends_on = None\n\n\n");
    out.push_str("def upgrade() -> None:\n");
    out.push_str(&body(&unit.statements, unit.transactional));
    out.push_str("\n\ndef downgrade() -> None:\n");
    if !unit.rollback_warnings.is_empty() {
        for warning in &unit.rollback_warnings {
            let _ = writeln!(
                out,
                "    # not brought back: {}",
                warning.replace('\n', " ")
            );
        }
    }
    out.push_str(&body(&unit.rollback, unit.transactional));
    out
}

fn body(statements: &[String], transactional: bool) -> String {
    if statements.is_empty() {
        return "    pass\n".to_owned();
    }
    let mut out = String::new();
    let indent = if transactional {
        "    "
    } else {
        out.push_str("    # runs outside a transaction\n");
        out.push_str("    with op.get_context().autocommit_block():\n");
        "        "
    };
    for sql in statements {
        let _ = writeln!(out, "{indent}op.execute({})", quoted(&escape_colons(sql)));
    }
    out
}
