-- 02-validate.sql: phase validate of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 02-validate.sql
-- Safe to run again after a failure: each statement skips what is already done.

BEGIN;
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '0';

-- public.accounts.nickname: ACCESS EXCLUSIVE (blocks reads and writes), scans the table, ~250 rows (estimate)
-- scans the table while reads and writes wait
ALTER TABLE public.accounts ALTER COLUMN nickname SET NOT NULL;

COMMIT;
