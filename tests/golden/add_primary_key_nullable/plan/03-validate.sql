-- 03-validate.sql: phase validate of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 03-validate.sql
-- Safe to run again after a failure: each statement skips what is already done.

BEGIN;
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '0';

-- public.events.events_pkey: SHARE UPDATE EXCLUSIVE (blocks other DDL and VACUUM, not reads or writes), scans the table, ~300 rows (estimate)
-- scans the table without blocking reads or writes; fails if a NULL remains
DO $guard$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.events'::regclass AND conname = 'events_id_pk_not_null') THEN
    ALTER TABLE public.events VALIDATE CONSTRAINT events_id_pk_not_null;
  END IF;
END
$guard$;

-- public.events.events_pkey: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief: the validated check proves no row is NULL, so there is no scan
ALTER TABLE public.events ALTER COLUMN id SET NOT NULL;

-- public.events.events_pkey: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief
ALTER TABLE public.events DROP CONSTRAINT IF EXISTS events_id_pk_not_null;

-- public.events.events_pkey: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief: the index is already built and proves the key unique
DO $guard$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.events'::regclass AND conname = 'events_pkey') THEN
    ALTER TABLE public.events ADD CONSTRAINT events_pkey PRIMARY KEY USING INDEX events_pkey;
  END IF;
END
$guard$;

COMMIT;
