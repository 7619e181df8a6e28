CREATE TABLE customers (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL
);
CREATE TABLE orders (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id bigint,
    total numeric(12, 2) NOT NULL
);
CREATE INDEX orders_customer_id_idx ON orders (customer_id);
-- customers 51..60 do not exist: orders pointing there are orphans.
INSERT INTO customers (name) SELECT 'customer ' || n FROM generate_series(1, 50) AS n;
-- Every 20th order has no customer (NULL is not an orphan).
INSERT INTO orders (customer_id, total)
SELECT CASE WHEN n % 20 = 0 THEN NULL ELSE 1 + n % 60 END, n * 1.5 FROM generate_series(1, 300) AS n;
