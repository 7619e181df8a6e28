CREATE TABLE products (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL,
    stock text
);
INSERT INTO products (name, stock)
SELECT 'product ' || n,
       CASE WHEN n % 10 = 0 THEN NULL WHEN n % 10 = 5 THEN ' ' || n || ' ' WHEN n % 10 = 7 THEN '' ELSE n::text END
FROM generate_series(1, 300) AS n;
