//! The imperative shell: the terminal, the event loop and the tasks that carry out effects.
//! The terminal is restored on every way out: a normal quit, an error, a panic (ratatui's
//! hook), Ctrl-C (a key in raw mode) and SIGTERM.

use std::path::PathBuf;

use crossterm::event::{DisableMouseCapture, EnableMouseCapture, Event, EventStream};
use crossterm::execute;
use futures_util::StreamExt;
use tokio::sync::mpsc;

use super::app::App;
use super::msg::{Effect, Msg};
use super::{update, view};
use crate::Error;
use crate::session::Sources;

/// What the planner works on.
#[derive(Debug, Clone)]
pub struct Inputs {
    pub sources: Sources,
    /// Where `w` writes plan folders.
    pub plans_dir: PathBuf,
}

/// Runs the planner until the user quits.
///
/// # Errors
/// The terminal cannot be set up or drawn to.
pub async fn run(inputs: Inputs) -> Result<(), Error> {
    let color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let mut app = App::new(inputs.plans_dir.clone(), color);
    let mut terminal = ratatui::init();
    let _ = execute!(std::io::stdout(), EnableMouseCapture);
    let result = event_loop(&mut app, &mut terminal, &inputs).await;
    let _ = execute!(std::io::stdout(), DisableMouseCapture);
    ratatui::restore();
    result
}

async fn event_loop(
    app: &mut App,
    terminal: &mut ratatui::DefaultTerminal,
    inputs: &Inputs,
) -> Result<(), Error> {
    let io_error = |source| Error::Io {
        path: PathBuf::from("<terminal>"),
        source,
    };
    let (sender, mut results) = mpsc::unbounded_channel::<Msg>();
    let mut events = EventStream::new();
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .map_err(io_error)?;
    perform(Effect::Load, inputs, &sender);
    if let Ok(size) = terminal.size() {
        update(app, Msg::Resize(size.width, size.height));
    }
    loop {
        terminal.draw(|frame| view(app, frame)).map_err(io_error)?;
        let msg = tokio::select! {
            event = events.next() => match event {
                Some(Ok(Event::Key(key))) => Msg::Key(key),
                Some(Ok(Event::Mouse(mouse))) => Msg::Mouse(mouse),
                Some(Ok(Event::Resize(w, h))) => Msg::Resize(w, h),
                Some(Ok(_)) => continue,
                Some(Err(error)) => return Err(io_error(error)),
                None => return Ok(()),
            },
            Some(msg) = results.recv() => msg,
            _ = terminate.recv() => return Ok(()),
        };
        for effect in update(app, msg) {
            if effect == Effect::Quit {
                return Ok(());
            }
            perform(effect, inputs, &sender);
        }
    }
}

/// Starts the task for `effect`; its result arrives on `sender` as a message. The library's
/// progress callbacks are not `Send`, so the work runs on a blocking thread of its own that
/// drives it on the runtime: the event loop never waits for it.
fn perform(effect: Effect, inputs: &Inputs, sender: &mpsc::UnboundedSender<Msg>) {
    let sender = sender.clone();
    let inputs = inputs.clone();
    let runtime = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        runtime.block_on(async move {
            let msg = match effect {
                Effect::Load => Some(super::work::load(&inputs.sources, &sender).await),
                Effect::Count { generation, change } => {
                    Some(super::work::count(&inputs.sources, generation, change).await)
                }
                Effect::Write { dir, files, force } => Some(super::work::write(dir, &files, force)),
                Effect::Export {
                    plan_dir,
                    tool,
                    out,
                } => Some(super::work::export(&plan_dir, tool, out)),
                Effect::Quit => None,
            };
            if let Some(msg) = msg {
                let _ = sender.send(msg);
            }
        })
    });
}
