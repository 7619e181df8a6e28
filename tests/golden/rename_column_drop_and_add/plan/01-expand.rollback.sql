-- 01-expand.rollback.sql: phase expand of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 01-expand.rollback.sql
-- Safe to run again after a failure: each statement skips what is already done.
-- Undoes 01-expand.sql: returns the schema to what it was before that file ran.
--
-- What this does not bring back:
--   public.accounts.display_name: values written to accounts.display_name are lost

BEGIN;
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '0';

-- public.accounts.display_name: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief, metadata only; indexes and constraints on the column go with it
ALTER TABLE public.accounts DROP COLUMN IF EXISTS display_name;

COMMIT;
