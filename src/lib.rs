//! pgphase plans safe, phased PostgreSQL schema changes.
//!
//! ```text
//!  live database ──introspect──┐
//!                              ├─► Schema ──diff──► Changes ──rules──► … ──► Plan
//!  desired YAML ───load────────┘
//! ```
//!
//! Every stage is a plain function over plain data. Only `source::postgres` and `cluster` touch a
//! database or a server process; only the binary writes to the terminal.

pub mod cli;
pub mod cluster;
pub mod count;
pub mod ddl;
pub mod decide;
pub mod demo;
pub mod diff;
pub mod error;
pub mod export;
pub mod output;
pub mod plan;
pub mod rules;
pub mod schema;
pub mod session;
pub mod shadow;
pub mod source;
pub mod sql;
pub mod step;
pub mod tui;
pub mod verify;

pub use error::Error;
pub use schema::Schema;
