-- 01-expand.sql: phase expand of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Budget: a client waits at most 1.7 s because of this file: one lock_timeout (1s) per table locked in a mode that blocks clients, waited for while the others are held, then 500 ms for the brief statements.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 01-expand.sql
-- Safe to run again after a failure: each statement skips what is already done.

BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '0';

-- the file's locks: SHARE ROW EXCLUSIVE (blocks writes), metadata only
-- takes this transaction's locks first, strongest mode, in table order: public.customers (SHARE ROW EXCLUSIVE), public.orders (SHARE ROW EXCLUSIVE); retried up to 10 times, with growing pauses, when one is not free within lock_timeout (each try releases what it took)
DO $lock$
DECLARE
  attempt integer := 0;
  file_lock_timeout text := current_setting('lock_timeout');
BEGIN
  LOOP
    BEGIN
      IF to_regclass('public.customers') IS NOT NULL THEN
        LOCK TABLE public.customers IN SHARE ROW EXCLUSIVE MODE;
      END IF;
      -- A lock is held from here on: wait only briefly for the others.
      PERFORM set_config('lock_timeout', '200ms', true);
      IF to_regclass('public.orders') IS NOT NULL THEN
        LOCK TABLE public.orders IN SHARE ROW EXCLUSIVE MODE;
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

-- public.orders.orders_customer_id_fkey: SHARE ROW EXCLUSIVE (blocks writes), metadata only
-- brief locks on both tables; new rows are checked from now on, existing ones in the validate phase
DO $guard$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.orders'::regclass AND conname = 'orders_customer_id_fkey') THEN
    ALTER TABLE public.orders ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES public.customers (id) NOT VALID;
  END IF;
END
$guard$;

COMMIT;
