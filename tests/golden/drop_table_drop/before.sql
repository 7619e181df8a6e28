CREATE TABLE customers (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL
);
CREATE TABLE legacy_notes (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id bigint REFERENCES customers (id),
    body text
);
CREATE INDEX legacy_notes_customer_id_idx ON legacy_notes (customer_id);
INSERT INTO customers (name) SELECT 'customer ' || n FROM generate_series(1, 100) AS n;
INSERT INTO legacy_notes (customer_id, body)
SELECT CASE WHEN n % 7 = 0 THEN NULL ELSE n % 100 + 1 END, CASE WHEN n % 5 = 0 THEN NULL ELSE 'note ' || n END
FROM generate_series(1, 250) AS n;
