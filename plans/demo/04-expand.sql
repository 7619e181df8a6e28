-- 04-expand.sql: phase expand of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Budget: a client waits at most 1.5 s because of this file: one lock_timeout (1s) per table locked in a mode that blocks clients, waited for while the others are held, then 500 ms for the brief statements.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 04-expand.sql
-- Safe to run again after a failure: each statement skips what is already done.

BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '0';

-- the file's locks: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- takes this transaction's locks first, strongest mode, in table order: public.orders (ACCESS EXCLUSIVE); retried up to 10 times, with growing pauses, when one is not free within lock_timeout (each try releases what it took)
DO $lock$
DECLARE
  attempt integer := 0;
BEGIN
  LOOP
    BEGIN
      IF to_regclass('public.orders') IS NOT NULL THEN
        LOCK TABLE public.orders IN ACCESS EXCLUSIVE MODE;
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

-- public.orders.shipping_address: no lock on an existing table, metadata only
-- the fill function; no table lock
CREATE OR REPLACE FUNCTION public.orders_shipping_address_fill() RETURNS trigger LANGUAGE plpgsql AS $fill$
#variable_conflict use_column
BEGIN
  IF NEW.shipping_address IS NULL THEN
    NEW.shipping_address := (SELECT 'unknown' FROM (SELECT NEW.*) AS orders);
  END IF;
  RETURN NEW;
END
$fill$;

-- public.orders.shipping_address: SHARE ROW EXCLUSIVE (blocks writes), metadata only
-- brief: blocks writes only while the trigger is added; from now on every row written leaves the column filled
DO $guard$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = to_regclass('public.orders') AND tgname = 'orders_shipping_address_fill') THEN
    CREATE TRIGGER orders_shipping_address_fill BEFORE INSERT OR UPDATE ON public.orders FOR EACH ROW EXECUTE FUNCTION public.orders_shipping_address_fill();
  END IF;
END
$guard$;

-- public.orders.shipping_address: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- new rows must not be NULL from now on; the existing ones (~20K rows) are checked in the validate phase
DO $guard$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.orders'::regclass AND conname = 'orders_shipping_address_not_null') THEN
    ALTER TABLE public.orders ADD CONSTRAINT orders_shipping_address_not_null CHECK (shipping_address IS NOT NULL) NOT VALID;
  END IF;
END
$guard$;

COMMIT;
