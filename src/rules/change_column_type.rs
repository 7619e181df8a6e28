//! `change-column-type`: a column's type (or collation) changes, in place when PostgreSQL can
//! relabel it without a rewrite, else through a synced copy swapped into place, or a rewrite in
//! a maintenance window.

use crate::decide::QuestionId;
use crate::decide::{ChoiceId, Condition, Fact, FactId, FactValue, InputKind, Origin, Question};
use crate::diff::change;
use crate::schema::names::{make_object_name, referenced_columns};
use crate::schema::{Column, Index, KeyTarget, Table, TableRef};
use crate::sql::{quote_ident, quote_qualified};
use crate::step::guard;
use crate::step::precondition::{self, Check};
use crate::step::{Phase, Rollback, Runs, Statement, Step};

use super::column_sync::Sync;
use super::drop_column::{index_uses, re_add_statements};
use super::rename_column::{add_synced, copy_across, copy_back};
use super::set_default::{drop_default, set_default};
use super::set_not_null::SetNotNull;
use super::{Assessment, Context, Cost, Count, Decisions, Explanation, Rows, Rule, choice};
use crate::step::{Lock, Work};

mod key_swap;

/// The question: the expression that converts existing values.
pub const USING: &str = "change-column-type/using";
/// The question: synced copy or rewrite in place.
pub const METHOD: &str = "change-column-type/method";
/// A fact: non-NULL values a plain cast to the new type rejects, when they were counted.
pub const FAILED_CASTS: &str = "failed-casts";

pub struct ChangeColumnType;

const EXPLANATION: Explanation = Explanation {
    title: "A column's type changes",
    risk: "ALTER COLUMN TYPE rewrites the table and rebuilds its indexes under ACCESS EXCLUSIVE, \
           blocking reads and writes throughout, unless the new type is binary-coercible \
           (varchar(n) to a longer varchar or text, numeric(p,s) to numeric).",
    instead: "Binary-coercible: the plain statement (a catalog update). Otherwise a new column \
              of the new type kept in sync by a trigger, backfilled in batches, its indexes \
              built concurrently, then swapped into place under the old name.",
    rollback: "The reverse swap while the old column exists; after the contract phase the old \
               type comes back by a reverse cast, which can fail or lose information.",
};

impl Rule for ChangeColumnType {
    type Change = change::ChangeColumnType;

    fn explanation(&self) -> &'static Explanation {
        &EXPLANATION
    }

    /// Values that do not convert, unless every value does.
    fn count(&self, change: &Self::Change) -> Option<Count> {
        let Self::Change { table, from, to } = change;
        (!is_binary_coercible(from, to)).then(|| Count {
            what: format!(
                "values of {}.{} that do not convert to {}",
                table.name, from.name, to.data_type
            ),
            label: "values that do not convert",
            rows: Rows::FailedCasts {
                table: table.clone(),
                column: from.name.to_string(),
                to_type: to.data_type.to_string(),
            },
        })
    }

    fn assess(&self, change: &Self::Change, context: &Context) -> Assessment {
        let Self::Change { table, from, to } = change;
        let what = format!(
            "{}.{}: {} to {}",
            table.name, from.name, from.data_type, to.data_type
        );
        if is_binary_coercible(from, to) {
            return Assessment {
                rule: self.id(),
                cost: Cost::metadata(Lock::AccessExclusive),
                summary: format!("{what}, binary-coercible: a brief catalog update"),
            };
        }
        Assessment {
            rule: self.id(),
            cost: Cost {
                work: Work::Rewrite,
                can_fail_on_data: true,
                ..Cost::metadata(Lock::AccessExclusive)
            },
            summary: format!(
                "{what}: rewrites {} and its indexes under ACCESS EXCLUSIVE; fails on values \
                 that do not convert",
                super::rows_text(context.rows(table))
            ),
        }
    }

    fn questions(&self, change: &Self::Change, context: &Context) -> Vec<Question> {
        let Self::Change { table, from, to } = change;
        if is_binary_coercible(from, to) {
            return Vec::new();
        }
        let column = quote_ident(&from.name);
        let failing = context.fact(&change.id(), FAILED_CASTS);
        let known = context.count_text(&change.id(), FAILED_CASTS, "values the cast rejects");
        vec![
            Question {
                id: QuestionId::from_static(USING),
                change: change.id(),
                prompt: format!(
                    "{}.{} changes from {} to {} ({known}). How are existing values converted?",
                    table.name, from.name, from.data_type, to.data_type
                ),
                why: "Every existing value goes through this expression; a value it cannot \
                      convert stops the backfill or the rewrite."
                    .to_owned(),
                facts: failing.cloned().into_iter().collect(),
                choices: vec![
                    choice(
                        "cast",
                        &format!("A plain cast: {column}::{}", to.data_type),
                        "Each value is cast to the new type; the preconditions file stops the \
                         plan while a value does not convert.",
                        None,
                    ),
                    choice(
                        "expression",
                        "An expression over the column",
                        "Each value is converted by the expression you give (it names the \
                         column), like a USING clause.",
                        Some(InputKind::Expression),
                    ),
                ],
                // Values the cast rejects leave only answers that change them: a person's.
                default: super::default_unless_found(failing, "cast"),
                when: Condition::Always,
            },
            Question {
                id: QuestionId::from_static(METHOD),
                change: change.id(),
                prompt: format!("How should {}.{} be converted?", table.name, from.name),
                why: "In place is one statement that blocks the table for the whole rewrite; \
                      a synced copy keeps it available at the cost of a backfill and a swap."
                    .to_owned(),
                facts: Vec::new(),
                choices: vec![
                    choice(
                        "expand-contract",
                        "Synced copy, swapped into place",
                        "New column and sync trigger, backfill, deploy gate, then the columns \
                         are swapped and the old one dropped.",
                        None,
                    ),
                    choice(
                        "in-place",
                        "ALTER COLUMN TYPE",
                        "One statement rewriting the table while reads and writes wait.",
                        None,
                    ),
                ],
                default: Some(ChoiceId::from_static("expand-contract")),
                // In a maintenance window the rewrite is planned without asking.
                when: super::unless_window(),
            },
        ]
    }

    fn preconditions(&self, change: &Self::Change, decisions: &Decisions) -> Vec<Check> {
        let Self::Change { table, from, to } = change;
        if is_binary_coercible(from, to) || decisions.choice(USING) == Some("expression") {
            return Vec::new();
        }
        vec![precondition::casts(
            &change.id(),
            table,
            &from.name,
            &to.data_type,
        )]
    }

    fn steps(&self, change: &Self::Change, context: &Context, decisions: &Decisions) -> Vec<Step> {
        let Self::Change { table, from, to } = change;
        if is_binary_coercible(from, to) {
            return vec![relabel(table, from, to, context)];
        }
        let using = using_expression(decisions, from, to);
        if in_place(decisions) {
            vec![rewrite(table, from, to, &using, context)]
        } else {
            expand_contract(table, from, to, &using, context, decisions)
        }
    }
}

/// The expression converting the old values, as decided.
fn using_expression(decisions: &Decisions, from: &Column, to: &Column) -> String {
    match (decisions.choice(USING), decisions.input(USING)) {
        (Some("expression"), Some(expression)) => expression.to_owned(),
        _ => format!("{}::{}", quote_ident(&from.name), to.data_type),
    }
}

/// Whether the decisions rewrite the column in place rather than through a synced copy.
fn in_place(decisions: &Decisions) -> bool {
    match decisions.choice(METHOD) {
        Some(method) => method == "in-place",
        None => !decisions.zero_downtime(),
    }
}

/// A counted fact of values a plain cast rejects, for whoever counts.
#[must_use]
pub fn failed_casts_fact(rows: u64) -> Fact {
    Fact {
        id: FactId::from_static(FAILED_CASTS),
        value: FactValue::Count(rows),
        origin: Origin::Counted {
            source: "rows whose value the cast to the new type rejects".to_owned(),
        },
    }
}

/// Whether PostgreSQL changes `from` into `to` by relabelling, without a rewrite or a scan:
/// a longer or unlimited varchar, varchar and text either way, numeric with more precision or
/// none, a longer or unlimited bit varying; the collation unchanged.
#[must_use]
pub fn is_binary_coercible(from: &Column, to: &Column) -> bool {
    if from.collation != to.collation {
        return false;
    }
    let (from, to) = (from.data_type.as_str(), to.data_type.as_str());
    let limit = |text: &str, base: &str| -> Option<Option<u32>> {
        if text == base {
            return Some(None);
        }
        let inner = text
            .strip_prefix(base)?
            .strip_prefix('(')?
            .strip_suffix(')')?;
        inner.parse().ok().map(Some)
    };
    let widens = |from: Option<Option<u32>>, to: Option<Option<u32>>| match (from, to) {
        (Some(_), Some(None)) => true,
        (Some(Some(n)), Some(Some(m))) => m >= n,
        _ => false,
    };
    let varchar = "character varying";
    if widens(limit(from, varchar), limit(to, varchar))
        || widens(limit(from, "bit varying"), limit(to, "bit varying"))
    {
        return true;
    }
    if (limit(from, varchar).is_some() && to == "text") || (from == "text" && to == varchar) {
        return true;
    }
    numeric_widens(from, to)
}

fn numeric_widens(from: &str, to: &str) -> bool {
    let parts = |text: &str| -> Option<(u32, u32)> {
        let inner = text.strip_prefix("numeric(")?.strip_suffix(')')?;
        let (p, s) = inner.split_once(',')?;
        Some((p.trim().parse().ok()?, s.trim().parse().ok()?))
    };
    match (parts(from), to) {
        (Some(_), "numeric") => true,
        (Some((p, s)), _) => parts(to).is_some_and(|(p2, s2)| s2 == s && p2 >= p),
        _ => false,
    }
}

fn target(table: &TableRef) -> String {
    quote_qualified(&table.schema, &table.name)
}

fn alter_type(table: &TableRef, column: &str, to: &Column, using: Option<&str>) -> String {
    let mut sql = format!(
        "ALTER TABLE {} ALTER COLUMN {} TYPE {}",
        target(table),
        quote_ident(column),
        to.data_type
    );
    if let Some(collation) = &to.collation {
        sql.push_str(&format!(" COLLATE {collation}"));
    }
    if let Some(using) = using {
        sql.push_str(&format!(" USING {using}"));
    }
    sql
}

fn relabel(table: &TableRef, from: &Column, to: &Column, context: &Context) -> Step {
    let back = Statement::new(
        alter_type(table, &from.name, from, None),
        Lock::AccessExclusive,
        "narrowing checks or rewrites every row while reads and writes wait",
    )
    .doing(Work::Rewrite, context.rows(table));
    Step::sql(
        Phase::Expand,
        vec![Statement::new(
            alter_type(table, &from.name, to, None),
            Lock::AccessExclusive,
            "binary-coercible: brief, no rewrite",
        )],
        Rollback::partial(
            vec![back],
            format!(
                "going back to {} fails once longer values were written",
                from.data_type
            ),
        ),
    )
    .altering(table, &from.name)
}

fn rewrite(table: &TableRef, from: &Column, to: &Column, using: &str, context: &Context) -> Step {
    let rows = context.rows(table);
    let back_cast = format!("{}::{}", quote_ident(&from.name), from.data_type);
    Step::sql(
        Phase::Expand,
        vec![
            Statement::new(
                unless_retyped(table, &from.name, from, to, using),
                Lock::AccessExclusive,
                "rewrites the table and rebuilds its indexes while reads and writes wait",
            )
            .doing(Work::Rewrite, rows),
        ],
        Rollback::partial(
            vec![
                Statement::new(
                    unless_retyped(table, &from.name, to, from, &back_cast),
                    Lock::AccessExclusive,
                    "rewrites the table again",
                )
                .doing(Work::Rewrite, rows),
            ],
            format!(
                "the cast back to {} can fail or lose information",
                from.data_type
            ),
        ),
    )
    .altering(table, &from.name)
}

/// The rewrite from `from` to `to`, skipped when the column already has the new type: run
/// again, a USING expression written for the old type would fail or convert the values twice.
/// When only the collation changes the type cannot tell, and running it again is harmless.
fn unless_retyped(
    table: &TableRef,
    column: &str,
    from: &Column,
    to: &Column,
    using: &str,
) -> String {
    if from.data_type == to.data_type {
        return alter_type(table, column, to, Some(using));
    }
    guard::when(
        &format!(
            "NOT {}",
            guard::column_is_spelled(table, column, &to.data_type)
        ),
        &alter_type(table, column, to, Some(using)),
    )
}

/// The temporary column of the new type: `<column>_new`.
fn temporary_name(column: &str) -> String {
    make_object_name(column, None, "new")
}

/// An index of the live table on the column, rebuilt on the temporary column under a
/// temporary name; `None` for indexes whose expressions or predicate name the column (they are
/// dropped with it and must be planned by hand).
fn index_copy(index: &Index, column: &str, temporary: &str) -> Option<Index> {
    let predicate_uses = index
        .predicate
        .as_deref()
        .is_some_and(|predicate| !referenced_columns(predicate, &[column]).is_empty());
    if predicate_uses {
        return None;
    }
    let mut keys = index.keys.clone();
    for key in &mut keys {
        match &key.target {
            KeyTarget::Column(name) if name == column => {
                key.target = KeyTarget::Column(temporary.to_owned().into());
            }
            KeyTarget::Expression(expression)
                if !referenced_columns(expression, &[column]).is_empty() =>
            {
                return None;
            }
            _ => {}
        }
    }
    let include = index
        .include
        .iter()
        .map(|name| {
            if name == column {
                temporary.to_owned()
            } else {
                name.clone()
            }
        })
        .collect();
    Some(Index {
        name: make_object_name(&index.name, None, "new").into(),
        keys,
        include,
        comment: None,
        ..index.clone()
    })
}

/// Pairs of (live index, its copy on the temporary column).
fn index_copies(live: Option<&Table>, column: &str, temporary: &str) -> Vec<(Index, Index)> {
    live.map(|table| table.indexes.as_slice())
        .unwrap_or_default()
        .iter()
        .filter(|index| index_uses(index, column))
        .filter_map(|index| Some((index.clone(), index_copy(index, column, temporary)?)))
        .collect()
}

/// What the swap does not carry over: constraints on the column, dropped with it.
fn lost_constraints(live: Option<&Table>, column: &str) -> Vec<String> {
    let Some(table) = live else {
        return Vec::new();
    };
    let named = |name: &str| name.to_owned();
    let mut lost: Vec<String> = Vec::new();
    lost.extend(
        table
            .primary_key
            .iter()
            .filter(|k| k.columns.iter().any(|c| c == column))
            .map(|k| named(&k.name)),
    );
    lost.extend(
        table
            .unique
            .iter()
            .filter(|u| u.columns.iter().any(|c| c == column))
            .map(|u| named(&u.name)),
    );
    lost.extend(
        table
            .foreign_keys
            .iter()
            .filter(|f| f.columns.iter().any(|c| c == column))
            .map(|f| named(&f.name)),
    );
    lost.extend(
        table
            .checks
            .iter()
            .filter(|c| !referenced_columns(&c.expression, &[column]).is_empty())
            .map(|c| named(&c.name)),
    );
    lost.extend(
        table
            .indexes
            .iter()
            .filter(|i| index_uses(i, column) && index_copy(i, column, "x").is_none())
            .map(|i| named(&i.name)),
    );
    lost
}

fn build_concurrently(
    table: &TableRef,
    copy: &Index,
    rows: Option<u64>,
    lock_timeout_ms: u64,
) -> Step {
    let build = crate::ddl::create_index_statement(
        &target(table),
        copy,
        crate::ddl::IndexBuild::Concurrently,
    );
    Step::sql(
        Phase::Expand,
        vec![
            Statement::new(
                guard::drop_invalid_index(&table.schema, &copy.name, lock_timeout_ms),
                Lock::AccessExclusive,
                "only an INVALID index left by a failed build, which no query uses",
            ),
            Statement::new(
                build,
                Lock::ShareUpdateExclusive,
                "builds without blocking writes",
            )
            .doing(Work::Scan, rows),
        ],
        Rollback::by(vec![Statement::new(
            format!(
                "DROP INDEX CONCURRENTLY IF EXISTS {}",
                quote_qualified(&table.schema, &copy.name)
            ),
            Lock::ShareUpdateExclusive,
            "without blocking writes",
        )]),
    )
    .running(Runs::Concurrently)
}

fn rename_index(schema: &str, from: &str, to: &str) -> Statement {
    Statement::new(
        format!(
            "ALTER INDEX IF EXISTS {} RENAME TO {}",
            quote_qualified(schema, from),
            quote_ident(to)
        ),
        Lock::ShareUpdateExclusive,
        "brief, metadata only",
    )
}

/// The synced copy of `from` under its temporary name, converting with `using`.
fn synced_copy<'a>(
    table: &'a TableRef,
    from: &'a Column,
    to: &Column,
    using: &str,
    temporary: &'a str,
) -> Sync<'a> {
    Sync {
        table,
        old: &from.name,
        new: temporary,
        forward: format!("CAST(({using}) AS {})", to.data_type),
        backward: format!("CAST({} AS {})", quote_ident(temporary), from.data_type),
    }
}

fn expand_contract(
    table: &TableRef,
    from: &Column,
    to: &Column,
    using: &str,
    context: &Context,
    decisions: &Decisions,
) -> Vec<Step> {
    let rows = context.rows(table);
    let live = context.live.table(table);
    let temporary = temporary_name(&from.name);
    let new_column = Column {
        name: temporary.as_str().into(),
        ..to.clone()
    };
    let sync = synced_copy(table, from, to, using, &temporary);
    let copies = index_copies(live, &from.name, &temporary);
    let key = key_swap::KeySwap::find(table, from, context, decisions);
    let mut steps = vec![add_synced(table, &new_column, &sync)];
    steps.push(copy_across(table, &temporary, &sync.forward, rows));
    if !to.nullable {
        let not_null = change::SetNotNull {
            table: table.clone(),
            column: new_column.clone(),
        };
        steps.extend(SetNotNull.steps(&not_null, context, decisions));
    }
    steps.extend(copies.iter().map(|(_, copy)| {
        build_concurrently(table, copy, rows, decisions.settings.lock_timeout_ms)
    }));
    if let Some(key) = &key {
        steps.extend(key.expand_steps(context, decisions));
    }
    steps.push(Step::gate(format!(
        "the application works with {}.{} as {} (until the contract phase the sync trigger \
         converts what it writes)",
        table.name, from.name, to.data_type
    )));
    if let Some(key) = &key {
        steps.push(key.swap(context));
    } else if !key_swap::swapped_with_its_key(table, from, context, decisions) {
        steps.push(swap(table, from, to, &sync, &copies, context));
    }
    steps
}

/// Trigger and old column dropped, the new column and its indexes renamed into place, the
/// desired default set.
fn swap(
    table: &TableRef,
    from: &Column,
    to: &Column,
    sync: &Sync,
    copies: &[(Index, Index)],
    context: &Context,
) -> Step {
    let parts = swap_parts(table, from, to, sync, copies, context, &[]);
    Step::sql(
        Phase::Contract,
        parts.statements,
        Rollback::partial(parts.undo, parts.warning),
    )
    .altering(table, &from.name)
}

/// The statements of a column swap, their undo, and what the undo cannot bring back.
struct SwapParts {
    statements: Vec<Statement>,
    undo: Vec<Statement>,
    warning: String,
}

/// A column swap; `recreated` names constraints on the old column that the plan puts back on
/// the new one itself (left out of the note of what is lost).
fn swap_parts(
    table: &TableRef,
    from: &Column,
    to: &Column,
    sync: &Sync,
    copies: &[(Index, Index)],
    context: &Context,
    recreated: &[String],
) -> SwapParts {
    let live = context.live.table(table);
    let column = quote_ident(&from.name);
    let temporary = quote_ident(sync.new);
    let (mut statements, _) = sync.remove();
    let swap_sql = format!(
        "ALTER TABLE {0} DROP COLUMN {column};\n    ALTER TABLE {0} RENAME COLUMN {temporary} TO {column}",
        target(table)
    );
    let lost: Vec<String> = lost_constraints(live, &from.name)
        .into_iter()
        .filter(|name| !recreated.contains(name))
        .collect();
    let note = if lost.is_empty() {
        "brief, metadata only: the old column and its indexes go, the new one takes its name"
            .to_owned()
    } else {
        format!(
            "brief; dropped with the old column and not re-created: {} (plan them again on the \
             new column)",
            lost.join(", ")
        )
    };
    statements.push(Statement::new(
        guard::when(&guard::column_exists(table, sync.new), &swap_sql),
        Lock::AccessExclusive,
        note,
    ));
    for (index, copy) in copies {
        statements.push(rename_index(&table.schema, &copy.name, &index.name));
    }
    if let Some(default) = &to.default {
        statements.push(set_default(table, &from.name, default));
    }
    let mut undo = Vec::new();
    if to.default.is_some() {
        undo.push(drop_default(table, &from.name));
    }
    for (index, copy) in copies {
        undo.push(rename_index(&table.schema, &index.name, &copy.name));
    }
    let unswap = format!(
        "ALTER TABLE {} RENAME COLUMN {column} TO {temporary}",
        target(table)
    );
    undo.push(Statement::new(
        guard::when(
            &format!("NOT {}", guard::column_exists(table, sync.new)),
            &unswap,
        ),
        Lock::AccessExclusive,
        "brief",
    ));
    undo.extend(re_add_statements(table, from, live));
    undo.extend(copy_back(table, from, &sync.backward, context.rows(table)));
    undo.push(sync.create_function());
    undo.push(sync.create_trigger());
    SwapParts {
        statements,
        undo,
        warning: format!(
            "the old column is filled back by casting to {}, one UPDATE of every row; the \
             cast can fail or lose information",
            from.data_type
        ),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::test_support::Fixture;
    use super::*;

    const LIVE: &str = r#"schemas:
  public:
    tables:
      events:
        columns:
          id: { type: integer, nullable: false }
          amount: { type: integer, nullable: false, default: "0" }
          label: varchar(20)
        primary_key: [id]
        indexes:
          - { columns: [amount] }
"#;
    const DESIRED: &str = r#"schemas:
  public:
    tables:
      events:
        columns:
          id: { type: integer, nullable: false }
          amount: { type: bigint, nullable: false, default: "0" }
          label: text
        primary_key: [id]
        indexes:
          - { columns: [amount] }
"#;

    fn change(fixture: &Fixture, name: &str) -> change::ChangeColumnType {
        let table = TableRef::new("public", "events");
        let from = fixture
            .live
            .table(&table)
            .unwrap()
            .column(name)
            .unwrap()
            .clone();
        let to = fixture
            .desired
            .table(&table)
            .unwrap()
            .column(name)
            .unwrap()
            .clone();
        change::ChangeColumnType { table, from, to }
    }

    #[test]
    fn a_rewrite_goes_through_a_synced_copy_swapped_into_place() {
        let fixture = Fixture::new(LIVE, DESIRED).with_rows(&[("public.events", 300_000)]);
        insta::assert_snapshot!(fixture.steps_text(&ChangeColumnType, &change(&fixture, "amount")), @"
        == expand (InTransaction)
        ALTER TABLE public.events ADD COLUMN IF NOT EXISTS amount_new bigint;  -- ACCESS EXCLUSIVE, metadata only
        CREATE OR REPLACE FUNCTION public.events_amount_new_sync() RETURNS trigger LANGUAGE plpgsql AS $sync$
        #variable_conflict use_column
        BEGIN
          IF TG_OP = 'INSERT' THEN
            IF NEW.amount_new IS NULL THEN
              NEW.amount_new := (SELECT CAST((amount::bigint) AS bigint) FROM (SELECT NEW.amount) AS row_value(amount));
            ELSE
              NEW.amount := (SELECT CAST(amount_new AS integer) FROM (SELECT NEW.amount_new) AS row_value(amount_new));
            END IF;
          ELSIF NEW.amount IS DISTINCT FROM OLD.amount THEN
            NEW.amount_new := (SELECT CAST((amount::bigint) AS bigint) FROM (SELECT NEW.amount) AS row_value(amount));
          ELSIF NEW.amount_new IS DISTINCT FROM OLD.amount_new AND NEW.amount_new IS DISTINCT FROM (SELECT CAST((amount::bigint) AS bigint) FROM (SELECT NEW.amount) AS row_value(amount)) THEN
            NEW.amount := (SELECT CAST(amount_new AS integer) FROM (SELECT NEW.amount_new) AS row_value(amount_new));
          ELSE
            NEW.amount_new := (SELECT CAST((amount::bigint) AS bigint) FROM (SELECT NEW.amount) AS row_value(amount));
          END IF;
          RETURN NEW;
        END
        $sync$;  -- no table lock, metadata only
        DO $guard$
        BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = to_regclass('public.events') AND tgname = 'events_amount_new_sync') THEN
            CREATE TRIGGER events_amount_new_sync BEFORE INSERT OR UPDATE ON public.events FOR EACH ROW EXECUTE FUNCTION public.events_amount_new_sync();
          END IF;
        END
        $guard$;  -- SHARE ROW EXCLUSIVE, metadata only
        rollback: DROP TRIGGER IF EXISTS events_amount_new_sync ON public.events;
        rollback: DROP FUNCTION IF EXISTS public.events_amount_new_sync();
        rollback: ALTER TABLE public.events DROP COLUMN IF EXISTS amount_new;
        == backfill (InTransaction)
        backfill public.events update set amount_new = CAST((amount::bigint) AS bigint) where amount_new IS DISTINCT FROM CAST((amount::bigint) AS bigint)
        rollback warning: nothing to undo here: rolling back the expand phase drops the new column
        == validate (InTransaction)
        DO $guard$
        BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.events'::regclass AND conname = 'events_amount_new_not_null') THEN
            ALTER TABLE public.events ADD CONSTRAINT events_amount_new_not_null CHECK (amount_new IS NOT NULL) NOT VALID;
          END IF;
        END
        $guard$;  -- ACCESS EXCLUSIVE, metadata only
        rollback: ALTER TABLE public.events DROP CONSTRAINT IF EXISTS events_amount_new_not_null;
        == validate (InTransaction)
        DO $guard$
        BEGIN
          IF EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.events'::regclass AND conname = 'events_amount_new_not_null') THEN
            ALTER TABLE public.events VALIDATE CONSTRAINT events_amount_new_not_null;
          END IF;
        END
        $guard$;  -- SHARE UPDATE EXCLUSIVE, scans the table
        rollback: ALTER TABLE public.events DROP CONSTRAINT IF EXISTS events_amount_new_not_null;
        rollback: DO $guard$
        BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.events'::regclass AND conname = 'events_amount_new_not_null') THEN
            ALTER TABLE public.events ADD CONSTRAINT events_amount_new_not_null CHECK (amount_new IS NOT NULL) NOT VALID;
          END IF;
        END
        $guard$;
        == validate (InTransaction)
        ALTER TABLE public.events ALTER COLUMN amount_new SET NOT NULL;  -- ACCESS EXCLUSIVE, metadata only
        ALTER TABLE public.events DROP CONSTRAINT IF EXISTS events_amount_new_not_null;  -- ACCESS EXCLUSIVE, metadata only
        rollback: ALTER TABLE public.events ALTER COLUMN amount_new DROP NOT NULL;
        rollback: DO $guard$
        BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.events'::regclass AND conname = 'events_amount_new_not_null') THEN
            ALTER TABLE public.events ADD CONSTRAINT events_amount_new_not_null CHECK (amount_new IS NOT NULL) NOT VALID;
          END IF;
        END
        $guard$;
        rollback: DO $guard$
        BEGIN
          IF EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.events'::regclass AND conname = 'events_amount_new_not_null') THEN
            ALTER TABLE public.events VALIDATE CONSTRAINT events_amount_new_not_null;
          END IF;
        END
        $guard$;
        == expand (Concurrently)
        DO $guard$
        DECLARE
          attempt integer := 0;
        BEGIN
          IF EXISTS (SELECT 1 FROM pg_catalog.pg_index WHERE indexrelid = to_regclass('public.events_amount_idx_new') AND NOT indisvalid) THEN
            SET LOCAL lock_timeout = '1s';
            LOOP
              BEGIN
                DROP INDEX public.events_amount_idx_new;
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
        CREATE INDEX CONCURRENTLY IF NOT EXISTS events_amount_idx_new ON public.events USING btree (amount_new);  -- SHARE UPDATE EXCLUSIVE, scans the table
        rollback: DROP INDEX CONCURRENTLY IF EXISTS public.events_amount_idx_new;
        == deploy (InTransaction)
        gate: the application works with events.amount as bigint (until the contract phase the sync trigger converts what it writes)
        == contract (InTransaction)
        alters public.events.amount
        DROP TRIGGER IF EXISTS events_amount_new_sync ON public.events;  -- ACCESS EXCLUSIVE, metadata only
        DROP FUNCTION IF EXISTS public.events_amount_new_sync();  -- no table lock, metadata only
        DO $guard$
        BEGIN
          IF EXISTS (SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = to_regclass('public.events') AND attname = 'amount_new' AND NOT attisdropped) THEN
            ALTER TABLE public.events DROP COLUMN amount;
            ALTER TABLE public.events RENAME COLUMN amount_new TO amount;
          END IF;
        END
        $guard$;  -- ACCESS EXCLUSIVE, metadata only
        ALTER INDEX IF EXISTS public.events_amount_idx_new RENAME TO events_amount_idx;  -- SHARE UPDATE EXCLUSIVE, metadata only
        ALTER TABLE public.events ALTER COLUMN amount SET DEFAULT 0;  -- ACCESS EXCLUSIVE, metadata only
        rollback: ALTER TABLE public.events ALTER COLUMN amount DROP DEFAULT;
        rollback: ALTER INDEX IF EXISTS public.events_amount_idx RENAME TO events_amount_idx_new;
        rollback: DO $guard$
        BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = to_regclass('public.events') AND attname = 'amount_new' AND NOT attisdropped) THEN
            ALTER TABLE public.events RENAME COLUMN amount TO amount_new;
          END IF;
        END
        $guard$;
        rollback: ALTER TABLE public.events ADD COLUMN IF NOT EXISTS amount integer DEFAULT 0 NOT NULL;
        rollback: CREATE INDEX IF NOT EXISTS events_amount_idx ON public.events USING btree (amount);
        rollback: UPDATE public.events SET amount = CAST(amount_new AS integer) WHERE amount IS DISTINCT FROM CAST(amount_new AS integer);
        rollback: ALTER TABLE public.events ALTER COLUMN amount SET NOT NULL;
        rollback: CREATE OR REPLACE FUNCTION public.events_amount_new_sync() RETURNS trigger LANGUAGE plpgsql AS $sync$
        #variable_conflict use_column
        BEGIN
          IF TG_OP = 'INSERT' THEN
            IF NEW.amount_new IS NULL THEN
              NEW.amount_new := (SELECT CAST((amount::bigint) AS bigint) FROM (SELECT NEW.amount) AS row_value(amount));
            ELSE
              NEW.amount := (SELECT CAST(amount_new AS integer) FROM (SELECT NEW.amount_new) AS row_value(amount_new));
            END IF;
          ELSIF NEW.amount IS DISTINCT FROM OLD.amount THEN
            NEW.amount_new := (SELECT CAST((amount::bigint) AS bigint) FROM (SELECT NEW.amount) AS row_value(amount));
          ELSIF NEW.amount_new IS DISTINCT FROM OLD.amount_new AND NEW.amount_new IS DISTINCT FROM (SELECT CAST((amount::bigint) AS bigint) FROM (SELECT NEW.amount) AS row_value(amount)) THEN
            NEW.amount := (SELECT CAST(amount_new AS integer) FROM (SELECT NEW.amount_new) AS row_value(amount_new));
          ELSE
            NEW.amount_new := (SELECT CAST((amount::bigint) AS bigint) FROM (SELECT NEW.amount) AS row_value(amount));
          END IF;
          RETURN NEW;
        END
        $sync$;
        rollback: DO $guard$
        BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = to_regclass('public.events') AND tgname = 'events_amount_new_sync') THEN
            CREATE TRIGGER events_amount_new_sync BEFORE INSERT OR UPDATE ON public.events FOR EACH ROW EXECUTE FUNCTION public.events_amount_new_sync();
          END IF;
        END
        $guard$;
        rollback warning: the old column is filled back by casting to integer, one UPDATE of every row; the cast can fail or lose information
        ");
    }

    #[test]
    fn a_window_rewrites_in_place_with_the_chosen_expression() {
        let fixture = Fixture::new(LIVE, DESIRED).window();
        let change = change(&fixture, "amount");
        let fixture = fixture.answer(&change, USING, "expression", Some("amount * 100"));
        insta::assert_snapshot!(fixture.steps_text(&ChangeColumnType, &change), @r"
        == expand (InTransaction)
        alters public.events.amount
        DO $guard$
        BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = to_regclass('public.events') AND attname = 'amount' AND NOT attisdropped AND pg_catalog.format_type(atttypid, atttypmod) IN ('bigint')) THEN
            ALTER TABLE public.events ALTER COLUMN amount TYPE bigint USING amount * 100;
          END IF;
        END
        $guard$;  -- ACCESS EXCLUSIVE, rewrites the table
        rollback: DO $guard$
        BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = to_regclass('public.events') AND attname = 'amount' AND NOT attisdropped AND pg_catalog.format_type(atttypid, atttypmod) IN ('integer')) THEN
            ALTER TABLE public.events ALTER COLUMN amount TYPE integer USING amount::integer;
          END IF;
        END
        $guard$;
        rollback warning: the cast back to integer can fail or lose information
        ");
    }

    #[test]
    fn varchar_to_text_is_relabelled_without_questions() {
        let fixture = Fixture::new(LIVE, DESIRED);
        let change = change(&fixture, "label");
        assert!(
            ChangeColumnType
                .questions(&change, &fixture.context())
                .is_empty()
        );
        insta::assert_snapshot!(fixture.steps_text(&ChangeColumnType, &change), @r"
        == expand (InTransaction)
        alters public.events.label
        ALTER TABLE public.events ALTER COLUMN label TYPE text;  -- ACCESS EXCLUSIVE, metadata only
        rollback: ALTER TABLE public.events ALTER COLUMN label TYPE character varying(20);
        rollback warning: going back to character varying(20) fails once longer values were written
        ");
    }

    #[test]
    fn binary_coercible_pairs() {
        let pair = |from: &str, to: &str| {
            is_binary_coercible(&Column::new("c", from), &Column::new("c", to))
        };
        assert!(pair("character varying(10)", "character varying(20)"));
        assert!(pair("character varying(10)", "character varying"));
        assert!(pair("character varying(10)", "text"));
        assert!(pair("text", "character varying"));
        assert!(pair("numeric(10,2)", "numeric(12,2)"));
        assert!(pair("numeric(10,2)", "numeric"));
        assert!(!pair("character varying(20)", "character varying(10)"));
        assert!(!pair("numeric(10,2)", "numeric(12,3)"));
        assert!(!pair("integer", "bigint"));
        assert!(!pair("text", "character varying(10)"));
        let mut collated = Column::new("c", "text");
        collated.collation = Some("\"C\"".to_owned());
        assert!(!is_binary_coercible(&Column::new("c", "text"), &collated));
    }

    #[test]
    fn the_defaults_need_no_input_and_the_cost_is_a_rewrite() {
        let fixture = Fixture::new(LIVE, DESIRED);
        let change = change(&fixture, "amount");
        for question in ChangeColumnType.questions(&change, &fixture.context()) {
            assert!(
                question
                    .choice(question.default.as_ref().unwrap())
                    .unwrap()
                    .input
                    .is_none()
            );
        }
        let assessment = ChangeColumnType.assess(&change, &fixture.context());
        assert_eq!(assessment.cost.work, Work::Rewrite);
    }
}
