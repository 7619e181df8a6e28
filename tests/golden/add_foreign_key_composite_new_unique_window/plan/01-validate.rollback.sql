-- 01-validate.rollback.sql: phase validate of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Budget: a client waits at most 1.7 s because of this file: one lock_timeout (1s) per table locked in a mode that blocks clients, waited for while the others are held, then 500 ms for the brief statements.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 01-validate.rollback.sql
-- Safe to run again after a failure: each statement skips what is already done.
-- Undoes 01-validate.sql: returns the schema to what it was before that file ran.

BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '0';

-- the file's locks: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- takes this transaction's locks first, strongest mode, in table order: public.stock (ACCESS EXCLUSIVE), public.warehouses (ACCESS EXCLUSIVE); retried up to 10 times, with growing pauses, when one is not free within lock_timeout (each try releases what it took)
DO $lock$
DECLARE
  attempt integer := 0;
  file_lock_timeout text := current_setting('lock_timeout');
BEGIN
  LOOP
    BEGIN
      IF to_regclass('public.stock') IS NOT NULL THEN
        LOCK TABLE public.stock IN ACCESS EXCLUSIVE MODE;
      END IF;
      -- A lock is held from here on: wait only briefly for the others.
      PERFORM set_config('lock_timeout', '200ms', true);
      IF to_regclass('public.warehouses') IS NOT NULL THEN
        LOCK TABLE public.warehouses IN ACCESS EXCLUSIVE MODE;
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

-- public.stock.stock_region_warehouse_code_fkey: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief
ALTER TABLE public.stock DROP CONSTRAINT IF EXISTS stock_region_warehouse_code_fkey;

-- public.warehouses.warehouses_region_code_key: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief
ALTER TABLE public.warehouses DROP CONSTRAINT IF EXISTS warehouses_region_code_key;

COMMIT;
