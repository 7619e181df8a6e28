-- 01-expand.rollback.sql: phase expand of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 01-expand.rollback.sql
-- Safe to run again after a failure: each statement skips what is already done.
-- Undoes 01-expand.sql: returns the schema to what it was before that file ran.

BEGIN;
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '0';

-- public.documents.documents_bump: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief
DROP TRIGGER IF EXISTS documents_bump ON public.documents;

-- public.documents.documents_bump: SHARE ROW EXCLUSIVE (blocks writes), metadata only
-- brief: writes wait for the catalog change only
DO $guard$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = to_regclass('public.documents') AND tgname = 'documents_bump') THEN
    CREATE TRIGGER documents_bump BEFORE UPDATE ON public.documents FOR EACH ROW EXECUTE FUNCTION public.bump();
  END IF;
END
$guard$;

-- public.touch(): no lock on an existing table, metadata only
-- catalog only
CREATE OR REPLACE FUNCTION public.touch()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$ BEGIN NEW.updated_at := now(); RETURN NEW; END $function$;

COMMIT;
