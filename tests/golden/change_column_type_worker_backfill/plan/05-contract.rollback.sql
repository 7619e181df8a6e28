-- 05-contract.rollback.sql: phase contract of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Budget: a client waits at most 1.5 s because of this file: one lock_timeout (1s) per table locked in a mode that blocks clients, waited for while the others are held, then 500 ms for the brief statements.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 05-contract.rollback.sql
-- Safe to run again after a failure: each statement skips what is already done.
-- Undoes 05-contract.sql: returns the schema to what it was before that file ran.
--
-- What this does not bring back:
--   public.events.account_id: the old column is filled back by casting to integer, one UPDATE of every row; the cast can fail or lose information

BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '0';

-- the file's locks: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- takes this transaction's locks first, strongest mode, in table order: public.events (ACCESS EXCLUSIVE); retried up to 10 times, with growing pauses, when one is not free within lock_timeout (each try releases what it took)
DO $lock$
DECLARE
  attempt integer := 0;
BEGIN
  LOOP
    BEGIN
      IF to_regclass('public.events') IS NOT NULL THEN
        LOCK TABLE public.events IN ACCESS EXCLUSIVE MODE;
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

-- public.events.account_id: SHARE UPDATE EXCLUSIVE (blocks other DDL and VACUUM, not reads or writes), metadata only
-- brief, metadata only
ALTER INDEX IF EXISTS public.events_account_id_idx RENAME TO events_account_id_idx_new;

-- public.events.account_id: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief
DO $guard$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = to_regclass('public.events') AND attname = 'account_id_new' AND NOT attisdropped) THEN
    ALTER TABLE public.events RENAME COLUMN account_id TO account_id_new;
  END IF;
END
$guard$;

-- public.events.account_id: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief unless the column has a volatile default, identity or generation
ALTER TABLE public.events ADD COLUMN IF NOT EXISTS account_id integer;

-- public.events.account_id: SHARE (blocks writes), metadata only
-- builds the index while writes wait
CREATE INDEX IF NOT EXISTS events_account_id_idx ON public.events USING btree (account_id);

-- public.events.account_id: ROW EXCLUSIVE (blocks other DDL), updates rows, ~25,000 rows (estimate)
-- every row
UPDATE public.events SET account_id = CAST(account_id_new AS integer) WHERE account_id IS DISTINCT FROM CAST(account_id_new AS integer);

-- public.events.account_id: no lock on an existing table, metadata only
-- the sync function; no table lock
CREATE OR REPLACE FUNCTION public.events_account_id_new_sync() RETURNS trigger LANGUAGE plpgsql AS $sync$
#variable_conflict use_column
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.account_id_new IS NULL THEN
      NEW.account_id_new := (SELECT CAST((account_id::bigint) AS bigint) FROM (SELECT NEW.account_id) AS row_value(account_id));
    ELSE
      NEW.account_id := (SELECT CAST(account_id_new AS integer) FROM (SELECT NEW.account_id_new) AS row_value(account_id_new));
    END IF;
  ELSIF NEW.account_id IS DISTINCT FROM OLD.account_id THEN
    NEW.account_id_new := (SELECT CAST((account_id::bigint) AS bigint) FROM (SELECT NEW.account_id) AS row_value(account_id));
  ELSIF NEW.account_id_new IS DISTINCT FROM OLD.account_id_new AND NEW.account_id_new IS DISTINCT FROM (SELECT CAST((account_id::bigint) AS bigint) FROM (SELECT NEW.account_id) AS row_value(account_id)) THEN
    NEW.account_id := (SELECT CAST(account_id_new AS integer) FROM (SELECT NEW.account_id_new) AS row_value(account_id_new));
  ELSE
    NEW.account_id_new := (SELECT CAST((account_id::bigint) AS bigint) FROM (SELECT NEW.account_id) AS row_value(account_id));
  END IF;
  RETURN NEW;
END
$sync$;

-- public.events.account_id: SHARE ROW EXCLUSIVE (blocks writes), metadata only
-- brief: blocks writes only while the trigger is added
DO $guard$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = to_regclass('public.events') AND tgname = 'events_account_id_new_sync') THEN
    CREATE TRIGGER events_account_id_new_sync BEFORE INSERT OR UPDATE ON public.events FOR EACH ROW EXECUTE FUNCTION public.events_account_id_new_sync();
  END IF;
END
$guard$;

COMMIT;
