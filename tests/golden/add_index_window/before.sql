CREATE TABLE orders (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id bigint,
    created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO orders (customer_id, created_at)
SELECT CASE WHEN n % 17 = 0 THEN NULL ELSE n % 40 END, timestamptz '2024-01-01' + n * interval '1 hour'
FROM generate_series(1, 300) AS n;
