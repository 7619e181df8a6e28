//! The loading screen: what is being read, and how far it got.

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::session::Progress;
use crate::tui::app::App;
use crate::tui::theme::Theme;

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let theme = Theme::new(app.color);
    let (step, detail) = match &app.loading {
        None => ("connecting".to_owned(), None),
        Some(Progress::ReadingFile(path)) => (format!("reading {}", path.display()), None),
        Some(Progress::Reading(p)) => (
            format!("reading {}", p.step),
            Some(format!(
                "{} of {} catalog queries, {} rows read",
                p.finished_queries,
                p.total_queries,
                crate::decide::thousands(p.rows_read as u64)
            )),
        ),
        Some(Progress::Canonicalising(step)) => (step.clone(), None),
        Some(Progress::Counting(p)) => (
            format!("counting {}", p.what),
            Some(format!("{} of {} counts done", p.index - 1, p.total)),
        ),
    };
    let mut lines = vec![
        Line::styled(
            "Reading the live schema and the desired file…",
            theme.title(),
        ),
        Line::raw(""),
        Line::raw(step),
    ];
    lines.extend(detail.map(Line::raw));
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
