//! User types: enums, domains, composite types.

use serde::Serialize;

use crate::ddl::object::Object;
use crate::schema::model::{Enum, TableRef};

use super::{QualifiedName, TypeDefinition, same};

/// A new enum, domain or composite type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CreateType {
    pub name: QualifiedName,
    pub definition: TypeDefinition,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DropType {
    pub name: QualifiedName,
    pub definition: TypeDefinition,
}

/// A label added to an existing enum; `before` is the label it goes in front of, `None` for
/// the end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AddEnumValue {
    pub name: QualifiedName,
    pub value: String,
    pub before: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RenameEnumValue {
    pub name: QualifiedName,
    pub from: String,
    pub to: String,
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

subject_for!(CreateType, DropType, AddEnumValue, RenameEnumValue, ReplaceEnum => {
    fn object(&self) -> String {
        self.name.to_string()
    }

    fn location(&self) -> (&str, Option<&str>) {
        (&self.name.schema, None)
    }

    fn objects(&self) -> Option<(Object<'_>, Object<'_>)> {
        same(Object::Type(&self.name))
    }
});
