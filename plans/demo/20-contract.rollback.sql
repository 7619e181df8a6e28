-- 20-contract.rollback.sql: phase contract of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Budget: a client waits at most 1.5 s because of this file: one lock_timeout (1s) per table locked in a mode that blocks clients, waited for while the others are held, then 500 ms for the brief statements.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 20-contract.rollback.sql
-- Safe to run again after a failure: each statement skips what is already done.
-- Undoes 20-contract.sql: returns the schema to what it was before that file ran.
--
-- What this does not bring back:
--   public.users.display_name: the old column is filled back from display_name with one UPDATE of every row

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

-- public.users.display_name: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief unless the column has a volatile default, identity or generation
ALTER TABLE public.users ADD COLUMN IF NOT EXISTS full_name text;

-- public.users.display_name: ROW EXCLUSIVE (blocks other DDL), updates rows, ~5,000 rows (estimate)
-- every row
UPDATE public.users SET full_name = display_name WHERE full_name IS DISTINCT FROM display_name;

-- public.users.display_name: no lock on an existing table, metadata only
-- the sync function; no table lock
CREATE OR REPLACE FUNCTION public.users_display_name_sync() RETURNS trigger LANGUAGE plpgsql AS $sync$
#variable_conflict use_column
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.display_name IS NULL THEN
      NEW.display_name := (SELECT full_name FROM (SELECT NEW.full_name) AS row_value(full_name));
    ELSE
      NEW.full_name := (SELECT display_name FROM (SELECT NEW.display_name) AS row_value(display_name));
    END IF;
  ELSIF NEW.full_name IS DISTINCT FROM OLD.full_name THEN
    NEW.display_name := (SELECT full_name FROM (SELECT NEW.full_name) AS row_value(full_name));
  ELSIF NEW.display_name IS DISTINCT FROM OLD.display_name AND NEW.display_name IS DISTINCT FROM (SELECT full_name FROM (SELECT NEW.full_name) AS row_value(full_name)) THEN
    NEW.full_name := (SELECT display_name FROM (SELECT NEW.display_name) AS row_value(display_name));
  ELSE
    NEW.display_name := (SELECT full_name FROM (SELECT NEW.full_name) AS row_value(full_name));
  END IF;
  RETURN NEW;
END
$sync$;

-- public.users.display_name: SHARE ROW EXCLUSIVE (blocks writes), metadata only
-- brief: blocks writes only while the trigger is added
DO $guard$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = to_regclass('public.users') AND tgname = 'users_display_name_sync') THEN
    CREATE TRIGGER users_display_name_sync BEFORE INSERT OR UPDATE ON public.users FOR EACH ROW EXECUTE FUNCTION public.users_display_name_sync();
  END IF;
END
$guard$;

COMMIT;
