//! The file's shape as serde types: what the loader reads and the writer writes.
//!
//! Every mapping denies unknown keys; every optional setting is left out when writing it would
//! say the default. Meaning (names, types, references) is checked later, in `load`.

use std::fmt;
use std::marker::PhantomData;

use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::ordered::OrderedMap;

fn is_false(value: &bool) -> bool {
    !*value
}

/// The whole file.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawFile {
    #[serde(default)]
    pub pgphase: Option<u64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extensions: Vec<RawExtension>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ignore: Option<RawIgnore>,
    #[serde(default, skip_serializing_if = "OrderedMap::is_empty")]
    pub schemas: OrderedMap<RawSchema>,
}

pub type RawExtension = Short<String, RawExtensionFull>;

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawExtensionFull {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawIgnore {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tables: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub schemas: Vec<String>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawSchema {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(default, skip_serializing_if = "OrderedMap::is_empty")]
    pub enums: OrderedMap<RawEnum>,
    #[serde(default, skip_serializing_if = "OrderedMap::is_empty")]
    pub domains: OrderedMap<RawDomain>,
    #[serde(default, skip_serializing_if = "OrderedMap::is_empty")]
    pub composite_types: OrderedMap<RawComposite>,
    #[serde(default, skip_serializing_if = "OrderedMap::is_empty")]
    pub sequences: OrderedMap<RawSequence>,
    #[serde(default, skip_serializing_if = "OrderedMap::is_empty")]
    pub tables: OrderedMap<RawTable>,
    #[serde(default, skip_serializing_if = "OrderedMap::is_empty")]
    pub views: OrderedMap<RawView>,
    #[serde(default, skip_serializing_if = "OrderedMap::is_empty")]
    pub functions: OrderedMap<RawDefinition>,
    #[serde(default, skip_serializing_if = "OrderedMap::is_empty")]
    pub operators: OrderedMap<RawDefinition>,
}

/// `[a, b]` or `{ labels: [a, b], comment: … }`.
pub type RawEnum = Short<Vec<String>, RawEnumFull>;

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawEnumFull {
    pub labels: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawDomain {
    #[serde(rename = "type")]
    pub data_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nullable: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<RawDomainCheck>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawDomainCheck {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub expression: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid: Option<bool>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawComposite {
    pub attributes: OrderedMap<RawAttribute>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// `name: type` or `name: { type, collation }`.
pub type RawAttribute = Short<String, RawAttributeFull>;

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawAttributeFull {
    #[serde(rename = "type")]
    pub data_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawSequence {
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub data_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub increment: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache: Option<i64>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub cycle: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub unlogged: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owned_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawTable {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub unlogged: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
    #[serde(default, skip_serializing_if = "OrderedMap::is_empty")]
    pub columns: OrderedMap<RawColumn>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_key: Option<RawPrimaryKey>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unique: Vec<RawUnique>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub foreign_keys: Vec<RawForeignKey>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<RawCheck>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclusions: Vec<RawExclusion>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub indexes: Vec<RawIndex>,
    #[serde(default, skip_serializing_if = "OrderedMap::is_empty")]
    pub triggers: OrderedMap<RawTrigger>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition_of: Option<RawPartitionOf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row_security: Option<RawRowSecurity>,
}

/// `name: type` or `name: { type, nullable, … }`. The full form is boxed: it is 240 bytes, and
/// every column of the file is held until its table is converted.
pub type RawColumn = Short<String, Box<RawColumnFull>>;

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawColumnFull {
    #[serde(rename = "type")]
    pub data_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nullable: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<Short<RawIdentity, Box<RawIdentityFull>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RawIdentity {
    Always,
    ByDefault,
}

/// `identity: { generated: always, start: 1000, … }`: the identity with its sequence options,
/// named as a sequence's are.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawIdentityFull {
    pub generated: RawIdentity,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub increment: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache: Option<i64>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub cycle: bool,
}

/// `[id]` or `{ name, columns, include, deferrable }`.
pub type RawPrimaryKey = Short<Vec<String>, RawPrimaryKeyFull>;

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawPrimaryKeyFull {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub columns: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<String>,
    #[serde(default, skip_serializing_if = "RawDeferral::is_not_deferrable")]
    pub deferrable: RawDeferral,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawUnique {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub columns: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub nulls_not_distinct: bool,
    #[serde(default, skip_serializing_if = "RawDeferral::is_not_deferrable")]
    pub deferrable: RawDeferral,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawForeignKey {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub columns: Vec<String>,
    pub references: RawReferences,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_delete: Option<RawFkAction>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_update: Option<RawFkAction>,
    #[serde(rename = "match", default, skip_serializing_if = "Option::is_none")]
    pub match_type: Option<RawMatch>,
    #[serde(default, skip_serializing_if = "RawDeferral::is_not_deferrable")]
    pub deferrable: RawDeferral,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid: Option<bool>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawReferences {
    pub table: String,
    pub columns: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RawFkAction {
    NoAction,
    Restrict,
    Cascade,
    SetNull,
    SetDefault,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RawMatch {
    Simple,
    Full,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawCheck {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub expression: String,
    #[serde(default, skip_serializing_if = "is_false")]
    pub no_inherit: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid: Option<bool>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawExclusion {
    /// Required; read as optional so that leaving it out gets its own explanation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub definition: String,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawIndex {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub columns: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expression: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keys: Option<Vec<RawKey>>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub unique: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<String>,
    #[serde(rename = "where", default, skip_serializing_if = "Option::is_none")]
    pub predicate: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub nulls_not_distinct: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub with: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A column name, or `{ column | expression, order, nulls, opclass, collation }`.
pub type RawKey = Short<String, RawKeyFull>;

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawKeyFull {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expression: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<RawOrder>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nulls: Option<RawNulls>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opclass: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RawOrder {
    Asc,
    Desc,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RawNulls {
    First,
    Last,
}

/// A `CREATE TRIGGER` statement, or `{ definition, enabled }`.
pub type RawTrigger = Short<String, RawTriggerFull>;

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawTriggerFull {
    pub definition: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawPartitionOf {
    pub table: String,
    pub bound: String,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawRowSecurity {
    #[serde(default, skip_serializing_if = "is_false")]
    pub enabled: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub forced: bool,
    #[serde(default, skip_serializing_if = "OrderedMap::is_empty")]
    pub policies: OrderedMap<RawPolicy>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawPolicy {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<RawPolicyCommand>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissive: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub using: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with_check: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RawPolicyCommand {
    All,
    Select,
    Insert,
    Update,
    Delete,
}

/// A view's query, or `{ definition, materialized, with, indexes, comment }`.
pub type RawView = Short<String, RawViewFull>;

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawViewFull {
    pub definition: String,
    #[serde(default, skip_serializing_if = "is_false")]
    pub materialized: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub with: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub indexes: Vec<RawIndex>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A function's or operator's `CREATE` statement, or `{ definition, comment }`.
pub type RawDefinition = Short<String, RawDefinitionFull>;

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawDefinitionFull {
    pub definition: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// `deferrable: false | true | initially_deferred`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RawDeferral {
    #[default]
    No,
    InitiallyImmediate,
    InitiallyDeferred,
}

impl RawDeferral {
    #[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
    pub fn is_not_deferrable(&self) -> bool {
        *self == Self::No
    }
}

impl Serialize for RawDeferral {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::No => serializer.serialize_bool(false),
            Self::InitiallyImmediate => serializer.serialize_bool(true),
            Self::InitiallyDeferred => serializer.serialize_str("initially_deferred"),
        }
    }
}

impl<'de> Deserialize<'de> for RawDeferral {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(DeferralVisitor)
    }
}

struct DeferralVisitor;

impl Visitor<'_> for DeferralVisitor {
    type Value = RawDeferral;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("`false`, `true` or `initially_deferred`")
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<RawDeferral, E> {
        Ok(if value {
            RawDeferral::InitiallyImmediate
        } else {
            RawDeferral::No
        })
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<RawDeferral, E> {
        match value {
            "initially_deferred" => Ok(RawDeferral::InitiallyDeferred),
            _ => Err(E::unknown_variant(
                value,
                &["false", "true", "initially_deferred"],
            )),
        }
    }
}

/// A setting written either short (a string or a list) or as a full mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Short<S, F> {
    Short(S),
    Full(F),
}

impl<S: Serialize, F: Serialize> Serialize for Short<S, F> {
    fn serialize<Ser: Serializer>(&self, serializer: Ser) -> Result<Ser::Ok, Ser::Error> {
        match self {
            Self::Short(short) => short.serialize(serializer),
            Self::Full(full) => full.serialize(serializer),
        }
    }
}

/// What a short form may be: text, or a list.
pub trait ShortForm: Sized {
    const EXPECTING: &'static str;
    fn from_str<E: de::Error>(_value: &str) -> Result<Self, E> {
        Err(E::invalid_type(
            de::Unexpected::Str(_value),
            &Self::EXPECTING,
        ))
    }
    fn from_seq<'de, A: SeqAccess<'de>>(seq: A) -> Result<Self, A::Error> {
        let _ = seq;
        Err(de::Error::invalid_type(
            de::Unexpected::Seq,
            &Self::EXPECTING,
        ))
    }
}

impl ShortForm for String {
    const EXPECTING: &'static str = "text or a mapping";
    fn from_str<E: de::Error>(value: &str) -> Result<Self, E> {
        Ok(value.to_owned())
    }
}

impl ShortForm for RawIdentity {
    const EXPECTING: &'static str = "`always`, `by_default` or a mapping";
    fn from_str<E: de::Error>(value: &str) -> Result<Self, E> {
        Self::deserialize(de::value::StrDeserializer::<E>::new(value))
    }
}

impl ShortForm for Vec<String> {
    const EXPECTING: &'static str = "a list or a mapping";
    fn from_seq<'de, A: SeqAccess<'de>>(seq: A) -> Result<Self, A::Error> {
        Vec::deserialize(SeqAccessDeserializer::new(seq))
    }
}

impl<'de, S: ShortForm, F: Deserialize<'de>> Deserialize<'de> for Short<S, F> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ShortVisitor(PhantomData))
    }
}

struct ShortVisitor<S, F>(PhantomData<(S, F)>);

impl<'de, S: ShortForm, F: Deserialize<'de>> Visitor<'de> for ShortVisitor<S, F> {
    type Value = Short<S, F>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(S::EXPECTING)
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
        S::from_str(value).map(Short::Short)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        S::from_seq(seq).map(Short::Short)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        F::deserialize(MapAccessDeserializer::new(map)).map(Short::Full)
    }
}
