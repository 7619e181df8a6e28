-- 02-expand.sql: phase expand of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 02-expand.sql
-- Safe to run again after a failure: each statement skips what is already done.

BEGIN;
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '0';

-- public.coupons: no lock on an existing table, metadata only
-- a new, empty table
CREATE TABLE IF NOT EXISTS public.coupons (id integer GENERATED ALWAYS AS IDENTITY NOT NULL, code text NOT NULL, percent_off integer NOT NULL, valid_until timestamp with time zone, CONSTRAINT coupons_pkey PRIMARY KEY (id), CONSTRAINT coupons_code_key UNIQUE (code), CONSTRAINT coupons_percent_off_check CHECK (((percent_off >= 1) AND (percent_off <= 100))));

-- public.coupons: no lock on an existing table, metadata only
-- comment
COMMENT ON TABLE public.coupons IS 'Discount codes customers can enter at checkout';

-- public.users.display_name: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief, metadata only
ALTER TABLE public.users ADD COLUMN IF NOT EXISTS display_name text;

-- public.users.display_name: no lock on an existing table, metadata only
-- the sync function; no table lock
CREATE OR REPLACE FUNCTION public.users_display_name_sync() RETURNS trigger LANGUAGE plpgsql AS $sync$
#variable_conflict use_column
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.display_name IS NULL THEN
      NEW.display_name := (SELECT full_name FROM (SELECT NEW.full_name) AS row_value(full_name));
    ELSE
      NEW.full_name := (SELECT display_name FROM (SELECT NEW.display_name) AS row_value(display_name));
    END IF;
  ELSIF NEW.full_name IS DISTINCT FROM OLD.full_name THEN
    NEW.display_name := (SELECT full_name FROM (SELECT NEW.full_name) AS row_value(full_name));
  ELSIF NEW.display_name IS DISTINCT FROM OLD.display_name AND NEW.display_name IS DISTINCT FROM (SELECT full_name FROM (SELECT NEW.full_name) AS row_value(full_name)) THEN
    NEW.full_name := (SELECT display_name FROM (SELECT NEW.display_name) AS row_value(display_name));
  END IF;
  RETURN NEW;
END
$sync$;

-- public.users.display_name: SHARE ROW EXCLUSIVE (blocks writes), metadata only
-- brief: blocks writes only while the trigger is added
DO $guard$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = to_regclass('public.users') AND tgname = 'users_display_name_sync') THEN
    CREATE TRIGGER users_display_name_sync BEFORE INSERT OR UPDATE ON public.users FOR EACH ROW EXECUTE FUNCTION public.users_display_name_sync();
  END IF;
END
$guard$;

-- public.order_items.quantity: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief, metadata only
ALTER TABLE public.order_items ADD COLUMN IF NOT EXISTS quantity_new bigint;

-- public.order_items.quantity: no lock on an existing table, metadata only
-- the sync function; no table lock
CREATE OR REPLACE FUNCTION public.order_items_quantity_new_sync() RETURNS trigger LANGUAGE plpgsql AS $sync$
#variable_conflict use_column
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.quantity_new IS NULL THEN
      NEW.quantity_new := (SELECT CAST((quantity::bigint) AS bigint) FROM (SELECT NEW.quantity) AS row_value(quantity));
    ELSE
      NEW.quantity := (SELECT CAST(quantity_new AS integer) FROM (SELECT NEW.quantity_new) AS row_value(quantity_new));
    END IF;
  ELSIF NEW.quantity IS DISTINCT FROM OLD.quantity THEN
    NEW.quantity_new := (SELECT CAST((quantity::bigint) AS bigint) FROM (SELECT NEW.quantity) AS row_value(quantity));
  ELSIF NEW.quantity_new IS DISTINCT FROM OLD.quantity_new AND NEW.quantity_new IS DISTINCT FROM (SELECT CAST((quantity::bigint) AS bigint) FROM (SELECT NEW.quantity) AS row_value(quantity)) THEN
    NEW.quantity := (SELECT CAST(quantity_new AS integer) FROM (SELECT NEW.quantity_new) AS row_value(quantity_new));
  END IF;
  RETURN NEW;
END
$sync$;

-- public.order_items.quantity: SHARE ROW EXCLUSIVE (blocks writes), metadata only
-- brief: blocks writes only while the trigger is added
DO $guard$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = to_regclass('public.order_items') AND tgname = 'order_items_quantity_new_sync') THEN
    CREATE TRIGGER order_items_quantity_new_sync BEFORE INSERT OR UPDATE ON public.order_items FOR EACH ROW EXECUTE FUNCTION public.order_items_quantity_new_sync();
  END IF;
END
$guard$;

-- public.order_items.quantity: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- new rows must not be NULL from now on; the existing ones (~50K rows) are checked in the validate phase
DO $guard$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.order_items'::regclass AND conname = 'order_items_quantity_new_not_null') THEN
    ALTER TABLE public.order_items ADD CONSTRAINT order_items_quantity_new_not_null CHECK (quantity_new IS NOT NULL) NOT VALID;
  END IF;
END
$guard$;

-- public.orders.shipping_address: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- new rows must not be NULL from now on; the existing ones (~20K rows) are checked in the validate phase
DO $guard$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.orders'::regclass AND conname = 'orders_shipping_address_not_null') THEN
    ALTER TABLE public.orders ADD CONSTRAINT orders_shipping_address_not_null CHECK (shipping_address IS NOT NULL) NOT VALID;
  END IF;
END
$guard$;

-- public.order_items.order_items_product_id_fkey: SHARE ROW EXCLUSIVE (blocks writes), metadata only
-- brief locks on both tables; new rows are checked from now on, existing ones in the validate phase; no index covers order_items (product_id): deletes and key updates in products will scan order_items; consider adding one
DO $guard$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.order_items'::regclass AND conname = 'order_items_product_id_fkey') THEN
    ALTER TABLE public.order_items ADD CONSTRAINT order_items_product_id_fkey FOREIGN KEY (product_id) REFERENCES public.products (id) NOT VALID;
  END IF;
END
$guard$;

COMMIT;
