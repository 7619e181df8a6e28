//! End to end through a real terminal: `pgphase demo` runs in a detached tmux session (a
//! tmux server of this test's own), and the test reads the screen with `capture-pane` and
//! types with `send-keys`, from the diff screen through the defaults to a written plan, then
//! quits and checks that the demo's PostgreSQL is gone.
//!
//! Without tmux the test is skipped, except under CI (`CI` set), where it must run.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const PLAN_NAME: &str = "from-the-demo";
/// Starting PostgreSQL and loading a million rows takes a while on a busy machine.
const START_TIMEOUT: Duration = Duration::from_secs(120);
const STEP_TIMEOUT: Duration = Duration::from_secs(30);

/// A tmux server of this test's own, killed when the test ends however it ends.
struct Tmux {
    socket: String,
    /// The demo's `TMPDIR`: after killing the server, the guard waits until no process runs
    /// from it, so that the cluster's own cleanup finishes before the folder is deleted.
    tmp: PathBuf,
}

impl Tmux {
    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("running tmux {args:?}: {e}"))
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", "demo"]).stdout)
            .into_owned()
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "demo"];
        args.extend_from_slice(keys);
        let output = self.run(&args);
        assert!(output.status.success(), "send-keys {keys:?} failed");
    }

    /// Waits until the screen shows one of `texts`, failing with the last screen seen; the
    /// index of the one found.
    fn wait_for_any(&self, texts: &[&str], timeout: Duration) -> usize {
        let started = Instant::now();
        loop {
            let screen = self.screen();
            if let Some(found) = texts.iter().position(|text| screen.contains(text)) {
                return found;
            }
            assert!(
                started.elapsed() < timeout,
                "waited {timeout:?} for one of {texts:?}; the screen shows:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    /// Waits until the screen shows `text`, failing with the last screen seen.
    fn wait_for(&self, text: &str, timeout: Duration) -> String {
        let started = Instant::now();
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                started.elapsed() < timeout,
                "waited {timeout:?} for {text:?}; the screen shows:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(250));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .arg("kill-server")
            .output();
        let deadline = Instant::now() + STEP_TIMEOUT;
        while !processes_using(&self.tmp).is_empty() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(250));
        }
    }
}

fn tmux_available() -> bool {
    Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A directory the server's own user can enter too (the cluster runs as `postgres` under root).
fn open_dir(path: PathBuf) -> PathBuf {
    std::fs::create_dir_all(&path).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

fn quoted(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', r"'\''"))
}

/// Processes whose command line mentions `dir` (the demo's cluster runs from a folder in it).
fn processes_using(dir: &Path) -> Vec<String> {
    let needle = dir.to_string_lossy().into_owned();
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return found;
    };
    for entry in entries.flatten() {
        if let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) {
            let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
            // The tmux session's own command (and its shell) name the directory too.
            if cmdline.contains(&needle) && !cmdline.contains("pgphase exited with") {
                found.push(cmdline);
            }
        }
    }
    found
}

#[test]
fn the_demo_goes_from_the_diff_to_a_written_plan_and_cleans_up() {
    if !tmux_available() {
        assert!(
            std::env::var_os("CI").is_none(),
            "tmux is required in CI (.ci/run installs it)"
        );
        eprintln!("skipped: tmux is not installed");
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let tmp = open_dir(work.path().join("tmp"));
    let plans = work.path().join("plans");
    let command = format!(
        "env TMPDIR={tmp} NO_COLOR=1 {bin} demo --plans-dir {plans}; echo \"pgphase exited with $?\"; sleep 600",
        tmp = quoted(&tmp),
        bin = quoted(Path::new(env!("CARGO_BIN_EXE_pgphase"))),
        plans = quoted(&plans),
    );
    let tmux = Tmux {
        socket: format!("pgphase-e2e-{}", std::process::id()),
        tmp: tmp.clone(),
    };
    let started = tmux.run(&[
        "new-session",
        "-d",
        "-s",
        "demo",
        "-x",
        "120",
        "-y",
        "40",
        &command,
    ]);
    assert!(
        started.status.success(),
        "tmux new-session: {}",
        String::from_utf8_lossy(&started.stderr)
    );

    // Each screen is recognised by its footer, which comes from the key map.
    tmux.wait_for("filter by risk", START_TIMEOUT);
    tmux.keys(&["Tab"]);
    tmux.wait_for("all defaults", STEP_TIMEOUT);
    tmux.keys(&["D"]);
    tmux.wait_for("Accept the defaults?", STEP_TIMEOUT);
    tmux.keys(&["y"]);
    // The counted data decisions have no default: the person answers them as
    // assets/demo/answers.yaml records (the second choice of each; the fill with a value).
    let mut prompts = vec![
        ("shipping_address becomes NOT NULL", Some("'unknown'")),
        ("UNIQUE users_email_key", None),
        ("order_items_product_id_fkey references", None),
    ];
    while !prompts.is_empty() {
        let texts: Vec<&str> = prompts.iter().map(|(text, _)| *text).collect();
        let found = tmux.wait_for_any(&texts, STEP_TIMEOUT);
        let (_, input) = prompts.remove(found);
        tmux.keys(&["Down"]);
        if let Some(input) = input {
            tmux.keys(&["-l", input]);
        }
        tmux.keys(&["Enter"]);
        std::thread::sleep(Duration::from_millis(300));
    }
    tmux.keys(&["Tab"]);
    tmux.wait_for("write plan", STEP_TIMEOUT);
    tmux.keys(&["w"]);
    tmux.wait_for("Name (written under", STEP_TIMEOUT);
    tmux.keys(&["-l", PLAN_NAME]);
    tmux.keys(&["Enter"]);
    tmux.wait_for(PLAN_NAME, STEP_TIMEOUT);

    let written = plans.join(PLAN_NAME);
    let deadline = Instant::now() + STEP_TIMEOUT;
    while !written.join("README.md").exists() {
        assert!(
            Instant::now() < deadline,
            "no plan under {}; the screen shows:\n{}",
            written.display(),
            tmux.screen()
        );
        std::thread::sleep(Duration::from_millis(250));
    }
    // The answers and defaults taken in the planner are the ones `plans/demo/` was written with.
    let repository = Path::new(env!("CARGO_MANIFEST_DIR"));
    for file in [
        "decisions.yaml",
        "00-preconditions.sql",
        "02-expand.sql",
        "22-contract.sql",
    ] {
        assert_eq!(
            std::fs::read_to_string(written.join(file)).unwrap(),
            std::fs::read_to_string(repository.join("plans/demo").join(file)).unwrap(),
            "{file} written by the planner differs from plans/demo/{file}"
        );
    }

    // The first key closes the "Wrote …" message; then quit.
    tmux.keys(&["Escape"]);
    std::thread::sleep(Duration::from_millis(300));
    tmux.keys(&["q"]);
    std::thread::sleep(Duration::from_millis(500));
    if tmux.screen().contains("Quit anyway?") {
        tmux.keys(&["y"]);
    }
    let screen = tmux.wait_for("pgphase exited with", STEP_TIMEOUT);
    assert!(
        screen.contains("pgphase exited with 0"),
        "pgphase failed:\n{screen}"
    );
    let deadline = Instant::now() + STEP_TIMEOUT;
    loop {
        let left: Vec<_> = std::fs::read_dir(&tmp).unwrap().flatten().collect();
        let running = processes_using(&tmp);
        if left.is_empty() && running.is_empty() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the demo's PostgreSQL outlived it: files {left:?}, processes {running:?}"
        );
        std::thread::sleep(Duration::from_millis(250));
    }
}
