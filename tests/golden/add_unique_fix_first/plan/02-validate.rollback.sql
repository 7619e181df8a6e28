-- 02-validate.rollback.sql: phase validate of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 02-validate.rollback.sql
-- Safe to run again after a failure: each statement skips what is already done.
-- Undoes 02-validate.sql: returns the schema to what it was before that file ran.

BEGIN;
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '0';

-- public.users.users_email_key: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief
ALTER TABLE public.users DROP CONSTRAINT IF EXISTS users_email_key;

-- public.users.users_email_key: SHARE (blocks writes), scans the table, ~250 rows (estimate)
-- dropping the constraint dropped its index: rebuilt as the expand phase left it (writes wait for the build)
CREATE UNIQUE INDEX IF NOT EXISTS users_email_key ON public.users USING btree (email);

COMMIT;
