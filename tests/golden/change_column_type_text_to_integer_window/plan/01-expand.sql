-- 01-expand.sql: phase expand of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 01-expand.sql
-- Safe to run again after a failure: each statement skips what is already done.

BEGIN;
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '0';

-- public.products.stock: ACCESS EXCLUSIVE (blocks reads and writes), rewrites the table, ~300 rows (estimate)
-- rewrites the table and rebuilds its indexes while reads and writes wait
DO $guard$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = to_regclass('public.products') AND attname = 'stock' AND NOT attisdropped AND pg_catalog.format_type(atttypid, atttypmod) IN ('integer')) THEN
    ALTER TABLE public.products ALTER COLUMN stock TYPE integer USING nullif(trim(stock), '')::integer;
  END IF;
END
$guard$;

COMMIT;
