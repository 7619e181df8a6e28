//! Comments on objects that exist on both sides.

use serde::Serialize;

use crate::ddl::object::Object;

use super::{CommentTarget, Subject, relation, same};

/// A comment set, changed or removed (`to: None`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SetComment {
    pub target: CommentTarget,
    pub from: Option<String>,
    pub to: Option<String>,
}

impl Subject for SetComment {
    fn object(&self) -> String {
        format!("comment on {}", self.target.object())
    }

    fn location(&self) -> (&str, Option<&str>) {
        self.target.location()
    }

    fn objects(&self) -> Option<(Object<'_>, Object<'_>)> {
        same(self.target.ddl_object()?)
    }
}
impl CommentTarget {
    /// Where the commented object sits (see [`Subject::location`]).
    #[must_use]
    pub fn location(&self) -> (&str, Option<&str>) {
        match self {
            Self::Schema(schema) | Self::Function { schema, .. } => (schema, None),
            Self::Table(table) | Self::Column(table, _) | Self::View { name: table, .. } => {
                relation(table)
            }
            Self::Index(name) | Self::Sequence(name) | Self::Type(name) => (&name.schema, None),
        }
    }

    /// The object whose DDL shows the comment; none for an index, whose DDL is its table's.
    #[must_use]
    pub fn ddl_object(&self) -> Option<Object<'_>> {
        Some(match self {
            Self::Schema(schema) => Object::Schema(schema),
            Self::Table(table) | Self::Column(table, _) | Self::View { name: table, .. } => {
                Object::Relation(table)
            }
            Self::Sequence(name) => Object::Sequence(name),
            Self::Type(name) => Object::Type(name),
            Self::Function { schema, key } => Object::Function { schema, key },
            Self::Index(_) => return None,
        })
    }
}
