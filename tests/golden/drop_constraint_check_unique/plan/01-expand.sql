-- 01-expand.sql: phase expand of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 01-expand.sql
-- Safe to run again after a failure: each statement skips what is already done.

BEGIN;
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '0';

-- public.products.products_sku_key: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief; drops the constraint's index too
ALTER TABLE public.products DROP CONSTRAINT IF EXISTS products_sku_key;

-- public.products.products_price_positive: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief
ALTER TABLE public.products DROP CONSTRAINT IF EXISTS products_price_positive;

COMMIT;
