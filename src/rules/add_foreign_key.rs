//! `add-foreign-key`: a new FOREIGN KEY.

use crate::ddl::add_foreign_key;
use crate::decide::{ChangeId, FactId, Question, QuestionId};
use crate::decide::{Choice, ChoiceId, Comparison, Condition, Fact, FactTest, FactValue, Origin};
use crate::diff::change;
use crate::schema::query::index_covers;
use crate::schema::{FkMatch, ForeignKey, KeyTarget, TableRef};
use crate::sql::{quote_ident, quote_qualified};
use crate::step::guard;
use crate::step::precondition::{self, Check};
use crate::step::{Backfill, BackfillOperation, Phase, Rollback, Statement, Step};

use super::add_unique::drop_constraint;
use super::set_not_null::target;
use super::{Assessment, Context, Cost, Count, Decisions, Explanation, Rows, Rule};
use crate::step::{Lock, Work};

/// The question: what to do with rows whose key is missing from the referenced table.
pub const ORPHANS: &str = "add-foreign-key/orphans";
/// A fact: rows whose key the referenced table lacks, when they were counted.
pub const ORPHAN_COUNT: &str = "orphans";

pub struct AddForeignKey;

const EXPLANATION: Explanation = Explanation {
    title: "A new FOREIGN KEY",
    risk: "ADD FOREIGN KEY takes SHARE ROW EXCLUSIVE locks on both tables, blocking their \
           writes while it checks every row, and fails if any row references a missing key.",
    instead: "ADD CONSTRAINT … NOT VALID (brief; new rows are checked from then on), then \
              VALIDATE CONSTRAINT, which checks the existing rows under SHARE UPDATE EXCLUSIVE: \
              reads and writes go on. Without an index on the referencing columns every delete \
              or key update in the referenced table scans this table.",
    rollback: "DROP CONSTRAINT. Deleted orphans do not come back; keys set to NULL stay NULL.",
};

impl Rule for AddForeignKey {
    type Change = change::AddForeignKey;

    fn explanation(&self) -> &'static Explanation {
        &EXPLANATION
    }

    /// Orphans, unless the referencing table is new (and so empty).
    fn count(&self, change: &Self::Change) -> Option<Count> {
        let Self::Change {
            table,
            key,
            new_table,
        } = change;
        (!new_table).then(|| Count {
            what: format!("orphans of {} in {}", key.name, table.name),
            label: "orphans",
            rows: Rows::Orphans {
                table: table.clone(),
                columns: key.columns.clone(),
                references: key.references.clone(),
                referenced_columns: key.referenced_columns.clone(),
            },
        })
    }

    fn assess(&self, change: &Self::Change, context: &Context) -> Assessment {
        let Self::Change {
            table,
            key,
            new_table,
        } = change;
        let mut summary = if *new_table {
            format!(
                "{} on new table {}: nothing to check yet",
                key.name, table.name
            )
        } else {
            let orphans = context.fact(&change.id(), ORPHAN_COUNT).map_or_else(
                || "fails on orphan rows (not counted)".to_owned(),
                |fact| format!("orphan rows: {fact}"),
            );
            format!(
                "{} on {}: a direct ADD checks {} while writes to {} and {} wait; {orphans}",
                key.name,
                table.name,
                super::rows_text(context.rows(table)),
                table.name,
                key.references.name
            )
        };
        if let Some(advice) = missing_index(context, table, key) {
            summary.push_str("; ");
            summary.push_str(&advice);
        }
        Assessment {
            rule: self.id(),
            cost: if *new_table {
                Cost::metadata(Lock::ShareRowExclusive)
            } else {
                Cost {
                    work: Work::Scan,
                    can_fail_on_data: true,
                    ..Cost::metadata(Lock::ShareRowExclusive)
                }
            },
            summary,
        }
    }

    fn questions(&self, change: &Self::Change, context: &Context) -> Vec<Question> {
        let Self::Change {
            table,
            key,
            new_table: false,
        } = change
        else {
            return Vec::new();
        };
        vec![orphans_question(&change.id(), context, table, key)]
    }

    fn preconditions(&self, change: &Self::Change, decisions: &Decisions) -> Vec<Check> {
        let Self::Change {
            table,
            key,
            new_table: false,
        } = change
        else {
            return Vec::new();
        };
        if !key.valid || matches!(decisions.choice(ORPHANS), Some("delete" | "set-null")) {
            return Vec::new();
        }
        vec![precondition::orphans(&change.id(), table, key)]
    }

    fn steps(&self, change: &Self::Change, context: &Context, decisions: &Decisions) -> Vec<Step> {
        let Self::Change {
            table,
            key,
            new_table,
        } = change;
        let rows = context.rows(table);
        let advice = missing_index(context, table, key);
        if *new_table {
            return vec![add_plainly(table, key, Work::Metadata, None, advice)];
        }
        let mut steps = Vec::new();
        match decisions.choice(ORPHANS) {
            Some("delete") => steps.push(remove_orphans(table, key, rows, true)),
            Some("set-null") => steps.push(remove_orphans(table, key, rows, false)),
            _ => {}
        }
        if decisions.zero_downtime() {
            let mut add = add_not_valid(table, key, advice);
            if key_is_new(context, key) {
                // The unique key it references is built concurrently in the expand phase and
                // attached in the validate phase (earlier in change order): until then
                // PostgreSQL has no key to point the constraint at.
                add.phase = Phase::Validate;
            }
            steps.insert(0, add);
            if key.valid {
                steps.push(validate(table, key, rows));
            }
        } else {
            steps.push(add_plainly(table, key, Work::Scan, rows, advice));
        }
        steps
    }
}

/// Whether the referenced columns of an existing table have no primary key, unique constraint
/// or plain unique index on exactly them yet: the plan adds it.
fn key_is_new(context: &Context, key: &ForeignKey) -> bool {
    let Some(live) = context.live.table(&key.references) else {
        return false;
    };
    let mut wanted = key.referenced_columns.clone();
    wanted.sort();
    let same = |columns: &[String]| {
        let mut columns = columns.to_vec();
        columns.sort();
        columns == wanted
    };
    let plain_unique = live.indexes.iter().any(|index| {
        index.unique
            && index.predicate.is_none()
            && index
                .keys
                .iter()
                .map(|k| match &k.target {
                    KeyTarget::Column(name) => Some(name.to_string()),
                    KeyTarget::Expression(_) => None,
                })
                .collect::<Option<Vec<_>>>()
                .is_some_and(|columns| same(&columns))
    });
    !(live.primary_key.as_ref().is_some_and(|k| same(&k.columns))
        || live.unique.iter().any(|u| same(&u.columns))
        || plain_unique)
}

/// A counted orphans fact, for whoever counts.
#[must_use]
pub fn orphans_fact(rows: u64) -> Fact {
    Fact {
        id: FactId::from_static(ORPHAN_COUNT),
        value: FactValue::Count(rows),
        origin: Origin::Counted {
            source: "count(*) of rows whose key the referenced table lacks".to_owned(),
        },
    }
}

/// Advice to index the referencing columns, when the desired table has no index covering them.
fn missing_index(context: &Context, table: &TableRef, key: &ForeignKey) -> Option<String> {
    let model = context
        .desired
        .table(table)
        .or_else(|| context.live.table(table))?;
    index_covers(model, &key.columns).is_none().then(|| {
        format!(
            "no index covers {} ({}): deletes and key updates in {} will scan {}; consider \
             adding one",
            table.name,
            key.columns.join(", "),
            key.references.name,
            table.name
        )
    })
}

fn orphans_question(
    change: &ChangeId,
    context: &Context,
    table: &TableRef,
    key: &ForeignKey,
) -> Question {
    let orphans = context.fact(change, ORPHAN_COUNT);
    let known = context.count_text(change, ORPHAN_COUNT, "orphan rows");
    let mut choices = vec![
        Choice {
            id: ChoiceId::from_static("fix-first"),
            label: "Fix them before validating".to_owned(),
            consequence: "No backfill; the preconditions file stops the plan while orphans \
                          remain."
                .to_owned(),
            input: None,
        },
        Choice {
            id: ChoiceId::from_static("delete"),
            label: "Delete the orphan rows".to_owned(),
            consequence: "LOSES DATA: a backfill deletes every row whose key the referenced \
                          table lacks; they do not come back."
                .to_owned(),
            input: None,
        },
    ];
    if columns_nullable(context, table, key) {
        choices.push(Choice {
            id: ChoiceId::from_static("set-null"),
            label: "Set their key to NULL".to_owned(),
            consequence: "LOSES DATA: a backfill sets the key columns of orphan rows to NULL; \
                          the old values are not kept."
                .to_owned(),
            input: None,
        });
    }
    Question {
        id: QuestionId::from_static(ORPHANS),
        change: change.clone(),
        prompt: format!(
            "{}.{} references {} ({known}). What happens to rows whose key is missing there?",
            table.name, key.name, key.references
        ),
        why: "Validation fails while any row references a missing key.".to_owned(),
        facts: orphans.cloned().into_iter().collect(),
        choices,
        default: super::default_unless_found(orphans, "fix-first"),
        // Asked unless a count found no orphan.
        when: Condition::Not(Box::new(Condition::Fact(FactTest {
            fact: FactId::from_static(ORPHAN_COUNT),
            op: Comparison::Eq,
            value: 0,
        }))),
    }
}

/// Whether every referencing column is nullable, live and desired.
fn columns_nullable(context: &Context, table: &TableRef, key: &ForeignKey) -> bool {
    let nullable_in = |schema: &crate::schema::Schema| {
        schema.table(table).is_some_and(|t| {
            key.columns
                .iter()
                .all(|c| t.column(c).is_some_and(|column| column.nullable))
        })
    };
    nullable_in(context.live) && nullable_in(context.desired)
}

fn guarded_add(table: &TableRef, key: &ForeignKey, not_valid: bool) -> String {
    let definition = ForeignKey {
        valid: key.valid && !not_valid,
        ..key.clone()
    };
    guard::when(
        &format!("NOT {}", guard::constraint_exists(table, &key.name)),
        &add_foreign_key(&target(table), &definition),
    )
}

fn with_advice(note: &str, advice: Option<String>) -> String {
    advice.map_or_else(|| note.to_owned(), |advice| format!("{note}; {advice}"))
}

pub(crate) fn add_not_valid(table: &TableRef, key: &ForeignKey, advice: Option<String>) -> Step {
    Step::sql(
        Phase::Expand,
        vec![Statement::new(
            guarded_add(table, key, true),
            Lock::ShareRowExclusive,
            with_advice(
                "brief locks on both tables; new rows are checked from now on, existing ones \
                 in the validate phase",
                advice,
            ),
        )],
        Rollback::by(vec![drop_constraint(table, &key.name)]),
    )
}

pub(crate) fn validate(table: &TableRef, key: &ForeignKey, rows: Option<u64>) -> Step {
    let sql = format!(
        "ALTER TABLE {} VALIDATE CONSTRAINT {}",
        target(table),
        quote_ident(&key.name)
    );
    let re_add = Statement::new(
        guarded_add(table, key, true),
        Lock::ShareRowExclusive,
        "back to the unvalidated constraint",
    );
    Step::sql(
        Phase::Validate,
        vec![
            Statement::new(
                sql,
                Lock::ShareUpdateExclusive,
                "checks every row without blocking reads or writes; fails while an orphan \
                 remains",
            )
            .doing(Work::Scan, rows),
        ],
        Rollback::by(vec![drop_constraint(table, &key.name), re_add]),
    )
}

fn add_plainly(
    table: &TableRef,
    key: &ForeignKey,
    work: Work,
    rows: Option<u64>,
    advice: Option<String>,
) -> Step {
    let note = if work == Work::Metadata {
        "the table is new and empty: nothing to check"
    } else {
        "checks every row while writes to both tables wait"
    };
    let phase = if work == Work::Metadata {
        Phase::Expand
    } else {
        Phase::Validate
    };
    Step::sql(
        phase,
        vec![
            Statement::new(
                guarded_add(table, key, false),
                Lock::ShareRowExclusive,
                with_advice(note, advice),
            )
            .doing(work, rows),
        ],
        Rollback::by(vec![drop_constraint(table, &key.name)]),
    )
}

/// The predicate for rows the key would reject: MATCH SIMPLE lets any NULL pass; MATCH FULL
/// also rejects keys that are partly NULL.
fn orphan_predicate(table: &TableRef, key: &ForeignKey) -> String {
    let outer = target(table);
    let referenced = quote_qualified(&key.references.schema, &key.references.name);
    let pairs: Vec<String> = key
        .columns
        .iter()
        .zip(&key.referenced_columns)
        .map(|(column, referenced_column)| {
            format!(
                "parent.{} = {outer}.{}",
                quote_ident(referenced_column),
                quote_ident(column)
            )
        })
        .collect();
    let all_set: Vec<String> = key
        .columns
        .iter()
        .map(|c| format!("{} IS NOT NULL", quote_ident(c)))
        .collect();
    let missing = format!(
        "{} AND NOT EXISTS (SELECT 1 FROM {referenced} AS parent WHERE {})",
        all_set.join(" AND "),
        pairs.join(" AND ")
    );
    if key.match_type == FkMatch::Full && key.columns.len() > 1 {
        let any_set: Vec<String> = key
            .columns
            .iter()
            .map(|c| format!("{} IS NOT NULL", quote_ident(c)))
            .collect();
        format!(
            "({missing}) OR (({}) AND NOT ({}))",
            any_set.join(" OR "),
            all_set.join(" AND ")
        )
    } else {
        missing
    }
}

fn remove_orphans(table: &TableRef, key: &ForeignKey, rows: Option<u64>, delete: bool) -> Step {
    let (operation, note) = if delete {
        (
            BackfillOperation::Delete,
            format!(
                "LOSES DATA: deletes the rows of {} whose key {} lacks",
                table.name, key.references.name
            ),
        )
    } else {
        let assignments: Vec<String> = key
            .columns
            .iter()
            .map(|c| format!("{} = NULL", quote_ident(c)))
            .collect();
        (
            BackfillOperation::Update {
                assignments: assignments.join(", "),
            },
            format!(
                "LOSES DATA: sets ({}) to NULL where {} lacks the key",
                key.columns.join(", "),
                key.references.name
            ),
        )
    };
    Step::backfill(Backfill {
        table: table.clone(),
        operation,
        pending: orphan_predicate(table, key),
        rows,
        note,
        rollback: Rollback::impossible(
            "the orphan rows or their old keys are gone: restore them from a backup taken \
             before this phase",
        ),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::test_support::Fixture;
    use super::*;
    use crate::decide::next_question;

    const LIVE: &str = "schemas:\n  public:\n    tables:\n      users:\n        columns:\n          id: bigint\n        primary_key: [id]\n      orders:\n        columns:\n          id: bigint\n          user_id: bigint\n";
    const DESIRED: &str = "schemas:\n  public:\n    tables:\n      users:\n        columns:\n          id: bigint\n        primary_key: [id]\n      orders:\n        columns:\n          id: bigint\n          user_id: bigint\n        foreign_keys:\n          - { columns: [user_id], references: { table: users, columns: [id] }, on_delete: cascade }\n";

    fn change(fixture: &Fixture, new_table: bool) -> change::AddForeignKey {
        let table = TableRef::new("public", "orders");
        let key = fixture.desired.table(&table).unwrap().foreign_keys[0].clone();
        change::AddForeignKey {
            table,
            key,
            new_table,
        }
    }

    #[test]
    fn zero_downtime_adds_not_valid_then_validates() {
        let fixture = Fixture::new(LIVE, DESIRED).with_rows(&[("public.orders", 80_000)]);
        let text = fixture.steps_text(&AddForeignKey, &change(&fixture, false));
        insta::assert_snapshot!(text, @r"
        == expand (InTransaction)
        DO $guard$
        BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.orders'::regclass AND conname = 'orders_user_id_fkey') THEN
            ALTER TABLE public.orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users (id) ON DELETE CASCADE NOT VALID;
          END IF;
        END
        $guard$;  -- SHARE ROW EXCLUSIVE, metadata only
        rollback: ALTER TABLE public.orders DROP CONSTRAINT IF EXISTS orders_user_id_fkey;
        == validate (InTransaction)
        ALTER TABLE public.orders VALIDATE CONSTRAINT orders_user_id_fkey;  -- SHARE UPDATE EXCLUSIVE, scans the table
        rollback: ALTER TABLE public.orders DROP CONSTRAINT IF EXISTS orders_user_id_fkey;
        rollback: DO $guard$
        BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.orders'::regclass AND conname = 'orders_user_id_fkey') THEN
            ALTER TABLE public.orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users (id) ON DELETE CASCADE NOT VALID;
          END IF;
        END
        $guard$;
        ");
    }

    #[test]
    fn a_key_on_a_unique_the_plan_adds_waits_for_the_validate_phase() {
        let unkeyed = LIVE.replace("        primary_key: [id]\n      orders", "      orders");
        let fixture = Fixture::new(&unkeyed, DESIRED);
        let text = fixture.steps_text(&AddForeignKey, &change(&fixture, false));
        assert!(text.starts_with("== validate (InTransaction)\n"), "{text}");
        assert!(text.contains("NOT VALID"), "{text}");
    }

    #[test]
    fn a_window_adds_and_checks_in_one_statement() {
        let fixture = Fixture::new(LIVE, DESIRED).window();
        let text = fixture.steps_text(&AddForeignKey, &change(&fixture, false));
        assert!(text.starts_with("== validate (InTransaction)\n"), "{text}");
        assert!(!text.contains("NOT VALID"), "{text}");
        assert!(
            text.contains("SHARE ROW EXCLUSIVE, scans the table"),
            "{text}"
        );
    }

    #[test]
    fn a_new_table_gets_the_key_plainly_in_expand() {
        let fixture = Fixture::new(LIVE, DESIRED);
        let text = fixture.steps_text(&AddForeignKey, &change(&fixture, true));
        assert!(text.starts_with("== expand (InTransaction)\n"), "{text}");
        assert!(!text.contains("VALIDATE"), "{text}");
        assert!(
            AddForeignKey
                .questions(&change(&fixture, true), &fixture.context())
                .is_empty()
        );
    }

    #[test]
    fn orphans_can_be_deleted_or_set_to_null() {
        let fixture = Fixture::new(LIVE, DESIRED);
        let change = change(&fixture, false);
        let deleting = Fixture::new(LIVE, DESIRED).answer(&change, ORPHANS, "delete", None);
        let text = deleting.steps_text(&AddForeignKey, &change);
        assert!(
            text.contains(
                "backfill public.orders delete where user_id IS NOT NULL AND NOT EXISTS \
                 (SELECT 1 FROM public.users AS parent WHERE parent.id = public.orders.user_id)"
            ),
            "{text}"
        );
        let nulling = fixture.answer(&change, ORPHANS, "set-null", None);
        let text = nulling.steps_text(&AddForeignKey, &change);
        assert!(
            text.contains("backfill public.orders update set user_id = NULL where"),
            "{text}"
        );
    }

    #[test]
    fn set_null_is_offered_only_for_nullable_columns() {
        let fixture = Fixture::new(LIVE, DESIRED);
        let asked = AddForeignKey.questions(&change(&fixture, false), &fixture.context());
        let ids: Vec<&str> = asked[0].choices.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["fix-first", "delete", "set-null"]);
        let strict = DESIRED.replace(
            "user_id: bigint",
            "user_id: { type: bigint, nullable: false }",
        );
        let fixture = Fixture::new(
            &LIVE.replace(
                "user_id: bigint",
                "user_id: { type: bigint, nullable: false }",
            ),
            &strict,
        );
        let asked = AddForeignKey.questions(&change(&fixture, false), &fixture.context());
        let ids: Vec<&str> = asked[0].choices.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["fix-first", "delete"]);
    }

    #[test]
    fn the_orphans_question_is_skipped_on_a_zero_count() {
        let mut fixture = Fixture::new(LIVE, DESIRED);
        let change = change(&fixture, false);
        let asked = AddForeignKey.questions(&change, &fixture.context());
        assert!(next_question(&asked, &fixture.facts, &fixture.answers).is_some());
        fixture.facts.insert(&change.id(), orphans_fact(0));
        assert!(next_question(&asked, &fixture.facts, &fixture.answers).is_none());
    }

    #[test]
    fn a_missing_index_on_the_referencing_columns_is_named() {
        let fixture = Fixture::new(LIVE, DESIRED);
        let assessment = AddForeignKey.assess(&change(&fixture, false), &fixture.context());
        assert!(
            assessment
                .summary
                .contains("no index covers orders (user_id)"),
            "{}",
            assessment.summary
        );
        let indexed = DESIRED.to_owned() + "        indexes:\n          - { columns: [user_id] }\n";
        let fixture = Fixture::new(LIVE, &indexed);
        let assessment = AddForeignKey.assess(&change(&fixture, false), &fixture.context());
        assert!(
            !assessment.summary.contains("no index"),
            "{}",
            assessment.summary
        );
    }

    #[test]
    fn match_full_also_rejects_partly_null_keys() {
        let key = ForeignKey {
            name: "fk".into(),
            columns: vec!["a".to_owned(), "b".to_owned()],
            references: TableRef::new("public", "p"),
            referenced_columns: vec!["x".to_owned(), "y".to_owned()],
            on_delete: crate::schema::FkAction::NoAction,
            on_update: crate::schema::FkAction::NoAction,
            match_type: FkMatch::Full,
            deferral: crate::schema::Deferral::NotDeferrable,
            valid: true,
        };
        let predicate = orphan_predicate(&TableRef::new("public", "c"), &key);
        assert!(
            predicate.ends_with(
                "OR ((a IS NOT NULL OR b IS NOT NULL) AND NOT (a IS NOT NULL AND b IS NOT NULL))"
            ),
            "{predicate}"
        );
    }
}
