//! Knex: one migration file per unit, in one directory per stage (`stage-01/`…), and
//! `stages.js`, which lists the directories up to a gate for the knexfile. Knex has no
//! "migrate up to": the stages visible are the gate, and each `migrate:latest` is one batch, so
//! `migrate:rollback` undoes exactly one stage. A unit that must run outside a transaction
//! exports `config = { transaction: false }`. `knex.raw` reads `?` as a binding: every `?` is
//! escaped.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use super::text::{escape_question_marks, quoted};
use super::{Commands, Export, Unit};

pub(super) fn render(export: &Export) -> (BTreeMap<PathBuf, String>, Commands) {
    let mut files = BTreeMap::new();
    for stage in &export.stages {
        for unit in &stage.units {
            files.insert(
                PathBuf::from(format!(
                    "{}/{}_{}.js",
                    stage_dir(stage.number),
                    export.version(unit),
                    unit.slug
                )),
                migration_file(unit),
            );
        }
    }
    files.insert(PathBuf::from("stages.js"), stages_file(export));
    let count = export.stages.len();
    let mut commands = Commands {
        setup: vec![
            "cp -r stage-* stages.js <your project>/migrations/pgphase/".to_owned(),
            "# in the knexfile: migrations: { directory: ['./migrations', \
             ...require('./migrations/pgphase/stages.js')(process.env.PGPHASE_UNTIL)] }"
                .to_owned(),
        ],
        notes: vec![
            "Every `?` of the SQL is written `\\?`: `knex.raw` reads `?` and `??` as bindings."
                .to_owned(),
            "Keep every stage visible (no PGPHASE_UNTIL) to roll back: knex refuses to run when \
             an applied migration's file is missing."
                .to_owned(),
        ],
        ..Commands::default()
    };
    for stage in &export.stages {
        let until = if stage.number == count {
            String::new()
        } else {
            format!("PGPHASE_UNTIL={} ", stage.number)
        };
        commands
            .apply
            .push(vec![format!("{until}npx knex migrate:latest")]);
        commands
            .rollback
            .push(vec!["npx knex migrate:rollback".to_owned()]);
    }
    (files, commands)
}

/// `stage-01`.
pub(super) fn stage_dir(number: usize) -> String {
    format!("stage-{number:02}")
}

fn stages_file(export: &Export) -> String {
    let dirs: Vec<String> = export
        .stages
        .iter()
        // A stage without units has no directory (knex fails on a missing one).
        .filter(|stage| !stage.units.is_empty())
        .map(|stage| {
            format!(
                "  [{}, path.join(__dirname, {})],",
                stage.number,
                quoted(&stage_dir(stage.number))
            )
        })
        .collect();
    format!(
        "// pgphase plan {}: its migration directories, one per stage; a deploy gate ends each\n\
         // stage but the last. `until` (PGPHASE_UNTIL) is the last stage to show: apply up to\n\
         // a gate with it, check the gate, then go on with every stage shown.\n\
         const path = require('path');\n\
         const stages = [\n{}\n];\n\
         module.exports = function (until) {{\n  \
         const last = until === undefined || until === '' ? Infinity : parseInt(until, 10);\n  \
         return stages.filter(([stage]) => stage <= last).map(([, dir]) => dir);\n}};\n",
        export.plan,
        dirs.join("\n")
    )
}

fn migration_file(unit: &Unit) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "// pgphase unit {}", unit.slug);
    for line in &unit.comment {
        let _ = writeln!(out, "// {line}");
    }
    for warning in &unit.rollback_warnings {
        let _ = writeln!(out, "// down does not bring back: {warning}");
    }
    if !unit.transactional {
        out.push_str("// runs outside a transaction\nexports.config = { transaction: false };\n");
    }
    let _ = write!(
        out,
        "exports.up = async function (knex) {{\n{}}};\nexports.down = async function (knex) {{\n{}}};\n",
        calls(&unit.statements),
        calls(&unit.rollback)
    );
    out
}

fn calls(statements: &[String]) -> String {
    statements
        .iter()
        .map(|sql| {
            format!(
                "  await knex.raw({});\n",
                quoted(&escape_question_marks(sql))
            )
        })
        .collect()
}
