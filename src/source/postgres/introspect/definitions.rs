//! Canonical `CREATE AGGREGATE` and `CREATE OPERATOR` statements, assembled from catalog rows.
//!
//! PostgreSQL has no `pg_get_…def` for aggregates and operators, so pgphase writes the statement
//! itself, always the same way: options in a fixed order, options at their default left out,
//! names printed as they resolve with `search_path = pg_catalog` (bare in `pg_catalog`,
//! schema-qualified elsewhere) and quoted through `crate::sql`. No I/O here.

use super::rows::{AggregateParts, CatalogName, OperatorRow};
use crate::sql::{quote_ident, quote_literal, quote_qualified};

/// The schema whose objects need no qualification, since introspection runs with it alone on
/// the `search_path`.
const CATALOG_SCHEMA: &str = "pg_catalog";

/// A function, type, collation or operator class name as SQL refers to it: bare when it lives in
/// `pg_catalog`, `schema.name` otherwise; each part quoted as needed.
#[must_use]
pub fn catalog_relative(name: &CatalogName) -> String {
    if name.schema == CATALOG_SCHEMA {
        quote_ident(&name.name)
    } else {
        quote_qualified(&name.schema, &name.name)
    }
}

/// An operator as an option value refers to it: bare (`>`) in `pg_catalog`, otherwise the
/// `OPERATOR(schema.op)` form, the only way SQL accepts a qualified operator there.
#[must_use]
pub fn operator_reference(name: &CatalogName) -> String {
    if name.schema == CATALOG_SCHEMA {
        name.name.clone()
    } else {
        format!("OPERATOR({}.{})", quote_ident(&name.schema), name.name)
    }
}

/// The `CREATE AGGREGATE` statement of aggregate `schema.name(identity_args)`.
///
/// Options come in a fixed order and appear only when set or not at their default, so equal
/// aggregates give equal text.
#[must_use]
pub fn aggregate_definition(
    schema: &str,
    name: &str,
    identity_args: &str,
    parts: &AggregateParts,
) -> String {
    // An aggregate without arguments is written `name(*)`.
    let args = if identity_args.is_empty() {
        "*"
    } else {
        identity_args
    };
    let options = aggregate_options(parts).join(", ");
    format!(
        "CREATE AGGREGATE {}({args}) ({options})",
        quote_qualified(schema, name)
    )
}

fn aggregate_options(parts: &AggregateParts) -> Vec<String> {
    let mut options = Vec::new();
    // Ordered-set and hypothetical-set aggregates default to READ_WRITE final functions.
    let default_modify = if parts.kind == "n" { "r" } else { "w" };
    if let Some(sfunc) = &parts.sfunc {
        options.push(format!("SFUNC = {}", catalog_relative(sfunc)));
    }
    options.push(format!("STYPE = {}", parts.stype));
    if parts.sspace != 0 {
        options.push(format!("SSPACE = {}", parts.sspace));
    }
    push_final_function(
        &mut options,
        "",
        parts.finalfunc.as_ref(),
        parts.finalfunc_extra,
        &parts.finalfunc_modify,
        default_modify,
    );
    if let Some(initcond) = &parts.initcond {
        options.push(format!("INITCOND = {}", quote_literal(initcond)));
    }
    push_function(&mut options, "COMBINEFUNC", parts.combinefunc.as_ref());
    push_function(&mut options, "SERIALFUNC", parts.serialfunc.as_ref());
    push_function(&mut options, "DESERIALFUNC", parts.deserialfunc.as_ref());
    push_function(&mut options, "MSFUNC", parts.msfunc.as_ref());
    push_function(&mut options, "MINVFUNC", parts.minvfunc.as_ref());
    if let Some(mstype) = &parts.mstype {
        options.push(format!("MSTYPE = {mstype}"));
    }
    if parts.msspace != 0 {
        options.push(format!("MSSPACE = {}", parts.msspace));
    }
    push_final_function(
        &mut options,
        "M",
        parts.mfinalfunc.as_ref(),
        parts.mfinalfunc_extra,
        &parts.mfinalfunc_modify,
        default_modify,
    );
    if let Some(minitcond) = &parts.minitcond {
        options.push(format!("MINITCOND = {}", quote_literal(minitcond)));
    }
    if let Some(sortop) = &parts.sortop {
        options.push(format!("SORTOP = {}", operator_reference(sortop)));
    }
    if parts.kind == "h" {
        options.push("HYPOTHETICAL".to_owned());
    }
    match parts.parallel.as_str() {
        "s" => options.push("PARALLEL = SAFE".to_owned()),
        "r" => options.push("PARALLEL = RESTRICTED".to_owned()),
        _ => {}
    }
    options
}

fn push_function(options: &mut Vec<String>, option: &str, function: Option<&CatalogName>) {
    if let Some(function) = function {
        options.push(format!("{option} = {}", catalog_relative(function)));
    }
}

/// `FINALFUNC` (or `MFINALFUNC` with `prefix` "M") with its `_EXTRA` and `_MODIFY` options.
fn push_final_function(
    options: &mut Vec<String>,
    prefix: &str,
    function: Option<&CatalogName>,
    extra: bool,
    modify: &str,
    default_modify: &str,
) {
    let Some(function) = function else {
        return;
    };
    options.push(format!(
        "{prefix}FINALFUNC = {}",
        catalog_relative(function)
    ));
    if extra {
        options.push(format!("{prefix}FINALFUNC_EXTRA"));
    }
    if modify != default_modify {
        let word = match modify {
            "s" => "SHAREABLE",
            "w" => "READ_WRITE",
            _ => "READ_ONLY",
        };
        options.push(format!("{prefix}FINALFUNC_MODIFY = {word}"));
    }
}

/// The key of an operator in `Namespace::operators`: `name(left type,right type)`, with `NONE`
/// for the missing left side of a prefix operator.
#[must_use]
pub fn operator_key(row: &OperatorRow) -> String {
    let left = row.left_type.as_deref().unwrap_or("NONE");
    let right = row.right_type.as_deref().unwrap_or("NONE");
    format!("{}({left},{right})", row.name)
}

/// The `CREATE OPERATOR` statement of an operator in `schema`, options in a fixed order.
#[must_use]
pub fn operator_definition(schema: &str, row: &OperatorRow) -> String {
    let mut options = Vec::new();
    if let Some(function) = &row.function {
        options.push(format!("FUNCTION = {}", catalog_relative(function)));
    }
    if let Some(left) = &row.left_type {
        options.push(format!("LEFTARG = {left}"));
    }
    if let Some(right) = &row.right_type {
        options.push(format!("RIGHTARG = {right}"));
    }
    if let Some(commutator) = &row.commutator {
        options.push(format!("COMMUTATOR = {}", operator_reference(commutator)));
    }
    if let Some(negator) = &row.negator {
        options.push(format!("NEGATOR = {}", operator_reference(negator)));
    }
    push_function(&mut options, "RESTRICT", row.restrict.as_ref());
    push_function(&mut options, "JOIN", row.join.as_ref());
    if row.hashes {
        options.push("HASHES".to_owned());
    }
    if row.merges {
        options.push("MERGES".to_owned());
    }
    format!(
        "CREATE OPERATOR {}.{} ({})",
        quote_ident(schema),
        row.name,
        options.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(schema: &str, name: &str) -> CatalogName {
        CatalogName {
            schema: schema.to_owned(),
            name: name.to_owned(),
        }
    }

    #[test]
    fn names_are_bare_only_in_pg_catalog() {
        assert_eq!(catalog_relative(&name("pg_catalog", "C")), "\"C\"");
        assert_eq!(
            catalog_relative(&name("pg_catalog", "int4larger")),
            "int4larger"
        );
        assert_eq!(catalog_relative(&name("Billing", "add")), "\"Billing\".add");
        assert_eq!(operator_reference(&name("pg_catalog", ">")), ">");
        assert_eq!(
            operator_reference(&name("My App", "===")),
            "OPERATOR(\"My App\".===)"
        );
    }

    #[test]
    fn simple_aggregate_lists_only_what_is_set() {
        let parts = AggregateParts {
            kind: "n".to_owned(),
            parallel: "u".to_owned(),
            sfunc: Some(name("app", "int_add")),
            stype: "integer".to_owned(),
            finalfunc_modify: "r".to_owned(),
            initcond: Some("0".to_owned()),
            combinefunc: Some(name("app", "int_add")),
            mfinalfunc_modify: "r".to_owned(),
            ..AggregateParts::default()
        };
        assert_eq!(
            aggregate_definition("app", "my_sum", "integer", &parts),
            "CREATE AGGREGATE app.my_sum(integer) \
             (SFUNC = app.int_add, STYPE = integer, INITCOND = '0', COMBINEFUNC = app.int_add)"
        );
    }

    #[test]
    fn aggregate_options_at_their_default_are_left_out() {
        let parts = AggregateParts {
            kind: "o".to_owned(),
            parallel: "s".to_owned(),
            sfunc: Some(name("pg_catalog", "ordered_set_transition")),
            stype: "internal".to_owned(),
            finalfunc: Some(name("Odd", "final")),
            finalfunc_extra: true,
            // READ_WRITE is the default for an ordered-set aggregate.
            finalfunc_modify: "w".to_owned(),
            initcond: Some("it's".to_owned()),
            sortop: Some(name("app", "<<<")),
            ..AggregateParts::default()
        };
        assert_eq!(
            aggregate_definition("Odd", "pick", "ORDER BY anyelement", &parts),
            "CREATE AGGREGATE \"Odd\".pick(ORDER BY anyelement) (SFUNC = ordered_set_transition, \
             STYPE = internal, FINALFUNC = \"Odd\".final, FINALFUNC_EXTRA, INITCOND = 'it''s', \
             SORTOP = OPERATOR(app.<<<), PARALLEL = SAFE)"
        );
    }

    #[test]
    fn aggregate_without_arguments_is_star_and_modify_is_spelled_out() {
        let parts = AggregateParts {
            kind: "n".to_owned(),
            parallel: "u".to_owned(),
            sfunc: Some(name("app", "tick")),
            stype: "bigint".to_owned(),
            sspace: 8,
            finalfunc: Some(name("app", "done")),
            finalfunc_modify: "s".to_owned(),
            msfunc: Some(name("app", "tick")),
            minvfunc: Some(name("app", "untick")),
            mstype: Some("bigint".to_owned()),
            mfinalfunc: Some(name("app", "done")),
            mfinalfunc_modify: "r".to_owned(),
            minitcond: Some("0".to_owned()),
            ..AggregateParts::default()
        };
        assert_eq!(
            aggregate_definition("app", "ticks", "", &parts),
            "CREATE AGGREGATE app.ticks(*) (SFUNC = app.tick, STYPE = bigint, SSPACE = 8, \
             FINALFUNC = app.done, FINALFUNC_MODIFY = SHAREABLE, MSFUNC = app.tick, \
             MINVFUNC = app.untick, MSTYPE = bigint, MFINALFUNC = app.done, MINITCOND = '0')"
        );
    }

    #[test]
    fn hypothetical_aggregate_says_so() {
        let parts = AggregateParts {
            kind: "h".to_owned(),
            parallel: "r".to_owned(),
            sfunc: Some(name("pg_catalog", "ordered_set_transition_multi")),
            stype: "internal".to_owned(),
            ..AggregateParts::default()
        };
        let text = aggregate_definition(
            "app",
            "my_rank",
            "VARIADIC \"any\" ORDER BY VARIADIC \"any\"",
            &parts,
        );
        assert!(
            text.ends_with("STYPE = internal, HYPOTHETICAL, PARALLEL = RESTRICTED)"),
            "{text}"
        );
    }

    #[test]
    fn operator_definition_and_key() {
        let row = OperatorRow {
            name: "===".to_owned(),
            left_type: Some("app.mood".to_owned()),
            right_type: Some("app.mood".to_owned()),
            function: Some(name("app", "mood_same")),
            commutator: Some(name("app", "===")),
            negator: Some(name("app", "!==")),
            restrict: Some(name("pg_catalog", "eqsel")),
            join: Some(name("pg_catalog", "eqjoinsel")),
            hashes: true,
            merges: true,
            ..OperatorRow::default()
        };
        assert_eq!(operator_key(&row), "===(app.mood,app.mood)");
        assert_eq!(
            operator_definition("app", &row),
            "CREATE OPERATOR app.=== (FUNCTION = app.mood_same, LEFTARG = app.mood, \
             RIGHTARG = app.mood, COMMUTATOR = OPERATOR(app.===), NEGATOR = OPERATOR(app.!==), \
             RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES)"
        );
    }

    #[test]
    fn prefix_operator_has_no_left_side() {
        let row = OperatorRow {
            name: "~~~".to_owned(),
            right_type: Some("integer".to_owned()),
            function: Some(name("Odd Schema", "negate")),
            ..OperatorRow::default()
        };
        assert_eq!(operator_key(&row), "~~~(NONE,integer)");
        assert_eq!(
            operator_definition("Odd Schema", &row),
            "CREATE OPERATOR \"Odd Schema\".~~~ (FUNCTION = \"Odd Schema\".negate, RIGHTARG = integer)"
        );
    }
}
