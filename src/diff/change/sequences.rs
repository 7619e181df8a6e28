//! Sequences.

use serde::Serialize;

use crate::ddl::object::Object;
use crate::schema::model::Sequence;

use super::{QualifiedName, same};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CreateSequence {
    pub name: QualifiedName,
    pub sequence: Sequence,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DropSequence {
    pub name: QualifiedName,
    pub sequence: Sequence,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AlterSequence {
    pub name: QualifiedName,
    pub from: Sequence,
    pub to: Sequence,
}

subject_for!(CreateSequence, DropSequence, AlterSequence => {
    fn object(&self) -> String {
        self.name.to_string()
    }

    fn location(&self) -> (&str, Option<&str>) {
        (&self.name.schema, None)
    }

    fn objects(&self) -> Option<(Object<'_>, Object<'_>)> {
        same(Object::Sequence(&self.name))
    }
});
