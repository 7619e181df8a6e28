//! The shell's behaviour through `update` and `view`: loading and failure screens, quitting,
//! help, stale results, the too-small message. The screens test themselves.

#![allow(clippy::unwrap_used)]

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::app::{App, CountStatus, Failure, Overlay, Screen};
use super::msg::{Effect, Msg};
use super::{update, view};
use crate::decide::{Answer, ChangeId, ChoiceId, QuestionId};

fn app() -> App {
    App::new("plans".into(), false)
}

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn render(app: &App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| view(app, frame)).unwrap();
    terminal.backend().to_string()
}

fn failure() -> Failure {
    Failure {
        title: "Cannot read the live database".to_owned(),
        message: "cannot connect to localhost:5432: connection refused".to_owned(),
        hint: "Check --database-url.".to_owned(),
    }
}

#[test]
fn loading_shows_progress_at_both_sizes() {
    let mut app = app();
    update(
        &mut app,
        Msg::Progress(crate::session::Progress::Reading(
            crate::source::postgres::Progress {
                step: "columns",
                finished_queries: 3,
                total_queries: 16,
                rows_read: 1_234,
            },
        )),
    );
    insta::assert_snapshot!("loading_100x30", render(&app, 100, 30));
    insta::assert_snapshot!("loading_80x24", render(&app, 80, 24));
}

#[test]
fn a_failure_is_a_screen_with_what_to_do() {
    let mut app = app();
    update(&mut app, Msg::Loaded(Err(failure())));
    assert_eq!(app.screen, Screen::Failure);
    insta::assert_snapshot!("failure_100x30", render(&app, 100, 30));
    insta::assert_snapshot!("failure_80x24", render(&app, 80, 24));
    assert_eq!(
        update(&mut app, key(KeyCode::Char('q'))),
        vec![Effect::Quit]
    );
}

#[test]
fn escape_cancels_loading() {
    let mut app = app();
    assert_eq!(update(&mut app, key(KeyCode::Esc)), vec![Effect::Quit]);
}

#[test]
fn quitting_asks_first_when_answers_would_be_lost() {
    let mut app = app();
    app.screen = Screen::Failure;
    app.answers.set(
        &ChangeId::global(),
        &QuestionId::from_static("mode"),
        Answer::user(ChoiceId::from_static("zero-downtime")),
    );
    assert!(update(&mut app, key(KeyCode::Char('q'))).is_empty());
    assert_eq!(app.overlay, Some(Overlay::ConfirmQuit));
    assert!(update(&mut app, key(KeyCode::Char('n'))).is_empty());
    assert_eq!(app.overlay, None);
    update(&mut app, key(KeyCode::Char('q')));
    assert_eq!(
        update(&mut app, key(KeyCode::Char('y'))),
        vec![Effect::Quit]
    );
}

#[test]
fn help_lists_the_keys_of_the_screen_and_closes_on_any_key() {
    let mut app = app();
    update(&mut app, Msg::Loaded(Err(failure())));
    update(&mut app, key(KeyCode::Char('?')));
    assert_eq!(app.overlay, Some(Overlay::Help));
    let screen = render(&app, 100, 30);
    assert!(
        screen.contains("help") && screen.contains("quit"),
        "{screen}"
    );
    update(&mut app, key(KeyCode::Char('x')));
    assert_eq!(app.overlay, None);
}

#[test]
fn a_count_from_an_older_request_is_dropped() {
    let mut app = app();
    app.generation = 2;
    let change = ChangeId::new("public.orders.note").unwrap();
    update(
        &mut app,
        Msg::Counted {
            generation: 1,
            change: change.clone(),
            result: Ok(Vec::new()),
        },
    );
    assert!(app.diff.counts.is_empty());
    update(
        &mut app,
        Msg::Counted {
            generation: 2,
            change: change.clone(),
            result: Err("canceled".to_owned()),
        },
    );
    assert_eq!(
        app.diff.counts.get(&change),
        Some(&CountStatus::Failed("canceled".to_owned()))
    );
}

#[test]
fn a_terminal_too_small_says_so() {
    let screen = render(&app(), 50, 10);
    assert!(screen.contains("too small"), "{screen}");
}
