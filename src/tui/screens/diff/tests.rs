//! The diff screen driven like a user: rows, actions, effects, and renders at two sizes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;

use super::tree::{self, Node};
use super::*;
use crate::rules::test_support::{schema, stats};
use crate::schema::TableRef;
use crate::source::postgres::{Introspection, ViewDependency};
use crate::source::yaml::Desired;
use crate::tui::app::Screen;
use crate::tui::msg::Msg;
use crate::tui::update;

const LIVE: &str = r"schemas:
  public:
    tables:
      orders:
        columns:
          id: { type: bigint, nullable: false }
          status: text
          note: text
          total: integer
        primary_key: [id]
      users:
        columns:
          id: { type: bigint, nullable: false }
          email: text
        primary_key: [id]
";

const DESIRED: &str = r"schemas:
  public:
    tables:
      orders:
        columns:
          id: { type: bigint, nullable: false }
          status: { type: text, nullable: false }
          total: bigint
          created_at: timestamptz
        primary_key: [id]
      users:
        columns:
          id: { type: bigint, nullable: false }
          email: text
        primary_key: [id]
        unique:
          - { columns: [email] }
  audit:
    tables:
      events:
        columns:
          id: { type: bigint, nullable: false }
          body: text
        primary_key: [id]
";

fn session() -> Session {
    let mut live_stats = stats(&[("public.orders", 1_200_000), ("public.users", 5_000)]);
    live_stats.view_dependencies.insert(
        TableRef::new("public", "orders"),
        vec![ViewDependency {
            view: TableRef::new("public", "order_totals"),
            materialized: false,
            columns: vec!["total".to_owned()],
        }],
    );
    crate::session::Session::new(
        Introspection {
            schema: schema(LIVE),
            stats: live_stats,
            notes: Vec::new(),
        },
        Desired {
            schema: schema(DESIRED),
            ignore: crate::source::yaml::Ignore::default(),
        },
        crate::shadow::Method::Textual {
            reason: "test".to_owned(),
        },
    )
}

fn app(size: (u16, u16)) -> App {
    let mut app = App::new("plans".into(), true);
    update(&mut app, Msg::Loaded(Ok(Box::new(session()))));
    update(&mut app, Msg::Resize(size.0, size.1));
    app
}

fn key(app: &mut App, code: KeyCode) -> Vec<Effect> {
    update(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        key(app, KeyCode::Char(c));
    }
}

/// The rows as text: indent, kind of row, names.
fn outline(app: &App) -> Vec<String> {
    let session = app.session.as_ref().unwrap();
    tree::rows(session, &app.diff)
        .iter()
        .map(|row| {
            let indent = "  ".repeat(row.depth());
            match row.node {
                Node::Schema => format!("{indent}{} ({})", row.schema, row.changes),
                Node::Table => format!("{indent}{} ({})", row.table.unwrap(), row.changes),
                Node::Change(i) => {
                    let change = &session.changes[i];
                    format!(
                        "{indent}{} {} [{}]",
                        change.kind(),
                        change.object(),
                        row.worst
                    )
                }
            }
        })
        .collect()
}

fn selected_text(app: &App) -> String {
    outline(app)[app.diff.selected].trim().to_owned()
}

fn render(app: &App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| crate::tui::view(app, frame)).unwrap();
    terminal
}

#[test]
fn the_tree_groups_changes_by_schema_and_table() {
    let app = app((100, 30));
    insta::assert_snapshot!(outline(&app).join("\n"), @r"
    audit (2)
      create-schema audit [safe]
      events (1)
        create-table audit.events [safe]
    public (5)
      orders (4)
        drop-column public.orders.note [loses data]
        add-column public.orders.created_at [safe]
        change-column-type public.orders.total [rewrites]
        set-not-null public.orders.status [locks]
      users (1)
        add-unique public.users.users_email_key [locks]
    ");
}

/// Selects the row whose outline text starts with `text`.
fn select_row(app: &mut App, text: &str) {
    let index = outline(app)
        .iter()
        .position(|line| line.trim().starts_with(text))
        .unwrap();
    key(app, KeyCode::Home);
    for _ in 0..index {
        key(app, KeyCode::Down);
    }
    assert!(selected_text(app).starts_with(text));
}

#[test]
fn the_filter_cycles_through_the_badges_and_keeps_what_reaches_it() {
    let mut app = app((100, 30));
    key(&mut app, KeyCode::Char('f'));
    assert_eq!(app.diff.filter, Some(Badge::Locks));
    assert_eq!(
        outline(&app),
        vec![
            "public (4)",
            "  orders (3)",
            "    drop-column public.orders.note [loses data]",
            "    change-column-type public.orders.total [rewrites]",
            "    set-not-null public.orders.status [locks]",
            "  users (1)",
            "    add-unique public.users.users_email_key [locks]",
        ]
    );
    // The selection moves to the first change shown.
    assert_eq!(
        selected_text(&app),
        "drop-column public.orders.note [loses data]"
    );
    key(&mut app, KeyCode::Char('f'));
    key(&mut app, KeyCode::Char('f'));
    assert_eq!(app.diff.filter, Some(Badge::BreaksClients));
    key(&mut app, KeyCode::Char('f'));
    assert_eq!(app.diff.filter, Some(Badge::LosesData));
    assert_eq!(outline(&app).len(), 3);
    key(&mut app, KeyCode::Char('f'));
    assert_eq!(app.diff.filter, None);
    assert_eq!(outline(&app).len(), 12);
}

#[test]
fn search_types_into_the_field_and_matches_ids_and_kinds() {
    let mut app = app((100, 30));
    key(&mut app, KeyCode::Char('/'));
    assert!(app.diff.searching);
    // `q` and `f` are text while searching, not quit or filter.
    type_text(&mut app, "TOTAL");
    assert_eq!(app.diff.search, "TOTAL");
    assert_eq!(app.diff.filter, None);
    assert_eq!(
        outline(&app),
        vec![
            "public (1)",
            "  orders (1)",
            "    change-column-type public.orders.total [rewrites]",
        ]
    );
    key(&mut app, KeyCode::Enter);
    assert!(!app.diff.searching);
    assert_eq!(app.diff.search, "TOTAL");
    key(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "add-");
    assert_eq!(outline(&app).len(), 5);
    key(&mut app, KeyCode::Backspace);
    assert_eq!(app.diff.search, "add");
    key(&mut app, KeyCode::Esc);
    assert!(!app.diff.searching);
    assert!(app.diff.search.is_empty());
    assert_eq!(outline(&app).len(), 12);
}

#[test]
fn toggle_collapses_a_node_or_the_node_holding_a_change() {
    let mut app = app((100, 30));
    select_row(&mut app, "orders");
    key(&mut app, KeyCode::Char(' '));
    assert!(app.diff.collapsed.contains("public.orders"));
    assert_eq!(outline(&app).len(), 8);
    assert_eq!(selected_text(&app), "orders (4)");
    key(&mut app, KeyCode::Char(' '));
    assert_eq!(outline(&app).len(), 12);
    select_row(&mut app, "add-unique");
    key(&mut app, KeyCode::Char(' '));
    assert!(app.diff.collapsed.contains("public.users"));
    assert_eq!(selected_text(&app), "users (1)");
    select_row(&mut app, "public");
    key(&mut app, KeyCode::Char(' '));
    assert_eq!(
        outline(&app),
        vec![
            "audit (2)",
            "  create-schema audit [safe]",
            "  events (1)",
            "    create-table audit.events [safe]",
            "public (5)"
        ]
    );
}

#[test]
fn moves_stay_within_the_rows() {
    let mut app = app((100, 30));
    key(&mut app, KeyCode::Up);
    assert_eq!(app.diff.selected, 0);
    key(&mut app, KeyCode::End);
    assert_eq!(app.diff.selected, 11);
    key(&mut app, KeyCode::Down);
    assert_eq!(app.diff.selected, 11);
    key(&mut app, KeyCode::PageUp);
    assert_eq!(app.diff.selected, 0);
    key(&mut app, KeyCode::PageDown);
    assert_eq!(app.diff.selected, 11);
    key(&mut app, KeyCode::Char('J'));
    key(&mut app, KeyCode::Char('J'));
    assert_eq!(app.diff.detail_scroll, 2);
    key(&mut app, KeyCode::Char('g'));
    assert_eq!(
        app.diff.detail_scroll, 0,
        "a new selection scrolls the detail back"
    );
}

#[test]
fn the_selection_scrolls_into_view_moving_the_window_as_little_as_possible() {
    // 10 rows: header, footer and borders leave 6 for the tree.
    let mut app = app((80, 10));
    key(&mut app, KeyCode::End);
    assert_eq!((app.diff.selected, app.diff.offset), (11, 6));
    for _ in 0..5 {
        key(&mut app, KeyCode::Up);
    }
    assert_eq!((app.diff.selected, app.diff.offset), (6, 6));
    key(&mut app, KeyCode::Up);
    assert_eq!((app.diff.selected, app.diff.offset), (5, 5));
    // A click on the window's third row selects offset + 2.
    let click = MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: 3,
        row: 2 + 2,
        modifiers: KeyModifiers::NONE,
    };
    update(&mut app, Msg::Mouse(click));
    assert_eq!(app.diff.selected, 7);
}

#[test]
fn count_asks_for_the_count_and_shows_the_result() {
    let mut app = app((100, 30));
    select_row(&mut app, "set-not-null");
    let effects = key(&mut app, KeyCode::Char('c'));
    let session = app.session.as_ref().unwrap();
    let change = session
        .changes
        .iter()
        .find(|c| c.kind() == "set-not-null")
        .unwrap()
        .clone();
    assert_eq!(
        effects,
        vec![Effect::Count {
            generation: 1,
            change: Box::new(change.clone()),
        }]
    );
    assert_eq!(
        app.diff.counts.get(&change.id()),
        Some(&CountStatus::Running)
    );
    let fact = crate::rules::set_not_null::null_count_fact(3);
    update(
        &mut app,
        Msg::Counted {
            generation: 1,
            change: change.id(),
            result: Ok(vec![fact]),
        },
    );
    assert_eq!(app.diff.counts.get(&change.id()), Some(&CountStatus::Done));
    let terminal = render(&app, 100, 30);
    let text = format!("{:?}", terminal.backend().buffer());
    assert!(text.contains("NULLs: 3 rows (counted)"), "{text}");
}

#[test]
fn count_on_a_change_with_nothing_to_count_says_so() {
    let mut app = app((100, 30));
    select_row(&mut app, "add-column");
    let effects = key(&mut app, KeyCode::Char('c'));
    assert!(effects.is_empty());
    assert!(
        matches!(app.overlay, Some(Overlay::Message(ref text)) if text.starts_with("Nothing to count"))
    );
    assert_eq!(app.generation, 0);
}

#[test]
fn a_click_selects_the_row_under_it() {
    let mut app = app((100, 30));
    // Header on row 0, the tree's border on row 1: row 2 + n is the tree's row n.
    let click = MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: 5,
        row: 2 + 5,
        modifiers: KeyModifiers::NONE,
    };
    update(&mut app, Msg::Mouse(click));
    assert_eq!(app.diff.selected, 5);
    assert_eq!(selected_text(&app), "orders (4)");
    // A click in the detail pane changes nothing.
    update(
        &mut app,
        Msg::Mouse(MouseEvent {
            column: 70,
            ..click
        }),
    );
    assert_eq!(app.diff.selected, 5);
}

#[test]
fn the_screen_at_100_by_30() {
    let mut app = app((100, 30));
    select_row(&mut app, "change-column-type");
    assert_eq!(app.screen, Screen::Diff);
    insta::assert_snapshot!(render(&app, 100, 30).backend());
}

#[test]
fn the_screen_at_80_by_24_with_a_search_and_a_count_running() {
    let mut app = app((80, 24));
    key(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "orders");
    key(&mut app, KeyCode::Enter);
    select_row(&mut app, "set-not-null");
    key(&mut app, KeyCode::Char('c'));
    insta::assert_snapshot!(render(&app, 80, 24).backend());
}

#[test]
fn a_table_node_shows_its_whole_ddl_diff_and_facts() {
    let mut app = app((100, 30));
    select_row(&mut app, "orders");
    let terminal = render(&app, 100, 30);
    let text = format!("{:?}", terminal.backend().buffer());
    assert!(text.contains("-  note text,"), "{text}");
    assert!(
        text.contains("+  created_at timestamp with time zone"),
        "{text}"
    );
}

/// The cell where `text` starts on screen row `y`.
fn cell_of(terminal: &Terminal<TestBackend>, y: u16, text: &str) -> ratatui::buffer::Cell {
    let buffer = terminal.backend().buffer();
    let line: String = (0..buffer.area.width)
        .map(|x| buffer[(x, y)].symbol().to_owned())
        .collect();
    let x = line.find(text).unwrap();
    let x = u16::try_from(line[..x].chars().count()).unwrap();
    buffer[(x, y)].clone()
}

#[test]
fn badges_carry_their_colour_and_none_under_no_color() {
    let app = app((100, 30));
    // Row 2 + 8 is the tree's ninth row: change-column-type, which rewrites.
    let terminal = render(&app, 100, 30);
    assert_eq!(cell_of(&terminal, 10, "rewrites").fg, Color::Magenta);
    assert_eq!(cell_of(&terminal, 9, "safe").fg, Color::Green);
    let mut plain = app.clone();
    plain.color = false;
    let terminal = render(&plain, 100, 30);
    assert_eq!(cell_of(&terminal, 10, "rewrites").fg, Color::Reset);
}
