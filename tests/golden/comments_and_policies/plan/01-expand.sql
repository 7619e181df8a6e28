-- 01-expand.sql: phase expand of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 01-expand.sql
-- Safe to run again after a failure: each statement skips what is already done.

BEGIN;
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '0';

-- public.notes.own_notes: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief
DO $guard$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_policy WHERE polrelid = to_regclass('public.notes') AND polname = 'own_notes') THEN
    CREATE POLICY own_notes ON public.notes AS PERMISSIVE FOR SELECT TO public USING ((owner = CURRENT_USER));
  END IF;
END
$guard$;

-- comment on public.notes: SHARE UPDATE EXCLUSIVE (blocks other DDL and VACUUM, not reads or writes), metadata only
-- catalog only
COMMENT ON TABLE public.notes IS 'Notes people keep';

-- comment on public.notes.body: SHARE UPDATE EXCLUSIVE (blocks other DDL and VACUUM, not reads or writes), metadata only
-- catalog only
COMMENT ON COLUMN public.notes.body IS 'The note itself';

COMMIT;
