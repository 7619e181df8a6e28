-- 01-expand.sql: phase expand of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Budget: a client waits at most 1.5 s because of this file: one lock_timeout (1s) per table locked in a mode that blocks clients, waited for while the others are held, then 500 ms for the brief statements.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 01-expand.sql
-- Safe to run again after a failure: each statement skips what is already done.

BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '0';

-- public.order_status: no lock on an existing table, metadata only
-- BREAKS CLIENTS: code writing or comparing the old label fails from now on
DO $guard$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_enum WHERE enumtypid = to_regtype('public.order_status') AND enumlabel = 'canceled') AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_enum WHERE enumtypid = to_regtype('public.order_status') AND enumlabel = 'cancelled') THEN
    ALTER TYPE public.order_status RENAME VALUE 'canceled' TO 'cancelled';
  END IF;
END
$guard$;

COMMIT;
