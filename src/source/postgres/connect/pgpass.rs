//! The password file (`~/.pgpass`, or `PGPASSFILE`): lines of
//! `host:port:database:user:password`, read and matched as libpq does.
//!
//! - `*` as a whole field matches anything; `\:` and `\\` stand for `:` and `\` (a backslash
//!   takes any next character literally); the password ends at the first unescaped `:`.
//! - Lines starting with `#`, and lines with fewer than five fields, are skipped.
//! - The first matching line wins.
//! - A unix-socket connection matches its socket directory literally, and also `localhost` when
//!   the directory is a default one (`/var/run/postgresql` or `/tmp`), as libpq treats its
//!   default socket directory.
//! - Like libpq, a file with group or world permissions (looser than 0600), or that is not a
//!   plain file, is ignored; the reason is returned so the caller can tell the user.

use std::fmt;
use std::path::Path;

use super::settings::{DEFAULT_SOCKET_DIRS, Host};

/// What became of the password file.
#[derive(Debug)]
pub(super) enum PassFileState {
    /// There is no file (or no path to look at).
    Absent,
    /// The file exists but is not used, for this reason.
    Ignored(String),
    Loaded(PassFile),
}

/// The parsed lines of a password file.
#[derive(Debug, Default)]
pub(super) struct PassFile {
    entries: Vec<Entry>,
}

/// One usable line.
struct Entry {
    host: Field,
    port: Field,
    database: Field,
    user: Field,
    password: String,
    line: usize,
}

impl fmt::Debug for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Entry {{ line: {}, password: <hidden> }}", self.line)
    }
}

/// One match field: `*` or an exact text.
#[derive(Debug, PartialEq, Eq)]
enum Field {
    Any,
    Exact(String),
}

impl Field {
    fn matches(&self, value: &str) -> bool {
        match self {
            Field::Any => true,
            Field::Exact(text) => text == value,
        }
    }
}

/// The password found for a connection, with the line it came from.
#[derive(PartialEq, Eq)]
pub(super) struct Found {
    pub password: String,
    pub line: usize,
}

impl fmt::Debug for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Found {{ line: {}, password: <hidden> }}", self.line)
    }
}

/// Reads the password file at `path`, checking its permissions first.
pub(super) fn load(path: &Path) -> PassFileState {
    let metadata = match std::fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return PassFileState::Absent,
        Err(error) => {
            return PassFileState::Ignored(format!(
                "cannot read password file {}: {error}",
                path.display()
            ));
        }
    };
    if let Some(reason) = unsafe_permissions(path, &metadata) {
        return PassFileState::Ignored(reason);
    }
    match std::fs::read_to_string(path) {
        Ok(text) => PassFileState::Loaded(parse(&text)),
        Err(error) => PassFileState::Ignored(format!(
            "cannot read password file {}: {error}",
            path.display()
        )),
    }
}

#[cfg(unix)]
fn unsafe_permissions(path: &Path, metadata: &std::fs::Metadata) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    if !metadata.is_file() {
        return Some(format!(
            "password file {} is not a plain file",
            path.display()
        ));
    }
    (metadata.permissions().mode() & 0o077 != 0).then(|| {
        format!(
            "password file {} has group or world access; permissions should be u=rw (0600) or less",
            path.display()
        )
    })
}

#[cfg(not(unix))]
fn unsafe_permissions(path: &Path, metadata: &std::fs::Metadata) -> Option<String> {
    (!metadata.is_file()).then(|| format!("password file {} is not a plain file", path.display()))
}

/// Parses the text of a password file.
pub(super) fn parse(text: &str) -> PassFile {
    let entries = text
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.is_empty() && !line.starts_with('#'))
        .filter_map(|(index, line)| parse_line(line, index + 1))
        .collect();
    PassFile { entries }
}

fn parse_line(line: &str, number: usize) -> Option<Entry> {
    let mut chars = line.chars();
    let host = read_field(&mut chars)?;
    let port = read_field(&mut chars)?;
    let database = read_field(&mut chars)?;
    let user = read_field(&mut chars)?;
    let (password, _) = read_text(&mut chars);
    Some(Entry {
        host,
        port,
        database,
        user,
        password,
        line: number,
    })
}

/// One `:`-terminated field; `None` when the line ends before its colon.
fn read_field(chars: &mut std::str::Chars<'_>) -> Option<Field> {
    let raw = chars.as_str();
    let (text, ended_by_colon) = read_text(chars);
    if !ended_by_colon {
        return None;
    }
    // Only an unescaped lone `*` is the wildcard; `\*` is a literal star.
    Some(if raw.starts_with("*:") {
        Field::Any
    } else {
        Field::Exact(text)
    })
}

/// Text up to the next unescaped `:`, unescaped; and whether a `:` ended it.
fn read_text(chars: &mut std::str::Chars<'_>) -> (String, bool) {
    let mut text = String::new();
    while let Some(ch) = chars.next() {
        match ch {
            ':' => return (text, true),
            '\\' => text.push(chars.next().unwrap_or('\\')),
            c => text.push(c),
        }
    }
    (text, false)
}

impl PassFile {
    /// The password of the first line matching this connection.
    pub(super) fn find(&self, host: &Host, port: u16, database: &str, user: &str) -> Option<Found> {
        let names = host_names(host);
        let port = port.to_string();
        self.entries
            .iter()
            .find(|entry| {
                names.iter().any(|name| entry.host.matches(name))
                    && entry.port.matches(&port)
                    && entry.database.matches(database)
                    && entry.user.matches(user)
            })
            .map(|entry| Found {
                password: entry.password.clone(),
                line: entry.line,
            })
    }
}

/// The names a host goes by in the password file.
fn host_names(host: &Host) -> Vec<String> {
    match host {
        Host::Tcp(name) => vec![name.clone()],
        Host::Socket(dir) => {
            let path = dir.to_string_lossy().into_owned();
            let is_default = DEFAULT_SOCKET_DIRS
                .iter()
                .any(|default| Path::new(default) == dir.as_path());
            if is_default {
                vec![path, "localhost".to_owned()]
            } else {
                vec![path]
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::path::PathBuf;

    use super::*;

    fn tcp(name: &str) -> Host {
        Host::Tcp(name.to_owned())
    }

    fn socket(dir: &str) -> Host {
        Host::Socket(PathBuf::from(dir))
    }

    fn password(
        file: &PassFile,
        host: &Host,
        port: u16,
        database: &str,
        user: &str,
    ) -> Option<(String, usize)> {
        file.find(host, port, database, user)
            .map(|found| (found.password, found.line))
    }

    #[test]
    fn first_matching_line_wins() {
        let file = parse("db1:5432:app:alice:first\n*:*:*:alice:second\n*:*:*:*:third\n");
        assert_eq!(
            password(&file, &tcp("db1"), 5432, "app", "alice"),
            Some(("first".to_owned(), 1))
        );
        assert_eq!(
            password(&file, &tcp("db1"), 5433, "app", "alice"),
            Some(("second".to_owned(), 2))
        );
        assert_eq!(
            password(&file, &tcp("db2"), 5432, "other", "bob"),
            Some(("third".to_owned(), 3))
        );
    }

    #[test]
    fn every_field_must_match() {
        let file = parse("db1:5432:app:alice:pw\n");
        assert_eq!(password(&file, &tcp("db2"), 5432, "app", "alice"), None);
        assert_eq!(password(&file, &tcp("db1"), 6432, "app", "alice"), None);
        assert_eq!(password(&file, &tcp("db1"), 5432, "other", "alice"), None);
        assert_eq!(password(&file, &tcp("db1"), 5432, "app", "bob"), None);
    }

    #[test]
    fn escapes_in_fields_and_password() {
        let file = parse(r"db\:1:5432:we\\ird:alice:pa\:ss\\word:ignored-after-colon");
        assert_eq!(
            password(&file, &tcp("db:1"), 5432, r"we\ird", "alice"),
            Some((r"pa:ss\word".to_owned(), 1))
        );
    }

    #[test]
    fn escaped_star_is_literal() {
        let file = parse("\\*:*:*:*:literal\n");
        assert_eq!(password(&file, &tcp("db1"), 5432, "app", "alice"), None);
        assert_eq!(
            password(&file, &tcp("*"), 5432, "app", "alice"),
            Some(("literal".to_owned(), 1))
        );
    }

    #[test]
    fn comments_short_lines_and_crlf_are_handled() {
        let file =
            parse("# comment:*:*:*:nope\r\n*:*:*:missing-password-field\r\n\r\n*:*:*:*:pw\r\n");
        assert_eq!(
            password(&file, &tcp("h"), 5432, "d", "u"),
            Some(("pw".to_owned(), 4))
        );
    }

    #[test]
    fn localhost_matches_default_socket_directories_only() {
        let file = parse("localhost:5432:*:*:local\n/work/devpg:*:*:*:custom\n");
        assert_eq!(
            password(&file, &socket("/var/run/postgresql"), 5432, "d", "u"),
            Some(("local".to_owned(), 1))
        );
        assert_eq!(
            password(&file, &socket("/tmp"), 5432, "d", "u"),
            Some(("local".to_owned(), 1))
        );
        assert_eq!(
            password(&file, &tcp("localhost"), 5432, "d", "u"),
            Some(("local".to_owned(), 1))
        );
        assert_eq!(
            password(&file, &socket("/work/devpg"), 5432, "d", "u"),
            Some(("custom".to_owned(), 2))
        );
        assert_eq!(password(&file, &socket("/srv/pg"), 5432, "d", "u"), None);
    }

    #[test]
    fn debug_output_hides_passwords() {
        let file = parse("*:*:*:*:hunter2-secret\n");
        assert!(!format!("{file:?}").contains("hunter2"));
        let found = file.find(&tcp("h"), 1, "d", "u").unwrap();
        assert!(!format!("{found:?}").contains("hunter2"));
    }

    #[cfg(unix)]
    #[test]
    fn loose_permissions_make_the_file_ignored() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pgpass");
        std::fs::write(&path, "*:*:*:*:pw\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        match load(&path) {
            PassFileState::Ignored(reason) => assert_eq!(
                reason,
                format!(
                    "password file {} has group or world access; permissions should be u=rw (0600) or less",
                    path.display()
                )
            ),
            other => panic!("expected the file to be ignored, got {other:?}"),
        }
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert!(matches!(load(&path), PassFileState::Loaded(file) if file.entries.len() == 1));
        assert!(matches!(
            load(&dir.path().join("none")),
            PassFileState::Absent
        ));
        assert!(
            matches!(load(dir.path()), PassFileState::Ignored(reason) if reason.ends_with("is not a plain file"))
        );
    }
}
