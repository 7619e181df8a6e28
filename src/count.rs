//! The counts a list of changes needs, read from the live database: NULLs for a column
//! becoming NOT NULL, duplicated keys for a new UNIQUE or PRIMARY KEY, orphans for a new
//! foreign key, values a cast rejects for a type change, rows holding an enum label that is
//! dropped. `pgphase plan` and the planner's `c` both count through [`count_change`], so a
//! count means the same everywhere.
//!
//! Every count runs in a read-only transaction of its own under a statement timeout
//! (`source::postgres::facts`); a count that is skipped or gives up becomes a
//! [`NOT_COUNTED`](crate::rules::NOT_COUNTED) fact saying why, which the questions show, and the
//! plan's preconditions check the same rows when it is applied.

use std::collections::HashMap;
use std::time::Duration;

use tokio_postgres::Client;

use crate::decide::{ChangeId, Fact, FactId, FactValue, Facts, Origin};
use crate::diff::Change;
use crate::rules::{
    self, NOT_COUNTED, Rows, add_foreign_key, add_unique, change_column_type, replace_enum,
    set_not_null,
};
use crate::source::postgres::facts::{self as counts, FactError};
use crate::source::postgres::{self, ConnectError, ConnectOptions, SystemEnv};

/// How long one count may scan before the server cancels it, unless told otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// What a change needs counted, in words for progress lines (`NULLs in orders.note`); `None`
/// when it needs no count.
#[must_use]
pub fn what_to_count(change: &Change) -> Option<String> {
    rules::count(change).map(|count| count.what)
}

/// Counts what `change` needs on `client` (see [`Rule::count`](crate::rules::Rule::count)). No
/// facts for a change that needs no count.
///
/// # Errors
/// The count's [`FactError`]: a timeout, or a query the server refused.
pub async fn count_change(
    client: &mut Client,
    change: &Change,
    timeout: Duration,
) -> Result<Vec<Fact>, FactError> {
    match rules::count(change) {
        Some(count) => Ok(vec![count_rows(client, &count.rows, timeout).await?]),
        None => Ok(Vec::new()),
    }
}

/// Counts `rows` on `client`, as the fact of the rule that asks for such a count: the fact
/// depends on the rows counted alone, whichever change asked.
async fn count_rows(
    client: &mut Client,
    rows: &Rows,
    timeout: Duration,
) -> Result<Fact, FactError> {
    Ok(match rows {
        Rows::Nulls { table, column } => {
            let found = counts::count_nulls(client, table, column, timeout).await?;
            set_not_null::null_count_fact(found.value)
        }
        Rows::Duplicates {
            table,
            columns,
            nulls_not_distinct,
        } => {
            let found =
                counts::count_duplicates(client, table, columns, *nulls_not_distinct, timeout)
                    .await?;
            add_unique::duplicates_fact(found.value.rows)
        }
        Rows::Orphans {
            table,
            columns,
            references,
            referenced_columns,
        } => {
            let found = counts::count_orphans(
                client,
                table,
                columns,
                references,
                referenced_columns,
                timeout,
            )
            .await?;
            add_foreign_key::orphans_fact(found.value)
        }
        Rows::FailedCasts {
            table,
            column,
            to_type,
        } => {
            let found = counts::count_failed_casts(client, table, column, to_type, timeout).await?;
            change_column_type::failed_casts_fact(found.value)
        }
        Rows::Labels { columns, labels } => {
            let found = counts::count_label_rows(client, columns, labels, timeout).await?;
            replace_enum::label_rows_fact(found.value)
        }
    })
}

/// How `plan` counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counting {
    /// Count, each count cancelled after the timeout.
    On { timeout: Duration },
    /// Count nothing (`--no-count`): every count is reported as skipped.
    Off,
}

/// One step of [`count_changes`], for progress lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountProgress {
    /// 1-based position among the changes that need a count.
    pub index: usize,
    pub total: usize,
    /// What is being counted (`NULLs in orders.note`).
    pub what: String,
}

/// Counts made before the changes that take them were final, by the rows each counted: a
/// change takes a count made ahead only if it needs the very same rows counted.
#[derive(Debug, Default)]
pub struct Ahead(HashMap<Rows, Fact>);

/// The counts `changes` need (each distinct one once), one after the other on one connection
/// to the live database, for [`count_changes`] to hand to the changes that need them later.
/// With [`Counting::Off`], none.
///
/// # Errors
/// Connecting to the live database failed.
pub async fn count_ahead(
    connect: &ConnectOptions,
    changes: &[Change],
    counting: Counting,
    progress: &mut dyn FnMut(&CountProgress),
) -> Result<Ahead, ConnectError> {
    let Counting::On { timeout } = counting else {
        return Ok(Ahead::default());
    };
    let mut wanted: Vec<rules::Count> = Vec::new();
    for count in changes.iter().filter_map(rules::count) {
        if !wanted.iter().any(|known| known.rows == count.rows) {
            wanted.push(count);
        }
    }
    let found = count_each(connect, &wanted, timeout, progress).await?;
    Ok(Ahead(
        wanted
            .into_iter()
            .map(|count| count.rows)
            .zip(found)
            .collect(),
    ))
}

/// The counts every change of `changes` needs, taken from `ahead` where it counted the same
/// rows, else made one after the other on one connection to the live database; `progress`
/// hears of each before it starts. A count that is skipped, times out or fails becomes a
/// [`not_counted`] fact saying why: planning goes on with what is known.
///
/// # Errors
/// Connecting to the live database failed.
pub async fn count_changes(
    connect: &ConnectOptions,
    changes: &[Change],
    counting: Counting,
    ahead: Ahead,
    progress: &mut dyn FnMut(&CountProgress),
) -> Result<Facts, ConnectError> {
    let wanted: Vec<(ChangeId, rules::Count)> = changes
        .iter()
        .filter_map(|change| rules::count(change).map(|count| (change.id(), count)))
        .collect();
    let mut facts = Facts::default();
    let Counting::On { timeout } = counting else {
        for (id, _) in &wanted {
            facts.insert(id, not_counted("--no-count"));
        }
        return Ok(facts);
    };
    let (mut ids, mut counts) = (Vec::new(), Vec::new());
    for (id, count) in wanted {
        match ahead.0.get(&count.rows) {
            Some(fact) => facts.insert(&id, fact.clone()),
            None => {
                ids.push(id);
                counts.push(count);
            }
        }
    }
    let found = count_each(connect, &counts, timeout, progress).await?;
    for (id, fact) in ids.iter().zip(found) {
        facts.insert(id, fact);
    }
    Ok(facts)
}

/// Makes each of `counts` in turn on one new connection (none without counts), each fact the
/// count's or a [`not_counted`] one saying why it gave up.
async fn count_each(
    connect: &ConnectOptions,
    counts: &[rules::Count],
    timeout: Duration,
    progress: &mut dyn FnMut(&CountProgress),
) -> Result<Vec<Fact>, ConnectError> {
    if counts.is_empty() {
        return Ok(Vec::new());
    }
    let mut connection = postgres::connect(connect, &SystemEnv).await?;
    let mut found = Vec::with_capacity(counts.len());
    for (index, count) in counts.iter().enumerate() {
        progress(&CountProgress {
            index: index + 1,
            total: counts.len(),
            what: count.what.clone(),
        });
        found.push(
            count_rows(&mut connection.client, &count.rows, timeout)
                .await
                .unwrap_or_else(|error| not_counted(&why_not(&error))),
        );
    }
    connection.close().await;
    Ok(found)
}

/// Why a count gave up, briefly: `took longer than 60s`, or the server's message.
fn why_not(error: &FactError) -> String {
    match error {
        FactError::Timeout { timeout, .. } => {
            format!("took longer than {}s", timeout.as_secs_f64())
        }
        FactError::Query { message, .. } => message.clone(),
        FactError::Invalid { reason, .. } => reason.clone(),
    }
}

/// The fact that a change's rows were not counted, and why (`--no-count`, `took longer than
/// 60s`).
#[must_use]
pub fn not_counted(why: &str) -> Fact {
    Fact {
        id: FactId::from_static(NOT_COUNTED),
        value: FactValue::Text(format!("not counted ({why})")),
        origin: Origin::Model,
    }
}

/// The changes whose counts were skipped or gave up, with why, in change order: what `plan`
/// reports so a reader knows which defaults were chosen without a count.
#[must_use]
pub fn skipped(changes: &[Change], facts: &Facts) -> Vec<(String, String)> {
    let id = FactId::from_static(NOT_COUNTED);
    changes
        .iter()
        .filter_map(|change| {
            let fact = facts.changes.get(&change.id())?.get(&id)?;
            Some((change.id().to_string(), fact.value_text()))
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::*;
    use crate::diff::change::SetNotNull;
    use crate::schema::{Column, TableRef};

    fn set_not_null(column: &str) -> Change {
        Change::SetNotNull(SetNotNull {
            table: TableRef::new("public", "orders"),
            column: Column::new(column, "text"),
        })
    }

    fn rows_of(change: &Change) -> Rows {
        rules::count(change)
            .expect("SET NOT NULL counts NULLs")
            .rows
    }

    /// A server nothing listens on: counting anything there fails to connect.
    fn nowhere() -> ConnectOptions {
        ConnectOptions {
            database_url: Some("postgresql://postgres@127.0.0.1:1/none".to_owned()),
            connect_timeout: Some(Duration::from_secs(5)),
            ..ConnectOptions::default()
        }
    }

    const ON: Counting = Counting::On {
        timeout: DEFAULT_TIMEOUT,
    };

    #[tokio::test]
    async fn counts_made_ahead_go_to_every_change_counting_the_same_rows_without_connecting() {
        let note = set_not_null("note");
        let fact = set_not_null::null_count_fact(3);
        let ahead = Ahead(HashMap::from([(rows_of(&note), fact.clone())]));
        let changes = [note.clone(), note];
        let facts = count_changes(&nowhere(), &changes, ON, ahead, &mut |step| {
            panic!("counted {} again", step.what)
        })
        .await
        .expect("nothing left to count, so no connection");
        let found = &facts.changes[&changes[0].id()];
        assert_eq!(found.get(&fact.id), Some(&fact));
    }

    #[tokio::test]
    async fn a_change_whose_rows_were_not_counted_ahead_is_counted_on_the_live_database() {
        let ahead = Ahead(HashMap::from([(
            rows_of(&set_not_null("note")),
            set_not_null::null_count_fact(3),
        )]));
        let counted = count_changes(
            &nowhere(),
            &[set_not_null("remark")],
            ON,
            ahead,
            &mut |_| {},
        )
        .await;
        assert!(
            counted.is_err(),
            "the count went to the server: {counted:?}"
        );
    }

    #[tokio::test]
    async fn without_counting_nothing_is_counted_ahead_and_every_change_says_so() {
        let changes = [set_not_null("note")];
        let ahead = count_ahead(&nowhere(), &changes, Counting::Off, &mut |_| {})
            .await
            .expect("no connection without counting");
        assert!(ahead.0.is_empty());
        let facts = count_changes(&nowhere(), &changes, Counting::Off, ahead, &mut |_| {})
            .await
            .expect("no connection without counting");
        assert_eq!(skipped(&changes, &facts).len(), 1);
    }

    #[test]
    fn the_reason_a_count_was_skipped_is_kept() {
        let fact = not_counted("--no-count");
        assert_eq!(fact.value_text(), "not counted (--no-count)");
        assert_eq!(fact.id.as_str(), NOT_COUNTED);
    }
}
