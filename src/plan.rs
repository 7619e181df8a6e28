//! From assessed changes and decisions to a [`Plan`]: steps gathered into phases and files,
//! timeouts set, backfills sized by table, views over changed columns dropped and recreated.
//! Pure: the plan folder is written by `output`.

pub mod guard;
pub mod step;

pub use step::{Action, Backfill, BackfillOperation, Phase, Rollback, Runs, Statement, Step};
