//! Views and materialized views.

use serde::Serialize;

use crate::ddl::object::Object;
use crate::schema::model::{TableRef, View};

use super::{QualifiedName, relation, same};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CreateView {
    pub view: QualifiedName,
    pub definition: View,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DropView {
    pub view: QualifiedName,
    pub definition: View,
}

/// The view's definition (or materialization) changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReplaceView {
    pub view: QualifiedName,
    pub from: View,
    pub to: View,
}

/// A view that reads columns the plan drops, retypes or renames: PostgreSQL refuses to alter
/// them while it exists, so it is dropped before and recreated (as desired) after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecreateView {
    pub view: QualifiedName,
    pub live: View,
    pub desired: View,
    /// The changed columns it reads, (table, column), sorted.
    pub columns: Vec<(TableRef, String)>,
}

subject_for!(CreateView, DropView, ReplaceView, RecreateView => {
    fn object(&self) -> String {
        self.view.to_string()
    }

    fn location(&self) -> (&str, Option<&str>) {
        relation(&self.view)
    }

    fn objects(&self) -> Option<(Object<'_>, Object<'_>)> {
        same(Object::Relation(&self.view))
    }
});
