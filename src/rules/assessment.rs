//! What a change costs on a live table, as data: the strongest lock, whether it scans or
//! rewrites, whether it breaks clients or loses data, and the badges the user sees.

use std::fmt;

use serde::Serialize;

use crate::step::{Lock, Work};

/// A badge shown beside a change, mildest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Badge {
    Safe,
    Locks,
    Rewrites,
    BreaksClients,
    LosesData,
}

/// What applying a change directly (as one plain statement) would cost on the live database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cost {
    pub lock: Lock,
    pub work: Work,
    /// Running application code that uses the old shape fails after the change.
    pub breaks_clients: bool,
    /// Data is gone once the change is applied.
    pub loses_data: bool,
    /// The statement fails on some existing data (NULLs, duplicates, orphans).
    pub can_fail_on_data: bool,
}

/// A change as a rule judged it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assessment {
    /// The rule's id (`set-not-null`).
    pub rule: &'static str,
    pub cost: Cost,
    /// One line for the user: what happens on this database (`full scan of 1.2M rows under
    /// ACCESS EXCLUSIVE; fails while NULLs remain`).
    pub summary: String,
}

/// The fixed sections of a rule's explanation, shown in the TUI and copied into plan notes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Explanation {
    /// The change in a few words (`A column becomes NOT NULL`).
    pub title: &'static str,
    /// What it costs on a live table and why that is risky.
    pub risk: &'static str,
    /// What the zero-downtime plan does instead.
    pub instead: &'static str,
    /// How it is undone, or why it cannot be.
    pub rollback: &'static str,
}

impl Cost {
    /// A metadata-only change that takes `lock` briefly and breaks nothing.
    #[must_use]
    pub fn metadata(lock: Lock) -> Self {
        Self {
            lock,
            work: Work::Metadata,
            breaks_clients: false,
            loses_data: false,
            can_fail_on_data: false,
        }
    }

    /// The badges, mildest first; `safe` alone when nothing else applies.
    #[must_use]
    pub fn badges(&self) -> Vec<Badge> {
        let mut badges = Vec::new();
        let blocking = self.lock >= Lock::Share;
        if blocking && (self.work != Work::Metadata || self.can_fail_on_data) {
            badges.push(Badge::Locks);
        }
        if self.work == Work::Rewrite {
            badges.push(Badge::Rewrites);
        }
        if self.breaks_clients {
            badges.push(Badge::BreaksClients);
        }
        if self.loses_data {
            badges.push(Badge::LosesData);
        }
        if badges.is_empty() {
            badges.push(Badge::Safe);
        }
        badges
    }

    /// The badge that matters most.
    #[must_use]
    pub fn worst_badge(&self) -> Badge {
        self.badges().into_iter().max().unwrap_or(Badge::Safe)
    }
}

impl fmt::Display for Badge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Safe => "safe",
            Self::Locks => "locks",
            Self::Rewrites => "rewrites",
            Self::BreaksClients => "breaks clients",
            Self::LosesData => "loses data",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_brief_metadata_change_is_safe() {
        assert_eq!(
            Cost::metadata(Lock::AccessExclusive).badges(),
            vec![Badge::Safe]
        );
    }

    #[test]
    fn a_rewrite_under_access_exclusive_locks_and_rewrites() {
        let cost = Cost {
            work: Work::Rewrite,
            ..Cost::metadata(Lock::AccessExclusive)
        };
        assert_eq!(cost.badges(), vec![Badge::Locks, Badge::Rewrites]);
        assert_eq!(cost.worst_badge(), Badge::Rewrites);
    }

    #[test]
    fn a_scan_under_share_update_exclusive_does_not_lock_the_application_out() {
        let cost = Cost {
            work: Work::Scan,
            ..Cost::metadata(Lock::ShareUpdateExclusive)
        };
        assert_eq!(cost.badges(), vec![Badge::Safe]);
    }

    #[test]
    fn data_loss_is_the_worst_badge() {
        let cost = Cost {
            breaks_clients: true,
            loses_data: true,
            ..Cost::metadata(Lock::AccessExclusive)
        };
        assert_eq!(cost.worst_badge(), Badge::LosesData);
    }
}
