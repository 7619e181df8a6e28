//! The desired-schema files under `tests/yaml/`: every file in `valid/` loads (and survives a
//! write and a second load unchanged); every file in `invalid/` fails with exactly the text of
//! its `.expected` file. `PGPHASE_BLESS=1` rewrites the `.expected` files from the actual errors.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs;
use std::path::{Path, PathBuf};

use pgphase::source::yaml::{load, parse, write_desired};

fn yaml_files(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/yaml")
        .join(dir);
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

fn file_name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

#[test]
fn valid_files_load_and_survive_a_round_trip() {
    let files = yaml_files("valid");
    assert!(
        files.len() >= 4,
        "expected the valid examples, found {files:?}"
    );
    for path in files {
        let name = file_name(&path);
        let text = fs::read_to_string(&path).unwrap();
        let desired = parse(&text, &name).unwrap_or_else(|e| panic!("{name} should load:\n{e}"));
        let written = write_desired(&desired);
        let again = parse(&written, "written.yaml")
            .unwrap_or_else(|e| panic!("{name} written back does not load:\n{e}\n---\n{written}"));
        assert_eq!(
            again, desired,
            "{name}: written back and read again differs\n---\n{written}"
        );
    }
}

/// A file loaded from the disk gives what its text gives: the same schema, or the same error in
/// the same place.
#[test]
fn files_read_from_disk_give_what_their_text_gives() {
    for path in yaml_files("valid").into_iter().chain(yaml_files("invalid")) {
        let text = fs::read_to_string(&path).unwrap();
        let name = path.display().to_string();
        match (load(&path), parse(&text, &name)) {
            (Ok(from_disk), Ok(from_text)) => assert_eq!(from_disk, from_text, "{name}"),
            (Err(from_disk), Err(from_text)) => {
                assert_eq!(from_disk.to_string(), from_text.to_string(), "{name}");
            }
            (from_disk, from_text) => {
                panic!("{name}: from the disk {from_disk:?}, from the text {from_text:?}")
            }
        }
    }
}

#[test]
fn invalid_files_fail_with_the_expected_message() {
    let bless = std::env::var("PGPHASE_BLESS").is_ok_and(|v| v == "1");
    let files = yaml_files("invalid");
    assert!(
        files.len() >= 15,
        "expected at least 15 invalid examples, found {}",
        files.len()
    );
    let mut mismatches = Vec::new();
    for path in files {
        let name = file_name(&path);
        let text = fs::read_to_string(&path).unwrap();
        let actual = match parse(&text, &name) {
            Ok(_) => format!("(no error: {name} loaded)"),
            Err(error) => error.to_string(),
        };
        let expected_path = path.with_extension("expected");
        if bless {
            fs::write(&expected_path, format!("{actual}\n")).unwrap();
            continue;
        }
        let expected = fs::read_to_string(&expected_path).unwrap_or_default();
        if expected.trim_end_matches('\n') != actual {
            mismatches.push(format!("{name}:\n{}", diff(&expected, &actual)));
        }
    }
    assert!(
        mismatches.is_empty(),
        "error text differs (PGPHASE_BLESS=1 rewrites the .expected files):\n\n{}",
        mismatches.join("\n")
    );
}

/// A line diff: `-` expected, `+` actual, ` ` both.
fn diff(expected: &str, actual: &str) -> String {
    let expected: Vec<&str> = expected.lines().collect();
    let actual: Vec<&str> = actual.lines().collect();
    let mut out = String::new();
    for i in 0..expected.len().max(actual.len()) {
        match (expected.get(i), actual.get(i)) {
            (Some(e), Some(a)) if e == a => out.push_str(&format!("  {e}\n")),
            (e, a) => {
                if let Some(e) = e {
                    out.push_str(&format!("- {e}\n"));
                }
                if let Some(a) = a {
                    out.push_str(&format!("+ {a}\n"));
                }
            }
        }
    }
    out
}
