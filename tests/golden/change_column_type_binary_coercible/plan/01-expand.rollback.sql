-- 01-expand.rollback.sql: phase expand of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 01-expand.rollback.sql
-- Safe to run again after a failure: each statement skips what is already done.
-- Undoes 01-expand.sql: returns the schema to what it was before that file ran.
--
-- What this does not bring back:
--   public.accounts.legacy_code: going back to character varying(20) fails once longer values were written

BEGIN;
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '0';

-- public.accounts.legacy_code: ACCESS EXCLUSIVE (blocks reads and writes), rewrites the table, ~250 rows (estimate)
-- narrowing checks or rewrites every row while reads and writes wait
ALTER TABLE public.accounts ALTER COLUMN legacy_code TYPE character varying(20);

COMMIT;
