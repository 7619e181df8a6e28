-- 01-contract-concurrently.rollback.sql: phase contract of a pgphase plan.
-- Runs outside a transaction, one statement at a time; concurrent builds wait for older transactions, hence the longer lock timeout.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 01-contract-concurrently.rollback.sql
-- Safe to run again after a failure: each statement skips what is already done.
-- Undoes 01-contract-concurrently.sql: returns the schema to what it was before that file ran.

SET lock_timeout = '10min';
SET statement_timeout = '0';

-- public.orders_status_idx: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- drops an INVALID index left by a failed earlier build (pg_index.indisvalid = false); brief
DO $guard$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_index WHERE indexrelid = to_regclass('public.orders_status_idx') AND NOT indisvalid) THEN
    DROP INDEX public.orders_status_idx;
  END IF;
END
$guard$;

-- public.orders_status_idx: SHARE UPDATE EXCLUSIVE (blocks other DDL and VACUUM, not reads or writes), scans the table, ~300 rows (estimate)
-- builds without blocking writes; waits for older transactions to finish
CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_status_idx ON public.orders USING btree (status);
