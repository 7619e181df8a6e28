//! The whole state of the interactive planner, as plain data.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use crate::decide::{Answers, ChangeId};
use crate::plan::Plan;
use crate::rules::Badge;
use crate::session::Progress;
pub use crate::session::Session;

/// Which screen is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Screen {
    Loading,
    Failure,
    Diff,
    Decisions,
    Plan,
}

/// Everything the planner knows and shows.
#[derive(Debug, Clone)]
pub struct App {
    pub screen: Screen,
    /// How far loading got (`None` while connecting).
    pub loading: Option<Progress>,
    pub failure: Option<Failure>,
    pub session: Option<Session>,
    /// The answers so far (global and per change).
    pub answers: Answers,
    pub diff: DiffView,
    pub decisions: DecisionsView,
    pub plan: PlanView,
    /// A dialog over the screen; it takes the keys while it is open.
    pub overlay: Option<Overlay>,
    /// Raised by every request for background work; results of older requests are dropped.
    pub generation: u64,
    /// False under `NO_COLOR`.
    pub color: bool,
    /// Where `w` writes plan folders (`plans/`).
    pub plans_dir: PathBuf,
    pub quit: bool,
    /// The terminal's size (columns, rows), as last reported: clicks and page moves lay the
    /// screen out with it the way [`super::view`] does.
    pub size: (u16, u16),
}

/// A readable failure: what happened and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub title: String,
    pub message: String,
    pub hint: String,
}

/// The diff screen's own state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiffView {
    /// Index into the visible rows.
    pub selected: usize,
    /// Keys of collapsed tree nodes (`schema`, `schema.table`).
    pub collapsed: BTreeSet<String>,
    /// Show only changes whose worst badge is at least this.
    pub filter: Option<Badge>,
    pub search: String,
    pub searching: bool,
    /// The first visible row of the tree (kept so that the selection stays in view).
    pub offset: usize,
    /// Scroll of the right pane.
    pub detail_scroll: u16,
    pub counts: BTreeMap<ChangeId, CountStatus>,
}

/// An on-demand count for a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CountStatus {
    Running,
    /// Done: the facts it found are in the session's counted facts, the one place they live.
    Done,
    Failed(String),
}

/// The decisions screen's own state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DecisionsView {
    /// The highlighted choice of the current question.
    pub choice: usize,
    /// Text typed for a choice that takes an input.
    pub input: String,
    /// Why the input is not accepted yet, checked as it is typed.
    pub input_error: Option<String>,
    /// Questions answered on this screen, in order, so that "back" can return to them.
    pub history: Vec<(ChangeId, crate::decide::QuestionId)>,
    /// A question re-opened by going back, shown instead of the next unanswered one.
    pub revisiting: Option<(ChangeId, crate::decide::QuestionId)>,
    /// The question `choice` and `input` belong to; when the current question differs, they
    /// are reset to its recorded answer or its default.
    pub at: Option<(ChangeId, crate::decide::QuestionId)>,
}

/// The plan screen's own state.
#[derive(Debug, Clone, Default)]
pub struct PlanView {
    /// The plan for the current answers (or why there is none yet).
    pub plan: Option<Result<Plan, String>>,
    pub selected_file: usize,
    pub scroll: u16,
    pub show_rollback: bool,
    /// Where the last plan was written.
    pub written: Option<PathBuf>,
}

/// A dialog over the current screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    Help,
    /// Quitting would lose answers.
    ConfirmQuit,
    /// Accept the defaults for every remaining question.
    ConfirmDefaults,
    /// The plan name being typed.
    PlanName {
        text: String,
    },
    /// The plan folder exists: replace it?
    ConfirmReplace {
        name: String,
    },
    /// The written plan is exported: which migration tool (an index into `Tool::ALL`)?
    ExportTool {
        selected: usize,
    },
    /// A message to acknowledge.
    Message(String),
}

impl App {
    /// A planner about to load, writing plans under `plans_dir`.
    #[must_use]
    pub fn new(plans_dir: PathBuf, color: bool) -> Self {
        Self {
            screen: Screen::Loading,
            loading: None,
            failure: None,
            session: None,
            answers: Answers::default(),
            diff: DiffView::default(),
            decisions: DecisionsView::default(),
            plan: PlanView::default(),
            overlay: None,
            generation: 0,
            color,
            plans_dir,
            quit: false,
            size: (80, 24),
        }
    }

    /// Whether any answer was given by a person (and would be lost by quitting).
    #[must_use]
    pub fn has_user_answers(&self) -> bool {
        self.answers
            .iter()
            .any(|(_, _, answer)| answer.by.is_user())
    }
}
