-- 01-expand.sql: phase expand of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 01-expand.sql
-- Safe to run again after a failure: each statement skips what is already done.

BEGIN;
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '0';

-- public.customers: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief, metadata only
DO $guard$
BEGIN
  IF to_regclass('public.clients') IS NOT NULL AND NOT to_regclass('public.customers') IS NOT NULL THEN
    ALTER TABLE public.clients RENAME TO customers;
  END IF;
END
$guard$;

-- public.customers: ACCESS SHARE (blocks nothing), metadata only
-- an automatically updatable view: old code keeps reading and writing the table
CREATE OR REPLACE VIEW public.clients AS SELECT * FROM public.customers;

COMMIT;
