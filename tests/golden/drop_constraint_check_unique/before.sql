CREATE TABLE products (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sku text NOT NULL CONSTRAINT products_sku_key UNIQUE,
    price numeric(10, 2) NOT NULL CONSTRAINT products_price_positive CHECK (price > 0)
);
INSERT INTO products (sku, price) SELECT 'sku-' || n, n * 0.75 FROM generate_series(1, 200) AS n;
