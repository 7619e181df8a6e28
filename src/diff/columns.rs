//! The columns of a table that exists on both sides: matched by name (their order is left
//! alone: PostgreSQL cannot reorder columns), paired as rename candidates, then compared
//! attribute by attribute.

use crate::diff::change::{
    AddColumn, AlterIdentity, ChangeColumnType, DropColumn, DropDefault, DropNotNull, RenameColumn,
    SetDefault, SetNotNull,
};
use crate::schema::{Column, Table, TableRef};

use super::{Change, CommentTarget, Found, Renamable, pair_renames, shown};

impl Renamable for &Column {
    fn name(&self) -> &str {
        &self.name
    }

    fn hint(&self) -> Option<&str> {
        self.renamed_from.as_deref()
    }
}

/// How the columns of a live and a desired table correspond.
#[derive(Debug, Default)]
pub(super) struct ColumnPairing<'a> {
    /// (live, desired, `Some(hinted)` for a rename candidate), in desired column order.
    pub matched: Vec<(&'a Column, &'a Column, Option<bool>)>,
    /// In desired column order.
    pub added: Vec<&'a Column>,
    /// In live column order.
    pub dropped: Vec<&'a Column>,
}

/// Matches the columns of `live` and `desired` by name, then pairs rename candidates: by
/// `renamed_from` hint, then any dropped and added column of the same type and collation.
pub(super) fn pair_columns<'a>(live: &'a Table, desired: &'a Table) -> ColumnPairing<'a> {
    let added: Vec<&Column> = desired
        .columns
        .iter()
        .filter(|c| live.column(&c.name).is_none())
        .collect();
    let dropped: Vec<&Column> = live
        .columns
        .iter()
        .filter(|c| desired.column(&c.name).is_none())
        .collect();
    let renames = pair_renames(&added, &dropped, |a, d| {
        a.data_type == d.data_type && a.collation == d.collation
    });
    let renamed_to = |column: &Column| {
        renames
            .iter()
            .find(|(a, _, _)| added[*a].name == column.name)
            .map(|&(_, d, hinted)| (dropped[d], hinted))
    };
    let mut pairing = ColumnPairing::default();
    for column in &desired.columns {
        if let Some(live_column) = live.column(&column.name) {
            pairing.matched.push((live_column, column, None));
        } else if let Some((live_column, hinted)) = renamed_to(column) {
            pairing.matched.push((live_column, column, Some(hinted)));
        } else {
            pairing.added.push(column);
        }
    }
    pairing.dropped = dropped
        .iter()
        .enumerate()
        .filter(|(d, _)| !renames.iter().any(|(_, r, _)| r == d))
        .map(|(_, c)| *c)
        .collect();
    pairing
}

/// The changes to the columns of one table; `live_table` names it as it is now, `table` as
/// it is desired (they differ when the table is renamed).
pub(super) fn diff_columns(
    live_table: &TableRef,
    table: &TableRef,
    pairing: &ColumnPairing,
    found: &mut Found,
) {
    for &column in &pairing.dropped {
        found
            .altered_columns
            .insert((live_table.clone(), column.name.to_string()));
        found.push(Change::DropColumn(DropColumn {
            table: table.clone(),
            column: column.clone(),
        }));
    }
    for &(live, desired, rename) in &pairing.matched {
        if let Some(hinted) = rename {
            found
                .altered_columns
                .insert((live_table.clone(), live.name.to_string()));
            found.push(Change::RenameColumn(RenameColumn {
                table: table.clone(),
                from: live.clone(),
                to: desired.clone(),
                hinted,
            }));
        }
        diff_column(live_table, table, live, desired, found);
    }
    for &column in &pairing.added {
        found.push(Change::AddColumn(AddColumn {
            table: table.clone(),
            column: column.clone(),
        }));
    }
}

/// The changes to one column, compared as if it already had its desired name.
fn diff_column(
    live_table: &TableRef,
    table: &TableRef,
    live: &Column,
    desired: &Column,
    found: &mut Found,
) {
    let renamed = Column {
        name: desired.name.clone(),
        ..live.clone()
    };
    let object = format!("{table}.{}", desired.name);
    if live.data_type != desired.data_type || live.collation != desired.collation {
        found
            .altered_columns
            .insert((live_table.clone(), live.name.to_string()));
        found.push(Change::ChangeColumnType(ChangeColumnType {
            table: table.clone(),
            from: renamed.clone(),
            to: desired.clone(),
        }));
    }
    if live.identity != desired.identity {
        found.unsupported(
            object.clone(),
            format!(
                "identity changes from {} to {}; changing identity is not planned",
                shown(live.identity.map(identity_name)),
                shown(desired.identity.map(identity_name))
            ),
        );
    }
    if live.identity.is_some()
        && live.identity == desired.identity
        && live.identity_options != desired.identity_options
    {
        found.push(Change::AlterIdentity(AlterIdentity {
            table: table.clone(),
            column: desired.name.to_string(),
            data_type: desired.data_type.to_string(),
            from: *live.identity_options,
            to: *desired.identity_options,
        }));
    }
    if live.generated != desired.generated {
        found.unsupported(
            object,
            format!(
                "generated expression changes from {} to {}; changing a generated column is not planned",
                shown(live.generated.as_deref()),
                shown(desired.generated.as_deref())
            ),
        );
    }
    diff_nullability(table, live, desired, found);
    diff_default(table, live, desired, found);
    found.comment(
        CommentTarget::Column(table.clone(), desired.name.to_string()),
        live.comment.as_ref(),
        desired.comment.as_ref(),
    );
}

fn identity_name(identity: crate::schema::Identity) -> &'static str {
    match identity {
        crate::schema::Identity::Always => "always",
        crate::schema::Identity::ByDefault => "by_default",
    }
}

fn diff_nullability(table: &TableRef, live: &Column, desired: &Column, found: &mut Found) {
    let change = match (live.nullable, desired.nullable) {
        (true, false) => Change::SetNotNull(SetNotNull {
            table: table.clone(),
            column: desired.clone(),
        }),
        (false, true) => Change::DropNotNull(DropNotNull {
            table: table.clone(),
            column: desired.clone(),
        }),
        _ => return,
    };
    found.push(change);
}

fn diff_default(table: &TableRef, live: &Column, desired: &Column, found: &mut Found) {
    let change = match (&live.default, &desired.default) {
        (from, Some(to)) if from.as_ref() != Some(to) => Change::SetDefault(SetDefault {
            table: table.clone(),
            column: desired.name.to_string(),
            from: from.as_ref().map(ToString::to_string),
            to: to.to_string(),
        }),
        (Some(from), None) => Change::DropDefault(DropDefault {
            table: table.clone(),
            column: desired.name.to_string(),
            from: from.to_string(),
        }),
        _ => return,
    };
    found.push(change);
}
