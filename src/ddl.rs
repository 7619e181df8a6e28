//! Schema → DDL: the statements that create a whole model in an empty database, ordered so that
//! each one can run.
//!
//! Types, functions, sequences, tables and views are ordered by the names their SQL text mentions
//! (a topological sort, ties and cycles broken by kind and name, so the output is deterministic).
//! Foreign keys, indexes, triggers, policies and comments follow once every table exists.
//! Pure: no I/O. Names reach the SQL only through `crate::sql`.

pub mod object;
pub(crate) mod order;

use std::fmt::Write as _;

use crate::schema::{
    Check, Column, CompositeType, Deferral, Domain, Enum, FkAction, FkMatch, ForeignKey, Identity,
    IdentityOptions, Index, IndexKey, KeyTarget, Namespace, Policy, PolicyCommand, PrimaryKey,
    Schema, Sequence, Table, TableRef, Unique, View,
};
use crate::sql::{quote_ident, quote_literal, quote_qualified};

/// Every statement needed to create `schema` in an empty database, in an order that runs.
/// Statements carry no trailing semicolon; [`script`] joins them.
#[must_use]
pub fn create_statements(schema: &Schema) -> Vec<String> {
    // Function bodies may mention tables created later; PostgreSQL checks them at call time then.
    let mut out = vec!["SET check_function_bodies = off".to_owned()];
    for (name, ns) in &schema.namespaces {
        if name != "public" {
            out.push(format!("CREATE SCHEMA {}", quote_ident(name)));
        }
        if let Some(comment) = &ns.comment {
            out.push(format!(
                "COMMENT ON SCHEMA {} IS {}",
                quote_ident(name),
                quote_literal(comment)
            ));
        }
    }
    for (name, ext) in &schema.extensions {
        out.push(format!(
            "CREATE EXTENSION IF NOT EXISTS {} WITH SCHEMA {}",
            quote_ident(name),
            quote_ident(&ext.schema)
        ));
    }
    for object in order::objects_in_dependency_order(schema) {
        out.extend(object_statements(schema, &object));
    }
    for (ns_name, ns) in &schema.namespaces {
        out.extend(after_objects(ns_name, ns));
    }
    out
}

/// The statements as one SQL script.
#[must_use]
pub fn script(statements: &[String]) -> String {
    let mut text = String::new();
    for statement in statements {
        text.push_str(statement);
        text.push_str(";\n\n");
    }
    text
}

fn object_statements(schema: &Schema, object: &order::Object) -> Vec<String> {
    let Some(ns) = schema.namespaces.get(&object.schema) else {
        return Vec::new();
    };
    let qualified = quote_qualified(&object.schema, &object.name);
    match object.kind {
        order::Kind::Enum => ns.enums.get(&object.name).map(|e| {
            let mut out = vec![create_enum(&qualified, e)];
            out.extend(comment("TYPE", &qualified, e.comment.as_deref()));
            out
        }),
        order::Kind::Domain => ns.domains.get(&object.name).map(|d| {
            let mut out = vec![create_domain(&qualified, d)];
            out.extend(comment("DOMAIN", &qualified, d.comment.as_deref()));
            out
        }),
        order::Kind::Composite => ns.composite_types.get(&object.name).map(|c| {
            let mut out = vec![create_composite(&qualified, c)];
            out.extend(comment("TYPE", &qualified, c.comment.as_deref()));
            out
        }),
        order::Kind::Sequence => ns.sequences.get(&object.name).map(|s| {
            let unlogged = if s.unlogged { "UNLOGGED " } else { "" };
            let mut out = vec![format!(
                "CREATE {unlogged}SEQUENCE {qualified} {}",
                sequence_options(s)
            )];
            out.extend(comment("SEQUENCE", &qualified, s.comment.as_deref()));
            out
        }),
        order::Kind::Function => ns.functions.get(&object.key).map(|f| {
            let mut out = vec![f.definition.trim_end().trim_end_matches(';').to_owned()];
            let kind = routine_kind(&f.definition);
            out.extend(comment(
                kind,
                &routine_signature(&object.schema, &object.key),
                f.comment.as_deref(),
            ));
            out
        }),
        order::Kind::Operator => ns.operators.get(&object.key).map(|o| {
            let mut out = vec![o.definition.trim_end().trim_end_matches(';').to_owned()];
            let signature = format!("{}.{}", quote_ident(&object.schema), object.key);
            out.extend(comment("OPERATOR", &signature, o.comment.as_deref()));
            out
        }),
        order::Kind::Table => ns
            .tables
            .get(&object.name)
            .map(|t| create_table(&object.schema, &object.name, t)),
        order::Kind::View => ns
            .views
            .get(&object.name)
            .map(|v| create_view(&qualified, v)),
    }
    .unwrap_or_default()
}

/// `CREATE TYPE … AS ENUM (…)`.
#[must_use]
pub(crate) fn create_enum(qualified: &str, e: &Enum) -> String {
    let labels: Vec<String> = e.labels.iter().map(|l| quote_literal(l)).collect();
    format!("CREATE TYPE {qualified} AS ENUM ({})", labels.join(", "))
}

/// `CREATE DOMAIN … AS …` with its collation, default, NOT NULL and checks.
#[must_use]
pub(crate) fn create_domain(qualified: &str, d: &Domain) -> String {
    let mut sql = format!("CREATE DOMAIN {qualified} AS {}", d.data_type);
    push_opt(&mut sql, " COLLATE ", d.collation.as_deref());
    push_opt(&mut sql, " DEFAULT ", d.default.as_deref());
    if !d.nullable {
        sql.push_str(" NOT NULL");
    }
    for check in &d.checks {
        let _ = write!(
            sql,
            " CONSTRAINT {} CHECK ({})",
            quote_ident(&check.name),
            check.expression
        );
    }
    sql
}

/// `CREATE TYPE … AS (…)` of a composite type.
#[must_use]
pub(crate) fn create_composite(qualified: &str, c: &CompositeType) -> String {
    let attributes: Vec<String> = c
        .attributes
        .iter()
        .map(|a| {
            let mut attr = format!("{} {}", quote_ident(&a.name), a.data_type);
            push_opt(&mut attr, " COLLATE ", a.collation.as_deref());
            attr
        })
        .collect();
    format!("CREATE TYPE {qualified} AS ({})", attributes.join(", "))
}

/// Every option of a sequence, as `CREATE SEQUENCE` takes them after its name (`AS bigint
/// INCREMENT BY 1 … NO CYCLE`).
#[must_use]
pub(crate) fn sequence_options(s: &Sequence) -> String {
    let cycle = if s.cycle { "CYCLE" } else { "NO CYCLE" };
    format!(
        "AS {} INCREMENT BY {} MINVALUE {} MAXVALUE {} START WITH {} CACHE {} {cycle}",
        s.data_type, s.increment, s.min_value, s.max_value, s.start, s.cache
    )
}

/// The object kind `COMMENT ON` and `DROP` use for a routine's definition: `AGGREGATE` for an
/// aggregate, `ROUTINE` (a function or a procedure) otherwise.
#[must_use]
pub(crate) fn routine_kind(definition: &str) -> &'static str {
    let words: Vec<String> = definition
        .split_whitespace()
        .take(4)
        .map(str::to_ascii_uppercase)
        .collect();
    if words.iter().any(|w| w == "AGGREGATE") {
        "AGGREGATE"
    } else {
        "ROUTINE"
    }
}

/// `name(args)` of a function key, with the name quoted and qualified.
#[must_use]
pub(crate) fn routine_signature(schema: &str, key: &str) -> String {
    let (name, args) = key.find('(').map_or((key, "()"), |i| key.split_at(i));
    format!("{}{args}", quote_qualified(schema, name))
}

fn create_table(schema: &str, name: &str, table: &Table) -> Vec<String> {
    let qualified = quote_qualified(schema, name);
    let mut out = vec![create_table_statement(schema, name, table, false)];
    for check in table.checks.iter().filter(|c| !c.valid) {
        out.push(format!(
            "ALTER TABLE {qualified} ADD {} NOT VALID",
            check_clause(check)
        ));
    }
    out.extend(comment("TABLE", &qualified, table.comment.as_deref()));
    for column in &table.columns {
        let target = format!("{qualified}.{}", quote_ident(&column.name));
        out.extend(comment("COLUMN", &target, column.comment.as_deref()));
    }
    out
}

/// The `CREATE TABLE` statement alone: columns, primary key, unique, valid check and exclusion
/// constraints inline, partitioning; `IF NOT EXISTS` when asked. Checks added `NOT VALID`,
/// foreign keys, indexes, triggers, policies and comments are separate statements.
#[must_use]
pub fn create_table_statement(
    schema: &str,
    name: &str,
    table: &Table,
    if_not_exists: bool,
) -> String {
    let qualified = quote_qualified(schema, name);
    let mut elements: Vec<String> = table.columns.iter().map(column_definition).collect();
    elements.extend(inline_constraints(table));
    let unlogged = if table.unlogged { "UNLOGGED " } else { "" };
    let if_not_exists = if if_not_exists { "IF NOT EXISTS " } else { "" };
    let mut sql = match &table.partition_of {
        Some(partition) => {
            let parent = quote_qualified(&partition.parent.schema, &partition.parent.name);
            let list = if elements.is_empty() {
                String::new()
            } else {
                format!(" ({})", elements.join(", "))
            };
            format!(
                "CREATE {unlogged}TABLE {if_not_exists}{qualified} PARTITION OF {parent}{list} {}",
                partition.bound
            )
        }
        None => format!(
            "CREATE {unlogged}TABLE {if_not_exists}{qualified} ({})",
            elements.join(", ")
        ),
    };
    push_opt(&mut sql, " PARTITION BY ", table.partition_by.as_deref());
    sql
}

/// A column as it is written in `CREATE TABLE` or `ADD COLUMN`: name, type, collation,
/// generation, default, identity, NOT NULL.
#[must_use]
pub fn column_definition(column: &Column) -> String {
    let mut sql = format!("{} {}", quote_ident(&column.name), column.data_type);
    push_opt(&mut sql, " COLLATE ", column.collation.as_deref());
    if let Some(expression) = &column.generated {
        let _ = write!(sql, " GENERATED ALWAYS AS ({expression}) STORED");
    }
    push_opt(&mut sql, " DEFAULT ", column.default.as_deref());
    if let Some(identity) = column.identity {
        let _ = write!(
            sql,
            " {}",
            identity_clause(identity, &column.identity_options)
        );
    }
    if !column.nullable {
        sql.push_str(" NOT NULL");
    }
    sql
}

/// `GENERATED ALWAYS AS IDENTITY (START WITH 1000 …)`, the options only when set, as a
/// column definition and `ALTER COLUMN … ADD` take it.
#[must_use]
pub fn identity_clause(identity: Identity, options: &IdentityOptions) -> String {
    let kind = match identity {
        Identity::Always => "ALWAYS",
        Identity::ByDefault => "BY DEFAULT",
    };
    let options = options.clause();
    if options.is_empty() {
        format!("GENERATED {kind} AS IDENTITY")
    } else {
        format!("GENERATED {kind} AS IDENTITY ({options})")
    }
}

fn inline_constraints(table: &Table) -> Vec<String> {
    let mut out = Vec::new();
    out.extend(table.primary_key.iter().map(primary_key_clause));
    out.extend(table.unique.iter().map(unique_clause));
    out.extend(table.checks.iter().filter(|c| c.valid).map(check_clause));
    out.extend(
        table
            .exclusions
            .iter()
            .map(|x| format!("CONSTRAINT {} {}", quote_ident(&x.name), x.definition)),
    );
    out
}

/// `CONSTRAINT … PRIMARY KEY (…)`, as in `CREATE TABLE` or `ALTER TABLE … ADD`.
#[must_use]
pub fn primary_key_clause(pk: &PrimaryKey) -> String {
    format!(
        "CONSTRAINT {} PRIMARY KEY ({}){}{}",
        quote_ident(&pk.name),
        ident_list(&pk.columns),
        include_clause(&pk.include),
        deferral_clause(pk.deferral)
    )
}

/// `CONSTRAINT … UNIQUE (…)`, as in `CREATE TABLE` or `ALTER TABLE … ADD`.
#[must_use]
pub fn unique_clause(unique: &Unique) -> String {
    let nulls = if unique.nulls_not_distinct {
        " NULLS NOT DISTINCT"
    } else {
        ""
    };
    format!(
        "CONSTRAINT {} UNIQUE{nulls} ({}){}{}",
        quote_ident(&unique.name),
        ident_list(&unique.columns),
        include_clause(&unique.include),
        deferral_clause(unique.deferral)
    )
}
/// `CONSTRAINT name CHECK (expression) [NO INHERIT]`.
#[must_use]
pub fn check_clause(check: &Check) -> String {
    let no_inherit = if check.no_inherit { " NO INHERIT" } else { "" };
    format!(
        "CONSTRAINT {} CHECK ({}){no_inherit}",
        quote_ident(&check.name),
        check.expression
    )
}

/// The statements that create the view `schema.name` as `view` says: the view, its comment and,
/// for a materialized view, its indexes.
#[must_use]
pub fn view_statements(schema: &str, name: &str, view: &View) -> Vec<String> {
    let qualified = quote_qualified(schema, name);
    let mut out = create_view(&qualified, view);
    if view.materialized {
        out.extend(
            view.indexes
                .iter()
                .flat_map(|index| create_index(schema, &qualified, index)),
        );
    }
    out
}

fn create_view(qualified: &str, view: &View) -> Vec<String> {
    let kind = view_kind(view);
    let mut out = vec![format!("CREATE {kind} {}", view_tail(qualified, view))];
    out.extend(comment(kind, qualified, view.comment.as_deref()));
    out
}

/// `VIEW` or `MATERIALIZED VIEW`, as `CREATE`, `DROP` and `COMMENT ON` name it.
#[must_use]
pub(crate) fn view_kind(view: &View) -> &'static str {
    if view.materialized {
        "MATERIALIZED VIEW"
    } else {
        "VIEW"
    }
}

/// What follows `CREATE [MATERIALIZED] VIEW`: the name, its options and `AS` the query.
#[must_use]
pub(crate) fn view_tail(qualified: &str, view: &View) -> String {
    let with = if view.with.is_empty() {
        String::new()
    } else {
        format!(" WITH ({})", view.with.join(", "))
    };
    let body = view.definition.trim().trim_end_matches(';');
    format!("{qualified}{with} AS\n{body}")
}

/// Sequence ownership, indexes, foreign keys, triggers and row security: everything that needs
/// the tables (and the unique keys foreign keys point at) to exist first.
fn after_objects(ns_name: &str, ns: &Namespace) -> Vec<String> {
    let mut out = Vec::new();
    for (name, sequence) in &ns.sequences {
        if let Some(owner) = &sequence.owned_by {
            out.push(format!(
                "ALTER SEQUENCE {} OWNED BY {}.{}",
                quote_qualified(ns_name, name),
                quote_qualified(ns_name, &owner.table),
                quote_ident(&owner.column)
            ));
        }
    }
    for (name, table) in &ns.tables {
        let target = quote_qualified(ns_name, name);
        out.extend(
            table
                .indexes
                .iter()
                .flat_map(|index| create_index(ns_name, &target, index)),
        );
    }
    for (name, view) in ns.views.iter().filter(|(_, v)| v.materialized) {
        let target = quote_qualified(ns_name, name);
        out.extend(
            view.indexes
                .iter()
                .flat_map(|index| create_index(ns_name, &target, index)),
        );
    }
    for (name, table) in &ns.tables {
        let target = quote_qualified(ns_name, name);
        out.extend(
            table
                .foreign_keys
                .iter()
                .map(|fk| add_foreign_key(&target, fk)),
        );
    }
    for (name, table) in &ns.tables {
        out.extend(table_extras(&quote_qualified(ns_name, name), table));
    }
    out
}

fn table_extras(target: &str, table: &Table) -> Vec<String> {
    let mut out = Vec::new();
    for trigger in &table.triggers {
        out.push(
            trigger
                .definition
                .trim_end()
                .trim_end_matches(';')
                .to_owned(),
        );
        if !trigger.enabled {
            out.push(format!(
                "ALTER TABLE {target} DISABLE TRIGGER {}",
                quote_ident(&trigger.name)
            ));
        }
    }
    let rls = &table.row_security;
    if rls.enabled {
        out.push(format!("ALTER TABLE {target} ENABLE ROW LEVEL SECURITY"));
    }
    if rls.forced {
        out.push(format!("ALTER TABLE {target} FORCE ROW LEVEL SECURITY"));
    }
    out.extend(
        rls.policies
            .iter()
            .map(|policy| create_policy(target, policy)),
    );
    out
}

/// `CREATE POLICY` for a policy of `target` (a quoted, qualified table name).
#[must_use]
pub fn create_policy(target: &str, policy: &Policy) -> String {
    let kind = if policy.permissive {
        "PERMISSIVE"
    } else {
        "RESTRICTIVE"
    };
    let command = match policy.command {
        PolicyCommand::All => "ALL",
        PolicyCommand::Select => "SELECT",
        PolicyCommand::Insert => "INSERT",
        PolicyCommand::Update => "UPDATE",
        PolicyCommand::Delete => "DELETE",
    };
    let roles: Vec<String> = policy
        .roles
        .iter()
        .map(|r| {
            if r == "public" {
                r.clone()
            } else {
                quote_ident(r)
            }
        })
        .collect();
    let mut sql = format!(
        "CREATE POLICY {} ON {target} AS {kind} FOR {command} TO {}",
        quote_ident(&policy.name),
        roles.join(", ")
    );
    if let Some(using) = &policy.using {
        let _ = write!(sql, " USING ({using})");
    }
    if let Some(check) = &policy.with_check {
        let _ = write!(sql, " WITH CHECK ({check})");
    }
    sql
}

/// `CREATE INDEX` for an index of `target`, and its comment.
#[must_use]
pub fn create_index(schema: &str, target: &str, index: &Index) -> Vec<String> {
    let mut out = vec![index_statement(target, index, "")];
    out.extend(comment(
        "INDEX",
        &quote_qualified(schema, &index.name),
        index.comment.as_deref(),
    ));
    out
}

/// How [`create_index_statement`] builds an index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexBuild {
    /// `CREATE INDEX IF NOT EXISTS`: for a table no one uses yet.
    Plain,
    /// `CREATE INDEX CONCURRENTLY IF NOT EXISTS`: for a live table.
    Concurrently,
}

/// `CREATE [UNIQUE] INDEX [CONCURRENTLY] IF NOT EXISTS` for an index of `target`, without its
/// comment: safe to run again.
#[must_use]
pub fn create_index_statement(target: &str, index: &Index, build: IndexBuild) -> String {
    let options = match build {
        IndexBuild::Plain => "IF NOT EXISTS ",
        IndexBuild::Concurrently => "CONCURRENTLY IF NOT EXISTS ",
    };
    index_statement(target, index, options)
}

fn index_statement(target: &str, index: &Index, options: &str) -> String {
    let unique = if index.unique { "UNIQUE " } else { "" };
    let keys: Vec<String> = index.keys.iter().map(index_key).collect();
    let mut sql = format!(
        "CREATE {unique}INDEX {options}{} ON {target} USING {} ({}){}",
        quote_ident(&index.name),
        index.method,
        keys.join(", "),
        include_clause(&index.include)
    );
    if index.nulls_not_distinct {
        sql.push_str(" NULLS NOT DISTINCT");
    }
    if !index.with.is_empty() {
        let _ = write!(sql, " WITH ({})", index.with.join(", "));
    }
    push_opt(&mut sql, " WHERE ", index.predicate.as_deref());
    sql
}

fn index_key(key: &IndexKey) -> String {
    let mut sql = match &key.target {
        KeyTarget::Column(name) => quote_ident(name),
        KeyTarget::Expression(expression) => format!("({expression})"),
    };
    push_opt(&mut sql, " COLLATE ", key.collation.as_deref());
    push_opt(&mut sql, " ", key.opclass.as_deref());
    if key.descending {
        sql.push_str(" DESC");
    }
    if key.nulls_first != key.descending {
        sql.push_str(if key.nulls_first {
            " NULLS FIRST"
        } else {
            " NULLS LAST"
        });
    }
    sql
}

/// `ALTER TABLE … ADD CONSTRAINT … FOREIGN KEY …`, `NOT VALID` when the model says so.
#[must_use]
pub fn add_foreign_key(target: &str, fk: &ForeignKey) -> String {
    let TableRef { schema, name } = &fk.references;
    let mut sql = format!(
        "ALTER TABLE {target} ADD CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} ({})",
        quote_ident(&fk.name),
        ident_list(&fk.columns),
        quote_qualified(schema, name),
        ident_list(&fk.referenced_columns)
    );
    if fk.match_type == FkMatch::Full {
        sql.push_str(" MATCH FULL");
    }
    push_action(&mut sql, "UPDATE", fk.on_update);
    push_action(&mut sql, "DELETE", fk.on_delete);
    sql.push_str(&deferral_clause(fk.deferral));
    if !fk.valid {
        sql.push_str(" NOT VALID");
    }
    sql
}

fn push_action(sql: &mut String, event: &str, action: FkAction) {
    let words = match action {
        FkAction::NoAction => return,
        FkAction::Restrict => "RESTRICT",
        FkAction::Cascade => "CASCADE",
        FkAction::SetNull => "SET NULL",
        FkAction::SetDefault => "SET DEFAULT",
    };
    let _ = write!(sql, " ON {event} {words}");
}

/// ` DEFERRABLE …` as a constraint definition ends, empty when not deferrable.
#[must_use]
pub fn deferral_clause(deferral: Deferral) -> String {
    match deferral {
        Deferral::NotDeferrable => String::new(),
        Deferral::InitiallyImmediate => " DEFERRABLE".to_owned(),
        Deferral::InitiallyDeferred => " DEFERRABLE INITIALLY DEFERRED".to_owned(),
    }
}

fn include_clause(columns: &[String]) -> String {
    if columns.is_empty() {
        String::new()
    } else {
        format!(" INCLUDE ({})", ident_list(columns))
    }
}

fn ident_list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| quote_ident(n))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `COMMENT ON kind target IS 'text'` when there is a text.
#[must_use]
pub fn comment(kind: &str, target: &str, text: Option<&str>) -> Option<String> {
    text.map(|text| format!("COMMENT ON {kind} {target} IS {}", quote_literal(text)))
}

fn push_opt(sql: &mut String, prefix: &str, value: Option<&str>) {
    if let Some(value) = value {
        sql.push_str(prefix);
        sql.push_str(value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Enum;

    fn users_table() -> Table {
        let mut id = Column::new("id", "bigint");
        id.nullable = false;
        id.identity = Some(Identity::Always);
        let mut email = Column::new("Email", "text");
        email.nullable = false;
        let mut status = Column::new("status", "public.order_status");
        status.default = Some("'new'::public.order_status".into());
        Table {
            columns: vec![id, email, status],
            primary_key: Some(PrimaryKey {
                name: "users_pkey".into(),
                columns: vec!["id".to_owned()],
                include: vec![],
                deferral: Deferral::NotDeferrable,
            }),
            unique: vec![Unique {
                name: "users_Email_key".into(),
                columns: vec!["Email".to_owned()],
                include: vec![],
                nulls_not_distinct: true,
                deferral: Deferral::InitiallyDeferred,
            }],
            ..Table::default()
        }
    }

    #[test]
    fn create_table_quotes_names_and_keeps_constraints_inline() {
        let statements = create_table("public", "user", &users_table());
        assert_eq!(
            statements,
            vec![
                "CREATE TABLE public.\"user\" (id bigint GENERATED ALWAYS AS IDENTITY NOT NULL, \"Email\" text NOT NULL, \
                 status public.order_status DEFAULT 'new'::public.order_status, \
                 CONSTRAINT users_pkey PRIMARY KEY (id), \
                 CONSTRAINT \"users_Email_key\" UNIQUE NULLS NOT DISTINCT (\"Email\") DEFERRABLE INITIALLY DEFERRED)"
            ]
        );
    }

    #[test]
    fn types_come_before_the_tables_that_use_them() {
        let mut schema = Schema::default();
        let ns = schema.namespaces.entry("public".to_owned()).or_default();
        ns.tables.insert("user".to_owned(), users_table());
        ns.enums.insert(
            "order_status".to_owned(),
            Enum {
                labels: vec!["new".to_owned()],
                comment: None,
            },
        );
        let statements = create_statements(&schema);
        let enum_at = statements
            .iter()
            .position(|s| s.starts_with("CREATE TYPE"))
            .unwrap_or(usize::MAX);
        let table_at = statements
            .iter()
            .position(|s| s.starts_with("CREATE TABLE"))
            .unwrap_or(0);
        assert!(enum_at < table_at, "{statements:#?}");
    }

    #[test]
    fn index_keys_spell_out_only_non_default_ordering() {
        let key = |descending, nulls_first| IndexKey {
            target: KeyTarget::Column("a".into()),
            opclass: None,
            collation: None,
            descending,
            nulls_first,
        };
        assert_eq!(index_key(&key(false, false)), "a");
        assert_eq!(index_key(&key(true, true)), "a DESC");
        assert_eq!(index_key(&key(false, true)), "a NULLS FIRST");
        assert_eq!(index_key(&key(true, false)), "a DESC NULLS LAST");
    }

    #[test]
    fn routine_signatures_quote_the_name_only() {
        assert_eq!(
            routine_signature("public", "Add(integer, numeric(10,2))"),
            "public.\"Add\"(integer, numeric(10,2))"
        );
    }
}
