//! The desired-schema YAML file: loading with located errors, and writing snapshots.
