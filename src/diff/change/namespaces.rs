//! Schemas and extensions.

use serde::Serialize;

use crate::ddl::object::Object;
use crate::schema::model::Extension;

use super::same;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CreateSchema {
    pub schema: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DropSchema {
    pub schema: String,
}

subject_for!(CreateSchema, DropSchema => {
    fn object(&self) -> String {
        self.schema.clone()
    }

    fn location(&self) -> (&str, Option<&str>) {
        (&self.schema, None)
    }

    fn objects(&self) -> Option<(Object<'_>, Object<'_>)> {
        same(Object::Schema(&self.schema))
    }
});

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CreateExtension {
    pub name: String,
    pub extension: Extension,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DropExtension {
    pub name: String,
    pub extension: Extension,
}

subject_for!(CreateExtension, DropExtension => {
    fn object(&self) -> String {
        format!("extension {}", self.name)
    }

    fn location(&self) -> (&str, Option<&str>) {
        (&self.extension.schema, None)
    }

    fn objects(&self) -> Option<(Object<'_>, Object<'_>)> {
        same(Object::Extension(&self.name))
    }
});
