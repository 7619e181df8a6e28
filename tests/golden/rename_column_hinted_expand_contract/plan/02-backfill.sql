-- 02-backfill.sql: phase backfill of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Budget: a client waits at most 1.5 s because of this file: one lock_timeout (1s) per table locked in a mode that blocks clients, waited for while the others are held, then 500 ms for the brief statements.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 02-backfill.sql
-- Safe to run again after a failure: each statement skips what is already done.

BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '0';

-- public.accounts.display_name: ROW EXCLUSIVE (blocks other DDL), updates rows, ~250 rows (estimate)
-- copy existing values into display_name, in one transaction, skipping rows other sessions hold until a later pass
DO $backfill$
DECLARE
  attempt integer := 0;
BEGIN
  LOOP
    BEGIN
      FOR _pass IN 1..50 LOOP
        UPDATE public.accounts SET display_name = nickname WHERE ctid IN (SELECT ctid FROM public.accounts WHERE display_name IS DISTINCT FROM nickname FOR UPDATE SKIP LOCKED);
        EXIT WHEN NOT EXISTS (SELECT 1 FROM public.accounts WHERE display_name IS DISTINCT FROM nickname);
        PERFORM pg_sleep(0.01);
      END LOOP;
      -- rows other sessions still hold: give back every row changed so far and try again
      IF EXISTS (SELECT 1 FROM public.accounts WHERE display_name IS DISTINCT FROM nickname) THEN
        RAISE EXCEPTION USING ERRCODE = 'lock_not_available', MESSAGE = 'rows of public.accounts are held by other sessions after 50 passes';
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
$backfill$;

COMMIT;
