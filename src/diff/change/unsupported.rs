//! Differences pgphase has no rule for.

use serde::Serialize;

use crate::ddl::object::Object;

use super::Subject;

/// A difference pgphase has no rule for (partitioning, exclusion changes, domains,
/// operators…): listed in the plan for a human to handle, never dropped silently.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unsupported {
    pub object: String,
    pub detail: String,
}

impl Subject for Unsupported {
    fn object(&self) -> String {
        self.object.clone()
    }

    fn location(&self) -> (&str, Option<&str>) {
        location_of(&self.object)
    }

    fn objects(&self) -> Option<(Object<'_>, Object<'_>)> {
        None
    }
}
/// The place of an object named as text (`public.orders.total`, `domain public.code`,
/// `extension citext`): a leading kind word means a schema-level object; an extension belongs
/// to the whole database.
fn location_of(object: &str) -> (&str, Option<&str>) {
    let (kind, name) = object.split_once(' ').unwrap_or(("", object));
    if kind == "extension" {
        return ("", None);
    }
    let mut parts = name.splitn(3, '.');
    let schema = parts.next().unwrap_or("");
    let table = parts.next().filter(|_| kind.is_empty());
    (schema, table)
}

#[cfg(test)]
mod tests {
    use super::location_of;

    #[test]
    fn unsupported_objects_are_placed_by_their_name() {
        assert_eq!(
            location_of("public.orders.total"),
            ("public", Some("orders"))
        );
        assert_eq!(location_of("public.orders"), ("public", Some("orders")));
        assert_eq!(location_of("domain public.code"), ("public", None));
        assert_eq!(location_of("extension citext"), ("", None));
    }
}
