-- 13-validate.sql: phase validate of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Budget: a client waits at most 1.5 s because of this file: one lock_timeout (1s) per table locked in a mode that blocks clients, waited for while the others are held, then 500 ms for the brief statements.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 13-validate.sql
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
-- brief: the validated check proves no row is NULL, so there is no scan
ALTER TABLE public.order_items ALTER COLUMN quantity_new SET NOT NULL;

-- public.order_items.quantity: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief
ALTER TABLE public.order_items DROP CONSTRAINT IF EXISTS order_items_quantity_new_not_null;

COMMIT;
