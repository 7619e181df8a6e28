-- 02-contract.sql: phase contract of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 02-contract.sql
-- Safe to run again after a failure: each statement skips what is already done.

BEGIN;
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '0';

-- public.user_directory: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- it reads a column changed next; recreated right after, in the same transaction
DROP VIEW IF EXISTS public.user_directory;

-- public.users.legacy_code: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief, metadata only; indexes and constraints on the column go with it
ALTER TABLE public.users DROP COLUMN IF EXISTS legacy_code;

-- public.user_directory: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- recreated as it was dropped above
CREATE VIEW public.user_directory AS
SELECT users.id,
    users.name
   FROM public.users;

COMMIT;
