-- 02-validate.sql: phase validate of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 02-validate.sql
-- Safe to run again after a failure: each statement skips what is already done.

BEGIN;
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '0';

-- public.invoices.invoices_amount_check: SHARE UPDATE EXCLUSIVE (blocks other DDL and VACUUM, not reads or writes), scans the table, ~300 rows (estimate)
-- checks every row without blocking reads or writes; fails while a violating row remains
ALTER TABLE public.invoices VALIDATE CONSTRAINT invoices_amount_check;

-- public.invoices.invoices_discount_small: SHARE UPDATE EXCLUSIVE (blocks other DDL and VACUUM, not reads or writes), scans the table, ~300 rows (estimate)
-- checks every row without blocking reads or writes; fails while a violating row remains
ALTER TABLE public.invoices VALIDATE CONSTRAINT invoices_discount_small;

COMMIT;
