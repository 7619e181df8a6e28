-- 01-expand.rollback.sql: phase expand of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Budget: a client waits at most 1.5 s because of this file: one lock_timeout (1s) per table locked in a mode that blocks clients, waited for while the others are held, then 500 ms for the brief statements.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 01-expand.rollback.sql
-- Safe to run again after a failure: each statement skips what is already done.
-- Undoes 01-expand.sql: returns the schema to what it was before that file ran.
--
-- What this does not bring back:
--   public.products.products_sku_key: rows written after the drop that violate the constraint make the rollback fail
--   public.products.products_price_positive: rows written after the drop that violate the constraint make the rollback fail

BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '0';

-- the file's locks: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- takes this transaction's locks first, strongest mode, in table order: public.products (ACCESS EXCLUSIVE); retried up to 10 times, with growing pauses, when one is not free within lock_timeout (each try releases what it took)
DO $lock$
DECLARE
  attempt integer := 0;
BEGIN
  LOOP
    BEGIN
      IF to_regclass('public.products') IS NOT NULL THEN
        LOCK TABLE public.products IN ACCESS EXCLUSIVE MODE;
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

-- public.products.products_price_positive: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief
DO $guard$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.products'::regclass AND conname = 'products_price_positive') THEN
    ALTER TABLE public.products ADD CONSTRAINT products_price_positive CHECK ((price > (0)::numeric)) NOT VALID;
  END IF;
END
$guard$;

-- public.products.products_price_positive: SHARE UPDATE EXCLUSIVE (blocks other DDL and VACUUM, not reads or writes), scans the table, ~200 rows (estimate)
-- checks every row without blocking reads or writes; fails while a violating row remains
ALTER TABLE public.products VALIDATE CONSTRAINT products_price_positive;

-- public.products.products_sku_key: ACCESS EXCLUSIVE (blocks reads and writes), scans the table, ~200 rows (estimate)
-- rebuilds the index while reads and writes wait
DO $guard$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.products'::regclass AND conname = 'products_sku_key') THEN
    ALTER TABLE public.products ADD CONSTRAINT products_sku_key UNIQUE (sku);
  END IF;
END
$guard$;

COMMIT;
