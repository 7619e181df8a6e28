-- 02-validate.sql: phase validate of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Budget: a client waits at most 1.7 s because of this file: one lock_timeout (1s) per table locked in a mode that blocks clients, waited for while the others are held, then 500 ms for the brief statements.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 02-validate.sql
-- Safe to run again after a failure: each statement skips what is already done.

BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '0';

-- the file's locks: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- takes this transaction's locks first, strongest mode, in table order: public.stock (SHARE ROW EXCLUSIVE), public.warehouses (ACCESS EXCLUSIVE); retried up to 10 times, with growing pauses, when one is not free within lock_timeout (each try releases what it took)
DO $lock$
DECLARE
  attempt integer := 0;
  file_lock_timeout text := current_setting('lock_timeout');
BEGIN
  LOOP
    BEGIN
      IF to_regclass('public.stock') IS NOT NULL THEN
        LOCK TABLE public.stock IN SHARE ROW EXCLUSIVE MODE;
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

-- public.warehouses.warehouses_region_code_key: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief: the index is already built and proves the key unique
DO $guard$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.warehouses'::regclass AND conname = 'warehouses_region_code_key') THEN
    ALTER TABLE public.warehouses ADD CONSTRAINT warehouses_region_code_key UNIQUE USING INDEX warehouses_region_code_key;
  END IF;
END
$guard$;

-- public.stock.stock_region_warehouse_code_fkey: SHARE ROW EXCLUSIVE (blocks writes), metadata only
-- brief locks on both tables; new rows are checked from now on, existing ones in the validate phase
DO $guard$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.stock'::regclass AND conname = 'stock_region_warehouse_code_fkey') THEN
    ALTER TABLE public.stock ADD CONSTRAINT stock_region_warehouse_code_fkey FOREIGN KEY (region, warehouse_code) REFERENCES public.warehouses (region, code) NOT VALID;
  END IF;
END
$guard$;

COMMIT;
