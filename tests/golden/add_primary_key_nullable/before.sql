CREATE TABLE events (
    id bigint,
    kind text NOT NULL,
    payload text
);
INSERT INTO events (id, kind, payload)
SELECT n, CASE WHEN n % 2 = 0 THEN 'click' ELSE 'view' END, CASE WHEN n % 7 = 0 THEN NULL ELSE 'p' || n END
FROM generate_series(1, 300) AS n;
