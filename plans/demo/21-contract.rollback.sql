-- 21-contract.rollback.sql: phase contract of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Budget: a client waits at most 1.5 s because of this file: one lock_timeout (1s) per table locked in a mode that blocks clients, waited for while the others are held, then 500 ms for the brief statements.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 21-contract.rollback.sql
-- Safe to run again after a failure: each statement skips what is already done.
-- Undoes 21-contract.sql: returns the schema to what it was before that file ran.
--
-- What this does not bring back:
--   public.order_items.quantity: the old column is filled back by casting to integer, one UPDATE of every row; the cast can fail or lose information

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
ALTER TABLE public.order_items ALTER COLUMN quantity DROP DEFAULT;

-- public.order_items.quantity: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief
DO $guard$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = to_regclass('public.order_items') AND attname = 'quantity_new' AND NOT attisdropped) THEN
    ALTER TABLE public.order_items RENAME COLUMN quantity TO quantity_new;
  END IF;
END
$guard$;

-- public.order_items.quantity: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief unless the column has a volatile default, identity or generation
ALTER TABLE public.order_items ADD COLUMN IF NOT EXISTS quantity integer DEFAULT 1 NOT NULL;

-- public.order_items.quantity: ROW EXCLUSIVE (blocks other DDL), updates rows, ~50,000 rows (estimate)
-- every row
UPDATE public.order_items SET quantity = CAST(quantity_new AS integer) WHERE quantity IS DISTINCT FROM CAST(quantity_new AS integer);

-- public.order_items.quantity: ACCESS EXCLUSIVE (blocks reads and writes), scans the table, ~50,000 rows (estimate)
-- scans the table
ALTER TABLE public.order_items ALTER COLUMN quantity SET NOT NULL;

-- public.order_items.quantity: no lock on an existing table, metadata only
-- the sync function; no table lock
CREATE OR REPLACE FUNCTION public.order_items_quantity_new_sync() RETURNS trigger LANGUAGE plpgsql AS $sync$
#variable_conflict use_column
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.quantity_new IS NULL THEN
      NEW.quantity_new := (SELECT CAST((quantity::bigint) AS bigint) FROM (SELECT NEW.quantity) AS row_value(quantity));
    ELSE
      NEW.quantity := (SELECT CAST(quantity_new AS integer) FROM (SELECT NEW.quantity_new) AS row_value(quantity_new));
    END IF;
  ELSIF NEW.quantity IS DISTINCT FROM OLD.quantity THEN
    NEW.quantity_new := (SELECT CAST((quantity::bigint) AS bigint) FROM (SELECT NEW.quantity) AS row_value(quantity));
  ELSIF NEW.quantity_new IS DISTINCT FROM OLD.quantity_new AND NEW.quantity_new IS DISTINCT FROM (SELECT CAST((quantity::bigint) AS bigint) FROM (SELECT NEW.quantity) AS row_value(quantity)) THEN
    NEW.quantity := (SELECT CAST(quantity_new AS integer) FROM (SELECT NEW.quantity_new) AS row_value(quantity_new));
  ELSE
    NEW.quantity_new := (SELECT CAST((quantity::bigint) AS bigint) FROM (SELECT NEW.quantity) AS row_value(quantity));
  END IF;
  RETURN NEW;
END
$sync$;

-- public.order_items.quantity: SHARE ROW EXCLUSIVE (blocks writes), metadata only
-- brief: blocks writes only while the trigger is added
DO $guard$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = to_regclass('public.order_items') AND tgname = 'order_items_quantity_new_sync') THEN
    CREATE TRIGGER order_items_quantity_new_sync BEFORE INSERT OR UPDATE ON public.order_items FOR EACH ROW EXECUTE FUNCTION public.order_items_quantity_new_sync();
  END IF;
END
$guard$;

COMMIT;
