-- 03-contract.sql: phase contract of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 03-contract.sql
-- Safe to run again after a failure: each statement skips what is already done.

BEGIN;
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '0';

-- public.documents.documents_audit: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief
DROP TRIGGER IF EXISTS documents_audit ON public.documents;

-- public.legacy_audit(): no lock on an existing table, metadata only
-- no CASCADE: fails while a trigger, default or view uses it
DROP ROUTINE IF EXISTS public.legacy_audit();

COMMIT;
