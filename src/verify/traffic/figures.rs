//! What the clients saw, as plain data for the report, and its text.

use std::fmt;

use crate::schema::TableRef;

/// Which statement of a client transaction failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum StatementKind {
    Begin,
    Select,
    Update,
    Insert,
    Delete,
    Commit,
}

/// The clients' figures while one file was applied.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileTraffic {
    /// How long the file's stages took, with the clients running.
    pub wall_ms: u64,
    /// Client transactions run (committed or not).
    pub transactions: u64,
    /// The slowest client transaction.
    pub slowest_ms: u64,
    /// The longest a client may wait because of the file.
    pub budget_ms: u64,
    /// Each distinct client error, with how often it happened.
    pub errors: Vec<ClientError>,
    /// Set when the file was still running after this many seconds and was cut off.
    pub cut_off_after_s: Option<u64>,
}

/// A client error: the same SQLSTATE, message and statement kind counted once.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ClientError {
    /// The SQLSTATE; empty when the error did not come from the server (a lost connection).
    pub code: String,
    pub message: String,
    pub statement: StatementKind,
    pub count: u64,
}

/// How the scratch database was set up for the clients.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrafficSetup {
    pub clients: usize,
    /// The rows each touched table was grown to.
    pub rows: u64,
    /// The touched tables grown, with their rows after.
    pub grown: Vec<(TableRef, u64)>,
    /// The touched tables not grown, and why.
    pub not_grown: Vec<(TableRef, String)>,
}

impl FileTraffic {
    /// Whether the clients fail the file: an error, a transaction over the budget, or a file
    /// that had to be cut off.
    #[must_use]
    pub fn failed(&self) -> bool {
        !self.errors.is_empty() || self.over_budget() || self.cut_off_after_s.is_some()
    }

    /// Whether the slowest client transaction took longer than the budget.
    #[must_use]
    pub fn over_budget(&self) -> bool {
        self.slowest_ms > self.budget_ms
    }
}

impl fmt::Display for StatementKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Begin => "begin",
            Self::Select => "select",
            Self::Update => "update",
            Self::Insert => "insert",
            Self::Delete => "delete",
            Self::Commit => "commit",
        })
    }
}

/// The traffic line under a file's line, and one line per distinct error.
impl fmt::Display for FileTraffic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.transactions == 0 && !self.failed() {
            return write!(
                f,
                "traffic ok: no client ran (no touched table with rows); the file took {} ms",
                self.wall_ms
            );
        }
        let verdict = if self.failed() { "FAILED" } else { "ok" };
        let budget = if self.over_budget() {
            "over its budget of"
        } else {
            "budget"
        };
        write!(
            f,
            "traffic {verdict}: {} client transaction(s), slowest {} ms ({budget} {} ms), \
             {} error(s); the file took {} ms",
            self.transactions,
            self.slowest_ms,
            self.budget_ms,
            self.errors.iter().map(|e| e.count).sum::<u64>(),
            self.wall_ms
        )?;
        if let Some(seconds) = self.cut_off_after_s {
            write!(f, "\n  cut off: still running after {seconds} s")?;
        }
        for error in &self.errors {
            let code = if error.code.is_empty() {
                "connection"
            } else {
                &error.code
            };
            write!(
                f,
                "\n  {code} in {} ({}×): {}",
                error.statement, error.count, error.message
            )?;
        }
        Ok(())
    }
}

impl fmt::Display for TrafficSetup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let grown: Vec<String> = self
            .grown
            .iter()
            .map(|(table, rows)| format!("{table} ({rows} rows)"))
            .collect();
        let tables = self.grown.len() + self.not_grown.len();
        if tables == 0 {
            return write!(f, "no table is touched: no client ran");
        }
        write!(f, "{} client(s) on {tables} table(s)", self.clients)?;
        if !grown.is_empty() {
            write!(
                f,
                "; grown to at least {} rows: {}",
                self.rows,
                grown.join(", ")
            )?;
        }
        for (table, why) in &self.not_grown {
            write!(f, "; {table} not grown: {why}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_and_runs_without_clients_say_so() {
        let quiet = FileTraffic {
            wall_ms: 30,
            budget_ms: 6_000,
            ..FileTraffic::default()
        };
        assert!(!quiet.failed());
        assert_eq!(
            quiet.to_string(),
            "traffic ok: no client ran (no touched table with rows); the file took 30 ms"
        );
        let setup = TrafficSetup {
            clients: 4,
            rows: 100,
            ..TrafficSetup::default()
        };
        assert_eq!(setup.to_string(), "no table is touched: no client ran");
        let setup = TrafficSetup {
            grown: vec![(TableRef::new("app", "users"), 100)],
            not_grown: vec![(
                TableRef::new("app", "slots"),
                "it has no rows to copy".to_owned(),
            )],
            ..setup
        };
        assert_eq!(
            setup.to_string(),
            "4 client(s) on 2 table(s); grown to at least 100 rows: app.users (100 rows); \
             app.slots not grown: it has no rows to copy"
        );
    }

    #[test]
    fn a_file_fails_on_an_error_or_a_slow_transaction() {
        let mut figures = FileTraffic {
            wall_ms: 420,
            transactions: 1_234,
            slowest_ms: 12,
            budget_ms: 6_000,
            ..FileTraffic::default()
        };
        assert!(!figures.failed());
        assert_eq!(
            figures.to_string(),
            "traffic ok: 1234 client transaction(s), slowest 12 ms (budget 6000 ms), 0 error(s); \
             the file took 420 ms"
        );
        figures.slowest_ms = 6_001;
        assert!(figures.failed());
        figures.slowest_ms = 12;
        figures.errors.push(ClientError {
            code: "23514".to_owned(),
            message: "new row violates check constraint \"c\"".to_owned(),
            statement: StatementKind::Update,
            count: 57,
        });
        assert!(figures.failed());
        assert!(
            figures.to_string().ends_with(
                "57 error(s); the file took 420 ms\n  23514 in update (57×): new row violates \
                 check constraint \"c\""
            ),
            "{figures}"
        );
    }
}
