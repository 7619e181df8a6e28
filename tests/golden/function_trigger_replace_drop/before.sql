CREATE TABLE documents (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    body text NOT NULL,
    revision integer NOT NULL DEFAULT 0,
    updated_at timestamptz
);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$;
CREATE FUNCTION bump() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.revision := NEW.revision + 1; RETURN NEW; END $$;
CREATE FUNCTION legacy_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER documents_touch BEFORE UPDATE ON documents FOR EACH ROW EXECUTE FUNCTION touch();
CREATE TRIGGER documents_bump BEFORE UPDATE ON documents FOR EACH ROW EXECUTE FUNCTION bump();
CREATE TRIGGER documents_audit AFTER INSERT ON documents FOR EACH ROW EXECUTE FUNCTION legacy_audit();
INSERT INTO documents (body) SELECT 'document ' || n FROM generate_series(1, 200) AS n;
