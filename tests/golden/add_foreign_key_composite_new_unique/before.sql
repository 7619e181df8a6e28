CREATE TABLE warehouses (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    region text NOT NULL,
    code text NOT NULL
);
CREATE TABLE stock (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    region text NOT NULL,
    warehouse_code text NOT NULL,
    quantity integer NOT NULL
);
CREATE INDEX stock_region_warehouse_code_idx ON stock (region, warehouse_code);
-- (region, code) is unique in the data, but no constraint says so yet: the foreign key needs one.
INSERT INTO warehouses (region, code)
SELECT 'region ' || (n % 5), 'W' || n FROM generate_series(1, 60) AS n;
INSERT INTO stock (region, warehouse_code, quantity)
SELECT 'region ' || (w % 5), 'W' || w, n FROM generate_series(1, 900) AS n, LATERAL (SELECT 1 + n % 60 AS w) AS pick;
