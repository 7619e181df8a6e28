-- 03-validate.sql: phase validate of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Budget: a client waits at most 1.5 s because of this file: one lock_timeout (1s) per table locked in a mode that blocks clients, waited for while the others are held, then 500 ms for the brief statements.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 03-validate.sql
-- Safe to run again after a failure: each statement skips what is already done.

BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '0';

-- the file's locks: SHARE UPDATE EXCLUSIVE (blocks other DDL and VACUUM, not reads or writes), metadata only
-- takes this transaction's locks first, strongest mode, in table order: public.stock (SHARE UPDATE EXCLUSIVE), public.warehouses (SHARE UPDATE EXCLUSIVE); retried up to 10 times, with growing pauses, when one is not free within lock_timeout (each try releases what it took)
DO $lock$
DECLARE
  attempt integer := 0;
  file_lock_timeout text := current_setting('lock_timeout');
BEGIN
  LOOP
    BEGIN
      IF to_regclass('public.stock') IS NOT NULL THEN
        LOCK TABLE public.stock IN SHARE UPDATE EXCLUSIVE MODE;
      END IF;
      -- A lock is held from here on: wait only briefly for the others.
      PERFORM set_config('lock_timeout', '200ms', true);
      IF to_regclass('public.warehouses') IS NOT NULL THEN
        LOCK TABLE public.warehouses IN SHARE UPDATE EXCLUSIVE MODE;
      END IF;
      PERFORM set_config('lock_timeout', file_lock_timeout, true);
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

-- public.stock.stock_region_warehouse_code_fkey: SHARE UPDATE EXCLUSIVE (blocks other DDL and VACUUM, not reads or writes), scans the table, ~900 rows (estimate)
-- checks every row without blocking reads or writes; fails while an orphan remains
ALTER TABLE public.stock VALIDATE CONSTRAINT stock_region_warehouse_code_fkey;

COMMIT;
