//! The interactive planner: a view of [`App`] state, in The Elm Architecture's shape.
//!
//! Key presses, mouse events and the results of background work arrive as [`Msg`]s;
//! [`update`] changes the state and returns [`Effect`]s (load, count, write, quit) as values;
//! [`view`] draws the state and nothing else. Only [`run`] touches the terminal and spawns the
//! tasks that carry out effects, so every screen can be driven and rendered in tests without a
//! terminal or a database.

pub mod app;
pub mod keys;
pub mod msg;
pub mod run;
pub mod screens;
#[cfg(test)]
mod tests;
pub mod theme;
pub mod update;
pub mod view;
pub mod work;

pub use app::App;
pub use msg::{Effect, Msg};
pub use update::update;
pub use view::view;
