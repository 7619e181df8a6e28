CREATE TABLE users (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text,
    name text NOT NULL
);
-- Every tenth e-mail appears twice (or three times), every 25th is NULL: NULLs are not duplicates.
INSERT INTO users (email, name)
SELECT CASE WHEN n % 25 = 0 THEN NULL ELSE 'user' || n || '@example.com' END, 'user ' || n
FROM generate_series(1, 250) AS n;
INSERT INTO users (email, name)
SELECT email, name || ' (copy)' FROM users WHERE id % 10 = 0;
INSERT INTO users (email, name)
SELECT email, name || ' (second copy)' FROM users WHERE id % 50 = 0 AND id <= 250;
