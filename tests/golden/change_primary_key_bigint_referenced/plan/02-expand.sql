-- 02-expand.sql: phase expand of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Budget: a client waits at most 1.5 s because of this file: one lock_timeout (1s) per table locked in a mode that blocks clients, waited for while the others are held, then 500 ms for the brief statements.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 02-expand.sql
-- Safe to run again after a failure: each statement skips what is already done.

BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '0';

-- the file's locks: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- takes this transaction's locks first, strongest mode, in table order: public.sessions (ACCESS EXCLUSIVE); retried up to 10 times, with growing pauses, when one is not free within lock_timeout (each try releases what it took)
DO $lock$
DECLARE
  attempt integer := 0;
BEGIN
  LOOP
    BEGIN
      IF to_regclass('public.sessions') IS NOT NULL THEN
        LOCK TABLE public.sessions IN ACCESS EXCLUSIVE MODE;
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

-- public.sessions.user_id: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief, metadata only
ALTER TABLE public.sessions ADD COLUMN IF NOT EXISTS user_id_new bigint;

-- public.sessions.user_id: no lock on an existing table, metadata only
-- the sync function; no table lock
CREATE OR REPLACE FUNCTION public.sessions_user_id_new_sync() RETURNS trigger LANGUAGE plpgsql AS $sync$
#variable_conflict use_column
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.user_id_new IS NULL THEN
      NEW.user_id_new := (SELECT CAST((user_id::bigint) AS bigint) FROM (SELECT NEW.user_id) AS row_value(user_id));
    ELSE
      NEW.user_id := (SELECT CAST(user_id_new AS integer) FROM (SELECT NEW.user_id_new) AS row_value(user_id_new));
    END IF;
  ELSIF NEW.user_id IS DISTINCT FROM OLD.user_id THEN
    NEW.user_id_new := (SELECT CAST((user_id::bigint) AS bigint) FROM (SELECT NEW.user_id) AS row_value(user_id));
  ELSIF NEW.user_id_new IS DISTINCT FROM OLD.user_id_new AND NEW.user_id_new IS DISTINCT FROM (SELECT CAST((user_id::bigint) AS bigint) FROM (SELECT NEW.user_id) AS row_value(user_id)) THEN
    NEW.user_id := (SELECT CAST(user_id_new AS integer) FROM (SELECT NEW.user_id_new) AS row_value(user_id_new));
  ELSE
    NEW.user_id_new := (SELECT CAST((user_id::bigint) AS bigint) FROM (SELECT NEW.user_id) AS row_value(user_id));
  END IF;
  RETURN NEW;
END
$sync$;

-- public.sessions.user_id: SHARE ROW EXCLUSIVE (blocks writes), metadata only
-- brief: blocks writes only while the trigger is added
DO $guard$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = to_regclass('public.sessions') AND tgname = 'sessions_user_id_new_sync') THEN
    CREATE TRIGGER sessions_user_id_new_sync BEFORE INSERT OR UPDATE ON public.sessions FOR EACH ROW EXECUTE FUNCTION public.sessions_user_id_new_sync();
  END IF;
END
$guard$;

COMMIT;
