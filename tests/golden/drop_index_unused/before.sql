CREATE TABLE orders (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id bigint,
    status text NOT NULL DEFAULT 'new'
);
CREATE INDEX orders_status_idx ON orders (status);
CREATE INDEX orders_customer_id_idx ON orders (customer_id);
INSERT INTO orders (customer_id, status)
SELECT n % 40, CASE WHEN n % 3 = 0 THEN 'paid' ELSE 'new' END FROM generate_series(1, 300) AS n;
