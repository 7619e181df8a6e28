-- 01-expand.sql: phase expand of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 01-expand.sql
-- Safe to run again after a failure: each statement skips what is already done.

BEGIN;
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '0';

-- public.events.events_pkey: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- new rows must not be NULL from now on; the existing ones (~300 rows) are checked in the validate phase
DO $guard$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.events'::regclass AND conname = 'events_id_pk_not_null') THEN
    ALTER TABLE public.events ADD CONSTRAINT events_id_pk_not_null CHECK (id IS NOT NULL) NOT VALID;
  END IF;
END
$guard$;

COMMIT;
