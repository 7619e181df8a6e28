CREATE TABLE orders (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer text NOT NULL,
    total numeric(12, 2) NOT NULL,
    paid boolean NOT NULL DEFAULT false
);
CREATE VIEW paid_orders AS SELECT id, customer FROM orders WHERE paid;
CREATE VIEW unpaid_orders AS SELECT id, customer FROM orders WHERE NOT paid;
CREATE MATERIALIZED VIEW old_totals AS SELECT customer, count(*) AS n FROM orders GROUP BY customer;
INSERT INTO orders (customer, total, paid)
SELECT 'customer ' || (n % 30), n * 1.25, n % 3 = 0 FROM generate_series(1, 300) AS n;
