//! Benchmark: one frame of the diff screen with 10,000 changes, drawn into a 200×50 test
//! terminal. `cargo bench --bench frame`. Prints the median of 50 frames; target ≤ 5 ms.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use pgphase::source::postgres::{Introspection, Stats};
use pgphase::source::yaml;
use pgphase::tui::app::{App, Screen, Session};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const TABLES: usize = 2_000;
/// Each table gets this many changes: columns added, one dropped, one made NOT NULL, an index.
const CHANGES_PER_TABLE: usize = 5;
const FRAMES: usize = 50;

fn main() {
    let session = session();
    assert!(session.changes.len() >= TABLES * CHANGES_PER_TABLE);
    let mut app = App::new("plans".into(), true);
    app.size = (200, 50);
    app.session = Some(session);
    app.screen = Screen::Diff;
    // A selection deep in the tree, so the rows before it are skipped, not drawn.
    app.diff.selected = 7_000;
    app.diff.offset = 6_980;
    let mut terminal = Terminal::new(TestBackend::new(200, 50)).unwrap();
    let mut times: Vec<Duration> = (0..FRAMES)
        .map(|_| {
            let start = Instant::now();
            terminal
                .draw(|frame| pgphase::tui::view(&app, frame))
                .unwrap();
            start.elapsed()
        })
        .collect();
    times.sort();
    let changes = app.session.as_ref().map_or(0, |s| s.changes.len());
    println!(
        "diff screen, {changes} changes, 200×50: median frame {:.2} ms (min {:.2}, max {:.2}; target ≤ 5 ms)",
        ms(times[FRAMES / 2]),
        ms(times[0]),
        ms(times[FRAMES - 1])
    );
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// A live schema of `TABLES` tables and a desired one where each has `CHANGES_PER_TABLE`
/// changes, compared and assessed as the planner does.
fn session() -> Session {
    let mut live = String::from("pgphase: 1\nschemas:\n  public:\n    tables:\n");
    let mut desired = live.clone();
    for t in 0..TABLES {
        let _ = write!(
            live,
            "      t{t:05}:\n        columns:\n          id: {{ type: bigint, nullable: false }}\n          \
             a: text\n          b: text\n        primary_key: [id]\n"
        );
        let _ = write!(
            desired,
            "      t{t:05}:\n        columns:\n          id: {{ type: bigint, nullable: false }}\n          \
             a: {{ type: text, nullable: false }}\n          c1: text\n          c2: text\n          \
             c3: text\n        primary_key: [id]\n        indexes:\n          - {{ columns: [a] }}\n"
        );
    }
    let live = yaml::parse(&live, "live.yaml").unwrap().schema;
    let desired = yaml::parse(&desired, "desired.yaml").unwrap();
    Session::new(
        Introspection {
            schema: live,
            stats: Stats::default(),
            notes: Vec::new(),
        },
        desired,
        pgphase::shadow::Method::Textual {
            reason: "benchmark".to_owned(),
        },
    )
}
