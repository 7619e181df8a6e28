-- 02-contract.rollback.sql: phase contract of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Budget: a client waits at most 1.5 s because of this file: one lock_timeout (1s) per table locked in a mode that blocks clients, waited for while the others are held, then 500 ms for the brief statements.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 02-contract.rollback.sql
-- Safe to run again after a failure: each statement skips what is already done.
-- Undoes 02-contract.sql: returns the schema to what it was before that file ran.

BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '0';

-- public.order_status: no lock on an existing table, metadata only
-- the type with the wanted labels, under a temporary name
DO $guard$
BEGIN
  IF NOT (to_regtype('public.order_status_new') IS NOT NULL) THEN
    CREATE TYPE public.order_status_new AS ENUM ('pending', 'legacy', 'paid', 'shipped');
  END IF;
END
$guard$;

-- public.order_status: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- a default of the old type cannot be cast; set again below
ALTER TABLE public.orders ALTER COLUMN status DROP DEFAULT;

-- public.order_status: ACCESS EXCLUSIVE (blocks reads and writes), rewrites the table, ~200 rows (estimate)
-- rewrites the table and its indexes while reads and writes wait
DO $guard$
BEGIN
  IF to_regtype('public.order_status_new') IS NOT NULL AND EXISTS (SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = to_regclass('public.orders') AND attname = 'status' AND atttypid = to_regtype('public.order_status')) THEN
    ALTER TABLE public.orders ALTER COLUMN status TYPE public.order_status_new USING status::text::public.order_status_new;
  END IF;
END
$guard$;

-- public.order_status: no lock on an existing table, metadata only
-- fails if anything else (a function, a domain) still uses the old type
DO $guard$
BEGIN
  IF to_regtype('public.order_status_new') IS NOT NULL THEN
    DROP TYPE public.order_status;
  END IF;
END
$guard$;

-- public.order_status: no lock on an existing table, metadata only
-- the new type takes the old name
DO $guard$
BEGIN
  IF to_regtype('public.order_status_new') IS NOT NULL THEN
    ALTER TYPE public.order_status_new RENAME TO order_status;
  END IF;
END
$guard$;

-- public.order_status: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief
ALTER TABLE public.orders ALTER COLUMN status SET DEFAULT 'pending'::public.order_status;

COMMIT;
