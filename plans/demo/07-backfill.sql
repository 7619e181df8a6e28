-- 07-backfill.sql: phase backfill of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Budget: a client waits at most 1.5 s because of this file: one lock_timeout (1s) per table locked in a mode that blocks clients, waited for while the others are held, then 500 ms for the brief statements.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 07-backfill.sql
-- Safe to run again after a failure: each statement skips what is already done.

BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '0';

-- public.users.display_name: ROW EXCLUSIVE (blocks other DDL), updates rows, ~5,000 rows (estimate)
-- copy existing values into display_name, in one transaction, skipping rows other sessions hold until a later pass
DO $backfill$
BEGIN
  FOR _pass IN 1..50 LOOP
    UPDATE public.users SET display_name = full_name WHERE ctid IN (SELECT ctid FROM public.users WHERE display_name IS DISTINCT FROM full_name FOR UPDATE SKIP LOCKED);
    EXIT WHEN NOT EXISTS (SELECT 1 FROM public.users WHERE display_name IS DISTINCT FROM full_name);
    PERFORM pg_sleep(0.01);
  END LOOP;
  -- rows other sessions still hold
  UPDATE public.users SET display_name = full_name WHERE display_name IS DISTINCT FROM full_name;
END
$backfill$;

COMMIT;
