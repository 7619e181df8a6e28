CREATE TABLE clients (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL,
    email text
);
CREATE INDEX clients_email_idx ON clients (email);
CREATE TABLE orders (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id bigint NOT NULL REFERENCES clients (id),
    total numeric(12, 2) NOT NULL
);
INSERT INTO clients (name, email)
SELECT 'client ' || n, CASE WHEN n % 9 = 0 THEN NULL ELSE 'c' || n || '@example.com' END
FROM generate_series(1, 200) AS n;
INSERT INTO orders (client_id, total) SELECT n % 200 + 1, n * 1.5 FROM generate_series(1, 400) AS n;
