-- 02-backfill.rollback.sql: phase backfill of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 02-backfill.rollback.sql
-- Safe to run again after a failure: each statement skips what is already done.
-- Undoes 02-backfill.sql: returns the schema to what it was before that file ran.
--
-- What this does not bring back:
--   public.orders.orders_customer_id_fkey: the orphan rows or their old keys are gone: restore them from a backup taken before this phase

-- Nothing to run.
