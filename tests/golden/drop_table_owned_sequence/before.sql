CREATE TABLE customers (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL
);
-- A serial key: legacy_notes_id_seq is owned by legacy_notes.id and used by its default.
CREATE TABLE legacy_notes (
    id serial PRIMARY KEY,
    customer_id bigint REFERENCES customers (id),
    body text
);
INSERT INTO customers (name) SELECT 'customer ' || n FROM generate_series(1, 100) AS n;
INSERT INTO legacy_notes (customer_id, body)
SELECT n % 100 + 1, 'note ' || n FROM generate_series(1, 250) AS n;
