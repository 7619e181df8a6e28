//! PostgreSQL's default names for constraints and indexes left unnamed.
