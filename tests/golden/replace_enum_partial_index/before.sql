-- The enum's columns are read by a partial index, a two-column partial index and a check
-- whose texts cast labels to the type: the conversion cannot carry them over.
CREATE TYPE order_status AS ENUM ('pending', 'legacy', 'paid', 'shipped');
CREATE TABLE orders (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    status order_status NOT NULL DEFAULT 'pending',
    previous order_status DEFAULT 'pending'::order_status,
    CONSTRAINT orders_not_legacy CHECK (status <> 'legacy')
);
CREATE INDEX orders_open_idx ON orders (id) WHERE status <> 'shipped';
CREATE INDEX orders_previous_idx ON orders (status, previous) WHERE previous IN ('paid', 'legacy');
INSERT INTO orders (status, previous)
SELECT (ARRAY['pending', 'paid', 'shipped'])[1 + n % 3]::order_status,
       (ARRAY['pending', 'paid', 'shipped'])[1 + n % 2]::order_status
FROM generate_series(1, 200) AS n;
