-- 02-expand.sql: phase expand of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Budget: a client waits at most 1.5 s because of this file: one lock_timeout (1s) per table locked in a mode that blocks clients, waited for while the others are held, then 500 ms for the brief statements.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 02-expand.sql
-- Safe to run again after a failure: each statement skips what is already done.

BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '0';

-- public.paid_orders: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief; no CASCADE: fails while another view reads this one
DROP VIEW IF EXISTS public.paid_orders;

-- public.paid_orders: ACCESS SHARE (blocks nothing), metadata only
-- catalog only
CREATE OR REPLACE VIEW public.paid_orders AS
SELECT orders.id,
    orders.customer,
    orders.total
   FROM public.orders
  WHERE orders.paid;

COMMIT;
