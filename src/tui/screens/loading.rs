//! The loading screen: what is being read, and how far it got.

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::tui::app::App;
use crate::tui::theme::Theme;

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let theme = Theme::new(app.color);
    let loading = &app.loading;
    let mut lines = vec![
        Line::styled(
            "Reading the live schema and the desired file…",
            theme.title(),
        ),
        Line::raw(""),
        Line::raw(if loading.step.is_empty() {
            "connecting".to_owned()
        } else {
            loading.step.clone()
        }),
    ];
    if loading.total_queries > 0 {
        lines.push(Line::raw(format!(
            "{} of {} catalog queries, {} rows read",
            loading.finished_queries,
            loading.total_queries,
            crate::decide::thousands(loading.rows_read)
        )));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled("Esc or q cancels", theme.dim()));
    let block = Block::default().borders(Borders::ALL).title(" pgphase ");
    frame.render_widget(
        Paragraph::new(lines)
            .alignment(Alignment::Center)
            .block(block),
        area,
    );
}
