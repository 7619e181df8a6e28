//! Where schemas come from: the desired-schema YAML file and a live PostgreSQL database.

pub mod postgres;
pub mod yaml;
