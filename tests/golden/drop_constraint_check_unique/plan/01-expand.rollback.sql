-- 01-expand.rollback.sql: phase expand of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 01-expand.rollback.sql
-- Safe to run again after a failure: each statement skips what is already done.
-- Undoes 01-expand.sql: returns the schema to what it was before that file ran.
--
-- What this does not bring back:
--   public.products.products_sku_key: rows written after the drop that violate the constraint make the rollback fail
--   public.products.products_price_positive: rows written after the drop that violate the constraint make the rollback fail

BEGIN;
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '0';

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
