//! What the rules for whole objects (schemas, extensions, types, sequences, views, functions,
//! triggers, comments, policies) share: the assessment of creating or dropping an object, the
//! deploy gate in front of a drop, and an object's quoted name.

use crate::schema::TableRef;
use crate::sql::quote_qualified;
use crate::step::Step;

use super::{Assessment, Cost};
use crate::step::Lock;

/// Creating `what`: a catalog change that touches nothing existing.
#[must_use]
pub(crate) fn created(rule: &'static str, what: &str) -> Assessment {
    Assessment {
        rule,
        cost: Cost::metadata(Lock::None),
        summary: format!("creates {what}: a catalog change, nothing existing is locked or read"),
    }
}

/// Dropping `what` under `lock`: brief, but whatever still uses it fails from then on.
#[must_use]
pub(crate) fn dropped(rule: &'static str, what: &str, lock: Lock) -> Assessment {
    Assessment {
        rule,
        cost: Cost {
            breaks_clients: true,
            ..Cost::metadata(lock)
        },
        summary: format!("drops {what}: brief, but every client still using it fails"),
    }
}

/// The deploy gate in front of dropping `what`.
#[must_use]
pub(crate) fn gate_before_drop(what: &str) -> Step {
    Step::gate(format!(
        "no deployed application code, job or report uses {what} any more"
    ))
}

/// `schema.name`, quoted.
#[must_use]
pub(crate) fn qualified(name: &TableRef) -> String {
    quote_qualified(&name.schema, &name.name)
}
