//! A primary key column retyped through a synced copy (`integer` to `bigint`, the most common
//! large migration), with the foreign keys that reference it re-pointed in the same plan.
//!
//! The old key cannot simply be dropped: the foreign keys of other tables depend on its index,
//! and dropping the column would take the primary key with it. So while the application runs,
//! the new column gets a unique index built concurrently, and every referencing table gets a
//! copy of its foreign key, added `NOT VALID` against the new column and validated. After the
//! deploy gate, one brief transaction drops the old foreign keys, swaps every retyped column
//! (the key's and the referencing ones the plan also retypes), attaches the unique index as the
//! primary key (`ADD CONSTRAINT … PRIMARY KEY USING INDEX`: no scan), puts the identity back
//! where its sequence left off, and gives the copied foreign keys their old names.
//!
//! Pure: steps only.

use crate::ddl::identity_clause;
use crate::diff::change;
use crate::schema::names::make_object_name;
use crate::schema::{
    Column, ColumnRef, ForeignKey, Index, IndexKey, KeyTarget, PrimaryKey, TableRef,
};
use crate::sql::{quote_ident, quote_literal, quote_qualified};
use crate::step::guard;
use crate::step::{Phase, Rollback, Statement, Step};

use super::super::add_foreign_key::{add_not_valid, validate};
use super::super::add_unique::drop_constraint;
use super::super::{Context, Decisions};
use super::{
    SwapParts, Sync, build_concurrently, in_place, index_copies, is_binary_coercible, swap_parts,
    synced_copy, target, temporary_name, using_expression,
};
use crate::step::{Lock, Work};

/// The key column being swapped, and the foreign keys that reference it.
pub(super) struct KeySwap<'a> {
    table: &'a TableRef,
    from: &'a Column,
    to: Column,
    using: String,
    key: PrimaryKey,
    references: Vec<Referencing>,
}

/// A foreign key of another table (or the same one) on the key column.
struct Referencing {
    table: TableRef,
    key: ForeignKey,
    /// The referencing column's retyping through a synced copy in this plan, when it has one.
    retyped: Option<Retyped>,
}

/// A column the plan also retypes through a synced copy: live and desired, and the conversion.
struct Retyped {
    from: Column,
    to: Column,
    using: String,
}

impl<'a> KeySwap<'a> {
    /// The swap for `table.from` when it is the whole primary key of its table.
    pub(super) fn find(
        table: &'a TableRef,
        from: &'a Column,
        context: &Context,
        decisions: &Decisions,
    ) -> Option<Self> {
        let key = context.live.table(table)?.primary_key.clone()?;
        if key.columns != [from.name.clone()] {
            return None;
        }
        let retyped = retyped_through_copy(table, &from.name, context, decisions)?;
        let references = referencing(table, &from.name, context)
            .into_iter()
            .map(|(referencing, key)| {
                let retyped =
                    retyped_through_copy(&referencing, &key.columns[0], context, decisions);
                Referencing {
                    table: referencing,
                    key,
                    retyped,
                }
            })
            .collect();
        Some(Self {
            table,
            from,
            to: retyped.to,
            using: retyped.using,
            key,
            references,
        })
    }

    fn temporary(&self) -> String {
        temporary_name(&self.from.name)
    }

    /// The unique index the primary key takes over: `<key>_new`.
    fn unique_index(&self) -> Index {
        Index {
            name: make_object_name(&self.key.name, None, "new").into(),
            unique: true,
            method: "btree".into(),
            keys: vec![IndexKey {
                target: KeyTarget::Column(self.temporary().into()),
                opclass: None,
                collation: None,
                descending: false,
                nulls_first: false,
            }],
            include: self.key.include.clone(),
            predicate: None,
            nulls_not_distinct: false,
            with: Vec::new(),
            comment: None,
        }
    }

    /// Every table the swap locks.
    fn tables(&self) -> Vec<TableRef> {
        let mut tables: Vec<TableRef> = self.references.iter().map(|r| r.table.clone()).collect();
        tables.push(self.table.clone());
        tables
    }

    /// Before the gate: the unique index on the new column, built concurrently, and each
    /// foreign key copied onto it, added NOT VALID and validated without blocking writes.
    pub(super) fn expand_steps(&self, context: &Context, decisions: &Decisions) -> Vec<Step> {
        let mut steps = vec![build_concurrently(
            self.table,
            &self.unique_index(),
            context.rows(self.table),
            decisions.settings.lock_timeout_ms,
        )];
        for referencing in &self.references {
            let copy = self.copied_key(referencing);
            let mut add = add_not_valid(&referencing.table, &copy, None)
                .locking(std::slice::from_ref(&referencing.table));
            // After the expand phase: the unique index it needs is built concurrently there.
            add.phase = Phase::Validate;
            steps.push(add);
            steps.push(
                validate(&referencing.table, &copy, context.rows(&referencing.table))
                    .locking(std::slice::from_ref(&referencing.table)),
            );
        }
        steps
    }

    /// The foreign key copied onto the new columns: `<name>_new`.
    fn copied_key(&self, referencing: &Referencing) -> ForeignKey {
        let column = if referencing.retyped.is_some() {
            temporary_name(&referencing.key.columns[0])
        } else {
            referencing.key.columns[0].clone()
        };
        ForeignKey {
            name: make_object_name(&referencing.key.name, None, "new").into(),
            columns: vec![column],
            referenced_columns: vec![self.temporary()],
            valid: true,
            ..referencing.key.clone()
        }
    }

    /// After the gate, in one transaction: the old foreign keys dropped, the referencing
    /// columns and the key swapped, the copied foreign keys renamed into place.
    pub(super) fn swap(&self, context: &Context) -> Step {
        let mut statements = Vec::new();
        let mut undo = Vec::new();
        let mut warnings = Vec::new();
        // The old key's index cannot go while a foreign key depends on it.
        for referencing in &self.references {
            statements.push(self.drop_old_key(referencing));
            undo.push(drop_constraint(&referencing.table, &referencing.key.name));
        }
        let mut referencing_undo = Vec::new();
        let mut altered = Vec::new();
        for referencing in &self.references {
            if let Some(parts) = referencing.swap_parts(context) {
                statements.extend(parts.statements);
                referencing_undo.extend(parts.undo);
                warnings.push(parts.warning);
                altered.push((
                    referencing.table.clone(),
                    referencing.key.columns[0].clone(),
                ));
            }
        }
        let key = self.key_parts(context);
        statements.extend(key.statements);
        // The key comes back first: the re-added foreign keys of the referencing columns
        // need it.
        undo.extend(key.undo);
        undo.extend(referencing_undo);
        warnings.push(key.warning);
        for referencing in &self.references {
            let copy = self.copied_key(referencing);
            statements.push(rename_constraint(
                &referencing.table,
                &copy.name,
                &referencing.key.name,
            ));
            undo.push(re_add(&referencing.table, &referencing.key));
            undo.push(re_add(&referencing.table, &copy));
        }
        undo.extend(self.sync_trigger());
        let mut step = Step::sql(
            Phase::Contract,
            statements,
            Rollback::partial(undo, warnings.join("; ")),
        )
        .locking(&self.tables())
        .altering(self.table, &self.from.name);
        for (table, column) in altered {
            step = step.altering(&table, &column);
        }
        step
    }

    /// The old foreign key dropped while its copy has not taken its name (run again, the
    /// swap must not drop the copy).
    fn drop_old_key(&self, referencing: &Referencing) -> Statement {
        let copy = self.copied_key(referencing);
        let mut statement = drop_constraint(&referencing.table, &referencing.key.name);
        statement.sql = guard::when(
            &guard::constraint_exists(&referencing.table, &copy.name),
            &statement.sql,
        );
        statement
    }

    /// The key's own sync trigger, put back last by the rollback.
    fn sync_trigger(&self) -> Vec<Statement> {
        let temporary = self.temporary();
        let sync = synced_copy(self.table, self.from, &self.to, &self.using, &temporary);
        vec![sync.create_function(), sync.create_trigger()]
    }

    /// The key column's own swap: trigger dropped, then one guarded block that keeps the
    /// identity's position, drops the old key and column, renames the new column and attaches
    /// the unique index as the primary key.
    fn key_parts(&self, context: &Context) -> SwapParts {
        let temporary = self.temporary();
        let sync = synced_copy(self.table, self.from, &self.to, &self.using, &temporary);
        let copies = index_copies(context.live.table(self.table), &self.from.name, &temporary);
        let (mut statements, _) = sync.remove();
        let owned = owned_sequence(self.table, &self.from.name, context);
        if let Some(sequence) = &owned {
            // A sequence owned by the old column would be dropped with it.
            statements.push(own_sequence(self.table, sequence, &temporary));
        }
        statements.push(Statement::new(
            self.swap_block(),
            Lock::AccessExclusive,
            "brief, metadata only: the primary key takes over the unique index built \
             concurrently, without a scan",
        ));
        for (index, copy) in &copies {
            statements.push(super::rename_index(
                &self.table.schema,
                &copy.name,
                &index.name,
            ));
        }
        if let Some(default) = &self.to.default {
            statements.push(super::set_default(self.table, &self.from.name, default));
        }
        let mut undo = Vec::new();
        if self.to.default.is_some() {
            undo.push(super::drop_default(self.table, &self.from.name));
        }
        undo.push(
            Statement::new(
                self.unswap_block(owned.as_ref()),
                Lock::AccessExclusive,
                "copies the key back into the old column, one UPDATE of every row",
            )
            .doing(Work::Update, context.rows(self.table)),
        );
        for (index, copy) in &copies {
            undo.push(super::rename_index(
                &self.table.schema,
                &index.name,
                &copy.name,
            ));
            undo.push(Statement::new(
                crate::ddl::create_index_statement(
                    &target(self.table),
                    index,
                    crate::ddl::IndexBuild::Plain,
                ),
                Lock::Share,
                "builds the index while writes wait",
            ));
        }
        SwapParts {
            statements,
            undo,
            warning: format!(
                "the old key is filled back by casting to {}, which fails once a key beyond its \
                 range was written",
                self.from.data_type
            ),
        }
    }

    /// The contract's block, run only while the new column exists.
    fn swap_block(&self) -> String {
        let table = target(self.table);
        let column = quote_ident(&self.from.name);
        let temporary = self.temporary();
        let mut body = Vec::new();
        if self.from.identity.is_some() {
            body.push(read_identity(self.table, &self.from.name));
        }
        body.push(format!(
            "ALTER TABLE {table} DROP CONSTRAINT {}",
            quote_ident(&self.key.name)
        ));
        body.push(format!("ALTER TABLE {table} DROP COLUMN {column}"));
        body.push(format!(
            "ALTER TABLE {table} RENAME COLUMN {} TO {column}",
            quote_ident(&temporary)
        ));
        body.push(format!(
            "ALTER TABLE {table} ADD CONSTRAINT {} PRIMARY KEY USING INDEX {}{}",
            quote_ident(&self.key.name),
            quote_ident(&self.unique_index().name),
            crate::ddl::deferral_clause(self.key.deferral)
        ));
        if self.to.identity.is_some() {
            let named = Column {
                name: self.from.name.clone(),
                ..self.to.clone()
            };
            body.extend(add_identity(self.table, &named));
        }
        block(&guard::column_exists(self.table, &temporary), &body)
    }

    /// The rollback's block: the old column re-added and filled from the new one, which goes
    /// back under its temporary name with its unique index.
    fn unswap_block(&self, owned: Option<&ColumnRef>) -> String {
        let table = target(self.table);
        let column = quote_ident(&self.from.name);
        let temporary = self.temporary();
        let mut body = Vec::new();
        if self.to.identity.is_some() {
            body.push(read_identity(self.table, &self.from.name));
            body.push(format!(
                "ALTER TABLE {table} ALTER COLUMN {column} DROP IDENTITY IF EXISTS"
            ));
        }
        body.push(format!(
            "ALTER TABLE {table} DROP CONSTRAINT {}",
            quote_ident(&self.key.name)
        ));
        body.push(format!(
            "ALTER TABLE {table} RENAME COLUMN {column} TO {}",
            quote_ident(&temporary)
        ));
        let bare = Column {
            identity: None,
            nullable: true,
            default: None,
            ..self.from.clone()
        };
        body.push(format!(
            "ALTER TABLE {table} ADD COLUMN {}",
            crate::ddl::column_definition(&bare)
        ));
        body.push(format!(
            "UPDATE {table} SET {column} = CAST({} AS {})",
            quote_ident(&temporary),
            self.from.data_type
        ));
        body.push(format!(
            "ALTER TABLE {table} ADD {}",
            crate::ddl::primary_key_clause(&self.key)
        ));
        if self.from.identity.is_some() {
            body.extend(add_identity(self.table, self.from));
        }
        if let Some(sequence) = owned {
            body.push(own_sequence(self.table, sequence, &self.from.name).sql);
        }
        if let Some(default) = &self.from.default {
            body.push(format!(
                "ALTER TABLE {table} ALTER COLUMN {column} SET DEFAULT {default}"
            ));
        }
        body.push(crate::ddl::create_index_statement(
            &table,
            &self.unique_index(),
            crate::ddl::IndexBuild::Plain,
        ));
        block(
            &format!("NOT {}", guard::column_exists(self.table, &temporary)),
            &body,
        )
    }
}

impl Referencing {
    /// The referencing column's own swap, when the plan retypes it too.
    fn swap_parts(&self, context: &Context) -> Option<SwapParts> {
        let retyped = self.retyped.as_ref()?;
        let temporary = temporary_name(&retyped.from.name);
        let sync: Sync = synced_copy(
            &self.table,
            &retyped.from,
            &retyped.to,
            &retyped.using,
            &temporary,
        );
        let copies = index_copies(
            context.live.table(&self.table),
            &retyped.from.name,
            &temporary,
        );
        Some(swap_parts(
            &self.table,
            &retyped.from,
            &retyped.to,
            &sync,
            &copies,
            context,
            &[self.key.name.to_string()],
        ))
    }
}

/// Whether `table.column` is retyped through a synced copy whose contract the swap of the key
/// it references carries out (so its own rule plans no swap of its own).
pub(super) fn swapped_with_its_key(
    table: &TableRef,
    column: &Column,
    context: &Context,
    decisions: &Decisions,
) -> bool {
    let Some(live) = context.live.table(table) else {
        return false;
    };
    live.foreign_keys
        .iter()
        .filter(|key| key.columns == [column.name.clone()] && key.referenced_columns.len() == 1)
        .any(|key| {
            let Some(parent) = context.live.table(&key.references) else {
                return false;
            };
            let Some(parent_column) = parent.column(&key.referenced_columns[0]) else {
                return false;
            };
            still_wanted(table, key, context)
                && KeySwap::find(&key.references, parent_column, context, decisions).is_some()
        })
}

/// The live foreign keys on exactly `table.column`, that the desired schema keeps.
fn referencing(table: &TableRef, column: &str, context: &Context) -> Vec<(TableRef, ForeignKey)> {
    let mut found = Vec::new();
    for (schema, namespace) in &context.live.namespaces {
        for (name, live) in &namespace.tables {
            let referencing = TableRef::new(schema, name);
            for key in &live.foreign_keys {
                if key.references == *table
                    && key.referenced_columns == [column.to_owned()]
                    && key.columns.len() == 1
                    && still_wanted(&referencing, key, context)
                {
                    found.push((referencing.clone(), key.clone()));
                }
            }
        }
    }
    found
}

/// Whether the desired schema has the same foreign key (by name, on the same columns).
fn still_wanted(table: &TableRef, key: &ForeignKey, context: &Context) -> bool {
    context.desired.table(table).is_some_and(|desired| {
        desired
            .foreign_keys
            .iter()
            .any(|k| k.name == key.name && k.columns == key.columns)
    })
}

/// `table.column`'s retyping through a synced copy in this plan, as its own change decides it.
fn retyped_through_copy(
    table: &TableRef,
    column: &str,
    context: &Context,
    decisions: &Decisions,
) -> Option<Retyped> {
    let from = context.live.table(table)?.column(column)?;
    let to = context.desired.table(table)?.column(column)?;
    if (from.data_type == to.data_type && from.collation == to.collation)
        || is_binary_coercible(from, to)
    {
        return None;
    }
    let change = change::ChangeColumnType {
        table: table.clone(),
        from: from.clone(),
        to: to.clone(),
    };
    let id = change.id();
    let theirs = Decisions {
        change: &id,
        ..*decisions
    };
    if in_place(&theirs) {
        return None;
    }
    Some(Retyped {
        from: from.clone(),
        to: to.clone(),
        using: using_expression(&theirs, from, to),
    })
}

/// The sequence a `serial` column owns, if any.
fn owned_sequence(table: &TableRef, column: &str, context: &Context) -> Option<ColumnRef> {
    let namespace = context.live.namespaces.get(&table.schema)?;
    namespace.sequences.iter().find_map(|(name, sequence)| {
        let owner = sequence.owned_by.as_ref()?;
        (owner.table == table.name && owner.column == column).then(|| ColumnRef {
            table: name.clone(),
            column: column.to_owned(),
        })
    })
}

/// `ALTER SEQUENCE … OWNED BY table.column`; `sequence.table` is the sequence's name.
fn own_sequence(table: &TableRef, sequence: &ColumnRef, column: &str) -> Statement {
    Statement::new(
        format!(
            "ALTER SEQUENCE {} OWNED BY {}.{}",
            quote_qualified(&table.schema, &sequence.table),
            target(table),
            quote_ident(column)
        ),
        Lock::AccessExclusive,
        "brief: the sequence moves to the new column before the old one is dropped",
    )
}

/// Reads where the identity sequence of `table.column` stands into `last_value`.
fn read_identity(table: &TableRef, column: &str) -> String {
    format!(
        "EXECUTE format('SELECT last_value FROM %s', pg_catalog.pg_get_serial_sequence({}, {})) INTO last_value",
        quote_literal(&target(table)),
        quote_literal(column)
    )
}

/// The identity put on `table.column`, its new sequence set where the old one stood.
fn add_identity(table: &TableRef, column: &Column) -> Vec<String> {
    let Some(identity) = column.identity else {
        return Vec::new();
    };
    vec![
        format!(
            "ALTER TABLE {} ALTER COLUMN {} ADD {}",
            target(table),
            quote_ident(&column.name),
            identity_clause(identity, &column.identity_options)
        ),
        format!(
            "PERFORM pg_catalog.setval(pg_catalog.pg_get_serial_sequence({}, {}), last_value)",
            quote_literal(&target(table)),
            quote_literal(&column.name)
        ),
    ]
}

/// `body` run in one block only while `condition` holds, with `last_value` to carry an
/// identity's position across the swap.
fn block(condition: &str, body: &[String]) -> String {
    let lines: Vec<String> = body.iter().map(|sql| format!("    {sql};")).collect();
    format!(
        "DO $swap$\nDECLARE\n  last_value bigint;\nBEGIN\n  IF {condition} THEN\n{}\n  END IF;\nEND\n$swap$",
        lines.join("\n")
    )
}

fn rename_constraint(table: &TableRef, from: &str, to: &str) -> Statement {
    Statement::new(
        guard::when(
            &guard::constraint_exists(table, from),
            &format!(
                "ALTER TABLE {} RENAME CONSTRAINT {} TO {}",
                target(table),
                quote_ident(from),
                quote_ident(to)
            ),
        ),
        Lock::AccessExclusive,
        "brief, metadata only",
    )
}

/// A foreign key added back by the rollback, checked at once.
fn re_add(table: &TableRef, key: &ForeignKey) -> Statement {
    Statement::new(
        guard::when(
            &format!("NOT {}", guard::constraint_exists(table, &key.name)),
            &crate::ddl::add_foreign_key(&target(table), key),
        ),
        Lock::ShareRowExclusive,
        "checks every row while writes to both tables wait",
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::super::test_support::Fixture;
    use super::super::ChangeColumnType;
    use crate::diff::change;
    use crate::schema::TableRef;

    const LIVE: &str = r#"schemas:
  public:
    tables:
      users:
        columns:
          id: { type: integer, identity: by_default }
        primary_key: [id]
      orders:
        columns:
          id: { type: integer, nullable: false }
          user_id: { type: integer, nullable: false }
        primary_key: [id]
        foreign_keys:
          - { columns: [user_id], references: { table: users, columns: [id] } }
"#;

    fn desired(user_id: &str) -> String {
        LIVE.replace(
            "id: { type: integer, identity",
            "id: { type: bigint, identity",
        )
        .replace(
            "user_id: { type: integer",
            &format!("user_id: {{ type: {user_id}"),
        )
    }

    fn change(fixture: &Fixture, table: &str, column: &str) -> change::ChangeColumnType {
        let table = TableRef::new("public", table);
        let from = fixture
            .live
            .table(&table)
            .unwrap()
            .column(column)
            .unwrap()
            .clone();
        let to = fixture
            .desired
            .table(&table)
            .unwrap()
            .column(column)
            .unwrap()
            .clone();
        change::ChangeColumnType { table, from, to }
    }

    #[test]
    fn the_key_swap_repoints_the_foreign_keys_and_reuses_the_unique_index() {
        let fixture = Fixture::new(LIVE, &desired("bigint"));
        let text = fixture.steps_text(&ChangeColumnType, &change(&fixture, "users", "id"));
        for expected in [
            "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS users_pkey_new ON public.users USING btree (id_new)",
            "FOREIGN KEY (user_id_new) REFERENCES public.users (id_new) NOT VALID",
            "VALIDATE CONSTRAINT orders_user_id_fkey_new",
            "ALTER TABLE public.orders DROP CONSTRAINT IF EXISTS orders_user_id_fkey",
            "ALTER TABLE public.orders RENAME COLUMN user_id_new TO user_id",
            "ADD CONSTRAINT users_pkey PRIMARY KEY USING INDEX users_pkey_new",
            "ADD GENERATED BY DEFAULT AS IDENTITY",
            "RENAME CONSTRAINT orders_user_id_fkey_new TO orders_user_id_fkey",
        ] {
            assert!(text.contains(expected), "missing {expected}:\n{text}");
        }
        // The referencing column's own rule leaves its swap to the key's.
        let orders = fixture.steps_text(&ChangeColumnType, &change(&fixture, "orders", "user_id"));
        assert!(!orders.contains("== contract"), "{orders}");
    }

    #[test]
    fn an_unchanged_referencing_column_gets_its_key_copied_as_it_is() {
        let fixture = Fixture::new(LIVE, &desired("integer"));
        let text = fixture.steps_text(&ChangeColumnType, &change(&fixture, "users", "id"));
        assert!(text.contains("FOREIGN KEY (user_id) REFERENCES public.users (id_new) NOT VALID"));
        assert!(!text.contains("user_id_new"));
    }
}
