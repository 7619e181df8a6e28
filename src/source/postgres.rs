//! A live PostgreSQL database: connecting like libpq, and reading its schema read-only.

pub mod connect;

pub use connect::{
    ConnectError, ConnectOptions, Connection, Env, OLDEST_SUPPORTED_SERVER, SystemEnv, connect,
};
