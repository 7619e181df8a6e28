//! The parts of a table compared by name: constraints, indexes, triggers and policies. A
//! changed constraint or policy is dropped and added again; a changed index or trigger is
//! replaced. Live definitions are first renamed as PostgreSQL renames them along with the
//! plan's table and column renames, so that a rename alone changes none of them.

use crate::diff::change::{
    AddCheck, AddExclusion, AddForeignKey, AddIndex, AddPrimaryKey, AddUnique, ChangeIndex,
    CreatePolicy, CreateTrigger, DropConstraint, DropIndex, DropPolicy, DropTrigger,
    ReplaceTrigger,
};
use crate::schema::{ForeignKey, Index, KeyTarget, PrimaryKey, Table, TableRef, Unique};

use super::pair::{Renames, TablePair};
use super::{Change, CommentTarget, Constraint, Found, paired_by_name};

pub(super) fn diff_constraints(pair: &TablePair, renames: &Renames, found: &mut Found) {
    let live = renamed_table(pair.live, &pair.live_ref, renames);
    let (desired, table) = (pair.desired, &pair.table);
    diff_primary_key(
        table,
        live.primary_key.as_ref(),
        desired.primary_key.as_ref(),
        found,
    );
    diff_unique(table, &live, desired, found);
    diff_foreign_keys(table, &live, desired, found);
    diff_checks(table, &live, desired, found);
    diff_exclusions(table, &live, desired, found);
    diff_indexes(table, &live.indexes, &desired.indexes, found);
    diff_triggers(table, &live, desired, found);
    diff_policies(table, &live, desired, found);
}

/// `table` with the column lists of its keys and indexes, and its foreign keys' targets, as
/// they are after the plan's renames.
fn renamed_table(table: &Table, live_ref: &TableRef, renames: &Renames) -> Table {
    let columns = |list: &[String]| renames.columns(live_ref, list);
    let mut out = table.clone();
    if let Some(key) = &mut out.primary_key {
        key.columns = columns(&key.columns);
        key.include = columns(&key.include);
    }
    for unique in &mut out.unique {
        unique.columns = columns(&unique.columns);
        unique.include = columns(&unique.include);
    }
    for key in &mut out.foreign_keys {
        key.columns = columns(&key.columns);
        key.referenced_columns = renames.columns(&key.references, &key.referenced_columns);
        key.references = renames.table(&key.references);
    }
    for index in &mut out.indexes {
        index.include = columns(&index.include);
        for key in &mut index.keys {
            if let KeyTarget::Column(name) = &key.target {
                key.target = KeyTarget::Column(renames.column(live_ref, name).into());
            }
        }
    }
    out
}

fn diff_primary_key(
    table: &TableRef,
    live: Option<&PrimaryKey>,
    desired: Option<&PrimaryKey>,
    found: &mut Found,
) {
    if live == desired {
        return;
    }
    if let Some(key) = live {
        found.push(drop_constraint(table, Constraint::PrimaryKey(key.clone())));
    }
    if let Some(key) = desired {
        found.push(Change::AddPrimaryKey(AddPrimaryKey {
            table: table.clone(),
            key: key.clone(),
        }));
    }
}

fn drop_constraint(table: &TableRef, constraint: Constraint) -> Change {
    Change::DropConstraint(DropConstraint {
        table: table.clone(),
        constraint,
    })
}

fn diff_unique(table: &TableRef, live: &Table, desired: &Table, found: &mut Found) {
    for (_, l, d) in paired_by_name(&live.unique, &desired.unique, |u: &Unique| &u.name) {
        if l == d {
            continue;
        }
        if let Some(unique) = l {
            found.push(drop_constraint(table, Constraint::Unique(unique.clone())));
        }
        if let Some(unique) = d {
            found.push(Change::AddUnique(AddUnique {
                table: table.clone(),
                unique: unique.clone(),
            }));
        }
    }
}

fn diff_foreign_keys(table: &TableRef, live: &Table, desired: &Table, found: &mut Found) {
    let pairs = paired_by_name(
        &live.foreign_keys,
        &desired.foreign_keys,
        |k: &ForeignKey| &k.name,
    );
    for (name, l, d) in pairs {
        if let (Some(l), Some(d)) = (l, d)
            && l.valid != d.valid
            && (ForeignKey {
                valid: d.valid,
                ..l.clone()
            }) == *d
        {
            not_valid_only(table, name, l.valid, found);
            continue;
        }
        if l == d {
            continue;
        }
        if let Some(key) = l {
            found.push(drop_constraint(table, Constraint::ForeignKey(key.clone())));
        }
        if let Some(key) = d {
            found.push(Change::AddForeignKey(AddForeignKey {
                table: table.clone(),
                key: key.clone(),
                new_table: false,
            }));
        }
    }
}

/// A constraint that differs only in being validated: neither dropping it nor adding it again
/// is what the user wants, and there is no rule for `VALIDATE CONSTRAINT` alone.
fn not_valid_only(table: &TableRef, name: &str, live_valid: bool, found: &mut Found) {
    let detail = if live_valid {
        "is validated in the live database but NOT VALID in the desired schema; marking a constraint NOT VALID is not possible"
    } else {
        "is NOT VALID in the live database; validating it alone (VALIDATE CONSTRAINT) is not planned"
    };
    found.unsupported(format!("{table}.{name}"), detail);
}

fn diff_checks(table: &TableRef, live: &Table, desired: &Table, found: &mut Found) {
    for (name, l, d) in paired_by_name(&live.checks, &desired.checks, |c| &c.name) {
        if let (Some(l), Some(d)) = (l, d)
            && l.valid != d.valid
            && l.expression == d.expression
            && l.no_inherit == d.no_inherit
        {
            not_valid_only(table, name, l.valid, found);
            continue;
        }
        if l == d {
            continue;
        }
        if let Some(check) = l {
            found.push(drop_constraint(table, Constraint::Check(check.clone())));
        }
        if let Some(check) = d {
            found.push(Change::AddCheck(AddCheck {
                table: table.clone(),
                check: check.clone(),
            }));
        }
    }
}

fn diff_exclusions(table: &TableRef, live: &Table, desired: &Table, found: &mut Found) {
    for (name, l, d) in paired_by_name(&live.exclusions, &desired.exclusions, |x| &x.name) {
        match (l, d) {
            (Some(exclusion), None) => {
                found.push(drop_constraint(
                    table,
                    Constraint::Exclusion(exclusion.clone()),
                ));
            }
            (None, Some(exclusion)) => found.push(Change::AddExclusion(AddExclusion {
                table: table.clone(),
                exclusion: exclusion.clone(),
            })),
            (Some(l), Some(d)) if l != d => found.unsupported(
                format!("{table}.{name}"),
                format!(
                    "exclusion constraint changes from `{}` to `{}`; changing one is not planned",
                    l.definition, d.definition
                ),
            ),
            _ => {}
        }
    }
}

/// Indexes of a table or a materialized view (`table` names either).
pub(super) fn diff_indexes(table: &TableRef, live: &[Index], desired: &[Index], found: &mut Found) {
    for (name, l, d) in paired_by_name(live, desired, |i: &Index| &i.name) {
        match (l, d) {
            (Some(index), None) => found.push(Change::DropIndex(DropIndex {
                table: table.clone(),
                index: index.clone(),
            })),
            (None, Some(index)) => found.push(Change::AddIndex(AddIndex {
                table: table.clone(),
                index: index.clone(),
            })),
            (Some(l), Some(d)) => {
                if without_comment(l) != without_comment(d) {
                    found.push(Change::ChangeIndex(ChangeIndex {
                        table: table.clone(),
                        from: l.clone(),
                        to: d.clone(),
                    }));
                }
                found.comment(
                    CommentTarget::Index(TableRef::new(&table.schema, name)),
                    l.comment.as_ref(),
                    d.comment.as_ref(),
                );
            }
            (None, None) => {}
        }
    }
}

fn without_comment(index: &Index) -> Index {
    Index {
        comment: None,
        ..index.clone()
    }
}

fn diff_triggers(table: &TableRef, live: &Table, desired: &Table, found: &mut Found) {
    for (_, l, d) in paired_by_name(&live.triggers, &desired.triggers, |t| &t.name) {
        let change = match (l, d) {
            (Some(trigger), None) => Change::DropTrigger(DropTrigger {
                table: table.clone(),
                trigger: trigger.clone(),
            }),
            (None, Some(trigger)) => Change::CreateTrigger(CreateTrigger {
                table: table.clone(),
                trigger: trigger.clone(),
            }),
            (Some(l), Some(d)) if l != d => Change::ReplaceTrigger(ReplaceTrigger {
                table: table.clone(),
                from: l.clone(),
                to: d.clone(),
            }),
            _ => continue,
        };
        found.push(change);
    }
}

fn diff_policies(table: &TableRef, live: &Table, desired: &Table, found: &mut Found) {
    let (live, desired) = (&live.row_security.policies, &desired.row_security.policies);
    for (_, l, d) in paired_by_name(live, desired, |p| &p.name) {
        if l == d {
            continue;
        }
        if let Some(policy) = l {
            found.push(Change::DropPolicy(DropPolicy {
                table: table.clone(),
                policy: policy.clone(),
            }));
        }
        if let Some(policy) = d {
            found.push(Change::CreatePolicy(CreatePolicy {
                table: table.clone(),
                policy: policy.clone(),
            }));
        }
    }
}
