//! Where connection defaults come from: the process environment, or a map standing in for it.

use std::collections::BTreeMap;
use std::path::PathBuf;

/// The environment that connection defaults are read from (`PGHOST`, `PGUSER`, the home
/// directory…). The binary uses [`SystemEnv`]; tests use a map, so they never depend on the
/// variables of the machine they run on.
pub trait Env {
    /// The value of an environment variable, if it is set and valid Unicode.
    fn var(&self, name: &str) -> Option<String>;
    /// The user's home directory, where `.pgpass` and `.postgresql/root.crt` live by default.
    fn home_dir(&self) -> Option<PathBuf>;
}

/// The real process environment.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemEnv;

impl Env for SystemEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }

    fn home_dir(&self) -> Option<PathBuf> {
        std::env::home_dir()
    }
}

/// A map of variable names to values; `HOME` in the map is the home directory.
impl Env for BTreeMap<String, String> {
    fn var(&self, name: &str) -> Option<String> {
        self.get(name).cloned()
    }

    fn home_dir(&self) -> Option<PathBuf> {
        self.get("HOME").map(PathBuf::from)
    }
}
