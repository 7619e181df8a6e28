//! What a file costs at a glance: how long it may take (a class judged from the rows its
//! statements read and write) and the strongest lock it takes. Written into `plan.json`, the
//! README and each file's notes; the TUI shows the same figures.

use serde::{Deserialize, Serialize};

use crate::decide::thousands;
use crate::step::{Lock, Statement, Work};

/// How long a file may take, judged from the rows its statements read or write.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum DurationClass {
    /// Catalog changes only.
    Instant,
    Seconds,
    Minutes,
    Hours,
    /// Some statement touches a table whose size is not known.
    #[default]
    Unknown,
}

impl DurationClass {
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Instant => "instant",
            Self::Seconds => "seconds",
            Self::Minutes => "minutes",
            Self::Hours => "hours",
            Self::Unknown => "unknown",
        }
    }

    /// The class and what it was judged from, for the reader of a file's notes.
    #[must_use]
    pub fn explained(self) -> String {
        let weighted = format!(
            "rows read, plus rows written counted {WRITE_WEIGHT} times each, from the planner's \
             estimates"
        );
        match self {
            Self::Instant => "instant (catalog changes only)".to_owned(),
            Self::Seconds => format!("seconds (under {} {weighted})", thousands(SECONDS_BELOW)),
            Self::Minutes => format!("minutes (under {} {weighted})", thousands(MINUTES_BELOW)),
            Self::Hours => format!("hours ({} or more {weighted})", thousands(MINUTES_BELOW)),
            Self::Unknown => "unknown (a table it reads or writes has no row estimate)".to_owned(),
        }
    }
}

/// Writing a row costs about as much as reading ten, for this rough estimate.
const WRITE_WEIGHT: u64 = 10;
/// Weighted rows below which a file takes seconds, and below which minutes.
const SECONDS_BELOW: u64 = 1_000_000;
const MINUTES_BELOW: u64 = 100_000_000;

/// The duration class of `statements`: rows scanned, plus rows written weighted by
/// [`WRITE_WEIGHT`], against [`SECONDS_BELOW`] and [`MINUTES_BELOW`].
#[must_use]
pub fn duration_class<'a>(statements: impl IntoIterator<Item = &'a Statement>) -> DurationClass {
    let mut weighted: u64 = 0;
    let mut touches = false;
    for statement in statements {
        let weight = match statement.work {
            Work::Metadata => continue,
            Work::Scan => 1,
            Work::Update | Work::Rewrite => WRITE_WEIGHT,
        };
        let Some(rows) = statement.rows else {
            return DurationClass::Unknown;
        };
        touches = true;
        weighted = weighted.saturating_add(rows.saturating_mul(weight));
    }
    match weighted {
        _ if !touches => DurationClass::Instant,
        w if w < SECONDS_BELOW => DurationClass::Seconds,
        w if w < MINUTES_BELOW => DurationClass::Minutes,
        _ => DurationClass::Hours,
    }
}

/// The strongest lock any of `statements` takes.
#[must_use]
pub fn strongest_lock<'a>(statements: impl IntoIterator<Item = &'a Statement>) -> Lock {
    statements
        .into_iter()
        .map(|statement| statement.lock)
        .max()
        .unwrap_or(Lock::None)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn statement(lock: Lock, work: Work, rows: Option<u64>) -> Statement {
        Statement::new("SELECT 1", lock, "a note").doing(work, rows)
    }

    fn class(statements: &[(Work, Option<u64>)]) -> DurationClass {
        let statements: Vec<Statement> = statements
            .iter()
            .map(|&(work, rows)| statement(Lock::AccessExclusive, work, rows))
            .collect();
        duration_class(&statements)
    }

    #[test]
    fn the_duration_class_follows_the_rows_touched() {
        assert_eq!(class(&[(Work::Metadata, None)]), DurationClass::Instant);
        assert_eq!(
            class(&[(Work::Scan, Some(500_000))]),
            DurationClass::Seconds
        );
        assert_eq!(
            class(&[(Work::Update, Some(500_000))]),
            DurationClass::Minutes,
            "writing weighs more than reading"
        );
        assert_eq!(
            class(&[(Work::Rewrite, Some(20_000_000))]),
            DurationClass::Hours
        );
        assert_eq!(
            class(&[(Work::Metadata, None), (Work::Scan, None)]),
            DurationClass::Unknown
        );
    }

    #[test]
    fn the_strongest_lock_is_the_maximum_or_none() {
        assert_eq!(strongest_lock(&[]), Lock::None);
        let statements = [
            statement(Lock::ShareUpdateExclusive, Work::Metadata, None),
            statement(Lock::AccessExclusive, Work::Metadata, None),
            statement(Lock::RowExclusive, Work::Metadata, None),
        ];
        assert_eq!(strongest_lock(&statements), Lock::AccessExclusive);
    }
}
