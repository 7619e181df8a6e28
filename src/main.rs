//! The `pgphase` binary: parses arguments, dispatches, maps the outcome to an exit code.

fn main() {}
