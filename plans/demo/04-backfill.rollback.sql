-- 04-backfill.rollback.sql: phase backfill of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 04-backfill.rollback.sql
-- Safe to run again after a failure: each statement skips what is already done.
-- Undoes 04-backfill.sql: returns the schema to what it was before that file ran.
--
-- What this does not bring back:
--   public.users.display_name: nothing to undo here: rolling back the expand phase drops the new column

-- Nothing to run.
