use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};
use ratatui::widgets::Widget;

use super::*;
use crate::decide::{self, ChangeId, QuestionId};
use crate::tui::app::Screen;
use crate::tui::screens::fixture;
use crate::tui::update;

/// The planner on the plan screen with every question answered by its default.
fn planned() -> App {
    let mut app = fixture::app(Screen::Decisions);
    let session = app.session.as_ref().unwrap();
    app.answers = decide::with_defaults(&session.questions, &session.facts, &app.answers);
    update::show(&mut app, Screen::Plan);
    app
}

fn plan_of(app: &App) -> &Plan {
    match &app.plan.plan {
        Some(Ok(plan)) => plan,
        other => panic!("no plan: {other:?}"),
    }
}

#[test]
fn the_plan_at_100x30() {
    let app = planned();
    insta::assert_snapshot!(fixture::draw(&app, 100, 30).backend());
}

#[test]
fn a_later_file_at_80x24() {
    let mut app = planned();
    on_action(&mut app, Action::Down);
    on_action(&mut app, Action::Down);
    insta::assert_snapshot!(fixture::draw(&app, 80, 24).backend());
}

#[test]
fn the_rollback_at_80x24() {
    let mut app = planned();
    // Past 00-preconditions, which only reads and has no rollback.
    on_action(&mut app, Action::Down);
    on_action(&mut app, Action::Rollback);
    insta::assert_snapshot!(fixture::draw(&app, 80, 24).backend());
}

#[test]
fn counted_nulls_leave_no_default_and_the_plan_will_fail_until_answered() {
    let mut app = fixture::app(Screen::Decisions);
    let session = app.session.as_mut().unwrap();
    let change = ChangeId::new("public.accounts.nickname").unwrap();
    session.add_counted(&change, &[crate::rules::set_not_null::null_count_fact(3)]);
    crate::tui::screens::decisions::accept_defaults(&mut app);
    update::show(&mut app, Screen::Plan);
    let Some(Err(reason)) = &app.plan.plan else {
        panic!("a plan although counted NULLs are unanswered");
    };
    assert!(reason.starts_with("will fail: 1 question(s)"), "{reason}");
    assert!(
        reason.contains("public.accounts.nickname: set-not-null/nulls (3 rows (counted)"),
        "{reason}"
    );
    let question = QuestionId::from_static(crate::rules::set_not_null::NULLS);
    app.answers.set(
        &change,
        &question,
        decide::Answer::user(decide::ChoiceId::from_static("fix-first")),
    );
    update::show(&mut app, Screen::Plan);
    assert!(matches!(app.plan.plan, Some(Ok(_))), "{:?}", app.plan.plan);
}

#[test]
fn unanswered_questions_are_listed_at_80x24() {
    let mut app = fixture::app(Screen::Decisions);
    update::show(&mut app, Screen::Plan);
    let Some(Err(reason)) = &app.plan.plan else {
        panic!("a plan without answers");
    };
    assert!(
        reason.contains("public.accounts.nickname: set-not-null/nulls"),
        "{reason}"
    );
    assert!(reason.contains("decisions screen (or D"), "{reason}");
    insta::assert_snapshot!(fixture::draw(&app, 80, 24).backend());
}

#[test]
fn moving_through_files_resets_the_scroll_and_stops_at_the_ends() {
    let mut app = planned();
    let count = plan_of(&app).files.len();
    assert!(count >= 2, "the fixture plans several files");
    on_action(&mut app, Action::ScrollDetailDown);
    assert_eq!(app.plan.scroll, 3);
    on_action(&mut app, Action::Down);
    assert_eq!((app.plan.selected_file, app.plan.scroll), (1, 0));
    on_action(&mut app, Action::Bottom);
    on_action(&mut app, Action::Down);
    assert_eq!(app.plan.selected_file, count - 1);
    on_action(&mut app, Action::Top);
    on_action(&mut app, Action::Up);
    assert_eq!(app.plan.selected_file, 0);
}

#[test]
fn a_click_on_a_file_selects_it() {
    let mut app = planned();
    // Body starts at row 1; the list's first line is row 2, two lines per file.
    on_click(&mut app, 5, 4);
    assert_eq!(app.plan.selected_file, 1);
    on_click(&mut app, 80, 2);
    assert_eq!(
        app.plan.selected_file, 1,
        "a click in the right pane selects nothing"
    );
}

#[test]
fn sql_keywords_are_coloured_but_not_identifiers_literals_or_comments() {
    let theme = Theme::new(true);
    let line = sql_line("ALTER TABLE t SET 'NOT' -- DROP", theme);
    let mut buffer = Buffer::empty(Rect::new(0, 0, 31, 1));
    line.render(buffer.area, &mut buffer);
    let mut expected = Buffer::with_lines(["ALTER TABLE t SET 'NOT' -- DROP"]);
    let keyword = Style::new().fg(Color::Blue).add_modifier(Modifier::BOLD);
    for (start, len) in [(0, 5), (6, 5), (14, 3)] {
        expected.set_style(Rect::new(start, 0, len, 1), keyword);
    }
    expected.set_style(Rect::new(24, 0, 7, 1), Style::new().fg(Color::DarkGray));
    assert_eq!(buffer, expected);
}

#[test]
fn without_colour_sql_keywords_are_only_bold() {
    let line = sql_line("CREATE INDEX -- x", Theme::new(false));
    assert!(line.spans.iter().all(|span| span.style.fg.is_none()));
    assert!(line.spans[0].style.add_modifier.contains(Modifier::BOLD));
}

#[test]
fn a_plan_name_is_one_visible_folder_name() {
    let mut app = planned();
    for bad in ["", "a/b", ".hidden"] {
        assert_eq!(request_write(&mut app, bad, false), Vec::new());
        assert!(
            matches!(app.overlay, Some(Overlay::Message(_))),
            "{bad:?}: {:?}",
            app.overlay
        );
    }
}

#[test]
fn writing_renders_the_folder_and_an_existing_one_asks_first() {
    let plans = tempfile::tempdir().unwrap();
    let mut app = planned();
    app.plans_dir = plans.path().to_owned();
    let effects = request_write(&mut app, "first", false);
    let session = app.session.as_ref().unwrap();
    let expected = plan_files::render("first", plan_of(&app), &session.desired_file()).unwrap();
    assert_eq!(
        effects,
        vec![Effect::Write {
            dir: plans.path().join("first"),
            files: expected.clone(),
            force: false,
        }]
    );

    // The folder exists: the write says so, and the user is asked.
    update::update(
        &mut app,
        crate::tui::msg::Msg::Written(Err(crate::tui::msg::WriteFailure::Exists {
            name: "first".to_owned(),
        })),
    );
    assert_eq!(
        app.overlay,
        Some(Overlay::ConfirmReplace {
            name: "first".to_owned()
        })
    );
    let effects = request_write(&mut app, "first", true);
    assert!(
        matches!(&effects[..], [Effect::Write { force: true, files, .. }] if *files == expected)
    );
}

#[test]
fn w_without_a_plan_says_why_instead_of_asking_for_a_name() {
    let mut app = fixture::app(Screen::Decisions);
    update::show(&mut app, Screen::Plan);
    on_action(&mut app, Action::Write);
    assert!(matches!(app.overlay, Some(Overlay::Message(_))));
    let mut app = planned();
    on_action(&mut app, Action::Write);
    assert_eq!(
        app.overlay,
        Some(Overlay::PlanName {
            text: String::new()
        })
    );
}

#[test]
fn export_asks_for_a_tool_once_the_plan_is_written_and_exports_beside_it() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let mut app = planned();
    on_action(&mut app, Action::Export);
    assert!(
        matches!(&app.overlay, Some(Overlay::Message(text)) if text.contains("Write the plan first")),
        "{:?}",
        app.overlay
    );
    app.overlay = None;
    app.plan.written = Some(std::path::PathBuf::from("plans/first"));
    on_action(&mut app, Action::Export);
    assert_eq!(app.overlay, Some(Overlay::ExportTool { selected: 0 }));
    let press = |app: &mut App, code| {
        update::update(
            app,
            crate::tui::msg::Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)),
        )
    };
    press(&mut app, KeyCode::Up);
    assert_eq!(app.overlay, Some(Overlay::ExportTool { selected: 0 }));
    press(&mut app, KeyCode::Down);
    let effects = press(&mut app, KeyCode::Enter);
    assert_eq!(
        effects,
        vec![Effect::Export {
            plan_dir: "plans/first".into(),
            tool: crate::export::Tool::Django,
            out: "plans/first-django".into(),
        }]
    );
    assert_eq!(app.overlay, None);
}

#[test]
fn both_screens_still_draw_at_the_minimum_size() {
    let mut app = planned();
    let text = |app: &App| -> String {
        let terminal = fixture::draw(app, 60, 16);
        terminal
            .backend()
            .buffer()
            .content()
            .iter()
            .map(ratatui::buffer::Cell::symbol)
            .collect()
    };
    assert!(text(&app).contains("01-expand"));
    app.screen = Screen::Decisions;
    assert!(text(&app).contains("All 6 questions answered"));
}

#[test]
fn sql_is_read_whole_and_a_dollar_quoted_body_as_sql_of_its_own() {
    let theme = Theme::new(true);
    let keyword = theme.keyword();
    let lines = sql_lines("SELECT 'a\nSELECT b' $x$ RAISE 'it''s' $x$", theme);
    assert_eq!(lines.len(), 2);
    let styled = |line: &Line<'_>, text: &str| {
        line.spans
            .iter()
            .find(|span| span.content == text)
            .map(|span| span.style)
    };
    assert_eq!(styled(&lines[0], "SELECT"), Some(keyword));
    // The second line starts inside a string: its SELECT is text, not a keyword.
    assert!(
        lines[1]
            .spans
            .iter()
            .all(|span| span.style != keyword || span.content == "RAISE")
    );
    assert_eq!(styled(&lines[1], "RAISE"), Some(keyword));
    let text: String = lines[1].spans.iter().map(|s| s.content.as_ref()).collect();
    assert_eq!(text, "SELECT b' $x$ RAISE 'it''s' $x$");
}
