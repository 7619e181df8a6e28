//! A throwaway local PostgreSQL cluster: `initdb` into a temporary directory, `postgres` on a unix
//! socket in that directory and a free loopback port, durability off because nothing here is worth
//! keeping. The tests, `pgphase demo` and scratch databases use it; it never touches a server it
//! did not start.
//!
//! PostgreSQL refuses to run as root, so when pgphase runs as root the server runs as the
//! `postgres` user (through `runuser`), and the directory is handed to that user.

use std::fs;
use std::net::TcpListener;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The user the server runs as when pgphase itself runs as root.
const SERVICE_USER: &str = "postgres";
/// The cluster's superuser name. `postgres` is what most schema dumps expect to exist.
pub const SUPERUSER: &str = "postgres";

/// Why a throwaway cluster could not be started or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error(
        "PostgreSQL server programs (initdb, pg_ctl, postgres) were not found on PATH or in `pg_config --bindir`; install the PostgreSQL server (on Debian or Ubuntu: apt-get install postgresql)"
    )]
    BinariesNotFound,
    #[error(
        "running as root, but there is no `{SERVICE_USER}` user to run PostgreSQL as (PostgreSQL refuses to run as root): create it, or run pgphase as an ordinary user"
    )]
    NoServiceUser,
    #[error("{action} failed: {detail}")]
    Command { action: String, detail: String },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// How to set up a cluster beyond the defaults.
#[derive(Debug, Clone, Default)]
pub struct ClusterOptions {
    /// `pg_hba.conf` lines placed before the default `trust` lines.
    pub hba_lines: Vec<String>,
    /// Extra `postgresql.conf` settings, `name = value`.
    pub settings: Vec<String>,
    /// Stop the server and delete the directory as soon as this process exits, even if it is
    /// killed or panics (a small watchdog shell process polls for it).
    pub stop_with_this_process: bool,
}

/// A running throwaway cluster. Dropping it stops the server and deletes its directory.
#[derive(Debug)]
pub struct TempCluster {
    dir: Option<tempfile::TempDir>,
    bin_dir: PathBuf,
    run_as: Option<&'static str>,
    port: u16,
}

impl TempCluster {
    /// Creates and starts a cluster. Blocking: run it on a blocking thread in async code.
    ///
    /// # Errors
    /// [`ClusterError`] when the binaries are missing, or `initdb` or the server fail.
    pub fn start(options: &ClusterOptions) -> Result<Self, ClusterError> {
        let bin_dir = find_bin_dir()?;
        let run_as = if running_as_root()? {
            Some(service_user()?)
        } else {
            None
        };
        let dir = tempfile::Builder::new()
            .prefix("pgphase-pg-")
            .tempdir()
            .map_err(|source| ClusterError::Io {
                path: std::env::temp_dir(),
                source,
            })?;
        let mut cluster = Self {
            dir: Some(dir),
            bin_dir,
            run_as,
            port: 0,
        };
        cluster.init(options)?;
        cluster.launch(options)?;
        if options.stop_with_this_process {
            cluster.spawn_watchdog()?;
        }
        Ok(cluster)
    }

    /// The directory holding the unix socket (use it as the host).
    #[must_use]
    pub fn socket_dir(&self) -> &Path {
        self.dir
            .as_ref()
            .map_or_else(|| Path::new("/nonexistent"), tempfile::TempDir::path)
    }

    /// The TCP port on 127.0.0.1 (the unix socket uses the same number).
    #[must_use]
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A connection URL for `database` as the superuser, over the unix socket.
    #[must_use]
    pub fn url(&self, database: &str) -> String {
        format!(
            "postgresql://{SUPERUSER}@{}:{}/{database}",
            percent_encode(&self.socket_dir().to_string_lossy()),
            self.port
        )
    }

    /// The directory of the PostgreSQL programs in use (`psql`, `pg_dump` are usually there too).
    #[must_use]
    pub fn bin_dir(&self) -> &Path {
        &self.bin_dir
    }

    /// Stops the server and deletes the directory.
    ///
    /// # Errors
    /// [`ClusterError`] when `pg_ctl stop` fails; the directory is deleted anyway.
    pub fn stop(mut self) -> Result<(), ClusterError> {
        self.shutdown()
    }

    fn data_dir(&self) -> PathBuf {
        self.socket_dir().join("data")
    }

    fn init(&self, options: &ClusterOptions) -> Result<(), ClusterError> {
        if let Some(user) = self.run_as {
            hand_over(self.socket_dir(), user)?;
        }
        let data = self.data_dir();
        let data = data.to_string_lossy();
        self.run(
            "initdb",
            &[
                "-D",
                &data,
                "-U",
                SUPERUSER,
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ],
        )?;
        let hba = self.data_dir().join("pg_hba.conf");
        let defaults = read(&hba)?;
        let mut lines = options.hba_lines.join("\n");
        lines.push('\n');
        write(&hba, &(lines + &defaults))
    }

    fn launch(&mut self, options: &ClusterOptions) -> Result<(), ClusterError> {
        let conf = self.data_dir().join("postgresql.conf");
        let base = read(&conf)?;
        let mut last_error = None;
        // A free port can be taken between choosing it and binding it: try a few.
        for _ in 0..3 {
            self.port = free_port()?;
            let settings = server_settings(self.socket_dir(), self.port, &options.settings);
            write(&conf, &format!("{base}\n{settings}"))?;
            let data = self.data_dir();
            let log = self.socket_dir().join("server.log");
            let args = [
                "-D",
                &*data.to_string_lossy(),
                "-l",
                &*log.to_string_lossy(),
                "-w",
                "-t",
                "60",
                "start",
            ];
            match self.run("pg_ctl", &args) {
                Ok(()) => return Ok(()),
                Err(error) => last_error = Some(error),
            }
        }
        Err(last_error.unwrap_or_else(|| command_error("pg_ctl start", "no attempt made")))
    }

    /// Starts `sh` polling this process; when it is gone, the server is stopped and the
    /// directory removed, so a killed test run or demo leaves nothing behind.
    fn spawn_watchdog(&self) -> Result<(), ClusterError> {
        let stop = self.command_line(
            "pg_ctl",
            &[
                "-D",
                &self.data_dir().to_string_lossy(),
                "-m",
                "immediate",
                "stop",
            ],
        );
        // The watchdog ignores hang-ups and interrupts: closing the terminal or pressing
        // Ctrl-C signals the whole process group, and it must outlive this process to clean up.
        let script = format!(
            "trap '' HUP INT; while kill -0 {pid} 2>/dev/null; do sleep 1; done; {stop} >/dev/null 2>&1; rm -rf {dir}",
            pid = std::process::id(),
            dir = shell_quote(&self.socket_dir().to_string_lossy()),
        );
        Command::new("sh")
            .args(["-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map(drop)
            .map_err(|e| command_error("starting the cleanup watchdog", &e.to_string()))
    }

    fn shutdown(&mut self) -> Result<(), ClusterError> {
        if self.dir.is_none() {
            return Ok(());
        }
        let data = self.data_dir();
        let stopped = self.run(
            "pg_ctl",
            &["-D", &data.to_string_lossy(), "-m", "fast", "-w", "stop"],
        );
        // Dropping the directory deletes it, whether or not the server stopped cleanly.
        self.dir = None;
        stopped
    }

    fn run(&self, program: &str, args: &[&str]) -> Result<(), ClusterError> {
        let path = self.bin_dir.join(program);
        let mut command = match self.run_as {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(&path);
                c
            }
            None => Command::new(&path),
        };
        let output = command
            .args(args)
            .stdin(Stdio::null())
            .current_dir(self.socket_dir())
            .output()
            .map_err(|e| command_error(program, &format!("{}: {e}", path.display())))?;
        if output.status.success() {
            return Ok(());
        }
        let mut detail = String::from_utf8_lossy(&output.stderr).trim().to_owned();
        if detail.is_empty() {
            detail = String::from_utf8_lossy(&output.stdout).trim().to_owned();
        }
        let log = self.socket_dir().join("server.log");
        if let Ok(text) = fs::read_to_string(log) {
            let tail: Vec<&str> = text.lines().rev().take(5).collect();
            detail.push_str("\nserver log:\n");
            detail.push_str(&tail.into_iter().rev().collect::<Vec<_>>().join("\n"));
        }
        Err(command_error(program, &detail))
    }

    fn command_line(&self, program: &str, args: &[&str]) -> String {
        let mut words: Vec<String> = Vec::new();
        if let Some(user) = self.run_as {
            words.extend([
                "runuser".to_owned(),
                "-u".to_owned(),
                user.to_owned(),
                "--".to_owned(),
            ]);
        }
        words.push(self.bin_dir.join(program).to_string_lossy().into_owned());
        words.extend(args.iter().map(|a| (*a).to_owned()));
        words
            .iter()
            .map(|w| shell_quote(w))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

impl Drop for TempCluster {
    fn drop(&mut self) {
        // Best effort: a failure to stop is reported by `stop()`, not by a drop.
        let _ = self.shutdown();
    }
}

fn server_settings(socket_dir: &Path, port: u16, extra: &[String]) -> String {
    let mut lines = vec![
        format!("port = {port}"),
        format!("unix_socket_directories = '{}'", socket_dir.display()),
        "listen_addresses = '127.0.0.1'".to_owned(),
        // Nothing in a throwaway cluster needs to survive a crash.
        "fsync = off".to_owned(),
        "full_page_writes = off".to_owned(),
        "synchronous_commit = off".to_owned(),
        "max_connections = 200".to_owned(),
        "shared_buffers = 128MB".to_owned(),
        "max_locks_per_transaction = 1024".to_owned(),
        "logging_collector = off".to_owned(),
    ];
    lines.extend(extra.iter().cloned());
    lines.join("\n") + "\n"
}

/// The PostgreSQL programs' directory: `initdb` on PATH, else `pg_config --bindir`.
///
/// # Errors
/// [`ClusterError::BinariesNotFound`] when neither has the server programs.
pub fn find_bin_dir() -> Result<PathBuf, ClusterError> {
    let on_path = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .find(|dir| has_server_programs(dir));
    if let Some(dir) = on_path {
        return Ok(dir);
    }
    let from_pg_config = Command::new("pg_config")
        .arg("--bindir")
        .output()
        .ok()
        .filter(|out| out.status.success())
        .map(|out| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()));
    from_pg_config
        .filter(|dir| has_server_programs(dir))
        .ok_or(ClusterError::BinariesNotFound)
}

fn has_server_programs(dir: &Path) -> bool {
    ["initdb", "pg_ctl", "postgres"]
        .iter()
        .all(|p| dir.join(p).is_file())
}

fn running_as_root() -> Result<bool, ClusterError> {
    let path = Path::new("/proc/self");
    let meta = fs::metadata(path).map_err(|source| ClusterError::Io {
        path: path.to_owned(),
        source,
    })?;
    Ok(meta.uid() == 0)
}

fn service_user() -> Result<&'static str, ClusterError> {
    let known = Command::new("id")
        .arg(SERVICE_USER)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if known {
        Ok(SERVICE_USER)
    } else {
        Err(ClusterError::NoServiceUser)
    }
}

/// Lets `user` own the cluster directory (the temporary directory is created root-only).
fn hand_over(dir: &Path, user: &str) -> Result<(), ClusterError> {
    fs::set_permissions(dir, fs::Permissions::from_mode(0o755)).map_err(|source| {
        ClusterError::Io {
            path: dir.to_owned(),
            source,
        }
    })?;
    let status = Command::new("chown")
        .arg(user)
        .arg(dir)
        .status()
        .map_err(|e| command_error("chown", &e.to_string()))?;
    if status.success() {
        Ok(())
    } else {
        Err(command_error(
            "chown",
            &format!("could not give {} to {user}", dir.display()),
        ))
    }
}

fn free_port() -> Result<u16, ClusterError> {
    let listener = TcpListener::bind("127.0.0.1:0")
        .map_err(|e| command_error("choosing a free port", &e.to_string()))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| command_error("choosing a free port", &e.to_string()))
}

fn read(path: &Path) -> Result<String, ClusterError> {
    fs::read_to_string(path).map_err(|source| ClusterError::Io {
        path: path.to_owned(),
        source,
    })
}

fn write(path: &Path, text: &str) -> Result<(), ClusterError> {
    fs::write(path, text).map_err(|source| ClusterError::Io {
        path: path.to_owned(),
        source,
    })
}

fn command_error(action: &str, detail: &str) -> ClusterError {
    ClusterError::Command {
        action: action.to_owned(),
        detail: detail.to_owned(),
    }
}

fn shell_quote(word: &str) -> String {
    format!("'{}'", word.replace('\'', "'\\''"))
}

/// Percent-encodes a socket directory for the host part of a connection URL.
fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn socket_paths_are_percent_encoded_in_urls() {
        assert_eq!(
            percent_encode("/tmp/pgphase-pg-x1"),
            "%2Ftmp%2Fpgphase-pg-x1"
        );
    }

    #[test]
    fn shell_quoting_survives_single_quotes() {
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
    }

    #[test]
    fn settings_name_the_socket_and_port() {
        let text = server_settings(Path::new("/tmp/x"), 5555, &["work_mem = '8MB'".to_owned()]);
        assert!(text.contains("port = 5555\n"));
        assert!(text.contains("unix_socket_directories = '/tmp/x'\n"));
        assert!(text.ends_with("work_mem = '8MB'\n"));
    }
}
