//! `assets/pgphase.schema.json` against the example files: it accepts every valid file (and
//! every snapshot pgphase writes of them), rejects the invalid files whose mistake is one of
//! shape (an unknown key, a wrong value type, a value outside an enumeration, a missing key), and
//! cannot see the mistakes of meaning (an unknown column, type or table; conflicting settings),
//! which only the loader finds.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs;
use std::path::{Path, PathBuf};

use pgphase::source::yaml::{parse, write_desired};
use serde_json::Value;

/// Invalid files the JSON Schema rejects: their mistake is in the file's shape.
const SHAPE_ERRORS: &[&str] = &[
    "column_key_typo",
    "duplicate_enum_label",
    "empty_file",
    "exclusion_without_name",
    "index_without_keys",
    "invalid_deferrable",
    "invalid_identity",
    "invalid_on_delete",
    "missing_column_type",
    "missing_version",
    "table_key_typo",
    "top_level_key_typo",
    "unknown_policy_command",
    "wrong_value_type",
    "wrong_version",
];

/// Invalid files the JSON Schema accepts: their mistake is one of meaning, beyond a schema.
const MEANING_ERRORS: &[&str] = &[
    "duplicate_index_name",
    "fk_column_count",
    "fk_unknown_table",
    "generated_with_default",
    "identity_with_default",
    "index_unknown_column",
    "nullable_primary_key",
    "pk_unknown_column",
    "unknown_type",
    "unknown_type_shorthand",
];

/// Invalid files that are not YAML a schema can be applied to (or whose mistake, a repeated
/// key, disappears when the YAML becomes a JSON value).
const NOT_APPLICABLE: &[&str] = &[
    "duplicate_column",
    "duplicate_struct_key",
    "syntax_error",
    "tab_indentation",
];

fn validator() -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/pgphase.schema.json");
    let schema: Value = serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

fn yaml_files(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/yaml")
        .join(dir);
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

fn stem(path: &Path) -> String {
    path.file_stem().unwrap().to_string_lossy().into_owned()
}

fn as_json(text: &str) -> Result<Value, serde_norway::Error> {
    serde_norway::from_str(text)
}

fn problems(validator: &jsonschema::Validator, value: &Value) -> Vec<String> {
    validator
        .iter_errors(value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn the_schema_accepts_every_valid_file_and_every_snapshot() {
    let validator = validator();
    for path in yaml_files("valid") {
        let text = fs::read_to_string(&path).unwrap();
        let value = as_json(&text).unwrap();
        assert!(
            validator.is_valid(&value),
            "{}: {:?}",
            path.display(),
            problems(&validator, &value)
        );
        let written = write_desired(&parse(&text, "x").unwrap());
        let value = as_json(&written).unwrap();
        assert!(
            validator.is_valid(&value),
            "{} written back: {:?}\n{written}",
            path.display(),
            problems(&validator, &value)
        );
    }
}

#[test]
fn the_schema_rejects_mistakes_of_shape_and_cannot_see_mistakes_of_meaning() {
    let validator = validator();
    for path in yaml_files("invalid") {
        let name = stem(&path);
        let text = fs::read_to_string(&path).unwrap();
        assert!(parse(&text, "x").is_err(), "{name} should not load");
        if SHAPE_ERRORS.contains(&name.as_str()) {
            let value = as_json(&text).unwrap_or(Value::Null);
            assert!(
                !validator.is_valid(&value),
                "the schema should reject {name}"
            );
        } else if MEANING_ERRORS.contains(&name.as_str()) {
            let value = as_json(&text).unwrap();
            assert!(
                validator.is_valid(&value),
                "{name} is well-shaped: {:?}",
                problems(&validator, &value)
            );
        } else {
            assert!(
                NOT_APPLICABLE.contains(&name.as_str()),
                "classify {name} in tests/yaml_schema.rs"
            );
        }
    }
}
