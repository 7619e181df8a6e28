//! Integration tests against a real PostgreSQL: one throwaway cluster for the whole run (or the
//! server named by `PGPHASE_TEST_DATABASE_URL`), one database per test, tests in parallel.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[allow(dead_code)]
mod common;

mod backfill;
mod cli;
mod connect;
mod counts;
mod demo;
mod diff;
mod export;
mod facts;
mod golden;
mod golden_corpus;
mod harness;
mod introspect;
mod live;
mod roundtrip;
mod rules_constraints;
mod rules_objects;
mod shadow;
mod traffic;
mod tui_e2e;
mod verify;
mod yaml_names;
