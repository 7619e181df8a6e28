-- 01-expand.rollback.sql: phase expand of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 01-expand.rollback.sql
-- Safe to run again after a failure: each statement skips what is already done.
-- Undoes 01-expand.sql: returns the schema to what it was before that file ran.

BEGIN;
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '0';

-- public.documents.documents_touch: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief
DROP TRIGGER IF EXISTS documents_touch ON public.documents;

-- public.touch(): no lock on an existing table, metadata only
-- no CASCADE: fails while a trigger, default or view uses it
DROP ROUTINE IF EXISTS public.touch();

COMMIT;
