CREATE SCHEMA staging;
CREATE TABLE accounts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    login text NOT NULL
);
INSERT INTO accounts (login) SELECT 'login' || n FROM generate_series(1, 100) AS n;
