//! A whole planner session driven by keys, without a database or a terminal: from the diff
//! screen through the decisions (one with an input) to writing the plan, whose files must be
//! exactly those `pgphase plan --answers decisions.yaml` writes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use pgphase::decide::Answers;
use pgphase::schema::TableRef;
use pgphase::shadow::Method;
use pgphase::source::postgres::{Introspection, RelationKind, Stats, TableStats};
use pgphase::source::yaml;
use pgphase::tui::app::{Overlay, Screen, Session};
use pgphase::tui::{App, Effect, Msg, update, view};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const LIVE: &str = "pgphase: 1
schemas:
  public:
    tables:
      accounts:
        columns:
          id: bigint
          email: { type: text, nullable: false }
          nickname: text
          legacy_code: varchar(20)
        primary_key: [id]
";

const DESIRED: &str = "pgphase: 1
schemas:
  public:
    tables:
      accounts:
        columns:
          id: bigint
          email: { type: text, nullable: false }
          nickname: { type: text, nullable: false }
        primary_key: [id]
        indexes:
          - { name: accounts_email_idx, columns: [email] }
";

fn session() -> Session {
    let mut stats = Stats::default();
    stats.tables.insert(
        TableRef::new("public", "accounts"),
        TableStats {
            kind: RelationKind::Table,
            estimated_rows: Some(2_000_000),
            total_bytes: 300_000_000,
        },
    );
    pgphase::session::Session::new(
        Introspection {
            schema: yaml::parse(LIVE, "live.yaml").unwrap().schema,
            stats,
            notes: Vec::new(),
        },
        yaml::parse(DESIRED, "desired.yaml").unwrap(),
        Method::Textual {
            reason: "no database in this test".to_owned(),
        },
    )
}

fn press(app: &mut App, code: KeyCode) -> Vec<Effect> {
    update(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        assert_eq!(press(app, KeyCode::Char(c)), Vec::new());
    }
}

fn screen_text(app: &App) -> String {
    let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
    terminal.draw(|frame| view(app, frame)).unwrap();
    terminal
        .backend()
        .buffer()
        .content()
        .iter()
        .map(ratatui::buffer::Cell::symbol)
        .collect()
}

/// Loads the session and walks to the plan screen: lock timeout 2s (an input), the NULLs of
/// `accounts.nickname` filled with `'none'` (an input), every other question by enter.
fn walk_to_the_plan(plans_dir: &Path) -> App {
    let mut app = App::new(plans_dir.to_owned(), false);
    update(&mut app, Msg::Resize(100, 30));
    update(&mut app, Msg::Loaded(Ok(Box::new(session()))));
    assert_eq!(app.screen, Screen::Diff);
    press(&mut app, KeyCode::Tab);
    assert_eq!(app.screen, Screen::Decisions);
    assert!(screen_text(&app).contains("Question 1 of 6"));

    press(&mut app, KeyCode::Enter); // mode: zero downtime (the default)
    press(&mut app, KeyCode::Down); // lock timeout: another duration
    type_text(&mut app, "2s");
    press(&mut app, KeyCode::Enter);
    for _ in 0..3 {
        press(&mut app, KeyCode::Enter); // statement timeout, batch size, large table
    }
    assert!(screen_text(&app).contains("Question 6 of 6"));
    press(&mut app, KeyCode::Down); // NULLs: fill with an expression
    type_text(&mut app, "'none'");
    press(&mut app, KeyCode::Enter);
    assert!(screen_text(&app).contains("All 6 questions answered"));

    press(&mut app, KeyCode::Tab);
    assert_eq!(app.screen, Screen::Plan);
    app
}

/// Types `name` into the plan-name dialog that `w` opens and confirms it.
fn write_as(app: &mut App, name: &str) -> Vec<Effect> {
    press(app, KeyCode::Char('w'));
    assert_eq!(
        app.overlay,
        Some(Overlay::PlanName {
            text: String::new()
        })
    );
    type_text(app, name);
    press(app, KeyCode::Enter)
}

#[test]
fn a_session_driven_by_keys_writes_what_plan_with_its_answers_writes() {
    let plans = tempfile::tempdir().unwrap();
    let mut app = walk_to_the_plan(plans.path());
    let effects = write_as(&mut app, "nickname");
    let [Effect::Write { dir, files, force }] = &effects[..] else {
        panic!("expected one write, got {effects:?}");
    };
    assert_eq!(dir, &plans.path().join("nickname"));
    assert!(!force);

    let decisions = &files[&PathBuf::from("decisions.yaml")];
    assert!(decisions.contains("input: 2s"), "{decisions}");
    assert!(decisions.contains("input: '''none'''"), "{decisions}");
    let answers: Answers = yaml::from_text(decisions, "decisions.yaml").unwrap();

    // What `pgphase plan --answers decisions.yaml` makes from the same comparison.
    let session = session();
    let plan = session.plan(&answers, false).unwrap();
    let expected =
        pgphase::output::plan_files::render("nickname", &plan, &session.desired_file()).unwrap();
    assert_eq!(files, &expected);
    assert!(
        files
            .keys()
            .any(|path| path.to_string_lossy().contains("backfill")),
        "the fill answer brings a backfill file: {:?}",
        files.keys()
    );

    update(&mut app, Msg::Written(Ok(dir.clone())));
    let shown = screen_text(&app);
    assert!(shown.contains("Wrote"), "{shown}");
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.plan.written.as_ref(), Some(dir));
    assert!(screen_text(&app).contains("wrote "));
}

#[test]
fn an_existing_plan_folder_is_replaced_only_after_asking() {
    let plans = tempfile::tempdir().unwrap();
    std::fs::create_dir(plans.path().join("nickname")).unwrap();
    let mut app = walk_to_the_plan(plans.path());
    let effects = write_as(&mut app, "nickname");
    let [
        Effect::Write {
            dir,
            files,
            force: false,
        },
    ] = &effects[..]
    else {
        panic!("{effects:?}");
    };
    // What the runner does with the effect: the folder is there, so nothing is written.
    let reply = pgphase::tui::work::write(dir.clone(), files, false);
    assert!(std::fs::read_dir(dir).unwrap().next().is_none());
    update(&mut app, reply);
    assert_eq!(
        app.overlay,
        Some(Overlay::ConfirmReplace {
            name: "nickname".to_owned()
        })
    );
    let effects = press(&mut app, KeyCode::Char('y'));
    assert!(
        matches!(&effects[..], [Effect::Write { force: true, .. }]),
        "{effects:?}"
    );
}

#[test]
fn quitting_after_answering_asks_first() {
    let plans = tempfile::tempdir().unwrap();
    let mut app = walk_to_the_plan(plans.path());
    assert_eq!(press(&mut app, KeyCode::Char('q')), Vec::new());
    assert_eq!(app.overlay, Some(Overlay::ConfirmQuit));
    assert_eq!(press(&mut app, KeyCode::Char('y')), vec![Effect::Quit]);
}
