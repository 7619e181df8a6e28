//! A live PostgreSQL database: connecting like libpq, and reading its schema read-only.
