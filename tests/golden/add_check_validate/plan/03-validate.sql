-- 03-validate.sql: phase validate of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Budget: a client waits at most 1.5 s because of this file: one lock_timeout (1s) per table locked in a mode that blocks clients, waited for while the others are held, then 500 ms for the brief statements.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 03-validate.sql
-- Safe to run again after a failure: each statement skips what is already done.

BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '0';

-- the file's locks: SHARE UPDATE EXCLUSIVE (blocks other DDL and VACUUM, not reads or writes), metadata only
-- takes this transaction's locks first, strongest mode, in table order: public.invoices (SHARE UPDATE EXCLUSIVE); retried up to 10 times, with growing pauses, when one is not free within lock_timeout (each try releases what it took)
DO $lock$
DECLARE
  attempt integer := 0;
BEGIN
  LOOP
    BEGIN
      IF to_regclass('public.invoices') IS NOT NULL THEN
        LOCK TABLE public.invoices IN SHARE UPDATE EXCLUSIVE MODE;
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

-- public.invoices.invoices_discount_small: SHARE UPDATE EXCLUSIVE (blocks other DDL and VACUUM, not reads or writes), scans the table, ~300 rows (estimate)
-- checks every row without blocking reads or writes; fails while a violating row remains
ALTER TABLE public.invoices VALIDATE CONSTRAINT invoices_discount_small;

COMMIT;
