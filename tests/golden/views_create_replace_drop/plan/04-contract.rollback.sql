-- 04-contract.rollback.sql: phase contract of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Budget: a client waits at most 1.5 s because of this file: one lock_timeout (1s) per table locked in a mode that blocks clients, waited for while the others are held, then 500 ms for the brief statements.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 04-contract.rollback.sql
-- Safe to run again after a failure: each statement skips what is already done.
-- Undoes 04-contract.sql: returns the schema to what it was before that file ran.
--
-- What this does not bring back:
--   public.unpaid_orders: grants on the view are not recorded: give them again
--   public.old_totals: grants on the view are not recorded: give them again

BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '0';

-- public.old_totals: ACCESS SHARE (blocks nothing), scans the table, rows unknown
-- runs the view's query to fill it; writers of the tables it reads go on
CREATE MATERIALIZED VIEW IF NOT EXISTS public.old_totals AS
SELECT orders.customer,
    count(*) AS n
   FROM public.orders
  GROUP BY orders.customer;

-- public.unpaid_orders: ACCESS SHARE (blocks nothing), metadata only
-- catalog only
CREATE OR REPLACE VIEW public.unpaid_orders AS
SELECT orders.id,
    orders.customer
   FROM public.orders
  WHERE (NOT orders.paid);

COMMIT;
