-- 01-expand.rollback.sql: phase expand of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Budget: a client waits at most 1.5 s because of this file: one lock_timeout (1s) per table locked in a mode that blocks clients, waited for while the others are held, then 500 ms for the brief statements.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 01-expand.rollback.sql
-- Safe to run again after a failure: each statement skips what is already done.
-- Undoes 01-expand.sql: returns the schema to what it was before that file ran.

BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '0';

-- the file's locks: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- takes this transaction's locks first, strongest mode, in table order: public.clients (ACCESS EXCLUSIVE); retried up to 10 times, with growing pauses, when one is not free within lock_timeout (each try releases what it took)
DO $lock$
DECLARE
  attempt integer := 0;
BEGIN
  LOOP
    BEGIN
      IF to_regclass('public.clients') IS NOT NULL THEN
        LOCK TABLE public.clients IN ACCESS EXCLUSIVE MODE;
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

-- public.customer_emails: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief; no CASCADE: fails while another view reads this one
DROP VIEW IF EXISTS public.customer_emails;

-- public.short_names: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- it reads a column changed next; recreated right after, in the same transaction
DROP VIEW IF EXISTS public.short_names;

-- public.client_names: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- it reads a column changed next; recreated right after, in the same transaction
DROP VIEW IF EXISTS public.client_names;

-- public.client_count: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- it reads a column changed next; recreated right after, in the same transaction
DROP MATERIALIZED VIEW IF EXISTS public.client_count;

-- public.customers: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief, metadata only
DO $guard$
BEGIN
  IF to_regclass('public.customers') IS NOT NULL AND NOT to_regclass('public.clients') IS NOT NULL THEN
    ALTER TABLE public.customers RENAME TO clients;
  END IF;
END
$guard$;

-- public.client_count: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- recreated as it was dropped above
CREATE MATERIALIZED VIEW public.client_count AS
SELECT count(*) AS n
   FROM public.clients;

-- public.client_names: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- recreated as it was dropped above
CREATE VIEW public.client_names AS
SELECT clients.id,
    clients.name
   FROM public.clients;

-- public.short_names: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- recreated as it was dropped above
CREATE VIEW public.short_names AS
SELECT client_names.id,
    client_names.name
   FROM public.client_names
  WHERE (length(client_names.name) < 10);

COMMIT;
