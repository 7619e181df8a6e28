-- 02-contract.rollback.sql: phase contract of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Budget: a client waits at most 1.5 s because of this file: one lock_timeout (1s) per table locked in a mode that blocks clients, waited for while the others are held, then 500 ms for the brief statements.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 02-contract.rollback.sql
-- Safe to run again after a failure: each statement skips what is already done.
-- Undoes 02-contract.sql: returns the schema to what it was before that file ran.
--
-- What this does not bring back:
--   public.legacy_notes: recreates legacy_notes empty: its rows come back only from a backup taken before the contract phase or by point-in-time recovery

BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '0';

-- the file's locks: SHARE ROW EXCLUSIVE (blocks writes), metadata only
-- takes this transaction's locks first, strongest mode, in table order: public.legacy_notes (SHARE ROW EXCLUSIVE); retried up to 10 times, with growing pauses, when one is not free within lock_timeout (each try releases what it took)
DO $lock$
DECLARE
  attempt integer := 0;
BEGIN
  LOOP
    BEGIN
      IF to_regclass('public.legacy_notes') IS NOT NULL THEN
        LOCK TABLE public.legacy_notes IN SHARE ROW EXCLUSIVE MODE;
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

-- public.legacy_notes: no lock on an existing table, metadata only
-- a new, empty table
CREATE TABLE IF NOT EXISTS public.legacy_notes (id bigint GENERATED ALWAYS AS IDENTITY NOT NULL, customer_id bigint, body text, CONSTRAINT legacy_notes_pkey PRIMARY KEY (id));

-- public.legacy_notes: no lock on an existing table, metadata only
-- the table is empty: a plain build takes no time
CREATE INDEX IF NOT EXISTS legacy_notes_customer_id_idx ON public.legacy_notes USING btree (customer_id);

-- public.legacy_notes: SHARE ROW EXCLUSIVE (blocks writes), metadata only
-- on an empty table: nothing to check
DO $guard$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.legacy_notes'::regclass AND conname = 'legacy_notes_customer_id_fkey') THEN
    ALTER TABLE public.legacy_notes ADD CONSTRAINT legacy_notes_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES public.customers (id);
  END IF;
END
$guard$;

COMMIT;
