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

use std::time::Duration;

use tokio_postgres::Client;

use crate::decide::{Fact, FactId, FactValue, Facts, Origin};
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
    let Some(count) = rules::count(change) else {
        return Ok(Vec::new());
    };
    let fact = match &count.rows {
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
    };
    Ok(vec![fact])
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

/// The counts every change of `changes` needs, one after the other on one connection to the
/// live database; `progress` hears of each before it starts. A count that is skipped, times
/// out or fails becomes a [`not_counted`] fact saying why: planning goes on with what is known.
///
/// # Errors
/// Connecting to the live database failed.
pub async fn count_changes(
    connect: &ConnectOptions,
    changes: &[Change],
    counting: Counting,
    progress: &mut dyn FnMut(&CountProgress),
) -> Result<Facts, ConnectError> {
    let wanted: Vec<(&Change, String)> = changes
        .iter()
        .filter_map(|change| what_to_count(change).map(|what| (change, what)))
        .collect();
    let mut facts = Facts::default();
    let Counting::On { timeout } = counting else {
        for (change, _) in &wanted {
            facts.insert(&change.id(), not_counted("--no-count"));
        }
        return Ok(facts);
    };
    if wanted.is_empty() {
        return Ok(facts);
    }
    let mut connection = postgres::connect(connect, &SystemEnv).await?;
    for (index, (change, what)) in wanted.iter().enumerate() {
        progress(&CountProgress {
            index: index + 1,
            total: wanted.len(),
            what: what.clone(),
        });
        let id = change.id();
        match count_change(&mut connection.client, change, timeout).await {
            Ok(found) => found.into_iter().for_each(|fact| facts.insert(&id, fact)),
            Err(error) => facts.insert(&id, not_counted(&why_not(&error))),
        }
    }
    connection.close().await;
    Ok(facts)
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
mod tests {
    use super::*;

    #[test]
    fn the_reason_a_count_was_skipped_is_kept() {
        let fact = not_counted("--no-count");
        assert_eq!(fact.value_text(), "not counted (--no-count)");
        assert_eq!(fact.id.as_str(), NOT_COUNTED);
    }
}
