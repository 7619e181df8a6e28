//! `set-comment`: a comment set, changed or removed on any object.

use crate::ddl;
use crate::diff::{CommentTarget, change};
use crate::schema::Schema;
use crate::sql::{quote_ident, quote_literal};
use crate::step::{Phase, Rollback, Statement, Step};

use super::objects::qualified;
use super::{Assessment, Context, Cost, Decisions, Explanation, Rule};
use crate::step::Lock;

pub struct SetComment;

const EXPLANATION: Explanation = Explanation {
    title: "A comment changes",
    risk: "None worth a plan: COMMENT ON is a catalog change (a relation's takes a SHARE UPDATE \
           EXCLUSIVE lock, which blocks only other DDL).",
    instead: "Expand: COMMENT ON … IS the new text, or IS NULL to remove it.",
    rollback: "COMMENT ON … IS the recorded text (or NULL).",
};

impl Rule for SetComment {
    type Change = change::SetComment;

    fn explanation(&self) -> &'static Explanation {
        &EXPLANATION
    }

    fn assess(&self, change: &Self::Change, _context: &Context) -> Assessment {
        let Self::Change { target, to, .. } = change;
        let what = if to.is_some() { "set" } else { "removed" };
        Assessment {
            rule: self.id(),
            cost: Cost::metadata(lock(target)),
            summary: format!("comment on {} {what}: catalog only", target.object()),
        }
    }

    fn steps(&self, change: &Self::Change, context: &Context, _decisions: &Decisions) -> Vec<Step> {
        let Self::Change { target, from, to } = change;
        // The routine's kind is in its definition, on whichever side has it.
        let schema = if to.is_some() {
            context.desired
        } else {
            context.live
        };
        vec![Step::sql(
            Phase::Expand,
            vec![statement(target, to.as_deref(), schema)],
            Rollback::by(vec![statement(target, from.as_deref(), context.live)]),
        )]
    }
}

/// The lock `COMMENT ON` takes: SHARE UPDATE EXCLUSIVE on a relation, none on a table for
/// anything else.
fn lock(target: &CommentTarget) -> Lock {
    match target {
        CommentTarget::Table(_)
        | CommentTarget::Column(..)
        | CommentTarget::View { .. }
        | CommentTarget::Index(_)
        | CommentTarget::Sequence(_) => Lock::ShareUpdateExclusive,
        CommentTarget::Schema(_) | CommentTarget::Type(_) | CommentTarget::Function { .. } => {
            Lock::None
        }
    }
}

fn statement(target: &CommentTarget, text: Option<&str>, schema: &Schema) -> Statement {
    let value = text.map_or_else(|| "NULL".to_owned(), quote_literal);
    Statement::new(
        format!("COMMENT ON {} IS {value}", object_sql(target, schema)),
        lock(target),
        "catalog only",
    )
}

/// The object as `COMMENT ON` names it: its kind and its quoted name.
fn object_sql(target: &CommentTarget, schema: &Schema) -> String {
    match target {
        CommentTarget::Schema(name) => format!("SCHEMA {}", quote_ident(name)),
        CommentTarget::Table(table) => format!("TABLE {}", qualified(table)),
        CommentTarget::Column(table, column) => {
            format!("COLUMN {}.{}", qualified(table), quote_ident(column))
        }
        CommentTarget::View { name, materialized } => {
            let kind = if *materialized {
                "MATERIALIZED VIEW"
            } else {
                "VIEW"
            };
            format!("{kind} {}", qualified(name))
        }
        CommentTarget::Index(name) => format!("INDEX {}", qualified(name)),
        CommentTarget::Sequence(name) => format!("SEQUENCE {}", qualified(name)),
        CommentTarget::Type(name) => format!("TYPE {}", qualified(name)),
        CommentTarget::Function { schema: ns, key } => {
            let kind = schema
                .namespaces
                .get(ns)
                .and_then(|namespace| namespace.functions.get(key))
                .map_or("ROUTINE", |f| ddl::routine_kind(&f.definition));
            format!("{kind} {}", ddl::routine_signature(ns, key))
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::test_support::Fixture;
    use super::*;
    use crate::rules::Badge;
    use crate::schema::TableRef;

    fn fixture() -> Fixture {
        Fixture::new("schemas: {}\n", "schemas: {}\n")
    }

    #[test]
    fn a_column_comment_is_set_and_rolled_back_to_none() {
        let change = change::SetComment {
            target: CommentTarget::Column(TableRef::new("public", "orders"), "Total".to_owned()),
            from: None,
            to: Some("in cents, it's exact".to_owned()),
        };
        insta::assert_snapshot!(fixture().steps_text(&SetComment, &change), @r#"
        == expand (InTransaction)
        COMMENT ON COLUMN public.orders."Total" IS 'in cents, it''s exact';  -- SHARE UPDATE EXCLUSIVE, metadata only
        rollback: COMMENT ON COLUMN public.orders."Total" IS NULL;
        "#);
        let assessment = SetComment.assess(&change, &fixture().context());
        assert_eq!(assessment.cost.badges(), vec![Badge::Safe]);
    }

    #[test]
    fn a_removed_comment_is_set_to_null() {
        let change = change::SetComment {
            target: CommentTarget::View {
                name: TableRef::new("public", "daily_totals"),
                materialized: true,
            },
            from: Some("old".to_owned()),
            to: None,
        };
        insta::assert_snapshot!(fixture().window().steps_text(&SetComment, &change), @r#"
        == expand (InTransaction)
        COMMENT ON MATERIALIZED VIEW public.daily_totals IS NULL;  -- SHARE UPDATE EXCLUSIVE, metadata only
        rollback: COMMENT ON MATERIALIZED VIEW public.daily_totals IS 'old';
        "#);
    }

    #[test]
    fn every_target_names_its_kind() {
        let live = Schema::default();
        let name = TableRef::new("s", "n");
        let cases = [
            (CommentTarget::Schema("s".to_owned()), "SCHEMA s"),
            (CommentTarget::Table(name.clone()), "TABLE s.n"),
            (CommentTarget::Index(name.clone()), "INDEX s.n"),
            (CommentTarget::Sequence(name.clone()), "SEQUENCE s.n"),
            (CommentTarget::Type(name.clone()), "TYPE s.n"),
            (
                CommentTarget::View {
                    name,
                    materialized: false,
                },
                "VIEW s.n",
            ),
            (
                CommentTarget::Function {
                    schema: "s".to_owned(),
                    key: "f(integer)".to_owned(),
                },
                "ROUTINE s.f(integer)",
            ),
        ];
        for (target, expected) in cases {
            assert_eq!(object_sql(&target, &live), expected);
        }
    }
}
