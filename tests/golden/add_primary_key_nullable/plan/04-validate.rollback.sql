-- 04-validate.rollback.sql: phase validate of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Budget: a client waits at most 1.5 s because of this file: one lock_timeout (1s) per table locked in a mode that blocks clients, waited for while the others are held, then 500 ms for the brief statements.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 04-validate.rollback.sql
-- Safe to run again after a failure: each statement skips what is already done.
-- Undoes 04-validate.sql: returns the schema to what it was before that file ran.

BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '0';

-- the file's locks: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- takes this transaction's locks first, strongest mode, in table order: public.events (ACCESS EXCLUSIVE); retried up to 10 times, with growing pauses, when one is not free within lock_timeout (each try releases what it took)
DO $lock$
DECLARE
  attempt integer := 0;
BEGIN
  LOOP
    BEGIN
      IF to_regclass('public.events') IS NOT NULL THEN
        LOCK TABLE public.events IN ACCESS EXCLUSIVE MODE;
      END IF;
      EXIT;
    EXCEPTION WHEN lock_not_available THEN
      attempt := attempt + 1;
      IF attempt > 10 THEN
        RAISE;
      END IF;
      RAISE NOTICE '%; attempt % of 10 follows', SQLERRM, attempt;
      PERFORM pg_sleep(least(0.100 * 2 ^ (attempt - 1), 5.000) * (0.5 + random()));
    END;
  END LOOP;
END
$lock$;

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

-- public.events.events_pkey: SHARE UPDATE EXCLUSIVE (blocks other DDL and VACUUM, not reads or writes), scans the table, ~300 rows (estimate)
-- scans the table without blocking reads or writes; fails if a NULL remains
DO $guard$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.events'::regclass AND conname = 'events_id_pk_not_null') THEN
    ALTER TABLE public.events VALIDATE CONSTRAINT events_id_pk_not_null;
  END IF;
END
$guard$;

COMMIT;
