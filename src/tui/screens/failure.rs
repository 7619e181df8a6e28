//! A failure as a readable screen: what happened and what to do, never a crash.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::tui::app::App;
use crate::tui::theme::Theme;

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let theme = Theme::new(app.color);
    let Some(failure) = &app.failure else {
        return;
    };
    let mut lines = vec![
        Line::styled(failure.title.clone(), theme.error()),
        Line::raw(""),
    ];
    lines.extend(failure.message.lines().map(|l| Line::raw(l.to_owned())));
    lines.push(Line::raw(""));
    lines.push(Line::styled("What to do", theme.title()));
    lines.extend(failure.hint.lines().map(|l| Line::raw(l.to_owned())));
    lines.push(Line::raw(""));
    lines.push(Line::styled("q quits", theme.dim()));
    let block = Block::default()
        .borders(Borders::ALL)
        .title(" pgphase: cannot go on ");
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block),
        area,
    );
}
