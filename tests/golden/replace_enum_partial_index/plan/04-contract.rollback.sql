-- 04-contract.rollback.sql: phase contract of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Budget: a client waits at most 1.5 s because of this file: one lock_timeout (1s) per table locked in a mode that blocks clients, waited for while the others are held, then 500 ms for the brief statements.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 04-contract.rollback.sql
-- Safe to run again after a failure: each statement skips what is already done.
-- Undoes 04-contract.sql: returns the schema to what it was before that file ran.

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
-- its text casts a label to the old type; built again after the new type is renamed
DROP INDEX IF EXISTS public.orders_open_idx;

-- public.order_status: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- its text casts a label to the old type; built again after the new type is renamed
DROP INDEX IF EXISTS public.orders_previous_idx;

-- public.order_status: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- its text casts a label to the old type; built again after the new type is renamed
ALTER TABLE public.orders DROP CONSTRAINT IF EXISTS orders_not_legacy;

-- public.order_status: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- its text casts a label to the old type; built again after the new type is renamed
ALTER TABLE public.orders DROP CONSTRAINT IF EXISTS orders_previous_not_shipped;

-- public.order_status: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- a default of the old type cannot be cast; set again below
ALTER TABLE public.orders ALTER COLUMN previous DROP DEFAULT;

-- public.order_status: ACCESS EXCLUSIVE (blocks reads and writes), rewrites the table, ~200 rows (estimate)
-- rewrites the table and its indexes while reads and writes wait
DO $guard$
BEGIN
  IF to_regtype('public.order_status_new') IS NOT NULL AND EXISTS (SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = to_regclass('public.orders') AND attname = 'previous' AND atttypid = to_regtype('public.order_status')) THEN
    ALTER TABLE public.orders ALTER COLUMN previous TYPE public.order_status_new USING previous::text::public.order_status_new;
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
ALTER TABLE public.orders ALTER COLUMN previous SET DEFAULT 'pending'::public.order_status;

-- public.order_status: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief
ALTER TABLE public.orders ALTER COLUMN status SET DEFAULT 'pending'::public.order_status;

-- public.order_status: SHARE (blocks writes), scans the table, ~200 rows (estimate)
-- built again over the new type
CREATE INDEX IF NOT EXISTS orders_open_idx ON public.orders USING btree (id) WHERE (status <> 'shipped'::public.order_status);

-- public.order_status: SHARE (blocks writes), scans the table, ~200 rows (estimate)
-- built again over the new type
CREATE INDEX IF NOT EXISTS orders_previous_idx ON public.orders USING btree (status, previous) WHERE (previous = 'paid'::public.order_status);

-- public.order_status: ACCESS EXCLUSIVE (blocks reads and writes), scans the table, ~200 rows (estimate)
-- added again over the new type; checks every row
DO $guard$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.orders'::regclass AND conname = 'orders_previous_not_shipped') THEN
    ALTER TABLE public.orders ADD CONSTRAINT orders_previous_not_shipped CHECK ((previous IS DISTINCT FROM 'shipped'::public.order_status));
  END IF;
END
$guard$;

COMMIT;
