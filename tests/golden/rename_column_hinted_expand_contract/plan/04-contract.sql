-- 04-contract.sql: phase contract of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 04-contract.sql
-- Safe to run again after a failure: each statement skips what is already done.

BEGIN;
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '0';

-- public.accounts.display_name: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief, metadata only
DROP TRIGGER IF EXISTS accounts_display_name_sync ON public.accounts;

-- public.accounts.display_name: no lock on an existing table, metadata only
-- the sync function
DROP FUNCTION IF EXISTS public.accounts_display_name_sync();

-- public.accounts.display_name: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief, metadata only; indexes and constraints on the column go with it
ALTER TABLE public.accounts DROP COLUMN IF EXISTS nickname;

COMMIT;
