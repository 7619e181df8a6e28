-- 06-validate.rollback.sql: phase validate of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 06-validate.rollback.sql
-- Safe to run again after a failure: each statement skips what is already done.
-- Undoes 06-validate.sql: returns the schema to what it was before that file ran.

BEGIN;
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '0';

-- public.order_items.order_items_product_id_fkey: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief
ALTER TABLE public.order_items DROP CONSTRAINT IF EXISTS order_items_product_id_fkey;

-- public.order_items.order_items_product_id_fkey: SHARE ROW EXCLUSIVE (blocks writes), metadata only
-- back to the unvalidated constraint
DO $guard$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.order_items'::regclass AND conname = 'order_items_product_id_fkey') THEN
    ALTER TABLE public.order_items ADD CONSTRAINT order_items_product_id_fkey FOREIGN KEY (product_id) REFERENCES public.products (id) NOT VALID;
  END IF;
END
$guard$;

-- public.users.users_email_key: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief
ALTER TABLE public.users DROP CONSTRAINT IF EXISTS users_email_key;

-- public.users.users_email_key: SHARE (blocks writes), scans the table, ~5,000 rows (estimate)
-- dropping the constraint dropped its index: rebuilt as the expand phase left it (writes wait for the build)
CREATE UNIQUE INDEX IF NOT EXISTS users_email_key ON public.users USING btree (email);

-- public.orders.shipping_address: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief, metadata only
ALTER TABLE public.orders ALTER COLUMN shipping_address DROP NOT NULL;

-- public.orders.shipping_address: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- back to the unvalidated check
DO $guard$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.orders'::regclass AND conname = 'orders_shipping_address_not_null') THEN
    ALTER TABLE public.orders ADD CONSTRAINT orders_shipping_address_not_null CHECK (shipping_address IS NOT NULL) NOT VALID;
  END IF;
END
$guard$;

-- public.order_items.quantity: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief, metadata only
ALTER TABLE public.order_items ALTER COLUMN quantity_new DROP NOT NULL;

-- public.order_items.quantity: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- back to the unvalidated check
DO $guard$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.order_items'::regclass AND conname = 'order_items_quantity_new_not_null') THEN
    ALTER TABLE public.order_items ADD CONSTRAINT order_items_quantity_new_not_null CHECK (quantity_new IS NOT NULL) NOT VALID;
  END IF;
END
$guard$;

COMMIT;
