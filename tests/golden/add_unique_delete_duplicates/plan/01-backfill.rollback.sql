-- 01-backfill.rollback.sql: phase backfill of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 01-backfill.rollback.sql
-- Safe to run again after a failure: each statement skips what is already done.
-- Undoes 01-backfill.sql: returns the schema to what it was before that file ran.
--
-- What this does not bring back:
--   public.users.users_email_key: deleted rows are gone: restore them from a backup taken before this phase

-- Nothing to run.
