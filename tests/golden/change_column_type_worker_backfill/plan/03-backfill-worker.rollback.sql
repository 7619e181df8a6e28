-- 03-backfill-worker.rollback.sql: phase backfill of a pgphase plan.
-- Runs by a worker, outside the migration: each batch commits on its own and progress is reported as NOTICEs.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 03-backfill-worker.rollback.sql
-- Safe to run again after a failure: each statement skips what is already done.
-- Undoes 03-backfill-worker.sql: returns the schema to what it was before that file ran.
--
-- What this does not bring back:
--   public.events.account_id: nothing to undo here: rolling back the expand phase drops the new column

-- Nothing to run.
