-- 21-contract.sql: phase contract of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Budget: a client waits at most 1.5 s because of this file: one lock_timeout (1s) per table locked in a mode that blocks clients, waited for while the others are held, then 500 ms for the brief statements.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 21-contract.sql
-- Safe to run again after a failure: each statement skips what is already done.

BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '0';

-- the file's locks: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- takes this transaction's locks first, strongest mode, in table order: public.order_items (ACCESS EXCLUSIVE); retried up to 10 times, with growing pauses, when one is not free within lock_timeout (each try releases what it took)
DO $lock$
DECLARE
  attempt integer := 0;
BEGIN
  LOOP
    BEGIN
      IF to_regclass('public.order_items') IS NOT NULL THEN
        LOCK TABLE public.order_items IN ACCESS EXCLUSIVE MODE;
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

-- public.order_items.quantity: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief, metadata only
DROP TRIGGER IF EXISTS order_items_quantity_new_sync ON public.order_items;

-- public.order_items.quantity: no lock on an existing table, metadata only
-- the sync function
DROP FUNCTION IF EXISTS public.order_items_quantity_new_sync();

-- public.order_items.quantity: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief, metadata only: the old column and its indexes go, the new one takes its name
DO $guard$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = to_regclass('public.order_items') AND attname = 'quantity_new' AND NOT attisdropped) THEN
    ALTER TABLE public.order_items DROP COLUMN quantity;
    ALTER TABLE public.order_items RENAME COLUMN quantity_new TO quantity;
  END IF;
END
$guard$;

-- public.order_items.quantity: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief, metadata only: rows inserted from now on get the default
ALTER TABLE public.order_items ALTER COLUMN quantity SET DEFAULT 1;

COMMIT;
