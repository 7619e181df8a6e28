-- 02-validate.rollback.sql: phase validate of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 02-validate.rollback.sql
-- Safe to run again after a failure: each statement skips what is already done.
-- Undoes 02-validate.sql: returns the schema to what it was before that file ran.

BEGIN;
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '0';

-- public.accounts.nickname: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief, metadata only
ALTER TABLE public.accounts ALTER COLUMN nickname DROP NOT NULL;

COMMIT;
