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
    /// Show the selected file's rollback instead of its statements, or back.
    Rollback,
    ScrollDetailUp,
    ScrollDetailDown,
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
    /// Shown in the footer (the rest only in the help).
    pub in_footer: bool,
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
    in_footer: bool,
) -> Binding {
    Binding {
        code,
        modifiers: KeyModifiers::NONE,
        action,
        label,
        help,
        screens,
        in_footer,
    }
}

/// Every binding, in the order the help lists them.
pub const BINDINGS: &[Binding] = &[
    bind(KeyCode::Up, Action::Up, "↑/k", "up", LISTS, true),
    bind(KeyCode::Char('k'), Action::Up, "↑/k", "up", LISTS, false),
    bind(KeyCode::Down, Action::Down, "↓/j", "down", LISTS, true),
    bind(
        KeyCode::Char('j'),
        Action::Down,
        "↓/j",
        "down",
        LISTS,
        false,
    ),
    bind(
        KeyCode::PageUp,
        Action::PageUp,
        "PgUp",
        "page up",
        LISTS,
        false,
    ),
    bind(
        KeyCode::PageDown,
        Action::PageDown,
        "PgDn",
        "page down",
        LISTS,
        false,
    ),
    bind(KeyCode::Home, Action::Top, "Home/g", "first", LISTS, false),
    bind(
        KeyCode::Char('g'),
        Action::Top,
        "Home/g",
        "first",
        LISTS,
        false,
    ),
    bind(KeyCode::End, Action::Bottom, "End/G", "last", LISTS, false),
    bind(
        KeyCode::Char('G'),
        Action::Bottom,
        "End/G",
        "last",
        LISTS,
        false,
    ),
    bind(
        KeyCode::Char(' '),
        Action::Toggle,
        "space",
        "expand/collapse",
        DIFF,
        true,
    ),
    bind(
        KeyCode::Char('f'),
        Action::Filter,
        "f",
        "filter by risk",
        DIFF,
        true,
    ),
    bind(
        KeyCode::Char('/'),
        Action::Search,
        "/",
        "search",
        DIFF,
        true,
    ),
    bind(
        KeyCode::Char('c'),
        Action::Count,
        "c",
        "count NULLs…",
        DIFF,
        true,
    ),
    bind(
        KeyCode::Char('J'),
        Action::ScrollDetailDown,
        "J/K",
        "scroll the right pane",
        &[Screen::Diff, Screen::Plan],
        false,
    ),
    bind(
        KeyCode::Char('K'),
        Action::ScrollDetailUp,
        "J/K",
        "scroll the right pane",
        &[Screen::Diff, Screen::Plan],
        false,
    ),
    bind(
        KeyCode::Enter,
        Action::Select,
        "enter",
        "choose",
        DECISIONS,
        true,
    ),
    bind(
        KeyCode::Backspace,
        Action::Back,
        "backspace",
        "back",
        DECISIONS,
        false,
    ),
    bind(KeyCode::Left, Action::Back, "←", "back", DECISIONS, true),
    bind(
        KeyCode::Char('D'),
        Action::Defaults,
        "D",
        "all defaults",
        DECISIONS,
        true,
    ),
    bind(
        KeyCode::Char('r'),
        Action::Rollback,
        "r",
        "statements/rollback",
        PLAN,
        true,
    ),
    bind(
        KeyCode::Char('w'),
        Action::Write,
        "w",
        "write plan",
        PLAN,
        true,
    ),
    bind(
        KeyCode::Tab,
        Action::NextScreen,
        "tab",
        "next screen",
        LISTS,
        true,
    ),
    bind(
        KeyCode::BackTab,
        Action::PreviousScreen,
        "S-tab",
        "previous screen",
        LISTS,
        false,
    ),
    bind(KeyCode::Char('?'), Action::Help, "?", "help", ALL, true),
    bind(KeyCode::Char('q'), Action::Quit, "q", "quit", ALL, true),
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

/// The footer's (key, help) pairs for `screen`, once per label.
#[must_use]
pub fn footer(screen: Screen) -> Vec<(&'static str, &'static str)> {
    unique(
        BINDINGS
            .iter()
            .filter(|b| b.in_footer && applies(b, screen)),
    )
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
    let mut out: Vec<(&'static str, &'static str)> = Vec::new();
    for binding in bindings {
        if !out.iter().any(|(label, _)| *label == binding.label) {
            out.push((binding.label, binding.help));
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
        let footer = footer(Screen::Diff);
        assert_eq!(
            footer.iter().filter(|(label, _)| *label == "↑/k").count(),
            1
        );
        assert!(footer.iter().any(|(label, _)| *label == "f"));
        assert!(!footer.iter().any(|(label, _)| *label == "w"));
    }
}
