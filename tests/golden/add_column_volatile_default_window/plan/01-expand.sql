-- 01-expand.sql: phase expand of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 01-expand.sql
-- Safe to run again after a failure: each statement skips what is already done.

BEGIN;
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '0';

-- public.accounts.token: ACCESS EXCLUSIVE (blocks reads and writes), rewrites the table, ~250 rows (estimate)
-- PostgreSQL computes the column for every row: the table is rewritten while reads and writes wait
ALTER TABLE public.accounts ADD COLUMN IF NOT EXISTS token uuid DEFAULT gen_random_uuid();

COMMIT;
