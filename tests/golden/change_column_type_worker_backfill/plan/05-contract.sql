-- 05-contract.sql: phase contract of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Budget: a client waits at most 1.5 s because of this file: one lock_timeout (1s) per table locked in a mode that blocks clients, waited for while the others are held, then 500 ms for the brief statements.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 05-contract.sql
-- Safe to run again after a failure: each statement skips what is already done.

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

-- public.events.account_id: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief, metadata only
DROP TRIGGER IF EXISTS events_account_id_new_sync ON public.events;

-- public.events.account_id: no lock on an existing table, metadata only
-- the sync function
DROP FUNCTION IF EXISTS public.events_account_id_new_sync();

-- public.events.account_id: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief, metadata only: the old column and its indexes go, the new one takes its name
DO $guard$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = to_regclass('public.events') AND attname = 'account_id_new' AND NOT attisdropped) THEN
    ALTER TABLE public.events DROP COLUMN account_id;
    ALTER TABLE public.events RENAME COLUMN account_id_new TO account_id;
  END IF;
END
$guard$;

-- public.events.account_id: SHARE UPDATE EXCLUSIVE (blocks other DDL and VACUUM, not reads or writes), metadata only
-- brief, metadata only
ALTER INDEX IF EXISTS public.events_account_id_idx_new RENAME TO events_account_id_idx;

COMMIT;
