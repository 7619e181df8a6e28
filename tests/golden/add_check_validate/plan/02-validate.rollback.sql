-- 02-validate.rollback.sql: phase validate of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 02-validate.rollback.sql
-- Safe to run again after a failure: each statement skips what is already done.
-- Undoes 02-validate.sql: returns the schema to what it was before that file ran.

BEGIN;
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '0';

-- public.invoices.invoices_discount_small: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief
ALTER TABLE public.invoices DROP CONSTRAINT IF EXISTS invoices_discount_small;

-- public.invoices.invoices_discount_small: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- back to the unvalidated check
DO $guard$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.invoices'::regclass AND conname = 'invoices_discount_small') THEN
    ALTER TABLE public.invoices ADD CONSTRAINT invoices_discount_small CHECK ((discount <= amount)) NOT VALID;
  END IF;
END
$guard$;

-- public.invoices.invoices_amount_check: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief
ALTER TABLE public.invoices DROP CONSTRAINT IF EXISTS invoices_amount_check;

-- public.invoices.invoices_amount_check: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- back to the unvalidated check
DO $guard$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.invoices'::regclass AND conname = 'invoices_amount_check') THEN
    ALTER TABLE public.invoices ADD CONSTRAINT invoices_amount_check CHECK ((amount >= (0)::numeric)) NOT VALID;
  END IF;
END
$guard$;

COMMIT;
