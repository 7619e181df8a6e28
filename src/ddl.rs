//! Schema → DDL: the CREATE statements for a whole model, ordered by dependencies.
