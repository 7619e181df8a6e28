//! Facts: the evidence questions and conditions read (row counts, sizes, flags), each saying
//! where it came from and whether it is an estimate. A snapshot, gathered before the walk; the
//! walk never reads live state.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::id::{ChangeId, IdError, kebab_id};
use super::input::thousands;

/// A fact's kebab-case name (`rows`, `null-rows`, `table-bytes`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct FactId(String);

impl FactId {
    /// Checks `text` is kebab-case.
    ///
    /// # Errors
    /// `text` is empty or not kebab-case.
    pub fn new(text: impl Into<String>) -> Result<Self, IdError> {
        kebab_id(text, "fact id").map(Self)
    }

    /// An id written in the code; its form is checked by the tests of the code that defines it.
    #[must_use]
    pub fn from_static(text: &'static str) -> Self {
        Self(text.to_owned())
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for FactId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<FactId> for String {
    fn from(id: FactId) -> String {
        id.0
    }
}

impl TryFrom<String> for FactId {
    type Error = IdError;
    fn try_from(text: String) -> Result<Self, IdError> {
        Self::new(text)
    }
}

/// One piece of evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fact {
    pub id: FactId,
    pub value: FactValue,
    pub origin: Origin,
}

/// What a fact says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FactValue {
    /// A number of rows.
    Count(u64),
    /// A size on disk.
    Bytes(u64),
    Bool(bool),
    Text(String),
}

/// Where a fact came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Origin {
    /// Read from statistics that may be stale (`pg_class.reltuples`, `pg_stats`).
    Estimate { source: String },
    /// Counted exactly by a query, at the time named by the source.
    Counted { source: String },
    /// Read from the schema model itself (a column's type, whether it is nullable).
    Model,
}

impl FactValue {
    /// The value as a number for comparisons: counts and sizes as they are, `true` as 1 and
    /// `false` as 0; text has none.
    #[must_use]
    pub fn as_number(&self) -> Option<u64> {
        match self {
            Self::Count(n) | Self::Bytes(n) => Some(*n),
            Self::Bool(b) => Some(u64::from(*b)),
            Self::Text(_) => None,
        }
    }
}

impl Fact {
    /// The value alone, without its origin: a text as it is, a number as [`fmt::Display`]
    /// writes it.
    #[must_use]
    pub fn value_text(&self) -> String {
        match &self.value {
            FactValue::Text(text) => text.clone(),
            _ => {
                let shown = self.to_string();
                shown
                    .rsplit_once(" (")
                    .map_or(shown.clone(), |(value, _)| value.to_owned())
            }
        }
    }
}

impl Origin {
    #[must_use]
    pub fn is_estimate(&self) -> bool {
        matches!(self, Self::Estimate { .. })
    }
}

impl fmt::Display for Fact {
    /// `1,204 rows (counted)`, `48M rows (estimate)`, `1.5 GB (estimate)`, `yes (from the schema)`:
    /// estimates are rounded, because their last digits mean nothing.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let estimate = self.origin.is_estimate();
        match &self.value {
            FactValue::Count(1) => f.write_str("1 row")?,
            FactValue::Count(n) if estimate => write!(f, "{} rows", compact(*n))?,
            FactValue::Count(n) => write!(f, "{} rows", thousands(*n))?,
            FactValue::Bytes(n) => f.write_str(&bytes(*n, estimate))?,
            FactValue::Bool(true) => f.write_str("yes")?,
            FactValue::Bool(false) => f.write_str("no")?,
            FactValue::Text(text) => f.write_str(text)?,
        }
        match &self.origin {
            Origin::Estimate { .. } => f.write_str(" (estimate)"),
            Origin::Counted { .. } => f.write_str(" (counted)"),
            Origin::Model => f.write_str(" (from the schema)"),
        }
    }
}

/// `48M`, `1.5M`, `12K`; exact below 10,000.
pub(crate) fn compact(n: u64) -> String {
    const UNITS: [(u64, &str); 3] = [(1_000_000_000, "B"), (1_000_000, "M"), (1_000, "K")];
    if n < 10_000 {
        return thousands(n);
    }
    scaled(n, &UNITS)
}

/// `512 bytes`, `1.5 GB`; exact bytes when counted and below 1 kB.
fn bytes(n: u64, estimate: bool) -> String {
    const UNITS: [(u64, &str); 4] = [
        (1 << 40, " TB"),
        (1 << 30, " GB"),
        (1 << 20, " MB"),
        (1 << 10, " kB"),
    ];
    if n < 1024 || (!estimate && n < 10_240) {
        return format!("{} bytes", thousands(n));
    }
    scaled(n, &UNITS)
}

/// `n` in the largest unit it reaches, with one decimal below 10 of that unit.
fn scaled(n: u64, units: &[(u64, &str)]) -> String {
    for (size, name) in units {
        if n >= *size {
            let tenths = n.saturating_mul(10) / size;
            return if tenths < 100 && !tenths.is_multiple_of(10) {
                format!("{}.{}{name}", tenths / 10, tenths % 10)
            } else {
                format!("{}{name}", thousands(n / size))
            };
        }
    }
    thousands(n)
}

/// The fact snapshot the walk reads: facts about the whole database, and facts per change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Facts {
    pub global: BTreeMap<FactId, Fact>,
    pub changes: BTreeMap<ChangeId, BTreeMap<FactId, Fact>>,
}

impl Facts {
    /// Records `fact` about `change` ([`ChangeId::global`] for the whole database), replacing
    /// an earlier fact with the same id.
    pub fn insert(&mut self, change: &ChangeId, fact: Fact) {
        let map = if change.is_global() {
            &mut self.global
        } else {
            self.changes.entry(change.clone()).or_default()
        };
        map.insert(fact.id.clone(), fact);
    }

    /// The fact `id` about `change`, else the global fact `id`.
    #[must_use]
    pub fn get(&self, change: &ChangeId, id: &FactId) -> Option<&Fact> {
        self.changes
            .get(change)
            .and_then(|facts| facts.get(id))
            .or_else(|| self.global.get(id))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn fact(value: FactValue, origin: Origin) -> Fact {
        Fact {
            id: FactId::from_static("rows"),
            value,
            origin,
        }
    }

    fn estimate() -> Origin {
        Origin::Estimate {
            source: "pg_class.reltuples".to_owned(),
        }
    }

    fn counted() -> Origin {
        Origin::Counted {
            source: "count(*)".to_owned(),
        }
    }

    #[test]
    fn facts_display_with_their_origin() {
        let cases = [
            (FactValue::Count(1_204), counted(), "1,204 rows (counted)"),
            (FactValue::Count(1), counted(), "1 row (counted)"),
            (
                FactValue::Count(48_000_000),
                estimate(),
                "48M rows (estimate)",
            ),
            (
                FactValue::Count(1_500_000),
                estimate(),
                "1.5M rows (estimate)",
            ),
            (FactValue::Count(12_345), estimate(), "12K rows (estimate)"),
            (FactValue::Count(9_999), estimate(), "9,999 rows (estimate)"),
            (
                FactValue::Count(2_000_000_000),
                estimate(),
                "2B rows (estimate)",
            ),
            (
                FactValue::Count(48_000_000),
                counted(),
                "48,000,000 rows (counted)",
            ),
            (
                FactValue::Bytes(512),
                Origin::Model,
                "512 bytes (from the schema)",
            ),
            (FactValue::Bytes(3 << 29), estimate(), "1.5 GB (estimate)"),
            (FactValue::Bytes(20 << 20), counted(), "20 MB (counted)"),
            (
                FactValue::Bool(true),
                Origin::Model,
                "yes (from the schema)",
            ),
            (
                FactValue::Text("integer".to_owned()),
                Origin::Model,
                "integer (from the schema)",
            ),
        ];
        for (value, origin, text) in cases {
            assert_eq!(fact(value, origin).to_string(), text);
        }
    }

    #[test]
    fn change_facts_shadow_global_ones() {
        let change = ChangeId::new("public.orders.user_id").unwrap();
        let other = ChangeId::new("public.users.email").unwrap();
        let mut facts = Facts::default();
        facts.insert(
            &ChangeId::global(),
            fact(FactValue::Count(5), Origin::Model),
        );
        facts.insert(&change, fact(FactValue::Count(7), counted()));
        let rows = FactId::from_static("rows");
        let value = |c: &ChangeId| facts.get(c, &rows).map(|f| f.value.clone());
        assert_eq!(value(&change), Some(FactValue::Count(7)));
        assert_eq!(value(&other), Some(FactValue::Count(5)));
        assert_eq!(value(&ChangeId::global()), Some(FactValue::Count(5)));
        assert_eq!(facts.get(&change, &FactId::from_static("nulls")), None);
    }

    #[test]
    fn numbers_for_comparison() {
        assert_eq!(FactValue::Bool(true).as_number(), Some(1));
        assert_eq!(FactValue::Bytes(9).as_number(), Some(9));
        assert_eq!(FactValue::Text("x".to_owned()).as_number(), None);
    }
}
