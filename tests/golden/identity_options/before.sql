-- Identity options: an existing identity gets a new start and cache, a new table's identity
-- starts at 5000 and counts in fives.
CREATE TABLE orders (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    total numeric(12, 2) NOT NULL
);
INSERT INTO orders (total) SELECT n * 1.5 FROM generate_series(1, 300) AS n;
