//! The lock a statement takes and the work it does while holding it: the words every rule
//! and the planner measure a statement with.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The table-level lock a statement takes, weakest first (PostgreSQL's lock modes that DDL
/// uses; `None` for statements that take no lock on an existing table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Lock {
    None,
    AccessShare,
    RowExclusive,
    ShareUpdateExclusive,
    Share,
    ShareRowExclusive,
    AccessExclusive,
}

/// How much of the table a statement reads or writes while it holds its lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Work {
    /// Catalog only.
    Metadata,
    /// Reads every row (a validation, an index build).
    Scan,
    /// Writes every row (a data change).
    Update,
    /// Writes a new copy of the table and its indexes.
    Rewrite,
}

impl Lock {
    /// PostgreSQL's name of the lock mode (`ACCESS EXCLUSIVE`).
    #[must_use]
    pub fn sql_name(self) -> &'static str {
        match self {
            Self::None => "no table lock",
            Self::AccessShare => "ACCESS SHARE",
            Self::RowExclusive => "ROW EXCLUSIVE",
            Self::ShareUpdateExclusive => "SHARE UPDATE EXCLUSIVE",
            Self::Share => "SHARE",
            Self::ShareRowExclusive => "SHARE ROW EXCLUSIVE",
            Self::AccessExclusive => "ACCESS EXCLUSIVE",
        }
    }

    /// What the lock blocks, for a reader who does not know the lock modes by heart.
    #[must_use]
    pub fn blocks(self) -> &'static str {
        match self {
            Self::None | Self::AccessShare => "blocks nothing",
            Self::RowExclusive => "blocks other DDL",
            Self::ShareUpdateExclusive => "blocks other DDL and VACUUM, not reads or writes",
            Self::Share => "blocks writes",
            Self::ShareRowExclusive => "blocks writes",
            Self::AccessExclusive => "blocks reads and writes",
        }
    }
}

impl fmt::Display for Work {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Metadata => "metadata only",
            Self::Scan => "scans the table",
            Self::Update => "updates rows",
            Self::Rewrite => "rewrites the table",
        })
    }
}
