//! `rename-column`: a column takes a new name, through a synced copy (expand–contract) or a
//! plain `RENAME COLUMN`.

use crate::decide::{ChoiceId, Condition, Question, QuestionId};
use crate::diff::change;
use crate::schema::{Column, TableRef};
use crate::sql::{quote_ident, quote_qualified};
use crate::step::guard;
use crate::step::{Backfill, BackfillOperation, Phase, Rollback, Statement, Step};

use super::add_column::AddColumn;
use super::column_sync::Sync;
use super::drop_column::{DropColumn, drop_column, re_add_statements};
use super::set_default::{drop_default, set_default};
use super::set_not_null::SetNotNull;
use super::{Assessment, Context, Cost, Decisions, Explanation, Rule, choice};
use crate::step::{Lock, Work};

/// The question: is this a rename, or a column dropped and another added?
pub const CONFIRM: &str = "rename-column/confirm";
/// The question: expand–contract or rename in place.
pub const METHOD: &str = "rename-column/method";

pub struct RenameColumn;

const EXPLANATION: Explanation = Explanation {
    title: "A column is renamed",
    risk: "RENAME COLUMN is a brief catalog update, but every running query that names the old \
           column fails from that moment until the new code is deployed.",
    instead: "Add the new column with a trigger keeping both in sync, backfill it, deploy code \
              that reads and writes the new name, then drop the trigger and the old column.",
    rollback: "Each step has its reverse; after the contract phase the old column is re-added \
               and filled back from the new one.",
};

impl Rule for RenameColumn {
    type Change = change::RenameColumn;

    fn explanation(&self) -> &'static Explanation {
        &EXPLANATION
    }

    fn assess(&self, change: &Self::Change, _context: &Context) -> Assessment {
        let Self::Change {
            table, from, to, ..
        } = change;
        Assessment {
            rule: self.id(),
            cost: Cost {
                breaks_clients: true,
                ..Cost::metadata(Lock::AccessExclusive)
            },
            summary: format!(
                "{}.{} is renamed to {}: brief, but code using the old name fails",
                table.name, from.name, to.name
            ),
        }
    }

    fn questions(&self, change: &Self::Change, _context: &Context) -> Vec<Question> {
        let Self::Change {
            table,
            from,
            to,
            hinted,
        } = change;
        let mut questions = Vec::new();
        if !hinted {
            questions.push(Question {
                id: QuestionId::from_static(CONFIRM),
                change: change.id(),
                prompt: format!(
                    "{}.{} is gone and {} ({}) is new. Was {} renamed to {}?",
                    table.name, from.name, to.name, to.data_type, from.name, to.name
                ),
                why: "A rename keeps the values; dropping one column and adding the other loses \
                      them. Add `renamed_from` to the desired file to say so there."
                    .to_owned(),
                facts: Vec::new(),
                choices: vec![
                    choice(
                        "rename",
                        "Yes, a rename",
                        "The values move to the new name.",
                        None,
                    ),
                    choice(
                        "drop-and-add",
                        "No: drop one, add the other",
                        "The old column and its values are dropped after a deploy gate.",
                        None,
                    ),
                ],
                // A wrong guess moves values into the wrong column (a `full_name` split into
                // `first_name` and `last_name`), so a person confirms it, or `renamed_from` says so.
                default: None,
                when: Condition::Always,
            });
        }
        questions.push(Question {
            id: QuestionId::from_static(METHOD),
            change: change.id(),
            prompt: format!(
                "How should {}.{} become {}?",
                table.name, from.name, to.name
            ),
            why: "Renaming in place breaks code using the old name until the new code is \
                  live; a synced copy lets both run, at the cost of a backfill."
                .to_owned(),
            facts: Vec::new(),
            choices: vec![
                choice(
                    "expand-contract",
                    "Synced copy",
                    "New column and sync trigger, backfill, deploy gate, then the old column is \
                     dropped.",
                    None,
                ),
                choice(
                    "in-place",
                    "RENAME COLUMN",
                    "One brief statement; code using the old name fails until redeployed.",
                    None,
                ),
            ],
            default: Some(ChoiceId::from_static("expand-contract")),
            // In a maintenance window the plain rename is planned without asking.
            when: Condition::All(vec![
                super::unless_window(),
                Condition::Not(Box::new(Condition::Answered(
                    QuestionId::from_static(CONFIRM),
                    ChoiceId::from_static("drop-and-add"),
                ))),
            ]),
        });
        questions
    }

    fn steps(&self, change: &Self::Change, context: &Context, decisions: &Decisions) -> Vec<Step> {
        let Self::Change {
            table, from, to, ..
        } = change;
        if decisions.choice(CONFIRM) == Some("drop-and-add") {
            return drop_and_add(table, from, to, context, decisions);
        }
        let in_place = match decisions.choice(METHOD) {
            Some(method) => method == "in-place",
            None => !decisions.zero_downtime(),
        };
        if in_place {
            vec![rename_in_place(table, &from.name, &to.name)]
        } else {
            expand_contract(table, from, to, context, decisions)
        }
    }
}

fn drop_and_add(
    table: &TableRef,
    from: &Column,
    to: &Column,
    context: &Context,
    decisions: &Decisions,
) -> Vec<Step> {
    let add = change::AddColumn {
        table: table.clone(),
        column: to.clone(),
    };
    let drop = change::DropColumn {
        table: table.clone(),
        column: from.clone(),
    };
    let mut steps = AddColumn.steps(&add, context, decisions);
    steps.extend(DropColumn.steps(&drop, context, decisions));
    steps
}

/// `RENAME COLUMN from TO to`, only while `from` exists; marked as altering `from`.
pub(crate) fn rename_in_place(table: &TableRef, from: &str, to: &str) -> Step {
    Step::sql(
        Phase::Expand,
        vec![rename(
            table,
            from,
            to,
            "brief; code using the old name fails from now on",
        )],
        Rollback::by(vec![rename(table, to, from, "brief")]),
    )
    .altering(table, from)
}

fn rename(table: &TableRef, from: &str, to: &str, note: &str) -> Statement {
    let sql = format!(
        "ALTER TABLE {} RENAME COLUMN {} TO {}",
        quote_qualified(&table.schema, &table.name),
        quote_ident(from),
        quote_ident(to)
    );
    Statement::new(
        guard::when(&guard::column_exists(table, from), &sql),
        Lock::AccessExclusive,
        note,
    )
}

/// How a value goes from one column to the other: as it is for the same type, else a cast.
fn conversion(from: &str, to_type: &str, same_type: bool) -> String {
    if same_type {
        quote_ident(from)
    } else {
        format!("CAST({} AS {to_type})", quote_ident(from))
    }
}

fn expand_contract(
    table: &TableRef,
    from: &Column,
    to: &Column,
    context: &Context,
    decisions: &Decisions,
) -> Vec<Step> {
    let rows = context.rows(table);
    let same = from.data_type == to.data_type;
    let sync = Sync {
        table,
        old: &from.name,
        new: &to.name,
        forward: conversion(&from.name, &to.data_type, same),
        backward: conversion(&to.name, &from.data_type, same),
    };
    let mut steps = vec![add_synced(table, to, &sync)];
    steps.push(copy_across(table, &to.name, &sync.forward, rows));
    if !to.nullable {
        let not_null = change::SetNotNull {
            table: table.clone(),
            column: to.clone(),
        };
        steps.extend(SetNotNull.steps(&not_null, context, decisions));
    }
    steps.push(Step::gate(format!(
        "the application reads and writes {}.{} instead of {}",
        table.name, to.name, from.name
    )));
    steps.push(contract(table, from, to, &sync, context));
    steps
}

/// The new column, bare (nullable, no default: the old column's default applies until the
/// contract phase, and the trigger copies it), and the sync trigger.
pub(crate) fn add_synced(table: &TableRef, to: &Column, sync: &Sync) -> Step {
    let bare = Column {
        nullable: true,
        default: None,
        identity: None,
        generated: None,
        comment: None,
        renamed_from: None,
        ..to.clone()
    };
    let mut statements = vec![Statement::new(
        format!(
            "ALTER TABLE {} ADD COLUMN IF NOT EXISTS {}",
            quote_qualified(&table.schema, &table.name),
            crate::ddl::column_definition(&bare)
        ),
        Lock::AccessExclusive,
        "brief, metadata only",
    )];
    let (install, mut undo) = sync.install();
    statements.extend(install);
    undo.push(drop_column(table, &to.name));
    Step::sql(Phase::Expand, statements, Rollback::by(undo))
}

/// Existing rows: the new column set from the old one, in batches; a row is pending while the
/// new column differs from the converted old value.
pub(crate) fn copy_across(table: &TableRef, new: &str, forward: &str, rows: Option<u64>) -> Step {
    let name = quote_ident(new);
    Step::backfill(Backfill {
        table: table.clone(),
        operation: BackfillOperation::Update {
            assignments: format!("{name} = {forward}"),
        },
        pending: format!("{name} IS DISTINCT FROM {forward}"),
        rows,
        note: format!("copy existing values into {new}"),
        rollback: Rollback::partial(
            Vec::new(),
            "nothing to undo here: rolling back the expand phase drops the new column",
        ),
    })
}

fn contract(table: &TableRef, from: &Column, to: &Column, sync: &Sync, context: &Context) -> Step {
    let (mut statements, _) = sync.remove();
    statements.push(drop_column(table, &from.name));
    if let Some(default) = &to.default {
        statements.push(set_default(table, &to.name, default));
    }
    let mut undo = Vec::new();
    if to.default.is_some() {
        undo.push(drop_default(table, &to.name));
    }
    undo.extend(re_add_statements(table, from, context.live.table(table)));
    undo.extend(copy_back(table, from, &sync.backward, context.rows(table)));
    undo.push(sync.create_function());
    undo.push(sync.create_trigger());
    Step::sql(
        Phase::Contract,
        statements,
        Rollback::partial(
            undo,
            format!(
                "the old column is filled back from {} with one UPDATE of every row",
                to.name
            ),
        ),
    )
    .altering(table, &from.name)
}

/// The old column filled from the new one, its default and NOT NULL back.
pub(crate) fn copy_back(
    table: &TableRef,
    old: &Column,
    backward: &str,
    rows: Option<u64>,
) -> Vec<Statement> {
    let target = quote_qualified(&table.schema, &table.name);
    let name = quote_ident(&old.name);
    let mut out = vec![
        Statement::new(
            format!(
                "UPDATE {target} SET {name} = {backward} WHERE {name} IS DISTINCT FROM {backward}"
            ),
            Lock::RowExclusive,
            "every row",
        )
        .doing(Work::Update, rows),
    ];
    if !old.nullable {
        out.push(
            Statement::new(
                format!("ALTER TABLE {target} ALTER COLUMN {name} SET NOT NULL"),
                Lock::AccessExclusive,
                "scans the table",
            )
            .doing(Work::Scan, rows),
        );
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::test_support::Fixture;
    use super::*;
    use crate::decide::{Facts, with_defaults};

    const LIVE: &str = "schemas:\n  public:\n    tables:\n      users:\n        columns:\n          id: bigint\n          email: { type: text, nullable: false, default: \"''::text\" }\n";
    const DESIRED: &str = "schemas:\n  public:\n    tables:\n      users:\n        columns:\n          id: bigint\n          email_address: { type: text, nullable: false, default: \"''::text\" }\n";

    fn change(fixture: &Fixture, hinted: bool) -> change::RenameColumn {
        let table = TableRef::new("public", "users");
        let from = fixture
            .live
            .table(&table)
            .unwrap()
            .column("email")
            .unwrap()
            .clone();
        let to = fixture
            .desired
            .table(&table)
            .unwrap()
            .column("email_address")
            .unwrap()
            .clone();
        change::RenameColumn {
            table,
            from,
            to,
            hinted,
        }
    }

    #[test]
    fn zero_downtime_syncs_a_new_column_and_drops_the_old_one_last() {
        let fixture = Fixture::new(LIVE, DESIRED).with_rows(&[("public.users", 40_000)]);
        insta::assert_snapshot!(fixture.steps_text(&RenameColumn, &change(&fixture, true)), @"
        == expand (InTransaction)
        ALTER TABLE public.users ADD COLUMN IF NOT EXISTS email_address text;  -- ACCESS EXCLUSIVE, metadata only
        CREATE OR REPLACE FUNCTION public.users_email_address_sync() RETURNS trigger LANGUAGE plpgsql AS $sync$
        #variable_conflict use_column
        BEGIN
          IF TG_OP = 'INSERT' THEN
            IF NEW.email_address IS NULL THEN
              NEW.email_address := (SELECT email FROM (SELECT NEW.email) AS row_value(email));
            ELSE
              NEW.email := (SELECT email_address FROM (SELECT NEW.email_address) AS row_value(email_address));
            END IF;
          ELSIF NEW.email IS DISTINCT FROM OLD.email THEN
            NEW.email_address := (SELECT email FROM (SELECT NEW.email) AS row_value(email));
          ELSIF NEW.email_address IS DISTINCT FROM OLD.email_address AND NEW.email_address IS DISTINCT FROM (SELECT email FROM (SELECT NEW.email) AS row_value(email)) THEN
            NEW.email := (SELECT email_address FROM (SELECT NEW.email_address) AS row_value(email_address));
          ELSE
            NEW.email_address := (SELECT email FROM (SELECT NEW.email) AS row_value(email));
          END IF;
          RETURN NEW;
        END
        $sync$;  -- no table lock, metadata only
        DO $guard$
        BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = to_regclass('public.users') AND tgname = 'users_email_address_sync') THEN
            CREATE TRIGGER users_email_address_sync BEFORE INSERT OR UPDATE ON public.users FOR EACH ROW EXECUTE FUNCTION public.users_email_address_sync();
          END IF;
        END
        $guard$;  -- SHARE ROW EXCLUSIVE, metadata only
        rollback: DROP TRIGGER IF EXISTS users_email_address_sync ON public.users;
        rollback: DROP FUNCTION IF EXISTS public.users_email_address_sync();
        rollback: ALTER TABLE public.users DROP COLUMN IF EXISTS email_address;
        == backfill (InTransaction)
        backfill public.users update set email_address = email where email_address IS DISTINCT FROM email
        rollback warning: nothing to undo here: rolling back the expand phase drops the new column
        == validate (InTransaction)
        DO $guard$
        BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.users'::regclass AND conname = 'users_email_address_not_null') THEN
            ALTER TABLE public.users ADD CONSTRAINT users_email_address_not_null CHECK (email_address IS NOT NULL) NOT VALID;
          END IF;
        END
        $guard$;  -- ACCESS EXCLUSIVE, metadata only
        rollback: ALTER TABLE public.users DROP CONSTRAINT IF EXISTS users_email_address_not_null;
        == validate (InTransaction)
        DO $guard$
        BEGIN
          IF EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.users'::regclass AND conname = 'users_email_address_not_null') THEN
            ALTER TABLE public.users VALIDATE CONSTRAINT users_email_address_not_null;
          END IF;
        END
        $guard$;  -- SHARE UPDATE EXCLUSIVE, scans the table
        rollback: ALTER TABLE public.users DROP CONSTRAINT IF EXISTS users_email_address_not_null;
        rollback: DO $guard$
        BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.users'::regclass AND conname = 'users_email_address_not_null') THEN
            ALTER TABLE public.users ADD CONSTRAINT users_email_address_not_null CHECK (email_address IS NOT NULL) NOT VALID;
          END IF;
        END
        $guard$;
        == validate (InTransaction)
        ALTER TABLE public.users ALTER COLUMN email_address SET NOT NULL;  -- ACCESS EXCLUSIVE, metadata only
        ALTER TABLE public.users DROP CONSTRAINT IF EXISTS users_email_address_not_null;  -- ACCESS EXCLUSIVE, metadata only
        rollback: ALTER TABLE public.users ALTER COLUMN email_address DROP NOT NULL;
        rollback: DO $guard$
        BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.users'::regclass AND conname = 'users_email_address_not_null') THEN
            ALTER TABLE public.users ADD CONSTRAINT users_email_address_not_null CHECK (email_address IS NOT NULL) NOT VALID;
          END IF;
        END
        $guard$;
        rollback: DO $guard$
        BEGIN
          IF EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.users'::regclass AND conname = 'users_email_address_not_null') THEN
            ALTER TABLE public.users VALIDATE CONSTRAINT users_email_address_not_null;
          END IF;
        END
        $guard$;
        == deploy (InTransaction)
        gate: the application reads and writes users.email_address instead of email
        == contract (InTransaction)
        alters public.users.email
        DROP TRIGGER IF EXISTS users_email_address_sync ON public.users;  -- ACCESS EXCLUSIVE, metadata only
        DROP FUNCTION IF EXISTS public.users_email_address_sync();  -- no table lock, metadata only
        ALTER TABLE public.users DROP COLUMN IF EXISTS email;  -- ACCESS EXCLUSIVE, metadata only
        ALTER TABLE public.users ALTER COLUMN email_address SET DEFAULT ''::text;  -- ACCESS EXCLUSIVE, metadata only
        rollback: ALTER TABLE public.users ALTER COLUMN email_address DROP DEFAULT;
        rollback: ALTER TABLE public.users ADD COLUMN IF NOT EXISTS email text DEFAULT ''::text NOT NULL;
        rollback: UPDATE public.users SET email = email_address WHERE email IS DISTINCT FROM email_address;
        rollback: ALTER TABLE public.users ALTER COLUMN email SET NOT NULL;
        rollback: CREATE OR REPLACE FUNCTION public.users_email_address_sync() RETURNS trigger LANGUAGE plpgsql AS $sync$
        #variable_conflict use_column
        BEGIN
          IF TG_OP = 'INSERT' THEN
            IF NEW.email_address IS NULL THEN
              NEW.email_address := (SELECT email FROM (SELECT NEW.email) AS row_value(email));
            ELSE
              NEW.email := (SELECT email_address FROM (SELECT NEW.email_address) AS row_value(email_address));
            END IF;
          ELSIF NEW.email IS DISTINCT FROM OLD.email THEN
            NEW.email_address := (SELECT email FROM (SELECT NEW.email) AS row_value(email));
          ELSIF NEW.email_address IS DISTINCT FROM OLD.email_address AND NEW.email_address IS DISTINCT FROM (SELECT email FROM (SELECT NEW.email) AS row_value(email)) THEN
            NEW.email := (SELECT email_address FROM (SELECT NEW.email_address) AS row_value(email_address));
          ELSE
            NEW.email_address := (SELECT email FROM (SELECT NEW.email) AS row_value(email));
          END IF;
          RETURN NEW;
        END
        $sync$;
        rollback: DO $guard$
        BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = to_regclass('public.users') AND tgname = 'users_email_address_sync') THEN
            CREATE TRIGGER users_email_address_sync BEFORE INSERT OR UPDATE ON public.users FOR EACH ROW EXECUTE FUNCTION public.users_email_address_sync();
          END IF;
        END
        $guard$;
        rollback warning: the old column is filled back from email_address with one UPDATE of every row
        ");
    }

    #[test]
    fn a_window_renames_in_place() {
        let fixture = Fixture::new(LIVE, DESIRED).window();
        insta::assert_snapshot!(fixture.steps_text(&RenameColumn, &change(&fixture, true)), @r"
        == expand (InTransaction)
        alters public.users.email
        DO $guard$
        BEGIN
          IF EXISTS (SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = to_regclass('public.users') AND attname = 'email' AND NOT attisdropped) THEN
            ALTER TABLE public.users RENAME COLUMN email TO email_address;
          END IF;
        END
        $guard$;  -- ACCESS EXCLUSIVE, metadata only
        rollback: DO $guard$
        BEGIN
          IF EXISTS (SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = to_regclass('public.users') AND attname = 'email_address' AND NOT attisdropped) THEN
            ALTER TABLE public.users RENAME COLUMN email_address TO email;
          END IF;
        END
        $guard$;
        ");
    }

    #[test]
    fn drop_and_add_adds_then_drops_after_a_gate() {
        let fixture = Fixture::new(LIVE, DESIRED);
        let change = change(&fixture, false);
        let fixture = fixture.answer(&change, CONFIRM, "drop-and-add", None);
        let text = fixture.steps_text(&RenameColumn, &change);
        assert!(
            text.contains("ADD COLUMN IF NOT EXISTS email_address text DEFAULT ''::text NOT NULL"),
            "{text}"
        );
        assert!(
            text.contains("gate: no application code reads or writes public.users.email"),
            "{text}"
        );
        assert!(text.contains("DROP COLUMN IF EXISTS email;"), "{text}");
    }

    #[test]
    fn hinted_renames_ask_only_the_method_and_drop_and_add_skips_it() {
        let fixture = Fixture::new(LIVE, DESIRED);
        let hinted = RenameColumn.questions(&change(&fixture, true), &fixture.context());
        assert_eq!(hinted.len(), 1);
        assert_eq!(hinted[0].id.as_str(), METHOD);
        let unhinted_change = change(&fixture, false);
        let asked = RenameColumn.questions(&unhinted_change, &fixture.context());
        let defaults = with_defaults(&asked, &Facts::default(), &fixture.answers);
        let chosen = |id: &'static str| {
            defaults
                .get(&unhinted_change.id(), &QuestionId::from_static(id))
                .map(|a| a.choice.as_str().to_owned())
        };
        // A guess that moves data is never a default: the rename waits for a person.
        assert_eq!(chosen(CONFIRM), None);
        let undecided = crate::decide::undecided(&asked, &Facts::default(), &defaults);
        assert_eq!(undecided.len(), 1);
        assert_eq!(undecided[0].id.as_str(), CONFIRM);
        let renamed = fixture
            .clone()
            .answer(&unhinted_change, CONFIRM, "rename", None);
        let defaults = with_defaults(&asked, &Facts::default(), &renamed.answers);
        let method = defaults.get(&unhinted_change.id(), &QuestionId::from_static(METHOD));
        assert_eq!(method.map(|a| a.choice.as_str()), Some("expand-contract"));
        let fixture = fixture.answer(&unhinted_change, CONFIRM, "drop-and-add", None);
        let defaults = with_defaults(&asked, &Facts::default(), &fixture.answers);
        assert!(
            defaults
                .get(&unhinted_change.id(), &QuestionId::from_static(METHOD))
                .is_none()
        );
    }

    #[test]
    fn renaming_breaks_clients() {
        let fixture = Fixture::new(LIVE, DESIRED);
        let assessment = RenameColumn.assess(&change(&fixture, true), &fixture.context());
        assert!(assessment.cost.breaks_clients && !assessment.cost.loses_data);
    }
}
