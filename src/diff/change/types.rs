//! User types: enums, domains, composite types.

use serde::Serialize;

use crate::ddl::object::Object;
use crate::schema::model::{Enum, TableRef};

use super::{QualifiedName, Subject, TypeDefinition, same};

/// A new enum, domain or composite type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CreateType {
    pub name: QualifiedName,
    pub definition: TypeDefinition,
}

impl Subject for CreateType {
    fn object(&self) -> String {
        self.name.to_string()
    }

    fn location(&self) -> (&str, Option<&str>) {
        (&self.name.schema, None)
    }

    fn objects(&self) -> Option<(Object<'_>, Object<'_>)> {
        same(Object::Type(&self.name))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DropType {
    pub name: QualifiedName,
    pub definition: TypeDefinition,
}

impl Subject for DropType {
    fn object(&self) -> String {
        self.name.to_string()
    }

    fn location(&self) -> (&str, Option<&str>) {
        (&self.name.schema, None)
    }

    fn objects(&self) -> Option<(Object<'_>, Object<'_>)> {
        same(Object::Type(&self.name))
    }
}

/// A label added to an existing enum; `before` is the label it goes in front of, `None` for
/// the end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AddEnumValue {
    pub name: QualifiedName,
    pub value: String,
    pub before: Option<String>,
}

impl Subject for AddEnumValue {
    fn object(&self) -> String {
        self.name.to_string()
    }

    fn location(&self) -> (&str, Option<&str>) {
        (&self.name.schema, None)
    }

    fn objects(&self) -> Option<(Object<'_>, Object<'_>)> {
        same(Object::Type(&self.name))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RenameEnumValue {
    pub name: QualifiedName,
    pub from: String,
    pub to: String,
}

impl Subject for RenameEnumValue {
    fn object(&self) -> String {
        self.name.to_string()
    }

    fn location(&self) -> (&str, Option<&str>) {
        (&self.name.schema, None)
    }

    fn objects(&self) -> Option<(Object<'_>, Object<'_>)> {
        same(Object::Type(&self.name))
    }
}

/// Labels removed or reordered: the type must be replaced, and every column using it
/// rewritten.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReplaceEnum {
    pub name: QualifiedName,
    pub from: Enum,
    pub to: Enum,
    /// The columns (table, column) whose type is this enum, sorted.
    pub columns: Vec<(TableRef, String)>,
}

impl Subject for ReplaceEnum {
    fn object(&self) -> String {
        self.name.to_string()
    }

    fn location(&self) -> (&str, Option<&str>) {
        (&self.name.schema, None)
    }

    fn objects(&self) -> Option<(Object<'_>, Object<'_>)> {
        same(Object::Type(&self.name))
    }
}
