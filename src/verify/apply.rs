//! Running a plan file's statements (or its rollback's) the way the plan says: a `transaction`
//! file inside `BEGIN … COMMIT` with `SET LOCAL` timeouts; every other kind statement by
//! statement with session timeouts, because `CONCURRENTLY` and procedures that `COMMIT` cannot
//! run in a transaction block, and several statements sent at once run as one implicit
//! transaction.

use tokio_postgres::Client;

use crate::source::postgres::server_message;
use crate::sql::duration;

use super::plan_dir::{PlanFile, Sql};

/// The length of a statement excerpt in a failure.
const EXCERPT: usize = 120;

/// A statement that failed, and the server's reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The statement's first characters.
    pub statement: String,
    pub message: String,
}

/// Runs `statements` of `file` on `client` as the file's kind says.
///
/// # Errors
/// The first statement that fails; a transaction file is rolled back first.
pub async fn run(client: &Client, file: &PlanFile, statements: &[Sql]) -> Result<(), Failure> {
    let transaction = file.kind.in_transaction();
    if transaction {
        execute(client, "BEGIN").await?;
    }
    let result = run_body(client, file, statements, transaction).await;
    match (&result, transaction) {
        (Ok(()), true) => execute(client, "COMMIT").await,
        (Err(_), true) => {
            // The failure that matters is the statement's; a failed ROLLBACK only repeats it.
            let _ = client.batch_execute("ROLLBACK").await;
            result
        }
        (_, false) => {
            let reset = execute(client, "RESET lock_timeout").await;
            let reset = reset.and(execute(client, "RESET statement_timeout").await);
            result.and(reset)
        }
    }
}

async fn run_body(
    client: &Client,
    file: &PlanFile,
    statements: &[Sql],
    transaction: bool,
) -> Result<(), Failure> {
    for set in timeouts(file, transaction) {
        execute(client, &set).await?;
    }
    for statement in statements {
        execute(client, &statement.sql).await?;
    }
    Ok(())
}

/// The `SET` statements a file starts with (the same as the file's own text).
#[must_use]
pub fn timeouts(file: &PlanFile, transaction: bool) -> [String; 2] {
    let local = if transaction { "LOCAL " } else { "" };
    [
        format!(
            "SET {local}lock_timeout = '{}'",
            duration(file.lock_timeout_ms)
        ),
        format!(
            "SET {local}statement_timeout = '{}'",
            duration(file.statement_timeout_ms)
        ),
    ]
}

async fn execute(client: &Client, sql: &str) -> Result<(), Failure> {
    client.batch_execute(sql).await.map_err(|error| Failure {
        statement: excerpt(sql),
        message: server_message(&error),
    })
}

fn excerpt(sql: &str) -> String {
    crate::sql::excerpt(sql, EXCERPT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::plan_dir::FileKind;

    fn file(kind: FileKind) -> PlanFile {
        PlanFile {
            name: "01-expand".to_owned(),
            phase: None,
            kind,
            lock_timeout_ms: 5_000,
            statement_timeout_ms: 0,
            budget_ms: 0,
            statements: Vec::new(),
            rollback: Vec::new(),
            rollback_warnings: Vec::new(),
            gates: Vec::new(),
        }
    }

    #[test]
    fn timeouts_are_local_only_inside_a_transaction() {
        assert_eq!(
            timeouts(&file(FileKind::Transaction), true),
            [
                "SET LOCAL lock_timeout = '5s'".to_owned(),
                "SET LOCAL statement_timeout = '0'".to_owned()
            ]
        );
        assert_eq!(
            timeouts(&file(FileKind::Concurrently), false)[0],
            "SET lock_timeout = '5s'"
        );
    }

    #[test]
    fn excerpts_are_one_line_and_short() {
        assert_eq!(excerpt("SELECT\n  1,\n  2"), "SELECT 1, 2");
        let long = format!("SELECT {}", "x".repeat(300));
        assert_eq!(excerpt(&long).chars().count(), EXCERPT + 1);
    }
}
