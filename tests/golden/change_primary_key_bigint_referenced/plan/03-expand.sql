-- 03-expand.sql: phase expand of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Budget: a client waits at most 1.5 s because of this file: one lock_timeout (1s) per table locked in a mode that blocks clients, waited for while the others are held, then 500 ms for the brief statements.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 03-expand.sql
-- Safe to run again after a failure: each statement skips what is already done.

BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '0';

-- the file's locks: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- takes this transaction's locks first, strongest mode, in table order: public.users (ACCESS EXCLUSIVE); retried up to 10 times, with growing pauses, when one is not free within lock_timeout (each try releases what it took)
DO $lock$
DECLARE
  attempt integer := 0;
BEGIN
  LOOP
    BEGIN
      IF to_regclass('public.users') IS NOT NULL THEN
        LOCK TABLE public.users IN ACCESS EXCLUSIVE MODE;
      END IF;
      EXIT;
    EXCEPTION WHEN lock_not_available THEN
      attempt := attempt + 1;
      IF attempt > 10 THEN
        RAISE;
      END IF;
      RAISE NOTICE '%; attempt % of 10 follows', SQLERRM, attempt;
      PERFORM pg_sleep(least(0.100 * 2 ^ (attempt - 1), 5.000) * (0.5 + random()));
    END;
  END LOOP;
END
$lock$;

-- public.users.id: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief, metadata only
ALTER TABLE public.users ADD COLUMN IF NOT EXISTS id_new bigint;

-- public.users.id: no lock on an existing table, metadata only
-- the sync function; no table lock
CREATE OR REPLACE FUNCTION public.users_id_new_sync() RETURNS trigger LANGUAGE plpgsql AS $sync$
#variable_conflict use_column
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.id_new IS NULL THEN
      NEW.id_new := (SELECT CAST((id::bigint) AS bigint) FROM (SELECT NEW.id) AS row_value(id));
    ELSE
      NEW.id := (SELECT CAST(id_new AS integer) FROM (SELECT NEW.id_new) AS row_value(id_new));
    END IF;
  ELSIF NEW.id IS DISTINCT FROM OLD.id THEN
    NEW.id_new := (SELECT CAST((id::bigint) AS bigint) FROM (SELECT NEW.id) AS row_value(id));
  ELSIF NEW.id_new IS DISTINCT FROM OLD.id_new AND NEW.id_new IS DISTINCT FROM (SELECT CAST((id::bigint) AS bigint) FROM (SELECT NEW.id) AS row_value(id)) THEN
    NEW.id := (SELECT CAST(id_new AS integer) FROM (SELECT NEW.id_new) AS row_value(id_new));
  ELSE
    NEW.id_new := (SELECT CAST((id::bigint) AS bigint) FROM (SELECT NEW.id) AS row_value(id));
  END IF;
  RETURN NEW;
END
$sync$;

-- public.users.id: SHARE ROW EXCLUSIVE (blocks writes), metadata only
-- brief: blocks writes only while the trigger is added
DO $guard$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = to_regclass('public.users') AND tgname = 'users_id_new_sync') THEN
    CREATE TRIGGER users_id_new_sync BEFORE INSERT OR UPDATE ON public.users FOR EACH ROW EXECUTE FUNCTION public.users_id_new_sync();
  END IF;
END
$guard$;

COMMIT;
