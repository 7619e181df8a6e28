-- 04-contract.sql: phase contract of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Budget: a client waits at most 1.5 s because of this file: one lock_timeout (1s) per table locked in a mode that blocks clients, waited for while the others are held, then 500 ms for the brief statements.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 04-contract.sql
-- Safe to run again after a failure: each statement skips what is already done.

BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '0';

-- public.unpaid_orders: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief; no CASCADE: fails while another view reads this one
DROP VIEW IF EXISTS public.unpaid_orders;

-- public.old_totals: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief; no CASCADE: fails while another view reads this one
DROP MATERIALIZED VIEW IF EXISTS public.old_totals;

COMMIT;
