//! What differs between two schemas, as lines for the report: the changes the diff would plan.
//! The diff covers every object of the model (what it has no rule for comes out as an
//! `unsupported` change), and ignores only what PostgreSQL cannot change in place, such as the
//! order of columns — which a rollback that re-adds a dropped column cannot restore either.

use crate::diff;
use crate::schema::Schema;
use crate::schema::Stats;

/// The differences that turn `actual` into `expected`; empty when they are the same schema.
#[must_use]
pub fn differences(actual: &Schema, expected: &Schema) -> Vec<String> {
    if actual == expected {
        return Vec::new();
    }
    diff::diff(actual, expected, &Stats::default())
        .iter()
        .map(|change| format!("{} {}", change.kind(), change.object()))
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::rules::test_support::schema;

    #[test]
    fn the_order_of_columns_does_not_count() {
        let actual = schema(
            "schemas:\n  app:\n    tables:\n      t:\n        columns:\n          a: text\n          b: text\n",
        );
        let expected = schema(
            "schemas:\n  app:\n    tables:\n      t:\n        columns:\n          b: text\n          a: text\n",
        );
        assert!(differences(&actual, &expected).is_empty());
    }

    #[test]
    fn a_changed_column_is_named_by_the_change_it_needs() {
        let actual = schema(
            "schemas:\n  app:\n    tables:\n      t:\n        columns:\n          id: integer\n",
        );
        let expected = schema(
            "schemas:\n  app:\n    tables:\n      t:\n        columns:\n          id: bigint\n",
        );
        assert_eq!(
            differences(&actual, &expected),
            vec!["change-column-type app.t.id"]
        );
    }
}
