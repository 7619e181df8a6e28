-- 06-validate.sql: phase validate of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 06-validate.sql
-- Safe to run again after a failure: each statement skips what is already done.

BEGIN;
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '0';

-- public.order_items.quantity: SHARE UPDATE EXCLUSIVE (blocks other DDL and VACUUM, not reads or writes), scans the table, ~50,000 rows (estimate)
-- scans the table without blocking reads or writes; fails if a NULL remains
DO $guard$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.order_items'::regclass AND conname = 'order_items_quantity_new_not_null') THEN
    ALTER TABLE public.order_items VALIDATE CONSTRAINT order_items_quantity_new_not_null;
  END IF;
END
$guard$;

-- public.order_items.quantity: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief: the validated check proves no row is NULL, so there is no scan
ALTER TABLE public.order_items ALTER COLUMN quantity_new SET NOT NULL;

-- public.order_items.quantity: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief
ALTER TABLE public.order_items DROP CONSTRAINT IF EXISTS order_items_quantity_new_not_null;

-- public.orders.shipping_address: SHARE UPDATE EXCLUSIVE (blocks other DDL and VACUUM, not reads or writes), scans the table, ~20,000 rows (estimate)
-- scans the table without blocking reads or writes; fails if a NULL remains
DO $guard$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.orders'::regclass AND conname = 'orders_shipping_address_not_null') THEN
    ALTER TABLE public.orders VALIDATE CONSTRAINT orders_shipping_address_not_null;
  END IF;
END
$guard$;

-- public.orders.shipping_address: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief: the validated check proves no row is NULL, so there is no scan
ALTER TABLE public.orders ALTER COLUMN shipping_address SET NOT NULL;

-- public.orders.shipping_address: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief
ALTER TABLE public.orders DROP CONSTRAINT IF EXISTS orders_shipping_address_not_null;

-- public.users.users_email_key: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief: the index is already built and proves the key unique
DO $guard$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.users'::regclass AND conname = 'users_email_key') THEN
    ALTER TABLE public.users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key;
  END IF;
END
$guard$;

-- public.order_items.order_items_product_id_fkey: SHARE UPDATE EXCLUSIVE (blocks other DDL and VACUUM, not reads or writes), scans the table, ~50,000 rows (estimate)
-- checks every row without blocking reads or writes; fails while an orphan remains
ALTER TABLE public.order_items VALIDATE CONSTRAINT order_items_product_id_fkey;

COMMIT;
