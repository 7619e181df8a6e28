-- 09-validate.sql: phase validate of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Budget: a client waits at most 1.5 s because of this file: one lock_timeout (1s) per table locked in a mode that blocks clients, waited for while the others are held, then 500 ms for the brief statements.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 09-validate.sql
-- Safe to run again after a failure: each statement skips what is already done.

BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '0';

-- the file's locks: SHARE UPDATE EXCLUSIVE (blocks other DDL and VACUUM, not reads or writes), metadata only
-- takes this transaction's locks first, strongest mode, in table order: public.orders (SHARE UPDATE EXCLUSIVE); retried up to 10 times, with growing pauses, when one is not free within lock_timeout (each try releases what it took)
DO $lock$
DECLARE
  attempt integer := 0;
BEGIN
  LOOP
    BEGIN
      IF to_regclass('public.orders') IS NOT NULL THEN
        LOCK TABLE public.orders IN SHARE UPDATE EXCLUSIVE MODE;
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

-- public.orders.user_id: SHARE UPDATE EXCLUSIVE (blocks other DDL and VACUUM, not reads or writes), scans the table, ~3,000 rows (estimate)
-- scans the table without blocking reads or writes; fails if a NULL remains
DO $guard$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.orders'::regclass AND conname = 'orders_user_id_new_not_null') THEN
    ALTER TABLE public.orders VALIDATE CONSTRAINT orders_user_id_new_not_null;
  END IF;
END
$guard$;

COMMIT;
