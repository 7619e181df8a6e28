//! What happens to the planner ([`Msg`]) and what it asks the runner to do ([`Effect`]).

use std::collections::BTreeMap;
use std::path::PathBuf;

use crossterm::event::{KeyEvent, MouseEvent};

use super::app::{Failure, Session};
use crate::decide::{ChangeId, Fact};
use crate::session::Progress;

/// An event for [`super::update`].
#[derive(Debug, Clone)]
pub enum Msg {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Resize(u16, u16),
    /// Catalog reading progress.
    Progress(Progress),
    Loaded(Result<Box<Session>, Failure>),
    /// An on-demand count finished; `generation` says which request it answers.
    Counted {
        generation: u64,
        change: ChangeId,
        result: Result<Vec<Fact>, String>,
    },
    /// A plan folder was written (or not).
    Written(Result<PathBuf, WriteFailure>),
    /// A written plan was exported to a migration tool's folder (or why not).
    Exported(Result<PathBuf, String>),
}

/// Why a plan folder was not written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteFailure {
    /// The folder exists and replacing it was not asked for: the user is asked.
    Exists {
        name: String,
    },
    Failed(String),
}

/// Work for the runner; its result comes back as a [`Msg`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Read the live schema and the desired file, compare them, prepare the questions.
    Load,
    /// Count what `change` needs counted (NULLs, duplicates or orphans).
    Count {
        generation: u64,
        change: Box<crate::diff::Change>,
    },
    /// Write the plan folder `dir` with `files`, replacing an existing one when `force`.
    Write {
        dir: PathBuf,
        files: BTreeMap<PathBuf, String>,
        force: bool,
    },
    /// Export the plan folder `plan_dir` for `tool` into `out` (never replaced).
    Export {
        plan_dir: PathBuf,
        tool: crate::export::Tool,
        out: PathBuf,
    },
    Quit,
}
