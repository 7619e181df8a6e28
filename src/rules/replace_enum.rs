//! `replace-enum`: enum labels dropped or reordered, so the type is replaced and every column
//! using it rewritten.
//!
//! Planned for a maintenance window in both modes: an online plan would need a shadow column
//! per use, sync triggers and a swap for every table, which this rule does not write yet. The
//! statement notes and the assessment say so.

use crate::ddl::{IndexBuild, create_index_statement};
use crate::decide::{Comparison, Condition, Fact, FactId, FactTest, FactValue, Origin};
use crate::decide::{Question, QuestionId};
use crate::diff::change;
use crate::schema::names::make_object_name;
use crate::schema::names::referenced_columns;
use crate::schema::{Index, KeyTarget, Schema, TableRef};
use crate::sql::{quote_ident, quote_literal, quote_qualified};
use crate::step::guard;
use crate::step::precondition::{self, Check};
use crate::step::{Phase, Rollback, Statement, Step};

use super::add_check::guarded_add;
use super::set_not_null::target;
use super::{Assessment, Context, Cost, Count, Decisions, Explanation, Rows, Rule};
use crate::step::{Lock, Work};

pub struct ReplaceEnum;

/// The question: rows holding a label that is dropped.
pub const ROWS: &str = "replace-enum/rows";
/// A fact: rows of the columns using the type that hold a dropped label, when counted.
pub const LABEL_ROWS: &str = "dropped-label-rows";

/// A counted fact of rows holding a dropped label, for whoever counts.
#[must_use]
pub fn label_rows_fact(rows: u64) -> Fact {
    Fact {
        id: FactId::from_static(LABEL_ROWS),
        value: FactValue::Count(rows),
        origin: Origin::Counted {
            source: "count(*) of rows holding a dropped label".to_owned(),
        },
    }
}

/// The labels of `from` that `to` lacks.
#[must_use]
pub fn dropped_labels(from: &[String], to: &[String]) -> Vec<String> {
    from.iter().filter(|l| !to.contains(l)).cloned().collect()
}

const EXPLANATION: Explanation = Explanation {
    title: "Enum labels are dropped or reordered",
    risk: "PostgreSQL cannot drop or move an enum label: the type must be replaced, and every \
           column using it rewritten under an ACCESS EXCLUSIVE lock (reads and writes wait for \
           each table's rewrite). Rows holding a dropped label make the cast fail.",
    instead: "No online plan yet: a new type `<name>_new` with the desired labels, each column \
              converted with ALTER … TYPE … USING column::text::<name>_new, the old type \
              dropped and the new one renamed, all in one transaction in a maintenance window.",
    rollback: "The same replacement back to the old labels; it fails if rows hold a label the \
               old type lacks.",
};

/// Said in every statement note of a zero-downtime plan of this change.
const WINDOW_ONLY: &str = "NEEDS A MAINTENANCE WINDOW even in zero-downtime mode: no online \
                           plan exists for replacing an enum yet";

impl Rule for ReplaceEnum {
    type Change = change::ReplaceEnum;

    fn explanation(&self) -> &'static Explanation {
        &EXPLANATION
    }

    /// Rows holding a dropped label, when a label is dropped and some column uses the type.
    fn count(&self, change: &Self::Change) -> Option<Count> {
        let Self::Change {
            name,
            from,
            to,
            columns,
        } = change;
        let labels = dropped_labels(&from.labels, &to.labels);
        (!columns.is_empty() && !labels.is_empty()).then(|| Count {
            what: format!("rows holding labels {name} drops"),
            label: "rows holding dropped labels",
            rows: Rows::Labels {
                columns: columns.clone(),
                labels,
            },
        })
    }

    fn assess(&self, change: &Self::Change, context: &Context) -> Assessment {
        let Self::Change {
            name,
            from,
            to,
            columns,
        } = change;
        let dropped = dropped_labels(&from.labels, &to.labels);
        let rows: u64 = columns
            .iter()
            .filter_map(|(table, _)| context.rows(table))
            .sum();
        let mut summary = format!(
            "{name} is replaced: {} column(s) rewritten ({} in all) under ACCESS EXCLUSIVE; \
             planned for a maintenance window only",
            columns.len(),
            super::rows_text(Some(rows))
        );
        if !dropped.is_empty() {
            summary.push_str(&format!(
                "; rows holding {} make the cast fail",
                quoted_list(&dropped)
            ));
        }
        Assessment {
            rule: self.id(),
            cost: Cost {
                lock: Lock::AccessExclusive,
                work: if columns.is_empty() {
                    Work::Metadata
                } else {
                    Work::Rewrite
                },
                breaks_clients: !dropped.is_empty(),
                loses_data: false,
                can_fail_on_data: !dropped.is_empty(),
            },
            summary,
        }
    }

    fn questions(&self, change: &Self::Change, context: &Context) -> Vec<Question> {
        let Self::Change { name, from, to, .. } = change;
        let dropped = dropped_labels(&from.labels, &to.labels);
        if dropped.is_empty() {
            return Vec::new();
        }
        let rows = context.fact(&change.id(), LABEL_ROWS);
        let known = context.count_text(&change.id(), LABEL_ROWS, "rows holding them");
        vec![Question {
            id: QuestionId::from_static(ROWS),
            change: change.id(),
            prompt: format!(
                "{name} loses {} ({known}). What happens to rows holding them?",
                quoted_list(&dropped)
            ),
            why: "The conversion fails on a row holding a dropped label. Which label such a row \
                  should hold instead is a decision about data, made before the plan runs."
                .to_owned(),
            facts: rows.cloned().into_iter().collect(),
            choices: vec![super::choice(
                "fix-first",
                "Fix them before the plan runs",
                "The preconditions file stops the plan while a row holds a dropped label.",
                None,
            )],
            default: super::default_unless_found(rows, "fix-first"),
            // Asked unless a count found no such row.
            when: Condition::Not(Box::new(Condition::Fact(FactTest {
                fact: FactId::from_static(LABEL_ROWS),
                op: Comparison::Eq,
                value: 0,
            }))),
        }]
    }

    fn preconditions(&self, change: &Self::Change, _decisions: &Decisions) -> Vec<Check> {
        let Self::Change {
            from, to, columns, ..
        } = change;
        let dropped = dropped_labels(&from.labels, &to.labels);
        if dropped.is_empty() {
            return Vec::new();
        }
        let id = change.id();
        columns
            .iter()
            .map(|column| precondition::labels(&id, column, &dropped))
            .collect()
    }

    fn steps(&self, change: &Self::Change, context: &Context, decisions: &Decisions) -> Vec<Step> {
        let Self::Change {
            name,
            from,
            to,
            columns,
        } = change;
        let caveat = decisions.zero_downtime().then_some(WINDOW_ONLY);
        let forward = Replacement {
            name,
            labels: &to.labels,
            columns,
            old_defaults: context.live,
            new_defaults: context.desired,
            rebuilt_from: context.desired,
        };
        let backward = Replacement {
            name,
            labels: &from.labels,
            columns,
            old_defaults: context.desired,
            new_defaults: context.live,
            // Undoing this step only: the indexes and checks it rebuilt are as the desired
            // schema has them, and the changes that made them so (which run earlier, or
            // drop before it) are undone by their own rollbacks.
            rebuilt_from: context.desired,
        };
        let added = dropped_labels(&to.labels, &from.labels);
        let rollback_warning = (!added.is_empty()).then(|| {
            format!(
                "rows holding {} (labels the old type lacks) make the rollback fail",
                quoted_list(&added)
            )
        });
        let rollback = match rollback_warning {
            Some(warning) => Rollback::partial(backward.statements(context, None), warning),
            None => Rollback::by(backward.statements(context, None)),
        };
        let mut step = Step::sql(
            Phase::Contract,
            forward.statements(context, caveat),
            rollback,
        );
        for (table, column) in columns {
            step = step.altering(table, column);
        }
        let dropped = dropped_labels(&from.labels, &to.labels);
        let mut steps = Vec::new();
        if !dropped.is_empty() {
            steps.push(Step::gate(format!(
                "no application code writes {} of {name} any more, and no row holds them (the \
                 conversion fails on such rows)",
                quoted_list(&dropped)
            )));
        }
        steps.push(step);
        steps
    }
}

/// Replacing the type `name` by one with `labels`, converting `columns`; column defaults are
/// dropped as `old_defaults` has them and set again as `new_defaults` has them, because a
/// default of the old type cannot be cast automatically.
struct Replacement<'a> {
    name: &'a TableRef,
    labels: &'a [String],
    columns: &'a [(TableRef, String)],
    old_defaults: &'a Schema,
    new_defaults: &'a Schema,
    /// The schema whose indexes and checks are rebuilt over the new type.
    rebuilt_from: &'a Schema,
}

impl Replacement<'_> {
    fn statements(&self, context: &Context, caveat: Option<&str>) -> Vec<Statement> {
        let temporary = TableRef::new(
            &self.name.schema,
            make_object_name(&self.name.name, None, "new"),
        );
        let old_type = quote_qualified(&self.name.schema, &self.name.name);
        let new_type = quote_qualified(&temporary.schema, &temporary.name);
        let note = |text: &str| caveat.map_or_else(|| text.to_owned(), |c| format!("{c}; {text}"));
        let labels: Vec<String> = self.labels.iter().map(|l| quote_literal(l)).collect();
        let mut statements = vec![Statement::new(
            guard::when(
                &format!("NOT ({})", guard::type_exists(&temporary)),
                &format!("CREATE TYPE {new_type} AS ENUM ({})", labels.join(", ")),
            ),
            Lock::None,
            note("the type with the wanted labels, under a temporary name"),
        )];
        let dependents = self.dependents();
        statements.extend(dependents.iter().map(|d| d.drop(&note)));
        for (table, column) in self.columns {
            let array = self.is_array(table, column);
            if default_of(self.old_defaults, table, column).is_some() {
                statements.push(Statement::new(
                    format!(
                        "ALTER TABLE {} ALTER COLUMN {} DROP DEFAULT",
                        target(table),
                        quote_ident(column)
                    ),
                    Lock::AccessExclusive,
                    note("a default of the old type cannot be cast; set again below"),
                ));
            }
            statements.push(convert(
                table, column, &temporary, self.name, array, context, &note,
            ));
        }
        statements.push(Statement::new(
            guard::when(
                &guard::type_exists(&temporary),
                &format!("DROP TYPE {old_type}"),
            ),
            Lock::None,
            note("fails if anything else (a function, a domain) still uses the old type"),
        ));
        statements.push(Statement::new(
            guard::when(
                &guard::type_exists(&temporary),
                &format!(
                    "ALTER TYPE {new_type} RENAME TO {}",
                    quote_ident(&self.name.name)
                ),
            ),
            Lock::None,
            note("the new type takes the old name"),
        ));
        for (table, column) in self.columns {
            if let Some(default) = default_of(self.new_defaults, table, column) {
                statements.push(Statement::new(
                    format!(
                        "ALTER TABLE {} ALTER COLUMN {} SET DEFAULT {default}",
                        target(table),
                        quote_ident(column)
                    ),
                    Lock::AccessExclusive,
                    note("brief"),
                ));
            }
        }
        statements.extend(
            dependents
                .iter()
                .filter_map(|d| d.create(self.rebuilt_from, context, &note)),
        );
        statements
    }

    /// The partial and expression indexes and the checks, on the converted tables, whose text
    /// uses a converted column, named in either schema: a label in them is cast to the old
    /// type, so PostgreSQL cannot carry them over (`operator does not exist: <new> = <old>`).
    /// They are dropped before the conversion and built again once the new type has the old
    /// name, as `rebuilt_from` has them.
    fn dependents(&self) -> Vec<Dependent> {
        let mut found: Vec<Dependent> = Vec::new();
        for table in self.tables() {
            let converted: Vec<&str> = self
                .columns
                .iter()
                .filter(|(t, _)| t == table)
                .map(|(_, column)| column.as_str())
                .collect();
            let uses = |sql: &str| !referenced_columns(sql, &converted).is_empty();
            for schema in [self.old_defaults, self.new_defaults] {
                let Some(definition) = schema.table(table) else {
                    continue;
                };
                for index in &definition.indexes {
                    if index_texts(index).any(&uses) {
                        found.push(Dependent::Index(table.clone(), index.name.to_string()));
                    }
                }
                for check in &definition.checks {
                    if uses(&check.expression) {
                        found.push(Dependent::Check(table.clone(), check.name.to_string()));
                    }
                }
            }
        }
        found.sort();
        found.dedup();
        found
    }

    /// The converted tables, each once, in order.
    fn tables(&self) -> Vec<&TableRef> {
        let mut tables: Vec<&TableRef> = self.columns.iter().map(|(table, _)| table).collect();
        tables.sort();
        tables.dedup();
        tables
    }

    fn is_array(&self, table: &TableRef, column: &str) -> bool {
        self.old_defaults
            .table(table)
            .and_then(|t| t.column(column))
            .is_some_and(|c| c.data_type.ends_with("[]"))
    }
}

/// An index or check on a converted table that must be built again over the new type.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Dependent {
    Index(TableRef, String),
    Check(TableRef, String),
}

impl Dependent {
    fn drop(&self, note: &dyn Fn(&str) -> String) -> Statement {
        let sql = match self {
            Self::Index(table, name) => {
                format!(
                    "DROP INDEX IF EXISTS {}",
                    quote_qualified(&table.schema, name)
                )
            }
            Self::Check(table, name) => format!(
                "ALTER TABLE {} DROP CONSTRAINT IF EXISTS {}",
                target(table),
                quote_ident(name)
            ),
        };
        Statement::new(
            sql,
            Lock::AccessExclusive,
            note(
                "its text casts a label to the old type; built again after the new type is renamed",
            ),
        )
    }

    /// The statement building it again as `schema` has it; none when `schema` lacks it.
    fn create(
        &self,
        schema: &Schema,
        context: &Context,
        note: &dyn Fn(&str) -> String,
    ) -> Option<Statement> {
        match self {
            Self::Index(table, name) => {
                let index = schema
                    .table(table)?
                    .indexes
                    .iter()
                    .find(|i| i.name == *name)?;
                Some(
                    Statement::new(
                        create_index_statement(&target(table), index, IndexBuild::Plain),
                        Lock::Share,
                        note("built again over the new type"),
                    )
                    .doing(Work::Scan, context.rows(table)),
                )
            }
            Self::Check(table, name) => {
                let check = schema
                    .table(table)?
                    .checks
                    .iter()
                    .find(|c| c.name == *name)?;
                Some(
                    Statement::new(
                        guarded_add(table, check, !check.valid),
                        Lock::AccessExclusive,
                        note("added again over the new type; checks every row"),
                    )
                    .doing(Work::Scan, context.rows(table)),
                )
            }
        }
    }
}

/// The texts of `index` that name columns: its predicate and its expression keys.
fn index_texts(index: &Index) -> impl Iterator<Item = &str> {
    let keys = index.keys.iter().filter_map(|key| match &key.target {
        KeyTarget::Expression(expression) => Some(expression.as_str()),
        KeyTarget::Column(_) => None,
    });
    index.predicate.as_deref().into_iter().chain(keys)
}

fn convert(
    table: &TableRef,
    column: &str,
    temporary: &TableRef,
    old: &TableRef,
    array: bool,
    context: &Context,
    note: &dyn Fn(&str) -> String,
) -> Statement {
    let new_type = quote_qualified(&temporary.schema, &temporary.name);
    let (cast_type, text_type) = if array {
        (format!("{new_type}[]"), "text[]")
    } else {
        (new_type, "text")
    };
    let name = quote_ident(column);
    let alter = format!(
        "ALTER TABLE {} ALTER COLUMN {name} TYPE {cast_type} USING {name}::{text_type}::{cast_type}",
        target(table)
    );
    // Only while the temporary type exists and the column still has the old one, so a re-run
    // after the rename does not convert again.
    let condition = format!(
        "{} AND {}",
        guard::type_exists(temporary),
        guard::column_has_type(table, column, old, array)
    );
    Statement::new(
        guard::when(&condition, &alter),
        Lock::AccessExclusive,
        note("rewrites the table and its indexes while reads and writes wait"),
    )
    .doing(Work::Rewrite, context.rows(table))
}

fn default_of<'s>(schema: &'s Schema, table: &TableRef, column: &str) -> Option<&'s str> {
    schema.table(table)?.column(column)?.default.as_deref()
}

/// Labels of `from` that `to` lacks.
fn quoted_list(labels: &[String]) -> String {
    labels
        .iter()
        .map(|l| quote_literal(l))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::test_support::Fixture;
    use super::*;
    use crate::schema::Enum;

    const LIVE: &str = "schemas:\n  public:\n    enums:\n      status: [new, paid, void]\n    tables:\n      orders:\n        columns:\n          state: { type: status, nullable: false, default: \"'new'\" }\n          history: \"status[]\"\n";
    const DESIRED: &str = "schemas:\n  public:\n    enums:\n      status: [paid, new]\n    tables:\n      orders:\n        columns:\n          state: { type: status, nullable: false, default: \"'new'\" }\n          history: \"status[]\"\n";

    fn change(fixture: &Fixture) -> change::ReplaceEnum {
        let name = TableRef::new("public", "status");
        let labels = |schema: &Schema| schema.namespaces["public"].enums["status"].clone();
        let orders = TableRef::new("public", "orders");
        change::ReplaceEnum {
            name,
            from: labels(&fixture.live),
            to: labels(&fixture.desired),
            columns: vec![
                (orders.clone(), "history".to_owned()),
                (orders, "state".to_owned()),
            ],
        }
    }

    #[test]
    fn the_type_is_replaced_after_a_gate_for_dropped_labels() {
        let fixture = Fixture::new(LIVE, DESIRED)
            .window()
            .with_rows(&[("public.orders", 900)]);
        let text = fixture.steps_text(&ReplaceEnum, &change(&fixture));
        insta::assert_snapshot!(text, @r"
        == deploy (InTransaction)
        gate: no application code writes 'void' of public.status any more, and no row holds them (the conversion fails on such rows)
        == contract (InTransaction)
        alters public.orders.history
        alters public.orders.state
        DO $guard$
        BEGIN
          IF NOT (to_regtype('public.status_new') IS NOT NULL) THEN
            CREATE TYPE public.status_new AS ENUM ('paid', 'new');
          END IF;
        END
        $guard$;  -- no table lock, metadata only
        DO $guard$
        BEGIN
          IF to_regtype('public.status_new') IS NOT NULL AND EXISTS (SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = to_regclass('public.orders') AND attname = 'history' AND atttypid = (SELECT typarray FROM pg_catalog.pg_type WHERE oid = to_regtype('public.status'))) THEN
            ALTER TABLE public.orders ALTER COLUMN history TYPE public.status_new[] USING history::text[]::public.status_new[];
          END IF;
        END
        $guard$;  -- ACCESS EXCLUSIVE, rewrites the table
        ALTER TABLE public.orders ALTER COLUMN state DROP DEFAULT;  -- ACCESS EXCLUSIVE, metadata only
        DO $guard$
        BEGIN
          IF to_regtype('public.status_new') IS NOT NULL AND EXISTS (SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = to_regclass('public.orders') AND attname = 'state' AND atttypid = to_regtype('public.status')) THEN
            ALTER TABLE public.orders ALTER COLUMN state TYPE public.status_new USING state::text::public.status_new;
          END IF;
        END
        $guard$;  -- ACCESS EXCLUSIVE, rewrites the table
        DO $guard$
        BEGIN
          IF to_regtype('public.status_new') IS NOT NULL THEN
            DROP TYPE public.status;
          END IF;
        END
        $guard$;  -- no table lock, metadata only
        DO $guard$
        BEGIN
          IF to_regtype('public.status_new') IS NOT NULL THEN
            ALTER TYPE public.status_new RENAME TO status;
          END IF;
        END
        $guard$;  -- no table lock, metadata only
        ALTER TABLE public.orders ALTER COLUMN state SET DEFAULT 'new';  -- ACCESS EXCLUSIVE, metadata only
        rollback: DO $guard$
        BEGIN
          IF NOT (to_regtype('public.status_new') IS NOT NULL) THEN
            CREATE TYPE public.status_new AS ENUM ('new', 'paid', 'void');
          END IF;
        END
        $guard$;
        rollback: DO $guard$
        BEGIN
          IF to_regtype('public.status_new') IS NOT NULL AND EXISTS (SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = to_regclass('public.orders') AND attname = 'history' AND atttypid = (SELECT typarray FROM pg_catalog.pg_type WHERE oid = to_regtype('public.status'))) THEN
            ALTER TABLE public.orders ALTER COLUMN history TYPE public.status_new[] USING history::text[]::public.status_new[];
          END IF;
        END
        $guard$;
        rollback: ALTER TABLE public.orders ALTER COLUMN state DROP DEFAULT;
        rollback: DO $guard$
        BEGIN
          IF to_regtype('public.status_new') IS NOT NULL AND EXISTS (SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = to_regclass('public.orders') AND attname = 'state' AND atttypid = to_regtype('public.status')) THEN
            ALTER TABLE public.orders ALTER COLUMN state TYPE public.status_new USING state::text::public.status_new;
          END IF;
        END
        $guard$;
        rollback: DO $guard$
        BEGIN
          IF to_regtype('public.status_new') IS NOT NULL THEN
            DROP TYPE public.status;
          END IF;
        END
        $guard$;
        rollback: DO $guard$
        BEGIN
          IF to_regtype('public.status_new') IS NOT NULL THEN
            ALTER TYPE public.status_new RENAME TO status;
          END IF;
        END
        $guard$;
        rollback: ALTER TABLE public.orders ALTER COLUMN state SET DEFAULT 'new';
        ");
    }

    #[test]
    fn zero_downtime_plans_the_same_and_says_it_needs_a_window() {
        let fixture = Fixture::new(LIVE, DESIRED);
        let change = change(&fixture);
        let id = change.id();
        let decisions = Decisions {
            settings: &fixture.settings,
            answers: &fixture.answers,
            change: &id,
        };
        let steps = ReplaceEnum.steps(&change, &fixture.context(), &decisions);
        let crate::step::Action::Sql { statements, .. } = &steps[1].action else {
            panic!("sql step expected");
        };
        assert!(
            statements
                .iter()
                .all(|s| s.note.starts_with("NEEDS A MAINTENANCE WINDOW"))
        );
        let assessment = ReplaceEnum.assess(&change, &fixture.context());
        assert!(
            assessment.summary.contains("maintenance window only"),
            "{}",
            assessment.summary
        );
        assert!(
            assessment
                .summary
                .contains("rows holding 'void' make the cast fail"),
            "{}",
            assessment.summary
        );
        assert!(assessment.cost.breaks_clients && assessment.cost.can_fail_on_data);
    }

    #[test]
    fn a_pure_reorder_has_no_gate() {
        let fixture = Fixture::new(LIVE, DESIRED);
        let reorder = change::ReplaceEnum {
            name: TableRef::new("public", "status"),
            from: Enum {
                labels: vec!["a".to_owned(), "b".to_owned()],
                comment: None,
            },
            to: Enum {
                labels: vec!["b".to_owned(), "a".to_owned()],
                comment: None,
            },
            columns: Vec::new(),
        };
        let text = fixture.steps_text(&ReplaceEnum, &reorder);
        assert!(!text.contains("gate:"), "{text}");
        assert!(
            text.contains("CREATE TYPE public.status_new AS ENUM ('b', 'a')"),
            "{text}"
        );
    }
}
