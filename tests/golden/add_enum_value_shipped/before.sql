CREATE TYPE order_status AS ENUM ('pending', 'paid');
CREATE TABLE orders (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    status order_status NOT NULL DEFAULT 'pending'
);
INSERT INTO orders (status)
SELECT (ARRAY['pending', 'paid'])[1 + n % 2]::order_status FROM generate_series(1, 200) AS n;
