//! The plan screen: the plan for the current answers as its files (each with how it runs, its
//! strongest lock and a duration class), the selected file's statements with their notes or
//! its rollback, its deploy gates, and writing the folder under `plans/`.
//!
//! The plan comes from `crate::plan`, the file texts from `crate::output::plan_files`: the
//! folder written here is byte for byte what `pgphase plan --answers` writes.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, List, ListItem, ListState, Paragraph, Wrap};

use crate::decide::Mode;
use crate::output::plan_files;
use crate::plan::{
    DurationClass, FileKind, Plan, PlanError, PlanFile, PlannedStatement, Undecided,
};
use crate::rules::{Badge, Context};
use crate::sql::lexer::{self, Kind};
use crate::step::Lock;
use crate::tui::app::{App, Overlay};
use crate::tui::keys::Action;
use crate::tui::msg::Effect;
use crate::tui::theme::Theme;

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let theme = Theme::new(app.color);
    match &app.plan.plan {
        Some(Ok(plan)) => render_plan(app, plan, frame, area, theme),
        Some(Err(reason)) => render_message(reason, frame, area, theme),
        None => render_message("No plan yet.", frame, area, theme),
    }
}

fn render_message(text: &str, frame: &mut Frame, area: Rect, theme: Theme) {
    let mut lines = vec![Line::styled("No plan yet", theme.title()), Line::raw("")];
    lines.extend(text.lines().map(|line| Line::raw(line.to_owned())));
    let block = Block::default().borders(Borders::ALL).title(" Plan ");
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block),
        area,
    );
}

fn render_plan(app: &App, plan: &Plan, frame: &mut Frame, area: Rect, theme: Theme) {
    let [left, right] = columns(area);
    let mut block = Block::default()
        .borders(Borders::ALL)
        .title(format!(" Files · {} ", mode_name(plan.settings.mode)))
        .title_style(theme.title());
    if let Some(path) = &app.plan.written {
        block = block.title_bottom(format!(" wrote {} ", path.display()));
    }
    let visible = visible_files(block.inner(left));
    let items: Vec<ListItem> = plan
        .files
        .iter()
        .map(|file| file_item(file, left.width.saturating_sub(2), theme))
        .collect();
    let selected = app
        .plan
        .selected_file
        .min(plan.files.len().saturating_sub(1));
    let mut state = ListState::default()
        .with_offset(list_offset(selected, visible))
        .with_selected(Some(selected));
    frame.render_stateful_widget(
        List::new(items)
            .block(block)
            .highlight_style(theme.selected()),
        left,
        &mut state,
    );
    let Some(file) = plan.files.get(selected) else {
        render_message(
            "The plan has no files: nothing changes.",
            frame,
            right,
            theme,
        );
        return;
    };
    let detail = Block::default()
        .borders(Borders::ALL)
        .title(detail_title(file, app.plan.show_rollback))
        .title_style(theme.title());
    frame.render_widget(
        Paragraph::new(detail_lines(file, app.plan.show_rollback, theme))
            .wrap(Wrap { trim: false })
            .scroll((app.plan.scroll, 0))
            .block(detail),
        right,
    );
}

/// The file list and the detail pane of the plan screen's `area`.
fn columns(area: Rect) -> [Rect; 2] {
    let left = (area.width * 9 / 20).clamp(24, 36);
    Layout::horizontal([Constraint::Length(left), Constraint::Min(1)]).areas(area)
}

/// Files shown at once in a list of height `inner` (two lines each).
fn visible_files(inner: Rect) -> usize {
    usize::from(inner.height / 2).max(1)
}

/// The first file shown, so that `selected` is the last one visible when it would be below.
fn list_offset(selected: usize, visible: usize) -> usize {
    selected.saturating_sub(visible.saturating_sub(1))
}

fn mode_name(mode: Mode) -> &'static str {
    match mode {
        Mode::ZeroDowntime => "zero downtime",
        Mode::MaintenanceWindow => "maintenance window",
    }
}

fn kind_name(kind: FileKind) -> &'static str {
    match kind {
        FileKind::Transaction => "transaction",
        FileKind::Gate => "deploy gate",
        FileKind::Separate | FileKind::Concurrently | FileKind::Batched | FileKind::Worker => {
            "no transaction"
        }
    }
}

/// A file as two lines: its name and duration class, then how it runs and its strongest lock.
fn file_item(file: &PlanFile, width: u16, theme: Theme) -> ListItem<'static> {
    let class = file.duration;
    let lock = file.strongest_lock;
    let mut first = vec![Span::styled(file.name.clone(), theme.title())];
    let mut second = vec![Span::raw(format!(" {}", kind_name(file.kind)))];
    if file.kind != FileKind::Gate {
        let pad = usize::from(width).saturating_sub(file.name.chars().count() + class.name().len());
        first.push(Span::raw(" ".repeat(pad)));
        first.push(Span::styled(class.name(), class_style(class, theme)));
        second.push(Span::raw(" · "));
        second.push(Span::styled(
            lock.sql_name(),
            lock_style(lock, class, theme),
        ));
        second.push(Span::raw(format!(" · wait ≤ {}", wait(file.budget_ms))));
    }
    ListItem::new(vec![Line::from(first), Line::from(second)])
}

/// A file's budget, short: `1.5s`, or `∞` when no lock_timeout bounds it.
fn wait(budget_ms: u64) -> String {
    if budget_ms == 0 {
        "∞".to_owned()
    } else {
        crate::sql::duration(budget_ms)
    }
}

fn class_style(class: DurationClass, theme: Theme) -> Style {
    match class {
        DurationClass::Instant | DurationClass::Seconds => theme.badge(Badge::Safe),
        DurationClass::Minutes | DurationClass::Unknown => theme.badge(Badge::Locks),
        DurationClass::Hours => theme.badge(Badge::BreaksClients),
    }
}

/// Weak locks are green; locks that block writes yellow; ACCESS EXCLUSIVE held for more than
/// an instant blocks reads too, and is red.
fn lock_style(lock: Lock, class: DurationClass, theme: Theme) -> Style {
    match lock {
        Lock::AccessExclusive if class != DurationClass::Instant => {
            theme.badge(Badge::BreaksClients)
        }
        Lock::AccessExclusive | Lock::Share | Lock::ShareRowExclusive => theme.badge(Badge::Locks),
        _ => theme.badge(Badge::Safe),
    }
}

fn detail_title(file: &PlanFile, rollback: bool) -> String {
    match (file.kind, rollback) {
        (FileKind::Gate, _) => format!(" {}.md ", file.name),
        // Read-only checks: there is nothing to roll back.
        _ if plan_files::is_preconditions(file) => format!(" {}.sql · read-only ", file.name),
        (_, true) => format!(" {}.rollback.sql · r: statements ", file.name),
        (_, false) => format!(" {}.sql · r: rollback ", file.name),
    }
}

/// The right pane for `file`: its statements (or rollback) with their notes, or its gates.
#[must_use]
pub fn detail_lines(file: &PlanFile, rollback: bool, theme: Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    if file.kind == FileKind::Gate {
        lines.push(Line::styled(
            "Deploy gate: do not go on to the next file until each of these holds.",
            theme.title(),
        ));
        lines.push(Line::raw(""));
        for (change, requirement) in &file.gates {
            lines.push(Line::from(vec![
                Span::styled(format!("☐ {change}: "), theme.key()),
                Span::raw(requirement.clone()),
            ]));
        }
        return lines;
    }
    let rollback = rollback && !plan_files::is_preconditions(file);
    lines.push(Line::raw(format!(
        "Runs {}.",
        plan_files::how_it_runs(file.kind)
    )));
    lines.push(Line::raw(format!("Budget: {}.", plan_files::budget(file))));
    for set in plan_files::timeout_statements(file) {
        lines.push(sql_line(&format!("{set};"), theme));
    }
    if rollback {
        rollback_lines(file, theme, &mut lines);
    } else {
        statement_lines(&file.statements, theme, &mut lines);
        lines.push(Line::raw(""));
        lines.push(Line::styled("How to check it applied", theme.title()));
        push_text(&mut lines, plan_files::check(file));
        lines.push(Line::raw(""));
        lines.push(Line::styled("If it fails", theme.title()));
        push_text(&mut lines, plan_files::if_it_fails(file.kind));
    }
    lines
}

fn rollback_lines(file: &PlanFile, theme: Theme, lines: &mut Vec<Line<'static>>) {
    if !file.rollback_warnings.is_empty() {
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            "What this rollback does not bring back:",
            theme.error(),
        ));
        for (change, warning) in &file.rollback_warnings {
            lines.push(Line::styled(
                format!("  {change}: {warning}"),
                theme.error(),
            ));
        }
    }
    if file.rollback.is_empty() {
        lines.push(Line::raw(""));
        lines.push(Line::styled("Nothing to run.", theme.dim()));
        return;
    }
    statement_lines(&file.rollback, theme, lines);
}

fn statement_lines(statements: &[PlannedStatement], theme: Theme, lines: &mut Vec<Line<'static>>) {
    for planned in statements {
        lines.push(Line::raw(""));
        for comment in plan_files::statement_comment(planned).lines() {
            lines.push(Line::styled(comment.to_owned(), theme.comment()));
        }
        lines.extend(sql_lines(&format!("{};", planned.statement.sql), theme));
    }
}

fn push_text(lines: &mut Vec<Line<'static>>, text: &str) {
    lines.extend(text.lines().map(|line| Line::raw(line.to_owned())));
}

/// Words shown as SQL keywords (pgphase writes keywords in capitals, identifiers in lower case).
const KEYWORDS: &[&str] = &[
    "ADD",
    "AFTER",
    "ALTER",
    "ALWAYS",
    "AND",
    "AS",
    "ASC",
    "ATTACH",
    "BEFORE",
    "BEGIN",
    "BETWEEN",
    "BY",
    "CASCADE",
    "CASE",
    "CHECK",
    "COLLATE",
    "COLUMN",
    "COMMENT",
    "COMMIT",
    "CONCURRENTLY",
    "CONSTRAINT",
    "CREATE",
    "DATA",
    "DECLARE",
    "DEFAULT",
    "DELETE",
    "DESC",
    "DETACH",
    "DISTINCT",
    "DO",
    "DROP",
    "ELSE",
    "END",
    "ENUM",
    "EXCLUDE",
    "EXISTS",
    "EXIT",
    "EXTENSION",
    "FALSE",
    "FOR",
    "FOREIGN",
    "FROM",
    "FUNCTION",
    "GENERATED",
    "GET",
    "IDENTITY",
    "IF",
    "IN",
    "INCLUDE",
    "INDEX",
    "INSERT",
    "INTO",
    "IS",
    "KEY",
    "LIMIT",
    "LOCAL",
    "LOOP",
    "NOT",
    "NOTICE",
    "NULL",
    "NULLS",
    "ON",
    "ONLY",
    "OR",
    "OWNED",
    "PARTITION",
    "PERFORM",
    "POLICY",
    "PRIMARY",
    "RAISE",
    "REFERENCES",
    "RENAME",
    "REPLACE",
    "RESTRICT",
    "RETURN",
    "RETURNS",
    "SCHEMA",
    "SELECT",
    "SEQUENCE",
    "SET",
    "TABLE",
    "THEN",
    "TO",
    "TRIGGER",
    "TRUE",
    "TYPE",
    "UNIQUE",
    "UPDATE",
    "USING",
    "VALID",
    "VALIDATE",
    "VALUE",
    "VALUES",
    "VIEW",
    "WHEN",
    "WHERE",
    "WHILE",
    "WITH",
];

/// One line of SQL with keywords in [`Theme::keyword`] and comments in [`Theme::comment`];
/// quoted literals and identifiers are left as they are.
#[must_use]
pub fn sql_line(text: &str, theme: Theme) -> Line<'static> {
    sql_lines(text, theme)
        .into_iter()
        .next()
        .unwrap_or_default()
}

/// SQL text as lines, styled as [`sql_line`] styles one. The text is read whole, so a string or
/// comment that spans lines is one; a dollar-quoted body is styled as SQL of its own.
#[must_use]
pub fn sql_lines(text: &str, theme: Theme) -> Vec<Line<'static>> {
    let mut lines = vec![Vec::new()];
    push_sql(text, theme, &mut lines);
    lines.into_iter().map(Line::from).collect()
}

fn push_sql(text: &str, theme: Theme, lines: &mut Vec<Vec<Span<'static>>>) {
    for token in lexer::tokens(text) {
        match token.kind {
            Kind::DollarString if token.closed => {
                let tag_len = token.text[1..].find('$').map_or(1, |n| n + 2);
                let (open, rest) = token.text.split_at(tag_len);
                let body = &rest[..rest.len() - tag_len];
                push_span(lines, open, Style::default());
                push_sql(body, theme, lines);
                push_span(lines, &rest[body.len()..], Style::default());
            }
            Kind::Word if KEYWORDS.contains(&token.text) => {
                push_span(lines, token.text, theme.keyword());
            }
            Kind::LineComment | Kind::BlockComment => {
                push_span(lines, token.text, theme.comment());
            }
            _ => push_span(lines, token.text, Style::default()),
        }
    }
}

/// Adds `text` in `style` to the last line, starting a new line at each line break; plain text
/// next to plain text stays one span.
fn push_span(lines: &mut Vec<Vec<Span<'static>>>, text: &str, style: Style) {
    for (i, part) in text.split('\n').enumerate() {
        if i > 0 {
            lines.push(Vec::new());
        }
        let part = part.strip_suffix('\r').unwrap_or(part);
        if part.is_empty() {
            continue;
        }
        let Some(line) = lines.last_mut() else {
            return;
        };
        match line.last_mut() {
            Some(last) if style == Style::default() && last.style == style => {
                last.content.to_mut().push_str(part);
            }
            _ => line.push(Span::styled(part.to_owned(), style)),
        }
    }
}

/// Handles an action on this screen.
pub fn on_action(app: &mut App, action: Action) -> Vec<Effect> {
    let count = match &app.plan.plan {
        Some(Ok(plan)) => plan.files.len(),
        _ => 0,
    };
    let last = count.saturating_sub(1);
    let view = &mut app.plan;
    match action {
        Action::Up => select_file(view, view.selected_file.saturating_sub(1)),
        Action::Down => select_file(view, (view.selected_file + 1).min(last)),
        Action::Top => select_file(view, 0),
        Action::Bottom => select_file(view, last),
        Action::ScrollDetailUp => view.scroll = view.scroll.saturating_sub(3),
        Action::ScrollDetailDown => view.scroll = view.scroll.saturating_add(3),
        Action::PageUp => view.scroll = view.scroll.saturating_sub(10),
        Action::PageDown => view.scroll = view.scroll.saturating_add(10),
        Action::Rollback => {
            view.show_rollback = !view.show_rollback;
            view.scroll = 0;
        }
        Action::Write => start_write(app),
        Action::Export => start_export(app),
        _ => {}
    }
    Vec::new()
}

fn select_file(view: &mut crate::tui::app::PlanView, index: usize) {
    if view.selected_file != index {
        view.scroll = 0;
    }
    view.selected_file = index;
}

fn start_write(app: &mut App) {
    app.overlay = Some(match &app.plan.plan {
        Some(Ok(_)) => Overlay::PlanName {
            text: app
                .plan
                .written
                .as_ref()
                .and_then(|path| path.file_name())
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_default(),
        },
        _ => Overlay::Message(
            "There is no plan to write yet: answer the remaining questions first.".to_owned(),
        ),
    });
}

/// A mouse click at (`column`, `row`) of the terminal: a click on a file selects it.
pub fn on_click(app: &mut App, column: u16, row: u16) -> Vec<Effect> {
    let (width, height) = app.size;
    let body = Rect {
        x: 0,
        y: 1,
        width,
        height: height.saturating_sub(2),
    };
    let [left, _] = columns(body);
    let inner = Block::default().borders(Borders::ALL).inner(left);
    let inside =
        column >= inner.x && column < inner.right() && row >= inner.y && row < inner.bottom();
    let Some(Ok(plan)) = &app.plan.plan else {
        return Vec::new();
    };
    if !inside {
        return Vec::new();
    }
    let offset = list_offset(app.plan.selected_file, visible_files(inner));
    let index = offset + usize::from((row - inner.y) / 2);
    if index < plan.files.len() {
        select_file(&mut app.plan, index);
    }
    Vec::new()
}

/// Makes the plan for the current answers (or says which questions are unanswered).
pub fn refresh(app: &mut App) {
    let Some(session) = &app.session else {
        app.plan.plan = None;
        return;
    };
    let context = Context {
        live: &session.live,
        desired: &session.desired.schema,
        stats: &session.stats,
        facts: &session.facts,
    };
    let made = crate::plan::plan(&session.changes, &context, &app.answers);
    if let Ok(plan) = &made
        && app.plan.selected_file >= plan.files.len()
    {
        app.plan.selected_file = plan.files.len().saturating_sub(1);
        app.plan.scroll = 0;
    }
    let undecided = Undecided::find(&session.questions, &session.facts, &app.answers);
    app.plan.plan = Some(made.map_err(|error| why_no_plan(&error, &undecided)));
}

fn why_no_plan(error: &PlanError, undecided: &[Undecided]) -> String {
    if !undecided.is_empty() {
        let mut text = format!(
            "will fail: {} question(s) have no default, because every answer deletes, invents \
             or moves data, or leaves rows the plan fails on:\n",
            undecided.len()
        );
        for question in undecided {
            text.push_str(&format!("  • {question}\n"));
        }
        text.push_str("\nAnswer them on the decisions screen; D does not.");
        return text;
    }
    match error {
        PlanError::Unanswered(missing) => {
            let mut text = format!("{} question(s) are not answered yet:\n", missing.len());
            for (change, question) in missing {
                text.push_str(&format!("  • {change}: {question}\n"));
            }
            text.push_str("\nAnswer them on the decisions screen (or D there for the defaults).");
            text
        }
        other => format!("No plan can be made: {other}"),
    }
}

/// Asks for the plan to be written as `plans/<name>`. Unless `force`, an existing folder is
/// not replaced: the write reports it and the user is asked.
pub fn request_write(app: &mut App, name: &str, force: bool) -> Vec<Effect> {
    if let Err(problem) = check_name(name) {
        app.overlay = Some(Overlay::Message(problem));
        return Vec::new();
    }
    refresh(app);
    let (Some(session), Some(Ok(plan))) = (&app.session, &app.plan.plan) else {
        app.overlay = Some(Overlay::Message(
            "There is no plan to write yet: answer the remaining questions first.".to_owned(),
        ));
        return Vec::new();
    };
    // Whether the folder exists is the write's to find out (it answers `WriteFailure::Exists`
    // and the user is asked): the screen does no I/O, and nothing made in between is replaced.
    let dir = app.plans_dir.join(name);
    match plan_files::render(name, plan, &session.desired_file()) {
        Ok(files) => vec![Effect::Write { dir, files, force }],
        Err(error) => {
            app.overlay = Some(Overlay::Message(format!(
                "The plan cannot be written: {error}"
            )));
            Vec::new()
        }
    }
}

/// An export reads the written plan folder, so the plan is written first.
fn start_export(app: &mut App) {
    app.overlay = Some(if app.plan.written.is_some() {
        Overlay::ExportTool { selected: 0 }
    } else {
        Overlay::Message(
            "Write the plan first (w): an export reads the written plan folder.".to_owned(),
        )
    });
}

/// Exports the written plan for the tool at `index` of `Tool::ALL`, beside the plan folder
/// as `<plan>-<tool>`.
pub fn request_export(app: &mut App, index: usize) -> Vec<Effect> {
    let (Some(plan_dir), Some(&tool)) = (&app.plan.written, crate::export::Tool::ALL.get(index))
    else {
        return Vec::new();
    };
    let mut out = plan_dir.clone().into_os_string();
    out.push(format!("-{}", tool.name()));
    vec![Effect::Export {
        plan_dir: plan_dir.clone(),
        tool,
        out: out.into(),
    }]
}

/// A plan name is one folder name: not empty, no `/`, not hidden.
fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("A plan needs a name: press w and type one.".to_owned());
    }
    if name.contains('/') || name.contains('\\') {
        return Err(format!(
            "`{name}` is not a folder name: a plan name has no `/`."
        ));
    }
    if name.starts_with('.') {
        return Err(format!(
            "`{name}` would be a hidden folder: a plan name does not start with `.`."
        ));
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;
