//! Schemas and extensions.

use serde::Serialize;

use crate::ddl::object::Object;
use crate::schema::model::Extension;

use super::{Subject, same};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CreateSchema {
    pub schema: String,
}

impl Subject for CreateSchema {
    fn object(&self) -> String {
        self.schema.clone()
    }

    fn location(&self) -> (&str, Option<&str>) {
        (&self.schema, None)
    }

    fn objects(&self) -> Option<(Object<'_>, Object<'_>)> {
        same(Object::Schema(&self.schema))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DropSchema {
    pub schema: String,
}

impl Subject for DropSchema {
    fn object(&self) -> String {
        self.schema.clone()
    }

    fn location(&self) -> (&str, Option<&str>) {
        (&self.schema, None)
    }

    fn objects(&self) -> Option<(Object<'_>, Object<'_>)> {
        same(Object::Schema(&self.schema))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CreateExtension {
    pub name: String,
    pub extension: Extension,
}

impl Subject for CreateExtension {
    fn object(&self) -> String {
        format!("extension {}", self.name)
    }

    fn location(&self) -> (&str, Option<&str>) {
        (&self.extension.schema, None)
    }

    fn objects(&self) -> Option<(Object<'_>, Object<'_>)> {
        same(Object::Extension(&self.name))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DropExtension {
    pub name: String,
    pub extension: Extension,
}

impl Subject for DropExtension {
    fn object(&self) -> String {
        format!("extension {}", self.name)
    }

    fn location(&self) -> (&str, Option<&str>) {
        (&self.extension.schema, None)
    }

    fn objects(&self) -> Option<(Object<'_>, Object<'_>)> {
        same(Object::Extension(&self.name))
    }
}
