//! The decisions screen.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::{Block, Borders};

use crate::tui::app::App;
use crate::tui::keys::Action;
use crate::tui::msg::Effect;

pub fn render(_app: &App, frame: &mut Frame, area: Rect) {
    frame.render_widget(
        Block::default().borders(Borders::ALL).title(" decisions "),
        area,
    );
}

/// Handles an action on this screen.
pub fn on_action(_app: &mut App, _action: Action) -> Vec<Effect> {
    Vec::new()
}

/// A key that edits text on this screen (a search, an input); `None` when it is not one.
pub fn on_text_key(_app: &mut App, _key: &crossterm::event::KeyEvent) -> Option<Vec<Effect>> {
    None
}

/// A mouse click at (`column`, `row`) of the terminal.
pub fn on_click(_app: &mut App, _column: u16, _row: u16) -> Vec<Effect> {
    Vec::new()
}

/// Answers every remaining question with its default.
pub fn accept_defaults(_app: &mut App) {}
