-- 01-validate.sql: phase validate of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 01-validate.sql
-- Safe to run again after a failure: each statement skips what is already done.

BEGIN;
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '0';

-- public.invoices.invoices_amount_check: ACCESS EXCLUSIVE (blocks reads and writes), scans the table, ~300 rows (estimate)
-- checks every row while reads and writes wait
DO $guard$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.invoices'::regclass AND conname = 'invoices_amount_check') THEN
    ALTER TABLE public.invoices ADD CONSTRAINT invoices_amount_check CHECK ((amount >= (0)::numeric));
  END IF;
END
$guard$;

-- public.invoices.invoices_discount_small: ACCESS EXCLUSIVE (blocks reads and writes), scans the table, ~300 rows (estimate)
-- checks every row while reads and writes wait
DO $guard$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.invoices'::regclass AND conname = 'invoices_discount_small') THEN
    ALTER TABLE public.invoices ADD CONSTRAINT invoices_discount_small CHECK ((discount <= amount));
  END IF;
END
$guard$;

COMMIT;
