CREATE TABLE users (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL,
    legacy_code text
);
CREATE VIEW user_directory AS SELECT id, name, legacy_code FROM users;
INSERT INTO users (name, legacy_code)
SELECT 'user ' || n, CASE WHEN n % 4 = 0 THEN NULL ELSE 'L' || n END FROM generate_series(1, 200) AS n;
