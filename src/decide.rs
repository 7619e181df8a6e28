//! Decisions as data: the questions the planner asks, the facts behind their defaults, the
//! conditions that decide whether each is asked, the answers given (a plan's `decisions.yaml`),
//! and the pure walk over them that the planner, `plan --answers` and the terminal UI share.
//!
//! No I/O here: facts are gathered elsewhere and handed in as a snapshot, and answers are read
//! and written as YAML through `source::yaml`.

pub mod answers;
pub mod condition;
pub mod facts;
pub mod global;
pub mod id;
pub mod input;
pub mod question;
pub mod walk;

pub use answers::{Answer, AnsweredBy, Answers};
pub use condition::{Comparison, Condition, FactTest};
pub use facts::{Fact, FactId, FactValue, Facts, Origin};
pub use global::{Mode, Settings, SettingsError};
pub use id::{ChangeId, ChoiceId, IdError, QuestionId};
pub use input::{InputError, InputKind, InputValue, thousands};
pub use question::{AnswerError, Choice, Question};
pub use walk::{missing, next_question, problems, prune, undecided, with_defaults};
