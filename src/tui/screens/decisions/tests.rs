use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::decide::AnsweredBy;
use crate::tui::app::Screen;
use crate::tui::screens::fixture;
use crate::tui::{Msg, update};

fn press(app: &mut App, code: KeyCode) -> Vec<Effect> {
    update(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

fn shown_id(app: &App) -> Option<String> {
    current(app).map(|q| q.id.as_str().to_owned())
}

fn choice_of(app: &App, change: &str, question: &str) -> Option<String> {
    let change = if change == "global" {
        ChangeId::global()
    } else {
        ChangeId::new(change).unwrap()
    };
    app.answers
        .get(&change, &QuestionId::new(question).unwrap())
        .map(|a| a.choice.as_str().to_owned())
}

/// Answers the five global questions with their defaults by pressing enter.
fn answer_globals(app: &mut App) {
    for _ in 0..5 {
        press(app, KeyCode::Enter);
    }
}

#[test]
fn the_first_question_at_100x30() {
    let app = fixture::app(Screen::Decisions);
    insta::assert_snapshot!(fixture::draw(&app, 100, 30).backend());
}

#[test]
fn a_question_with_an_input_being_typed_at_80x24() {
    let mut app = fixture::app(Screen::Decisions);
    answer_globals(&mut app);
    press(&mut app, KeyCode::Down);
    type_text(&mut app, "'none");
    insta::assert_snapshot!(fixture::draw(&app, 80, 24).backend());
}

#[test]
fn every_question_answered_at_80x24() {
    let mut app = fixture::app(Screen::Decisions);
    answer_globals(&mut app);
    press(&mut app, KeyCode::Enter);
    insta::assert_snapshot!(fixture::draw(&app, 80, 24).backend());
}

#[test]
fn progress_counts_the_questions_that_apply() {
    let mut app = fixture::app(Screen::Decisions);
    assert_eq!(
        progress(&app),
        Progress {
            position: 1,
            total: 6
        }
    );
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Enter);
    assert_eq!(progress(&app).position, 3);
    press(&mut app, KeyCode::Left);
    assert_eq!(shown_id(&app).as_deref(), Some("lock-timeout"));
    assert_eq!(progress(&app).position, 2);
}

#[test]
fn enter_records_the_highlighted_choice_as_a_persons_answer() {
    let mut app = fixture::app(Screen::Decisions);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Enter);
    let answer = app
        .answers
        .get(&ChangeId::global(), &QuestionId::new("mode").unwrap())
        .unwrap();
    assert_eq!(answer.choice.as_str(), "maintenance-window");
    assert_eq!(answer.by, AnsweredBy::User);
    assert_eq!(shown_id(&app).as_deref(), Some("lock-timeout"));
    assert_eq!(
        app.decisions.choice, 0,
        "the next question starts at its default"
    );
}

#[test]
fn an_input_is_checked_as_it_is_typed_and_a_bad_one_is_not_accepted() {
    let mut app = fixture::app(Screen::Decisions);
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Down);
    type_text(&mut app, "2 weeks");
    let error = app.decisions.input_error.clone().unwrap();
    assert!(error.contains("expected a duration"), "{error}");
    press(&mut app, KeyCode::Enter);
    assert_eq!(
        shown_id(&app).as_deref(),
        Some("lock-timeout"),
        "not accepted"
    );
    assert_eq!(choice_of(&app, "global", "lock-timeout"), None);
    for _ in 0.."2 weeks".len() {
        press(&mut app, KeyCode::Backspace);
    }
    type_text(&mut app, "2s");
    assert_eq!(app.decisions.input_error, None);
    press(&mut app, KeyCode::Enter);
    let answer = app
        .answers
        .get(
            &ChangeId::global(),
            &QuestionId::new("lock-timeout").unwrap(),
        )
        .unwrap();
    assert_eq!(
        (answer.choice.as_str(), answer.input.as_deref()),
        ("custom", Some("2s"))
    );
}

#[test]
fn keys_type_into_the_input_only_while_its_choice_is_highlighted() {
    let mut app = fixture::app(Screen::Decisions);
    press(&mut app, KeyCode::Enter);
    // `D` on a choice without input asks to accept the defaults.
    press(&mut app, KeyCode::Char('D'));
    assert_eq!(app.overlay, Some(Overlay::ConfirmDefaults));
    press(&mut app, KeyCode::Char('n'));
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Char('D'));
    assert_eq!(app.overlay, None);
    assert_eq!(app.decisions.input, "D");
    // Backspace edits the input instead of going back.
    press(&mut app, KeyCode::Backspace);
    assert_eq!(app.decisions.input, "");
    assert_eq!(shown_id(&app).as_deref(), Some("lock-timeout"));
}

#[test]
fn going_back_and_changing_an_answer_drops_the_answers_that_no_longer_apply() {
    let mut app = fixture::app(Screen::Decisions);
    answer_globals(&mut app);
    press(&mut app, KeyCode::Down);
    type_text(&mut app, "'none'");
    press(&mut app, KeyCode::Enter);
    assert_eq!(shown_id(&app), None, "all answered");
    assert_eq!(
        choice_of(&app, "public.accounts.nickname", "set-not-null/nulls").as_deref(),
        Some("fill")
    );

    // Back to the NULL question: it shows the recorded answer and input.
    press(&mut app, KeyCode::Left);
    assert_eq!(shown_id(&app).as_deref(), Some("set-not-null/nulls"));
    assert_eq!(app.decisions.choice, 1);
    assert_eq!(app.decisions.input, "'none'");

    // Back again, and re-answering unchanged steps forward through the history.
    press(&mut app, KeyCode::Left);
    assert_eq!(shown_id(&app).as_deref(), Some("large-table-threshold"));
    press(&mut app, KeyCode::Enter);
    assert_eq!(shown_id(&app).as_deref(), Some("set-not-null/nulls"));

    // A count finding no NULL makes the NULL question moot: a changed earlier answer prunes it.
    let change = ChangeId::new("public.accounts.nickname").unwrap();
    let session = app.session.as_mut().unwrap();
    session
        .facts
        .insert(&change, crate::rules::set_not_null::null_count_fact(0));
    press(&mut app, KeyCode::Left);
    assert_eq!(shown_id(&app).as_deref(), Some("large-table-threshold"));
    press(&mut app, KeyCode::Down);
    type_text(&mut app, "500");
    press(&mut app, KeyCode::Enter);
    assert_eq!(
        choice_of(&app, "public.accounts.nickname", "set-not-null/nulls"),
        None,
        "the answer that no longer applies is dropped"
    );
    assert!(
        !app.decisions
            .history
            .iter()
            .any(|(_, id)| id.as_str() == "set-not-null/nulls")
    );
    assert_eq!(shown_id(&app), None);
    assert_eq!(progress(&app).total, 5);
}

#[test]
fn changing_an_earlier_answer_goes_on_to_the_first_question_left() {
    let mut app = fixture::app(Screen::Decisions);
    answer_globals(&mut app);
    for _ in 0..5 {
        press(&mut app, KeyCode::Left);
    }
    assert_eq!(shown_id(&app).as_deref(), Some("mode"));
    press(&mut app, KeyCode::Left);
    assert_eq!(
        shown_id(&app).as_deref(),
        Some("mode"),
        "nothing before the first"
    );
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Enter);
    assert_eq!(
        choice_of(&app, "global", "mode").as_deref(),
        Some("maintenance-window")
    );
    assert_eq!(shown_id(&app).as_deref(), Some("set-not-null/nulls"));
    assert_eq!(
        choice_of(&app, "global", "batch-size").as_deref(),
        Some("default"),
        "answers that still apply are kept"
    );
}

#[test]
fn accepting_the_defaults_answers_the_rest_by_default() {
    let mut app = fixture::app(Screen::Decisions);
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('D'));
    press(&mut app, KeyCode::Char('y'));
    assert_eq!(shown_id(&app), None);
    let by: Vec<(String, AnsweredBy)> = app
        .answers
        .iter()
        .map(|(_, id, answer)| (id.as_str().to_owned(), answer.by))
        .collect();
    assert!(by.contains(&("mode".to_owned(), AnsweredBy::User)));
    assert!(by.contains(&("set-not-null/nulls".to_owned(), AnsweredBy::Default)));
    assert_eq!(by.len(), 6);
}

#[test]
fn a_click_highlights_a_choice_and_a_second_click_chooses_it() {
    let mut app = fixture::app(Screen::Decisions);
    // Row 2 is the first line inside the border; the prompt takes one line, then a blank.
    let row_of_second_choice = 2 + 2 + 1;
    on_click(&mut app, 10, row_of_second_choice);
    assert_eq!(app.decisions.choice, 1);
    assert_eq!(choice_of(&app, "global", "mode"), None);
    on_click(&mut app, 10, row_of_second_choice);
    assert_eq!(
        choice_of(&app, "global", "mode").as_deref(),
        Some("maintenance-window")
    );
}

#[test]
fn wrapping_breaks_at_spaces_and_splits_long_words() {
    assert_eq!(wrap("one two three", 7), vec!["one two", "three"]);
    assert_eq!(wrap("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
}
