CREATE TABLE users (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text,
    name text NOT NULL
);
INSERT INTO users (email, name)
SELECT CASE WHEN n % 25 = 0 THEN NULL ELSE 'user' || n || '@example.com' END, 'user ' || n
FROM generate_series(1, 250) AS n;
