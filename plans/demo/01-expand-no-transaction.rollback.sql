-- 01-expand-no-transaction.rollback.sql: phase expand of a pgphase plan.
-- Runs outside a transaction, one statement at a time.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 01-expand-no-transaction.rollback.sql
-- Safe to run again after a failure: each statement skips what is already done.
-- Undoes 01-expand-no-transaction.sql: returns the schema to what it was before that file ran.
--
-- What this does not bring back:
--   public.order_status: PostgreSQL cannot drop an enum label: 'refunded' stays in public.order_status. To remove it, make sure no row uses it and replace the type without it (a replace-enum change: a new type, every column rewritten)

-- Nothing to run.
