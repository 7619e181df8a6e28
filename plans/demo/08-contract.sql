-- 08-contract.sql: phase contract of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 08-contract.sql
-- Safe to run again after a failure: each statement skips what is already done.

BEGIN;
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '0';

-- public.products.legacy_code: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief, metadata only; indexes and constraints on the column go with it
ALTER TABLE public.products DROP COLUMN IF EXISTS legacy_code;

-- public.users.display_name: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief, metadata only
DROP TRIGGER IF EXISTS users_display_name_sync ON public.users;

-- public.users.display_name: no lock on an existing table, metadata only
-- the sync function
DROP FUNCTION IF EXISTS public.users_display_name_sync();

-- public.users.display_name: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief, metadata only; indexes and constraints on the column go with it
ALTER TABLE public.users DROP COLUMN IF EXISTS full_name;

-- public.order_items.quantity: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief, metadata only
DROP TRIGGER IF EXISTS order_items_quantity_new_sync ON public.order_items;

-- public.order_items.quantity: no lock on an existing table, metadata only
-- the sync function
DROP FUNCTION IF EXISTS public.order_items_quantity_new_sync();

-- public.order_items.quantity: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief, metadata only: the old column and its indexes go, the new one takes its name
DO $guard$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = to_regclass('public.order_items') AND attname = 'quantity_new' AND NOT attisdropped) THEN
    ALTER TABLE public.order_items DROP COLUMN quantity;
    ALTER TABLE public.order_items RENAME COLUMN quantity_new TO quantity;
  END IF;
END
$guard$;

-- public.order_items.quantity: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief, metadata only: rows inserted from now on get the default
ALTER TABLE public.order_items ALTER COLUMN quantity SET DEFAULT 1;

COMMIT;
