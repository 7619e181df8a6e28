-- 01-expand.rollback.sql: phase expand of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 01-expand.rollback.sql
-- Safe to run again after a failure: each statement skips what is already done.
-- Undoes 01-expand.sql: returns the schema to what it was before that file ran.

BEGIN;
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '0';

-- public.events.account_id: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief, metadata only
DROP TRIGGER IF EXISTS events_account_id_new_sync ON public.events;

-- public.events.account_id: no lock on an existing table, metadata only
-- the sync function
DROP FUNCTION IF EXISTS public.events_account_id_new_sync();

-- public.events.account_id: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief, metadata only; indexes and constraints on the column go with it
ALTER TABLE public.events DROP COLUMN IF EXISTS account_id_new;

COMMIT;
