//! Functions and procedures.

use serde::Serialize;

use crate::ddl::object::Object;
use crate::schema::model::Function;

use super::same;

/// `key` is the function's key in the model: `name(identity arguments)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CreateFunction {
    pub schema: String,
    pub key: String,
    pub function: Function,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DropFunction {
    pub schema: String,
    pub key: String,
    pub function: Function,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReplaceFunction {
    pub schema: String,
    pub key: String,
    pub from: Function,
    pub to: Function,
}

subject_for!(CreateFunction, DropFunction, ReplaceFunction => {
    fn object(&self) -> String {
        format!("{}.{}", self.schema, self.key)
    }

    fn location(&self) -> (&str, Option<&str>) {
        (&self.schema, None)
    }

    fn objects(&self) -> Option<(Object<'_>, Object<'_>)> {
        same(Object::Function {
            schema: &self.schema,
            key: &self.key,
        })
    }
});
