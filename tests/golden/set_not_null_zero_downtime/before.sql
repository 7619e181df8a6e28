CREATE TABLE customers (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL,
    phone text
);
INSERT INTO customers (name, phone)
SELECT 'customer ' || n, CASE WHEN n % 10 = 0 THEN NULL ELSE '555-' || n END
FROM generate_series(1, 200) AS n;
