//! The screens: each renders its part of [`super::App`] and handles the actions that concern it.

pub mod decisions;
pub mod diff;
pub mod failure;
pub mod loading;
pub mod plan;
#[cfg(test)]
pub(crate) mod fixture;
