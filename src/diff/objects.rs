//! Which object of the schema a change is about, on the live and on the desired side: the
//! object whose DDL the change alters.

use crate::ddl::object::Object;

use super::{Change, CommentTarget};

/// The object a change is about on the live side and on the desired side (they differ only
/// for a renamed table).
#[must_use]
pub fn objects(change: &Change) -> Option<(Object<'_>, Object<'_>)> {
    let same = |object| Some((object, object));
    match change {
        Change::RenameTable { from, to, .. } => {
            Some((Object::Relation(from), Object::Relation(to)))
        }
        Change::CreateSchema { schema } | Change::DropSchema { schema } => {
            same(Object::Schema(schema))
        }
        Change::CreateExtension { name, .. } | Change::DropExtension { name, .. } => {
            same(Object::Extension(name))
        }
        Change::CreateType { name, .. }
        | Change::DropType { name, .. }
        | Change::AddEnumValue { name, .. }
        | Change::RenameEnumValue { name, .. }
        | Change::ReplaceEnum { name, .. } => same(Object::Type(name)),
        Change::CreateSequence { name, .. }
        | Change::DropSequence { name, .. }
        | Change::AlterSequence { name, .. } => same(Object::Sequence(name)),
        Change::CreateFunction { schema, key, .. }
        | Change::DropFunction { schema, key, .. }
        | Change::ReplaceFunction { schema, key, .. } => same(Object::Function { schema, key }),
        Change::CreateTable { table, .. }
        | Change::DropTable { table, .. }
        | Change::AddForeignKey { table, .. }
        | Change::CreateView { view: table, .. }
        | Change::DropView { view: table, .. }
        | Change::ReplaceView { view: table, .. }
        | Change::RecreateView { view: table, .. } => same(Object::Relation(table)),
        Change::SetComment { target, .. } => same(comment_object(target)?),
        Change::Unsupported { .. } => None,
        _ => change.altered_table().map(Object::Relation).and_then(same),
    }
}

fn comment_object(target: &CommentTarget) -> Option<Object<'_>> {
    Some(match target {
        CommentTarget::Schema(schema) => Object::Schema(schema),
        CommentTarget::Table(table)
        | CommentTarget::Column(table, _)
        | CommentTarget::View { name: table, .. } => Object::Relation(table),
        CommentTarget::Sequence(name) => Object::Sequence(name),
        CommentTarget::Type(name) => Object::Type(name),
        CommentTarget::Function { schema, key } => Object::Function { schema, key },
        CommentTarget::Index(_) => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Table, TableRef};

    #[test]
    fn a_renamed_table_is_itself_on_each_side() {
        let (from, to) = (TableRef::new("public", "a"), TableRef::new("public", "b"));
        let rename = Change::RenameTable {
            from: from.clone(),
            to: to.clone(),
            definition: Table::default(),
            hinted: false,
        };
        assert_eq!(
            objects(&rename),
            Some((Object::Relation(&from), Object::Relation(&to)))
        );
        let schema = Change::CreateSchema {
            schema: "app".to_owned(),
        };
        assert_eq!(
            objects(&schema),
            Some((Object::Schema("app"), Object::Schema("app")))
        );
    }
}
