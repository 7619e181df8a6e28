//! The differences and their risks as text for a terminal (with badges, in colour when asked)
//! or as JSON for scripts. Pure.

use std::fmt::Write as _;

use serde::Serialize;

use crate::plan::PlannedChange;
use crate::rules::Badge;
use crate::shadow::Method;

/// The JSON document `pgphase diff --format json` prints.
#[derive(Debug, Serialize)]
pub struct DiffJson<'a> {
    /// How the desired schema was put in canonical form before comparing.
    pub comparison: &'a Method,
    pub changes: &'a [PlannedChange],
}

/// One line per change: badge, id, kind and what it costs; then a count, and a note when the
/// comparison was only textual.
#[must_use]
pub fn text(changes: &[PlannedChange], method: &Method, color: bool) -> String {
    let mut out = String::new();
    if let Method::Textual { reason } = method {
        let _ = writeln!(
            out,
            "note: compared textually ({reason}); expressions spelled differently may show as changes"
        );
    }
    if changes.is_empty() {
        out.push_str("No differences.\n");
        return out;
    }
    let width = changes
        .iter()
        .map(|c| c.id.as_str().len())
        .max()
        .unwrap_or(0);
    for change in changes {
        let badge = change.badges.iter().copied().max().unwrap_or(Badge::Safe);
        let _ = writeln!(
            out,
            "{} {:<width$}  {}: {}",
            paint(badge, color),
            change.id.as_str(),
            change.kind,
            change.assessment.summary
        );
    }
    let _ = writeln!(out, "\n{}", count(changes));
    out
}

/// The JSON document, pretty-printed.
///
/// # Errors
/// Never for values made by pgphase; serde_json's error otherwise.
pub fn json(changes: &[PlannedChange], method: &Method) -> Result<String, serde_json::Error> {
    let mut text = serde_json::to_string_pretty(&DiffJson {
        comparison: method,
        changes,
    })?;
    text.push('\n');
    Ok(text)
}

fn count(changes: &[PlannedChange]) -> String {
    let mut parts = Vec::new();
    for badge in [
        Badge::LosesData,
        Badge::BreaksClients,
        Badge::Rewrites,
        Badge::Locks,
        Badge::Safe,
    ] {
        let n = changes
            .iter()
            .filter(|c| c.badges.iter().copied().max() == Some(badge))
            .count();
        if n > 0 {
            parts.push(format!("{n} {badge}"));
        }
    }
    let noun = if changes.len() == 1 {
        "change"
    } else {
        "changes"
    };
    format!("{} {noun}: {}", changes.len(), parts.join(", "))
}

/// `[badge]` padded to one width, coloured by severity when `color` is set.
fn paint(badge: Badge, color: bool) -> String {
    let label = format!("{:<16}", format!("[{badge}]"));
    if !color {
        return label;
    }
    let code = match badge {
        Badge::Safe => "32",
        Badge::Locks => "33",
        Badge::Rewrites => "35",
        Badge::BreaksClients => "31",
        Badge::LosesData => "1;31",
    };
    format!("\x1b[{code}m{label}\x1b[0m")
}
