//! Drawing the state: header with the screens, the current screen, the footer of key hints,
//! and a dialog on top when one is open. Reads [`App`]; changes nothing.

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::app::{App, Overlay, Screen};
use super::keys;
use super::screens;
use super::theme::Theme;

/// Below this size the screens cannot be laid out; a message says so.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 16;

/// Draws `app` into `frame`.
pub fn view(app: &App, frame: &mut Frame) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let text = format!(
            "The terminal is too small for pgphase: {MIN_WIDTH}×{MIN_HEIGHT} at least, now {}×{}.",
            area.width, area.height
        );
        frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), area);
        return;
    }
    let [header, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let theme = Theme::new(app.color);
    frame.render_widget(Paragraph::new(header_line(app, theme)), header);
    match app.screen {
        Screen::Loading => screens::loading::render(app, frame, body),
        Screen::Failure => screens::failure::render(app, frame, body),
        Screen::Diff => screens::diff::render(app, frame, body),
        Screen::Decisions => screens::decisions::render(app, frame, body),
        Screen::Plan => screens::plan::render(app, frame, body),
    }
    frame.render_widget(
        Paragraph::new(footer_line(app.screen, theme, footer.width)),
        footer,
    );
    if let Some(overlay) = &app.overlay {
        render_overlay(app, overlay, frame, theme);
    }
}

fn header_line(app: &App, theme: Theme) -> Line<'static> {
    let mut spans = vec![Span::styled(" pgphase ", theme.title())];
    for (screen, name) in [
        (Screen::Diff, "Diff"),
        (Screen::Decisions, "Decisions"),
        (Screen::Plan, "Plan"),
    ] {
        spans.push(Span::raw(" "));
        let style = if app.screen == screen {
            theme.selected()
        } else {
            theme.dim()
        };
        spans.push(Span::styled(format!(" {name} "), style));
    }
    Line::from(spans)
}

/// The key hints that fit in `width` (the key map says which go first).
fn footer_line(screen: Screen, theme: Theme, width: u16) -> Line<'static> {
    let mut spans = Vec::new();
    for (label, help) in keys::footer(screen, usize::from(width)) {
        spans.push(Span::styled(format!(" {label}"), theme.key()));
        spans.push(Span::raw(format!(" {help} ")));
    }
    Line::from(spans)
}

fn render_overlay(app: &App, overlay: &Overlay, frame: &mut Frame, theme: Theme) {
    let (title, lines): (&str, Vec<Line>) = match overlay {
        Overlay::Help => ("Keys", help_lines(app.screen, theme)),
        Overlay::ConfirmQuit => (
            "Quit?",
            vec![
                Line::raw("Your answers are not written to a plan yet."),
                Line::raw("Quit anyway? y / n"),
            ],
        ),
        Overlay::ConfirmDefaults => (
            "Accept the defaults?",
            vec![
                Line::raw("Every question not answered yet takes its default."),
                Line::raw("Accept? y / n"),
            ],
        ),
        Overlay::PlanName { text } => (
            "Write the plan",
            vec![
                Line::raw(format!(
                    "Name (written under {}/):",
                    app.plans_dir.display()
                )),
                Line::styled(format!("> {text}_"), theme.title()),
                Line::styled("enter writes, esc cancels", theme.dim()),
            ],
        ),
        Overlay::ConfirmReplace { name } => (
            "Replace?",
            vec![
                Line::raw(format!(
                    "{}/{name} exists already.",
                    app.plans_dir.display()
                )),
                Line::raw("Replace it? y / n"),
            ],
        ),
        Overlay::ExportTool { selected } => ("Export to", export_lines(*selected, theme)),
        Overlay::Message(text) => (
            "",
            vec![
                Line::raw(text.clone()),
                Line::styled("any key closes", theme.dim()),
            ],
        ),
    };
    let width = lines
        .iter()
        .map(Line::width)
        .max()
        .unwrap_or(0)
        .clamp(30, usize::from(frame.area().width.saturating_sub(4)));
    let height = lines.len() + 2;
    let area = centered(frame.area(), width + 4, height);
    frame.render_widget(Clear, area);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(format!(" {title} "));
    frame.render_widget(
        Paragraph::new(lines)
            .alignment(Alignment::Left)
            .wrap(Wrap { trim: false })
            .block(block),
        area,
    );
}

/// The migration tools, the selected one marked; the folder goes beside the plan's.
fn export_lines(selected: usize, theme: Theme) -> Vec<Line<'static>> {
    let mut lines: Vec<Line> = crate::export::Tool::ALL
        .iter()
        .enumerate()
        .map(|(index, tool)| {
            if index == selected {
                Line::styled(format!("> {}", tool.title()), theme.title())
            } else {
                Line::raw(format!("  {}", tool.title()))
            }
        })
        .collect();
    lines.push(Line::styled(
        "enter exports beside the plan folder, esc cancels",
        theme.dim(),
    ));
    lines
}

fn help_lines(screen: Screen, theme: Theme) -> Vec<Line<'static>> {
    keys::help(screen)
        .into_iter()
        .map(|(label, help)| {
            Line::from(vec![
                Span::styled(format!("{label:>10}  "), theme.key()),
                Span::raw(help),
            ])
        })
        .collect()
}

/// A rectangle of `width`×`height` centred in `area` (clipped to it).
#[must_use]
pub fn centered(area: Rect, width: usize, height: usize) -> Rect {
    let width = u16::try_from(width).unwrap_or(u16::MAX).min(area.width);
    let height = u16::try_from(height).unwrap_or(u16::MAX).min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}
