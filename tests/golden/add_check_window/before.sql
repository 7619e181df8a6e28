CREATE TABLE invoices (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    amount numeric(12, 2),
    discount numeric(12, 2) NOT NULL DEFAULT 0
);
-- Some amounts are NULL: a CHECK passes on NULL.
INSERT INTO invoices (amount, discount)
SELECT CASE WHEN n % 13 = 0 THEN NULL ELSE n * 2.5 END, n % 5 FROM generate_series(1, 300) AS n;
