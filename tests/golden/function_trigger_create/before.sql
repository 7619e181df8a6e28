CREATE TABLE documents (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    body text NOT NULL,
    updated_at timestamptz
);
INSERT INTO documents (body) SELECT 'document ' || n FROM generate_series(1, 200) AS n;
