-- 01-expand.sql: phase expand of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Budget: a client waits at most 1.5 s because of this file: one lock_timeout (1s) per table locked in a mode that blocks clients, waited for while the others are held, then 500 ms for the brief statements.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 01-expand.sql
-- Safe to run again after a failure: each statement skips what is already done.

BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '0';

-- public.customer_totals: ACCESS SHARE (blocks nothing), scans the table, rows unknown
-- runs the view's query to fill it; writers of the tables it reads go on
CREATE MATERIALIZED VIEW IF NOT EXISTS public.customer_totals AS
SELECT orders.customer,
    sum(orders.total) AS total
   FROM public.orders
  GROUP BY orders.customer;

-- public.customer_totals: no lock on an existing table, scans the table, rows unknown
-- builds an index of the new materialized view, which nobody reads yet
CREATE UNIQUE INDEX IF NOT EXISTS customer_totals_customer_idx ON public.customer_totals USING btree (customer);

COMMIT;
