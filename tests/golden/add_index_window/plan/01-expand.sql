-- 01-expand.sql: phase expand of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 01-expand.sql
-- Safe to run again after a failure: each statement skips what is already done.

BEGIN;
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '0';

-- public.orders_customer_id_idx: SHARE (blocks writes), scans the table, ~300 rows (estimate)
-- writes to the table wait for the whole build
CREATE INDEX IF NOT EXISTS orders_customer_id_idx ON public.orders USING btree (customer_id);

-- public.orders_recent_idx: SHARE (blocks writes), scans the table, ~300 rows (estimate)
-- writes to the table wait for the whole build
CREATE INDEX IF NOT EXISTS orders_recent_idx ON public.orders USING btree (created_at DESC) WHERE (customer_id IS NOT NULL);

COMMIT;
