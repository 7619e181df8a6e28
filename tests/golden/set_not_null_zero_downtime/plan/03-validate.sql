-- 03-validate.sql: phase validate of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 03-validate.sql
-- Safe to run again after a failure: each statement skips what is already done.

BEGIN;
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '0';

-- public.customers.phone: SHARE UPDATE EXCLUSIVE (blocks other DDL and VACUUM, not reads or writes), scans the table, ~200 rows (estimate)
-- scans the table without blocking reads or writes; fails if a NULL remains
ALTER TABLE public.customers VALIDATE CONSTRAINT customers_phone_not_null;

-- public.customers.phone: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief: the validated check proves no row is NULL, so there is no scan
ALTER TABLE public.customers ALTER COLUMN phone SET NOT NULL;

-- public.customers.phone: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief
ALTER TABLE public.customers DROP CONSTRAINT IF EXISTS customers_phone_not_null;

COMMIT;
