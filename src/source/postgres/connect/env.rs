//! Where connection defaults come from: the process environment, or a map standing in for it.

use std::collections::BTreeMap;
use std::path::PathBuf;

/// The environment that connection defaults are read from (`PGHOST`, `PGUSER`, the home
/// directory…). The binary uses [`SystemEnv`]; tests use a map, so they never depend on the
/// variables of the machine they run on.
pub trait Env: Sync {
    /// The value of an environment variable, if it is set and valid Unicode.
    fn var(&self, name: &str) -> Option<String>;
    /// The user's home directory, where `.pgpass` and `.postgresql/root.crt` live by default.
    fn home_dir(&self) -> Option<PathBuf>;
    /// The operating-system user running pgphase: libpq's last default for the user name, for
    /// environments (services, containers) where neither `USER` nor `LOGNAME` is set.
    fn os_user(&self) -> Option<String> {
        None
    }
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

    fn os_user(&self) -> Option<String> {
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        let uid = status
            .lines()
            .find_map(|l| l.strip_prefix("Uid:"))?
            .split_whitespace()
            .next()?
            .to_owned();
        user_name_for_uid(&std::fs::read_to_string("/etc/passwd").ok()?, &uid)
    }
}

/// The name of `uid` in a `passwd` file's text.
fn user_name_for_uid(passwd: &str, uid: &str) -> Option<String> {
    passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        (fields.nth(1)? == uid).then(|| name.to_owned())
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uid_is_looked_up_in_passwd() {
        let passwd =
            "root:x:0:0:root:/root:/bin/bash\npostgres:x:101:104::/var/lib/postgresql:/bin/sh\n";
        assert_eq!(
            user_name_for_uid(passwd, "101").as_deref(),
            Some("postgres")
        );
        assert_eq!(user_name_for_uid(passwd, "0").as_deref(), Some("root"));
        assert_eq!(user_name_for_uid(passwd, "7"), None);
    }
}
