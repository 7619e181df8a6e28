-- 05-backfill-batched.rollback.sql: phase backfill of a pgphase plan.
-- Runs outside a transaction: each batch commits on its own.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 05-backfill-batched.rollback.sql
-- Safe to run again after a failure: each statement skips what is already done.
-- Undoes 05-backfill-batched.sql: returns the schema to what it was before that file ran.
--
-- What this does not bring back:
--   public.order_items.quantity: nothing to undo here: rolling back the expand phase drops the new column

-- Nothing to run.
