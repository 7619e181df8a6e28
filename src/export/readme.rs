//! The export's `README.md`: what is in it, and the exact commands to apply up to each gate,
//! check it, go on, and roll back.

use std::fmt::Write as _;

use super::{Commands, Export, Tool};

pub(super) fn render(export: &Export, tool: Tool, commands: &Commands) -> String {
    let mut out = format!(
        "# pgphase plan `{}` for {}\n\nExported by `pgphase export --to {}`. Each unit below is \
         one migration of the tool, in the plan's order: a transaction file of the plan stays one \
         transactional migration; each statement that must run outside a transaction (CONCURRENTLY \
         builds and drops, enum labels, backfills that commit) is a migration of its own, marked \
         to run outside a transaction. Each migration keeps the plan file's comments (lock, work, \
         what it blocks); the plan folder's `*.notes.md` say what to watch.\n",
        export.plan,
        tool.title(),
        tool.name()
    );
    if !commands.notes.is_empty() {
        out.push_str("\n## Know this first\n\n");
        for note in &commands.notes {
            let _ = writeln!(out, "- {note}");
        }
    }
    if !commands.setup.is_empty() {
        out.push_str("\n## Set up\n\n```sh\n");
        for line in &commands.setup {
            let _ = writeln!(out, "{line}");
        }
        out.push_str("```\n");
    }
    out.push_str("\n## Apply\n");
    for (stage, apply) in export.stages.iter().zip(&commands.apply) {
        let _ = writeln!(
            out,
            "\n### Stage {}: {} unit(s)\n",
            stage.number,
            stage.units.len()
        );
        for unit in &stage.units {
            let kind = if unit.transactional {
                "in a transaction"
            } else {
                "outside a transaction"
            };
            let _ = writeln!(out, "- `{}` ({}.sql, {kind})", unit.slug, unit.file);
        }
        if stage.units.is_empty() {
            out.push_str("\nNothing to apply: the plan starts with the deploy gate below.\n");
        } else {
            out.push_str("\n```sh\n");
            for line in apply {
                let _ = writeln!(out, "{line}");
            }
            out.push_str("```\n");
        }
        if let Some(gate) = &stage.gate {
            let _ = writeln!(
                out,
                "\n**Deploy gate** ({}.md of the plan): do not go on until each holds:\n",
                gate.file
            );
            for requirement in &gate.requirements {
                let _ = writeln!(out, "- [ ] {requirement}");
            }
        }
    }
    out.push_str(
        "\n## Roll back\n\nLast stage first; each command undoes one stage, after the later ones \
         were undone.\n",
    );
    for (stage, rollback) in export.stages.iter().zip(&commands.rollback).rev() {
        let _ = writeln!(out, "\n### Stage {}\n", stage.number);
        if stage.units.is_empty() {
            out.push_str("Nothing to roll back: the stage applies nothing.\n");
            continue;
        }
        out.push_str("```sh\n");
        for line in rollback {
            let _ = writeln!(out, "{line}");
        }
        out.push_str("```\n");
        let warnings: Vec<&String> = stage
            .units
            .iter()
            .flat_map(|u| &u.rollback_warnings)
            .collect();
        if !warnings.is_empty() {
            out.push_str("\nNot brought back:\n\n");
            for warning in warnings {
                let _ = writeln!(out, "- {warning}");
            }
        }
    }
    out
}
