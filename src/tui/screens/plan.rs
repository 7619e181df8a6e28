//! The plan screen.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::{Block, Borders};

use crate::tui::app::App;
use crate::tui::keys::Action;
use crate::tui::msg::Effect;

pub fn render(_app: &App, frame: &mut Frame, area: Rect) {
    frame.render_widget(Block::default().borders(Borders::ALL).title(" plan "), area);
}

/// Handles an action on this screen.
pub fn on_action(_app: &mut App, _action: Action) -> Vec<Effect> {
    Vec::new()
}

/// A mouse click at (`column`, `row`) of the terminal.
pub fn on_click(_app: &mut App, _column: u16, _row: u16) -> Vec<Effect> {
    Vec::new()
}

/// Makes the plan for the current answers (or says which questions are unanswered).
pub fn refresh(_app: &mut App) {}

/// Writes the plan as `plans/<name>`; an existing folder asks first unless `force`.
pub fn request_write(_app: &mut App, _name: &str, _force: bool) -> Vec<Effect> {
    Vec::new()
}
