-- 01-expand.rollback.sql: phase expand of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Budget: a client waits at most 1.5 s because of this file: one lock_timeout (1s) per table locked in a mode that blocks clients, waited for while the others are held, then 500 ms for the brief statements.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 01-expand.rollback.sql
-- Safe to run again after a failure: each statement skips what is already done.
-- Undoes 01-expand.sql: returns the schema to what it was before that file ran.
--
-- What this does not bring back:
--   public.invoices: dropping invoices loses every row written to it since the expand phase

BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '0';

-- the file's locks: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- takes this transaction's locks first, strongest mode, in table order: public.orders (ACCESS EXCLUSIVE); retried up to 10 times, with growing pauses, when one is not free within lock_timeout (each try releases what it took)
DO $lock$
DECLARE
  attempt integer := 0;
BEGIN
  LOOP
    BEGIN
      IF to_regclass('public.orders') IS NOT NULL THEN
        LOCK TABLE public.orders IN ACCESS EXCLUSIVE MODE;
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

-- public.orders.id: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief; fails if the current value is outside a narrower range; the next value is kept
ALTER TABLE public.orders ALTER COLUMN id SET START WITH 1 SET CACHE 1;

-- public.invoices: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief; the table's rows are gone
DROP TABLE IF EXISTS public.invoices;

COMMIT;
