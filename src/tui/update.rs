//! The one place state changes: a [`Msg`] in, [`Effect`]s out. Synchronous and pure but for
//! the state it is given, so tests drive it like a user.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, MouseEvent, MouseEventKind};

use super::app::{App, CountStatus, Overlay, Screen};
use super::keys::{self, Action};
use super::msg::{Effect, Msg, WriteFailure};
use super::screens;

/// Applies `msg` to `app` and returns the work to do.
pub fn update(app: &mut App, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Key(key) => on_key(app, key),
        Msg::Mouse(mouse) => on_mouse(app, mouse),
        Msg::Resize(width, height) => {
            app.size = (width, height);
            Vec::new()
        }
        Msg::Progress(progress) => {
            app.loading = Some(progress);
            Vec::new()
        }
        Msg::Loaded(Ok(session)) => {
            app.session = Some(*session);
            app.screen = Screen::Diff;
            Vec::new()
        }
        Msg::Loaded(Err(failure)) => {
            app.failure = Some(failure);
            app.screen = Screen::Failure;
            Vec::new()
        }
        Msg::Counted {
            generation,
            change,
            result,
        } => {
            on_counted(app, generation, change, result);
            Vec::new()
        }
        Msg::Written(Ok(path)) => {
            app.overlay = Some(Overlay::Message(format!("Wrote {}", path.display())));
            app.plan.written = Some(path);
            Vec::new()
        }
        Msg::Written(Err(WriteFailure::Exists { name })) => {
            app.overlay = Some(Overlay::ConfirmReplace { name });
            Vec::new()
        }
        Msg::Exported(result) => {
            app.overlay = Some(Overlay::Message(match result {
                Ok(out) => format!(
                    "Exported to {}: read its README.md for the tool's commands.",
                    out.display()
                ),
                Err(error) => format!("The plan was not exported: {error}"),
            }));
            Vec::new()
        }
        Msg::Written(Err(WriteFailure::Failed(error))) => {
            app.overlay = Some(Overlay::Message(format!(
                "The plan was not written: {error}"
            )));
            Vec::new()
        }
    }
}

fn on_counted(
    app: &mut App,
    generation: u64,
    change: crate::decide::ChangeId,
    result: Result<Vec<crate::decide::Fact>, String>,
) {
    // A newer request makes this result stale.
    if generation != app.generation {
        return;
    }
    let status = match result {
        Ok(facts) => {
            if let Some(session) = &mut app.session {
                session.add_counted(&change, &facts);
            }
            CountStatus::Done
        }
        Err(error) => CountStatus::Failed(error),
    };
    app.diff.counts.insert(change, status);
}

fn on_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    if key.kind == KeyEventKind::Release {
        return Vec::new();
    }
    if let Some(overlay) = app.overlay.clone() {
        return on_overlay_key(app, overlay, key);
    }
    if app.screen == Screen::Loading && matches!(key.code, KeyCode::Esc | KeyCode::Char('q')) {
        return vec![Effect::Quit];
    }
    let consumed = match app.screen {
        Screen::Diff => screens::diff::on_text_key(app, &key),
        Screen::Decisions => screens::decisions::on_text_key(app, &key),
        _ => None,
    };
    if let Some(effects) = consumed {
        return effects;
    }
    let Some(action) = keys::action_for(app.screen, &key) else {
        return Vec::new();
    };
    on_action(app, action)
}

fn on_action(app: &mut App, action: Action) -> Vec<Effect> {
    match action {
        Action::Quit => {
            if app.has_user_answers() {
                app.overlay = Some(Overlay::ConfirmQuit);
                Vec::new()
            } else {
                vec![Effect::Quit]
            }
        }
        Action::Help => {
            app.overlay = Some(Overlay::Help);
            Vec::new()
        }
        Action::NextScreen | Action::PreviousScreen if app.session.is_some() => {
            let order = [Screen::Diff, Screen::Decisions, Screen::Plan];
            let at = order.iter().position(|s| *s == app.screen).unwrap_or(0);
            let next = if action == Action::NextScreen {
                (at + 1) % order.len()
            } else {
                (at + order.len() - 1) % order.len()
            };
            show(app, order[next]);
            Vec::new()
        }
        _ => match app.screen {
            Screen::Diff => screens::diff::on_action(app, action),
            Screen::Decisions => screens::decisions::on_action(app, action),
            Screen::Plan => screens::plan::on_action(app, action),
            Screen::Loading | Screen::Failure => Vec::new(),
        },
    }
}

/// Shows `screen`, bringing the plan up to date when it is the plan screen.
pub fn show(app: &mut App, screen: Screen) {
    app.screen = screen;
    if screen == Screen::Plan {
        screens::plan::refresh(app);
    }
}

fn on_overlay_key(app: &mut App, overlay: Overlay, key: KeyEvent) -> Vec<Effect> {
    let yes = matches!(key.code, KeyCode::Char('y' | 'Y'));
    let cancel = matches!(key.code, KeyCode::Esc | KeyCode::Char('n' | 'N'));
    match overlay {
        Overlay::Help | Overlay::Message(_) => {
            app.overlay = None;
            Vec::new()
        }
        Overlay::ConfirmQuit => {
            app.overlay = None;
            if yes { vec![Effect::Quit] } else { Vec::new() }
        }
        Overlay::ConfirmDefaults => {
            app.overlay = None;
            if yes {
                screens::decisions::accept_defaults(app);
            }
            Vec::new()
        }
        Overlay::PlanName { mut text } => match key.code {
            KeyCode::Esc => {
                app.overlay = None;
                Vec::new()
            }
            KeyCode::Enter => {
                app.overlay = None;
                screens::plan::request_write(app, text.trim(), false)
            }
            KeyCode::Backspace => {
                text.pop();
                app.overlay = Some(Overlay::PlanName { text });
                Vec::new()
            }
            KeyCode::Char(c) if !c.is_control() => {
                text.push(c);
                app.overlay = Some(Overlay::PlanName { text });
                Vec::new()
            }
            _ => Vec::new(),
        },
        Overlay::ExportTool { selected } => {
            let last = crate::export::Tool::ALL.len() - 1;
            match key.code {
                KeyCode::Esc => app.overlay = None,
                KeyCode::Up | KeyCode::Char('k') => {
                    app.overlay = Some(Overlay::ExportTool {
                        selected: selected.saturating_sub(1),
                    });
                }
                KeyCode::Down | KeyCode::Char('j') => {
                    app.overlay = Some(Overlay::ExportTool {
                        selected: (selected + 1).min(last),
                    });
                }
                KeyCode::Enter => {
                    app.overlay = None;
                    return screens::plan::request_export(app, selected);
                }
                _ => {}
            }
            Vec::new()
        }
        Overlay::ConfirmReplace { name } => {
            if yes {
                app.overlay = None;
                return screens::plan::request_write(app, &name, true);
            }
            if cancel {
                app.overlay = None;
            }
            Vec::new()
        }
    }
}

fn on_mouse(app: &mut App, mouse: MouseEvent) -> Vec<Effect> {
    if app.overlay.is_some() {
        return Vec::new();
    }
    match mouse.kind {
        MouseEventKind::ScrollUp => on_action(app, Action::Up),
        MouseEventKind::ScrollDown => on_action(app, Action::Down),
        MouseEventKind::Down(_) => match app.screen {
            Screen::Diff => screens::diff::on_click(app, mouse.column, mouse.row),
            Screen::Decisions => screens::decisions::on_click(app, mouse.column, mouse.row),
            Screen::Plan => screens::plan::on_click(app, mouse.column, mouse.row),
            Screen::Loading | Screen::Failure => Vec::new(),
        },
        _ => Vec::new(),
    }
}
