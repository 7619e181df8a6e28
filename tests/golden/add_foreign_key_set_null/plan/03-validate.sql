-- 03-validate.sql: phase validate of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 03-validate.sql
-- Safe to run again after a failure: each statement skips what is already done.

BEGIN;
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '0';

-- public.orders.orders_customer_id_fkey: SHARE UPDATE EXCLUSIVE (blocks other DDL and VACUUM, not reads or writes), scans the table, ~300 rows (estimate)
-- checks every row without blocking reads or writes; fails while an orphan remains
ALTER TABLE public.orders VALIDATE CONSTRAINT orders_customer_id_fkey;

COMMIT;
