//! Liquibase: one formatted-SQL changelog, a changeset per unit labelled with its stage
//! (`stage-01`…), its undo in `--rollback` lines. A unit that must run outside a transaction
//! is `runInTransaction:false`. Every changeset is `splitStatements:false` and
//! `rollbackSplitStatements:false`: the splitter does not know dollar-quoted bodies; a
//! transactional unit's statements go as one text, which the JDBC driver sends in order. The
//! PostgreSQL JDBC driver reads a `?` outside quotes as a parameter: it is written `??`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use super::text::escape_jdbc_placeholders;
use super::{Commands, Export, Unit};

pub(super) fn render(export: &Export) -> (BTreeMap<PathBuf, String>, Commands) {
    let mut changelog = format!(
        "--liquibase formatted sql\n\n-- pgphase plan {}: one changeset per unit, labelled with its stage; a deploy gate\n-- ends each stage but the last.\n",
        export.plan
    );
    for stage in &export.stages {
        for unit in &stage.units {
            changelog.push_str(&changeset(export, stage.number, unit));
        }
    }
    let mut files = BTreeMap::new();
    files.insert(PathBuf::from("changelog.sql"), changelog);
    let base = "liquibase --changelog-file=changelog.sql";
    let mut commands = Commands {
        setup: vec![
            "# liquibase.properties (or flags): url=jdbc:postgresql://…, username, password"
                .to_owned(),
        ],
        notes: vec![
            "A `?` outside quotes is written `??`: the PostgreSQL JDBC driver reads `?` as a \
             parameter."
                .to_owned(),
        ],
        ..Commands::default()
    };
    let mut labels: Vec<String> = Vec::new();
    // The stage whose gate tag marks the last unit applied so far: `tag` names the latest
    // changeset row, so a stage without units sets no tag of its own.
    let mut tagged: Option<usize> = None;
    for stage in &export.stages {
        labels.push(label(stage.number));
        let mut apply = vec![format!(
            "{base} update --label-filter=\"{}\"",
            labels.join(" or ")
        )];
        let rollback = match tagged {
            Some(earlier) => format!("{base} rollback --tag={}", tag(export, earlier)),
            None => format!("{base} rollback-count --count={}", stage.units.len()),
        };
        if stage.gate.is_some() && !stage.units.is_empty() {
            apply.push(format!("{base} tag --tag={}", tag(export, stage.number)));
            tagged = Some(stage.number);
        }
        commands.apply.push(apply);
        commands.rollback.push(vec![rollback]);
    }
    (files, commands)
}

fn label(stage: usize) -> String {
    format!("stage-{stage:02}")
}

/// The tag set on the database at the gate that ends `stage`.
fn tag(export: &Export, stage: usize) -> String {
    format!("{}-gate-{stage}", export.slug)
}

fn changeset(export: &Export, stage: usize, unit: &Unit) -> String {
    let mut out = format!(
        "\n--changeset pgphase:{}-{} labels:{} splitStatements:false rollbackSplitStatements:false",
        export.slug,
        unit.slug,
        label(stage)
    );
    if !unit.transactional {
        out.push_str(" runInTransaction:false");
    }
    out.push('\n');
    // `-- |` keeps a comment from reading as one of the changelog's own `--rollback`, … lines.
    for line in &unit.comment {
        let _ = writeln!(out, "-- | {line}");
    }
    for warning in &unit.rollback_warnings {
        let _ = writeln!(out, "-- | the rollback does not bring back: {warning}");
    }
    let _ = writeln!(out, "{}", sql_text(&unit.statements));
    if unit.rollback.is_empty() {
        out.push_str("--rollback empty\n");
    } else {
        for line in sql_text(&unit.rollback).lines() {
            let _ = writeln!(out, "--rollback {line}");
        }
    }
    out
}

fn sql_text(statements: &[String]) -> String {
    statements
        .iter()
        .map(|sql| format!("{};", escape_jdbc_placeholders(sql)))
        .collect::<Vec<_>>()
        .join("\n")
}
