//! Colours and styles, in one place; everything is plain when colour is off (`NO_COLOR`).

use ratatui::style::{Color, Modifier, Style};

use crate::rules::Badge;

/// The styles of one run of the planner.
#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    #[must_use]
    pub fn new(color: bool) -> Self {
        Self { color }
    }

    fn fg(self, color: Color) -> Style {
        if self.color {
            Style::new().fg(color)
        } else {
            Style::new()
        }
    }

    /// A badge's colour by severity.
    #[must_use]
    pub fn badge(self, badge: Badge) -> Style {
        match badge {
            Badge::Safe => self.fg(Color::Green),
            Badge::Locks => self.fg(Color::Yellow),
            Badge::Rewrites => self.fg(Color::Magenta),
            Badge::BreaksClients => self.fg(Color::Red),
            Badge::LosesData => self.fg(Color::Red).add_modifier(Modifier::BOLD),
        }
    }

    /// The selected row: reversed, so it shows without colour too.
    #[must_use]
    pub fn selected(self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    #[must_use]
    pub fn title(self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    #[must_use]
    pub fn dim(self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new()
        }
    }

    #[must_use]
    pub fn key(self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    #[must_use]
    pub fn error(self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    /// Lines added in a diff.
    #[must_use]
    pub fn added(self) -> Style {
        self.fg(Color::Green)
    }

    /// Lines removed in a diff.
    #[must_use]
    pub fn removed(self) -> Style {
        self.fg(Color::Red)
    }

    /// SQL keywords.
    #[must_use]
    pub fn keyword(self) -> Style {
        self.fg(Color::Blue).add_modifier(Modifier::BOLD)
    }

    /// SQL comments.
    #[must_use]
    pub fn comment(self) -> Style {
        self.dim()
    }
}
