//! The screens: each renders its part of [`super::App`] and handles the actions that concern it.

pub mod decisions;
pub mod diff;
pub mod failure;
#[cfg(test)]
pub(crate) mod fixture;
pub mod loading;
pub mod plan;
