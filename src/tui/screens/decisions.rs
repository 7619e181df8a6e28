//! The decisions screen: one question at a time, with its choices (the default marked), why it
//! matters, the facts behind the default, an input checked as it is typed, progress, and going
//! back to change an earlier answer (which drops the later answers that no longer apply).
//!
//! The walk itself is `crate::decide`'s; this module only keeps the screen's place in it.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Padding, Paragraph};

use crate::decide::{
    self, Answer, AnswerError, Answers, ChangeId, InputKind, Question, QuestionId,
};
use crate::tui::app::{App, Overlay, Session};
use crate::tui::keys::Action;
use crate::tui::msg::Effect;
use crate::tui::theme::Theme;

type Key = (ChangeId, QuestionId);

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let theme = Theme::new(app.color);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(title(app))
        .title_style(theme.title())
        .padding(Padding::horizontal(1));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let page = page(app, inner.width, theme);
    frame.render_widget(Paragraph::new(page.lines), inner);
}

/// Handles an action on this screen.
pub fn on_action(app: &mut App, action: Action) -> Vec<Effect> {
    sync(app);
    match action {
        Action::Up => move_choice(app, |at, _| at.saturating_sub(1)),
        Action::Down => move_choice(app, |at, last| (at + 1).min(last)),
        Action::Top | Action::PageUp => move_choice(app, |_, _| 0),
        Action::Bottom | Action::PageDown => move_choice(app, |_, last| last),
        Action::Select => select(app),
        Action::Back => back(app),
        Action::Defaults if !remaining(app).is_empty() => {
            app.overlay = Some(Overlay::ConfirmDefaults);
        }
        _ => {}
    }
    Vec::new()
}

/// A key that edits text on this screen (a search, an input); `None` when it is not one.
/// While the highlighted choice takes an input, printable keys and backspace edit it.
pub fn on_text_key(app: &mut App, key: &KeyEvent) -> Option<Vec<Effect>> {
    if key
        .modifiers
        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
    {
        return None;
    }
    sync(app);
    let kind = highlighted_input(app)?;
    match key.code {
        KeyCode::Char(c) if !c.is_control() => app.decisions.input.push(c),
        KeyCode::Backspace => {
            app.decisions.input.pop();
        }
        _ => return None,
    }
    app.decisions.input_error = check(&kind, &app.decisions.input);
    Some(Vec::new())
}

/// A mouse click at (`column`, `row`) of the terminal: a click on a choice highlights it, a
/// click on the highlighted choice chooses it.
pub fn on_click(app: &mut App, _column: u16, row: u16) -> Vec<Effect> {
    sync(app);
    let inner = inner_area(app.size);
    if row < inner.y || inner.width == 0 {
        return Vec::new();
    }
    let line = usize::from(row - inner.y);
    let page = page(app, inner.width, Theme::new(app.color));
    let Some(&(_, choice)) = page.choice_rows.iter().find(|(at, _)| *at == line) else {
        return Vec::new();
    };
    if choice == app.decisions.choice {
        select(app);
    } else {
        move_choice(app, |_, _| choice);
    }
    Vec::new()
}

/// Answers every remaining question with its default.
pub fn accept_defaults(app: &mut App) {
    let Some(session) = &app.session else {
        return;
    };
    app.answers = decide::with_defaults(&session.questions, &session.facts, &app.answers);
    app.decisions.revisiting = None;
    sync(app);
}

/// The question shown: the one re-opened by going back, or else the next one to answer.
#[must_use]
pub fn current(app: &App) -> Option<&Question> {
    let session = app.session.as_ref()?;
    if let Some((change, id)) = &app.decisions.revisiting
        && let Some(question) = find(&session.questions, change, id)
    {
        return Some(question);
    }
    decide::next_question(&session.questions, &session.facts, &app.answers)
}

/// Where the walk is: the current question's place among the questions that apply (answered
/// ones and those still to answer), and how many apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub position: usize,
    pub total: usize,
}

/// The walk's progress for the current answers.
#[must_use]
pub fn progress(app: &App) -> Progress {
    let Some(session) = &app.session else {
        return Progress {
            position: 0,
            total: 0,
        };
    };
    let pruned = decide::prune(&session.questions, &session.facts, &app.answers);
    let missing = decide::missing(&session.questions, &session.facts, &app.answers);
    let applying: Vec<&Question> = session
        .questions
        .iter()
        .filter(|q| {
            pruned.get(&q.change, &q.id).is_some()
                || missing.iter().any(|(c, i)| *c == q.change && *i == q.id)
        })
        .collect();
    let total = applying.len();
    let position = current(app)
        .and_then(|shown| applying.iter().position(|q| std::ptr::eq(*q, shown)))
        .map_or(total, |at| at + 1);
    Progress { position, total }
}

fn remaining(app: &App) -> Vec<Key> {
    app.session.as_ref().map_or_else(Vec::new, |session| {
        decide::missing(&session.questions, &session.facts, &app.answers)
    })
}

fn find<'a>(questions: &'a [Question], change: &ChangeId, id: &QuestionId) -> Option<&'a Question> {
    questions
        .iter()
        .find(|q| &q.change == change && &q.id == id)
}

fn key_of(question: &Question) -> Key {
    (question.change.clone(), question.id.clone())
}

/// The highlighted choice and the input for `question` when it is first shown: the recorded
/// answer's, or the default with no input.
fn fresh(question: &Question, answers: &Answers) -> (usize, String) {
    let answer = answers.get(&question.change, &question.id);
    let wanted = answer.map(|a| &a.choice).or(question.default.as_ref());
    let choice = question
        .choices
        .iter()
        .position(|c| Some(&c.id) == wanted)
        .unwrap_or(0);
    let input = answer.and_then(|a| a.input.clone()).unwrap_or_default();
    (choice, input)
}

/// Brings the highlighted choice and the input in line with the current question.
fn sync(app: &mut App) {
    let Some(question) = current(app) else {
        app.decisions.at = None;
        return;
    };
    let key = key_of(question);
    if app.decisions.at.as_ref() == Some(&key) {
        return;
    }
    let (choice, input) = fresh(question, &app.answers);
    app.decisions.choice = choice;
    app.decisions.input = input;
    app.decisions.input_error = None;
    app.decisions.at = Some(key);
}

/// The highlighted choice and typed input as shown, whether or not [`sync`] ran yet.
fn shown(app: &App, question: &Question) -> (usize, String, Option<String>) {
    if app.decisions.at.as_ref() == Some(&key_of(question)) {
        (
            app.decisions.choice,
            app.decisions.input.clone(),
            app.decisions.input_error.clone(),
        )
    } else {
        let (choice, input) = fresh(question, &app.answers);
        (choice, input, None)
    }
}

fn highlighted_input(app: &App) -> Option<InputKind> {
    let question = current(app)?;
    question.choices.get(app.decisions.choice)?.input.clone()
}

/// Why `text` is not accepted as `kind`; nothing for an empty field (the hint says what fits).
fn check(kind: &InputKind, text: &str) -> Option<String> {
    if text.is_empty() {
        return None;
    }
    kind.validate(text).err().map(|error| error.to_string())
}

fn move_choice(app: &mut App, to: impl Fn(usize, usize) -> usize) {
    let Some(count) = current(app).map(|q| q.choices.len()) else {
        return;
    };
    if count == 0 {
        return;
    }
    app.decisions.choice = to(app.decisions.choice, count - 1).min(count - 1);
    app.decisions.input_error =
        highlighted_input(app).and_then(|kind| check(&kind, &app.decisions.input));
}

/// Records the highlighted choice as the answer, drops the answers that no longer apply, and
/// moves on: to the next answered question when re-answering unchanged after going back, or
/// else to the first question still to answer.
fn select(app: &mut App) {
    let Some(question) = current(app).cloned() else {
        return;
    };
    let Some(choice) = question.choices.get(app.decisions.choice).cloned() else {
        return;
    };
    let input = choice
        .input
        .as_ref()
        .map(|_| app.decisions.input.trim().to_owned());
    if let Err(error) = question.accept(&choice.id, input.as_deref()) {
        app.decisions.input_error = Some(answer_error_text(&error));
        return;
    }
    let answer = match input {
        Some(text) => Answer::user_with_input(choice.id.clone(), text),
        None => Answer::user(choice.id.clone()),
    };
    let unchanged = app
        .answers
        .get(&question.change, &question.id)
        .is_some_and(|before| before.choice == answer.choice && before.input == answer.input);
    app.answers.set(&question.change, &question.id, answer);
    if let Some(session) = &app.session {
        app.answers = decide::prune(&session.questions, &session.facts, &app.answers);
    }
    let answers = &app.answers;
    let history = &mut app.decisions.history;
    history.retain(|(change, id)| answers.get(change, id).is_some());
    let key = key_of(&question);
    let at = if let Some(at) = history.iter().position(|k| *k == key) {
        at
    } else {
        history.push(key);
        history.len() - 1
    };
    app.decisions.revisiting = if unchanged {
        history.get(at + 1).cloned()
    } else {
        None
    };
    sync(app);
}

/// Re-opens the question answered before the one shown.
fn back(app: &mut App) {
    let history = &app.decisions.history;
    let target = match &app.decisions.revisiting {
        Some(key) => history
            .iter()
            .position(|k| k == key)
            .and_then(|at| at.checked_sub(1))
            .and_then(|at| history.get(at))
            .cloned(),
        None => history.last().cloned(),
    };
    if let Some(target) = target {
        app.decisions.revisiting = Some(target);
        sync(app);
    }
}

fn answer_error_text(error: &AnswerError) -> String {
    match error {
        AnswerError::BadInput { source, .. } => source.to_string(),
        AnswerError::MissingInput { expected, .. } => format!("expected {expected}"),
        other => other.to_string(),
    }
}

fn title(app: &App) -> String {
    let progress = progress(app);
    match current(app) {
        Some(question) => format!(
            " Question {} of {} · {} ",
            progress.position,
            progress.total,
            subject(&question.change)
        ),
        None if app.session.is_some() => format!(" Decisions · {} answered ", progress.total),
        None => " Decisions ".to_owned(),
    }
}

fn subject(change: &ChangeId) -> &str {
    if change.is_global() {
        "the whole plan"
    } else {
        change.as_str()
    }
}

/// The screen's lines for a given width, and which lines show which choice (for clicks).
struct Page {
    lines: Vec<Line<'static>>,
    choice_rows: Vec<(usize, usize)>,
}

fn page(app: &App, width: u16, theme: Theme) -> Page {
    let width = usize::from(width.max(1));
    let mut page = Page {
        lines: Vec::new(),
        choice_rows: Vec::new(),
    };
    let Some(session) = &app.session else {
        page.lines.push(Line::raw("Nothing is loaded yet."));
        return page;
    };
    match current(app) {
        Some(question) => question_page(app, session, question, width, theme, &mut page),
        None => done_page(app, session, width, theme, &mut page),
    }
    page
}

fn question_page(
    app: &App,
    session: &Session,
    question: &Question,
    width: usize,
    theme: Theme,
    page: &mut Page,
) {
    let (highlighted, input, error) = shown(app, question);
    let lines = &mut page.lines;
    push_wrapped(lines, &question.prompt, width, "", theme.title());
    lines.push(Line::raw(""));
    let answered = app.answers.get(&question.change, &question.id);
    for (at, choice) in question.choices.iter().enumerate() {
        let mut marks = String::new();
        if question.default.as_ref() == Some(&choice.id) {
            marks.push_str("  (default)");
        }
        if answered.is_some_and(|a| a.choice == choice.id) {
            marks.push_str("  (answered)");
        }
        let (pointer, style) = if at == highlighted {
            ("› ", theme.selected())
        } else {
            ("  ", ratatui::style::Style::new())
        };
        page.choice_rows.push((lines.len(), at));
        lines.push(Line::from(vec![
            Span::styled(format!("{pointer}{}", choice.label), style),
            Span::styled(marks, theme.dim()),
        ]));
    }
    if let Some(choice) = question.choices.get(highlighted) {
        lines.push(Line::raw(""));
        push_wrapped(lines, &choice.consequence, width, "  ", theme.dim());
        if let Some(kind) = &choice.input {
            lines.push(Line::from(vec![
                Span::styled(format!("  {}: ", input_label(kind)), theme.key()),
                Span::raw(format!("{input}▏")),
            ]));
            match &error {
                Some(error) => push_wrapped(lines, error, width, "  ", theme.error()),
                None => push_wrapped(
                    lines,
                    &format!("expected {}; enter chooses", kind.expected()),
                    width,
                    "  ",
                    theme.dim(),
                ),
            }
        }
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled("Why it matters", theme.title()));
    push_wrapped(
        lines,
        &question.why,
        width,
        "  ",
        ratatui::style::Style::new(),
    );
    let facts = question_facts(session, question);
    if !facts.is_empty() {
        lines.push(Line::raw(""));
        lines.push(Line::styled("Facts behind the default", theme.title()));
        for fact in facts {
            push_wrapped(lines, &fact, width, "  ", ratatui::style::Style::new());
        }
    }
}

/// The facts behind the question: its own (with any counted since taking their place), then
/// what else is known about its change (rows, size, dependent views).
fn question_facts(session: &Session, question: &Question) -> Vec<String> {
    let known = if question.change.is_global() {
        Some(&session.facts.global)
    } else {
        session.facts.changes.get(&question.change)
    };
    let own = question.facts.iter().map(|fact| {
        session
            .facts
            .get(&question.change, &fact.id)
            .unwrap_or(fact)
    });
    let others = known
        .into_iter()
        .flat_map(|facts| facts.values())
        .filter(|fact| !question.facts.iter().any(|own| own.id == fact.id));
    own.chain(others)
        .map(|fact| format!("• {}: {fact}", fact.id))
        .collect()
}

fn input_label(kind: &InputKind) -> &'static str {
    match kind {
        InputKind::Expression => "Expression",
        InputKind::Integer { .. } => "Number",
        InputKind::Duration => "Duration",
    }
}

fn done_page(app: &App, session: &Session, width: usize, theme: Theme, page: &mut Page) {
    let lines = &mut page.lines;
    let total = progress(app).total;
    lines.push(Line::styled(
        format!("All {total} questions answered — tab for the plan."),
        theme.badge(crate::rules::Badge::Safe),
    ));
    lines.push(Line::styled(
        "← re-opens the last answer to change it.",
        theme.dim(),
    ));
    lines.push(Line::raw(""));
    for question in &session.questions {
        let Some(answer) = app.answers.get(&question.change, &question.id) else {
            continue;
        };
        let label = question
            .choice(&answer.choice)
            .map_or(answer.choice.as_str(), |c| c.label.as_str());
        let mut text = format!("{} · {}: {label}", subject(&question.change), question.id);
        if let Some(input) = &answer.input {
            text.push_str(&format!(" = {input}"));
        }
        if !answer.by.is_user() {
            text.push_str(" (default)");
        }
        push_wrapped(lines, &text, width, "  ", ratatui::style::Style::new());
    }
}

/// `text` word-wrapped to `width` columns, each line starting with `indent`.
fn push_wrapped(
    lines: &mut Vec<Line<'static>>,
    text: &str,
    width: usize,
    indent: &str,
    style: ratatui::style::Style,
) {
    for line in wrap(text, width.saturating_sub(indent.chars().count()).max(10)) {
        lines.push(Line::styled(format!("{indent}{line}"), style));
    }
}

/// Greedy word wrap by characters; a word longer than `width` is split.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    for paragraph in text.lines() {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            let mut word = word.to_owned();
            loop {
                let used = line.chars().count();
                let needed = word.chars().count() + usize::from(used > 0);
                if used + needed <= width {
                    if used > 0 {
                        line.push(' ');
                    }
                    line.push_str(&word);
                    break;
                }
                if used > 0 {
                    out.push(std::mem::take(&mut line));
                    continue;
                }
                let head: String = word.chars().take(width).collect();
                word = word.chars().skip(width).collect();
                out.push(head);
                if word.is_empty() {
                    break;
                }
            }
        }
        out.push(line);
    }
    out
}

/// The area the screen's text is drawn in, for a terminal of `size`.
fn inner_area((width, height): (u16, u16)) -> Rect {
    Rect {
        x: 2,
        y: 2,
        width: width.saturating_sub(4),
        height: height.saturating_sub(4),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;
