-- 03-validate.rollback.sql: phase validate of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Budget: a client waits at most 1.5 s because of this file: one lock_timeout (1s) per table locked in a mode that blocks clients, waited for while the others are held, then 500 ms for the brief statements.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 03-validate.rollback.sql
-- Safe to run again after a failure: each statement skips what is already done.
-- Undoes 03-validate.sql: returns the schema to what it was before that file ran.

BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '0';

-- the file's locks: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- takes this transaction's locks first, strongest mode, in table order: public.customers (ACCESS EXCLUSIVE); retried up to 10 times, with growing pauses, when one is not free within lock_timeout (each try releases what it took)
DO $lock$
DECLARE
  attempt integer := 0;
BEGIN
  LOOP
    BEGIN
      IF to_regclass('public.customers') IS NOT NULL THEN
        LOCK TABLE public.customers IN ACCESS EXCLUSIVE MODE;
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

-- public.customers.phone: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief
ALTER TABLE public.customers DROP CONSTRAINT IF EXISTS customers_phone_not_null;

-- public.customers.phone: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- back to the unvalidated check
DO $guard$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.customers'::regclass AND conname = 'customers_phone_not_null') THEN
    ALTER TABLE public.customers ADD CONSTRAINT customers_phone_not_null CHECK (phone IS NOT NULL) NOT VALID;
  END IF;
END
$guard$;

COMMIT;
