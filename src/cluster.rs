//! A throwaway local PostgreSQL cluster (initdb + postgres on a unix socket in a temp dir).
