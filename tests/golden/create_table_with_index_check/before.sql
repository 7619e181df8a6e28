CREATE TABLE customers (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL
);
INSERT INTO customers (name) SELECT 'customer ' || n FROM generate_series(1, 300) AS n;
