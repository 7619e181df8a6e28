CREATE TABLE notes (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner text NOT NULL,
    body text
);
COMMENT ON COLUMN notes.body IS 'old text';
ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
CREATE POLICY everyone ON notes FOR SELECT USING (true);
INSERT INTO notes (owner, body) SELECT 'owner' || (n % 10), 'note ' || n FROM generate_series(1, 100) AS n;
