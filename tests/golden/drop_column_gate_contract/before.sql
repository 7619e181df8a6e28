CREATE TABLE accounts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL,
    nickname text,
    status text DEFAULT 'active',
    score integer NOT NULL DEFAULT 0,
    legacy_code varchar(20)
);
INSERT INTO accounts (email, nickname, status, score, legacy_code)
SELECT 'a' || n || '@example.com',
       CASE WHEN n % 6 = 0 THEN NULL ELSE 'nick' || n END,
       CASE WHEN n % 11 = 0 THEN NULL ELSE 'active' END,
       n % 50,
       CASE WHEN n % 4 = 0 THEN NULL ELSE 'L' || n END
FROM generate_series(1, 250) AS n;
