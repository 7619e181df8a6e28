-- 03-validate.rollback.sql: phase validate of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 03-validate.rollback.sql
-- Safe to run again after a failure: each statement skips what is already done.
-- Undoes 03-validate.sql: returns the schema to what it was before that file ran.

BEGIN;
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '0';

-- public.events.events_pkey: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief
ALTER TABLE public.events DROP CONSTRAINT IF EXISTS events_pkey;

-- public.events.events_pkey: SHARE (blocks writes), scans the table, ~300 rows (estimate)
-- dropping the constraint dropped its index: rebuilt as the expand phase left it (writes wait for the build)
CREATE UNIQUE INDEX IF NOT EXISTS events_pkey ON public.events USING btree (id);

-- public.events.events_pkey: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief, metadata only
ALTER TABLE public.events ALTER COLUMN id DROP NOT NULL;

-- public.events.events_pkey: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- back to the unvalidated check
DO $guard$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.events'::regclass AND conname = 'events_id_pk_not_null') THEN
    ALTER TABLE public.events ADD CONSTRAINT events_id_pk_not_null CHECK (id IS NOT NULL) NOT VALID;
  END IF;
END
$guard$;

COMMIT;
