//! The diff screen: on the left the tree of what changes (schema → table → change) with each
//! one's worst badge, filtered by risk and searched with `/`; on the right the selected change's
//! cost, explanation, DDL diff and facts. Rendering formats only the rows in view, so it stays
//! fast with thousands of changes.

pub mod detail;
pub mod tree;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Margin, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use self::tree::{Node, Row};
use crate::rules::Badge;
use crate::tui::app::{App, CountStatus, Overlay, Session};
use crate::tui::keys::Action;
use crate::tui::msg::Effect;
use crate::tui::theme::Theme;

/// The risk filter's steps, in the order `f` cycles through them.
const FILTERS: [Option<Badge>; 5] = [
    None,
    Some(Badge::Locks),
    Some(Badge::Rewrites),
    Some(Badge::BreaksClients),
    Some(Badge::LosesData),
];

/// The tree pane and the detail pane of `body`.
#[must_use]
pub fn panes(body: Rect) -> [Rect; 2] {
    Layout::horizontal([Constraint::Percentage(42), Constraint::Percentage(58)]).areas(body)
}

/// The first row to show so that `selected` is in a window of `height` rows, moving as little
/// as possible from `offset`.
#[must_use]
pub fn scrolled(offset: usize, selected: usize, height: usize, rows: usize) -> usize {
    let height = height.max(1);
    let offset = offset.min(rows.saturating_sub(height));
    if selected < offset {
        selected
    } else if selected >= offset + height {
        selected + 1 - height
    } else {
        offset
    }
}

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let theme = Theme::new(app.color);
    let Some(session) = &app.session else {
        frame.render_widget(Block::default().borders(Borders::ALL), area);
        return;
    };
    let [left, right] = panes(area);
    let rows = tree::rows(session, &app.diff);
    render_tree(app, session, &rows, frame, left, theme);
    let block = Block::default().borders(Borders::ALL).title(" Detail ");
    let lines = match rows.get(app.diff.selected) {
        Some(row) => detail::lines(session, &app.diff, row, theme),
        None => Vec::new(),
    };
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((app.diff.detail_scroll, 0))
            .block(block),
        right,
    );
}

fn render_tree(
    app: &App,
    session: &Session,
    rows: &[Row<'_>],
    frame: &mut Frame,
    area: Rect,
    theme: Theme,
) {
    let view = &app.diff;
    let mut title = format!(" Changes ({}) ", session.changes.len());
    if let Some(filter) = view.filter {
        title = format!(" Changes ({}) · {filter} or worse ", session.changes.len());
    }
    let mut block = Block::default().borders(Borders::ALL).title(title);
    if view.searching || !view.search.is_empty() {
        let cursor = if view.searching { "_" } else { "" };
        block = block.title_bottom(Line::styled(
            format!(" /{}{cursor} ", view.search),
            theme.key(),
        ));
    }
    let inner = area.inner(Margin::new(1, 1));
    frame.render_widget(block, area);
    let height = usize::from(inner.height);
    let width = usize::from(inner.width);
    if rows.is_empty() {
        let text = Line::styled(empty_text(session), theme.dim());
        frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), inner);
        return;
    }
    let lines: Vec<Line> = {
        let offset = scrolled(view.offset, view.selected, height, rows.len());
        rows.iter()
            .enumerate()
            .skip(offset)
            .take(height)
            .map(|(index, row)| row_line(session, row, width, index == view.selected, theme))
            .collect()
    };
    frame.render_widget(Paragraph::new(lines), inner);
}

fn empty_text(session: &Session) -> &'static str {
    if session.changes.is_empty() {
        "The live database matches the desired schema."
    } else {
        "No change matches the filter and search."
    }
}

/// One row of the tree, `width` columns wide: indent, marker, name, and the badge at the right.
fn row_line(
    session: &Session,
    row: &Row<'_>,
    width: usize,
    selected: bool,
    theme: Theme,
) -> Line<'static> {
    let indent = "  ".repeat(row.depth());
    let label = match row.node {
        Node::Schema => {
            let name = if row.schema.is_empty() {
                "(database)"
            } else {
                row.schema
            };
            format!("{} {name} ({})", marker(row), row.changes)
        }
        Node::Table => format!(
            "{} {} ({})",
            marker(row),
            row.table.unwrap_or_default(),
            row.changes
        ),
        Node::Change(index) => change_label(session, row, index),
    };
    let badge = badge_text(row.worst, width);
    let room = width.saturating_sub(indent.chars().count() + badge.chars().count() + 1);
    let label = truncated(&label, room);
    let pad = room.saturating_sub(label.chars().count()) + 1;
    let line = Line::from(vec![
        Span::raw(format!("{indent}{label}{}", " ".repeat(pad))),
        Span::styled(badge, theme.badge(row.worst)),
    ]);
    if selected {
        line.style(theme.selected())
    } else {
        line.style(Style::new())
    }
}

fn marker(row: &Row<'_>) -> &'static str {
    if row.collapsed { "▸" } else { "▾" }
}

/// `add-column status`: the kind and the object's name without the schema and table it is in.
fn change_label(session: &Session, row: &Row<'_>, index: usize) -> String {
    let Some(change) = session.changes.get(index) else {
        return String::new();
    };
    let object = change.object();
    let mut rest = object.as_str();
    for prefix in [Some(row.schema), row.table].into_iter().flatten() {
        if let Some(stripped) = rest.strip_prefix(prefix).and_then(|r| r.strip_prefix('.')) {
            rest = stripped;
        }
    }
    if rest.is_empty() || Some(rest) == row.table {
        change.kind().to_owned()
    } else {
        format!("{} {rest}", change.kind())
    }
}

/// The badge as the tree shows it: in full when the pane is wide, shortened when it is narrow.
fn badge_text(badge: Badge, width: usize) -> String {
    if width >= 44 {
        return badge.to_string();
    }
    match badge {
        Badge::Safe => "safe",
        Badge::Locks => "locks",
        Badge::Rewrites => "rewrites",
        Badge::BreaksClients => "breaks",
        Badge::LosesData => "data loss",
    }
    .to_owned()
}

fn truncated(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Rows of the tree pane for the terminal size `app.size`, as [`crate::tui::view`] lays it out.
fn tree_height(app: &App) -> usize {
    usize::from(app.size.1.saturating_sub(4))
}

/// Handles an action on this screen.
pub fn on_action(app: &mut App, action: Action) -> Vec<Effect> {
    let Some(session) = &app.session else {
        return Vec::new();
    };
    let rows = tree::rows(session, &app.diff);
    let count = rows.len();
    let page = tree_height(app).max(1);
    let selected = app.diff.selected.min(count.saturating_sub(1));
    match action {
        Action::Up => select(app, selected.saturating_sub(1)),
        Action::Down => select(app, selected + 1),
        Action::PageUp => select(app, selected.saturating_sub(page)),
        Action::PageDown => select(app, selected + page),
        Action::Top => select(app, 0),
        Action::Bottom => select(app, count.saturating_sub(1)),
        Action::Toggle => {
            let target = rows.get(selected).map(|row| (row.node, row.node_key()));
            if let Some((node, key)) = target {
                toggle(app, node, key);
            }
        }
        Action::Filter => {
            let at = FILTERS
                .iter()
                .position(|f| *f == app.diff.filter)
                .unwrap_or(0);
            let keep = rows.get(selected).map(|row| (row.node, row.node_key()));
            app.diff.filter = FILTERS[(at + 1) % FILTERS.len()];
            reselect(app, keep);
        }
        Action::Search => {
            app.diff.searching = true;
            app.diff.search.clear();
            reselect(app, None);
        }
        Action::Count => {
            let change = match rows.get(selected).map(|row| row.node) {
                Some(Node::Change(index)) => session.changes.get(index).cloned(),
                _ => None,
            };
            return count_effect(app, change);
        }
        Action::ScrollDetailDown => {
            app.diff.detail_scroll = app.diff.detail_scroll.saturating_add(1);
        }
        Action::ScrollDetailUp => {
            app.diff.detail_scroll = app.diff.detail_scroll.saturating_sub(1);
        }
        _ => {}
    }
    Vec::new()
}

/// Selects row `index` (clamped to the rows there are) and scrolls it into view.
fn select(app: &mut App, index: usize) {
    let Some(session) = &app.session else {
        return;
    };
    let count = tree::rows(session, &app.diff).len();
    let index = index.min(count.saturating_sub(1));
    if index != app.diff.selected {
        app.diff.detail_scroll = 0;
    }
    app.diff.selected = index;
    app.diff.offset = scrolled(app.diff.offset, index, tree_height(app), count);
}

/// Selects the row of `node` (a change, or the node with that key) in the rows as they are now,
/// else the first change shown.
fn reselect(app: &mut App, node: Option<(Node, String)>) {
    let Some(session) = &app.session else {
        return;
    };
    let rows = tree::rows(session, &app.diff);
    let index = node
        .and_then(|(node, key)| {
            rows.iter()
                .position(|row| row.node == node && row.node_key() == key)
        })
        .or_else(|| {
            rows.iter()
                .position(|row| matches!(row.node, Node::Change(_)))
        })
        .unwrap_or(0);
    app.diff.selected = usize::MAX;
    select(app, index);
}

/// Collapses or expands a node; on a change, collapses the node that holds it and selects it.
fn toggle(app: &mut App, node: Node, key: String) {
    let collapsed = &mut app.diff.collapsed;
    let expand = !matches!(node, Node::Change(_)) && collapsed.remove(&key);
    if !expand {
        collapsed.insert(key.clone());
    }
    let Some(session) = &app.session else {
        return;
    };
    let position = tree::rows(session, &app.diff)
        .iter()
        .position(|row| !matches!(row.node, Node::Change(_)) && row.node_key() == key);
    if let Some(index) = position {
        app.diff.selected = usize::MAX;
        select(app, index);
    }
}

fn count_effect(app: &mut App, change: Option<crate::diff::Change>) -> Vec<Effect> {
    let Some(change) = change.filter(|change| detail::countable(change).is_some()) else {
        app.overlay = Some(Overlay::Message(
            "Nothing to count here: counts are for changes that make a column NOT NULL, add a \
             unique key or a foreign key to an existing table, change a column's type or drop \
             enum labels."
                .to_owned(),
        ));
        return Vec::new();
    };
    app.generation += 1;
    // The results of earlier requests will be dropped as stale, so they are no longer running.
    app.diff
        .counts
        .retain(|_, status| *status != CountStatus::Running);
    app.diff.counts.insert(change.id(), CountStatus::Running);
    vec![Effect::Count {
        generation: app.generation,
        change: Box::new(change),
    }]
}

/// A key that edits text on this screen (a search, an input); `None` when it is not one.
pub fn on_text_key(app: &mut App, key: &KeyEvent) -> Option<Vec<Effect>> {
    if !app.diff.searching || key.modifiers.contains(KeyModifiers::CONTROL) {
        return None;
    }
    match key.code {
        KeyCode::Char(c) => app.diff.search.push(c),
        KeyCode::Backspace => {
            app.diff.search.pop();
        }
        KeyCode::Enter => {
            app.diff.searching = false;
            return Some(Vec::new());
        }
        KeyCode::Esc => {
            app.diff.searching = false;
            app.diff.search.clear();
        }
        _ => return None,
    }
    reselect(app, None);
    Some(Vec::new())
}

/// A mouse click at (`column`, `row`) of the terminal: selects the tree row clicked.
pub fn on_click(app: &mut App, column: u16, row: u16) -> Vec<Effect> {
    let Some(session) = &app.session else {
        return Vec::new();
    };
    let (width, height) = app.size;
    let body = Rect::new(0, 1, width, height.saturating_sub(2));
    let [left, _] = panes(body);
    let inner = left.inner(Margin::new(1, 1));
    let inside =
        column >= inner.x && column < inner.right() && row >= inner.y && row < inner.bottom();
    if !inside {
        return Vec::new();
    }
    let count = tree::rows(session, &app.diff).len();
    let offset = scrolled(
        app.diff.offset,
        app.diff.selected,
        usize::from(inner.height),
        count,
    );
    let index = offset + usize::from(row - inner.y);
    if index < count {
        app.diff.offset = offset;
        select(app, index);
    }
    Vec::new()
}

#[cfg(test)]
mod tests;
