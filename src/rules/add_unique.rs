//! `add-unique`: a new UNIQUE constraint on an existing table. Also the shared plan of
//! [`super::add_primary_key`]: both build a unique index concurrently and attach it.

use crate::ddl::{deferral_clause, primary_key_clause, unique_clause};
use crate::decide::{ChangeId, FactId, Question, QuestionId};
use crate::decide::{Choice, ChoiceId, Comparison, Condition, Fact, FactTest, FactValue, Origin};
use crate::diff::change;
use crate::schema::{Deferral, Index, IndexKey, KeyTarget, PrimaryKey, TableRef, Unique};
use crate::sql::{quote_ident, quote_qualified};
use crate::step::guard;
use crate::step::precondition::{self, Check};
use crate::step::{Backfill, BackfillOperation, Phase, Rollback, Runs, Statement, Step};

use super::add_index::{build_concurrently, build_in_transaction, drop_concurrently};
use super::set_not_null::target;
use super::{Assessment, Context, Cost, Count, Decisions, Explanation, Rows, Rule};
use crate::step::{Lock, Work};

/// The question: what to do with rows whose key another row has too.
pub const DUPLICATES: &str = "add-unique/duplicates";
/// A fact: rows sharing their key with another row, when they were counted.
pub const DUPLICATE_COUNT: &str = "duplicates";

pub struct AddUnique;

const EXPLANATION: Explanation = Explanation {
    title: "A new UNIQUE constraint",
    risk: "ADD CONSTRAINT … UNIQUE builds its index under an ACCESS EXCLUSIVE lock: reads and \
           writes wait for the whole build, and it fails if any key is duplicated.",
    instead: "Build the unique index with CREATE UNIQUE INDEX CONCURRENTLY (writes go on), then \
              attach it with ADD CONSTRAINT … UNIQUE USING INDEX, a brief catalog change. \
              Duplicates must be fixed first, or deleted by a backfill if you choose.",
    rollback: "DROP CONSTRAINT (which drops its index). Deleted duplicates do not come back.",
};

impl Rule for AddUnique {
    type Change = change::AddUnique;

    fn explanation(&self) -> &'static Explanation {
        &EXPLANATION
    }

    fn count(&self, change: &Self::Change) -> Option<Count> {
        let Self::Change { table, unique } = change;
        Some(duplicates_count(
            table,
            &unique.columns,
            unique.nulls_not_distinct,
        ))
    }

    fn assess(&self, change: &Self::Change, context: &Context) -> Assessment {
        let Self::Change { table, unique } = change;
        assess_key(
            self.id(),
            &change.id(),
            context,
            table,
            &NewKey::unique(unique),
        )
    }

    fn questions(&self, change: &Self::Change, context: &Context) -> Vec<Question> {
        let Self::Change { table, unique } = change;
        vec![duplicates_question(
            DUPLICATES,
            &change.id(),
            context,
            table,
            &NewKey::unique(unique),
        )]
    }

    fn preconditions(&self, change: &Self::Change, decisions: &Decisions) -> Vec<Check> {
        let Self::Change { table, unique } = change;
        if decisions.choice(DUPLICATES) == Some("delete-duplicates") {
            return Vec::new();
        }
        vec![precondition::duplicates(
            &change.id(),
            table,
            &unique.columns,
            unique.nulls_not_distinct,
        )]
    }

    fn steps(&self, change: &Self::Change, context: &Context, decisions: &Decisions) -> Vec<Step> {
        let Self::Change { table, unique } = change;
        key_steps(
            &NewKey::unique(unique),
            table,
            context,
            decisions,
            DUPLICATES,
            Vec::new(),
        )
    }
}

/// A counted duplicates fact (rows sharing their key with another row), for whoever counts.
#[must_use]
pub fn duplicates_fact(rows: u64) -> Fact {
    Fact {
        id: FactId::from_static(DUPLICATE_COUNT),
        value: FactValue::Count(rows),
        origin: Origin::Counted {
            source: "count(*) of rows whose key another row has".to_owned(),
        },
    }
}

/// A new unique key: a UNIQUE constraint or a PRIMARY KEY.
pub(crate) struct NewKey<'a> {
    pub primary: bool,
    pub name: &'a str,
    pub columns: &'a [String],
    pub include: &'a [String],
    pub nulls_not_distinct: bool,
    pub deferral: Deferral,
    /// The whole constraint as `ALTER TABLE … ADD` writes it.
    pub clause: String,
}

impl<'a> NewKey<'a> {
    /// The key of a UNIQUE constraint.
    pub(crate) fn unique(unique: &'a Unique) -> Self {
        Self {
            primary: false,
            name: &unique.name,
            columns: &unique.columns,
            include: &unique.include,
            nulls_not_distinct: unique.nulls_not_distinct,
            deferral: unique.deferral,
            clause: unique_clause(unique),
        }
    }

    /// The key of a PRIMARY KEY.
    pub(crate) fn primary(key: &'a PrimaryKey) -> Self {
        Self {
            primary: true,
            name: &key.name,
            columns: &key.columns,
            include: &key.include,
            nulls_not_distinct: false,
            deferral: key.deferral,
            clause: primary_key_clause(key),
        }
    }

    fn kind(&self) -> &'static str {
        if self.primary {
            "PRIMARY KEY"
        } else {
            "UNIQUE"
        }
    }

    /// The unique index the constraint is attached to, named as the constraint so that
    /// `USING INDEX` keeps its name.
    fn index(&self) -> Index {
        Index {
            name: self.name.to_owned().into(),
            unique: true,
            method: "btree".into(),
            keys: self
                .columns
                .iter()
                .map(|column| IndexKey {
                    target: KeyTarget::Column(column.as_str().into()),
                    opclass: None,
                    collation: None,
                    descending: false,
                    nulls_first: false,
                })
                .collect(),
            include: self.include.to_vec(),
            predicate: None,
            nulls_not_distinct: self.nulls_not_distinct,
            with: Vec::new(),
            comment: None,
        }
    }
}

/// The count of rows whose key (`columns` of `table`) another row has.
pub(crate) fn duplicates_count(
    table: &TableRef,
    columns: &[String],
    nulls_not_distinct: bool,
) -> Count {
    Count {
        what: format!("duplicate keys in {}", table.name),
        label: "duplicates",
        rows: Rows::Duplicates {
            table: table.clone(),
            columns: columns.to_vec(),
            nulls_not_distinct,
        },
    }
}

/// The cost of adding `key` directly, with the duplicates counted so far.
pub(crate) fn assess_key(
    rule: &'static str,
    change: &ChangeId,
    context: &Context,
    table: &TableRef,
    key: &NewKey,
) -> Assessment {
    let duplicates = context.fact(change, DUPLICATE_COUNT).map_or_else(
        || "fails on duplicate keys (not counted)".to_owned(),
        |fact| format!("duplicated keys: {fact}"),
    );
    Assessment {
        rule,
        cost: Cost {
            work: Work::Scan,
            can_fail_on_data: true,
            ..Cost::metadata(Lock::AccessExclusive)
        },
        summary: format!(
            "{} {} on {}: a direct ADD CONSTRAINT builds its index over {} under ACCESS \
             EXCLUSIVE; {duplicates}",
            key.kind(),
            key.name,
            table.name,
            super::rows_text(context.rows(table))
        ),
    }
}

/// The question `question` (the rule's own `…/duplicates` id) about duplicated keys.
pub(crate) fn duplicates_question(
    question: &'static str,
    change: &ChangeId,
    context: &Context,
    table: &TableRef,
    key: &NewKey,
) -> Question {
    let duplicates = context.fact(change, DUPLICATE_COUNT);
    let known = context.count_text(change, DUPLICATE_COUNT, "rows with a duplicated key");
    Question {
        id: QuestionId::from_static(question),
        change: change.clone(),
        prompt: format!(
            "{} {} on {} ({}) ({known}). What happens to rows whose key another row has?",
            key.kind(),
            key.name,
            table.name,
            key.columns.join(", ")
        ),
        why: "Building the unique index fails while any key is duplicated.".to_owned(),
        facts: duplicates.cloned().into_iter().collect(),
        choices: vec![
            Choice {
                id: ChoiceId::from_static("fix-first"),
                label: "Fix them before the build".to_owned(),
                consequence: "No backfill; the preconditions file stops the plan while \
                              duplicates remain."
                    .to_owned(),
                input: None,
            },
            Choice {
                id: ChoiceId::from_static("delete-duplicates"),
                label: "Delete all but the first row of each key".to_owned(),
                consequence: "LOSES DATA: a backfill deletes every row whose key an earlier row \
                              (by physical position, ctid) has; the deleted rows do not come back."
                    .to_owned(),
                input: None,
            },
        ],
        default: super::default_unless_found(duplicates, "fix-first"),
        // Asked unless a count found no duplicate.
        when: Condition::Not(Box::new(Condition::Fact(FactTest {
            fact: FactId::from_static(DUPLICATE_COUNT),
            op: Comparison::Eq,
            value: 0,
        }))),
    }
}

/// The steps of a new unique key: the optional delete of duplicates, the index and the
/// constraint. A primary key's NOT NULL steps are added by its own rule around these;
/// `undo_direct` is what else the rollback of a direct `ADD` (window mode) must undo.
pub(crate) fn key_steps(
    key: &NewKey,
    table: &TableRef,
    context: &Context,
    decisions: &Decisions,
    question: &'static str,
    undo_direct: Vec<Statement>,
) -> Vec<Step> {
    let rows = context.rows(table);
    let mut steps = Vec::new();
    let delete = decisions.choice(question) == Some("delete-duplicates");
    if delete {
        steps.push(delete_duplicates(key, table, rows));
    }
    if decisions.zero_downtime() {
        let index = key.index();
        // After a delete of duplicates the build must follow the backfill, so it moves to the
        // validate phase.
        let phase = if delete {
            Phase::Validate
        } else {
            Phase::Expand
        };
        steps.push(
            Step::sql(
                phase,
                build_concurrently(table, &index, rows, decisions.settings.lock_timeout_ms),
                Rollback::by(vec![drop_concurrently(&table.schema, &index.name)]),
            )
            .running(Runs::Concurrently),
        );
        steps.push(attach_index(key, table, &index, rows));
    } else {
        steps.push(add_directly(key, table, rows, undo_direct));
    }
    steps
}

fn attach_index(key: &NewKey, table: &TableRef, index: &Index, rows: Option<u64>) -> Step {
    let add = format!(
        "ALTER TABLE {} ADD CONSTRAINT {} {} USING INDEX {}{}",
        target(table),
        quote_ident(key.name),
        key.kind(),
        quote_ident(&index.name),
        deferral_clause(key.deferral)
    );
    let mut rollback = vec![drop_constraint(table, key.name)];
    rollback.extend(
        build_in_transaction(table, index, rows)
            .into_iter()
            .map(|statement| Statement {
                note: "dropping the constraint dropped its index: rebuilt as the expand phase \
                       left it (writes wait for the build)"
                    .to_owned(),
                ..statement
            }),
    );
    Step::sql(
        Phase::Validate,
        vec![Statement::new(
            guard::when(
                &format!("NOT {}", guard::constraint_exists(table, key.name)),
                &add,
            ),
            Lock::AccessExclusive,
            "brief: the index is already built and proves the key unique",
        )],
        Rollback::by(rollback),
    )
}

fn add_directly(
    key: &NewKey,
    table: &TableRef,
    rows: Option<u64>,
    undo_direct: Vec<Statement>,
) -> Step {
    let mut rollback = vec![drop_constraint(table, key.name)];
    rollback.extend(undo_direct);
    let add = format!("ALTER TABLE {} ADD {}", target(table), key.clause);
    Step::sql(
        Phase::Validate,
        vec![
            Statement::new(
                guard::when(
                    &format!("NOT {}", guard::constraint_exists(table, key.name)),
                    &add,
                ),
                Lock::AccessExclusive,
                "builds the index while reads and writes wait; fails on duplicate keys",
            )
            .doing(Work::Scan, rows),
        ],
        Rollback::by(rollback),
    )
}

fn delete_duplicates(key: &NewKey, table: &TableRef, rows: Option<u64>) -> Step {
    let outer = target(table);
    let equal = if key.nulls_not_distinct {
        "IS NOT DISTINCT FROM"
    } else {
        "="
    };
    let same_key: Vec<String> = key
        .columns
        .iter()
        .map(|column| {
            let column = quote_ident(column);
            format!("keep.{column} {equal} {outer}.{column}")
        })
        .collect();
    let pending = format!(
        "EXISTS (SELECT 1 FROM {outer} AS keep WHERE {} AND keep.ctid < {outer}.ctid)",
        same_key.join(" AND ")
    );
    Step::backfill(Backfill {
        table: table.clone(),
        operation: BackfillOperation::Delete,
        pending,
        rows,
        note: format!(
            "LOSES DATA: deletes every row of {} whose ({}) an earlier row (by ctid) has, keeping \
             one row per key",
            table.name,
            key.columns.join(", ")
        ),
        rollback: Rollback::impossible(
            "deleted rows are gone: restore them from a backup taken before this phase",
        ),
    })
}

/// `ALTER TABLE … DROP CONSTRAINT IF EXISTS name`: brief.
pub(crate) fn drop_constraint(table: &TableRef, name: &str) -> Statement {
    Statement::new(
        format!(
            "ALTER TABLE {} DROP CONSTRAINT IF EXISTS {}",
            quote_qualified(&table.schema, &table.name),
            quote_ident(name)
        ),
        Lock::AccessExclusive,
        "brief",
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::test_support::Fixture;
    use super::*;
    use crate::decide::{Facts, next_question};

    const LIVE: &str = "schemas:\n  public:\n    tables:\n      users:\n        columns:\n          id: bigint\n          email: text\n          tenant: int\n";
    const DESIRED: &str = "schemas:\n  public:\n    tables:\n      users:\n        columns:\n          id: bigint\n          email: text\n          tenant: int\n        unique:\n          - { columns: [tenant, email], include: [id], nulls_not_distinct: true, deferrable: initially_deferred }\n";

    fn change(fixture: &Fixture) -> change::AddUnique {
        let table = TableRef::new("public", "users");
        let unique = fixture.desired.table(&table).unwrap().unique[0].clone();
        change::AddUnique { table, unique }
    }

    #[test]
    fn zero_downtime_builds_the_index_concurrently_then_attaches_it() {
        let fixture = Fixture::new(LIVE, DESIRED).with_rows(&[("public.users", 40_000)]);
        let text = fixture.steps_text(&AddUnique, &change(&fixture));
        insta::assert_snapshot!(text, @"
        == expand (Concurrently)
        DO $guard$
        DECLARE
          attempt integer := 0;
        BEGIN
          IF EXISTS (SELECT 1 FROM pg_catalog.pg_index WHERE indexrelid = to_regclass('public.users_tenant_email_id_key') AND NOT indisvalid) THEN
            SET LOCAL lock_timeout = '1s';
            LOOP
              BEGIN
                DROP INDEX public.users_tenant_email_id_key;
                EXIT;
              EXCEPTION WHEN lock_not_available THEN
                attempt := attempt + 1;
                IF attempt > 10 THEN
                  RAISE;
                END IF;
                RAISE NOTICE '%; attempt % of 10 follows', SQLERRM, attempt;
                PERFORM pg_sleep(least(0.100 * 2 ^ (attempt - 1), 5.000) * (0.5 + random()));
              END;
            END LOOP;
          END IF;
        END
        $guard$;  -- ACCESS EXCLUSIVE, metadata only
        CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS users_tenant_email_id_key ON public.users USING btree (tenant, email) INCLUDE (id) NULLS NOT DISTINCT;  -- SHARE UPDATE EXCLUSIVE, scans the table
        rollback: DROP INDEX CONCURRENTLY IF EXISTS public.users_tenant_email_id_key;
        == validate (InTransaction)
        DO $guard$
        BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.users'::regclass AND conname = 'users_tenant_email_id_key') THEN
            ALTER TABLE public.users ADD CONSTRAINT users_tenant_email_id_key UNIQUE USING INDEX users_tenant_email_id_key DEFERRABLE INITIALLY DEFERRED;
          END IF;
        END
        $guard$;  -- ACCESS EXCLUSIVE, metadata only
        rollback: ALTER TABLE public.users DROP CONSTRAINT IF EXISTS users_tenant_email_id_key;
        rollback: CREATE UNIQUE INDEX IF NOT EXISTS users_tenant_email_id_key ON public.users USING btree (tenant, email) INCLUDE (id) NULLS NOT DISTINCT;
        ");
    }

    #[test]
    fn deleting_duplicates_moves_the_build_after_the_backfill() {
        let fixture = Fixture::new(LIVE, DESIRED);
        let change = change(&fixture);
        let fixture = fixture.answer(&change, DUPLICATES, "delete-duplicates", None);
        let text = fixture.steps_text(&AddUnique, &change);
        let phases: Vec<&str> = text.lines().filter(|l| l.starts_with("== ")).collect();
        assert_eq!(
            phases,
            [
                "== backfill (InTransaction)",
                "== validate (Concurrently)",
                "== validate (InTransaction)"
            ]
        );
        assert!(
            text.contains(
                "backfill public.users delete where EXISTS (SELECT 1 FROM public.users AS keep \
                 WHERE keep.tenant IS NOT DISTINCT FROM public.users.tenant AND keep.email IS \
                 NOT DISTINCT FROM public.users.email AND keep.ctid < public.users.ctid)"
            ),
            "{text}"
        );
    }

    #[test]
    fn a_window_adds_the_constraint_directly() {
        let fixture = Fixture::new(LIVE, DESIRED).window();
        let text = fixture.steps_text(&AddUnique, &change(&fixture));
        insta::assert_snapshot!(text, @r"
        == validate (InTransaction)
        DO $guard$
        BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.users'::regclass AND conname = 'users_tenant_email_id_key') THEN
            ALTER TABLE public.users ADD CONSTRAINT users_tenant_email_id_key UNIQUE NULLS NOT DISTINCT (tenant, email) INCLUDE (id) DEFERRABLE INITIALLY DEFERRED;
          END IF;
        END
        $guard$;  -- ACCESS EXCLUSIVE, scans the table
        rollback: ALTER TABLE public.users DROP CONSTRAINT IF EXISTS users_tenant_email_id_key;
        ");
    }

    #[test]
    fn the_duplicates_question_defaults_to_fixing_first_and_is_skipped_on_a_zero_count() {
        let mut fixture = Fixture::new(LIVE, DESIRED);
        let change = change(&fixture);
        let asked = AddUnique.questions(&change, &fixture.context());
        assert_eq!(asked[0].default.as_ref().unwrap().as_str(), "fix-first");
        assert!(asked[0].choices.iter().all(|c| c.input.is_none()));
        assert_eq!(
            next_question(&asked, &Facts::default(), &fixture.answers).map(|q| q.id.as_str()),
            Some(DUPLICATES)
        );
        fixture.facts.insert(&change.id(), duplicates_fact(0));
        assert!(next_question(&asked, &fixture.facts, &fixture.answers).is_none());
        fixture.facts.insert(&change.id(), duplicates_fact(12));
        assert!(next_question(&asked, &fixture.facts, &fixture.answers).is_some());
    }

    #[test]
    fn the_assessment_names_counted_duplicates() {
        let mut fixture = Fixture::new(LIVE, DESIRED);
        let change = change(&fixture);
        fixture.facts.insert(&change.id(), duplicates_fact(12));
        let assessment = AddUnique.assess(&change, &fixture.context());
        assert!(assessment.cost.can_fail_on_data);
        assert!(
            assessment
                .summary
                .contains("duplicated keys: 12 rows (counted)"),
            "{}",
            assessment.summary
        );
    }
}
