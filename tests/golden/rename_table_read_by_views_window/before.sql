-- Views read the table renamed: one names two of its columns, one only counts its rows, one
-- reads the first view.
CREATE TABLE clients (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL,
    email text
);
CREATE VIEW client_names AS SELECT id, name FROM clients;
CREATE MATERIALIZED VIEW client_count AS SELECT count(*) AS n FROM clients;
CREATE VIEW short_names AS SELECT id, name FROM client_names WHERE length(name) < 10;
INSERT INTO clients (name, email)
SELECT 'client ' || n, CASE WHEN n % 9 = 0 THEN NULL ELSE 'c' || n || '@example.com' END
FROM generate_series(1, 200) AS n;
REFRESH MATERIALIZED VIEW client_count;
