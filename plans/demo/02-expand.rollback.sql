-- 02-expand.rollback.sql: phase expand of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 02-expand.rollback.sql
-- Safe to run again after a failure: each statement skips what is already done.
-- Undoes 02-expand.sql: returns the schema to what it was before that file ran.
--
-- What this does not bring back:
--   public.coupons: dropping coupons loses every row written to it since the expand phase

BEGIN;
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '0';

-- public.order_items.order_items_product_id_fkey: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief
ALTER TABLE public.order_items DROP CONSTRAINT IF EXISTS order_items_product_id_fkey;

-- public.orders.shipping_address: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief
ALTER TABLE public.orders DROP CONSTRAINT IF EXISTS orders_shipping_address_not_null;

-- public.order_items.quantity: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief
ALTER TABLE public.order_items DROP CONSTRAINT IF EXISTS order_items_quantity_new_not_null;

-- public.order_items.quantity: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief, metadata only
DROP TRIGGER IF EXISTS order_items_quantity_new_sync ON public.order_items;

-- public.order_items.quantity: no lock on an existing table, metadata only
-- the sync function
DROP FUNCTION IF EXISTS public.order_items_quantity_new_sync();

-- public.order_items.quantity: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief, metadata only; indexes and constraints on the column go with it
ALTER TABLE public.order_items DROP COLUMN IF EXISTS quantity_new;

-- public.users.display_name: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief, metadata only
DROP TRIGGER IF EXISTS users_display_name_sync ON public.users;

-- public.users.display_name: no lock on an existing table, metadata only
-- the sync function
DROP FUNCTION IF EXISTS public.users_display_name_sync();

-- public.users.display_name: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief, metadata only; indexes and constraints on the column go with it
ALTER TABLE public.users DROP COLUMN IF EXISTS display_name;

-- public.coupons: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief; the table's rows are gone
DROP TABLE IF EXISTS public.coupons;

COMMIT;
