-- 04-contract.rollback.sql: phase contract of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Budget: a client waits at most 1.5 s because of this file: one lock_timeout (1s) per table locked in a mode that blocks clients, waited for while the others are held, then 500 ms for the brief statements.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 04-contract.rollback.sql
-- Safe to run again after a failure: each statement skips what is already done.
-- Undoes 04-contract.sql: returns the schema to what it was before that file ran.
--
-- What this does not bring back:
--   public.accounts.display_name: the old column is filled back from display_name with one UPDATE of every row

BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '0';

-- the file's locks: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- takes this transaction's locks first, strongest mode, in table order: public.accounts (ACCESS EXCLUSIVE); retried up to 10 times, with growing pauses, when one is not free within lock_timeout (each try releases what it took)
DO $lock$
DECLARE
  attempt integer := 0;
BEGIN
  LOOP
    BEGIN
      IF to_regclass('public.accounts') IS NOT NULL THEN
        LOCK TABLE public.accounts IN ACCESS EXCLUSIVE MODE;
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

-- public.accounts.display_name: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief unless the column has a volatile default, identity or generation
ALTER TABLE public.accounts ADD COLUMN IF NOT EXISTS nickname text;

-- public.accounts.display_name: ROW EXCLUSIVE (blocks other DDL), updates rows, ~250 rows (estimate)
-- every row
UPDATE public.accounts SET nickname = display_name WHERE nickname IS DISTINCT FROM display_name;

-- public.accounts.display_name: no lock on an existing table, metadata only
-- the sync function; no table lock
CREATE OR REPLACE FUNCTION public.accounts_display_name_sync() RETURNS trigger LANGUAGE plpgsql AS $sync$
#variable_conflict use_column
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.display_name IS NULL THEN
      NEW.display_name := (SELECT nickname FROM (SELECT NEW.nickname) AS row_value(nickname));
    ELSE
      NEW.nickname := (SELECT display_name FROM (SELECT NEW.display_name) AS row_value(display_name));
    END IF;
  ELSIF NEW.nickname IS DISTINCT FROM OLD.nickname THEN
    NEW.display_name := (SELECT nickname FROM (SELECT NEW.nickname) AS row_value(nickname));
  ELSIF NEW.display_name IS DISTINCT FROM OLD.display_name AND NEW.display_name IS DISTINCT FROM (SELECT nickname FROM (SELECT NEW.nickname) AS row_value(nickname)) THEN
    NEW.nickname := (SELECT display_name FROM (SELECT NEW.display_name) AS row_value(display_name));
  ELSE
    NEW.display_name := (SELECT nickname FROM (SELECT NEW.nickname) AS row_value(nickname));
  END IF;
  RETURN NEW;
END
$sync$;

-- public.accounts.display_name: SHARE ROW EXCLUSIVE (blocks writes), metadata only
-- brief: blocks writes only while the trigger is added
DO $guard$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = to_regclass('public.accounts') AND tgname = 'accounts_display_name_sync') THEN
    CREATE TRIGGER accounts_display_name_sync BEFORE INSERT OR UPDATE ON public.accounts FOR EACH ROW EXECUTE FUNCTION public.accounts_display_name_sync();
  END IF;
END
$guard$;

COMMIT;
