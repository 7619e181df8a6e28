//! The key map as data: which key does what on which screen. The footer and the help overlay
//! are generated from it, so they cannot disagree with what the keys do.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::app::Screen;

/// What a key asks for; screens interpret the actions that concern them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Quit,
    Help,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    /// Expand or collapse the selected tree node.
    Toggle,
    /// Move to the next screen (diff → decisions → plan).
    NextScreen,
    PreviousScreen,
    /// Cycle the risk filter.
    Filter,
    /// Start a search.
    Search,
    /// Run the on-demand counts for the selected change.
    Count,
    /// Choose / confirm.
    Select,
    /// Back to the previous question.
    Back,
    /// Accept the defaults for every remaining question.
    Defaults,
    /// Write the plan folder.
    Write,
    /// Export the written plan folder to a migration tool.
    Export,
    /// Show the selected file's rollback instead of its statements, or back.
    Rollback,
    ScrollDetailUp,
    ScrollDetailDown,
}

/// How the footer treats a binding when the line is too short for all of them: the keys that
/// move between screens and get help are always there, then the screen's own keys, then the
/// arrows everyone knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Hint {
    Always,
    Screen,
    Arrows,
    /// Listed in the help only.
    HelpOnly,
}

/// One binding.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
    pub action: Action,
    /// The key as shown (`q`, `↑/k`).
    pub label: &'static str,
    /// What it does, shown in the footer and the help.
    pub help: &'static str,
    /// Where it works; empty means every screen.
    pub screens: &'static [Screen],
    /// Whether and how eagerly the footer shows it (the help shows every binding).
    pub hint: Hint,
}

const DIFF: &[Screen] = &[Screen::Diff];
const DECISIONS: &[Screen] = &[Screen::Decisions];
const PLAN: &[Screen] = &[Screen::Plan];
const LISTS: &[Screen] = &[Screen::Diff, Screen::Decisions, Screen::Plan];
const ALL: &[Screen] = &[];

const fn bind(
    code: KeyCode,
    action: Action,
    label: &'static str,
    help: &'static str,
    screens: &'static [Screen],
    hint: Hint,
) -> Binding {
    Binding {
        code,
        modifiers: KeyModifiers::NONE,
        action,
        label,
        help,
        screens,
        hint,
    }
}

/// Every binding, in the order the help lists them.
pub const BINDINGS: &[Binding] = &[
    bind(KeyCode::Up, Action::Up, "↑/k", "up", LISTS, Hint::Arrows),
    bind(
        KeyCode::Char('k'),
        Action::Up,
        "↑/k",
        "up",
        LISTS,
        Hint::HelpOnly,
    ),
    bind(
        KeyCode::Down,
        Action::Down,
        "↓/j",
        "down",
        LISTS,
        Hint::Arrows,
    ),
    bind(
        KeyCode::Char('j'),
        Action::Down,
        "↓/j",
        "down",
        LISTS,
        Hint::HelpOnly,
    ),
    bind(
        KeyCode::PageUp,
        Action::PageUp,
        "PgUp",
        "page up",
        LISTS,
        Hint::HelpOnly,
    ),
    bind(
        KeyCode::PageDown,
        Action::PageDown,
        "PgDn",
        "page down",
        LISTS,
        Hint::HelpOnly,
    ),
    bind(
        KeyCode::Home,
        Action::Top,
        "Home/g",
        "first",
        LISTS,
        Hint::HelpOnly,
    ),
    bind(
        KeyCode::Char('g'),
        Action::Top,
        "Home/g",
        "first",
        LISTS,
        Hint::HelpOnly,
    ),
    bind(
        KeyCode::End,
        Action::Bottom,
        "End/G",
        "last",
        LISTS,
        Hint::HelpOnly,
    ),
    bind(
        KeyCode::Char('G'),
        Action::Bottom,
        "End/G",
        "last",
        LISTS,
        Hint::HelpOnly,
    ),
    bind(
        KeyCode::Char(' '),
        Action::Toggle,
        "space",
        "expand/collapse",
        DIFF,
        Hint::Screen,
    ),
    bind(
        KeyCode::Char('f'),
        Action::Filter,
        "f",
        "filter by risk",
        DIFF,
        Hint::Screen,
    ),
    bind(
        KeyCode::Char('/'),
        Action::Search,
        "/",
        "search",
        DIFF,
        Hint::Screen,
    ),
    bind(
        KeyCode::Char('c'),
        Action::Count,
        "c",
        "count NULLs…",
        DIFF,
        Hint::Screen,
    ),
    bind(
        KeyCode::Char('J'),
        Action::ScrollDetailDown,
        "J/K",
        "scroll the right pane",
        &[Screen::Diff, Screen::Plan],
        Hint::HelpOnly,
    ),
    bind(
        KeyCode::Char('K'),
        Action::ScrollDetailUp,
        "J/K",
        "scroll the right pane",
        &[Screen::Diff, Screen::Plan],
        Hint::HelpOnly,
    ),
    bind(
        KeyCode::Enter,
        Action::Select,
        "enter",
        "choose",
        DECISIONS,
        Hint::Screen,
    ),
    bind(
        KeyCode::Backspace,
        Action::Back,
        "backspace",
        "back",
        DECISIONS,
        Hint::HelpOnly,
    ),
    bind(
        KeyCode::Left,
        Action::Back,
        "←",
        "back",
        DECISIONS,
        Hint::Screen,
    ),
    bind(
        KeyCode::Char('D'),
        Action::Defaults,
        "D",
        "all defaults",
        DECISIONS,
        Hint::Screen,
    ),
    bind(
        KeyCode::Char('r'),
        Action::Rollback,
        "r",
        "statements/rollback",
        PLAN,
        Hint::Screen,
    ),
    bind(
        KeyCode::Char('w'),
        Action::Write,
        "w",
        "write plan",
        PLAN,
        Hint::Screen,
    ),
    bind(
        KeyCode::Char('x'),
        Action::Export,
        "x",
        "export to a migration tool",
        PLAN,
        Hint::HelpOnly,
    ),
    bind(
        KeyCode::Tab,
        Action::NextScreen,
        "tab",
        "next screen",
        LISTS,
        Hint::Always,
    ),
    bind(
        KeyCode::BackTab,
        Action::PreviousScreen,
        "S-tab",
        "previous screen",
        LISTS,
        Hint::HelpOnly,
    ),
    bind(
        KeyCode::Char('?'),
        Action::Help,
        "?",
        "help",
        ALL,
        Hint::Always,
    ),
    bind(
        KeyCode::Char('q'),
        Action::Quit,
        "q",
        "quit",
        ALL,
        Hint::Always,
    ),
];

/// The action `key` has on `screen`, if any. Typing into a text field is handled before this.
#[must_use]
pub fn action_for(screen: Screen, key: &KeyEvent) -> Option<Action> {
    if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
        return Some(Action::Quit);
    }
    BINDINGS
        .iter()
        .find(|b| {
            b.code == key.code
                && (b.screens.is_empty() || b.screens.contains(&screen))
                && (key.modifiers - KeyModifiers::SHIFT).is_empty()
        })
        .map(|b| b.action)
}

/// The footer's (key, help) pairs for `screen` that fit in `width` columns, each label once,
/// in key-map order; when they do not all fit, the eager hints win (see [`Hint`]).
#[must_use]
pub fn footer(screen: Screen, width: usize) -> Vec<(&'static str, &'static str)> {
    let hints: Vec<(&Binding, usize)> = unique_bindings(
        BINDINGS
            .iter()
            .filter(|b| b.hint != Hint::HelpOnly && applies(b, screen)),
    )
    .into_iter()
    .map(|b| (b, b.label.chars().count() + b.help.chars().count() + 3))
    .collect();
    let mut room = width;
    let mut shown = vec![false; hints.len()];
    for pass in [Hint::Always, Hint::Screen, Hint::Arrows] {
        for (i, (binding, cost)) in hints.iter().enumerate() {
            if binding.hint == pass && *cost <= room {
                room -= cost;
                shown[i] = true;
            }
        }
    }
    hints
        .iter()
        .zip(shown)
        .filter(|(_, shown)| *shown)
        .map(|((b, _), _)| (b.label, b.help))
        .collect()
}

/// Every (key, help) pair that works on `screen`, once per label, for the help overlay.
#[must_use]
pub fn help(screen: Screen) -> Vec<(&'static str, &'static str)> {
    unique(BINDINGS.iter().filter(|b| applies(b, screen)))
}

fn applies(binding: &Binding, screen: Screen) -> bool {
    binding.screens.is_empty() || binding.screens.contains(&screen)
}

fn unique<'a>(bindings: impl Iterator<Item = &'a Binding>) -> Vec<(&'static str, &'static str)> {
    unique_bindings(bindings)
        .into_iter()
        .map(|b| (b.label, b.help))
        .collect()
}

/// The bindings with the first of each label.
fn unique_bindings<'a>(bindings: impl Iterator<Item = &'a Binding>) -> Vec<&'a Binding> {
    let mut out: Vec<&Binding> = Vec::new();
    for binding in bindings {
        if !out.iter().any(|b| b.label == binding.label) {
            out.push(binding);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn a_short_footer_keeps_screens_help_and_quit_then_the_screens_own_keys() {
        let labels: Vec<&str> = footer(Screen::Plan, 74).iter().map(|(l, _)| *l).collect();
        assert_eq!(labels, ["r", "w", "tab", "?", "q"]);
        let labels: Vec<&str> = footer(Screen::Plan, 36).iter().map(|(l, _)| *l).collect();
        assert_eq!(labels, ["tab", "?", "q"]);
    }

    #[test]
    fn keys_work_only_where_they_belong() {
        assert_eq!(
            action_for(Screen::Plan, &key(KeyCode::Char('w'))),
            Some(Action::Write)
        );
        assert_eq!(action_for(Screen::Diff, &key(KeyCode::Char('w'))), None);
        assert_eq!(
            action_for(Screen::Failure, &key(KeyCode::Char('q'))),
            Some(Action::Quit)
        );
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(action_for(Screen::Diff, &ctrl_c), Some(Action::Quit));
    }

    #[test]
    fn the_footer_lists_each_key_once_and_only_where_it_works() {
        let footer = footer(Screen::Diff, 200);
        assert_eq!(
            footer.iter().filter(|(label, _)| *label == "↑/k").count(),
            1
        );
        assert!(footer.iter().any(|(label, _)| *label == "f"));
        assert!(!footer.iter().any(|(label, _)| *label == "w"));
    }
}
