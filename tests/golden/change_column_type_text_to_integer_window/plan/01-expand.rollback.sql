-- 01-expand.rollback.sql: phase expand of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 01-expand.rollback.sql
-- Safe to run again after a failure: each statement skips what is already done.
-- Undoes 01-expand.sql: returns the schema to what it was before that file ran.
--
-- What this does not bring back:
--   public.products.stock: the cast back to text can fail or lose information

BEGIN;
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '0';

-- public.products.stock: ACCESS EXCLUSIVE (blocks reads and writes), rewrites the table, ~300 rows (estimate)
-- rewrites the table again
DO $guard$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = to_regclass('public.products') AND attname = 'stock' AND NOT attisdropped AND pg_catalog.format_type(atttypid, atttypmod) IN ('text')) THEN
    ALTER TABLE public.products ALTER COLUMN stock TYPE text USING stock::text;
  END IF;
END
$guard$;

COMMIT;
