-- 01-expand.rollback.sql: phase expand of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 01-expand.rollback.sql
-- Safe to run again after a failure: each statement skips what is already done.
-- Undoes 01-expand.sql: returns the schema to what it was before that file ran.

BEGIN;
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '0';

-- comment on public.notes.body: SHARE UPDATE EXCLUSIVE (blocks other DDL and VACUUM, not reads or writes), metadata only
-- catalog only
COMMENT ON COLUMN public.notes.body IS 'old text';

-- comment on public.notes: SHARE UPDATE EXCLUSIVE (blocks other DDL and VACUUM, not reads or writes), metadata only
-- catalog only
COMMENT ON TABLE public.notes IS NULL;

-- public.notes.own_notes: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief
DROP POLICY IF EXISTS own_notes ON public.notes;

COMMIT;
