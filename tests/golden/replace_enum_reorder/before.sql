CREATE TYPE order_status AS ENUM ('paid', 'pending', 'shipped');
CREATE TABLE orders (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    status order_status NOT NULL DEFAULT 'pending'
);
INSERT INTO orders (status)
SELECT (ARRAY['pending', 'paid', 'shipped'])[1 + n % 3]::order_status FROM generate_series(1, 200) AS n;
